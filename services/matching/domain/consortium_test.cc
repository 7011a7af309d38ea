// Teams that cover a requirement, on a handful of companies a person can check.
#include "services/matching/domain/consortium.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace maillage::matching {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr int64_t kNow = 1'800'000'000;
constexpr uint32_t kNetwork = 1;
constexpr TagId kRoofing = 1, kTimber = 2, kInsulation = 3, kAccounting = 4, kE = 5;
enum : uint32_t { kRoofer = 10, kRooferInsulator, kSupplier, kInsulator, kAccountant, kFarAway };

Profile Company(uint32_t key, uint8_t division, float east_km, std::vector<TagId> sells) {
  Profile p;
  p.key = key;
  p.nace_division = division;
  p.location = {.latitude = 47.93f, .longitude = -2.40f + east_km / 74.6f, .known = true};
  p.networks = {kNetwork};
  Declaration d;
  d.type = DeclarationType::kBusiness;
  d.tags = std::move(sells);
  std::sort(d.tags.begin(), d.tags.end());
  p.offers = {d};
  p.update_unix = kNow;
  return p;
}

PartnerIndex Cluster() {
  PartnerIndex index;
  index.Upsert(Company(kRoofer, 43, 0, {kRoofing}));
  index.Upsert(Company(kRooferInsulator, 43, 4, {kRoofing, kInsulation}));
  index.Upsert(Company(kSupplier, 16, 8, {kTimber}));
  index.Upsert(Company(kInsulator, 43, 6, {kInsulation}));
  index.Upsert(Company(kAccountant, 69, 2, {kAccounting}));
  index.Upsert(Company(kFarAway, 69, 300, {kAccounting}));
  return index;
}

const std::vector<Requirement> kRenovation = {
    {kRoofing, 2}, {kTimber, 1}, {kInsulation, 1}, {kAccounting, 0.5}};

void ExpectNoTwoCompetitors(const PartnerIndex& index, const Consortium& c) {
  for (size_t i = 0; i < c.members.size(); ++i) {
    for (size_t j = i + 1; j < c.members.size(); ++j) {
      EXPECT_FALSE(Competitors(*index.Find(c.members[i]), *index.Find(c.members[j]), {}, kNow))
          << c.members[i] << " and " << c.members[j];
    }
  }
}

TEST(ConsortiumTest, CoversTheRequirementWithoutTwoCompetitors) {
  const PartnerIndex index = Cluster();
  absl::StatusOr<Consortium> c = BuildConsortium(
      index, {.scope = {kNetwork}, .requirements = kRenovation, .max_size = 4}, {}, kNow);
  ASSERT_TRUE(c.ok()) << c.status();
  // The roofer who also insulates covers the most; the plain roofer and the insulator then
  // compete with it; the supplier and the nearer accountant complete the team.
  EXPECT_THAT(c->members, ElementsAre(kRooferInsulator, kSupplier, kAccountant));
  EXPECT_THAT(c->missing, IsEmpty());
  EXPECT_DOUBLE_EQ(c->covered_weight, 4.5);
  EXPECT_DOUBLE_EQ(c->total_weight, 4.5);
  EXPECT_THAT(c->covered_by[0], ElementsAre(kRooferInsulator));
  ExpectNoTwoCompetitors(index, *c);
}

TEST(ConsortiumTest, SaysWhatASmallTeamLeavesUncovered) {
  const PartnerIndex index = Cluster();
  absl::StatusOr<Consortium> c = BuildConsortium(
      index, {.scope = {kNetwork}, .requirements = kRenovation, .max_size = 2}, {}, kNow);
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->members, ElementsAre(kRooferInsulator, kSupplier));
  EXPECT_THAT(c->missing, ElementsAre(3));  // accounting
  EXPECT_DOUBLE_EQ(c->covered_weight, 4);
}

