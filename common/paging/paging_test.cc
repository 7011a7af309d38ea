#include "common/paging/paging.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/auth.h"

namespace maillage {
namespace {

constexpr char kKey[] = "page-token-key-page-token-key-32b";
constexpr char kUuid[] = "6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01";

common::v1::PageRequest Token(const std::string& token) {
  common::v1::PageRequest req;
  req.set_page_token(token);
  return req;
}

// `payload` signed as the codec signs under kKey: what only a holder of the key could make.
std::string SignedUnderKey(const std::string& payload) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(payload, absl::HexStringToBytes(auth::HmacSha256Hex(kKey, payload))));
}

absl::Status ParseStatus(const PageTokenCodec& codec, const std::string& token,
                         uint64_t fingerprint) {
  return codec.Parse(Token(token), fingerprint).status();
}

TEST(PagingTest, TokenRoundTripsAnyBytes) {
  PageTokenCodec codec(kKey);
  uint64_t fp = Fingerprint({"net-1", "ate"});
  std::string token = codec.Encode(fp, {"atelier:bois|1\xff", std::string("id\0-7", 5)});
  common::v1::PageRequest req = Token(token);
  req.set_page_size(20);
  auto q = codec.Parse(req, fp);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->size, 20);
  EXPECT_EQ(q->after, (std::vector<std::string>{"atelier:bois|1\xff", std::string("id\0-7", 5)}));
  // Another codec under the same key (another replica) reads it too.
  auto other = PageTokenCodec(std::string(kKey)).Parse(req, fp);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->after, q->after);
}

TEST(PagingTest, LongestTokenTheServicesIssueFitsUnderTheCap) {
  PageTokenCodec codec(kKey);
  // A 200-character name of 4-byte characters, then a UUID.
  std::string name_key;
  for (int i = 0; i < 200; ++i) name_key += "\xf0\x9f\x8c\xb3";
  std::string token = codec.Encode(Fingerprint({"organisations", kUuid}), {name_key, kUuid});
  EXPECT_LE(token.size(), kMaxPageTokenSize);
  auto q = codec.Parse(Token(token), Fingerprint({"organisations", kUuid}));
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->after[0], name_key);
}

TEST(PagingTest, TokenSignedUnderAnotherKeyIsRefused) {
  uint64_t fp = Fingerprint({"net-1"});
  std::string token =
      PageTokenCodec("another-key-another-key-another-key").Encode(fp, {"a", kUuid});
  absl::Status s = ParseStatus(PageTokenCodec(kKey), token, fp);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "page.page_token: not a page token issued by this service");
  // A codec without a configured key draws its own: no two agree.
  EXPECT_FALSE(PageTokenCodec().Parse(Token(PageTokenCodec().Encode(fp, {"a"})), fp).ok());
}

TEST(PagingTest, TokenOfAnotherQueryIsRefused) {
  PageTokenCodec codec(kKey);
  std::string token = codec.Encode(Fingerprint({"net-1"}), {"a", kUuid});
  absl::Status s = ParseStatus(codec, token, Fingerprint({"net-2"}));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "page.page_token: not a token of this query (filters changed?)");
  // `field` names the request's page field.
  EXPECT_EQ(codec.Parse(Token(token), Fingerprint({"net-2"}), "query.page").status().message(),
            "query.page.page_token: not a token of this query (filters changed?)");
}

TEST(PagingTest, EveryTruncationAndEveryBitFlipIsRefused) {
  PageTokenCodec codec(kKey);
  uint64_t fp = Fingerprint({"net-1"});
  std::string token = codec.Encode(fp, {"atelier", kUuid});
  ASSERT_TRUE(ParseStatus(codec, token, fp).ok());
  for (size_t n = 1; n < token.size(); ++n) {
    absl::Status s = ParseStatus(codec, token.substr(0, token.size() - n), fp);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << "truncated by " << n;
    EXPECT_TRUE(absl::StartsWith(s.message(), "page.page_token: ")) << s;
  }
  // Each bit of the decoded token, re-encoded: the edit reaches the signed bytes themselves,
  // not only the base64 around them.
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
  for (size_t i = 0; i < raw.size() * 8; ++i) {
    std::string edited = raw;
    edited[i / 8] = static_cast<char>(edited[i / 8] ^ (1 << (i % 8)));
    absl::Status s = ParseStatus(codec, absl::WebSafeBase64Escape(edited), fp);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << "bit " << i;
  }
  EXPECT_EQ(ParseStatus(codec, "not base64 !!", fp).code(), absl::StatusCode::kInvalidArgument);
}

