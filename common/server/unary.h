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
// grpc::Status exactly once, with ToClientStatus (below): the text of a server fault never
// reaches the client. Once the pool drains (the server is shutting down), calls not yet
// running finish with UNAVAILABLE "server shutting down", which clients retry; a call whose
// caller has gone (cancelled, or its deadline passed) while it waited is dropped unrun. A full
// queue finishes the call with RESOURCE_EXHAUSTED without running it, and so does a call whose
// deadline comes before the pool's estimated wait (WorkerPool::EstimatedWait); a call already
// cancelled or past its deadline is not run either.
#ifndef MAILLAGE_COMMON_SERVER_UNARY_H_
#define MAILLAGE_COMMON_SERVER_UNARY_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <chrono>
#include <utility>

#include "absl/status/status.h"
#include "common/server/worker_pool.h"
#include "common/status/status.h"

namespace maillage {

// The status a client may see for `status`. INTERNAL, UNKNOWN and DATA_LOSS keep their code
// but their message (SQL text, PostgreSQL DETAIL lines, other tenants' data) is replaced by
// "internal error; request id <id>" and logged at error level with that id; <id> is the
// caller's x-request-id metadata, or a fresh one. Other codes map as ToGrpcStatus.
//
//   reactor->Finish(ToClientStatus(absl::InternalError("ERROR: duplicate key ..."), *ctx));
//   // client: INTERNAL "internal error; request id 4f1c..."; log: {"error":"ERROR: dup..."}
grpc::Status ToClientStatus(const absl::Status& status, const grpc::ServerContextBase& ctx);

template <typename Fn>
grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* ctx, WorkerPool& pool, Fn fn) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  const grpc::Status kShuttingDown(grpc::StatusCode::UNAVAILABLE, "server shutting down");
  if (pool.draining()) {
    pool.CountRejection(WorkerPool::Rejection::kDraining);
    reactor->Finish(kShuttingDown);
    return reactor;
  }
  // Refused now rather than timed out later: the call would wait longer than its caller.
  if (ctx->deadline() != std::chrono::system_clock::time_point::max() &&
      std::chrono::system_clock::now() + pool.EstimatedWait() > ctx->deadline()) {
    pool.CountRejection(WorkerPool::Rejection::kDeadline);
    reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                 "server busy: the wait for a worker would pass the call's "
                                 "deadline; retry with backoff"));
    return reactor;
  }
  bool queued = pool.TrySubmit([ctx, reactor, &pool, kShuttingDown, fn = std::move(fn)]() mutable {
    if (pool.draining()) {  // not run: another replica can take it
      pool.CountRejection(WorkerPool::Rejection::kDraining);
      reactor->Finish(kShuttingDown);
      return;
    }
    // The caller has stopped waiting: running it would only take a worker from live calls.
    // The deadline first: gRPC also marks such a call cancelled, but the client saw
    // DEADLINE_EXCEEDED, and the access log should say so.
    if (ctx->deadline() <= std::chrono::system_clock::now()) {
      pool.CountRejection(WorkerPool::Rejection::kCallerGone);
      reactor->Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                   "deadline passed while the call waited for a worker"));
      return;
    }
    if (ctx->IsCancelled()) {
      pool.CountRejection(WorkerPool::Rejection::kCallerGone);
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled before it ran"));
      return;
    }
    absl::Status status = fn();
    reactor->Finish(ToClientStatus(status, *ctx));
  });
  if (!queued) {
    reactor->Finish(pool.draining()
                        ? kShuttingDown
                        : grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                       "server busy: worker queue full, retry with backoff"));
  }
  return reactor;
}

}  // namespace maillage

#endif  // MAILLAGE_COMMON_SERVER_UNARY_H_
