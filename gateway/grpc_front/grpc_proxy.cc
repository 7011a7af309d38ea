#include "gateway/grpc_front/grpc_proxy.h"

#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/log/log.h"
#include "gateway/http/http_server.h"
#include "gateway/http_rule/route_table.h"
#include "gateway/limits/rate_limiter.h"

namespace maillage::gateway {
namespace {

// What the authenticator reads from a gRPC call (it speaks HTTP header names).
constexpr absl::string_view kCredentialHeaders[] = {"authorization", "x-api-key",
                                                    "x-maillage-organisation"};
// What the backend gets from the caller's metadata besides what the gateway sets.
constexpr absl::string_view kPassedOn[] = {"traceparent", "tracestate"};

absl::string_view View(const grpc::string_ref& s) { return absl::string_view(s.data(), s.size()); }

grpc::StatusCode GrpcCodeOf(absl::StatusCode code) {
  return static_cast<grpc::StatusCode>(static_cast<int>(code));
}

}  // namespace

struct GrpcProxy::Backend {
  std::unique_ptr<grpc::GenericStub> stub;
};

// One proxied call: the caller's side (this reactor) and the backend's side (Upstream), which
// hand each message over one at a time. Deleted once both sides are done.
class GrpcProxy::Call final : public grpc::ServerGenericBidiReactor {
 public:
  Call(const Options& options, grpc::GenericCallbackServerContext* ctx, grpc::GenericStub* stub)
      : options_(options), ctx_(ctx), stub_(stub), upstream_(this) {}

