#include "common/events/relay.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace maillage::events {
namespace {

// First key of the two-int advisory lock form, which lives apart from the one-bigint form
// used by pg::ApplyMigrations. "mail" in ASCII.
constexpr int kAdvisoryLockClass = 0x6d61696c;

struct Row {
  int64_t id;
  std::string event_id;
  std::string type;
  std::string payload;
};

// Stream ids "<ms>-<seq>" in numeric order; false when `a` is not below `b`.
bool IdBelow(absl::string_view a, absl::string_view b) {
  auto parse = [](absl::string_view id) {
    std::pair<uint64_t, uint64_t> out{0, 0};
    std::vector<absl::string_view> parts = absl::StrSplit(id, absl::MaxSplits('-', 1));
    (void)absl::SimpleAtoi(parts[0], &out.first);
    if (parts.size() > 1) (void)absl::SimpleAtoi(parts[1], &out.second);
    return out;
  };
  return parse(a) < parse(b);
}

}  // namespace

absl::StatusOr<int64_t> OutboxRelay::Trim() {
  MAILLAGE_ASSIGN_OR_RETURN(redis::RedisReply groups,
                            redis_->Command({"XINFO", "GROUPS", options_.stream}));
  if (groups.is_error()) {
    if (absl::StrContains(groups.str(), "no such key")) return 0;  // nothing published yet
    return groups.ToStatus();
  }
  if (!groups.is_array() || groups.elements().empty()) {
    // No group to lose anything: only tail followers (XREAD, e.g. near caches) read it.
    if (options_.max_len_without_groups <= 0) return 0;
    MAILLAGE_ASSIGN_OR_RETURN(redis::RedisReply trimmed,
                              redis_->Command({"XTRIM", options_.stream, "MAXLEN", "~",
                                               absl::StrCat(options_.max_len_without_groups)}));
    MAILLAGE_RETURN_IF_ERROR(trimmed.ToStatus());
    return trimmed.integer();
  }
  std::string floor;
  for (const redis::RedisReply& group : groups.elements()) {
    std::string name, last_delivered;
    int64_t pending = 0;
    const std::vector<redis::RedisReply>& kv = group.elements();
    for (size_t i = 0; i + 1 < kv.size(); i += 2) {
      if (kv[i].str() == "name") name = kv[i + 1].str();
      if (kv[i].str() == "last-delivered-id") last_delivered = kv[i + 1].str();
      if (kv[i].str() == "pending") pending = kv[i + 1].integer();
    }
    std::string group_floor = last_delivered;
    if (pending > 0) {
      // Summary form: [count, smallest id, greatest id, [[consumer, count], ...]].
      MAILLAGE_ASSIGN_OR_RETURN(redis::RedisReply summary,
                                redis_->Command({"XPENDING", options_.stream, name}));
      MAILLAGE_RETURN_IF_ERROR(summary.ToStatus());
      if (summary.is_array() && summary.elements().size() >= 2 &&
          summary.elements()[1].is_string() && IdBelow(summary.elements()[1].str(), group_floor)) {
        group_floor = summary.elements()[1].str();
      }
    }
    if (floor.empty() || IdBelow(group_floor, floor)) floor = group_floor;
  }
  if (floor.empty() || floor == "0-0") return 0;
  // Exact trimming: the floor entry itself (pending, or the last one delivered) stays.
  MAILLAGE_ASSIGN_OR_RETURN(redis::RedisReply trimmed,
                            redis_->Command({"XTRIM", options_.stream, "MINID", floor}));
  MAILLAGE_RETURN_IF_ERROR(trimmed.ToStatus());
  return trimmed.integer();
}

absl::StatusOr<int64_t> OutboxRelay::TrimStream() {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t trimmed, Trim());
  if (stream_length_ != nullptr) {
    MAILLAGE_ASSIGN_OR_RETURN(redis::RedisReply length, redis_->Command({"XLEN", options_.stream}));
    MAILLAGE_RETURN_IF_ERROR(length.ToStatus());
    stream_length_->Set(static_cast<double>(length.integer()));
  }
  return trimmed;
}

OutboxRelay::OutboxRelay(pg::PgPool* pg, redis::RedisPool* redis, RelayOptions options)
    : pg_(pg), redis_(redis), options_(std::move(options)) {
  if (options_.metrics == nullptr) return;
  prometheus::Registry& registry = *options_.metrics;
  const prometheus::Labels labels = {{"stream", options_.stream}};
  lag_seconds_ = &prometheus::BuildGauge()
                      .Name("maillage_outbox_lag_seconds")
                      .Help("Age of the oldest outbox row not yet published to the stream")
                      .Register(registry)
                      .Add(labels);
  published_total_ = &prometheus::BuildCounter()
                          .Name("maillage_events_published_total")
                          .Help("Events published from the outbox to the stream")
                          .Register(registry)
                          .Add(labels);
  failed_batches_total_ = &prometheus::BuildCounter()
                               .Name("maillage_outbox_relay_failed_batches_total")
                               .Help("Relay batches that failed and were rolled back")
                               .Register(registry)
                               .Add(labels);
  stream_length_ = &prometheus::BuildGauge()
                        .Name("maillage_stream_length")
                        .Help("Entries in the event stream, measured after each trim")
                        .Register(registry)
                        .Add(labels);
}

OutboxRelay::~OutboxRelay() { Stop(); }

