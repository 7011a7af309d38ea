// common/redis/cache: a read-through cache in Redis with versioned keys, so that invalidation
// is one INCR and never a scan, and Redis being down slows reads without failing them.
//
//   ReadThroughCache cache(redis_pool, "membership", absl::Minutes(10));
//   absl::StatusOr<std::string> bytes = cache.Get("org", org_id, [&] {
//     return store.LoadOrganisationBytes(org_id);    // runs only on a miss
//   });
//   ...
//   // after the transaction that changed the organisation has committed:
//   cache.Invalidate("org", org_id);
//
// Keys: a generation counter "<prefix>:gen:<kind>:<id>" (absent means 0) and the value under
// "<prefix>:<kind>:<id>:g<generation>", stored with the TTL. Get reads the generation and the
// value in one round trip (a Lua script). On a miss it calls `load` and stores the bytes only
// if the generation is still the one it read, so a reader racing a writer (it loaded old data,
// then the writer committed and invalidated) never caches what it loaded: the next Get loads
// again. Invalidate is one INCR of the generation; the old values are left to expire.
// Invalidate after the commit, never before: a reader between the INCR and the commit would
// cache the old data under the new generation.
//
// Generation keys carry a long TTL (7 days, or 2 * ttl if longer), refreshed by every
// Invalidate and every store, so idle ones do not stay forever. A generation key can only
// expire once every value stored under it has expired, so starting again from 0 cannot
// resurrect an old value.
//
// Redis down (or answering errors):
//   - Get never fails because of Redis: it calls `load` and returns what `load` returns.
//   - Invalidate never fails: the key is remembered in memory (up to 65,536 keys; beyond that
//     they are dropped and counted) and the INCR is replayed before anything else on the next
//     Get or Invalidate that reaches Redis. Until then a Get of a remembered key bypasses the
//     cache, so a value cached before the outage is not served once Redis is back.
//   - What this process cannot cover (it restarted with invalidations pending, or dropped
//     some, or another replica served reads) is bounded by the TTL: every value expires.
// Errors returned by `load` are returned as they are, and nothing is cached.
//
// `kind` must be non-empty, without ':', and not "gen" (Get answers INVALID_ARGUMENT; an
// Invalidate of such a kind is logged and ignored). `id` may hold any bytes. Thread-safe.
// Keys are built inside the Lua script, so this targets a standalone Redis (or a primary
// with replicas), not Redis Cluster.
#ifndef MAILLAGE_COMMON_REDIS_CACHE_H_
#define MAILLAGE_COMMON_REDIS_CACHE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis/redis.h"

namespace prometheus {
class Counter;
class Registry;
}  // namespace prometheus

namespace maillage::redis {

// What a service reads cached bytes through: ReadThroughCache (Redis), or NearCache in
// front of it (near_cache.h).
class BytesCache {
 public:
  virtual ~BytesCache() = default;
  // The cached bytes of (kind, id), or those `load` returns.
  virtual absl::StatusOr<std::string> Get(
      absl::string_view kind, absl::string_view id,
      const std::function<absl::StatusOr<std::string>()>& load) = 0;
  // After a commit that changed (kind, id): every later Get of this process loads again.
  virtual void Invalidate(absl::string_view kind, absl::string_view id) = 0;

