// services/matching/domain/partner_score: how well two members complement each other, and
// why. Pure functions of two profiles; no I/O.
//
// A member's profile holds its offers (what it can bring) and its needs (what it comes to
// take), typed and tagged from the vocabulary, with free text weighed by TF-IDF. The score
// of a candidate B for a member A is documented term by term, and every term comes back in
// the reasons:
//
//   need fit     how far B's offers cover A's needs: for each of A's needs, its best match
//                among B's offers of the same type (the share of the need's tags the offer
//                has, or the TF-IDF cosine of their texts when that is higher and at least
//                min_text_similarity), averaged over A's needs; 0 where the distance is
//                beyond either side's reach;
//   offer fit    the reverse: how far A's offers cover B's needs (B's confidential needs
//                count only when A is looking at itself through B's owner, never here);
//   two-way      two_way_bonus × min(need fit, offer fit): a pair that helps both ways ranks
//                above a one-way one;
//   common ground  same NACE section (same_sector), a shared network (shared_network), both
//                signed the charter of a network they share (shared_charter);
//   competitor   when both sell the same things (Jaccard of their business and co-production
//                offer tags) in the same NACE division within competitor_radius_km, the
//                score is cut by competitor_penalty × that overlap;
//   distance     × (distance_floor + (1 - distance_floor) × exp(-km / distance_scale_km));
//   freshness    × (1 - freshness_weight) + freshness_weight × 0.5^(age / half-life) of B's
//                last change.
//   score = (need fit + offer fit + two-way + common ground) × (1 - competitor cut)
//           × distance × freshness;  no fit at all (need fit = offer fit = 0): no score.
//
//   std::optional<PairScore> s = ScorePair(roofer, supplier, settings, now);
//   // s->need_fit 0.67, s->matches {need "charpente bois" <- offer "bois de charpente", ...}
#ifndef MAILLAGE_SERVICES_MATCHING_DOMAIN_PARTNER_SCORE_H_
#define MAILLAGE_SERVICES_MATCHING_DOMAIN_PARTNER_SCORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/matching/domain/term_weights.h"
#include "services/matching/domain/vocabulary.h"

namespace maillage::matching {

// What an offer or a need is about (DOMAIN.md, "Complementary competencies").
enum class DeclarationType : uint8_t {
  kBusiness = 1,    // sell / buy
  kTechnology,      // technology transfer, licensing
  kResearch,        // R&D cooperation
  kPooling,         // share equipment, staff or premises
  kSubcontracting,  // vertical: supplier -> client
  kCoProduction,    // horizontal: one global offer together
};

inline constexpr int kDeclarationTypes = 6;

// The complementarity a match shows.
enum class Complementarity : uint8_t { kNone, kVertical, kHorizontal, kPooling, kCooperation };

struct Declaration {
  uint32_t id = 0;  // the owner's handle (the service maps it to the declaration's UUID)
  DeclarationType type = DeclarationType::kBusiness;
  bool confidential = false;     // a need shown to no other member
  float reach_km = 0;            // 0: anywhere
  int64_t expire_unix = 0;       // not matched from then on
  std::vector<TagId> tags = {};  // sorted, each once
  TextVector text = {};
};

struct GeoPoint {
  float latitude = 0;
  float longitude = 0;
  bool known = false;
};

struct Profile {
  uint32_t key = 0;           // dense, the index's
  char nace_section = 0;      // 'A'..'U', 0 unknown
  uint8_t nace_division = 0;  // 1..99, 0 unknown
  GeoPoint location = {};
  std::vector<uint32_t> networks = {};          // sorted: where it is an admitted member
  std::vector<uint32_t> charter_networks = {};  // sorted: whose charter it signed
  std::vector<Declaration> offers = {};
  std::vector<Declaration> needs = {};
  int64_t update_unix = 0;
};

struct ScoreSettings {
  double two_way_bonus = 0.5;
  double same_sector = 0.10;
  double shared_network = 0.05;
  double shared_charter = 0.05;
  double competitor_penalty = 0.6;
  double competitor_radius_km = 30;
  double distance_scale_km = 40;
  double distance_floor = 0.3;
  double min_text_similarity = 0.15;
  double freshness_weight = 0.2;
  double freshness_half_life_days = 180;
};

// One need met by one offer.
struct Match {
  bool for_member = true;  // the member's need met by the candidate's offer (else reverse)
  uint32_t need_id = 0;
  uint32_t offer_id = 0;
  DeclarationType type = DeclarationType::kBusiness;
  std::vector<TagId> shared_tags;
  float tag_coverage = 0;     // share of the need's tags the offer has
  float text_similarity = 0;  // cosine, 0 below min_text_similarity
  float strength = 0;         // max of the two
};

struct PairScore {
  uint32_t candidate = 0;
  double score = 0;
  // The terms (see above); the additive ones and the multipliers.
  double need_fit = 0;
  double offer_fit = 0;
  double two_way = 0;
  double common_ground = 0;
  double competitor_cut = 0;  // 0..competitor_penalty
  double distance_factor = 1;
  double freshness_factor = 1;
  double distance_km = -1;  // -1: a location unknown
  bool same_sector = false;
  bool shares_network = false;
  bool shares_charter = false;
  double sold_overlap = 0;  // Jaccard of what both sell (the competitor test)
  bool same_division = false;
  Complementarity complementarity = Complementarity::kNone;
  std::vector<Match> matches;  // the best match of each need met, both directions
};

// Great-circle distance; -1 when either is unknown.
double DistanceKm(const GeoPoint& a, const GeoPoint& b);

// ScorePair's score alone, -1 where it has none: what ranking many candidates computes,
// without building reasons (nothing allocated once warm).
double ScoreOnly(const Profile& member, const Profile& candidate, const ScoreSettings& settings,
                 int64_t now_unix);

// The most the additive terms can add up to: need fit 1, offer fit 1, two-way, every
// common ground. Times the distance factor, a bound on any candidate's score at a distance.
double MaxFit(const ScoreSettings& settings);
// The distance factor at `km` (km < 0: a location unknown).
double DistanceFactor(double km, const ScoreSettings& settings);

// Whether `a` and `b` compete (the competitor term above): same NACE division, within
// competitor_radius_km (or a location unknown), selling some of the same tags. `overlap`
// (optional) receives the Jaccard of what they sell.
bool Competitors(const Profile& a, const Profile& b, const ScoreSettings& settings,
                 int64_t now_unix, double* overlap = nullptr);

// The best offer of `giver` for `need` (same type, in reach, alive), strength 0 if none;
// `km` is their distance (-1 unknown).
Match BestOffer(const Declaration& need, const Profile& giver, double km,
                const ScoreSettings& settings, int64_t now_unix);

// How well `candidate` complements `member` (see above), nullopt when nothing of one meets
// anything of the other. Declarations expired at `now_unix` do not count.
std::optional<PairScore> ScorePair(const Profile& member, const Profile& candidate,
                                   const ScoreSettings& settings, int64_t now_unix);

}  // namespace maillage::matching

#endif  // MAILLAGE_SERVICES_MATCHING_DOMAIN_PARTNER_SCORE_H_
