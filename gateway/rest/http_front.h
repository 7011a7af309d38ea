// gateway/rest/http_front: what every HTTP response of the gateway gets, around the REST
// routes: health endpoints, CORS, security headers, W3C trace context, the access log and the
// per-route metrics.
//
//   HttpFront front({.rest = &rest, .routes = &routes, .cors_origins = {"https://console.x.fr"},
//                    .ready = [&] { return backends_ready(); }, .metrics = registry});
//   HttpServer::Start(options, [&](HttpRequest r, HttpServer::Responder done) {
//     front.Handle(std::move(r), std::move(done));
//   });
//
//  - GET /healthz: 200 while the process serves; GET /readyz: 200 when `ready` says the
//    backends can be reached, else 503 (load balancers stop sending).
//  - GET /openapi.json: the OpenAPI document; GET /docs (and its script and style): a page
//    that renders it, with a policy that lets it load only those (no credentials needed:
//    they describe the API, not its data).
//  - CORS for the configured origins only (exact match, or "*" for any): preflights
//    (OPTIONS with Access-Control-Request-Method) get 204 with the methods and headers the
//    API takes, other origins' preflights 403; responses name the allowed origin, Vary:
//    Origin, and expose x-request-id and retry-after.
//  - Every response: nosniff, no-store, DENY framing, a CSP that loads nothing, no referrer.
//  - traceparent: a malformed one is dropped (the backends never see it).
//  - One JSON access-log line per request (method, path without query, status, ms, request
//    id, route) and maillage_gateway_http_requests_total{route,status} with
//    maillage_gateway_http_request_seconds{route}; route is the gRPC method, or "unmatched".
#ifndef MAILLAGE_GATEWAY_REST_HTTP_FRONT_H_
#define MAILLAGE_GATEWAY_REST_HTTP_FRONT_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/http/http_server.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace maillage::gateway {

class RestGateway;
class RouteTable;

// Whether `value` is a W3C traceparent of version 00 ("00-<32 hex>-<16 hex>-<2 hex>", ids
// not all zero).
bool ValidTraceparent(absl::string_view value);

class HttpFront {
 public:
  struct Options {
    RestGateway* rest = nullptr;
    const RouteTable* routes = nullptr;
    std::vector<std::string> cors_origins;
    std::function<bool()> ready = [] { return true; };
    bool access_log = true;
    prometheus::Registry* metrics = nullptr;
    // Served as they are, without authentication: /openapi.json and the /docs pages.
    std::string openapi_json = {};
    struct Page {
      std::string path;
      std::string content_type;
      std::string body;
    };
    std::vector<Page> pages = {};
  };

  explicit HttpFront(Options options);
  ~HttpFront();

  void Handle(HttpRequest request, HttpServer::Responder respond);

 private:
  struct Metrics;
  const std::string* AllowedOrigin(absl::string_view origin) const;

  Options options_;
  std::unique_ptr<Metrics> metrics_;
};

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_REST_HTTP_FRONT_H_
