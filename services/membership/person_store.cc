#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <set>

#include "services/membership/membership_store.h"
#include "services/membership/store_internal.h"

// MembershipStore: people and representations.

namespace maillage::membership {

using namespace store_internal;  // NOLINT(build/namespaces): the store's own helpers

// ---------------------------------------------------------------------------------------------
// People

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

absl::StatusOr<v1::ResolvePrincipalResponse> MembershipStore::ResolvePrincipal(
    const std::string& issuer, const std::string& subject, const std::string& verified_email,
    const std::string& acting_organisation_id) {
  return InTransaction<v1::ResolvePrincipalResponse>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::ResolvePrincipalResponse> {
        v1::ResolvePrincipalResponse out;
        pqxx::result found = pg::ExecPrepared(
            tx,
            "SELECT person_id::text FROM external_identities WHERE issuer = $1 AND subject = $2",
            {issuer, subject});
        if (found.empty() && !verified_email.empty()) {
          // First sign-in: the person registered with this e-mail (by an animator, an
          // import or themselves) takes the identity. A concurrent first sign-in of the same
          // identity inserts nothing and reads the other's link.
          pqxx::result linked = tx.exec_params(
              "INSERT INTO external_identities (issuer, subject, person_id)"
              " SELECT $1, $2, id FROM people WHERE lower(email) = lower($3)"
              " ON CONFLICT (issuer, subject) DO NOTHING RETURNING person_id::text",
              issuer, subject, verified_email);
          if (!linked.empty()) {
            log::Info("external identity linked by verified e-mail",
                      {{"issuer", issuer}, {"person_id", linked[0][0].as<std::string>()}});
          }
          found = pg::ExecPrepared(
              tx,
              "SELECT person_id::text FROM external_identities WHERE issuer = $1 AND subject = $2",
              {issuer, subject});
        }
        if (found.empty()) return absl::NotFoundError("no Maillage account for this identity");
        out.set_person_id(found[0][0].as<std::string>());

        for (const pqxx::row& r : pg::ExecPrepared(
                 tx,
                 "SELECT organisation_id::text FROM representations WHERE person_id = $1::uuid"
                 " ORDER BY organisation_id",
                 {out.person_id()})) {
          out.add_organisation_ids(r[0].as<std::string>());
        }
        std::string acting = acting_organisation_id;
        if (acting.empty()) {
          if (out.organisation_ids_size() > 1) {
            return absl::PermissionDeniedError(
                "you represent several organisations: name the one you act for");
          }
          if (out.organisation_ids_size() == 1) acting = out.organisation_ids(0);
        } else if (std::find(out.organisation_ids().begin(), out.organisation_ids().end(),
                             acting) == out.organisation_ids().end()) {
          return absl::PermissionDeniedError("you do not represent this organisation");
        }
        out.set_organisation_id(acting);
        if (acting.empty()) return out;
        for (const pqxx::row& r : pg::ExecPrepared(
                 tx,
                 // Suspended members stay visible to their network (kAdmittedStates) but act
                 // in it no more: only sponsored and active memberships give a role.
                 "SELECT network_id::text, role FROM memberships"
                 " WHERE organisation_id = $1::uuid AND state IN (2, 3) ORDER BY network_id",
                 {acting})) {
          auth::v1::NetworkGrant* g = out.add_grants();
          g->set_network_id(r[0].as<std::string>());
          g->set_role(static_cast<auth::v1::NetworkRole>(r[1].as<int>()));
        }
        return out;
      });
}

}  // namespace maillage::membership
