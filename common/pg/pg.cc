#include "common/pg/pg.h"

#include <openssl/sha.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/log/log.h"

namespace maillage::pg {
namespace {

// libpq accepts both key=value strings and URIs; options are appended in the matching form.
std::string WithOptions(const PoolOptions& o) {
  std::string timeout = absl::StrCat(absl::ToInt64Seconds(o.connect_timeout));
  std::string statement = absl::StrCat(absl::ToInt64Milliseconds(o.statement_timeout));
  if (absl::StartsWith(o.uri, "postgres://") || absl::StartsWith(o.uri, "postgresql://")) {
    const char* sep = absl::StrContains(o.uri, "?") ? "&" : "?";
    return absl::StrCat(o.uri, sep, "connect_timeout=", timeout,
                        "&options=-c%20statement_timeout%3D", statement,
                        "&application_name=maillage");
  }
  return absl::StrCat(o.uri, " connect_timeout=", timeout,
                      " options='-c statement_timeout=", statement, "' application_name=maillage");
}

// Lower-case hex SHA-256 of `text`.
std::string Sha256Hex(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

// Brings a schema_migrations table of the first layout (name PRIMARY KEY, applied_at) to the
// current one. Its rows get service '' until their service claims them (ApplyMigrations).
void UpgradeLegacyBookkeeping(pqxx::work& tx) {
  const bool has_service =
      tx.exec1(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema ="
            " current_schema() AND table_name = 'schema_migrations' AND column_name = 'service'")[0]
          .as<int64_t>() > 0;
  if (has_service) return;
  tx.exec("ALTER TABLE schema_migrations ADD COLUMN service TEXT NOT NULL DEFAULT ''");
  tx.exec("ALTER TABLE schema_migrations ALTER COLUMN service DROP DEFAULT");
  tx.exec("ALTER TABLE schema_migrations ADD COLUMN checksum TEXT");
  tx.exec("ALTER TABLE schema_migrations DROP CONSTRAINT schema_migrations_pkey");
  tx.exec("ALTER TABLE schema_migrations ADD PRIMARY KEY (service, name)");
  log::Info("schema_migrations upgraded: per-service bookkeeping with checksums", {});
}

bool IsBrokenConnection(const std::exception& e) {
  return dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr &&
         dynamic_cast<const pqxx::in_doubt_error*>(&e) == nullptr;
}

}  // namespace

std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

absl::Status StatusFromException(const std::exception& e) {
  // Clients see the code and a fixed sentence; PostgreSQL's own text (the statement, DETAIL
  // lines naming other tenants' keys) goes to the log only.
  auto logged = [&](absl::StatusCode code, absl::string_view sqlstate, absl::string_view says) {
    log::Warn("postgresql error", {{"code", absl::StatusCodeToString(code)},
                                   {"sqlstate", std::string(sqlstate)},
                                   {"error", e.what()}});
    return absl::Status(code, says);
  };
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return logged(absl::StatusCode::kUnavailable, "",
                  "postgresql: connection lost during commit, outcome unknown");
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return logged(absl::StatusCode::kUnavailable, "", "postgresql unavailable");
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e); sql != nullptr) {
    const std::string& state = sql->sqlstate();
    if (state == "23505") {
      return logged(absl::StatusCode::kAlreadyExists, state, "a record with the same key exists");
    }
    if (state == "40001" || state == "40P01") {
      return logged(absl::StatusCode::kAborted, state, "conflict with a concurrent change; retry");
    }
    if (state == "57014") {
      return logged(absl::StatusCode::kDeadlineExceeded, state, "postgresql statement timeout");
    }
    if (absl::StartsWith(state, "08") || state == "57P01" || state == "57P02" || state == "57P03") {
      return logged(absl::StatusCode::kUnavailable, state, "postgresql unavailable");
    }
    return logged(absl::StatusCode::kInternal, state, absl::StrCat("postgresql error ", state));
  }
  return logged(absl::StatusCode::kInternal, "", "postgresql error");
}