  // Authenticates (in this reaction when it needs no waiting, else on a worker), then starts
  // the backend call.
  void Begin() {
    // Extra references: once the backend call starts, the whole exchange may end (and the
    // caller's OnDone run) on gRPC's threads before Start has returned.
    refs_.fetch_add(1);
    HttpRequest credentials = Credentials();
    // Rate limits ask Redis: with them, every call takes the worker path.
    if (options_.limiter == nullptr) {
      if (std::optional<absl::StatusOr<auth::Principal>> who =
              options_.authenticator->AuthenticateWithoutBlocking(credentials)) {
        Start(*std::move(who));
        Unref();
        return;
      }
    }
    auto task = [this, credentials = std::move(credentials)] {
      Start(options_.authenticator->Authenticate(credentials));
      Unref();
    };
    if (!options_.workers->TrySubmit(std::move(task))) {
      Unref();
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "gateway busy, retry"));
    }
  }

  void Refuse(grpc::Status status) { Finish(std::move(status)); }

  // The caller's side. Its reads and writes are the backend call's operations started
  // outside the backend's reactions, hence the two holds (write flow, read flow) on it.
  void OnReadDone(bool ok) override {
    if (!ok) {  // the caller half-closed (or went away): no more requests
      upstream_.StartWritesDone();
      upstream_.RemoveHold();  // write flow
      return;
    }
    upstream_.StartWrite(&from_caller_);
  }
  void OnWriteDone(bool ok) override {
    if (ok) {
      upstream_.StartRead(&from_backend_);
    } else {
      upstream_.RemoveHold();  // read flow: the caller cannot take more
    }
  }
  void OnCancel() override {
    // With the flag set on both sides, one of them sees the other's (TryCancel is idempotent).
    cancelled_.store(true);
    if (started_.load()) client_ctx_.TryCancel();
  }
  void OnDone() override { Unref(); }

 private:
  class Upstream final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
   public:
    explicit Upstream(Call* call) : call_(call) {}
    void OnReadDone(bool ok) override {
      if (ok) {
        call_->StartWrite(&call_->from_backend_);
      } else {
        RemoveHold();  // read flow: the backend sent its last message; its status follows
      }
    }
    void OnWriteDone(bool ok) override {
      if (ok) {
        call_->StartRead(&call_->from_caller_);
      } else {
        RemoveHold();  // write flow: the backend finished while the caller was still sending
      }
    }
    // Both flows have ended, so nothing is pending on the caller's side: Finish is safe.
    void OnDone(const grpc::Status& status) override { call_->UpstreamDone(status); }

   private:
    Call* const call_;
  };

  // What the authenticator reads from the call's metadata (it speaks HTTP header names).
  HttpRequest Credentials() const {
    HttpRequest credentials;
    for (const auto& [key, value] : ctx_->client_metadata()) {
      for (absl::string_view name : kCredentialHeaders) {
        if (View(key) == name) credentials.headers.emplace_back(name, View(value));
      }
    }
    return credentials;
  }

  void Start(absl::StatusOr<auth::Principal> who) {
    if (!who.ok()) {
      Finish(grpc::Status(GrpcCodeOf(who.status().code()), std::string(who.status().message())));
      return;
    }

    // The method, for read-only keys and the deadline's cap.
    const std::string full_name =
        absl::StrCat(absl::string_view(ctx_->method()).substr(1));  // "pkg.Service/Method"
    std::string dotted = full_name;
    std::replace(dotted.begin(), dotted.end(), '/', '.');
    const google::protobuf::MethodDescriptor* method =
        google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(dotted);
    if (who->read_only() && (method == nullptr || !ReadsOnly(*method))) {
      Finish(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "this API key may only read"));
      return;
    }
    if (options_.limiter != nullptr) {
      RateLimiter::Decision d = options_.limiter->Take(
          who->subject(), method != nullptr && ReadsOnly(*method) ? RateLimiter::Kind::kRead
                                                                  : RateLimiter::Kind::kWrite);
      if (!d.allowed) {
        const int64_t seconds = RetryAfterSeconds(d.retry_after);
        ctx_->AddTrailingMetadata("retry-after", absl::StrCat(seconds));
        Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                            absl::StrCat("rate limit reached: retry in ", seconds, " s")));
        return;
      }
    }

    std::string request_id;
    for (const auto& [key, value] : ctx_->client_metadata()) {
      if (View(key) == "x-request-id") request_id = std::string(View(value));
      for (absl::string_view name : kPassedOn) {
        if (View(key) == name) client_ctx_.AddMetadata(std::string(name), std::string(View(value)));
      }
    }
    request_id = RequestIdOf(request_id);
    client_ctx_.AddMetadata("x-request-id", request_id);
    ctx_->AddInitialMetadata("x-request-id", request_id);
    options_.signer->Attach(*who, &client_ctx_);

    // The caller's deadline, never longer than the method's limit.
    const absl::Time caller_deadline = absl::FromChrono(ctx_->deadline());
    client_ctx_.set_deadline(absl::ToChronoTime(
        method != nullptr ? options_.timeouts.Deadline(*method, caller_deadline)
                          : std::min(caller_deadline, absl::Now() + absl::Seconds(10))));

    refs_.fetch_add(1);  // the backend's side, released by its OnDone
    stub_->PrepareBidiStreamingCall(&client_ctx_, ctx_->method(), {}, &upstream_);
    upstream_.AddMultipleHolds(2);  // the write flow and the read flow
    upstream_.StartCall();
    started_.store(true);
    upstream_.StartRead(&from_backend_);
    StartRead(&from_caller_);
    // A caller that cancelled before the backend call existed (ctx_ must not be touched from
    // here on: the exchange may already be over, and gRPC frees it after OnDone).
    if (cancelled_.load()) client_ctx_.TryCancel();
  }

  void UpstreamDone(const grpc::Status& status) {
    for (const auto& [key, value] : client_ctx_.GetServerTrailingMetadata()) {
      if (!absl::StartsWith(View(key), "grpc-")) {
        ctx_->AddTrailingMetadata(std::string(View(key)), std::string(View(value)));
      }
    }
    grpc::Status copy = status;
    Unref();  // the caller's OnDone (after Finish) holds the last reference
    Finish(copy);
  }

  void Unref() {
    if (refs_.fetch_sub(1) == 1) delete this;
  }

  const Options& options_;
  grpc::GenericCallbackServerContext* const ctx_;
  grpc::GenericStub* const stub_;
  Upstream upstream_;
  grpc::ClientContext client_ctx_;
  grpc::ByteBuffer from_caller_;
  grpc::ByteBuffer from_backend_;
  std::atomic<bool> started_{false};
  std::atomic<bool> cancelled_{false};
  // The caller's side (released by OnDone), the authentication task while it runs, and the
  // backend's side once started.
  std::atomic<int> refs_{1};
};

GrpcProxy::GrpcProxy(Options options) : options_(std::move(options)) {
  for (const auto& [service, channel] : options_.backends) {
    auto backend = std::make_unique<Backend>();
    backend->stub = std::make_unique<grpc::GenericStub>(channel);
    backends_.emplace(service, std::move(backend));
  }
}

GrpcProxy::~GrpcProxy() = default;

grpc::ServerGenericBidiReactor* GrpcProxy::CreateReactor(grpc::GenericCallbackServerContext* ctx) {
  // "/maillage.membership.v1.MembershipService/GetNetwork"
  absl::string_view method = ctx->method();
  const size_t slash = method.rfind('/');
  Backend* backend = nullptr;
  if (method.size() > 1 && method[0] == '/' && slash != absl::string_view::npos && slash > 1) {
    auto it = backends_.find(method.substr(1, slash - 1));
    if (it != backends_.end()) backend = it->second.get();
  }
  auto* call = new Call(options_, ctx, backend == nullptr ? nullptr : backend->stub.get());
  if (backend == nullptr) {
    call->Refuse(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                              absl::StrCat("no Maillage service answers ", method.substr(0, 200))));
  } else {
    call->Begin();
  }
  return call;
}

}  // namespace maillage::gateway
