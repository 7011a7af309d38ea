#include "gateway/gateway_runtime.h"

#include <google/protobuf/descriptor.h>
#include <grpcpp/grpcpp.h>

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/api_key.h"
#include "common/log/log.h"
#include "common/redis/near_cache.h"
#include "common/redis/redis.h"
#include "gateway/auth/api_key_authenticator.h"
#include "gateway/auth/jwks_file.h"
#include "gateway/auth/jwt.h"
#include "gateway/auth/oidc_authenticator.h"
#include "gateway/auth/principal_cache.h"
#include "gateway/grpc_front/grpc_proxy.h"
#include "gateway/http_rule/route_table.h"
#include "gateway/limits/rate_limiter.h"
#include "gateway/openapi/embedded_assets.h"
#include "gateway/openapi/fronted_services.h"
#include "gateway/rest/http_front.h"
#include "gateway/rest/idempotency.h"
#include "gateway/rest/rest_gateway.h"
#include "maillage/assessment/v1/assessment.grpc.pb.h"
#include "maillage/matching/v1/matching.grpc.pb.h"
#include "maillage/membership/v1/membership.grpc.pb.h"
#include "maillage/reporting/v1/reporting.grpc.pb.h"

namespace maillage::gateway {

ServiceDefinition Definition() {
  return {.name = "gateway",
          .migrations = {},
          .health_service_names = {"maillage.gateway"},
          .relay = {},
          .follow_changes = nullptr,
          .retention_rules = {},
          .idempotency_keys = false,
          .uses_postgres = false};
}

std::vector<HttpFront::Options::Page> DocsPages() {
  std::vector<HttpFront::Options::Page> pages;
  for (const StaticAsset& a : DocsAssets()) {
    pages.push_back({.path = std::string(a.path),
                     .content_type = std::string(a.content_type),
                     .body = std::string(a.body)});
  }
  return pages;
}

GatewaySettings ReadSettings(ConfigReader& config) {
  GatewaySettings s;
  s.http.address = config.String("HTTP_ADDRESS", "0.0.0.0:8080");
  s.http.threads = config.Int("HTTP_THREADS", 2, 1, 64);
  s.http.max_body_bytes =
      static_cast<size_t>(config.Int("HTTP_MAX_BODY_BYTES", 1 << 20, 1024, 64 << 20));
  s.membership_address = config.Required("MEMBERSHIP_ADDRESS");
  s.assessment_address = config.String("ASSESSMENT_ADDRESS", "");
  s.matching_address = config.String("MATCHING_ADDRESS", "");
  s.reporting_address = config.String("REPORTING_ADDRESS", "");
  s.oidc_issuer = config.Required("OIDC_ISSUER");
  s.oidc_audience = config.String("OIDC_AUDIENCE", "maillage");
  s.oidc_jwks_file = config.Required("OIDC_JWKS_FILE");
  s.oidc_jwks_reload_seconds = config.Int("OIDC_JWKS_RELOAD_SECONDS", 10, 1, 3600);
  s.link_by_email = config.Bool("OIDC_LINK_BY_EMAIL", true);
  s.http.max_stream_bytes =
      static_cast<size_t>(config.Int("HTTP_MAX_UPLOAD_BYTES", 256 << 20, 1024, 1 << 30));
  const int call_seconds = config.Int("CALL_TIMEOUT_SECONDS", 10, 1, 300);
  const int stream_seconds = config.Int("STREAM_TIMEOUT_SECONDS", 600, 1, 24 * 3600);
  absl::StatusOr<CallTimeouts> timeouts =
      CallTimeouts::Parse({.unary = absl::Seconds(call_seconds),
                           .streaming = absl::Seconds(stream_seconds),
                           .overrides = config.String("METHOD_TIMEOUTS", "")},
                          FrontedServices());
  if (timeouts.ok()) {
    s.timeouts = *std::move(timeouts);
  } else {
    config.AddError(absl::StrCat("MAILLAGE_METHOD_TIMEOUTS: ", timeouts.status().message()));
  }
  s.membership_events_stream =
      config.String("MEMBERSHIP_EVENTS_STREAM", "maillage.membership.events");
  s.principal_cache_seconds = config.Int("PRINCIPAL_CACHE_SECONDS", 60, 0, 3600);
  for (absl::string_view origin :
       absl::StrSplit(config.String("CORS_ORIGINS", ""), ',', absl::SkipWhitespace())) {
    origin = absl::StripAsciiWhitespace(origin);
    if (origin != "*" && !absl::StartsWith(origin, "https://") &&
        !absl::StartsWith(origin, "http://")) {
      config.AddError(absl::StrCat("MAILLAGE_CORS_ORIGINS: \"", origin,
                                   "\" is not an origin (https://host[:port], or *)"));
    }
    s.cors_origins.emplace_back(origin);
  }
  s.access_log = config.Bool("ACCESS_LOG", true);
  s.reads_per_second = config.Int("RATE_LIMIT_READS_PER_SECOND", 20, 0, 100000);
  s.read_burst = config.Int("RATE_LIMIT_READ_BURST", 100, 1, 1000000);
  s.writes_per_second = config.Int("RATE_LIMIT_WRITES_PER_SECOND", 5, 0, 100000);
  s.write_burst = config.Int("RATE_LIMIT_WRITE_BURST", 20, 1, 1000000);
  return s;
}

absl::StatusOr<ServiceList> Build(ServiceRuntime& rt, const GatewaySettings& settings,
                                  Built* built) {
  absl::StatusOr<JwkSet> keys = LoadJwksFile(settings.oidc_jwks_file);
  if (!keys.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("MAILLAGE_OIDC_JWKS_FILE ", keys.status().message()));
  }
  auto* verifier = rt.Keep(std::make_unique<JwtVerifier>(
      std::make_shared<JwkSet>(*std::move(keys)),
      JwtVerifierOptions{.issuer = settings.oidc_issuer, .audience = settings.oidc_audience}));
  rt.Keep(std::make_unique<JwksFileWatcher>(
      verifier,
      JwksFileWatcher::Options{.path = settings.oidc_jwks_file,
                               .interval = absl::Seconds(settings.oidc_jwks_reload_seconds),
                               .metrics = rt.metrics()}));
  auto* signer = rt.Keep(std::make_unique<auth::PrincipalSigner>(rt.settings().hmac_key));
  std::shared_ptr<grpc::Channel> membership =
      grpc::CreateChannel(settings.membership_address, grpc::InsecureChannelCredentials());

