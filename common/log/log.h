// common/log: one JSON object per line on stderr, for log collectors.
//
//   maillage::log::Init("membership", "info");            // once, in main
//   maillage::log::Info("server started", {{"port", "50051"}});
//   maillage::log::Warn("redis unavailable", {{"error", status.ToString()}});
//
// Each line carries ts (UTC, RFC 3339), level, service, msg and the given fields, all
// JSON-escaped: {"ts":"2026-11-23T17:40:01.123Z","level":"info","service":"membership",...}
// Request-scoped fields (request id, traceparent) are passed as fields by the caller.
#ifndef MAILLAGE_COMMON_LOG_LOG_H_
#define MAILLAGE_COMMON_LOG_LOG_H_

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace maillage::log {

using Fields = std::initializer_list<std::pair<absl::string_view, absl::string_view>>;

enum class Level { kDebug, kInfo, kWarn, kError };

// Sets the service name and the minimum level ("debug", "info", "warn", "error").
absl::Status Init(absl::string_view service, absl::string_view level);

void Write(Level level, absl::string_view msg, Fields fields);
// True when lines of `level` are written: lets hot paths skip building fields.
bool Enabled(Level level);
inline void Debug(absl::string_view msg, Fields fields = {}) { Write(Level::kDebug, msg, fields); }
inline void Info(absl::string_view msg, Fields fields = {}) { Write(Level::kInfo, msg, fields); }
inline void Warn(absl::string_view msg, Fields fields = {}) { Write(Level::kWarn, msg, fields); }
inline void Error(absl::string_view msg, Fields fields = {}) { Write(Level::kError, msg, fields); }

// The line Write() would print, without the timestamp; exposed for tests.
std::string FormatForTest(Level level, absl::string_view msg, Fields fields);

// Appends `s` to `out` as a JSON string literal, quotes included.
void AppendJsonString(std::string& out, absl::string_view s);

}  // namespace maillage::log

#endif  // MAILLAGE_COMMON_LOG_LOG_H_
