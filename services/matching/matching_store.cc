#include "services/matching/matching_store.h"

#include <google/protobuf/timestamp.pb.h>

#include <pqxx/pqxx>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/ids/canonical_ids.h"
#include "common/pg/idempotency.h"
#include "common/pg/in_transaction.h"
#include "common/pg/pg.h"
#include "common/pg/pg_time.h"
#include "common/status/status.h"
#include "maillage/membership/v1/events.pb.h"

namespace maillage::matching {
namespace {

using pg::InTransaction;

namespace mv1 = ::maillage::membership::v1;

constexpr int kActive = mv1::MEMBERSHIP_STATE_ACTIVE;

const std::string& DeclarationColumns() {
  static const std::string* columns = new std::string(absl::StrCat(
      "d.declaration_id::text, d.organisation_id::text, d.side, d.type, "
      "array_to_string(d.tags, ','), d.title, d.description, d.reach_km, d.confidential, ",
      pg::MicrosOf("d.expire_time"), ", d.withdrawn, d.source, d.version, ",
      pg::MicrosOf("d.create_time"), ", ", pg::MicrosOf("d.update_time")));
  return *columns;
}

v1::Declaration ReadDeclaration(const pqxx::row& r, absl::Time now) {
  v1::Declaration d;
  d.set_declaration_id(r[0].as<std::string>());
  d.set_organisation_id(r[1].as<std::string>());
  d.set_side(static_cast<v1::Side>(r[2].as<int>()));
  d.set_type(static_cast<v1::DeclarationType>(r[3].as<int>()));
  for (absl::string_view tag : absl::StrSplit(r[4].as<std::string>(), ',', absl::SkipEmpty())) {
    d.add_tags(std::string(tag));
  }
  d.set_title(r[5].as<std::string>());
  d.set_description(r[6].as<std::string>());
  d.set_reach_km(r[7].as<double>());
  d.set_confidential(r[8].as<bool>());
  const int64_t expire = r[9].as<int64_t>();
  pg::SetFromMicros(d.mutable_expire_time(), expire);
  const bool withdrawn = r[10].as<bool>();
  d.set_state(withdrawn                           ? v1::DECLARATION_STATE_WITHDRAWN
              : expire <= absl::ToUnixMicros(now) ? v1::DECLARATION_STATE_EXPIRED
                                                  : v1::DECLARATION_STATE_ACTIVE);
  d.set_source(r[11].as<std::string>());
  d.set_version(r[12].as<int64_t>());
  pg::SetFromMicros(d.mutable_create_time(), r[13].as<int64_t>());
  pg::SetFromMicros(d.mutable_update_time(), r[14].as<int64_t>());
  return d;
}

// `event`'s kind set by `fill`; its id, time and actor here.
absl::Status Publish(pqxx::work& tx, const std::string& actor, absl::Time now,
                     const std::function<void(v1::MatchingEvent&)>& fill) {
  v1::MatchingEvent event;
  event.set_event_id(events::NewEventId());
  pg::SetFromMicros(event.mutable_occur_time(), absl::ToUnixMicros(now));
  event.set_actor(actor);
  fill(event);
  const google::protobuf::FieldDescriptor* kind =
      event.GetDescriptor()->FindFieldByNumber(event.kind_case());
  return events::Enqueue(tx, event.event_id(), absl::StrCat("matching.", kind->name()),
                         event.SerializeAsString());
}

absl::Status PublishProfileChanged(pqxx::work& tx, const std::string& organisation_id,
                                   const std::string& actor, absl::Time now) {
  return Publish(tx, actor, now, [&](v1::MatchingEvent& e) {
    e.mutable_profile_changed()->set_organisation_id(organisation_id);
  });
}

// A declaration as the stream shows it: a confidential need's owner and ids only.
absl::Status PublishDeclaration(pqxx::work& tx, const v1::Declaration& d, const std::string& actor,
                                absl::Time now) {
  MAILLAGE_RETURN_IF_ERROR(Publish(tx, actor, now, [&](v1::MatchingEvent& e) {
    v1::Declaration* shown = e.mutable_declaration_changed();
    *shown = d;
    if (d.confidential()) {
      shown->clear_tags();
      shown->clear_title();
      shown->clear_description();
    }
  }));
  return PublishProfileChanged(tx, d.organisation_id(), actor, now);
}

absl::StatusOr<v1::Declaration> FetchDeclaration(pqxx::work& tx, const std::string& id,
                                                 absl::Time now, bool for_update) {
  pqxx::result r = tx.exec_params(absl::StrCat("SELECT ", DeclarationColumns(),
                                               " FROM declarations d WHERE d.declaration_id = "
                                               "$1::uuid",
                                               for_update ? " FOR UPDATE" : ""),
                                  id);
  if (r.empty()) return absl::NotFoundError("declaration not found");
  return ReadDeclaration(r[0], now);
}

// The organisation's head office location (else its first located establishment).
std::optional<std::pair<double, double>> LocationOf(const mv1::Organisation& o) {
  std::optional<std::pair<double, double>> found;
  for (const mv1::Establishment& e : o.establishments()) {
    if (!e.has_location() || (e.location().latitude() == 0 && e.location().longitude() == 0)) {
      continue;
    }
    if (e.head_office()) return std::make_pair(e.location().latitude(), e.location().longitude());
    if (!found) found = std::make_pair(e.location().latitude(), e.location().longitude());
  }
  return found;
}

const std::string& IntroductionColumns() {
  static const std::string* columns = new std::string(absl::StrCat(
      "i.introduction_id::text, i.network_id::text, i.requester_organisation_id::text, "
      "coalesce(a.legal_name, ''), i.recipient_organisation_id::text, coalesce(b.legal_name, ''), "
      "i.message, i.from_suggestion, i.suggestion_score, i.state, i.response_note, i.outcome, ",
      pg::MicrosOf("i.request_time"), ", coalesce(", pg::MicrosOf("i.respond_time"),
      ", 0), coalesce(", pg::MicrosOf("i.outcome_time"), ", 0), i.version"));
  return *columns;
}

constexpr char kIntroductionFrom[] =
    " FROM introductions i LEFT JOIN organisations a ON a.organisation_id = "
    "i.requester_organisation_id LEFT JOIN organisations b ON b.organisation_id = "
    "i.recipient_organisation_id";

v1::Introduction ReadIntroduction(const pqxx::row& r) {
  v1::Introduction i;
  i.set_introduction_id(r[0].as<std::string>());
  i.set_network_id(r[1].as<std::string>());
  i.set_requester_organisation_id(r[2].as<std::string>());
  i.set_requester_name(r[3].as<std::string>());
  i.set_recipient_organisation_id(r[4].as<std::string>());
  i.set_recipient_name(r[5].as<std::string>());
  i.set_message(r[6].as<std::string>());
  i.set_from_suggestion(r[7].as<bool>());
  i.set_suggestion_score(r[8].as<double>());
  i.set_state(static_cast<v1::IntroductionState>(r[9].as<int>()));
  i.set_response_note(r[10].as<std::string>());
  i.set_outcome(static_cast<v1::IntroductionOutcome>(r[11].as<int>()));
  pg::SetFromMicros(i.mutable_request_time(), r[12].as<int64_t>());
  if (int64_t t = r[13].as<int64_t>(); t != 0) pg::SetFromMicros(i.mutable_respond_time(), t);
  if (int64_t t = r[14].as<int64_t>(); t != 0) pg::SetFromMicros(i.mutable_outcome_time(), t);
  i.set_version(r[15].as<int64_t>());
  return i;
}

absl::StatusOr<v1::Introduction> FetchIntroduction(pqxx::work& tx, const std::string& id,
                                                   bool for_update) {
  if (for_update) {
    tx.exec_params("SELECT 1 FROM introductions WHERE introduction_id = $1::uuid FOR UPDATE", id);
  }
  pqxx::result r = tx.exec_params(absl::StrCat("SELECT ", IntroductionColumns(), kIntroductionFrom,
                                               " WHERE i.introduction_id = $1::uuid"),
                                  id);
  if (r.empty()) return absl::NotFoundError("introduction not found");
  return ReadIntroduction(r[0]);
}

bool ActiveMember(pqxx::work& tx, const std::string& network_id,
                  const std::string& organisation_id) {
  return !tx.exec_params(
                "SELECT 1 FROM network_members WHERE network_id = $1::uuid AND organisation_id "
                "= $2::uuid AND state = $3",
                network_id, organisation_id, kActive)
              .empty();
}

bool Blocked(pqxx::work& tx, const std::string& a, const std::string& b) {
  return !tx.exec_params(
                "SELECT 1 FROM blocks WHERE (organisation_id = $1::uuid AND "
                "blocked_organisation_id = $2::uuid) OR (organisation_id = $2::uuid AND "
                "blocked_organisation_id = $1::uuid)",
                a, b)
              .empty();
}

}  // namespace

v1::MatchingSettings WithDefaults(v1::MatchingSettings s) {
  if (s.distance_scale_km() == 0) s.set_distance_scale_km(40);
  if (s.distance_floor() == 0) s.set_distance_floor(0.3);
  if (s.competitor_radius_km() == 0) s.set_competitor_radius_km(30);
  if (s.decline_cooling_days() == 0) s.set_decline_cooling_days(90);
  return s;
}

absl::StatusOr<std::vector<std::string>> MatchingStore::ApplyMembershipEvent(
    const mv1::MembershipEvent& e) {
  const absl::Time now = clock_();
  return InTransaction<std::vector<std::string>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<std::string>> {
        std::vector<std::string> changed;
        MAILLAGE_ASSIGN_OR_RETURN(
            bool first, events::MarkProcessed(tx, kMembershipConsumerGroup, e.event_id()));
        if (!first) return changed;
        switch (e.kind_case()) {
          case mv1::MembershipEvent::kOrganisationCreated:
          case mv1::MembershipEvent::kOrganisationUpdated: {
            const mv1::Organisation& o = e.kind_case() == mv1::MembershipEvent::kOrganisationCreated
                                             ? e.organisation_created().organisation()
                                             : e.organisation_updated().organisation();
            if (!IsUuid(o.organisation_id())) {
              return absl::InvalidArgumentError("organisation: the id is not a UUID");
            }
            const std::optional<std::pair<double, double>> at = LocationOf(o);
            pqxx::result r = tx.exec_params(
                "INSERT INTO organisations (organisation_id, legal_name, naf_code, nace_section, "
                "latitude, longitude, version, update_time) VALUES ($1::uuid, $2, $3, $4, "
                "CASE WHEN $5 THEN $6::float8 END, CASE WHEN $5 THEN $7::float8 END, $8, now()) "
                "ON CONFLICT (organisation_id) DO UPDATE SET legal_name = EXCLUDED.legal_name, "
                "naf_code = EXCLUDED.naf_code, nace_section = EXCLUDED.nace_section, "
                "latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude, "
                "version = EXCLUDED.version, update_time = now() "
                "WHERE organisations.version < EXCLUDED.version RETURNING 1",
                o.organisation_id(), o.legal_name(), o.naf_code(), o.nace_section(), at.has_value(),
                at ? at->first : 0.0, at ? at->second : 0.0, o.version());
            if (!r.empty()) changed.push_back(o.organisation_id());
            break;
          }
          case mv1::MembershipEvent::kMembershipChanged: {
            const mv1::Membership& m = e.membership_changed().membership();
            if (!IsUuid(m.network_id()) || !IsUuid(m.organisation_id())) {
              return absl::InvalidArgumentError("membership_changed: ids are not UUIDs");
            }
            const bool signed_charter =
                m.has_charter_signature() && !m.charter_signature_required();
            // The organisation's row may not have arrived yet: its name keeps a place.
            tx.exec_params(
                "INSERT INTO organisations (organisation_id, legal_name) VALUES ($1::uuid, $2) "
                "ON CONFLICT (organisation_id) DO NOTHING",
                m.organisation_id(), m.organisation_name());
            pqxx::result r = tx.exec_params(
                "INSERT INTO network_members (network_id, organisation_id, state, "
                "charter_signed, version) VALUES ($1::uuid, $2::uuid, $3, $4, $5) "
                "ON CONFLICT (network_id, organisation_id) DO UPDATE SET state = EXCLUDED.state, "
                "charter_signed = EXCLUDED.charter_signed, version = EXCLUDED.version, "
                "update_time = now() WHERE network_members.version < EXCLUDED.version RETURNING 1",
                m.network_id(), m.organisation_id(), static_cast<int>(m.state()), signed_charter,
                m.version());
            if (!r.empty()) changed.push_back(m.organisation_id());
            break;
          }
          case mv1::MembershipEvent::kCharterSigned: {
            const mv1::CharterSigned& c = e.charter_signed();
            if (!IsUuid(c.network_id()) || !IsUuid(c.organisation_id())) {
              return absl::InvalidArgumentError("charter_signed: ids are not UUIDs");
            }
            pqxx::result r = tx.exec_params(
                "UPDATE network_members SET charter_signed = true, update_time = now() "
                "WHERE network_id = $1::uuid AND organisation_id = $2::uuid AND NOT "
                "charter_signed RETURNING 1",
                c.network_id(), c.organisation_id());
            if (!r.empty()) changed.push_back(c.organisation_id());
            break;
          }
          default:
            break;
        }
        for (const std::string& id : changed) {
          MAILLAGE_RETURN_IF_ERROR(PublishProfileChanged(tx, id, e.actor(), now));
        }
        return changed;
      });
}

