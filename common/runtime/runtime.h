// common/runtime: the process around a Maillage service, so that a service's main.cc holds
// only what is its own.
//
// A ServiceRuntime does, in this order:
//   1. reads the common configuration (table below) with a ConfigReader that the service
//      also reads its own settings from (config()), so every mistake is reported at once and
//      the process stops before serving anything (Run() returns 2);
//   2. creates the Prometheus registry first, so that everything built after registers its
//      metrics there and the one /metrics port serves them all;
//   3. builds the PostgreSQL pool, applies the service's migrations and the outbox ones
//      (checksummed, bookkept under the service's name), the Redis pool, the read-through
//      cache (and the near cache following the service's stream, when the service says how,
//      or its own stream of invalidations),
//      the outbox relay, the worker pool and retention (outbox, idempotency keys, the
//      service's own rules);
//   4. calls the service's `build` function, which constructs its store and handlers from
//      these parts, may register stream consumers (AddConsumer), and returns its services;
//   5. starts the consumers and the gRPC server (health, reflection, /metrics);
//   6. Run(): waits for SIGTERM/SIGINT (or RequestStop()), then stops in order:
//        health NOT_SERVING -> server drain -> workers -> consumers and near cache follower
//        -> retention -> relay (+ one last RelayOnce, so the final calls' events leave now)
//        -> the service's objects -> pools.
//
//   int main(int argc, char** argv) {
//     maillage::ServiceRuntime runtime(
//         {.name = "membership",
//          .migrations = pg::MigrationsFromEmbedded(membership::EmbeddedFiles()),
//          .health_service_names = {"maillage.membership.v1.MembershipService"},
//          .relay = {.stream = "maillage.membership.events"},
//          .follow_changes = membership::FollowChanges,
//          .retention_rules = {}},
//         argc, argv);
//     int max_rows = runtime.config().Int("IMPORT_MAX_ROWS", 50000, 1, 1000000);  // its own
//     return runtime.Run([&](maillage::ServiceRuntime& rt) -> maillage::ServiceList {
//       auto* store = rt.Keep(std::make_unique<membership::MembershipStore>(rt.pg()));
//       auto* service = rt.Keep(std::make_unique<membership::MembershipService>(...
//           .store = store, .cache = rt.cache(), .workers = rt.workers(),
//           .verifier = rt.verifier(), .page_tokens = rt.page_tokens(),
//           .clock = rt.clock(), .on_change = rt.wake_relay()));
//       return maillage::ServiceList{service};
//     });
//   }
//
// Common configuration (MAILLAGE_<NAME> or --<name>; defaults as listed):
//   GRPC_ADDRESS 0.0.0.0:50051   METRICS_ADDRESS 0.0.0.0:9464   PG_URI (required)
//   PG_POOL_SIZE 8   REDIS_ADDRESS (required)   REDIS_POOL_SIZE 8
//   AUTH_HMAC_KEY (required, >= 32 bytes)   PAGE_TOKEN_KEY (derived from AUTH_HMAC_KEY)
//   AUTH_AUDIENCE maillage   AUTH_MAX_PRINCIPAL_MINUTES 5   WORKERS 8   QUEUE_CAPACITY 256
//   LOG_LEVEL info   DRAIN_SECONDS 10   CACHE_TTL_SECONDS 300   CACHE_ENABLED true
//   NEAR_CACHE_ENABLED true   NEAR_CACHE_TTL_MS 5000   NEAR_CACHE_ENTRIES 20000
//   RETENTION_INTERVAL_SECONDS 3600   OUTBOX_KEEP_HOURS 168
//   CONSUMER_BLOCK_MS 2000 (how long a stream consumer's read waits on Redis: also how long
//   stopping it may take)
//   TLS_CERT_FILE, TLS_KEY_FILE, TLS_CLIENT_CA_FILE (PEM; empty: plaintext; see
//   common/server/tls.h; a wrong file stops the start with its name)
//
// Tests start the same code path with Start()/Stop() on port 0 (common/testing/harness.h).
#ifndef MAILLAGE_COMMON_RUNTIME_RUNTIME_H_
#define MAILLAGE_COMMON_RUNTIME_RUNTIME_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/auth/auth.h"
#include "common/config/config.h"
#include "common/events/consumer.h"
#include "common/events/relay.h"
#include "common/paging/paging.h"
#include "common/pg/pg.h"
#include "common/pg/retention.h"
#include "common/redis/cache.h"
#include "common/redis/near_cache.h"
#include "common/redis/redis.h"
#include "common/server/server.h"
#include "common/server/worker_pool.h"

