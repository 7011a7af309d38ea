// services/assessment/assessment_store: the assessment service's PostgreSQL state: each
// network's own support functions and retirements, and every version of its decision matrix.
// Each change commits with its event in the outbox (maillage.assessment.events).
//
//   AssessmentStore store(pg_pool, *ParseCatalogue(shipped_csv));
//   absl::StatusOr<v1::Matrix> m = store.Matrix(network_id, /*version=*/0);   // current
//   absl::StatusOr<v1::Matrix> next = store.UpdateMatrix(network_id, m->version(), cells, actor);
//
// Errors: NOT_FOUND for an unknown function or matrix version, ALREADY_EXISTS for a code the
// network already has (its own or a default one), ABORTED when the matrix changed since the
// version the edit started from, FAILED_PRECONDITION past kMaxCatalogueFunctions functions of
// its own or kMaxMatrixVersions versions, UNAVAILABLE when PostgreSQL cannot be reached.
#ifndef MAILLAGE_SERVICES_ASSESSMENT_ASSESSMENT_STORE_H_
#define MAILLAGE_SERVICES_ASSESSMENT_ASSESSMENT_STORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "maillage/assessment/v1/assessment.pb.h"

namespace maillage::pg {
class PgPool;
}  // namespace maillage::pg

namespace maillage::assessment {

// Bounds that keep one network's state small, whoever edits it.
inline constexpr int kMaxMatrixVersions = 10000;

class AssessmentStore {
 public:
  AssessmentStore(pg::PgPool* pool, std::vector<v1::SupportFunction> default_catalogue);

  // The default catalogue (minus the network's retirements unless `include_retired`), then
  // the network's own functions by code.
  absl::StatusOr<std::vector<v1::SupportFunction>> Functions(const std::string& network_id,
                                                             bool include_retired);
  // `function` validated by the caller against the codes Functions() knows.
  absl::StatusOr<v1::SupportFunction> AddFunction(const std::string& network_id,
                                                  v1::SupportFunction function,
                                                  const std::string& actor);
  absl::StatusOr<v1::SupportFunction> RetireFunction(const std::string& network_id,
                                                     const std::string& code,
                                                     const std::string& actor);

  // `version` 0: the current one (the default matrix, version 0, when the network has none).
  absl::StatusOr<v1::Matrix> Matrix(const std::string& network_id, int version);
  // Saves `cells` (validated by the caller) as the version after `expected_version`.
  absl::StatusOr<v1::Matrix> UpdateMatrix(const std::string& network_id, int expected_version,
                                          const std::vector<v1::MatrixCell>& cells,
                                          const std::string& actor);

  const std::vector<v1::SupportFunction>& default_catalogue() const { return defaults_; }

 private:
  pg::PgPool* pool_;
  std::vector<v1::SupportFunction> defaults_;
};

}  // namespace maillage::assessment

#endif  // MAILLAGE_SERVICES_ASSESSMENT_ASSESSMENT_STORE_H_
