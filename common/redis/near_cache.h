// common/redis/near_cache: an in-process cache in front of the Redis read-through cache,
// invalidated by the service's change events, or by its own stream of invalidations
// (Options::broadcast_stream, FollowBroadcastInvalidations) when events do not say enough.
//
// A cached read through Redis costs a blocking round trip from a worker thread; most reads
// of one organisation or network repeat within seconds. The near cache keeps the bytes in the
// process and drops them when the change stream says they changed:
//
//   NearCache near(&read_through, {.max_entries = 20000, .ttl = absl::Seconds(5)});
//   StreamFollower follower(redis_pool, "maillage.membership.events", [&](const auto& entry) {
//     near.InvalidateLocal("organisation", OrganisationIdOf(entry));   // what the event changed
//   }, &near);
//   absl::StatusOr<std::string> bytes = near.Get("organisation", id, load);
//   // after the transaction that changed it has committed:
//   near.Invalidate("organisation", id);   // this process at once, others through Redis/events
//
// How stale a read may be after a commit (the bound the tests hold):
//   - in the process that made the change: never (Invalidate drops its copy before it returns,
//     so a writer always reads its own write);
//   - in another process: until the change's event reaches it (relay poll + stream read,
//     milliseconds when both run), and never longer than `ttl`, the backstop when events do
//     not come: an entry is served for at most `ttl` after it was loaded.
//   While the follower cannot read the stream (Redis down, a gap in the stream), the near
//   cache is bypassed (Get goes to the next layer) and emptied, so the event path never lets
//   an entry outlive a change it missed by more than `ttl`.
//
// A load that races an invalidation of its key never stores what it loaded (a sequence
// number per key, as ReadThroughCache's generations). Thread-safe.
//
// Metrics (when Options::metrics is set):
//   maillage_near_cache_requests_total{result}   counter; result: hit, miss, bypassed
//   maillage_near_cache_invalidations_total      counter
#ifndef MAILLAGE_COMMON_REDIS_NEAR_CACHE_H_
#define MAILLAGE_COMMON_REDIS_NEAR_CACHE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis/cache.h"

namespace prometheus {
class Counter;
class Registry;
}  // namespace prometheus

namespace maillage::redis {

class RedisPool;

class NearCache final : public BytesCache {
 public:
  struct Options {
    // Most entries kept; beyond, the oldest loaded are dropped first.
    size_t max_entries = 20000;
    // Longest an entry is served after it was loaded (the staleness backstop).
    absl::Duration ttl = absl::Seconds(5);
    std::function<absl::Time()> clock = absl::Now;
    // Optional: where the metrics above are registered; must outlive the cache.
    prometheus::Registry* metrics = nullptr;
    // Optional: Invalidate also announces (kind, id) on this Redis stream, through
    // `broadcast_pool`, once `next` is invalidated; FollowBroadcastInvalidations below makes
    // the other processes drop their copies. For a service whose cached reads change on more
    // than its own events say (assessment: an analysis changes when membership's events,
    // consumed by one replica only, change a campaign's participants). Both or neither.
    RedisPool* broadcast_pool = nullptr;
    std::string broadcast_stream = {};
    // Most entries kept in the broadcast stream (trimmed approximately on each announcement).
    int64_t broadcast_max_length = 10000;
  };

  struct Stats {
    int64_t hits = 0;
    int64_t misses = 0;
    int64_t invalidations = 0;
    int64_t bypassed = 0;            // Gets while disabled (no event feed)
    int64_t broadcast_failures = 0;  // announcements Redis refused or did not receive
  };

  // `next` may be null (then misses call `load` directly); it must outlive the cache.
  NearCache(ReadThroughCache* next, Options options);
  ~NearCache() override;

  NearCache(const NearCache&) = delete;
  NearCache& operator=(const NearCache&) = delete;

  // The bytes of (kind, id): from this process, else from `next` (or `load`).
  absl::StatusOr<std::string> Get(
      absl::string_view kind, absl::string_view id,
      const std::function<absl::StatusOr<std::string>()>& load) override;

  // As Get, but the bytes are decoded once per load and every hit shares the object.
  absl::StatusOr<Decoded> GetDecoded(
      absl::string_view kind, absl::string_view id,
      const std::function<absl::StatusOr<std::string>()>& load,
      const std::function<Decoded(const std::string&)>& decode) override;

  // The bytes of (kind, id) when this process holds them (a hit), without ever loading or
  // waiting: for callers that must not block (a gRPC reaction) and go elsewhere on a miss.
  std::optional<std::string> Peek(absl::string_view kind, absl::string_view id);

