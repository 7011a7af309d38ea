#include "common/auth/auth.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/auth/api_key.h"

namespace maillage::auth {
namespace {

constexpr char kKey[] = "0123456789abcdef0123456789abcdef";

// Alice, issued five minutes before `expires` for the default audience.
Principal Alice(absl::Time expires) {
  Principal p;
  p.set_audience(kDefaultAudience);
  p.mutable_issued_at()->set_seconds(absl::ToUnixSeconds(expires - absl::Minutes(5)));
  p.set_subject("person-alice");
  p.set_organisation_id("org-1");
  auto* g = p.add_grants();
  g->set_network_id("net-1");
  g->set_role(auth::v1::NETWORK_ROLE_ANIMATOR);
  p.mutable_expires_at()->set_seconds(absl::ToUnixSeconds(expires));
  return p;
}

TEST(AuthTest, SignedPrincipalVerifies) {
  absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  auto [bytes, sig] = PrincipalSigner(kKey).Encode(Alice(now + absl::Minutes(5)));
  auto p = PrincipalVerifier(kKey).VerifyEncoded(bytes, sig, now);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->subject(), "person-alice");
  EXPECT_TRUE(IsAnimator(*p, "net-1"));
  EXPECT_FALSE(IsAnimator(*p, "net-2"));
  EXPECT_TRUE(ActsFor(*p, "org-1"));
  EXPECT_FALSE(ActsFor(*p, "org-2"));
}

TEST(AuthTest, ForgedOrTamperedOrExpiredIsUnauthenticated) {
  absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  auto [bytes, sig] = PrincipalSigner(kKey).Encode(Alice(now + absl::Minutes(5)));
  PrincipalVerifier verifier(kKey);

  // Signed with another key.
  auto [b2, forged] =
      PrincipalSigner("another-key-another-key-another-key").Encode(Alice(now + absl::Minutes(5)));
  EXPECT_EQ(verifier.VerifyEncoded(b2, forged, now).status().code(),
            absl::StatusCode::kUnauthenticated);

  // Escalated after signing: make Alice a platform admin.
  Principal escalated;
  ASSERT_TRUE(escalated.ParseFromString(bytes));
  escalated.set_platform_admin(true);
  EXPECT_EQ(verifier.VerifyEncoded(escalated.SerializeAsString(), sig, now).status().code(),
            absl::StatusCode::kUnauthenticated);

  // Expired.
  EXPECT_EQ(verifier.VerifyEncoded(bytes, sig, now + absl::Minutes(6)).status().code(),
            absl::StatusCode::kUnauthenticated);
}

absl::StatusCode Verdict(const PrincipalVerifier& verifier, const Principal& p, absl::Time now) {
  auto [bytes, sig] = PrincipalSigner(kKey).Encode(p);
  return verifier.VerifyEncoded(bytes, sig, now).status().code();
}

TEST(AuthTest, LongLivedPrincipalsAreRefused) {
  absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  PrincipalVerifier verifier(kKey);  // default: at most 5 minutes
  EXPECT_EQ(Verdict(verifier, Stamp(Alice(now), now, absl::Minutes(5)), now),
            absl::StatusCode::kOk);
  // What the tools used to mint: valid for a day.
  Principal day = Stamp(Alice(now), now, absl::Hours(24));
  EXPECT_EQ(Verdict(verifier, day, now), absl::StatusCode::kUnauthenticated);
  auto [bytes, sig] = PrincipalSigner(kKey).Encode(day);
  EXPECT_EQ(verifier.VerifyEncoded(bytes, sig, now).status().message(),
            "principal lifetime 24h exceeds the maximum 5m");
  // The maximum is configurable.
  EXPECT_EQ(Verdict(PrincipalVerifier(kKey, {.max_lifetime = absl::Hours(24)}), day, now),
            absl::StatusCode::kOk);
}

TEST(AuthTest, PrincipalWithoutIssuedAtIsRefused) {
  absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  Principal p = Stamp(Alice(now), now, absl::Minutes(1));
  p.clear_issued_at();
  EXPECT_EQ(Verdict(PrincipalVerifier(kKey), p, now), absl::StatusCode::kUnauthenticated);
}

TEST(AuthTest, PrincipalIssuedInTheFutureIsRefusedBeyondTheSkew) {
  absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  PrincipalVerifier verifier(kKey);  // 30 s of skew
  EXPECT_EQ(Verdict(verifier, Stamp(Alice(now), now + absl::Seconds(20), absl::Minutes(1)), now),
            absl::StatusCode::kOk);
  EXPECT_EQ(Verdict(verifier, Stamp(Alice(now), now + absl::Minutes(2), absl::Minutes(1)), now),
            absl::StatusCode::kUnauthenticated);
}

TEST(AuthTest, PrincipalForAnotherAudienceIsRefused) {
  absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  Principal staging = Stamp(Alice(now), now, absl::Minutes(1), "maillage-staging");
  EXPECT_EQ(Verdict(PrincipalVerifier(kKey), staging, now), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Verdict(PrincipalVerifier(kKey, {.audience = "maillage-staging"}), staging, now),
            absl::StatusCode::kOk);
  Principal none = Stamp(Alice(now), now, absl::Minutes(1), "");
  EXPECT_EQ(Verdict(PrincipalVerifier(kKey), none, now), absl::StatusCode::kUnauthenticated);
}

TEST(AuthTest, ShortKeysAreRefused) {
  EXPECT_FALSE(ValidateKey("short").ok());
  EXPECT_TRUE(ValidateKey(kKey).ok());
}

TEST(AuthTest, PrecomputedHmacMatchesOneShotForShortAndLongKeys) {
  // RFC 4231 test case 6: a 131-byte key, hashed first.
  std::string long_key(131, '\xaa');
  std::string data = "Test Using Larger Than Block-Size Key - Hash Key First";
  EXPECT_EQ(HmacSha256(long_key).Hex(data),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(HmacSha256(long_key).Hex(data), HmacSha256Hex(long_key, data));
  HmacSha256 h(kKey);
  for (const std::string& d : std::vector<std::string>{"", "a", std::string(1000, 'z')}) {
    EXPECT_EQ(h.Hex(d), HmacSha256Hex(kKey, d));
  }
  EXPECT_EQ(HmacSha256("Jefe").Hex("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(AuthTest, HmacMatchesKnownVector) {
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace maillage::auth

namespace maillage::auth {
namespace {

TEST(ApiKeyTest, SecretsAreFreshWellFormedAndHashedUnderTheDeploymentKey) {
  const std::string a = NewApiKeySecret();
  const std::string b = NewApiKeySecret();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 4u + 43u);
  EXPECT_TRUE(LooksLikeApiKey(a));
  EXPECT_FALSE(LooksLikeApiKey(""));
  EXPECT_FALSE(LooksLikeApiKey(a.substr(0, a.size() - 1)));
  EXPECT_FALSE(LooksLikeApiKey("mlk_" + std::string(43, '=')));
  EXPECT_FALSE(LooksLikeApiKey("Bearer " + a));

  const std::string key = ApiKeyHashKey("a deployment key of at least thirty-two bytes");
  EXPECT_EQ(key.size(), 32u);
  EXPECT_EQ(ApiKeyHash(key, a), ApiKeyHash(key, a));
  EXPECT_EQ(ApiKeyHash(key, a).size(), 64u);
  EXPECT_NE(ApiKeyHash(key, a), ApiKeyHash(key, b));
  // Another deployment's key gives another hash: a stolen table is of no use elsewhere.
  EXPECT_NE(ApiKeyHash(ApiKeyHashKey("another deployment key, also thirty-two bytes"), a),
            ApiKeyHash(key, a));
}

}  // namespace
}  // namespace maillage::auth
