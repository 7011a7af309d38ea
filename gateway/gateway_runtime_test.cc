// The gateway as its process wires it (gateway_runtime.cc), on the runtime, in front of a real
// membership service: a person signs in with a token of the identity provider and reads over
// HTTP what membership lets them read.
#include "gateway/gateway_runtime.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/testing/harness.h"
#include "gateway/auth/jwt.h"
#include "services/membership/membership_harness.h"
#include "tests/support/http_get.h"

namespace maillage::gateway {
namespace {

namespace v1 = ::maillage::membership::v1;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kIssuer[] = "https://sso.example.fr/realms/maillage";

using ::maillage::testing::HttpExchange;

class GatewayRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The relay publishes membership's events, which the gateway's principal cache follows.
    ASSERT_TRUE(membership_.Start({.with_relay = true}).ok());
    absl::StatusOr<JwtSigner> idp = JwtSigner::Generate("idp-1");
    ASSERT_TRUE(idp.ok());
    idp_ = std::make_unique<JwtSigner>(*std::move(idp));
    jwks_file_ = absl::StrCat(::testing::TempDir(), "/jwks-", getpid(), ".json");
    std::ofstream(jwks_file_) << idp_->JwksJson();
  }
  void TearDown() override { std::remove(jwks_file_.c_str()); }

  ConfigReader Config(const std::string& jwks_file, std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env = {
        {"MAILLAGE_REDIS_ADDRESS", std::string(testing::ServiceHarness::redis_server()->address())},
        {"MAILLAGE_AUTH_HMAC_KEY", testing::kTestHmacKey},
        {"MAILLAGE_GRPC_ADDRESS", "127.0.0.1:0"},
        {"MAILLAGE_METRICS_ADDRESS", "127.0.0.1:0"},
        {"MAILLAGE_HTTP_ADDRESS", "127.0.0.1:0"},
        {"MAILLAGE_MEMBERSHIP_ADDRESS", membership_.address()},
        {"MAILLAGE_OIDC_ISSUER", kIssuer},
        {"MAILLAGE_OIDC_JWKS_FILE", jwks_file},
        {"MAILLAGE_MEMBERSHIP_EVENTS_STREAM", membership_.stream()}};
    for (auto& [name, value] : extra) env[name] = value;
    return ConfigReader(env, {});
  }
  // The runtime of the gateway process, started as main.cc starts it.
  std::unique_ptr<ServiceRuntime> StartGateway(Built* built,
                                               std::map<std::string, std::string> extra = {}) {
    // Each test its own Redis keys: the principals cached by one are not the next one's.
    static int runs = 0;
    auto rt = std::make_unique<ServiceRuntime>(
        Definition(), Config(jwks_file_, std::move(extra)),
        RuntimeOverrides{.cache_prefix = absl::StrCat("test:gateway:", getpid(), ":", ++runs)});
    GatewaySettings settings = ReadSettings(rt->config());
    absl::Status started = rt->Start([&](ServiceRuntime& s) { return Build(s, settings, built); });
    EXPECT_TRUE(started.ok()) << started;
    return rt;
  }

