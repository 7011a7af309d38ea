#include "gateway/auth/jwt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace maillage::gateway {
namespace {

using ::testing::HasSubstr;

constexpr char kIssuer[] = "https://sso.example.fr/realms/maillage";
constexpr char kAudience[] = "maillage";
const absl::Time kNow = absl::FromUnixSeconds(1800000000);

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<JwtSigner> signer = JwtSigner::Generate("key-1");
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_ = std::make_unique<JwtSigner>(*std::move(signer));
    absl::StatusOr<JwkSet> keys = JwkSet::Parse(signer_->JwksJson());
    ASSERT_TRUE(keys.ok()) << keys.status();
    verifier_ = std::make_unique<JwtVerifier>(
        std::make_shared<JwkSet>(*std::move(keys)),
        JwtVerifierOptions{
            .issuer = kIssuer, .audience = kAudience, .max_lifetime = absl::Hours(12)});
  }

  TokenClaims Claims() {
    TokenClaims c;
    c.issuer = kIssuer;
    c.subject = "f3a1c2";
    c.audiences = {kAudience};
    c.issued_at = kNow - absl::Minutes(1);
    c.expires = kNow + absl::Minutes(5);
    c.email = "claire@atelier.fr";
    c.email_verified = true;
    return c;
  }
  std::string Token(const TokenClaims& c) {
    absl::StatusOr<std::string> t = signer_->Sign(c);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.value_or("");
  }
  std::string Refusal(absl::string_view token) {
    absl::StatusOr<TokenClaims> c = verifier_->Verify(token, kNow);
    EXPECT_EQ(c.status().code(), absl::StatusCode::kUnauthenticated) << token;
    return std::string(c.status().message());
  }

  std::unique_ptr<JwtSigner> signer_;
  std::unique_ptr<JwtVerifier> verifier_;
};

TEST_F(JwtTest, AValidTokenGivesItsClaims) {
  absl::StatusOr<TokenClaims> c = verifier_->Verify(Token(Claims()), kNow);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->subject, "f3a1c2");
  EXPECT_EQ(c->issuer, kIssuer);
  EXPECT_EQ(c->email, "claire@atelier.fr");
  EXPECT_TRUE(c->email_verified);
  EXPECT_EQ(c->expires, kNow + absl::Minutes(5));
}

