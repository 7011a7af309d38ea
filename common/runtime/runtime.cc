#include "common/runtime/runtime.h"

#include <prometheus/registry.h>
#include <signal.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/events/outbox.h"
#include "common/log/library_logs.h"
#include "common/log/log.h"

namespace maillage {
namespace {

bool IsLogLevel(const std::string& level) {
  return level == "debug" || level == "info" || level == "warn" || level == "error";
}

// Waits for SIGTERM/SIGINT (blocked by Run beforehand) or `stop`. sigwait cannot be woken by
// another thread without a signal, so it waits in short slices and looks at `stop` between.
void WaitForSignalOr(const absl::Notification& stop) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  while (!stop.HasBeenNotified()) {
    timespec slice{.tv_sec = 0, .tv_nsec = 200 * 1000 * 1000};
    int sig = sigtimedwait(&set, nullptr, &slice);
    if (sig == SIGTERM || sig == SIGINT) {
      log::Info("termination signal", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      return;
    }
  }
}

}  // namespace

ServiceRuntime::ServiceRuntime(ServiceDefinition definition, int argc, const char* const* argv)
    : ServiceRuntime(std::move(definition), ConfigReader(argc, argv)) {}

ServiceRuntime::ServiceRuntime(ServiceDefinition definition, ConfigReader config,
                               RuntimeOverrides overrides)
    : definition_(std::move(definition)),
      config_(std::move(config)),
      overrides_(std::move(overrides)) {
  ConfigReader& r = config_;
  RuntimeSettings& c = settings_;
  c.grpc_address = r.String("GRPC_ADDRESS", "0.0.0.0:50051");
  c.metrics_address = r.String("METRICS_ADDRESS", "0.0.0.0:9464");
  // A service without PostgreSQL (the gateway) neither needs nor reads it.
  c.pg_uri = definition_.uses_postgres ? r.Required("PG_URI") : "";
  c.pg_pool_size = r.Int("PG_POOL_SIZE", 8, 1, 200);
  c.redis_address = r.Required("REDIS_ADDRESS");
  c.redis_pool_size = r.Int("REDIS_POOL_SIZE", 8, 1, 200);
  c.hmac_key = r.Required("AUTH_HMAC_KEY");
  c.page_token_key = r.String("PAGE_TOKEN_KEY", "");
  c.audience = r.String("AUTH_AUDIENCE", auth::kDefaultAudience);
  c.max_principal_minutes = r.Int("AUTH_MAX_PRINCIPAL_MINUTES", 5, 1, 24 * 60);
  c.workers = r.Int("WORKERS", 8, 1, 256);
  c.queue_capacity = r.Int("QUEUE_CAPACITY", 256, 1, 100000);
  c.log_level = r.String("LOG_LEVEL", "info");
  c.drain_seconds = r.Int("DRAIN_SECONDS", 10, 0, 600);
  c.consumer_block_ms = r.Int("CONSUMER_BLOCK_MS", 2000, 10, 60000);
  c.cache_ttl_seconds = r.Int("CACHE_TTL_SECONDS", 300, 1, 86400);
  c.cache_enabled = r.Bool("CACHE_ENABLED", true);
  c.near_cache_enabled = r.Bool("NEAR_CACHE_ENABLED", true);
  c.near_cache_ttl_ms = r.Int("NEAR_CACHE_TTL_MS", 5000, 1, 600000);
  c.near_cache_entries = r.Int("NEAR_CACHE_ENTRIES", 20000, 16, 10000000);
  c.retention_interval_seconds = r.Int("RETENTION_INTERVAL_SECONDS", 3600, 1, 7 * 86400);
  c.outbox_keep_hours = r.Int("OUTBOX_KEEP_HOURS", 7 * 24, 1, 365 * 24);
  c.tls.cert_file = r.String("TLS_CERT_FILE", "");
  c.tls.key_file = r.String("TLS_KEY_FILE", "");
  c.tls.client_ca_file = r.String("TLS_CLIENT_CA_FILE", "");
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
  if (!IsLogLevel(c.log_level)) {
    r.AddError(absl::StrCat("MAILLAGE_LOG_LEVEL: log level '", c.log_level,
                            "': expected debug, info, warn or error"));
  }
}

ServiceRuntime::~ServiceRuntime() { Stop(); }

int ServiceRuntime::Run(BuildFn build) {
  BlockTerminationSignals();
  // Debian builds Abseil with mutex deadlock detection on: a debugging aid whose lock graph
  // costs ~2 % of every request in production.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (IsLogLevel(settings_.log_level)) {
    (void)log::Init(definition_.name, settings_.log_level);
  }
  // A request with a non-UTF-8 string makes libprotobuf log a line: keep those JSON and few.
  log::RouteLibraryLogs();
  if (absl::Status s = Start(std::move(build)); !s.ok()) {
    if (bad_config_) {
      std::cerr << definition_.name << ": " << s.message() << "\n";
      return 2;
    }
    log::Error("cannot start", {{"error", s.ToString()}});
    return 1;
  }
  WaitForSignalOr(stop_requested_);
  Stop();
  return 0;
}

