// End to end, as a partner sees the suite: PostgreSQL, Redis, the services and the gateway run
// as their own processes (the binaries scripts/run starts), and the test only speaks HTTP
// and gRPC to them.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/auth.h"
#include "gateway/auth/jwt.h"
#include "maillage/membership/v1/membership.grpc.pb.h"
#include "maillage/reporting/v1/reporting.grpc.pb.h"
#include "tests/support/child_process.h"
#include "tests/support/http_get.h"
#include "tests/support/postgres_server.h"
#include "tests/support/redis_server.h"

namespace maillage {
namespace {

namespace v1 = ::maillage::membership::v1;
using ::maillage::gateway::JwtSigner;
using ::maillage::gateway::TokenClaims;
using ::maillage::testing::ChildProcess;
using ::maillage::testing::HttpExchange;
using ::maillage::testing::HttpGet;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kHmacKey[] = "e2e-deployment-key-at-least-thirty-two-bytes-long";
constexpr char kIssuer[] = "https://sso.region.example/realms/maillage";

// The status code of an HTTP response ("HTTP/1.0 503 ..." -> 503); 0 for no response.
int StatusOf(const std::string& response) {
  int status = 0;
  if (response.size() > 12) (void)absl::SimpleAtoi(response.substr(9, 3), &status);
  return status;
}

bool Eventually(const std::function<bool()>& done, absl::Duration limit = absl::Seconds(60)) {
  const absl::Time deadline = absl::Now() + limit;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return false;
}

// The processes, once for the suite (starting them is the slow part).
class Suite {
 public:
  absl::Status Start() {
    auto pg = testing::PostgresServer::Start();
    if (!pg.ok()) return pg.status();
    pg_ = *std::move(pg);
    auto db = pg_->CreateDatabase();
    if (!db.ok()) return db.status();
    pg_uri_ = *db;
    auto redis = testing::RedisServer::Start();
    if (!redis.ok()) return redis.status();
    redis_ = *std::move(redis);
    auto dir = testing::MakeTempDir("maillage-e2e", "");
    if (!dir.ok()) return dir.status();
    dir_ = *dir;
    auto idp = JwtSigner::Generate("idp-2026");
    if (!idp.ok()) return idp.status();
    idp_ = std::make_unique<JwtSigner>(*std::move(idp));
    std::ofstream(dir_ + "/jwks.json") << idp_->JwksJson();

    membership_grpc_ = testing::PickFreePort();
    assessment_grpc_ = testing::PickFreePort();
    matching_grpc_ = testing::PickFreePort();
    reporting_grpc_ = testing::PickFreePort();
    gateway_http_ = testing::PickFreePort();
    gateway_grpc_ = testing::PickFreePort();
    if (absl::Status s = StartMembership(); !s.ok()) return s;
    auto assessment_db = pg_->CreateDatabase();
    if (!assessment_db.ok()) return assessment_db.status();
    auto assessment = ChildProcess::Spawn(
        {ASSESSMENT_BINARY, absl::StrCat("--grpc-address=127.0.0.1:", assessment_grpc_),
         "--metrics-address=127.0.0.1:0", absl::StrCat("--pg-uri=", *assessment_db),
         absl::StrCat("--redis-address=", redis_->address()),
         absl::StrCat("--auth-hmac-key=", kHmacKey), "--drain-seconds=1"},
        {.run_as_user = "", .log_file = dir_ + "/assessment.log"});
    if (!assessment.ok()) return assessment.status();
    assessment_ = *std::move(assessment);
    auto matching_db = pg_->CreateDatabase();
    if (!matching_db.ok()) return matching_db.status();
    auto matching = ChildProcess::Spawn(
        {MATCHING_BINARY, absl::StrCat("--grpc-address=127.0.0.1:", matching_grpc_),
         "--metrics-address=127.0.0.1:0", absl::StrCat("--pg-uri=", *matching_db),
         absl::StrCat("--redis-address=", redis_->address()),
         absl::StrCat("--auth-hmac-key=", kHmacKey), "--drain-seconds=1"},
        {.run_as_user = "", .log_file = dir_ + "/matching.log"});
    if (!matching.ok()) return matching.status();
    matching_ = *std::move(matching);
    auto reporting_db = pg_->CreateDatabase();
    if (!reporting_db.ok()) return reporting_db.status();
    auto reporting = ChildProcess::Spawn(
        {REPORTING_BINARY, absl::StrCat("--grpc-address=127.0.0.1:", reporting_grpc_),
         "--metrics-address=127.0.0.1:0", absl::StrCat("--pg-uri=", *reporting_db),
         absl::StrCat("--redis-address=", redis_->address()),
         absl::StrCat("--auth-hmac-key=", kHmacKey), "--drain-seconds=1"},
        {.run_as_user = "", .log_file = dir_ + "/reporting.log"});
    if (!reporting.ok()) return reporting.status();
    reporting_ = *std::move(reporting);
    auto gw = ChildProcess::Spawn(
        {GATEWAY_BINARY, absl::StrCat("--grpc-address=127.0.0.1:", gateway_grpc_),
         "--metrics-address=127.0.0.1:0", absl::StrCat("--http-address=127.0.0.1:", gateway_http_),
         absl::StrCat("--redis-address=", redis_->address()),
         absl::StrCat("--auth-hmac-key=", kHmacKey),
         absl::StrCat("--membership-address=127.0.0.1:", membership_grpc_),
         absl::StrCat("--assessment-address=127.0.0.1:", assessment_grpc_),
         absl::StrCat("--matching-address=127.0.0.1:", matching_grpc_),
         absl::StrCat("--reporting-address=127.0.0.1:", reporting_grpc_),
         absl::StrCat("--oidc-issuer=", kIssuer),
         absl::StrCat("--oidc-jwks-file=", dir_, "/jwks.json"),
         "--rate-limit-reads-per-second=1000", "--rate-limit-read-burst=1000",
         "--rate-limit-writes-per-second=1000", "--rate-limit-write-burst=1000",
         "--call-timeout-seconds=5", "--drain-seconds=1"},
        {.run_as_user = "", .log_file = dir_ + "/gateway.log"});
    if (!gw.ok()) return gw.status();
    gateway_ = *std::move(gw);
    if (!Eventually([&] { return StatusOf(HttpGet(gateway_http_, "/readyz")) == 200; })) {
      return absl::UnavailableError("the gateway did not become ready; see " + dir_ +
                                    "/gateway.log");
    }
    return absl::OkStatus();
  }

  absl::Status StartMembership() {
    auto m = ChildProcess::Spawn(
        {MEMBERSHIP_BINARY, absl::StrCat("--grpc-address=127.0.0.1:", membership_grpc_),
         "--metrics-address=127.0.0.1:0", absl::StrCat("--pg-uri=", pg_uri_),
         absl::StrCat("--redis-address=", redis_->address()),
         absl::StrCat("--auth-hmac-key=", kHmacKey), "--drain-seconds=1"},
        {.run_as_user = "", .log_file = dir_ + "/membership.log"});
    if (!m.ok()) return m.status();
    membership_ = *std::move(m);
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", membership_grpc_),
                                       grpc::InsecureChannelCredentials());
    if (!channel->WaitForConnected(absl::ToChronoTime(absl::Now() + absl::Seconds(60)))) {
      return absl::UnavailableError("membership did not start; see " + dir_ + "/membership.log");
    }
    membership_stub_ = v1::MembershipService::NewStub(channel);
    return absl::OkStatus();
  }

  // Straight to membership, as an operator (what maillagectl does).
  template <typename Req, typename Resp>
  grpc::Status AsOperator(grpc::Status (v1::MembershipService::Stub::*method)(grpc::ClientContext*,
                                                                              const Req&, Resp*),
                          const Req& req, Resp* resp) {
    auth::Principal admin;
    admin.set_subject("e2e-operator");
    admin.set_platform_admin(true);
    grpc::ClientContext ctx;
    auth::PrincipalSigner(kHmacKey).Attach(
        auth::Stamp(admin, absl::Now(), absl::Minutes(1), "maillage"), &ctx);
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    return (membership_stub_.get()->*method)(&ctx, req, resp);
  }

