// common/server/worker_submitter: runs a streaming reactor's next step on the worker pool,
// patiently. A full queue is most often momentary (a burst of calls), and failing a long
// stream for it throws away what was sent: TrySubmit is retried after growing pauses (10 ms
// doubling to 500 ms, about 2 s in all) before `give_up` runs. The pauses are gRPC alarms,
// so no thread waits.
//
//   WorkerSubmitter submitter(workers);      // one per reactor
//   submitter.Submit([this] { Produce(); },
//                    [this] { Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
//                                                 "server busy, retry later")); });
#ifndef MAILLAGE_COMMON_SERVER_WORKER_SUBMITTER_H_
#define MAILLAGE_COMMON_SERVER_WORKER_SUBMITTER_H_

#include <grpcpp/alarm.h>

#include <algorithm>
#include <cstdint>
#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/server/worker_pool.h"

namespace maillage {

class WorkerSubmitter {
 public:
  explicit WorkerSubmitter(WorkerPool* pool) : pool_(pool) {}

  // `task` on a worker, or `give_up` (on an alarm thread) when the queue stayed full. Neither
  // may be pending when Submit is called again.
  void Submit(std::function<void()> task, std::function<void()> give_up) {
    task_ = std::move(task);
    give_up_ = std::move(give_up);
    attempts_ = 0;
    Try();
  }

 private:
  static constexpr int kRetries = 9;

  void Try() {
    // Nothing of this object is touched once the task or give_up_ may have ended the call.
    if (pool_->TrySubmit(task_)) return;
    if (attempts_ == kRetries) {
      give_up_();
      return;
    }
    absl::Duration pause = std::min(absl::Milliseconds(10 << attempts_), absl::Milliseconds(500));
    ++attempts_;
    // Two alarms in turn: an alarm is never set again from inside its own callback.
    grpc::Alarm& alarm = alarms_[sets_++ % 2];
    alarm.Set(absl::ToChronoTime(absl::Now() + pause), [this](bool) { Try(); });
  }

  WorkerPool* pool_;
  std::function<void()> task_;
  std::function<void()> give_up_;
  int attempts_ = 0;
  uint64_t sets_ = 0;
  grpc::Alarm alarms_[2];
};

}  // namespace maillage

#endif  // MAILLAGE_COMMON_SERVER_WORKER_SUBMITTER_H_
