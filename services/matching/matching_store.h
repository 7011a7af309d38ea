// services/matching/matching_store: the matching service's PostgreSQL data: what membership's
// events said of organisations and networks, the offers and needs members declare, blocks,
// introductions and each network's settings. Every change enqueues its events in the same
// transaction (maillage.matching.events); a change to what an organisation is matched with
// also enqueues profile_changed, which every replica follows to reload that profile into its
// partner index (profile_index.h).
//
//   MatchingStore store(pg_pool, absl::Now);
//   absl::StatusOr<v1::Declaration> d = store.CreateDeclaration(org_id, draft, actor, key);
//   absl::StatusOr<std::vector<ProfileRecord>> all = store.Profiles({});  // the index's start
//
// Inputs are validated by the handlers; the store checks what needs the data (versions,
// states, who is in which network). Errors: NOT_FOUND for a missing row, ABORTED for a stale
// version, FAILED_PRECONDITION for a state that forbids the change, UNAVAILABLE when
// PostgreSQL is down (pg::StatusFromException).
#ifndef MAILLAGE_SERVICES_MATCHING_MATCHING_STORE_H_
#define MAILLAGE_SERVICES_MATCHING_MATCHING_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/paging/paging.h"
#include "maillage/matching/v1/matching.pb.h"

namespace maillage::pg {
class PgPool;
}  // namespace maillage::pg
namespace maillage::membership::v1 {
class MembershipEvent;
}  // namespace maillage::membership::v1

namespace maillage::matching {

// The consumer group (and MarkProcessed scope) of this service on membership's stream.
inline constexpr char kMembershipConsumerGroup[] = "matching";

// Everything the partner index needs of one organisation.
struct ProfileRecord {
  std::string organisation_id;
  std::string legal_name;
  std::string naf_code;                               // "43.91A"
  std::string nace_section;                           // "F"
  std::optional<std::pair<double, double>> location;  // latitude, longitude
  std::vector<std::string> networks;                  // where it is an ACTIVE member
  std::vector<std::string> charter_networks;          // of those, whose charter it signed
  std::vector<v1::Declaration> declarations;          // not withdrawn (expired included)
  absl::Time update_time;
};

// A list's page: the items, and the sort key after which the next page starts (empty: last).
template <typename T>
struct Listed {
  std::vector<T> items;
  std::vector<std::string> next_after;
};

class MatchingStore {
 public:
  MatchingStore(pg::PgPool* pool, std::function<absl::Time()> clock)
      : pool_(pool), clock_(std::move(clock)) {}

  // One event of membership's stream, applied once (MarkProcessed under "matching"); an
  // event older than the version held changes nothing. Returns the organisations whose
  // profile changed (their profile_changed is enqueued), empty for a redelivery.
  absl::StatusOr<std::vector<std::string>> ApplyMembershipEvent(
      const membership::v1::MembershipEvent& event);

  // A pooling decision of the assessment service, applied once (event_id, under
  // "matching.assessment"): each participant gets (or keeps, updated) a pooling need keyed by
  // `source` ("assessment:<campaign>:<function>", so that a new decision for the function
  // replaces it); a former participant's is withdrawn. No participants: all are withdrawn.
  // Returns the organisations whose profile changed.
  struct PoolingNeed {
    std::string source;
    std::vector<std::string> participants;
    std::vector<std::string> tags;
    std::string title;
    std::string description;
  };
  absl::StatusOr<std::vector<std::string>> ApplyPoolingDecision(const std::string& event_id,
                                                                const PoolingNeed& need,
                                                                const std::string& actor);

  // ---- Declarations (the handler validated the draft and its tags) ----
  absl::StatusOr<v1::Declaration> CreateDeclaration(const std::string& organisation_id,
                                                    v1::Declaration draft, const std::string& actor,
                                                    const std::string& idempotency_key);
  absl::StatusOr<v1::Declaration> UpdateDeclaration(const v1::Declaration& changed,
                                                    const std::string& actor);
  absl::StatusOr<v1::Declaration> WithdrawDeclaration(const std::string& declaration_id,
                                                      const std::string& actor);
  absl::StatusOr<v1::Declaration> RenewDeclaration(const std::string& declaration_id,
                                                   absl::Time expire_time,
                                                   const std::string& actor);
  absl::StatusOr<v1::Declaration> Declaration(const std::string& declaration_id);

