// Helpers shared by the MembershipStore implementation files (organisation_store.cc,
// person_store.cc, network_store.cc, membership_store.cc, import_store.cc): row readers,
// event emission and the transactional shapes every aggregate uses. Internal to the store:
// nothing outside services/membership/*store*.cc includes it.
//
// Example:
//   return InTransaction<v1::Network>(pool_, [&](pqxx::work& tx) { return FetchNetwork(tx, id); });

#ifndef MAILLAGE_SERVICES_MEMBERSHIP_STORE_INTERNAL_H_
#define MAILLAGE_SERVICES_MEMBERSHIP_STORE_INTERNAL_H_

#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/events/outbox.h"
#include "common/log/log.h"
#include "common/pg/idempotency.h"
#include "common/pg/in_transaction.h"
#include "common/pg/keyset.h"
#include "common/pg/pg.h"
#include "common/status/status.h"
#include "services/membership/domain/membership_rules.h"
#include "services/membership/membership_store.h"

namespace maillage::membership::store_internal {

using ::maillage::pg::RecordIdempotencyKey;
using ::maillage::pg::RequestHash;
using ::maillage::pg::ReserveIdempotencyKey;

using ::maillage::auth::v1::NETWORK_ROLE_ANIMATOR;
using ::maillage::auth::v1::NetworkRole;

// Columns shared by every read of an organisation, in the order ReadOrganisation expects.
inline constexpr char kOrganisationColumns[] =
    "o.id::text, o.profile, o.version, (extract(epoch from o.created_at) * 1000000)::bigint, "
    "(extract(epoch from o.updated_at) * 1000000)::bigint";

inline constexpr char kNetworkColumns[] =
    "n.id::text, n.profile, n.version, (extract(epoch from n.created_at) * 1000000)::bigint, "
    "(extract(epoch from n.updated_at) * 1000000)::bigint, n.charter_version, n.charter_text, "
    "(extract(epoch from n.charter_published_at) * 1000000)::bigint";

inline constexpr char kMembershipColumns[] =
    "m.id::text, m.organisation_id::text, m.network_id::text, m.role, m.state, m.state_reason, "
    "m.motivation, m.signed_charter_version, coalesce(m.signed_by::text, ''), "
    "coalesce((extract(epoch from m.signed_at) * 1000000)::bigint, 0), m.version, "
    "(extract(epoch from m.created_at) * 1000000)::bigint, "
    "(extract(epoch from m.updated_at) * 1000000)::bigint, n.charter_version, o.legal_name";

// The states of an admitted membership (IsAdmitted), the only ones that open an
// organisation to its network.
inline constexpr char kAdmittedStates[] = "(2,3,4)";
static_assert(v1::MEMBERSHIP_STATE_SPONSORED == 2 && v1::MEMBERSHIP_STATE_ACTIVE == 3 &&
              v1::MEMBERSHIP_STATE_SUSPENDED == 4);

inline constexpr char kMembershipFrom[] =
    " FROM memberships m JOIN networks n ON n.id = m.network_id"
    " JOIN organisations o ON o.id = m.organisation_id ";

inline void SetTime(google::protobuf::Timestamp* t, int64_t micros) {
  t->set_seconds(micros / 1000000);
  t->set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
}

inline std::string Bytes(const pqxx::field& f) { return pqxx::binarystring(f).str(); }

// The part of an organisation stored as its profile: everything but what columns hold.
inline std::string OrganisationProfile(v1::Organisation org) {
  org.clear_organisation_id();
  org.clear_version();
  org.clear_create_time();
  org.clear_update_time();
  org.clear_public_view();
  return org.SerializeAsString();
}

inline std::string NetworkProfile(v1::Network net) {
  net.clear_network_id();
  net.clear_version();
  net.clear_create_time();
  net.clear_update_time();
  net.clear_charter();
  return net.SerializeAsString();
}

inline v1::Organisation ReadOrganisation(const pqxx::row& r) {
  v1::Organisation org;
  org.ParseFromString(Bytes(r[1]));
  org.set_organisation_id(r[0].as<std::string>());
  org.set_version(r[2].as<int64_t>());
  SetTime(org.mutable_create_time(), r[3].as<int64_t>());
  SetTime(org.mutable_update_time(), r[4].as<int64_t>());
  return org;
}

inline v1::Network ReadNetwork(const pqxx::row& r) {
  v1::Network net;
  net.ParseFromString(Bytes(r[1]));
  net.set_network_id(r[0].as<std::string>());
  net.set_version(r[2].as<int64_t>());
  SetTime(net.mutable_create_time(), r[3].as<int64_t>());
  SetTime(net.mutable_update_time(), r[4].as<int64_t>());
  net.mutable_charter()->set_version(r[5].as<int>());
  net.mutable_charter()->set_text(r[6].as<std::string>());
  SetTime(net.mutable_charter()->mutable_publish_time(), r[7].as<int64_t>());
  return net;
}

inline v1::Membership ReadMembership(const pqxx::row& r) {
  v1::Membership m;
  m.set_membership_id(r[0].as<std::string>());
  m.set_organisation_id(r[1].as<std::string>());
  m.set_network_id(r[2].as<std::string>());
  m.set_role(static_cast<NetworkRole>(r[3].as<int>()));
  m.set_state(static_cast<v1::MembershipState>(r[4].as<int>()));
  m.set_state_reason(r[5].as<std::string>());
  m.set_motivation(r[6].as<std::string>());
  int signed_version = r[7].as<int>();
  if (signed_version > 0) {
    v1::CharterSignature* sig = m.mutable_charter_signature();
    sig->set_person_id(r[8].as<std::string>());
    sig->set_charter_version(signed_version);
    SetTime(sig->mutable_sign_time(), r[9].as<int64_t>());
  }
  m.set_version(r[10].as<int64_t>());
  SetTime(m.mutable_create_time(), r[11].as<int64_t>());
  SetTime(m.mutable_update_time(), r[12].as<int64_t>());
  m.set_charter_signature_required(
      CharterSignatureRequired(m.state(), signed_version, r[13].as<int>()));
  m.set_organisation_name(r[14].as<std::string>());
  return m;
}

inline std::string PgTextArray(const google::protobuf::RepeatedPtrField<std::string>& values) {
  return pg::TextArray({values.begin(), values.end()});
}

// The event announcing a change, by `actor`, now.
inline events::OutboxEvent MakeEvent(const ChangeContext& change,
                                     const std::function<void(v1::MembershipEvent&)>& fill) {
  v1::MembershipEvent event;
  event.set_event_id(events::NewEventId());
  SetTime(event.mutable_occur_time(), absl::ToUnixMicros(absl::Now()));
  event.set_actor(change.actor);
  fill(event);
  const google::protobuf::FieldDescriptor* kind =
      event.GetDescriptor()->FindFieldByNumber(event.kind_case());
  return {event.event_id(), absl::StrCat("membership.", kind->name()), event.SerializeAsString()};
}

// Writes an event to the outbox inside the caller's transaction.
inline absl::Status Emit(pqxx::work& tx, const ChangeContext& change,
                         const std::function<void(v1::MembershipEvent&)>& fill) {
  events::OutboxEvent e = MakeEvent(change, fill);
  return events::Enqueue(tx, e.event_id, e.event_type, e.payload);
}

inline absl::StatusOr<v1::Organisation> FetchOrganisation(pqxx::work& tx, const std::string& id) {
  pqxx::result r = tx.exec_params(
      absl::StrCat("SELECT ", kOrganisationColumns, " FROM organisations o WHERE o.id = $1::uuid"),
      id);
  if (r.empty()) return absl::NotFoundError(absl::StrCat("organisation ", id, " not found"));
  return ReadOrganisation(r[0]);
}

inline absl::StatusOr<v1::Network> FetchNetwork(pqxx::work& tx, const std::string& id,
                                                bool lock = false) {
  pqxx::result r = tx.exec_params(
      absl::StrCat("SELECT ", kNetworkColumns, " FROM networks n WHERE n.id = $1::uuid",
                   lock ? " FOR NO KEY UPDATE" : ""),
      id);
  if (r.empty()) return absl::NotFoundError(absl::StrCat("network ", id, " not found"));
  return ReadNetwork(r[0]);
}

inline absl::Status AttachSponsors(pqxx::work& tx, std::vector<v1::Membership*> memberships) {
  if (memberships.empty()) return absl::OkStatus();
  std::map<std::string, v1::Membership*> by_id;
  std::vector<std::string> ids;
  for (v1::Membership* m : memberships) {
    by_id[m->membership_id()] = m;
    ids.push_back(m->membership_id());
  }
  pqxx::result r = pg::ExecPrepared(
      tx,
      "SELECT membership_id::text, sponsor_organisation_id::text, sponsor_person_id, "
      "(extract(epoch from created_at) * 1000000)::bigint FROM sponsorships "
      "WHERE membership_id = ANY($1::uuid[]) ORDER BY created_at, sponsor_organisation_id",
      {absl::StrCat("{", absl::StrJoin(ids, ","), "}")});
  for (const auto& row : r) {
    v1::Sponsorship* s = by_id[row[0].as<std::string>()]->add_sponsorships();
    s->set_sponsor_organisation_id(row[1].as<std::string>());
    s->set_sponsor_person_id(row[2].as<std::string>());
    SetTime(s->mutable_sponsor_time(), row[3].as<int64_t>());
  }
  return absl::OkStatus();
}

inline absl::StatusOr<v1::Membership> FetchMembership(pqxx::work& tx, const std::string& id,
                                                      bool lock = false) {
  pqxx::result r =
      pg::ExecPrepared(tx,
                       absl::StrCat("SELECT ", kMembershipColumns, kMembershipFrom,
                                    "WHERE m.id = $1::uuid", lock ? " FOR UPDATE OF m" : ""),
                       {id});
  if (r.empty()) return absl::NotFoundError(absl::StrCat("membership ", id, " not found"));
  v1::Membership m = ReadMembership(r[0]);
  MAILLAGE_RETURN_IF_ERROR(AttachSponsors(tx, {&m}));
  return m;
}

using pg::InTransaction;

// Active animators of the network besides `membership_id`, counted under a lock on the
// network row, so that steps removing animators (leave, suspend, step down) run one after
// the other and each sees the others' effect. NO KEY UPDATE: it does not conflict with the
// key-share locks that inserting memberships takes, so applications do not wait on it.
inline int OtherActiveAnimators(pqxx::work& tx, const std::string& network_id,
                                const std::string& membership_id) {
  tx.exec_params("SELECT 1 FROM networks WHERE id = $1::uuid FOR NO KEY UPDATE", network_id);
  return tx
      .exec_params1(
          "SELECT count(*) FROM memberships WHERE network_id = $1::uuid AND role = $2 "
          "AND state = $3 AND id <> $4::uuid",
          network_id, static_cast<int>(NETWORK_ROLE_ANIMATOR),
          static_cast<int>(v1::MEMBERSHIP_STATE_ACTIVE), membership_id)[0]
      .as<int>();
}

// Writes a new state and announces it; returns the membership as now stored.
inline absl::StatusOr<v1::Membership> WriteState(pqxx::work& tx, const v1::Membership& before,
                                                 v1::MembershipState next,
                                                 const std::string& reason,
                                                 const ChangeContext& change) {
  tx.exec_params(
      "UPDATE memberships SET state = $2, state_reason = $3, version = version + 1, "
      "updated_at = now() WHERE id = $1::uuid",
      before.membership_id(), static_cast<int>(next), reason);
  MAILLAGE_ASSIGN_OR_RETURN(v1::Membership after, FetchMembership(tx, before.membership_id()));
  MAILLAGE_RETURN_IF_ERROR(Emit(tx, change, [&](v1::MembershipEvent& e) {
    *e.mutable_membership_changed()->mutable_membership() = after;
    e.mutable_membership_changed()->set_previous_state(before.state());
  }));
  return after;
}

inline absl::StatusOr<v1::Organisation> InsertOrganisation(pqxx::work& tx,
                                                           const v1::Organisation& draft,
                                                           const ChangeContext& change) {
  if (!draft.siren().empty()) {
    // The answer names the SIREN the caller sent, never the organisation that holds it: its
    // id would open nothing, but it is another tenant's.
    pqxx::result dup =
        tx.exec_params("SELECT 1 FROM organisations WHERE siren = $1", draft.siren());
    if (!dup.empty()) {
      return absl::AlreadyExistsError(
          absl::StrCat("organisation.siren: SIREN ", draft.siren(), " is already registered"));
    }
  }
  const v1::Organisation& o = draft;
  // A concurrent creation of the same SIREN may commit after the check above: ON CONFLICT
  // waits for it, then inserts nothing, so the loser gets the same answer as a late caller.
  pqxx::result r = tx.exec_params(
      "INSERT INTO organisations (legal_name, name_key, siren, naf_code, nace_section, "
      "departement_code, commune_code, visibility, profile) "
      "VALUES ($1, lower($1), nullif($2, ''), $3, $4, $5, $6, $7, $8) "
      "ON CONFLICT (siren) DO NOTHING RETURNING id::text",
      o.legal_name(), o.siren(), o.naf_code(), o.nace_section(),
      o.territory().departement_codes().empty() ? "" : o.territory().departement_codes(0),
      o.territory().commune_codes().empty() ? "" : o.territory().commune_codes(0),
      static_cast<int>(o.visibility()), pqxx::binarystring(OrganisationProfile(o)));
  if (r.empty()) {
    return absl::AlreadyExistsError(
        absl::StrCat("organisation.siren: SIREN ", draft.siren(), " is already registered"));
  }
  MAILLAGE_ASSIGN_OR_RETURN(v1::Organisation created,
                            FetchOrganisation(tx, r[0][0].as<std::string>()));
  MAILLAGE_RETURN_IF_ERROR(Emit(tx, change, [&](v1::MembershipEvent& e) {
    *e.mutable_organisation_created()->mutable_organisation() = created;
  }));
  return created;
}

// Rewrites an organisation if `expected_version` is current; ABORTED otherwise.
inline absl::StatusOr<v1::Organisation> RewriteOrganisation(pqxx::work& tx,
                                                            const v1::Organisation& o,
                                                            int64_t expected_version,
                                                            const ChangeContext& change) {
  pqxx::result r = tx.exec_params(
      "UPDATE organisations SET legal_name = $3, name_key = lower($3), siren = nullif($4, ''), "
      "naf_code = $5, nace_section = $6, departement_code = $7, commune_code = $8, "
      "visibility = $9, profile = $10, version = version + 1, updated_at = now() "
      "WHERE id = $1::uuid AND version = $2",
      o.organisation_id(), expected_version, o.legal_name(), o.siren(), o.naf_code(),
      o.nace_section(),
      o.territory().departement_codes().empty() ? "" : o.territory().departement_codes(0),
      o.territory().commune_codes().empty() ? "" : o.territory().commune_codes(0),
      static_cast<int>(o.visibility()), pqxx::binarystring(OrganisationProfile(o)));
  if (r.affected_rows() == 0) {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Organisation current, FetchOrganisation(tx, o.organisation_id()));
    return absl::AbortedError(absl::StrCat("organisation.version: ", expected_version,
                                           " is stale, the organisation is at version ",
                                           current.version(), "; read it again and retry"));
  }
  MAILLAGE_ASSIGN_OR_RETURN(v1::Organisation updated, FetchOrganisation(tx, o.organisation_id()));
  MAILLAGE_RETURN_IF_ERROR(Emit(tx, change, [&](v1::MembershipEvent& e) {
    *e.mutable_organisation_updated()->mutable_organisation() = updated;
  }));
  return updated;
}