absl::StatusOr<std::vector<std::string>> MatchingStore::ApplyPoolingDecision(
    const std::string& event_id, const PoolingNeed& need, const std::string& actor) {
  const absl::Time now = clock_();
  return InTransaction<std::vector<std::string>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<std::string>> {
        std::vector<std::string> changed;
        MAILLAGE_ASSIGN_OR_RETURN(bool first,
                                  events::MarkProcessed(tx, "matching.assessment", event_id));
        if (!first) return changed;
        absl::flat_hash_map<std::string, std::string> held;  // organisation -> declaration
        for (const pqxx::row& r : tx.exec_params(
                 "SELECT organisation_id::text, declaration_id::text FROM declarations WHERE "
                 "source = $1 AND NOT withdrawn FOR UPDATE",
                 need.source)) {
          held[r[0].as<std::string>()] = r[1].as<std::string>();
        }
        std::vector<std::string> ids;
        for (const std::string& org : need.participants) {
          if (!IsUuid(org)) continue;
          pqxx::row r = tx.exec_params1(
              "INSERT INTO declarations (declaration_id, organisation_id, side, type, tags, "
              "title, description, expire_time, source, create_time, update_time) VALUES "
              "($1::uuid, $2::uuid, $3, $4, $5::text[], $6, $7, $8::timestamptz, $9, "
              "$10::timestamptz, $10::timestamptz) ON CONFLICT (organisation_id, source) "
              "WHERE source <> '' DO UPDATE SET tags = EXCLUDED.tags, title = EXCLUDED.title, "
              "description = EXCLUDED.description, expire_time = EXCLUDED.expire_time, "
              "withdrawn = false, version = declarations.version + 1, update_time = "
              "EXCLUDED.update_time RETURNING declaration_id::text",
              events::NewEventId(), org, static_cast<int>(v1::SIDE_NEED),
              static_cast<int>(v1::DECLARATION_TYPE_POOLING), pg::TextArray(need.tags), need.title,
              need.description, pg::TimeParam(now + absl::Hours(24 * 365)), need.source,
              pg::TimeParam(now));
          ids.push_back(r[0].as<std::string>());
          held.erase(org);
        }
        for (const auto& [org, id] : held) {
          tx.exec_params(
              "UPDATE declarations SET withdrawn = true, version = version + 1, update_time = "
              "$2::timestamptz WHERE declaration_id = $1::uuid",
              id, pg::TimeParam(now));
          ids.push_back(id);
        }
        for (const std::string& id : ids) {
          MAILLAGE_ASSIGN_OR_RETURN(v1::Declaration d, FetchDeclaration(tx, id, now, false));
          MAILLAGE_RETURN_IF_ERROR(PublishDeclaration(tx, d, actor, now));
          changed.push_back(d.organisation_id());
        }
        return changed;
      });
}

