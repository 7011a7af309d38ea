// services/reporting/handler_support: what the reporting service's handler files share.
// Included by their .cc files only.
#ifndef MAILLAGE_SERVICES_REPORTING_HANDLER_SUPPORT_H_
#define MAILLAGE_SERVICES_REPORTING_HANDLER_SUPPORT_H_

#include "absl/status/statusor.h"
#include "maillage/reporting/v1/reporting.pb.h"
#include "services/reporting/reporting_store.h"

namespace maillage::reporting {

// The request's period, checked (INVALID_ARGUMENT naming period.start_time or
// period.end_time); `fallback` when it gives neither end.
absl::StatusOr<TimeRange> RangeOf(bool has_period, const v1::Period& p, TimeRange fallback);

// The action's sums, public share and whether it passes `public_share_ceiling`.
void Summarise(v1::CollectiveAction& action, double public_share_ceiling);

}  // namespace maillage::reporting

#endif  // MAILLAGE_SERVICES_REPORTING_HANDLER_SUPPORT_H_
