#include "gateway/rest/idempotency.h"

#include <openssl/sha.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/redis/redis.h"

namespace maillage::gateway {
namespace {

// Values: "P" + fingerprint while in flight; "D" + fingerprint + 3-digit status + body once
// done.
constexpr size_t kFingerprintSize = 64;

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

constexpr char kTombstone[] =
    R"({"code":6,"message":"this request was already completed; its answer held a secret that is shown only once","details":[]})";

}  // namespace

absl::Status ValidateIdempotencyKey(absl::string_view key) {
  bool ok = !key.empty() && key.size() <= 255;
  for (char c : key) ok = ok && c > 0x20 && c < 0x7f;
  if (!ok) return absl::InvalidArgumentError("Idempotency-Key: 1 to 255 visible ASCII characters");
  return absl::OkStatus();
}

std::string RequestFingerprint(const HttpRequest& request) {
  return Sha256Hex(absl::StrCat(request.method, " ", request.target, "\n", request.body));
}

IdempotencyStore::IdempotencyStore(redis::RedisPool* redis, Options options)
    : redis_(redis), options_(std::move(options)) {
  if (options_.metrics == nullptr) return;
  auto& family = prometheus::BuildCounter()
                     .Name("maillage_gateway_idempotent_requests_total")
                     .Help("POST requests with an Idempotency-Key, by outcome")
                     .Register(*options_.metrics);
  const char* names[] = {"proceeded", "replayed", "mismatched", "in_progress", "unavailable"};
  for (int i = 0; i < 5; ++i) counters_[i] = &family.Add({{"outcome", names[i]}});
}

IdempotencyStore::~IdempotencyStore() = default;

void IdempotencyStore::Count(Outcome outcome) {
  if (prometheus::Counter* c = counters_[static_cast<int>(outcome)]) c->Increment();
}

std::string IdempotencyStore::RedisKey(absl::string_view caller, absl::string_view key) const {
  return absl::StrCat(options_.prefix, ":idem:", caller, ":", Sha256Hex(key));
}

IdempotencyStore::Begin IdempotencyStore::Start(absl::string_view caller, absl::string_view key,
                                                absl::string_view fingerprint) {
  const std::string redis_key = RedisKey(caller, key);
  Begin begin;
  for (int attempt = 0; attempt < 2; ++attempt) {
    absl::StatusOr<redis::RedisReply> taken =
        redis_->Command({"SET", redis_key, absl::StrCat("P", fingerprint), "NX", "PX",
                         absl::StrCat(absl::ToInt64Milliseconds(options_.in_flight))});
    if (!taken.ok() || taken->is_error()) break;
    if (taken->is_status()) {  // OK: this request runs
      begin.outcome = Outcome::kProceed;
      Count(begin.outcome);
      return begin;
    }
    absl::StatusOr<redis::RedisReply> held = redis_->Command({"GET", redis_key});
    if (!held.ok() || held->is_error()) break;
    if (held->is_nil()) continue;  // expired in between: try to take it again
    const std::string& v = held->str();
    const bool same = v.size() >= 1 + kFingerprintSize &&
                      absl::string_view(v).substr(1, kFingerprintSize) == fingerprint;
    if (!same) {
      begin.outcome = Outcome::kMismatch;
    } else if (v[0] == 'P') {
      begin.outcome = Outcome::kInProgress;
    } else {
      int status = 0;
      if (v.size() < 1 + kFingerprintSize + 3 ||
          !absl::SimpleAtoi(absl::string_view(v).substr(1 + kFingerprintSize, 3), &status)) {
        break;
      }
      begin.outcome = Outcome::kReplay;
      begin.response.status = status;
      begin.response.headers = {{"content-type", "application/json"},
                                {"idempotent-replayed", "true"}};
      begin.response.body = v.substr(1 + kFingerprintSize + 3);
    }
    Count(begin.outcome);
    return begin;
  }
  log::Warn("Idempotency-Key not honoured: Redis unavailable");
  begin.outcome = Outcome::kUnavailable;
  Count(begin.outcome);
  return begin;
}

void IdempotencyStore::Finish(absl::string_view caller, absl::string_view key,
                              absl::string_view fingerprint, const HttpResponse& response,
                              bool keepable) {
  const std::string redis_key = RedisKey(caller, key);
  const int status = response.status;
  absl::StatusOr<redis::RedisReply> r;
  if (status >= 500 || status == 408 || status == 429) {
    r = redis_->Command({"DEL", redis_key});  // retryable: the next attempt runs again
  } else {
    const int kept_status = keepable ? status : 409;
    r = redis_->Command(
        {"SET", redis_key,
         absl::StrCat("D", fingerprint, kept_status,
                      keepable ? absl::string_view(response.body) : absl::string_view(kTombstone)),
         "PX", absl::StrCat(absl::ToInt64Milliseconds(options_.keep))});
  }
  if (!r.ok() || r->is_error()) {
    log::Warn("Idempotency-Key: the answer could not be kept (Redis unavailable)");
  }
}

}  // namespace maillage::gateway
