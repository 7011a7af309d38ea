// common/pg/idempotency: idempotency keys of Create calls, in the service's own database.
//
// A client that retries a Create with the same key gets the resource the first call made;
// the same key with another request is refused. Within the Create's transaction:
//
//   std::string scope = absl::StrCat("CreateOrganisation/", caller);
//   MAILLAGE_ASSIGN_OR_RETURN(std::string earlier,
//                             ReserveIdempotencyKey(tx, scope, key, RequestHash({draft_bytes})));
//   if (!earlier.empty()) return Fetch(tx, earlier);       // a retry: the first result
//   ... create ...
//   RecordIdempotencyKey(tx, scope, key, created_id);
//
// A key holds for 24 hours (kIdempotencyWindow); after it, the key may be used afresh.
// Concurrent calls with one key wait for each other on the key's row, so two racing retries
// still create one resource. An empty key disables all of this.
#ifndef MAILLAGE_COMMON_PG_IDEMPOTENCY_H_
#define MAILLAGE_COMMON_PG_IDEMPOTENCY_H_

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace maillage::pg {

inline constexpr char kIdempotencyWindow[] = "24 hours";

// The table, for a service's migrations (idempotent): idempotency_keys (scope, key,
// resource_id, request_hash, created_at) with an index on created_at for retention.
absl::string_view IdempotencySchemaSql();

// A stable digest of a request's parts, stored with its key: "sha256:" and 64 hex digits,
// over the parts each prefixed with its length (so no two different lists of parts can be
// made to collide).
inline constexpr char kRequestHashPrefix[] = "sha256:";
std::string RequestHash(const std::vector<std::string>& parts);

// The resource id a previous call with this key and request recorded, or "" when this call
// must create the resource (the key is then reserved until the transaction ends). The same
// key with another request is INVALID_ARGUMENT on "idempotency_key".
absl::StatusOr<std::string> ReserveIdempotencyKey(pqxx::work& tx, const std::string& scope,
                                                  const std::string& key,
                                                  const std::string& request_hash);

// Records what the reserved key created.
void RecordIdempotencyKey(pqxx::work& tx, const std::string& scope, const std::string& key,
                          const std::string& resource_id);

}  // namespace maillage::pg

#endif  // MAILLAGE_COMMON_PG_IDEMPOTENCY_H_
