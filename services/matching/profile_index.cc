#include "services/matching/profile_index.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/status.h"
#include "services/matching/domain/consortium.h"
#include "services/matching/domain/exchange_cycles.h"
#include "services/matching/domain/text.h"

namespace maillage::matching {
namespace {

constexpr uint32_t kNoKey = UINT32_MAX;

int DivisionOf(const std::string& naf_code) {
  int division = 0;
  if (naf_code.size() >= 2 && absl::SimpleAtoi(naf_code.substr(0, 2), &division) && division >= 1 &&
      division <= 99) {
    return division;
  }
  return 0;
}

std::vector<std::string> TermsOf(const v1::Declaration& d) {
  return Terms(absl::StrCat(d.title(), "\n", d.description()));
}

v1::Complementarity ComplementarityOf(Complementarity c) {
  switch (c) {
    case Complementarity::kVertical:
      return v1::COMPLEMENTARITY_VERTICAL;
    case Complementarity::kHorizontal:
      return v1::COMPLEMENTARITY_HORIZONTAL;
    case Complementarity::kPooling:
      return v1::COMPLEMENTARITY_POOLING;
    case Complementarity::kCooperation:
      return v1::COMPLEMENTARITY_COOPERATION;
    case Complementarity::kNone:
      break;
  }
  return v1::COMPLEMENTARITY_UNSPECIFIED;
}

std::vector<uint32_t> Sorted(std::vector<uint32_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

ScoreSettings ScoreSettingsOf(const v1::MatchingSettings& s) {
  ScoreSettings out;
  out.distance_scale_km = s.distance_scale_km();
  out.distance_floor = s.distance_floor();
  out.competitor_radius_km = s.competitor_radius_km();
  return out;
}

uint32_t ProfileIndex::State::NetworkKey(const std::string& network_id) {
  auto [it, added] = network_key.try_emplace(network_id, 0);
  if (added) it->second = static_cast<uint32_t>(network_key.size());
  return it->second;
}

uint32_t ProfileIndex::State::FindNetwork(const std::string& network_id) const {
  auto it = network_key.find(network_id);
  return it == network_key.end() ? 0 : it->second;
}

Profile ProfileIndex::Build(State& state, uint32_t key, const ProfileRecord& record,
                            const std::vector<std::vector<std::string>>& terms,
                            Entry& entry) const {
  Profile p;
  p.key = key;
  if (!record.nace_section.empty()) p.nace_section = record.nace_section[0];
  p.nace_division = static_cast<uint8_t>(DivisionOf(record.naf_code));
  if (record.location) {
    p.location = {.latitude = static_cast<float>(record.location->first),
                  .longitude = static_cast<float>(record.location->second),
                  .known = true};
  }
  for (const std::string& n : record.networks) p.networks.push_back(state.NetworkKey(n));
  for (const std::string& n : record.charter_networks) {
    p.charter_networks.push_back(state.NetworkKey(n));
  }
  p.networks = Sorted(std::move(p.networks));
  p.charter_networks = Sorted(std::move(p.charter_networks));
  p.update_unix = absl::ToUnixSeconds(record.update_time);
  entry.organisation_id = record.organisation_id;
  entry.name = record.legal_name;
  entry.nace_division = p.nace_division;
  entry.declarations.clear();
  for (size_t i = 0; i < record.declarations.size(); ++i) {
    const v1::Declaration& d = record.declarations[i];
    if (d.state() == v1::DECLARATION_STATE_WITHDRAWN) continue;
    Declaration out;
    out.id = static_cast<uint32_t>(entry.declarations.size());
    out.type = static_cast<DeclarationType>(d.type());
    out.confidential = d.confidential();
    out.reach_km = static_cast<float>(d.reach_km());
    out.expire_unix = d.expire_time().seconds();
    for (const std::string& code : d.tags()) {
      if (std::optional<TagId> t = vocabulary_->Find(code)) out.tags.push_back(*t);
    }
    std::sort(out.tags.begin(), out.tags.end());
    out.tags.erase(std::unique(out.tags.begin(), out.tags.end()), out.tags.end());
    out.text = state.stats.Vector(terms[i]);
    entry.declarations.push_back({d.declaration_id(), d.title()});
    (d.side() == v1::SIDE_OFFER ? p.offers : p.needs).push_back(std::move(out));
  }
  return p;
}

void ProfileIndex::Load(const std::vector<ProfileRecord>& records,
                        const std::function<void(size_t, size_t)>& progress) {
  auto next = std::make_unique<State>();
  // The terms of every declaration first: the weights need every document counted.
  std::vector<std::vector<std::vector<std::string>>> terms(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    for (const v1::Declaration& d : records[i].declarations) {
      terms[i].push_back(TermsOf(d));
      next->stats.AddDocument(terms[i].back());
    }
  }
  next->entries.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    const uint32_t key = static_cast<uint32_t>(i);
    next->entries.emplace_back();
    next->key_of[records[i].organisation_id] = key;
    next->index.Upsert(Build(*next, key, records[i], terms[i], next->entries.back()));
    if (progress && (i + 1) % 10000 == 0) progress(i + 1, records.size());
  }
  if (progress) progress(records.size(), records.size());
  std::unique_lock lock(mu_);
  state_.swap(next);
}

void ProfileIndex::Upsert(const ProfileRecord& record) {
  std::vector<std::vector<std::string>> terms;
  for (const v1::Declaration& d : record.declarations) terms.push_back(TermsOf(d));
  std::unique_lock lock(mu_);
  State& s = *state_;
  for (const auto& t : terms) s.stats.AddDocument(t);
  uint32_t key;
  if (auto it = s.key_of.find(record.organisation_id); it != s.key_of.end()) {
    key = it->second;
  } else if (!s.free_keys.empty()) {
    key = s.free_keys.back();
    s.free_keys.pop_back();
  } else {
    key = static_cast<uint32_t>(s.entries.size());
    s.entries.emplace_back();
  }
  s.key_of[record.organisation_id] = key;
  s.index.Upsert(Build(s, key, record, terms, s.entries[key]));
}

void ProfileIndex::Remove(const std::string& organisation_id) {
  std::unique_lock lock(mu_);
  State& s = *state_;
  auto it = s.key_of.find(organisation_id);
  if (it == s.key_of.end()) return;
  s.index.Remove(it->second);
  s.entries[it->second] = Entry{};
  s.free_keys.push_back(it->second);
  s.key_of.erase(it);
}

size_t ProfileIndex::size() const {
  std::shared_lock lock(mu_);
  return state_->index.size();
}

bool ProfileIndex::Contains(const std::string& organisation_id) const {
  std::shared_lock lock(mu_);
  return state_->key_of.contains(organisation_id);
}

std::vector<TagId> ProfileIndex::TagsNamedBy(const std::string& text) const {
  return vocabulary_->Mentioned(Terms(text));
}

v1::NeedMatch ProfileIndex::MatchOf(const State& s, const Match& m, uint32_t need_owner,
                                    uint32_t offer_owner, bool reveal_confidential) const {
  v1::NeedMatch out;
  out.set_member_need(m.for_member);
  const Entry& needs = s.entries[need_owner];
  const Entry& offers = s.entries[offer_owner];
  const Profile* need_profile = s.index.Find(need_owner);
  bool confidential = false;
  if (need_profile != nullptr) {
    for (const Declaration& d : need_profile->needs) {
      if (d.id == m.need_id) confidential = d.confidential;
    }
  }
  if (m.need_id < needs.declarations.size() && (!confidential || reveal_confidential)) {
    out.set_need_declaration_id(needs.declarations[m.need_id].id);
    out.set_need_title(needs.declarations[m.need_id].title);
  } else if (confidential) {
    out.set_need_title("(a confidential need)");
  }
  if (m.offer_id < offers.declarations.size()) {
    out.set_offer_declaration_id(offers.declarations[m.offer_id].id);
    out.set_offer_title(offers.declarations[m.offer_id].title);
  }
  out.set_type(static_cast<v1::DeclarationType>(m.type));
  for (TagId t : m.shared_tags) out.add_shared_tags(TagCode(t));
  out.set_tag_coverage(m.tag_coverage);
  out.set_text_similarity(m.text_similarity);
  out.set_strength(m.strength);
  return out;
}

absl::StatusOr<v1::SuggestPartnersResponse> ProfileIndex::Suggest(
    const SuggestRequest& request) const {
  std::shared_lock lock(mu_);
  const State& s = *state_;
  auto member = s.key_of.find(request.organisation_id);
  if (member == s.key_of.end()) {
    return absl::FailedPreconditionError(
        "organisation_id: its profile has not reached matching yet; try again in a moment");
  }
  v1::SuggestPartnersResponse out;
  SuggestQuery query;
  query.member = member->second;
  for (const std::string& n : request.networks) {
    if (uint32_t k = s.FindNetwork(n); k != 0) query.scope.push_back(k);
  }
  if (query.scope.empty()) return out;
  query.scope = Sorted(std::move(query.scope));
  query.k = request.k;
  query.max_distance_km = request.max_distance_km;
  absl::flat_hash_set<uint32_t> excluded;
  for (const std::string& id : request.excluded) {
    if (auto it = s.key_of.find(id); it != s.key_of.end()) excluded.insert(it->second);
  }
  if (!excluded.empty()) {
    query.excluded = [&excluded](uint32_t key) { return excluded.contains(key); };
  }
  SuggestQuery::Stats stats;
  query.stats = &stats;
  std::vector<PairScore> top = s.index.Suggest(query, request.settings, request.now_unix);
  out.set_candidates_bounded(static_cast<int64_t>(stats.bounded));
  out.set_candidates_scored(static_cast<int64_t>(stats.scored));
  const Entry& me = s.entries[query.member];
  for (const PairScore& p : top) {
    const Entry& them = s.entries[p.candidate];
    v1::Suggestion* sg = out.add_suggestions();
    sg->set_organisation_id(them.organisation_id);
    sg->set_organisation_name(them.name);
    sg->set_score(p.score);
    v1::ScoreTerms* t = sg->mutable_terms();
    t->set_need_fit(p.need_fit);
    t->set_offer_fit(p.offer_fit);
    t->set_two_way(p.two_way);
    t->set_common_ground(p.common_ground);
    t->set_competitor_cut(p.competitor_cut);
    t->set_distance_factor(p.distance_factor);
    t->set_freshness_factor(p.freshness_factor);
    sg->set_complementarity(ComplementarityOf(p.complementarity));
    for (const Match& m : p.matches) {
      *sg->add_matches() =
          m.for_member ? MatchOf(s, m, query.member, p.candidate, request.reveal_confidential)
                       : MatchOf(s, m, p.candidate, query.member, false);
    }
    sg->set_distance_km(p.distance_km);
    sg->set_same_sector(p.same_sector);
    sg->set_shares_network(p.shares_network);
    sg->set_shares_charter(p.shares_charter);
    sg->set_sold_overlap(p.sold_overlap);
    std::string competition;
    const std::string divisions =
        me.nace_division == 0 || them.nace_division == 0
            ? "a NACE division unknown"
            : absl::StrFormat("NACE divisions %02d and %02d", me.nace_division, them.nace_division);
    if (p.competitor_cut > 0) {
      competition = absl::StrFormat(
          "competes: same NACE division (%02d), %.0f%% of what they sell is the same, within "
          "%.0f km; score cut by %.0f%%",
          me.nace_division, 100 * p.sold_overlap, request.settings.competitor_radius_km,
          100 * p.competitor_cut);
    } else if (!p.same_division) {
      competition = absl::StrCat("not competing: ", divisions);
    } else if (p.sold_overlap == 0) {
      competition = absl::StrFormat(
          "not competing: same NACE division (%02d) but sells none of the same things",
          me.nace_division);
    } else {
      competition = absl::StrFormat(
          "not competing: same NACE division (%02d) and some of the same offers, but more "
          "than %.0f km apart",
          me.nace_division, request.settings.competitor_radius_km);
    }
    sg->set_competition(std::move(competition));
  }
  return out;
}

v1::FindProvidersResponse ProfileIndex::FindProviders(const ProvidersRequest& request) const {
  std::vector<std::string> terms = Terms(request.text);
  std::vector<TagId> tags = request.tags;
  if (tags.empty() && !request.text.empty()) tags = vocabulary_->Mentioned(terms);
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  v1::FindProvidersResponse out;
  for (TagId t : tags) out.add_tags(TagCode(t));

  std::shared_lock lock(mu_);
  const State& s = *state_;
  const uint32_t network = s.FindNetwork(request.network_id);
  if (network == 0) return out;
  // What is asked, as a need of every type: any offer that answers it, whatever its type.
  Profile asked;
  asked.key = kNoKey;
  asked.location = request.has_area ? request.center : GeoPoint{};
  for (int type = 1; type <= kDeclarationTypes; ++type) {
    Declaration need;
    need.id = 0;
    need.type = static_cast<DeclarationType>(type);
    need.tags = tags;
    need.text = s.stats.Vector(terms);
    asked.needs.push_back(std::move(need));
  }
  struct Found {
    uint32_t key;
    double strength;
    double km;
    std::vector<Match> offers;
  };
  std::vector<Found> found;
  for (uint32_t key : s.index.Candidates(asked, true, false, request.now_unix)) {
    const Profile* giver = s.index.Find(key);
    if (giver == nullptr ||
        !std::binary_search(giver->networks.begin(), giver->networks.end(), network)) {
      continue;
    }
    const double km = request.has_area ? DistanceKm(request.center, giver->location) : -1;
    if (request.has_area && request.radius_km > 0 && (km < 0 || km > request.radius_km)) {
      continue;
    }
    Found f{.key = key, .strength = 0, .km = km, .offers = {}};
    for (const Declaration& need : asked.needs) {
      Match m = BestOffer(need, *giver, km, request.settings, request.now_unix);
      if (m.strength <= 0) continue;
      f.strength = std::max<double>(f.strength, m.strength);
      f.offers.push_back(std::move(m));
    }
    if (f.strength > 0) found.push_back(std::move(f));
  }
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    if (a.strength != b.strength) return a.strength > b.strength;
    if (a.km != b.km) return a.km < b.km;
    return a.key < b.key;
  });
  if (static_cast<int>(found.size()) > request.limit) found.resize(request.limit);
  for (Found& f : found) {
    std::sort(f.offers.begin(), f.offers.end(),
              [](const Match& a, const Match& b) { return a.strength > b.strength; });
    v1::Provider* p = out.add_providers();
    p->set_organisation_id(s.entries[f.key].organisation_id);
    p->set_organisation_name(s.entries[f.key].name);
    p->set_strength(f.strength);
    p->set_distance_km(f.km);
    for (const Match& m : f.offers) {
      v1::NeedMatch shown;
      const Entry& e = s.entries[f.key];
      if (m.offer_id < e.declarations.size()) {
        shown.set_offer_declaration_id(e.declarations[m.offer_id].id);
        shown.set_offer_title(e.declarations[m.offer_id].title);
      }
      shown.set_type(static_cast<v1::DeclarationType>(m.type));
      for (TagId t : m.shared_tags) shown.add_shared_tags(TagCode(t));
      shown.set_tag_coverage(m.tag_coverage);
      shown.set_text_similarity(m.text_similarity);
      shown.set_strength(m.strength);
      *p->add_offers() = std::move(shown);
    }
  }
  return out;
}

