#include "gateway/limits/call_timeouts.h"

#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "maillage/membership/v1/membership.pb.h"

namespace maillage::gateway {
namespace {

const google::protobuf::ServiceDescriptor* Membership() {
  return membership::v1::GetNetworkRequest::descriptor()->file()->FindServiceByName(
      "MembershipService");
}
const google::protobuf::MethodDescriptor& Method(const char* name) {
  return *Membership()->FindMethodByName(name);
}

TEST(CallTimeoutsTest, UnaryAndStreamingMethodsGetTheirClassLimit) {
  absl::StatusOr<CallTimeouts> t = CallTimeouts::Parse(
      {.unary = absl::Seconds(7), .streaming = absl::Minutes(3)}, {Membership()});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->For(Method("GetNetwork")), absl::Seconds(7));
  EXPECT_EQ(t->For(Method("ExportMembers")), absl::Minutes(3));
  EXPECT_EQ(t->For(Method("ImportOrganisations")), absl::Minutes(3));
}

TEST(CallTimeoutsTest, AMethodNamedByNameOrFullNameGetsItsOwn) {
  absl::StatusOr<CallTimeouts> t =
      CallTimeouts::Parse({.overrides = "ImportOrganisations=1800, "
                                        "maillage.membership.v1.MembershipService.GetNetwork=0.5"},
                          {Membership()});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->For(Method("ImportOrganisations")), absl::Minutes(30));
  EXPECT_EQ(t->For(Method("GetNetwork")), absl::Milliseconds(500));
  EXPECT_EQ(t->For(Method("ListNetworks")), absl::Seconds(10));
}

TEST(CallTimeoutsTest, TheCallerMayAskForLessNeverMore) {
  absl::StatusOr<CallTimeouts> t = CallTimeouts::Parse({}, {Membership()});
  ASSERT_TRUE(t.ok());
  const absl::Time now = absl::Now();
  EXPECT_LE(t->Deadline(Method("GetNetwork"), now + absl::Hours(1)), now + absl::Seconds(11));
  EXPECT_EQ(t->Deadline(Method("GetNetwork"), now + absl::Seconds(1)), now + absl::Seconds(1));
}

TEST(CallTimeoutsTest, BadOverridesAreRefusedAtStartNamingThem) {
  for (const char* bad : {"NoSuchMethod=3", "GetNetwork=", "GetNetwork=abc", "GetNetwork=-1",
                          "GetNetwork", "GetNetwork=999999"}) {
    absl::StatusOr<CallTimeouts> t = CallTimeouts::Parse({.overrides = bad}, {Membership()});
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(CallTimeouts::Parse({.overrides = "NoSuchMethod=3"}, {Membership()})
                .status()
                .message()
                .find("NoSuchMethod"),
            absl::string_view::npos);
}

}  // namespace
}  // namespace maillage::gateway
