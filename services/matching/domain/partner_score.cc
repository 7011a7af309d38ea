#include "services/matching/domain/partner_score.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace maillage::matching {
namespace {

bool Live(const Declaration& d, int64_t now) { return d.expire_unix == 0 || d.expire_unix > now; }

// The elements two sorted lists share: counted, copied into `out` when given, and the walk
// stops at the first one when `first_only`.
template <typename T>
size_t Common(const std::vector<T>& a, const std::vector<T>& b, std::vector<T>* out,
              bool first_only = false) {
  size_t n = 0;
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (*i < *j) {
      ++i;
    } else if (*j < *i) {
      ++j;
    } else {
      if (out != nullptr) out->push_back(*i);
      ++n;
      if (first_only) break;
      ++i;
      ++j;
    }
  }
  return n;
}

size_t Intersection(const std::vector<TagId>& a, const std::vector<TagId>& b,
                    std::vector<TagId>* out) {
  return Common(a, b, out);
}

bool WithinReach(const Declaration& d, double km) {
  return d.reach_km <= 0 || km < 0 || km <= d.reach_km;
}

// How far `offer` meets `need` (the strength of their Match), computed without building it.
float Strength(const Declaration& need, const Declaration& offer, const ScoreSettings& settings) {
  const float coverage = need.tags.empty()
                             ? 0.0f
                             : static_cast<float>(Intersection(need.tags, offer.tags, nullptr)) /
                                   static_cast<float>(need.tags.size());
  const float cosine = Cosine(need.text, offer.text);
  return std::max(coverage, cosine >= settings.min_text_similarity ? cosine : 0.0f);
}

// The best offer of `giver` for each live need of `taker` (its confidential ones only when
// include_confidential); returns the fit, the mean best strength over the needs considered.
// With `matches`, each need's best match is added to it; without, nothing is allocated (the
// ranking's path: the same figures, the reasons built for the winners only).
double Fit(const Profile& taker, const Profile& giver, bool include_confidential, bool for_member,
           double km, const ScoreSettings& settings, int64_t now, std::vector<Match>* matches) {
  int needs = 0;
  double total = 0;
  for (const Declaration& need : taker.needs) {
    if (!Live(need, now) || (need.confidential && !include_confidential)) continue;
    ++needs;
    if (matches == nullptr) {
      if (!WithinReach(need, km)) continue;
      float best = 0;
      for (const Declaration& offer : giver.offers) {
        if (offer.type != need.type || !Live(offer, now) || !WithinReach(offer, km)) continue;
        best = std::max(best, Strength(need, offer, settings));
      }
      total += best;
      continue;
    }
    Match best = BestOffer(need, giver, km, settings, now);
    best.for_member = for_member;
    if (best.strength > 0) {
      total += best.strength;
      matches->push_back(std::move(best));
    }
  }
  return needs == 0 ? 0.0 : total / needs;
}

