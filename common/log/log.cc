#include "common/log/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace maillage::log {
namespace {

struct State {
  std::string service = "maillage";
  std::atomic<int> min_level{static_cast<int>(Level::kInfo)};
  // spdlog's stderr sink serialises writers, so concurrent lines never interleave.
  std::shared_ptr<spdlog::logger> logger = [] {
    auto l =
        std::make_shared<spdlog::logger>("json", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);
    l->flush_on(spdlog::level::trace);
    return l;
  }();
};

State& GetState() {
  static State* state = new State();
  return *state;
}

absl::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::string Body(Level level, absl::string_view msg, Fields fields) {
  std::string out = absl::StrCat(",\"level\":\"", LevelName(level), "\",\"service\":");
  AppendJsonString(out, GetState().service);
  out += ",\"msg\":";
  AppendJsonString(out, msg);
  for (const auto& [key, value] : fields) {
    out += ',';
    AppendJsonString(out, key);
    out += ':';
    AppendJsonString(out, value);
  }
  out += '}';
  return out;
}

}  // namespace

void AppendJsonString(std::string& out, absl::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

absl::Status Init(absl::string_view service, absl::string_view level) {
  Level parsed;
  if (level == "debug") {
    parsed = Level::kDebug;
  } else if (level == "info") {
    parsed = Level::kInfo;
  } else if (level == "warn") {
    parsed = Level::kWarn;
  } else if (level == "error") {
    parsed = Level::kError;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("log level '", level, "': expected debug, info, warn or error"));
  }
  GetState().service = std::string(service);
  GetState().min_level = static_cast<int>(parsed);
  return absl::OkStatus();
}

bool Enabled(Level level) {
  return static_cast<int>(level) >= GetState().min_level.load(std::memory_order_relaxed);
}

void Write(Level level, absl::string_view msg, Fields fields) {
  if (!Enabled(level)) return;
  std::string line = absl::StrCat(
      "{\"ts\":\"", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
      "\"", Body(level, msg, fields));
  GetState().logger->info(line);
}

std::string FormatForTest(Level level, absl::string_view msg, Fields fields) {
  return absl::StrCat("{", Body(level, msg, fields).substr(1));
}

}  // namespace maillage::log
