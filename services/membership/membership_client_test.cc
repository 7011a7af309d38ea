// Membership called through the service-to-service client (common/client), as assessment,
// matching and reporting will call it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <string>

#include "common/client/client.h"
#include "services/membership/membership_harness.h"
#include "services/membership/membership_test_data.h"
#include "tests/support/grpc_status.h"

namespace maillage::membership {
namespace {

using ::maillage::testing::Ok;
using Stub = ::maillage::membership::v1::MembershipService::Stub;

class MembershipClientTest : public ::testing::Test {
 protected:
  void Start(HarnessOptions options = {}) {
    absl::Status s = h_.Start(options);
    ASSERT_TRUE(s.ok()) << s;
  }

  ServiceClient Client(ClientOptions options) {
    options.address = h_.address();
    options.hmac_key = kTestHmacKey;
    absl::StatusOr<ServiceClient> client = ServiceClient::Create(std::move(options));
    EXPECT_TRUE(client.ok()) << client.status();
    return *std::move(client);
  }

  v1::Organisation Company(const std::string& name) {
    v1::CreateOrganisationRequest req;
    v1::Organisation* o = req.mutable_organisation();
    o->set_legal_name(name);
    o->set_kind(v1::ORGANISATION_KIND_COMPANY);
    std::string siren = TestSiren("7", next_siren_++);
    o->set_siren(siren);
    o->set_naf_code("62.01Z");
    v1::Establishment* e = o->add_establishments();
    e->set_siret(HeadOfficeSiret(siren));
    e->set_head_office(true);
    e->mutable_address()->set_city("Bordeaux");
    e->mutable_address()->set_commune_code("33063");
    v1::Organisation out;
    EXPECT_TRUE(Ok(h_.Call(&Stub::CreateOrganisation, h_.Admin(), req, &out)));
    return out;
  }

  MembershipHarness h_;
  int next_siren_ = 1;
};

TEST_F(MembershipClientTest, TheCalleeSeesTheCallersOrganisationUnderAFreshShortPrincipal) {
  Start();
  v1::Organisation org = Company("Atelier Garonne");
  v1::Organisation other = Company("Studio Médoc");
  ServiceClient client = Client({});
  auto stub = v1::MembershipService::NewStub(client.channel());

  // What the gateway handed the calling service: a session-long principal, which membership
  // would refuse as it is (longer than its 5-minute maximum).
  auth::Principal caller;
  caller.set_subject("person-of-atelier");
  caller.set_organisation_id(org.organisation_id());
  caller = auth::Stamp(caller, absl::Now(), absl::Hours(8));

  v1::GetOrganisationRequest req;
  req.set_organisation_id(org.organisation_id());
  v1::Organisation got;
  absl::Status s = client.Call(stub.get(), &Stub::GetOrganisation, caller, req, &got);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(got.legal_name(), "Atelier Garonne");
  // The same caller may not see an organisation it does not act for.
  req.set_organisation_id(other.organisation_id());
  EXPECT_EQ(client.Call(stub.get(), &Stub::GetOrganisation, caller, req, &got).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(MembershipClientTest, APrincipalForAnotherAudienceIsRefused) {
  Start();
  v1::Organisation org = Company("Atelier Garonne");
  ServiceClient client = Client({.audience = "another-deployment"});
  auto stub = v1::MembershipService::NewStub(client.channel());
  v1::GetOrganisationRequest req;
  req.set_organisation_id(org.organisation_id());
  v1::Organisation got;
  EXPECT_EQ(client.Call(stub.get(), &Stub::GetOrganisation, h_.Admin(), req, &got).code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(MembershipClientTest, ACallePastTheClientsDeadlineIsDeadlineExceeded) {
  Start({.workers = 1});
  v1::Organisation org = Company("Atelier Garonne");
  // The only worker is busy until the call has given up.
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  ASSERT_TRUE(h_.workers()->TrySubmit([gate] { gate.wait(); }));

  ServiceClient client = Client({.deadline = absl::Milliseconds(200)});
  auto stub = v1::MembershipService::NewStub(client.channel());
  v1::GetOrganisationRequest req;
  req.set_organisation_id(org.organisation_id());
  v1::Organisation got;
  absl::Status s = client.Call(stub.get(), &Stub::GetOrganisation, h_.Admin(), req, &got);
  release.set_value();
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
}

TEST(ServiceClientTest, RefusesAShortKeyNamingTheField) {
  absl::StatusOr<ServiceClient> client =
      ServiceClient::Create({.address = "127.0.0.1:1", .hmac_key = "short"});
  EXPECT_EQ(client.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(client.status().message()), ::testing::StartsWith("hmac_key: "));
}

}  // namespace
}  // namespace maillage::membership
