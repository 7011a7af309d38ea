#include "services/membership/membership_harness.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/events/outbox.h"

namespace maillage::membership {

const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedFiles();

namespace {

testing::PostgresServer* g_postgres = nullptr;
testing::RedisServer* g_redis = nullptr;
int g_next_prefix = 0;

}  // namespace

testing::PostgresServer* MembershipHarness::postgres() { return g_postgres; }
testing::RedisServer* MembershipHarness::redis_server() { return g_redis; }

absl::Status MembershipHarness::Start(HarnessOptions options) {
  // Servers live for the whole test process (leaked on purpose: their destructors stop them
  // at exit through the ChildProcess objects only if reached; the OS reaps the rest).
  if (g_postgres == nullptr) {
    auto pg = testing::PostgresServer::Start();
    if (!pg.ok()) return pg.status();
    g_postgres = pg->release();
    std::atexit([] { delete g_postgres; });
  }
  if (g_redis == nullptr) {
    auto redis = testing::RedisServer::Start();
    if (!redis.ok()) return redis.status();
    g_redis = redis->release();
    std::atexit([] { delete g_redis; });
  }
  auto uri = g_postgres->CreateDatabase();
  if (!uri.ok()) return uri.status();
  auto pg = pg::PgPool::Create({.uri = *uri,
                                .size = 8,
                                .acquire_timeout = absl::Seconds(3),
                                .connect_timeout = absl::Seconds(2)});
  if (!pg.ok()) return pg.status();
  pg_ = std::move(*pg);
  std::vector<pg::Migration> migrations = pg::MigrationsFromEmbedded(EmbeddedFiles());
  migrations.push_back({"000_outbox.sql", std::string(events::OutboxSchemaSql())});
  migrations.push_back({"000_outbox_retention.sql", std::string(events::OutboxRetentionSql())});
  if (absl::Status s = pg::ApplyMigrations(*pg_, "membership", migrations); !s.ok()) return s;

  auto redis = redis::RedisPool::Create({.address = g_redis->address(), .pool_size = 4});
  if (!redis.ok()) return redis.status();
  redis_ = std::move(*redis);
  if (options.with_cache) {
    // A prefix per harness keeps tests that share the Redis server apart.
    cache_ = std::make_unique<redis::ReadThroughCache>(
        redis_.get(), absl::StrCat("test", getpid(), "-", g_next_prefix++), absl::Minutes(5));
  }
  if (options.with_relay) {
    relay_ = std::make_unique<events::OutboxRelay>(
        pg_.get(), redis_.get(),
        events::RelayOptions{.stream = absl::StrCat("maillage.membership.events.test", getpid()),
                             .poll_interval = absl::Milliseconds(50)});
    relay_->Start();
  }
  if (options.with_near_cache && cache_ != nullptr && relay_ != nullptr) {
    auto follower_redis = redis::RedisPool::Create({.address = g_redis->address(), .pool_size = 1});
    if (!follower_redis.ok()) return follower_redis.status();
    follower_redis_ = std::move(*follower_redis);
    near_cache_ = std::make_unique<redis::NearCache>(
        cache_.get(), redis::NearCache::Options{.ttl = absl::Minutes(5)});
    follower_ =
        FollowChanges(follower_redis_.get(),
                      absl::StrCat("maillage.membership.events.test", getpid()), near_cache_.get());
  }
  workers_ = std::make_unique<WorkerPool>(options.workers, options.queue_capacity);
  store_ = std::make_unique<MembershipStore>(pg_.get());
  events::OutboxRelay* relay = relay_.get();
  service_ = std::make_unique<MembershipService>(MembershipService::Dependencies{
      .store = store_.get(),
      .cache = near_cache_ != nullptr ? static_cast<redis::BytesCache*>(near_cache_.get())
                                      : cache_.get(),
      .workers = workers_.get(),
      .verifier = auth::PrincipalVerifier(kTestHmacKey),
      .page_tokens = page_tokens_,
      .clock = absl::Now,
      .on_change = [relay] {
        if (relay != nullptr) relay->Wake();
      }});
  auto server = Server::Start({.grpc_address = "127.0.0.1:0",
                               .metrics_address = "",
                               .health_service_names = {"maillage.membership.v1.MembershipService"},
                               .worker_pools = {workers_.get()}},
                              {service_.get()});
  if (!server.ok()) return server.status();
  server_ = std::move(*server);
  stub_ = v1::MembershipService::NewStub(
      grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
  return absl::OkStatus();
}

MembershipHarness::~MembershipHarness() {
  if (server_ != nullptr) server_->Shutdown(absl::Seconds(1));
  if (workers_ != nullptr) workers_->Shutdown();
  if (relay_ != nullptr) relay_->Stop();
  follower_.reset();
}

std::string MembershipHarness::address() const {
  return absl::StrCat("127.0.0.1:", server_ == nullptr ? 0 : server_->port());
}

auth::Principal MembershipHarness::Admin() const {
  auth::Principal p;
  p.set_subject("platform-admin");
  p.set_platform_admin(true);
  return auth::Stamp(std::move(p), absl::Now(), absl::Minutes(5));
}

auth::Principal MembershipHarness::ActingFor(
    const std::string& organisation_id,
    std::vector<std::pair<std::string, auth::NetworkRole>> grants,
    const std::string& subject) const {
  auth::Principal p;
  p.set_subject(subject.empty() ? absl::StrCat("person-of-", organisation_id) : subject);
  p.set_organisation_id(organisation_id);
  for (auto& [network, role] : grants) {
    auto* g = p.add_grants();
    g->set_network_id(network);
    g->set_role(role);
  }
  return auth::Stamp(std::move(p), absl::Now(), absl::Minutes(5));
}

int64_t MembershipHarness::Count(const std::string& sql) {
  int64_t n = -1;
  absl::Status s = pg_->Transact([&](pqxx::work& tx) {
    n = tx.exec1(sql)[0].as<int64_t>();
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  return n;
}

std::unique_ptr<grpc::ClientContext> MembershipHarness::Context(const auth::Principal& who) const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auth::PrincipalSigner(kTestHmacKey).Attach(who, ctx.get());
  return ctx;
}

}  // namespace maillage::membership
