#include "services/matching/domain/exchange_cycles.h"

#include <algorithm>
#include <functional>

#include "absl/container/flat_hash_map.h"

namespace maillage::matching {
namespace {

struct Link {
  uint32_t to;
  Match match;
};

}  // namespace

ExchangeCycles FindExchangeCycles(const PartnerIndex& index, uint32_t network,
                                  const CycleQuery& query, const ScoreSettings& settings,
                                  int64_t now_unix) {
  ExchangeCycles out;
  if (query.limit < 1) return out;
  const int max_length = std::clamp(query.max_length, 2, 4);
  const std::vector<uint32_t> members = index.MembersOf(network);

  // Who gives to whom, inside the network.
  absl::flat_hash_map<uint32_t, std::vector<Link>> links;
  for (uint32_t a : members) {
    const Profile& giver = *index.Find(a);
    for (uint32_t b : index.Candidates(giver, /*for_needs=*/false, /*for_offers=*/true, now_unix)) {
      if (b == a || !std::binary_search(members.begin(), members.end(), b)) continue;
      const Profile& taker = *index.Find(b);
      const double km = DistanceKm(giver.location, taker.location);
      Match best;
      for (const Declaration& need : taker.needs) {
        if (need.confidential) continue;
        Match m = BestOffer(need, giver, km, settings, now_unix);
        if (m.strength > best.strength) best = std::move(m);
      }
      if (best.strength > 0) {
        best.for_member = false;
        links[a].push_back({b, std::move(best)});
      }
    }
  }
  for (auto& [from, list] : links) {
    std::sort(list.begin(), list.end(), [](const Link& x, const Link& y) { return x.to < y.to; });
  }

  // Depth-first from each start, through larger keys only: each cycle found once.
  std::vector<uint32_t> path;
  std::vector<const Match*> via;
  int64_t paths = 0;
  std::function<void(uint32_t)> walk = [&](uint32_t node) {
    if (out.truncated) return;
    auto it = links.find(node);
    if (it == links.end()) return;
    for (const Link& l : it->second) {
      if (++paths > kMaxCyclePaths) {
        out.truncated = true;
        return;
      }
      if (l.to == path.front()) {
        if (path.size() < 2) continue;
        ExchangeCycle c;
        c.members = path;
        c.strength = l.match.strength;
        for (const Match* m : via) {
          c.links.push_back(*m);
          c.strength = std::min(c.strength, m->strength);
        }
        c.links.push_back(l.match);
        out.cycles.push_back(std::move(c));
        continue;
      }
      if (l.to < path.front() || static_cast<int>(path.size()) >= max_length ||
          std::find(path.begin(), path.end(), l.to) != path.end()) {
        continue;
      }
      path.push_back(l.to);
      via.push_back(&l.match);
      walk(l.to);
      path.pop_back();
      via.pop_back();
    }
  };
  for (uint32_t start : members) {
    path = {start};
    via.clear();
    walk(start);
    if (out.truncated) break;
  }
  std::sort(out.cycles.begin(), out.cycles.end(),
            [](const ExchangeCycle& x, const ExchangeCycle& y) {
              if (x.strength != y.strength) return x.strength > y.strength;
              if (x.members.size() != y.members.size()) return x.members.size() < y.members.size();
              return x.members < y.members;
            });
  if (out.cycles.size() > static_cast<size_t>(query.limit)) out.cycles.resize(query.limit);
  return out;
}

}  // namespace maillage::matching