TEST_F(JwtTest, AVerifiedTokenIsRememberedButItsTimesAreCheckedEveryTime) {
  const std::string token = Token(Claims());
  ASSERT_TRUE(verifier_->Verify(token, kNow).ok());
  ASSERT_TRUE(verifier_->Verify(token, kNow + absl::Minutes(1)).ok());
  // Past its expiry (and the skew) the remembered token is refused like any other.
  EXPECT_THAT(verifier_->Verify(token, kNow + absl::Minutes(7)).status().message(),
              HasSubstr("expired"));
  // New keys: what the old key signed is no longer remembered, nor valid.
  absl::StatusOr<JwtSigner> other = JwtSigner::Generate("key-2");
  ASSERT_TRUE(other.ok());
  verifier_->SetKeys(std::make_shared<JwkSet>(*JwkSet::Parse(other->JwksJson())));
  EXPECT_EQ(verifier_->Verify(token, kNow).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(JwtTest, TimeIssuerAndAudienceAreChecked) {
  TokenClaims expired = Claims();
  expired.expires = kNow - absl::Minutes(2);  // past the 60 s skew
  EXPECT_THAT(Refusal(Token(expired)), HasSubstr("expired"));
  TokenClaims early = Claims();
  early.issued_at = kNow + absl::Minutes(5);  // also its nbf
  early.expires = kNow + absl::Minutes(10);
  EXPECT_THAT(Refusal(Token(early)), HasSubstr("not valid yet"));
  TokenClaims long_lived = Claims();
  long_lived.expires = kNow + absl::Hours(24);
  EXPECT_THAT(Refusal(Token(long_lived)), HasSubstr("lifetime"));
  TokenClaims other_issuer = Claims();
  other_issuer.issuer = "https://evil.example/realms/maillage";
  EXPECT_THAT(Refusal(Token(other_issuer)), HasSubstr("issuer"));
  TokenClaims other_audience = Claims();
  other_audience.audiences = {"account"};
  EXPECT_THAT(Refusal(Token(other_audience)), HasSubstr("audience"));
  TokenClaims among_others = Claims();
  among_others.audiences = {"account", kAudience};
  EXPECT_TRUE(verifier_->Verify(Token(among_others), kNow).ok());
  // Within the skew: a token that expired 30 s ago still passes.
  TokenClaims just_expired = Claims();
  just_expired.expires = kNow - absl::Seconds(30);
  EXPECT_TRUE(verifier_->Verify(Token(just_expired), kNow).ok());
}

TEST_F(JwtTest, AlgorithmConfusionAndTamperingAreRefused) {
  std::string good = Token(Claims());
  std::vector<std::string> parts = absl::StrSplit(good, '.');
  std::string payload = parts[1];
  // alg none, with and without a signature.
  std::string none_header = absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT"})");
  EXPECT_THAT(Refusal(absl::StrCat(none_header, ".", payload, ".")), HasSubstr("algorithm"));
  EXPECT_THAT(Refusal(absl::StrCat(none_header, ".", payload, ".", parts[2])),
              HasSubstr("algorithm"));
  // HS256 keyed with the public JWKS as the secret (the classic confusion).
  std::string hs_header = absl::WebSafeBase64Escape(R"({"alg":"HS256","kid":"key-1"})");
  std::string jwks = signer_->JwksJson();
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  std::string input = absl::StrCat(hs_header, ".", payload);
  HMAC(EVP_sha256(), jwks.data(), static_cast<int>(jwks.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &mac_len);
  EXPECT_THAT(Refusal(absl::StrCat(input, ".",
                                   absl::WebSafeBase64Escape(absl::string_view(
                                       reinterpret_cast<const char*>(mac), mac_len)))),
              HasSubstr("algorithm"));
  // ES256 claimed for an RSA key.
  std::string es_header = absl::WebSafeBase64Escape(R"({"alg":"ES256","kid":"key-1"})");
  EXPECT_THAT(Refusal(absl::StrCat(es_header, ".", payload, ".", parts[2])),
              HasSubstr("unknown key"));
  // A changed payload, an unknown kid, a key of another signer.
  std::string other_payload = absl::WebSafeBase64Escape(
      absl::StrCat(R"({"iss":")", kIssuer, R"(","sub":"admin","aud":"maillage","exp":)",
                   absl::ToUnixSeconds(kNow) + 60, "}"));
  EXPECT_THAT(Refusal(absl::StrCat(parts[0], ".", other_payload, ".", parts[2])),
              HasSubstr("bad signature"));
  absl::StatusOr<std::string> unknown_kid =
      signer_->SignRaw(R"({"alg":"RS256","kid":"key-2"})", R"({"sub":"x"})");
  EXPECT_THAT(Refusal(*unknown_kid), HasSubstr("unknown key"));
  absl::StatusOr<JwtSigner> stranger = JwtSigner::Generate("key-1");
  ASSERT_TRUE(stranger.ok());
  EXPECT_THAT(Refusal(*stranger->Sign(Claims())), HasSubstr("bad signature"));
}

TEST_F(JwtTest, MalformedTokensAreRefusedCheaply) {
  for (absl::string_view bad : {"", "a", "a.b", "a.b.c.d", "!!!.b.c", "e30.e30.", "e30.e30.e30"}) {
    EXPECT_FALSE(verifier_->Verify(bad, kNow).ok()) << bad;
  }
  EXPECT_THAT(Refusal(std::string(kMaxTokenBytes + 1, 'a')), HasSubstr("too long"));
  absl::StatusOr<std::string> no_exp =
      signer_->SignRaw(R"({"alg":"RS256","kid":"key-1"})",
                       absl::StrCat(R"({"iss":")", kIssuer, R"(","sub":"s","aud":"maillage"})"));
  EXPECT_THAT(Refusal(*no_exp), HasSubstr("exp"));
  absl::StatusOr<std::string> array_payload =
      signer_->SignRaw(R"({"alg":"RS256","kid":"key-1"})", "[1,2]");
  EXPECT_THAT(Refusal(*array_payload), HasSubstr("payload"));
}

// ES256: an EC P-256 key published as a JWK, a JWS signature as r || s.
TEST(Es256Test, VerifiesTokensOfAnEcKey) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  unsigned char point[65];
  size_t point_len = 0;
  ASSERT_EQ(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point),
                                            &point_len),
            1);
  ASSERT_EQ(point_len, 65u);
  auto b64 = [](const unsigned char* p, size_t n) {
    return absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<const char*>(p), n));
  };
  std::string jwks = absl::StrCat(R"({"keys":[{"kty":"EC","crv":"P-256","kid":"ec1","x":")",
                                  b64(point + 1, 32), R"(","y":")", b64(point + 33, 32), R"("}]})");
  absl::StatusOr<JwkSet> keys = JwkSet::Parse(jwks);
  ASSERT_TRUE(keys.ok()) << keys.status();
  JwtVerifier verifier(std::make_shared<JwkSet>(*std::move(keys)),
                       {.issuer = kIssuer, .audience = kAudience});

  std::string input =
      absl::StrCat(absl::WebSafeBase64Escape(R"({"alg":"ES256","kid":"ec1"})"), ".",
                   absl::WebSafeBase64Escape(absl::StrCat(
                       R"({"iss":")", kIssuer, R"(","sub":"ec-user","aud":"maillage","exp":)",
                       absl::ToUnixSeconds(kNow) + 300, "}")));
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  unsigned char der[128];
  size_t der_len = sizeof(der);
  ASSERT_EQ(EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key), 1);
  ASSERT_EQ(EVP_DigestSign(md, der, &der_len, reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()),
            1);
  EVP_MD_CTX_free(md);
  const unsigned char* p = der;
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len));
  ASSERT_NE(sig, nullptr);
  unsigned char raw[64];
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32);
  ECDSA_SIG_free(sig);
  EVP_PKEY_free(key);

  std::string token = absl::StrCat(input, ".", b64(raw, 64));
  absl::StatusOr<TokenClaims> claims = verifier.Verify(token, kNow);
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->subject, "ec-user");
  raw[10] ^= 1;
  EXPECT_FALSE(verifier.Verify(absl::StrCat(input, ".", b64(raw, 64)), kNow).ok());
  // RS256 claimed for the EC key is refused whatever the signature.
  std::string rs = absl::StrCat(absl::WebSafeBase64Escape(R"({"alg":"RS256","kid":"ec1"})"),
                                input.substr(input.find('.')), ".", b64(raw, 64));
  EXPECT_FALSE(verifier.Verify(rs, kNow).ok());
}

TEST(JwkSetTest, KeepsOnlyUsableSigningKeys) {
  EXPECT_FALSE(JwkSet::Parse("not json").ok());
  EXPECT_FALSE(JwkSet::Parse(R"({"keys": []})").ok());
  EXPECT_FALSE(JwkSet::Parse(R"({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]})").ok());
  absl::StatusOr<JwtSigner> signer = JwtSigner::Generate("k");
  ASSERT_TRUE(signer.ok());
  std::string jwks = signer->JwksJson();
  // The same key marked for encryption is not used to verify signatures.
  std::string enc = jwks;
  enc.replace(enc.find(R"("use":"sig")"), 11, R"("use":"enc")");
  EXPECT_FALSE(JwkSet::Parse(enc).ok());
  absl::StatusOr<JwtSigner> reloaded = JwtSigner::FromPem(signer->PrivatePem(), "k");
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_EQ(reloaded->JwksJson(), jwks);
}

}  // namespace
}  // namespace maillage::gateway
