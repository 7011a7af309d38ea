// services/matching/domain/consortium: a small team of members that together cover what a
// project or a tender needs, never two competitors in one team (DOMAIN.md: "forming a
// consortium ... without two competitors in the same team").
//
// A member covers a requirement when one of its live offers (of any type) carries the
// requirement's tag. The team starts from the members that must be in it, then grows
// greedily (weighted set cover: each time the member adding the most uncovered weight; ties
// to the one covering more in all, then the nearest to the area's centre, then the lowest
// key), skipping anyone who competes with a member already in (partner_score.h's
// Competitors), until the team is full or nothing more can be covered. A local improvement
// then swaps a member for an outsider while that covers more weight.
//
//   absl::StatusOr<Consortium> team = BuildConsortium(index,
//       {.scope = {network}, .requirements = {{roofing, 2}, {timber, 1}}, .max_size = 4},
//       settings, now);
//   team->members;   team->covered_by[0];   team->missing;   // what nobody in it covers
#ifndef MAILLAGE_SERVICES_MATCHING_DOMAIN_CONSORTIUM_H_
#define MAILLAGE_SERVICES_MATCHING_DOMAIN_CONSORTIUM_H_

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "services/matching/domain/partner_index.h"

namespace maillage::matching {

inline constexpr int kMaxRequirements = 32;
inline constexpr int kMaxConsortiumSize = 20;

struct Requirement {
  TagId tag = 0;
  double weight = 1;  // > 0
};

struct ConsortiumQuery {
  std::vector<uint32_t> scope = {};  // networks whose members may join (sorted, not empty)
  std::vector<Requirement> requirements = {};
  int max_size = 5;
  // Optional area: members within radius_km of center (radius 0: anywhere).
  GeoPoint center = {};
  double radius_km = 0;
  std::vector<uint32_t> must_include = {};
  std::function<bool(uint32_t)> excluded = nullptr;
};

struct Consortium {
  std::vector<uint32_t> members;                  // those required first, then as added
  std::vector<std::vector<uint32_t>> covered_by;  // per requirement, the members covering it
  std::vector<int> missing;                       // requirements nobody in the team covers
  double covered_weight = 0;
  double total_weight = 0;
  // Pairs of required members that compete: kept (they were asked for), and said.
  std::vector<std::pair<uint32_t, uint32_t>> required_competitors;
};

// INVALID_ARGUMENT naming the field: no scope, no requirement or more than kMaxRequirements,
// a weight not above 0, max_size outside 1..kMaxConsortiumSize or below the members required,
// a required member unknown to the index.
absl::StatusOr<Consortium> BuildConsortium(const PartnerIndex& index, const ConsortiumQuery& query,
                                           const ScoreSettings& settings, int64_t now_unix);

}  // namespace maillage::matching

#endif  // MAILLAGE_SERVICES_MATCHING_DOMAIN_CONSORTIUM_H_
