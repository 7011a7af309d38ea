#include "common/log/log.h"

#include <gtest/gtest.h>

namespace maillage::log {
namespace {

TEST(LogTest, EscapesEverythingIntoOneJsonLine) {
  ASSERT_TRUE(Init("membership", "debug").ok());
  std::string line = FormatForTest(Level::kWarn, "quote \" and\nnewline",
                                   {{"siren", "732829320"}, {"k\"", "\x01"}});
  EXPECT_EQ(line,
            "{\"level\":\"warn\",\"service\":\"membership\",\"msg\":\"quote \\\" and\\nnewline\","
            "\"siren\":\"732829320\",\"k\\\"\":\"\\u0001\"}");
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(LogTest, LevelGatesLines) {
  ASSERT_TRUE(Init("membership", "warn").ok());
  EXPECT_FALSE(Enabled(Level::kDebug));
  EXPECT_FALSE(Enabled(Level::kInfo));
  EXPECT_TRUE(Enabled(Level::kWarn));
  EXPECT_TRUE(Enabled(Level::kError));
}

TEST(LogTest, RejectsUnknownLevel) {
  EXPECT_EQ(Init("membership", "verbose").code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace maillage::log
