#include "common/redis/cache.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace maillage::redis {
namespace {

// KEYS[1] generation key; ARGV[1] value key without the generation number.
// Returns {generation, value or nil}.
const RedisScript& ReadScript() {
  static const RedisScript* script = new RedisScript(R"lua(
local g = redis.call('GET', KEYS[1]) or '0'
return {g, redis.call('GET', ARGV[1] .. g)}
)lua");
  return *script;
}

// KEYS[1] generation key, KEYS[2] value key; ARGV: generation read, value, ttl ms, generation
// ttl ms. Stores only if nobody invalidated since the read: the loaded bytes may predate the
// writer's commit. Refreshing the generation's TTL here keeps it alive at least as long as
// any value stored under it.
const RedisScript& StoreScript() {
  static const RedisScript* script = new RedisScript(R"lua(
local g = redis.call('GET', KEYS[1]) or '0'
if g ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
if g ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return 1
)lua");
  return *script;
}

constexpr size_t kReplayBatch = 256;

absl::Status ValidKind(absl::string_view kind) {
  if (kind.empty() || absl::StrContains(kind, ':') || kind == "gen") {
    return absl::InvalidArgumentError(absl::StrCat(
        "cache kind: must be non-empty, without ':' and not \"gen\", got \"", kind, "\""));
  }
  return absl::OkStatus();
}

std::string Millis(absl::Duration d) {
  return absl::StrCat(std::max<int64_t>(1, absl::ToInt64Milliseconds(d)));
}

}  // namespace

ReadThroughCache::ReadThroughCache(RedisPool* pool, std::string prefix, absl::Duration ttl,
                                   prometheus::Registry* metrics)
    : pool_(pool),
      prefix_(std::move(prefix)),
      ttl_(ttl),
      generation_ttl_(std::max(absl::Hours(24 * 7), 2 * ttl)) {
  if (metrics != nullptr) {
    hits_counter_ = &prometheus::BuildCounter()
                         .Name("maillage_cache_hits_total")
                         .Help("Cache reads answered from Redis")
                         .Register(*metrics)
                         .Add({{"cache", prefix_}});
    misses_counter_ = &prometheus::BuildCounter()
                           .Name("maillage_cache_misses_total")
                           .Help("Cache reads that loaded from the source")
                           .Register(*metrics)
                           .Add({{"cache", prefix_}});
  }
}

std::string ReadThroughCache::GenerationKey(absl::string_view kind, absl::string_view id) const {
  return absl::StrCat(prefix_, ":gen:", kind, ":", id);
}

std::string ReadThroughCache::ValueKeyPrefix(absl::string_view kind, absl::string_view id) const {
  return absl::StrCat(prefix_, ":", kind, ":", id, ":g");
}

absl::StatusOr<std::string> ReadThroughCache::LoadUncached(
    const std::function<absl::StatusOr<std::string>()>& load) {
  misses_.fetch_add(1, std::memory_order_relaxed);
  if (misses_counter_ != nullptr) misses_counter_->Increment();
  return load();
}

absl::StatusOr<std::string> ReadThroughCache::Get(
    absl::string_view kind, absl::string_view id,
    const std::function<absl::StatusOr<std::string>()>& load) {
  if (absl::Status s = ValidKind(kind); !s.ok()) return s;
  // A pending invalidation must reach Redis before anything is read from it, or the value
  // cached before the outage would be served again.
  if (has_pending_.load(std::memory_order_acquire) && !ReplayPending().ok()) {
    redis_errors_.fetch_add(1, std::memory_order_relaxed);
    return LoadUncached(load);
  }
  std::string gen_key = GenerationKey(kind, id);
  if (IsPending(gen_key)) return LoadUncached(load);  // another thread is replaying it

  std::string value_prefix = ValueKeyPrefix(kind, id);
  absl::StatusOr<RedisReply> read = pool_->Eval(ReadScript(), {gen_key}, {value_prefix});
  if (!read.ok() || !read->is_array() || read->elements().size() != 2 ||
      !read->elements()[0].is_string()) {
    redis_errors_.fetch_add(1, std::memory_order_relaxed);
    return LoadUncached(load);
  }
  const RedisReply& value = read->elements()[1];
  if (value.is_string()) {
    hits_.fetch_add(1, std::memory_order_relaxed);
    if (hits_counter_ != nullptr) hits_counter_->Increment();
    return value.str();
  }
  std::string generation = read->elements()[0].str();

  absl::StatusOr<std::string> loaded = LoadUncached(load);
  if (!loaded.ok()) return loaded;
  absl::StatusOr<RedisReply> stored =
      pool_->Eval(StoreScript(), {gen_key, absl::StrCat(value_prefix, generation)},
                  {generation, *loaded, Millis(ttl_), Millis(generation_ttl_)});
  if (!stored.ok() || stored->is_error()) redis_errors_.fetch_add(1, std::memory_order_relaxed);
  return loaded;
}