TEST(PagingTest, UnsignedTokensOfTheOldFormatAreRefused) {
  // A "p1" token: length-prefixed fields and an FNV checksum any client could recompute.
  uint64_t fp = Fingerprint({"net-1"});
  std::string raw = absl::StrCat("2:p1", absl::StrCat(fp).size(), ":", fp, "1:a36:", kUuid);
  absl::StrAppend(&raw, absl::StrCat(Fingerprint({raw})).size(), ":", Fingerprint({raw}));
  EXPECT_EQ(ParseStatus(PageTokenCodec(kKey), absl::WebSafeBase64Escape(raw), fp).code(),
            absl::StatusCode::kInvalidArgument);
}

// A length field of 2^64 - 21 after a 20-digit prefix made `colon + 1 + len` wrap to 0: the
// parser then kept the same position forever, adding fields until memory ran out. The
// signature now refuses such a token first; signed, it still reaches the field parser.
TEST(PagingTest, LengthFieldNearTwoToTheSixtyFourIsRefused) {
  PageTokenCodec codec(kKey);
  // 1000 bytes after the prefix: without the bounds check each turn of the loop copies them,
  // so memory runs out within seconds (under `ulimit -v`) instead of minutes.
  std::string raw = absl::StrCat("18446744073709551595:", std::string(1000, 'x'));
  for (const std::string& token : {absl::WebSafeBase64Escape(raw), SignedUnderKey(raw)}) {
    absl::Status s = ParseStatus(codec, token, 0);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(s.message(), "page.page_token: ")) << s;
  }
  // Every length that reaches past the end, however large, is refused the same way.
  for (absl::string_view len : {"22", "18446744073709551615", "18446744073709551594"}) {
    raw = absl::StrCat(len, ":0123456789abcdefghij");
    EXPECT_EQ(ParseStatus(codec, SignedUnderKey(raw), 0).code(), absl::StatusCode::kInvalidArgument)
        << len;
  }
}

TEST(PagingTest, SignedTokensWithoutASortKeyOrWithTooManyFieldsAreRefused) {
  PageTokenCodec codec(kKey);
  uint64_t fp = Fingerprint({"net-1"});
  std::string head = absl::StrCat("2:p2", absl::StrCat(fp).size(), ":", fp);
  ASSERT_TRUE(ParseStatus(codec, SignedUnderKey(absl::StrCat(head, "1:a")), fp).ok());
  EXPECT_FALSE(ParseStatus(codec, SignedUnderKey(head), fp).ok());
  std::string many = head;
  for (int i = 0; i < 14; ++i) absl::StrAppend(&many, "1:a");
  ASSERT_TRUE(ParseStatus(codec, SignedUnderKey(many), fp).ok()) << "16 fields";
  absl::StrAppend(&many, "1:a");
  EXPECT_FALSE(ParseStatus(codec, SignedUnderKey(many), fp).ok()) << "17 fields";
}

TEST(PagingTest, OverlongTokenIsRefusedBeforeDecoding) {
  EXPECT_EQ(ParseStatus(PageTokenCodec(kKey), std::string(kMaxPageTokenSize + 1, 'A'), 0).message(),
            "page.page_token: longer than 2048 characters");
}

TEST(PagingTest, PageSizeBounds) {
  PageTokenCodec codec(kKey);
  common::v1::PageRequest req;
  EXPECT_EQ(codec.Parse(req, 0)->size, kDefaultPageSize);
  req.set_page_size(501);
  EXPECT_EQ(codec.Parse(req, 0).status().message(), "page.page_size: must be between 0 and 500");
  req.set_page_size(-1);
  EXPECT_FALSE(codec.Parse(req, 0).ok());
}

TEST(PagingTest, FingerprintSeparatesFields) {
  EXPECT_EQ(Fingerprint({"x"}), Fingerprint({"x"}));
  EXPECT_NE(Fingerprint({"ab", "c"}), Fingerprint({"a", "bc"}));
}

TEST(PagingTest, KeysAreDerivedPerDeploymentAndCheckedForLength) {
  std::string derived = DerivePageTokenKey("auth-key-auth-key-auth-key-auth-key");
  EXPECT_EQ(derived.size(), 32u);
  EXPECT_EQ(derived, DerivePageTokenKey("auth-key-auth-key-auth-key-auth-key"));
  EXPECT_NE(derived, DerivePageTokenKey("auth-key-auth-key-auth-key-auth-kez"));
  EXPECT_NE(derived, "auth-key-auth-key-auth-key-auth-key") << "the auth key itself";
  EXPECT_TRUE(ValidatePageTokenKey(derived, "MAILLAGE_PAGE_TOKEN_KEY").ok());
  EXPECT_EQ(ValidatePageTokenKey("short", "MAILLAGE_PAGE_TOKEN_KEY").message(),
            "MAILLAGE_PAGE_TOKEN_KEY: must be at least 32 bytes, got 5");
}

}  // namespace
}  // namespace maillage
