// services/matching/domain/term_weights: TF-IDF over the free-text descriptions of offers
// and needs, so that the words many declarations use weigh little and the rare, telling ones
// weigh much ("audit", "thermique", "granulés" rather than "service", "entreprise").
//
//   TermStatistics stats;
//   stats.AddDocument(Terms(offer_text));                   // every description counts once
//   TextVector v = stats.Vector(Terms(offer_text));         // its weights, as of now
//   float similarity = Cosine(v, stats.Vector(Terms(need_text)));   // 0..1
//
// Weights: term frequency × idf, idf = ln((1 + N) / (1 + df)) + 1 (N descriptions, df of
// them with the term); a term in more than half of the descriptions (once there are 20)
// counts as a stop word; a vector keeps its kMaxTermsPerText heaviest terms (a long
// description costs no more memory than a short one), L2-normalised. A vector is weighed
// when it is built: the service rebuilds vectors when the corpus has grown a lot (see
// partner_index.h). Not thread-safe.
#ifndef MAILLAGE_SERVICES_MATCHING_DOMAIN_TERM_WEIGHTS_H_
#define MAILLAGE_SERVICES_MATCHING_DOMAIN_TERM_WEIGHTS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace maillage::matching {

inline constexpr size_t kMaxTermsPerText = 24;

using TermId = uint32_t;

// Sorted by term, L2 norm 1 (or empty).
struct TextVector {
  std::vector<std::pair<TermId, float>> weights;
  // Bit (term % 64) of each term: two vectors whose bits do not meet share no term, and
  // Cosine answers 0 without merging them. 0: not computed (then it merges).
  uint64_t bits = 0;
  bool empty() const { return weights.empty(); }
};

// The cosine of two vectors: their dot product (both are normalised).
float Cosine(const TextVector& a, const TextVector& b);

class TermStatistics {
 public:
  // Counts one description: N + 1, and df + 1 for each distinct term.
  void AddDocument(const std::vector<std::string>& terms);
  // Undoes AddDocument with the same terms.
  void RemoveDocument(const std::vector<std::string>& terms);

  // The weights of `terms` (see above); terms no description has are left out (they match
  // nothing).
  TextVector Vector(const std::vector<std::string>& terms) const;

  int64_t documents() const { return documents_; }
  size_t distinct_terms() const { return ids_.size(); }
  // The term of an id (for reasons shown to people), empty if unknown.
  const std::string& term(TermId id) const;

 private:
  TermId Intern(const std::string& term);

  int64_t documents_ = 0;
  absl::flat_hash_map<std::string, TermId> ids_;
  std::vector<std::string> terms_;
  std::vector<int64_t> df_;
};

}  // namespace maillage::matching

#endif  // MAILLAGE_SERVICES_MATCHING_DOMAIN_TERM_WEIGHTS_H_
