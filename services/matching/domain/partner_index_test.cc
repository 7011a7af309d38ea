// The index ranks exactly as scoring every profile does, faster; scope, exclusions and
// updates hold.
#include "services/matching/domain/partner_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

namespace maillage::matching {
namespace {

constexpr int64_t kNow = 1'800'000'000;

// `n` companies over 3 networks, 60 tags with a few popular ones, around Rennes.
// With `country`, around 12 towns across France instead (the ranking then stops rings early).
PartnerIndex RandomIndex(int n, uint32_t seed, bool country = false) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> lat(43.5f, 50.5f), lon(-4.0f, 7.0f);
  std::vector<std::pair<float, float>> towns;
  for (int t = 0; t < 12; ++t) towns.emplace_back(lat(rng), lon(rng));
  std::uniform_real_distribution<float> km(-40, 40);
  auto tag = [&]() -> TagId {
    const unsigned r = rng() % 100;
    return static_cast<TagId>(r < 40 ? r % 5 : r % 60);  // 40 % of picks among 5 tags
  };
  auto declarations = [&](int count) {
    std::vector<Declaration> out;
    for (int i = 0; i < count; ++i) {
      Declaration d;
      d.id = static_cast<uint32_t>(i);
      d.type = static_cast<DeclarationType>(1 + rng() % 3);
      for (int t = 0; t < 1 + static_cast<int>(rng() % 3); ++t) d.tags.push_back(tag());
      std::sort(d.tags.begin(), d.tags.end());
      d.tags.erase(std::unique(d.tags.begin(), d.tags.end()), d.tags.end());
      if (rng() % 10 == 0) d.expire_unix = kNow - 1;
      d.confidential = rng() % 8 == 0;
      out.push_back(std::move(d));
    }
    return out;
  };
  PartnerIndex index;
  for (int i = 0; i < n; ++i) {
    Profile p;
    p.key = static_cast<uint32_t>(i);
    p.nace_division = static_cast<uint8_t>(40 + rng() % 6);
    p.nace_section = 'F';
    const auto [town_lat, town_lon] =
        country ? towns[rng() % towns.size()] : std::pair<float, float>{48.11f, -1.68f};
    p.location = {
        .latitude = town_lat + km(rng) / 111, .longitude = town_lon + km(rng) / 74, .known = true};
    if (rng() % 50 == 0) p.location = {};  // a few without an address
    p.networks = {static_cast<uint32_t>(rng() % 3)};
    if (rng() % 4 == 0) p.networks.push_back(3);
    p.offers = declarations(static_cast<int>(rng() % 3));
    p.needs = declarations(static_cast<int>(rng() % 3));
    p.update_unix = kNow - static_cast<int64_t>(rng() % (400 * 86400));
    index.Upsert(std::move(p));
  }
  return index;
}

void ExpectSameRanking(const std::vector<PairScore>& a, const std::vector<PairScore>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].candidate, b[i].candidate) << "rank " << i;
    EXPECT_DOUBLE_EQ(a[i].score, b[i].score) << "rank " << i;
  }
}

TEST(PartnerIndexTest, RanksExactlyAsScoringEveryProfile) {
  PartnerIndex index = RandomIndex(3000, 42);
  ASSERT_EQ(index.size(), 3000u);
  const ScoreSettings settings;
  int compared = 0;
  for (uint32_t member = 0; member < 3000; member += 37) {
    const SuggestQuery q{.member = member, .k = 20};
    std::vector<PairScore> fast = index.Suggest(q, settings, kNow);
    ExpectSameRanking(fast, index.SuggestByScan(q, settings, kNow));
    compared += !fast.empty();
  }
  EXPECT_GT(compared, 50);
}

