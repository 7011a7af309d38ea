#include "services/reporting/reporting_store.h"

#include <optional>
#include <pqxx/pqxx>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/ids/canonical_ids.h"
#include "common/pg/idempotency.h"
#include "common/pg/in_transaction.h"
#include "common/pg/keyset.h"
#include "common/pg/pg.h"
#include "common/pg/pg_time.h"
#include "common/status/status.h"
#include "maillage/assessment/v1/assessment.pb.h"
#include "maillage/auth/v1/principal.pb.h"
#include "maillage/matching/v1/matching.pb.h"
#include "maillage/membership/v1/events.pb.h"
#include "services/reporting/network_snapshot.h"
#include "services/reporting/store_support.h"

namespace maillage::reporting {
namespace {

using pg::InTransaction;

namespace mv1 = ::maillage::membership::v1;
namespace xv1 = ::maillage::matching::v1;
namespace av1 = ::maillage::assessment::v1;

// Funders are not members: the queries below leave them out with "role <> 6"
// (store_support.h).
using store::kActive;

const std::string& EventColumns() {
  static const std::string* columns = new std::string(absl::StrCat(
      "e.event_id::text, e.network_id::text, e.kind, e.title, e.theme, ",
      pg::MicrosOf("e.start_time"), ", ", pg::MicrosOf("e.end_time"),
      ", e.place, e.link, coalesce(e.organiser_organisation_id::text, ''), e.capacity, "
      "e.outcomes, e.cancelled, ",
      pg::MicrosOf("e.create_time"), ", coalesce(e.working_group_id::text, '')"));
  return *columns;
}

v1::AnimationEvent ReadEvent(const pqxx::row& r) {
  v1::AnimationEvent e;
  e.set_event_id(r[0].as<std::string>());
  e.set_network_id(r[1].as<std::string>());
  e.set_kind(static_cast<v1::AnimationEventKind>(r[2].as<int>()));
  e.set_title(r[3].as<std::string>());
  e.set_theme(r[4].as<std::string>());
  pg::SetFromMicros(e.mutable_start_time(), r[5].as<int64_t>());
  pg::SetFromMicros(e.mutable_end_time(), r[6].as<int64_t>());
  e.set_place(r[7].as<std::string>());
  e.set_link(r[8].as<std::string>());
  e.set_organiser_organisation_id(r[9].as<std::string>());
  e.set_capacity(r[10].as<int>());
  e.set_outcomes(r[11].as<std::string>());
  e.set_cancelled(r[12].as<bool>());
  pg::SetFromMicros(e.mutable_create_time(), r[13].as<int64_t>());
  e.set_working_group_id(r[14].as<std::string>());
  return e;
}

// The events of `ids` with their registrations and attendance, in the order of `ids` (those
// not found left out): three statements whatever the count.
std::vector<v1::AnimationEvent> FetchEvents(pqxx::work& tx, const std::vector<std::string>& ids,
                                            bool for_update) {
  std::vector<v1::AnimationEvent> out;
  if (ids.empty()) return out;
  const std::string array = pg::TextArray(ids);
  absl::flat_hash_map<std::string, v1::AnimationEvent> by_id;
  for (const pqxx::row& r :
       tx.exec_params(absl::StrCat("SELECT ", EventColumns(),
                                   " FROM animation_events e WHERE e.event_id = ANY($1::uuid[])",
                                   for_update ? " FOR UPDATE" : ""),
                      array)) {
    v1::AnimationEvent e = ReadEvent(r);
    std::string id = e.event_id();
    by_id.emplace(std::move(id), std::move(e));
  }
  for (const pqxx::row& row :
       tx.exec_params("SELECT event_id::text, organisation_id::text FROM event_registrations "
                      "WHERE event_id = ANY($1::uuid[]) ORDER BY event_id, create_time, "
                      "organisation_id",
                      array)) {
    auto it = by_id.find(row[0].as<std::string>());
    if (it != by_id.end()) it->second.add_registered_organisation_ids(row[1].as<std::string>());
  }
  for (const pqxx::row& row :
       tx.exec_params("SELECT event_id::text, organisation_id::text FROM event_attendance WHERE "
                      "event_id = ANY($1::uuid[]) ORDER BY event_id, organisation_id",
                      array)) {
    auto it = by_id.find(row[0].as<std::string>());
    if (it != by_id.end()) it->second.add_attended_organisation_ids(row[1].as<std::string>());
  }
  for (const std::string& id : ids) {
    auto it = by_id.find(id);
    if (it != by_id.end()) out.push_back(std::move(it->second));
  }
  return out;
}

// The event with its registrations and attendance; NOT_FOUND when there is none.
absl::StatusOr<v1::AnimationEvent> FetchEvent(pqxx::work& tx, const std::string& id,
                                              bool for_update) {
  std::vector<v1::AnimationEvent> found = FetchEvents(tx, {id}, for_update);
  if (found.empty()) return absl::NotFoundError("event not found");
  return std::move(found.front());
}

// An optional time column: NULL when the message does not have it.
std::optional<std::string> PgTimeIf(bool has, const google::protobuf::Timestamp& t) {
  if (!has || (t.seconds() == 0 && t.nanos() == 0)) return std::nullopt;
  return pg::TimeParam(t);
}

// The upserts the events and the rebuild share: a row moves to a newer version only.
void UpsertMember(pqxx::work& tx, const mv1::Membership& m) {
  tx.exec_params(
      "INSERT INTO members (network_id, organisation_id, state, role, version) VALUES "
      "($1::uuid, $2::uuid, $3, $5, $4) ON CONFLICT (network_id, organisation_id) DO "
      "UPDATE SET state = EXCLUDED.state, role = EXCLUDED.role, version = "
      "EXCLUDED.version WHERE members.version < EXCLUDED.version",
      m.network_id(), m.organisation_id(), static_cast<int>(m.state()), m.version(),
      static_cast<int>(m.role()));
  if (!m.organisation_name().empty()) {
    tx.exec_params(
        "INSERT INTO organisation_names (organisation_id, name) VALUES ($1::uuid, $2) "
        "ON CONFLICT (organisation_id) DO NOTHING",
        m.organisation_id(), m.organisation_name());
  }
  // A sponsorship, once given, stays: each event carries them all.
  for (const mv1::Sponsorship& s : m.sponsorships()) {
    if (!IsUuid(s.sponsor_organisation_id())) continue;
    tx.exec_params(
        "INSERT INTO sponsorships (network_id, organisation_id, sponsor_organisation_id, "
        "sponsor_time) VALUES ($1::uuid, $2::uuid, $3::uuid, $4::timestamptz) ON CONFLICT DO "
        "NOTHING",
        m.network_id(), m.organisation_id(), s.sponsor_organisation_id(),
        pg::TimeParam(s.sponsor_time()));
  }
}

void UpsertNetwork(pqxx::work& tx, const mv1::Network& n) {
  tx.exec_params(
      "INSERT INTO networks (network_id, name, version) VALUES ($1::uuid, $2, $3) ON CONFLICT "
      "(network_id) DO UPDATE SET name = EXCLUDED.name, version = EXCLUDED.version WHERE "
      "networks.version < EXCLUDED.version",
      n.network_id(), n.name(), n.version());
}

void UpsertOrganisation(pqxx::work& tx, const mv1::Organisation& o) {
  tx.exec_params(
      "INSERT INTO organisation_names (organisation_id, name, version, kind, nace_section, "
      "headcount_band, siren) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7) ON CONFLICT "
      "(organisation_id) DO UPDATE SET name = EXCLUDED.name, version = EXCLUDED.version, "
      "kind = EXCLUDED.kind, nace_section = EXCLUDED.nace_section, headcount_band = "
      "EXCLUDED.headcount_band, siren = EXCLUDED.siren WHERE organisation_names.version < "
      "EXCLUDED.version",
      o.organisation_id(), o.legal_name(), o.version(), static_cast<int>(o.kind()),
      o.nace_section().substr(0, 2), static_cast<int>(o.headcount_band()), o.siren());
}

void UpsertIntroduction(pqxx::work& tx, const xv1::Introduction& i) {
  tx.exec_params(
      "INSERT INTO introductions (introduction_id, network_id, requester_organisation_id, "
      "recipient_organisation_id, state, outcome, request_time, respond_time, outcome_time, "
      "version) VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5, $6, $7::timestamptz, "
      "$8::timestamptz, $9::timestamptz, $10) ON CONFLICT (introduction_id) DO UPDATE SET "
      "state = EXCLUDED.state, outcome = EXCLUDED.outcome, respond_time = "
      "EXCLUDED.respond_time, outcome_time = EXCLUDED.outcome_time, version = "
      "EXCLUDED.version WHERE introductions.version < EXCLUDED.version",
      i.introduction_id(), i.network_id(), i.requester_organisation_id(),
      i.recipient_organisation_id(), static_cast<int>(i.state()), static_cast<int>(i.outcome()),
      pg::TimeParam(i.request_time()), PgTimeIf(i.has_respond_time(), i.respond_time()),
      PgTimeIf(i.has_outcome_time(), i.outcome_time()), i.version());
}

void InsertDecision(pqxx::work& tx, const av1::PoolingDecision& d,
                    const google::protobuf::Timestamp& fallback_time) {
  tx.exec_params(
      "INSERT INTO pooling_decisions (decision_id, network_id, function_code, modality, "
      "decide_time) VALUES ($1::uuid, $2::uuid, $3, $4, $5::timestamptz) ON CONFLICT DO "
      "NOTHING",
      d.decision_id(), d.network_id(), d.function_code(), static_cast<int>(d.modality()),
      pg::TimeParam(d.has_decide_time() ? d.decide_time() : fallback_time));
}

// The dispositions of a member's submission, unless a later revision is already known: they
// replace the earlier revision's.
void ReplaceDispositions(pqxx::work& tx, const std::string& campaign_id,
                         const std::string& network_id, const std::string& organisation_id,
                         int revision,
                         const google::protobuf::RepeatedPtrField<av1::FunctionDisposition>& d) {
  if (!tx.exec_params("SELECT 1 FROM assessment_dispositions WHERE campaign_id = $1::uuid AND "
                      "organisation_id = $2::uuid AND revision > $3 LIMIT 1",
                      campaign_id, organisation_id, revision)
           .empty()) {
    return;
  }
  tx.exec_params(
      "DELETE FROM assessment_dispositions WHERE campaign_id = $1::uuid AND organisation_id = "
      "$2::uuid",
      campaign_id, organisation_id);
  std::vector<std::string> functions, dispositions, willing;
  for (const av1::FunctionDisposition& f : d) {
    functions.push_back(f.function_code());
    dispositions.push_back(absl::StrCat(static_cast<int>(f.disposition())));
    willing.push_back(f.willing_to_pool() ? "true" : "false");
  }
  tx.exec_params(
      "INSERT INTO assessment_dispositions (campaign_id, network_id, organisation_id, "
      "function_code, disposition, willing_to_pool, revision) SELECT $1::uuid, $2::uuid, "
      "$3::uuid, x.f, x.d, x.w, $4 FROM unnest($5::text[], $6::int[], $7::boolean[]) AS x(f, d, "
      "w) ON CONFLICT DO NOTHING",
      campaign_id, network_id, organisation_id, revision, pg::TextArray(functions),
      pg::TextArray(dispositions), pg::TextArray(willing));
}

void InsertSubmission(pqxx::work& tx, const std::string& campaign_id, const std::string& network_id,
                      const std::string& organisation_id, int revision,
                      const google::protobuf::Timestamp& submit_time) {
  tx.exec_params(
      "INSERT INTO assessment_submissions (campaign_id, network_id, organisation_id, "
      "revision, submit_time) VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5::timestamptz) "
      "ON CONFLICT DO NOTHING",
      campaign_id, network_id, organisation_id, revision, pg::TimeParam(submit_time));
}

}  // namespace

absl::Status ReportingStore::ApplyMembership(const mv1::MembershipEvent& e) {
  if (e.kind_case() == mv1::MembershipEvent::kMembershipChanged) {
    const mv1::Membership& m = e.membership_changed().membership();
    if (!IsUuid(m.network_id()) || !IsUuid(m.organisation_id())) {
      return absl::InvalidArgumentError("membership_changed: ids are not UUIDs");
    }
  }
  return pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(bool first,
                              events::MarkProcessed(tx, "reporting.membership", e.event_id()));
    if (!first) return absl::OkStatus();
    switch (e.kind_case()) {
      case mv1::MembershipEvent::kMembershipChanged: {
        UpsertMember(tx, e.membership_changed().membership());
        return absl::OkStatus();
      }
      case mv1::MembershipEvent::kNetworkCreated:
      case mv1::MembershipEvent::kNetworkUpdated: {
        const mv1::Network& n =
            e.has_network_created() ? e.network_created().network() : e.network_updated().network();
        if (!IsUuid(n.network_id())) return absl::InvalidArgumentError("network: not a UUID");
        UpsertNetwork(tx, n);
        return absl::OkStatus();
      }
      case mv1::MembershipEvent::kOrganisationCreated:
      case mv1::MembershipEvent::kOrganisationUpdated: {
        const mv1::Organisation& o = e.has_organisation_created()
                                         ? e.organisation_created().organisation()
                                         : e.organisation_updated().organisation();
        if (!IsUuid(o.organisation_id())) {
          return absl::InvalidArgumentError("organisation: the id is not a UUID");
        }
        UpsertOrganisation(tx, o);
        return absl::OkStatus();
      }
      default:
        return absl::OkStatus();
    }
  });
}

