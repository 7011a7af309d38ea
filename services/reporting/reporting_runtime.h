// services/reporting/reporting_runtime: the reporting service as the service runtime
// (common/runtime) runs it, one definition for main.cc and the test harness.
//
//   ServiceRuntime runtime(reporting::Definition(), argc, argv);
//   return runtime.Run([](ServiceRuntime& rt) { return reporting::Build(rt); });
//
// Its read models follow three streams, each with the consumer group "reporting":
//   MEMBERSHIP_EVENTS_STREAM   [maillage.membership.events]  members, states, names
//   MATCHING_EVENTS_STREAM     [maillage.matching.events]    introductions and outcomes
//   ASSESSMENT_EVENTS_STREAM   [maillage.assessment.events]  who submitted an assessment
#ifndef MAILLAGE_SERVICES_REPORTING_REPORTING_RUNTIME_H_
#define MAILLAGE_SERVICES_REPORTING_REPORTING_RUNTIME_H_

#include "absl/status/statusor.h"
#include "common/runtime/runtime.h"

namespace maillage::reporting {

class ReportingStore;
class ReportingService;

// Name, embedded migrations (and the consumers' processed_events), health entry, and the
// outbox relayed to "maillage.reporting.events" (ReportingEvent in reporting.proto).
ServiceDefinition Definition();

struct Built {
  ReportingStore* store = nullptr;
  ReportingService* service = nullptr;
};

absl::StatusOr<ServiceList> Build(ServiceRuntime& rt, Built* built = nullptr);

}  // namespace maillage::reporting

#endif  // MAILLAGE_SERVICES_REPORTING_REPORTING_RUNTIME_H_