absl::StatusOr<v1::Declaration> MatchingStore::CreateDeclaration(
    const std::string& organisation_id, v1::Declaration draft, const std::string& actor,
    const std::string& idempotency_key) {
  const absl::Time now = clock_();
  return InTransaction<v1::Declaration>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Declaration> {
        const std::string scope = absl::StrCat("CreateDeclaration/", actor, "/", organisation_id);
        std::string earlier;
        if (!idempotency_key.empty()) {
          MAILLAGE_ASSIGN_OR_RETURN(
              earlier, pg::ReserveIdempotencyKey(tx, scope, idempotency_key,
                                                 pg::RequestHash({draft.SerializeAsString()})));
        }
        if (!earlier.empty()) return FetchDeclaration(tx, earlier, now, false);
        const std::string id = events::NewEventId();
        std::vector<std::string> tags(draft.tags().begin(), draft.tags().end());
        tx.exec_params(
            "INSERT INTO declarations (declaration_id, organisation_id, side, type, tags, title, "
            "description, reach_km, confidential, expire_time, source, create_time, update_time) "
            "VALUES ($1::uuid, $2::uuid, $3, $4, $5::text[], $6, $7, $8, $9, $10::timestamptz, "
            "$11, $12::timestamptz, $12::timestamptz)",
            id, organisation_id, static_cast<int>(draft.side()), static_cast<int>(draft.type()),
            pg::TextArray(tags), draft.title(), draft.description(), draft.reach_km(),
            draft.confidential(),
            pg::TimeParam(absl::FromUnixSeconds(draft.expire_time().seconds()) +
                          absl::Nanoseconds(draft.expire_time().nanos())),
            draft.source(), pg::TimeParam(now));
        if (!idempotency_key.empty()) pg::RecordIdempotencyKey(tx, scope, idempotency_key, id);
        MAILLAGE_ASSIGN_OR_RETURN(v1::Declaration d, FetchDeclaration(tx, id, now, false));
        MAILLAGE_RETURN_IF_ERROR(PublishDeclaration(tx, d, actor, now));
        return d;
      });
}

