// The gateway as its process wires it (gateway_runtime.cc), on the runtime, in front of a real
// membership service: a person signs in with a token of the identity provider and reads over
// HTTP what membership lets them read.
#include "gateway/gateway_runtime.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/testing/harness.h"
#include "gateway/auth/jwt.h"
#include "services/membership/membership_harness.h"

namespace maillage::gateway {
namespace {

namespace v1 = ::maillage::membership::v1;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kIssuer[] = "https://sso.example.fr/realms/maillage";

// One HTTP/1.1 exchange on a fresh connection (Connection: close): the whole response.
std::string HttpExchange(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    (void)send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    char chunk[4096];
    for (ssize_t n; (n = recv(fd, chunk, sizeof(chunk), 0)) > 0;) {
      response.append(chunk, static_cast<size_t>(n));
    }
  }
  close(fd);
  return response;
}

class GatewayRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(membership_.Start().ok());
    absl::StatusOr<JwtSigner> idp = JwtSigner::Generate("idp-1");
    ASSERT_TRUE(idp.ok());
    idp_ = std::make_unique<JwtSigner>(*std::move(idp));
    jwks_file_ = absl::StrCat(::testing::TempDir(), "/jwks-", getpid(), ".json");
    std::ofstream(jwks_file_) << idp_->JwksJson();
  }
  void TearDown() override { std::remove(jwks_file_.c_str()); }

  ConfigReader Config(const std::string& jwks_file) {
    return ConfigReader({{"MAILLAGE_REDIS_ADDRESS",
                          std::string(testing::ServiceHarness::redis_server()->address())},
                         {"MAILLAGE_AUTH_HMAC_KEY", testing::kTestHmacKey},
                         {"MAILLAGE_GRPC_ADDRESS", "127.0.0.1:0"},
                         {"MAILLAGE_METRICS_ADDRESS", "127.0.0.1:0"},
                         {"MAILLAGE_HTTP_ADDRESS", "127.0.0.1:0"},
                         {"MAILLAGE_MEMBERSHIP_ADDRESS", membership_.address()},
                         {"MAILLAGE_OIDC_ISSUER", kIssuer},
                         {"MAILLAGE_OIDC_JWKS_FILE", jwks_file}},
                        {});
  }

  membership::MembershipHarness membership_;
  std::unique_ptr<JwtSigner> idp_;
  std::string jwks_file_;
};

TEST_F(GatewayRuntimeTest, APersonSignsInAndReadsTheirOrganisationOverHttp) {
  v1::CreateOrganisationRequest create;
  create.mutable_organisation()->set_legal_name("Atelier Proche");
  create.mutable_organisation()->set_kind(v1::ORGANISATION_KIND_ASSOCIATION);
  v1::Organisation org;
  ASSERT_TRUE(
      membership_
          .Call(&v1::MembershipService::Stub::CreateOrganisation, membership_.Admin(), create, &org)
          .ok());
  v1::CreatePersonRequest person;
  person.mutable_person()->set_given_name("Claire");
  person.mutable_person()->set_family_name("Martin");
  person.mutable_person()->set_email("claire@atelier-proche.fr");
  v1::Person claire;
  ASSERT_TRUE(
      membership_
          .Call(&v1::MembershipService::Stub::CreatePerson, membership_.Admin(), person, &claire)
          .ok());
  v1::AddRepresentationRequest rep;
  rep.set_organisation_id(org.organisation_id());
  rep.set_person_id(claire.person_id());
  v1::Representation r;
  ASSERT_TRUE(
      membership_
          .Call(&v1::MembershipService::Stub::AddRepresentation, membership_.Admin(), rep, &r)
          .ok());

  ServiceRuntime rt(Definition(), Config(jwks_file_));
  GatewaySettings settings = ReadSettings(rt.config());
  Built built;
  ASSERT_TRUE(rt.Start([&](ServiceRuntime& s) { return Build(s, settings, &built); }).ok());
  ASSERT_NE(built.http, nullptr);

  TokenClaims claims;
  claims.issuer = kIssuer;
  claims.subject = "kc-claire";
  claims.audiences = {"maillage"};
  claims.issued_at = absl::Now();
  claims.expires = absl::Now() + absl::Minutes(5);
  claims.email = "claire@atelier-proche.fr";
  claims.email_verified = true;
  absl::StatusOr<std::string> token = idp_->Sign(claims);
  ASSERT_TRUE(token.ok());

  std::string ok = HttpExchange(
      built.http->port(), absl::StrCat("GET /v1/organisations/", org.organisation_id(),
                                       " HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ", *token,
                                       "\r\nConnection: close\r\n\r\n"));
  EXPECT_THAT(ok, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(ok, HasSubstr(R"("legalName":"Atelier Proche")"));
  EXPECT_THAT(ok, HasSubstr("x-request-id"));

  std::string anonymous = HttpExchange(
      built.http->port(), absl::StrCat("GET /v1/organisations/", org.organisation_id(),
                                       " HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n"));
  EXPECT_THAT(anonymous, StartsWith("HTTP/1.1 401"));
  rt.Stop();
}

TEST_F(GatewayRuntimeTest, AnUnusableKeyFileStopsTheStartNamingIt) {
  ServiceRuntime rt(Definition(), Config("/nonexistent/jwks.json"));
  GatewaySettings settings = ReadSettings(rt.config());
  absl::Status s = rt.Start([&](ServiceRuntime& r) { return Build(r, settings); });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("MAILLAGE_OIDC_JWKS_FILE"));
}

}  // namespace
}  // namespace maillage::gateway
