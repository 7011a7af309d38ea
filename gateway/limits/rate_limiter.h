// gateway/limits/rate_limiter: how many calls each caller may make, per second and in a
// burst, separately for reads and writes, shared by every gateway replica.
//
//   RateLimiter limiter(redis_pool, {.reads = {.per_second = 20, .burst = 100},
//                                    .writes = {.per_second = 5, .burst = 20}});
//   RateLimiter::Decision d = limiter.Take(principal.subject(), RateLimiter::Kind::kWrite);
//   if (!d.allowed) return Http429(d.retry_after);   // Retry-After: ceil(seconds)
//
// A token bucket per (caller, kind) in Redis, refilled continuously at `per_second` up to
// `burst`, updated by one Lua script with Redis's own clock (replicas' clocks do not matter).
// With Redis down or slow, each gateway instance falls back to a bucket of its own with the
// same parameters (a caller spread over N replicas then gets up to N times the rate, never
// an outage), and goes back to Redis as soon as it answers.
//
// Metrics (with Options::metrics):
//   maillage_gateway_rate_limited_total{kind}        calls refused
//   maillage_gateway_rate_limit_fallback_total       decisions taken locally (Redis down)
#ifndef MAILLAGE_GATEWAY_LIMITS_RATE_LIMITER_H_
#define MAILLAGE_GATEWAY_LIMITS_RATE_LIMITER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace prometheus {
class Counter;
class Registry;
}  // namespace prometheus

namespace maillage::redis {
class RedisPool;
class RedisScript;
}  // namespace maillage::redis

namespace maillage::gateway {

// Whole seconds for a Retry-After header (HTTP) or trailer (gRPC): at least 1.
int64_t RetryAfterSeconds(absl::Duration wait);

class RateLimiter {
 public:
  struct Bucket {
    double per_second = 20;
    int burst = 100;
  };
  struct Options {
    std::string prefix = "maillage:gateway";
    Bucket reads{};
    Bucket writes{.per_second = 5, .burst = 20};
    // The local fallback's clock (Redis uses its own).
    std::function<absl::Time()> clock = absl::Now;
    prometheus::Registry* metrics = nullptr;
  };
  enum class Kind { kRead, kWrite };
  struct Decision {
    bool allowed = true;
    // When refused: how long until one call is allowed again.
    absl::Duration retry_after = absl::ZeroDuration();
  };

  // `redis` may be null (local buckets only); it must outlive the limiter.
  RateLimiter(redis::RedisPool* redis, Options options);
  ~RateLimiter();

  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes one token of `caller`'s bucket of `kind`. Thread-safe.
  Decision Take(absl::string_view caller, Kind kind);

 private:
  struct LocalBucket {
    double tokens = 0;
    absl::Time updated;
  };
  Decision TakeLocally(const std::string& key, const Bucket& bucket);

  redis::RedisPool* const redis_;
  const Options options_;
  std::unique_ptr<redis::RedisScript> script_;
  std::mutex mu_;
  absl::flat_hash_map<std::string, LocalBucket> local_;  // guarded by mu_
  prometheus::Counter* limited_reads_ = nullptr;
  prometheus::Counter* limited_writes_ = nullptr;
  prometheus::Counter* fallback_ = nullptr;
};

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_LIMITS_RATE_LIMITER_H_
