// services/matching/profile_index: this replica's partner index (domain/partner_index.h) over
// the profiles of matching_store.h, and the answers of the ranking RPCs with names, ids and
// reasons, as matching.proto shows them.
//
// Built at start from every profile in PostgreSQL (Load, with progress in the log), then
// kept current profile by profile (Upsert) as the stream maillage.matching.events says
// which changed. Thread-safe: queries share a reader lock, changes take the writer lock
// for the time of swapping one profile in.
//
//   ProfileIndex index(&vocabulary);
//   index.Load(*store.Profiles({}));
//   absl::StatusOr<v1::SuggestPartnersResponse> r = index.Suggest({.organisation_id = id, ...});
//
// Free text: each declaration's title and description become terms (domain/text.h), weighed
// by TF-IDF over every declaration loaded. Statistics grow as profiles change and are
// recomputed whole by Load (the service reloads periodically), so that weights drift little.
#ifndef MAILLAGE_SERVICES_MATCHING_PROFILE_INDEX_H_
#define MAILLAGE_SERVICES_MATCHING_PROFILE_INDEX_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "maillage/matching/v1/matching.pb.h"
#include "services/matching/domain/consortium.h"
#include "services/matching/domain/partner_index.h"
#include "services/matching/domain/term_weights.h"
#include "services/matching/domain/vocabulary.h"
#include "services/matching/matching_store.h"

namespace maillage::matching {

// The score's settings of a network's MatchingSettings (defaults filled in).
ScoreSettings ScoreSettingsOf(const v1::MatchingSettings& settings);

class ProfileIndex {
 public:
  explicit ProfileIndex(const Vocabulary* vocabulary) : vocabulary_(vocabulary) {}

  // Replaces every profile; `progress` is told (done, total) every 10,000 profiles.
  void Load(const std::vector<ProfileRecord>& records,
            const std::function<void(size_t, size_t)>& progress = nullptr);
  // Adds or replaces one profile.
  void Upsert(const ProfileRecord& record);
  void Remove(const std::string& organisation_id);
  size_t size() const;
  bool Contains(const std::string& organisation_id) const;

  struct SuggestRequest {
    std::string organisation_id;
    std::vector<std::string> networks;  // the scope (not empty)
    int k = 20;
    double max_distance_km = 0;
    absl::flat_hash_set<std::string> excluded = {};
    ScoreSettings settings = {};
    int64_t now_unix = 0;
    // The member's confidential needs named in the reasons (its own representatives).
    bool reveal_confidential = false;
  };
  // FAILED_PRECONDITION when the member has no profile yet (no event about it arrived).
  absl::StatusOr<v1::SuggestPartnersResponse> Suggest(const SuggestRequest& request) const;

  struct ProvidersRequest {
    std::string network_id;
    std::vector<TagId> tags;
    std::string text;
    bool has_area = false;
    GeoPoint center = {};
    double radius_km = 0;
    int limit = 20;
    ScoreSettings settings = {};
    int64_t now_unix = 0;
  };
  v1::FindProvidersResponse FindProviders(const ProvidersRequest& request) const;

  struct ConsortiumRequest {
    std::string network_id;
    std::vector<Requirement> requirements;
    int max_size = 5;
    bool has_area = false;
    GeoPoint center = {};
    double radius_km = 0;
    std::vector<std::string> must_include;
    ScoreSettings settings = {};
    int64_t now_unix = 0;
  };
  // INVALID_ARGUMENT naming must_include_organisation_ids[i] for one without a profile in
  // the network.
  absl::StatusOr<v1::Consortium> BuildConsortium(const ConsortiumRequest& request) const;

  v1::FindExchangeCyclesResponse FindExchangeCycles(const std::string& network_id, int max_length,
                                                    int limit, const ScoreSettings& settings,
                                                    int64_t now_unix) const;

  // The tags a free text names (for FindProviders and ListCompetencies).
  std::vector<TagId> TagsNamedBy(const std::string& text) const;

 private:
  struct DeclarationInfo {
    std::string id;
    std::string title;
  };
  struct Entry {
    std::string organisation_id;
    std::string name;
    int nace_division = 0;
    std::vector<DeclarationInfo> declarations;  // by handle
  };

  // Everything Load replaces at once.
  struct State {
    PartnerIndex index;
    TermStatistics stats;
    absl::flat_hash_map<std::string, uint32_t> key_of;
    std::vector<Entry> entries;                                 // by key
    std::vector<uint32_t> free_keys;                            // of removed profiles
    absl::flat_hash_map<std::string, uint32_t> network_key;     // from 1
    uint32_t NetworkKey(const std::string& network_id);         // allocating
    uint32_t FindNetwork(const std::string& network_id) const;  // 0: unknown
  };

  // The domain profile of `record` under `key`, its texts weighed by `terms` (one list per
  // declaration, as Terms gives them).
  Profile Build(State& state, uint32_t key, const ProfileRecord& record,
                const std::vector<std::vector<std::string>>& terms, Entry& entry) const;
  v1::NeedMatch MatchOf(const State& state, const Match& m, uint32_t need_owner,
                        uint32_t offer_owner, bool reveal_confidential) const;
  std::string TagCode(TagId tag) const { return vocabulary_->tag(tag).code; }

  const Vocabulary* vocabulary_;
  mutable std::shared_mutex mu_;
  std::unique_ptr<State> state_ = std::make_unique<State>();
};

}  // namespace maillage::matching

#endif  // MAILLAGE_SERVICES_MATCHING_PROFILE_INDEX_H_
