#include "gateway/limits/call_timeouts.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace maillage::gateway {

absl::StatusOr<CallTimeouts> CallTimeouts::Parse(
    Options options, const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  CallTimeouts out;
  for (absl::string_view item : absl::StrSplit(options.overrides, ',', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(item, '=');
    absl::string_view name = absl::StripAsciiWhitespace(kv.first);
    double seconds = 0;
    if (!absl::SimpleAtod(absl::StripAsciiWhitespace(kv.second), &seconds) || seconds <= 0 ||
        seconds > 24 * 3600) {
      return absl::InvalidArgumentError(absl::StrCat(
          "call timeouts: \"", item, "\": expected Method=seconds (more than 0, at most a day)"));
    }
    const google::protobuf::MethodDescriptor* found = nullptr;
    for (const google::protobuf::ServiceDescriptor* service : services) {
      for (int i = 0; service != nullptr && i < service->method_count(); ++i) {
        const google::protobuf::MethodDescriptor* m = service->method(i);
        if (m->name() == name || m->full_name() == name) found = m;
      }
    }
    if (found == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("call timeouts: no method is named \"", name, "\""));
    }
    out.per_method_[found] = absl::Seconds(seconds);
  }
  out.options_ = std::move(options);
  return out;
}

absl::Duration CallTimeouts::For(const google::protobuf::MethodDescriptor& method) const {
  if (auto it = per_method_.find(&method); it != per_method_.end()) return it->second;
  return method.client_streaming() || method.server_streaming() ? options_.streaming
                                                                : options_.unary;
}

absl::Time CallTimeouts::Deadline(const google::protobuf::MethodDescriptor& method,
                                  absl::Time caller_deadline) const {
  return std::min(caller_deadline, absl::Now() + For(method));
}

}  // namespace maillage::gateway
