// The public/private balance an animator shows the board, and its ceiling warning.
#include "services/reporting/domain/funding.h"

#include <gtest/gtest.h>

namespace maillage::reporting {
namespace {

TEST(FundingTest, PublicBodiesArePublicAndMembersSponsorsAndSalesPrivate) {
  for (v1::FundingSourceKind k :
       {v1::FUNDING_SOURCE_KIND_REGION, v1::FUNDING_SOURCE_KIND_INTERCOMMUNALITY,
        v1::FUNDING_SOURCE_KIND_STATE, v1::FUNDING_SOURCE_KIND_EU_ERDF,
        v1::FUNDING_SOURCE_KIND_EU_LEADER, v1::FUNDING_SOURCE_KIND_CHAMBER}) {
    EXPECT_TRUE(IsPublicFunding(k)) << v1::FundingSourceKind_Name(k);
  }
  for (v1::FundingSourceKind k :
       {v1::FUNDING_SOURCE_KIND_MEMBER_CONTRIBUTIONS, v1::FUNDING_SOURCE_KIND_SPONSOR,
        v1::FUNDING_SOURCE_KIND_SALES, v1::FUNDING_SOURCE_KIND_UNSPECIFIED}) {
    EXPECT_FALSE(IsPublicFunding(k)) << v1::FundingSourceKind_Name(k);
  }
}

TEST(FundingTest, TheShareIsPublicMoneyOverAllMoney) {
  FundingMix mix;
  EXPECT_EQ(mix.public_share(), 0.0);
  mix.Add(v1::FUNDING_SOURCE_KIND_REGION, 40'000'00);
  mix.Add(v1::FUNDING_SOURCE_KIND_EU_LEADER, 20'000'00);
  mix.Add(v1::FUNDING_SOURCE_KIND_MEMBER_CONTRIBUTIONS, 30'000'00);
  mix.Add(v1::FUNDING_SOURCE_KIND_SPONSOR, 10'000'00);
  EXPECT_EQ(mix.public_cents(), 60'000'00);
  EXPECT_EQ(mix.private_cents(), 40'000'00);
  EXPECT_DOUBLE_EQ(mix.public_share(), 0.6);
}

TEST(FundingTest, ExactlyAtTheCeilingIsNotAboveIt) {
  FundingMix mix;
  mix.Add(v1::FUNDING_SOURCE_KIND_REGION, 80);
  mix.Add(v1::FUNDING_SOURCE_KIND_SALES, 20);
  EXPECT_FALSE(mix.AboveCeiling(0.8));
  mix.Add(v1::FUNDING_SOURCE_KIND_STATE, 1);
  EXPECT_TRUE(mix.AboveCeiling(0.8));
  EXPECT_FALSE(FundingMix().AboveCeiling(0.8)) << "nothing funded warns of nothing";
}

TEST(FundingTest, LargeSumsDoNotOverflow) {
  FundingMix mix;
  for (int i = 0; i < 50'000; ++i) mix.Add(v1::FUNDING_SOURCE_KIND_EU_ERDF, kMaxAmountCents);
  mix.Add(v1::FUNDING_SOURCE_KIND_SALES, 1);
  EXPECT_TRUE(mix.AboveCeiling(0.999999));
  EXPECT_FALSE(mix.AboveCeiling(1.0));
}

}  // namespace
}  // namespace maillage::reporting
