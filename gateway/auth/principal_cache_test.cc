// The principal cache against a real redis-server: what two gateway replicas share, what a
// membership event retires, and what a Redis outage costs (a membership call, never an error).
#include "gateway/auth/principal_cache.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <atomic>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/redis/near_cache.h"
#include "common/redis/redis.h"
#include "maillage/membership/v1/events.pb.h"
#include "tests/support/redis_server.h"

namespace maillage::gateway {
namespace {

using ::maillage::testing::RedisServer;
namespace v1 = ::maillage::membership::v1;

bool Eventually(const std::function<bool()>& done) {
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

// Membership's answer, with a version that moves when "membership" changes.
struct Membership {
  std::atomic<int> version{1};
  std::atomic<int> calls{0};
  std::function<absl::StatusOr<std::string>()> Resolver() {
    return [this]() -> absl::StatusOr<std::string> {
      ++calls;
      return absl::StrCat("grants-v", version.load());
    };
  }
};

class PrincipalCacheTest : public ::testing::Test {
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
    follower_pool_ = *redis::RedisPool::Create({.address = redis_server_->address()});
    key_ = PrincipalCache::KeyOf({.issuer = "https://sso.example.fr", .subject = "kc-7"});
  }

  std::string Event(v1::MembershipEvent event) {
    redis::RedisReply r = *pool_->Command(
        {"XADD", "maillage.membership.events", "*", "payload", event.SerializeAsString()});
    return r.str();
  }
  static v1::MembershipEvent Suspension() {
    v1::MembershipEvent e;
    e.mutable_membership_changed()->mutable_membership()->set_state(v1::MEMBERSHIP_STATE_SUSPENDED);
    e.mutable_membership_changed()->set_previous_state(v1::MEMBERSHIP_STATE_ACTIVE);
    return e;
  }

  static RedisServer* redis_server_;
  std::unique_ptr<redis::RedisPool> pool_;
  std::unique_ptr<redis::RedisPool> follower_pool_;
  std::string key_;
};
RedisServer* PrincipalCacheTest::redis_server_ = nullptr;

TEST_F(PrincipalCacheTest, KeysDifferForEveryPartOfTheIdentity) {
  PrincipalCache::Identity base{.issuer = "i", .subject = "s"};
  const std::string k = PrincipalCache::KeyOf(base);
  EXPECT_EQ(k.size(), 64u);
  EXPECT_EQ(k, PrincipalCache::KeyOf(base));
  // Shifting a byte from one field to the next is another identity.
  EXPECT_NE(k, PrincipalCache::KeyOf({.issuer = "is", .subject = ""}));
  EXPECT_NE(k, PrincipalCache::KeyOf({.issuer = "i", .subject = "s", .link_by_email = true}));
  EXPECT_NE(
      k, PrincipalCache::KeyOf({.issuer = "i", .subject = "s", .acting_organisation_id = "org-2"}));
  EXPECT_NE(k, PrincipalCache::KeyOf({.issuer = "i", .subject = "s", .verified_email = "a@b"}));
}

TEST_F(PrincipalCacheTest, ReplicasShareOneResolutionThroughRedis) {
  Membership membership;
  prometheus::Registry registry;
  PrincipalCache a(pool_.get(), {.metrics = &registry});
  PrincipalCache b(pool_.get(), {});
  EXPECT_EQ(*a.Get(key_, membership.Resolver()), "grants-v1");
  EXPECT_EQ(*a.Get(key_, membership.Resolver()), "grants-v1");  // from the process
  EXPECT_EQ(*b.Get(key_, membership.Resolver()), "grants-v1");  // from Redis
  EXPECT_EQ(membership.calls, 1);
  // Another identity is asked for.
  EXPECT_EQ(*a.Get(PrincipalCache::KeyOf({.issuer = "https://sso.example.fr", .subject = "kc-8"}),
                   membership.Resolver()),
            "grants-v1");
  EXPECT_EQ(membership.calls, 2);
}

TEST_F(PrincipalCacheTest, AMembershipEventRetiresEveryResolutionOnEveryReplica) {
  Membership membership;
  PrincipalCache a(pool_.get(), {});
  PrincipalCache b(pool_.get(), {});
  std::unique_ptr<redis::StreamFollower> fa =
      a.Follow(follower_pool_.get(), "maillage.membership.events");
  auto other_follower_pool = *redis::RedisPool::Create({.address = redis_server_->address()});
  std::unique_ptr<redis::StreamFollower> fb =
      b.Follow(other_follower_pool.get(), "maillage.membership.events");
  ASSERT_TRUE(Eventually([&] { return fa->following() && fb->following(); }));
  EXPECT_EQ(*a.Get(key_, membership.Resolver()), "grants-v1");
  EXPECT_EQ(*b.Get(key_, membership.Resolver()), "grants-v1");

  // A creation grants nothing to anyone: nothing is forgotten.
  v1::MembershipEvent created;
  created.mutable_organisation_created()->mutable_organisation()->set_organisation_id("o");
  Event(created);
  ASSERT_TRUE(Eventually([&] { return fa->entries() == 1 && fb->entries() == 1; }));
  EXPECT_EQ(*a.Get(key_, membership.Resolver()), "grants-v1");
  EXPECT_EQ(membership.calls, 1);

  // A suspension: both replicas ask membership again, once between them.
  membership.version = 2;
  Event(Suspension());
  ASSERT_TRUE(Eventually([&] { return fa->entries() == 2 && fb->entries() == 2; }));
  EXPECT_EQ(*a.Get(key_, membership.Resolver()), "grants-v2");
  EXPECT_EQ(*b.Get(key_, membership.Resolver()), "grants-v2");
  EXPECT_EQ(membership.calls, 2);
  fa.reset();
  fb.reset();
}

TEST_F(PrincipalCacheTest, ALoadThatRacedAnInvalidationIsNotKept) {
  Membership membership;
  PrincipalCache a(pool_.get(), {});
  auto racing = [&]() -> absl::StatusOr<std::string> {
    absl::StatusOr<std::string> old = membership.Resolver()();
    membership.version = 2;  // the suspension commits, its event arrives, while we load
    a.InvalidateAll();
    return old;
  };
  EXPECT_EQ(*a.Get(key_, racing), "grants-v1");
  EXPECT_EQ(*a.Get(key_, membership.Resolver()), "grants-v2");
  EXPECT_EQ(membership.calls, 2);
}

TEST_F(PrincipalCacheTest, RefusalsAreNeverCached) {
  PrincipalCache a(pool_.get(), {});
  int calls = 0;
  auto refuse = [&]() -> absl::StatusOr<std::string> {
    ++calls;
    return absl::PermissionDeniedError("not a representative");
  };
  EXPECT_EQ(a.Get(key_, refuse).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(a.Get(key_, refuse).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(calls, 2);
}

TEST_F(PrincipalCacheTest, RedisDownCostsAMembershipCallNeverAnError) {
  Membership membership;
  PrincipalCache a(pool_.get(), {});
  PrincipalCache b(pool_.get(), {});
  EXPECT_EQ(*a.Get(key_, membership.Resolver()), "grants-v1");

  redis_server_->Stop();
  // A suspension while Redis is down: b cannot retire Redis's copy yet...
  membership.version = 2;
  b.InvalidateAll();
  EXPECT_EQ(*b.Get(key_, membership.Resolver()), "grants-v2");
  EXPECT_EQ(*b.Get(key_, membership.Resolver()), "grants-v2");
  ASSERT_TRUE(redis_server_->Restart().ok());
  // ...and does before it reads Redis again: the copy from before the outage is not served.
  absl::SleepFor(absl::Seconds(1.5));  // the pool's circuit breaker lets a probe through
  PrincipalCache c(pool_.get(), {});
  EXPECT_EQ(*b.Get(PrincipalCache::KeyOf({.issuer = "x", .subject = "y"}), membership.Resolver()),
            "grants-v2");
  EXPECT_EQ(*c.Get(key_, membership.Resolver()), "grants-v2");
}

}  // namespace
}  // namespace maillage::gateway