  // Claire represents the association Atelier Proche; returns the association.
  v1::Organisation SeedClaire() {
    v1::CreateOrganisationRequest create;
    create.mutable_organisation()->set_legal_name("Atelier Proche");
    create.mutable_organisation()->set_kind(v1::ORGANISATION_KIND_ASSOCIATION);
    v1::Organisation org;
    EXPECT_TRUE(membership_
                    .Call(&v1::MembershipService::Stub::CreateOrganisation, membership_.Admin(),
                          create, &org)
                    .ok());
    v1::CreatePersonRequest person;
    person.mutable_person()->set_given_name("Claire");
    person.mutable_person()->set_family_name("Martin");
    person.mutable_person()->set_email("claire@atelier-proche.fr");
    v1::Person& claire = claire_;
    EXPECT_TRUE(
        membership_
            .Call(&v1::MembershipService::Stub::CreatePerson, membership_.Admin(), person, &claire)
            .ok());
    v1::AddRepresentationRequest rep;
    rep.set_organisation_id(org.organisation_id());
    rep.set_person_id(claire.person_id());
    v1::Representation r;
    EXPECT_TRUE(
        membership_
            .Call(&v1::MembershipService::Stub::AddRepresentation, membership_.Admin(), rep, &r)
            .ok());

    return org;
  }
  // A network `org` animates (its founding membership gives its representatives the role).
  v1::Network NetworkAnimatedBy(const v1::Organisation& org) {
    v1::CreateNetworkRequest create_network;
    v1::Network* n = create_network.mutable_network();
    n->set_name("Grappe numérique de Gironde");
    n->set_kind(v1::NETWORK_KIND_CLUSTER);
    n->set_animating_organisation_id(org.organisation_id());
    n->set_admission_policy(v1::ADMISSION_POLICY_OPEN);
    n->mutable_charter()->set_text("Créer le lien, définir des objectifs communs.");
    n->mutable_territory()->add_departement_codes("33");
    v1::Network network;
    EXPECT_TRUE(membership_
                    .Call(&v1::MembershipService::Stub::CreateNetwork,
                          membership_.ActingFor(org.organisation_id()), create_network, &network)
                    .ok());
    return network;
  }
  // A token of the identity provider for Claire (linked by her verified e-mail).
  std::string ClaireToken() {
    TokenClaims claims;
    claims.issuer = kIssuer;
    claims.subject = "kc-claire";
    claims.audiences = {"maillage"};
    claims.issued_at = absl::Now();
    claims.expires = absl::Now() + absl::Minutes(5);
    claims.email = "claire@atelier-proche.fr";
    claims.email_verified = true;
    absl::StatusOr<std::string> token = idp_->Sign(claims);
    EXPECT_TRUE(token.ok());
    return token.value_or("");
  }

  membership::MembershipHarness membership_;
  std::unique_ptr<JwtSigner> idp_;
  std::string jwks_file_;
  v1::Person claire_;
};

