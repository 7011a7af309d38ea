// Integration tests of common/redis against a real redis-server (tests/support/redis_server).
#include "common/redis/redis.h"

#include <prometheus/registry.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "common/redis/cache.h"
#include "gtest/gtest.h"
#include "tests/support/redis_server.h"

namespace maillage::redis {
namespace {

using ::maillage::testing::RedisServer;

// Polls `done` until it holds; false after a generous deadline (a failure, never a timing
// assertion).
bool Eventually(const std::function<bool()>& done) {
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

class RedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }

  std::unique_ptr<RedisPool> MakePool(absl::Duration retry_after = absl::Seconds(1),
                                      absl::Duration command_timeout = absl::Milliseconds(500)) {
    RedisOptions options;
    options.address = server_->address();
    options.retry_after = retry_after;
    options.command_timeout = command_timeout;
    auto pool = RedisPool::Create(options);
    EXPECT_TRUE(pool.ok()) << pool.status();
    return pool.ok() ? std::move(*pool) : nullptr;
  }

  // A direct read, for checking what the code under test left in Redis.
  RedisReply Raw(RedisPool& pool, const std::vector<std::string>& argv) {
    auto reply = pool.Command(argv);
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? *reply : RedisReply::Error("call failed");
  }

  std::unique_ptr<RedisServer> server_;
};

TEST_F(RedisTest, CommandsAreBinarySafeAndRepliesTyped) {
  auto pool = MakePool();
  std::string bytes("a\0b\r\nc", 6);
  RedisReply set = Raw(*pool, {"SET", std::string("k\0ey", 4), bytes});
  EXPECT_TRUE(set.is_status()) << set.DebugString();
  EXPECT_EQ(set.str(), "OK");

  RedisReply get = Raw(*pool, {"GET", std::string("k\0ey", 4)});
  ASSERT_TRUE(get.is_string()) << get.DebugString();
  EXPECT_EQ(get.str(), bytes);

  EXPECT_TRUE(Raw(*pool, {"GET", "missing"}).is_nil());

  RedisReply incr = Raw(*pool, {"INCRBY", "n", "41"});
  ASSERT_TRUE(incr.is_integer());
  EXPECT_EQ(incr.integer(), 41);

  Raw(*pool, {"RPUSH", "list", "x", "y"});
  RedisReply range = Raw(*pool, {"LRANGE", "list", "0", "-1"});
  ASSERT_TRUE(range.is_array());
  ASSERT_EQ(range.elements().size(), 2u);
  EXPECT_EQ(range.elements()[0].str(), "x");
  EXPECT_EQ(range.elements()[1].str(), "y");
}

TEST_F(RedisTest, ErrorReplyIsAReplyAndConvertsToInternal) {
  auto pool = MakePool();
  Raw(*pool, {"SET", "s", "text"});
  auto reply = pool->Command({"LPUSH", "s", "x"});
  ASSERT_TRUE(reply.ok()) << reply.status();  // Redis answered
  EXPECT_TRUE(reply->is_error());
  EXPECT_EQ(reply->str().rfind("WRONGTYPE", 0), 0u) << reply->str();
  EXPECT_TRUE(absl::IsInternal(reply->ToStatus())) << reply->ToStatus();
  // The connection is still usable after an error reply.
  EXPECT_EQ(Raw(*pool, {"GET", "s"}).str(), "text");
  EXPECT_FALSE(pool->circuit_open());
}

TEST_F(RedisTest, PipelineReturnsRepliesInOrder) {
  auto pool = MakePool();
  auto replies =
      pool->Pipeline({{"SET", "a", "1"}, {"INCR", "a"}, {"GET", "a"}, {"HGET", "a", "f"}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 4u);
  EXPECT_EQ((*replies)[0].str(), "OK");
  EXPECT_EQ((*replies)[1].integer(), 2);
  EXPECT_EQ((*replies)[2].str(), "2");
  EXPECT_TRUE((*replies)[3].is_error());  // one bad command does not fail the others
}

TEST_F(RedisTest, EmptyCommandInAPipelineLeavesTheConnectionClean) {
  auto pool = MakePool();
  auto bad = pool->Pipeline({{"SET", "k", "v"}, {}, {"GET", "k"}});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  // Nothing was sent: the next caller gets its own replies, not the rejected pipeline's.
  auto next = pool->Pipeline({{"GET", "k"}, {"PING"}});
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_TRUE((*next)[0].is_nil()) << (*next)[0].DebugString();
  EXPECT_EQ((*next)[1].str(), "PONG");
}

TEST_F(RedisTest, EvalLoadsTheScriptWhenRedisDoesNotKnowIt) {
  auto pool = MakePool();
  RedisScript script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  Raw(*pool, {"SCRIPT", "FLUSH"});
  auto first = pool->Eval(script, {"counter"}, {"5"});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->integer(), 5) << first->DebugString();
  RedisReply exists = Raw(*pool, {"SCRIPT", "EXISTS", script.sha1()});
  ASSERT_EQ(exists.elements().size(), 1u);
  EXPECT_EQ(exists.elements()[0].integer(), 1);  // cached by the EVAL fallback
  auto second = pool->Eval(script, {"counter"}, {"5"});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->integer(), 10);
}

