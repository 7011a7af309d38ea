// common/status: absl::Status inside, grpc::Status at the edge.
//
// Everything below the handlers speaks absl::Status / absl::StatusOr. A handler converts
// exactly once, when it finishes the RPC:
//
//   reactor->Finish(maillage::ToGrpcStatus(service_result));
//
// Clients convert back with FromGrpcStatus(). Both directions keep the code and message.
#ifndef MAILLAGE_COMMON_STATUS_STATUS_H_
#define MAILLAGE_COMMON_STATUS_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace grpc {
class Status;
}  // namespace grpc

namespace maillage {

// Converts an absl::Status to the grpc::Status with the same code and message.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Converts a grpc::Status to the absl::Status with the same code and message.
absl::Status FromGrpcStatus(const grpc::Status& status);

// INVALID_ARGUMENT whose message starts with the offending field: "field: reason".
// Clients (and tests) rely on that prefix to point at the field.
absl::Status InvalidField(absl::string_view field, absl::string_view reason);

}  // namespace maillage

// Returns from the current function if `expr` is not OK (absl 20220623 has no macros).
#define MAILLAGE_RETURN_IF_ERROR(expr)                    \
  do {                                                    \
    if (absl::Status _st = (expr); !_st.ok()) return _st; \
  } while (0)

#define MAILLAGE_STATUS_CONCAT_INNER(a, b) a##b
#define MAILLAGE_STATUS_CONCAT(a, b) MAILLAGE_STATUS_CONCAT_INNER(a, b)

// Declares or assigns `lhs` from the StatusOr `expr`, returning its status on error.
//   MAILLAGE_ASSIGN_OR_RETURN(Organisation org, store.Get(id));
#define MAILLAGE_ASSIGN_OR_RETURN(lhs, expr) \
  MAILLAGE_ASSIGN_OR_RETURN_IMPL(MAILLAGE_STATUS_CONCAT(_status_or_, __LINE__), lhs, expr)
#define MAILLAGE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()

#endif  // MAILLAGE_COMMON_STATUS_STATUS_H_
