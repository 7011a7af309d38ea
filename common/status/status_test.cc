#include "common/status/status.h"

#include <grpcpp/support/status.h>
#include <gtest/gtest.h>

#include "absl/status/statusor.h"

namespace maillage {
namespace {

TEST(StatusTest, RoundTripKeepsCodeAndMessage) {
  for (int code = 0; code <= 16; ++code) {
    absl::Status in(static_cast<absl::StatusCode>(code), code == 0 ? "" : "boom");
    grpc::Status wire = ToGrpcStatus(in);
    EXPECT_EQ(static_cast<int>(wire.error_code()), code);
    EXPECT_EQ(FromGrpcStatus(wire), in);
  }
}

TEST(StatusTest, InvalidFieldNamesTheField) {
  absl::Status s = InvalidField("organisation.siren", "must be 9 digits");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "organisation.siren: must be 9 digits");
}

absl::StatusOr<int> Half(int x) {
  if (x % 2) return absl::InvalidArgumentError("odd");
  return x / 2;
}

absl::StatusOr<int> Quarter(int x) {
  MAILLAGE_ASSIGN_OR_RETURN(int h, Half(x));
  MAILLAGE_ASSIGN_OR_RETURN(h, Half(h));
  return h;
}

TEST(StatusTest, MacrosPropagateErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().message(), "odd");
}

}  // namespace
}  // namespace maillage