TEST_F(RedisTest, CreateValidatesTheAddressOnly) {
  EXPECT_TRUE(absl::IsInvalidArgument(RedisPool::Create({.address = "localhost"}).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(RedisPool::Create({.address = "h:0"}).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(RedisPool::Create({.address = "h:x"}).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(RedisPool::Create({.address = ":6379"}).status()));

  server_->Stop();
  auto pool = RedisPool::Create({.address = server_->address()});
  ASSERT_TRUE(pool.ok()) << pool.status();  // lazy: Redis being down is not an error yet
  EXPECT_TRUE(absl::IsUnavailable((*pool)->Command({"PING"}).status()));
}

TEST_F(RedisTest, CircuitBreakerFailsFastWhileDownAndRecovers) {
  auto pool = MakePool(/*retry_after=*/absl::Seconds(3));
  ASSERT_EQ(Raw(*pool, {"PING"}).str(), "PONG");
  server_->Stop();

  EXPECT_TRUE(absl::IsUnavailable(pool->Command({"PING"}).status()));
  EXPECT_TRUE(pool->circuit_open());
  RedisPool::Stats before = pool->stats();
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(absl::IsUnavailable(pool->Command({"PING"}).status()));
  }
  RedisPool::Stats after = pool->stats();
  EXPECT_EQ(after.connects, before.connects) << "calls while open must not try to connect";
  EXPECT_EQ(after.fast_failures - before.fast_failures, 20);

  ASSERT_TRUE(server_->Restart().ok());
  EXPECT_TRUE(Eventually([&] { return pool->Command({"PING"}).ok(); }));
  EXPECT_FALSE(pool->circuit_open());
}

TEST_F(RedisTest, TimeoutOpensTheCircuit) {
  auto pool =
      MakePool(/*retry_after=*/absl::Seconds(60), /*command_timeout=*/absl::Milliseconds(100));
  auto blocked = pool->Command({"BLPOP", "never-pushed", "5"});
  EXPECT_TRUE(absl::IsUnavailable(blocked.status())) << blocked.status();
  EXPECT_TRUE(pool->circuit_open());
  int64_t connects = pool->stats().connects;
  EXPECT_TRUE(absl::IsUnavailable(pool->Command({"PING"}).status()));
  EXPECT_EQ(pool->stats().connects, connects);
}

TEST_F(RedisTest, BlockingCommandWaitsLongerThanTheCommandTimeout) {
  auto pool =
      MakePool(/*retry_after=*/absl::Seconds(1), /*command_timeout=*/absl::Milliseconds(100));
  auto popped = pool->BlockingCommand({"BLPOP", "never-pushed", "0.2"}, absl::Seconds(1));
  ASSERT_TRUE(popped.ok()) << popped.status();
  EXPECT_TRUE(popped->is_nil()) << popped->DebugString();
  EXPECT_FALSE(pool->circuit_open());
}

TEST_F(RedisTest, DeadPooledConnectionIsReplacedAfterARestart) {
  auto pool = MakePool(/*retry_after=*/absl::Seconds(60));
  ASSERT_EQ(Raw(*pool, {"SET", "kept", "1"}).str(), "OK");
  ASSERT_TRUE(server_->Restart().ok());
  // The pooled connection died with the old process; the call must not fail because of it.
  auto reply = pool->Command({"GET", "kept"});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->str(), "1");
  EXPECT_FALSE(pool->circuit_open());
}

// ---------------------------------------------------------------------------------------------
// ReadThroughCache

class CacheTest : public RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    if (HasFatalFailure()) return;
    pool_ = MakePool(/*retry_after=*/absl::Milliseconds(200));
    cache_ = std::make_unique<ReadThroughCache>(pool_.get(), "test", absl::Minutes(5));
  }

  // A loader over `source_` that counts its calls.
  std::function<absl::StatusOr<std::string>()> Loader() {
    return [this]() -> absl::StatusOr<std::string> {
      ++loads_;
      return source_;
    };
  }

  std::unique_ptr<RedisPool> pool_;
  std::unique_ptr<ReadThroughCache> cache_;
  std::string source_ = "v1";
  int loads_ = 0;
};

