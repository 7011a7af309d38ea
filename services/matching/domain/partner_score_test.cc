// The score on small cases a person can check by hand.
#include "services/matching/domain/partner_score.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/matching/domain/text.h"

namespace maillage::matching {
namespace {

constexpr int64_t kNow = 1'800'000'000;
constexpr TagId kRoofing = 1, kTimber = 2, kInsulation = 3, kAccounting = 4, kWebsite = 5;
constexpr uint32_t kNetwork = 7;

Declaration Of(DeclarationType type, std::vector<TagId> tags, uint32_t id = 0) {
  Declaration d;
  d.id = id;
  d.type = type;
  d.tags = std::move(tags);
  return d;
}

// A company of NACE `division` (section from it) at a place near Ploërmel, `east_km` east.
Profile Company(uint32_t key, uint8_t division, float east_km, std::vector<Declaration> offers,
                std::vector<Declaration> needs) {
  Profile p;
  p.key = key;
  p.nace_division = division;
  p.nace_section = division == 16 || division == 31 ? 'C' : division == 43 ? 'F' : 'M';
  p.location = {.latitude = 47.93f, .longitude = -2.40f + east_km / 74.6f, .known = true};
  p.networks = {kNetwork};
  p.offers = std::move(offers);
  p.needs = std::move(needs);
  p.update_unix = kNow;
  return p;
}

const ScoreSettings kSettings;

// Of two roofers and one timber supplier, the supplier ranks first for a roofer's needs:
// the other roofer also sells timber, but sells roofing too, in the same division, nearby.
TEST(PartnerScoreTest, OfTwoRoofersAndATimberSupplierTheSupplierRanksFirstForARoofer) {
  const Profile roofer = Company(1, 43, 0, {Of(DeclarationType::kBusiness, {kRoofing})},
                                 {Of(DeclarationType::kBusiness, {kTimber})});
  const Profile other_roofer =
      Company(2, 43, 3, {Of(DeclarationType::kBusiness, {kRoofing, kTimber})}, {});
  const Profile supplier = Company(3, 16, 8, {Of(DeclarationType::kBusiness, {kTimber})}, {});
  std::optional<PairScore> to_supplier = ScorePair(roofer, supplier, kSettings, kNow);
  std::optional<PairScore> to_roofer = ScorePair(roofer, other_roofer, kSettings, kNow);
  ASSERT_TRUE(to_supplier.has_value() && to_roofer.has_value());
  EXPECT_GT(to_supplier->score, to_roofer->score);
  // Why: the other roofer is a competitor (half of what both sell is the same).
  EXPECT_TRUE(to_roofer->same_division);
  EXPECT_DOUBLE_EQ(to_roofer->sold_overlap, 0.5);
  EXPECT_DOUBLE_EQ(to_roofer->competitor_cut, 0.3);
  EXPECT_EQ(to_supplier->competitor_cut, 0);
  EXPECT_FALSE(to_supplier->same_division);
  // The reason names the need and the offer and the tag that meets.
  ASSERT_EQ(to_supplier->matches.size(), 1u);
  EXPECT_TRUE(to_supplier->matches[0].for_member);
  EXPECT_EQ(to_supplier->matches[0].shared_tags, std::vector<TagId>{kTimber});
  EXPECT_EQ(to_supplier->need_fit, 1);
  EXPECT_EQ(to_supplier->complementarity, Complementarity::kVertical);
  EXPECT_NEAR(to_supplier->distance_km, 8, 0.5);
}

TEST(PartnerScoreTest, AFitBothWaysRanksAboveAOneWayFit) {
  const Profile member = Company(1, 43, 0, {Of(DeclarationType::kBusiness, {kInsulation})},
                                 {Of(DeclarationType::kBusiness, {kAccounting})});
  const Profile one_way = Company(2, 69, 5, {Of(DeclarationType::kBusiness, {kAccounting})}, {});
  const Profile two_way = Company(3, 69, 5, {Of(DeclarationType::kBusiness, {kAccounting})},
                                  {Of(DeclarationType::kBusiness, {kInsulation})});
  std::optional<PairScore> a = ScorePair(member, one_way, kSettings, kNow);
  std::optional<PairScore> b = ScorePair(member, two_way, kSettings, kNow);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_GT(b->score, a->score);
  EXPECT_EQ(a->two_way, 0);
  EXPECT_DOUBLE_EQ(b->two_way, kSettings.two_way_bonus);
  EXPECT_EQ(b->offer_fit, 1);
  EXPECT_EQ(b->matches.size(), 2u);
}

TEST(PartnerScoreTest, OnlyADeclarationOfTheSameTypeInReachAndAliveMeetsANeed) {
  const Profile member = Company(1, 43, 0, {}, {Of(DeclarationType::kSubcontracting, {kTimber})});
  // A sale is not subcontracting.
  EXPECT_FALSE(ScorePair(member, Company(2, 16, 5, {Of(DeclarationType::kBusiness, {kTimber})}, {}),
                         kSettings, kNow)
                   .has_value());
  Declaration offer = Of(DeclarationType::kSubcontracting, {kTimber});
  EXPECT_TRUE(ScorePair(member, Company(2, 16, 5, {offer}, {}), kSettings, kNow).has_value());
  // Beyond the offer's reach (20 km, the candidate is 50 km away).
  offer.reach_km = 20;
  EXPECT_FALSE(ScorePair(member, Company(2, 16, 50, {offer}, {}), kSettings, kNow).has_value());
  EXPECT_TRUE(ScorePair(member, Company(2, 16, 10, {offer}, {}), kSettings, kNow).has_value());
  // Expired.
  offer.expire_unix = kNow;
  EXPECT_FALSE(ScorePair(member, Company(2, 16, 10, {offer}, {}), kSettings, kNow).has_value());
}

TEST(PartnerScoreTest, AnotherMembersConfidentialNeedsNeverCount) {
  Declaration secret = Of(DeclarationType::kBusiness, {kWebsite});
  secret.confidential = true;
  const Profile agency = Company(1, 62, 0, {Of(DeclarationType::kBusiness, {kWebsite})}, {});
  const Profile shop = Company(2, 47, 2, {}, {secret});
  // The agency is not told of the shop's confidential need...
  EXPECT_FALSE(ScorePair(agency, shop, kSettings, kNow).has_value());
  // ...but the shop's own suggestions use it.
  std::optional<PairScore> s = ScorePair(shop, agency, kSettings, kNow);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->need_fit, 1);
}

TEST(PartnerScoreTest, WordsFindTheOfferWhenNoTagIsShared) {
  TermStatistics stats;
  const std::vector<std::string> offer_words =
      Terms("Fabrication de charpentes traditionnelles en chêne et douglas");
  const std::vector<std::string> need_words = Terms("Cherche fournisseur de charpente en douglas");
  const std::vector<std::string> other_words = Terms("Comptabilité et paie pour artisans");
  for (const auto* w : {&offer_words, &need_words, &other_words}) stats.AddDocument(*w);
  Declaration offer = Of(DeclarationType::kBusiness, {});
  offer.text = stats.Vector(offer_words);
  Declaration need = Of(DeclarationType::kBusiness, {});
  need.text = stats.Vector(need_words);
  Declaration unrelated = Of(DeclarationType::kBusiness, {});
  unrelated.text = stats.Vector(other_words);
  const Profile member = Company(1, 43, 0, {}, {need});
  std::optional<PairScore> s = ScorePair(member, Company(2, 16, 5, {offer}, {}), kSettings, kNow);
  ASSERT_TRUE(s.has_value());
  EXPECT_GT(s->matches[0].text_similarity, kSettings.min_text_similarity);
  EXPECT_EQ(s->matches[0].tag_coverage, 0);
  EXPECT_FALSE(ScorePair(member, Company(3, 69, 5, {unrelated}, {}), kSettings, kNow).has_value());
}

TEST(PartnerScoreTest, NearerFresherAndCommonGroundRankHigher) {
  const Profile member = Company(1, 43, 0, {}, {Of(DeclarationType::kBusiness, {kTimber})});
  auto score = [&](const Profile& candidate) {
    return ScorePair(member, candidate, kSettings, kNow)->score;
  };
  const std::vector<Declaration> timber = {Of(DeclarationType::kBusiness, {kTimber})};
  EXPECT_GT(score(Company(2, 16, 5, timber, {})), score(Company(2, 16, 60, timber, {})));
  Profile stale = Company(2, 16, 5, timber, {});
  stale.update_unix = kNow - 365 * 86400;
  EXPECT_GT(score(Company(2, 16, 5, timber, {})), score(stale));
  Profile elsewhere = Company(2, 16, 5, timber, {});
  elsewhere.networks = {kNetwork + 1};
  EXPECT_GT(score(Company(2, 16, 5, timber, {})), score(elsewhere));
  // Both signed the charter of the network they share.
  Profile signed_member = member;
  signed_member.charter_networks = {kNetwork};
  Profile signed_candidate = Company(2, 16, 5, timber, {});
  signed_candidate.charter_networks = {kNetwork};
  std::optional<PairScore> s = ScorePair(signed_member, signed_candidate, kSettings, kNow);
  EXPECT_TRUE(s->shares_charter);
  EXPECT_DOUBLE_EQ(s->common_ground, kSettings.shared_network + kSettings.shared_charter);
}

TEST(PartnerScoreTest, NoScoreForOneselfOrForNothingInCommon) {
  const Profile p = Company(1, 43, 0, {Of(DeclarationType::kBusiness, {kRoofing})},
                            {Of(DeclarationType::kBusiness, {kTimber})});
  EXPECT_FALSE(ScorePair(p, p, kSettings, kNow).has_value());
  EXPECT_FALSE(ScorePair(p, Company(2, 62, 1, {Of(DeclarationType::kBusiness, {kWebsite})}, {}),
                         kSettings, kNow)
                   .has_value());
  EXPECT_LT(DistanceKm({}, p.location), 0);
}

}  // namespace
}  // namespace maillage::matching
