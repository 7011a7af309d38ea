#include "gateway/rest/http_front.h"

#include <google/protobuf/descriptor.h>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "gateway/http_rule/route_table.h"
#include "gateway/rest/rest_gateway.h"

namespace maillage::gateway {
namespace {

constexpr char kAllowedHeaders[] =
    "authorization, content-type, idempotency-key, x-api-key, x-maillage-organisation, "
    "x-request-id, x-request-timeout, traceparent, tracestate";

// The /docs page loads its own script and style and fetches the document, nothing else.
constexpr char kDocsPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
constexpr char kApiPolicy[] = "default-src 'none'; frame-ancestors 'none'";

void AddSecurityHeaders(HttpResponse& r) {
  bool has_policy = false;
  for (const auto& [name, value] : r.headers)
    has_policy = has_policy || name == "content-security-policy";
  r.headers.emplace_back("x-content-type-options", "nosniff");
  r.headers.emplace_back("cache-control", "no-store");
  r.headers.emplace_back("x-frame-options", "DENY");
  if (!has_policy) r.headers.emplace_back("content-security-policy", kApiPolicy);
  r.headers.emplace_back("referrer-policy", "no-referrer");
}

bool IsLowerHex(absl::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

bool ValidTraceparent(absl::string_view v) {
  if (v.size() != 55 || v[2] != '-' || v[35] != '-' || v[52] != '-') return false;
  absl::string_view version = v.substr(0, 2), trace = v.substr(3, 32), parent = v.substr(36, 16),
                    flags = v.substr(53, 2);
  return version == "00" && IsLowerHex(trace) && IsLowerHex(parent) && IsLowerHex(flags) &&
         trace != std::string(32, '0') && parent != std::string(16, '0');
}

struct HttpFront::Metrics {
  prometheus::Family<prometheus::Counter>* requests = nullptr;
  prometheus::Family<prometheus::Histogram>* seconds = nullptr;
  std::mutex mu;
  absl::flat_hash_map<std::string, prometheus::Histogram*> histograms;
  absl::flat_hash_map<std::string, prometheus::Counter*> counters;

  void Record(const std::string& route, int status, double elapsed) {
    std::lock_guard<std::mutex> lock(mu);
    auto h = histograms.find(route);
    if (h == histograms.end()) {
      h = histograms
              .emplace(route, &seconds->Add({{"route", route}},
                                            prometheus::Histogram::BucketBoundaries{
                                                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                0.1, 0.25, 0.5, 1, 2.5, 5, 10}))
              .first;
    }
    h->second->Observe(elapsed);
    const std::string key = absl::StrCat(route, "|", status);
    auto c = counters.find(key);
    if (c == counters.end()) {
      c = counters
              .emplace(key, &requests->Add({{"route", route}, {"status", absl::StrCat(status)}}))
              .first;
    }
    c->second->Increment();
  }
};

HttpFront::HttpFront(Options options) : options_(std::move(options)) {
  if (options_.metrics == nullptr) return;
  metrics_ = std::make_unique<Metrics>();
  metrics_->requests = &prometheus::BuildCounter()
                            .Name("maillage_gateway_http_requests_total")
                            .Help("HTTP requests answered by the gateway, by route and status")
                            .Register(*options_.metrics);
  metrics_->seconds = &prometheus::BuildHistogram()
                           .Name("maillage_gateway_http_request_seconds")
                           .Help("Time from a parsed HTTP request to its response, by route")
                           .Register(*options_.metrics);
}

HttpFront::~HttpFront() = default;

const std::string* HttpFront::AllowedOrigin(absl::string_view origin) const {
  for (const std::string& allowed : options_.cors_origins) {
    if (allowed == "*" || allowed == origin) return &allowed;
  }
  return nullptr;
}

void HttpFront::Handle(HttpRequest request, HttpServer::Responder respond) {
  const auto started = std::chrono::steady_clock::now();
  absl::string_view target = request.target;
  const absl::string_view path = target.substr(0, target.find('?'));

  // The route label, bounded: the gRPC method, else one word.
  std::string route = "unmatched";
  const Options::Page* page = nullptr;
  for (const Options::Page& p : options_.pages) {
    if (p.path == path) page = &p;
  }
  if (path == "/healthz" || path == "/readyz") {
    route = std::string(path.substr(1));
  } else if (path == "/openapi.json" || page != nullptr) {
    route = "docs";
  } else if (RouteTable::Lookup found = options_.routes->Find(request.method, path);
             found.route != nullptr) {
    route = found.route->method->full_name();
  }

  std::string origin(request.Header("origin"));
  const bool cors = !origin.empty() && AllowedOrigin(origin) != nullptr;
  auto finish = [this, respond = std::move(respond), started, route, cors, origin,
                 method = request.method, logged_path = std::string(path),
                 request_id =
                     std::string(request.Header("x-request-id"))](HttpResponse response) mutable {
    AddSecurityHeaders(response);
    if (cors) {
      response.headers.emplace_back("access-control-allow-origin", origin);
      response.headers.emplace_back("vary", "Origin");
      response.headers.emplace_back("access-control-expose-headers",
                                    "x-request-id, retry-after, idempotent-replayed");
    }
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (metrics_ != nullptr) metrics_->Record(route, response.status, elapsed);
    if (options_.access_log) {
      std::string id = request_id;
      for (const auto& [name, value] : response.headers) {
        if (name == "x-request-id") id = value;
      }
      log::Info("http request", {{"method", method},
                                 {"path", logged_path.substr(0, 256)},
                                 {"status", absl::StrCat(response.status)},
                                 {"ms", absl::StrCat(static_cast<int64_t>(elapsed * 1000))},
                                 {"route", route},
                                 {"request_id", id}});
    }
    respond(std::move(response));
  };

  if (path == "/healthz") {
    return finish({.status = 200, .headers = {{"content-type", "text/plain"}}, .body = "ok\n"});
  }
  if (request.method == "GET" && path == "/openapi.json" && !options_.openapi_json.empty()) {
    return finish({.status = 200,
                   .headers = {{"content-type", "application/json"}},
                   .body = options_.openapi_json});
  }
  if (request.method == "GET" && page != nullptr) {
    return finish({.status = 200,
                   .headers = {{"content-type", page->content_type},
                               {"content-security-policy", kDocsPolicy}},
                   .body = page->body});
  }
  if (path == "/readyz") {
    const bool ready = options_.ready();
    return finish({.status = ready ? 200 : 503,
                   .headers = {{"content-type", "text/plain"}},
                   .body = ready ? "ready\n" : "backends unreachable\n"});
  }
  if (request.method == "OPTIONS" && !request.Header("access-control-request-method").empty()) {
    if (!cors) return finish({.status = 403, .headers = {}, .body = ""});
    return finish({.status = 204,
                   .headers = {{"access-control-allow-methods", "GET, POST, PUT, PATCH, DELETE"},
                               {"access-control-allow-headers", kAllowedHeaders},
                               {"access-control-allow-credentials", "false"},
                               {"access-control-max-age", "600"}},
                   .body = ""});
  }
  // A malformed trace context is dropped rather than passed on.
  request.headers.erase(
      std::remove_if(request.headers.begin(), request.headers.end(),
                     [](const auto& h) {
                       return (h.first == "traceparent" && !ValidTraceparent(h.second)) ||
                              (h.first == "tracestate" && h.second.size() > 512);
                     }),
      request.headers.end());
  options_.rest->Handle(std::move(request), std::move(finish));
}

}  // namespace maillage::gateway
