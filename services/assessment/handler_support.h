// services/assessment/handler_support: what the handler files of AssessmentService share.
#ifndef MAILLAGE_SERVICES_ASSESSMENT_HANDLER_SUPPORT_H_
#define MAILLAGE_SERVICES_ASSESSMENT_HANDLER_SUPPORT_H_

#include <google/protobuf/timestamp.pb.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/status/status.h"
#include "common/validation/timestamps.h"

namespace maillage::assessment {

// The domain's "field: reason" as a field violation, the field under `prefix`.
inline absl::Status AsFieldViolation(const absl::Status& s, absl::string_view prefix) {
  absl::string_view m = s.message();
  const size_t colon = m.find(':');
  if (colon == absl::string_view::npos) return InvalidField(prefix, m);
  return InvalidField(absl::StrCat(prefix, m.substr(0, colon)),
                      absl::StripLeadingAsciiWhitespace(m.substr(colon + 1)));
}

// A campaign's period, `prefix` its message ("campaign."): an optional start (default `now`,
// written into *start), a required end after the start and `now`, at most two years long.
inline std::vector<FieldViolation> PeriodProblems(bool has_start,
                                                  google::protobuf::Timestamp* start, bool has_end,
                                                  const google::protobuf::Timestamp& end,
                                                  absl::Time now, const std::string& prefix) {
  constexpr absl::Duration kMaxLength = absl::Hours(24 * 366 * 2);
  std::vector<FieldViolation> problems;
  if (has_start && !IsValidTimestamp(*start)) {
    problems.push_back({prefix + "start_time", "not a valid time"});
  }
  if (!has_end || !IsValidTimestamp(end)) {
    problems.push_back({prefix + "end_time", "required: when the campaign stops taking answers"});
  }
  if (!problems.empty()) return problems;
  if (!has_start) {
    start->set_seconds(absl::ToUnixSeconds(now));
    start->set_nanos(0);
  }
  const absl::Time from = TimeOf(*start);
  const absl::Time to = TimeOf(end);
  if (to <= from || to <= now) {
    problems.push_back({prefix + "end_time", "must be after the start and in the future"});
  } else if (to - from > kMaxLength) {
    problems.push_back({prefix + "end_time", "at most two years after the start"});
  }
  return problems;
}

}  // namespace maillage::assessment

#endif  // MAILLAGE_SERVICES_ASSESSMENT_HANDLER_SUPPORT_H_
