#include "common/pg/pg_time.h"

#include <google/protobuf/timestamp.pb.h>

#include "absl/strings/str_cat.h"

namespace maillage::pg {

std::string TimeParam(absl::Time t) {
  if (t == absl::InfinitePast()) return "-infinity";
  if (t == absl::InfiniteFuture()) return "infinity";
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", t, absl::UTCTimeZone());
}

std::string TimeParam(const google::protobuf::Timestamp& t) {
  return TimeParam(absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos()));
}

std::string MicrosOf(absl::string_view column) {
  return absl::StrCat("(extract(epoch from ", column, ") * 1000000)::bigint");
}

void SetFromMicros(google::protobuf::Timestamp* t, int64_t micros) {
  // Floor division: -1 µs is 1969-12-31T23:59:59.999999, seconds -1 and nanos 999,999,000.
  t->set_seconds(micros >= 0 ? micros / 1000000 : (micros - 999999) / 1000000);
  t->set_nanos(static_cast<int32_t>(micros - t->seconds() * 1000000) * 1000);
}

}  // namespace maillage::pg
