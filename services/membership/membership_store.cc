#include "services/membership/membership_store.h"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/events/outbox.h"
#include "common/log/log.h"
#include "common/pg/idempotency.h"
#include "common/pg/keyset.h"
#include "common/pg/pg.h"
#include "common/status/status.h"
#include "services/membership/domain/membership_rules.h"

namespace maillage::membership {
namespace {

using ::maillage::pg::RecordIdempotencyKey;
using ::maillage::pg::RequestHash;
using ::maillage::pg::ReserveIdempotencyKey;

using ::maillage::auth::v1::NETWORK_ROLE_ANIMATOR;
using ::maillage::auth::v1::NetworkRole;

// Columns shared by every read of an organisation, in the order ReadOrganisation expects.
constexpr char kOrganisationColumns[] =
    "o.id::text, o.profile, o.version, (extract(epoch from o.created_at) * 1000000)::bigint, "
    "(extract(epoch from o.updated_at) * 1000000)::bigint";

constexpr char kNetworkColumns[] =
    "n.id::text, n.profile, n.version, (extract(epoch from n.created_at) * 1000000)::bigint, "
    "(extract(epoch from n.updated_at) * 1000000)::bigint, n.charter_version, n.charter_text, "
    "(extract(epoch from n.charter_published_at) * 1000000)::bigint";

constexpr char kMembershipColumns[] =
    "m.id::text, m.organisation_id::text, m.network_id::text, m.role, m.state, m.state_reason, "
    "m.motivation, m.signed_charter_version, coalesce(m.signed_by::text, ''), "
    "coalesce((extract(epoch from m.signed_at) * 1000000)::bigint, 0), m.version, "
    "(extract(epoch from m.created_at) * 1000000)::bigint, "
    "(extract(epoch from m.updated_at) * 1000000)::bigint, n.charter_version, o.legal_name";

// The states of an admitted membership (IsAdmitted), the only ones that open an
// organisation to its network.
constexpr char kAdmittedStates[] = "(2,3,4)";
static_assert(v1::MEMBERSHIP_STATE_SPONSORED == 2 && v1::MEMBERSHIP_STATE_ACTIVE == 3 &&
              v1::MEMBERSHIP_STATE_SUSPENDED == 4);

constexpr char kMembershipFrom[] =
    " FROM memberships m JOIN networks n ON n.id = m.network_id"
    " JOIN organisations o ON o.id = m.organisation_id ";

void SetTime(google::protobuf::Timestamp* t, int64_t micros) {
  t->set_seconds(micros / 1000000);
  t->set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
}

std::string Bytes(const pqxx::field& f) { return pqxx::binarystring(f).str(); }

// The part of an organisation stored as its profile: everything but what columns hold.
std::string OrganisationProfile(v1::Organisation org) {
  org.clear_organisation_id();
  org.clear_version();
  org.clear_create_time();
  org.clear_update_time();
  org.clear_public_view();
  return org.SerializeAsString();
}

std::string NetworkProfile(v1::Network net) {
  net.clear_network_id();
  net.clear_version();
  net.clear_create_time();
  net.clear_update_time();
  net.clear_charter();
  return net.SerializeAsString();
}

v1::Organisation ReadOrganisation(const pqxx::row& r) {
  v1::Organisation org;
  org.ParseFromString(Bytes(r[1]));
  org.set_organisation_id(r[0].as<std::string>());
  org.set_version(r[2].as<int64_t>());
  SetTime(org.mutable_create_time(), r[3].as<int64_t>());
  SetTime(org.mutable_update_time(), r[4].as<int64_t>());
  return org;
}

v1::Network ReadNetwork(const pqxx::row& r) {
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

v1::Membership ReadMembership(const pqxx::row& r) {
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

std::string PgTextArray(const google::protobuf::RepeatedPtrField<std::string>& values) {
  std::vector<std::string> quoted;
  for (const std::string& v : values) {
    std::string q = "\"";
    for (char c : v) {
      if (c == '"' || c == '\\') q += '\\';
      q += c;
    }
    quoted.push_back(q + "\"");
  }
  return absl::StrCat("{", absl::StrJoin(quoted, ","), "}");
}

// The event announcing a change, by `actor`, now.
events::OutboxEvent MakeEvent(const ChangeContext& change,
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
absl::Status Emit(pqxx::work& tx, const ChangeContext& change,
                  const std::function<void(v1::MembershipEvent&)>& fill) {
  events::OutboxEvent e = MakeEvent(change, fill);
  return events::Enqueue(tx, e.event_id, e.event_type, e.payload);
}

absl::StatusOr<v1::Organisation> FetchOrganisation(pqxx::work& tx, const std::string& id) {
  pqxx::result r = tx.exec_params(
      absl::StrCat("SELECT ", kOrganisationColumns, " FROM organisations o WHERE o.id = $1::uuid"),
      id);
  if (r.empty()) return absl::NotFoundError(absl::StrCat("organisation ", id, " not found"));
  return ReadOrganisation(r[0]);
}

absl::StatusOr<v1::Network> FetchNetwork(pqxx::work& tx, const std::string& id, bool lock = false) {
  pqxx::result r = tx.exec_params(
      absl::StrCat("SELECT ", kNetworkColumns, " FROM networks n WHERE n.id = $1::uuid",
                   lock ? " FOR NO KEY UPDATE" : ""),
      id);
  if (r.empty()) return absl::NotFoundError(absl::StrCat("network ", id, " not found"));
  return ReadNetwork(r[0]);
}

absl::Status AttachSponsors(pqxx::work& tx, std::vector<v1::Membership*> memberships) {
  if (memberships.empty()) return absl::OkStatus();
  std::map<std::string, v1::Membership*> by_id;
  std::vector<std::string> ids;
  for (v1::Membership* m : memberships) {
    by_id[m->membership_id()] = m;
    ids.push_back(m->membership_id());
  }
  pqxx::result r = tx.exec_params(
      "SELECT membership_id::text, sponsor_organisation_id::text, sponsor_person_id, "
      "(extract(epoch from created_at) * 1000000)::bigint FROM sponsorships "
      "WHERE membership_id = ANY($1::uuid[]) ORDER BY created_at, sponsor_organisation_id",
      absl::StrCat("{", absl::StrJoin(ids, ","), "}"));
  for (const auto& row : r) {
    v1::Sponsorship* s = by_id[row[0].as<std::string>()]->add_sponsorships();
    s->set_sponsor_organisation_id(row[1].as<std::string>());
    s->set_sponsor_person_id(row[2].as<std::string>());
    SetTime(s->mutable_sponsor_time(), row[3].as<int64_t>());
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Membership> FetchMembership(pqxx::work& tx, const std::string& id,
                                               bool lock = false) {
  pqxx::result r =
      tx.exec_params(absl::StrCat("SELECT ", kMembershipColumns, kMembershipFrom,
                                  "WHERE m.id = $1::uuid", lock ? " FOR UPDATE OF m" : ""),
                     id);
  if (r.empty()) return absl::NotFoundError(absl::StrCat("membership ", id, " not found"));
  v1::Membership m = ReadMembership(r[0]);
  MAILLAGE_RETURN_IF_ERROR(AttachSponsors(tx, {&m}));
  return m;
}

// Runs `fn` in a transaction of `pool`, returning the value it produced.
template <typename T>
absl::StatusOr<T> InTransaction(pg::PgPool* pool,
                                const std::function<absl::StatusOr<T>(pqxx::work&)>& fn) {
  absl::StatusOr<T> out = absl::UnknownError("transaction did not run");
  absl::Status s = pool->Transact([&](pqxx::work& tx) -> absl::Status {
    out = fn(tx);
    return out.status();
  });
  if (!s.ok()) return s;
  return out;
}

// Active animators of the network besides `membership_id`, counted under a lock on the
// network row, so that steps removing animators (leave, suspend, step down) run one after
// the other and each sees the others' effect. NO KEY UPDATE: it does not conflict with the
// key-share locks that inserting memberships takes, so applications do not wait on it.
int OtherActiveAnimators(pqxx::work& tx, const std::string& network_id,
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
absl::StatusOr<v1::Membership> WriteState(pqxx::work& tx, const v1::Membership& before,
                                          v1::MembershipState next, const std::string& reason,
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

absl::StatusOr<v1::Organisation> InsertOrganisation(pqxx::work& tx, const v1::Organisation& draft,
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
absl::StatusOr<v1::Organisation> RewriteOrganisation(pqxx::work& tx, const v1::Organisation& o,
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

}  // namespace

// ---------------------------------------------------------------------------------------------
// Organisations

absl::StatusOr<v1::Organisation> MembershipStore::CreateOrganisation(const v1::Organisation& draft,
                                                                     const ChangeContext& change,
                                                                     const std::string& key) {
  return InTransaction<v1::Organisation>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Organisation> {
        std::string scope = absl::StrCat("CreateOrganisation/", change.actor);
        MAILLAGE_ASSIGN_OR_RETURN(
            std::string existing,
            ReserveIdempotencyKey(tx, scope, key, RequestHash({OrganisationProfile(draft)})));
        if (!existing.empty()) return FetchOrganisation(tx, existing);
        MAILLAGE_ASSIGN_OR_RETURN(v1::Organisation created, InsertOrganisation(tx, draft, change));
        RecordIdempotencyKey(tx, scope, key, created.organisation_id());
        return created;
      });
}

absl::StatusOr<v1::Organisation> MembershipStore::GetOrganisation(const std::string& id) {
  return InTransaction<v1::Organisation>(pool_,
                                         [&](pqxx::work& tx) { return FetchOrganisation(tx, id); });
}

absl::StatusOr<std::vector<v1::Organisation>> MembershipStore::GetOrganisations(
    const std::vector<std::string>& ids) {
  using Result = std::vector<v1::Organisation>;
  if (ids.empty()) return Result();
  return InTransaction<Result>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Result> {
    Result out;
    for (const auto& row :
         tx.exec_params(absl::StrCat("SELECT ", kOrganisationColumns,
                                     " FROM organisations o WHERE o.id = ANY($1::uuid[])"),
                        absl::StrCat("{", absl::StrJoin(ids, ","), "}"))) {
      out.push_back(ReadOrganisation(row));
    }
    return out;
  });
}

absl::StatusOr<v1::Organisation> MembershipStore::UpdateOrganisation(const v1::Organisation& update,
                                                                     const ChangeContext& change,
                                                                     bool may_change_siren) {
  absl::StatusOr<v1::Organisation> out = InTransaction<v1::Organisation>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Organisation> {
        pqxx::result current = tx.exec_params(
            "SELECT coalesce(siren, '') FROM organisations WHERE id = $1::uuid FOR UPDATE",
            update.organisation_id());
        if (current.empty()) {
          return absl::NotFoundError(
              absl::StrCat("organisation ", update.organisation_id(), " not found"));
        }
        std::string previous_siren = current[0][0].as<std::string>();
        bool siren_changes = previous_siren != update.siren();
        if (siren_changes && !may_change_siren) {
          return absl::PermissionDeniedError(
              "organisation.siren: cannot be changed by the organisation; a platform "
              "administrator corrects a SIREN");
        }
        if (siren_changes) {
          MAILLAGE_RETURN_IF_ERROR(Emit(tx, change, [&](v1::MembershipEvent& e) {
            v1::SirenChanged* c = e.mutable_siren_changed();
            c->set_organisation_id(update.organisation_id());
            c->set_previous_siren(previous_siren);
            c->set_siren(update.siren());
          }));
        }
        if (siren_changes && !update.siren().empty()) {
          pqxx::result dup =
              tx.exec_params("SELECT 1 FROM organisations WHERE siren = $1 AND id <> $2::uuid",
                             update.siren(), update.organisation_id());
          if (!dup.empty()) {
            return absl::AlreadyExistsError(absl::StrCat("organisation.siren: SIREN ",
                                                         update.siren(), " is already registered"));
          }
        }
        return RewriteOrganisation(tx, update, update.version(), change);
      });
  // A concurrent change may have taken the SIREN since the check above; the unique index
  // then refuses the write with PostgreSQL's wording, so say it in the API's.
  if (out.status().code() == absl::StatusCode::kAlreadyExists &&
      !absl::StartsWith(out.status().message(), "organisation.")) {
    return absl::AlreadyExistsError(
        absl::StrCat("organisation.siren: SIREN ", update.siren(), " is already registered"));
  }
  return out;
}

absl::StatusOr<v1::Organisation> MembershipStore::AddEstablishment(
    const std::string& organisation_id, const v1::Establishment& establishment,
    const ChangeContext& change) {
  return InTransaction<v1::Organisation>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Organisation> {
        tx.exec_params("SELECT 1 FROM organisations WHERE id = $1::uuid FOR UPDATE",
                       organisation_id);
        MAILLAGE_ASSIGN_OR_RETURN(v1::Organisation org, FetchOrganisation(tx, organisation_id));
        if (org.siren().empty()) {
          return absl::FailedPreconditionError(
              "establishment.siret: the organisation has no SIREN to attach establishments to");
        }
        if (establishment.siret().substr(0, 9) != org.siren()) {
          return InvalidField(
              "establishment.siret",
              absl::StrCat("must start with the organisation's SIREN ", org.siren()));
        }
        for (const v1::Establishment& e : org.establishments()) {
          if (e.siret() == establishment.siret()) {
            return absl::AlreadyExistsError(
                absl::StrCat("establishment.siret: ", e.siret(), " is already recorded"));
          }
        }
        if (establishment.head_office()) {
          for (v1::Establishment& e : *org.mutable_establishments()) e.set_head_office(false);
        }
        *org.add_establishments() = establishment;
        return RewriteOrganisation(tx, org, org.version(), change);
      });
}

absl::StatusOr<Page<v1::Organisation>> MembershipStore::ListOrganisations(
    const OrganisationFilter& f, const PageQuery& page) {
  return InTransaction<Page<v1::Organisation>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<Page<v1::Organisation>> {
        pg::KeysetQuery q;
        std::string from = "FROM organisations o";
        // Within a network, pages follow the memberships' index on the same name key.
        const char* sort_key = f.network_id.empty() ? "o.name_key" : "m.organisation_name_key";
        const char* id = f.network_id.empty() ? "o.id" : "m.id";
        if (!f.network_id.empty()) {
          // Admitted members only: an application or an invitation shows nothing.
          from +=
              absl::StrCat(" JOIN memberships m ON m.organisation_id = o.id AND m.network_id = ",
                           q.Param(f.network_id), "::uuid AND m.state IN ", kAdmittedStates);
        }
        if (!f.name_prefix.empty()) q.WherePrefix("o.name_key", f.name_prefix, /*lower=*/true);
        if (!f.siren_prefix.empty()) q.WherePrefix("o.siren", f.siren_prefix);
        if (f.naf_prefix.size() == 1) {
          q.Where(absl::StrCat("o.nace_section = ", q.Param(f.naf_prefix)));
        } else if (!f.naf_prefix.empty()) {
          q.WherePrefix("o.naf_code", f.naf_prefix);
        }
        if (!f.departement_code.empty()) {
          q.Where(absl::StrCat("o.departement_code = ", q.Param(f.departement_code)));
        }
        if (!f.commune_code.empty()) {
          q.Where(absl::StrCat("o.commune_code = ", q.Param(f.commune_code)));
        }
        return q.Run(tx, kOrganisationColumns, from, sort_key, id, page, &ReadOrganisation);
      });
}

absl::StatusOr<std::pair<v1::Organisation, std::vector<std::string>>>
MembershipStore::GetOrganisationWithNetworks(const std::string& id) {
  using Result = std::pair<v1::Organisation, std::vector<std::string>>;
  return InTransaction<Result>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Result> {
    pqxx::result r = tx.exec_params(
        absl::StrCat("SELECT ", kOrganisationColumns,
                     ", coalesce((SELECT string_agg(m.network_id::text, ',' ORDER BY m.network_id) "
                     "FROM memberships m WHERE m.organisation_id = o.id AND m.state IN ",
                     kAdmittedStates, "), '') FROM organisations o WHERE o.id = $1::uuid"),
        id);
    if (r.empty()) return absl::NotFoundError(absl::StrCat("organisation ", id, " not found"));
    Result out{ReadOrganisation(r[0]), {}};
    std::string networks = r[0][r[0].size() - 1].as<std::string>();
    if (!networks.empty()) out.second = absl::StrSplit(networks, ',');
    return out;
  });
}

absl::StatusOr<std::vector<std::string>> MembershipStore::NetworksOf(
    const std::string& organisation_id) {
  return InTransaction<std::vector<std::string>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<std::string>> {
        std::vector<std::string> out;
        for (const auto& row : tx.exec_params(
                 absl::StrCat("SELECT network_id::text FROM memberships WHERE organisation_id = "
                              "$1::uuid AND state IN ",
                              kAdmittedStates, " ORDER BY network_id"),
                 organisation_id)) {
          out.push_back(row[0].as<std::string>());
        }
        return out;
      });
}

// ---------------------------------------------------------------------------------------------
// People

namespace {

constexpr char kPersonColumns[] =
    "p.id::text, p.given_name, p.family_name, p.email, p.phone, "
    "(extract(epoch from p.created_at) * 1000000)::bigint";

v1::Person ReadPerson(const pqxx::row& r, int offset = 0) {
  v1::Person p;
  p.set_person_id(r[offset + 0].as<std::string>());
  p.set_given_name(r[offset + 1].as<std::string>());
  p.set_family_name(r[offset + 2].as<std::string>());
  p.set_email(r[offset + 3].as<std::string>());
  p.set_phone(r[offset + 4].as<std::string>());
  SetTime(p.mutable_create_time(), r[offset + 5].as<int64_t>());
  return p;
}

absl::StatusOr<v1::Person> FetchPerson(pqxx::work& tx, const std::string& id) {
  pqxx::result r = tx.exec_params(
      absl::StrCat("SELECT ", kPersonColumns, " FROM people p WHERE p.id = $1::uuid"), id);
  if (r.empty()) return absl::NotFoundError(absl::StrCat("person ", id, " not found"));
  return ReadPerson(r[0]);
}

absl::StatusOr<v1::Person> InsertPerson(pqxx::work& tx, const v1::Person& p) {
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

}  // namespace

absl::StatusOr<v1::Person> MembershipStore::CreatePerson(const v1::Person& draft,
                                                         const std::string& key,
                                                         const std::string& caller) {
  return InTransaction<v1::Person>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Person> {
    std::string scope = absl::StrCat("CreatePerson/", caller);
    MAILLAGE_ASSIGN_OR_RETURN(
        std::string existing,
        ReserveIdempotencyKey(tx, scope, key, RequestHash({draft.SerializeAsString()})));
    if (!existing.empty()) return FetchPerson(tx, existing);
    MAILLAGE_ASSIGN_OR_RETURN(v1::Person created, InsertPerson(tx, draft));
    RecordIdempotencyKey(tx, scope, key, created.person_id());
    return created;
  });
}

absl::StatusOr<v1::Person> MembershipStore::GetPerson(const std::string& id) {
  return InTransaction<v1::Person>(pool_, [&](pqxx::work& tx) { return FetchPerson(tx, id); });
}

absl::StatusOr<v1::Representation> MembershipStore::AddRepresentation(
    const v1::Representation& in) {
  return InTransaction<v1::Representation>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Representation> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::Person person, FetchPerson(tx, in.person_id()));
        MAILLAGE_RETURN_IF_ERROR(FetchOrganisation(tx, in.organisation_id()).status());
        pqxx::row r = tx.exec_params1(
            "INSERT INTO representations (person_id, organisation_id, role_title) "
            "VALUES ($1::uuid, $2::uuid, $3) ON CONFLICT (organisation_id, person_id) "
            "DO UPDATE SET role_title = excluded.role_title "
            "RETURNING (extract(epoch from created_at) * 1000000)::bigint",
            in.person_id(), in.organisation_id(), in.role_title());
        v1::Representation out = in;
        SetTime(out.mutable_create_time(), r[0].as<int64_t>());
        *out.mutable_person() = person;
        return out;
      });
}

