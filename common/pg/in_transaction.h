// common/pg/in_transaction: a transaction that produces a value.
//
//   absl::StatusOr<v1::Declaration> d = pg::InTransaction<v1::Declaration>(
//       pool, [&](pqxx::work& tx) -> absl::StatusOr<v1::Declaration> { ... });
//
// The transaction commits when `fn` returns a value and rolls back on an error status,
// which is returned as it is (PgPool::Transact maps PostgreSQL's failures).
#ifndef MAILLAGE_COMMON_PG_IN_TRANSACTION_H_
#define MAILLAGE_COMMON_PG_IN_TRANSACTION_H_

#include <functional>
#include <pqxx/pqxx>

#include "absl/status/statusor.h"
#include "common/pg/pg.h"

namespace maillage::pg {

template <typename T>
absl::StatusOr<T> InTransaction(PgPool* pool,
                                const std::function<absl::StatusOr<T>(pqxx::work&)>& fn) {
  absl::StatusOr<T> out = absl::UnknownError("transaction did not run");
  absl::Status s = pool->Transact([&](pqxx::work& tx) -> absl::Status {
    out = fn(tx);
    return out.status();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace maillage::pg

#endif  // MAILLAGE_COMMON_PG_IN_TRANSACTION_H_
