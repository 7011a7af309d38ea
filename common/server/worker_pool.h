// common/server/worker_pool: a fixed set of threads with a bounded queue, for the blocking
// work (SQL, Redis) that must never run inside a gRPC reaction.
//
//   WorkerPool pool(/*threads=*/8, /*capacity=*/256);
//   if (!pool.TrySubmit([] { DoBlockingThing(); })) { /* full: shed load */ }
//
// TrySubmit never blocks: when `capacity` tasks are already waiting it returns false, and
// the caller answers RESOURCE_EXHAUSTED at once rather than letting latency pile up.
// Shutdown() runs the tasks already queued, then joins the threads.
//
// Admission: the pool keeps a moving average of how long a task runs, so EstimatedWait() says
// how long a task submitted now would wait for a thread (tasks queued × average ÷ threads).
// RunUnary refuses at once, with RESOURCE_EXHAUSTED, a call whose deadline comes before that:
// it could only time out in the queue after holding a place other calls could use.
//
// Metrics (RegisterMetrics; Server::Start does it for ServerOptions::worker_pools):
//   maillage_worker_queue_depth               tasks waiting
//   maillage_worker_rejections_total{reason}  full | deadline | draining | caller_gone
//   maillage_worker_queue_wait_seconds        histogram of the time from submit to start
//
// A server about to stop first calls BeginDrain() (Server::Shutdown does it for the pools in
// ServerOptions::worker_pools): the pool still runs what it is given, but draining() tells
// RunUnary to turn new and still-queued unary calls away with UNAVAILABLE, which clients
// retry elsewhere, while calls already running (and streams) finish.
#ifndef MAILLAGE_COMMON_SERVER_WORKER_POOL_H_
#define MAILLAGE_COMMON_SERVER_WORKER_POOL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace maillage {

class WorkerPool {
 public:
  WorkerPool(int threads, size_t capacity);
  ~WorkerPool();  // Calls Shutdown().

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; false when the queue is full or the pool is shut down.
  bool TrySubmit(std::function<void()> task);

  // Tasks waiting (not running).
  size_t QueueDepth() const;

  // How long a task submitted now would wait before a thread starts it, from the queue depth
  // and the moving average of task run times.
  std::chrono::nanoseconds EstimatedWait() const;
  // Replaces the moving average (tests; a warm start).
  void SetAverageRunTime(std::chrono::nanoseconds run_time);

  // Why a call was refused or dropped, for the rejections counter.
  enum class Rejection { kFull, kDeadline, kDraining, kCallerGone };
  void CountRejection(Rejection reason);

  // Registers the metrics above in `registry` (which must outlive the pool) with the label
  // pool=`name`. Once; later calls are ignored.
  void RegisterMetrics(prometheus::Registry& registry, const std::string& name = "default");

  // From now on draining() is true. Idempotent; Shutdown() implies it.
  void BeginDrain() { draining_.store(true, std::memory_order_release); }
  bool draining() const { return draining_.load(std::memory_order_acquire); }

  // Stops accepting, drains the queue, joins the threads. Idempotent.
  void Shutdown();

 private:
  void Loop();
  void RecordRun(std::chrono::steady_clock::time_point queued,
                 std::chrono::steady_clock::time_point started,
                 std::chrono::steady_clock::time_point finished);

  struct Task {
    std::function<void()> fn;
    std::chrono::steady_clock::time_point queued;
  };
  struct Metrics;

  const size_t capacity_;
  const int threads_count_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;
  // Nanoseconds, exponentially weighted (1/16 per task).
  std::atomic<int64_t> average_run_ns_{0};
  std::atomic<Metrics*> metrics_{nullptr};
  bool stopping_ = false;
  std::atomic<bool> draining_{false};
  std::vector<std::thread> threads_;
  std::mutex join_mu_;  // one Shutdown() joins; a concurrent one waits for it
  std::unique_ptr<Metrics> owned_metrics_;
};

}  // namespace maillage

#endif  // MAILLAGE_COMMON_SERVER_WORKER_POOL_H_
