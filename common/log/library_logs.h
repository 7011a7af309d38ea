// common/log/library_logs: the logs of libprotobuf and gRPC core, as JSON lines, rate-limited.
//
// Left alone, both libraries print their own text lines on stderr, and a client can make
// libprotobuf print one per call (a string field with invalid UTF-8 logs "String field ...
// contains invalid UTF-8 data"): anyone could flood the log and break the one-JSON-object-a-
// line contract that log collectors rely on. After RouteLibraryLogs() their messages go
// through common/log with a field "source" (libprotobuf or grpc), and at most `burst` lines
// are written at once and `per_second` lines a second after that; the next line written says
// how many were suppressed.
//
//   maillage::log::Init("membership", "info");
//   maillage::log::RouteLibraryLogs();   // once, at start (the runtime does it)
#ifndef MAILLAGE_COMMON_LOG_LIBRARY_LOGS_H_
#define MAILLAGE_COMMON_LOG_LIBRARY_LOGS_H_

#include <cstdint>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace maillage::log {

struct LibraryLogLimits {
  double per_second = 10;
  double burst = 50;
};

// Installs the handlers (idempotent: the first call's limits hold for the process).
void RouteLibraryLogs(LibraryLogLimits limits = {});

// The token bucket behind it, exposed for tests.
class LogRateLimiter {
 public:
  explicit LogRateLimiter(LibraryLogLimits limits);
  // True when a line may be written at `now`; then *suppressed (optional) receives how many
  // lines were refused since the last one allowed.
  bool Allow(absl::Time now, int64_t* suppressed = nullptr);

 private:
  absl::Mutex mu_;
  const LibraryLogLimits limits_;
  double tokens_ ABSL_GUARDED_BY(mu_);
  absl::Time last_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int64_t suppressed_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace maillage::log

#endif  // MAILLAGE_COMMON_LOG_LIBRARY_LOGS_H_
