// The near cache: what it serves, when it stops serving it, and its event feed against a real
// redis-server.
#include "common/redis/near_cache.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/redis/cache.h"
#include "common/redis/redis.h"
#include "tests/support/redis_server.h"

namespace maillage::redis {
namespace {

using ::maillage::testing::RedisServer;

bool Eventually(const std::function<bool()>& done) {
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

// A source of truth with a version: each load returns the current one and counts itself.
struct Source {
  std::atomic<int> version{1};
  std::atomic<int> loads{0};
  std::function<absl::StatusOr<std::string>()> Loader() {
    return [this]() -> absl::StatusOr<std::string> {
      ++loads;
      return absl::StrCat("v", version.load());
    };
  }
};

TEST(NearCacheTest, ServesRepeatedReadsFromTheProcessUntilInvalidated) {
  Source src;
  prometheus::Registry registry;
  NearCache near(nullptr, {.metrics = &registry});
  EXPECT_EQ(*near.Get("org", "a", src.Loader()), "v1");
  EXPECT_EQ(*near.Get("org", "a", src.Loader()), "v1");
  EXPECT_EQ(src.loads, 1);
  // A writer reads its own write: Invalidate returns only once the copy is gone.
  src.version = 2;
  near.Invalidate("org", "a");
  EXPECT_EQ(*near.Get("org", "a", src.Loader()), "v2");
  EXPECT_EQ(src.loads, 2);
  EXPECT_EQ(near.stats().hits, 1);
  EXPECT_EQ(near.stats().misses, 2);
  // The same counts on /metrics.
  std::map<std::string, double> requests;
  double invalidations = -1;
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    for (const prometheus::ClientMetric& metric : family.metric) {
      if (family.name == "maillage_near_cache_requests_total") {
        requests[metric.label.at(0).value] = metric.counter.value;
      } else if (family.name == "maillage_near_cache_invalidations_total") {
        invalidations = metric.counter.value;
      }
    }
  }
  EXPECT_EQ(requests, (std::map<std::string, double>{{"bypassed", 0}, {"hit", 1}, {"miss", 2}}));
  EXPECT_EQ(invalidations, 1);
}

// Hits share the object decoded at load: one decode per load, a new one after a change.
TEST(NearCacheTest, DecodedObjectsAreSharedUntilInvalidated) {
  Source src;
  NearCache near(nullptr, {});
  int decodes = 0;
  auto decode = [&](const std::string& bytes) -> BytesCache::Decoded {
    ++decodes;
    return std::make_shared<const std::string>("decoded " + bytes);
  };
  auto get = [&]() {
    absl::StatusOr<BytesCache::Decoded> d = near.GetDecoded("org", "a", src.Loader(), decode);
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? std::static_pointer_cast<const std::string>(*d) : nullptr;
  };
  std::shared_ptr<const std::string> first = get();
  std::shared_ptr<const std::string> second = get();
  EXPECT_EQ(*first, "decoded v1");
  EXPECT_EQ(first.get(), second.get());
  EXPECT_EQ(decodes, 1);
  src.version = 2;
  near.Invalidate("org", "a");
  EXPECT_EQ(*get(), "decoded v2");
  EXPECT_EQ(decodes, 2);
  // The bytes API still answers the same entry, and a decoder that fails is an error.
  EXPECT_EQ(*near.Get("org", "a", src.Loader()), "v2");
  absl::StatusOr<BytesCache::Decoded> bad = near.GetDecoded(
      "org", "b", src.Loader(), [](const std::string&) { return BytesCache::Decoded(); });
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInternal);
}

TEST(NearCacheTest, NoEntryOutlivesItsTtl) {
  Source src;
  absl::Time now = absl::FromUnixSeconds(1000);
  NearCache near(nullptr, {.ttl = absl::Seconds(5), .clock = [&] { return now; }});
  EXPECT_EQ(*near.Get("org", "a", src.Loader()), "v1");
  src.version = 2;  // changed elsewhere, and no event came
  now += absl::Seconds(4);
  EXPECT_EQ(*near.Get("org", "a", src.Loader()), "v1");  // within the bound
  now += absl::Seconds(1);
  EXPECT_EQ(*near.Get("org", "a", src.Loader()), "v2");  // at the bound, never later
}

TEST(NearCacheTest, ALoadRacingAnInvalidationIsNotKept) {
  NearCache near(nullptr, {});
  absl::Notification loading, invalidated;
  std::thread reader([&] {
    // Loads the old value, then the writer commits and invalidates before it returns.
    auto old = near.Get("org", "a", [&]() -> absl::StatusOr<std::string> {
      loading.Notify();
      invalidated.WaitForNotification();
      return std::string("old");
    });
    EXPECT_EQ(*old, "old");  // what it read is returned to its caller...
  });
  loading.WaitForNotification();
  near.Invalidate("org", "a");
  invalidated.Notify();
  reader.join();
  // ...but not kept: the next read loads the new value.
  EXPECT_EQ(*near.Get("org", "a", [] { return absl::StatusOr<std::string>("new"); }), "new");
}

TEST(NearCacheTest, ErrorsAreNotCachedAndDisablingEmptiesIt) {
  Source src;
  NearCache near(nullptr, {});
  EXPECT_FALSE(
      near.Get("org", "a", [] { return absl::StatusOr<std::string>(absl::NotFoundError("x")); })
          .ok());
  EXPECT_EQ(*near.Get("org", "a", src.Loader()), "v1");
  near.SetEnabled(false);
  EXPECT_EQ(near.size(), 0u);
  src.version = 2;
  EXPECT_EQ(*near.Get("org", "a", src.Loader()), "v2");
  EXPECT_EQ(near.stats().bypassed, 1);
  EXPECT_EQ(near.size(), 0u);  // nothing kept while disabled
}

TEST(NearCacheTest, StaysWithinItsSize) {
  NearCache near(nullptr, {.max_entries = 64});
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(
        near.Get("org", absl::StrCat(i), [] { return absl::StatusOr<std::string>("x"); }).ok());
  }
  EXPECT_LE(near.size(), 64u);
}

class NearCacheStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    auto pool =
        RedisPool::Create({.address = server_->address(), .retry_after = absl::Milliseconds(100)});
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(*pool);
  }

  void Publish(const std::string& id) {
    auto r = pool_->Command({"XADD", "changes", "*", "id", id});
    ASSERT_TRUE(r.ok() && !r->is_error());
  }

  std::unique_ptr<RedisServer> server_;
  std::unique_ptr<RedisPool> pool_;
};

// Another replica changed an organisation: its event drops this process's copy.
TEST_F(NearCacheStreamTest, AnEventFromAnotherProcessDropsTheCopy) {
  Source src;
  NearCache near(nullptr, {.ttl = absl::Hours(1)});
  StreamFollower follower(
      pool_.get(), "changes",
      [&](const StreamFollower::Fields& f) { near.InvalidateLocal("org", f[0].second); }, &near,
      absl::Milliseconds(100));
  ASSERT_TRUE(Eventually([&] { return follower.following(); }));
  EXPECT_EQ(*near.Get("org", "a", src.Loader()), "v1");
  src.version = 2;
  Publish("a");
  ASSERT_TRUE(Eventually([&] { return follower.entries() >= 1; }));
  EXPECT_EQ(*near.Get("org", "a", src.Loader()), "v2");
}