absl::Status OutboxRelay::RelayOnce(int* published) {
  if (published != nullptr) *published = 0;
  int count = 0;
  // Age of the oldest unpublished row once the batch is done: -1 while unknown.
  double lag = -1;
  absl::Status s = pg_->Transact([&](pqxx::work& tx) -> absl::Status {
    count = 0;  // Transact may run this twice (broken connection)
    lag = -1;
    // Without this lock two replicas would each take a batch (SKIP LOCKED) and XADD them
    // concurrently, interleaving the stream.
    bool locked = tx.exec_params1("SELECT pg_try_advisory_xact_lock($1, hashtext($2))",
                                  kAdvisoryLockClass, options_.stream)[0]
                      .as<bool>();
    if (!locked) {
      // Another replica publishes; this one still reports the lag (the partial index makes
      // it one index probe), so that no replica's gauge goes stale.
      if (lag_seconds_ != nullptr) {
        pqxx::result oldest = tx.exec(
            "SELECT extract(epoch FROM clock_timestamp() - created_at)::float8 FROM outbox"
            " WHERE published_at IS NULL ORDER BY id LIMIT 1");
        lag = oldest.empty() ? 0 : oldest[0][0].as<double>();
      }
      return absl::OkStatus();
    }
    pqxx::result result = tx.exec_params(
        "SELECT id, event_id::text, event_type, payload,"
        " extract(epoch FROM clock_timestamp() - created_at)::float8 FROM outbox"
        " WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
        options_.batch_size);
    if (result.empty()) {
      lag = 0;
      return absl::OkStatus();
    }
    // Until the batch commits, its first row is the oldest unpublished one (outbox ids grow
    // with time); a failure below leaves it so.
    lag = result[0][4].as<double>();

    std::vector<Row> rows;
    rows.reserve(result.size());
    for (const pqxx::row& r : result) {
      pqxx::binarystring payload(r[3]);
      rows.push_back(
          {r[0].as<int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(), payload.str()});
    }
    std::vector<std::vector<std::string>> commands;
    commands.reserve(rows.size());
    for (Row& row : rows) {
      std::vector<std::string> xadd = {"XADD", options_.stream};
      if (options_.max_len > 0) {
        xadd.insert(xadd.end(), {"MAXLEN", "~", absl::StrCat(options_.max_len)});
      }
      xadd.insert(xadd.end(),
                  {"*", "id", row.event_id, "type", row.type, "payload", std::move(row.payload)});
      commands.push_back(std::move(xadd));
    }
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<redis::RedisReply> replies, redis_->Pipeline(commands));
    // Any XADD refused fails the batch: the ones accepted will be sent again (duplicates are
    // dropped downstream), but none is marked published without being in the stream.
    for (const redis::RedisReply& reply : replies) MAILLAGE_RETURN_IF_ERROR(reply.ToStatus());

    if (options_.after_publish_hook) MAILLAGE_RETURN_IF_ERROR(options_.after_publish_hook());

    std::vector<int64_t> ids;
    ids.reserve(rows.size());
    for (const Row& row : rows) ids.push_back(row.id);
    tx.exec_params("UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])",
                   absl::StrCat("{", absl::StrJoin(ids, ","), "}"));
    count = static_cast<int>(rows.size());
    return absl::OkStatus();
  });
  if (lag_seconds_ != nullptr && lag >= 0) {
    // A full batch may leave older rows behind; the next batch, which follows at once,
    // measures them. A partial one published everything there was.
    if (s.ok() && count < options_.batch_size) lag = 0;
    lag_seconds_->Set(lag);
  }
  if (!s.ok()) {
    failed_batches_.fetch_add(1, std::memory_order_relaxed);
    if (failed_batches_total_ != nullptr) failed_batches_total_->Increment();
    return s;
  }
  published_.fetch_add(count, std::memory_order_relaxed);
  if (published_total_ != nullptr) published_total_->Increment(count);
  if (published != nullptr) *published = count;
  return absl::OkStatus();
}

void OutboxRelay::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void OutboxRelay::Stop() {
  std::thread thread;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  cv_.notify_all();
  if (thread.joinable()) thread.join();
}

void OutboxRelay::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

OutboxRelay::Stats OutboxRelay::stats() const {
  return {.published = published_.load(std::memory_order_relaxed),
          .failed_batches = failed_batches_.load(std::memory_order_relaxed)};
}

void OutboxRelay::Loop() {
  absl::Duration backoff = absl::ZeroDuration();
  absl::Time next_trim = absl::Now() + options_.trim_interval;
  for (;;) {
    int published = 0;
    absl::Status s = RelayOnce(&published);
    if (s.ok() && options_.trim_interval > absl::ZeroDuration() && absl::Now() >= next_trim) {
      next_trim = absl::Now() + options_.trim_interval;
      // A failed trim costs only memory until the next one: log it, keep relaying.
      if (absl::StatusOr<int64_t> trimmed = TrimStream(); !trimmed.ok()) {
        log::Warn("stream trim failed", {{"stream", options_.stream},
                                         {"error", std::string(trimmed.status().message())}});
      }
    }
    absl::Duration pause = options_.poll_interval;
    if (!s.ok()) {
      if (backoff == absl::ZeroDuration()) {
        log::Warn("outbox relay failing, will retry",
                  {{"stream", options_.stream}, {"error", s.message()}});
      }
      backoff = std::min(options_.max_backoff, std::max(options_.poll_interval, backoff * 2));
      pause = backoff;
    } else {
      if (backoff > absl::ZeroDuration()) {
        log::Info("outbox relay recovered", {{"stream", options_.stream}});
      }
      backoff = absl::ZeroDuration();
      if (published == options_.batch_size) pause = absl::ZeroDuration();  // more waiting
    }
    std::unique_lock<std::mutex> lock(mu_);
    // A Wake() during a failure backoff does not cut it short: the failure is still there.
    cv_.wait_for(lock, absl::ToChronoMilliseconds(pause),
                 [&] { return stopping_ || (woken_ && s.ok()); });
    if (stopping_) return;
    woken_ = false;
  }
}

}  // namespace maillage::events
