#include "services/matching/domain/term_weights.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_set.h"

namespace maillage::matching {
namespace {

// A term in more than this share of the descriptions is a stop word of the corpus, once the
// corpus has kMinDocumentsForCommon descriptions (before, every word may still tell).
constexpr double kCommonShare = 0.5;
constexpr int64_t kMinDocumentsForCommon = 20;

}  // namespace

float Cosine(const TextVector& a, const TextVector& b) {
  if (a.bits != 0 && b.bits != 0 && (a.bits & b.bits) == 0) return 0;
  float dot = 0;
  auto i = a.weights.begin();
  auto j = b.weights.begin();
  while (i != a.weights.end() && j != b.weights.end()) {
    if (i->first < j->first) {
      ++i;
    } else if (j->first < i->first) {
      ++j;
    } else {
      dot += i->second * j->second;
      ++i;
      ++j;
    }
  }
  return std::clamp(dot, 0.0f, 1.0f);
}

TermId TermStatistics::Intern(const std::string& term) {
  auto [it, added] = ids_.try_emplace(term, static_cast<TermId>(terms_.size()));
  if (added) {
    terms_.push_back(term);
    df_.push_back(0);
  }
  return it->second;
}

void TermStatistics::AddDocument(const std::vector<std::string>& terms) {
  ++documents_;
  absl::flat_hash_set<absl::string_view> seen;
  for (const std::string& t : terms) {
    if (seen.insert(t).second) ++df_[Intern(t)];
  }
}

void TermStatistics::RemoveDocument(const std::vector<std::string>& terms) {
  if (documents_ > 0) --documents_;
  absl::flat_hash_set<absl::string_view> seen;
  for (const std::string& t : terms) {
    if (!seen.insert(t).second) continue;
    auto it = ids_.find(t);
    if (it != ids_.end() && df_[it->second] > 0) --df_[it->second];
  }
}

TextVector TermStatistics::Vector(const std::vector<std::string>& terms) const {
  absl::flat_hash_map<TermId, float> tf;
  for (const std::string& t : terms) {
    auto it = ids_.find(t);
    if (it != ids_.end() && df_[it->second] > 0) tf[it->second] += 1;
  }
  const double n = static_cast<double>(documents_);
  std::vector<std::pair<TermId, float>> weights;
  weights.reserve(tf.size());
  for (const auto& [id, count] : tf) {
    const double df = static_cast<double>(df_[id]);
    if (documents_ >= kMinDocumentsForCommon && df > kCommonShare * n) continue;
    const double idf = std::log((1 + n) / (1 + df)) + 1;
    weights.emplace_back(id, static_cast<float>(count * idf));
  }
  if (weights.size() > kMaxTermsPerText) {
    std::nth_element(weights.begin(), weights.begin() + kMaxTermsPerText, weights.end(),
                     [](const auto& a, const auto& b) {
                       return a.second != b.second ? a.second > b.second : a.first < b.first;
                     });
    weights.resize(kMaxTermsPerText);
  }
  double norm = 0;
  for (const auto& [id, w] : weights) norm += static_cast<double>(w) * w;
  norm = std::sqrt(norm);
  TextVector out;
  if (norm == 0) return out;
  for (auto& [id, w] : weights) w = static_cast<float>(w / norm);
  std::sort(weights.begin(), weights.end());
  for (const auto& [id, w] : weights) out.bits |= uint64_t{1} << (id % 64);
  out.weights = std::move(weights);
  return out;
}

const std::string& TermStatistics::term(TermId id) const {
  static const std::string* const kNone = new std::string();
  return id < terms_.size() ? terms_[id] : *kNone;
}

}  // namespace maillage::matching
