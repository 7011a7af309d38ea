#include "common/pg/idempotency.h"

#include <gtest/gtest.h>

#include <string>

namespace maillage::pg {
namespace {

TEST(RequestHashTest, IsASha256OfTheLengthPrefixedParts) {
  std::string h = RequestHash({"organisation", "Boulangerie Martin"});
  EXPECT_EQ(h.rfind("sha256:", 0), 0u) << h;
  EXPECT_EQ(h.size(), 7u + 64u) << h;
  EXPECT_EQ(h, RequestHash({"organisation", "Boulangerie Martin"}));
  // One byte of difference, and parts cut elsewhere, both give another digest.
  EXPECT_NE(h, RequestHash({"organisation", "Boulangerie Martio"}));
  EXPECT_NE(RequestHash({"ab", "c"}), RequestHash({"a", "bc"}));
  EXPECT_NE(RequestHash({""}), RequestHash({}));
  // The digest of nothing is SHA-256's known one for the empty input with no parts.
  EXPECT_EQ(RequestHash({}),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace maillage::pg
