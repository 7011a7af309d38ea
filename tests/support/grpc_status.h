// tests/support/grpc_status: assertions on grpc::Status that say what came back.
//
//   EXPECT_TRUE(Ok(stub->GetNetwork(ctx.get(), req, &out)));
//   EXPECT_TRUE(HasCode(status, grpc::StatusCode::NOT_FOUND));
//   // on failure: "expected NOT_FOUND, got PERMISSION_DENIED: not allowed: ..."
#ifndef MAILLAGE_TESTS_SUPPORT_GRPC_STATUS_H_
#define MAILLAGE_TESTS_SUPPORT_GRPC_STATUS_H_

#include <grpcpp/support/status.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/status/status.h"

namespace maillage::testing {

// "OK", "INVALID_ARGUMENT", ...: gRPC and Abseil number their codes alike.
inline std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

inline ::testing::AssertionResult Ok(const grpc::Status& s) {
  if (s.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << CodeName(s.error_code()) << ": " << s.error_message();
}

inline ::testing::AssertionResult HasCode(const grpc::Status& s, grpc::StatusCode code) {
  if (s.error_code() == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected " << CodeName(code) << ", got "
                                       << CodeName(s.error_code()) << ": " << s.error_message();
}

}  // namespace maillage::testing

#endif  // MAILLAGE_TESTS_SUPPORT_GRPC_STATUS_H_
