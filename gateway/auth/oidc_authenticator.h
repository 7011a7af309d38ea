// gateway/auth/oidc_authenticator: the caller of a REST request, from its OIDC bearer token.
//
//   OidcAuthenticator authn({.verifier = &jwt_verifier,
//                            .membership = membership_channel,
//                            .signer = &principal_signer,
//                            .audience = "maillage"});
//   absl::StatusOr<auth::Principal> who = authn.Authenticate(request);
//
// The token only says who the person is at the identity provider. What they may do comes from
// membership (ResolvePrincipal): the person linked to the token's (issuer, subject) — the
// first time by the token's verified e-mail when `link_by_email` — the organisation they act
// for (header x-maillage-organisation, their only one by default) and the roles of its
// sponsored and active memberships. The principal handed to the backends is signed for the
// deployment's audience and lives `principal_lifetime`, never past the token's expiry.
// With a PrincipalCache, membership is asked once per identity until one of its events
// retires the answer (within about a second of a suspension).
//
// Answers: UNAUTHENTICATED (401) for a missing, malformed or refused token and for an
// identity no person has; PERMISSION_DENIED (403) for an organisation the person does not
// represent; UNAVAILABLE (503) when membership cannot be asked.
#ifndef MAILLAGE_GATEWAY_AUTH_OIDC_AUTHENTICATOR_H_
#define MAILLAGE_GATEWAY_AUTH_OIDC_AUTHENTICATOR_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/auth/auth.h"
#include "gateway/auth/authenticator.h"
#include "gateway/auth/jwt.h"

namespace grpc {
class Channel;
}  // namespace grpc

namespace maillage::gateway {

class PrincipalCache;

class OidcAuthenticator final : public Authenticator {
 public:
  struct Options {
    const JwtVerifier* verifier = nullptr;
    std::shared_ptr<grpc::Channel> membership;
    const auth::PrincipalSigner* signer = nullptr;
    std::string audience = "maillage";
    bool link_by_email = true;
    // Optional: remembers resolutions (principal_cache.h); null asks membership every time.
    PrincipalCache* cache = nullptr;
    absl::Duration principal_lifetime = absl::Minutes(5);
    absl::Duration call_timeout = absl::Seconds(3);
    std::function<absl::Time()> clock = absl::Now;
  };

  explicit OidcAuthenticator(Options options);
  ~OidcAuthenticator() override;

  absl::StatusOr<auth::Principal> Authenticate(const HttpRequest& request) override;
  std::optional<absl::StatusOr<auth::Principal>> AuthenticateWithoutBlocking(
      const HttpRequest& request) override;

 private:
  struct Stub;
  struct Checked;
  absl::StatusOr<Checked> Check(const HttpRequest& request) const;
  absl::StatusOr<auth::Principal> PrincipalOf(const Checked& checked,
                                              const std::string& resolution) const;
  // membership's ResolvePrincipalResponse, serialised (what the cache keeps).
  absl::StatusOr<std::string> Resolve(const TokenClaims& claims, const std::string& acting);
  Options options_;
  std::unique_ptr<Stub> stub_;
};

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_AUTH_OIDC_AUTHENTICATOR_H_