absl::Status ReportingStore::ApplyMatching(const xv1::MatchingEvent& e) {
  const xv1::Introduction* i = nullptr;
  switch (e.kind_case()) {
    case xv1::MatchingEvent::kIntroductionRequested:
      i = &e.introduction_requested();
      break;
    case xv1::MatchingEvent::kIntroductionAccepted:
      i = &e.introduction_accepted();
      break;
    case xv1::MatchingEvent::kIntroductionDeclined:
      i = &e.introduction_declined();
      break;
    case xv1::MatchingEvent::kIntroductionOutcomeRecorded:
      i = &e.introduction_outcome_recorded();
      break;
    default:
      break;
  }
  if (i != nullptr &&
      (!IsUuid(i->introduction_id()) || !IsUuid(i->network_id()) ||
       !IsUuid(i->requester_organisation_id()) || !IsUuid(i->recipient_organisation_id()))) {
    return absl::InvalidArgumentError("introduction: ids are not UUIDs");
  }
  return pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(bool first,
                              events::MarkProcessed(tx, "reporting.matching", e.event_id()));
    if (!first || i == nullptr) return absl::OkStatus();
    UpsertIntroduction(tx, *i);
    return absl::OkStatus();
  });
}

absl::Status ReportingStore::ApplyAssessment(const av1::AssessmentEvent& e) {
  if (e.has_assessment_submitted()) {
    const av1::AssessmentSubmitted& s = e.assessment_submitted();
    if (!IsUuid(e.network_id()) || !IsUuid(s.campaign_id()) || !IsUuid(s.organisation_id())) {
      return absl::InvalidArgumentError("assessment_submitted: ids are not UUIDs");
    }
  }
  if (e.has_decision_recorded()) {
    const av1::PoolingDecision& d = e.decision_recorded();
    if (!IsUuid(d.decision_id()) || !IsUuid(d.network_id())) {
      return absl::InvalidArgumentError("decision_recorded: ids are not UUIDs");
    }
  }
  return pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(bool first,
                              events::MarkProcessed(tx, "reporting.assessment", e.event_id()));
    if (!first) return absl::OkStatus();
    if (e.has_decision_recorded()) {
      InsertDecision(tx, e.decision_recorded(), e.occur_time());
      return absl::OkStatus();
    }
    if (!e.has_assessment_submitted()) return absl::OkStatus();
    const av1::AssessmentSubmitted& s = e.assessment_submitted();
    InsertSubmission(tx, s.campaign_id(), e.network_id(), s.organisation_id(), s.revision(),
                     e.occur_time());
    ReplaceDispositions(tx, s.campaign_id(), e.network_id(), s.organisation_id(), s.revision(),
                        s.dispositions());
    return absl::OkStatus();
  });
}