absl::StatusOr<v1::Consortium> ProfileIndex::BuildConsortium(
    const ConsortiumRequest& request) const {
  std::shared_lock lock(mu_);
  const State& s = *state_;
  const uint32_t network = s.FindNetwork(request.network_id);
  ConsortiumQuery query;
  query.scope = {network};
  query.requirements = request.requirements;
  query.max_size = request.max_size;
  if (request.has_area) {
    query.center = request.center;
    query.radius_km = request.radius_km;
  }
  for (size_t i = 0; i < request.must_include.size(); ++i) {
    auto it = s.key_of.find(request.must_include[i]);
    const Profile* p = it == s.key_of.end() ? nullptr : s.index.Find(it->second);
    if (network == 0 || p == nullptr ||
        !std::binary_search(p->networks.begin(), p->networks.end(), network)) {
      return InvalidField(absl::StrCat("must_include_organisation_ids[", i, "]"),
                          "not an active member of the network");
    }
    query.must_include.push_back(it->second);
  }
  v1::Consortium out;
  if (network == 0) {
    for (const Requirement& r : request.requirements) out.add_missing(TagCode(r.tag));
    return out;
  }
  absl::StatusOr<Consortium> team =
      matching::BuildConsortium(s.index, query, request.settings, request.now_unix);
  if (!team.ok()) return team.status();
  const absl::flat_hash_set<uint32_t> required(query.must_include.begin(),
                                               query.must_include.end());
  absl::flat_hash_map<uint32_t, std::vector<std::string>> covers;
  for (size_t r = 0; r < team->covered_by.size(); ++r) {
    v1::RequirementCoverage* c = out.add_coverage();
    c->set_tag(TagCode(request.requirements[r].tag));
    c->set_weight(request.requirements[r].weight);
    for (uint32_t k : team->covered_by[r]) {
      c->add_organisation_ids(s.entries[k].organisation_id);
      covers[k].push_back(c->tag());
    }
  }
  for (uint32_t k : team->members) {
    v1::ConsortiumMember* m = out.add_members();
    m->set_organisation_id(s.entries[k].organisation_id);
    m->set_organisation_name(s.entries[k].name);
    for (const std::string& tag : covers[k]) m->add_covers(tag);
    m->set_required(required.contains(k));
  }
  for (int r : team->missing) out.add_missing(TagCode(request.requirements[r].tag));
  out.set_coverage_ratio(team->total_weight > 0 ? team->covered_weight / team->total_weight : 0);
  for (const auto& [a, b] : team->required_competitors) {
    out.add_required_competitors(
        absl::StrCat(s.entries[a].organisation_id, "/", s.entries[b].organisation_id));
  }
  return out;
}

v1::FindExchangeCyclesResponse ProfileIndex::FindExchangeCycles(const std::string& network_id,
                                                                int max_length, int limit,
                                                                const ScoreSettings& settings,
                                                                int64_t now_unix) const {
  std::shared_lock lock(mu_);
  const State& s = *state_;
  v1::FindExchangeCyclesResponse out;
  const uint32_t network = s.FindNetwork(network_id);
  if (network == 0) return out;
  ExchangeCycles found = matching::FindExchangeCycles(
      s.index, network, {.max_length = max_length, .limit = limit}, settings, now_unix);
  out.set_truncated(found.truncated);
  for (const ExchangeCycle& c : found.cycles) {
    v1::ExchangeCycle* shown = out.add_cycles();
    for (uint32_t k : c.members) {
      shown->add_organisation_ids(s.entries[k].organisation_id);
      shown->add_organisation_names(s.entries[k].name);
    }
    for (size_t i = 0; i < c.links.size(); ++i) {
      const uint32_t giver = c.members[i];
      const uint32_t taker = c.members[(i + 1) % c.members.size()];
      *shown->add_links() = MatchOf(s, c.links[i], taker, giver, false);
    }
    shown->set_strength(c.strength);
  }
  return out;
}

}  // namespace maillage::matching