absl::StatusOr<v1::Declaration> MatchingStore::UpdateDeclaration(const v1::Declaration& changed,
                                                                 const std::string& actor) {
  const absl::Time now = clock_();
  return InTransaction<v1::Declaration>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Declaration> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::Declaration stored,
                                  FetchDeclaration(tx, changed.declaration_id(), now, true));
        if (stored.version() != changed.version()) {
          return absl::AbortedError(
              absl::StrCat("declaration.version: the declaration is at "
                           "version ",
                           stored.version(), "; read it again"));
        }
        if (stored.state() == v1::DECLARATION_STATE_WITHDRAWN) {
          return absl::FailedPreconditionError("the declaration was withdrawn");
        }
        std::vector<std::string> tags(changed.tags().begin(), changed.tags().end());
        tx.exec_params(
            "UPDATE declarations SET tags = $2::text[], title = $3, description = $4, "
            "reach_km = $5, confidential = $6, version = version + 1, "
            "update_time = $7::timestamptz WHERE declaration_id = $1::uuid",
            changed.declaration_id(), pg::TextArray(tags), changed.title(), changed.description(),
            changed.reach_km(), changed.confidential(), pg::TimeParam(now));
        MAILLAGE_ASSIGN_OR_RETURN(v1::Declaration d,
                                  FetchDeclaration(tx, changed.declaration_id(), now, false));
        MAILLAGE_RETURN_IF_ERROR(PublishDeclaration(tx, d, actor, now));
        return d;
      });
}

absl::StatusOr<v1::Declaration> MatchingStore::WithdrawDeclaration(
    const std::string& declaration_id, const std::string& actor) {
  const absl::Time now = clock_();
  return InTransaction<v1::Declaration>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Declaration> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::Declaration stored,
                                  FetchDeclaration(tx, declaration_id, now, true));
        if (stored.state() == v1::DECLARATION_STATE_WITHDRAWN) return stored;
        tx.exec_params(
            "UPDATE declarations SET withdrawn = true, version = version + 1, "
            "update_time = $2::timestamptz WHERE declaration_id = $1::uuid",
            declaration_id, pg::TimeParam(now));
        MAILLAGE_ASSIGN_OR_RETURN(v1::Declaration d,
                                  FetchDeclaration(tx, declaration_id, now, false));
        MAILLAGE_RETURN_IF_ERROR(PublishDeclaration(tx, d, actor, now));
        return d;
      });
}

absl::StatusOr<v1::Declaration> MatchingStore::RenewDeclaration(const std::string& declaration_id,
                                                                absl::Time expire_time,
                                                                const std::string& actor) {
  const absl::Time now = clock_();
  return InTransaction<v1::Declaration>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Declaration> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::Declaration stored,
                                  FetchDeclaration(tx, declaration_id, now, true));
        if (stored.state() == v1::DECLARATION_STATE_WITHDRAWN) {
          return absl::FailedPreconditionError("the declaration was withdrawn");
        }
        tx.exec_params(
            "UPDATE declarations SET expire_time = $2::timestamptz, version = version + 1, "
            "update_time = $3::timestamptz WHERE declaration_id = $1::uuid",
            declaration_id, pg::TimeParam(expire_time), pg::TimeParam(now));
        MAILLAGE_ASSIGN_OR_RETURN(v1::Declaration d,
                                  FetchDeclaration(tx, declaration_id, now, false));
        MAILLAGE_RETURN_IF_ERROR(PublishDeclaration(tx, d, actor, now));
        return d;
      });
}

absl::StatusOr<v1::Declaration> MatchingStore::Declaration(const std::string& declaration_id) {
  const absl::Time now = clock_();
  return InTransaction<v1::Declaration>(
      pool_, [&](pqxx::work& tx) { return FetchDeclaration(tx, declaration_id, now, false); });
}

