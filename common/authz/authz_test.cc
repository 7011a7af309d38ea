#include "common/authz/authz.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "maillage/testing/v1/echo.pb.h"

namespace maillage::authz {
namespace {

using ::maillage::auth::v1::NETWORK_ROLE_ANIMATOR;
using ::maillage::auth::v1::NETWORK_ROLE_BOARD;
using ::maillage::auth::v1::NETWORK_ROLE_MEMBER;
using ::maillage::testing::v1::EchoRequest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kNetwork[] = "0b7c3a52-6f7e-4c1e-9a53-2f4b8d1e9c10";
constexpr char kOtherNetwork[] = "5d2e4f60-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
constexpr char kOrganisation[] = "6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01";
constexpr char kPerson[] = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

auth::Principal Member(const std::string& network, auth::NetworkRole role) {
  auth::Principal p;
  p.set_subject(kPerson);
  auth::v1::NetworkGrant* g = p.add_grants();
  g->set_network_id(network);
  g->set_role(role);
  return p;
}

EchoRequest Asking(const std::string& id) {
  EchoRequest req;
  req.set_message(id);
  return req;
}

// A table over the echo service whose request names the resource in `message`.
Table EchoTable(std::vector<Grant> grants, std::function<Resource(const EchoRequest&)> read) {
  return Table("maillage.testing.v1.EchoService",
               {{.rpc = "Echo",
                 .grants = std::move(grants),
                 .resource = From<EchoRequest>(std::move(read)),
                 .denial = "echo is for the network's animators"}});
}

Resource NetworkOf(const EchoRequest& r) { return {.network_id = r.message()}; }

TEST(AuthzTest, ARoleInTheResourcesNetworkLetsIn) {
  Table t = EchoTable({RoleIn({NETWORK_ROLE_ANIMATOR, NETWORK_ROLE_BOARD})}, NetworkOf);
  EXPECT_TRUE(t.Check("Echo", Member(kNetwork, NETWORK_ROLE_ANIMATOR), Asking(kNetwork)).ok());
  EXPECT_TRUE(t.Check("Echo", Member(kNetwork, NETWORK_ROLE_BOARD), Asking(kNetwork)).ok());
  absl::Status member = t.Check("Echo", Member(kNetwork, NETWORK_ROLE_MEMBER), Asking(kNetwork));
  EXPECT_EQ(member.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(member.message(), "not allowed: echo is for the network's animators");
  // The role is held in another network than the resource's.
  EXPECT_EQ(t.Check("Echo", Member(kOtherNetwork, NETWORK_ROLE_ANIMATOR), Asking(kNetwork)).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(AuthzTest, AnyRoleMeansMembershipOfTheNetwork) {
  Table t = EchoTable({AnyRoleIn()}, NetworkOf);
  EXPECT_TRUE(t.Check("Echo", Member(kNetwork, NETWORK_ROLE_MEMBER), Asking(kNetwork)).ok());
  EXPECT_FALSE(t.Check("Echo", Member(kOtherNetwork, NETWORK_ROLE_MEMBER), Asking(kNetwork)).ok());
  // No network in the request: no role matches it.
  EXPECT_FALSE(t.Check("Echo", Member("", NETWORK_ROLE_MEMBER), Asking("")).ok());
}

TEST(AuthzTest, RepresentativeAndSelf) {
  Table reps = EchoTable({Representative()}, [](const EchoRequest& r) {
    return Resource{.organisation_id = r.message()};
  });
  auth::Principal rep;
  rep.set_subject(kPerson);
  rep.set_organisation_id(kOrganisation);
  EXPECT_TRUE(reps.Check("Echo", rep, Asking(kOrganisation)).ok());
  EXPECT_FALSE(reps.Check("Echo", rep, Asking(kNetwork)).ok());
  EXPECT_FALSE(reps.Check("Echo", auth::Principal(), Asking("")).ok());

  Table self =
      EchoTable({Self()}, [](const EchoRequest& r) { return Resource{.person_id = r.message()}; });
  EXPECT_TRUE(self.Check("Echo", rep, Asking(kPerson)).ok());
  EXPECT_FALSE(self.Check("Echo", rep, Asking(kOrganisation)).ok());

  // Both at once: the organisation's representative, in their own name.
  Table both = EchoTable({RepresentativeSelf()}, [](const EchoRequest& r) {
    return Resource{.organisation_id = kOrganisation, .person_id = r.message()};
  });
  EXPECT_TRUE(both.Check("Echo", rep, Asking(kPerson)).ok());
  EXPECT_FALSE(both.Check("Echo", rep, Asking(kOrganisation)).ok());
  auth::Principal colleague = rep;
  colleague.set_organisation_id(kNetwork);
  EXPECT_FALSE(both.Check("Echo", colleague, Asking(kPerson)).ok());
}

TEST(AuthzTest, AnyGrantOfTheRowSuffices) {
  Table t =
      EchoTable({Representative(), RoleIn({NETWORK_ROLE_ANIMATOR})}, [](const EchoRequest& r) {
        return Resource{.network_id = kNetwork, .organisation_id = r.message()};
      });
  EXPECT_TRUE(t.Check("Echo", Member(kNetwork, NETWORK_ROLE_ANIMATOR), Asking(kOrganisation)).ok());
  auth::Principal rep;
  rep.set_organisation_id(kOrganisation);
  EXPECT_TRUE(t.Check("Echo", rep, Asking(kOrganisation)).ok());
  EXPECT_FALSE(t.Check("Echo", Member(kNetwork, NETWORK_ROLE_MEMBER), Asking(kOrganisation)).ok());
}

TEST(AuthzTest, PlatformAdminsPassEveryRowOnceTheResourceResolves) {
  bool resolved = false;
  Table t("maillage.testing.v1.EchoService",
          {{.rpc = "Echo",
            .grants = {},
            .resource = [&](const google::protobuf::Message&,
                            const auth::Principal&) -> absl::StatusOr<Resource> {
              resolved = true;
              return Resource{};
            },
            .denial = ""}});
  auth::Principal admin;
  admin.set_platform_admin(true);
  EXPECT_TRUE(t.Check("Echo", admin, Asking("")).ok());
  EXPECT_TRUE(resolved);
  absl::Status s = t.Check("Echo", Member(kNetwork, NETWORK_ROLE_ANIMATOR), Asking(""));
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "not allowed: platform admins only");
}

TEST(AuthzTest, AResolverErrorIsTheAnswer) {
  Table t("maillage.testing.v1.EchoService",
          {{.rpc = "Echo",
            .grants = {AnyRoleIn()},
            .resource = [](const google::protobuf::Message&, const auth::Principal&)
                -> absl::StatusOr<Resource> { return absl::NotFoundError("membership not found"); },
            .denial = "members only"}});
  EXPECT_EQ(t.Check("Echo", Member(kNetwork, NETWORK_ROLE_MEMBER), Asking("")),
            absl::NotFoundError("membership not found"));
  auth::Principal admin;
  admin.set_platform_admin(true);
  EXPECT_EQ(t.Check("Echo", admin, Asking("")), absl::NotFoundError("membership not found"));
}

TEST(AuthzTest, AHidingRowAnswersNotFound) {
  Table t("maillage.testing.v1.EchoService", {{.rpc = "Echo",
                                               .grants = {Self()},
                                               .resource = From<EchoRequest>([](const auto& r) {
                                                 return Resource{.person_id = r.message()};
                                               }),
                                               .denial = "person not found",
                                               .hide = true}});
  EXPECT_EQ(t.Check("Echo", auth::Principal(), Asking(kPerson)),
            absl::NotFoundError("person not found"));
}

TEST(AuthzTest, AnAuthenticatedRowNeedsNoResource) {
  Table t("maillage.testing.v1.EchoService", {{.rpc = "Echo", .grants = {Authenticated()}}});
  EXPECT_TRUE(t.Check("Echo", auth::Principal(), Asking("")).ok());
}

TEST(AuthzTest, AnRpcWithoutARowIsRefused) {
  Table t = EchoTable({Authenticated()}, NetworkOf);
  absl::Status s = t.Check("Shout", Member(kNetwork, NETWORK_ROLE_ANIMATOR), Asking(kNetwork));
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("Shout has no rule"));
}

TEST(AuthzTest, ARuleOnAnotherRequestTypeIsAnInternalError) {
  Table t = EchoTable({AnyRoleIn()}, NetworkOf);
  auth::Principal other;
  EXPECT_EQ(t.Check("Echo", Member(kNetwork, NETWORK_ROLE_MEMBER), other).code(),
            absl::StatusCode::kInternal);
}

TEST(AuthzTest, CoverageFindsMissingDuplicateAndUnknownRows) {
  const google::protobuf::ServiceDescriptor& echo =
      *EchoRequest::descriptor()->file()->FindServiceByName("EchoService");
  EXPECT_TRUE(CoverageProblems(EchoTable({Authenticated()}, NetworkOf), echo).empty());
  EXPECT_THAT(CoverageProblems(Table("e", {}), echo), ElementsAre("Echo: 0 rows"));
  EXPECT_THAT(
      CoverageProblems(Table("e", {{.rpc = "Echo"}, {.rpc = "Echo"}, {.rpc = "Shout"}}), echo),
      ElementsAre("Echo: 2 rows", "Shout: no such RPC in maillage.testing.v1.EchoService"));
}

}  // namespace
}  // namespace maillage::authz
