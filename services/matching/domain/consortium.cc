#include "services/matching/domain/consortium.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace maillage::matching {
namespace {

using Mask = uint32_t;  // bit r: requirement r (kMaxRequirements = 32)

// The requirements `p`'s live offers cover.
Mask Covers(const Profile& p, const std::vector<Requirement>& requirements, int64_t now) {
  Mask m = 0;
  for (const Declaration& o : p.offers) {
    if (o.expire_unix != 0 && o.expire_unix <= now) continue;
    for (size_t r = 0; r < requirements.size(); ++r) {
      if (std::binary_search(o.tags.begin(), o.tags.end(), requirements[r].tag)) m |= Mask{1} << r;
    }
  }
  return m;
}

double WeightOf(Mask m, const std::vector<Requirement>& requirements) {
  double w = 0;
  for (size_t r = 0; r < requirements.size(); ++r) {
    if (m & (Mask{1} << r)) w += requirements[r].weight;
  }
  return w;
}

struct Candidate {
  uint32_t key;
  Mask covers;
  double km;  // to the area's centre, 0 without one
};

}  // namespace

absl::StatusOr<Consortium> BuildConsortium(const PartnerIndex& index, const ConsortiumQuery& query,
                                           const ScoreSettings& settings, int64_t now_unix) {
  if (query.scope.empty()) return absl::InvalidArgumentError("scope: at least one network");
  if (query.requirements.empty() ||
      query.requirements.size() > static_cast<size_t>(kMaxRequirements)) {
    return absl::InvalidArgumentError(
        absl::StrCat("requirements: between 1 and ", kMaxRequirements));
  }
  for (size_t r = 0; r < query.requirements.size(); ++r) {
    const double w = query.requirements[r].weight;
    if (!(w > 0) || !std::isfinite(w)) {
      return absl::InvalidArgumentError(absl::StrCat("requirements[", r, "].weight: above 0"));
    }
  }
  if (query.max_size < 1 || query.max_size > kMaxConsortiumSize ||
      static_cast<size_t>(query.max_size) < query.must_include.size()) {
    return absl::InvalidArgumentError(absl::StrCat("max_size: between 1 and ", kMaxConsortiumSize,
                                                   ", and at least the members required"));
  }
  const std::vector<Requirement>& reqs = query.requirements;
  Consortium out;
  out.total_weight = WeightOf(~Mask{0}, reqs);
  std::vector<const Profile*> team;
  Mask covered = 0;
  for (size_t i = 0; i < query.must_include.size(); ++i) {
    const Profile* p = index.Find(query.must_include[i]);
    if (p == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("must_include[", i, "]: no such member"));
    }
    if (std::find(team.begin(), team.end(), p) != team.end()) continue;
    for (const Profile* q : team) {
      if (Competitors(*p, *q, settings, now_unix))
        out.required_competitors.emplace_back(q->key, p->key);
    }
    team.push_back(p);
    covered |= Covers(*p, reqs, now_unix);
  }
  const size_t required = team.size();

  // Everyone in scope and in the area who covers at least one requirement.
  std::vector<uint32_t> keys;
  for (const Requirement& r : reqs) {
    std::vector<uint32_t> offering = index.Offering(r.tag);
    keys.insert(keys.end(), offering.begin(), offering.end());
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::vector<Candidate> candidates;
  for (uint32_t key : keys) {
    const Profile* p = index.Find(key);
    if (p == nullptr || std::find(team.begin(), team.end(), p) != team.end()) continue;
    bool in_scope = false;
    for (uint32_t n : p->networks) {
      in_scope |= std::binary_search(query.scope.begin(), query.scope.end(), n);
    }
    if (!in_scope || (query.excluded != nullptr && query.excluded(key))) continue;
    double km = 0;
    if (query.radius_km > 0) {
      km = DistanceKm(query.center, p->location);
      if (km < 0 || km > query.radius_km) continue;
    }
    const Mask m = Covers(*p, reqs, now_unix);
    if (m != 0) candidates.push_back({key, m, km});
  }

  auto competes_with_team = [&](const Profile& p, const Profile* except) {
    for (const Profile* q : team) {
      if (q != except && Competitors(p, *q, settings, now_unix)) return true;
    }
    return false;
  };
  auto in_team = [&](uint32_t key) {
    return std::any_of(team.begin(), team.end(), [&](const Profile* q) { return q->key == key; });
  };
  // Greedy: the candidate adding the most uncovered weight, the best of them first.
  std::vector<bool> rejected(candidates.size(), false);
  while (team.size() < static_cast<size_t>(query.max_size)) {
    int best = -1;
    double best_gain = 0, best_total = 0;
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (rejected[i] || in_team(candidates[i].key)) continue;
      const double gain = WeightOf(candidates[i].covers & ~covered, reqs);
      if (gain <= 0) continue;
      const double total = WeightOf(candidates[i].covers, reqs);
      const bool better =
          best < 0 || gain > best_gain ||
          (gain == best_gain &&
           (total > best_total || (total == best_total && candidates[i].km < candidates[best].km)));
      if (better) {
        best = static_cast<int>(i);
        best_gain = gain;
        best_total = total;
      }
    }
    if (best < 0) break;
    const Profile& p = *index.Find(candidates[best].key);
    if (competes_with_team(p, nullptr)) {
      rejected[best] = true;  // never with this team; try the next best
      continue;
    }
    team.push_back(&p);
    covered |= candidates[best].covers;
  }

  // Local improvement: swap a member added for an outsider while that covers more.
  for (int pass = 0; pass < 10; ++pass) {
    bool improved = false;
    for (size_t t = required; t < team.size(); ++t) {
      Mask without = 0;
      for (size_t u = 0; u < team.size(); ++u) {
        if (u != t) without |= Covers(*team[u], reqs, now_unix);
      }
      const double current = WeightOf(covered, reqs);
      for (const Candidate& c : candidates) {
        if (in_team(c.key) || WeightOf(without | c.covers, reqs) <= current) continue;
        const Profile& p = *index.Find(c.key);
        if (competes_with_team(p, team[t])) continue;
        team[t] = &p;
        covered = without | c.covers;
        improved = true;
        break;
      }
    }
    if (!improved) break;
  }

  out.covered_by.resize(reqs.size());
  for (const Profile* p : team) {
    out.members.push_back(p->key);
    const Mask m = Covers(*p, reqs, now_unix);
    for (size_t r = 0; r < reqs.size(); ++r) {
      if (m & (Mask{1} << r)) out.covered_by[r].push_back(p->key);
    }
  }
  for (size_t r = 0; r < reqs.size(); ++r) {
    if (out.covered_by[r].empty()) out.missing.push_back(static_cast<int>(r));
  }
  out.covered_weight = WeightOf(covered, reqs);
  return out;
}

}  // namespace maillage::matching
