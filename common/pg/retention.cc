#include "common/pg/retention.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace maillage::pg {

Retention::Retention(PgPool* pool, RetentionOptions options)
    : pool_(pool), options_(std::move(options)) {
  if (options_.metrics != nullptr) {
    deleted_ = &prometheus::BuildCounter()
                    .Name("maillage_retention_rows_deleted_total")
                    .Help("Rows deleted by the retention passes, per table")
                    .Register(*options_.metrics);
    last_run_seconds_ = &prometheus::BuildGauge()
                             .Name("maillage_retention_last_run_seconds")
                             .Help("Duration of the last retention pass")
                             .Register(*options_.metrics)
                             .Add({});
  }
}

Retention::~Retention() { Stop(); }

absl::StatusOr<std::map<std::string, Retention::TableStats>> Retention::RunOnce() {
  const absl::Time start = absl::Now();
  std::map<std::string, TableStats> out;
  absl::Status first_error;
  const int batch = std::max(1, options_.batch_size);
  for (const RetentionRule& rule : options_.rules) {
    TableStats& stats = out[rule.table];
    for (;;) {
      int64_t deleted = 0;
      absl::Status s = pool_->Transact([&](pqxx::work& tx) {
        // ctid: the physical row, so the LIMIT applies without knowing the primary key.
        const std::string table = tx.quote_name(rule.table);
        const std::string column = tx.quote_name(rule.age_column);
        deleted = tx.exec_params(
                        absl::StrCat("DELETE FROM ", table,
                                     " WHERE ctid = ANY(ARRAY(SELECT ctid FROM ", table, " WHERE ",
                                     column, " < now() - make_interval(secs => $1) LIMIT $2))"),
                        absl::ToDoubleSeconds(rule.keep_for), batch)
                      .affected_rows();
        return absl::OkStatus();
      });
      if (!s.ok()) {
        log::Warn("retention pass failed", {{"table", rule.table}, {"error", s.ToString()}});
        if (first_error.ok()) first_error = s;
        break;
      }
      ++stats.statements;
      stats.deleted += deleted;
      stats.largest_statement = std::max(stats.largest_statement, deleted);
      if (deleted_ != nullptr && deleted > 0) {
        deleted_->Add({{"table", rule.table}}).Increment(static_cast<double>(deleted));
      }
      if (deleted < batch) break;
      // Let replication, VACUUM and the service's own writes breathe between batches.
      std::unique_lock<std::mutex> lock(mu_);
      if (cv_.wait_for(lock, absl::ToChronoMilliseconds(options_.pause),
                       [this] { return stopping_; })) {
        break;
      }
    }
    if (stats.deleted > 0) {
      log::Info("retention", {{"table", rule.table}, {"deleted", absl::StrCat(stats.deleted)}});
    }
  }
  if (last_run_seconds_ != nullptr) {
    last_run_seconds_->Set(absl::ToDoubleSeconds(absl::Now() - start));
  }
  if (!first_error.ok()) return first_error;
  return out;
}

void Retention::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Retention::Stop() {
  std::thread thread;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  cv_.notify_all();
  if (thread.joinable()) thread.join();
}

void Retention::Loop() {
  for (;;) {
    (void)RunOnce();  // failures are logged; the next interval retries
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, absl::ToChronoMilliseconds(options_.interval),
                     [this] { return stopping_; })) {
      return;
    }
  }
}

}  // namespace maillage::pg
