// common/authz/authorized_unary: the frame of every unary handler of every service, so that a
// handler holds only its own logic:
//   1. in the reaction, before the call takes a queue slot: the caller's signed principal is
//      verified (an HMAC: microseconds; unsigned calls must not crowd out signed ones) and
//      its ids canonicalised;
//   2. on a worker (RunUnary: queue limits, deadlines, shutdown, one status mapping): the
//      request's ids canonicalised, the service's authorisation table checked for the RPC
//      that takes this request type, then the handler.
//
//   class AssessmentService final : public v1::AssessmentService::CallbackService {
//     grpc::ServerUnaryReactor* GetMatrix(grpc::CallbackServerContext* ctx,
//                                         const v1::GetMatrixRequest* req,
//                                         v1::Matrix* resp) override {
//       return ServeAuthorized(ctx, req, gate_, [=](const auth::Principal& who) {
//         return store_->CurrentMatrix(req->network_id(), resp);
//       });
//     }
//     authz::CallGate gate_{.verifier = &verifier, .clock = absl::Now, .workers = &pool,
//                           .table = &table};
//   };
//
// Each RPC of a service must take its own request type (the table's row is found by it).
#ifndef MAILLAGE_COMMON_AUTHZ_AUTHORIZED_UNARY_H_
#define MAILLAGE_COMMON_AUTHZ_AUTHORIZED_UNARY_H_

#include <google/protobuf/descriptor.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <functional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "common/auth/auth.h"
#include "common/authz/authz.h"
#include "common/ids/canonical_ids.h"
#include "common/server/unary.h"
#include "common/status/status.h"

namespace maillage::authz {

struct CallGate {
  const auth::PrincipalVerifier* verifier = nullptr;
  std::function<absl::Time()> clock = absl::Now;
  WorkerPool* workers = nullptr;
  const Table* table = nullptr;
};

// The caller of `ctx`, verified, with every id canonical (subject included). Also for
// streaming handlers, which call it in their reactor's constructor.
inline absl::StatusOr<auth::Principal> VerifiedCaller(const CallGate& gate,
                                                      const grpc::ServerContextBase& ctx) {
  absl::StatusOr<auth::Principal> who = gate.verifier->Verify(ctx, gate.clock());
  if (!who.ok()) return who.status();
  CanonicaliseIds(&*who);
  CanonicaliseId(who->mutable_subject());
  return who;
}

// The name of the method of `service` whose request type is `input`; "" for none (which
// the table refuses, failing closed).
inline std::string RpcTaking(absl::string_view service, const google::protobuf::Descriptor& input) {
  const google::protobuf::ServiceDescriptor* s =
      input.file()->pool()->FindServiceByName(std::string(service));
  for (int i = 0; s != nullptr && i < s->method_count(); ++i) {
    if (s->method(i)->input_type() == &input) return s->method(i)->name();
  }
  return "";
}

template <typename Req, typename Fn>
grpc::ServerUnaryReactor* ServeAuthorized(grpc::CallbackServerContext* ctx, const Req* req,
                                          const CallGate& gate, Fn fn) {
  absl::StatusOr<auth::Principal> verified = VerifiedCaller(gate, *ctx);
  if (!verified.ok()) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(ToGrpcStatus(verified.status()));
    return reactor;
  }
  static const std::string rpc = RpcTaking(gate.table->service(), *Req::descriptor());
  return RunUnary(
      ctx, *gate.workers,
      [&gate, req, who = *std::move(verified), fn = std::move(fn)]() mutable -> absl::Status {
        // gRPC owns the request and hands it over as const, but the object itself
        // is not const and no one else reads it: canonicalising it in place spares
        // every handler a copy.
        CanonicaliseIds(const_cast<Req*>(req));
        MAILLAGE_RETURN_IF_ERROR(gate.table->Check(rpc, who, *req));
        return fn(who);
      });
}

}  // namespace maillage::authz

#endif  // MAILLAGE_COMMON_AUTHZ_AUTHORIZED_UNARY_H_
