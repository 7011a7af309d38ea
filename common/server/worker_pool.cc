#include "common/server/worker_pool.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace maillage {

struct WorkerPool::Metrics {
  prometheus::Gauge* depth;
  prometheus::Counter* full;
  prometheus::Counter* deadline;
  prometheus::Counter* draining;
  prometheus::Counter* caller_gone;
  prometheus::Histogram* wait;
};

WorkerPool::WorkerPool(int threads, size_t capacity)
    : capacity_(capacity), threads_count_(threads < 1 ? 1 : threads) {
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

WorkerPool::~WorkerPool() { Shutdown(); }

bool WorkerPool::TrySubmit(std::function<void()> task) {
  size_t depth = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || queue_.size() >= capacity_) {
      CountRejection(stopping_ ? Rejection::kDraining : Rejection::kFull);
      return false;
    }
    queue_.push_back({std::move(task), std::chrono::steady_clock::now()});
    depth = queue_.size();
  }
  if (Metrics* m = metrics_.load(std::memory_order_acquire)) m->depth->Set(double(depth));
  cv_.notify_one();
  return true;
}

size_t WorkerPool::QueueDepth() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

std::chrono::nanoseconds WorkerPool::EstimatedWait() const {
  // Every queued task runs before a new one, spread over the threads.
  int64_t average = average_run_ns_.load(std::memory_order_relaxed);
  return std::chrono::nanoseconds(static_cast<int64_t>(QueueDepth()) * average / threads_count_);
}

void WorkerPool::SetAverageRunTime(std::chrono::nanoseconds run_time) {
  average_run_ns_.store(run_time.count(), std::memory_order_relaxed);
}

void WorkerPool::CountRejection(Rejection reason) {
  Metrics* m = metrics_.load(std::memory_order_acquire);
  if (m == nullptr) return;
  switch (reason) {
    case Rejection::kFull:
      m->full->Increment();
      break;
    case Rejection::kDeadline:
      m->deadline->Increment();
      break;
    case Rejection::kDraining:
      m->draining->Increment();
      break;
    case Rejection::kCallerGone:
      m->caller_gone->Increment();
      break;
  }
}

void WorkerPool::RegisterMetrics(prometheus::Registry& registry, const std::string& name) {
  if (metrics_.load(std::memory_order_acquire) != nullptr) return;
  auto& depth = prometheus::BuildGauge()
                    .Name("maillage_worker_queue_depth")
                    .Help("Tasks waiting for a worker thread")
                    .Register(registry);
  auto& rejections = prometheus::BuildCounter()
                         .Name("maillage_worker_rejections_total")
                         .Help("Calls refused or dropped before a worker ran them, by reason")
                         .Register(registry);
  auto& wait = prometheus::BuildHistogram()
                   .Name("maillage_worker_queue_wait_seconds")
                   .Help("Time from submission to the start of a task")
                   .Register(registry);
  auto m = std::make_unique<Metrics>(
      Metrics{.depth = &depth.Add({{"pool", name}}),
              .full = &rejections.Add({{"pool", name}, {"reason", "full"}}),
              .deadline = &rejections.Add({{"pool", name}, {"reason", "deadline"}}),
              .draining = &rejections.Add({{"pool", name}, {"reason", "draining"}}),
              .caller_gone = &rejections.Add({{"pool", name}, {"reason", "caller_gone"}}),
              .wait = &wait.Add({{"pool", name}}, prometheus::Histogram::BucketBoundaries{
                                                      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05, 0.1, 0.25, 0.5, 1, 2.5, 5})});
  Metrics* expected = nullptr;
  if (metrics_.compare_exchange_strong(expected, m.get(), std::memory_order_acq_rel)) {
    owned_metrics_ = std::move(m);
  }
}

void WorkerPool::RecordRun(std::chrono::steady_clock::time_point queued,
                           std::chrono::steady_clock::time_point started,
                           std::chrono::steady_clock::time_point finished) {
  int64_t run = std::chrono::duration_cast<std::chrono::nanoseconds>(finished - started).count();
  // An exponentially weighted average (1/16 per task): follows a change of load within tens of
  // calls without one slow call swinging it. Races between threads lose an update at worst.
  int64_t old = average_run_ns_.load(std::memory_order_relaxed);
  average_run_ns_.store(old == 0 ? run : old + (run - old) / 16, std::memory_order_relaxed);
  if (Metrics* m = metrics_.load(std::memory_order_acquire)) {
    m->wait->Observe(std::chrono::duration<double>(started - queued).count());
  }
}

void WorkerPool::Shutdown() {
  BeginDrain();
  std::lock_guard<std::mutex> join_lock(join_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void WorkerPool::Loop() {
  for (;;) {
    Task task;
    size_t depth = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
      depth = queue_.size();
    }
    if (Metrics* m = metrics_.load(std::memory_order_acquire)) m->depth->Set(double(depth));
    auto started = std::chrono::steady_clock::now();
    task.fn();
    RecordRun(task.queued, started, std::chrono::steady_clock::now());
  }
}

}  // namespace maillage