absl::StatusOr<Listed<v1::Declaration>> MatchingStore::ListDeclarations(
    const DeclarationFilter& filter, const PageQuery& page) {
  const absl::Time now = clock_();
  return InTransaction<Listed<v1::Declaration>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<Listed<v1::Declaration>> {
        std::vector<std::string> params;
        auto param = [&](std::string v) {
          params.push_back(std::move(v));
          return absl::StrCat("$", params.size());
        };
        std::vector<std::string> where;
        std::string from = " FROM declarations d";
        if (!filter.network_id.empty()) {
          from = absl::StrCat(from,
                              " JOIN network_members nm ON nm.organisation_id = d.organisation_id "
                              "AND nm.network_id = ",
                              param(filter.network_id), "::uuid AND nm.state = ", kActive);
        }
        if (!filter.organisation_id.empty()) {
          where.push_back(
              absl::StrCat("d.organisation_id = ", param(filter.organisation_id), "::uuid"));
        }
        if (filter.side != v1::SIDE_UNSPECIFIED) {
          where.push_back(absl::StrCat("d.side = ", static_cast<int>(filter.side)));
        }
        if (!filter.include_inactive) {
          where.push_back(absl::StrCat("NOT d.withdrawn AND d.expire_time > ",
                                       param(pg::TimeParam(now)), "::timestamptz"));
        }
        if (!filter.include_confidential) where.push_back("NOT d.confidential");
        if (page.after.size() == 2) {
          where.push_back(absl::StrCat("(d.create_time, d.declaration_id) > (",
                                       param(page.after[0]), "::timestamptz, ",
                                       param(page.after[1]), "::uuid)"));
        }
        const std::string sql =
            absl::StrCat("SELECT ", DeclarationColumns(), ", d.create_time::text", from, " WHERE ",
                         where.empty() ? "true" : absl::StrJoin(where, " AND "),
                         " ORDER BY d.create_time, d.declaration_id LIMIT ", page.size + 1);
        Listed<v1::Declaration> out;
        pqxx::result rows = pg::ExecPrepared(tx, sql, params);
        for (const pqxx::row& r : rows) {
          if (static_cast<int>(out.items.size()) == page.size) {
            const pqxx::row& last = rows[page.size - 1];
            out.next_after = {last[15].as<std::string>(), last[0].as<std::string>()};
            break;
          }
          out.items.push_back(ReadDeclaration(r, now));
        }
        return out;
      });
}

absl::StatusOr<Listed<v1::ExpiringDeclaration>> MatchingStore::ExpiringDeclarations(
    const std::string& network_id, absl::Time until, const PageQuery& page) {
  const absl::Time now = clock_();
  return InTransaction<Listed<v1::ExpiringDeclaration>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<Listed<v1::ExpiringDeclaration>> {
        std::vector<std::string> params = {network_id, pg::TimeParam(until)};
        std::string after;
        if (page.after.size() == 2) {
          params.push_back(page.after[0]);
          params.push_back(page.after[1]);
          after = " AND (d.expire_time, d.declaration_id) > ($3::timestamptz, $4::uuid)";
        }
        const std::string sql =
            absl::StrCat("SELECT ", DeclarationColumns(),
                         ", d.expire_time::text, coalesce(o.legal_name, '') "
                         "FROM declarations d JOIN network_members nm ON nm.organisation_id = "
                         "d.organisation_id AND nm.network_id = $1::uuid AND nm.state = ",
                         kActive,
                         " LEFT JOIN organisations o ON o.organisation_id = d.organisation_id "
                         "WHERE NOT d.withdrawn AND d.expire_time < $2::timestamptz",
                         after, " ORDER BY d.expire_time, d.declaration_id LIMIT ", page.size + 1);
        Listed<v1::ExpiringDeclaration> out;
        pqxx::result rows = pg::ExecPrepared(tx, sql, params);
        for (const pqxx::row& r : rows) {
          if (static_cast<int>(out.items.size()) == page.size) {
            const pqxx::row& last = rows[page.size - 1];
            out.next_after = {last[15].as<std::string>(), last[0].as<std::string>()};
            break;
          }
          v1::ExpiringDeclaration e;
          *e.mutable_declaration() = ReadDeclaration(r, now);
          e.set_organisation_name(r[16].as<std::string>());
          out.items.push_back(std::move(e));
        }
        return out;
      });
}