absl::StatusOr<FunnelCounts> ReportingStore::Funnel(const std::string& network_id,
                                                    const TimeRange& range) {
  FunnelCounts f;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    // state: 1 requested, 2 accepted, 3 declined; outcome: 1 met, 2 letter of intent,
    // 3 contract, 4 no follow-up (matching.proto).
    pqxx::row r = tx.exec_params1(
        "SELECT count(*), count(*) FILTER (WHERE state = 2), "
        "count(*) FILTER (WHERE state = 2 AND outcome IN (1, 2, 3)), "
        "count(*) FILTER (WHERE state = 2 AND outcome IN (2, 3)), "
        "count(*) FILTER (WHERE state = 2 AND outcome = 3), "
        "count(*) FILTER (WHERE state = 3), count(*) FILTER (WHERE outcome = 4), "
        "count(*) FILTER (WHERE state = 1) "
        "FROM introductions WHERE network_id = $1::uuid AND request_time >= $2::timestamptz "
        "AND request_time < $3::timestamptz",
        network_id, pg::TimeParam(range.start), pg::TimeParam(range.end));
    f = {.requested = r[0].as<int64_t>(),
         .accepted = r[1].as<int64_t>(),
         .met = r[2].as<int64_t>(),
         .letter_of_intent = r[3].as<int64_t>(),
         .contract = r[4].as<int64_t>(),
         .declined = r[5].as<int64_t>(),
         .no_follow_up = r[6].as<int64_t>(),
         .pending = r[7].as<int64_t>()};
    return absl::OkStatus();
  }));
  return f;
}