// Across the country, the search stops its rings early: still the scan's ranking, for members
// anywhere, with or without an address, in their networks or all of them.
TEST(PartnerIndexTest, RanksExactlyAsScoringEveryProfileAcrossTheCountry) {
  PartnerIndex index = RandomIndex(5000, 11, /*country=*/true);
  const ScoreSettings settings;
  for (uint32_t member = 0; member < 5000; member += 23) {
    for (std::vector<uint32_t> scope :
         {std::vector<uint32_t>{}, std::vector<uint32_t>{0, 1, 2, 3}}) {
      for (int k : {1, 20}) {
        const SuggestQuery q{.member = member, .scope = scope, .k = k};
        ExpectSameRanking(index.Suggest(q, settings, kNow), index.SuggestByScan(q, settings, kNow));
      }
    }
  }
}

TEST(PartnerIndexTest, ScopeExclusionsAndDistanceLimitWhoIsSuggested) {
  PartnerIndex index = RandomIndex(2000, 7);
  const ScoreSettings settings;
  uint32_t member = 0;
  while (index.Suggest({.member = member, .k = 50}, settings, kNow).size() < 10) ++member;
  const Profile& me = *index.Find(member);
  for (const PairScore& s :
       index.Suggest({.member = member, .scope = {me.networks[0]}, .k = 50}, settings, kNow)) {
    const auto& nets = index.Find(s.candidate)->networks;
    EXPECT_TRUE(std::find(nets.begin(), nets.end(), me.networks[0]) != nets.end());
  }
  std::vector<PairScore> all = index.Suggest({.member = member, .k = 50}, settings, kNow);
  const uint32_t blocked = all[0].candidate;
  std::vector<PairScore> without = index.Suggest(
      {.member = member, .k = 50, .excluded = [&](uint32_t c) { return c == blocked; }}, settings,
      kNow);
  for (const PairScore& s : without) EXPECT_NE(s.candidate, blocked);
  for (const PairScore& s :
       index.Suggest({.member = member, .k = 50, .max_distance_km = 10}, settings, kNow)) {
    EXPECT_LE(s.distance_km, 10);
  }
  // Sorted best first, at most k.
  EXPECT_LE(all.size(), 50u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_GE(all[i - 1].score, all[i].score);
  EXPECT_TRUE(index.Suggest({.member = 99999}, settings, kNow).empty());
}

TEST(PartnerIndexTest, UpdatesAndRemovalsAreSeenAtOnce) {
  PartnerIndex index = RandomIndex(500, 3);
  const ScoreSettings settings;
  uint32_t member = 0;
  while (index.Suggest({.member = member}, settings, kNow).empty()) ++member;
  const uint32_t first = index.Suggest({.member = member}, settings, kNow)[0].candidate;
  index.Remove(first);
  EXPECT_EQ(index.Find(first), nullptr);
  for (const PairScore& s : index.Suggest({.member = member}, settings, kNow)) {
    EXPECT_NE(s.candidate, first);
  }
  // A new profile offering exactly what the member needs, next door, in its network.
  Profile newcomer = *index.Find(member);
  newcomer.key = 100000;
  newcomer.nace_division = 99;
  std::swap(newcomer.offers, newcomer.needs);
  for (auto* list : {&newcomer.offers, &newcomer.needs}) {
    for (Declaration& d : *list) {
      d.expire_unix = 0;
      d.confidential = false;
    }
  }
  index.Upsert(newcomer);
  EXPECT_EQ(index.Suggest({.member = member}, settings, kNow)[0].candidate, 100000u);
  ExpectSameRanking(index.Suggest({.member = member}, settings, kNow),
                    index.SuggestByScan({.member = member}, settings, kNow));
  // Replaced with nothing to offer or need: gone from the suggestions.
  newcomer.offers.clear();
  newcomer.needs.clear();
  index.Upsert(newcomer);
  for (const PairScore& s : index.Suggest({.member = member}, settings, kNow)) {
    EXPECT_NE(s.candidate, 100000u);
  }
  EXPECT_GT(index.MemoryBytes(), 0u);
}

}  // namespace
}  // namespace maillage::matching
