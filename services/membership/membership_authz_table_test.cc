// The membership authorisation table on its own, with fake hooks: it covers the service, and
// a few rows that need database state say what the handlers said. The matrix test
// (membership_authz_test.cc) checks the whole service against the expectations.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "services/membership/membership_authz.h"
#include "services/membership/service_internal.h"

namespace maillage::membership {
namespace {

using ::maillage::auth::v1::NETWORK_ROLE_ANIMATOR;
using ::maillage::auth::v1::NETWORK_ROLE_MEMBER;

constexpr char kNetwork[] = "0b7c3a52-6f7e-4c1e-9a53-2f4b8d1e9c10";
constexpr char kOrganisation[] = "6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01";
constexpr char kPerson[] = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
constexpr char kMembership[] = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";

const google::protobuf::ServiceDescriptor& Service() {
  return *v1::GetOrganisationRequest::descriptor()->file()->FindServiceByName("MembershipService");
}

authz::Table Table() {
  return MembershipAuthzTable({
      .visible_membership = [](const auth::Principal& who,
                               const std::string& id) -> absl::StatusOr<v1::Membership> {
        v1::Membership m;
        m.set_membership_id(id);
        m.set_network_id(kNetwork);
        m.set_organisation_id(kOrganisation);
        if (!auth::InNetwork(who, kNetwork) && !auth::ActsFor(who, kOrganisation)) {
          return absl::NotFoundError("membership not found");
        }
        return m;
      },
      .networks_of = [](const std::string&) -> absl::StatusOr<std::vector<std::string>> {
        return std::vector<std::string>{kNetwork};
      },
      .organisations_represented_by =
          [](const std::string&) -> absl::StatusOr<std::vector<std::string>> {
        return std::vector<std::string>{kOrganisation};
      },
  });
}

auth::Principal In(auth::NetworkRole role) {
  auth::Principal p;
  p.set_subject("2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901");
  auth::v1::NetworkGrant* g = p.add_grants();
  g->set_network_id(kNetwork);
  g->set_role(role);
  return p;
}

auth::Principal Representing(const std::string& subject) {
  auth::Principal p;
  p.set_subject(subject);
  p.set_organisation_id(kOrganisation);
  return p;
}

TEST(MembershipAuthzTableTest, EveryRpcOfTheServiceHasExactlyOneRow) {
  EXPECT_THAT(authz::CoverageProblems(Table(), Service()), ::testing::IsEmpty());
  EXPECT_EQ(Table().service(), Service().full_name());
}

// Serve finds the row by the request's type, so no two RPCs may share one.
TEST(MembershipAuthzTableTest, EachRequestTypeNamesItsRpc) {
  std::set<const google::protobuf::Descriptor*> inputs;
  for (int i = 0; i < Service().method_count(); ++i) {
    const google::protobuf::MethodDescriptor& m = *Service().method(i);
    EXPECT_TRUE(inputs.insert(m.input_type()).second) << m.name();
    EXPECT_EQ(authz::RpcTaking(v1::MembershipService::service_full_name(), *m.input_type()),
              m.name());
  }
  EXPECT_EQ(
      authz::RpcTaking(v1::MembershipService::service_full_name(), *v1::Organisation::descriptor()),
      "");
}

TEST(MembershipAuthzTableTest, AnimatorsManageMembershipsTheyCanSee) {
  v1::ApproveMembershipRequest req;
  req.set_membership_id(kMembership);
  EXPECT_TRUE(Table().Check("ApproveMembership", In(NETWORK_ROLE_ANIMATOR), req).ok());
  EXPECT_EQ(Table().Check("ApproveMembership", In(NETWORK_ROLE_MEMBER), req).code(),
            absl::StatusCode::kPermissionDenied);
  // The organisation sees its membership but does not approve it.
  EXPECT_EQ(Table().Check("ApproveMembership", Representing(kPerson), req).code(),
            absl::StatusCode::kPermissionDenied);
  // Outside the network the membership does not exist.
  EXPECT_EQ(Table().Check("ApproveMembership", auth::Principal(), req).code(),
            absl::StatusCode::kNotFound);
}

TEST(MembershipAuthzTableTest, TheCharterIsSignedByARepresentativeInTheirOwnName) {
  v1::SignCharterRequest req;
  req.set_membership_id(kMembership);
  req.set_person_id(kPerson);
  req.set_charter_version(1);
  EXPECT_TRUE(Table().Check("SignCharter", Representing(kPerson), req).ok());
  EXPECT_EQ(Table()
                .Check("SignCharter", Representing("3c4d5e6f-7081-4293-a4b5-c6d7e8f90a12"), req)
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Table().Check("SignCharter", In(NETWORK_ROLE_ANIMATOR), req).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(MembershipAuthzTableTest, APersonIsHiddenFromWhoeverMayNotSeeThem) {
  v1::GetPersonRequest req;
  req.set_person_id(kPerson);
  EXPECT_TRUE(Table().Check("GetPerson", Representing(kPerson), req).ok());      // themself
  EXPECT_TRUE(Table().Check("GetPerson", Representing("x"), req).ok());          // colleague
  EXPECT_TRUE(Table().Check("GetPerson", In(NETWORK_ROLE_ANIMATOR), req).ok());  // animator
  EXPECT_EQ(Table().Check("GetPerson", In(NETWORK_ROLE_MEMBER), req).code(),
            absl::StatusCode::kNotFound);
}

TEST(MembershipAuthzTableTest, AMembershipListNeedsTheNetworkOrTheOrganisation) {
  v1::ListMembershipsRequest req;
  req.set_network_id(kNetwork);
  req.set_organisation_id(kOrganisation);
  EXPECT_TRUE(Table().Check("ListMemberships", In(NETWORK_ROLE_MEMBER), req).ok());
  // Naming a network, the organisation's representatives are not its members.
  EXPECT_EQ(Table().Check("ListMemberships", Representing(kPerson), req).code(),
            absl::StatusCode::kPermissionDenied);
  req.clear_network_id();
  EXPECT_TRUE(Table().Check("ListMemberships", Representing(kPerson), req).ok());
  // A malformed id is bad input, whoever asks.
  req.set_organisation_id("not-an-id");
  EXPECT_EQ(Table().Check("ListMemberships", Representing(kPerson), req).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace maillage::membership
