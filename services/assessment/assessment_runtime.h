// services/assessment/assessment_runtime: the assessment service as the service runtime
// (common/runtime) runs it, one definition for main.cc and the test harness.
//
//   ServiceRuntime runtime(assessment::Definition(), argc, argv);
//   return runtime.Run([](ServiceRuntime& rt) { return assessment::Build(rt); });
//
// Its own setting: CATALOGUE_FILE, the default support-function catalogue (CSV, see
// domain/catalogue.h); empty (the default): the one compiled in from data/.
#ifndef MAILLAGE_SERVICES_ASSESSMENT_ASSESSMENT_RUNTIME_H_
#define MAILLAGE_SERVICES_ASSESSMENT_ASSESSMENT_RUNTIME_H_

#include "absl/status/statusor.h"
#include "common/runtime/runtime.h"

namespace maillage::assessment {

class AssessmentStore;
class AssessmentService;

// Name, embedded migrations, health entry, the stream maillage.assessment.events.
ServiceDefinition Definition();

struct Built {
  AssessmentStore* store = nullptr;
  AssessmentService* service = nullptr;
};

absl::StatusOr<ServiceList> Build(ServiceRuntime& rt, Built* built = nullptr);

}  // namespace maillage::assessment

#endif  // MAILLAGE_SERVICES_ASSESSMENT_ASSESSMENT_RUNTIME_H_