  // After a commit in this process: drops the local copy, then invalidates `next`, then
  // announces it on Options::broadcast_stream when there is one.
  void Invalidate(absl::string_view kind, absl::string_view id) override;
  // From the event feed: drops the local copy only.
  void InvalidateLocal(absl::string_view kind, absl::string_view id);
  // From the event feed, for a change that may affect any entry: drops every local copy, and
  // no load in flight stores what it loaded.
  void InvalidateAllLocal();

  // Whether Get may answer from this process (the event feed is healthy). Disabling empties
  // the cache. Starts enabled: a process without a follower relies on the ttl alone.
  void SetEnabled(bool enabled);
  bool enabled() const { return enabled_.load(); }

  Stats stats() const;
  size_t size() const;
  const Options& options() const { return options_; }

 private:
  struct Entry {
    std::string bytes;
    absl::Time loaded;
    Decoded decoded;  // set by the first GetDecoded of this load
  };
  // Get and GetDecoded: the entry's bytes, and its decoded form when `decode` is given.
  absl::StatusOr<std::pair<std::string, Decoded>> Lookup(
      absl::string_view kind, absl::string_view id,
      const std::function<absl::StatusOr<std::string>()>& load,
      const std::function<Decoded(const std::string&)>* decode);
  struct Shard {
    mutable std::mutex mu;
    absl::flat_hash_map<std::string, Entry> entries;
    // Key -> invalidation count, for the keys with a load in flight.
    absl::flat_hash_map<std::string, uint64_t> epochs;
    absl::flat_hash_map<std::string, int> in_flight;
  };
  static std::string Key(absl::string_view kind, absl::string_view id);
  void DropAll();
  Shard& ShardOf(const std::string& key);
  // Adds the entry, making room in the shard first.
  void Store(Shard& shard, const std::string& key, std::string bytes, Decoded decoded);

  static constexpr size_t kShards = 16;
  ReadThroughCache* const next_;
  const Options options_;
  Shard shards_[kShards];
  std::atomic<bool> enabled_{true};
  // Counts the losses and returns of the event feed: a load that spans one is not stored.
  std::atomic<uint64_t> global_epoch_{0};
  std::atomic<int64_t> hits_{0}, misses_{0}, invalidations_{0}, bypassed_{0},
      broadcast_failures_{0};
  // Null without Options::metrics.
  prometheus::Counter* hit_total_ = nullptr;
  prometheus::Counter* miss_total_ = nullptr;
  prometheus::Counter* bypassed_total_ = nullptr;
  prometheus::Counter* invalidations_total_ = nullptr;
};

// Follows a Redis Stream from its end with XREAD BLOCK (no consumer group: every process sees
// every entry, and nothing is left behind in Redis) and hands each entry's fields to
// `on_entry`. While it cannot read (Redis down), the near cache is disabled; once it reads
// again, the cache is re-enabled empty, since changes may have been missed meanwhile.
class StreamFollower {
 public:
  // The entry's field/value pairs, e.g. {"id": ..., "type": ..., "payload": ...}.
  using Fields = std::vector<std::pair<std::string, std::string>>;

  StreamFollower(RedisPool* pool, std::string stream, std::function<void(const Fields&)> on_entry,
                 NearCache* cache, absl::Duration block = absl::Milliseconds(500));
  ~StreamFollower();  // Stops and joins.

  StreamFollower(const StreamFollower&) = delete;
  StreamFollower& operator=(const StreamFollower&) = delete;

  // Entries handed to on_entry so far.
  int64_t entries() const { return entries_.load(); }
  // True once a read of the stream succeeded, until one fails: every entry added from then
  // on will be handed over.
  bool following() const { return healthy_.load(); }

 private:
  void Loop();

  RedisPool* const pool_;
  const std::string stream_;
  const std::function<void(const Fields&)> on_entry_;
  NearCache* const cache_;
  const absl::Duration block_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> entries_{0};
  std::atomic<bool> healthy_{false};
  std::thread thread_;
};

// Follows `cache`'s Options::broadcast_stream (on `pool`, a connection of its own: XREAD
// blocks) and drops this process's copy of each (kind, id) any process's NearCache::Invalidate
// announced there. Together, a change committed in one replica reaches the near caches of all
// of them once Redis has been invalidated, whatever made it (a call, a consumed event).
//
//   NearCache near(&read_through, {.broadcast_pool = pool, .broadcast_stream = "svc.cache"});
//   std::unique_ptr<StreamFollower> follower = FollowBroadcastInvalidations(follower_pool, &near);
std::unique_ptr<StreamFollower> FollowBroadcastInvalidations(
    RedisPool* pool, NearCache* cache, absl::Duration block = absl::Milliseconds(500));

}  // namespace maillage::redis

#endif  // MAILLAGE_COMMON_REDIS_NEAR_CACHE_H_
