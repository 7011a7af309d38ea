// services/reporting/reporting_store: the read models of the reporting service in its own
// PostgreSQL, fed by the events of membership (who is in which network, in which role, names,
// sectors and sizes), matching (introductions and their outcomes) and assessment (who
// submitted, pooling decisions), the queries of the reports over them, and what the service
// owns: animation events, collective actions and their funding, settings, and the figures
// given to funders.
//
//   ReportingStore store(pg_pool);
//   MAILLAGE_RETURN_IF_ERROR(store.ApplyMembership(event));   // from the consumers
//   absl::StatusOr<FunnelCounts> f = store.Funnel(network_id, period);
//
// Each event is applied once (events::MarkProcessed under "reporting.<service>", in the
// same transaction); a row holds the version of what it copies and a late event changes
// nothing.
#ifndef MAILLAGE_SERVICES_REPORTING_REPORTING_STORE_H_
#define MAILLAGE_SERVICES_REPORTING_REPORTING_STORE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/paging/paging.h"
#include "maillage/reporting/v1/reporting.pb.h"
#include "services/reporting/domain/disclosure.h"
#include "services/reporting/domain/sign_in_sheet.h"

namespace maillage::pg {
class PgPool;
}  // namespace maillage::pg
namespace maillage::membership::v1 {
class MembershipEvent;
}  // namespace maillage::membership::v1
namespace maillage::matching::v1 {
class MatchingEvent;
}  // namespace maillage::matching::v1
namespace maillage::assessment::v1 {
class AssessmentEvent;
}  // namespace maillage::assessment::v1

namespace maillage::reporting {

struct NetworkSnapshot;

// The consumer group of this service on the other services' streams.
inline constexpr char kConsumerGroup[] = "reporting";

// [start, end): absl::InfinitePast() / absl::InfiniteFuture() when open.
struct TimeRange {
  absl::Time start = absl::InfinitePast();
  absl::Time end = absl::InfiniteFuture();
};

struct FunnelCounts {
  int64_t requested = 0, accepted = 0, met = 0, letter_of_intent = 0, contract = 0;
  int64_t declined = 0, no_follow_up = 0, pending = 0;
};

struct Member {
  std::string organisation_id;
  std::string name;
};

// An accepted introduction between two active members.
struct Link {
  std::string a, b;  // a < b
  int outcome = 0;   // the furthest outcome of their introductions (IntroductionOutcome)
  int introductions = 0;
};

struct Activity {
  std::string organisation_id;
  int requested = 0, received = 0, answered = 0, accepted = 0, outcomes = 0, assessments = 0;
  int attended = 0;        // animation events that started within the range
  int working_groups = 0;  // groups of the network it belongs to now
  int sponsored = 0;       // co-optations it sponsored within the range
};

// An active member (funders left out) as the funder report breaks it down.
struct MemberProfile {
  std::string organisation_id;
  std::string nace_section;  // "" when unknown
  int headcount_band = 0;    // membership.v1.HeadcountBand
};

// What the funder report counts over a period, read in one transaction.
struct FunderFacts {
  // The active members (funders left out).
  std::vector<MemberProfile> members;
  // Those with an introduction asked, received or answered, an assessment submitted or an
  // animation event attended in the period (GetEngagement's "not isolated").
  std::vector<std::string> took_part;
  int64_t events_held = 0;             // not cancelled, started within the period
  int64_t attendances = 0;             // (event, organisation) pairs
  std::vector<std::string> attendees;  // distinct
  // Introductions requested in the period that reached each stage ("requested", "accepted",
  // "met", "letter_of_intent", "contract"), and the organisations involved in them.
  struct Stage {
    int64_t introductions = 0;
    std::vector<std::string> involved;
  };
  std::map<std::string, Stage> stages;
};

// Function x disposition counts of a campaign's latest submissions (active members only).
struct HeatmapFacts {
  std::string campaign_id;  // "" when the network has no submission at all
  struct Cell {
    std::string function_code;
    int disposition = 0;  // assessment.v1.Disposition
    int members = 0;
    int willing_to_pool = 0;
  };
  std::vector<Cell> cells;  // by function, then disposition
};

template <typename T>
struct Listed {
  std::vector<T> items;
  std::vector<std::string> next_after;  // empty: the last page
};

class ReportingStore {
 public:
  explicit ReportingStore(pg::PgPool* pool) : pool_(pool) {}

