// A sign-in sheet as an animator types it: names with and without accents or legal forms,
// SIRENs with spaces, people who signed twice, companies that are not members.
#include "services/reporting/domain/sign_in_sheet.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace maillage::reporting {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::vector<SheetMember> kMembers = {
    {"aaaaaaaa-0000-4000-8000-000000000001", "SARL Menuiserie Éloi & Fils", "732829320"},
    {"bbbbbbbb-0000-4000-8000-000000000002", "Boulangerie Le Fournil", "552100554"},
    {"cccccccc-0000-4000-8000-000000000003", "Atelier Cœur de Bois", ""},
    {"dddddddd-0000-4000-8000-000000000004", "Transports Morvan", "443061841"},
    {"eeeeeeee-0000-4000-8000-000000000005", "Transports Morvan SAS", "542065479"},
};

std::vector<std::string> Ids(const SheetReading& r) {
  std::vector<std::string> ids;
  for (const SheetMatch& m : r.matches) ids.push_back(m.organisation_id.substr(0, 1));
  return ids;
}

TEST(SignInSheetTest, NamesMatchWithoutCaseAccentsPunctuationOrLegalForm) {
  EXPECT_EQ(ComparableName("SARL Menuiserie Éloi & Fils"), "menuiserie eloi fils");
  EXPECT_EQ(ComparableName("menuiserie ELOI fils"), "menuiserie eloi fils");
  EXPECT_EQ(ComparableName("Atelier Cœur-de-Bois"), "atelier coeur de bois");
  EXPECT_EQ(ComparableName("SAS"), "sas");  // a name that is only a legal form keeps it
  SheetReading r = ReadSignInSheet(
      "Nom;Signature\n"  // one column: the whole line is the name
      "x\n",
      kMembers);
  EXPECT_FALSE(r.status.ok()) << "a header without a known column is refused";
  r = ReadSignInSheet(
      "Entreprise,Représentant,Signature\n"
      "menuiserie eloi et fils,Éloi,x\n"
      "Menuiserie Eloi Fils,Jeanne,x\n"
      "Boulangerie le fournil,Paul,x\n"
      "atelier coeur de bois,Anne,x\n",
      kMembers);
  ASSERT_TRUE(r.status.ok()) << r.status;
  // "et" is a word of its own: line 2 names no member; line 3 does.
  EXPECT_THAT(Ids(r), ElementsAre("a", "b", "c"));
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].line, 2);
  EXPECT_THAT(r.problems[0].reason, HasSubstr("no active member named"));
}

TEST(SignInSheetTest, ASirenWinsOverTheNameAndMayBeTypedWithSpaces) {
  SheetReading r = ReadSignInSheet(
      "Raison sociale,SIREN\n"
      "Transports Morvan,443 061 841\n"
      "Transports Morvan,\n"
      "Inconnue,999999999\n",
      kMembers);
  ASSERT_TRUE(r.status.ok());
  EXPECT_THAT(Ids(r), ElementsAre("d"));
  ASSERT_EQ(r.problems.size(), 2u);
  // Two members are called Transports Morvan once the legal form is dropped.
  EXPECT_EQ(r.problems[0].line, 3);
  EXPECT_THAT(r.problems[0].reason, HasSubstr("2 active members are named"));
  EXPECT_THAT(r.problems[1].reason, HasSubstr("no active member with SIREN \"999999999\""));
}

TEST(SignInSheetTest, SigningTwiceCountsOnceAndEmptyLinesAreSkipped) {
  SheetReading r = ReadSignInSheet(
      "organisation_id\n"
      "BBBBBBBB-0000-4000-8000-000000000002\n"
      "\n"
      "bbbbbbbb-0000-4000-8000-000000000002\n",
      kMembers);
  ASSERT_TRUE(r.status.ok());
  EXPECT_THAT(Ids(r), ElementsAre("b"));
  EXPECT_EQ(r.matches[0].line, 2);
  EXPECT_TRUE(r.problems.empty());
}

TEST(SignInSheetTest, ProblemsAreBoundedAndBrokenCsvIsNamed) {
  std::string sheet = "name\n";
  for (int i = 0; i < 50; ++i) sheet += "Personne\n";
  SheetReading r = ReadSignInSheet(sheet, kMembers);
  ASSERT_EQ(r.problems.size(), kMaxSheetProblems + 1);
  EXPECT_EQ(r.problems.back().reason, "30 more lines like these");
  r = ReadSignInSheet("name\n\"Boulangerie", kMembers);
  EXPECT_FALSE(r.status.ok());
  EXPECT_THAT(r.status.message(), HasSubstr("sheet: "));
  EXPECT_FALSE(ReadSignInSheet("", kMembers).status.ok());
  EXPECT_FALSE(ReadSignInSheet(std::string(kMaxSheetBytes + 1, 'x'), kMembers).status.ok());
}

}  // namespace
}  // namespace maillage::reporting