absl::StatusOr<std::vector<v1::Representation>> MembershipStore::ListRepresentations(
    const std::string& organisation_id) {
  return InTransaction<std::vector<v1::Representation>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<v1::Representation>> {
        MAILLAGE_RETURN_IF_ERROR(FetchOrganisation(tx, organisation_id).status());
        std::vector<v1::Representation> out;
        for (const auto& row : tx.exec_params(
                 absl::StrCat("SELECT r.role_title, "
                              "(extract(epoch from r.created_at) * 1000000)::bigint, ",
                              kPersonColumns,
                              " FROM representations r JOIN people p ON p.id = r.person_id "
                              "WHERE r.organisation_id = $1::uuid "
                              "ORDER BY p.family_name, p.given_name, p.id"),
                 organisation_id)) {
          v1::Representation rep;
          rep.set_organisation_id(organisation_id);
          rep.set_role_title(row[0].as<std::string>());
          SetTime(rep.mutable_create_time(), row[1].as<int64_t>());
          *rep.mutable_person() = ReadPerson(row, 2);
          rep.set_person_id(rep.person().person_id());
          out.push_back(std::move(rep));
        }
        return out;
      });
}

absl::StatusOr<std::vector<std::string>> MembershipStore::OrganisationsRepresentedBy(
    const std::string& person_id) {
  return InTransaction<std::vector<std::string>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<std::string>> {
        std::vector<std::string> out;
        for (const auto& row : tx.exec_params(
                 "SELECT organisation_id::text FROM representations WHERE person_id = $1::uuid "
                 "ORDER BY organisation_id",
                 person_id)) {
          out.push_back(row[0].as<std::string>());
        }
        return out;
      });
}