// Without its feed the cache cannot know what changed: it is bypassed until the feed is
// back, then starts empty.
TEST_F(NearCacheStreamTest, LosingTheFeedBypassesTheCacheUntilItIsBack) {
  Source src;
  NearCache near(nullptr, {.ttl = absl::Hours(1)});
  StreamFollower follower(
      pool_.get(), "changes",
      [&](const StreamFollower::Fields& f) { near.InvalidateLocal("org", f[0].second); }, &near,
      absl::Milliseconds(100));
  ASSERT_TRUE(Eventually([&] { return follower.following(); }));
  EXPECT_EQ(*near.Get("org", "a", src.Loader()), "v1");
  server_->Stop();
  ASSERT_TRUE(Eventually([&] { return !near.enabled(); }));
  src.version = 2;  // a change whose event this process will never see
  EXPECT_EQ(*near.Get("org", "a", src.Loader()), "v2");
  ASSERT_TRUE(server_->Restart().ok());
  ASSERT_TRUE(Eventually([&] { return follower.following(); }));
  EXPECT_TRUE(near.enabled());
  EXPECT_EQ(*near.Get("org", "a", src.Loader()), "v2");
}

// Two replicas: a change one of them made (after a call, or after an event only it consumed)
// reaches the other's copy through the broadcast stream, and the other reloads the new value
// from Redis rather than computing it again.
TEST_F(NearCacheStreamTest, ABroadcastInvalidationReachesEveryReplica) {
  Source src;
  struct Replica {
    std::unique_ptr<RedisPool> follower_pool;
    std::unique_ptr<ReadThroughCache> redis;
    std::unique_ptr<NearCache> near;
    std::unique_ptr<StreamFollower> follower;
  };
  auto start = [&]() {
    Replica r;
    r.follower_pool = *RedisPool::Create({.address = server_->address(), .pool_size = 1});
    r.redis = std::make_unique<ReadThroughCache>(pool_.get(), "t", absl::Hours(1));
    r.near = std::make_unique<NearCache>(
        r.redis.get(),
        NearCache::Options{
            .ttl = absl::Hours(1), .broadcast_pool = pool_.get(), .broadcast_stream = "t.cache"});
    r.follower =
        FollowBroadcastInvalidations(r.follower_pool.get(), r.near.get(), absl::Milliseconds(100));
    return r;
  };
  Replica a = start(), b = start();
  ASSERT_TRUE(Eventually([&] { return a.follower->following() && b.follower->following(); }));
  EXPECT_EQ(*a.near->Get("org", "x", src.Loader()), "v1");
  EXPECT_EQ(*b.near->Get("org", "x", src.Loader()), "v1");
  EXPECT_EQ(*b.near->Get("org", "x", src.Loader()), "v1");
  EXPECT_EQ(src.loads.load(), 1);  // b read what a had stored in Redis, then its own copy

  src.version = 2;
  a.near->Invalidate("org", "x");
  EXPECT_EQ(*a.near->Get("org", "x", src.Loader()), "v2");  // the writer reads its write at once
  ASSERT_TRUE(Eventually([&] { return b.follower->entries() >= 1; }));
  EXPECT_EQ(*b.near->Get("org", "x", src.Loader()), "v2");
  EXPECT_EQ(src.loads.load(), 2);
  EXPECT_EQ(b.near->stats().broadcast_failures, 0);

  // Another key is untouched by the announcement.
  EXPECT_EQ(*b.near->Get("org", "y", src.Loader()), "v2");
  const int loads = src.loads.load();
  a.near->Invalidate("org", "x");
  ASSERT_TRUE(Eventually([&] { return b.follower->entries() >= 2; }));
  EXPECT_EQ(*b.near->Get("org", "y", src.Loader()), "v2");
  EXPECT_EQ(src.loads.load(), loads);
}

// Without Redis the announcement fails: counted, and the writer still drops its own copy.
TEST_F(NearCacheStreamTest, AnAnnouncementRedisCannotTakeIsCounted) {
  Source src;
  NearCache near(
      nullptr,
      {.ttl = absl::Hours(1), .broadcast_pool = pool_.get(), .broadcast_stream = "t.cache"});
  EXPECT_EQ(*near.Get("org", "x", src.Loader()), "v1");
  server_->Stop();
  src.version = 2;
  near.Invalidate("org", "x");
  EXPECT_EQ(near.stats().broadcast_failures, 1);
  EXPECT_EQ(*near.Get("org", "x", src.Loader()), "v2");
}

}  // namespace
}  // namespace maillage::redis
