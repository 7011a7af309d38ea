// common/auth/api_key: the secrets of partner systems' API keys, and the keyed hash by which
// membership stores them and the gateway looks them up.
//
//   const std::string hash_key = ApiKeyHashKey(deployment_key);   // once, at start
//   std::string secret = NewApiKeySecret();          // "mlk_" + 43 base64url characters
//   std::string stored = ApiKeyHash(hash_key, secret);   // 64 hex digits, what membership keeps
//
// The hash is an HMAC-SHA256 under a key derived from the deployment's AUTH_HMAC_KEY, so a
// copy of the database alone (a backup, a replica) gives no usable key and cannot be tested
// against guesses offline. A secret holds 256 random bits: no salt or slow hash is needed.
#ifndef MAILLAGE_COMMON_AUTH_API_KEY_H_
#define MAILLAGE_COMMON_AUTH_API_KEY_H_

#include <string>

#include "absl/strings/string_view.h"

namespace maillage::auth {

inline constexpr char kApiKeyPrefix[] = "mlk_";

// A new secret: "mlk_" and 32 random bytes (RAND_bytes) in unpadded base64url.
std::string NewApiKeySecret();

// Whether `secret` has the shape of a key (before any lookup: malformed input costs nothing).
bool LooksLikeApiKey(absl::string_view secret);

// HMAC-SHA256(deployment_key, "maillage api keys v1"), raw bytes.
std::string ApiKeyHashKey(absl::string_view deployment_key);

// Lower-case hex HMAC-SHA256 of `secret` under `hash_key`.
std::string ApiKeyHash(absl::string_view hash_key, absl::string_view secret);

}  // namespace maillage::auth

#endif  // MAILLAGE_COMMON_AUTH_API_KEY_H_