// ---------------------------------------------------------------------------------------------
// Networks

absl::StatusOr<v1::Network> MembershipStore::CreateNetwork(const v1::Network& draft,
                                                           const ChangeContext& change,
                                                           const std::string& key) {
  return InTransaction<v1::Network>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Network> {
    std::string scope = absl::StrCat("CreateNetwork/", change.actor);
    MAILLAGE_ASSIGN_OR_RETURN(
        std::string existing,
        ReserveIdempotencyKey(tx, scope, key,
                              RequestHash({NetworkProfile(draft), draft.charter().text()})));
    if (!existing.empty()) return FetchNetwork(tx, existing);
    absl::StatusOr<v1::Organisation> animator =
        FetchOrganisation(tx, draft.animating_organisation_id());
    if (!animator.ok()) {
      return absl::NotFoundError(absl::StrCat("network.animating_organisation_id: organisation ",
                                              draft.animating_organisation_id(), " not found"));
    }
    pqxx::row r = tx.exec_params1(
        "INSERT INTO networks (name, name_key, kind, admission_policy, required_sponsors, "
        "departement_codes, charter_text, profile) "
        "VALUES ($1, lower($1), $2, $3, $4, $5::text[], $6, $7) RETURNING id::text",
        draft.name(), static_cast<int>(draft.kind()), static_cast<int>(draft.admission_policy()),
        draft.required_sponsors(), PgTextArray(draft.territory().departement_codes()),
        draft.charter().text(), pqxx::binarystring(NetworkProfile(draft)));
    std::string id = r[0].as<std::string>();
    tx.exec_params(
        "INSERT INTO charter_versions (network_id, version, text) VALUES ($1::uuid, 1, $2)", id,
        draft.charter().text());
    pqxx::row m = tx.exec_params1(
        "INSERT INTO memberships (organisation_id, network_id, role, state, motivation) "
        "VALUES ($1::uuid, $2::uuid, $3, $4, 'founding animator') RETURNING id::text",
        draft.animating_organisation_id(), id, static_cast<int>(NETWORK_ROLE_ANIMATOR),
        static_cast<int>(v1::MEMBERSHIP_STATE_SPONSORED));
    MAILLAGE_ASSIGN_OR_RETURN(v1::Network created, FetchNetwork(tx, id));
    MAILLAGE_ASSIGN_OR_RETURN(v1::Membership founding, FetchMembership(tx, m[0].as<std::string>()));
    MAILLAGE_RETURN_IF_ERROR(Emit(tx, change, [&](v1::MembershipEvent& e) {
      *e.mutable_network_created()->mutable_network() = created;
    }));
    MAILLAGE_RETURN_IF_ERROR(Emit(tx, change, [&](v1::MembershipEvent& e) {
      *e.mutable_membership_changed()->mutable_membership() = founding;
    }));
    RecordIdempotencyKey(tx, scope, key, id);
    return created;
  });
}

