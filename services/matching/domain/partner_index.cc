#include "services/matching/domain/partner_index.h"

#include <algorithm>
#include <utility>

namespace maillage::matching {
namespace {

// Per thread: which profiles a query already took as candidates (a stamp per key, so that
// nothing is cleared between queries).
struct Scratch {
  std::vector<uint32_t> stamp;
  uint32_t current = 0;
  std::vector<uint32_t> candidates;
};

bool Better(const PairScore& a, const PairScore& b) {
  return a.score != b.score ? a.score > b.score : a.candidate < b.candidate;
}

}  // namespace

PartnerIndex::PostingKey PartnerIndex::KeyOf(bool offer, DeclarationType type, bool term,
                                             uint32_t value) {
  return (static_cast<uint64_t>(offer) << 40) | (static_cast<uint64_t>(type) << 33) |
         (static_cast<uint64_t>(term) << 32) | value;
}

void PartnerIndex::Post(const Profile& p, bool add) {
  auto post = [&](PostingKey key) {
    std::vector<uint32_t>& list = postings_[key];
    if (add) {
      // A profile is posted once per key, whatever number of its declarations have it.
      if (list.empty() || list.back() != p.key) list.push_back(p.key);
      return;
    }
    auto it = std::find(list.begin(), list.end(), p.key);
    if (it != list.end()) list.erase(it);
    if (list.empty()) postings_.erase(key);
  };
  for (bool offer : {true, false}) {
    std::vector<PostingKey> keys;
    for (const Declaration& d : offer ? p.offers : p.needs) {
      for (TagId t : d.tags) keys.push_back(KeyOf(offer, d.type, false, t));
      for (const auto& [term, w] : d.text.weights) keys.push_back(KeyOf(offer, d.type, true, term));
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (PostingKey k : keys) post(k);
  }
}

void PartnerIndex::Upsert(Profile profile) {
  const uint32_t key = profile.key;
  if (key >= profiles_.size()) profiles_.resize(static_cast<size_t>(key) + 1);
  if (profiles_[key].has_value()) {
    Post(*profiles_[key], false);
  } else {
    ++count_;
  }
  profiles_[key] = std::move(profile);
  // Posting lists stay sorted by key when keys are posted in increasing order; an update
  // may append a smaller key, which candidate generation does not mind.
  Post(*profiles_[key], true);
}

void PartnerIndex::Remove(uint32_t key) {
  if (key >= profiles_.size() || !profiles_[key].has_value()) return;
  Post(*profiles_[key], false);
  profiles_[key].reset();
  --count_;
}

const Profile* PartnerIndex::Find(uint32_t key) const {
  if (key >= profiles_.size() || !profiles_[key].has_value()) return nullptr;
  return &*profiles_[key];
}

bool PartnerIndex::Eligible(const Profile& member, const Profile& candidate,
                            const std::vector<uint32_t>& scope, const SuggestQuery& query) const {
  if (candidate.key == member.key) return false;
  bool in_scope = false;
  for (uint32_t n : candidate.networks) {
    if (std::binary_search(scope.begin(), scope.end(), n)) {
      in_scope = true;
      break;
    }
  }
  if (!in_scope) return false;
  if (query.max_distance_km > 0) {
    const double km = DistanceKm(member.location, candidate.location);
    if (km < 0 || km > query.max_distance_km) return false;
  }
  return query.excluded == nullptr || !query.excluded(candidate.key);
}

std::vector<PairScore> PartnerIndex::Rank(const Profile& member, const SuggestQuery& query,
                                          const ScoreSettings& settings, int64_t now,
                                          const std::vector<uint32_t>& candidates) const {
  std::vector<uint32_t> scope = query.scope.empty() ? member.networks : query.scope;
  std::sort(scope.begin(), scope.end());
  const size_t k = static_cast<size_t>(std::max(0, query.k));
  std::vector<PairScore> top;  // a heap whose front is the worst kept
  if (k == 0) return top;
  top.reserve(k + 1);
  auto worse_first = [](const PairScore& a, const PairScore& b) { return Better(a, b); };
  for (uint32_t key : candidates) {
    const Profile& candidate = *profiles_[key];
    if (!Eligible(member, candidate, scope, query)) continue;
    std::optional<PairScore> s = ScorePair(member, candidate, settings, now);
    if (!s.has_value()) continue;
    if (top.size() == k && !Better(*s, top.front())) continue;
    top.push_back(*std::move(s));
    std::push_heap(top.begin(), top.end(), worse_first);
    if (top.size() > k) {
      std::pop_heap(top.begin(), top.end(), worse_first);
      top.pop_back();
    }
  }
  std::sort(top.begin(), top.end(), Better);
  return top;
}

std::vector<uint32_t> PartnerIndex::Candidates(const Profile& member, bool for_needs,
                                               bool for_offers, int64_t now_unix) const {
  thread_local Scratch scratch;
  if (scratch.stamp.size() < profiles_.size()) scratch.stamp.resize(profiles_.size(), 0);
  if (++scratch.current == 0) {  // wrapped: stamps from 2^32 queries ago would look current
    std::fill(scratch.stamp.begin(), scratch.stamp.end(), 0);
    scratch.current = 1;
  }
  std::vector<uint32_t> out;
  auto collect = [&](PostingKey key) {
    auto it = postings_.find(key);
    if (it == postings_.end()) return;
    for (uint32_t c : it->second) {
      if (scratch.stamp[c] == scratch.current) continue;
      scratch.stamp[c] = scratch.current;
      out.push_back(c);
    }
  };
  // The member's needs meet others' offers of the same type, and its offers others' needs.
  for (bool member_needs : {true, false}) {
    if (!(member_needs ? for_needs : for_offers)) continue;
    for (const Declaration& d : member_needs ? member.needs : member.offers) {
      if (d.expire_unix != 0 && d.expire_unix <= now_unix) continue;
      for (TagId t : d.tags) collect(KeyOf(member_needs, d.type, false, t));
      for (const auto& [term, w] : d.text.weights) collect(KeyOf(member_needs, d.type, true, term));
    }
  }
  return out;
}

std::vector<uint32_t> PartnerIndex::Offering(TagId tag) const {
  std::vector<uint32_t> out;
  for (int type = 1; type <= kDeclarationTypes; ++type) {
    auto it = postings_.find(KeyOf(true, static_cast<DeclarationType>(type), false, tag));
    if (it != postings_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<uint32_t> PartnerIndex::MembersOf(uint32_t network) const {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < profiles_.size(); ++i) {
    if (!profiles_[i].has_value()) continue;
    const std::vector<uint32_t>& n = profiles_[i]->networks;
    if (std::binary_search(n.begin(), n.end(), network)) out.push_back(static_cast<uint32_t>(i));
  }
  return out;
}

std::vector<PairScore> PartnerIndex::Suggest(const SuggestQuery& query,
                                             const ScoreSettings& settings,
                                             int64_t now_unix) const {
  const Profile* member = Find(query.member);
  if (member == nullptr) return {};
  return Rank(*member, query, settings, now_unix, Candidates(*member, true, true, now_unix));
}

std::vector<PairScore> PartnerIndex::SuggestByScan(const SuggestQuery& query,
                                                   const ScoreSettings& settings,
                                                   int64_t now_unix) const {
  const Profile* member = Find(query.member);
  if (member == nullptr) return {};
  std::vector<uint32_t> all;
  all.reserve(count_);
  for (size_t i = 0; i < profiles_.size(); ++i) {
    if (profiles_[i].has_value()) all.push_back(static_cast<uint32_t>(i));
  }
  return Rank(*member, query, settings, now_unix, all);
}

size_t PartnerIndex::MemoryBytes() const {
  size_t bytes = profiles_.capacity() * sizeof(std::optional<Profile>);
  for (const std::optional<Profile>& p : profiles_) {
    if (!p.has_value()) continue;
    bytes += (p->networks.capacity() + p->charter_networks.capacity()) * sizeof(uint32_t);
    for (const auto* list : {&p->offers, &p->needs}) {
      bytes += list->capacity() * sizeof(Declaration);
      for (const Declaration& d : *list) {
        bytes += d.tags.capacity() * sizeof(TagId) +
                 d.text.weights.capacity() * sizeof(std::pair<TermId, float>);
      }
    }
  }
  for (const auto& [key, list] : postings_) {
    bytes +=
        sizeof(PostingKey) + sizeof(std::vector<uint32_t>) + list.capacity() * sizeof(uint32_t);
  }
  return bytes;
}

}  // namespace maillage::matching
