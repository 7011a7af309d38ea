#include "common/server/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace maillage {
namespace {

TEST(WorkerPoolTest, RunsEveryQueuedTaskBeforeShutdownReturns) {
  std::atomic<int> done{0};
  {
    WorkerPool pool(2, 100);
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(pool.TrySubmit([&] { ++done; }));
  }
  EXPECT_EQ(done.load(), 50);
}

TEST(WorkerPoolTest, RefusesWhenQueueIsFull) {
  WorkerPool pool(1, 1);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.TrySubmit([&] {
    started.set_value();
    gate.wait();
  }));
  started.get_future().wait();                           // the only thread is busy
  EXPECT_TRUE(pool.TrySubmit([gate] { gate.wait(); }));  // fills the queue
  EXPECT_FALSE(pool.TrySubmit([] {}));                   // no room
  EXPECT_EQ(pool.QueueDepth(), 1u);
  release.set_value();
  pool.Shutdown();
  EXPECT_FALSE(pool.TrySubmit([] {}));
}

TEST(WorkerPoolTest, ConcurrentShutdownsAreSafe) {
  std::atomic<int> done{0};
  WorkerPool pool(2, 100);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(pool.TrySubmit([&] { ++done; }));
  std::thread a([&] { pool.Shutdown(); });
  std::thread b([&] { pool.Shutdown(); });
  a.join();
  b.join();
  EXPECT_EQ(done.load(), 20);
}

}  // namespace
}  // namespace maillage
