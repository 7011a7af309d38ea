// common/auth: the caller's identity, carried from the gateway to the services.
//
// The gateway authenticates users and partner systems, then forwards a Principal (see
// proto/maillage/auth/v1/principal.proto) in two metadata entries: the serialised message
// and its HMAC-SHA256 under a key shared by the deployment. Services trust nothing else:
//
//   PrincipalVerifier verifier(hmac_key, {.audience = "maillage",
//                                         .max_lifetime = absl::Minutes(5)});
//   absl::StatusOr<Principal> who = verifier.Verify(*ctx, absl::Now());  // UNAUTHENTICATED
//   if (!IsAnimator(*who, network_id)) return PermissionDenied...
//
// Principals are short-lived and bound to one deployment: clients (the gateway, tools, tests)
// stamp them with Stamp() (issued_at, expires_at, audience) just before signing them with
// PrincipalSigner::Attach(principal, &ctx):
//
//   signer.Attach(Stamp(who, absl::Now(), absl::Minutes(2)), &ctx);
#ifndef MAILLAGE_COMMON_AUTH_AUTH_H_
#define MAILLAGE_COMMON_AUTH_AUTH_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "maillage/auth/v1/principal.pb.h"

namespace grpc {
class ClientContext;
class ServerContextBase;
}  // namespace grpc

namespace maillage::auth {

using Principal = ::maillage::auth::v1::Principal;
using NetworkRole = ::maillage::auth::v1::NetworkRole;

inline constexpr char kPrincipalKey[] = "x-maillage-principal-bin";
inline constexpr char kSignatureKey[] = "x-maillage-principal-sig";
// Shortest HMAC key accepted, in bytes.
inline constexpr size_t kMinKeyBytes = 32;
// The audience of a deployment that configures none (MAILLAGE_AUTH_AUDIENCE).
inline constexpr char kDefaultAudience[] = "maillage";

// What a verifier accepts besides a good signature.
struct VerifierOptions {
  // The deployment's audience: a principal naming another one is refused.
  std::string audience = kDefaultAudience;
  // Longest expires_at - issued_at accepted (MAILLAGE_AUTH_MAX_PRINCIPAL_MINUTES).
  absl::Duration max_lifetime = absl::Minutes(5);
  // How far in the future issued_at may lie (clocks of the gateway and the services differ).
  absl::Duration clock_skew = absl::Seconds(30);
};

// `p` with issued_at = now, expires_at = now + ttl and the audience set, ready to sign.
Principal Stamp(Principal p, absl::Time now, absl::Duration ttl,
                absl::string_view audience = kDefaultAudience);

// OK when `key` is long enough to sign principals.
absl::Status ValidateKey(absl::string_view key);

// Lower-case hex HMAC-SHA256 of `data` under `key`.
std::string HmacSha256Hex(absl::string_view key, absl::string_view data);

// HMAC-SHA256 under one key, with the key's inner and outer digest states computed once:
// each Hex() then hashes only the data (about 7x cheaper than a one-shot HMAC here, which
// sets up a context per call). Thread-safe.
class HmacSha256 {
 public:
  explicit HmacSha256(absl::string_view key);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  // Lower-case hex HMAC-SHA256 of `data`; equal to HmacSha256Hex(key, data).
  std::string Hex(absl::string_view data) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

class PrincipalSigner {
 public:
  explicit PrincipalSigner(absl::string_view key) : hmac_(std::make_shared<HmacSha256>(key)) {}
  // Adds the principal and its signature to an outgoing call's metadata.
  void Attach(const Principal& principal, grpc::ClientContext* ctx) const;
  // The two metadata values: (serialised principal, signature).
  std::pair<std::string, std::string> Encode(const Principal& principal) const;

 private:
  std::shared_ptr<const HmacSha256> hmac_;
};

class PrincipalVerifier {
 public:
  explicit PrincipalVerifier(absl::string_view key, VerifierOptions options = {})
      : hmac_(std::make_shared<HmacSha256>(key)), options_(std::move(options)) {}
  // The principal of an incoming call. UNAUTHENTICATED when missing, malformed, forged
  // (signature mismatch, compared in constant time), expired at `now`, without issued_at,
  // issued after `now` + clock_skew, valid for longer than max_lifetime, or for another
  // audience.
  absl::StatusOr<Principal> Verify(const grpc::ServerContextBase& ctx, absl::Time now) const;
  absl::StatusOr<Principal> VerifyEncoded(absl::string_view serialized, absl::string_view signature,
                                          absl::Time now) const;

 private:
  std::shared_ptr<const HmacSha256> hmac_;
  VerifierOptions options_;
};

// True when the principal holds `role` in `network_id` (platform admins hold every role).
bool HasRole(const Principal& p, absl::string_view network_id, NetworkRole role);
// True when the principal holds any role but NETWORK_ROLE_FUNDER in `network_id`: a funder
// reads only what names its role (the funder report), never what "members" may.
bool InNetwork(const Principal& p, absl::string_view network_id);
bool IsAnimator(const Principal& p, absl::string_view network_id);
// True when the principal acts for `organisation_id` (or is a platform admin).
bool ActsFor(const Principal& p, absl::string_view organisation_id);

}  // namespace maillage::auth

#endif  // MAILLAGE_COMMON_AUTH_AUTH_H_