  // Events of the three streams. A payload-level problem (ids not UUIDs) is
  // INVALID_ARGUMENT (the consumer retries, then dead-letters it); other kinds are marked and
  // ignored.
  absl::Status ApplyMembership(const membership::v1::MembershipEvent& event);
  absl::Status ApplyMatching(const matching::v1::MatchingEvent& event);
  absl::Status ApplyAssessment(const assessment::v1::AssessmentEvent& event);
  // What the services' list APIs say of a network (the rebuild), in one transaction, by the
  // same rules as the events: a row moves to a newer version only, so a snapshot read while
  // events flowed leaves the newest of both. INVALID_ARGUMENT for ids that are not UUIDs.
  absl::Status ApplySnapshot(const NetworkSnapshot& snapshot);
  // ANALYZE of the read models, after a rebuild wrote many rows at once: the reports' plans
  // need the tables' statistics (without them, a report over 2,000 members takes seconds).
  absl::Status RefreshStatistics();

  // Introductions of the network requested within `range`.
  absl::StatusOr<FunnelCounts> Funnel(const std::string& network_id, const TimeRange& range);
  // The pooling heatmap of `campaign_id` (empty: the campaign last submitted to), from
  // assessment's events; a campaign of another network, or none, gives no cell.
  absl::StatusOr<HeatmapFacts> Heatmap(const std::string& network_id,
                                       const std::string& campaign_id);
  // The network's name as membership last said it; "" when it never did.
  absl::StatusOr<std::string> NetworkName(const std::string& network_id);
  // The network's ACTIVE members, by name then id.
  absl::StatusOr<std::vector<Member>> ActiveMembers(const std::string& network_id);
  // Accepted introductions requested within `range` between two ACTIVE members, per pair.
  absl::StatusOr<std::vector<Link>> Links(const std::string& network_id, const TimeRange& range);
  // What each ACTIVE member did within `range` (members who did nothing are left out).
  absl::StatusOr<std::vector<Activity>> Activities(const std::string& network_id,
                                                   const TimeRange& range);

  // ---- Animation events (the handlers validated the draft) ----
  absl::StatusOr<v1::AnimationEvent> CreateEvent(const std::string& network_id,
                                                 v1::AnimationEvent draft, const std::string& actor,
                                                 const std::string& idempotency_key);
  // NOT_FOUND "event not found".
  absl::StatusOr<v1::AnimationEvent> Event(const std::string& event_id);
  // Not cancelled, starting at or after `from`, soonest first; keyset (start_time, id). Only
  // the meetings of `working_group_id` unless it is empty.
  absl::StatusOr<Listed<v1::AnimationEvent>> ListEvents(const std::string& network_id,
                                                        const std::string& working_group_id,
                                                        absl::Time from, const PageQuery& page);
  // NOT_FOUND "event not found" also when the organisation is not an ACTIVE member of the
  // event's network (the event is not its to see); FAILED_PRECONDITION when the event is
  // full, has started or was cancelled.
  absl::StatusOr<v1::AnimationEvent> Register(const std::string& event_id,
                                              const std::string& organisation_id, absl::Time now);
  absl::StatusOr<v1::AnimationEvent> CancelRegistration(const std::string& event_id,
                                                        const std::string& organisation_id);
  // FAILED_PRECONDITION before the event starts; INVALID_ARGUMENT naming
  // attended_organisation_ids[i] for one that is not an ACTIVE member of the network.
  // A working group's meeting: FAILED_PRECONDITION on Register for a company not in it.
  absl::StatusOr<v1::AnimationEvent> RecordAttendance(const std::string& event_id,
                                                      const std::vector<std::string>& attended,
                                                      const std::string& outcomes, absl::Time now);