absl::StatusOr<v1::Network> MembershipStore::GetNetwork(const std::string& id) {
  return InTransaction<v1::Network>(pool_, [&](pqxx::work& tx) { return FetchNetwork(tx, id); });
}

absl::StatusOr<v1::Network> MembershipStore::UpdateNetwork(const v1::Network& update,
                                                           const ChangeContext& change) {
  return InTransaction<v1::Network>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Network> {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Network current, FetchNetwork(tx, update.network_id(), true));
    if (current.version() != update.version()) {
      return absl::AbortedError(absl::StrCat("network.version: ", update.version(),
                                             " is stale, the network is at version ",
                                             current.version(), "; read it again and retry"));
    }
    v1::Network next = update;
    next.set_animating_organisation_id(current.animating_organisation_id());
    tx.exec_params(
        "UPDATE networks SET name = $2, name_key = lower($2), kind = $3, admission_policy = $4, "
        "required_sponsors = $5, departement_codes = $6::text[], profile = $7, "
        "version = version + 1, updated_at = now() WHERE id = $1::uuid",
        next.network_id(), next.name(), static_cast<int>(next.kind()),
        static_cast<int>(next.admission_policy()), next.required_sponsors(),
        PgTextArray(next.territory().departement_codes()),
        pqxx::binarystring(NetworkProfile(next)));
    MAILLAGE_ASSIGN_OR_RETURN(v1::Network updated, FetchNetwork(tx, next.network_id()));
    MAILLAGE_RETURN_IF_ERROR(Emit(tx, change, [&](v1::MembershipEvent& e) {
      *e.mutable_network_updated()->mutable_network() = updated;
    }));
    return updated;
  });
}