void ServiceRuntime::RequestStop() {
  if (!stop_requested_.HasBeenNotified()) stop_requested_.Notify();
}

absl::Status ServiceRuntime::Start(BuildFn build) {
  if (started_) return absl::FailedPreconditionError("the runtime was started already");
  // Every configuration problem, the service's own included, in one message.
  if (absl::Status s = config_.Finish(); !s.ok()) {
    bad_config_ = true;
    return s;
  }
  started_ = true;
  absl::Status s = StartDependencies();
  absl::StatusOr<ServiceList> services = s.ok() ? build(*this) : absl::StatusOr<ServiceList>(s);
  if (services.ok()) {
    absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(MakeServerOptions(), *services);
    if (server.ok()) {
      server_ = std::move(*server);
      for (auto& consumer : consumers_) consumer->Start();
      return absl::OkStatus();
    }
    services = server.status();
  }
  Stop();
  return services.status();
}

absl::Status ServiceRuntime::StartDependencies() {
  const RuntimeSettings& c = settings_;
  // First, so that every part below registers its metrics where /metrics will read them.
  metrics_ = std::make_shared<prometheus::Registry>();
  verifier_ = auth::PrincipalVerifier(
      c.hmac_key, {.audience = c.audience, .max_lifetime = absl::Minutes(c.max_principal_minutes)});
  page_tokens_ = PageTokenCodec(c.page_token_key);

  const bool has_stream = !definition_.relay.stream.empty();
  if (definition_.follow_changes != nullptr && !definition_.cache_invalidations_stream.empty()) {
    bad_config_ = true;
    return absl::FailedPreconditionError(
        "service definition: follow_changes or cache_invalidations_stream, not both");
  }
  if (!definition_.uses_postgres) {
    if (has_stream || !definition_.migrations.empty()) {
      bad_config_ = true;
      return absl::FailedPreconditionError(
          "service definition: an outbox stream or migrations need PostgreSQL");
    }
  } else {
    if (absl::Status s = StartPostgres(); !s.ok()) return s;
  }
  return StartRedisAndAfter();
}

absl::Status ServiceRuntime::StartPostgres() {
  const RuntimeSettings& c = settings_;
  auto pg = pg::PgPool::Create({.uri = c.pg_uri,
                                .size = c.pg_pool_size,
                                .acquire_timeout = overrides_.pg_acquire_timeout,
                                .connect_timeout = overrides_.pg_connect_timeout,
                                .metrics = metrics_.get()});
  if (!pg.ok()) {
    bad_config_ = true;
    return absl::FailedPreconditionError(absl::StrCat("MAILLAGE_PG_URI: ", pg.status().message()));
  }
  pg_ = std::move(*pg);
  std::vector<pg::Migration> migrations = definition_.migrations;
  const bool has_stream = !definition_.relay.stream.empty();
  if (has_stream) {
    migrations.push_back({"000_outbox.sql", std::string(events::OutboxSchemaSql())});
    migrations.push_back({"000_outbox_retention.sql", std::string(events::OutboxRetentionSql())});
  }
  if (absl::Status s = pg::ApplyMigrations(*pg_, definition_.name, migrations); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("migrations: ", s.message()));
  }
  return absl::OkStatus();
}

absl::Status ServiceRuntime::StartRedisAndAfter() {
  const RuntimeSettings& c = settings_;
  const bool has_stream = !definition_.relay.stream.empty();

  auto redis =
      redis::RedisPool::Create({.address = c.redis_address, .pool_size = c.redis_pool_size});
  if (!redis.ok()) {
    bad_config_ = true;
    return absl::FailedPreconditionError(
        absl::StrCat("MAILLAGE_REDIS_ADDRESS: ", redis.status().message()));
  }
  redis_ = std::move(*redis);
  if (c.cache_enabled) {
    cache_ = std::make_unique<redis::ReadThroughCache>(
        redis_.get(), redis_prefix(), absl::Seconds(c.cache_ttl_seconds), metrics_.get());
    reads_ = cache_.get();
  }

  if (has_stream) {
    events::RelayOptions relay_options = definition_.relay;
    relay_options.metrics = metrics_.get();
    relay_ = std::make_unique<events::OutboxRelay>(pg_.get(), redis_.get(), relay_options);
    if (overrides_.start_relay) relay_->Start();
  }
  const bool follows_events = has_stream && definition_.follow_changes != nullptr;
  const bool broadcasts = !definition_.cache_invalidations_stream.empty();
  if (cache_ != nullptr && c.near_cache_enabled && (follows_events || broadcasts)) {
    // The follower's XREAD blocks: it gets a connection of its own.
    auto follower_redis = redis::RedisPool::Create({.address = c.redis_address, .pool_size = 1});
    if (!follower_redis.ok()) return follower_redis.status();
    follower_redis_ = std::move(*follower_redis);
    near_cache_ = std::make_unique<redis::NearCache>(
        cache_.get(),
        redis::NearCache::Options{.max_entries = static_cast<size_t>(c.near_cache_entries),
                                  .ttl = absl::Milliseconds(c.near_cache_ttl_ms),
                                  .metrics = metrics_.get(),
                                  .broadcast_pool = broadcasts ? redis_.get() : nullptr,
                                  .broadcast_stream = definition_.cache_invalidations_stream});
    follower_ = broadcasts
                    ? redis::FollowBroadcastInvalidations(follower_redis_.get(), near_cache_.get())
                    : definition_.follow_changes(follower_redis_.get(), definition_.relay.stream,
                                                 near_cache_.get());
    reads_ = near_cache_.get();
  }

  workers_ = std::make_unique<WorkerPool>(c.workers, static_cast<size_t>(c.queue_capacity));

  std::vector<pg::RetentionRule> rules;
  if (has_stream) rules.push_back(events::OutboxRetentionRule(absl::Hours(c.outbox_keep_hours)));
  // ReserveKey (common/pg/idempotency.h) already treats keys past their 24 h window as absent.
  if (definition_.idempotency_keys) {
    rules.push_back(
        {.table = "idempotency_keys", .age_column = "created_at", .keep_for = absl::Hours(24)});
  }
  rules.insert(rules.end(), definition_.retention_rules.begin(), definition_.retention_rules.end());
  if (!rules.empty() && pg_ != nullptr) {
    retention_ = std::make_unique<pg::Retention>(
        pg_.get(), pg::RetentionOptions{.rules = std::move(rules),
                                        .interval = absl::Seconds(c.retention_interval_seconds),
                                        .metrics = metrics_.get()});
    retention_->Start();
  }
  return absl::OkStatus();
}