absl::StatusOr<std::vector<Member>> ReportingStore::ActiveMembers(const std::string& network_id) {
  std::vector<Member> out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    out.clear();
    for (const pqxx::row& r : tx.exec_params(
             "SELECT m.organisation_id::text, coalesce(n.name, '') FROM members m LEFT JOIN "
             "organisation_names n ON n.organisation_id = m.organisation_id WHERE m.network_id "
             "= $1::uuid AND m.state = $2 AND m.role <> 6 ORDER BY coalesce(n.name, ''), "
             "m.organisation_id",
             network_id, kActive)) {
      out.push_back({r[0].as<std::string>(), r[1].as<std::string>()});
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<Link>> ReportingStore::Links(const std::string& network_id,
                                                        const TimeRange& range) {
  std::vector<Link> out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    out.clear();
    for (const pqxx::row& r : tx.exec_params(
             "SELECT least(i.requester_organisation_id, i.recipient_organisation_id)::text AS a, "
             "greatest(i.requester_organisation_id, i.recipient_organisation_id)::text AS b, "
             "max(CASE WHEN i.outcome IN (1, 2, 3) THEN i.outcome ELSE 0 END), count(*) "
             "FROM introductions i JOIN members ma ON ma.network_id = i.network_id AND "
             "ma.organisation_id = i.requester_organisation_id AND ma.state = $4 AND ma.role <> 6 "
             "JOIN members mb ON mb.network_id = i.network_id AND mb.organisation_id = "
             "i.recipient_organisation_id AND mb.state = $4 AND mb.role <> 6 "
             "WHERE i.network_id = $1::uuid AND i.state = 2 AND i.request_time >= "
             "$2::timestamptz AND i.request_time < $3::timestamptz GROUP BY 1, 2 ORDER BY 1, 2",
             network_id, pg::TimeParam(range.start), pg::TimeParam(range.end), kActive)) {
      out.push_back({.a = r[0].as<std::string>(),
                     .b = r[1].as<std::string>(),
                     .outcome = r[2].as<int>(),
                     .introductions = r[3].as<int>()});
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<Activity>> ReportingStore::Activities(const std::string& network_id,
                                                                 const TimeRange& range) {
  std::vector<Activity> out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    out.clear();
    absl::flat_hash_map<std::string, size_t> at;
    auto of = [&](const std::string& id) -> Activity& {
      auto [it, added] = at.try_emplace(id, out.size());
      if (added) out.push_back({.organisation_id = id});
      return out[it->second];
    };
    const std::string from = pg::TimeParam(range.start), to = pg::TimeParam(range.end);
    // Each introduction event of the period, for each side, counted once per kind.
    for (const pqxx::row& r : tx.exec_params(
             // Each introduction once per side, joined to the active members by hash (not
             // every member against every introduction).
             "WITH s AS (SELECT requester_organisation_id AS org, true AS asked, state, outcome, "
             "request_time, respond_time, outcome_time FROM introductions WHERE network_id = "
             "$1::uuid UNION ALL SELECT recipient_organisation_id, false, state, outcome, "
             "request_time, respond_time, outcome_time FROM introductions WHERE network_id = "
             "$1::uuid) "
             "SELECT s.org::text, "
             "count(*) FILTER (WHERE s.asked AND s.request_time >= $2 AND s.request_time < $3), "
             "count(*) FILTER (WHERE NOT s.asked AND s.request_time >= $2 AND s.request_time < "
             "  $3), "
             "count(*) FILTER (WHERE NOT s.asked AND s.respond_time >= $2 AND s.respond_time < "
             "  $3), "
             "count(*) FILTER (WHERE s.state = 2 AND s.respond_time >= $2 AND s.respond_time < "
             "  $3), "
             "count(*) FILTER (WHERE s.outcome IN (1, 2, 3) AND s.outcome_time >= $2 AND "
             "  s.outcome_time < $3) "
             "FROM s JOIN members m ON m.organisation_id = s.org WHERE m.network_id = $1::uuid "
             "AND m.state = $4 AND m.role <> 6 GROUP BY 1",
             network_id, from, to, kActive)) {
      Activity& a = of(r[0].as<std::string>());
      a.requested = r[1].as<int>();
      a.received = r[2].as<int>();
      a.answered = r[3].as<int>();
      a.accepted = r[4].as<int>();
      a.outcomes = r[5].as<int>();
    }
    for (const pqxx::row& r : tx.exec_params(
             "SELECT s.organisation_id::text, count(DISTINCT s.campaign_id) FROM "
             "assessment_submissions s JOIN members m ON m.network_id = s.network_id AND "
             "m.organisation_id = s.organisation_id AND m.state = $4 AND m.role <> 6 WHERE "
             "s.network_id = "
             "$1::uuid AND s.submit_time >= $2 AND s.submit_time < $3 GROUP BY 1",
             network_id, from, to, kActive)) {
      of(r[0].as<std::string>()).assessments = r[1].as<int>();
    }
    for (const pqxx::row& r : tx.exec_params(
             "SELECT a.organisation_id::text, count(*) FROM event_attendance a JOIN "
             "animation_events e ON e.event_id = a.event_id JOIN members m ON m.network_id = "
             "e.network_id AND m.organisation_id = a.organisation_id AND m.state = $4 AND m.role "
             "<> 6 WHERE "
             "e.network_id = $1::uuid AND NOT e.cancelled AND e.start_time >= $2 AND "
             "e.start_time < $3 GROUP BY 1",
             network_id, from, to, kActive)) {
      of(r[0].as<std::string>()).attended = r[1].as<int>();
    }
    for (const pqxx::row& r : tx.exec_params(
             "SELECT s.sponsor_organisation_id::text, count(*) FROM sponsorships s JOIN members "
             "m ON m.network_id = s.network_id AND m.organisation_id = s.sponsor_organisation_id "
             "AND m.state = $4 AND m.role <> 6 WHERE s.network_id = $1::uuid AND "
             "s.sponsor_time >= $2 AND s.sponsor_time < $3 GROUP BY 1",
             network_id, from, to, kActive)) {
      of(r[0].as<std::string>()).sponsored = r[1].as<int>();
    }
    for (const pqxx::row& r : tx.exec_params(
             "SELECT w.organisation_id::text, count(*) FROM working_group_members w JOIN "
             "working_groups g ON g.group_id = w.group_id JOIN members m ON m.network_id = "
             "g.network_id AND m.organisation_id = w.organisation_id AND m.state = $2 AND m.role "
             "<> 6 WHERE g.network_id = $1::uuid GROUP BY 1",
             network_id, kActive)) {
      of(r[0].as<std::string>()).working_groups = r[1].as<int>();
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::AnimationEvent> ReportingStore::CreateEvent(const std::string& network_id,
                                                               v1::AnimationEvent draft,
                                                               const std::string& actor,
                                                               const std::string& idempotency_key) {
  return InTransaction<v1::AnimationEvent>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::AnimationEvent> {
        const std::string scope = absl::StrCat("CreateAnimationEvent/", actor, "/", network_id);
        std::string earlier;
        if (!idempotency_key.empty()) {
          MAILLAGE_ASSIGN_OR_RETURN(
              earlier, pg::ReserveIdempotencyKey(tx, scope, idempotency_key,
                                                 pg::RequestHash({draft.SerializeAsString()})));
        }
        if (!earlier.empty()) return FetchEvent(tx, earlier, false);
        if (!draft.working_group_id().empty() &&
            tx.exec_params("SELECT 1 FROM working_groups WHERE group_id = $1::uuid AND "
                           "network_id = $2::uuid",
                           draft.working_group_id(), network_id)
                .empty()) {
          return InvalidField("event.working_group_id", "not a working group of this network");
        }
        const std::string id = events::NewEventId();
        tx.exec_params(
            "INSERT INTO animation_events (event_id, network_id, kind, title, theme, "
            "start_time, end_time, place, link, organiser_organisation_id, capacity, "
            "created_by, working_group_id) VALUES ($1::uuid, $2::uuid, $3, $4, $5, "
            "$6::timestamptz, $7::timestamptz, $8, $9, $10::uuid, $11, $12, $13::uuid)",
            id, network_id, static_cast<int>(draft.kind()), draft.title(), draft.theme(),
            pg::TimeParam(draft.start_time()), pg::TimeParam(draft.end_time()), draft.place(),
            draft.link(),
            draft.organiser_organisation_id().empty()
                ? std::optional<std::string>()
                : std::optional<std::string>(draft.organiser_organisation_id()),
            draft.capacity(), actor,
            draft.working_group_id().empty()
                ? std::optional<std::string>()
                : std::optional<std::string>(draft.working_group_id()));
        if (!idempotency_key.empty()) pg::RecordIdempotencyKey(tx, scope, idempotency_key, id);
        MAILLAGE_ASSIGN_OR_RETURN(v1::AnimationEvent created, FetchEvent(tx, id, false));
        v1::ReportingEvent event;
        event.set_actor(actor);
        event.set_network_id(network_id);
        *event.mutable_animation_event_created() = created;
        MAILLAGE_RETURN_IF_ERROR(store::Publish(tx, std::move(event), absl::Now()));
        return created;
      });
}

absl::StatusOr<v1::AnimationEvent> ReportingStore::Event(const std::string& event_id) {
  return InTransaction<v1::AnimationEvent>(
      pool_, [&](pqxx::work& tx) { return FetchEvent(tx, event_id, false); });
}

absl::StatusOr<Listed<v1::AnimationEvent>> ReportingStore::ListEvents(
    const std::string& network_id, const std::string& working_group_id, absl::Time from,
    const PageQuery& page) {
  return InTransaction<Listed<v1::AnimationEvent>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<Listed<v1::AnimationEvent>> {
        pg::KeysetQuery q;
        q.Where(absl::StrCat("e.network_id = ", q.Param(network_id), "::uuid"));
        q.Where("NOT e.cancelled");
        q.Where(absl::StrCat("e.start_time >= ", q.Param(pg::TimeParam(from)), "::timestamptz"));
        if (!working_group_id.empty()) {
          q.Where(absl::StrCat("e.working_group_id = ", q.Param(working_group_id), "::uuid"));
        }
        pg::Page<std::string> ids = q.Run(
            tx, "e.event_id::text", "FROM animation_events e", "e.start_time", "e.event_id", page,
            +[](const pqxx::row& r) { return r[0].as<std::string>(); });
        Listed<v1::AnimationEvent> out;
        out.items = FetchEvents(tx, ids.items, false);
        out.next_after = std::move(ids.next_after);
        return out;
      });
}

absl::StatusOr<v1::AnimationEvent> ReportingStore::Register(const std::string& event_id,
                                                            const std::string& organisation_id,
                                                            absl::Time now) {
  return InTransaction<v1::AnimationEvent>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::AnimationEvent> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::AnimationEvent e, FetchEvent(tx, event_id, true));
        if (!store::IsMember(tx, e.network_id(), organisation_id)) {
          return absl::NotFoundError("event not found");
        }
        for (const std::string& id : e.registered_organisation_ids()) {
          if (id == organisation_id) return e;  // already registered
        }
        if (e.cancelled()) return absl::FailedPreconditionError("the event was cancelled");
        if (absl::FromUnixSeconds(e.start_time().seconds()) <= now) {
          return absl::FailedPreconditionError("the event has started");
        }
        if (e.capacity() > 0 && e.registered_organisation_ids_size() >= e.capacity()) {
          return absl::FailedPreconditionError("the event is full");
        }
        if (!e.working_group_id().empty() &&
            tx.exec_params("SELECT 1 FROM working_group_members WHERE group_id = $1::uuid AND "
                           "organisation_id = $2::uuid",
                           e.working_group_id(), organisation_id)
                .empty()) {
          return absl::FailedPreconditionError(
              "this is a meeting of a working group: only its members register");
        }
        tx.exec_params(
            "INSERT INTO event_registrations (event_id, organisation_id) VALUES ($1::uuid, "
            "$2::uuid)",
            event_id, organisation_id);
        return FetchEvent(tx, event_id, false);
      });
}

absl::StatusOr<v1::AnimationEvent> ReportingStore::CancelRegistration(
    const std::string& event_id, const std::string& organisation_id) {
  return InTransaction<v1::AnimationEvent>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::AnimationEvent> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::AnimationEvent e, FetchEvent(tx, event_id, true));
        if (!store::IsMember(tx, e.network_id(), organisation_id)) {
          return absl::NotFoundError("event not found");
        }
        tx.exec_params(
            "DELETE FROM event_registrations WHERE event_id = $1::uuid AND organisation_id = "
            "$2::uuid",
            event_id, organisation_id);
        return FetchEvent(tx, event_id, false);
      });
}