absl::StatusOr<Page<v1::Network>> MembershipStore::ListNetworks(const NetworkFilter& f,
                                                                const PageQuery& page) {
  return InTransaction<Page<v1::Network>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<Page<v1::Network>> {
        pg::KeysetQuery q;
        if (f.kind != v1::NETWORK_KIND_UNSPECIFIED) {
          q.Where(absl::StrCat("n.kind = ", static_cast<int>(f.kind)));
        }
        if (!f.name_prefix.empty()) q.WherePrefix("n.name_key", f.name_prefix, /*lower=*/true);
        if (!f.departement_code.empty()) {
          q.Where(absl::StrCat(q.Param(f.departement_code), " = ANY(n.departement_codes)"));
        }
        return q.Run(tx, kNetworkColumns, "FROM networks n", "n.name_key", "n.id", page,
                     &ReadNetwork);
      });
}

absl::StatusOr<v1::Network> MembershipStore::PublishCharter(const std::string& network_id,
                                                            const std::string& text,
                                                            int expected_current_version,
                                                            const ChangeContext& change) {
  return InTransaction<v1::Network>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Network> {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Network current, FetchNetwork(tx, network_id, true));
    if (current.charter().version() != expected_current_version) {
      return absl::AbortedError(absl::StrCat("expected_current_version: ", expected_current_version,
                                             " is stale, the charter is at version ",
                                             current.charter().version()));
    }
    int next = current.charter().version() + 1;
    tx.exec_params(
        "INSERT INTO charter_versions (network_id, version, text) VALUES ($1::uuid, $2, $3)",
        network_id, next, text);
    tx.exec_params(
        "UPDATE networks SET charter_version = $2, charter_text = $3, charter_published_at = "
        "now(), "
        "version = version + 1, updated_at = now() WHERE id = $1::uuid",
        network_id, next, text);
    MAILLAGE_ASSIGN_OR_RETURN(v1::Network updated, FetchNetwork(tx, network_id));
    MAILLAGE_RETURN_IF_ERROR(Emit(tx, change, [&](v1::MembershipEvent& e) {
      *e.mutable_network_updated()->mutable_network() = updated;
    }));
    return updated;
  });
}

// ---------------------------------------------------------------------------------------------
// Memberships

namespace {

// Creates or renews the membership of an organisation in a network, per the admission rules
// of `how`.
absl::StatusOr<v1::Membership> ApplyInTx(pqxx::work& tx, const std::string& network_id,
                                         const std::string& organisation_id, NetworkRole role,
                                         const std::string& motivation, const ChangeContext& change,
                                         Enrolment how) {
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

}  // namespace

absl::StatusOr<v1::Membership> MembershipStore::Apply(const std::string& network_id,
                                                      const std::string& organisation_id,
                                                      NetworkRole role,
                                                      const std::string& motivation,
                                                      const ChangeContext& change,
                                                      const std::string& key, Enrolment how) {
  return InTransaction<v1::Membership>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Membership> {
        std::string scope = absl::StrCat("ApplyForMembership/", change.actor);
        MAILLAGE_ASSIGN_OR_RETURN(
            std::string existing,
            ReserveIdempotencyKey(
                tx, scope, key,
                RequestHash({network_id, organisation_id, absl::StrCat(static_cast<int>(role)),
                             motivation, absl::StrCat(static_cast<int>(how))})));
        if (!existing.empty()) return FetchMembership(tx, existing);
        MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, ApplyInTx(tx, network_id, organisation_id, role,
                                                              motivation, change, how));
        RecordIdempotencyKey(tx, scope, key, m.membership_id());
        return m;
      });
}

absl::StatusOr<v1::Membership> MembershipStore::Sponsor(const std::string& membership_id,
                                                        const std::string& sponsor_organisation_id,
                                                        const ChangeContext& change) {
  return InTransaction<
      v1::Membership>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Membership> {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, FetchMembership(tx, membership_id, true));
    MAILLAGE_ASSIGN_OR_RETURN(v1::Network network, FetchNetwork(tx, m.network_id()));
    SponsorshipFacts facts{.applicant_state = m.state(),
                           .policy = network.admission_policy(),
                           .required_sponsors = network.required_sponsors(),
                           .applicant_organisation_id = m.organisation_id(),
                           .sponsor_organisation_id = sponsor_organisation_id,
                           .sponsor_state = v1::MEMBERSHIP_STATE_UNSPECIFIED,
                           .existing_sponsors = {}};
    // The sponsor's row is locked too: a suspension or departure of the sponsor waits for
    // this sponsorship to commit, or this one sees it, never a sponsorship by a member that
    // was no longer active when it was recorded.
    pqxx::result sponsor = tx.exec_params(
        "SELECT state FROM memberships WHERE network_id = $1::uuid AND organisation_id = $2::uuid "
        "FOR SHARE",
        m.network_id(), sponsor_organisation_id);
    if (!sponsor.empty()) {
      facts.sponsor_state = static_cast<v1::MembershipState>(sponsor[0][0].as<int>());
    }
    for (const v1::Sponsorship& s : m.sponsorships()) {
      facts.existing_sponsors.push_back(s.sponsor_organisation_id());
    }
    MAILLAGE_ASSIGN_OR_RETURN(v1::MembershipState next, membership::Sponsor(facts));
    tx.exec_params(
        "INSERT INTO sponsorships (membership_id, sponsor_organisation_id, sponsor_person_id) "
        "VALUES ($1::uuid, $2::uuid, $3)",
        membership_id, sponsor_organisation_id, change.actor);
    return WriteState(tx, m, next, "", change);
  });
}

namespace {

// The common shape of the simple transitions: lock, decide, write.
absl::StatusOr<v1::Membership> Transition(
    pg::PgPool* pool, const std::string& membership_id, const std::string& reason,
    const ChangeContext& change,
    const std::function<absl::StatusOr<v1::MembershipState>(pqxx::work&, const v1::Membership&,
                                                            const v1::Network&)>& decide) {
  return InTransaction<v1::Membership>(pool, [&](pqxx::work& tx) -> absl::StatusOr<v1::Membership> {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, FetchMembership(tx, membership_id, true));
    MAILLAGE_ASSIGN_OR_RETURN(v1::Network network, FetchNetwork(tx, m.network_id()));
    MAILLAGE_ASSIGN_OR_RETURN(v1::MembershipState next, decide(tx, m, network));
    return WriteState(tx, m, next, reason, change);
  });
}

}  // namespace

