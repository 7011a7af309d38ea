// gateway/auth/principal_cache: who an identity is in Maillage, remembered between requests
// and forgotten as soon as membership says something changed.
//
//   PrincipalCache cache(redis_pool, {.ttl = absl::Seconds(60), .metrics = registry});
//   std::unique_ptr<redis::StreamFollower> follower =
//       cache.Follow(follower_pool, "maillage.membership.events");
//   absl::StatusOr<std::string> resolved = cache.Get(PrincipalCache::KeyOf({iss, sub, ...}),
//                                                    [&] { return AskMembership(); });
//
// Two layers: one in the process (a NearCache, entries served at most `local_ttl`), then one
// in Redis shared by the gateway's replicas (entries kept `ttl`). Every membership event that
// can change a resolution (a membership applied, admitted, suspended, reinstated or left, a
// role changed, a charter signed, an organisation or network updated) makes every cached
// resolution stale: the follower moves the Redis epoch, one counter under which all entries
// are stored ("<prefix>:principal:<epoch>:<key>", so one INCR retires them all for every
// replica), then drops the process's copies. Such events are rare next to reads (a few
// admissions or suspensions a day per network), so forgetting everything costs one
// membership call per active person and needs no index from organisations to identities.
//
// How long a change may go unseen (what the gateway's end-to-end test holds):
//   - until its event reaches the follower: the relay's poll plus one stream read, about a
//     second when both run;
//   - never longer than `ttl`, the backstop when no follower runs. While the follower cannot
//     read the stream the process's layer is bypassed, and a load that raced an invalidation
//     never stores what it loaded (the NearCache epochs locally, the epoch compare in Redis).
// Redis down: Get calls `load` (every request asks membership) and never fails because of
// Redis; an INCR that could not be sent is retried before the next Redis read, which bypasses
// Redis until it succeeds.
//
// Errors of `load` are returned and never cached. Thread-safe.
//
// Metrics (with Options::metrics):
//   maillage_principal_cache_requests_total{result}  hit_local, hit_redis, miss, bypassed
//   maillage_principal_cache_invalidations_total     events that retired every entry
#ifndef MAILLAGE_GATEWAY_AUTH_PRINCIPAL_CACHE_H_
#define MAILLAGE_GATEWAY_AUTH_PRINCIPAL_CACHE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace prometheus {
class Counter;
class Registry;
}  // namespace prometheus

namespace maillage::redis {
class NearCache;
class RedisPool;
class RedisScript;
class StreamFollower;
}  // namespace maillage::redis

namespace maillage::gateway {

class PrincipalCache {
 public:
  struct Options {
    // Keys live under "<prefix>:principal:"; the epoch is "<prefix>:principal-epoch".
    std::string prefix = "maillage:gateway";
    absl::Duration ttl = absl::Seconds(60);
    absl::Duration local_ttl = absl::Seconds(30);
    size_t max_local_entries = 50000;
    std::function<absl::Time()> clock = absl::Now;
    prometheus::Registry* metrics = nullptr;
  };

  // What a resolution depends on; KeyOf hashes it (SHA-256) into a fixed-size key.
  struct Identity {
    std::string issuer{};
    std::string subject{};
    std::string verified_email{};
    bool link_by_email = false;
    std::string acting_organisation_id{};
  };
  static std::string KeyOf(const Identity& identity);

  // `redis` may be null (the process's layer only); it must outlive the cache.
  PrincipalCache(redis::RedisPool* redis, Options options);
  ~PrincipalCache();

  PrincipalCache(const PrincipalCache&) = delete;
  PrincipalCache& operator=(const PrincipalCache&) = delete;

  // The resolution stored under `key`, else what `load` returns (stored when OK).
  absl::StatusOr<std::string> Get(const std::string& key,
                                  const std::function<absl::StatusOr<std::string>()>& load);

  // The resolution when the process holds it, without loading or waiting (nullopt: use Get
  // on a thread that may block).
  std::optional<std::string> PeekLocal(const std::string& key);

  // Retires every entry: Redis's epoch first, then the process's copies.
  void InvalidateAll();

  // Follows membership's event stream on `pool` (its own: the read blocks) and invalidates on
  // each event that can change a resolution. The follower stops when destroyed; destroy it
  // before the cache.
  std::unique_ptr<redis::StreamFollower> Follow(redis::RedisPool* pool, std::string stream);

  // Whether a membership event (serialised MembershipEvent) can change a resolution.
  static bool Invalidates(absl::string_view event_bytes);

 private:
  absl::StatusOr<std::string> GetFromRedis(
      const std::string& key, const std::function<absl::StatusOr<std::string>()>& load);
  // Sends an INCR left over from a Redis outage; false while Redis cannot take it.
  bool FlushPendingInvalidation();
  void Count(prometheus::Counter* counter);

  redis::RedisPool* const redis_;
  const Options options_;
  const std::string epoch_key_;
  const std::string value_prefix_;
  std::unique_ptr<redis::NearCache> local_;
  std::unique_ptr<redis::RedisScript> read_script_;
  std::unique_ptr<redis::RedisScript> store_script_;
  std::atomic<bool> invalidation_pending_{false};
  prometheus::Counter* hit_local_ = nullptr;
  prometheus::Counter* hit_redis_ = nullptr;
  prometheus::Counter* miss_ = nullptr;
  prometheus::Counter* bypassed_ = nullptr;
  prometheus::Counter* invalidations_ = nullptr;
};

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_AUTH_PRINCIPAL_CACHE_H_
