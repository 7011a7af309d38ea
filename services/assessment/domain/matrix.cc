#include "services/assessment/domain/matrix.h"

#include "absl/strings/str_cat.h"

namespace maillage::assessment {
namespace {

bool KnownLevel(v1::Level l) {
  return l == v1::LEVEL_LOW || l == v1::LEVEL_MEDIUM || l == v1::LEVEL_HIGH;
}

v1::MatrixCell Cell(v1::Level efficiency, v1::Level importance, v1::Disposition d) {
  v1::MatrixCell c;
  c.set_efficiency(efficiency);
  c.set_importance(importance);
  c.set_disposition(d);
  return c;
}

}  // namespace

v1::Matrix DefaultMatrix() {
  v1::Matrix m;
  m.set_version(0);
  const v1::Level low = v1::LEVEL_LOW, medium = v1::LEVEL_MEDIUM, high = v1::LEVEL_HIGH;
  *m.add_cells() = Cell(low, high, v1::DISPOSITION_STRENGTHEN_WITH_PARTNERS);
  *m.add_cells() = Cell(medium, high, v1::DISPOSITION_STRENGTHEN_IN_HOUSE);
  *m.add_cells() = Cell(high, high, v1::DISPOSITION_KEEP_IN_HOUSE);
  *m.add_cells() = Cell(low, medium, v1::DISPOSITION_POOL_WITH_NETWORK);
  *m.add_cells() = Cell(medium, medium, v1::DISPOSITION_STRENGTHEN_IN_HOUSE);
  *m.add_cells() = Cell(high, medium, v1::DISPOSITION_KEEP_MAY_OFFER);
  *m.add_cells() = Cell(low, low, v1::DISPOSITION_POOL_OR_OUTSOURCE);
  *m.add_cells() = Cell(medium, low, v1::DISPOSITION_POOL_OR_OUTSOURCE);
  *m.add_cells() = Cell(high, low, v1::DISPOSITION_OFFER_TO_NETWORK);
  return m;
}

absl::Status ValidateMatrix(const v1::Matrix& matrix) {
  if (matrix.cells_size() != 9) {
    return absl::InvalidArgumentError(
        absl::StrCat("cells: a matrix has 9 cells, this one has ", matrix.cells_size()));
  }
  bool seen[4][4] = {};
  for (int i = 0; i < matrix.cells_size(); ++i) {
    const v1::MatrixCell& c = matrix.cells(i);
    if (!KnownLevel(c.efficiency())) {
      return absl::InvalidArgumentError(absl::StrCat("cells[", i, "].efficiency: required"));
    }
    if (!KnownLevel(c.importance())) {
      return absl::InvalidArgumentError(absl::StrCat("cells[", i, "].importance: required"));
    }
    if (c.disposition() == v1::DISPOSITION_UNSPECIFIED ||
        !v1::Disposition_IsValid(c.disposition())) {
      return absl::InvalidArgumentError(absl::StrCat("cells[", i, "].disposition: required"));
    }
    bool& s = seen[c.efficiency()][c.importance()];
    if (s) {
      return absl::InvalidArgumentError(absl::StrCat("cells[", i, "]: efficiency ",
                                                     LevelName(c.efficiency()), ", importance ",
                                                     LevelName(c.importance()), " appears twice"));
    }
    s = true;
  }
  return absl::OkStatus();
}

absl::StatusOr<Decision> Decide(const v1::Matrix& matrix, v1::Level efficiency,
                                v1::Level importance) {
  if (!KnownLevel(efficiency)) {
    return absl::InvalidArgumentError("efficiency: must be low, medium or high");
  }
  if (!KnownLevel(importance)) {
    return absl::InvalidArgumentError("importance: must be low, medium or high");
  }
  for (const v1::MatrixCell& c : matrix.cells()) {
    if (c.efficiency() == efficiency && c.importance() == importance) {
      return Decision{
          .disposition = c.disposition(), .cell = c, .matrix_version = matrix.version()};
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("matrix version ", matrix.version(), " has no cell for efficiency ",
                   LevelName(efficiency), ", importance ", LevelName(importance)));
}

bool WantsToPool(v1::Disposition d) {
  return d == v1::DISPOSITION_POOL_WITH_NETWORK || d == v1::DISPOSITION_POOL_OR_OUTSOURCE;
}

bool CanProvide(v1::Disposition d) {
  return d == v1::DISPOSITION_OFFER_TO_NETWORK || d == v1::DISPOSITION_KEEP_MAY_OFFER;
}

bool WantsToStrengthen(v1::Disposition d) {
  return d == v1::DISPOSITION_STRENGTHEN_IN_HOUSE || d == v1::DISPOSITION_STRENGTHEN_WITH_PARTNERS;
}

std::string LevelName(v1::Level level) {
  switch (level) {
    case v1::LEVEL_LOW:
      return "low";
    case v1::LEVEL_MEDIUM:
      return "medium";
    case v1::LEVEL_HIGH:
      return "high";
    default:
      return "unspecified";
  }
}

}  // namespace maillage::assessment
