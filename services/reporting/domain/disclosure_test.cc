// What a funder may be told: the minimum group size on its edges, the figures withheld to
// protect a withheld one, and two reports whose difference would single out a member.
#include "services/reporting/domain/disclosure.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace maillage::reporting {
namespace {

// n members named prefix0, prefix1, ...
std::vector<std::string> Members(const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(absl::StrCat(prefix, i));
  return out;
}

DisclosedFigure Count(const std::string& key, std::vector<std::string> population,
                      const std::string& partition = "") {
  const auto size = static_cast<int64_t>(population.size());
  return {.key = key, .partition = partition, .value = size, .population = std::move(population)};
}

TEST(DisclosureTest, AFigureAboutNMinusOneMembersIsWithheldAndAboutNIsGiven) {
  std::vector<Verdict> v =
      Disclose({Count("a", Members("x", 4)), Count("b", Members("y", 5))}, 5, {});
  EXPECT_TRUE(v[0].withheld);
  EXPECT_EQ(v[0].note, "fewer than 5");
  EXPECT_FALSE(v[1].withheld);
}

TEST(DisclosureTest, ZeroIsGivenAndMoneyFromPublicFundersAlways) {
  DisclosedFigure region{.key = "region", .value = 100000, .about_members = false};
  std::vector<Verdict> v = Disclose({Count("none", {}), region}, 5, {});
  EXPECT_FALSE(v[0].withheld);
  EXPECT_FALSE(v[1].withheld);
}

TEST(DisclosureTest, OneWithheldSectorCannotBeRecoveredFromTheTotal) {
  // 20 + 12 + 3 = 35 given as the total: the 3 would be 35 - 20 - 12.
  std::vector<Verdict> v =
      Disclose({Count("s/C", Members("c", 20), "sector"), Count("s/F", Members("f", 12), "sector"),
                Count("s/G", Members("g", 3), "sector")},
               5, {});
  EXPECT_TRUE(v[2].withheld);
  EXPECT_TRUE(v[1].withheld) << "the smallest given figure goes with it";
  EXPECT_EQ(v[1].note, kProtectsAnotherNote);
  EXPECT_FALSE(v[0].withheld);
}

TEST(DisclosureTest, WithheldFiguresAboutNMembersTogetherNeedNoCompanion) {
  std::vector<Verdict> v =
      Disclose({Count("s/C", Members("c", 20), "sector"), Count("s/F", Members("f", 3), "sector"),
                Count("s/G", Members("g", 2), "sector")},
               5, {});
  EXPECT_FALSE(v[0].withheld);
  EXPECT_TRUE(v[1].withheld);
  EXPECT_TRUE(v[2].withheld);
}

TEST(DisclosureTest, TwoReportsWhoseDifferenceIsOneMemberAreNotBothGiven) {
  // The first report: 7 members in sector C. One joins; the second would say 8.
  std::vector<std::string> before = Members("c", 7);
  std::vector<Verdict> first = Disclose({Count("s/C", before)}, 5, {});
  ASSERT_FALSE(first[0].withheld);
  DisclosureHistory history;
  history["s/C"].push_back(before);
  std::sort(history["s/C"][0].begin(), history["s/C"][0].end());

  std::vector<std::string> after = before;
  after.push_back("newcomer");
  std::vector<Verdict> second = Disclose({Count("s/C", after)}, 5, history);
  EXPECT_TRUE(second[0].withheld);
  EXPECT_EQ(second[0].note, DifferenceNote(5));

  // One leaves instead: the same.
  std::vector<std::string> fewer(before.begin(), before.end() - 1);
  EXPECT_TRUE(Disclose({Count("s/C", fewer)}, 5, history)[0].withheld);
  // The same members again: nothing new is learnt.
  EXPECT_FALSE(Disclose({Count("s/C", before)}, 5, history)[0].withheld);
  // Five newcomers: a group of N, given.
  std::vector<std::string> five_more = before;
  for (const std::string& m : Members("new", 5)) five_more.push_back(m);
  EXPECT_FALSE(Disclose({Count("s/C", five_more)}, 5, history)[0].withheld);
  // One came and one left: the counts are equal, nothing is singled out.
  std::vector<std::string> swapped = fewer;
  swapped.push_back("newcomer");
  EXPECT_FALSE(Disclose({Count("s/C", swapped)}, 5, history)[0].withheld);
  // Another key is another question.
  EXPECT_FALSE(Disclose({Count("s/F", after)}, 5, history)[0].withheld);
}

TEST(DisclosureTest, ADifferenceWithheldFigureIsProtectedInItsPartitionToo) {
  DisclosureHistory history;
  std::vector<std::string> c = Members("c", 9);
  history["s/C"].push_back(c);
  std::sort(history["s/C"][0].begin(), history["s/C"][0].end());
  std::vector<std::string> grown = c;
  grown.push_back("z");
  std::vector<Verdict> v = Disclose(
      {Count("s/C", grown, "sector"), Count("s/F", Members("f", 30), "sector")}, 5, history);
  EXPECT_TRUE(v[0].withheld);
  // 10 withheld members together: the total gives back nothing smaller than N.
  EXPECT_FALSE(v[1].withheld);
}

}  // namespace
}  // namespace maillage::reporting
