// gateway/rest/rest_gateway: answers REST/JSON requests by calling the backend gRPC method
// their route names, as a generic call (serialised request in, serialised response out).
//
//   RestGateway rest({.routes = &routes, .backends = &backends, .authenticator = &authn,
//                     .signer = &signer, .workers = &workers});
//   HttpServer::Start(options, [&](HttpRequest r, HttpServer::Responder done) {
//     rest.Handle(std::move(r), std::move(done));
//   });
//
// For each request, on a worker, or on the HTTP thread when nothing can block (the caller is
// known to the process, no rate limit or Idempotency-Key asks Redis):
//   1. the route (404 with the path, 405 with Allow);
//   2. the caller (Authenticator; 401 with WWW-Authenticate when it fails);
//   3. the request message from path, query and JSON body (transcoder.h; 400 naming the field);
//   4. the backend call, asynchronous, with the caller's principal signed for the backends and
//      a deadline (`x-request-timeout` seconds when given, capped by the route's timeout);
//      a GET answered UNAVAILABLE is tried once more within that deadline, as long as the
//      retry budget (retry_budget.h) allows; a streaming route's call is streamed_call.h
//      (an upload read as it arrives, a download written as it comes; no Idempotency-Key);
//   5. the JSON response, or the error {code, message, details}: the gRPC code, its message
//      and the google.rpc.Status details (BadRequest field violations...) in the JSON mapping,
//      with the HTTP status of the standard mapping (StatusFromGrpc).
// Every response carries x-request-id (the client's when it sent a sane one, else a new one),
// passed to the backend as metadata too.
#ifndef MAILLAGE_GATEWAY_REST_REST_GATEWAY_H_
#define MAILLAGE_GATEWAY_REST_REST_GATEWAY_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/auth.h"
#include "common/server/worker_pool.h"
#include "gateway/auth/authenticator.h"
#include "gateway/http/http_server.h"
#include "gateway/http_rule/route_table.h"
#include "gateway/limits/call_timeouts.h"
#include "gateway/rest/retry_budget.h"

namespace maillage::gateway {

// The HTTP status of a gRPC code: 400 INVALID_ARGUMENT and OUT_OF_RANGE, 401
// UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND, 409 ALREADY_EXISTS and ABORTED, 412
// FAILED_PRECONDITION, 429 RESOURCE_EXHAUSTED, 499 CANCELLED, 501 UNIMPLEMENTED, 503
// UNAVAILABLE, 504 DEADLINE_EXCEEDED, 500 the rest.
int HttpStatusOf(grpc::StatusCode code);

// The JSON error {code, message, details} with the HTTP status of `code`; `status_details`:
// a serialised google.rpc.Status whose details are given (field violations...).
HttpResponse ErrorResponse(grpc::StatusCode code, absl::string_view message,
                           absl::string_view status_details = "");

class IdempotencyStore;
class RateLimiter;

class RestGateway {
 public:
  struct Options {
    const RouteTable* routes = nullptr;
    // Service full name ("maillage.membership.v1.MembershipService") -> its channel.
    std::map<std::string, std::shared_ptr<grpc::Channel>> backends;
    Authenticator* authenticator = nullptr;
    const auth::PrincipalSigner* signer = nullptr;
    WorkerPool* workers = nullptr;
    // Optional: per-caller limits (429 with Retry-After); GET routes are reads.
    RateLimiter* limiter = nullptr;
    // Optional: Idempotency-Key on POST (idempotency.h).
    IdempotencyStore* idempotency = nullptr;
    // Longest a backend call may take, per method; a client's x-request-timeout (seconds)
    // or grpc-timeout may only shorten it.
    CallTimeouts timeouts = {};
  };

  explicit RestGateway(Options options);
  ~RestGateway();

  void Handle(HttpRequest request, HttpServer::Responder respond);

  // For HttpServerOptions::stream_body: whether a request's body is an upload to stream (its
  // route is client-streaming).
  bool StreamsBody(const HttpRequest& head) const;

 private:
  struct Backend;
  // `known`: the caller, when it was told without blocking.
  void Serve(HttpRequest request, HttpServer::Responder respond,
             std::optional<absl::StatusOr<auth::Principal>> known);

  // One backend call, across its attempts.
  struct BackendCall {
    grpc::GenericStub* stub = nullptr;
    const Route* route = nullptr;
    std::function<void(HttpResponse)> reply;
    absl::Time deadline;
    bool retryable = false;
    RetryBudget* budget = nullptr;
    std::vector<std::pair<std::string, std::string>> metadata;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
    std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  };
  static void Dispatch(std::shared_ptr<BackendCall> call);

  Options options_;
  std::map<std::string, std::unique_ptr<Backend>> backends_;
  // Retries of reads on UNAVAILABLE: at most a tenth of the calls (plus a burst of 20).
  RetryBudget retry_budget_{{.ratio = 0.1, .max_tokens = 20}};
};

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_REST_REST_GATEWAY_H_
