#include "services/assessment/domain/answers_csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace maillage::assessment {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kOrg1[] = "1c1c1c1c-0000-4000-8000-000000000001";
constexpr char kOrg2[] = "1c1c1c1c-0000-4000-8000-000000000002";

std::string Problems(const ParsedAnswers& p) {
  std::string out;
  for (const AnswersCsvProblem& x : p.problems) {
    absl::StrAppend(&out, x.line, ":", x.column, ":", x.message, "\n");
  }
  return out;
}

TEST(AnswersCsvTest, AnExportReadsBackAsTheSameAnswers) {
  v1::FunctionAnswer a;
  a.set_function_code("recruitment");
  a.set_efficiency(v1::LEVEL_LOW);
  a.set_importance(v1::LEVEL_MEDIUM);
  a.set_disposition(v1::DISPOSITION_POOL_WITH_NETWORK);
  a.set_yearly_cost_eur(12000);
  a.set_staff_days_per_year(20);
  a.set_willing_to_pool(true);
  a.set_comment("=SUM(A1) \"cher\", vraiment");
  std::string csv = AnswersCsvHeader();
  csv += AnswersCsvRow({.organisation_id = kOrg1,
                        .organisation_name = "Menuiserie Lac, SARL",
                        .state = v1::ASSESSMENT_STATE_SUBMITTED,
                        .revision = 2,
                        .function_code = "recruitment",
                        .function_label = "Recrutement",
                        .answer = &a});
  csv += AnswersCsvRow({.organisation_id = kOrg1,
                        .organisation_name = "Menuiserie Lac, SARL",
                        .function_code = "legal",
                        .function_label = "Juridique"});
  // The formula is kept from a spreadsheet, the disposition is written for the reader.
  EXPECT_THAT(csv, HasSubstr("\"'=SUM(A1) \"\"cher\"\", vraiment\""));
  EXPECT_THAT(csv, HasSubstr(",low,medium,pool_with_network,12000,20,yes,no,"));

  ParsedAnswers back = ParseAnswersCsv(csv);
  EXPECT_THAT(back.problems, IsEmpty()) << Problems(back);
  EXPECT_EQ(back.rows, 2);
  EXPECT_EQ(back.answered_rows, 1);  // legal was left empty: not answered
  ASSERT_EQ(back.by_organisation.size(), 1u);
  EXPECT_EQ(back.by_organisation[0].first, kOrg1);
  const v1::FunctionAnswer& r = back.by_organisation[0].second.at(0);
  EXPECT_EQ(r.comment(), a.comment());
  EXPECT_EQ(r.efficiency(), v1::LEVEL_LOW);
  EXPECT_EQ(r.yearly_cost_eur(), 12000);
  EXPECT_TRUE(r.willing_to_pool());
  EXPECT_EQ(r.disposition(), v1::DISPOSITION_UNSPECIFIED);  // decided again by the service
  EXPECT_THAT(back.lines[0], ElementsAre(2));
}

TEST(AnswersCsvTest, APaperSheetInFrenchWithItsOwnColumnOrderIsRead) {
  const std::string csv = absl::StrCat(
      "\xef\xbb\xbf"
      "Importance;x,Function_Code,efficiency,ORGANISATION_ID,willing_to_pool,notes\r\n",
      "\xc3\xa9lev\xc3\xa9"
      "e;x,legal,Faible,",
      "1C1C1C1C-0000-4000-8000-000000000002", ",oui,à voir\r\n", "2;x,recruitment,3,", kOrg2,
      ",,\r\n");
  ParsedAnswers p = ParseAnswersCsv(csv);
  // "Importance;x" is not a column the reader knows: importance is missing.
  ASSERT_EQ(p.problems.size(), 1u) << Problems(p);
  EXPECT_EQ(p.problems[0].column, "importance");
  EXPECT_EQ(p.problems[0].message, "missing column");

  const std::string fixed = absl::StrCat(
      "\xef\xbb\xbf"
      "Importance,Function_Code,efficiency,ORGANISATION_ID,willing_to_pool,notes\r\n",
      "\xc3\xa9lev\xc3\xa9"
      "e,legal,Faible,",
      "1C1C1C1C-0000-4000-8000-000000000002", ",oui,à voir\r\n", "2,recruitment,3,", kOrg2,
      ",,\r\n");
  p = ParseAnswersCsv(fixed);
  ASSERT_THAT(p.problems, IsEmpty()) << Problems(p);
  ASSERT_EQ(p.by_organisation.size(), 1u);
  EXPECT_EQ(p.by_organisation[0].first, kOrg2);  // lower case: one company, not two
  const auto& answers = p.by_organisation[0].second;
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].importance(), v1::LEVEL_HIGH);
  EXPECT_EQ(answers[0].efficiency(), v1::LEVEL_LOW);
  EXPECT_TRUE(answers[0].willing_to_pool());
  EXPECT_EQ(answers[1].importance(), v1::LEVEL_MEDIUM);
  EXPECT_EQ(answers[1].efficiency(), v1::LEVEL_HIGH);
}

TEST(AnswersCsvTest, EveryProblemIsReportedWithItsLineAndColumn) {
  const std::string csv = absl::StrCat(
      "organisation_id,function_code,efficiency,importance,yearly_cost_eur,agrees_to_be_named,"
      "comment\n",
      "not-a-uuid,legal,low,low,,,\n",                              // line 2
      kOrg1, ",legal,low,,,,\n",                                    // 3: one level only
      kOrg1, ",it,tres bien,low,,,\n",                              // 4
      kOrg1, ",hr,low,low,-3,,\n",                                  // 5
      kOrg1, ",legal,low,low,,,\n",                                 // 6: legal again
      kOrg1, ",sales,low,low,,peut-etre,\n",                        // 7
      kOrg1, ",quality,low,low,,,", std::string(2001, 'x'), "\n");  // 8
  ParsedAnswers p = ParseAnswersCsv(csv);
  EXPECT_EQ(Problems(p),
            "2:organisation_id:not a UUID\n"
            "3:importance:required when the other level is given\n"
            "4:efficiency:not a level (low, medium, high)\n"
            "5:yearly_cost_eur:whole euros, 0 to 1,000,000,000\n"
            "6:function_code:this company's function is given twice\n"
            "7:agrees_to_be_named:yes or no\n"
            "8:comment:too long (2001 > 2000 characters)\n");
  EXPECT_THAT(p.by_organisation, IsEmpty());
  EXPECT_EQ(p.rows, 7);
}

TEST(AnswersCsvTest, AFileOfMistakesReportsAHundredAndCountsTheRest) {
  std::string csv = "organisation_id,function_code,efficiency,importance\n";
  for (int i = 0; i < 250; ++i) absl::StrAppend(&csv, "nope,f", i, ",low,low\n");
  ParsedAnswers p = ParseAnswersCsv(csv);
  ASSERT_EQ(p.problems.size(), kMaxCsvProblems + 1);
  EXPECT_EQ(p.problems.back().message, "and 150 more problems");
  EXPECT_THAT(ParseAnswersCsv("").problems.at(0).message, HasSubstr("header"));
  EXPECT_THAT(ParseAnswersCsv("a,\"b\n").problems.at(0).message, HasSubstr("line 1"));
}

}  // namespace
}  // namespace maillage::assessment