absl::StatusOr<v1::Membership> MembershipStore::Approve(const std::string& membership_id,
                                                        const ChangeContext& change) {
  return Transition(pool_, membership_id, "", change,
                    [](pqxx::work&, const v1::Membership& m, const v1::Network& n) {
                      return membership::Approve(m.state(), n.admission_policy());
                    });
}

absl::StatusOr<v1::Membership> MembershipStore::AcceptInvitation(const std::string& membership_id,
                                                                 const ChangeContext& change) {
  return Transition(pool_, membership_id, "", change,
                    [](pqxx::work&, const v1::Membership& m, const v1::Network&) {
                      return membership::AcceptInvitation(m.state());
                    });
}

absl::StatusOr<v1::Membership> MembershipStore::Reject(const std::string& membership_id,
                                                       const std::string& reason,
                                                       const ChangeContext& change) {
  return Transition(pool_, membership_id, reason, change,
                    [](pqxx::work&, const v1::Membership& m, const v1::Network&) {
                      return membership::Reject(m.state());
                    });
}

absl::StatusOr<v1::Membership> MembershipStore::Suspend(const std::string& membership_id,
                                                        const std::string& reason,
                                                        const ChangeContext& change) {
  return Transition(pool_, membership_id, reason, change,
                    [](pqxx::work& tx, const v1::Membership& m, const v1::Network&) {
                      return membership::Suspend(
                          m.state(), m.role() == NETWORK_ROLE_ANIMATOR,
                          OtherActiveAnimators(tx, m.network_id(), m.membership_id()));
                    });
}

absl::StatusOr<v1::Membership> MembershipStore::Reinstate(const std::string& membership_id,
                                                          const ChangeContext& change) {
  return Transition(pool_, membership_id, "", change,
                    [](pqxx::work&, const v1::Membership& m, const v1::Network&) {
                      return membership::Reinstate(m.state());
                    });
}

absl::StatusOr<v1::Membership> MembershipStore::Leave(const std::string& membership_id,
                                                      const ChangeContext& change) {
  return Transition(pool_, membership_id, "", change,
                    [&](pqxx::work& tx, const v1::Membership& m, const v1::Network&) {
                      return membership::Leave(
                          m.state(), m.role() == NETWORK_ROLE_ANIMATOR,
                          OtherActiveAnimators(tx, m.network_id(), m.membership_id()));
                    });
}

absl::StatusOr<v1::Membership> MembershipStore::ChangeRole(const std::string& membership_id,
                                                           NetworkRole role,
                                                           const ChangeContext& change) {
  return InTransaction<v1::Membership>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Membership> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, FetchMembership(tx, membership_id, true));
        MAILLAGE_RETURN_IF_ERROR(CheckRoleChange(
            m.state(), m.role() == NETWORK_ROLE_ANIMATOR, role == NETWORK_ROLE_ANIMATOR,
            OtherActiveAnimators(tx, m.network_id(), m.membership_id())));
        tx.exec_params(
            "UPDATE memberships SET role = $2, version = version + 1, updated_at = now() "
            "WHERE id = $1::uuid",
            membership_id, static_cast<int>(role));
        MAILLAGE_ASSIGN_OR_RETURN(v1::Membership after, FetchMembership(tx, membership_id));
        MAILLAGE_RETURN_IF_ERROR(Emit(tx, change, [&](v1::MembershipEvent& e) {
          *e.mutable_membership_changed()->mutable_membership() = after;
          e.mutable_membership_changed()->set_previous_state(m.state());
        }));
        return after;
      });
}

absl::StatusOr<v1::Membership> MembershipStore::SignCharter(const std::string& membership_id,
                                                            const std::string& person_id,
                                                            int charter_version,
                                                            const ChangeContext& change) {
  return InTransaction<
      v1::Membership>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Membership> {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, FetchMembership(tx, membership_id, true));
    MAILLAGE_ASSIGN_OR_RETURN(v1::Network network, FetchNetwork(tx, m.network_id()));
    MAILLAGE_RETURN_IF_ERROR(FetchPerson(tx, person_id).status());
    pqxx::result rep = tx.exec_params(
        "SELECT 1 FROM representations WHERE person_id = $1::uuid AND organisation_id = $2::uuid",
        person_id, m.organisation_id());
    if (rep.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("person ", person_id, " does not represent organisation ",
                       m.organisation_id(), "; add the representation first"));
    }
    MAILLAGE_ASSIGN_OR_RETURN(
        v1::MembershipState next,
        membership::SignCharter(m.state(), network.charter().version(), charter_version));
    tx.exec_params(
        "UPDATE memberships SET state = $2, signed_charter_version = $3, "
        "signed_by = $4::uuid, signed_at = now(), version = version + 1, updated_at = now() "
        "WHERE id = $1::uuid",
        membership_id, static_cast<int>(next), charter_version, person_id);
    MAILLAGE_ASSIGN_OR_RETURN(v1::Membership after, FetchMembership(tx, membership_id));
    MAILLAGE_RETURN_IF_ERROR(Emit(tx, change, [&](v1::MembershipEvent& e) {
      v1::CharterSigned* signed_event = e.mutable_charter_signed();
      signed_event->set_membership_id(after.membership_id());
      signed_event->set_organisation_id(after.organisation_id());
      signed_event->set_network_id(after.network_id());
      *signed_event->mutable_signature() = after.charter_signature();
    }));
    if (next != m.state()) {
      MAILLAGE_RETURN_IF_ERROR(Emit(tx, change, [&](v1::MembershipEvent& e) {
        *e.mutable_membership_changed()->mutable_membership() = after;
        e.mutable_membership_changed()->set_previous_state(m.state());
      }));
    }
    return after;
  });
}

absl::StatusOr<v1::Membership> MembershipStore::GetMembership(const std::string& id) {
  return InTransaction<v1::Membership>(pool_,
                                       [&](pqxx::work& tx) { return FetchMembership(tx, id); });
}