TEST(ConsortiumTest, RequiredMembersComeFirstAndShapeTheRest) {
  const PartnerIndex index = Cluster();
  absl::StatusOr<Consortium> c = BuildConsortium(
      index,
      {.scope = {kNetwork}, .requirements = kRenovation, .max_size = 4, .must_include = {kRoofer}},
      {}, kNow);
  ASSERT_TRUE(c.ok());
  // The roofer-insulator competes with the roofer asked for: the insulator joins instead.
  EXPECT_THAT(c->members, ElementsAre(kRoofer, kSupplier, kInsulator, kAccountant));
  EXPECT_THAT(c->required_competitors, IsEmpty());
  ExpectNoTwoCompetitors(index, *c);
  // Two competitors both asked for are kept, and said.
  c = BuildConsortium(index,
                      {.scope = {kNetwork},
                       .requirements = kRenovation,
                       .must_include = {kRoofer, kRooferInsulator}},
                      {}, kNow);
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->required_competitors,
              ElementsAre(std::make_pair(uint32_t{kRoofer}, uint32_t{kRooferInsulator})));
}

TEST(ConsortiumTest, TheAreaAndExclusionsLimitWhoMayJoin) {
  PartnerIndex index = Cluster();
  absl::StatusOr<Consortium> c =
      BuildConsortium(index,
                      {.scope = {kNetwork},
                       .requirements = {{kAccounting, 1}},
                       .center = index.Find(kRoofer)->location,
                       .radius_km = 50,
                       .excluded = [](uint32_t k) { return k == kAccountant; }},
                      {}, kNow);
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->members, IsEmpty());  // the other accountant is 300 km away
  EXPECT_THAT(c->missing, ElementsAre(0));
  c = BuildConsortium(index, {.scope = {kNetwork + 1}, .requirements = {{kAccounting, 1}}}, {},
                      kNow);
  EXPECT_THAT(c->members, IsEmpty());
}

TEST(ConsortiumTest, ASwapImprovesWhatTheGreedyChoiceMissed) {
  PartnerIndex index;
  index.Upsert(Company(1, 62, 0, {kRoofing, kInsulation, kE}));  // a, c, e: 2.5 first
  index.Upsert(Company(2, 70, 0, {kRoofing, kTimber}));          // a, b
  index.Upsert(Company(3, 71, 0, {kInsulation, kAccounting}));   // c, d
  absl::StatusOr<Consortium> c = BuildConsortium(
      index,
      {.scope = {kNetwork},
       .requirements = {{kRoofing, 1}, {kTimber, 1}, {kInsulation, 1}, {kAccounting, 1}, {kE, 0.5}},
       .max_size = 2},
      {}, kNow);
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->members, UnorderedElementsAre(2u, 3u));
  EXPECT_DOUBLE_EQ(c->covered_weight, 4);
}

TEST(ConsortiumTest, BadQueriesNameTheirField) {
  const PartnerIndex index = Cluster();
  auto error = [&](const ConsortiumQuery& q) {
    return std::string(BuildConsortium(index, q, {}, kNow).status().message());
  };
  EXPECT_THAT(error({.requirements = kRenovation}), HasSubstr("scope"));
  EXPECT_THAT(error({.scope = {kNetwork}}), HasSubstr("requirements"));
  EXPECT_THAT(error({.scope = {kNetwork}, .requirements = {{kRoofing, 0}}}),
              HasSubstr("requirements[0].weight"));
  EXPECT_THAT(error({.scope = {kNetwork}, .requirements = kRenovation, .max_size = 0}),
              HasSubstr("max_size"));
  EXPECT_THAT(error({.scope = {kNetwork}, .requirements = kRenovation, .must_include = {999}}),
              HasSubstr("must_include[0]"));
  std::vector<Requirement> many(33, {kRoofing, 1});
  EXPECT_THAT(error({.scope = {kNetwork}, .requirements = many}), HasSubstr("requirements"));
}

}  // namespace
}  // namespace maillage::matching
