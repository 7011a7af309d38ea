// common/status: absl::Status inside, grpc::Status at the edge.
//
// Everything below the handlers speaks absl::Status / absl::StatusOr. A handler converts
// exactly once, when it finishes the RPC:
//
//   reactor->Finish(maillage::ToGrpcStatus(service_result));
//
// Clients convert back with FromGrpcStatus(). Both directions keep the code and message,
// and the structured details of the standard error model: an absl::Status payload under a
// "type.googleapis.com/google.rpc.*" URL (such as the google.rpc.BadRequest of
// InvalidFields) travels in grpc::Status::error_details(), a serialised google.rpc.Status
// whose `details` hold it as an Any. Other payloads stay in the process.
//
//   absl::Status s = InvalidFields({{"organisation.siren", "must be 9 digits"},
//                                   {"organisation.kind", "required"}});
//   s.message();            // "organisation.siren: must be 9 digits" (the first)
//   FieldViolationsOf(s);   // both, also after ToGrpcStatus and FromGrpcStatus
#ifndef MAILLAGE_COMMON_STATUS_STATUS_H_
#define MAILLAGE_COMMON_STATUS_STATUS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace grpc {
class Status;
}  // namespace grpc

namespace maillage {

// The type URL of a google.rpc.BadRequest payload.
inline constexpr char kBadRequestTypeUrl[] = "type.googleapis.com/google.rpc.BadRequest";

// Converts an absl::Status to the grpc::Status with the same code and message; its
// google.rpc payloads become the details of error_details().
grpc::Status ToGrpcStatus(const absl::Status& status);

// Converts a grpc::Status to the absl::Status with the same code and message, and the
// google.rpc details of its error_details() as payloads.
absl::Status FromGrpcStatus(const grpc::Status& status);

// One refused field, as a google.rpc.BadRequest.FieldViolation: its path
// ("organisation.establishments[0].siret") and why.
struct FieldViolation {
  std::string field;
  std::string description;
  bool operator==(const FieldViolation&) const = default;
};

// INVALID_ARGUMENT whose message starts with the offending field: "field: reason".
// Clients (and tests) rely on that prefix to point at the field. It carries the same
// violation as a google.rpc.BadRequest payload.
absl::Status InvalidField(absl::string_view field, absl::string_view reason);

// OK when `violations` is empty; else INVALID_ARGUMENT with the message "field: reason" of
// the first and every violation, in order, in a google.rpc.BadRequest payload.
absl::Status InvalidFields(const std::vector<FieldViolation>& violations);

// The field violations of the BadRequest payload of `status`; none without one.
std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status);

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
