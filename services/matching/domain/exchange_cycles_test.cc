// Chains where each member gives what the next needs.
#include "services/matching/domain/exchange_cycles.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace maillage::matching {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kNow = 1'800'000'000;
constexpr uint32_t kNetwork = 1;
constexpr TagId kTimber = 1, kAccounting = 2, kWebsite = 3, kPrinting = 4, kCatering = 5;

Profile Company(uint32_t key, std::vector<TagId> offers, std::vector<TagId> needs,
                uint32_t network = kNetwork) {
  Profile p;
  p.key = key;
  p.networks = {network};
  p.location = {.latitude = 47.9f, .longitude = -2.4f, .known = true};
  for (TagId t : offers)
    p.offers.push_back({.id = t, .type = DeclarationType::kBusiness, .tags = {t}});
  for (TagId t : needs)
    p.needs.push_back({.id = t, .type = DeclarationType::kBusiness, .tags = {t}});
  p.update_unix = kNow;
  return p;
}

TEST(ExchangeCyclesTest, FindsTheThreeWayTradeNoPairShows) {
  PartnerIndex index;
  index.Upsert(Company(1, {kTimber}, {kAccounting}));                 // sawmill
  index.Upsert(Company(2, {kAccounting}, {kWebsite}));                // accountant
  index.Upsert(Company(3, {kWebsite}, {kTimber}));                    // web agency building a cabin
  index.Upsert(Company(4, {kPrinting}, {kCatering}));                 // a pair...
  index.Upsert(Company(5, {kCatering}, {kPrinting}));                 // ...trading both ways
  index.Upsert(Company(6, {kAccounting}, {kWebsite}, kNetwork + 1));  // another network
  ExchangeCycles found = FindExchangeCycles(index, kNetwork, {}, {}, kNow);
  ASSERT_EQ(found.cycles.size(), 2u);
  EXPECT_FALSE(found.truncated);
  // Equal strength: the shorter first.
  EXPECT_THAT(found.cycles[0].members, ElementsAre(4u, 5u));
  EXPECT_THAT(found.cycles[1].members, ElementsAre(1u, 3u, 2u));
  // The sawmill's timber goes to the agency, whose website goes to the accountant, whose
  // accounting goes to the sawmill.
  const ExchangeCycle& three = found.cycles[1];
  ASSERT_EQ(three.links.size(), 3u);
  EXPECT_THAT(three.links[0].shared_tags, ElementsAre(kTimber));
  EXPECT_THAT(three.links[1].shared_tags, ElementsAre(kWebsite));
  EXPECT_THAT(three.links[2].shared_tags, ElementsAre(kAccounting));
  EXPECT_FLOAT_EQ(three.strength, 1);
  // Pairs only: the three-way trade is out of reach.
  found = FindExchangeCycles(index, kNetwork, {.max_length = 2}, {}, kNow);
  ASSERT_EQ(found.cycles.size(), 1u);
  EXPECT_THAT(FindExchangeCycles(index, kNetwork, {.limit = 0}, {}, kNow).cycles, IsEmpty());
}

TEST(ExchangeCyclesTest, AConfidentialOrExpiredNeedBreaksTheChain) {
  PartnerIndex index;
  index.Upsert(Company(1, {kTimber}, {kAccounting}));
  index.Upsert(Company(2, {kAccounting}, {kWebsite}));
  Profile agency = Company(3, {kWebsite}, {kTimber});
  agency.needs[0].confidential = true;
  index.Upsert(agency);
  EXPECT_THAT(FindExchangeCycles(index, kNetwork, {}, {}, kNow).cycles, IsEmpty());
  agency.needs[0].confidential = false;
  agency.needs[0].expire_unix = kNow - 1;
  index.Upsert(agency);
  EXPECT_THAT(FindExchangeCycles(index, kNetwork, {}, {}, kNow).cycles, IsEmpty());
  agency.needs[0].expire_unix = 0;
  index.Upsert(agency);
  EXPECT_EQ(FindExchangeCycles(index, kNetwork, {}, {}, kNow).cycles.size(), 1u);
}

}  // namespace
}  // namespace maillage::matching