absl::StatusOr<Page<v1::Membership>> MembershipStore::ListMemberships(const MembershipFilter& f,
                                                                      const PageQuery& page) {
  return InTransaction<Page<v1::Membership>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<Page<v1::Membership>> {
        pg::KeysetQuery q;
        if (!f.network_id.empty()) {
          q.Where(absl::StrCat("m.network_id = ", q.Param(f.network_id), "::uuid"));
        }
        if (!f.organisation_id.empty()) {
          q.Where(absl::StrCat("m.organisation_id = ", q.Param(f.organisation_id), "::uuid"));
        }
        if (f.state != v1::MEMBERSHIP_STATE_UNSPECIFIED) {
          q.Where(absl::StrCat("m.state = ", static_cast<int>(f.state)));
        }
        if (!f.states.empty()) {
          std::vector<int> states(f.states.begin(), f.states.end());
          q.Where(absl::StrCat("m.state IN (", absl::StrJoin(states, ","), ")"));
        }
        if (f.role != auth::v1::NETWORK_ROLE_UNSPECIFIED) {
          q.Where(absl::StrCat("m.role = ", static_cast<int>(f.role)));
        }
        if (f.charter_signature_required) {
          q.Where(absl::StrCat("m.state IN (", static_cast<int>(v1::MEMBERSHIP_STATE_ACTIVE), ",",
                               static_cast<int>(v1::MEMBERSHIP_STATE_SUSPENDED),
                               ") AND m.signed_charter_version < n.charter_version"));
        }
        // (network_id, organisation_name_key, id) is an index: a page is a range scan.
        Page<v1::Membership> out = q.Run(tx, kMembershipColumns, kMembershipFrom,
                                         "m.organisation_name_key", "m.id", page, &ReadMembership);
        std::vector<v1::Membership*> ptrs;
        for (v1::Membership& m : out.items) ptrs.push_back(&m);
        MAILLAGE_RETURN_IF_ERROR(AttachSponsors(tx, ptrs));
        return out;
      });
}

// ---------------------------------------------------------------------------------------------
// Import

namespace {}  // namespace

namespace {

// PostgreSQL array literals for the set-based statements of an import batch.
std::string PgArray(const std::vector<std::string>& values) {
  google::protobuf::RepeatedPtrField<std::string> field(values.begin(), values.end());
  return PgTextArray(field);
}

std::string PgIntArray(const std::vector<int>& values) {
  return absl::StrCat("{", absl::StrJoin(values, ","), "}");
}

}  // namespace