  std::string Token(const std::string& subject, const std::string& email,
                    absl::Duration from_now = absl::Minutes(5)) {
    TokenClaims c;
    c.issuer = kIssuer;
    c.subject = subject;
    c.audiences = {"maillage"};
    c.issued_at = absl::Now();
    c.expires = absl::Now() + from_now;
    c.email = email;
    c.email_verified = true;
    return *idp_->Sign(c);
  }

  std::string Http(const std::string& method, const std::string& path, const std::string& token,
                   const std::string& body = "", const std::string& extra_headers = "") {
    return HttpExchange(
        gateway_http_,
        absl::StrCat(method, " ", path, " HTTP/1.1\r\nHost: gw\r\n",
                     token.empty() ? "" : absl::StrCat("Authorization: Bearer ", token, "\r\n"),
                     extra_headers, "Content-Type: application/json\r\nContent-Length: ",
                     body.size(), "\r\nConnection: close\r\n\r\n", body));
  }

  std::unique_ptr<testing::PostgresServer> pg_;
  std::unique_ptr<testing::RedisServer> redis_;
  std::unique_ptr<JwtSigner> idp_;
  std::unique_ptr<ChildProcess> membership_;
  std::unique_ptr<ChildProcess> assessment_;
  std::unique_ptr<ChildProcess> matching_;
  std::unique_ptr<ChildProcess> reporting_;
  std::unique_ptr<ChildProcess> gateway_;
  std::unique_ptr<v1::MembershipService::Stub> membership_stub_;
  std::string pg_uri_;
  std::string dir_;
  int membership_grpc_ = 0;
  int assessment_grpc_ = 0;
  int matching_grpc_ = 0;
  int reporting_grpc_ = 0;
  int gateway_http_ = 0;
  int gateway_grpc_ = 0;
};

class GatewayEndToEndTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    suite_ = new Suite();
    absl::Status s = suite_->Start();
    ASSERT_TRUE(s.ok()) << s;
    // Two networks, each animated by its own association, each with one representative.
    for (int i = 0; i < 2; ++i) {
      v1::CreateOrganisationRequest org;
      org.mutable_organisation()->set_legal_name(i == 0 ? "Atelier Proche" : "Cluster Voisin");
      org.mutable_organisation()->set_kind(v1::ORGANISATION_KIND_ASSOCIATION);
      ASSERT_TRUE(
          suite_->AsOperator(&v1::MembershipService::Stub::CreateOrganisation, org, &orgs_[i])
              .ok());
      v1::CreatePersonRequest person;
      person.mutable_person()->set_given_name(i == 0 ? "Claire" : "Marc");
      person.mutable_person()->set_family_name("Martin");
      person.mutable_person()->set_email(emails_[i]);
      v1::Person& p = people_[i];
      ASSERT_TRUE(suite_->AsOperator(&v1::MembershipService::Stub::CreatePerson, person, &p).ok());
      v1::AddRepresentationRequest rep;
      rep.set_organisation_id(orgs_[i].organisation_id());
      rep.set_person_id(p.person_id());
      v1::Representation r;
      ASSERT_TRUE(
          suite_->AsOperator(&v1::MembershipService::Stub::AddRepresentation, rep, &r).ok());
      v1::CreateNetworkRequest net;
      net.mutable_network()->set_name(i == 0 ? "Grappe numérique" : "Réseau voisin");
      net.mutable_network()->set_kind(v1::NETWORK_KIND_CLUSTER);
      net.mutable_network()->set_animating_organisation_id(orgs_[i].organisation_id());
      net.mutable_network()->set_admission_policy(v1::ADMISSION_POLICY_OPEN);
      net.mutable_network()->mutable_charter()->set_text("Créer le lien.");
      net.mutable_network()->mutable_territory()->add_departement_codes("33");
      ASSERT_TRUE(
          suite_->AsOperator(&v1::MembershipService::Stub::CreateNetwork, net, &networks_[i]).ok());
    }
  }
  static void TearDownTestSuite() { delete suite_; }

  static std::string Claire() { return suite_->Token("kc-claire", emails_[0]); }
  // Claire's association signs its network's charter (once): an active member.
  static void ClaireSigns() {
    v1::ListMembershipsRequest list;
    list.set_organisation_id(orgs_[0].organisation_id());
    v1::ListMembershipsResponse memberships;
    ASSERT_TRUE(
        suite_->AsOperator(&v1::MembershipService::Stub::ListMemberships, list, &memberships).ok());
    ASSERT_EQ(memberships.memberships_size(), 1);
    if (memberships.memberships(0).state() == v1::MEMBERSHIP_STATE_ACTIVE) return;
    v1::SignCharterRequest sign;
    sign.set_membership_id(memberships.memberships(0).membership_id());
    sign.set_person_id(people_[0].person_id());
    sign.set_charter_version(networks_[0].charter().version());
    v1::Membership signed_membership;
    ASSERT_TRUE(
        suite_->AsOperator(&v1::MembershipService::Stub::SignCharter, sign, &signed_membership)
            .ok());
  }
  // The value of the first "field":"..." of a JSON body.
  static std::string Field(const std::string& body, const std::string& field) {
    const std::string key = absl::StrCat("\"", field, "\":\"");
    const size_t at = body.find(key);
    if (at == std::string::npos) return "";
    const size_t from = at + key.size();
    return body.substr(from, body.find('"', from) - from);
  }
  static std::string Body(const std::string& response) {
    size_t at = response.find("\r\n\r\n");
    return at == std::string::npos ? "" : response.substr(at + 4);
  }

  static Suite* suite_;
  static v1::Organisation orgs_[2];
  static v1::Network networks_[2];
  static v1::Person people_[2];
  static const char* const emails_[2];
};
Suite* GatewayEndToEndTest::suite_ = nullptr;
v1::Organisation GatewayEndToEndTest::orgs_[2];
v1::Network GatewayEndToEndTest::networks_[2];
v1::Person GatewayEndToEndTest::people_[2];
const char* const GatewayEndToEndTest::emails_[2] = {"claire@atelier-proche.fr",
                                                     "marc@cluster-voisin.fr"};

TEST_F(GatewayEndToEndTest, APersonReadsAndEditsTheirOrganisationWithAToken) {
  const std::string path = absl::StrCat("/v1/organisations/", orgs_[0].organisation_id());
  std::string read = suite_->Http("GET", path, Claire());
  ASSERT_THAT(read, StartsWith("HTTP/1.1 200")) << read;
  EXPECT_THAT(read, HasSubstr(R"("legalName":"Atelier Proche")"));
  const size_t at = read.find("\"version\":\"");
  ASSERT_NE(at, std::string::npos);
  const std::string version = read.substr(at + 11, read.find('"', at + 11) - at - 11);
  std::string updated = suite_->Http(
      "PATCH", path, Claire(),
      absl::StrCat(
          R"({"organisationId":")", orgs_[0].organisation_id(), R"(","version":")", version,
          R"(","legalName":"Atelier Proche","kind":"ORGANISATION_KIND_ASSOCIATION","description":"Tiers-lieu de réparation"})"));
  EXPECT_THAT(updated, StartsWith("HTTP/1.1 200")) << updated;
  EXPECT_THAT(suite_->Http("GET", path, Claire()), HasSubstr("Tiers-lieu de réparation"));
}

