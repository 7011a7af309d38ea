#include "gateway/auth/oidc_authenticator.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ids/canonical_ids.h"
#include "common/log/log.h"
#include "gateway/auth/gateway_caller.h"
#include "gateway/auth/principal_cache.h"
#include "maillage/membership/v1/membership.grpc.pb.h"

namespace maillage::gateway {
struct OidcAuthenticator::Stub {
  std::unique_ptr<membership::v1::MembershipService::Stub> membership;
};

OidcAuthenticator::OidcAuthenticator(Options options)
    : options_(std::move(options)), stub_(std::make_unique<Stub>()) {
  stub_->membership = membership::v1::MembershipService::NewStub(options_.membership);
}

OidcAuthenticator::~OidcAuthenticator() = default;

absl::StatusOr<std::string> OidcAuthenticator::Resolve(const TokenClaims& claims,
                                                       const std::string& acting) {
  membership::v1::ResolvePrincipalRequest req;
  req.set_issuer(claims.issuer);
  req.set_subject(claims.subject);
  if (claims.email_verified) req.set_verified_email(claims.email);
  req.set_link_by_email(options_.link_by_email);
  req.set_acting_organisation_id(acting);

  grpc::ClientContext ctx;
  AskAsGateway(*options_.signer, options_.audience, options_.clock(), options_.call_timeout, &ctx);
  membership::v1::ResolvePrincipalResponse resolved;
  grpc::Status s = stub_->membership->ResolvePrincipal(&ctx, req, &resolved);
  if (!s.ok()) {
    switch (s.error_code()) {
      case grpc::StatusCode::NOT_FOUND:
        return absl::UnauthenticatedError(
            "no Maillage account for this identity: ask your network's animator to invite you");
      case grpc::StatusCode::PERMISSION_DENIED:
        return absl::PermissionDeniedError(s.error_message());
      case grpc::StatusCode::INVALID_ARGUMENT:
        return absl::UnauthenticatedError(absl::StrCat("bearer token: ", s.error_message()));
      default:
        log::Warn("membership could not resolve a principal",
                  {{"code", absl::StrCat(s.error_code())}, {"error", s.error_message()}});
        return absl::UnavailableError("sign-in is unavailable, retry later");
    }
  }
  return resolved.SerializeAsString();
}

absl::StatusOr<auth::Principal> OidcAuthenticator::Authenticate(const HttpRequest& request) {
  absl::string_view header = request.Header("authorization");
  if (header.size() < 7 || !absl::EqualsIgnoreCase(header.substr(0, 7), "bearer ")) {
    return absl::UnauthenticatedError("bearer token: missing (Authorization: Bearer <token>)");
  }
  const absl::Time now = options_.clock();
  absl::StatusOr<TokenClaims> claims =
      options_.verifier->Verify(absl::StripAsciiWhitespace(header.substr(7)), now);
  if (!claims.ok()) return claims.status();

  std::string acting(request.Header("x-maillage-organisation"));
  if (!acting.empty()) {
    CanonicaliseId(&acting);
    if (!IsUuid(acting)) {
      return absl::InvalidArgumentError("x-maillage-organisation: not an organisation id");
    }
  }

  absl::StatusOr<std::string> bytes =
      options_.cache == nullptr
          ? Resolve(*claims, acting)
          : options_.cache->Get(PrincipalCache::KeyOf(
                                    {.issuer = claims->issuer,
                                     .subject = claims->subject,
                                     .verified_email = claims->email_verified ? claims->email : "",
                                     .link_by_email = options_.link_by_email,
                                     .acting_organisation_id = acting}),
                                [&] { return Resolve(*claims, acting); });
  if (!bytes.ok()) return bytes.status();
  membership::v1::ResolvePrincipalResponse resolved;
  if (!resolved.ParseFromString(*bytes)) {
    return absl::UnavailableError("sign-in is unavailable, retry later");
  }

  auth::Principal who;
  who.set_subject(resolved.person_id());
  who.set_organisation_id(resolved.organisation_id());
  *who.mutable_grants() = resolved.grants();
  // Never valid past the token it came from.
  return auth::Stamp(std::move(who), now,
                     std::min(options_.principal_lifetime, claims->expires - now),
                     options_.audience);
}

}  // namespace maillage::gateway
