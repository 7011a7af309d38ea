#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <set>

#include "services/membership/membership_store.h"
#include "services/membership/store_internal.h"

// MembershipStore: networks and charters.

namespace maillage::membership {

using namespace store_internal;  // NOLINT(build/namespaces): the store's own helpers

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

}  // namespace maillage::membership
