// common/server/request_parsing: a request whose bytes are not a valid message is answered
// INVALID_ARGUMENT, as any other bad input, instead of gRPC's bare UNIMPLEMENTED.
//
// gRPC (1.51) parses a unary request before the handler exists; when the parse fails (a
// string field that is not UTF-8, bytes that are not protobuf) it answers UNIMPLEMENTED with
// an empty message and never calls the service: clients are misled ("the method does not
// exist") and the service cannot say what is wrong. A service fixes this for each of its
// unary methods in its constructor:
//
//   MembershipService::MembershipService(...) {
//     CheckRequestParsing(this, &MembershipService::GetNetwork);
//     ...
//   }
//
// The method then answers "request: not a valid maillage.membership.v1.GetNetworkRequest
// (a string field is not UTF-8, or the bytes are not protobuf)" with INVALID_ARGUMENT, before
// authentication and without taking a worker; the handler only ever sees parsed requests.
// libprotobuf's own complaint goes to the JSON log, rate-limited (common/log/library_logs.h).
#ifndef MAILLAGE_COMMON_SERVER_REQUEST_PARSING_H_
#define MAILLAGE_COMMON_SERVER_REQUEST_PARSING_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/server_callback_handlers.h>
#include <grpcpp/impl/service_type.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/message.h"

namespace maillage {

// Marks `request` (cleared) as one whose bytes did not parse; tells whether it is marked.
void MarkUnparsable(google::protobuf::Message& request);
bool IsUnparsable(const google::protobuf::Message& request);
// The INVALID_ARGUMENT answer for such a request.
grpc::Status UnparsableRequestStatus(const google::protobuf::Message& request);

namespace internal {

// gRPC's own callback handler, with a parse failure turned into a marked request.
template <typename Req, typename Resp>
class ParseCheckingUnaryHandler final : public grpc::internal::MethodHandler {
 public:
  using GetReactor =
      std::function<grpc::ServerUnaryReactor*(grpc::CallbackServerContext*, const Req*, Resp*)>;

  explicit ParseCheckingUnaryHandler(GetReactor get)
      : inner_([get = std::move(get)](grpc::CallbackServerContext* ctx, const Req* req,
                                      Resp* resp) -> grpc::ServerUnaryReactor* {
          if (IsUnparsable(*req)) {
            grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
            reactor->Finish(UnparsableRequestStatus(*req));
            return reactor;
          }
          return get(ctx, req, resp);
        }) {}

  void RunHandler(const HandlerParameter& param) override { inner_.RunHandler(param); }

  void* Deserialize(grpc_call* call, grpc_byte_buffer* req, grpc::Status* status,
                    void** handler_data) override {
    void* request = inner_.Deserialize(call, req, status, handler_data);
    if (status->ok() || *handler_data == nullptr) return request;
    // The message holder exists even when the parse failed: mark its request and let the
    // call reach the handler above, which answers it.
    auto* holder = static_cast<grpc::MessageHolder<Req, Resp>*>(*handler_data);
    MarkUnparsable(*holder->request());
    *status = grpc::Status::OK;
    return holder->request();
  }

 private:
  grpc::internal::CallbackUnaryHandler<Req, Resp> inner_;
};

// Answers a server-streaming call with `status` and nothing else.
template <typename Resp>
class FinishedWriteReactor final : public grpc::ServerWriteReactor<Resp> {
 public:
  explicit FinishedWriteReactor(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

// The same for server-streaming methods: gRPC destroys a request that did not parse, so a
// fresh one, marked, takes its place (in the call's arena, where gRPC's writer destroys it).
template <typename Req, typename Resp>
class ParseCheckingServerStreamingHandler final : public grpc::internal::MethodHandler {
 public:
  using GetReactor =
      std::function<grpc::ServerWriteReactor<Resp>*(grpc::CallbackServerContext*, const Req*)>;

  explicit ParseCheckingServerStreamingHandler(GetReactor get)
      : inner_([get = std::move(get)](grpc::CallbackServerContext* ctx,
                                      const Req* req) -> grpc::ServerWriteReactor<Resp>* {
          if (IsUnparsable(*req))
            return new FinishedWriteReactor<Resp>(UnparsableRequestStatus(*req));
          return get(ctx, req);
        }) {}

  void RunHandler(const HandlerParameter& param) override { inner_.RunHandler(param); }

  void* Deserialize(grpc_call* call, grpc_byte_buffer* req, grpc::Status* status,
                    void** handler_data) override {
    void* request = inner_.Deserialize(call, req, status, handler_data);
    if (status->ok()) return request;
    auto* fresh =
        new (grpc::g_core_codegen_interface->grpc_call_arena_alloc(call, sizeof(Req))) Req();
    MarkUnparsable(*fresh);
    *status = grpc::Status::OK;
    return fresh;
  }

 private:
  grpc::internal::CallbackServerStreamingHandler<Req, Resp> inner_;
};

// Gives CheckRequestParsing access to grpc::Service::MarkMethodCallback (protected).
struct ServiceAccess : grpc::Service {
  static void Mark(grpc::Service* service, int index, grpc::internal::MethodHandler* handler) {
    (service->*(&ServiceAccess::MarkMethodCallback))(index, handler);
  }
};

// The index gRPC's generated code gives the one unary method, among the services of
// `input`'s .proto file, that takes `input` and returns `output` (its declaration order);
// aborts when there is not exactly one (a programming error, found at the first start).
int UniqueMethodIndex(const google::protobuf::Descriptor* input,
                      const google::protobuf::Descriptor* output, bool server_streaming = false);

}  // namespace internal

// Replaces gRPC's handler of the unary `method` of `service` (found by its request and
// response types) by one that answers an unparsable request with INVALID_ARGUMENT. `Svc` is
// the service's own class.
template <typename Svc, typename Req, typename Resp>
void CheckRequestParsing(Svc* service,
                         grpc::ServerUnaryReactor* (Svc::*method)(grpc::CallbackServerContext*,
                                                                  const Req*, Resp*)) {
  int index = internal::UniqueMethodIndex(Req::descriptor(), Resp::descriptor());
  internal::ServiceAccess::Mark(
      service, index,
      new internal::ParseCheckingUnaryHandler<Req, Resp>(
          [service, method](grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) {
            return (service->*method)(ctx, req, resp);
          }));
}

// The same for a server-streaming `method`.
template <typename Svc, typename Req, typename Resp>
void CheckRequestParsing(Svc* service, grpc::ServerWriteReactor<Resp>* (Svc::*method)(
                                           grpc::CallbackServerContext*, const Req*)) {
  int index = internal::UniqueMethodIndex(Req::descriptor(), Resp::descriptor(),
                                          /*server_streaming=*/true);
  internal::ServiceAccess::Mark(
      service, index,
      new internal::ParseCheckingServerStreamingHandler<Req, Resp>(
          [service, method](grpc::CallbackServerContext* ctx, const Req* req) {
            return (service->*method)(ctx, req);
          }));
}

}  // namespace maillage

#endif  // MAILLAGE_COMMON_SERVER_REQUEST_PARSING_H_
