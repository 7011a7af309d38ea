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
  req.set_page_token(token.substr(0, token.size() - 4));
  EXPECT_EQ(ParsePage(req, Fingerprint({"net-1"})).status().code(),
            absl::StatusCode::kInvalidArgument);
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
