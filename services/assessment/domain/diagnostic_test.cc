#include "services/assessment/domain/diagnostic.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace maillage::assessment {
namespace {

using ::testing::HasSubstr;

v1::DiagnosticTemplate Shipped() {
  std::ifstream in(MAILLAGE_ASSESSMENT_DIAGNOSTIC);
  std::ostringstream s;
  s << in.rdbuf();
  absl::StatusOr<v1::DiagnosticTemplate> t = ParseTemplate(s.str());
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : v1::DiagnosticTemplate();
}

v1::QuestionAnswer Scale(const std::string& q, int v) {
  v1::QuestionAnswer a;
  a.set_question_code(q);
  a.set_scale(v);
  return a;
}
v1::QuestionAnswer Yes(const std::string& q, bool yes) {
  v1::QuestionAnswer a;
  a.set_question_code(q);
  a.set_yes(yes);
  return a;
}
v1::QuestionAnswer Choose(const std::string& q, const std::string& c) {
  v1::QuestionAnswer a;
  a.set_question_code(q);
  a.set_choice(c);
  return a;
}

TEST(DiagnosticTest, TheShippedTemplateHasTheSixDimensionsOfTheSeed) {
  v1::DiagnosticTemplate t = Shipped();
  ASSERT_EQ(t.dimensions_size(), 6);
  EXPECT_EQ(t.dimensions(0).code(), "market_access");
  EXPECT_EQ(t.dimensions(5).code(), "environmental_transition");
  EXPECT_GE(t.questions_size(), 20);
}

TEST(DiagnosticTest, ADimensionScoreIsTheWeightedMeanOfItsAnsweredQuestions) {
  v1::DiagnosticTemplate t = Shipped();
  // market_access: customers yes (100, weight 1), strategy 4 of 1..5 (75, weight 2), tenders
  // "sometimes" (50, weight 1); new markets unanswered. (100 + 150 + 50) / 4 = 75.
  std::vector<v1::QuestionAnswer> answers = {Yes("ma_customers", true), Scale("ma_strategy", 4),
                                             Choose("ma_public_tenders", "sometimes")};
  ASSERT_TRUE(ValidateAnswers(t, answers).ok());
  std::vector<v1::DimensionScore> scores = ScoreDimensions(t, answers);
  ASSERT_EQ(scores.size(), 6u);
  EXPECT_EQ(scores[0].dimension_code(), "market_access");
  EXPECT_TRUE(scores[0].scored());
  EXPECT_EQ(scores[0].score(), 75);
  EXPECT_EQ(scores[0].answered(), 3);
  EXPECT_EQ(scores[0].questions(), 4);
  EXPECT_FALSE(scores[1].scored());  // nothing answered on human capital
}

TEST(DiagnosticTest, BadAnswersAreRefusedNamingTheAnswer) {
  v1::DiagnosticTemplate t = Shipped();
  EXPECT_THAT(ValidateAnswers(t, {Scale("ma_strategy", 7)}).message(),
              HasSubstr("answers[0].scale: 7 is outside 1..5"));
  EXPECT_THAT(ValidateAnswers(t, {Yes("ma_customers", true), Scale("nope", 1)}).message(),
              HasSubstr("answers[1].question_code: unknown question"));
  EXPECT_THAT(ValidateAnswers(t, {Yes("ma_strategy", true)}).message(),
              HasSubstr("answers[0].scale: required"));
  EXPECT_THAT(ValidateAnswers(t, {Choose("ma_public_tenders", "always")}).message(),
              HasSubstr("not one of the question's choices"));
  EXPECT_THAT(ValidateAnswers(t, {Yes("ma_customers", true), Yes("ma_customers", false)}).message(),
              HasSubstr("answered twice"));
}

TEST(DiagnosticTest, BadTemplatesAreRefusedByFieldPath) {
  v1::DiagnosticTemplate t = Shipped();
  v1::DiagnosticTemplate bad = t;
  bad.mutable_questions(2)->mutable_choices(1)->set_score(101);
  EXPECT_THAT(ValidateTemplate(bad).message(), HasSubstr("questions[2].choices[1].score"));
  bad = t;
  bad.mutable_questions(0)->set_dimension_code("nowhere");
  EXPECT_THAT(ValidateTemplate(bad).message(), HasSubstr("questions[0].dimension_code"));
  bad = t;
  bad.mutable_questions(1)->set_scale_min(5);
  bad.mutable_questions(1)->set_scale_max(5);
  EXPECT_THAT(ValidateTemplate(bad).message(), HasSubstr("questions[1].scale_max"));
  EXPECT_THAT(ParseTemplate(R"({"titleFr": "x", "unknown": 1})").status().message(),
              HasSubstr("unknown"));
}

TEST(DiagnosticTest, TheNetworksQuartilesAreShownFromTheMinimumGroupSizeOnly) {
  v1::DiagnosticTemplate t = Shipped();
  auto company = [&](int strategy) {
    return ScoreDimensions(t, {Scale("ma_strategy", strategy)});  // 0, 25, 50, 75 or 100
  };
  std::vector<std::vector<v1::DimensionScore>> two = {company(1), company(5)};
  std::vector<v1::DimensionBenchmark> withheld = Benchmark(t, two, 3);
  EXPECT_TRUE(withheld[0].withheld());
  EXPECT_EQ(withheld[0].companies().fewer_than(), 3);
  EXPECT_EQ(withheld[0].median(), 0);

  std::vector<std::vector<v1::DimensionScore>> five = {company(1), company(2), company(3),
                                                       company(4), company(5)};
  std::vector<v1::DimensionBenchmark> shown = Benchmark(t, five, 3);
  EXPECT_FALSE(shown[0].withheld());
  EXPECT_EQ(shown[0].companies().exact(), 5);
  EXPECT_DOUBLE_EQ(shown[0].median(), 50);
  EXPECT_DOUBLE_EQ(shown[0].first_quartile(), 25);
  EXPECT_DOUBLE_EQ(shown[0].third_quartile(), 75);
  EXPECT_TRUE(shown[1].withheld());  // no one scored on human capital
  EXPECT_EQ(shown[1].companies().exact(), 0);
}

TEST(DiagnosticTest, QuantilesInterpolateBetweenRanks) {
  EXPECT_DOUBLE_EQ(Quantile({10, 20, 30, 40}, 0.5), 25);
  EXPECT_DOUBLE_EQ(Quantile({10, 20, 30, 40}, 0.25), 17.5);
  EXPECT_DOUBLE_EQ(Quantile({42}, 0.75), 42);
  EXPECT_DOUBLE_EQ(Quantile({}, 0.5), 0);
}

}  // namespace
}  // namespace maillage::assessment
