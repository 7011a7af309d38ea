#include "services/matching/domain/partner_index.h"

#include <algorithm>
#include <cmath>
#include <tuple>
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

namespace {

using PostingMap = absl::flat_hash_map<uint64_t, std::vector<PartnerIndex::PostingEntry>>;

// Drops `owner`'s entries from the lists of `keys` (each once), and the lists left empty.
void Unpost(PostingMap& postings, std::vector<uint64_t>& keys, uint32_t owner) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (uint64_t key : keys) {
    auto it = postings.find(key);
    if (it == postings.end()) continue;
    std::erase_if(it->second, [&](const PartnerIndex::PostingEntry& e) { return e.key == owner; });
    if (it->second.empty()) postings.erase(it);
  }
}

}  // namespace

void PartnerIndex::Post(const Profile& p, bool add) {
  // One entry per declaration and tag or term: 1 (an offer) or 1 / its tag count (a need)
  // for a tag, its weight for a term. Confidential needs are not posted: no other member's
  // query may use them.
  auto post = [&](PostingMap& postings, const Declaration& d, bool offer,
                  std::vector<PostingKey>& keys) {
    const float tag_value = offer ? 1.0f : 1.0f / static_cast<float>(d.tags.size());
    for (TagId t : d.tags) {
      keys.push_back(KeyOf(offer, d.type, false, t));
      if (add) postings[keys.back()].push_back({p.key, tag_value});
    }
    for (const auto& [term, w] : d.text.weights) {
      keys.push_back(KeyOf(offer, d.type, true, term));
      if (add) postings[keys.back()].push_back({p.key, w});
    }
  };
  std::vector<PostingKey> offer_keys, need_keys;
  for (const Declaration& d : p.offers) post(postings_, d, true, offer_keys);
  int64_t earliest = 0;
  int count = 0;
  for (const Declaration& d : p.needs) {
    if (d.confidential) continue;
    ++count;
    if (d.expire_unix != 0) {
      earliest = earliest == 0 ? d.expire_unix : std::min(earliest, d.expire_unix);
    }
    post(need_postings_, d, false, need_keys);
  }
  if (need_count_.size() <= p.key) {
    need_count_.resize(static_cast<size_t>(p.key) + 1, 0);
    need_expiry_.resize(static_cast<size_t>(p.key) + 1, 0);
  }
  need_count_[p.key] = add ? static_cast<uint16_t>(std::min(count, 65535)) : 0;
  need_expiry_[p.key] = add ? earliest : 0;
  if (add) return;
  Unpost(postings_, offer_keys, p.key);
  Unpost(need_postings_, need_keys, p.key);
}

void PartnerIndex::Upsert(Profile profile) {
  const uint32_t key = profile.key;
  if (key >= profiles_.size()) profiles_.resize(static_cast<size_t>(key) + 1);
  if (profiles_[key].has_value()) {
    Post(*profiles_[key], false);
    Place(*profiles_[key], false);
  } else {
    ++count_;
  }
  profiles_[key] = std::move(profile);
  // Posting lists stay sorted by key when keys are posted in increasing order; an update
  // may append a smaller key, which candidate generation does not mind.
  Post(*profiles_[key], true);
  Place(*profiles_[key], true);
}

std::pair<int32_t, int32_t> PartnerIndex::CellOf(const GeoPoint& p) {
  return {static_cast<int32_t>(std::floor(p.latitude / kCellLatDegrees)),
          static_cast<int32_t>(std::floor(p.longitude / kCellLonDegrees))};
}

void PartnerIndex::Place(const Profile& p, bool add) {
  if (cell_row_.size() <= p.key) {
    cell_row_.resize(static_cast<size_t>(p.key) + 1, kNoCell);
    cell_column_.resize(static_cast<size_t>(p.key) + 1, kNoCell);
  }
  if (section_.size() <= p.key) {
    const size_t n = static_cast<size_t>(p.key) + 1;
    section_.resize(n, 0);
    lat_.resize(n, 0);
    lon_.resize(n, 0);
    cos_lat_.resize(n, 0);
  }
  section_[p.key] = add ? p.nace_section : 0;
  if (p.location.known && add) {
    std::tie(cell_row_[p.key], cell_column_[p.key]) = CellOf(p.location);
    lat_[p.key] = p.location.latitude * kRadians;
    lon_[p.key] = p.location.longitude * kRadians;
    cos_lat_[p.key] = std::cos(lat_[p.key]);
  } else {
    cell_row_[p.key] = cell_column_[p.key] = kNoCell;
  }
  for (uint32_t n : p.networks) {
    std::vector<uint32_t>& members = network_members_[n];
    if (add) {
      members.push_back(p.key);
      continue;
    }
    auto it = std::find(members.begin(), members.end(), p.key);
    if (it != members.end()) members.erase(it);
    if (members.empty()) network_members_.erase(n);
  }
}