inline constexpr char kPersonColumns[] =
    "p.id::text, p.given_name, p.family_name, p.email, p.phone, "
    "(extract(epoch from p.created_at) * 1000000)::bigint";

inline v1::Person ReadPerson(const pqxx::row& r, int offset = 0) {
  v1::Person p;
  p.set_person_id(r[offset + 0].as<std::string>());
  p.set_given_name(r[offset + 1].as<std::string>());
  p.set_family_name(r[offset + 2].as<std::string>());
  p.set_email(r[offset + 3].as<std::string>());
  p.set_phone(r[offset + 4].as<std::string>());
  SetTime(p.mutable_create_time(), r[offset + 5].as<int64_t>());
  return p;
}

inline absl::StatusOr<v1::Person> FetchPerson(pqxx::work& tx, const std::string& id) {
  pqxx::result r = tx.exec_params(
      absl::StrCat("SELECT ", kPersonColumns, " FROM people p WHERE p.id = $1::uuid"), id);
  if (r.empty()) return absl::NotFoundError(absl::StrCat("person ", id, " not found"));
  return ReadPerson(r[0]);
}

inline absl::StatusOr<v1::Person> InsertPerson(pqxx::work& tx, const v1::Person& p) {
  // As for SIRENs: the answer never names the person who holds the address.
  pqxx::result dup =
      tx.exec_params("SELECT 1 FROM people WHERE lower(email) = lower($1)", p.email());
  if (!dup.empty()) {
    return absl::AlreadyExistsError(
        absl::StrCat("person.email: ", p.email(), " is already registered"));
  }
  // As for organisations: a concurrent creation of the same address gets ALREADY_EXISTS.
  pqxx::result r = tx.exec_params(
      "INSERT INTO people (given_name, family_name, email, phone) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT ((lower(email))) DO NOTHING RETURNING id::text",
      p.given_name(), p.family_name(), p.email(), p.phone());
  if (r.empty()) {
    return absl::AlreadyExistsError(
        absl::StrCat("person.email: ", p.email(), " is already registered"));
  }
  return FetchPerson(tx, r[0][0].as<std::string>());
}

