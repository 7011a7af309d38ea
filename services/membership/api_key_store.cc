// API keys: created, listed, revoked by representatives; resolved by the gateway.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/membership/membership_store.h"
#include "services/membership/store_internal.h"

namespace maillage::membership {

using namespace store_internal;  // NOLINT(build/namespaces): the stores' own helpers

namespace {

constexpr char kApiKeyColumns[] =
    "k.id::text, k.organisation_id::text, k.name, k.secret_prefix, k.network_ids::text[], "
    "k.access, (extract(epoch from k.expires_at) * 1000000)::bigint, "
    "(extract(epoch from k.created_at) * 1000000)::bigint, "
    "(extract(epoch from k.revoked_at) * 1000000)::bigint, k.created_by";

v1::ApiKey ApiKeyFromRow(const pqxx::row& r) {
  v1::ApiKey k;
  k.set_api_key_id(r[0].as<std::string>());
  k.set_organisation_id(r[1].as<std::string>());
  k.set_name(r[2].as<std::string>());
  k.set_secret_prefix(r[3].as<std::string>());
  auto networks = r[4].as_array();
  for (auto elem = networks.get_next(); elem.first != pqxx::array_parser::juncture::done;
       elem = networks.get_next()) {
    if (elem.first == pqxx::array_parser::juncture::string_value) k.add_network_ids(elem.second);
  }
  k.set_access(static_cast<v1::ApiKeyAccess>(r[5].as<int>()));
  SetTime(k.mutable_expire_time(), r[6].as<int64_t>());
  SetTime(k.mutable_create_time(), r[7].as<int64_t>());
  if (!r[8].is_null()) SetTime(k.mutable_revoke_time(), r[8].as<int64_t>());
  k.set_created_by(r[9].as<std::string>());
  return k;
}

}  // namespace

absl::StatusOr<v1::ApiKey> MembershipStore::CreateApiKey(const v1::ApiKey& draft,
                                                         const std::string& key_hash,
                                                         absl::Time expires,
                                                         const ChangeContext& change) {
  return InTransaction<v1::ApiKey>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::ApiKey> {
    // One creation at a time per organisation, so that the live-key limit holds.
    if (tx.exec_params("SELECT 1 FROM organisations WHERE id = $1::uuid FOR NO KEY UPDATE",
                       draft.organisation_id())
            .empty()) {
      return absl::NotFoundError(
          absl::StrCat("organisation ", draft.organisation_id(), " not found"));
    }
    const int64_t live = tx.exec_params1(
                               "SELECT count(*) FROM api_keys WHERE organisation_id = $1::uuid "
                               "AND revoked_at IS NULL AND expires_at > now()",
                               draft.organisation_id())[0]
                             .as<int64_t>();
    if (live >= kMaxLiveApiKeys) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the organisation already holds ", kMaxLiveApiKeys, " live API keys: revoke one first"));
    }
    // Every scoped network must have admitted the organisation (and still count it).
    const int64_t admitted =
        tx.exec_params1(absl::StrCat("SELECT count(DISTINCT network_id) FROM memberships "
                                     "WHERE organisation_id = $1::uuid AND network_id = "
                                     "ANY($2::uuid[]) AND state IN ",
                                     kAdmittedStates),
                        draft.organisation_id(), PgTextArray(draft.network_ids()))[0]
            .as<int64_t>();
    if (admitted != draft.network_ids_size()) {
      return absl::FailedPreconditionError(
          "api_key.network_ids: the organisation is not a member of every network named");
    }
    pqxx::row r = tx.exec_params1(
        absl::StrCat("INSERT INTO api_keys AS k (organisation_id, name, key_hash, secret_prefix, "
                     "network_ids, access, expires_at, created_by) "
                     "VALUES ($1::uuid, $2, $3, $4, $5::uuid[], $6, to_timestamp($7::double "
                     "precision / 1000000), $8) RETURNING ",
                     kApiKeyColumns),
        draft.organisation_id(), draft.name(), key_hash, draft.secret_prefix(),
        PgTextArray(draft.network_ids()), static_cast<int>(draft.access()),
        absl::ToUnixMicros(expires), change.actor);
    return ApiKeyFromRow(r);
  });
}

