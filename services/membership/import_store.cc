#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <set>

#include "services/membership/membership_store.h"
#include "services/membership/store_internal.h"

// MembershipStore: CSV import batches.

namespace maillage::membership {

using namespace store_internal;  // NOLINT(build/namespaces): the store's own helpers

// ---------------------------------------------------------------------------------------------
// Import

namespace {

// PostgreSQL array literals for the set-based statements of an import batch.
std::string PgArray(const std::vector<std::string>& values) { return pg::TextArray(values); }

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
