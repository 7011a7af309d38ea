// Times round-trip between protobuf and the microseconds PostgreSQL keeps.
#include "common/pg/pg_time.h"

#include <google/protobuf/timestamp.pb.h>
#include <gtest/gtest.h>

namespace maillage::pg {
namespace {

TEST(PgTimeTest, ParametersAreUtcToTheMicrosecondAndInfinitiesAreNamed) {
  EXPECT_EQ(TimeParam(absl::FromUnixMicros(1'700'000'000'123'456)),
            "2023-11-14 22:13:20.123456+00");
  EXPECT_EQ(TimeParam(absl::InfinitePast()), "-infinity");
  EXPECT_EQ(TimeParam(absl::InfiniteFuture()), "infinity");
  google::protobuf::Timestamp t;
  t.set_seconds(86400);
  EXPECT_EQ(TimeParam(t), "1970-01-02 00:00:00.000000+00");
}

TEST(PgTimeTest, MicrosBeforeTheEpochGiveNonNegativeNanos) {
  google::protobuf::Timestamp t;
  SetFromMicros(&t, -1);
  EXPECT_EQ(t.seconds(), -1);
  EXPECT_EQ(t.nanos(), 999'999'000);
  SetFromMicros(&t, 1'500'000);
  EXPECT_EQ(t.seconds(), 1);
  EXPECT_EQ(t.nanos(), 500'000'000);
}

}  // namespace
}  // namespace maillage::pg