TEST_F(CacheTest, SecondGetIsAHit) {
  auto first = cache_->Get("org", "42", Loader());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, "v1");
  source_ = "changed behind the cache's back";
  auto second = cache_->Get("org", "42", Loader());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, "v1");
  EXPECT_EQ(loads_, 1);
  ReadThroughCache::Stats stats = cache_->stats();
  EXPECT_EQ(stats.hits, 1);
  EXPECT_EQ(stats.misses, 1);
  EXPECT_EQ(stats.redis_errors, 0);

  // Another id, or another kind, is another entry.
  EXPECT_EQ(*cache_->Get("org", "43", Loader()), source_);
  EXPECT_EQ(*cache_->Get("person", "42", Loader()), source_);
  EXPECT_EQ(loads_, 3);
}

TEST_F(CacheTest, HitsAndMissesAreCountedOnTheRegistry) {
  prometheus::Registry registry;
  ReadThroughCache cache(pool_.get(), "metered", absl::Minutes(5), &registry);
  ASSERT_TRUE(cache.Get("org", "42", Loader()).ok());  // miss
  ASSERT_TRUE(cache.Get("org", "42", Loader()).ok());  // hit
  ASSERT_TRUE(cache.Get("org", "42", Loader()).ok());  // hit
  std::map<std::string, double> values;
  for (const auto& family : registry.Collect()) {
    for (const auto& m : family.metric) {
      ASSERT_EQ(m.label.size(), 1u);
      EXPECT_EQ(m.label[0].name, "cache");
      EXPECT_EQ(m.label[0].value, "metered");
      values[family.name] = m.counter.value;
    }
  }
  EXPECT_EQ(values["maillage_cache_hits_total"], 2);
  EXPECT_EQ(values["maillage_cache_misses_total"], 1);
}

TEST_F(CacheTest, ValuesAndGenerationsCarryATtl) {
  ASSERT_TRUE(cache_->Get("org", "42", Loader()).ok());
  cache_->Invalidate("org", "42");
  ASSERT_TRUE(cache_->Get("org", "42", Loader()).ok());
  RedisReply value_ttl = Raw(*pool_, {"PTTL", "test:org:42:g1"});
  EXPECT_GT(value_ttl.integer(), 0);
  EXPECT_LE(value_ttl.integer(), absl::ToInt64Milliseconds(absl::Minutes(5)));
  EXPECT_GT(Raw(*pool_, {"PTTL", "test:gen:org:42"}).integer(), 0);
}

TEST_F(CacheTest, InvalidateMakesTheNextGetReload) {
  EXPECT_EQ(*cache_->Get("org", "42", Loader()), "v1");
  source_ = "v2";
  cache_->Invalidate("org", "42");
  EXPECT_EQ(*cache_->Get("org", "42", Loader()), "v2");
  EXPECT_EQ(*cache_->Get("org", "42", Loader()), "v2");
  EXPECT_EQ(loads_, 2);
  EXPECT_EQ(cache_->stats().hits, 1);
}