void ReadThroughCache::Invalidate(absl::string_view kind, absl::string_view id) {
  if (absl::Status s = ValidKind(kind); !s.ok()) {
    log::Error("cache invalidation ignored", {{"error", s.message()}});
    return;
  }
  std::string gen_key = GenerationKey(kind, id);
  if (has_pending_.load(std::memory_order_acquire) && !ReplayPending().ok()) {
    redis_errors_.fetch_add(1, std::memory_order_relaxed);
    Remember(std::move(gen_key));
    return;
  }
  absl::Status s = Bump({gen_key});
  if (!s.ok()) {
    redis_errors_.fetch_add(1, std::memory_order_relaxed);
    // Only an unreachable Redis is worth replaying; an error reply (WRONGTYPE) would repeat.
    if (absl::IsUnavailable(s)) Remember(std::move(gen_key));
  }
}

absl::Status ReadThroughCache::Bump(const std::vector<std::string>& generation_keys) {
  std::vector<std::vector<std::string>> commands;
  commands.reserve(2 * generation_keys.size());
  std::string gen_ttl = Millis(generation_ttl_);
  for (const std::string& key : generation_keys) {
    commands.push_back({"INCR", key});
    commands.push_back({"PEXPIRE", key, gen_ttl});
  }
  absl::StatusOr<std::vector<RedisReply>> replies = pool_->Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (const RedisReply& r : *replies) {
    if (absl::Status s = r.ToStatus(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

void ReadThroughCache::Remember(std::string generation_key) {
  bool first = false;
  bool dropped = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (pending_.size() >= kMaxPendingInvalidations && !pending_.contains(generation_key)) {
      dropped = true;
    } else {
      first = pending_.empty();
      pending_[std::move(generation_key)] = ++next_seq_;
      has_pending_.store(true, std::memory_order_release);
    }
  }
  if (dropped) {
    if (dropped_.fetch_add(1, std::memory_order_relaxed) == 0) {
      log::Error("cache invalidations dropped: too many pending; values stay stale up to the TTL",
                 {{"prefix", prefix_}});
    }
  } else if (first) {
    log::Warn("cache invalidations pending until redis is back", {{"prefix", prefix_}});
  }
}

bool ReadThroughCache::IsPending(const std::string& generation_key) const {
  if (!has_pending_.load(std::memory_order_acquire)) return false;
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.contains(generation_key);
}

absl::Status ReadThroughCache::ReplayPending() {
  std::unique_lock<std::mutex> replaying(replay_mu_, std::try_to_lock);
  if (!replaying.owns_lock()) return absl::OkStatus();
  for (;;) {
    std::vector<std::pair<std::string, uint64_t>> batch;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [key, seq] : pending_) {
        batch.emplace_back(key, seq);
        if (batch.size() == kReplayBatch) break;
      }
    }
    if (batch.empty()) return absl::OkStatus();
    std::vector<std::string> keys;
    keys.reserve(batch.size());
    for (const auto& entry : batch) keys.push_back(entry.first);
    absl::Status s = Bump(keys);
    // An error reply is not a transport failure: replaying it again would not help.
    if (!s.ok() && absl::IsUnavailable(s)) return s;
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, seq] : batch) {
      auto it = pending_.find(key);
      if (it != pending_.end() && it->second == seq) pending_.erase(it);
    }
    if (pending_.empty()) has_pending_.store(false, std::memory_order_release);
  }
}

ReadThroughCache::Stats ReadThroughCache::stats() const {
  Stats out;
  out.hits = hits_.load(std::memory_order_relaxed);
  out.misses = misses_.load(std::memory_order_relaxed);
  out.redis_errors = redis_errors_.load(std::memory_order_relaxed);
  out.dropped_invalidations = dropped_.load(std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  out.pending_invalidations = static_cast<int64_t>(pending_.size());
  return out;
}

absl::StatusOr<BytesCache::Decoded> BytesCache::GetDecoded(
    absl::string_view kind, absl::string_view id,
    const std::function<absl::StatusOr<std::string>()>& load,
    const std::function<Decoded(const std::string&)>& decode) {
  absl::StatusOr<std::string> bytes = Get(kind, id, load);
  if (!bytes.ok()) return bytes.status();
  Decoded decoded = decode(*bytes);
  if (decoded == nullptr)
    return absl::InternalError(absl::StrCat("corrupt cached ", kind, " ", id));
  return decoded;
}

}  // namespace maillage::redis
