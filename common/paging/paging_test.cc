#include "common/paging/paging.h"

#include <gtest/gtest.h>

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
