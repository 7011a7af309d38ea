// gateway/gateway_runtime: what the gateway process wires on the common runtime (no database
// of its own): the REST routes of every service's annotations, the OIDC authenticator, the
// HTTP server in front, stopped before anything behind it.
//
//   maillage::ServiceRuntime runtime(maillage::gateway::Definition(), argc, argv);
//   maillage::gateway::GatewaySettings settings =
//   maillage::gateway::ReadSettings(runtime.config()); return
//   runtime.Run([&](maillage::ServiceRuntime& rt) {
//     return maillage::gateway::Build(rt, settings);
//   });
//
// Its own settings (MAILLAGE_<NAME> or --<name>), read with the common ones so that every
// problem is reported at once:
//   HTTP_ADDRESS 0.0.0.0:8080     HTTP_THREADS 2       HTTP_MAX_BODY_BYTES 1048576
//   MEMBERSHIP_ADDRESS (required) the membership service's gRPC address
//   ASSESSMENT_ADDRESS (none)     the assessment service's; without it, its routes answer 503
//   MATCHING_ADDRESS (none)       the matching service's; without it, its routes answer 503
//   REPORTING_ADDRESS (none)      the reporting service's; without it, its routes answer 503
//   OIDC_ISSUER (required)        the identity provider's "iss"
//   OIDC_AUDIENCE maillage        the "aud" the tokens must carry
//   OIDC_JWKS_FILE (required)     the provider's keys (JWKS JSON); refused at start if unusable
//   OIDC_JWKS_RELOAD_SECONDS 10   how often the file is looked at; a changed file is reloaded
//                                 (a broken one is refused and the keys in use stay)
//   OIDC_LINK_BY_EMAIL true       link a first sign-in to the person with the verified e-mail
//   HTTP_MAX_UPLOAD_BYTES 268435456   largest streamed upload (a CSV import; at most 1 GiB)
//   CALL_TIMEOUT_SECONDS 10       longest backend call
//   STREAM_TIMEOUT_SECONDS 600    longest streaming call (an import, an export)
//   METHOD_TIMEOUTS (none)        per method, e.g. "ImportOrganisations=1800,GetNetwork=2"
//                                 (a caller's grpc-timeout or x-request-timeout may shorten)
//   PRINCIPAL_CACHE_SECONDS 60    how long a resolved identity is remembered at most (0: ask
//                                 membership on every request); membership's events retire
//                                 it sooner, within about a second of a suspension
//   MEMBERSHIP_EVENTS_STREAM maillage.membership.events   the stream those events come on
//   CORS_ORIGINS (none)           browser origins allowed to call, comma-separated ("*": any)
//   ACCESS_LOG true               one JSON line per HTTP request
//   RATE_LIMIT_READS_PER_SECOND 20   RATE_LIMIT_READ_BURST 100    per caller (person or key),
//   RATE_LIMIT_WRITES_PER_SECOND 5   RATE_LIMIT_WRITE_BURST 20    across replicas; 0: no limit
#ifndef MAILLAGE_GATEWAY_GATEWAY_RUNTIME_H_
#define MAILLAGE_GATEWAY_GATEWAY_RUNTIME_H_

#include <string>
#include <vector>

#include "common/runtime/runtime.h"
#include "gateway/http/http_server.h"
#include "gateway/limits/call_timeouts.h"

namespace maillage::gateway {

struct GatewaySettings {
  HttpServerOptions http;
  std::string membership_address;
  std::string assessment_address;
  std::string matching_address;
  std::string reporting_address;
  std::string oidc_issuer;
  std::string oidc_audience;
  std::string oidc_jwks_file;
  int oidc_jwks_reload_seconds = 10;
  bool link_by_email = true;
  CallTimeouts timeouts;
  std::string membership_events_stream;
  int principal_cache_seconds = 60;
  std::vector<std::string> cors_origins;
  bool access_log = true;
  int reads_per_second = 20;
  int read_burst = 100;
  int writes_per_second = 5;
  int write_burst = 20;
};

ServiceDefinition Definition();
GatewaySettings ReadSettings(ConfigReader& config);

// What Build started, for tests.
struct Built {
  HttpServer* http = nullptr;
};
absl::StatusOr<ServiceList> Build(ServiceRuntime& rt, const GatewaySettings& settings,
                                  Built* built = nullptr);

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_GATEWAY_RUNTIME_H_
