#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <set>

#include "services/membership/membership_store.h"
#include "services/membership/store_internal.h"

// MembershipStore: organisations.

namespace maillage::membership {

using namespace store_internal;  // NOLINT(build/namespaces): the store's own helpers

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
    pqxx::result r = pg::ExecPrepared(
        tx,
        absl::StrCat("SELECT ", kOrganisationColumns,
                     ", coalesce((SELECT string_agg(m.network_id::text, ',' ORDER BY m.network_id) "
                     "FROM memberships m WHERE m.organisation_id = o.id AND m.state IN ",
                     kAdmittedStates, "), '') FROM organisations o WHERE o.id = $1::uuid"),
        {id});
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

}  // namespace maillage::membership