namespace grpc {
class CallbackGenericService;
class Service;
}  // namespace grpc

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace maillage {

// The gRPC services a service's build function returns (owned by the service, e.g. Keep()).
using ServiceList = std::vector<grpc::Service*>;

// What a service declares about itself.
struct ServiceDefinition {
  // "membership": the log's service field, the migrations' bookkeeping key, the cache prefix
  // ("maillage:<name>").
  std::string name{};
  // The service's own migrations (e.g. pg::MigrationsFromEmbedded(...EmbeddedFiles())). The
  // outbox schema is added when the service has a stream.
  std::vector<pg::Migration> migrations{};
  // Reported SERVING by the health service while the server runs (besides "").
  std::vector<std::string> health_service_names{};
  // The outbox relay: .stream (e.g. "maillage.membership.events") and its tuning. An empty
  // stream means no outbox and no relay.
  events::RelayOptions relay{};
  // Optional: follows the stream and drops from the near cache what each event changed
  // (e.g. membership::FollowChanges). Without it there is no near cache.
  std::function<std::unique_ptr<redis::StreamFollower>(redis::RedisPool*, std::string,
                                                       redis::NearCache*)>
      follow_changes{};
  // Optional, instead of follow_changes: a Redis stream (e.g. "maillage.assessment.cache")
  // on which every invalidation of the near cache is announced and which every process
  // follows (redis::FollowBroadcastInvalidations). For a service whose cached reads change
  // on more than its own events say, e.g. on another service's events that only one replica
  // consumes.
  std::string cache_invalidations_stream{};
  // Deleted by retention besides the relayed outbox rows and idempotency keys past 24 h.
  std::vector<pg::RetentionRule> retention_rules{};
  // Whether the service has the idempotency_keys table (common/pg/idempotency.h).
  bool idempotency_keys = true;
  // False for a service without a database of its own (the gateway): MAILLAGE_PG_URI is not
  // read, pg() is null, and an outbox stream or migrations are a configuration error.
  bool uses_postgres = true;
};

// The common settings, as read (see the table above).
struct RuntimeSettings {
  std::string grpc_address;
  std::string metrics_address;
  std::string pg_uri;
  int pg_pool_size = 8;
  std::string redis_address;
  int redis_pool_size = 8;
  std::string hmac_key;
  std::string page_token_key;
  std::string audience;
  int max_principal_minutes = 5;
  int workers = 8;
  int queue_capacity = 256;
  std::string log_level;
  int drain_seconds = 10;
  int consumer_block_ms = 2000;
  int cache_ttl_seconds = 300;
  bool cache_enabled = true;
  bool near_cache_enabled = true;
  int near_cache_ttl_ms = 5000;
  int near_cache_entries = 20000;
  int retention_interval_seconds = 3600;
  int outbox_keep_hours = 7 * 24;
  TlsOptions tls{};
};

// What tests and benchmarks change and production never does.
struct RuntimeOverrides {
  // Empty: "maillage:<name>". Tests sharing one Redis give each runtime its own.
  std::string cache_prefix{};
  absl::Duration pg_acquire_timeout = absl::Seconds(5);
  absl::Duration pg_connect_timeout = absl::Seconds(3);
  // False: events stay in the outbox (tests that inspect it, or relay by hand).
  bool start_relay = true;
  // Called with each step of Stop() as it begins: "front", "server", "workers", "consumers",
  // "retention", "relay", "objects", "pools".
  std::function<void(const std::string&)> on_stop_step{};
};

class ServiceRuntime {
 public:
  using BuildFn = std::function<absl::StatusOr<ServiceList>(ServiceRuntime&)>;

  // Reads the common settings from the environment and argv (main).
  ServiceRuntime(ServiceDefinition definition, int argc, const char* const* argv);
  // Reads them from `config` (tests: ConfigReader with explicit variables).
  ServiceRuntime(ServiceDefinition definition, ConfigReader config,
                 RuntimeOverrides overrides = {});
  ~ServiceRuntime();  // Stop()

  ServiceRuntime(const ServiceRuntime&) = delete;
  ServiceRuntime& operator=(const ServiceRuntime&) = delete;

  // The reader the common settings came from: read the service's own settings here before
  // Start()/Run(), which report every problem together.
  ConfigReader& config() { return config_; }
  const RuntimeSettings& settings() const { return settings_; }
  const ServiceDefinition& definition() const { return definition_; }

  // The process: Start(build), wait for SIGTERM/SIGINT or RequestStop(), Stop(). Returns the
  // exit code: 0 after a clean stop, 2 for bad configuration, 1 when the start failed
  // (migrations, ports). Call it from main before any thread starts: it blocks the signals.
  int Run(BuildFn build);
  // Makes Run() stop as a signal would. Thread-safe; a no-op once stopping.
  void RequestStop();

  // Everything up to a serving gRPC server (steps 1-5 above). FAILED_PRECONDITION listing
  // every configuration problem; the first failure of a dependency otherwise (what was
  // started is stopped again). Once only.
  absl::Status Start(BuildFn build);
  // The ordered shutdown (step 6). Idempotent; the destructor calls it.
  void Stop();

  // The parts, valid from inside `build` until Stop().
  pg::PgPool* pg() const { return pg_.get(); }
  redis::RedisPool* redis() const { return redis_.get(); }
  // Where this service's keys live in Redis: "maillage:<name>" (tests give each their own).
  std::string redis_prefix() const;
  // The near cache, else the Redis cache; nullptr when CACHE_ENABLED=false.
  redis::BytesCache* cache() const { return reads_; }
  redis::ReadThroughCache* redis_cache() const { return cache_.get(); }
  redis::NearCache* near_cache() const { return near_cache_.get(); }
  redis::StreamFollower* follower() const { return follower_.get(); }
  events::OutboxRelay* relay() const { return relay_.get(); }
  WorkerPool* workers() const { return workers_.get(); }
  const auth::PrincipalVerifier& verifier() const { return verifier_; }
  const PageTokenCodec& page_tokens() const { return page_tokens_; }
  std::function<absl::Time()> clock() const { return absl::Now; }
  // Publishes the outbox now: call after a commit that enqueued events. Never null.
  std::function<void()> wake_relay() const;
  // Everything registers here; /metrics serves it.
  prometheus::Registry* metrics() const { return metrics_.get(); }
  // Valid after Start(): the bound ports (port 0 picks free ones).
  int grpc_port() const;
  int metrics_port() const;

  // Keeps `object` alive until Stop() (destroyed after the server and workers stopped, before
  // the pools; in reverse order of Keep). Returns it.
  template <typename T>
  T* Keep(std::unique_ptr<T> object) {
    T* raw = object.get();
    kept_.push_back(std::shared_ptr<void>(std::move(object)));
    return raw;
  }

  // From inside `build`: a consumer of a stream (common/events/consumer.h), started with the
  // server and stopped after the workers. It gets a Redis connection pool of its own (its
  // read blocks). Returns it (owned by the runtime).
  events::StreamConsumer* AddConsumer(events::ConsumerOptions options,
                                      events::EventHandler handler);

  // From inside `build`: called first in Stop(), before the gRPC server drains and the
  // workers go (last registered first): for front doors such as the gateway's HTTP server,
  // which must stop taking requests before what serves them stops.
  void OnStop(std::function<void()> hook) { stop_hooks_.push_back(std::move(hook)); }
  // From inside `build`: a service answering every method the returned services do not have
  // (the gateway's gRPC proxy). Must outlive the server (Keep it).
  void SetGenericService(grpc::CallbackGenericService* service) { generic_service_ = service; }

 private:
  absl::Status StartDependencies();
  absl::Status StartPostgres();
  absl::Status StartRedisAndAfter();
  ServerOptions MakeServerOptions() const;
  void Step(const std::string& name) const;

  ServiceDefinition definition_;
  ConfigReader config_;
  RuntimeOverrides overrides_;
  RuntimeSettings settings_;
  auth::PrincipalVerifier verifier_{""};
  PageTokenCodec page_tokens_;
  bool started_ = false;
  bool bad_config_ = false;  // Run() exits 2
  bool stopped_ = false;
  absl::Notification stop_requested_;

  // Declared in construction order; Stop() releases them in the reverse one.
  std::shared_ptr<prometheus::Registry> metrics_;
  std::unique_ptr<pg::PgPool> pg_;
  std::unique_ptr<redis::RedisPool> redis_;
  std::unique_ptr<redis::ReadThroughCache> cache_;
  std::unique_ptr<redis::RedisPool> follower_redis_;
  std::unique_ptr<redis::NearCache> near_cache_;
  std::unique_ptr<redis::StreamFollower> follower_;
  redis::BytesCache* reads_ = nullptr;
  std::unique_ptr<events::OutboxRelay> relay_;
  std::unique_ptr<pg::Retention> retention_;
  std::unique_ptr<WorkerPool> workers_;
  std::vector<std::unique_ptr<redis::RedisPool>> consumer_redis_;
  std::vector<std::unique_ptr<events::StreamConsumer>> consumers_;
  std::vector<std::shared_ptr<void>> kept_;
  std::vector<std::function<void()>> stop_hooks_;
  grpc::CallbackGenericService* generic_service_ = nullptr;
  std::unique_ptr<Server> server_;
};

}  // namespace maillage

#endif  // MAILLAGE_COMMON_RUNTIME_RUNTIME_H_