// Creates or renews the membership of an organisation in a network, per the admission rules
// of `how`.
inline absl::StatusOr<v1::Membership> ApplyInTx(pqxx::work& tx, const std::string& network_id,
                                                const std::string& organisation_id,
                                                NetworkRole role, const std::string& motivation,
                                                const ChangeContext& change, Enrolment how) {
  MAILLAGE_ASSIGN_OR_RETURN(v1::Network network, FetchNetwork(tx, network_id));
  MAILLAGE_RETURN_IF_ERROR(FetchOrganisation(tx, organisation_id).status());
  v1::MembershipState previous = v1::MEMBERSHIP_STATE_UNSPECIFIED;
  v1::MembershipState state = v1::MEMBERSHIP_STATE_UNSPECIFIED;
  std::string id;
  // Two first applications may race: both find no row, one inserts, and the other's insert
  // finds the row taken. It then reads that row (waiting for its commit) and decides as a
  // late caller would, instead of failing on the unique index.
  for (int attempt = 0; id.empty(); ++attempt) {
    pqxx::result existing = tx.exec_params(
        "SELECT id::text, state FROM memberships WHERE organisation_id = $1::uuid "
        "AND network_id = $2::uuid FOR UPDATE",
        organisation_id, network_id);
    previous = existing.empty() ? v1::MEMBERSHIP_STATE_UNSPECIFIED
                                : static_cast<v1::MembershipState>(existing[0][1].as<int>());
    switch (how) {
      case Enrolment::kApplication: {
        MAILLAGE_ASSIGN_OR_RETURN(state, Apply(previous, network.admission_policy()));
        break;
      }
      case Enrolment::kInvitation: {
        MAILLAGE_ASSIGN_OR_RETURN(state, Invite(previous));
        break;
      }
      case Enrolment::kCreatedByImport: {
        // The importing animator created the organisation: there is no one else to ask.
        MAILLAGE_RETURN_IF_ERROR(Apply(previous, network.admission_policy()).status());
        state = v1::MEMBERSHIP_STATE_SPONSORED;
        break;
      }
    }
    if (!existing.empty()) {
      // A renewed application starts afresh: old sponsors and signature no longer count.
      id = existing[0][0].as<std::string>();
      tx.exec_params("DELETE FROM sponsorships WHERE membership_id = $1::uuid", id);
      tx.exec_params(
          "UPDATE memberships SET role = $2, state = $3, motivation = $4, state_reason = '', "
          "signed_charter_version = 0, signed_by = NULL, signed_at = NULL, version = version + 1, "
          "updated_at = now() WHERE id = $1::uuid",
          id, static_cast<int>(role), static_cast<int>(state), motivation);
      break;
    }
    pqxx::result inserted = tx.exec_params(
        "INSERT INTO memberships (organisation_id, network_id, role, state, motivation) "
        "VALUES ($1::uuid, $2::uuid, $3, $4, $5) "
        "ON CONFLICT (organisation_id, network_id) DO NOTHING RETURNING id::text",
        organisation_id, network_id, static_cast<int>(role), static_cast<int>(state), motivation);
    if (!inserted.empty()) {
      id = inserted[0][0].as<std::string>();
    } else if (attempt > 0) {
      return absl::AbortedError("concurrent enrolments of the organisation; retry");
    }
  }
  MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, FetchMembership(tx, id));
  MAILLAGE_RETURN_IF_ERROR(Emit(tx, change, [&](v1::MembershipEvent& e) {
    *e.mutable_membership_changed()->mutable_membership() = m;
    e.mutable_membership_changed()->set_previous_state(previous);
  }));
  return m;
}

}  // namespace maillage::membership::store_internal

#endif  // MAILLAGE_SERVICES_MEMBERSHIP_STORE_INTERNAL_H_
