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

}  // namespace maillage::membership
