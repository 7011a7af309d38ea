#include "common/log/library_logs.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "common/log/log.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"

namespace maillage::log {
namespace {

TEST(LogRateLimiterTest, AllowsABurstThenTheRateAndCountsWhatItDropped) {
  LogRateLimiter limiter({.per_second = 2, .burst = 3});
  absl::Time t0 = absl::FromUnixSeconds(1000);
  EXPECT_TRUE(limiter.Allow(t0));
  EXPECT_TRUE(limiter.Allow(t0));
  EXPECT_TRUE(limiter.Allow(t0));
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(limiter.Allow(t0));
  // Half a second later one token is back, and the line says how many were dropped.
  int64_t suppressed = -1;
  EXPECT_TRUE(limiter.Allow(t0 + absl::Milliseconds(500), &suppressed));
  EXPECT_EQ(suppressed, 1000);
  EXPECT_FALSE(limiter.Allow(t0 + absl::Milliseconds(500)));
  // An idle hour refills only up to the burst.
  absl::Time later = t0 + absl::Hours(1);
  EXPECT_TRUE(limiter.Allow(later, &suppressed));
  EXPECT_EQ(suppressed, 1);
  EXPECT_TRUE(limiter.Allow(later));
  EXPECT_TRUE(limiter.Allow(later));
  EXPECT_FALSE(limiter.Allow(later));
}

// What a client can trigger on every call: a proto3 string that is not UTF-8.
std::string InvalidUtf8StringValue() { return std::string("\x0a\x02\xff\xfe", 4); }

TEST(LibraryLogsTest, ProtobufComplaintsAreJsonLinesAndAFloodIsCut) {
  ASSERT_TRUE(Init("library-logs-test", "info").ok());
  RouteLibraryLogs({.per_second = 0.001, .burst = 5});
  testing::internal::CaptureStderr();
  for (int i = 0; i < 200; ++i) {
    google::protobuf::StringValue v;
    EXPECT_FALSE(v.ParseFromString(InvalidUtf8StringValue()));
  }
  std::string err = testing::internal::GetCapturedStderr();
  std::vector<std::string> lines = absl::StrSplit(err, '\n', absl::SkipEmpty());
  ASSERT_FALSE(lines.empty()) << "libprotobuf said nothing about invalid UTF-8";
  EXPECT_LE(lines.size(), 5u) << err;
  for (const std::string& line : lines) {
    EXPECT_EQ(line.front(), '{') << line;
    EXPECT_EQ(line.back(), '}') << line;
    EXPECT_NE(line.find("\"source\":\"libprotobuf\""), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace maillage::log
