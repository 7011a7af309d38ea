// services/reporting/domain/disclosure: which figures of a report for funders may be given
// without revealing any one member. Pure; no I/O.
//
// Each figure says which members it is about (its population). A figure is withheld when:
//   1. it is about fewer members than the network's minimum group size N (but not none):
//      "fewer than N";
//   2. set against a figure of the same key given earlier (to anyone, for the network), the
//      two populations are nested and differ by fewer than N members: given both, a reader
//      subtracts one from the other and learns about those few (a difference attack);
//   3. it belongs to a breakdown whose figures split a whole (members by sector, say) and
//      the figures withheld there are about fewer than N members together: the reader would
//      get them back from the total, so the smallest figures given are withheld with them.
//
//   std::vector<Verdict> v = Disclose(figures, 5, earlier);
//   if (!v[i].withheld) give figures[i].value, and remember figures[i].population;
//
// Figures not about members (money from public funders, say) carry no population and are
// always given.
#ifndef MAILLAGE_SERVICES_REPORTING_DOMAIN_DISCLOSURE_H_
#define MAILLAGE_SERVICES_REPORTING_DOMAIN_DISCLOSURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace maillage::reporting {

struct DisclosedFigure {
  // Stable across reports: the same key means the same question ("members_by_sector/C").
  std::string key = {};
  // Figures with the same non-empty partition split one whole between them (each member in
  // at most one); empty for a figure alone or for overlapping ones (funnel stages).
  std::string partition = {};
  int64_t value = 0;
  // The members it is about, distinct (any order). Empty with about_members: a zero.
  std::vector<std::string> population = {};
  // False for figures that describe no member (public money): always given.
  bool about_members = true;
};

struct Verdict {
  bool withheld = false;
  std::string note = {};  // why, for the reader
};

// The populations given earlier, per key, each sorted.
using DisclosureHistory = absl::flat_hash_map<std::string, std::vector<std::vector<std::string>>>;

// One verdict per figure, in order. `min_group_size` >= 2.
std::vector<Verdict> Disclose(const std::vector<DisclosedFigure>& figures, int min_group_size,
                              const DisclosureHistory& earlier);

// The notes Disclose writes.
std::string FewerThanNote(int min_group_size);
std::string DifferenceNote(int min_group_size);
inline constexpr char kProtectsAnotherNote[] = "withheld with another figure to protect it";

}  // namespace maillage::reporting

#endif  // MAILLAGE_SERVICES_REPORTING_DOMAIN_DISCLOSURE_H_
