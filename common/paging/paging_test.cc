#include "common/paging/paging.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace maillage {
namespace {

TEST(PagingTest, TokenRoundTripsAnyBytes) {
  uint64_t fp = Fingerprint({"net-1", "ate"});
  std::string token = EncodePageToken(fp, {"atelier:bois|1", "id-7"});
  common::v1::PageRequest req;
  req.set_page_token(token);
  req.set_page_size(20);
  auto q = ParsePage(req, fp);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->size, 20);
  EXPECT_EQ(q->after, (std::vector<std::string>{"atelier:bois|1", "id-7"}));
}

TEST(PagingTest, TokenOfAnotherQueryIsRefused) {
  std::string token = EncodePageToken(Fingerprint({"net-1"}), {"a", "b"});
  common::v1::PageRequest req;
  req.set_page_token(token);
  absl::Status s = ParsePage(req, Fingerprint({"net-2"})).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().substr(0, 16), "page.page_token:");
  req.set_page_token("not base64 !!");
  EXPECT_EQ(ParsePage(req, 0).status().code(), absl::StatusCode::kInvalidArgument);
  // Every truncation and every single-character edit is refused.
  for (size_t n = 1; n < token.size(); ++n) {
    req.set_page_token(token.substr(0, token.size() - n));
    EXPECT_EQ(ParsePage(req, Fingerprint({"net-1"})).status().code(),
              absl::StatusCode::kInvalidArgument)
        << "truncated by " << n;
  }
  for (size_t i = 0; i < token.size(); ++i) {
    std::string edited = token;
    edited[i] = edited[i] == 'A' ? 'B' : 'A';
    req.set_page_token(edited);
    EXPECT_FALSE(ParsePage(req, Fingerprint({"net-1"})).ok()) << "edited at " << i;
  }
}

// A length field of 2^64 - 21 after a 20-digit prefix made `colon + 1 + len` wrap to 0: the
// parser then kept the same position forever, adding fields until memory ran out.
TEST(PagingTest, LengthFieldNearTwoToTheSixtyFourIsRefused) {
  common::v1::PageRequest req;
  // 1000 bytes after the prefix: without the bounds check each turn of the loop copies them,
  // so memory runs out within seconds (under `ulimit -v`) instead of minutes.
  req.set_page_token(
      absl::WebSafeBase64Escape(absl::StrCat("18446744073709551595:", std::string(1000, 'x'))));
  absl::Status s = ParsePage(req, 0).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().substr(0, 16), "page.page_token:");
  // Every length that reaches past the end, however large, is refused the same way.
  for (absl::string_view len : {"22", "18446744073709551615", "18446744073709551594"}) {
    req.set_page_token(absl::WebSafeBase64Escape(absl::StrCat(len, ":0123456789abcdefghij")));
    EXPECT_EQ(ParsePage(req, 0).status().code(), absl::StatusCode::kInvalidArgument) << len;
  }
}

TEST(PagingTest, OverlongTokenIsRefusedBeforeDecoding) {
  common::v1::PageRequest req;
  req.set_page_token(std::string(kMaxPageTokenSize + 1, 'A'));
  EXPECT_EQ(ParsePage(req, 0).status().message(), "page.page_token: longer than 2048 characters");
}

TEST(PagingTest, PageSizeBounds) {
  common::v1::PageRequest req;
  EXPECT_EQ(ParsePage(req, 0)->size, kDefaultPageSize);
  req.set_page_size(501);
  EXPECT_EQ(ParsePage(req, 0).status().message(), "page.page_size: must be between 0 and 500");
  req.set_page_size(-1);
  EXPECT_FALSE(ParsePage(req, 0).ok());
}

TEST(PagingTest, FingerprintSeparatesFields) {
  EXPECT_NE(Fingerprint({"ab", "c"}), Fingerprint({"a", "bc"}));
  EXPECT_EQ(Fingerprint({"x"}), Fingerprint({"x"}));
}

}  // namespace
}  // namespace maillage