  // The ACTIVE members of the event's network as a sign-in sheet names them.
  absl::StatusOr<std::vector<SheetMember>> SheetMembers(const std::string& network_id);

  // ---- Working groups (working_group_store.cc) ----
  // INVALID_ARGUMENT naming group.member_organisation_ids[i] (not an active member);
  // ALREADY_EXISTS naming group.name when the network has a group of that name.
  absl::StatusOr<v1::WorkingGroup> CreateGroup(const std::string& network_id,
                                               v1::WorkingGroup draft, const std::string& actor,
                                               const std::string& idempotency_key);
  // NOT_FOUND "working group not found".
  absl::StatusOr<v1::WorkingGroup> Group(const std::string& group_id);
  // By name (case ignored), then id.
  absl::StatusOr<Listed<v1::WorkingGroup>> ListGroups(const std::string& network_id,
                                                      const PageQuery& page);
  // NOT_FOUND "working group not found" also when the organisation is not an ACTIVE member
  // of the group's network. Joining twice, or leaving a group one is not in, is a no-op.
  absl::StatusOr<v1::WorkingGroup> JoinGroup(const std::string& group_id,
                                             const std::string& organisation_id);
  absl::StatusOr<v1::WorkingGroup> LeaveGroup(const std::string& group_id,
                                              const std::string& organisation_id);

  // ---- Collective actions (collective_action_store.cc; the handlers validated the draft) ----
  // INVALID_ARGUMENT naming participant_organisation_ids[i] (not an active member) or
  // decision_ids[i] (not a pooling decision of the network).
  absl::StatusOr<v1::CollectiveAction> CreateAction(const std::string& network_id,
                                                    v1::CollectiveAction draft,
                                                    const std::string& actor,
                                                    const std::string& idempotency_key);
  // ABORTED when draft.version() is not the stored one; NOT_FOUND "action not found".
  absl::StatusOr<v1::CollectiveAction> UpdateAction(const v1::CollectiveAction& draft);
  absl::StatusOr<v1::CollectiveAction> Action(const std::string& action_id);
  // Latest year first, then by id; `year` 0: all.
  absl::StatusOr<Listed<v1::CollectiveAction>> ListActions(const std::string& network_id, int year,
                                                           const PageQuery& page);
  // Not abandoned, of years first..last (both 0: all), oldest year first.
  absl::StatusOr<std::vector<v1::CollectiveAction>> ActionsOfYears(const std::string& network_id,
                                                                   int first_year, int last_year);
  // The network's settings, or the defaults (version 0).
  absl::StatusOr<v1::ReportingSettings> Settings(const std::string& network_id);
  // ABORTED when settings.version() is not the stored one.
  absl::StatusOr<v1::ReportingSettings> UpdateSettings(const v1::ReportingSettings& settings);

  // ---- The funder report (funder_store.cc) ----
  absl::StatusOr<FunderFacts> FunderFactsOf(const std::string& network_id, const TimeRange& range);
  // The verdicts of domain/disclosure.h on `figures` against every figure given earlier for
  // the network; the figures given are remembered in the same transaction, under a lock of
  // the network so that two reports at once are judged one after the other.
  // A funder_report_given event records who got it and for which period.
  absl::StatusOr<std::vector<Verdict>> Disclose(const std::string& network_id,
                                                const std::vector<DisclosedFigure>& figures,
                                                int min_group_size, const v1::Period& period,
                                                const std::string& actor);

 private:
  pg::PgPool* pool_;
};

}  // namespace maillage::reporting

#endif  // MAILLAGE_SERVICES_REPORTING_REPORTING_STORE_H_