absl::StatusOr<std::vector<SheetMember>> ReportingStore::SheetMembers(
    const std::string& network_id) {
  return InTransaction<std::vector<SheetMember>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<SheetMember>> {
        std::vector<SheetMember> out;
        for (const pqxx::row& r : tx.exec_params(
                 "SELECT m.organisation_id::text, coalesce(n.name, ''), coalesce(n.siren, '') "
                 "FROM members m LEFT JOIN organisation_names n ON n.organisation_id = "
                 "m.organisation_id WHERE m.network_id = $1::uuid AND m.state = $2 AND m.role "
                 "<> 6",
                 network_id, kActive)) {
          out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>()});
        }
        return out;
      });
}

absl::StatusOr<v1::AnimationEvent> ReportingStore::RecordAttendance(
    const std::string& event_id, const std::vector<std::string>& attended,
    const std::string& outcomes, absl::Time now) {
  return InTransaction<v1::AnimationEvent>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::AnimationEvent> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::AnimationEvent e, FetchEvent(tx, event_id, true));
        if (e.cancelled()) return absl::FailedPreconditionError("the event was cancelled");
        if (absl::FromUnixSeconds(e.start_time().seconds()) > now) {
          return absl::FailedPreconditionError("the event has not started yet");
        }
        MAILLAGE_RETURN_IF_ERROR(
            store::CheckMembers(tx, e.network_id(), attended, "attended_organisation_ids"));
        tx.exec_params("DELETE FROM event_attendance WHERE event_id = $1::uuid", event_id);
        tx.exec_params(
            "INSERT INTO event_attendance (event_id, organisation_id) SELECT $1::uuid, x "
            "FROM unnest($2::uuid[]) AS x",
            event_id, pg::TextArray(attended));
        tx.exec_params("UPDATE animation_events SET outcomes = $2 WHERE event_id = $1::uuid",
                       event_id, outcomes);
        MAILLAGE_ASSIGN_OR_RETURN(v1::AnimationEvent recorded, FetchEvent(tx, event_id, false));
        v1::ReportingEvent event;
        event.set_network_id(recorded.network_id());
        *event.mutable_attendance_recorded() = recorded;
        MAILLAGE_RETURN_IF_ERROR(store::Publish(tx, std::move(event), now));
        return recorded;
      });
}

