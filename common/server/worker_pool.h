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
// A server about to stop first calls BeginDrain() (Server::Shutdown does it for the pools in
// ServerOptions::worker_pools): the pool still runs what it is given, but draining() tells
// RunUnary to turn new and still-queued unary calls away with UNAVAILABLE, which clients
// retry elsewhere, while calls already running (and streams) finish.
#ifndef MAILLAGE_COMMON_SERVER_WORKER_POOL_H_
#define MAILLAGE_COMMON_SERVER_WORKER_POOL_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

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

  // From now on draining() is true. Idempotent; Shutdown() implies it.
  void BeginDrain() { draining_.store(true, std::memory_order_release); }
  bool draining() const { return draining_.load(std::memory_order_acquire); }

  // Stops accepting, drains the queue, joins the threads. Idempotent.
  void Shutdown();

 private:
  void Loop();

  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::atomic<bool> draining_{false};
  std::vector<std::thread> threads_;
  std::mutex join_mu_;  // one Shutdown() joins; a concurrent one waits for it
};

}  // namespace maillage

#endif  // MAILLAGE_COMMON_SERVER_WORKER_POOL_H_
