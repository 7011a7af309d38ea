// services/assessment/assessment_runtime: the assessment service as the service runtime
// (common/runtime) runs it, one definition for main.cc and the test harness.
//
//   ServiceRuntime runtime(assessment::Definition(), argc, argv);
//   return runtime.Run([](ServiceRuntime& rt) { return assessment::Build(rt); });
//
// Its own settings:
//   CATALOGUE_FILE             the default support-function catalogue (CSV, see
//                              domain/catalogue.h); empty (the default): the one compiled in
//                              from data/.
//   DIAGNOSTIC_TEMPLATE_FILE   the default 360° questionnaire (JSON, see domain/diagnostic.h);
//                              empty (the default): the one compiled in from data/.
//   MEMBERSHIP_EVENTS_STREAM   membership's stream, read by the consumer group "assessment"
//                              for campaign participants [maillage.membership.events].
#ifndef MAILLAGE_SERVICES_ASSESSMENT_ASSESSMENT_RUNTIME_H_
#define MAILLAGE_SERVICES_ASSESSMENT_ASSESSMENT_RUNTIME_H_

#include "absl/status/statusor.h"
#include "common/runtime/runtime.h"

namespace maillage::assessment {

class AssessmentStore;
class AssessmentService;
class CampaignStore;
class MemberDirectory;
class NetworkAnalysis;
class DiagnosticStore;

// Name, embedded migrations (and the consumer's processed_events), health entry, the stream
// maillage.assessment.events, idempotency keys.
ServiceDefinition Definition();

struct Built {
  AssessmentStore* store = nullptr;
  CampaignStore* campaigns = nullptr;
  MemberDirectory* members = nullptr;
  NetworkAnalysis* analysis = nullptr;
  DiagnosticStore* diagnostics = nullptr;
  AssessmentService* service = nullptr;
};

absl::StatusOr<ServiceList> Build(ServiceRuntime& rt, Built* built = nullptr);

}  // namespace maillage::assessment

#endif  // MAILLAGE_SERVICES_ASSESSMENT_ASSESSMENT_RUNTIME_H_