// A batch is a handful of set-based statements, whatever its size: one lookup of the known
// SIRENs, one insert of the new organisations, one of their contacts and representations, one
// of their memberships, one read back of what was created, and one insert of all the events.
// Only organisations that existed take the per-row path (an invitation), which a file of new
// members does not.
absl::StatusOr<ImportCounts> MembershipStore::ImportBatch(const std::vector<ImportRow>& rows,
                                                          const std::string& network_id,
                                                          const ChangeContext& change) {
  for (const ImportRow& row : rows) {
    if (!network_id.empty() && !IsImportableRole(row.role)) {
      return InvalidField("role", absl::StrCat("line ", row.line, ": ", kImportRoleRule));
    }
  }
  // Rows in SIREN order: two imports that share organisations lock them in the same order,
  // so they wait for each other instead of deadlocking.
  std::vector<const ImportRow*> ordered;
  for (const ImportRow& row : rows) ordered.push_back(&row);
  std::sort(ordered.begin(), ordered.end(), [](const ImportRow* a, const ImportRow* b) {
    return a->organisation.siren() < b->organisation.siren();
  });
  absl::StatusOr<ImportCounts> result = InTransaction<
      ImportCounts>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<ImportCounts> {
    ImportCounts counts;
    if (!network_id.empty()) MAILLAGE_RETURN_IF_ERROR(FetchNetwork(tx, network_id).status());
    std::map<std::string, std::string> id_of_siren;  // every row's organisation
    auto lookup = [&](const std::vector<std::string>& sirens) {
      for (const auto& r :
           tx.exec_params("SELECT siren, id::text FROM organisations WHERE siren = ANY($1::text[]) "
                          "ORDER BY siren FOR SHARE",
                          PgArray(sirens))) {
        id_of_siren[r[0].as<std::string>()] = r[1].as<std::string>();
      }
    };
    std::vector<std::string> sirens;
    for (const ImportRow* row : ordered) sirens.push_back(row->organisation.siren());
    lookup(sirens);

    // New organisations in one insert. A concurrent import may take a SIREN meanwhile: its
    // row is skipped here and found by the second lookup, as a known organisation.
    std::vector<const ImportRow*> fresh;
    for (const ImportRow* row : ordered) {
      if (!id_of_siren.contains(row->organisation.siren())) fresh.push_back(row);
    }
    std::set<std::string> created_ids;
    if (!fresh.empty()) {
      std::vector<std::string> names, siren_col, naf, nace, dep, commune, profiles;
      std::vector<int> visibility;
      for (const ImportRow* row : fresh) {
        const v1::Organisation& o = row->organisation;
        names.push_back(o.legal_name());
        siren_col.push_back(o.siren());
        naf.push_back(o.naf_code());
        nace.push_back(o.nace_section());
        dep.push_back(
            o.territory().departement_codes().empty() ? "" : o.territory().departement_codes(0));
        commune.push_back(o.territory().commune_codes().empty() ? ""
                                                                : o.territory().commune_codes(0));
        visibility.push_back(static_cast<int>(o.visibility()));
        profiles.push_back(absl::BytesToHexString(OrganisationProfile(o)));
      }
      std::vector<std::string> taken;
      for (const auto& r : tx.exec_params(
               "INSERT INTO organisations (legal_name, name_key, siren, naf_code, nace_section, "
               "departement_code, commune_code, visibility, profile) "
               "SELECT n, lower(n), s, naf, nace, d, c, v, decode(p, 'hex') FROM unnest("
               "$1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
               "$7::int[], $8::text[]) WITH ORDINALITY AS x(n, s, naf, nace, d, c, v, p, i) "
               "ORDER BY i ON CONFLICT (siren) DO NOTHING RETURNING siren, id::text",
               PgArray(names), PgArray(siren_col), PgArray(naf), PgArray(nace), PgArray(dep),
               PgArray(commune), PgIntArray(visibility), PgArray(profiles))) {
        id_of_siren[r[0].as<std::string>()] = r[1].as<std::string>();
        created_ids.insert(r[1].as<std::string>());
      }
      for (const ImportRow* row : fresh) {
        if (!id_of_siren.contains(row->organisation.siren())) {
          taken.push_back(row->organisation.siren());
        }
      }
      if (!taken.empty()) lookup(taken);
    }

    // Contacts of the new organisations: a person is created and linked, unless someone
    // with that e-mail exists already (never linked by someone else) or appears earlier.
    std::vector<std::string> given, family, emails, phones, contact_org, titles;
    for (const ImportRow* row : ordered) {
      if (row->contact.email().empty()) continue;
      const std::string& org_id = id_of_siren[row->organisation.siren()];
      if (!created_ids.contains(org_id)) {
        ++counts.contacts_not_linked;
        continue;
      }
      given.push_back(row->contact.given_name());
      family.push_back(row->contact.family_name());
      emails.push_back(row->contact.email());
      phones.push_back(row->contact.phone());
      contact_org.push_back(org_id);
      titles.push_back(row->contact_title);
    }
    if (!emails.empty()) {
      pqxx::result people = tx.exec_params(
          "WITH wanted AS (SELECT g, f, e, ph, o, t, i FROM unnest($1::text[], $2::text[], "
          "$3::text[], $4::text[], $5::uuid[], $6::text[]) WITH ORDINALITY AS x(g, f, e, ph, o, "
          "t, i)), "
          "added AS (INSERT INTO people (given_name, family_name, email, phone) "
          "SELECT g, f, e, ph FROM wanted WHERE NOT EXISTS (SELECT 1 FROM people p WHERE "
          "lower(p.email) = lower(wanted.e)) ORDER BY i "
          "ON CONFLICT ((lower(email))) DO NOTHING RETURNING id, lower(email) AS e) "
          "INSERT INTO representations (person_id, organisation_id, role_title) "
          "SELECT DISTINCT ON (added.id) added.id, w.o, w.t FROM added "
          "JOIN wanted w ON lower(w.e) = added.e ORDER BY added.id, w.i "
          "ON CONFLICT DO NOTHING RETURNING person_id",
          PgArray(given), PgArray(family), PgArray(emails), PgArray(phones), PgArray(contact_org),
          PgArray(titles));
      counts.people_created += static_cast<int64_t>(people.size());
      counts.contacts_not_linked += static_cast<int64_t>(emails.size() - people.size());
    }

    std::vector<events::OutboxEvent> out;
    std::vector<std::string> created(created_ids.begin(), created_ids.end());
    counts.organisations_created = static_cast<int64_t>(created.size());
    counts.organisations_unchanged = static_cast<int64_t>(ordered.size() - created.size());
    if (!created.empty()) {
      for (const auto& r : tx.exec_params(
               absl::StrCat("SELECT ", kOrganisationColumns,
                            " FROM organisations o WHERE o.id = ANY($1::uuid[]) ORDER BY o.siren"),
               PgArray(created))) {
        v1::Organisation org = ReadOrganisation(r);
        counts.touched_organisations.push_back(org.organisation_id());
        out.push_back(MakeEvent(change, [&](v1::MembershipEvent& e) {
          *e.mutable_organisation_created()->mutable_organisation() = std::move(org);
        }));
      }
    }

    if (!network_id.empty()) {
      // The organisations created here are admitted at once, in one insert.
      std::vector<std::string> members;
      std::vector<int> roles;
      std::vector<const ImportRow*> known;
      for (const ImportRow* row : ordered) {
        const std::string& org_id = id_of_siren[row->organisation.siren()];
        if (created_ids.contains(org_id)) {
          members.push_back(org_id);
          roles.push_back(static_cast<int>(row->role));
        } else {
          known.push_back(row);
        }
      }
      if (!members.empty()) {
        pqxx::result ids = tx.exec_params(
            "INSERT INTO memberships (organisation_id, network_id, role, state, motivation) "
            "SELECT o, $2::uuid, r, $4, 'imported' FROM unnest($1::uuid[], $3::int[]) "
            "WITH ORDINALITY AS x(o, r, i) ORDER BY i RETURNING id::text",
            PgArray(members), network_id, PgIntArray(roles),
            static_cast<int>(v1::MEMBERSHIP_STATE_SPONSORED));
        std::vector<std::string> membership_ids;
        for (const auto& r : ids) membership_ids.push_back(r[0].as<std::string>());
        for (const auto& r :
             tx.exec_params(absl::StrCat("SELECT ", kMembershipColumns, kMembershipFrom,
                                         "WHERE m.id = ANY($1::uuid[]) "
                                         "ORDER BY m.organisation_name_key, m.id"),
                            PgArray(membership_ids))) {
          v1::Membership m = ReadMembership(r);
          out.push_back(MakeEvent(change, [&](v1::MembershipEvent& e) {
            *e.mutable_membership_changed()->mutable_membership() = std::move(m);
            e.mutable_membership_changed()->set_previous_state(v1::MEMBERSHIP_STATE_UNSPECIFIED);
          }));
        }
        counts.memberships_created = static_cast<int64_t>(ids.size());
      }
      // Known organisations are only invited, and only when not already in the network.
      if (!known.empty()) {
        std::vector<std::string> known_ids;
        for (const ImportRow* row : known) {
          known_ids.push_back(id_of_siren[row->organisation.siren()]);
        }
        std::map<std::string, v1::MembershipState> state_of;
        for (const auto& r :
             tx.exec_params("SELECT organisation_id::text, state FROM memberships WHERE "
                            "network_id = $1::uuid AND organisation_id = ANY($2::uuid[])",
                            network_id, PgArray(known_ids))) {
          state_of[r[0].as<std::string>()] = static_cast<v1::MembershipState>(r[1].as<int>());
        }
        for (const ImportRow* row : known) {
          const std::string& org_id = id_of_siren[row->organisation.siren()];
          auto it = state_of.find(org_id);
          if (it != state_of.end() && it->second != v1::MEMBERSHIP_STATE_LEFT &&
              it->second != v1::MEMBERSHIP_STATE_REJECTED) {
            continue;
          }
          MAILLAGE_RETURN_IF_ERROR(ApplyInTx(tx, network_id, org_id, row->role, "imported", change,
                                             Enrolment::kInvitation)
                                       .status());
          ++counts.invitations_created;
          counts.touched_organisations.push_back(org_id);
        }
      }
    }
    MAILLAGE_RETURN_IF_ERROR(events::EnqueueAll(tx, out));
    return counts;
  });
  if (!result.ok()) return result;
  const int64_t grown = result->organisations_created + result->memberships_created;
  if (imported_since_analyze_.fetch_add(grown) + grown >= kAnalyzeEveryImportedRows) {
    imported_since_analyze_ = 0;
    // Statistics only: a failure here costs plan quality until autovacuum, not the import.
    absl::Status analysed = pool_->Transact([](pqxx::work& tx) {
      tx.exec("ANALYZE organisations, memberships, people, representations");
      return absl::OkStatus();
    });
    if (!analysed.ok()) log::Warn("analyze after import failed", {{"error", analysed.ToString()}});
  }
  return result;
}

}  // namespace maillage::membership
