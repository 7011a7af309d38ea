// Rate limits against a real redis-server: a burst, then 429s telling when to come back,
// reads and writes apart, one bucket across replicas, and a local bucket while Redis is down.
#include "gateway/limits/rate_limiter.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "common/redis/redis.h"
#include "tests/support/redis_server.h"

namespace maillage::gateway {
namespace {

using ::maillage::testing::RedisServer;
using Kind = RateLimiter::Kind;

class RateLimiterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<RedisServer>> r = RedisServer::Start();
    ASSERT_TRUE(r.ok()) << r.status();
    redis_server_ = r->release();
  }
  static void TearDownTestSuite() { delete redis_server_; }
  void SetUp() override {
    ASSERT_TRUE(redis_server_->FlushAll().ok());
    pool_ = *redis::RedisPool::Create({.address = redis_server_->address()});
  }
  // How many calls in a row are allowed.
  static int AllowedInARow(RateLimiter& limiter, const std::string& caller, Kind kind) {
    int n = 0;
    while (n < 1000 && limiter.Take(caller, kind).allowed) ++n;
    return n;
  }

  static RedisServer* redis_server_;
  std::unique_ptr<redis::RedisPool> pool_;
};
RedisServer* RateLimiterTest::redis_server_ = nullptr;

TEST_F(RateLimiterTest, ABurstThenRefusalsThatSayWhenToComeBack) {
  prometheus::Registry registry;
  RateLimiter limiter(pool_.get(), {.reads = {.per_second = 10, .burst = 5},
                                    .writes = {.per_second = 2, .burst = 3},
                                    .metrics = &registry});
  // The burst, within a token or two refilled meanwhile.
  int reads = AllowedInARow(limiter, "person-1", Kind::kRead);
  EXPECT_GE(reads, 5);
  EXPECT_LE(reads, 7);
  RateLimiter::Decision refused = limiter.Take("person-1", Kind::kRead);
  EXPECT_FALSE(refused.allowed);
  EXPECT_GT(refused.retry_after, absl::ZeroDuration());
  EXPECT_LE(refused.retry_after, absl::Milliseconds(100));  // one token at 10/s
  // Writes have their own bucket, and another caller his own.
  EXPECT_GE(AllowedInARow(limiter, "person-1", Kind::kWrite), 3);
  EXPECT_TRUE(limiter.Take("person-2", Kind::kRead).allowed);
  // Waiting as told is enough.
  absl::SleepFor(refused.retry_after + absl::Milliseconds(20));
  EXPECT_TRUE(limiter.Take("person-1", Kind::kRead).allowed);
}

TEST_F(RateLimiterTest, ReplicasShareOneBucketPerCaller) {
  RateLimiter a(pool_.get(), {.reads = {.per_second = 1, .burst = 4}});
  RateLimiter b(pool_.get(), {.reads = {.per_second = 1, .burst = 4}});
  int allowed = 0;
  for (int i = 0; i < 8; ++i) allowed += (i % 2 == 0 ? a : b).Take("partner", Kind::kRead).allowed;
  EXPECT_EQ(allowed, 4);
}

TEST_F(RateLimiterTest, WithRedisDownEachInstanceLimitsOnItsOwn) {
  prometheus::Registry registry;
  RateLimiter limiter(pool_.get(), {.reads = {.per_second = 1, .burst = 3}, .metrics = &registry});
  redis_server_->Stop();
  EXPECT_EQ(AllowedInARow(limiter, "person-1", Kind::kRead), 3);
  RateLimiter::Decision refused = limiter.Take("person-1", Kind::kRead);
  EXPECT_FALSE(refused.allowed);
  EXPECT_GT(refused.retry_after, absl::Milliseconds(500));
  ASSERT_TRUE(redis_server_->Restart().ok());
}

}  // namespace
}  // namespace maillage::gateway