ServerOptions ServiceRuntime::MakeServerOptions() const {
  return ServerOptions{.grpc_address = settings_.grpc_address,
                       .metrics_address = settings_.metrics_address,
                       .health_service_names = definition_.health_service_names,
                       .worker_pools = {workers_.get()},
                       .metrics_registry = metrics_,
                       .tls = settings_.tls,
                       .generic_service = generic_service_};
}

std::function<void()> ServiceRuntime::wake_relay() const {
  events::OutboxRelay* relay = relay_.get();
  return [relay] {
    if (relay != nullptr) relay->Wake();
  };
}

std::string ServiceRuntime::redis_prefix() const {
  return overrides_.cache_prefix.empty() ? absl::StrCat("maillage:", definition_.name)
                                         : overrides_.cache_prefix;
}

int ServiceRuntime::grpc_port() const { return server_ == nullptr ? 0 : server_->port(); }
int ServiceRuntime::metrics_port() const {
  return server_ == nullptr ? 0 : server_->metrics_port();
}

events::StreamConsumer* ServiceRuntime::AddConsumer(events::ConsumerOptions options,
                                                    events::EventHandler handler) {
  // Its blocking read holds one connection; acknowledgements and claims take the other.
  auto pool = redis::RedisPool::Create({.address = settings_.redis_address, .pool_size = 2});
  // The address was accepted for the main pool already, so this cannot fail on it.
  if (!pool.ok()) return nullptr;
  consumer_redis_.push_back(std::move(*pool));
  options.metrics = metrics_.get();
  options.block = absl::Milliseconds(settings_.consumer_block_ms);
  consumers_.push_back(std::make_unique<events::StreamConsumer>(
      consumer_redis_.back().get(), std::move(options), std::move(handler)));
  return consumers_.back().get();
}

void ServiceRuntime::Step(const std::string& name) const {
  if (overrides_.on_stop_step) overrides_.on_stop_step(name);
}

void ServiceRuntime::Stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  RequestStop();
  // Front doors first (the gateway's HTTP server): no new request reaches the workers.
  Step("front");
  for (auto it = stop_hooks_.rbegin(); it != stop_hooks_.rend(); ++it) (*it)();
  stop_hooks_.clear();
  // Health turns NOT_SERVING, queued calls get UNAVAILABLE, calls in flight finish.
  Step("server");
  if (server_ != nullptr) server_->Shutdown(absl::Seconds(settings_.drain_seconds));
  Step("workers");
  if (workers_ != nullptr) workers_->Shutdown();
  Step("consumers");
  for (auto& consumer : consumers_) consumer->Stop();
  follower_.reset();
  Step("retention");
  if (retention_ != nullptr) retention_->Stop();
  Step("relay");
  if (relay_ != nullptr) {
    relay_->Stop();
    // One last pass, so the events of the final calls leave now rather than at the next start.
    if (absl::Status s = relay_->RelayOnce(); !s.ok()) {
      log::Warn("events left in the outbox for the next start", {{"error", s.ToString()}});
    }
  }
  Step("objects");
  server_.reset();
  while (!kept_.empty()) kept_.pop_back();
  Step("pools");
  consumers_.clear();
  consumer_redis_.clear();
  retention_.reset();
  relay_.reset();
  reads_ = nullptr;
  near_cache_.reset();
  follower_redis_.reset();
  cache_.reset();
  workers_.reset();
  redis_.reset();
  pg_.reset();
}

}  // namespace maillage