absl::StatusOr<std::unique_ptr<PgPool>> PgPool::Create(PoolOptions options) {
  if (options.uri.empty()) return absl::InvalidArgumentError("pg uri: required");
  if (options.size < 1) return absl::InvalidArgumentError("pg pool size: must be at least 1");
  std::unique_ptr<PgPool> pool(new PgPool(std::move(options)));
  pool->conninfo_ = WithOptions(pool->options_);
  if (pool->options_.metrics != nullptr) {
    prometheus::Registry& registry = *pool->options_.metrics;
    pool->acquire_wait_ = &prometheus::BuildHistogram()
                               .Name("maillage_pg_acquire_wait_seconds")
                               .Help("Time a transaction waited for a free PostgreSQL connection")
                               .Register(registry)
                               .Add({}, prometheus::Histogram::BucketBoundaries{
                                            0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5});
    pool->acquire_timeouts_ = &prometheus::BuildCounter()
                                   .Name("maillage_pg_acquire_timeouts_total")
                                   .Help("Waits for a PostgreSQL connection that timed out")
                                   .Register(registry)
                                   .Add({});
  }
  return pool;
}

absl::StatusOr<std::unique_ptr<pqxx::connection>> PgPool::Acquire() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    const absl::Time start = absl::Now();
    bool ready = cv_.wait_for(lock, absl::ToChronoMilliseconds(options_.acquire_timeout),
                              [this] { return !idle_.empty() || open_ < options_.size; });
    if (acquire_wait_ != nullptr)
      acquire_wait_->Observe(absl::ToDoubleSeconds(absl::Now() - start));
    if (!ready) {
      if (acquire_timeouts_ != nullptr) acquire_timeouts_->Increment();
      return absl::UnavailableError("postgresql: no free connection (pool exhausted)");
    }
    if (!idle_.empty()) {
      std::unique_ptr<pqxx::connection> conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    ++open_;  // reserve the slot before connecting outside the lock
  }
  try {
    return std::make_unique<pqxx::connection>(conninfo_);
  } catch (const std::exception& e) {
    std::lock_guard<std::mutex> lock(mu_);
    --open_;
    cv_.notify_one();
    return StatusFromException(e);
  }
}

void PgPool::Release(std::unique_ptr<pqxx::connection> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (conn != nullptr && conn->is_open()) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  cv_.notify_one();
}

absl::Status PgPool::Transact(const std::function<absl::Status(pqxx::work&)>& fn) {
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<std::unique_ptr<pqxx::connection>> conn = Acquire();
    if (!conn.ok()) return conn.status();
    absl::Status result;
    bool retry = false;
    try {
      pqxx::work tx(**conn);
      result = fn(tx);
      if (result.ok()) tx.commit();
      // Without commit, the destructor rolls back.
    } catch (const std::exception& e) {
      result = StatusFromException(e);
      if (IsBrokenConnection(e)) {
        // The connection died (e.g. PostgreSQL restarted since it was pooled). Nothing was
        // committed, so one retry on a fresh connection is safe.
        conn->reset();
        retry = attempt == 0;
        // The idle connections were opened before this one died: after a restart they are
        // dead too. Drop them, or the retry (and the next callers) would each take one.
        std::vector<std::unique_ptr<pqxx::connection>> stale;
        {
          std::lock_guard<std::mutex> lock(mu_);
          stale.swap(idle_);
          open_ -= static_cast<int>(stale.size());
        }
        cv_.notify_all();
      }
    }
    if (*conn != nullptr && !(*conn)->is_open()) conn->reset();
    Release(std::move(*conn));
    if (!retry) return result;
  }
}

absl::Status PgPool::Ping() {
  return Transact([](pqxx::work& tx) {
    tx.exec("SELECT 1");
    return absl::OkStatus();
  });
}

std::vector<Migration> MigrationsFromEmbedded(
    const std::vector<std::pair<std::string_view, std::string_view>>& files) {
  std::vector<Migration> out;
  for (const auto& [name, sql] : files) out.push_back({std::string(name), std::string(sql)});
  return out;
}

