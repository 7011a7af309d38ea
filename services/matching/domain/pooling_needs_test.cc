// The mapping from the assessment's support functions to competencies: the shipped file
// covers every function of the assessment's catalogue, and a broken file is refused by line.
#include "services/matching/domain/pooling_needs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace maillage::matching {
namespace {

using ::testing::HasSubstr;

std::string Read(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FunctionCompetenciesTest, TheShippedFileMapsEveryFunctionOfTheAssessmentCatalogue) {
  absl::StatusOr<Vocabulary> vocabulary = Vocabulary::Parse(Read(MAILLAGE_MATCHING_VOCABULARY));
  ASSERT_TRUE(vocabulary.ok()) << vocabulary.status();
  absl::StatusOr<FunctionCompetencies> map =
      ParseFunctionCompetencies(Read(MAILLAGE_MATCHING_FUNCTIONS), *vocabulary);
  ASSERT_TRUE(map.ok()) << map.status();
  std::istringstream catalogue(Read(MAILLAGE_ASSESSMENT_CATALOGUE));
  std::string line;
  std::getline(catalogue, line);  // header
  int functions = 0;
  while (std::getline(catalogue, line)) {
    if (line.empty()) continue;
    const std::string code = line.substr(0, line.find(','));
    EXPECT_NE(map->Find(code), nullptr) << code;
    ++functions;
  }
  EXPECT_EQ(map->size(), static_cast<size_t>(functions));
  const FunctionCompetencies::Entry* payroll = map->Find("hr_admin.payroll");
  ASSERT_NE(payroll, nullptr);
  EXPECT_EQ(payroll->label_fr, "Paie");
  EXPECT_THAT(payroll->competencies, ::testing::ElementsAre("business_services.payroll"));
}

TEST(FunctionCompetenciesTest, ABrokenFileIsRefusedNamingTheLine) {
  absl::StatusOr<Vocabulary> vocabulary = Vocabulary::Parse(Read(MAILLAGE_MATCHING_VOCABULARY));
  ASSERT_TRUE(vocabulary.ok());
  const std::string header = "function_code,label_fr,competencies\n";
  EXPECT_THAT(ParseFunctionCompetencies("code,label\n", *vocabulary).status().message(),
              HasSubstr("line 1"));
  EXPECT_THAT(ParseFunctionCompetencies(header + "legal,Juridique,law.magic\n", *vocabulary)
                  .status()
                  .message(),
              HasSubstr("line 2: competencies: law.magic"));
  EXPECT_THAT(ParseFunctionCompetencies(header + "legal,Juridique,business_services.legal_advice\n"
                                                 "legal,Juridique,business_services.legal_advice\n",
                                        *vocabulary)
                  .status()
                  .message(),
              HasSubstr("line 3: function_code legal is given twice"));
  EXPECT_THAT(ParseFunctionCompetencies(header + "legal,,x\n", *vocabulary).status().message(),
              HasSubstr("line 2"));
  EXPECT_FALSE(ParseFunctionCompetencies(header, *vocabulary).ok());
}

}  // namespace
}  // namespace maillage::matching
