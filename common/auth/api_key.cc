#include "common/auth/api_key.h"

#include <openssl/rand.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/auth.h"

namespace maillage::auth {
namespace {
constexpr size_t kSecretBytes = 32;
constexpr size_t kEncodedBytes = 43;  // unpadded base64url of 32 bytes
}  // namespace

std::string NewApiKeySecret() {
  unsigned char bytes[kSecretBytes];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) std::abort();  // no entropy: nothing is safe
  return absl::StrCat(kApiKeyPrefix, absl::WebSafeBase64Escape(absl::string_view(
                                         reinterpret_cast<const char*>(bytes), sizeof(bytes))));
}

bool LooksLikeApiKey(absl::string_view secret) {
  if (!absl::StartsWith(secret, kApiKeyPrefix)) return false;
  absl::string_view body = secret.substr(sizeof(kApiKeyPrefix) - 1);
  if (body.size() != kEncodedBytes) return false;
  for (char c : body) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

std::string ApiKeyHashKey(absl::string_view deployment_key) {
  return absl::HexStringToBytes(HmacSha256Hex(deployment_key, "maillage api keys v1"));
}

std::string ApiKeyHash(absl::string_view hash_key, absl::string_view secret) {
  return HmacSha256Hex(hash_key, secret);
}

}  // namespace maillage::auth