  // Resolutions remembered until membership's events retire them (0 s: ask every time).
  PrincipalCache* principal_cache = nullptr;
  if (settings.principal_cache_seconds > 0) {
    principal_cache = rt.Keep(std::make_unique<PrincipalCache>(
        rt.redis(),
        PrincipalCache::Options{.prefix = rt.redis_prefix(),
                                .ttl = absl::Seconds(settings.principal_cache_seconds),
                                .local_ttl = absl::Seconds(settings.principal_cache_seconds),
                                .metrics = rt.metrics()}));
    // The follower's XREAD blocks: a connection of its own. Kept after the cache, so that it
    // stops first.
    absl::StatusOr<std::unique_ptr<redis::RedisPool>> follower_pool =
        redis::RedisPool::Create({.address = rt.settings().redis_address, .pool_size = 1});
    if (!follower_pool.ok()) return follower_pool.status();
    redis::RedisPool* pool = rt.Keep(*std::move(follower_pool));
    rt.Keep(principal_cache->Follow(pool, settings.membership_events_stream));
  }
  auto* oidc = rt.Keep(std::make_unique<OidcAuthenticator>(OidcAuthenticator::Options{
      .verifier = verifier,
      .membership = membership,
      .signer = signer,
      .audience = rt.settings().audience,
      .link_by_email = settings.link_by_email,
      .cache = principal_cache,
      .principal_lifetime = absl::Minutes(rt.settings().max_principal_minutes)}));
  // Partner systems' x-api-key first; everything else is a person's bearer token.
  auto* authenticator = rt.Keep(std::make_unique<ApiKeyAuthenticator>(ApiKeyAuthenticator::Options{
      .membership = membership,
      .signer = signer,
      .hash_key = auth::ApiKeyHashKey(rt.settings().hmac_key),
      .cache = principal_cache,
      .otherwise = oidc,
      .audience = rt.settings().audience,
      .principal_lifetime = absl::Minutes(rt.settings().max_principal_minutes)}));

  // Per-caller limits, one bucket per caller across replicas (0 per second: no limits).
  RateLimiter* limiter = nullptr;
  if (settings.reads_per_second > 0 && settings.writes_per_second > 0) {
    limiter = rt.Keep(std::make_unique<RateLimiter>(
        rt.redis(), RateLimiter::Options{
                        .prefix = rt.redis_prefix(),
                        .reads = {.per_second = static_cast<double>(settings.reads_per_second),
                                  .burst = settings.read_burst},
                        .writes = {.per_second = static_cast<double>(settings.writes_per_second),
                                   .burst = settings.write_burst},
                        .metrics = rt.metrics()}));
  }

