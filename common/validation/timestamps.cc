#include "common/validation/timestamps.h"

#include <google/protobuf/timestamp.pb.h>

namespace maillage {

bool IsValidTimestamp(const google::protobuf::Timestamp& t) {
  return t.seconds() >= -62135596800 && t.seconds() <= 253402300799 && t.nanos() >= 0 &&
         t.nanos() < 1000000000;
}

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

void SetTimestamp(google::protobuf::Timestamp* t, absl::Time at) {
  const int64_t micros = absl::ToUnixMicros(at);
  // Floor division, so that times before 1970 keep non-negative nanos.
  const int64_t seconds = micros >= 0 ? micros / 1000000 : (micros - 999999) / 1000000;
  t->set_seconds(seconds);
  t->set_nanos(static_cast<int32_t>(micros - seconds * 1000000) * 1000);
}

}  // namespace maillage
