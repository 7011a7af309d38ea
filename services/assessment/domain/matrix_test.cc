#include "services/assessment/domain/matrix.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace maillage::assessment {
namespace {

using ::testing::HasSubstr;

TEST(MatrixTest, TheDefaultMatrixDecidesAsTheDomainTableSays) {
  const v1::Matrix m = DefaultMatrix();
  ASSERT_TRUE(ValidateMatrix(m).ok());
  struct Case {
    v1::Level efficiency, importance;
    v1::Disposition expected;
  } cases[] = {
      {v1::LEVEL_LOW, v1::LEVEL_HIGH, v1::DISPOSITION_STRENGTHEN_WITH_PARTNERS},
      {v1::LEVEL_MEDIUM, v1::LEVEL_HIGH, v1::DISPOSITION_STRENGTHEN_IN_HOUSE},
      {v1::LEVEL_HIGH, v1::LEVEL_HIGH, v1::DISPOSITION_KEEP_IN_HOUSE},
      {v1::LEVEL_LOW, v1::LEVEL_MEDIUM, v1::DISPOSITION_POOL_WITH_NETWORK},
      {v1::LEVEL_MEDIUM, v1::LEVEL_MEDIUM, v1::DISPOSITION_STRENGTHEN_IN_HOUSE},
      {v1::LEVEL_HIGH, v1::LEVEL_MEDIUM, v1::DISPOSITION_KEEP_MAY_OFFER},
      {v1::LEVEL_LOW, v1::LEVEL_LOW, v1::DISPOSITION_POOL_OR_OUTSOURCE},
      {v1::LEVEL_MEDIUM, v1::LEVEL_LOW, v1::DISPOSITION_POOL_OR_OUTSOURCE},
      {v1::LEVEL_HIGH, v1::LEVEL_LOW, v1::DISPOSITION_OFFER_TO_NETWORK},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Decision> d = Decide(m, c.efficiency, c.importance);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->disposition, c.expected)
        << LevelName(c.efficiency) << " efficiency, " << LevelName(c.importance) << " importance";
    // The cell that decided comes with the answer, and the version.
    EXPECT_EQ(d->cell.efficiency(), c.efficiency);
    EXPECT_EQ(d->cell.importance(), c.importance);
    EXPECT_EQ(d->matrix_version, 0);
  }
}

TEST(MatrixTest, ANetworksOwnMatrixDecidesWithItsVersion) {
  v1::Matrix m = DefaultMatrix();
  m.set_version(3);
  for (v1::MatrixCell& c : *m.mutable_cells()) {
    if (c.efficiency() == v1::LEVEL_LOW && c.importance() == v1::LEVEL_LOW) {
      c.set_disposition(v1::DISPOSITION_POOL_WITH_NETWORK);
    }
  }
  absl::StatusOr<Decision> d = Decide(m, v1::LEVEL_LOW, v1::LEVEL_LOW);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->disposition, v1::DISPOSITION_POOL_WITH_NETWORK);
  EXPECT_EQ(d->matrix_version, 3);
}

TEST(MatrixTest, BadLevelsAndBadMatricesAreRefusedNamingTheField) {
  const v1::Matrix m = DefaultMatrix();
  EXPECT_THAT(Decide(m, v1::LEVEL_UNSPECIFIED, v1::LEVEL_LOW).status().message(),
              HasSubstr("efficiency"));
  EXPECT_THAT(Decide(m, v1::LEVEL_LOW, static_cast<v1::Level>(7)).status().message(),
              HasSubstr("importance"));

  v1::Matrix missing = m;
  missing.mutable_cells()->RemoveLast();
  EXPECT_THAT(ValidateMatrix(missing).message(), HasSubstr("9 cells"));
  v1::Matrix twice = m;
  *twice.mutable_cells(8) = twice.cells(0);
  EXPECT_THAT(ValidateMatrix(twice).message(), HasSubstr("appears twice"));
  v1::Matrix blank = m;
  blank.mutable_cells(4)->set_disposition(v1::DISPOSITION_UNSPECIFIED);
  EXPECT_THAT(ValidateMatrix(blank).message(), HasSubstr("cells[4].disposition"));
  v1::Matrix unknown = m;
  unknown.mutable_cells(2)->set_disposition(static_cast<v1::Disposition>(99));
  EXPECT_FALSE(ValidateMatrix(unknown).ok());
}

}  // namespace
}  // namespace maillage::assessment
