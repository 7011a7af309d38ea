// gateway/auth/api_key_authenticator: partner systems calling with `x-api-key`; every other
// request goes on to the next authenticator (OIDC bearer tokens).
//
//   ApiKeyAuthenticator authn({.membership = channel, .signer = &signer,
//                              .hash_key = auth::ApiKeyHashKey(deployment_key),
//                              .cache = &principal_cache, .otherwise = &oidc});
//
// A key is looked up by its keyed hash (common/auth/api_key.h; the secret never leaves the
// gateway) with membership's ResolveApiKey, through the principal cache: a revocation is an
// event that retires it within about a second, and never later than the cache's ttl. The
// principal acts for the key's organisation with the roles it holds in the key's networks;
// subject and api_key_id are the key's id; read_only for a read key (the REST gateway and the
// gRPC front then refuse every method that is not a GET). It never lives past the key.
//
// Answers: UNAUTHENTICATED for a malformed, unknown, revoked or expired key (one message for
// all: nothing tells a guesser which); UNAVAILABLE when membership cannot be asked.
#ifndef MAILLAGE_GATEWAY_AUTH_API_KEY_AUTHENTICATOR_H_
#define MAILLAGE_GATEWAY_AUTH_API_KEY_AUTHENTICATOR_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/auth/auth.h"
#include "gateway/auth/authenticator.h"

namespace grpc {
class Channel;
}  // namespace grpc

namespace maillage::gateway {

class PrincipalCache;

class ApiKeyAuthenticator final : public Authenticator {
 public:
  struct Options {
    std::shared_ptr<grpc::Channel> membership;
    const auth::PrincipalSigner* signer = nullptr;
    // auth::ApiKeyHashKey of the deployment key (the one membership hashes with).
    std::string hash_key;
    // Optional; null asks membership on every call.
    PrincipalCache* cache = nullptr;
    // Requests without x-api-key; null refuses them.
    Authenticator* otherwise = nullptr;
    std::string audience = "maillage";
    absl::Duration principal_lifetime = absl::Minutes(5);
    absl::Duration call_timeout = absl::Seconds(3);
    std::function<absl::Time()> clock = absl::Now;
  };

  explicit ApiKeyAuthenticator(Options options);
  ~ApiKeyAuthenticator() override;

  absl::StatusOr<auth::Principal> Authenticate(const HttpRequest& request) override;
  std::optional<absl::StatusOr<auth::Principal>> AuthenticateWithoutBlocking(
      const HttpRequest& request) override;

 private:
  struct Stub;
  static std::string CacheKeyOf(const std::string& key_hash);
  absl::StatusOr<auth::Principal> PrincipalOf(const std::string& resolution) const;
  // membership's ResolveApiKeyResponse, serialised (what the cache keeps).
  absl::StatusOr<std::string> Resolve(const std::string& key_hash);

  Options options_;
  std::unique_ptr<Stub> stub_;
};

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_AUTH_API_KEY_AUTHENTICATOR_H_