// The tags of what a profile sells: its live business and co-production offers. Into `out`
// (cleared), so that the ranking's loop reuses its buffers.
void Sold(const Profile& p, int64_t now, std::vector<TagId>& out) {
  out.clear();
  for (const Declaration& o : p.offers) {
    if (!Live(o, now)) continue;
    if (o.type != DeclarationType::kBusiness && o.type != DeclarationType::kCoProduction) continue;
    out.insert(out.end(), o.tags.begin(), o.tags.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

bool SharesAny(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  return Common<uint32_t>(a, b, nullptr, /*first_only=*/true) > 0;
}

Complementarity Kind(DeclarationType t) {
  switch (t) {
    case DeclarationType::kBusiness:
    case DeclarationType::kSubcontracting:
      return Complementarity::kVertical;
    case DeclarationType::kCoProduction:
      return Complementarity::kHorizontal;
    case DeclarationType::kPooling:
      return Complementarity::kPooling;
    case DeclarationType::kTechnology:
    case DeclarationType::kResearch:
      return Complementarity::kCooperation;
  }
  return Complementarity::kNone;
}

}  // namespace

double DistanceKm(const GeoPoint& a, const GeoPoint& b) {
  if (!a.known || !b.known) return -1;
  constexpr double kEarthKm = 6371.0;
  constexpr double kRad = std::numbers::pi / 180.0;
  const double dlat = (b.latitude - a.latitude) * kRad;
  const double dlon = (b.longitude - a.longitude) * kRad;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(a.latitude * kRad) * std::cos(b.latitude * kRad) * std::sin(dlon / 2) *
                       std::sin(dlon / 2);
  return 2 * kEarthKm * std::asin(std::min(1.0, std::sqrt(h)));
}

Match BestOffer(const Declaration& need, const Profile& giver, double km,
                const ScoreSettings& settings, int64_t now_unix) {
  Match best;
  if (!Live(need, now_unix) || !WithinReach(need, km)) return best;
  for (const Declaration& offer : giver.offers) {
    if (offer.type != need.type || !Live(offer, now_unix) || !WithinReach(offer, km)) continue;
    Match m;
    m.need_id = need.id;
    m.offer_id = offer.id;
    m.type = need.type;
    const size_t shared = Intersection(need.tags, offer.tags, &m.shared_tags);
    m.tag_coverage = need.tags.empty()
                         ? 0.0f
                         : static_cast<float>(shared) / static_cast<float>(need.tags.size());
    const float cosine = Cosine(need.text, offer.text);
    m.text_similarity = cosine >= settings.min_text_similarity ? cosine : 0.0f;
    m.strength = Strength(need, offer, settings);
    if (m.strength > best.strength) best = std::move(m);
  }
  return best;
}

double MaxFit(const ScoreSettings& settings) {
  return 2 + settings.two_way_bonus + settings.same_sector + settings.shared_network +
         settings.shared_charter;
}

double DistanceFactor(double km, const ScoreSettings& settings) {
  const double decay = km < 0 ? 0.5 : std::exp(-km / settings.distance_scale_km);
  return settings.distance_floor + (1 - settings.distance_floor) * decay;
}

bool Competitors(const Profile& a, const Profile& b, const ScoreSettings& settings,
                 int64_t now_unix, double* overlap) {
  if (a.nace_division == 0 || a.nace_division != b.nace_division) {
    if (overlap == nullptr) return false;  // the overlap is only asked for the reasons
  }
  thread_local std::vector<TagId> sold_a, sold_b;
  Sold(a, now_unix, sold_a);
  Sold(b, now_unix, sold_b);
  const size_t both = Intersection(sold_a, sold_b, nullptr);
  const size_t either = sold_a.size() + sold_b.size() - both;
  const double jaccard =
      either == 0 ? 0.0 : static_cast<double>(both) / static_cast<double>(either);
  if (overlap != nullptr) *overlap = jaccard;
  if (a.nace_division == 0 || a.nace_division != b.nace_division || jaccard <= 0) return false;
  const double km = DistanceKm(a.location, b.location);
  return km < 0 || km <= settings.competitor_radius_km;
}

namespace {

// The score, and with `detailed` its reasons. False when there is no score.
bool Evaluate(const Profile& member, const Profile& candidate, const ScoreSettings& settings,
              int64_t now_unix, bool detailed, PairScore& s) {
  if (member.key == candidate.key) return false;
  s.candidate = candidate.key;
  s.distance_km = DistanceKm(member.location, candidate.location);
  std::vector<Match>* matches = detailed ? &s.matches : nullptr;
  s.need_fit = Fit(member, candidate, /*include_confidential=*/true, /*for_member=*/true,
                   s.distance_km, settings, now_unix, matches);
  s.offer_fit = Fit(candidate, member, /*include_confidential=*/false, /*for_member=*/false,
                    s.distance_km, settings, now_unix, matches);
  if (s.need_fit <= 0 && s.offer_fit <= 0) return false;
  s.two_way = settings.two_way_bonus * std::min(s.need_fit, s.offer_fit);

  s.same_sector = member.nace_section != 0 && member.nace_section == candidate.nace_section;
  s.shares_network = SharesAny(member.networks, candidate.networks);
  // A charter both signed, of a network they both belong to.
  for (uint32_t n : member.charter_networks) {
    if (std::binary_search(candidate.charter_networks.begin(), candidate.charter_networks.end(),
                           n) &&
        std::binary_search(member.networks.begin(), member.networks.end(), n) &&
        std::binary_search(candidate.networks.begin(), candidate.networks.end(), n)) {
      s.shares_charter = true;
      break;
    }
  }
  s.common_ground = (s.same_sector ? settings.same_sector : 0) +
                    (s.shares_network ? settings.shared_network : 0) +
                    (s.shares_charter ? settings.shared_charter : 0);

  s.same_division = member.nace_division != 0 && member.nace_division == candidate.nace_division;
  // Competitors share a division: the overlap of what they sell is computed for them, and
  // for the reasons.
  if ((s.same_division || detailed) &&
      Competitors(member, candidate, settings, now_unix, &s.sold_overlap)) {
    s.competitor_cut = settings.competitor_penalty * s.sold_overlap;
  }
  s.distance_factor = DistanceFactor(s.distance_km, settings);
  const double age_days =
      std::max<double>(0, static_cast<double>(now_unix - candidate.update_unix) / 86400.0);
  s.freshness_factor =
      (1 - settings.freshness_weight) +
      settings.freshness_weight * std::pow(0.5, age_days / settings.freshness_half_life_days);
  s.score = (s.need_fit + s.offer_fit + s.two_way + s.common_ground) * (1 - s.competitor_cut) *
            s.distance_factor * s.freshness_factor;

  if (!detailed) return true;
  // The complementarity of the strongest match.
  const Match* strongest = nullptr;
  for (const Match& m : s.matches) {
    if (strongest == nullptr || m.strength > strongest->strength) strongest = &m;
  }
  if (strongest != nullptr) s.complementarity = Kind(strongest->type);
  return true;
}

}  // namespace

std::optional<PairScore> ScorePair(const Profile& member, const Profile& candidate,
                                   const ScoreSettings& settings, int64_t now_unix) {
  PairScore s;
  if (!Evaluate(member, candidate, settings, now_unix, /*detailed=*/true, s)) return std::nullopt;
  return s;
}

double ScoreOnly(const Profile& member, const Profile& candidate, const ScoreSettings& settings,
                 int64_t now_unix) {
  PairScore s;
  if (!Evaluate(member, candidate, settings, now_unix, /*detailed=*/false, s)) return -1;
  return s.score;
}

}  // namespace maillage::matching