absl::Status ReportingStore::ApplySnapshot(const NetworkSnapshot& n) {
  auto bad = [](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ids are not UUIDs"));
  };
  if (!IsUuid(n.network_id)) return bad("network");
  for (const mv1::Membership& m : n.memberships) {
    if (m.network_id() != n.network_id || !IsUuid(m.organisation_id())) return bad("membership");
  }
  for (const mv1::Organisation& o : n.organisations) {
    if (!IsUuid(o.organisation_id())) return bad("organisation");
  }
  for (const xv1::Introduction& i : n.introductions) {
    if (i.network_id() != n.network_id || !IsUuid(i.introduction_id()) ||
        !IsUuid(i.requester_organisation_id()) || !IsUuid(i.recipient_organisation_id())) {
      return bad("introduction");
    }
  }
  for (const NetworkSnapshot::Submission& s : n.submissions) {
    if (!IsUuid(s.campaign_id) || !IsUuid(s.organisation_id)) return bad("submission");
  }
  for (const av1::PoolingDecision& d : n.decisions) {
    if (d.network_id() != n.network_id || !IsUuid(d.decision_id())) return bad("decision");
  }
  if (!n.network.network_id().empty() && n.network.network_id() != n.network_id) {
    return bad("network");
  }
  return pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    if (!n.network.network_id().empty()) UpsertNetwork(tx, n.network);
    for (const mv1::Membership& m : n.memberships) UpsertMember(tx, m);
    for (const mv1::Organisation& o : n.organisations) UpsertOrganisation(tx, o);
    for (const xv1::Introduction& i : n.introductions) UpsertIntroduction(tx, i);
    for (const NetworkSnapshot::Submission& s : n.submissions) {
      InsertSubmission(tx, s.campaign_id, n.network_id, s.organisation_id, s.revision,
                       s.submit_time);
      ReplaceDispositions(tx, s.campaign_id, n.network_id, s.organisation_id, s.revision,
                          s.dispositions);
    }
    for (const av1::PoolingDecision& d : n.decisions) InsertDecision(tx, d, d.decide_time());
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> ReportingStore::NetworkName(const std::string& network_id) {
  return InTransaction<std::string>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<std::string> {
    pqxx::result r =
        tx.exec_params("SELECT name FROM networks WHERE network_id = $1::uuid", network_id);
    return r.empty() ? std::string() : r[0][0].as<std::string>();
  });
}

