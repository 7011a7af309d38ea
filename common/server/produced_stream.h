// common/server/produced_stream: a server-streaming handler whose messages are produced one at
// a time on the worker pool, each once the previous one was written, so a slow client holds
// one message in memory, never the whole answer, and no reaction blocks.
//
//   grpc::ServerWriteReactor<v1::CsvChunk>* ExportThings(grpc::CallbackServerContext* ctx,
//                                                         const v1::ExportRequest* req) override {
//     absl::StatusOr<auth::Principal> who = authz::VerifiedCaller(gate_, *ctx);  // before queueing
//     if (!who.ok()) {
//       return new internal::FinishedWriteReactor<v1::CsvChunk>(ToGrpcStatus(who.status()));
//     }
//     auto state = std::make_shared<ExportState>(*req, *std::move(who));
//     return new ProducedStream<v1::CsvChunk>(ctx, workers_,
//         [this, state](v1::CsvChunk* out) -> absl::StatusOr<bool> {
//           return NextChunk(*state, out);    // true: *out is the next message; false: the end
//         });
//   }
//
// The producer runs on a worker, one call at a time; an error ends the call with that status
// (mapped by ToClientStatus: internal details go to the log, never to the client). A client
// that goes away ends it with CANCELLED; a queue that stays full (WorkerSubmitter) with
// RESOURCE_EXHAUSTED. The reactor deletes itself when gRPC is done with it.
#ifndef MAILLAGE_COMMON_SERVER_PRODUCED_STREAM_H_
#define MAILLAGE_COMMON_SERVER_PRODUCED_STREAM_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <functional>

#include "absl/status/statusor.h"
#include "common/server/unary.h"
#include "common/server/worker_pool.h"
#include "common/server/worker_submitter.h"

namespace maillage {

template <typename Resp>
class ProducedStream final : public grpc::ServerWriteReactor<Resp> {
 public:
  using Producer = std::function<absl::StatusOr<bool>(Resp* out)>;

  ProducedStream(grpc::CallbackServerContext* ctx, WorkerPool* workers, Producer produce)
      : ctx_(ctx), submitter_(workers), produce_(std::move(produce)) {
    Schedule();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      this->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
      return;
    }
    Schedule();
  }

  void OnDone() override { delete this; }

 private:
  void Schedule() {
    submitter_.Submit([this] { Produce(); },
                      [this] {
                        this->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                                  "server busy, retry later"));
                      });
  }

  void Produce() {
    if (ctx_->IsCancelled()) {
      this->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
      return;
    }
    message_.Clear();
    absl::StatusOr<bool> more = produce_(&message_);
    if (!more.ok()) {
      this->Finish(ToClientStatus(more.status(), *ctx_));
    } else if (!*more) {
      this->Finish(grpc::Status::OK);
    } else {
      this->StartWrite(&message_);
    }
  }

  grpc::CallbackServerContext* ctx_;
  WorkerSubmitter submitter_;
  Producer produce_;
  Resp message_;
};

}  // namespace maillage

#endif  // MAILLAGE_COMMON_SERVER_PRODUCED_STREAM_H_
