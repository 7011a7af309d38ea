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

// What both paths share: the checked token, the acting organisation and the cache key.
struct OidcAuthenticator::Checked {
  TokenClaims claims;
  std::string acting;
  std::string cache_key;
  absl::Time now;
};

absl::StatusOr<OidcAuthenticator::Checked> OidcAuthenticator::Check(
    const HttpRequest& request) const {
  absl::string_view header = request.Header("authorization");
  if (header.size() < 7 || !absl::EqualsIgnoreCase(header.substr(0, 7), "bearer ")) {
    return absl::UnauthenticatedError("bearer token: missing (Authorization: Bearer <token>)");
  }
  Checked c;
  c.now = options_.clock();
  absl::StatusOr<TokenClaims> claims =
      options_.verifier->Verify(absl::StripAsciiWhitespace(header.substr(7)), c.now);
  if (!claims.ok()) return claims.status();
  c.claims = *std::move(claims);
  c.acting = std::string(request.Header("x-maillage-organisation"));
  if (!c.acting.empty()) {
    CanonicaliseId(&c.acting);
    if (!IsUuid(c.acting)) {
      return absl::InvalidArgumentError("x-maillage-organisation: not an organisation id");
    }
  }
  if (options_.cache != nullptr) {
    c.cache_key =
        PrincipalCache::KeyOf({.issuer = c.claims.issuer,
                               .subject = c.claims.subject,
                               .verified_email = c.claims.email_verified ? c.claims.email : "",
                               .link_by_email = options_.link_by_email,
                               .acting_organisation_id = c.acting});
  }
  return c;
}

absl::StatusOr<auth::Principal> OidcAuthenticator::PrincipalOf(
    const Checked& c, const std::string& resolution) const {
  membership::v1::ResolvePrincipalResponse resolved;
  if (!resolved.ParseFromString(resolution)) {
    return absl::UnavailableError("sign-in is unavailable, retry later");
  }
  auth::Principal who;
  who.set_subject(resolved.person_id());
  who.set_organisation_id(resolved.organisation_id());
  *who.mutable_grants() = resolved.grants();
  // Never valid past the token it came from.
  return auth::Stamp(std::move(who), c.now,
                     std::min(options_.principal_lifetime, c.claims.expires - c.now),
                     options_.audience);
}

absl::StatusOr<auth::Principal> OidcAuthenticator::Authenticate(const HttpRequest& request) {
  absl::StatusOr<Checked> c = Check(request);
  if (!c.ok()) return c.status();
  absl::StatusOr<std::string> bytes =
      options_.cache == nullptr
          ? Resolve(c->claims, c->acting)
          : options_.cache->Get(c->cache_key, [&] { return Resolve(c->claims, c->acting); });
  if (!bytes.ok()) return bytes.status();
  return PrincipalOf(*c, *bytes);
}

std::optional<absl::StatusOr<auth::Principal>> OidcAuthenticator::AuthenticateWithoutBlocking(
    const HttpRequest& request) {
  absl::StatusOr<Checked> c = Check(request);
  if (!c.ok()) return absl::StatusOr<auth::Principal>(c.status());
  if (options_.cache == nullptr) return std::nullopt;
  std::optional<std::string> bytes = options_.cache->PeekLocal(c->cache_key);
  if (!bytes.has_value()) return std::nullopt;
  return PrincipalOf(*c, *bytes);
}

}  // namespace maillage::gateway
