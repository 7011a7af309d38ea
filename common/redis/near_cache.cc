#include "common/redis/near_cache.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/redis/cache.h"
#include "common/redis/redis.h"

namespace maillage::redis {

NearCache::NearCache(ReadThroughCache* next, Options options)
    : next_(next), options_(std::move(options)) {
  if (options_.metrics == nullptr) return;
  auto& requests = prometheus::BuildCounter()
                       .Name("maillage_near_cache_requests_total")
                       .Help("Reads of the in-process cache, by result")
                       .Register(*options_.metrics);
  hit_total_ = &requests.Add({{"result", "hit"}});
  miss_total_ = &requests.Add({{"result", "miss"}});
  bypassed_total_ = &requests.Add({{"result", "bypassed"}});
  invalidations_total_ = &prometheus::BuildCounter()
                              .Name("maillage_near_cache_invalidations_total")
                              .Help("Entries of the in-process cache dropped by a change")
                              .Register(*options_.metrics)
                              .Add({});
}

NearCache::~NearCache() = default;

std::string NearCache::Key(absl::string_view kind, absl::string_view id) {
  return absl::StrCat(kind, ":", id);
}

NearCache::Shard& NearCache::ShardOf(const std::string& key) {
  return shards_[absl::HashOf(key) % kShards];
}

absl::StatusOr<std::string> NearCache::Get(
    absl::string_view kind, absl::string_view id,
    const std::function<absl::StatusOr<std::string>()>& load) {
  absl::StatusOr<std::pair<std::string, Decoded>> found = Lookup(kind, id, load, nullptr);
  if (!found.ok()) return found.status();
  return std::move(found->first);
}

absl::StatusOr<BytesCache::Decoded> NearCache::GetDecoded(
    absl::string_view kind, absl::string_view id,
    const std::function<absl::StatusOr<std::string>()>& load,
    const std::function<Decoded(const std::string&)>& decode) {
  absl::StatusOr<std::pair<std::string, Decoded>> found = Lookup(kind, id, load, &decode);
  if (!found.ok()) return found.status();
  if (found->second == nullptr) {
    return absl::InternalError(absl::StrCat("corrupt cached ", kind, " ", id));
  }
  return std::move(found->second);
}

std::optional<std::string> NearCache::Peek(absl::string_view kind, absl::string_view id) {
  if (!enabled_.load()) return std::nullopt;
  const std::string key = Key(kind, id);
  Shard& shard = ShardOf(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.entries.find(key);
  if (it == shard.entries.end() || options_.clock() - it->second.loaded >= options_.ttl) {
    return std::nullopt;
  }
  hits_.fetch_add(1);
  if (hit_total_ != nullptr) hit_total_->Increment();
  return it->second.bytes;
}

absl::StatusOr<std::pair<std::string, BytesCache::Decoded>> NearCache::Lookup(
    absl::string_view kind, absl::string_view id,
    const std::function<absl::StatusOr<std::string>()>& load,
    const std::function<Decoded(const std::string&)>* decode) {
  // With a decoder, a hit hands out the shared object and copies no bytes.
  auto answer = [&](std::string bytes, Decoded decoded) {
    return std::make_pair(decode == nullptr ? std::move(bytes) : std::string(), std::move(decoded));
  };
  auto from_next = [&]() -> absl::StatusOr<std::string> {
    return next_ != nullptr ? next_->Get(kind, id, load) : load();
  };
  if (!enabled_.load()) {
    bypassed_.fetch_add(1);
    if (bypassed_total_ != nullptr) bypassed_total_->Increment();
    absl::StatusOr<std::string> bytes = from_next();
    if (!bytes.ok()) return bytes.status();
    Decoded decoded = decode != nullptr ? (*decode)(*bytes) : nullptr;
    return answer(*std::move(bytes), std::move(decoded));
  }
  const std::string key = Key(kind, id);
  Shard& shard = ShardOf(key);
  uint64_t epoch = 0;
  uint64_t global = global_epoch_.load();
  {
    std::lock_guard<std::mutex> lock(shard.mu);
    auto it = shard.entries.find(key);
    if (it != shard.entries.end()) {
      if (options_.clock() - it->second.loaded < options_.ttl) {
        hits_.fetch_add(1);
        if (hit_total_ != nullptr) hit_total_->Increment();
        if (decode == nullptr) return answer(it->second.bytes, nullptr);
        // Decoded under the shard's lock, once per load: the next hits share it.
        if (it->second.decoded == nullptr) it->second.decoded = (*decode)(it->second.bytes);
        return answer("", it->second.decoded);
      }
      shard.entries.erase(it);
    }
    epoch = shard.epochs[key];
    ++shard.in_flight[key];
  }
  misses_.fetch_add(1);
  if (miss_total_ != nullptr) miss_total_->Increment();
  absl::StatusOr<std::string> bytes = from_next();
  Decoded decoded = bytes.ok() && decode != nullptr ? (*decode)(*bytes) : nullptr;
  std::lock_guard<std::mutex> lock(shard.mu);
  // Stored only if no invalidation of the key (nor a loss of the event feed) happened while
  // it loaded: what it loaded may predate that change.
  bool unchanged = shard.epochs[key] == epoch && global_epoch_.load() == global && enabled_.load();
  if (--shard.in_flight[key] == 0) {
    shard.in_flight.erase(key);
    shard.epochs.erase(key);
  }
  if (!bytes.ok()) return bytes.status();
  if (unchanged) Store(shard, key, *bytes, decoded);
  return answer(*std::move(bytes), std::move(decoded));
}

void NearCache::Store(Shard& shard, const std::string& key, std::string bytes, Decoded decoded) {
  const absl::Time now = options_.clock();
  const size_t limit = std::max<size_t>(1, options_.max_entries / kShards);
  if (shard.entries.size() >= limit && !shard.entries.contains(key)) {
    // Expired entries first, then the oldest one.
    absl::erase_if(shard.entries,
                   [&](const auto& e) { return now - e.second.loaded >= options_.ttl; });
    if (shard.entries.size() >= limit) {
      auto oldest = shard.entries.begin();
      for (auto it = shard.entries.begin(); it != shard.entries.end(); ++it) {
        if (it->second.loaded < oldest->second.loaded) oldest = it;
      }
      shard.entries.erase(oldest);
    }
  }
  shard.entries[key] = Entry{std::move(bytes), now, std::move(decoded)};
}

void NearCache::InvalidateLocal(absl::string_view kind, absl::string_view id) {
  const std::string key = Key(kind, id);
  Shard& shard = ShardOf(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  shard.entries.erase(key);
  if (shard.in_flight.contains(key)) ++shard.epochs[key];
  invalidations_.fetch_add(1);
  if (invalidations_total_ != nullptr) invalidations_total_->Increment();
}

void NearCache::Invalidate(absl::string_view kind, absl::string_view id) {
  InvalidateLocal(kind, id);
  if (next_ != nullptr) next_->Invalidate(kind, id);
  if (options_.broadcast_pool == nullptr || options_.broadcast_stream.empty()) return;
  // After `next`: a process that drops its copy on this announcement reloads the new value.
  absl::StatusOr<RedisReply> added =
      options_.broadcast_pool->Command({"XADD", options_.broadcast_stream, "MAXLEN", "~",
                                        absl::StrCat(options_.broadcast_max_length), "*", "kind",
                                        std::string(kind), "id", std::string(id)});
  if (!added.ok() || added->is_error()) {
    // The other processes keep their copy for at most `ttl`. A Redis that cannot take this
    // has usually stopped their followers too, which empties and bypasses their caches.
    if (broadcast_failures_.fetch_add(1) % 1000 == 0) {
      log::Warn("near cache invalidation not announced",
                {{"stream", options_.broadcast_stream},
                 {"error", added.ok() ? added->str() : added.status().ToString()}});
    }
  }
}

void NearCache::SetEnabled(bool enabled) {
  if (enabled_.exchange(enabled) == enabled) return;
  // Either way what is held, or loading, may predate a change whose event was missed.
  DropAll();
}

void NearCache::InvalidateAllLocal() {
  DropAll();
  invalidations_.fetch_add(1);
  if (invalidations_total_ != nullptr) invalidations_total_->Increment();
}

void NearCache::DropAll() {
  // The epoch first: a load finishing between the two steps must not store.
  global_epoch_.fetch_add(1);
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    shard.entries.clear();
  }
}

NearCache::Stats NearCache::stats() const {
  return Stats{.hits = hits_.load(),
               .misses = misses_.load(),
               .invalidations = invalidations_.load(),
               .bypassed = bypassed_.load(),
               .broadcast_failures = broadcast_failures_.load()};
}

size_t NearCache::size() const {
  size_t n = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    n += shard.entries.size();
  }
  return n;
}

// ---------------------------------------------------------------------------------------------

StreamFollower::StreamFollower(RedisPool* pool, std::string stream,
                               std::function<void(const Fields&)> on_entry, NearCache* cache,
                               absl::Duration block)
    : pool_(pool),
      stream_(std::move(stream)),
      on_entry_(std::move(on_entry)),
      cache_(cache),
      block_(block),
      thread_([this] { Loop(); }) {}

StreamFollower::~StreamFollower() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void StreamFollower::Loop() {
  // "$" on the first read: only what comes after this process started matters, since the
  // cache starts empty. Afterwards, the id of the last entry seen, so that nothing between
  // two reads is missed.
  std::string last;
  const std::string block_ms = absl::StrCat(absl::ToInt64Milliseconds(block_));
  while (!stop_.load()) {
    if (last.empty()) {
      // The stream's current end, read before following it, so that the first XREAD starts
      // from a definite id and a failed read can resume from there.
      absl::StatusOr<RedisReply> top =
          pool_->Command({"XREVRANGE", stream_, "+", "-", "COUNT", "1"});
      if (!top.ok() || top->is_error()) {
        if (cache_ != nullptr) cache_->SetEnabled(false);
        absl::SleepFor(block_);
        continue;
      }
      last = top->elements().empty() ? "0-0" : top->elements()[0].elements()[0].str();
    }
    absl::StatusOr<RedisReply> reply = pool_->BlockingCommand(
        {"XREAD", "COUNT", "1000", "BLOCK", block_ms, "STREAMS", stream_, last}, block_);
    if (!reply.ok() || reply->is_error()) {
      if (healthy_.load()) {
        log::Warn("change stream unreadable: near cache bypassed",
                  {{"stream", stream_},
                   {"error", reply.ok() ? reply->str() : reply.status().ToString()}});
      }
      healthy_ = false;
      if (cache_ != nullptr) cache_->SetEnabled(false);
      absl::SleepFor(std::min(block_, absl::Milliseconds(200)));
      continue;
    }
    if (!healthy_.load()) {
      // Back (or first read): the cache starts afresh; from here every change is seen.
      if (cache_ != nullptr) {
        cache_->SetEnabled(false);
        cache_->SetEnabled(true);
      }
      healthy_ = true;
    }
    if (reply->is_nil()) continue;  // nothing new within `block`
    for (const RedisReply& stream : reply->elements()) {
      if (stream.elements().size() < 2) continue;
      for (const RedisReply& entry : stream.elements()[1].elements()) {
        if (entry.elements().size() < 2) continue;
        last = entry.elements()[0].str();
        Fields fields;
        const auto& kv = entry.elements()[1].elements();
        for (size_t i = 0; i + 1 < kv.size(); i += 2) {
          fields.emplace_back(kv[i].str(), kv[i + 1].str());
        }
        on_entry_(fields);
        entries_.fetch_add(1);
      }
    }
  }
}

std::unique_ptr<StreamFollower> FollowBroadcastInvalidations(RedisPool* pool, NearCache* cache,
                                                             absl::Duration block) {
  return std::make_unique<StreamFollower>(
      pool, cache->options().broadcast_stream,
      [cache](const StreamFollower::Fields& fields) {
        const std::string* kind = nullptr;
        const std::string* id = nullptr;
        for (const auto& [name, value] : fields) {
          if (name == "kind") kind = &value;
          if (name == "id") id = &value;
        }
        if (kind != nullptr && id != nullptr) cache->InvalidateLocal(*kind, *id);
      },
      cache, block);
}

}  // namespace maillage::redis