TEST_F(GatewayRuntimeTest, APersonSignsInAndReadsTheirOrganisationOverHttp) {
  v1::Organisation org = SeedClaire();
  Built built;
  std::unique_ptr<ServiceRuntime> rt = StartGateway(&built);
  ASSERT_NE(built.http, nullptr);

  const std::string token = ClaireToken();

  std::string ok = HttpExchange(
      built.http->port(), absl::StrCat("GET /v1/organisations/", org.organisation_id(),
                                       " HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ", token,
                                       "\r\nConnection: close\r\n\r\n"));
  EXPECT_THAT(ok, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(ok, HasSubstr(R"("legalName":"Atelier Proche")"));
  EXPECT_THAT(ok, HasSubstr("x-request-id"));

  std::string anonymous = HttpExchange(
      built.http->port(), absl::StrCat("GET /v1/organisations/", org.organisation_id(),
                                       " HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n"));
  EXPECT_THAT(anonymous, StartsWith("HTTP/1.1 401"));
  rt->Stop();
}

TEST_F(GatewayRuntimeTest, AFrontedServiceWithoutAnAddressAnswers503AndLeavesReadinessAlone) {
  v1::Organisation org = SeedClaire();
  v1::Network network = NetworkAnimatedBy(org);
  Built built;
  // No MAILLAGE_MATCHING_ADDRESS nor MAILLAGE_REPORTING_ADDRESS (nor
  // MAILLAGE_ASSESSMENT_ADDRESS): their routes are known and documented, but have no backend
  // to go to.
  std::unique_ptr<ServiceRuntime> rt = StartGateway(&built);
  const int port = built.http->port();
  const std::string suggestions =
      HttpExchange(port, absl::StrCat("GET /v1/organisations/", org.organisation_id(),
                                      "/suggestions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ",
                                      ClaireToken(), "\r\nConnection: close\r\n\r\n"));
  EXPECT_THAT(suggestions, StartsWith("HTTP/1.1 503"));
  EXPECT_THAT(suggestions, HasSubstr("not configured"));
  const std::string engagement = HttpExchange(
      port, absl::StrCat("GET /v1/networks/", network.network_id(),
                         "/reports/engagement HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ",
                         ClaireToken(), "\r\nConnection: close\r\n\r\n"));
  EXPECT_THAT(engagement, StartsWith("HTTP/1.1 503"));
  EXPECT_THAT(engagement, HasSubstr("not configured"));
  EXPECT_THAT(HttpExchange(port, "GET /readyz HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n"),
              StartsWith("HTTP/1.1 200"));
  const std::string openapi =
      HttpExchange(port, "GET /openapi.json HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(openapi, HasSubstr(R"("operationId": "SuggestPartners")"));
  EXPECT_THAT(openapi, HasSubstr(R"("operationId": "GetEngagement")"));
  rt->Stop();
}

TEST_F(GatewayRuntimeTest, AnUnusableKeyFileStopsTheStartNamingIt) {
  ServiceRuntime rt(Definition(), Config("/nonexistent/jwks.json"));
  GatewaySettings settings = ReadSettings(rt.config());
  absl::Status s = rt.Start([&](ServiceRuntime& r) { return Build(r, settings); });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("MAILLAGE_OIDC_JWKS_FILE"));
}

TEST_F(GatewayRuntimeTest, APartnerCallsMembershipThroughTheGrpcFront) {
  v1::Organisation org = SeedClaire();
  v1::Network network = NetworkAnimatedBy(org);

  Built built;
  std::unique_ptr<ServiceRuntime> rt = StartGateway(&built);
  auto front = v1::MembershipService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", rt->grpc_port()), grpc::InsecureChannelCredentials()));
  const std::string token = ClaireToken();
  auto as_claire = [&](grpc::ClientContext* ctx) {
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  };

  // Unary, with the caller's request id echoed.
  {
    grpc::ClientContext ctx;
    as_claire(&ctx);
    ctx.AddMetadata("x-request-id", "partner-42");
    v1::GetOrganisationRequest get;
    get.set_organisation_id(org.organisation_id());
    v1::Organisation read;
    grpc::Status s = front->GetOrganisation(&ctx, get, &read);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(read.legal_name(), "Atelier Proche");
    auto id = ctx.GetServerInitialMetadata().find("x-request-id");
    ASSERT_NE(id, ctx.GetServerInitialMetadata().end());
    EXPECT_EQ(std::string(id->second.data(), id->second.size()), "partner-42");
  }
  // No token: refused by the gateway, never reaching membership.
  {
    grpc::ClientContext ctx;
    v1::GetOrganisationRequest get;
    get.set_organisation_id(org.organisation_id());
    v1::Organisation read;
    EXPECT_EQ(front->GetOrganisation(&ctx, get, &read).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  // A principal the caller brings (even one correctly signed) is dropped: Claire stays Claire.
  {
    grpc::ClientContext ctx;
    as_claire(&ctx);
    auth::PrincipalSigner(testing::kTestHmacKey).Attach(membership_.Admin(), &ctx);
    v1::ResolvePrincipalRequest resolve;
    resolve.set_issuer(kIssuer);
    resolve.set_subject("kc-claire");
    v1::ResolvePrincipalResponse out;
    EXPECT_EQ(front->ResolvePrincipal(&ctx, resolve, &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  // The service's status details come through (the field at fault).
  {
    grpc::ClientContext ctx;
    as_claire(&ctx);
    v1::GetOrganisationRequest get;
    get.set_organisation_id("not-an-id");
    v1::Organisation read;
    grpc::Status s = front->GetOrganisation(&ctx, get, &read);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("organisation_id"));
    EXPECT_FALSE(s.error_details().empty());
  }
  // Server streaming: the members' CSV.
  {
    grpc::ClientContext ctx;
    as_claire(&ctx);
    v1::ExportMembersRequest req;
    req.set_network_id(network.network_id());
    std::unique_ptr<grpc::ClientReader<v1::CsvChunk>> reader = front->ExportMembers(&ctx, req);
    std::string csv;
    for (v1::CsvChunk chunk; reader->Read(&chunk);) csv += chunk.data();
    grpc::Status s = reader->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_THAT(csv, HasSubstr("Atelier Proche"));
  }
  // Client streaming: a CSV import, checked without writing.
  {
    grpc::ClientContext ctx;
    as_claire(&ctx);
    v1::ImportReport report;
    std::unique_ptr<grpc::ClientWriter<v1::ImportOrganisationsRequest>> writer =
        front->ImportOrganisations(&ctx, &report);
    v1::ImportOrganisationsRequest first;
    first.mutable_options()->set_network_id(network.network_id());
    first.mutable_options()->set_dry_run(true);
    ASSERT_TRUE(writer->Write(first));
    v1::ImportOrganisationsRequest chunk;
    chunk.set_chunk("siren,legal_name,kind\n732829320,Dupont Menuiserie,company\n");
    ASSERT_TRUE(writer->Write(chunk));
    ASSERT_TRUE(writer->WritesDone());
    grpc::Status s = writer->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(report.rows_read(), 1);
  }
  // A service the gateway does not front.
  {
    grpc::GenericStub generic(grpc::CreateChannel(absl::StrCat("127.0.0.1:", rt->grpc_port()),
                                                  grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    as_claire(&ctx);
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1), response;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    generic.UnaryCall(&ctx, "/maillage.billing.v1.Billing/Charge", {}, &request, &response,
                      [&](grpc::Status s) {
                        std::lock_guard<std::mutex> lock(mu);
                        status = s;
                        done = true;
                        cv.notify_all();
                      });
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  }
  rt->Stop();
}

TEST_F(GatewayRuntimeTest, APartnerSystemUsesAnApiKeyUntilItIsRevoked) {
  v1::Organisation org = SeedClaire();
  v1::Network network = NetworkAnimatedBy(org);
  Built built;
  std::unique_ptr<ServiceRuntime> rt = StartGateway(&built);
  const std::string bearer = absl::StrCat("Authorization: Bearer ", ClaireToken(), "\r\n");
  auto http = [&](const std::string& method, const std::string& path, const std::string& headers,
                  const std::string& body = "") {
    return HttpExchange(built.http->port(),
                        absl::StrCat(method, " ", path, " HTTP/1.1\r\nHost: gw\r\n", headers,
                                     "Content-Type: application/json\r\nContent-Length: ",
                                     body.size(), "\r\nConnection: close\r\n\r\n", body));
  };
  const std::string keys_path =
      absl::StrCat("/v1/organisations/", org.organisation_id(), "/apiKeys");
  const std::string expiry =
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() + absl::Hours(48), absl::UTCTimeZone());

  // Claire creates a read key for her ERP; the secret is in the answer, once.
  std::string created =
      http("POST", keys_path, bearer,
           absl::StrCat(R"({"name":"ERP","networkIds":[")", network.network_id(),
                        R"("],"access":"API_KEY_ACCESS_READ","expireTime":")", expiry, R"("})"));
  ASSERT_THAT(created, StartsWith("HTTP/1.1 200")) << created;
  const size_t at = created.find("\"secret\":\"");
  ASSERT_NE(at, std::string::npos);
  const std::string secret = created.substr(at + 10, 47);
  const std::string key_id = created.substr(created.find("\"apiKeyId\":\"") + 12, 36);
  const std::string with_key = absl::StrCat("x-api-key: ", secret, "\r\n");

  // The ERP reads the network's members, but may not write.
  std::string read =
      http("GET", absl::StrCat("/v1/organisations/", org.organisation_id()), with_key);
  EXPECT_THAT(read, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(read, HasSubstr("Atelier Proche"));
  std::string write = http("POST", keys_path, with_key, "{}");
  EXPECT_THAT(write, StartsWith("HTTP/1.1 403"));
  EXPECT_THAT(write, HasSubstr("may only read"));
  // A made-up key, or one of the wrong shape: 401, the same answer.
  std::string guessed = http("GET", absl::StrCat("/v1/organisations/", org.organisation_id()),
                             absl::StrCat("x-api-key: mlk_", std::string(43, 'A'), "\r\n"));
  EXPECT_THAT(guessed, StartsWith("HTTP/1.1 401"));
  std::string garbage = http("GET", absl::StrCat("/v1/organisations/", org.organisation_id()),
                             "x-api-key: ' OR 1=1 --\r\n");
  EXPECT_THAT(garbage, StartsWith("HTTP/1.1 401"));
  EXPECT_EQ(guessed.substr(guessed.find("\r\n\r\n")), garbage.substr(garbage.find("\r\n\r\n")));

  // Revoked: refused within seconds (membership's event), though it was cached.
  std::string revoked = http("POST", absl::StrCat(keys_path, "/", key_id, ":revoke"), bearer, "{}");
  ASSERT_THAT(revoked, StartsWith("HTTP/1.1 200")) << revoked;
  const absl::Time revoked_at = absl::Now();
  std::string after;
  do {
    absl::SleepFor(absl::Milliseconds(50));
    after = http("GET", absl::StrCat("/v1/organisations/", org.organisation_id()), with_key);
  } while (!absl::StartsWith(after, "HTTP/1.1 401") &&
           absl::Now() < revoked_at + absl::Seconds(10));
  EXPECT_THAT(after, StartsWith("HTTP/1.1 401"));
  EXPECT_LT(absl::Now() - revoked_at, absl::Seconds(5));
  rt->Stop();
}

TEST_F(GatewayRuntimeTest, ACallerOverTheRateLimitGets429ThenRecovers) {
  v1::Organisation org = SeedClaire();
  Built built;
  std::unique_ptr<ServiceRuntime> rt = StartGateway(
      &built,
      {{"MAILLAGE_RATE_LIMIT_READS_PER_SECOND", "1"}, {"MAILLAGE_RATE_LIMIT_READ_BURST", "2"}});
  const std::string request = absl::StrCat("GET /v1/organisations/", org.organisation_id(),
                                           " HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ",
                                           ClaireToken(), "\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(HttpExchange(built.http->port(), request), StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(HttpExchange(built.http->port(), request), StartsWith("HTTP/1.1 200"));
  std::string limited = HttpExchange(built.http->port(), request);
  EXPECT_THAT(limited, StartsWith("HTTP/1.1 429"));
  EXPECT_THAT(limited, HasSubstr("retry-after: 1"));
  EXPECT_THAT(limited, HasSubstr(R"("message":"rate limit reached: retry in 1 s")"));
  absl::SleepFor(absl::Milliseconds(1100));
  EXPECT_THAT(HttpExchange(built.http->port(), request), StartsWith("HTTP/1.1 200"));
  rt->Stop();
}

TEST_F(GatewayRuntimeTest, ARetriedPostWithAnIdempotencyKeyCreatesOnce) {
  v1::Organisation org = SeedClaire();
  Built built;
  std::unique_ptr<ServiceRuntime> rt = StartGateway(&built);
  const std::string token = ClaireToken();
  auto post = [&](const std::string& key, const std::string& body) {
    return HttpExchange(
        built.http->port(),
        absl::StrCat("POST /v1/people HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ", token,
                     "\r\nIdempotency-Key: ", key, "\r\nContent-Type: application/json\r\n",
                     "Content-Length: ", body.size(), "\r\nConnection: close\r\n\r\n", body));
  };
  const std::string body =
      R"({"person":{"givenName":"Paul","familyName":"Durand","email":"paul@atelier-proche.fr"}})";
  std::string first = post("create-paul-1", body);
  ASSERT_THAT(first, StartsWith("HTTP/1.1 200")) << first;
  std::string retry = post("create-paul-1", body);
  EXPECT_THAT(retry, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(retry, HasSubstr("idempotent-replayed: true"));
  EXPECT_EQ(first.substr(first.find("\r\n\r\n")), retry.substr(retry.find("\r\n\r\n")));
  EXPECT_EQ(membership_.Count("SELECT count(*) FROM people WHERE email = 'paul@atelier-proche.fr'"),
            1);
  // The same key for another request is a client bug, said as such.
  std::string other =
      post("create-paul-1", R"({"person":{"givenName":"Léa","familyName":"Roux"}})");
  EXPECT_THAT(other, StartsWith("HTTP/1.1 422"));
  EXPECT_THAT(post(std::string(300, 'k'), body), StartsWith("HTTP/1.1 400"));
  rt->Stop();
}

TEST_F(GatewayRuntimeTest, TheHttpFrontAnswersHealthCorsAndCountsEveryRoute) {
  v1::Organisation org = SeedClaire();
  Built built;
  std::unique_ptr<ServiceRuntime> rt =
      StartGateway(&built, {{"MAILLAGE_CORS_ORIGINS", "https://console.agence.fr"}});
  const int port = built.http->port();
  auto get = [&](const std::string& path, const std::string& headers = "") {
    return HttpExchange(port, absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: gw\r\n", headers,
                                           "Connection: close\r\n\r\n"));
  };
  EXPECT_THAT(get("/healthz"), StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(get("/readyz"), StartsWith("HTTP/1.1 200"));

  // The API described, without credentials: the document and a page that renders it, which
  // may load its own script and nothing from elsewhere.
  const std::string openapi = get("/openapi.json");
  EXPECT_THAT(openapi, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(openapi, HasSubstr("content-type: application/json"));
  EXPECT_THAT(openapi, HasSubstr(R"("operationId": "ImportOrganisations")"));
  const std::string docs = get("/docs");
  EXPECT_THAT(docs, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(docs, HasSubstr("content-type: text/html; charset=utf-8"));
  EXPECT_THAT(docs, HasSubstr("script-src 'self'"));
  EXPECT_THAT(docs, ::testing::Not(HasSubstr("default-src 'none'; frame-ancestors 'none'\r\n")));
  EXPECT_THAT(docs, HasSubstr(R"(<script src="/docs/docs.js">)"));
  EXPECT_THAT(get("/docs/docs.js"), HasSubstr("fetch('/openapi.json')"));

  // The console's origin may call, with the API's headers; another origin may not.
  const std::string preflight =
      "OPTIONS /v1/people HTTP/1.1\r\nHost: gw\r\nAccess-Control-Request-Method: POST\r\n";
  std::string allowed = HttpExchange(
      port,
      absl::StrCat(preflight, "Origin: https://console.agence.fr\r\nConnection: close\r\n\r\n"));
  EXPECT_THAT(allowed, StartsWith("HTTP/1.1 204"));
  EXPECT_THAT(allowed, HasSubstr("access-control-allow-origin: https://console.agence.fr"));
  EXPECT_THAT(allowed, HasSubstr("idempotency-key"));
  EXPECT_THAT(
      HttpExchange(port, absl::StrCat(preflight,
                                      "Origin: https://evil.example\r\nConnection: close\r\n\r\n")),
      StartsWith("HTTP/1.1 403"));

  const std::string read =
      get(absl::StrCat("/v1/organisations/", org.organisation_id()),
          absl::StrCat("Authorization: Bearer ", ClaireToken(),
                       "\r\nOrigin: https://console.agence.fr\r\n"
                       "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n"));
  EXPECT_THAT(read, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(read, HasSubstr("access-control-allow-origin: https://console.agence.fr"));
  EXPECT_THAT(read, HasSubstr("x-content-type-options: nosniff"));
  EXPECT_THAT(read, HasSubstr("cache-control: no-store"));
  EXPECT_THAT(get("/v1/nothing-here"), StartsWith("HTTP/1.1 404"));

  // Per route and status on /metrics.
  std::string metrics = HttpExchange(
      rt->metrics_port(), "GET /metrics HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(
      metrics,
      HasSubstr(
          R"(maillage_gateway_http_requests_total{route="maillage.membership.v1.MembershipService.GetOrganisation",status="200"} 1)"));
  EXPECT_THAT(
      metrics,
      HasSubstr(R"(maillage_gateway_http_requests_total{route="unmatched",status="404"} 1)"));
  rt->Stop();
}

}  // namespace
}  // namespace maillage::gateway