  struct DeclarationFilter {
    std::string organisation_id = {};  // empty: any member of network_id
    std::string network_id = {};       // empty: any (organisation_id required)
    v1::Side side = v1::SIDE_UNSPECIFIED;
    bool include_inactive = false;  // withdrawn and expired
    bool include_confidential = false;
  };
  // By creation, oldest first; keyset on (create_time, declaration_id).
  absl::StatusOr<Listed<v1::Declaration>> ListDeclarations(const DeclarationFilter& filter,
                                                           const PageQuery& page);
  // The network's active members' declarations (not withdrawn) expiring before `until`,
  // soonest first.
  absl::StatusOr<Listed<v1::ExpiringDeclaration>> ExpiringDeclarations(
      const std::string& network_id, absl::Time until, const PageQuery& page);

  // ---- What the index reads ----
  // The profiles of `organisation_ids`, or of every organisation when empty. An id without
  // a row is left out.
  absl::StatusOr<std::vector<ProfileRecord>> Profiles(
      const std::vector<std::string>& organisation_ids);
  // The networks where the organisation is an ACTIVE member.
  absl::StatusOr<std::vector<std::string>> ActiveNetworksOf(const std::string& organisation_id);
  // Organisations the member must never be shown: blocked either way, or that declined an
  // introduction it asked for (or it declined theirs) less than `cooling` ago.
  absl::StatusOr<std::vector<std::string>> Excluded(const std::string& organisation_id,
                                                    absl::Duration cooling);
  // Legal names by id (ids without a row are left out).
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Names(
      const std::vector<std::string>& organisation_ids);

  // ---- Blocks ----
  absl::StatusOr<v1::Block> AddBlock(const std::string& organisation_id,
                                     const std::string& blocked_organisation_id);
  // NOT_FOUND when there was no such block.
  absl::Status RemoveBlock(const std::string& organisation_id,
                           const std::string& blocked_organisation_id);
  absl::StatusOr<std::vector<v1::Block>> Blocks(const std::string& organisation_id);

  // ---- Introductions ----
  // FAILED_PRECONDITION when the two do not both belong (ACTIVE) to the network, when either
  // blocked the other, or the recipient declined the requester within `cooling`. An open
  // request of the same pair in the network is returned as it is.
  absl::StatusOr<v1::Introduction> RequestIntroduction(const v1::Introduction& draft,
                                                       absl::Duration cooling,
                                                       const std::string& actor,
                                                       const std::string& idempotency_key);
  absl::StatusOr<v1::Introduction> Introduction(const std::string& introduction_id);
  // FAILED_PRECONDITION unless it is REQUESTED; the same answer again is a no-op.
  absl::StatusOr<v1::Introduction> RespondToIntroduction(const std::string& introduction_id,
                                                         bool accept, const std::string& note,
                                                         const std::string& actor);
  // FAILED_PRECONDITION unless ACCEPTED, after NO_FOLLOW_UP, or going backwards; the same
  // stage again is a no-op.
  absl::StatusOr<v1::Introduction> RecordIntroductionOutcome(const std::string& introduction_id,
                                                             v1::IntroductionOutcome outcome,
                                                             const std::string& actor);
  // Newest first; keyset on (request_time, introduction_id) descending. One of the two.
  absl::StatusOr<Listed<v1::Introduction>> ListIntroductions(const std::string& organisation_id,
                                                             const std::string& network_id,
                                                             const PageQuery& page);

  // ---- Settings (defaults filled in) ----
  absl::StatusOr<v1::MatchingSettings> Settings(const std::string& network_id);
  // Values of 0 restore the default.
  absl::StatusOr<v1::MatchingSettings> UpdateSettings(const std::string& network_id,
                                                      const v1::MatchingSettings& settings,
                                                      const std::string& actor);

 private:
  pg::PgPool* pool_;
  std::function<absl::Time()> clock_;
};

// The defaults of MatchingSettings (matching.proto) for the values left 0.
v1::MatchingSettings WithDefaults(v1::MatchingSettings settings);

}  // namespace maillage::matching

#endif  // MAILLAGE_SERVICES_MATCHING_MATCHING_STORE_H_
