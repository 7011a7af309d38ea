#include <grpcpp/server_context.h>

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/log/log.h"
#include "common/server/unary.h"

namespace maillage {
namespace {

bool HidesMessage(absl::StatusCode code) {
  return code == absl::StatusCode::kInternal || code == absl::StatusCode::kUnknown ||
         code == absl::StatusCode::kDataLoss;
}

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return absl::StrFormat("%016x", rng());
}

}  // namespace

grpc::Status ToClientStatus(const absl::Status& status, const grpc::ServerContextBase& ctx) {
  if (!HidesMessage(status.code())) return ToGrpcStatus(status);
  std::string request_id;
  const auto& md = ctx.client_metadata();
  if (auto it = md.find("x-request-id"); it != md.end()) {
    request_id.assign(it->second.data(), it->second.size());
  } else {
    request_id = NewRequestId();
  }
  // The message may quote SQL, PostgreSQL's DETAIL lines or another tenant's data: it goes to
  // the log only, and the client gets the id that finds it there.
  log::Error("internal error", {{"request_id", request_id},
                                {"code", absl::StatusCodeToString(status.code())},
                                {"error", status.message()}});
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      absl::StrCat("internal error; request id ", request_id));
}

}  // namespace maillage
