// services/assessment/handler_support: what the handler files of AssessmentService share.
#ifndef MAILLAGE_SERVICES_ASSESSMENT_HANDLER_SUPPORT_H_
#define MAILLAGE_SERVICES_ASSESSMENT_HANDLER_SUPPORT_H_

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status/status.h"

namespace maillage::assessment {

// The domain's "field: reason" as a field violation, the field under `prefix`.
inline absl::Status AsFieldViolation(const absl::Status& s, absl::string_view prefix) {
  absl::string_view m = s.message();
  const size_t colon = m.find(':');
  if (colon == absl::string_view::npos) return InvalidField(prefix, m);
  return InvalidField(absl::StrCat(prefix, m.substr(0, colon)),
                      absl::StripLeadingAsciiWhitespace(m.substr(colon + 1)));
}

}  // namespace maillage::assessment

#endif  // MAILLAGE_SERVICES_ASSESSMENT_HANDLER_SUPPORT_H_
