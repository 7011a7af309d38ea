// The membership service process: configuration → dependencies → server. Nothing else.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/auth/auth.h"
#include "common/config/config.h"
#include "common/events/outbox.h"
#include "common/events/relay.h"
#include "common/log/log.h"
#include "common/pg/pg.h"
#include "common/redis/cache.h"
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
  std::string audience;
  int max_principal_minutes;
  int workers;
  int queue_capacity;
  std::string log_level;
  int drain_seconds;
  int cache_ttl_seconds;
  bool cache_enabled;
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
      .audience = r.String("AUTH_AUDIENCE", auth::kDefaultAudience),
      .max_principal_minutes = r.Int("AUTH_MAX_PRINCIPAL_MINUTES", 5, 1, 24 * 60),
      .workers = r.Int("WORKERS", 8, 1, 256),
      .queue_capacity = r.Int("QUEUE_CAPACITY", 256, 1, 100000),
      .log_level = r.String("LOG_LEVEL", "info"),
      .drain_seconds = r.Int("DRAIN_SECONDS", 10, 0, 600),
      .cache_ttl_seconds = r.Int("CACHE_TTL_SECONDS", 300, 1, 86400),
      .cache_enabled = r.Bool("CACHE_ENABLED", true),
  };
  if (!c.hmac_key.empty()) {
    if (absl::Status s = auth::ValidateKey(c.hmac_key); !s.ok()) {
      r.AddError(absl::StrCat("MAILLAGE_AUTH_HMAC_KEY: ", s.message()));
    }
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

  WorkerPool workers(config->workers, config->queue_capacity);
  membership::MembershipStore store(pg->get());
  membership::MembershipService service(
      {.store = &store,
       .cache = config->cache_enabled ? &cache : nullptr,
       .workers = &workers,
       .verifier = auth::PrincipalVerifier(
           config->hmac_key, {.audience = config->audience,
                              .max_lifetime = absl::Minutes(config->max_principal_minutes)}),
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
  WaitForTerminationSignal();
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
