// common/events/consumer: reads another service's event stream through a Redis consumer
// group, at least once, and applies each event exactly once with MarkProcessed().
//
//   StreamConsumer consumer(redis_pool,
//       {.stream = "maillage.membership.events", .group = "reporting",
//        .consumer = absl::StrCat(hostname, "-", getpid())},
//       [&](const events::Event& e) {
//         return pg_pool->Transact([&](pqxx::work& tx) -> absl::Status {
//           MAILLAGE_ASSIGN_OR_RETURN(bool first,
//                                     events::MarkProcessed(tx, "reporting", e.event_id));
//           if (!first) return absl::OkStatus();   // a duplicate: already applied
//           return ApplyToReadModel(tx, e);        // same transaction as the mark
//         });
//       });
//   consumer.Start();  ...  consumer.Stop();
//
// Each poll (PollOnce):
//   1. creates the group if missing (XGROUP CREATE <stream> <group> <start_id> MKSTREAM;
//      BUSYGROUP is fine), so a new group reads the stream from start_id ("0": all of it);
//   2. reclaims entries pending with any consumer for longer than claim_idle (XAUTOCLAIM),
//      e.g. those of a consumer that died before acknowledging, and handles them;
//   3. after a start, or after a handler error, re-reads its own pending entries (id "0")
//      first, so they are retried in order; otherwise reads new entries (">"), blocking up to
//      `block` on the server.
// An entry is acknowledged (XACK) only when the handler returns OK. A handler error stops
// the batch: that entry and the rest of the batch stay pending and are retried on the next
// poll (the background thread backs off). So a crash anywhere redelivers, and handlers must
// be idempotent: record the event id with MarkProcessed() in the same transaction as the
// effect.
//
// Delivery is AT LEAST ONCE: the same event (same event id) can arrive twice, e.g. when the
// relay or Redis fails between XADD and its bookkeeping (one duplicate was seen in 24,228
// events under repeated PostgreSQL crashes). Consumers must dedupe by event id
// (MarkProcessed), and may ignore events older than the state they hold (IsStale).
//
// Dead letters: when the handler fails on an entry the group has delivered
// `max_deliveries` times or more (the delivery count of XPENDING, which counts every read,
// reclaims included), the entry is copied to the stream "<stream>.dead" (DeadLetterStream)
// with its original fields plus reason (the handler's status), group, consumer, source_id
// (the original stream id) and deliveries; it is then acknowledged and the batch goes on, so
// a poison message no longer blocks its consumer. Inspect with
//   XRANGE maillage.membership.events.dead - +
// and replay by hand (XADD to the original stream) once the cause is fixed.
// Entries without the id/type/payload fields are acknowledged and logged, never handled.
// Entries deleted from the stream while pending (XAUTOCLAIM reports their ids) are logged
// with their ids: they are lost to this group.
//
// The blocking read holds one connection of the Redis pool for up to `block`: count it in
// RedisOptions::pool_size, or give consumers their own pool.
//
// Metrics (when ConsumerOptions::metrics is set), each labelled {stream, group}:
//   maillage_events_consumed_total{outcome}   counter; outcome: handled, failed (the handler
//                                             returned an error; retried), dead_lettered,
//                                             malformed
//   maillage_events_reclaimed_total           counter: taken over from idle consumers
//   maillage_events_lost_total                counter: pending ids deleted from the stream
//   maillage_consumer_pending                 gauge: delivered, not yet acknowledged (group)
//   maillage_consumer_lag                     gauge: in the stream, not yet delivered (group)
//   maillage_dead_letter_stream_length        gauge: XLEN of <stream>.dead
// The three gauges are read with XINFO GROUPS and XLEN at most once per `gauge_interval`.
#ifndef MAILLAGE_COMMON_EVENTS_CONSUMER_H_
#define MAILLAGE_COMMON_EVENTS_CONSUMER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/pg/pg.h"
#include "common/pg/retention.h"
#include "common/redis/redis.h"

namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace maillage::events {

struct Event {
  std::string stream_id;  // the Redis entry id, e.g. "1700000000000-0"
  std::string event_id;   // the outbox event id (UUID): the idempotency key
  std::string type;
  std::string payload;
};

struct ConsumerOptions {
  std::string stream{};
  std::string group{};
  // Unique within the group and stable across restarts of the same replica if possible
  // (its pending entries are then retried at once instead of after claim_idle).
  std::string consumer{};
  // How long one read waits on the server for new entries.
  absl::Duration block = absl::Seconds(2);
  // Entries pending with a consumer for longer than this are taken over.
  absl::Duration claim_idle = absl::Seconds(30);
  // Most entries read (or reclaimed) at once.
  int batch_count = 64;
  // Where a newly created group starts: "0" (the whole stream) or "$" (new entries only).
  std::string start_id = "0";
  // Longest pause between retries of the background thread while polls fail.
  absl::Duration max_backoff = absl::Seconds(10);
  // A failing entry delivered this many times goes to the dead-letter stream; 0: never.
  int max_deliveries = 5;
  // Optional: where the metrics above are registered; must outlive the consumer.
  prometheus::Registry* metrics = nullptr;
  // Least time between two readings of the gauges.
  absl::Duration gauge_interval = absl::Seconds(5);
};

// The dead-letter stream of `stream`: "<stream>.dead".
std::string DeadLetterStream(absl::string_view stream);

using EventHandler = std::function<absl::Status(const Event&)>;

class StreamConsumer {
 public:
  struct Stats {
    int64_t handled = 0;    // acknowledged after the handler returned OK
    int64_t reclaimed = 0;  // taken over from idle consumers (including itself)
    int64_t handler_errors = 0;
    int64_t malformed = 0;        // acknowledged without being handled
    int64_t dead_lettered = 0;    // copied to the dead-letter stream and acknowledged
    int64_t deleted_pending = 0;  // pending ids XAUTOCLAIM found deleted from the stream
  };

  // `redis` must outlive the consumer.
  StreamConsumer(redis::RedisPool* redis, ConsumerOptions options, EventHandler handler);
  ~StreamConsumer();  // Stop()

  StreamConsumer(const StreamConsumer&) = delete;
  StreamConsumer& operator=(const StreamConsumer&) = delete;

  // One poll, as described above. Returns the first handler error, or a Redis failure;
  // `handled` (optional) receives how many entries were handled and acknowledged.
  absl::Status PollOnce(int* handled = nullptr);

  // Starts the background thread polling in a loop (no-op if running).
  void Start();
  // Stops it; waits for the poll in progress, up to `block`. Idempotent.
  void Stop();

  Stats stats() const;

 private:
  absl::Status EnsureGroup();
  absl::Status Poll(int& handled);
  // Handles the entries of an XREADGROUP/XAUTOCLAIM reply in order; stops at the first
  // handler error.
  absl::Status HandleEntries(const std::vector<redis::RedisReply>& entries, int& handled);
  // After a handler error: true when the entry was dead-lettered (and must be acknowledged).
  absl::StatusOr<bool> MaybeDeadLetter(const redis::RedisReply& entry, const Event& event,
                                       const absl::Status& error);
  // Reads pending, lag and the dead-letter length into the gauges, at most once per
  // gauge_interval; a failure only leaves them as they were.
  void UpdateGauges();
  void Loop();

  redis::RedisPool* const redis_;
  const ConsumerOptions options_;
  const EventHandler handler_;

  // Poll state; PollOnce is not reentrant (the background thread or the caller owns it).
  bool group_ready_ = false;
  bool read_backlog_ = true;
  std::string claim_cursor_ = "0-0";

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;

  std::atomic<int64_t> handled_{0};
  std::atomic<int64_t> reclaimed_{0};
  std::atomic<int64_t> handler_errors_{0};
  std::atomic<int64_t> malformed_{0};
  std::atomic<int64_t> dead_lettered_{0};
  std::atomic<int64_t> deleted_pending_{0};

  // Null without ConsumerOptions::metrics.
  struct Metrics {
    prometheus::Counter* handled = nullptr;
    prometheus::Counter* failed = nullptr;
    prometheus::Counter* dead_lettered = nullptr;
    prometheus::Counter* malformed = nullptr;
    prometheus::Counter* reclaimed = nullptr;
    prometheus::Counter* lost = nullptr;
    prometheus::Gauge* pending = nullptr;
    prometheus::Gauge* lag = nullptr;
    prometheus::Gauge* dead_letters = nullptr;
  };
  Metrics metrics_;
  absl::Time next_gauges_ = absl::InfinitePast();
};

// Version-aware handling: true when an event carrying `event_version` of an aggregate must be
// ignored because the consumer already holds `held_version` (equal or newer) of it. Events
// can arrive late (redelivery, reclaim after a crash) or twice; without this check an old
// event would overwrite newer state. Versions increase with each change of the aggregate
// (e.g. the row's version column published in the event payload). Hold no version: pass -1.
//
//   int64_t held = ReadModelVersion(tx, e.aggregate_id);       // -1 when unknown
//   if (events::IsStale(held, e.version)) return absl::OkStatus();  // ack, nothing to do
//   ApplyToReadModel(tx, e);                                  // also stores e.version
bool IsStale(int64_t held_version, int64_t event_version);

// CREATE TABLE IF NOT EXISTS processed_events (consumer_group TEXT, event_id UUID,
// processed_at TIMESTAMPTZ, PRIMARY KEY (consumer_group, event_id)). Idempotent; consuming
// services add it to their migrations, followed by ProcessedEventsRetentionSql(), and delete
// old rows with pg::Retention and ProcessedEventsRetentionRule(). Keep them longer than any
// redelivery can come late (the stream keeps unacknowledged entries, see relay.h).
absl::string_view ProcessedEventsSchemaSql();

// CREATE INDEX IF NOT EXISTS on processed_events (processed_at). Idempotent.
absl::string_view ProcessedEventsRetentionSql();

// Both of the above as the migrations of a consuming service ("900_processed_events.sql",
// "901_processed_events_retention.sql": after the service's own):
//   migrations = pg::MigrationsFromEmbedded(EmbeddedFiles());
//   std::ranges::copy(events::ProcessedEventsMigrations(), std::back_inserter(migrations));
std::vector<pg::Migration> ProcessedEventsMigrations();

// This replica's name in a consumer group: "<host name>-<pid>" (on Kubernetes, the pod's
// name), "<fallback>-<pid>" when the host has none. Distinct among the replicas.
std::string ReplicaConsumerName(absl::string_view fallback);

// processed_events rows older than `keep_for` (default 30 days).
pg::RetentionRule ProcessedEventsRetentionRule(absl::Duration keep_for = absl::Hours(24 * 30));

// Records that `consumer_group` processed `event_id`, inside the caller's transaction.
// true: first time, apply the effect in the same transaction; false: already processed (a
// concurrent duplicate waits for the first transaction, then sees false).
// INVALID_ARGUMENT when event_id is not a UUID; PostgreSQL failures as pg::StatusFromException.
absl::StatusOr<bool> MarkProcessed(pqxx::work& tx, absl::string_view consumer_group,
                                   absl::string_view event_id);

}  // namespace maillage::events

#endif  // MAILLAGE_COMMON_EVENTS_CONSUMER_H_
