#include "common/testing/harness.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace maillage::testing {
namespace {

PostgresServer* g_postgres = nullptr;
RedisServer* g_redis = nullptr;
std::atomic<int> g_next_prefix{0};

absl::Status StartServers() {
  // Started once and kept for the whole test process: starting PostgreSQL costs seconds.
  if (g_postgres == nullptr) {
    auto pg = PostgresServer::Start();
    if (!pg.ok()) return pg.status();
    g_postgres = pg->release();
    std::atexit([] { delete g_postgres; });
  }
  if (g_redis == nullptr) {
    auto redis = RedisServer::Start();
    if (!redis.ok()) return redis.status();
    g_redis = redis->release();
    std::atexit([] { delete g_redis; });
  }
  return absl::OkStatus();
}

}  // namespace

PostgresServer* ServiceHarness::postgres() { return g_postgres; }
RedisServer* ServiceHarness::redis_server() { return g_redis; }

absl::Status ServiceHarness::Start(ServiceRuntime::BuildFn build, HarnessOptions options) {
  if (runtime_ != nullptr) return absl::FailedPreconditionError("the harness was started already");
  if (absl::Status s = StartServers(); !s.ok()) return s;
  absl::StatusOr<std::string> uri = g_postgres->CreateDatabase();
  if (!uri.ok()) return uri.status();

  if (!definition_.relay.stream.empty()) {
    definition_.relay.stream = absl::StrCat(definition_.relay.stream, ".test", getpid());
    definition_.relay.poll_interval = options.relay_poll_interval;
  }
  std::map<std::string, std::string> env = {
      {"MAILLAGE_GRPC_ADDRESS", "127.0.0.1:0"},
      {"MAILLAGE_METRICS_ADDRESS", "127.0.0.1:0"},
      {"MAILLAGE_PG_URI", *uri},
      {"MAILLAGE_REDIS_ADDRESS", g_redis->address()},
      {"MAILLAGE_REDIS_POOL_SIZE", "4"},
      {"MAILLAGE_AUTH_HMAC_KEY", kTestHmacKey},
      {"MAILLAGE_WORKERS", absl::StrCat(options.workers)},
      {"MAILLAGE_QUEUE_CAPACITY", absl::StrCat(options.queue_capacity)},
      {"MAILLAGE_DRAIN_SECONDS", "1"},
      // A consumer's stop waits for its blocking read: short ones keep each test's stop short.
      {"MAILLAGE_CONSUMER_BLOCK_MS", "100"},
      {"MAILLAGE_CACHE_ENABLED", options.cache ? "true" : "false"},
      // A near cache following the service's events needs the relay; one following its own
      // stream of invalidations does not.
      {"MAILLAGE_NEAR_CACHE_ENABLED",
       options.near_cache && (options.relay || !definition_.cache_invalidations_stream.empty())
           ? "true"
           : "false"},
      {"MAILLAGE_NEAR_CACHE_TTL_MS", "300000"},
  };
  for (auto& [name, value] : options.env) env[name] = value;
  runtime_ = std::make_unique<ServiceRuntime>(
      definition_, ConfigReader(std::move(env), {}),
      RuntimeOverrides{.cache_prefix = absl::StrCat("test", getpid(), "-", g_next_prefix++),
                       .pg_acquire_timeout = absl::Seconds(3),
                       .pg_connect_timeout = absl::Seconds(2),
                       .start_relay = options.relay,
                       .on_stop_step = std::move(options.on_stop_step)});
  if (absl::Status s = runtime_->Start(std::move(build)); !s.ok()) return s;
  channel_ = grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
  return absl::OkStatus();
}

void ServiceHarness::Stop() {
  if (runtime_ != nullptr) runtime_->Stop();
}

std::string ServiceHarness::address() const {
  return absl::StrCat("127.0.0.1:", runtime_ == nullptr ? 0 : runtime_->grpc_port());
}

auth::Principal ServiceHarness::Admin() {
  auth::Principal p;
  p.set_subject("platform-admin");
  p.set_platform_admin(true);
  return auth::Stamp(std::move(p), absl::Now(), absl::Minutes(5));
}

auth::Principal ServiceHarness::ActingFor(
    const std::string& organisation_id,
    std::vector<std::pair<std::string, auth::NetworkRole>> grants, const std::string& subject) {
  auth::Principal p;
  p.set_subject(subject.empty() ? absl::StrCat("person-of-", organisation_id) : subject);
  p.set_organisation_id(organisation_id);
  for (auto& [network, role] : grants) {
    auth::v1::NetworkGrant* g = p.add_grants();
    g->set_network_id(network);
    g->set_role(role);
  }
  return auth::Stamp(std::move(p), absl::Now(), absl::Minutes(5));
}

std::unique_ptr<grpc::ClientContext> ServiceHarness::Context(const auth::Principal& who,
                                                             absl::Duration deadline) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  auth::PrincipalSigner(kTestHmacKey).Attach(who, ctx.get());
  return ctx;
}

int64_t ServiceHarness::Count(const std::string& sql) {
  int64_t n = -1;
  absl::Status s = runtime_->pg()->Transact([&](pqxx::work& tx) {
    n = tx.exec1(sql)[0].as<int64_t>();
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  return n;
}

}  // namespace maillage::testing