absl::StatusOr<std::vector<ProfileRecord>> MatchingStore::Profiles(
    const std::vector<std::string>& organisation_ids) {
  const absl::Time now = clock_();
  return InTransaction<std::vector<ProfileRecord>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<ProfileRecord>> {
        std::vector<ProfileRecord> out;
        absl::flat_hash_map<std::string, size_t> at;
        const bool all = organisation_ids.empty();
        const std::vector<std::string> params =
            all ? std::vector<std::string>{}
                : std::vector<std::string>{pg::TextArray(organisation_ids)};
        const std::string only_o = all ? "" : " WHERE o.organisation_id = ANY($1::uuid[])";
        for (const pqxx::row& r : pg::ExecPrepared(
                 tx,
                 absl::StrCat("SELECT o.organisation_id::text, o.legal_name, o.naf_code, "
                              "o.nace_section, o.latitude, o.longitude, ",
                              pg::MicrosOf("o.update_time"), " FROM organisations o", only_o),
                 params)) {
          ProfileRecord p;
          p.organisation_id = r[0].as<std::string>();
          p.legal_name = r[1].as<std::string>();
          p.naf_code = r[2].as<std::string>();
          p.nace_section = r[3].as<std::string>();
          if (!r[4].is_null() && !r[5].is_null()) {
            p.location = std::make_pair(r[4].as<double>(), r[5].as<double>());
          }
          p.update_time = absl::FromUnixMicros(r[6].as<int64_t>());
          at[p.organisation_id] = out.size();
          out.push_back(std::move(p));
        }
        for (const pqxx::row& r : pg::ExecPrepared(
                 tx,
                 absl::StrCat("SELECT organisation_id::text, network_id::text, charter_signed "
                              "FROM network_members WHERE state = ",
                              kActive, all ? "" : " AND organisation_id = ANY($1::uuid[])",
                              " ORDER BY organisation_id, network_id"),
                 params)) {
          auto it = at.find(r[0].as<std::string>());
          if (it == at.end()) continue;
          ProfileRecord& p = out[it->second];
          p.networks.push_back(r[1].as<std::string>());
          if (r[2].as<bool>()) p.charter_networks.push_back(r[1].as<std::string>());
        }
        for (const pqxx::row& r : pg::ExecPrepared(
                 tx,
                 absl::StrCat("SELECT ", DeclarationColumns(),
                              " FROM declarations d WHERE NOT d.withdrawn",
                              all ? "" : " AND d.organisation_id = ANY($1::uuid[])",
                              " ORDER BY d.organisation_id, d.create_time, d.declaration_id"),
                 params)) {
          auto it = at.find(r[1].as<std::string>());
          if (it == at.end()) continue;
          ProfileRecord& p = out[it->second];
          v1::Declaration d = ReadDeclaration(r, now);
          const absl::Time updated = absl::FromUnixSeconds(d.update_time().seconds());
          if (updated > p.update_time) p.update_time = updated;
          p.declarations.push_back(std::move(d));
        }
        return out;
      });
}

absl::StatusOr<std::vector<std::string>> MatchingStore::ActiveNetworksOf(
    const std::string& organisation_id) {
  return InTransaction<std::vector<std::string>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<std::string>> {
        std::vector<std::string> out;
        for (const pqxx::row& r : tx.exec_params(
                 "SELECT network_id::text FROM network_members WHERE organisation_id = $1::uuid "
                 "AND state = $2 ORDER BY network_id",
                 organisation_id, kActive)) {
          out.push_back(r[0].as<std::string>());
        }
        return out;
      });
}

absl::StatusOr<std::vector<std::string>> MatchingStore::Excluded(const std::string& organisation_id,
                                                                 absl::Duration cooling) {
  const absl::Time since = clock_() - cooling;
  return InTransaction<std::vector<std::string>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<std::string>> {
        std::vector<std::string> out;
        for (const pqxx::row& r : tx.exec_params(
                 "SELECT blocked_organisation_id::text FROM blocks WHERE organisation_id = "
                 "$1::uuid UNION SELECT organisation_id::text FROM blocks WHERE "
                 "blocked_organisation_id = $1::uuid UNION SELECT CASE WHEN "
                 "requester_organisation_id = $1::uuid THEN recipient_organisation_id ELSE "
                 "requester_organisation_id END::text FROM introductions WHERE state = $2 AND "
                 "respond_time > $3::timestamptz AND (requester_organisation_id = $1::uuid OR "
                 "recipient_organisation_id = $1::uuid)",
                 organisation_id, static_cast<int>(v1::INTRODUCTION_STATE_DECLINED),
                 pg::TimeParam(since))) {
          out.push_back(r[0].as<std::string>());
        }
        return out;
      });
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> MatchingStore::Names(
    const std::vector<std::string>& organisation_ids) {
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  return InTransaction<Pairs>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Pairs> {
    Pairs out;
    for (const pqxx::row& r :
         tx.exec_params("SELECT organisation_id::text, legal_name FROM organisations WHERE "
                        "organisation_id = ANY($1::uuid[])",
                        pg::TextArray(organisation_ids))) {
      out.emplace_back(r[0].as<std::string>(), r[1].as<std::string>());
    }
    return out;
  });
}

absl::StatusOr<v1::Block> MatchingStore::AddBlock(const std::string& organisation_id,
                                                  const std::string& blocked_organisation_id) {
  return InTransaction<v1::Block>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Block> {
    tx.exec_params(
        "INSERT INTO blocks (organisation_id, blocked_organisation_id) VALUES ($1::uuid, "
        "$2::uuid) ON CONFLICT DO NOTHING",
        organisation_id, blocked_organisation_id);
    pqxx::row r = tx.exec_params1(
        absl::StrCat("SELECT ", pg::MicrosOf("create_time"),
                     " FROM blocks WHERE organisation_id = $1::uuid AND blocked_organisation_id "
                     "= $2::uuid"),
        organisation_id, blocked_organisation_id);
    v1::Block b;
    b.set_organisation_id(organisation_id);
    b.set_blocked_organisation_id(blocked_organisation_id);
    pg::SetFromMicros(b.mutable_create_time(), r[0].as<int64_t>());
    return b;
  });
}

absl::Status MatchingStore::RemoveBlock(const std::string& organisation_id,
                                        const std::string& blocked_organisation_id) {
  return pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result r = tx.exec_params(
        "DELETE FROM blocks WHERE organisation_id = $1::uuid AND blocked_organisation_id = "
        "$2::uuid RETURNING 1",
        organisation_id, blocked_organisation_id);
    if (r.empty()) return absl::NotFoundError("block not found");
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<v1::Block>> MatchingStore::Blocks(const std::string& organisation_id) {
  return InTransaction<std::vector<v1::Block>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<v1::Block>> {
        std::vector<v1::Block> out;
        for (const pqxx::row& r : tx.exec_params(
                 absl::StrCat("SELECT blocked_organisation_id::text, ", pg::MicrosOf("create_time"),
                              " FROM blocks WHERE organisation_id = $1::uuid ORDER BY "
                              "create_time, blocked_organisation_id"),
                 organisation_id)) {
          v1::Block b;
          b.set_organisation_id(organisation_id);
          b.set_blocked_organisation_id(r[0].as<std::string>());
          pg::SetFromMicros(b.mutable_create_time(), r[1].as<int64_t>());
          out.push_back(std::move(b));
        }
        return out;
      });
}

