// The membership service process: configuration → dependencies → server. Nothing else.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/auth/auth.h"
#include "common/config/config.h"
#include "common/events/outbox.h"
#include "common/events/relay.h"
#include "common/log/log.h"
#include "common/paging/paging.h"
#include "common/pg/pg.h"
#include "common/pg/retention.h"
#include "common/redis/cache.h"
#include "common/redis/near_cache.h"
#include "common/redis/redis.h"
#include "common/server/server.h"
#include "common/server/worker_pool.h"
#include "services/membership/membership_service.h"
#include "services/membership/membership_store.h"

namespace maillage::membership {
const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedFiles();
}  // namespace maillage::membership

namespace {

using namespace maillage;  // NOLINT: main wires many of them

struct Config {
  std::string grpc_address;
  std::string metrics_address;
  std::string pg_uri;
  int pg_pool_size;
  std::string redis_address;
  int redis_pool_size;
  std::string hmac_key;
  std::string page_token_key;
  std::string audience;
  int max_principal_minutes;
  int workers;
  int queue_capacity;
  std::string log_level;
  int drain_seconds;
  int cache_ttl_seconds;
  bool cache_enabled;
  bool near_cache_enabled;
  int near_cache_ttl_ms;
  int near_cache_entries;
  int retention_interval_seconds;
  int outbox_keep_hours;
};

absl::StatusOr<Config> LoadConfig(int argc, char** argv) {
  ConfigReader r(argc, argv);
  Config c{
      .grpc_address = r.String("GRPC_ADDRESS", "0.0.0.0:50051"),
      .metrics_address = r.String("METRICS_ADDRESS", "0.0.0.0:9464"),
      .pg_uri = r.Required("PG_URI"),
      .pg_pool_size = r.Int("PG_POOL_SIZE", 8, 1, 200),
      .redis_address = r.Required("REDIS_ADDRESS"),
      .redis_pool_size = r.Int("REDIS_POOL_SIZE", 8, 1, 200),
      .hmac_key = r.Required("AUTH_HMAC_KEY"),
      .page_token_key = r.String("PAGE_TOKEN_KEY", ""),
      .audience = r.String("AUTH_AUDIENCE", auth::kDefaultAudience),
      .max_principal_minutes = r.Int("AUTH_MAX_PRINCIPAL_MINUTES", 5, 1, 24 * 60),
      .workers = r.Int("WORKERS", 8, 1, 256),
      .queue_capacity = r.Int("QUEUE_CAPACITY", 256, 1, 100000),
      .log_level = r.String("LOG_LEVEL", "info"),
      .drain_seconds = r.Int("DRAIN_SECONDS", 10, 0, 600),
      .cache_ttl_seconds = r.Int("CACHE_TTL_SECONDS", 300, 1, 86400),
      .cache_enabled = r.Bool("CACHE_ENABLED", true),
      .near_cache_enabled = r.Bool("NEAR_CACHE_ENABLED", true),
      .near_cache_ttl_ms = r.Int("NEAR_CACHE_TTL_MS", 5000, 1, 600000),
      .near_cache_entries = r.Int("NEAR_CACHE_ENTRIES", 20000, 16, 10000000),
      .retention_interval_seconds = r.Int("RETENTION_INTERVAL_SECONDS", 3600, 1, 7 * 86400),
      .outbox_keep_hours = r.Int("OUTBOX_KEEP_HOURS", 7 * 24, 1, 365 * 24),
  };
  if (!c.hmac_key.empty()) {
    if (absl::Status s = auth::ValidateKey(c.hmac_key); !s.ok()) {
      r.AddError(absl::StrCat("MAILLAGE_AUTH_HMAC_KEY: ", s.message()));
    }
  }
  if (!c.page_token_key.empty()) {
    if (absl::Status s = ValidatePageTokenKey(c.page_token_key, "MAILLAGE_PAGE_TOKEN_KEY");
        !s.ok()) {
      r.AddError(std::string(s.message()));
    }
  } else if (!c.hmac_key.empty()) {
    // Derived, so that every replica of a deployment signs and accepts the same tokens
    // without another secret to distribute.
    c.page_token_key = DerivePageTokenKey(c.hmac_key);
  }
  if (absl::Status s = log::Init("membership", c.log_level); !s.ok()) {
    r.AddError(absl::StrCat("MAILLAGE_LOG_LEVEL: ", s.message()));
  }
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  return c;
}

int Run(int argc, char** argv) {
  BlockTerminationSignals();
  // Debian builds Abseil with mutex deadlock detection on: a debugging aid whose lock graph
  // costs ~2 % of every request in production.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  absl::StatusOr<Config> config = LoadConfig(argc, argv);
  if (!config.ok()) {
    std::cerr << "membership: " << config.status().message() << "\n";
    return 2;
  }
  auto pg = pg::PgPool::Create({.uri = config->pg_uri, .size = config->pg_pool_size});
  if (!pg.ok()) {
    log::Error("postgresql configuration", {{"error", pg.status().ToString()}});
    return 2;
  }
  std::vector<pg::Migration> migrations = pg::MigrationsFromEmbedded(membership::EmbeddedFiles());
  migrations.push_back({"000_outbox.sql", std::string(events::OutboxSchemaSql())});
  migrations.push_back({"000_outbox_retention.sql", std::string(events::OutboxRetentionSql())});
  if (absl::Status s = pg::ApplyMigrations(**pg, "membership", migrations); !s.ok()) {
    log::Error("migrations failed", {{"error", s.ToString()}});
    return 1;
  }
  auto redis = redis::RedisPool::Create(
      {.address = config->redis_address, .pool_size = config->redis_pool_size});
  if (!redis.ok()) {
    log::Error("redis configuration", {{"error", redis.status().ToString()}});
    return 2;
  }
  redis::ReadThroughCache cache(redis->get(), "maillage:membership",
                                absl::Seconds(config->cache_ttl_seconds));
  events::OutboxRelay relay(pg->get(), redis->get(), {.stream = "maillage.membership.events"});
  relay.Start();
  // The near cache follows the change stream on a connection of its own (its read blocks).
  auto follower_redis =
      redis::RedisPool::Create({.address = config->redis_address, .pool_size = 1});
  if (!follower_redis.ok()) {
    log::Error("redis configuration", {{"error", follower_redis.status().ToString()}});
    return 2;
  }
  redis::NearCache near(&cache, {.max_entries = static_cast<size_t>(config->near_cache_entries),
                                 .ttl = absl::Milliseconds(config->near_cache_ttl_ms)});
  std::unique_ptr<redis::StreamFollower> follower;
  if (config->cache_enabled && config->near_cache_enabled) {
    follower =
        membership::FollowChanges(follower_redis->get(), "maillage.membership.events", &near);
  }
  redis::BytesCache* reads = !config->cache_enabled       ? nullptr
                             : config->near_cache_enabled ? static_cast<redis::BytesCache*>(&near)
                                                          : &cache;

  WorkerPool workers(config->workers, config->queue_capacity);
  membership::MembershipStore store(pg->get());
  membership::MembershipService service(
      {.store = &store,
       .cache = reads,
       .workers = &workers,
       .verifier = auth::PrincipalVerifier(
           config->hmac_key, {.audience = config->audience,
                              .max_lifetime = absl::Minutes(config->max_principal_minutes)}),
       .page_tokens = PageTokenCodec(config->page_token_key),
       .clock = absl::Now,
       .on_change = [&relay] { relay.Wake(); }});
  auto server = Server::Start({.grpc_address = config->grpc_address,
                               .metrics_address = config->metrics_address,
                               .health_service_names = {"maillage.membership.v1.MembershipService"},
                               .worker_pools = {&workers}},
                              {&service});
  if (!server.ok()) {
    log::Error("cannot start", {{"error", server.status().ToString()}});
    return 1;
  }
  // Relayed events and idempotency keys past their 24 h window (membership_store.cc) are
  // deleted in small batches; ReserveKey already treats such keys as absent.
  pg::Retention retention(
      pg->get(), {.rules = {events::OutboxRetentionRule(absl::Hours(config->outbox_keep_hours)),
                            {.table = "idempotency_keys",
                             .age_column = "created_at",
                             .keep_for = absl::Hours(24)}},
                  .interval = absl::Seconds(config->retention_interval_seconds),
                  .metrics = &(*server)->metrics()});
  retention.Start();
  WaitForTerminationSignal();
  retention.Stop();
  (*server)->Shutdown(absl::Seconds(config->drain_seconds));
  workers.Shutdown();
  relay.Stop();
  // One last pass, so the events of the final calls leave now rather than at the next start.
  if (absl::Status s = relay.RelayOnce(); !s.ok()) {
    log::Warn("events left in the outbox for the next start", {{"error", s.ToString()}});
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
