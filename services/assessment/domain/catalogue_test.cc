#include "services/assessment/domain/catalogue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace maillage::assessment {
namespace {

using ::testing::HasSubstr;

std::string ShippedCatalogue() {
  std::ifstream in(MAILLAGE_ASSESSMENT_CATALOGUE);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(CatalogueTest, TheShippedCatalogueCoversTheSupportFunctionsOfTheIssue) {
  absl::StatusOr<std::vector<v1::SupportFunction>> functions = ParseCatalogue(ShippedCatalogue());
  ASSERT_TRUE(functions.ok()) << functions.status();
  std::set<std::string> top;
  for (const v1::SupportFunction& f : *functions) {
    if (f.parent_code().empty()) top.insert(f.code());
    EXPECT_FALSE(f.label_fr().empty());
    EXPECT_FALSE(f.label_en().empty());
  }
  for (const char* expected :
       {"recruitment", "hr_admin", "training", "purchasing", "it_infrastructure", "software",
        "cybersecurity", "legal", "accounting", "finance", "insurance", "marketing", "sales",
        "logistics", "quality", "energy_environment", "rnd_innovation", "facilities"}) {
    EXPECT_TRUE(top.count(expected)) << expected;
  }
  EXPECT_GE(functions->size(), 40u);
}

TEST(CatalogueTest, ColumnsMayComeInAnyOrderAndLabelsKeepTheirAccents) {
  absl::StatusOr<std::vector<v1::SupportFunction>> f = ParseCatalogue(
      "label_en,code,nature,label_fr,parent_code\n"
      "Energy,energy,purchase,Énergie,\n"
      "\"Supply, electricity\",energy.supply,purchase,\"Fourniture d'électricité\",energy\n");
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_EQ(f->size(), 2u);
  EXPECT_EQ((*f)[0].label_fr(), "Énergie");
  EXPECT_EQ((*f)[1].parent_code(), "energy");
  EXPECT_EQ((*f)[1].label_en(), "Supply, electricity");
  EXPECT_EQ((*f)[1].nature(), v1::FUNCTION_NATURE_PURCHASE);
}

TEST(CatalogueTest, EveryProblemNamesItsLineAndField) {
  const std::string header = "code,parent_code,nature,label_fr,label_en\n";
  struct Case {
    std::string rows;
    std::string expected;
  } cases[] = {
      {"IT,,service,Informatique,IT\n", "line 2: code"},
      {"it.support,it,service,Support,Support\n", "line 2: parent_code: \"it\" is not a known"},
      {"it,,service,Informatique,IT\nit.support,legal,service,Support,Support\n",
       "line 3: parent_code: must be \"it\""},
      {"it,,services,Informatique,IT\n", "line 2: nature"},
      {"it,,service,,IT\n", "line 2: label_fr: required"},
      {"it,,service,Informatique,IT\nit,,service,Info,IT\n", "line 3: code: \"it\" appears twice"},
      {"it.a.b,it,service,X,X\n", "line 2: code"},
      {absl::StrCat("it,,service,", std::string(121, 'x'), ",IT\n"), "label_fr: too long"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::vector<v1::SupportFunction>> f = ParseCatalogue(header + c.rows);
    ASSERT_FALSE(f.ok()) << c.rows;
    EXPECT_THAT(f.status().message(), HasSubstr(c.expected)) << c.rows;
  }
  EXPECT_THAT(ParseCatalogue("code,nature\nit,service\n").status().message(),
              HasSubstr("column parent_code is missing"));
  EXPECT_FALSE(ParseCatalogue("").ok());
  EXPECT_FALSE(ParseCatalogue(header + "\"it,,service\n").ok());  // unterminated quote
}

TEST(CatalogueTest, ANetworksOwnFunctionIsCheckedAgainstTheCodesItKnows) {
  v1::SupportFunction f;
  f.set_code("purchasing.wine");
  f.set_parent_code("purchasing");
  f.set_nature(v1::FUNCTION_NATURE_PURCHASE);
  f.set_label_fr("Achats groupés de vin");
  f.set_label_en("Wine purchasing");
  EXPECT_TRUE(ValidateFunction(f, {"purchasing"}).ok());
  EXPECT_THAT(ValidateFunction(f, {"legal"}).message(), HasSubstr("parent_code"));
  f.set_label_en(std::string("bad\0text", 8));
  EXPECT_THAT(ValidateFunction(f, {"purchasing"}).message(), HasSubstr("label_en"));
}

}  // namespace
}  // namespace maillage::assessment
