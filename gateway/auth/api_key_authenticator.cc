#include "gateway/auth/api_key_authenticator.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "common/auth/api_key.h"
#include "common/log/log.h"
#include "gateway/auth/gateway_caller.h"
#include "gateway/auth/principal_cache.h"
#include "maillage/membership/v1/membership.grpc.pb.h"

namespace maillage::gateway {
namespace {
constexpr char kRefused[] = "x-api-key: unknown, revoked or expired API key";
}  // namespace

struct ApiKeyAuthenticator::Stub {
  std::unique_ptr<membership::v1::MembershipService::Stub> membership;
};

ApiKeyAuthenticator::ApiKeyAuthenticator(Options options)
    : options_(std::move(options)), stub_(std::make_unique<Stub>()) {
  stub_->membership = membership::v1::MembershipService::NewStub(options_.membership);
}

ApiKeyAuthenticator::~ApiKeyAuthenticator() = default;

absl::StatusOr<std::string> ApiKeyAuthenticator::Resolve(const std::string& key_hash) {
  membership::v1::ResolveApiKeyRequest req;
  req.set_key_hash(key_hash);
  grpc::ClientContext ctx;
  AskAsGateway(*options_.signer, options_.audience, options_.clock(), options_.call_timeout, &ctx);
  membership::v1::ResolveApiKeyResponse resolved;
  grpc::Status s = stub_->membership->ResolveApiKey(&ctx, req, &resolved);
  if (s.ok()) return resolved.SerializeAsString();
  if (s.error_code() == grpc::StatusCode::NOT_FOUND) return absl::UnauthenticatedError(kRefused);
  log::Warn("membership could not resolve an API key",
            {{"code", absl::StrCat(s.error_code())}, {"error", s.error_message()}});
  return absl::UnavailableError("sign-in is unavailable, retry later");
}

absl::StatusOr<auth::Principal> ApiKeyAuthenticator::PrincipalOf(
    const std::string& resolution) const {
  membership::v1::ResolveApiKeyResponse resolved;
  if (!resolved.ParseFromString(resolution)) {
    return absl::UnavailableError("sign-in is unavailable, retry later");
  }
  const absl::Time now = options_.clock();
  const absl::Time expires = absl::FromUnixSeconds(resolved.expire_time().seconds());
  if (expires <= now) return absl::UnauthenticatedError(kRefused);
  auth::Principal who;
  who.set_subject(resolved.api_key_id());
  who.set_api_key_id(resolved.api_key_id());
  who.set_organisation_id(resolved.organisation_id());
  *who.mutable_grants() = resolved.grants();
  who.set_read_only(resolved.access() != membership::v1::API_KEY_ACCESS_READ_WRITE);
  return auth::Stamp(std::move(who), now, std::min(options_.principal_lifetime, expires - now),
                     options_.audience);
}

absl::StatusOr<auth::Principal> ApiKeyAuthenticator::Authenticate(const HttpRequest& request) {
  absl::string_view secret = request.Header("x-api-key");
  if (secret.empty()) {
    if (options_.otherwise != nullptr) return options_.otherwise->Authenticate(request);
    return absl::UnauthenticatedError("x-api-key: missing");
  }
  // Malformed keys cost no lookup.
  if (!auth::LooksLikeApiKey(secret)) return absl::UnauthenticatedError(kRefused);
  const std::string hash = auth::ApiKeyHash(options_.hash_key, secret);
  absl::StatusOr<std::string> bytes =
      options_.cache == nullptr
          ? Resolve(hash)
          : options_.cache->Get(CacheKeyOf(hash), [&] { return Resolve(hash); });
  if (!bytes.ok()) return bytes.status();
  return PrincipalOf(*bytes);
}

std::optional<absl::StatusOr<auth::Principal>> ApiKeyAuthenticator::AuthenticateWithoutBlocking(
    const HttpRequest& request) {
  absl::string_view secret = request.Header("x-api-key");
  if (secret.empty()) {
    if (options_.otherwise != nullptr)
      return options_.otherwise->AuthenticateWithoutBlocking(request);
    return absl::StatusOr<auth::Principal>(absl::UnauthenticatedError("x-api-key: missing"));
  }
  if (!auth::LooksLikeApiKey(secret)) {
    return absl::StatusOr<auth::Principal>(absl::UnauthenticatedError(kRefused));
  }
  if (options_.cache == nullptr) return std::nullopt;
  std::optional<std::string> bytes =
      options_.cache->PeekLocal(CacheKeyOf(auth::ApiKeyHash(options_.hash_key, secret)));
  if (!bytes.has_value()) return std::nullopt;
  return PrincipalOf(*bytes);
}

std::string ApiKeyAuthenticator::CacheKeyOf(const std::string& key_hash) {
  return PrincipalCache::KeyOf({.issuer = "maillage:api-key", .subject = key_hash});
}

}  // namespace maillage::gateway
