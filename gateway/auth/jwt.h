// gateway/auth/jwt: OIDC bearer tokens (JWS compact form) checked against the identity
// provider's published keys (JWKS), and the signer `scripts/run` and `maillagectl token`
// use for local deployments.
//
//   absl::StatusOr<JwkSet> keys = JwkSet::Parse(jwks_json);   // RSA and EC P-256 keys
//   JwtVerifier verifier(std::make_shared<JwkSet>(*std::move(keys)),
//                        {.issuer = "https://sso.region.fr/realms/maillage",
//                         .audience = "maillage"});
//   absl::StatusOr<TokenClaims> claims = verifier.Verify(token, absl::Now());
//
// What Verify refuses (UNAUTHENTICATED, with a message safe to show):
//   - anything but RS256 or ES256 ("alg": "none", HS256 signed with the public key as the
//     secret, RS512...): the algorithm is pinned by the key's type, never taken from the token
//     alone; a key whose JWK "alg" names another algorithm is not used for it;
//   - a "kid" that names no key of the set (or no kid while the set has several keys);
//   - a bad signature, malformed base64url or JSON, a token over kMaxTokenBytes;
//   - "exp" missing or past (with `clock_skew`), "nbf" in the future, "iat" in the future,
//     a lifetime (exp - iat) over `max_lifetime` when set;
// A token verified once is remembered (by its exact bytes, until SetKeys) and only its times
// are checked again: a client sending the same token on every call pays one signature check.
//   - "iss" other than `issuer`, an "aud" (string or array) without `audience`.
#ifndef MAILLAGE_GATEWAY_AUTH_JWT_H_
#define MAILLAGE_GATEWAY_AUTH_JWT_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace maillage::gateway {

inline constexpr size_t kMaxTokenBytes = 8192;

struct TokenClaims {
  std::string issuer;
  std::string subject;
  std::string email;
  bool email_verified = false;
  std::vector<std::string> audiences;
  absl::Time expires;
  absl::Time issued_at = absl::InfinitePast();  // when given
};

// The public keys of a JWKS document ({"keys": [{"kty": "RSA", "kid", "n", "e"} or
// {"kty": "EC", "crv": "P-256", "kid", "x", "y"}]}). Keys of other types, or with "use" other
// than "sig", are skipped; a document with no usable key is an error.
class JwkSet {
 public:
  struct Key;

  static absl::StatusOr<JwkSet> Parse(absl::string_view json);
  JwkSet(JwkSet&&) noexcept;
  JwkSet& operator=(JwkSet&&) noexcept;
  ~JwkSet();

  size_t size() const { return keys_.size(); }
  // The key for `kid` usable with `alg` ("RS256" or "ES256"), or null.
  const Key* Find(absl::string_view kid, absl::string_view alg) const;

 private:
  JwkSet() = default;
  std::vector<std::unique_ptr<Key>> keys_;
};

struct JwtVerifierOptions {
  std::string issuer;
  std::string audience;
  absl::Duration clock_skew = absl::Seconds(60);
  // Tokens valid for longer than this (exp - iat) are refused; zero: no limit.
  absl::Duration max_lifetime = absl::ZeroDuration();
};

class JwtVerifier {
 public:
  JwtVerifier(std::shared_ptr<const JwkSet> keys, JwtVerifierOptions options);

  absl::StatusOr<TokenClaims> Verify(absl::string_view token, absl::Time now) const;
  // Replaces the keys (the provider rotated them; jwks_file.h): Verify calls from then on
  // use the new set, calls in flight finish with the old one. Thread-safe.
  void SetKeys(std::shared_ptr<const JwkSet> keys);

 private:
  // Tokens verified so far (at most this many; then forgotten at once), by their bytes.
  static constexpr size_t kMaxVerifiedTokens = 20000;
  struct Verified {
    TokenClaims claims;
    absl::Time not_before;
  };
  absl::StatusOr<TokenClaims> VerifyUncached(absl::string_view token, absl::Time now,
                                             absl::Time* not_before) const;

  mutable std::mutex cache_mu_;
  mutable absl::flat_hash_map<std::string, Verified> verified_;  // guarded by cache_mu_
  mutable std::mutex keys_mu_;
  std::shared_ptr<const JwkSet> keys_;  // guarded by keys_mu_
  JwtVerifierOptions options_;
};

// Signs RS256 tokens with a PEM private key, and publishes its public key as a JWKS document.
// For development deployments and tests; production tokens come from the agency's identity
// provider.
class JwtSigner {
 public:
  // `pem`: an RSA private key ("BEGIN PRIVATE KEY" or "BEGIN RSA PRIVATE KEY").
  static absl::StatusOr<JwtSigner> FromPem(absl::string_view pem, std::string kid);
  // A fresh 2048-bit key (tests, and `maillagectl token --new-key`).
  static absl::StatusOr<JwtSigner> Generate(std::string kid);
  JwtSigner(JwtSigner&&) noexcept;
  JwtSigner& operator=(JwtSigner&&) noexcept;
  ~JwtSigner();

  // A token with these claims ("exp"/"iat"/"nbf" as NumericDate seconds; `extra` is raw JSON
  // members appended to the payload, e.g. R"("email":"a@b.fr","email_verified":true)").
  absl::StatusOr<std::string> Sign(const TokenClaims& claims, absl::string_view extra = "") const;
  // Signs header and payload JSON exactly as given (tests of malformed tokens).
  absl::StatusOr<std::string> SignRaw(absl::string_view header_json,
                                      absl::string_view payload_json) const;
  std::string JwksJson() const;
  std::string PrivatePem() const;
  const std::string& kid() const { return kid_; }

 private:
  struct Key;
  JwtSigner(std::unique_ptr<Key> key, std::string kid);
  std::unique_ptr<Key> key_;
  std::string kid_;
};

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_AUTH_JWT_H_