TEST_F(GatewayEndToEndTest, EveryBadTokenIs401) {
  const std::string path = absl::StrCat("/v1/organisations/", orgs_[0].organisation_id());
  auto claims = [] {
    TokenClaims c;
    c.issuer = kIssuer;
    c.subject = "kc-claire";
    c.audiences = {"maillage"};
    c.issued_at = absl::Now();
    c.expires = absl::Now() + absl::Minutes(5);
    return c;
  };
  std::vector<std::pair<std::string, std::string>> tokens;
  TokenClaims expired = claims();
  expired.issued_at = absl::Now() - absl::Hours(2);
  expired.expires = absl::Now() - absl::Hours(1);
  tokens.emplace_back("expired", *suite_->idp_->Sign(expired));
  tokens.emplace_back(
      "not yet valid",
      *suite_->idp_->Sign(
          claims(), absl::StrCat(R"("nbf":)", absl::ToUnixSeconds(absl::Now() + absl::Hours(1)))));
  TokenClaims audience = claims();
  audience.audiences = {"another-deployment"};
  tokens.emplace_back("wrong audience", *suite_->idp_->Sign(audience));
  TokenClaims issuer = claims();
  issuer.issuer = "https://evil.example/realms/maillage";
  tokens.emplace_back("wrong issuer", *suite_->idp_->Sign(issuer));
  const std::string good = *suite_->idp_->Sign(claims());
  std::vector<std::string> parts = absl::StrSplit(good, '.');
  tokens.emplace_back(
      "alg none", absl::StrCat(absl::WebSafeBase64Escape(R"({"alg":"none"})"), ".", parts[1], "."));
  const std::string hs_input =
      absl::StrCat(absl::WebSafeBase64Escape(R"({"alg":"HS256","kid":"idp-2026"})"), ".", parts[1]);
  const std::string jwks = suite_->idp_->JwksJson();
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), jwks.data(), static_cast<int>(jwks.size()),
       reinterpret_cast<const unsigned char*>(hs_input.data()), hs_input.size(), mac, &mac_len);
  tokens.emplace_back("HS256 keyed with the public key",
                      absl::StrCat(hs_input, ".",
                                   absl::WebSafeBase64Escape(absl::string_view(
                                       reinterpret_cast<const char*>(mac), mac_len))));
  std::string tampered = good;
  tampered[parts[0].size() + 5] = tampered[parts[0].size() + 5] == 'A' ? 'B' : 'A';
  tokens.emplace_back("tampered", tampered);
  for (const auto& [what, token] : tokens) {
    std::string r = suite_->Http("GET", path, token);
    EXPECT_THAT(r, StartsWith("HTTP/1.1 401")) << what;
    EXPECT_THAT(r, HasSubstr("www-authenticate: Bearer")) << what;
  }
  // The same over the gRPC front.
  auto front = v1::MembershipService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", suite_->gateway_grpc_), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", tokens[0].second));
  v1::GetOrganisationRequest get;
  get.set_organisation_id(orgs_[0].organisation_id());
  v1::Organisation out;
  EXPECT_EQ(front->GetOrganisation(&ctx, get, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(GatewayEndToEndTest, APrincipalForgedOrReplayedStraightToTheServiceIsRefused) {
  auth::Principal admin;
  admin.set_subject("intruder");
  admin.set_platform_admin(true);
  v1::GetOrganisationRequest get;
  get.set_organisation_id(orgs_[0].organisation_id());
  v1::Organisation out;
  {
    grpc::ClientContext ctx;
    auth::PrincipalSigner("a-key-guessed-by-the-intruder-32-bytes-long")
        .Attach(auth::Stamp(admin, absl::Now(), absl::Minutes(1), "maillage"), &ctx);
    EXPECT_EQ(suite_->membership_stub_->GetOrganisation(&ctx, get, &out).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext ctx;  // captured earlier, replayed after its expiry
    auth::PrincipalSigner(kHmacKey).Attach(
        auth::Stamp(admin, absl::Now() - absl::Minutes(10), absl::Minutes(5), "maillage"), &ctx);
    EXPECT_EQ(suite_->membership_stub_->GetOrganisation(&ctx, get, &out).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
}

TEST_F(GatewayEndToEndTest, AMemberOfOneNetworkCannotReadAnothersMembers) {
  std::string r = suite_->Http(
      "GET", absl::StrCat("/v1/memberships?networkId=", networks_[1].network_id()), Claire());
  EXPECT_THAT(r, ::testing::AnyOf(StartsWith("HTTP/1.1 403"), StartsWith("HTTP/1.1 404")));
  EXPECT_THAT(Body(r), ::testing::Not(HasSubstr(orgs_[1].organisation_id())));
  // Her own network's members she reads.
  EXPECT_THAT(
      suite_->Http("GET", absl::StrCat("/v1/memberships?networkId=", networks_[0].network_id()),
                   Claire()),
      StartsWith("HTTP/1.1 200"));
}

TEST_F(GatewayEndToEndTest, MalformedInputIsA4xxNamingTheProblem) {
  const std::string token = Claire();
  struct Case {
    const char* what;
    std::string body;
    const char* status;
    const char* names;
  };
  const std::vector<Case> cases = {
      {"not JSON", "{\"person\": {", "HTTP/1.1 400", "body"},
      {"wrong type", R"({"person":{"givenName":42,"familyName":"Roux"}})", "HTTP/1.1 400",
       "person.given_name"},
      {"unknown field", R"({"person":{"givenName":"Léa","familyName":"Roux","shoeSize":42}})",
       "HTTP/1.1 400", "shoeSize"},
      {"missing required", R"({"person":{"familyName":"Roux"}})", "HTTP/1.1 400", "given_name"},
  };
  for (const Case& c : cases) {
    std::string r = suite_->Http("POST", "/v1/people", token, c.body);
    EXPECT_THAT(r, StartsWith(c.status)) << c.what << ": " << r;
    EXPECT_THAT(Body(r), HasSubstr(c.names)) << c.what;
  }
  std::string enum_value =
      suite_->Http("GET",
                   absl::StrCat("/v1/memberships?networkId=", networks_[0].network_id(),
                                "&states=MEMBERSHIP_STATE_HAPPY"),
                   token);
  EXPECT_THAT(enum_value, StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(Body(enum_value), HasSubstr("states"));
  std::string huge = suite_->Http("POST", "/v1/people", token, std::string(2 << 20, ' '));
  EXPECT_THAT(huge, StartsWith("HTTP/1.1 413"));
}

TEST_F(GatewayEndToEndTest, ABackendKilledAnswers503AtOnceThenRecovers) {
  const std::string path = absl::StrCat("/v1/organisations/", orgs_[0].organisation_id());
  const std::string token = Claire();
  ASSERT_THAT(suite_->Http("GET", path, token), StartsWith("HTTP/1.1 200"));
  suite_->membership_->Stop(absl::Seconds(5));
  // The principal is cached, so the call reaches the dead backend: 503, without waiting out
  // the call timeout.
  const absl::Time before = absl::Now();
  std::string down = suite_->Http("GET", path, token);
  EXPECT_THAT(down, StartsWith("HTTP/1.1 503"));
  EXPECT_LT(absl::Now() - before, absl::Seconds(3));
  EXPECT_TRUE(Eventually([&] { return StatusOf(HttpGet(suite_->gateway_http_, "/readyz")) == 503; },
                         absl::Seconds(20)));
  ASSERT_TRUE(suite_->StartMembership().ok());
  EXPECT_TRUE(Eventually(
      [&] { return absl::StartsWith(suite_->Http("GET", path, token), "HTTP/1.1 200"); }));
  EXPECT_EQ(StatusOf(HttpGet(suite_->gateway_http_, "/readyz")), 200);
}

TEST_F(GatewayEndToEndTest, ARetriedCreationWithAnIdempotencyKeyCreatesOnePerson) {
  const std::string body =
      R"({"person":{"givenName":"Paul","familyName":"Durand","email":"paul@e2e.example"}})";
  const std::string key = "Idempotency-Key: e2e-paul-1\r\n";
  std::string first = suite_->Http("POST", "/v1/people", Claire(), body, key);
  ASSERT_THAT(first, StartsWith("HTTP/1.1 200")) << first;
  std::string retry = suite_->Http("POST", "/v1/people", Claire(), body, key);
  EXPECT_THAT(retry, HasSubstr("idempotent-replayed: true"));
  EXPECT_EQ(Body(first), Body(retry));
  std::string other = suite_->Http(
      "POST", "/v1/people", Claire(),
      R"({"person":{"givenName":"Zoé","familyName":"Durand","email":"zoe@e2e.example"}})", key);
  EXPECT_THAT(other, StartsWith("HTTP/1.1 422"));
}

TEST_F(GatewayEndToEndTest, ARevokedApiKeyIsRefusedWithinSeconds) {
  const std::string expiry =
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() + absl::Hours(24), absl::UTCTimeZone());
  const std::string keys =
      absl::StrCat("/v1/organisations/", orgs_[0].organisation_id(), "/apiKeys");
  std::string created = suite_->Http(
      "POST", keys, Claire(),
      absl::StrCat(R"({"name":"ERP","networkIds":[")", networks_[0].network_id(),
                   R"("],"access":"API_KEY_ACCESS_READ_WRITE","expireTime":")", expiry, R"("})"));
  ASSERT_THAT(created, StartsWith("HTTP/1.1 200")) << created;
  const std::string secret = created.substr(created.find("\"secret\":\"") + 10, 47);
  const std::string key_id = created.substr(created.find("\"apiKeyId\":\"") + 12, 36);
  const std::string read_path = absl::StrCat("/v1/organisations/", orgs_[0].organisation_id());
  const std::string with_key = absl::StrCat("x-api-key: ", secret, "\r\n");
  EXPECT_THAT(suite_->Http("GET", read_path, "", "", with_key), StartsWith("HTTP/1.1 200"));
  // Over the gRPC front too.
  auto front = v1::MembershipService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", suite_->gateway_grpc_), grpc::InsecureChannelCredentials()));
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-api-key", secret);
    v1::GetOrganisationRequest get;
    get.set_organisation_id(orgs_[0].organisation_id());
    v1::Organisation out;
    EXPECT_TRUE(front->GetOrganisation(&ctx, get, &out).ok());
  }
  ASSERT_THAT(suite_->Http("POST", absl::StrCat(keys, "/", key_id, ":revoke"), Claire(), "{}"),
              StartsWith("HTTP/1.1 200"));
  const absl::Time revoked = absl::Now();
  EXPECT_TRUE(
      Eventually([&] { return StatusOf(suite_->Http("GET", read_path, "", "", with_key)) == 401; },
                 absl::Seconds(10)));
  // The stated bound: within seconds (the event), far under the cache's 60 s.
  EXPECT_LT(absl::Now() - revoked, absl::Seconds(5));
}

}  // namespace
// A valid SIREN: eight digits and the Luhn check digit.
std::string Siren(const std::string& eight) {
  for (int check = 0; check < 10; ++check) {
    const std::string s = eight + static_cast<char>('0' + check);
    int sum = 0;
    for (int i = 0; i < 9; ++i) {
      int d = s[8 - i] - '0';
      if (i % 2 == 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    if (sum % 10 == 0) return s;
  }
  return "";
}

// The body of a chunked response, its chunks joined; "<cut>" when the last chunk is missing.
std::string Dechunked(const std::string& response) {
  size_t at = response.find("\r\n\r\n");
  if (at == std::string::npos) return "<cut>";
  std::string body;
  for (at += 4;;) {
    size_t eol = response.find("\r\n", at);
    if (eol == std::string::npos) return "<cut>";
    size_t size = 0;
    if (!absl::SimpleHexAtoi(response.substr(at, eol - at), &size)) return "<cut>";
    if (size == 0) return body;
    body += response.substr(eol + 2, size);
    at = eol + 2 + size + 2;
  }
}

TEST_F(GatewayEndToEndTest, AnAnimatorUploadsACsvInChunksAndDownloadsTheMembersAsCsv) {
  const std::string s1 = Siren("81234567"), s2 = Siren("81234568");
  const std::string csv = absl::StrCat("siren,legal_name,kind\n", s1, ",Menuiserie Lac,company\n",
                                       s2, ",Boulangerie Rive,company\n");
  // The file in three chunks that cut its lines, the options in the query.
  const size_t a = 30, b = 55;
  std::string upload = absl::StrCat(
      "POST /v1/organisations:import?options.networkId=", networks_[0].network_id(),
      " HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ", Claire(),
      "\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
  for (std::string piece : {csv.substr(0, a), csv.substr(a, b - a), csv.substr(b)}) {
    absl::StrAppend(&upload, absl::Hex(piece.size()), "\r\n", piece, "\r\n");
  }
  absl::StrAppend(&upload, "0\r\n\r\n");
  std::string report = HttpExchange(suite_->gateway_http_, upload);
  ASSERT_THAT(report, StartsWith("HTTP/1.1 200")) << report;
  EXPECT_THAT(Body(report), HasSubstr(R"("organisationsCreated":"2")"));
  EXPECT_THAT(Body(report), HasSubstr(R"("membershipsCreated":"2")"));

  std::string exported = suite_->Http(
      "GET", absl::StrCat("/v1/networks/", networks_[0].network_id(), "/members:export"), Claire());
  ASSERT_THAT(exported, StartsWith("HTTP/1.1 200")) << exported;
  EXPECT_THAT(exported, HasSubstr("content-type: text/csv; charset=utf-8"));
  EXPECT_THAT(exported, HasSubstr("Transfer-Encoding: chunked"));
  const std::string members = Dechunked(exported);
  EXPECT_THAT(members, StartsWith("membership_id,siren,legal_name,"));
  EXPECT_THAT(members, HasSubstr(s1 + ",Menuiserie Lac,"));
  EXPECT_THAT(members, HasSubstr(s2 + ",Boulangerie Rive,"));

  // Another network's members: refused as JSON, before anything is streamed.
  std::string other = suite_->Http(
      "GET", absl::StrCat("/v1/networks/", networks_[1].network_id(), "/members:export"), Claire());
  EXPECT_THAT(other, ::testing::AnyOf(StartsWith("HTTP/1.1 403"), StartsWith("HTTP/1.1 404")));
  EXPECT_THAT(other, ::testing::Not(HasSubstr(orgs_[1].organisation_id())));
  EXPECT_THAT(other, ::testing::Not(HasSubstr("chunked")));
}

TEST_F(GatewayEndToEndTest, AnAnimatorEditsTheMatrixAMemberOfAnotherNetworkCannotReadIt) {
  // Claire animates network 0: its roles come from membership, the answer from assessment.
  const std::string matrix = absl::StrCat("/v1/networks/", networks_[0].network_id(), "/matrix");
  std::string read = suite_->Http("GET", matrix, Claire());
  ASSERT_THAT(read, StartsWith("HTTP/1.1 200")) << read;
  EXPECT_THAT(read, HasSubstr(R"("version":0)"));
  std::string cells = Body(read);
  cells = cells.substr(cells.find("\"cells\""));
  cells = cells.substr(0, cells.rfind(']') + 1);
  std::string updated =
      suite_->Http("PUT", matrix, Claire(), absl::StrCat(R"({"expectedVersion":0,)", cells, "}"));
  ASSERT_THAT(updated, StartsWith("HTTP/1.1 200")) << updated;
  EXPECT_THAT(updated, HasSubstr(R"("version":1)"));
  // The same edit again is stale: 409, and the JSON names the version.
  std::string stale =
      suite_->Http("PUT", matrix, Claire(), absl::StrCat(R"({"expectedVersion":0,)", cells, "}"));
  EXPECT_THAT(stale, StartsWith("HTTP/1.1 409")) << stale;
  // Marc animates the other network: he cannot read this one's matrix.
  std::string other = suite_->Http("GET", matrix, suite_->Token("kc-marc", emails_[1]));
  EXPECT_THAT(other, StartsWith("HTTP/1.1 403")) << other;
  // Bad input is a 400 naming the field.
  std::string bad = suite_->Http(
      "POST", absl::StrCat(matrix, ":preview"), Claire(),
      R"({"answers":[{"functionCode":"nowhere","efficiency":"LEVEL_LOW","importance":"LEVEL_LOW"}]})");
  EXPECT_THAT(bad, StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(bad, HasSubstr("answers[0].function_code"));
}

TEST_F(GatewayEndToEndTest, ACampaignRunsThroughTheGatewayAndStaysInsideItsNetwork) {
  // Claire's association signs its charter: an active member, so a participant, which the
  // assessment service learns from membership's events (relay -> Redis -> consumer group).
  ClaireSigns();
  const std::string end =
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() + absl::Hours(240), absl::UTCTimeZone());
  std::string opened = suite_->Http(
      "POST", absl::StrCat("/v1/networks/", networks_[0].network_id(), "/campaigns"), Claire(),
      absl::StrCat(R"({"title":"Cartographie","endTime":")", end,
                   R"(","functionCodes":["recruitment","legal"]})"));
  ASSERT_THAT(opened, StartsWith("HTTP/1.1 200")) << opened;
  const std::string body = Body(opened);
  const size_t at = body.find(R"("campaignId":")");
  ASSERT_NE(at, std::string::npos);
  const std::string campaign = body.substr(at + 14, 36);
  const std::string progress = absl::StrCat("/v1/campaigns/", campaign, "/progress");
  ASSERT_TRUE(Eventually([&] {
    return absl::StrContains(suite_->Http("GET", progress, Claire()), R"("participants":1)");
  })) << suite_->Http("GET", progress, Claire());

  const std::string submit = absl::StrCat("/v1/campaigns/", campaign, "/assessments/",
                                          orgs_[0].organisation_id(), ":submit");
  std::string submitted = suite_->Http(
      "POST", submit, Claire(),
      R"({"answers":[{"functionCode":"recruitment","efficiency":"LEVEL_LOW","importance":"LEVEL_LOW","yearlyCostEur":"12000"}]})");
  ASSERT_THAT(submitted, StartsWith("HTTP/1.1 200")) << submitted;
  EXPECT_THAT(submitted, HasSubstr("DISPOSITION_POOL_OR_OUTSOURCE"));
  EXPECT_THAT(suite_->Http("GET", progress, Claire()), HasSubstr(R"("submitted":1)"));
  std::string analysis =
      suite_->Http("GET", absl::StrCat("/v1/campaigns/", campaign, "/analysis"), Claire());
  ASSERT_THAT(analysis, StartsWith("HTTP/1.1 200")) << analysis;
  EXPECT_THAT(analysis, HasSubstr(R"("exact":true)"));
  EXPECT_THAT(analysis, HasSubstr("POOLING_MODALITY_NOTHING_YET"));  // one member is not enough

  // A bad level is a 400 naming the field; the stale version is a 409.
  std::string bad = suite_->Http(
      "POST", submit, Claire(),
      R"({"expectedVersion":"1","answers":[{"functionCode":"legal","efficiency":"LEVEL_LOW"}]})");
  EXPECT_THAT(bad, StartsWith("HTTP/1.1 400")) << bad;
  EXPECT_THAT(bad, HasSubstr("answers[0].importance"));
  std::string stale = suite_->Http(
      "POST", submit, Claire(),
      R"({"answers":[{"functionCode":"legal","efficiency":"LEVEL_LOW","importance":"LEVEL_LOW"}]})");
  EXPECT_THAT(stale, StartsWith("HTTP/1.1 409")) << stale;

  // Marc animates the other network: the campaign does not exist for him.
  const std::string marc = suite_->Token("kc-marc", emails_[1]);
  for (const std::string& path :
       {absl::StrCat("/v1/campaigns/", campaign),
        absl::StrCat("/v1/campaigns/", campaign, "/analysis"), progress}) {
    std::string r = suite_->Http("GET", path, marc);
    EXPECT_THAT(r, StartsWith("HTTP/1.1 404")) << path << ": " << r;
    EXPECT_THAT(r, ::testing::Not(HasSubstr(orgs_[0].organisation_id())));
  }
  std::string foreign = suite_->Http(
      "POST", submit, marc,
      R"({"answers":[{"functionCode":"legal","efficiency":"LEVEL_LOW","importance":"LEVEL_LOW"}]})");
  EXPECT_THAT(foreign, StartsWith("HTTP/1.1 404")) << foreign;
}

TEST_F(GatewayEndToEndTest, AMemberFindsItsComplementaryPartnerAndAsksForAnIntroduction) {
  ClaireSigns();
  // A timber framer joins Claire's network: an organisation, its representative, its
  // membership, its signature (what maillagectl and the membership API do).
  v1::CreateOrganisationRequest org;
  org.mutable_organisation()->set_legal_name("Charpentes du Médoc");
  org.mutable_organisation()->set_kind(v1::ORGANISATION_KIND_ASSOCIATION);
  org.mutable_organisation()->set_naf_code("16.23Z");
  v1::Organisation framer;
  ASSERT_TRUE(
      suite_->AsOperator(&v1::MembershipService::Stub::CreateOrganisation, org, &framer).ok());
  v1::CreatePersonRequest person;
  person.mutable_person()->set_given_name("Pierre");
  person.mutable_person()->set_family_name("Durand");
  person.mutable_person()->set_email("pierre@charpentes-medoc.fr");
  v1::Person pierre;
  ASSERT_TRUE(suite_->AsOperator(&v1::MembershipService::Stub::CreatePerson, person, &pierre).ok());
  v1::AddRepresentationRequest rep;
  rep.set_organisation_id(framer.organisation_id());
  rep.set_person_id(pierre.person_id());
  v1::Representation r;
  ASSERT_TRUE(suite_->AsOperator(&v1::MembershipService::Stub::AddRepresentation, rep, &r).ok());
  v1::ApplyForMembershipRequest apply;
  apply.set_network_id(networks_[0].network_id());
  apply.set_organisation_id(framer.organisation_id());
  v1::Membership joined;
  ASSERT_TRUE(
      suite_->AsOperator(&v1::MembershipService::Stub::ApplyForMembership, apply, &joined).ok());
  if (joined.state() != v1::MEMBERSHIP_STATE_ACTIVE) {
    v1::SignCharterRequest sign;
    sign.set_membership_id(joined.membership_id());
    sign.set_person_id(pierre.person_id());
    sign.set_charter_version(networks_[0].charter().version());
    ASSERT_TRUE(suite_->AsOperator(&v1::MembershipService::Stub::SignCharter, sign, &joined).ok());
  }
  const std::string pierre_token = suite_->Token("kc-pierre", "pierre@charpentes-medoc.fr");

  // Claire needs timber frames; Pierre offers them and needs a hand with his books.
  const std::string claire_declares =
      absl::StrCat("/v1/organisations/", orgs_[0].organisation_id(), "/declarations");
  std::string need = suite_->Http(
      "POST", claire_declares, Claire(),
      R"({"side":"SIDE_NEED","type":"DECLARATION_TYPE_BUSINESS","tags":["building.carpentry"],"title":"Une charpente pour notre atelier","description":"Charpente bois pour l'extension de l'atelier"})");
  ASSERT_THAT(need, StartsWith("HTTP/1.1 200")) << need;
  EXPECT_THAT(need, HasSubstr("DECLARATION_STATE_ACTIVE"));
  std::string offer = suite_->Http(
      "POST", absl::StrCat("/v1/organisations/", framer.organisation_id(), "/declarations"),
      pierre_token,
      R"({"side":"SIDE_OFFER","type":"DECLARATION_TYPE_BUSINESS","tags":["building.carpentry"],"title":"Charpentes bois sur mesure","description":"Charpentes traditionnelles et ossature bois"})");
  ASSERT_THAT(offer, StartsWith("HTTP/1.1 200")) << offer;
  // Marc cannot declare for Claire's association; an unknown tag is a 400 naming it.
  std::string foreign = suite_->Http(
      "POST", claire_declares, suite_->Token("kc-marc", emails_[1]),
      R"({"side":"SIDE_OFFER","type":"DECLARATION_TYPE_BUSINESS","tags":["building.carpentry"],"title":"x"})");
  EXPECT_THAT(foreign, StartsWith("HTTP/1.1 403")) << foreign;
  std::string bad = suite_->Http(
      "POST", claire_declares, Claire(),
      R"({"side":"SIDE_OFFER","type":"DECLARATION_TYPE_BUSINESS","tags":["building.teleportation"],"title":"x"})");
  EXPECT_THAT(bad, StartsWith("HTTP/1.1 400")) << bad;
  EXPECT_THAT(bad, HasSubstr("declaration.tags[0]"));

  // Matching learns of Pierre's membership from membership's events: soon he is suggested.
  const std::string suggestions =
      absl::StrCat("/v1/organisations/", orgs_[0].organisation_id(),
                   "/suggestions?networkId=", networks_[0].network_id());
  std::string found;
  ASSERT_TRUE(Eventually([&] {
    found = suite_->Http("GET", suggestions, Claire());
    return absl::StrContains(found, framer.organisation_id());
  })) << found;
  EXPECT_THAT(found, HasSubstr("Charpentes du Médoc"));
  EXPECT_THAT(found, HasSubstr(R"("needTitle":"Une charpente pour notre atelier")"));
  EXPECT_THAT(found, HasSubstr(R"("offerTitle":"Charpentes bois sur mesure")"));
  // Marc, of the other network, sees nothing of it.
  std::string marc = suite_->Http("GET", suggestions, suite_->Token("kc-marc", emails_[1]));
  EXPECT_THAT(marc, StartsWith("HTTP/1.1 403")) << marc;
  EXPECT_THAT(marc, ::testing::Not(HasSubstr(framer.organisation_id())));

  // Claire asks to be introduced; Pierre accepts; they meet.
  std::string asked = suite_->Http(
      "POST", absl::StrCat("/v1/networks/", networks_[0].network_id(), "/introductions"), Claire(),
      absl::StrCat(R"({"requesterOrganisationId":")", orgs_[0].organisation_id(),
                   R"(","recipientOrganisationId":")", framer.organisation_id(),
                   R"(","message":"Bonjour Pierre","fromSuggestion":true})"));
  ASSERT_THAT(asked, StartsWith("HTTP/1.1 200")) << asked;
  const std::string introduction = Field(Body(asked), "introductionId");
  ASSERT_EQ(introduction.size(), 36u) << asked;
  // Claire cannot answer her own request: it does not exist for her as a recipient.
  std::string self =
      suite_->Http("POST", absl::StrCat("/v1/introductions/", introduction, ":respond"), Claire(),
                   R"({"accept":true})");
  EXPECT_THAT(self, StartsWith("HTTP/1.1 404")) << self;
  std::string accepted =
      suite_->Http("POST", absl::StrCat("/v1/introductions/", introduction, ":respond"),
                   pierre_token, R"({"accept":true})");
  ASSERT_THAT(accepted, StartsWith("HTTP/1.1 200")) << accepted;
  EXPECT_THAT(accepted, HasSubstr("INTRODUCTION_STATE_ACCEPTED"));
  std::string met =
      suite_->Http("POST", absl::StrCat("/v1/introductions/", introduction, ":outcome"), Claire(),
                   R"({"outcome":"INTRODUCTION_OUTCOME_MET"})");
  ASSERT_THAT(met, StartsWith("HTTP/1.1 200")) << met;
  EXPECT_THAT(met, HasSubstr("INTRODUCTION_OUTCOME_MET"));

  // Reporting learns it from matching's and membership's events: Claire, the network's
  // animator, sees the introduction in the funnel and the link in the graph; Marc does not.
  const std::string funnel =
      absl::StrCat("/v1/networks/", networks_[0].network_id(), "/reports/introduction-funnel");
  std::string report;
  ASSERT_TRUE(Eventually([&] {
    report = suite_->Http("GET", funnel, Claire());
    return absl::StrContains(report, R"("stage":"met","count":"1")");
  })) << report;
  std::string graph = suite_->Http(
      "GET", absl::StrCat("/v1/networks/", networks_[0].network_id(), "/reports/graph"), Claire());
  ASSERT_THAT(graph, StartsWith("HTTP/1.1 200")) << graph;
  EXPECT_THAT(graph, HasSubstr("LINK_KIND_MET"));
  EXPECT_THAT(graph, HasSubstr("Charpentes du Médoc"));
  std::string denied = suite_->Http("GET", funnel, suite_->Token("kc-marc", emails_[1]));
  EXPECT_THAT(denied, StartsWith("HTTP/1.1 403")) << denied;
}

// Every UUID written in `text` (8-4-4-4-12 hexadecimal digits).
std::vector<std::string> UuidsIn(const std::string& text) {
  std::vector<std::string> out;
  for (size_t at = 0; at + 36 <= text.size(); ++at) {
    bool uuid = true;
    for (size_t i = 0; i < 36 && uuid; ++i) {
      const char c = text[at + i];
      uuid = (i == 8 || i == 13 || i == 18 || i == 23) ? c == '-' : absl::ascii_isxdigit(c);
    }
    if (uuid) {
      out.push_back(text.substr(at, 36));
      at += 35;
    }
  }
  return out;
}

TEST_F(GatewayEndToEndTest,
       AnAnimatorRecordsACollectiveActionAndAFunderReadsOnlyTheAnonymisedReport) {
  ClaireSigns();
  const std::string network = networks_[0].network_id();
  // The region that funds Claire's network, with the person who follows it there.
  v1::CreateOrganisationRequest org;
  org.mutable_organisation()->set_legal_name("Région Nouvelle-Aquitaine");
  org.mutable_organisation()->set_kind(v1::ORGANISATION_KIND_PUBLIC_BODY);
  v1::Organisation region;
  ASSERT_TRUE(
      suite_->AsOperator(&v1::MembershipService::Stub::CreateOrganisation, org, &region).ok());
  v1::CreatePersonRequest person;
  person.mutable_person()->set_given_name("Sophie");
  person.mutable_person()->set_family_name("Lafon");
  person.mutable_person()->set_email("sophie.lafon@region.example");
  v1::Person sophie;
  ASSERT_TRUE(suite_->AsOperator(&v1::MembershipService::Stub::CreatePerson, person, &sophie).ok());
  v1::AddRepresentationRequest rep;
  rep.set_organisation_id(region.organisation_id());
  rep.set_person_id(sophie.person_id());
  v1::Representation r;
  ASSERT_TRUE(suite_->AsOperator(&v1::MembershipService::Stub::AddRepresentation, rep, &r).ok());
  const std::string funder = suite_->Token("kc-sophie", "sophie.lafon@region.example");

  // Claire invites the region in the role funder; Sophie accepts for it.
  std::string invited = suite_->Http(
      "POST", absl::StrCat("/v1/networks/", network, "/memberships"), Claire(),
      absl::StrCat(R"({"organisationId":")", region.organisation_id(),
                   R"(","role":"NETWORK_ROLE_FUNDER","motivation":"Financeur du réseau"})"));
  ASSERT_THAT(invited, StartsWith("HTTP/1.1 200")) << invited;
  EXPECT_THAT(invited, HasSubstr("MEMBERSHIP_STATE_INVITED"));
  const std::string membership = Field(Body(invited), "membershipId");
  ASSERT_EQ(membership.size(), 36u) << invited;
  std::string accepted = suite_->Http(
      "POST", absl::StrCat("/v1/memberships/", membership, ":acceptInvitation"), funder, "{}");
  ASSERT_THAT(accepted, StartsWith("HTTP/1.1 200")) << accepted;
  EXPECT_THAT(accepted, HasSubstr("NETWORK_ROLE_FUNDER"));

  // Claire records a group purchase, nine tenths paid by the region: above the default
  // ceiling (0.8). Its participant must be an active member, which reporting learns from
  // membership's events: refused (400) until then, and nothing is recorded.
  const int year = static_cast<int>(absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year());
  const std::string action = absl::StrCat(
      R"({"kind":"COLLECTIVE_ACTION_KIND_GROUP_PURCHASE","title":"Achat groupé d'énergie",)",
      R"("status":"COLLECTIVE_ACTION_STATUS_RUNNING","year":)", year,
      R"(,"participantOrganisationIds":[")", orgs_[0].organisation_id(),
      R"("],"budgetLines":[{"label":"Courtier en énergie","amountCents":"900000"}],)",
      R"("fundingSources":[{"kind":"FUNDING_SOURCE_KIND_REGION",)",
      R"("funderName":"Région Nouvelle-Aquitaine","amountCents":"810000"},)",
      R"({"kind":"FUNDING_SOURCE_KIND_MEMBER_CONTRIBUTIONS","funderName":"Adhérents",)",
      R"("amountCents":"90000"}]})");
  const std::string actions = absl::StrCat("/v1/networks/", network, "/collective-actions");
  std::string created;
  ASSERT_TRUE(Eventually([&] {
    created = suite_->Http("POST", actions, Claire(), action);
    return absl::StartsWith(created, "HTTP/1.1 200");
  })) << created;
  EXPECT_THAT(created, HasSubstr(R"("publicShare":0.9)"));
  EXPECT_THAT(created, HasSubstr(R"("abovePublicCeiling":true)"));
  std::string balance = suite_->Http(
      "GET", absl::StrCat("/v1/networks/", network, "/reports/funding-balance"), Claire());
  ASSERT_THAT(balance, StartsWith("HTTP/1.1 200")) << balance;
  EXPECT_THAT(balance, HasSubstr(R"("publicCents":"810000")"));
  EXPECT_THAT(balance, HasSubstr("above the 80% ceiling"));

  // Sophie reads the funder report: figures, those about fewer than 5 members withheld, and
  // no organisation named anywhere in it.
  const std::string path = absl::StrCat("/v1/networks/", network, "/reports/funder");
  std::string report;
  ASSERT_TRUE(Eventually([&] {
    report = suite_->Http("GET", path, funder);
    return absl::StartsWith(report, "HTTP/1.1 200");
  })) << report;
  const std::string body = Body(report);
  EXPECT_THAT(body, HasSubstr(R"("minGroupSize":5)"));
  EXPECT_THAT(body, HasSubstr(R"("collectiveActions":"1")"));
  EXPECT_THAT(body, HasSubstr(R"("publicCents":"810000")"));
  EXPECT_THAT(body, HasSubstr(R"("publicShare":0.9)"));
  // The network's active members are fewer than 5: withheld, the number never given.
  EXPECT_THAT(body, HasSubstr(R"("withheld":true)"));
  EXPECT_THAT(body, HasSubstr("fewer than 5"));
  EXPECT_THAT(body, ::testing::Not(HasSubstr(R"("label":"active members","withheld":false)")));
  for (const std::string& id : UuidsIn(body)) EXPECT_EQ(id, network) << body;
  EXPECT_THAT(body, ::testing::Not(HasSubstr("Atelier Proche")));

  // Nothing else is open to her: not the animators' reports, not the members, not the
  // actions; and another network's animator does not read this report.
  for (const std::string& denied :
       {absl::StrCat("/v1/networks/", network, "/reports/engagement"),
        absl::StrCat("/v1/networks/", network, "/reports/funding-balance"), actions,
        absl::StrCat("/v1/memberships?networkId=", network)}) {
    std::string refused = suite_->Http("GET", denied, funder);
    EXPECT_THAT(refused, StartsWith("HTTP/1.1 403")) << denied << ": " << refused;
    EXPECT_THAT(Body(refused), ::testing::Not(HasSubstr(orgs_[0].organisation_id())));
  }
  EXPECT_THAT(suite_->Http("GET", path, suite_->Token("kc-marc", emails_[1])),
              StartsWith("HTTP/1.1 403"));
}

