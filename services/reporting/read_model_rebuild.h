// services/reporting/read_model_rebuild: recomputes reporting's read models from the other
// services' list APIs, network by network: what `reporting rebuild` runs when reporting
// joins a deployment that ran without it, or after its database was lost.
//
//   ReadModelRebuild rebuild({.store = &store, .membership = &membership_client,
//                             .matching = &matching_client, .assessment = &assessment_client});
//   absl::StatusOr<RebuildCounts> counts = rebuild.Run([](const std::string& line) {
//     std::cerr << line << "\n";
//   });
//
// It reads as a platform administrator: every network (membership's ListNetworks), each
// one's memberships and organisations, matching's introductions, assessment's campaigns, the
// latest submission of each member (GetAssessment) and the pooling decisions. Each network is
// written in one transaction by the rules the events follow (a row only moves to a newer
// version), so the service may keep consuming while it runs and a rebuild run twice changes
// nothing the second time. A failed call stops it with the callee's status (UNAVAILABLE when
// a service is down); the networks written before stay written, and running it again resumes
// by redoing them harmlessly.
#ifndef MAILLAGE_SERVICES_REPORTING_READ_MODEL_REBUILD_H_
#define MAILLAGE_SERVICES_REPORTING_READ_MODEL_REBUILD_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"

namespace maillage {
class ServiceClient;
}  // namespace maillage

namespace maillage::reporting {

class ReportingStore;

struct RebuildCounts {
  int64_t networks = 0, memberships = 0, organisations = 0, introductions = 0;
  int64_t submissions = 0, decisions = 0;
};

class ReadModelRebuild {
 public:
  struct Dependencies {
    ReportingStore* store = nullptr;
    const ServiceClient* membership = nullptr;
    const ServiceClient* matching = nullptr;
    const ServiceClient* assessment = nullptr;
  };

  explicit ReadModelRebuild(Dependencies deps) : deps_(deps) {}

  // `progress` gets one line per network written.
  absl::StatusOr<RebuildCounts> Run(const std::function<void(const std::string&)>& progress);

 private:
  Dependencies deps_;
};

}  // namespace maillage::reporting

#endif  // MAILLAGE_SERVICES_REPORTING_READ_MODEL_REBUILD_H_
