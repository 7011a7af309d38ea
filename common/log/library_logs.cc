#include "common/log/library_logs.h"

#include <grpc/support/log.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "google/protobuf/stubs/logging.h"

namespace maillage::log {
namespace {

// Set once and never freed: a library may log from any thread at any time, even during exit.
std::atomic<LogRateLimiter*> g_limiter{nullptr};

void WriteLimited(Level level, const std::string& source, const char* file, int line,
                  const std::string& message) {
  if (!Enabled(level)) return;  // before the budget: lines not written cost none of it
  LogRateLimiter* limiter = g_limiter.load(std::memory_order_acquire);
  int64_t suppressed = 0;
  if (limiter != nullptr && !limiter->Allow(absl::Now(), &suppressed)) return;
  std::string where = absl::StrCat(file == nullptr ? "" : file, ":", line);
  std::string dropped = absl::StrCat(suppressed);
  if (suppressed > 0) {
    Write(level, message, {{"source", source}, {"at", where}, {"suppressed_before", dropped}});
  } else {
    Write(level, message, {{"source", source}, {"at", where}});
  }
}

void ProtobufHandler(google::protobuf::LogLevel level, const char* file, int line,
                     const std::string& message) {
  Level ours = Level::kError;
  switch (level) {
    case google::protobuf::LOGLEVEL_INFO:
      ours = Level::kInfo;
      break;
    case google::protobuf::LOGLEVEL_WARNING:
      ours = Level::kWarn;
      break;
    default:
      ours = Level::kError;
  }
  WriteLimited(ours, "libprotobuf", file, line, message);
}

void GrpcHandler(gpr_log_func_args* args) {
  Level ours = args->severity == GPR_LOG_SEVERITY_DEBUG  ? Level::kDebug
               : args->severity == GPR_LOG_SEVERITY_INFO ? Level::kInfo
                                                         : Level::kError;
  WriteLimited(ours, "grpc", args->file, args->line, args->message == nullptr ? "" : args->message);
}

}  // namespace

LogRateLimiter::LogRateLimiter(LibraryLogLimits limits) : limits_(limits), tokens_(limits.burst) {}

bool LogRateLimiter::Allow(absl::Time now, int64_t* suppressed) {
  absl::MutexLock lock(&mu_);
  if (last_ != absl::InfinitePast() && now > last_) {
    tokens_ =
        std::min(limits_.burst, tokens_ + absl::ToDoubleSeconds(now - last_) * limits_.per_second);
  }
  if (now > last_) last_ = now;
  if (tokens_ < 1) {
    ++suppressed_;
    return false;
  }
  tokens_ -= 1;
  if (suppressed != nullptr) *suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

void RouteLibraryLogs(LibraryLogLimits limits) {
  if (g_limiter.load(std::memory_order_acquire) == nullptr) {
    auto* limiter = new LogRateLimiter(limits);
    LogRateLimiter* expected = nullptr;
    if (!g_limiter.compare_exchange_strong(expected, limiter, std::memory_order_acq_rel)) {
      delete limiter;  // another thread installed one first
    }
  }
  google::protobuf::SetLogHandler(&ProtobufHandler);
  gpr_set_log_function(&GrpcHandler);
}

}  // namespace maillage::log