// What two reporting services must agree on about a network, one fact a line, sorted, so
// that a difference reads as a diff: the funnel, the graph's nodes (degree) and edges, and
// each member's activity. Not events_attended, working_groups nor the score: animation
// events, working groups and collective actions are reporting's own data, not read models,
// and a rebuilt database starts without them.
struct NetworkReports {
  grpc::Status status;
  reporting::v1::IntroductionFunnel funnel;
  reporting::v1::NetworkGraph graph;
  reporting::v1::EngagementReport engagement;

  std::vector<std::string> Facts() const {
    std::vector<std::string> lines;
    for (const reporting::v1::FunnelStage& s : funnel.stages()) {
      lines.push_back(absl::StrCat("funnel ", s.stage(), " ", s.count()));
    }
    lines.push_back(absl::StrCat("funnel declined ", funnel.declined()));
    lines.push_back(absl::StrCat("funnel pending ", funnel.pending()));
    lines.push_back(absl::StrCat("funnel no_follow_up ", funnel.no_follow_up()));
    lines.push_back(absl::StrCat("graph components ", graph.components()));
    lines.push_back(absl::StrCat("graph isolated ", graph.isolated()));
    for (const reporting::v1::GraphNode& n : graph.nodes()) {
      lines.push_back(absl::StrCat("graph node ", n.organisation_id(), " (", n.name(), ") degree ",
                                   n.degree()));
    }
    for (const reporting::v1::GraphEdge& e : graph.edges()) {
      lines.push_back(absl::StrCat(
          "graph edge ", e.source_organisation_id(), " ", e.target_organisation_id(), " ",
          reporting::v1::LinkKind_Name(e.kind()), " introductions ", e.introductions()));
    }
    for (const reporting::v1::MemberEngagement& m : engagement.members()) {
      lines.push_back(absl::StrCat(
          "engagement ", m.organisation_id(), " (", m.name(), ") requested ",
          m.introductions_requested(), " received ", m.introductions_received(), " answered ",
          m.introductions_answered(), " accepted ", m.introductions_accepted(), " outcomes ",
          m.outcomes_recorded(), " assessments ", m.assessments_submitted()));
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  }
  bool HasIntroductions() const { return funnel.stages_size() > 0 && funnel.stages(0).count() > 0; }
  bool HasActivity() const {
    for (const reporting::v1::MemberEngagement& m : engagement.members()) {
      if (m.introductions_requested() + m.introductions_received() + m.introductions_answered() +
              m.introductions_accepted() + m.outcomes_recorded() + m.assessments_submitted() >
          0) {
        return true;
      }
    }
    return false;
  }
};

// The facts only one side states, as a diff: "-" only the events', "+" only the rebuild's;
// empty when they agree.
std::string FactsDiff(const NetworkReports& events, const NetworkReports& rebuild) {
  const std::vector<std::string> left = events.Facts(), right = rebuild.Facts();
  std::vector<std::string> only_left, only_right;
  std::set_difference(left.begin(), left.end(), right.begin(), right.end(),
                      std::back_inserter(only_left));
  std::set_difference(right.begin(), right.end(), left.begin(), left.end(),
                      std::back_inserter(only_right));
  std::string diff;
  for (const std::string& line : only_left) absl::StrAppend(&diff, "- ", line, "\n");
  for (const std::string& line : only_right) absl::StrAppend(&diff, "+ ", line, "\n");
  return diff;
}

// The three reports of `network` over [from, to), straight from a reporting service, as a
// platform administrator (what an operator's tool would send).
NetworkReports ReadReports(reporting::v1::ReportingService::Stub* stub, const std::string& network,
                           absl::Time from, absl::Time to) {
  auth::Principal admin;
  admin.set_subject("e2e-operator");
  admin.set_platform_admin(true);
  auto sign = [&](grpc::ClientContext* ctx) {
    auth::PrincipalSigner(kHmacKey).Attach(
        auth::Stamp(admin, absl::Now(), absl::Minutes(1), "maillage"), ctx);
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  };
  auto period = [&](reporting::v1::Period* p) {
    p->mutable_start_time()->set_seconds(absl::ToUnixSeconds(from));
    p->mutable_end_time()->set_seconds(absl::ToUnixSeconds(to));
  };
  NetworkReports out;
  {
    reporting::v1::GetIntroductionFunnelRequest req;
    req.set_network_id(network);
    period(req.mutable_period());
    grpc::ClientContext ctx;
    sign(&ctx);
    out.status = stub->GetIntroductionFunnel(&ctx, req, &out.funnel);
    if (!out.status.ok()) return out;
  }
  {
    reporting::v1::GetNetworkGraphRequest req;
    req.set_network_id(network);
    period(req.mutable_period());
    grpc::ClientContext ctx;
    sign(&ctx);
    out.status = stub->GetNetworkGraph(&ctx, req, &out.graph);
    if (!out.status.ok()) return out;
  }
  {
    reporting::v1::GetEngagementRequest req;
    req.set_network_id(network);
    period(req.mutable_period());
    grpc::ClientContext ctx;
    sign(&ctx);
    out.status = stub->GetEngagement(&ctx, req, &out.engagement);
  }
  return out;
}

// `reporting rebuild` on a new database, from the list APIs alone, gives the reports the
// events gave the suite's reporting. Declared last: everything the tests above did (members,
// introductions and their outcomes, campaigns and submissions) is in both.
TEST_F(GatewayEndToEndTest, ARebuildFromTheListApisEqualsWhatTheEventsBuilt) {
  auto db = suite_->pg_->CreateDatabase();
  ASSERT_TRUE(db.ok()) << db.status();
  const std::string rebuild_log = suite_->dir_ + "/reporting-rebuild.log";
  const absl::Status rebuilt_status = testing::RunCommand(
      {REPORTING_BINARY, "rebuild", absl::StrCat("--pg-uri=", *db),
       absl::StrCat("--auth-hmac-key=", kHmacKey),
       absl::StrCat("--membership-address=127.0.0.1:", suite_->membership_grpc_),
       absl::StrCat("--matching-address=127.0.0.1:", suite_->matching_grpc_),
       absl::StrCat("--assessment-address=127.0.0.1:", suite_->assessment_grpc_),
       "--rebuild-call-deadline-seconds=20"},
      {.run_as_user = "", .log_file = rebuild_log});
  std::stringstream log;
  log << std::ifstream(rebuild_log).rdbuf();
  ASSERT_TRUE(rebuilt_status.ok()) << rebuilt_status << "\n" << log.str();  // exit code 0
  EXPECT_THAT(log.str(), HasSubstr("reporting rebuild: done")) << log.str();

  // A second reporting on the rebuilt database. Its consumers (group "reporting") follow
  // streams nobody publishes to, so that it neither takes events from the suite's reporting
  // nor changes what the rebuild wrote. The streams are settings read after the flags are
  // checked, hence variables (env(1) sets them and execs, so the pid stays reporting's).
  const int port = testing::PickFreePort();
  auto spawned = ChildProcess::Spawn(
      {"/usr/bin/env", "MAILLAGE_MEMBERSHIP_EVENTS_STREAM=e2e.rebuilt.nobody.membership.events",
       "MAILLAGE_MATCHING_EVENTS_STREAM=e2e.rebuilt.nobody.matching.events",
       "MAILLAGE_ASSESSMENT_EVENTS_STREAM=e2e.rebuilt.nobody.assessment.events", REPORTING_BINARY,
       absl::StrCat("--grpc-address=127.0.0.1:", port), "--metrics-address=127.0.0.1:0",
       absl::StrCat("--pg-uri=", *db), absl::StrCat("--redis-address=", suite_->redis_->address()),
       absl::StrCat("--auth-hmac-key=", kHmacKey), "--drain-seconds=1"},
      {.run_as_user = "", .log_file = suite_->dir_ + "/reporting-rebuilt.log"});
  ASSERT_TRUE(spawned.ok()) << spawned.status();
  std::unique_ptr<ChildProcess> second = *std::move(spawned);  // stopped when it goes
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  ASSERT_TRUE(channel->WaitForConnected(absl::ToChronoTime(absl::Now() + absl::Seconds(60))))
      << "see " << suite_->dir_ << "/reporting-rebuilt.log";
  auto rebuilt = reporting::v1::ReportingService::NewStub(channel);
  auto original = reporting::v1::ReportingService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", suite_->reporting_grpc_), grpc::InsecureChannelCredentials()));

  // Every network, read once from the rebuilt service (nothing changes it any more).
  v1::ListNetworksRequest list;
  list.mutable_page()->set_page_size(500);
  v1::ListNetworksResponse networks;
  ASSERT_TRUE(suite_->AsOperator(&v1::MembershipService::Stub::ListNetworks, list, &networks).ok());
  ASSERT_TRUE(networks.page().next_page_token().empty());
  ASSERT_GE(networks.networks_size(), 2);
  const absl::Time from = absl::Now() - absl::Hours(24 * 400);
  const absl::Time to = absl::Now() + absl::Hours(24);
  std::map<std::string, NetworkReports> from_rebuild;
  for (const v1::Network& n : networks.networks()) {
    NetworkReports& r = from_rebuild[n.network_id()];
    ASSERT_TRUE(Eventually([&] {
      r = ReadReports(rebuilt.get(), n.network_id(), from, to);
      return r.status.ok();
    })) << n.name()
        << ": " << r.status.error_message();
  }

  // The suite's reporting may still be applying the last events: until it agrees, or a
  // minute; then the comparison is strict.
  std::map<std::string, NetworkReports> from_events;
  Eventually([&] {
    for (const v1::Network& n : networks.networks()) {
      NetworkReports& r = from_events[n.network_id()];
      r = ReadReports(original.get(), n.network_id(), from, to);
      if (!r.status.ok() || !FactsDiff(r, from_rebuild[n.network_id()]).empty()) return false;
    }
    return true;
  });
  bool introductions = false, activity = false;
  for (const v1::Network& n : networks.networks()) {
    const NetworkReports& events = from_events[n.network_id()];
    const NetworkReports& rebuild = from_rebuild[n.network_id()];
    ASSERT_TRUE(events.status.ok()) << n.name() << ": " << events.status.error_message();
    const std::string diff = FactsDiff(events, rebuild);
    EXPECT_TRUE(diff.empty()) << "network " << n.network_id() << " (" << n.name()
                              << "): facts only the events' read models give (-), only the "
                                 "rebuild's (+):\n"
                              << diff << "what the events' read models give:\n"
                              << absl::StrJoin(events.Facts(), "\n");
    introductions = introductions || events.HasIntroductions();
    activity = activity || events.HasActivity();
  }
  // Not vacuous: the tests above left introductions and activity to compare.
  EXPECT_TRUE(introductions);
  EXPECT_TRUE(activity);
  second->Stop(absl::Seconds(5));
  EXPECT_FALSE(second->Running());
}

}  // namespace maillage