absl::StatusOr<std::vector<v1::ApiKey>> MembershipStore::ListApiKeys(
    const std::string& organisation_id) {
  return InTransaction<std::vector<v1::ApiKey>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<v1::ApiKey>> {
        std::vector<v1::ApiKey> out;
        for (const pqxx::row& r :
             tx.exec_params(absl::StrCat("SELECT ", kApiKeyColumns,
                                         " FROM api_keys k WHERE k.organisation_id = $1::uuid "
                                         "ORDER BY k.created_at DESC, k.id LIMIT ",
                                         kMaxListedApiKeys),
                            organisation_id)) {
          out.push_back(ApiKeyFromRow(r));
        }
        return out;
      });
}

absl::StatusOr<v1::ApiKey> MembershipStore::RevokeApiKey(const std::string& organisation_id,
                                                         const std::string& api_key_id,
                                                         const ChangeContext& change) {
  return InTransaction<v1::ApiKey>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::ApiKey> {
    pqxx::result revoked = tx.exec_params(
        absl::StrCat("UPDATE api_keys AS k SET revoked_at = now() WHERE k.id = $1::uuid "
                     "AND k.organisation_id = $2::uuid AND k.revoked_at IS NULL RETURNING ",
                     kApiKeyColumns),
        api_key_id, organisation_id);
    if (revoked.empty()) {
      // Already revoked (answered as it is), or not a key of this organisation.
      pqxx::result existing = tx.exec_params(
          absl::StrCat("SELECT ", kApiKeyColumns,
                       " FROM api_keys k WHERE k.id = $1::uuid AND k.organisation_id = $2::uuid"),
          api_key_id, organisation_id);
      if (existing.empty()) {
        return absl::NotFoundError(absl::StrCat("API key ", api_key_id, " not found"));
      }
      return ApiKeyFromRow(existing[0]);
    }
    v1::ApiKey key = ApiKeyFromRow(revoked[0]);
    MAILLAGE_RETURN_IF_ERROR(Emit(tx, change, [&](v1::MembershipEvent& e) {
      e.mutable_api_key_revoked()->set_api_key_id(key.api_key_id());
      e.mutable_api_key_revoked()->set_organisation_id(key.organisation_id());
    }));
    return key;
  });
}

absl::StatusOr<v1::ResolveApiKeyResponse> MembershipStore::ResolveApiKey(
    const std::string& key_hash) {
  return InTransaction<v1::ResolveApiKeyResponse>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::ResolveApiKeyResponse> {
        pqxx::result found =
            pg::ExecPrepared(tx,
                             "SELECT id::text, organisation_id::text, access, "
                             "(extract(epoch from expires_at) * 1000000)::bigint FROM api_keys "
                             "WHERE key_hash = $1 AND revoked_at IS NULL AND expires_at > now()",
                             {key_hash});
        if (found.empty()) return absl::NotFoundError("unknown, revoked or expired API key");
        v1::ResolveApiKeyResponse out;
        out.set_api_key_id(found[0][0].as<std::string>());
        out.set_organisation_id(found[0][1].as<std::string>());
        out.set_access(static_cast<v1::ApiKeyAccess>(found[0][2].as<int>()));
        SetTime(out.mutable_expire_time(), found[0][3].as<int64_t>());
        for (const pqxx::row& r : pg::ExecPrepared(
                 tx,
                 // As for people: only sponsored and active memberships give a role.
                 "SELECT m.network_id::text, m.role FROM memberships m JOIN api_keys k "
                 "ON m.organisation_id = k.organisation_id AND m.network_id = ANY(k.network_ids) "
                 "WHERE k.id = $1::uuid AND m.state IN (2, 3) ORDER BY m.network_id",
                 {out.api_key_id()})) {
          auth::v1::NetworkGrant* g = out.add_grants();
          g->set_network_id(r[0].as<std::string>());
          g->set_role(static_cast<auth::v1::NetworkRole>(r[1].as<int>()));
        }
        return out;
      });
}

}  // namespace maillage::membership
