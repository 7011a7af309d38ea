#include "gateway/auth/principal_cache.h"

#include <openssl/sha.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/redis/near_cache.h"
#include "common/redis/redis.h"
#include "maillage/membership/v1/events.pb.h"

namespace maillage::gateway {
namespace {

// The epoch and the entry in one round trip; the key is built here, as in common/redis/cache.
constexpr char kReadScript[] = R"lua(
local epoch = redis.call('GET', ARGV[1]) or '0'
return {epoch, redis.call('GET', ARGV[2] .. epoch .. ':' .. ARGV[3])}
)lua";

// Stores only under the epoch the reader saw: a load that raced an invalidation is dropped.
constexpr char kStoreScript[] = R"lua(
local epoch = redis.call('GET', ARGV[1]) or '0'
if epoch ~= ARGV[2] then return 0 end
redis.call('SET', ARGV[3] .. epoch .. ':' .. ARGV[4], ARGV[5], 'PX', ARGV[6])
return 1
)lua";

constexpr char kLocalKind[] = "principal";

}  // namespace

std::string PrincipalCache::KeyOf(const Identity& identity) {
  // Length-prefixed, so that no two identities share a preimage.
  std::string preimage;
  for (const std::string* field : {&identity.issuer, &identity.subject, &identity.verified_email,
                                   &identity.acting_organisation_id}) {
    absl::StrAppend(&preimage, field->size(), ":", *field, ";");
  }
  absl::StrAppend(&preimage, identity.link_by_email ? "1" : "0");
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(preimage.data()), preimage.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

PrincipalCache::PrincipalCache(redis::RedisPool* redis, Options options)
    : redis_(redis),
      options_(std::move(options)),
      epoch_key_(absl::StrCat(options_.prefix, ":principal-epoch")),
      value_prefix_(absl::StrCat(options_.prefix, ":principal:")),
      local_(std::make_unique<redis::NearCache>(
          nullptr, redis::NearCache::Options{.max_entries = options_.max_local_entries,
                                             .ttl = options_.local_ttl,
                                             .clock = options_.clock,
                                             .metrics = nullptr})),
      read_script_(std::make_unique<redis::RedisScript>(kReadScript)),
      store_script_(std::make_unique<redis::RedisScript>(kStoreScript)) {
  if (options_.metrics == nullptr) return;
  auto& requests = prometheus::BuildCounter()
                       .Name("maillage_principal_cache_requests_total")
                       .Help("Resolutions of a caller's identity, by where they came from")
                       .Register(*options_.metrics);
  hit_local_ = &requests.Add({{"result", "hit_local"}});
  hit_redis_ = &requests.Add({{"result", "hit_redis"}});
  miss_ = &requests.Add({{"result", "miss"}});
  bypassed_ = &requests.Add({{"result", "bypassed"}});
  invalidations_ = &prometheus::BuildCounter()
                        .Name("maillage_principal_cache_invalidations_total")
                        .Help("Membership events that retired every cached resolution")
                        .Register(*options_.metrics)
                        .Add({});
}

PrincipalCache::~PrincipalCache() = default;

void PrincipalCache::Count(prometheus::Counter* counter) {
  if (counter != nullptr) counter->Increment();
}

absl::StatusOr<std::string> PrincipalCache::Get(
    const std::string& key, const std::function<absl::StatusOr<std::string>()>& load) {
  if (!local_->enabled()) Count(bypassed_);
  bool loaded = false;
  absl::StatusOr<std::string> bytes = local_->Get(kLocalKind, key, [&] {
    loaded = true;
    return GetFromRedis(key, load);
  });
  if (!loaded) Count(hit_local_);
  return bytes;
}

std::optional<std::string> PrincipalCache::PeekLocal(const std::string& key) {
  std::optional<std::string> bytes = local_->Peek(kLocalKind, key);
  if (bytes.has_value()) Count(hit_local_);
  return bytes;
}

absl::StatusOr<std::string> PrincipalCache::GetFromRedis(
    const std::string& key, const std::function<absl::StatusOr<std::string>()>& load) {
  if (redis_ == nullptr || !FlushPendingInvalidation()) {
    Count(miss_);
    return load();
  }
  absl::StatusOr<redis::RedisReply> read =
      redis_->Eval(*read_script_, {}, {epoch_key_, value_prefix_, key});
  if (!read.ok() || !read->is_array() || read->elements().size() != 2) {
    Count(miss_);
    return load();
  }
  const std::string epoch = read->elements()[0].str();
  if (read->elements()[1].is_string()) {
    Count(hit_redis_);
    return read->elements()[1].str();
  }
  Count(miss_);
  absl::StatusOr<std::string> bytes = load();
  if (!bytes.ok()) return bytes;
  absl::StatusOr<redis::RedisReply> stored =
      redis_->Eval(*store_script_, {},
                   {epoch_key_, epoch, value_prefix_, key, *bytes,
                    absl::StrCat(std::max<int64_t>(1, absl::ToInt64Milliseconds(options_.ttl)))});
  if (!stored.ok() || stored->is_error()) {
    log::Warn("principal cache: could not store a resolution in Redis",
              {{"error", stored.ok() ? stored->str() : std::string(stored.status().message())}});
  }
  return bytes;
}

bool PrincipalCache::FlushPendingInvalidation() {
  if (!invalidation_pending_.load()) return true;
  absl::StatusOr<redis::RedisReply> r = redis_->Command({"INCR", epoch_key_});
  if (!r.ok() || r->is_error()) return false;
  invalidation_pending_.store(false);
  return true;
}

void PrincipalCache::InvalidateAll() {
  Count(invalidations_);
  if (redis_ != nullptr) {
    // Pending first: until the INCR lands, no replica may read what this event retired.
    invalidation_pending_.store(true);
    FlushPendingInvalidation();
  }
  local_->InvalidateAllLocal();
}

bool PrincipalCache::Invalidates(absl::string_view event_bytes) {
  membership::v1::MembershipEvent event;
  if (!event.ParseFromArray(event_bytes.data(), static_cast<int>(event_bytes.size()))) {
    return true;  // unreadable: assume the worst
  }
  switch (event.kind_case()) {
    case membership::v1::MembershipEvent::kMembershipChanged:
    case membership::v1::MembershipEvent::kCharterSigned:
    case membership::v1::MembershipEvent::kOrganisationUpdated:
    case membership::v1::MembershipEvent::kNetworkUpdated:
    case membership::v1::MembershipEvent::kApiKeyRevoked:
      return true;
    case membership::v1::MembershipEvent::kOrganisationCreated:
    case membership::v1::MembershipEvent::kNetworkCreated:
    case membership::v1::MembershipEvent::kSirenChanged:
      return false;  // nobody acts for what did not exist; a SIREN grants nothing
    case membership::v1::MembershipEvent::KIND_NOT_SET:
      break;
  }
  return true;  // a kind this build does not know
}

std::unique_ptr<redis::StreamFollower> PrincipalCache::Follow(redis::RedisPool* pool,
                                                              std::string stream) {
  return std::make_unique<redis::StreamFollower>(
      pool, std::move(stream),
      [this](const redis::StreamFollower::Fields& fields) {
        for (const auto& [name, value] : fields) {
          if (name == "payload" && Invalidates(value)) {
            InvalidateAll();
            return;
          }
        }
      },
      local_.get());
}

}  // namespace maillage::gateway
