// Helpers shared by the MembershipService handler files (organisation_handlers.cc,
// person_handlers.cc, network_handlers.cc, membership_handlers.cc, import_export_handlers.cc):
// the denial and change shapes, the member's view of an organisation, the page parser, and
// Serve, which verifies the principal and runs a unary handler on a worker. Internal to the
// service: nothing outside services/membership includes it.
//
// Example:
//   return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
//     if (!auth::IsAnimator(who, req->network_id())) return Denied("animators only");
//     ...
//   });

#ifndef MAILLAGE_SERVICES_MEMBERSHIP_SERVICE_INTERNAL_H_
#define MAILLAGE_SERVICES_MEMBERSHIP_SERVICE_INTERNAL_H_

#include <grpcpp/alarm.h>
#include <grpcpp/support/server_callback.h>

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/authz/authorized_unary.h"
#include "common/authz/authz.h"
#include "common/ids/canonical_ids.h"
#include "common/redis/cache.h"
#include "common/redis/near_cache.h"
#include "common/server/unary.h"
#include "common/server/worker_pool.h"
#include "common/status/status.h"
#include "membership_cache.pb.h"
#include "services/membership/csv_import.h"
#include "services/membership/domain/identifiers.h"
#include "services/membership/domain/membership_rules.h"
#include "services/membership/membership_service.h"
#include "services/membership/membership_store.h"
#include "services/membership/membership_validation.h"

namespace maillage::membership {
namespace service_internal {

using ::maillage::auth::Principal;
using ::maillage::auth::v1::NETWORK_ROLE_ANIMATOR;
using ::maillage::auth::v1::NETWORK_ROLE_BOARD;
using ::maillage::auth::v1::NETWORK_ROLE_MEMBER;

inline constexpr char kOrganisationKind[] = "organisation";
inline constexpr char kNetworkKind[] = "network";

inline absl::Status Denied(absl::string_view what) {
  return absl::PermissionDeniedError(absl::StrCat("not allowed: ", what));
}

inline ChangeContext Change(const Principal& who) { return ChangeContext{.actor = who.subject()}; }

// What a fellow member may see: no street address, position or headcount.
inline v1::Organisation PublicView(v1::Organisation org) {
  org.clear_headcount_band();
  for (v1::Establishment& e : *org.mutable_establishments()) {
    e.mutable_address()->clear_street();
    e.clear_location();
  }
  org.set_public_view(true);
  return org;
}

inline bool AnimatesAny(const Principal& who, const std::vector<std::string>& networks) {
  return std::any_of(networks.begin(), networks.end(),
                     [&](const std::string& n) { return auth::IsAnimator(who, n); });
}

inline bool SharesAny(const Principal& who, const std::vector<std::string>& networks) {
  return std::any_of(networks.begin(), networks.end(),
                     [&](const std::string& n) { return auth::InNetwork(who, n); });
}

// The listings here page on (name key, UUID). Page tokens are signed, so a client cannot
// forge one; the sort key is still checked before it reaches SQL, so that a leaked key or a
// token of another listing's shape cannot put anything but a name and a UUID there.
inline absl::StatusOr<PageQuery> ParseNamePage(const PageTokenCodec& tokens,
                                               const common::v1::PageRequest& page,
                                               uint64_t fingerprint) {
  MAILLAGE_ASSIGN_OR_RETURN(PageQuery q, tokens.Parse(page, fingerprint));
  if (!q.after.empty() &&
      (q.after.size() != 2 || !IsValidUtf8Text(q.after[0]) || !IsValidUuid(q.after[1]))) {
    return InvalidField("page.page_token", "not a token of this query (filters changed?)");
  }
  return q;
}

// The caller, verified and with every id of it canonical (subject included): the one
// authentication of the service, for unary calls (Serve) and streams alike.
inline absl::StatusOr<auth::Principal> VerifiedCaller(const MembershipService::Dependencies& deps,
                                                      const grpc::CallbackServerContext& ctx) {
  return authz::VerifiedCaller(
      {.verifier = &deps.verifier, .clock = deps.clock, .workers = nullptr, .table = nullptr}, ctx);
}

}  // namespace service_internal

template <typename Req, typename Fn>
grpc::ServerUnaryReactor* MembershipService::Serve(grpc::CallbackServerContext* ctx, const Req* req,
                                                   Fn fn) {
  return authz::ServeAuthorized(ctx, req, gate_, std::move(fn));
}

}  // namespace maillage::membership

#endif  // MAILLAGE_SERVICES_MEMBERSHIP_SERVICE_INTERNAL_H_
