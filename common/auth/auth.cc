#include "common/auth/auth.h"

#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace maillage::auth {

absl::Status ValidateKey(absl::string_view key) {
  if (key.size() < kMinKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("auth HMAC key: must be at least ", kMinKeyBytes, " bytes, got ", key.size()));
  }
  return absl::OkStatus();
}

std::string HmacSha256Hex(absl::string_view key, absl::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(mac), len));
}

struct HmacSha256::State {
  EVP_MD* md = nullptr;
  EVP_MD_CTX* inner = nullptr;  // after absorbing key ^ ipad
  EVP_MD_CTX* outer = nullptr;  // after absorbing key ^ opad
};

HmacSha256::HmacSha256(absl::string_view key) : state_(std::make_unique<State>()) {
  constexpr size_t kBlock = 64;  // SHA-256 block size
  state_->md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char k[kBlock] = {0};
  if (key.size() > kBlock) {  // RFC 2104: longer keys are hashed first
    unsigned int len = 0;
    EVP_Digest(key.data(), key.size(), k, &len, state_->md, nullptr);
  } else {
    memcpy(k, key.data(), key.size());
  }
  unsigned char ipad[kBlock], opad[kBlock];
  for (size_t i = 0; i < kBlock; ++i) {
    ipad[i] = k[i] ^ 0x36;
    opad[i] = k[i] ^ 0x5c;
  }
  state_->inner = EVP_MD_CTX_new();
  EVP_DigestInit_ex(state_->inner, state_->md, nullptr);
  EVP_DigestUpdate(state_->inner, ipad, kBlock);
  state_->outer = EVP_MD_CTX_new();
  EVP_DigestInit_ex(state_->outer, state_->md, nullptr);
  EVP_DigestUpdate(state_->outer, opad, kBlock);
  OPENSSL_cleanse(k, sizeof(k));
  OPENSSL_cleanse(ipad, sizeof(ipad));
  OPENSSL_cleanse(opad, sizeof(opad));
}

HmacSha256::~HmacSha256() {
  EVP_MD_CTX_free(state_->inner);
  EVP_MD_CTX_free(state_->outer);
  EVP_MD_free(state_->md);
}

std::string HmacSha256::Hex(absl::string_view data) const {
  // One working context per thread: copying the precomputed states into it allocates
  // nothing after the first call.
  struct Ctx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Ctx() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Ctx work;
  unsigned char inner[EVP_MAX_MD_SIZE], mac[EVP_MAX_MD_SIZE];
  unsigned int inner_len = 0, mac_len = 0;
  EVP_MD_CTX_copy_ex(work.ctx, state_->inner);
  EVP_DigestUpdate(work.ctx, data.data(), data.size());
  EVP_DigestFinal_ex(work.ctx, inner, &inner_len);
  EVP_MD_CTX_copy_ex(work.ctx, state_->outer);
  EVP_DigestUpdate(work.ctx, inner, inner_len);
  EVP_DigestFinal_ex(work.ctx, mac, &mac_len);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(mac), mac_len));
}

Principal Stamp(Principal p, absl::Time now, absl::Duration ttl, absl::string_view audience) {
  p.mutable_issued_at()->set_seconds(absl::ToUnixSeconds(now));
  p.mutable_expires_at()->set_seconds(absl::ToUnixSeconds(now + ttl));
  p.set_audience(std::string(audience));
  return p;
}

std::pair<std::string, std::string> PrincipalSigner::Encode(const Principal& principal) const {
  std::string bytes = principal.SerializeAsString();
  std::string sig = hmac_->Hex(bytes);
  return {std::move(bytes), std::move(sig)};
}

void PrincipalSigner::Attach(const Principal& principal, grpc::ClientContext* ctx) const {
  auto [bytes, sig] = Encode(principal);
  ctx->AddMetadata(kPrincipalKey, bytes);
  ctx->AddMetadata(kSignatureKey, sig);
}

absl::StatusOr<Principal> PrincipalVerifier::VerifyEncoded(absl::string_view serialized,
                                                           absl::string_view signature,
                                                           absl::Time now) const {
  std::string expected = hmac_->Hex(serialized);
  // Constant-time comparison: the time taken must not tell how many bytes matched.
  if (signature.size() != expected.size() ||
      CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
    return absl::UnauthenticatedError("principal signature does not match");
  }
  Principal p;
  if (!p.ParseFromArray(serialized.data(), static_cast<int>(serialized.size()))) {
    return absl::UnauthenticatedError("principal is malformed");
  }
  if (p.subject().empty()) return absl::UnauthenticatedError("principal has no subject");
  if (p.audience() != options_.audience) {
    return absl::UnauthenticatedError(absl::StrCat("principal is for audience \"", p.audience(),
                                                   "\", not \"", options_.audience, "\""));
  }
  if (!p.has_issued_at() || !p.has_expires_at()) {
    return absl::UnauthenticatedError("principal lacks issued_at or expires_at");
  }
  absl::Time issued = absl::FromUnixSeconds(p.issued_at().seconds());
  absl::Time expires = absl::FromUnixSeconds(p.expires_at().seconds());
  if (issued > now + options_.clock_skew) {
    return absl::UnauthenticatedError("principal issued in the future (clock skew?)");
  }
  if (expires < now) return absl::UnauthenticatedError("principal expired");
  if (expires - issued > options_.max_lifetime) {
    return absl::UnauthenticatedError(
        absl::StrCat("principal lifetime ", absl::FormatDuration(expires - issued),
                     " exceeds the maximum ", absl::FormatDuration(options_.max_lifetime)));
  }
  return p;
}

absl::StatusOr<Principal> PrincipalVerifier::Verify(const grpc::ServerContextBase& ctx,
                                                    absl::Time now) const {
  const auto& md = ctx.client_metadata();
  auto p = md.find(kPrincipalKey);
  auto s = md.find(kSignatureKey);
  if (p == md.end() || s == md.end()) {
    return absl::UnauthenticatedError("no principal: call through the gateway");
  }
  return VerifyEncoded(absl::string_view(p->second.data(), p->second.size()),
                       absl::string_view(s->second.data(), s->second.size()), now);
}

bool HasRole(const Principal& p, absl::string_view network_id, NetworkRole role) {
  if (p.platform_admin()) return true;
  for (const auto& g : p.grants()) {
    if (g.network_id() == network_id && g.role() == role) return true;
  }
  return false;
}

bool InNetwork(const Principal& p, absl::string_view network_id) {
  if (p.platform_admin()) return true;
  for (const auto& g : p.grants()) {
    // A funder is not "in" the network: it reads the funder report, where it is named.
    if (g.network_id() == network_id && g.role() != auth::v1::NETWORK_ROLE_FUNDER) return true;
  }
  return false;
}

bool IsAnimator(const Principal& p, absl::string_view network_id) {
  return HasRole(p, network_id, auth::v1::NETWORK_ROLE_ANIMATOR);
}

bool ActsFor(const Principal& p, absl::string_view organisation_id) {
  return p.platform_admin() || (!organisation_id.empty() && p.organisation_id() == organisation_id);
}

}  // namespace maillage::auth
