// gateway/rest/idempotency: `Idempotency-Key` on POST. A client that did not get an answer
// (a timeout, a dropped connection) sends the same request again with the same key and gets
// the first answer instead of a second creation.
//
//   IdempotencyStore store(redis_pool, {.keep = absl::Hours(24)});
//   IdempotencyStore::Begin begin = store.Start(caller, key, Fingerprint(request));
//   switch (begin.outcome) {
//     case kProceed:  ... call the backend, then store.Finish(caller, key, fp, response);
//     case kReplay:   return begin.response;         // the first answer, again
//     case kMismatch: return 422;  case kInProgress: return 409;
//   }
//
// Keys are per caller (another caller's key names nothing of yours). The first request takes
// the key for `in_flight` while it runs; its answer is kept `keep` (2xx and 4xx; a 5xx, 408 or
// 429 frees the key, so that a retry runs again). A response holding a secret shown once (an
// API key) is never kept: its retry gets 409 saying so. With Redis down, requests proceed
// without the guarantee (the services' own idempotency keys still hold where they exist).
//
// Metrics (with Options::metrics): maillage_gateway_idempotent_requests_total{outcome}
//   proceeded, replayed, mismatched, in_progress, unavailable.
#ifndef MAILLAGE_GATEWAY_REST_IDEMPOTENCY_H_
#define MAILLAGE_GATEWAY_REST_IDEMPOTENCY_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gateway/http/http_server.h"

namespace prometheus {
class Counter;
class Registry;
}  // namespace prometheus

namespace maillage::redis {
class RedisPool;
}  // namespace maillage::redis

namespace maillage::gateway {

// INVALID_ARGUMENT unless `key` is 1 to 255 visible ASCII characters.
absl::Status ValidateIdempotencyKey(absl::string_view key);

// What makes two requests "the same": method, target and body (SHA-256, hex).
std::string RequestFingerprint(const HttpRequest& request);

class IdempotencyStore {
 public:
  struct Options {
    std::string prefix = "maillage:gateway";
    absl::Duration keep = absl::Hours(24);
    absl::Duration in_flight = absl::Seconds(60);
    prometheus::Registry* metrics = nullptr;
  };
  enum class Outcome { kProceed, kReplay, kMismatch, kInProgress, kUnavailable };
  struct Begin {
    Outcome outcome = Outcome::kProceed;
    HttpResponse response;  // kReplay: the first answer
  };

  // `redis` must outlive the store.
  IdempotencyStore(redis::RedisPool* redis, Options options);
  ~IdempotencyStore();

  Begin Start(absl::string_view caller, absl::string_view key, absl::string_view fingerprint);
  // Keeps `response` for the key, or frees the key (see above). `keepable` false: the answer
  // holds a secret shown once; a tombstone is kept instead.
  void Finish(absl::string_view caller, absl::string_view key, absl::string_view fingerprint,
              const HttpResponse& response, bool keepable);

 private:
  std::string RedisKey(absl::string_view caller, absl::string_view key) const;
  void Count(Outcome outcome);

  redis::RedisPool* const redis_;
  const Options options_;
  prometheus::Counter* counters_[5] = {};
};

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_REST_IDEMPOTENCY_H_
