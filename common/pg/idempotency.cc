#include "common/pg/idempotency.h"

#include <openssl/evp.h>

#include <cstdint>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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
  // SHA-256 rather than a fast non-cryptographic hash: a client who could make two different
  // requests collide would have the second one answered with the first one's resource.
  // Each part is prefixed with its length, so ["ab", "c"] and ["a", "bc"] differ.
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (const std::string& part : parts) {
    uint8_t len[8];
    uint64_t n = part.size();
    for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(n >> (8 * i));
    EVP_DigestUpdate(ctx, len, sizeof(len));
    EVP_DigestUpdate(ctx, part.data(), part.size());
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  EVP_DigestFinal_ex(ctx, digest, &digest_len);
  EVP_MD_CTX_free(ctx);
  return absl::StrCat(kRequestHashPrefix, absl::BytesToHexString(absl::string_view(
                                              reinterpret_cast<const char*>(digest), digest_len)));
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
  const std::string stored = r[1].as<std::string>();
  // Keys stored before the SHA-256 digest (no prefix) cannot be compared: for the 24 hours
  // they live on, a retry with such a key replays as before rather than being refused.
  const bool legacy = !stored.empty() && !absl::StartsWith(stored, kRequestHashPrefix);
  if (!legacy && stored != request_hash) {
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
