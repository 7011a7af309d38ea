// services/matching/domain/partner_index: every member's profile in memory, and the ranking
// of complementary partners over them (the score is partner_score.h's).
//
// Ranking a member against 100,000 profiles one by one costs a full scan. A candidate that
// shares no tag and no text term with the member has no score, so the candidates are those
// the posting lists name (per declaration type, tag and term; one entry per declaration,
// with what bounds its strength), in the query's scope. Each gets an upper bound from the
// postings (tag shares, text products, every common ground, the distance factor at its
// grid cell of about 27 km); the most promising are scored first, and any other only if
// its bound, refined with its sector and a lower bound of its distance, beats the k-th
// best so far. The ranking is exactly the scan's (SuggestByScan, kept for tests and the
// benchmark). Scores are computed without their reasons; the reasons are built for the k
// winners only. Candidates and Offering serve consortia and exchange cycles.
//
//   PartnerIndex index;
//   index.Upsert(profile);                       // add or replace, by profile.key
//   std::vector<PairScore> top = index.Suggest({.member = key, .scope = {network}, .k = 20},
//                                              settings, now);
//
// Not thread-safe for writes: the service guards it with a reader-writer lock; concurrent
// Suggest calls are safe (each thread has its own scratch space).
#ifndef MAILLAGE_SERVICES_MATCHING_DOMAIN_PARTNER_INDEX_H_
#define MAILLAGE_SERVICES_MATCHING_DOMAIN_PARTNER_INDEX_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "services/matching/domain/partner_score.h"

namespace maillage::matching {

struct SuggestQuery {
  uint32_t member = 0;
  // Candidates must be admitted members of one of these networks (sorted); empty: any
  // network the member belongs to.
  std::vector<uint32_t> scope = {};
  int k = 20;
  // Optional: only candidates within this distance (0: any).
  double max_distance_km = 0;
  // Optional: candidates never suggested (blocked, recently declined, ...).
  std::function<bool(uint32_t)> excluded = nullptr;
  // Optional: what the query cost (for metrics and the benchmark).
  struct Stats {
    size_t bounded = 0;  // candidates sharing a tag or a term, whose score was bounded
    size_t scored = 0;   // candidates scored in full (the bound did not rule them out)
  };
  Stats* stats = nullptr;
};

class PartnerIndex {
 public:
  // Adds the profile, or replaces the one with its key. Keys are dense small integers (the
  // service allocates them): storage grows to the largest key.
  void Upsert(Profile profile);
  void Remove(uint32_t key);
  const Profile* Find(uint32_t key) const;
  size_t size() const { return count_; }

  // The k best candidates for the query's member, best first (ties: lower key first); empty
  // when the member has no profile.
  std::vector<PairScore> Suggest(const SuggestQuery& query, const ScoreSettings& settings,
                                 int64_t now_unix) const;
  // The same ranking by scoring every profile: the reference Suggest is tested against.
  std::vector<PairScore> SuggestByScan(const SuggestQuery& query, const ScoreSettings& settings,
                                       int64_t now_unix) const;

  // The profiles with a declaration that shares a tag or a text term with one of the
  // member's live needs (for_needs: their offers of the same type) or offers (for_offers:
  // their needs): every profile ScorePair may score, and some it finds nothing in. Unsorted.
  std::vector<uint32_t> Candidates(const Profile& member, bool for_needs, bool for_offers,
                                   int64_t now_unix) const;
  // The profiles with an offer of any type tagged `tag` (expired ones included). Sorted.
  std::vector<uint32_t> Offering(TagId tag) const;
  // The profiles that are admitted members of `network`. Sorted.
  std::vector<uint32_t> MembersOf(uint32_t network) const;

  // An offer's or a need's entry in a posting list: its owner, and what bounds its strength
  // (an offer: 1 for a tag, its weight for a term; a need: 1 / its tag count for a tag, its
  // weight for a term).
  struct PostingEntry {
    uint32_t key;
    float value;
  };

  // Bytes held for profiles and postings (approximate: allocations as sized, not as the
  // allocator rounds them).
  size_t MemoryBytes() const;

 private:
  using PostingKey = uint64_t;  // (side, type, tag or term)

  static PostingKey KeyOf(bool offer, DeclarationType type, bool term, uint32_t value);
  void Post(const Profile& p, bool add);
  // Whether `candidate` may be suggested at all for the query (scope, exclusions, distance).
  bool Eligible(const Profile& member, const Profile& candidate, const std::vector<uint32_t>& scope,
                const SuggestQuery& query) const;
  class TopK;
  void Consider(const Profile& member, const std::vector<uint32_t>& scope,
                const SuggestQuery& query, const ScoreSettings& settings, int64_t now, uint32_t key,
                TopK& top) const;
  static std::vector<uint32_t> ScopeOf(const Profile& member, const SuggestQuery& query);
  // The grid: cells of kCellLatDegrees x kCellLonDegrees (about 28 x 26 km in France).
  static constexpr double kCellLatDegrees = 0.25;
  static constexpr double kCellLonDegrees = 0.35;
  static std::pair<int32_t, int32_t> CellOf(const GeoPoint& p);
  void Place(const Profile& p, bool add);

  std::vector<std::optional<Profile>> profiles_;
  size_t count_ = 0;
  absl::flat_hash_map<PostingKey, std::vector<PostingEntry>> postings_;  // offers
  // Needs other members may see (not the confidential ones).
  absl::flat_hash_map<PostingKey, std::vector<PostingEntry>> need_postings_;
  std::vector<uint16_t> need_count_;  // each key's needs other members may see
  std::vector<int64_t> need_expiry_;  // the earliest of their expiries, 0: none expires
  // Each key's cell, kNoCell without a location: what a query's bounds read, compactly.
  static constexpr int32_t kNoCell = INT32_MIN;
  std::vector<int32_t> cell_row_, cell_column_;
  // Each key's NACE section, latitude and longitude (radians) and the latitude's cosine:
  // what the finer bound reads.
  static constexpr float kRadians = 3.14159265358979f / 180;
  std::vector<char> section_;
  std::vector<float> lat_, lon_, cos_lat_;
  // Each network's members (unsorted): the query's scope, marked before the postings.
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> network_members_;
};

}  // namespace maillage::matching

#endif  // MAILLAGE_SERVICES_MATCHING_DOMAIN_PARTNER_INDEX_H_
