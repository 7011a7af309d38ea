// common/pg/pg_time: times between absl, protobuf and PostgreSQL's timestamptz, to the
// microsecond PostgreSQL keeps.
//
//   tx.exec_params("... WHERE t >= $1::timestamptz", pg::TimeParam(range.start));
//   SELECT ", pg::MicrosOf("e.start_time"), " FROM ...     -- a bigint column
//   pg::SetFromMicros(event.mutable_start_time(), row[5].as<int64_t>());
#ifndef MAILLAGE_COMMON_PG_PG_TIME_H_
#define MAILLAGE_COMMON_PG_PG_TIME_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace google::protobuf {
class Timestamp;
}  // namespace google::protobuf

namespace maillage::pg {

// A timestamptz parameter in UTC; absl's infinite past and future become PostgreSQL's
// "-infinity" and "infinity".
std::string TimeParam(absl::Time t);
std::string TimeParam(const google::protobuf::Timestamp& t);

// The SQL of `column` (a timestamptz) as microseconds since the epoch (bigint).
std::string MicrosOf(absl::string_view column);

// Sets `t` from microseconds since the epoch (before 1970 too).
void SetFromMicros(google::protobuf::Timestamp* t, int64_t micros);

}  // namespace maillage::pg

#endif  // MAILLAGE_COMMON_PG_PG_TIME_H_