  auto* idempotency = rt.Keep(std::make_unique<IdempotencyStore>(
      rt.redis(),
      IdempotencyStore::Options{
          .prefix = rt.redis_prefix(), .keep = absl::Hours(24), .metrics = rt.metrics()}));

  // Every service whose generated code is linked here: its annotated methods become routes.
  absl::StatusOr<RouteTable> routes = RouteTable::Build(FrontedServices());
  if (!routes.ok()) return routes.status();
  auto* table = rt.Keep(std::make_unique<RouteTable>(*std::move(routes)));
  // Each fronted service's channel; a service without an address answers 503 ("not
  // configured") over REST and UNIMPLEMENTED over gRPC, and does not hold /readyz down.
  std::map<std::string, std::shared_ptr<grpc::Channel>> backends = {
      {std::string(membership::v1::MembershipService::service_full_name()), membership}};
  if (!settings.assessment_address.empty()) {
    backends[std::string(assessment::v1::AssessmentService::service_full_name())] =
        grpc::CreateChannel(settings.assessment_address, grpc::InsecureChannelCredentials());
  }
  if (!settings.matching_address.empty()) {
    backends[std::string(matching::v1::MatchingService::service_full_name())] =
        grpc::CreateChannel(settings.matching_address, grpc::InsecureChannelCredentials());
  }
  if (!settings.reporting_address.empty()) {
    backends[std::string(reporting::v1::ReportingService::service_full_name())] =
        grpc::CreateChannel(settings.reporting_address, grpc::InsecureChannelCredentials());
  }
  auto* rest =
      rt.Keep(std::make_unique<RestGateway>(RestGateway::Options{.routes = table,
                                                                 .backends = backends,
                                                                 .authenticator = authenticator,
                                                                 .signer = signer,
                                                                 .workers = rt.workers(),
                                                                 .limiter = limiter,
                                                                 .idempotency = idempotency,
                                                                 .timeouts = settings.timeouts}));

  // The gRPC front: every maillage.* method of a fronted service, forwarded as bytes.
  auto* proxy =
      rt.Keep(std::make_unique<GrpcProxy>(GrpcProxy::Options{.backends = backends,
                                                             .authenticator = authenticator,
                                                             .signer = signer,
                                                             .workers = rt.workers(),
                                                             .limiter = limiter,
                                                             .timeouts = settings.timeouts}));
  rt.SetGenericService(proxy);

  auto* front = rt.Keep(std::make_unique<HttpFront>(HttpFront::Options{
      .rest = rest,
      .routes = table,
      .cors_origins = settings.cors_origins,
      .ready =
          [backends] {
            for (const auto& [service, channel] : backends) {
              grpc_connectivity_state state = channel->GetState(/*try_to_connect=*/true);
              if (state == GRPC_CHANNEL_TRANSIENT_FAILURE || state == GRPC_CHANNEL_SHUTDOWN) {
                return false;
              }
            }
            return true;
          },
      .access_log = settings.access_log,
      .metrics = rt.metrics(),
      .openapi_json = std::string(OpenApiJson()),
      .pages = DocsPages()}));

  HttpServerOptions http_options = settings.http;
  http_options.stream_body = [rest](const HttpRequest& head) { return rest->StreamsBody(head); };
  absl::StatusOr<std::unique_ptr<HttpServer>> http =
      HttpServer::Start(http_options, [front](HttpRequest request, HttpServer::Responder respond) {
        front->Handle(std::move(request), std::move(respond));
      });
  if (!http.ok()) {
    return absl::Status(http.status().code(),
                        absl::StrCat("MAILLAGE_HTTP_ADDRESS: ", http.status().message()));
  }
  HttpServer* server = rt.Keep(*std::move(http));
  rt.OnStop(
      [server, grace = absl::Seconds(rt.settings().drain_seconds)] { server->Shutdown(grace); });
  log::Info("REST gateway listening", {{"http_port", absl::StrCat(server->port())},
                                       {"routes", absl::StrCat(table->routes().size())},
                                       {"membership", settings.membership_address}});
  if (built != nullptr) built->http = server;
  return ServiceList{};
}

}  // namespace maillage::gateway
