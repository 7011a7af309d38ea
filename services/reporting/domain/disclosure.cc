#include "services/reporting/domain/disclosure.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace maillage::reporting {
namespace {

// |a \ b| and |b \ a| of two sorted, distinct lists.
std::pair<size_t, size_t> Differences(const std::vector<std::string>& a,
                                      const std::vector<std::string>& b) {
  size_t only_a = 0, only_b = 0, i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++only_a, ++i;
    } else if (b[j] < a[i]) {
      ++only_b, ++j;
    } else {
      ++i, ++j;
    }
  }
  return {only_a + (a.size() - i), only_b + (b.size() - j)};
}

}  // namespace

std::string FewerThanNote(int min_group_size) {
  return absl::StrCat("fewer than ", min_group_size);
}

std::string DifferenceNote(int min_group_size) {
  return absl::StrCat("withheld: set against an earlier report it would reveal fewer than ",
                      min_group_size, " members");
}

std::vector<Verdict> Disclose(const std::vector<DisclosedFigure>& figures, int min_group_size,
                              const DisclosureHistory& earlier) {
  const size_t n = static_cast<size_t>(std::max(min_group_size, 2));
  std::vector<Verdict> verdicts(figures.size());
  std::vector<std::vector<std::string>> sorted(figures.size());
  for (size_t i = 0; i < figures.size(); ++i) {
    const DisclosedFigure& f = figures[i];
    if (!f.about_members) continue;
    sorted[i] = f.population;
    std::sort(sorted[i].begin(), sorted[i].end());
    sorted[i].erase(std::unique(sorted[i].begin(), sorted[i].end()), sorted[i].end());
    // 1. Too few members.
    if (!sorted[i].empty() && sorted[i].size() < n) {
      verdicts[i] = {true, FewerThanNote(min_group_size)};
      continue;
    }
    // 2. Too close to a population given before: nested, and a few apart.
    auto it = earlier.find(f.key);
    if (it == earlier.end()) continue;
    for (const std::vector<std::string>& before : it->second) {
      const auto [added, removed] = Differences(sorted[i], before);
      if ((removed == 0 && added > 0 && added < n) || (added == 0 && removed > 0 && removed < n)) {
        verdicts[i] = {true, DifferenceNote(min_group_size)};
        break;
      }
    }
  }
  // 3. Within a partition, what is withheld must be about N members or more together, or
  // the total gives it back: withhold the smallest figures given until it is (or none is
  // left).
  absl::flat_hash_map<std::string, std::vector<size_t>> partitions;
  for (size_t i = 0; i < figures.size(); ++i) {
    if (figures[i].about_members && !figures[i].partition.empty()) {
      partitions[figures[i].partition].push_back(i);
    }
  }
  for (auto& [name, members] : partitions) {
    while (true) {
      size_t hidden = 0;
      for (size_t i : members) {
        if (verdicts[i].withheld) hidden += sorted[i].size();
      }
      if (hidden == 0 || hidden >= n) break;
      // The smallest figure still given that is about someone.
      size_t pick = figures.size();
      for (size_t i : members) {
        if (verdicts[i].withheld || sorted[i].empty()) continue;
        if (pick == figures.size() || sorted[i].size() < sorted[pick].size() ||
            (sorted[i].size() == sorted[pick].size() && figures[i].key < figures[pick].key)) {
          pick = i;
        }
      }
      if (pick == figures.size()) break;
      verdicts[pick] = {true, kProtectsAnotherNote};
    }
  }
  return verdicts;
}

}  // namespace maillage::reporting
