#include "common/pg/idempotency.h"

#include "absl/strings/str_cat.h"
#include "common/paging/paging.h"
#include "common/status/status.h"

namespace maillage::pg {

absl::string_view IdempotencySchemaSql() {
  return R"sql(
CREATE TABLE IF NOT EXISTS idempotency_keys (
  scope       TEXT NOT NULL,
  key         TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  request_hash TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created_at ON idempotency_keys (created_at);
)sql";
}

std::string RequestHash(const std::vector<std::string>& parts) {
  return absl::StrCat(Fingerprint(parts));
}

absl::StatusOr<std::string> ReserveIdempotencyKey(pqxx::work& tx, const std::string& scope,
                                                  const std::string& key,
                                                  const std::string& request_hash) {
  if (key.empty()) return std::string();
  // The insert waits for a concurrent transaction holding the same key, so two retries
  // racing each other still create one resource. An expired key is taken over.
  pqxx::result ins = tx.exec_params(
      absl::StrCat("INSERT INTO idempotency_keys (scope, key, resource_id, request_hash) "
                   "VALUES ($1, $2, '', $3) ON CONFLICT (scope, key) DO UPDATE "
                   "SET resource_id = '', request_hash = excluded.request_hash, created_at = now() "
                   "WHERE idempotency_keys.created_at < now() - interval '",
                   kIdempotencyWindow, "'"),
      scope, key, request_hash);
  if (ins.affected_rows() == 1) return std::string();
  pqxx::row r = tx.exec_params1(
      "SELECT resource_id, request_hash FROM idempotency_keys WHERE scope = $1 AND key = $2", scope,
      key);
  if (r[1].as<std::string>() != request_hash) {
    return InvalidField("idempotency_key", "already used for a different request");
  }
  return r[0].as<std::string>();
}

void RecordIdempotencyKey(pqxx::work& tx, const std::string& scope, const std::string& key,
                          const std::string& resource_id) {
  if (key.empty()) return;
  tx.exec_params("UPDATE idempotency_keys SET resource_id = $3 WHERE scope = $1 AND key = $2",
                 scope, key, resource_id);
}

}  // namespace maillage::pg
