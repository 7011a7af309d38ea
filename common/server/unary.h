// common/server/unary: finishing a unary callback RPC on the worker pool.
//
// A handler of a CallbackService validates nothing itself; it hands the whole request to
// the pool and returns the default reactor at once:
//
//   grpc::ServerUnaryReactor* GetOrganisation(grpc::CallbackServerContext* ctx,
//                                             const GetOrganisationRequest* req,
//                                             Organisation* resp) override {
//     return RunUnary(ctx, *pool_, [=] { return logic_.GetOrganisation(*req, resp); });
//   }
//
// The function runs on a worker thread and returns an absl::Status; RunUnary maps it to
// grpc::Status exactly once. A full queue finishes the call with RESOURCE_EXHAUSTED without
// running it; a call already cancelled or past its deadline is not run either.
#ifndef MAILLAGE_COMMON_SERVER_UNARY_H_
#define MAILLAGE_COMMON_SERVER_UNARY_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <utility>

#include "absl/status/status.h"
#include "common/server/worker_pool.h"
#include "common/status/status.h"

namespace maillage {

template <typename Fn>
grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* ctx, WorkerPool& pool, Fn fn) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  bool queued = pool.TrySubmit([ctx, reactor, fn = std::move(fn)]() mutable {
    if (ctx->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled before it ran"));
      return;
    }
    absl::Status status = fn();
    reactor->Finish(ToGrpcStatus(status));
  });
  if (!queued) {
    reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                 "server busy: worker queue full, retry with backoff"));
  }
  return reactor;
}

}  // namespace maillage

#endif  // MAILLAGE_COMMON_SERVER_UNARY_H_
