// common/pg/retention: deletes old rows in bounded batches, on a timer.
//
//   pg::Retention retention(pool, {
//       .rules = {{.table = "outbox", .age_column = "published_at", .keep_for = absl::Hours(24 *
//       7)},
//                 {.table = "idempotency_keys", .age_column = "created_at",
//                  .keep_for = absl::Hours(24)}},
//       .interval = absl::Hours(1),
//       .metrics = &server->metrics()});   // optional
//   retention.Start();  ...  retention.Stop();
//
// One pass (RunOnce) handles each rule in turn: it deletes the rows whose `age_column` is
// older than now() - keep_for, at most batch_size rows per statement (each statement its own
// short transaction), pausing `pause` between statements, until a statement deletes fewer
// than batch_size rows. Short statements keep locks and WAL bursts small and let VACUUM keep
// up; rows with a NULL age (e.g. outbox rows not yet relayed) never match, so they stay.
// `age_column` must be indexed, or each statement scans the whole table. Table and column
// names are quoted as identifiers; they come from code, never from users.
//
// Metrics (when a registry is given):
//   maillage_retention_rows_deleted_total{table}   counter
//   maillage_retention_last_run_seconds            gauge, duration of the last pass
// A failed statement ends that rule's pass (logged, returned by RunOnce); the background
// thread tries again at the next interval.
#ifndef MAILLAGE_COMMON_PG_RETENTION_H_
#define MAILLAGE_COMMON_PG_RETENTION_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/pg/pg.h"

namespace prometheus {
class Registry;
class Gauge;
template <typename T>
class Family;
class Counter;
}  // namespace prometheus

namespace maillage::pg {

struct RetentionRule {
  std::string table;
  // A TIMESTAMPTZ column, indexed.
  std::string age_column;
  absl::Duration keep_for = absl::Hours(24 * 30);
};

struct RetentionOptions {
  std::vector<RetentionRule> rules;
  int batch_size = 1000;
  absl::Duration pause = absl::Milliseconds(100);
  // Between passes of the background thread (the first pass runs at Start()).
  absl::Duration interval = absl::Hours(1);
  // Optional: where the metrics above are registered.
  prometheus::Registry* metrics = nullptr;
};

class Retention {
 public:
  struct TableStats {
    int64_t deleted = 0;            // rows deleted in the pass
    int64_t statements = 0;         // DELETE statements run
    int64_t largest_statement = 0;  // most rows one statement deleted
  };

  // `pool` must outlive the object.
  Retention(PgPool* pool, RetentionOptions options);
  ~Retention();  // Stop()

  Retention(const Retention&) = delete;
  Retention& operator=(const Retention&) = delete;

  // One pass over every rule; per table, what it did. The first failure is returned after
  // the other rules ran.
  absl::StatusOr<std::map<std::string, TableStats>> RunOnce();

  void Start();  // no-op if running
  void Stop();   // waits for the statement in progress; idempotent

 private:
  void Loop();

  PgPool* const pool_;
  const RetentionOptions options_;
  prometheus::Family<prometheus::Counter>* deleted_ = nullptr;
  prometheus::Gauge* last_run_seconds_ = nullptr;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace maillage::pg

#endif  // MAILLAGE_COMMON_PG_RETENTION_H_
