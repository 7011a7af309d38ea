// services/matching/domain/exchange_cycles: closed chains of two to four members of a
// network where each gives what the next one needs: A's offer meets B's need, B's offer
// C's, C's A's. The multi-party trades no search for pairs finds.
//
// A link A -> B exists when one of A's live offers meets one of B's live needs that is not
// confidential (BestOffer of partner_score.h: same type, in reach, sharing a tag or close in
// words); its strength is that match's. A cycle is listed once (starting from its lowest
// key), its strength is its weakest link's; the strongest come first (ties: the shorter,
// then by keys). The search stops after kMaxCyclePaths partial chains and says so.
//
//   ExchangeCycles found = FindExchangeCycles(index, network, {.max_length = 4, .limit = 20},
//                                             settings, now);
//   found.cycles[0].members;  found.cycles[0].links[0];   // members[0] gives to members[1]
#ifndef MAILLAGE_SERVICES_MATCHING_DOMAIN_EXCHANGE_CYCLES_H_
#define MAILLAGE_SERVICES_MATCHING_DOMAIN_EXCHANGE_CYCLES_H_

#include <cstdint>
#include <vector>

#include "services/matching/domain/partner_index.h"

namespace maillage::matching {

inline constexpr int64_t kMaxCyclePaths = 2'000'000;

struct CycleQuery {
  int max_length = 4;  // 2..4
  int limit = 20;
};

struct ExchangeCycle {
  std::vector<uint32_t> members;
  std::vector<Match> links;  // links[i]: members[i]'s offer meets members[i+1 mod n]'s need
  float strength = 0;
};

struct ExchangeCycles {
  std::vector<ExchangeCycle> cycles;
  bool truncated = false;  // the search stopped at kMaxCyclePaths
};

// Lengths outside 2..4 are clamped; a limit below 1 gives nothing.
ExchangeCycles FindExchangeCycles(const PartnerIndex& index, uint32_t network,
                                  const CycleQuery& query, const ScoreSettings& settings,
                                  int64_t now_unix);

}  // namespace maillage::matching

#endif  // MAILLAGE_SERVICES_MATCHING_DOMAIN_EXCHANGE_CYCLES_H_