absl::StatusOr<v1::Introduction> MatchingStore::RequestIntroduction(
    const v1::Introduction& draft, absl::Duration cooling, const std::string& actor,
    const std::string& idempotency_key) {
  const absl::Time now = clock_();
  return InTransaction<v1::Introduction>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Introduction> {
        const std::string scope =
            absl::StrCat("RequestIntroduction/", actor, "/", draft.requester_organisation_id());
        std::string earlier;
        if (!idempotency_key.empty()) {
          MAILLAGE_ASSIGN_OR_RETURN(
              earlier, pg::ReserveIdempotencyKey(tx, scope, idempotency_key,
                                                 pg::RequestHash({draft.SerializeAsString()})));
        }
        if (!earlier.empty()) return FetchIntroduction(tx, earlier, false);
        const std::string& from = draft.requester_organisation_id();
        const std::string& to = draft.recipient_organisation_id();
        if (!ActiveMember(tx, draft.network_id(), from)) {
          return absl::FailedPreconditionError(
              "requester_organisation_id: not an active member of the network");
        }
        // The recipient's membership is not the requester's to learn beyond this answer.
        if (!ActiveMember(tx, draft.network_id(), to) || Blocked(tx, from, to)) {
          return absl::FailedPreconditionError(
              "recipient_organisation_id: not a member of the network you may be introduced to");
        }
        if (!tx.exec_params("SELECT 1 FROM introductions WHERE requester_organisation_id = "
                            "$1::uuid AND recipient_organisation_id = $2::uuid AND state = $3 "
                            "AND respond_time > $4::timestamptz",
                            from, to, static_cast<int>(v1::INTRODUCTION_STATE_DECLINED),
                            pg::TimeParam(now - cooling))
                 .empty()) {
          return absl::FailedPreconditionError(
              "recipient_organisation_id: declined a recent request; ask again later");
        }
        pqxx::result open = tx.exec_params(
            "SELECT introduction_id::text FROM introductions WHERE network_id = $1::uuid AND "
            "requester_organisation_id = $2::uuid AND recipient_organisation_id = $3::uuid AND "
            "state = $4",
            draft.network_id(), from, to, static_cast<int>(v1::INTRODUCTION_STATE_REQUESTED));
        if (!open.empty()) return FetchIntroduction(tx, open[0][0].as<std::string>(), false);
        const std::string id = events::NewEventId();
        tx.exec_params(
            "INSERT INTO introductions (introduction_id, network_id, requester_organisation_id, "
            "recipient_organisation_id, message, from_suggestion, suggestion_score, state, "
            "request_time) VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5, $6, $7, $8, "
            "$9::timestamptz)",
            id, draft.network_id(), from, to, draft.message(), draft.from_suggestion(),
            draft.suggestion_score(), static_cast<int>(v1::INTRODUCTION_STATE_REQUESTED),
            pg::TimeParam(now));
        if (!idempotency_key.empty()) pg::RecordIdempotencyKey(tx, scope, idempotency_key, id);
        MAILLAGE_ASSIGN_OR_RETURN(v1::Introduction i, FetchIntroduction(tx, id, false));
        MAILLAGE_RETURN_IF_ERROR(Publish(tx, actor, now, [&](v1::MatchingEvent& e) {
          *e.mutable_introduction_requested() = i;
        }));
        return i;
      });
}

absl::StatusOr<v1::Introduction> MatchingStore::Introduction(const std::string& introduction_id) {
  return InTransaction<v1::Introduction>(
      pool_, [&](pqxx::work& tx) { return FetchIntroduction(tx, introduction_id, false); });
}

absl::StatusOr<v1::Introduction> MatchingStore::RespondToIntroduction(
    const std::string& introduction_id, bool accept, const std::string& note,
    const std::string& actor) {
  const absl::Time now = clock_();
  return InTransaction<v1::Introduction>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Introduction> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::Introduction i, FetchIntroduction(tx, introduction_id, true));
        const v1::IntroductionState next =
            accept ? v1::INTRODUCTION_STATE_ACCEPTED : v1::INTRODUCTION_STATE_DECLINED;
        if (i.state() == next) return i;
        if (i.state() != v1::INTRODUCTION_STATE_REQUESTED) {
          return absl::FailedPreconditionError(
              absl::StrCat("the introduction was already ",
                           i.state() == v1::INTRODUCTION_STATE_ACCEPTED ? "accepted" : "declined"));
        }
        tx.exec_params(
            "UPDATE introductions SET state = $2, response_note = $3, respond_time = "
            "$4::timestamptz, version = version + 1 WHERE introduction_id = $1::uuid",
            introduction_id, static_cast<int>(next), note, pg::TimeParam(now));
        MAILLAGE_ASSIGN_OR_RETURN(i, FetchIntroduction(tx, introduction_id, false));
        MAILLAGE_RETURN_IF_ERROR(Publish(tx, actor, now, [&](v1::MatchingEvent& e) {
          *(accept ? e.mutable_introduction_accepted() : e.mutable_introduction_declined()) = i;
        }));
        return i;
      });
}