  // The decoded form of (kind, id)'s bytes: `decode` turns bytes into an object, null when they
  // do not decode (INTERNAL then). This default decodes on every call; NearCache decodes once
  // per load and shares the object between its hits, sparing each hit the parse. Use it
  // through GetMessage below.
  using Decoded = std::shared_ptr<const void>;
  virtual absl::StatusOr<Decoded> GetDecoded(
      absl::string_view kind, absl::string_view id,
      const std::function<absl::StatusOr<std::string>()>& load,
      const std::function<Decoded(const std::string&)>& decode);
};

// A protobuf message of type T cached as its serialised bytes, decoded as rarely as `cache`
// allows; `cache` may be null (then every call loads and parses).
//
//   absl::StatusOr<std::shared_ptr<const CachedOrganisation>> org =
//       redis::GetMessage<CachedOrganisation>(cache, "organisation", id, load);
template <typename T>
absl::StatusOr<std::shared_ptr<const T>> GetMessage(
    BytesCache* cache, absl::string_view kind, absl::string_view id,
    const std::function<absl::StatusOr<std::string>()>& load) {
  auto decode = [](const std::string& bytes) -> BytesCache::Decoded {
    auto message = std::make_shared<T>();
    if (!message->ParseFromString(bytes)) return nullptr;
    return message;
  };
  absl::StatusOr<BytesCache::Decoded> decoded;
  if (cache != nullptr) {
    decoded = cache->GetDecoded(kind, id, load, decode);
  } else {
    absl::StatusOr<std::string> bytes = load();
    if (!bytes.ok()) return bytes.status();
    decoded = decode(*bytes);
    if (*decoded == nullptr) return absl::InternalError(absl::StrCat("corrupt ", kind, " ", id));
  }
  if (!decoded.ok()) return decoded.status();
  return std::static_pointer_cast<const T>(*std::move(decoded));
}

class ReadThroughCache final : public BytesCache {
 public:
  struct Stats {
    int64_t hits = 0;                   // Gets answered from Redis
    int64_t misses = 0;                 // Gets that called `load` (absent, Redis down, or bypassed)
    int64_t redis_errors = 0;           // Redis calls that failed (transport or error reply)
    int64_t pending_invalidations = 0;  // remembered, waiting for Redis
    int64_t dropped_invalidations = 0;  // could not be remembered (set full)
  };

  // Most invalidations remembered while Redis is unreachable.
  static constexpr size_t kMaxPendingInvalidations = 65536;

  // `pool` must outlive the cache. `ttl` must be positive. `metrics` (optional, must outlive
  // the cache) receives the counters maillage_cache_hits_total{cache="<prefix>"} and
  // maillage_cache_misses_total{cache="<prefix>"}, counted as in Stats.
  ReadThroughCache(RedisPool* pool, std::string prefix, absl::Duration ttl,
                   prometheus::Registry* metrics = nullptr);

  ReadThroughCache(const ReadThroughCache&) = delete;
  ReadThroughCache& operator=(const ReadThroughCache&) = delete;

  // The cached bytes of (kind, id), or those `load` returns (then cached, see above).
  absl::StatusOr<std::string> Get(
      absl::string_view kind, absl::string_view id,
      const std::function<absl::StatusOr<std::string>()>& load) override;

  // Makes every later Get of (kind, id) load again. Never blocks longer than one Redis call.
  void Invalidate(absl::string_view kind, absl::string_view id) override;

  Stats stats() const;

 private:
  std::string GenerationKey(absl::string_view kind, absl::string_view id) const;
  std::string ValueKeyPrefix(absl::string_view kind, absl::string_view id) const;
  // INCR + PEXPIRE of each key in one round trip.
  absl::Status Bump(const std::vector<std::string>& generation_keys);
  // Replays remembered invalidations; OK when none are left or another thread is at it.
  absl::Status ReplayPending();
  bool IsPending(const std::string& generation_key) const;
  void Remember(std::string generation_key);
  absl::StatusOr<std::string> LoadUncached(
      const std::function<absl::StatusOr<std::string>()>& load);

  RedisPool* const pool_;
  const std::string prefix_;
  const absl::Duration ttl_;
  const absl::Duration generation_ttl_;

  prometheus::Counter* hits_counter_ = nullptr;
  prometheus::Counter* misses_counter_ = nullptr;
  std::atomic<int64_t> hits_{0};
  std::atomic<int64_t> misses_{0};
  std::atomic<int64_t> redis_errors_{0};
  std::atomic<int64_t> dropped_{0};

  std::mutex replay_mu_;  // one replay at a time
  mutable std::mutex mu_;
  std::atomic<bool> has_pending_{false};
  // Generation key -> sequence number of its latest failed Invalidate, so that a replay only
  // forgets the entries it actually replayed.
  absl::flat_hash_map<std::string, uint64_t> pending_;
  uint64_t next_seq_ = 0;
};

}  // namespace maillage::redis

#endif  // MAILLAGE_COMMON_REDIS_CACHE_H_
