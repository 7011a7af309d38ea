#include "common/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace maillage {
namespace {

using ::testing::HasSubstr;

TEST(ConfigTest, FlagOverridesEnvironment) {
  ConfigReader c({{"MAILLAGE_GRPC_ADDRESS", "0.0.0.0:1"}}, {"--grpc-address=127.0.0.1:2"});
  EXPECT_EQ(c.String("GRPC_ADDRESS", "x"), "127.0.0.1:2");
  EXPECT_TRUE(c.Finish().ok());
}

TEST(ConfigTest, ReportsEveryProblemAtOnce) {
  ConfigReader c({{"MAILLAGE_WORKERS", "lots"}}, {"--wrokers=3", "positional"});
  c.Required("PG_URI");
  EXPECT_EQ(c.Int("WORKERS", 8, 1, 64), 8);
  absl::Status s = c.Finish();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("MAILLAGE_PG_URI (or --pg-uri) is required"));
  EXPECT_THAT(s.message(), HasSubstr("MAILLAGE_WORKERS='lots'"));
  EXPECT_THAT(s.message(), HasSubstr("--wrokers: unknown setting"));
  EXPECT_THAT(s.message(), HasSubstr("'positional': expected --name=value"));
}

TEST(ConfigTest, RangesAndBooleans) {
  ConfigReader c({{"MAILLAGE_WORKERS", "0"}, {"MAILLAGE_DEBUG", "yes"}}, {});
  EXPECT_EQ(c.Int("WORKERS", 8, 1, 64), 8);
  EXPECT_TRUE(c.Bool("DEBUG", false));
  EXPECT_EQ(c.String("ABSENT", "dflt"), "dflt");
  EXPECT_FALSE(c.Finish().ok());
}

}  // namespace
}  // namespace maillage
