#include "gateway/rest/rest_gateway.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <utility>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log/log.h"
#include "gateway/http_rule/transcoder.h"
#include "gateway/limits/rate_limiter.h"
#include "gateway/rest/idempotency.h"
#include "gateway/rest/streamed_call.h"
#include "google/rpc/status.pb.h"

namespace maillage::gateway {
namespace {

constexpr char kJson[] = "application/json";

// {code, message, details}: details from the backend's google.rpc.Status when it sent one.
std::string ErrorBody(grpc::StatusCode code, absl::string_view message,
                      absl::string_view status_details) {
  google::rpc::Status status;
  std::string details = "[]";
  if (!status_details.empty() &&
      status.ParseFromArray(status_details.data(), static_cast<int>(status_details.size())) &&
      status.details_size() > 0) {
    std::string json;
    google::rpc::Status only_details;
    *only_details.mutable_details() = status.details();
    if (google::protobuf::util::MessageToJsonString(only_details, &json).ok()) {
      // {"details":[...]}: keep the array.
      size_t open = json.find('[');
      size_t close = json.rfind(']');
      if (open != std::string::npos && close != std::string::npos && close > open) {
        details = json.substr(open, close - open + 1);
      }
    }
  }
  return absl::StrCat(R"({"code":)", static_cast<int>(code), R"(,"message":)", JsonQuoted(message),
                      R"(,"details":)", details, "}");
}

HttpResponse Error(grpc::StatusCode code, absl::string_view message,
                   absl::string_view status_details = "") {
  return ErrorResponse(code, message, status_details);
}

// A body already whole, given as one piece (an upload sent without a body, or so small
// that the HTTP server did not stream it).
class WholeBody final : public BodyStream {
 public:
  explicit WholeBody(std::string body) : body_(std::move(body)) {}
  void Next(std::function<void(Piece)> done) override { done(std::exchange(body_, "")); }

 private:
  std::string body_;
};

// Seconds from a grpc-timeout header value ("100m", "5S", "1H"...), 0 when it is not one.
double GrpcTimeoutSeconds(absl::string_view v) {
  if (v.size() < 2 || v.size() > 9) return 0;
  int64_t n = 0;
  if (!absl::SimpleAtoi(v.substr(0, v.size() - 1), &n) || n <= 0) return 0;
  switch (v.back()) {
    case 'H':
      return n * 3600.0;
    case 'M':
      return n * 60.0;
    case 'S':
      return n;
    case 'm':
      return n / 1e3;
    case 'u':
      return n / 1e6;
    case 'n':
      return n / 1e9;
    default:
      return 0;
  }
}

grpc::StatusCode GrpcCode(absl::StatusCode code) { return static_cast<grpc::StatusCode>(code); }

}  // namespace

HttpResponse ErrorResponse(grpc::StatusCode code, absl::string_view message,
                           absl::string_view status_details) {
  return {.status = HttpStatusOf(code),
          .headers = {{"content-type", kJson}},
          .body = ErrorBody(code, message, status_details)};
}

int HttpStatusOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::FAILED_PRECONDITION:
      return 412;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    default:
      return 500;
  }
}

struct RestGateway::Backend {
  explicit Backend(std::shared_ptr<grpc::Channel> channel) : stub(std::move(channel)) {}
  grpc::GenericStub stub;
};

RestGateway::RestGateway(Options options) : options_(std::move(options)) {
  for (const auto& [service, channel] : options_.backends) {
    backends_[service] = std::make_unique<Backend>(channel);
  }
}

RestGateway::~RestGateway() = default;

bool RestGateway::StreamsBody(const HttpRequest& head) const {
  absl::string_view path = head.target;
  path = path.substr(0, path.find('?'));
  RouteTable::Lookup found = options_.routes->Find(head.method, path);
  return found.route != nullptr && found.route->client_streaming;
}

void RestGateway::Handle(HttpRequest request, HttpServer::Responder respond) {
  // A caller the process already knows is served on this HTTP thread (the backend call is
  // asynchronous), unless a step asks Redis (rate limits, Idempotency-Key).
  if (options_.limiter == nullptr &&
      (options_.idempotency == nullptr || request.Header("idempotency-key").empty())) {
    if (std::optional<absl::StatusOr<auth::Principal>> who =
            options_.authenticator->AuthenticateWithoutBlocking(request)) {
      return Serve(std::move(request), std::move(respond), std::move(who));
    }
  }
  // Otherwise on a worker (authentication may wait for membership); a full queue answers
  // 503 at once.
  auto shared = std::make_shared<std::pair<HttpRequest, HttpServer::Responder>>(std::move(request),
                                                                                std::move(respond));
  if (!options_.workers->TrySubmit([this, shared] {
        Serve(std::move(shared->first), std::move(shared->second), std::nullopt);
      })) {
    shared->second(Error(grpc::StatusCode::UNAVAILABLE, "gateway overloaded, retry later"));
  }
}

