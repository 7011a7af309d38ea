// common/validation/timestamps: google.protobuf.Timestamp in requests, checked and read.
//
//   if (!IsValidTimestamp(req.start_time())) return InvalidField("start_time", "not a valid time");
//   absl::Time start = TimeOf(req.start_time());
//   SetTimestamp(resp.mutable_create_time(), absl::Now());
#ifndef MAILLAGE_COMMON_VALIDATION_TIMESTAMPS_H_
#define MAILLAGE_COMMON_VALIDATION_TIMESTAMPS_H_

#include "absl/time/time.h"

namespace google::protobuf {
class Timestamp;
}  // namespace google::protobuf

namespace maillage {

// 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z with nanos in 0..999,999,999, as
// google.protobuf.Timestamp defines it.
bool IsValidTimestamp(const google::protobuf::Timestamp& t);

absl::Time TimeOf(const google::protobuf::Timestamp& t);

// To the microsecond, as PostgreSQL keeps it (so what is written reads back equal).
void SetTimestamp(google::protobuf::Timestamp* t, absl::Time at);

}  // namespace maillage

#endif  // MAILLAGE_COMMON_VALIDATION_TIMESTAMPS_H_
