#include "common/validation/validation.h"

#include <google/protobuf/timestamp.pb.h>
#include <gtest/gtest.h>

#include <string>

#include "common/status/status.h"
#include "common/validation/timestamps.h"

namespace maillage {
namespace {

TEST(ValidationTest, IdsAreRequiredUuidsInLowerCase) {
  EXPECT_EQ(ValidateId("6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01", "network_id"), absl::OkStatus());
  EXPECT_EQ(ValidateId("", "network_id"), InvalidField("network_id", "required"));
  EXPECT_EQ(ValidateId("abc", "network_id"),
            InvalidField("network_id", "malformed id (expected a UUID)"));
  EXPECT_EQ(ValidateId("6d1f6a8e3f0b4c8e9a4e2b7c1d0e5f01", "network_id"),
            InvalidField("network_id", "malformed id (expected a UUID)"));
  EXPECT_EQ(ValidateId("6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5g01", "network_id"),
            InvalidField("network_id", "malformed id (expected a UUID)"));
  EXPECT_EQ(ValidateId("6D1F6A8E-3F0B-4C8E-9A4E-2B7C1D0E5F01", "network_id"),
            InvalidField("network_id", "id must be in lower case"));
}

TEST(ValidationTest, Utf8MustBeWellFormedWithoutNul) {
  EXPECT_TRUE(IsValidUtf8Text(""));
  EXPECT_TRUE(IsValidUtf8Text("Café, 東京, 🙂"));
  EXPECT_FALSE(IsValidUtf8Text("Caf\xe9"));               // Latin-1
  EXPECT_FALSE(IsValidUtf8Text(std::string("a\0b", 3)));  // NUL
  EXPECT_FALSE(IsValidUtf8Text("\xc0\xaf"));              // overlong '/'
  EXPECT_FALSE(IsValidUtf8Text("\xed\xa0\x80"));          // a surrogate
  EXPECT_FALSE(IsValidUtf8Text("\xf4\x90\x80\x80"));      // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8Text("\xe2\x82"));              // cut short
  EXPECT_FALSE(IsValidUtf8Text("\x80"));                  // a lone continuation
}

TEST(ValidationTest, LimitsCountCharactersNotBytes) {
  std::string accented;
  for (int i = 0; i < 150; ++i) accented += "é";  // 150 characters, 300 bytes
  EXPECT_EQ(CharacterCount(accented), 150u);
  EXPECT_EQ(ValidateText(accented, "name", 200, true), absl::OkStatus());
  EXPECT_EQ(ValidateText(accented, "name", 149, true),
            InvalidField("name", "too long (150 > 149 characters)"));
}

TEST(ValidationTest, TextRefusesControlCharactersButNotLineBreaksOrTabs) {
  EXPECT_EQ(ValidateText("line one\r\nline\ttwo", "description", 100, false), absl::OkStatus());
  EXPECT_EQ(ValidateText("bell\x07", "description", 100, false),
            InvalidField("description", "contains control characters"));
  EXPECT_EQ(ValidateText("Caf\xe9", "description", 100, false),
            InvalidField("description", "not valid UTF-8 text"));
}

TEST(ValidationTest, RequiredTextIsMoreThanWhitespace) {
  EXPECT_EQ(ValidateText(" \t ", "name", 100, true), InvalidField("name", "required"));
  EXPECT_EQ(ValidateText("", "name", 100, false), absl::OkStatus());
  EXPECT_EQ(TextProblem("x", 100, true), std::nullopt);
}

}  // namespace
}  // namespace maillage

namespace maillage {
namespace {

TEST(TimestampsTest, TheRangeIsProtobufsAndTimesReadBackToTheMicrosecond) {
  google::protobuf::Timestamp t;
  t.set_seconds(253402300799);
  EXPECT_TRUE(IsValidTimestamp(t));
  t.set_seconds(253402300800);
  EXPECT_FALSE(IsValidTimestamp(t));
  t.set_seconds(0);
  t.set_nanos(-1);
  EXPECT_FALSE(IsValidTimestamp(t));
  const absl::Time at = absl::FromUnixMicros(-1'500'001);
  SetTimestamp(&t, at);
  EXPECT_TRUE(IsValidTimestamp(t));
  EXPECT_EQ(TimeOf(t), at);
}

}  // namespace
}  // namespace maillage