void RestGateway::Serve(HttpRequest request, HttpServer::Responder respond,
                        std::optional<absl::StatusOr<auth::Principal>> known) {
  const std::string request_id = RequestIdOf(request.Header("x-request-id"));
  std::function<void(HttpResponse)> reply = [respond, request_id](HttpResponse response) {
    response.headers.emplace_back("x-request-id", request_id);
    respond(std::move(response));
  };

  absl::string_view target = request.target;
  absl::string_view path = target, query;
  if (size_t q = target.find('?'); q != absl::string_view::npos) {
    path = target.substr(0, q);
    query = target.substr(q + 1);
  }
  RouteTable::Lookup found = options_.routes->Find(request.method, path);
  if (found.route == nullptr) {
    if (!found.allowed_methods.empty()) {
      HttpResponse r = Error(grpc::StatusCode::UNIMPLEMENTED,
                             absl::StrCat(request.method, " is not allowed on this path"));
      r.status = 405;
      r.headers.emplace_back("allow", absl::StrJoin(found.allowed_methods, ", "));
      return reply(std::move(r));
    }
    HttpResponse r = Error(grpc::StatusCode::NOT_FOUND, "no such route");
    return reply(std::move(r));
  }
  const Route& route = *found.route;

  absl::StatusOr<auth::Principal> who =
      known.has_value() ? *std::move(known) : options_.authenticator->Authenticate(request);
  if (!who.ok()) {
    HttpResponse r = Error(GrpcCode(who.status().code()), who.status().message());
    if (who.status().code() == absl::StatusCode::kUnauthenticated) {
      r.headers.emplace_back("www-authenticate", "Bearer");
    }
    return reply(std::move(r));
  }
  if (who->read_only() && !ReadsOnly(*route.method)) {
    return reply(Error(grpc::StatusCode::PERMISSION_DENIED, "this API key may only read"));
  }
  if (options_.limiter != nullptr) {
    RateLimiter::Decision d = options_.limiter->Take(
        who->subject(),
        route.http_method == "GET" ? RateLimiter::Kind::kRead : RateLimiter::Kind::kWrite);
    if (!d.allowed) {
      const int64_t seconds = RetryAfterSeconds(d.retry_after);
      HttpResponse r = Error(grpc::StatusCode::RESOURCE_EXHAUSTED,
                             absl::StrCat("rate limit reached: retry in ", seconds, " s"));
      r.headers.emplace_back("retry-after", absl::StrCat(seconds));
      return reply(std::move(r));
    }
  }

  // A retried POST gets the first answer (idempotency.h).
  if (std::string key(request.Header("idempotency-key"));
      !key.empty() && options_.idempotency != nullptr && request.method == "POST" &&
      !route.client_streaming && !route.server_streaming) {
    if (absl::Status s = ValidateIdempotencyKey(key); !s.ok()) {
      return reply(Error(grpc::StatusCode::INVALID_ARGUMENT, s.message()));
    }
    std::string fingerprint = RequestFingerprint(request);
    IdempotencyStore::Begin begin = options_.idempotency->Start(who->subject(), key, fingerprint);
    switch (begin.outcome) {
      case IdempotencyStore::Outcome::kReplay:
        return reply(std::move(begin.response));
      case IdempotencyStore::Outcome::kMismatch: {
        HttpResponse r = Error(grpc::StatusCode::INVALID_ARGUMENT,
                               "Idempotency-Key: already used with another request");
        r.status = 422;
        return reply(std::move(r));
      }
      case IdempotencyStore::Outcome::kInProgress:
        return reply(Error(grpc::StatusCode::ABORTED,
                           "Idempotency-Key: the first request with this key is still running"));
      case IdempotencyStore::Outcome::kUnavailable:
        break;
      case IdempotencyStore::Outcome::kProceed: {
        // Its answer is kept before the client sees it, so that a retry finds it; off the
        // gRPC thread that completes the call (Redis blocks).
        const bool keepable = route.method->output_type()->FindFieldByName("secret") == nullptr;
        reply = [reply, store = options_.idempotency, workers = options_.workers,
                 caller = who->subject(), key, fingerprint, keepable](HttpResponse response) {
          auto finish = [=]() mutable {
            store->Finish(caller, key, fingerprint, response, keepable);
            reply(std::move(response));
          };
          if (!workers->TrySubmit(finish)) finish();
        };
        break;
      }
    }
  }

  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(
          route.method->input_type());
  std::unique_ptr<google::protobuf::Message> message(prototype->New());
  // An upload's body goes in the messages after the first (streamed_call.h).
  absl::string_view body = route.client_streaming ? absl::string_view() : request.body;
  if (absl::Status s = BuildRequest(route, found.bindings, query, body, message.get()); !s.ok()) {
    return reply(Error(GrpcCode(s.code()), s.message()));
  }

  auto it = backends_.find(route.method->service()->full_name());
  if (it == backends_.end()) {
    return reply(
        Error(grpc::StatusCode::UNAVAILABLE, "the service of this route is not configured"));
  }

  absl::Time asked = absl::InfiniteFuture();
  if (double seconds = 0;
      absl::SimpleAtod(request.Header("x-request-timeout"), &seconds) && seconds > 0) {
    asked = absl::Now() + absl::Seconds(seconds);
  } else if (double s = GrpcTimeoutSeconds(request.Header("grpc-timeout")); s > 0) {
    asked = absl::Now() + absl::Seconds(s);
  }
  auto call = std::make_shared<BackendCall>();
  call->stub = &it->second->stub;
  call->route = &route;
  call->reply = std::move(reply);
  call->deadline = options_.timeouts.Deadline(*route.method, asked);
  // A read may be tried again on UNAVAILABLE (a replica restarting), within the budget.
  call->retryable = route.http_method == "GET";
  call->budget = &retry_budget_;
  call->metadata.emplace_back("x-request-id", request_id);
  // Trace context, checked by the HTTP front (http_front.h).
  for (const char* name : {"traceparent", "tracestate"}) {
    if (absl::string_view v = request.Header(name); !v.empty()) {
      call->metadata.emplace_back(name, std::string(v));
    }
  }
  auto [principal, signature] = options_.signer->Encode(*who);
  call->metadata.emplace_back(auth::kPrincipalKey, std::move(principal));
  call->metadata.emplace_back(auth::kSignatureKey, std::move(signature));
  {
    std::string bytes;
    message->SerializeToString(&bytes);
    grpc::Slice slice(bytes);
    call->request = grpc::ByteBuffer(&slice, 1);
  }
  if (route.client_streaming || route.server_streaming) {
    std::shared_ptr<BodyStream> upload = request.body_stream;
    if (route.client_streaming && upload == nullptr) {
      upload = std::make_shared<WholeBody>(std::move(request.body));
    }
    return StartStreamedCall({.stub = call->stub,
                              .route = &route,
                              .first = std::move(message),
                              .upload = std::move(upload),
                              .deadline = call->deadline,
                              .metadata = std::move(call->metadata),
                              .reply = std::move(call->reply)});
  }
  retry_budget_.OnCall();
  Dispatch(std::move(call));
}

