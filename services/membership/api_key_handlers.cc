// API keys of partner systems: managed by the organisation's representatives, resolved for
// the gateway.
#include <set>

#include "absl/strings/str_cat.h"
#include "common/auth/api_key.h"
#include "common/status/status.h"
#include "common/validation/validation.h"
#include "services/membership/membership_service.h"
#include "services/membership/service_internal.h"

namespace maillage::membership {

using namespace service_internal;  // NOLINT(build/namespaces): the handlers' own helpers

namespace {

constexpr size_t kMaxApiKeyName = 100;
constexpr int kMaxApiKeyNetworks = 50;
constexpr absl::Duration kMaxApiKeyLifetime = absl::Hours(24 * 366);

// Keys are managed by people: a key that could mint keys would outlive its revocation.
absl::Status RefuseApiKeyCallers(const Principal& who) {
  if (!who.api_key_id().empty()) return Denied("API keys are managed by people, not by API keys");
  return absl::OkStatus();
}

absl::Status ValidateApiKeyDraft(const v1::ApiKey& k, absl::Time now) {
  std::vector<FieldViolation> violations;
  auto check = [&](absl::Status s) {
    for (FieldViolation& v : FieldViolationsOf(s)) violations.push_back(std::move(v));
  };
  check(ValidateText(k.name(), "api_key.name", kMaxApiKeyName, true));
  if (k.network_ids_size() == 0 || k.network_ids_size() > kMaxApiKeyNetworks) {
    violations.push_back(
        {"api_key.network_ids", absl::StrCat("name 1 to ", kMaxApiKeyNetworks, " networks")});
  }
  std::set<std::string> seen;
  for (int i = 0; i < k.network_ids_size() && i < kMaxApiKeyNetworks; ++i) {
    const std::string field = absl::StrCat("api_key.network_ids[", i, "]");
    check(ValidateId(k.network_ids(i), field));
    if (!seen.insert(k.network_ids(i)).second) violations.push_back({field, "named twice"});
  }
  if (k.access() != v1::API_KEY_ACCESS_READ && k.access() != v1::API_KEY_ACCESS_READ_WRITE) {
    violations.push_back({"api_key.access", "API_KEY_ACCESS_READ or API_KEY_ACCESS_READ_WRITE"});
  }
  if (!k.has_expire_time()) {
    violations.push_back({"api_key.expire_time", "required"});
  } else {
    const absl::Time expires = absl::FromUnixSeconds(k.expire_time().seconds());
    if (k.expire_time().seconds() < 0 || expires <= now) {
      violations.push_back({"api_key.expire_time", "must be in the future"});
    } else if (expires > now + kMaxApiKeyLifetime) {
      violations.push_back({"api_key.expire_time", "at most 366 days ahead"});
    }
  }
  return InvalidFields(violations);
}

}  // namespace

grpc::ServerUnaryReactor* MembershipService::CreateApiKey(grpc::CallbackServerContext* ctx,
                                                          const v1::CreateApiKeyRequest* req,
                                                          v1::CreatedApiKey* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(RefuseApiKeyCallers(who));
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->organisation_id(), "organisation_id"));
    MAILLAGE_RETURN_IF_ERROR(ValidateApiKeyDraft(req->api_key(), deps_.clock()));
    v1::ApiKey draft;
    draft.set_organisation_id(req->organisation_id());
    draft.set_name(req->api_key().name());
    *draft.mutable_network_ids() = req->api_key().network_ids();
    draft.set_access(req->api_key().access());
    std::string secret = auth::NewApiKeySecret();
    draft.set_secret_prefix(secret.substr(0, 12));
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp->mutable_api_key(),
        deps_.store->CreateApiKey(draft, auth::ApiKeyHash(deps_.api_key_hash_key, secret),
                                  absl::FromUnixSeconds(req->api_key().expire_time().seconds()),
                                  Change(who)));
    resp->set_secret(std::move(secret));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::ListApiKeys(grpc::CallbackServerContext* ctx,
                                                         const v1::ListApiKeysRequest* req,
                                                         v1::ListApiKeysResponse* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(RefuseApiKeyCallers(who));
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->organisation_id(), "organisation_id"));
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::ApiKey> keys,
                              deps_.store->ListApiKeys(req->organisation_id()));
    for (v1::ApiKey& k : keys) *resp->add_api_keys() = std::move(k);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::RevokeApiKey(grpc::CallbackServerContext* ctx,
                                                          const v1::RevokeApiKeyRequest* req,
                                                          v1::ApiKey* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(RefuseApiKeyCallers(who));
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->organisation_id(), "organisation_id"));
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->api_key_id(), "api_key_id"));
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->RevokeApiKey(req->organisation_id(), req->api_key_id(), Change(who)));
    Changed({}, {});  // publishes the revocation now: the gateways drop the key
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::ResolveApiKey(grpc::CallbackServerContext* ctx,
                                                           const v1::ResolveApiKeyRequest* req,
                                                           v1::ResolveApiKeyResponse* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal&) -> absl::Status {
    bool hex = req->key_hash().size() == 64;
    for (char c : req->key_hash()) hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (!hex) return InvalidField("key_hash", "64 lower-case hex digits");
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->ResolveApiKey(req->key_hash()));
    return absl::OkStatus();
  });
}

}  // namespace maillage::membership