TEST_F(CacheTest, ReaderRacingAWriterDoesNotCacheOldData) {
  // The load reads the old row, then the writer commits and invalidates before the loader's
  // result is stored.
  auto racing_load = [this]() -> absl::StatusOr<std::string> {
    ++loads_;
    std::string read = source_;
    source_ = "new";
    cache_->Invalidate("org", "42");
    return read;
  };
  EXPECT_EQ(*cache_->Get("org", "42", racing_load), "v1");
  EXPECT_EQ(*cache_->Get("org", "42", Loader()), "new");
  EXPECT_EQ(*cache_->Get("org", "42", Loader()), "new");
  EXPECT_EQ(loads_, 2);
}

TEST_F(CacheTest, LoaderErrorIsReturnedAndNotCached) {
  auto failing = [this]() -> absl::StatusOr<std::string> {
    ++loads_;
    return absl::NotFoundError("org 42");
  };
  auto got = cache_->Get("org", "42", failing);
  EXPECT_TRUE(absl::IsNotFound(got.status())) << got.status();
  EXPECT_EQ(got.status().message(), "org 42");
  EXPECT_EQ(*cache_->Get("org", "42", Loader()), "v1");
  EXPECT_EQ(loads_, 2);
}

TEST_F(CacheTest, BinaryIdsAndValues) {
  source_ = std::string("\0\xff:g0", 5);
  std::string id("a:g1\0", 5);
  EXPECT_EQ(*cache_->Get("blob", id, Loader()), source_);
  EXPECT_EQ(*cache_->Get("blob", id, Loader()), source_);
  EXPECT_EQ(loads_, 1);
}

TEST_F(CacheTest, BadKindIsRejected) {
  EXPECT_TRUE(absl::IsInvalidArgument(cache_->Get("gen", "1", Loader()).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(cache_->Get("a:b", "1", Loader()).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(cache_->Get("", "1", Loader()).status()));
  EXPECT_EQ(loads_, 0);
}

TEST_F(CacheTest, RedisDownFallsBackToTheLoader) {
  EXPECT_EQ(*cache_->Get("org", "42", Loader()), "v1");
  server_->Stop();
  source_ = "v2";
  cache_->Invalidate("org", "42");  // must neither throw nor block the write path
  auto got = cache_->Get("org", "42", Loader());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, "v2");
  auto other = cache_->Get("org", "7", Loader());
  ASSERT_TRUE(other.ok()) << other.status();
  ReadThroughCache::Stats stats = cache_->stats();
  EXPECT_GT(stats.redis_errors, 0);
  EXPECT_EQ(stats.pending_invalidations, 1);
  EXPECT_EQ(loads_, 3);
}

TEST_F(CacheTest, PendingInvalidationIsReplayedWhenRedisIsBack) {
  EXPECT_EQ(*cache_->Get("org", "42", Loader()), "v1");
  server_->Stop();
  source_ = "v2";
  cache_->Invalidate("org", "42");
  EXPECT_EQ(cache_->stats().pending_invalidations, 1);
  ASSERT_TRUE(server_->Restart().ok());

  // The append-only file kept the value cached before the outage: serving it would be wrong.
  auto direct = RedisPool::Create({.address = server_->address()});
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(Raw(**direct, {"GET", "test:org:42:g0"}).str(), "v1");

  // Every Get answers v2, whether Redis is reachable yet or not; the replay happens on the
  // first contact.
  EXPECT_TRUE(Eventually([&] {
    auto got = cache_->Get("org", "42", Loader());
    EXPECT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got.value_or(""), "v2");
    return cache_->stats().pending_invalidations == 0;
  }));
  EXPECT_EQ(Raw(**direct, {"GET", "test:gen:org:42"}).str(), "1");
  int64_t hits = cache_->stats().hits;
  EXPECT_EQ(*cache_->Get("org", "42", Loader()), "v2");
  EXPECT_EQ(*cache_->Get("org", "42", Loader()), "v2");
  EXPECT_GT(cache_->stats().hits, hits);  // caching again once Redis is back
}

}  // namespace
}  // namespace maillage::redis
