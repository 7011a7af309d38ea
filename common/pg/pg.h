// common/pg: a pool of PostgreSQL connections (libpqxx) and one transaction per change.
//
//   MAILLAGE_ASSIGN_OR_RETURN(auto pool, PgPool::Create({.uri = uri, .size = 8}));
//   absl::Status s = pool->Transact([&](pqxx::work& tx) -> absl::Status {
//     tx.exec_params("UPDATE organisations SET legal_name = $1 WHERE id = $2", name, id);
//     tx.exec_params("INSERT INTO outbox ...");
//     return absl::OkStatus();          // commits; any error status rolls back
//   });
//
// Errors come back as absl::Status, never as exceptions:
//   server unreachable, connection lost     -> UNAVAILABLE (safe to retry)
//   serialization failure, deadlock         -> ABORTED
//   unique violation                        -> ALREADY_EXISTS
//   statement timeout                       -> DEADLINE_EXCEEDED
//   no free connection within acquire_timeout -> UNAVAILABLE
// A connection found broken is dropped and the transaction retried once on a fresh one,
// so a PostgreSQL restart costs callers nothing once it is back. Connections are opened
// lazily: Create() succeeds while PostgreSQL is down, and Ping() tells.
#ifndef MAILLAGE_COMMON_PG_PG_H_
#define MAILLAGE_COMMON_PG_PG_H_

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace prometheus {
class Counter;
class Histogram;
class Registry;
}  // namespace prometheus

namespace maillage::pg {

struct PoolOptions {
  // libpq URI, e.g. postgresql://user@127.0.0.1:5432/membership
  std::string uri;
  int size = 8;
  absl::Duration acquire_timeout = absl::Seconds(5);
  absl::Duration connect_timeout = absl::Seconds(3);
  absl::Duration statement_timeout = absl::Seconds(15);
  // Optional (must outlive the pool): receives maillage_pg_acquire_wait_seconds, a histogram
  // of how long each transaction waited for a free connection, and
  // maillage_pg_acquire_timeouts_total, the waits that gave up after acquire_timeout.
  prometheus::Registry* metrics = nullptr;
};

class PgPool {
 public:
  static absl::StatusOr<std::unique_ptr<PgPool>> Create(PoolOptions options);

  // Runs `fn` inside one read-committed transaction and commits when it returns OK.
  absl::Status Transact(const std::function<absl::Status(pqxx::work&)>& fn);

  // OK when a connection answers "SELECT 1".
  absl::Status Ping();

  const PoolOptions& options() const { return options_; }

 private:
  explicit PgPool(PoolOptions options) : options_(std::move(options)) {}
  absl::StatusOr<std::unique_ptr<pqxx::connection>> Acquire();
  void Release(std::unique_ptr<pqxx::connection> conn);

  PoolOptions options_;
  std::string conninfo_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;  // connections handed out or idle
  prometheus::Histogram* acquire_wait_ = nullptr;
  prometheus::Counter* acquire_timeouts_ = nullptr;
};

// A text[] parameter: each value quoted and escaped as PostgreSQL's array input reads it.
//   tx.exec_params("SELECT ... WHERE id = ANY($1::uuid[])", pg::TextArray(ids));
std::string TextArray(const std::vector<std::string>& values);

// Maps a libpqxx exception (or any std::exception) to a status, as documented above.
absl::Status StatusFromException(const std::exception& e);

// Runs `sql` with `params` ($1, $2, ...) as a prepared statement of the transaction's
// connection, named after the text's hash: PostgreSQL parses it once per connection and,
// after a few runs, may keep one generic plan, which saves the planning (0.3-0.6 ms for a
// three-table page query) on every later call.
//
//   pqxx::result r = pg::ExecPrepared(tx, "SELECT ... WHERE network_id = $1::uuid LIMIT $2",
//                                     {network_id, "101"});
//
// For statement texts that come from code (a bounded set, parameters bound, never spliced):
// each connection keeps every text it ran. Past kMaxPreparedTexts distinct texts in the
// process, new texts run unprepared (exec_params), so a bug that splices values cannot make
// the server's memory grow without bound. Not for PgBouncer in transaction mode, which does
// not keep prepared statements.
inline constexpr size_t kMaxPreparedTexts = 512;
pqxx::result ExecPrepared(pqxx::transaction_base& tx, const std::string& sql,
                          const std::vector<std::string>& params);

// A migration: file name (e.g. "001_init.sql") and SQL text.
struct Migration {
  std::string name;
  std::string sql;
};

// Applies, in name order, the migrations of `service` not yet recorded in schema_migrations,
// each exactly once, all in one transaction holding an advisory lock keyed by `service`, so
// replicas that start together wait for one another instead of racing.
//
// Bookkeeping is per service: schema_migrations is keyed by (service, name), so two services
// sharing one database each keep their own list. Each row holds the SHA-256 (hex) of the
// migration's text. Fails with FAILED_PRECONDITION, changing nothing, when
//   - a recorded migration is no longer known to this binary (the database is newer than the
//     code), or
//   - a recorded migration's text changed since it was applied: "migration 001_init.sql of
//     membership was edited after it was applied: checksum <new> differs from the recorded
//     <old>; ..." (restore the file; changes go into a new migration).
// A database bookkept by an older build (no service, no checksum) is upgraded in place: its
// rows are claimed by the service whose migration names they carry and get their checksum
// recorded from the current text, without failing.
absl::Status ApplyMigrations(PgPool& pool, const std::string& service,
                             const std::vector<Migration>& migrations);

// Converts the output of maillage_embed_files() into migrations.
std::vector<Migration> MigrationsFromEmbedded(
    const std::vector<std::pair<std::string_view, std::string_view>>& files);

}  // namespace maillage::pg

#endif  // MAILLAGE_COMMON_PG_PG_H_