void PartnerIndex::Remove(uint32_t key) {
  if (key >= profiles_.size() || !profiles_[key].has_value()) return;
  Post(*profiles_[key], false);
  Place(*profiles_[key], false);
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

// The k best (score, key) seen, scored without reasons; the reasons are built at the end
// for the winners only.
class PartnerIndex::TopK {
 public:
  explicit TopK(size_t k) : k_(k) { heap_.reserve(k + 1); }
  bool full() const { return heap_.size() >= k_; }
  // The score a candidate must beat once full.
  double bar() const { return heap_.front().first; }
  void Offer(double score, uint32_t key) {
    if (k_ == 0 || score < 0) return;
    const Entry e{score, key};
    if (full() && !WorseFirst(e, heap_.front())) return;
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), WorseFirst);
    if (heap_.size() > k_) {
      std::pop_heap(heap_.begin(), heap_.end(), WorseFirst);
      heap_.pop_back();
    }
  }
  std::vector<PairScore> Finish(const PartnerIndex& index, const Profile& member,
                                const ScoreSettings& settings, int64_t now) {
    std::vector<PairScore> out;
    out.reserve(heap_.size());
    for (const Entry& e : heap_) {
      std::optional<PairScore> s = ScorePair(member, *index.Find(e.second), settings, now);
      if (s.has_value()) out.push_back(*std::move(s));
    }
    std::sort(out.begin(), out.end(), Better);
    return out;
  }

 private:
  using Entry = std::pair<double, uint32_t>;
  // Heap order: the worst kept at the front (lower score, then higher key).
  static bool WorseFirst(const Entry& a, const Entry& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  }
  size_t k_;
  std::vector<Entry> heap_;
};

void PartnerIndex::Consider(const Profile& member, const std::vector<uint32_t>& scope,
                            const SuggestQuery& query, const ScoreSettings& settings, int64_t now,
                            uint32_t key, TopK& top) const {
  const Profile& candidate = *profiles_[key];
  if (!Eligible(member, candidate, scope, query)) return;
  top.Offer(ScoreOnly(member, candidate, settings, now), key);
}

std::vector<uint32_t> PartnerIndex::ScopeOf(const Profile& member, const SuggestQuery& query) {
  std::vector<uint32_t> scope = query.scope.empty() ? member.networks : query.scope;
  std::sort(scope.begin(), scope.end());
  return scope;
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
  // Each owner once, from the offers' lists (the member's needs) or the needs' (its offers).
  auto collect = [&](const PostingMap& postings, PostingKey key) {
    auto it = postings.find(key);
    if (it == postings.end()) return;
    for (const PostingEntry& e : it->second) {
      if (scratch.stamp[e.key] == scratch.current) continue;
      scratch.stamp[e.key] = scratch.current;
      out.push_back(e.key);
    }
  };
  for (bool member_needs : {true, false}) {
    if (!(member_needs ? for_needs : for_offers)) continue;
    const PostingMap& postings = member_needs ? postings_ : need_postings_;
    for (const Declaration& d : member_needs ? member.needs : member.offers) {
      if (d.expire_unix != 0 && d.expire_unix <= now_unix) continue;
      for (TagId t : d.tags) collect(postings, KeyOf(member_needs, d.type, false, t));
      for (const auto& [term, w] : d.text.weights) {
        collect(postings, KeyOf(member_needs, d.type, true, term));
      }
    }
  }
  return out;
}

