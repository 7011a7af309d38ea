// common/events/relay: publishes the outbox (outbox.h) to a Redis Stream.
//
//   OutboxRelay relay(pg_pool, redis_pool, {.stream = "maillage.membership.events"});
//   relay.Start();   // background thread; relay.Wake() after a commit publishes at once
//   ...
//   relay.Stop();    // in the graceful shutdown, before the pools are destroyed
//
// One batch (RelayOnce) is one PostgreSQL transaction:
//   1. take a transaction-scoped advisory lock on the stream name; if another replica holds
//      it, do nothing (only one relay per stream publishes at a time, which keeps the order);
//   2. select up to batch_size unpublished rows in id order, FOR UPDATE SKIP LOCKED;
//   3. XADD each, in that order and in one pipeline, with fields id (the event id), type,
//      payload, trimming the stream with MAXLEN ~ max_len;
//   4. mark those rows published and commit.
// A crash or failure between 3 and 4 leaves the rows unpublished, so the next batch sends
// them again: delivery is at least once, and consumers drop duplicates by event id
// (consumer.h). Nothing is lost: a row is marked published only after Redis acknowledged
// its XADD. Order: the first copy of each event appears in the stream in outbox id order.
// Outbox ids are assigned at insert, not at commit, so two transactions committing
// concurrently may be published in either order; two changes of the same row are ordered
// (the second transaction waits for the first's row lock, then inserts a higher id).
//
// Failures (Redis or PostgreSQL down): RelayOnce returns the status (UNAVAILABLE) and leaves
// everything unpublished; the background thread logs the first failure and the recovery,
// and retries with exponential backoff from poll_interval up to max_backoff.
//
// Trimming (TrimStream, run by the background thread every trim_interval): entries are
// removed only once every consumer group of the stream is past them. The floor is the
// smallest, over all groups (XINFO GROUPS), of the group's last-delivered-id and of its
// smallest pending id (XPENDING summary); XTRIM MINID <floor> then removes the entries below
// it. A group that is down keeps everything from where it stopped, so the stream (Redis
// memory) grows during its outage: watch the stream length metric. A stream without groups
// (read only by tail followers such as near caches) is trimmed to about
// max_len_without_groups entries. The old XADD MAXLEN ~ max_len (which dropped entries no group had
// read) is off by default and kept only for deployments that prefer bounded memory over delivery.
//
// Metrics (when RelayOptions::metrics is set), each labelled {stream}:
//   maillage_outbox_lag_seconds                 gauge: age of the oldest unpublished outbox row
//                                               (0 when all are published), set by every batch,
//                                               also on replicas that do not hold the stream's
//                                               lock; it keeps its last value while PostgreSQL
//                                               is unreachable (watch the failure counter)
//   maillage_events_published_total             counter
//   maillage_outbox_relay_failed_batches_total  counter
//   maillage_stream_length                      gauge: XLEN after each trim (trim_interval)
#ifndef MAILLAGE_COMMON_EVENTS_RELAY_H_
#define MAILLAGE_COMMON_EVENTS_RELAY_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/pg/pg.h"
#include "common/redis/redis.h"

namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace maillage::events {

struct RelayOptions {
  // e.g. "maillage.membership.events"
  std::string stream{};
  int batch_size = 100;
  // Pause between polls when the outbox is empty (Wake() cuts it short).
  absl::Duration poll_interval = absl::Milliseconds(500);
  // Longest pause between retries while Redis or PostgreSQL fails.
  absl::Duration max_backoff = absl::Seconds(10);
  // Approximate stream length kept (XADD MAXLEN ~), even at the cost of entries a group has
  // not read yet; 0 (the default) leaves trimming to TrimStream.
  int64_t max_len = 0;
  // Approximate length kept by TrimStream while the stream has no consumer group; 0: all.
  int64_t max_len_without_groups = 1000000;
  // How often the background thread runs TrimStream; zero or less: never.
  absl::Duration trim_interval = absl::Minutes(1);
  // Test hook, run after the XADDs and before the rows are marked published; an error
  // rolls the batch back, as a crash at that point would.
  std::function<absl::Status()> after_publish_hook{};
  // Optional: where the metrics above are registered; must outlive the relay.
  prometheus::Registry* metrics = nullptr;
};

class OutboxRelay {
 public:
  struct Stats {
    int64_t published = 0;  // XADDs whose rows were then marked published
    int64_t failed_batches = 0;
  };

  // The pools must outlive the relay.
  OutboxRelay(pg::PgPool* pg, redis::RedisPool* redis, RelayOptions options);
  ~OutboxRelay();  // Stop()

  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // Publishes one batch; `published` (optional) receives how many events went out (0 when
  // the outbox is empty or another replica holds the stream).
  absl::Status RelayOnce(int* published = nullptr);

  // Removes the entries every consumer group is past (see "Trimming" above); returns how
  // many were removed.
  absl::StatusOr<int64_t> TrimStream();

  // Starts the background thread (no-op if running).
  void Start();
  // Stops it after the batch in progress; idempotent.
  void Stop();
  // Makes the background thread poll now.
  void Wake();

  Stats stats() const;

 private:
  absl::StatusOr<int64_t> Trim();
  void Loop();

  pg::PgPool* const pg_;
  redis::RedisPool* const redis_;
  const RelayOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;

  std::atomic<int64_t> published_{0};
  std::atomic<int64_t> failed_batches_{0};

  // Null without RelayOptions::metrics.
  prometheus::Gauge* lag_seconds_ = nullptr;
  prometheus::Counter* published_total_ = nullptr;
  prometheus::Counter* failed_batches_total_ = nullptr;
  prometheus::Gauge* stream_length_ = nullptr;
};

}  // namespace maillage::events

#endif  // MAILLAGE_COMMON_EVENTS_RELAY_H_