absl::Status ApplyMigrations(PgPool& pool, const std::string& service,
                             const std::vector<Migration>& migrations) {
  std::vector<Migration> sorted = migrations;
  std::sort(sorted.begin(), sorted.end(),
            [](const Migration& a, const Migration& b) { return a.name < b.name; });
  return pool.Transact([&](pqxx::work& tx) -> absl::Status {
    // Transaction-scoped: released at commit or rollback, even if this process dies.
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))",
                   absl::StrCat("maillage.migrations.", service));
    // The bookkeeping table is shared by every service of the database: creating or upgrading
    // it concurrently from two services would race on the catalog, hence one more lock.
    tx.exec("SELECT pg_advisory_xact_lock(hashtext('maillage.migrations'))");
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " service TEXT NOT NULL, name TEXT NOT NULL, checksum TEXT,"
        " applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (service, name))");
    UpgradeLegacyBookkeeping(tx);
    // Rows written before the service column existed belong to whichever service knows their
    // name: the old primary key (name alone) let no two services record the same name.
    std::vector<std::string> names;
    for (const Migration& m : sorted) names.push_back(m.name);
    for (const std::string& name : names) {
      tx.exec_params("UPDATE schema_migrations SET service = $1 WHERE service = '' AND name = $2",
                     service, name);
    }

    std::map<std::string, std::optional<std::string>> applied;  // name -> checksum
    for (const auto& row : tx.exec_params(
             "SELECT name, checksum FROM schema_migrations WHERE service = $1", service)) {
      std::optional<std::string> checksum;
      if (!row[1].is_null()) checksum = row[1].as<std::string>();
      applied[row[0].as<std::string>()] = checksum;
    }
    std::set<std::string> known(names.begin(), names.end());
    for (const auto& [name, checksum] : applied) {
      if (!known.contains(name)) {
        return absl::FailedPreconditionError(absl::StrCat("database has migration ", name,
                                                          " unknown to this build of ", service,
                                                          ": the database is newer than the code"));
      }
    }
    for (const Migration& m : sorted) {
      const std::string checksum = Sha256Hex(m.sql);
      auto it = applied.find(m.name);
      if (it != applied.end()) {
        if (!it->second.has_value()) {
          // Recorded before checksums were kept: trust it and remember what it is now.
          tx.exec_params(
              "UPDATE schema_migrations SET checksum = $3 WHERE service = $1 AND name = $2",
              service, m.name, checksum);
        } else if (*it->second != checksum) {
          return absl::FailedPreconditionError(absl::StrCat(
              "migration ", m.name, " of ", service, " was edited after it was applied: checksum ",
              checksum, " differs from the recorded ", *it->second,
              "; restore the file and add a new migration instead"));
        }
        continue;
      }
      tx.exec(m.sql);
      tx.exec_params("INSERT INTO schema_migrations (service, name, checksum) VALUES ($1, $2, $3)",
                     service, m.name, checksum);
      log::Info("migration applied", {{"schema", service}, {"migration", m.name}});
    }
    return absl::OkStatus();
  });
}

}  // namespace maillage::pg

namespace maillage::pg {

pqxx::result ExecPrepared(pqxx::transaction_base& tx, const std::string& sql,
                          const std::vector<std::string>& params) {
  static absl::Mutex mu(absl::kConstInit);
  static auto* names = new absl::flat_hash_map<std::string, std::string>();
  std::string name;
  {
    absl::MutexLock lock(&mu);
    auto it = names->find(sql);
    if (it != names->end()) {
      name = it->second;
    } else if (names->size() < kMaxPreparedTexts) {
      // The SHA-256 prefix keeps names unique for different texts (pqxx refuses a name
      // redefined with another text).
      name = absl::StrCat("maillage_", Sha256Hex(sql).substr(0, 24));
      names->emplace(sql, name);
    }
  }
  if (name.empty()) return tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
  // Declares it on this connection if needed (a no-op when already declared with this text);
  // the server prepares it on first use, again after a reconnection.
  tx.conn().prepare(name, sql);
  return tx.exec_prepared(name, pqxx::prepare::make_dynamic_params(params));
}

}  // namespace maillage::pg