absl::StatusOr<v1::Introduction> MatchingStore::RecordIntroductionOutcome(
    const std::string& introduction_id, v1::IntroductionOutcome outcome, const std::string& actor) {
  const absl::Time now = clock_();
  return InTransaction<v1::Introduction>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Introduction> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::Introduction i, FetchIntroduction(tx, introduction_id, true));
        if (i.state() != v1::INTRODUCTION_STATE_ACCEPTED) {
          return absl::FailedPreconditionError(
              "an outcome is recorded once the introduction is accepted");
        }
        if (i.outcome() == outcome) return i;
        if (i.outcome() == v1::INTRODUCTION_OUTCOME_NO_FOLLOW_UP) {
          return absl::FailedPreconditionError("the introduction ended with no follow-up");
        }
        if (outcome != v1::INTRODUCTION_OUTCOME_NO_FOLLOW_UP && outcome < i.outcome()) {
          return absl::FailedPreconditionError(
              "outcome: stages only move forward (met, letter of intent, contract)");
        }
        tx.exec_params(
            "UPDATE introductions SET outcome = $2, outcome_time = $3::timestamptz, "
            "version = version + 1 WHERE introduction_id = $1::uuid",
            introduction_id, static_cast<int>(outcome), pg::TimeParam(now));
        MAILLAGE_ASSIGN_OR_RETURN(i, FetchIntroduction(tx, introduction_id, false));
        MAILLAGE_RETURN_IF_ERROR(Publish(tx, actor, now, [&](v1::MatchingEvent& e) {
          *e.mutable_introduction_outcome_recorded() = i;
        }));
        return i;
      });
}

absl::StatusOr<Listed<v1::Introduction>> MatchingStore::ListIntroductions(
    const std::string& organisation_id, const std::string& network_id, const PageQuery& page) {
  return InTransaction<Listed<v1::Introduction>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<Listed<v1::Introduction>> {
        std::vector<std::string> params;
        std::string where;
        if (!organisation_id.empty()) {
          params.push_back(organisation_id);
          where =
              "(i.requester_organisation_id = $1::uuid OR i.recipient_organisation_id = "
              "$1::uuid)";
        } else {
          params.push_back(network_id);
          where = "i.network_id = $1::uuid";
        }
        if (page.after.size() == 2) {
          params.push_back(page.after[0]);
          params.push_back(page.after[1]);
          where += " AND (i.request_time, i.introduction_id) < ($2::timestamptz, $3::uuid)";
        }
        const std::string sql = absl::StrCat(
            "SELECT ", IntroductionColumns(), ", i.request_time::text", kIntroductionFrom,
            " WHERE ", where, " ORDER BY i.request_time DESC, i.introduction_id DESC LIMIT ",
            page.size + 1);
        Listed<v1::Introduction> out;
        pqxx::result rows = pg::ExecPrepared(tx, sql, params);
        for (const pqxx::row& r : rows) {
          if (static_cast<int>(out.items.size()) == page.size) {
            const pqxx::row& last = rows[page.size - 1];
            out.next_after = {last[16].as<std::string>(), last[0].as<std::string>()};
            break;
          }
          out.items.push_back(ReadIntroduction(r));
        }
        return out;
      });
}

absl::StatusOr<v1::MatchingSettings> MatchingStore::Settings(const std::string& network_id) {
  return InTransaction<v1::MatchingSettings>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::MatchingSettings> {
        v1::MatchingSettings s;
        s.set_network_id(network_id);
        pqxx::result r = tx.exec_params(
            "SELECT distance_scale_km, distance_floor, competitor_radius_km, "
            "decline_cooling_days, version FROM network_settings WHERE network_id = $1::uuid",
            network_id);
        if (!r.empty()) {
          s.set_distance_scale_km(r[0][0].as<double>());
          s.set_distance_floor(r[0][1].as<double>());
          s.set_competitor_radius_km(r[0][2].as<double>());
          s.set_decline_cooling_days(r[0][3].as<int>());
          s.set_version(r[0][4].as<int64_t>());
        }
        return WithDefaults(s);
      });
}

absl::StatusOr<v1::MatchingSettings> MatchingStore::UpdateSettings(
    const std::string& network_id, const v1::MatchingSettings& settings, const std::string& actor) {
  const absl::Time now = clock_();
  return InTransaction<v1::MatchingSettings>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::MatchingSettings> {
        pqxx::row r = tx.exec_params1(
            "INSERT INTO network_settings (network_id, distance_scale_km, distance_floor, "
            "competitor_radius_km, decline_cooling_days, version) VALUES ($1::uuid, $2, $3, $4, "
            "$5, 1) ON CONFLICT (network_id) DO UPDATE SET distance_scale_km = "
            "EXCLUDED.distance_scale_km, distance_floor = EXCLUDED.distance_floor, "
            "competitor_radius_km = EXCLUDED.competitor_radius_km, decline_cooling_days = "
            "EXCLUDED.decline_cooling_days, version = network_settings.version + 1 "
            "RETURNING version",
            network_id, settings.distance_scale_km(), settings.distance_floor(),
            settings.competitor_radius_km(), settings.decline_cooling_days());
        v1::MatchingSettings s = settings;
        s.set_network_id(network_id);
        s.set_version(r[0].as<int64_t>());
        s = WithDefaults(s);
        MAILLAGE_RETURN_IF_ERROR(Publish(
            tx, actor, now, [&](v1::MatchingEvent& e) { *e.mutable_settings_changed() = s; }));
        return s;
      });
}

}  // namespace maillage::matching