std::vector<uint32_t> PartnerIndex::Offering(TagId tag) const {
  std::vector<uint32_t> out;
  for (int type = 1; type <= kDeclarationTypes; ++type) {
    auto it = postings_.find(KeyOf(true, static_cast<DeclarationType>(type), false, tag));
    if (it == postings_.end()) continue;
    for (const PostingEntry& e : it->second) out.push_back(e.key);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<uint32_t> PartnerIndex::MembersOf(uint32_t network) const {
  auto it = network_members_.find(network);
  if (it == network_members_.end()) return {};
  std::vector<uint32_t> out = it->second;
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

// Per thread, sized to the index: what a query learns of each candidate from the postings.
struct BoundScratch {
  std::vector<uint32_t> seen;       // == query: touched by this query
  std::vector<uint32_t> need_seen;  // == need: touched by the current need
  std::vector<float> need_sum;      // the sum of the bounds of each need's best strength
  std::vector<float> hits;          // the current need's tags the candidate offers
  std::vector<float> mass;          // the squared weights of its terms the candidate has
  std::vector<float> dot;           // the dot products of its offers' texts with the need's
  std::vector<float> offer_sum;     // bounds the sum of its needs' strengths (see below)
  std::vector<float> fits;          // the bound of need fit + offer fit + two-way
  std::vector<uint32_t> in_scope;   // == query: a member of a network of the query's scope
  uint32_t query = 0, need = 0;
  std::vector<uint32_t> touched, need_touched;
  std::vector<std::pair<float, uint32_t>> bounds;
  void Fit(size_t n) {
    if (seen.size() >= n) return;
    seen.resize(n, 0);
    need_seen.resize(n, 0);
    need_sum.resize(n);
    hits.resize(n);
    mass.resize(n);
    dot.resize(n);
    offer_sum.resize(n);
    fits.resize(n);
    in_scope.resize(n, 0);
  }
};

}  // namespace

std::vector<PairScore> PartnerIndex::Suggest(const SuggestQuery& query,
                                             const ScoreSettings& settings,
                                             int64_t now_unix) const {
  const Profile* member = Find(query.member);
  if (member == nullptr || query.k <= 0) return {};
  const std::vector<uint32_t> scope = ScopeOf(*member, query);
  TopK top(static_cast<size_t>(query.k));
  thread_local BoundScratch b;
  b.Fit(profiles_.size());
  if (++b.query == 0) {  // wrapped: old marks would look current
    std::fill(b.seen.begin(), b.seen.end(), 0);
    std::fill(b.in_scope.begin(), b.in_scope.end(), 0);
    b.query = 1;
  }
  // Who is in scope, marked once: the postings then skip everyone else at a glance.
  for (uint32_t n : scope) {
    auto it = network_members_.find(n);
    if (it == network_members_.end()) continue;
    for (uint32_t c : it->second) b.in_scope[c] = b.query;
  }
  b.touched.clear();
  auto touch = [&](uint32_t c) {
    if (b.seen[c] == b.query) return;
    b.seen[c] = b.query;
    b.need_sum[c] = 0;
    b.offer_sum[c] = 0;
    b.touched.push_back(c);
  };
  auto postings = [&](PostingKey key) -> const std::vector<PostingEntry>* {
    auto it = postings_.find(key);
    return it == postings_.end() ? nullptr : &it->second;
  };
  // The member's needs: for each, a bound on the best strength of each candidate's offers of
  // its type: the sum over them of the need's tag share, or of their texts' dot product, no
  // more than the root of the squared weights of the need's terms they have (Cauchy-Schwarz:
  // no cosine with one of them is more).
  int needs = 0;
  for (const Declaration& d : member->needs) {
    if (d.expire_unix != 0 && d.expire_unix <= now_unix) continue;
    ++needs;
    if (++b.need == 0) {
      std::fill(b.need_seen.begin(), b.need_seen.end(), 0);
      b.need = 1;
    }
    b.need_touched.clear();
    auto start = [&](uint32_t c) {
      if (b.need_seen[c] == b.need) return;
      b.need_seen[c] = b.need;
      b.hits[c] = 0;
      b.mass[c] = 0;
      b.dot[c] = 0;
      b.need_touched.push_back(c);
    };
    for (TagId t : d.tags) {
      if (const auto* list = postings(KeyOf(true, d.type, false, t))) {
        for (const PostingEntry& e : *list) {
          if (b.in_scope[e.key] != b.query) continue;
          start(e.key);
          b.hits[e.key] += 1;
        }
      }
    }
    for (const auto& [term, w] : d.text.weights) {
      if (const auto* list = postings(KeyOf(true, d.type, true, term))) {
        for (const PostingEntry& e : *list) {
          if (b.in_scope[e.key] != b.query) continue;
          start(e.key);
          b.mass[e.key] += w * w;
          b.dot[e.key] += w * e.value;
        }
      }
    }
    const float tags = static_cast<float>(d.tags.size());
    for (uint32_t c : b.need_touched) {
      touch(c);
      const float by_tags = tags > 0 ? b.hits[c] / tags : 0.0f;
      const float by_text = std::min(std::sqrt(b.mass[c]), b.dot[c]) * 1.001f;
      b.need_sum[c] += std::min(1.0f, std::max(by_tags, by_text));
    }
  }
  // The member's offers: for each candidate, the sum over the pairs (member's offer, its
  // need) of the tag share and the dot product of their texts, which bounds the sum of its
  // needs' best strengths.
  auto need_postings = [&](PostingKey key) -> const std::vector<PostingEntry>* {
    auto it = need_postings_.find(key);
    return it == need_postings_.end() ? nullptr : &it->second;
  };
  for (const Declaration& d : member->offers) {
    if (d.expire_unix != 0 && d.expire_unix <= now_unix) continue;
    for (TagId t : d.tags) {
      if (const auto* list = need_postings(KeyOf(false, d.type, false, t))) {
        for (const PostingEntry& e : *list) {
          if (b.in_scope[e.key] != b.query) continue;
          touch(e.key);
          b.offer_sum[e.key] += e.value;
        }
      }
    }
    for (const auto& [term, w] : d.text.weights) {
      if (const auto* list = need_postings(KeyOf(false, d.type, true, term))) {
        for (const PostingEntry& e : *list) {
          if (b.in_scope[e.key] != b.query) continue;
          touch(e.key);
          b.offer_sum[e.key] += w * e.value;
        }
      }
    }
  }
  // Each candidate's bound: its fits' bounds with every common ground, times the distance
  // factor at the nearest point of its grid cell; 1.01: float sums rounding.
  const double common = settings.same_sector + settings.shared_network + settings.shared_charter;
  const auto [row, column] =
      member->location.known ? CellOf(member->location) : std::pair<int32_t, int32_t>{0, 0};
  std::vector<double> ring_factor;
  auto factor_at_ring = [&](int32_t ring) {
    while (static_cast<int32_t>(ring_factor.size()) <= ring) {
      const int32_t r = static_cast<int32_t>(ring_factor.size());
      if (r < 2) {
        ring_factor.push_back(DistanceFactor(0, settings));
        continue;
      }
      const double widest_lat =
          std::min(89.0, std::abs(member->location.latitude) + (r + 1) * kCellLatDegrees);
      const double cell_km =
          std::min(kCellLatDegrees * 111.1,
                   kCellLonDegrees * 111.3 * std::cos(widest_lat * 3.14159265358979 / 180));
      ring_factor.push_back(DistanceFactor(0.9 * (r - 1) * cell_km, settings));
    }
    return ring_factor[ring];
  };
  const double unknown_factor = DistanceFactor(-1, settings);
  // A finer bound for those the coarse one lets through: the candidate's own sector, and
  // the distance factor at a lower bound of its distance (haversine with sin y >= y - y^3/6
  // and asin z >= z: a few products, no trigonometry).
  const float member_lat = member->location.latitude * kRadians;
  const float member_lon = member->location.longitude * kRadians;
  const float member_cos = std::cos(member_lat);
  const double other_common = settings.shared_network + settings.shared_charter;
  auto refined = [&](uint32_t c) {
    double fits = b.fits[c];
    fits += other_common + (member->nace_section != 0 && section_[c] == member->nace_section
                                ? settings.same_sector
                                : 0);
    double factor = unknown_factor;
    if (member->location.known && cell_row_[c] != kNoCell) {
      auto hav_low = [](double x) {
        const double y = x / 2;
        const double s = y * (1 - y * y / 6);
        return s * s;
      };
      double dlon = std::abs(lon_[c] - member_lon);
      if (dlon > 3.14159265) dlon = 2 * 3.14159265 - dlon;
      const double cmin = std::min(member_cos, cos_lat_[c]);
      const double h = hav_low(std::abs(lat_[c] - member_lat)) + cmin * cmin * hav_low(dlon);
      factor = DistanceFactor(0.999 * 2 * 6371.0 * std::sqrt(h), settings);
    }
    return static_cast<float>(fits * factor * 1.01);
  };
  b.bounds.clear();
  for (uint32_t c : b.touched) {
    const double nf = needs == 0 ? 0.0 : b.need_sum[c] / needs;
    // Its offer fit divides by its needs: known when none has expired since it was indexed
    // (else up to 1, until the owner's service indexes it again).
    double of = b.offer_sum[c] > 0 ? 1.0 : 0.0;
    if (of > 0 && need_count_[c] > 0 && (need_expiry_[c] == 0 || need_expiry_[c] > now_unix)) {
      of = std::min(1.0, 1.0001 * b.offer_sum[c] / need_count_[c]);
    }
    double factor = unknown_factor;
    if (member->location.known && cell_row_[c] != kNoCell) {
      factor = factor_at_ring(
          std::max(std::abs(cell_row_[c] - row), std::abs(cell_column_[c] - column)));
    }  // either location unknown: the distance is, and so is the factor
    b.fits[c] = static_cast<float>(nf + of + settings.two_way_bonus * std::min(nf, of));
    const double bound = (b.fits[c] + common) * factor * 1.01;
    b.bounds.emplace_back(static_cast<float>(bound), c);
  }
  // The most promising first, so that the bar rises early; then, of the rest, only those
  // whose bound beats the bar, best first, until one does not.
  auto by_bound = [](const auto& x, const auto& y) { return x.first > y.first; };
  const size_t head = std::min(b.bounds.size(), static_cast<size_t>(query.k) * 4 + 32);
  std::nth_element(b.bounds.begin(), b.bounds.begin() + head, b.bounds.end(), by_bound);
  std::sort(b.bounds.begin(), b.bounds.begin() + head, by_bound);
  size_t scored = 0;
  for (size_t i = 0; i < head; ++i) {
    if (top.full() && b.bounds[i].first < top.bar()) break;
    if (top.full() && refined(b.bounds[i].second) < top.bar()) continue;
    ++scored;
    Consider(*member, scope, query, settings, now_unix, b.bounds[i].second, top);
  }
  auto rest = b.bounds.begin() + head;
  if (top.full()) {
    rest = std::partition(b.bounds.begin() + head, b.bounds.end(),
                          [&](const auto& x) { return x.first >= top.bar(); });
  } else {
    rest = b.bounds.end();
  }
  std::sort(b.bounds.begin() + head, rest, by_bound);
  for (auto it = b.bounds.begin() + head; it != rest; ++it) {
    if (top.full() && it->first < top.bar()) break;
    if (top.full() && refined(it->second) < top.bar()) continue;
    ++scored;
    Consider(*member, scope, query, settings, now_unix, it->second, top);
  }
  if (query.stats != nullptr) *query.stats = {.bounded = b.bounds.size(), .scored = scored};
  return top.Finish(*this, *member, settings, now_unix);
}

std::vector<PairScore> PartnerIndex::SuggestByScan(const SuggestQuery& query,
                                                   const ScoreSettings& settings,
                                                   int64_t now_unix) const {
  const Profile* member = Find(query.member);
  if (member == nullptr || query.k <= 0) return {};
  const std::vector<uint32_t> scope = ScopeOf(*member, query);
  TopK top(static_cast<size_t>(query.k));
  for (size_t i = 0; i < profiles_.size(); ++i) {
    if (profiles_[i].has_value()) {
      Consider(*member, scope, query, settings, now_unix, static_cast<uint32_t>(i), top);
    }
  }
  return top.Finish(*this, *member, settings, now_unix);
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
  bytes += (cell_row_.capacity() + cell_column_.capacity()) * sizeof(int32_t);
  bytes += section_.capacity() +
           (lat_.capacity() + lon_.capacity() + cos_lat_.capacity()) * sizeof(float);
  for (const auto& [network, list] : network_members_) {
    bytes += sizeof(uint32_t) + sizeof(std::vector<uint32_t>) + list.capacity() * sizeof(uint32_t);
  }
  bytes += need_count_.capacity() * sizeof(uint16_t) + need_expiry_.capacity() * sizeof(int64_t);
  for (const auto& [key, list] : need_postings_) {
    bytes += sizeof(PostingKey) + sizeof(std::vector<PostingEntry>) +
             list.capacity() * sizeof(PostingEntry);
  }
  for (const auto& [key, list] : postings_) {
    bytes += sizeof(PostingKey) + sizeof(std::vector<PostingEntry>) +
             list.capacity() * sizeof(PostingEntry);
  }
  return bytes;
}

}  // namespace maillage::matching