void RestGateway::Dispatch(std::shared_ptr<BackendCall> call) {
  // A context per attempt (one cannot be reused); all kept until the call is over.
  call->contexts.push_back(std::make_unique<grpc::ClientContext>());
  grpc::ClientContext* ctx = call->contexts.back().get();
  ctx->set_deadline(absl::ToChronoTime(call->deadline));
  for (const auto& [name, value] : call->metadata) ctx->AddMetadata(name, value);
  call->response.Clear();
  call->stub->UnaryCall(
      ctx, call->route->grpc_path, grpc::StubOptions(), &call->request, &call->response,
      [call](grpc::Status status) {
        const Route& route = *call->route;
        if (status.error_code() == grpc::StatusCode::UNAVAILABLE && call->retryable &&
            call->contexts.size() < 2 && absl::Now() < call->deadline && call->budget->TryRetry()) {
          return Dispatch(call);  // asynchronous: nothing waits here
        }
        if (!status.ok()) {
          return call->reply(
              Error(status.error_code(), status.error_message(), status.error_details()));
        }
        std::unique_ptr<google::protobuf::Message> response(
            google::protobuf::MessageFactory::generated_factory()
                ->GetPrototype(route.method->output_type())
                ->New());
        std::vector<grpc::Slice> slices;
        std::string bytes;
        if (call->response.Dump(&slices).ok()) {
          for (const grpc::Slice& s : slices) {
            bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
          }
        }
        if (!response->ParseFromString(bytes)) {
          log::Error("backend response does not parse", {{"method", route.grpc_path}});
          return call->reply(Error(grpc::StatusCode::INTERNAL, "internal error"));
        }
        absl::StatusOr<std::string> json = ResponseJson(route, *response);
        if (!json.ok()) return call->reply(Error(grpc::StatusCode::INTERNAL, "internal error"));
        call->reply(
            {.status = 200, .headers = {{"content-type", kJson}}, .body = *std::move(json)});
      });
}

}  // namespace maillage::gateway
