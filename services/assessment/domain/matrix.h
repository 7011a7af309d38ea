// services/assessment/domain/matrix: the decision matrix that turns a company's view of one
// support function (current efficiency × strategic importance) into what becomes of it.
// Pure functions, no I/O.
//
// The default matrix (DOMAIN.md; every network may edit its own, each edit a new version):
//
//   importance \ efficiency   low                     medium                 high
//   high                      strengthen w/ partners  strengthen in-house    keep in-house
//   medium                    pool with the network   strengthen in-house    keep, may offer
//   low                       pool or outsource       pool or outsource      offer to the network
//
//   v1::Matrix m = DefaultMatrix();
//   absl::StatusOr<Decision> d = Decide(m, v1::LEVEL_LOW, v1::LEVEL_MEDIUM);
//   d->disposition == v1::DISPOSITION_POOL_WITH_NETWORK; d->cell is the cell that decided.
#ifndef MAILLAGE_SERVICES_ASSESSMENT_DOMAIN_MATRIX_H_
#define MAILLAGE_SERVICES_ASSESSMENT_DOMAIN_MATRIX_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "maillage/assessment/v1/assessment.pb.h"

namespace maillage::assessment {

// Version 0, for networks that never edited theirs.
v1::Matrix DefaultMatrix();

// OK when the matrix has exactly one cell for each of the nine (efficiency, importance)
// pairs, each with a disposition; INVALID_ARGUMENT naming the first problem
// ("cells[4].disposition: required", "cells: efficiency LOW, importance HIGH is missing").
absl::Status ValidateMatrix(const v1::Matrix& matrix);

struct Decision {
  v1::Disposition disposition = v1::DISPOSITION_UNSPECIFIED;
  v1::MatrixCell cell;  // the cell that decided
  int32_t matrix_version = 0;
};

// INVALID_ARGUMENT when a level is unspecified or unknown (naming "efficiency" or
// "importance"), or when the matrix has no cell for the pair.
absl::StatusOr<Decision> Decide(const v1::Matrix& matrix, v1::Level efficiency,
                                v1::Level importance);

// Whether a disposition asks to pool or outsource (the network's demand).
bool WantsToPool(v1::Disposition d);
// Whether a disposition can provide the function to others.
bool CanProvide(v1::Disposition d);
// Whether a disposition asks to strengthen the function.
bool WantsToStrengthen(v1::Disposition d);

// "low", "medium", "high"; "unspecified" otherwise.
std::string LevelName(v1::Level level);

}  // namespace maillage::assessment

#endif  // MAILLAGE_SERVICES_ASSESSMENT_DOMAIN_MATRIX_H_
