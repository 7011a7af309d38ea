#include "common/ids/canonical_ids.h"

#include <gtest/gtest.h>

#include "maillage/auth/v1/principal.pb.h"

namespace maillage {
namespace {

constexpr char kUpper[] = "0F8FAD5B-D9CB-469F-A165-70867728950E";
constexpr char kLower[] = "0f8fad5b-d9cb-469f-a165-70867728950e";

TEST(CanonicalIdsTest, RecognisesUuidsInAnyCase) {
  EXPECT_TRUE(IsUuid(kUpper));
  EXPECT_TRUE(IsUuid(kLower));
  EXPECT_TRUE(IsCanonicalUuid(kLower));
  EXPECT_FALSE(IsCanonicalUuid(kUpper));
  EXPECT_FALSE(IsUuid("0f8fad5bd9cb469fa16570867728950e"));        // no hyphens
  EXPECT_FALSE(IsUuid("{0f8fad5b-d9cb-469f-a165-70867728950e}"));  // braces
  EXPECT_FALSE(IsUuid("0f8fad5b-d9cb-469f-a165-70867728950g"));
  EXPECT_FALSE(IsUuid(""));
}

TEST(CanonicalIdsTest, LowerCasesIdFieldsAtEveryDepth) {
  auth::v1::Principal p;
  p.set_organisation_id(kUpper);
  p.add_grants()->set_network_id("0F8FAD5B-D9CB-469F-A165-70867728950E");
  p.add_grants()->set_network_id(kLower);
  EXPECT_EQ(CanonicaliseIds(&p), 2);
  EXPECT_EQ(p.organisation_id(), kLower);
  EXPECT_EQ(p.grants(0).network_id(), kLower);
  EXPECT_EQ(p.grants(1).network_id(), kLower);
  EXPECT_EQ(CanonicaliseIds(&p), 0);  // idempotent
}

TEST(CanonicalIdsTest, LeavesOtherFieldsAndNonUuidsForValidation) {
  auth::v1::Principal p;
  p.set_subject(kUpper);  // not named as an id: untouched
  p.set_organisation_id("NOT-A-UUID");
  EXPECT_EQ(CanonicaliseIds(&p), 0);
  EXPECT_EQ(p.subject(), kUpper);
  EXPECT_EQ(p.organisation_id(), "NOT-A-UUID");
}

}  // namespace
}  // namespace maillage
