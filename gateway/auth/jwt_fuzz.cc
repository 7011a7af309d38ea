// libFuzzer target: bearer tokens. Whatever the bytes, Verify answers UNAUTHENTICATED (or OK
// for a token really signed by the key, which random bytes never are), without crashing,
// reading out of bounds or leaking. The key set is built once from a generated key.
#include <cstddef>
#include <cstdint>

#include "gateway/auth/jwt.h"

namespace {

const maillage::gateway::JwtVerifier& Verifier() {
  static const auto* verifier = [] {
    auto signer = maillage::gateway::JwtSigner::Generate("fuzz");
    auto keys = maillage::gateway::JwkSet::Parse(signer->JwksJson());
    return new maillage::gateway::JwtVerifier(
        std::make_shared<maillage::gateway::JwkSet>(*std::move(keys)),
        {.issuer = "https://sso.example.fr", .audience = "maillage"});
  }();
  return *verifier;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view token(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<maillage::gateway::TokenClaims> claims =
      Verifier().Verify(token, absl::FromUnixSeconds(1800000000));
  if (claims.ok()) __builtin_trap();  // no input can carry a valid signature of this key
  // JWKS documents too: the same bytes as a key set.
  (void)maillage::gateway::JwkSet::Parse(token);
  return 0;
}