absl::Status ReportingStore::RefreshStatistics() {
  return pool_->Transact([](pqxx::work& tx) -> absl::Status {
    tx.exec(
        "ANALYZE members, organisation_names, networks, introductions, assessment_submissions, "
        "pooling_decisions");
    return absl::OkStatus();
  });
}

absl::StatusOr<HeatmapFacts> ReportingStore::Heatmap(const std::string& network_id,
                                                     const std::string& campaign_id) {
  return InTransaction<HeatmapFacts>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<HeatmapFacts> {
    HeatmapFacts out;
    out.campaign_id = campaign_id;
    if (out.campaign_id.empty()) {
      // The campaign submitted to last.
      pqxx::result latest = tx.exec_params(
          "SELECT campaign_id::text FROM assessment_submissions WHERE network_id = $1::uuid "
          "ORDER BY submit_time DESC LIMIT 1",
          network_id);
      if (latest.empty()) return out;
      out.campaign_id = latest[0][0].as<std::string>();
    }
    for (const pqxx::row& r : tx.exec_params(
             "SELECT d.function_code, d.disposition, count(*), count(*) FILTER (WHERE "
             "d.willing_to_pool) FROM assessment_dispositions d JOIN members m ON m.network_id = "
             "d.network_id AND m.organisation_id = d.organisation_id AND m.state = $3 AND m.role "
             "<> 6 WHERE d.network_id = $1::uuid AND d.campaign_id = $2::uuid GROUP BY 1, 2 ORDER "
             "BY 1, 2",
             network_id, out.campaign_id, kActive)) {
      out.cells.push_back({.function_code = r[0].as<std::string>(),
                           .disposition = r[1].as<int>(),
                           .members = r[2].as<int>(),
                           .willing_to_pool = r[3].as<int>()});
    }
    return out;
  });
}

}  // namespace maillage::reporting
