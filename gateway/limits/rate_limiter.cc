#include "gateway/limits/rate_limiter.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/redis/redis.h"

namespace maillage::gateway {
namespace {

// ARGV: key, tokens per millisecond, burst. Returns {allowed (0/1), milliseconds to wait}.
// Redis's clock, so that every replica sees the same time.
constexpr char kTakeScript[] = R"lua(
local key = ARGV[1]
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', key, 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local allowed, wait = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', key, math.ceil(burst / rate) + 1000)
return {allowed, wait}
)lua";

// Beyond this many callers, the local buckets start again empty (full buckets for all).
constexpr size_t kMaxLocalBuckets = 100000;

}  // namespace

int64_t RetryAfterSeconds(absl::Duration wait) {
  return std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(wait, absl::Seconds(1))));
}

RateLimiter::RateLimiter(redis::RedisPool* redis, Options options)
    : redis_(redis),
      options_(std::move(options)),
      script_(std::make_unique<redis::RedisScript>(kTakeScript)) {
  if (options_.metrics == nullptr) return;
  auto& limited = prometheus::BuildCounter()
                      .Name("maillage_gateway_rate_limited_total")
                      .Help("Calls refused by the per-caller rate limits, by kind")
                      .Register(*options_.metrics);
  limited_reads_ = &limited.Add({{"kind", "read"}});
  limited_writes_ = &limited.Add({{"kind", "write"}});
  fallback_ = &prometheus::BuildCounter()
                   .Name("maillage_gateway_rate_limit_fallback_total")
                   .Help("Rate limit decisions taken by this instance alone (Redis unavailable)")
                   .Register(*options_.metrics)
                   .Add({});
}

RateLimiter::~RateLimiter() = default;

RateLimiter::Decision RateLimiter::Take(absl::string_view caller, Kind kind) {
  const Bucket& bucket = kind == Kind::kRead ? options_.reads : options_.writes;
  const std::string key =
      absl::StrCat(options_.prefix, ":rate:", kind == Kind::kRead ? "r:" : "w:", caller);
  Decision d;
  bool decided = false;
  if (redis_ != nullptr) {
    absl::StatusOr<redis::RedisReply> r = redis_->Eval(
        *script_, {}, {key, absl::StrCat(bucket.per_second / 1000.0), absl::StrCat(bucket.burst)});
    if (r.ok() && r->is_array() && r->elements().size() == 2) {
      d.allowed = r->elements()[0].integer() == 1;
      d.retry_after = absl::Milliseconds(r->elements()[1].integer());
      decided = true;
    }
  }
  if (!decided) {
    if (fallback_ != nullptr) fallback_->Increment();
    d = TakeLocally(key, bucket);
  }
  if (!d.allowed) {
    prometheus::Counter* c = kind == Kind::kRead ? limited_reads_ : limited_writes_;
    if (c != nullptr) c->Increment();
  }
  return d;
}

RateLimiter::Decision RateLimiter::TakeLocally(const std::string& key, const Bucket& bucket) {
  const absl::Time now = options_.clock();
  std::lock_guard<std::mutex> lock(mu_);
  if (local_.size() >= kMaxLocalBuckets && !local_.contains(key)) local_.clear();
  auto [it, inserted] =
      local_.try_emplace(key, LocalBucket{static_cast<double>(bucket.burst), now});
  LocalBucket& b = it->second;
  b.tokens = std::min<double>(bucket.burst, b.tokens + absl::ToDoubleSeconds(std::max(
                                                           absl::ZeroDuration(), now - b.updated)) *
                                                           bucket.per_second);
  b.updated = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return {};
  }
  return {.allowed = false,
          .retry_after = absl::Milliseconds(std::ceil((1 - b.tokens) / bucket.per_second * 1000))};
}

}  // namespace maillage::gateway
