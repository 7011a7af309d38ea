#include "common/status/status.h"

#include <grpcpp/support/status.h>
#include <gtest/gtest.h>

#include "absl/status/statusor.h"
#include "absl/strings/cord.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

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

TEST(StatusTest, InvalidFieldCarriesItsViolation) {
  absl::Status s = InvalidField("person.email", "required");
  EXPECT_EQ(FieldViolationsOf(s), (std::vector<FieldViolation>{{"person.email", "required"}}));
}

TEST(StatusTest, InvalidFieldsKeepsEveryViolationAndNamesTheFirst) {
  absl::Status s = InvalidFields(
      {{"organisation.siren", "must be 9 digits"}, {"organisation.kind", "required"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "organisation.siren: must be 9 digits");
  EXPECT_EQ(FieldViolationsOf(s),
            (std::vector<FieldViolation>{{"organisation.siren", "must be 9 digits"},
                                         {"organisation.kind", "required"}}));
  EXPECT_TRUE(InvalidFields({}).ok());
  EXPECT_TRUE(FieldViolationsOf(absl::InvalidArgumentError("x: y")).empty());
}

// What any gRPC client reads: error_details is a google.rpc.Status whose details hold the
// BadRequest as an Any.
TEST(StatusTest, ViolationsTravelAsBadRequestInErrorDetails) {
  grpc::Status wire =
      ToGrpcStatus(InvalidFields({{"a.b", "too long"}, {"c[1]", "not an e-mail address"}}));
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(wire.error_message(), "a.b: too long");
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(wire.error_details()));
  EXPECT_EQ(details.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(details.message(), "a.b: too long");
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad_request));
  ASSERT_EQ(bad_request.field_violations_size(), 2);
  EXPECT_EQ(bad_request.field_violations(0).field(), "a.b");
  EXPECT_EQ(bad_request.field_violations(0).description(), "too long");
  EXPECT_EQ(bad_request.field_violations(1).field(), "c[1]");
  EXPECT_EQ(bad_request.field_violations(1).description(), "not an e-mail address");

  absl::Status back = FromGrpcStatus(wire);
  EXPECT_EQ(back.message(), "a.b: too long");
  EXPECT_EQ(FieldViolationsOf(back),
            (std::vector<FieldViolation>{{"a.b", "too long"}, {"c[1]", "not an e-mail address"}}));
}

TEST(StatusTest, OnlyTheStandardErrorModelCrossesTheWire) {
  absl::Status s = absl::FailedPreconditionError("no");
  s.SetPayload("type.example.com/internal.Detail", absl::Cord("secret"));
  grpc::Status wire = ToGrpcStatus(s);
  EXPECT_TRUE(wire.error_details().empty());
  EXPECT_EQ(FromGrpcStatus(wire), absl::FailedPreconditionError("no"));
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
