#include <grpcpp/alarm.h>
#include <grpcpp/support/server_callback.h>

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
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
#include "services/membership/service_internal.h"

// MembershipService: memberships.

namespace maillage::membership {

using namespace service_internal;  // NOLINT(build/namespaces): the handlers' own helpers

// ---------------------------------------------------------------------------------------------
// Memberships

grpc::ServerUnaryReactor* MembershipService::ApplyForMembership(
    grpc::CallbackServerContext* ctx, const v1::ApplyForMembershipRequest* req,
    v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->network_id(), "network_id"));
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->organisation_id(), "organisation_id"));
    MAILLAGE_RETURN_IF_ERROR(ValidateRole(req->role(), "role", true));
    MAILLAGE_RETURN_IF_ERROR(
        ValidateText(req->motivation(), "motivation", kMaxShortTextLength, false));
    MAILLAGE_RETURN_IF_ERROR(ValidateIdempotencyKey(req->idempotency_key(), "idempotency_key"));
    bool animator = auth::IsAnimator(who, req->network_id());
    bool representative = auth::ActsFor(who, req->organisation_id());
    auth::NetworkRole role =
        req->role() == auth::v1::NETWORK_ROLE_UNSPECIFIED ? NETWORK_ROLE_MEMBER : req->role();
    if (role != NETWORK_ROLE_MEMBER && !animator) {
      return Denied("only animators enrol members in roles other than member");
    }
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp,
        deps_.store->Apply(req->network_id(), req->organisation_id(), role, req->motivation(),
                           Change(who), req->idempotency_key(),
                           // On someone else's behalf, an enrolment is an invitation:
                           // the organisation's data stays closed until it accepts.
                           representative ? Enrolment::kApplication : Enrolment::kInvitation));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::AcceptInvitation(
    grpc::CallbackServerContext* ctx, const v1::AcceptInvitationRequest* req,
    v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->membership_id(), "membership_id"));
    MAILLAGE_ASSIGN_OR_RETURN(*resp,
                              deps_.store->AcceptInvitation(req->membership_id(), Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::SponsorMembership(
    grpc::CallbackServerContext* ctx, const v1::SponsorMembershipRequest* req,
    v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->membership_id(), "membership_id"));
    std::string sponsor = req->sponsor_organisation_id().empty() ? who.organisation_id()
                                                                 : req->sponsor_organisation_id();
    MAILLAGE_RETURN_IF_ERROR(ValidateId(sponsor, "sponsor_organisation_id"));
    MAILLAGE_ASSIGN_OR_RETURN(*resp,
                              deps_.store->Sponsor(req->membership_id(), sponsor, Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::ApproveMembership(
    grpc::CallbackServerContext* ctx, const v1::ApproveMembershipRequest* req,
    v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->Approve(req->membership_id(), Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::RejectMembership(
    grpc::CallbackServerContext* ctx, const v1::RejectMembershipRequest* req,
    v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateText(req->reason(), "reason", kMaxShortTextLength, false));
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->Reject(req->membership_id(), req->reason(), Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::SignCharter(grpc::CallbackServerContext* ctx,
                                                         const v1::SignCharterRequest* req,
                                                         v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->membership_id(), "membership_id"));
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->person_id(), "person_id"));
    if (req->charter_version() < 1) {
      return InvalidField("charter_version", "required: the version being signed");
    }
    MAILLAGE_ASSIGN_OR_RETURN(*resp,
                              deps_.store->SignCharter(req->membership_id(), req->person_id(),
                                                       req->charter_version(), Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::SuspendMembership(
    grpc::CallbackServerContext* ctx, const v1::SuspendMembershipRequest* req,
    v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateText(req->reason(), "reason", kMaxShortTextLength, false));
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->Suspend(req->membership_id(), req->reason(), Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::ReinstateMembership(
    grpc::CallbackServerContext* ctx, const v1::ReinstateMembershipRequest* req,
    v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->Reinstate(req->membership_id(), Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::LeaveNetwork(grpc::CallbackServerContext* ctx,
                                                          const v1::LeaveNetworkRequest* req,
                                                          v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->Leave(req->membership_id(), Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::ChangeMembershipRole(
    grpc::CallbackServerContext* ctx, const v1::ChangeMembershipRoleRequest* req,
    v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateRole(req->role(), "role", false));
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->ChangeRole(req->membership_id(), req->role(), Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::GetMembership(grpc::CallbackServerContext* ctx,
                                                           const v1::GetMembershipRequest* req,
                                                           v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(*resp, VisibleMembership(who, req->membership_id()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::ListMemberships(grpc::CallbackServerContext* ctx,
                                                             const v1::ListMembershipsRequest* req,
                                                             v1::ListMembershipsResponse* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal&) -> absl::Status {
    if (req->network_id().empty() && req->organisation_id().empty()) {
      return InvalidField("network_id", "one of network_id and organisation_id is required");
    }
    if (!req->network_id().empty())
      MAILLAGE_RETURN_IF_ERROR(ValidateId(req->network_id(), "network_id"));
    if (!req->organisation_id().empty()) {
      MAILLAGE_RETURN_IF_ERROR(ValidateId(req->organisation_id(), "organisation_id"));
    }
    if (!v1::MembershipState_IsValid(req->state())) return InvalidField("state", "unknown state");
    MAILLAGE_RETURN_IF_ERROR(ValidateRole(req->role(), "role", true));
    MembershipFilter filter{.network_id = req->network_id(),
                            .organisation_id = req->organisation_id(),
                            .state = req->state(),
                            .states = {},
                            .role = req->role(),
                            .charter_signature_required = req->charter_signature_required()};
    uint64_t fp = Fingerprint({"memberships", filter.network_id, filter.organisation_id,
                               absl::StrCat(static_cast<int>(filter.state)),
                               absl::StrCat(static_cast<int>(filter.role)),
                               filter.charter_signature_required ? "1" : "0"});
    MAILLAGE_ASSIGN_OR_RETURN(PageQuery page, ParseNamePage(deps_.page_tokens, req->page(), fp));
    MAILLAGE_ASSIGN_OR_RETURN(Page<v1::Membership> result,
                              deps_.store->ListMemberships(filter, page));
    for (v1::Membership& m : result.items) *resp->add_memberships() = std::move(m);
    if (!result.next_after.empty()) {
      resp->mutable_page()->set_next_page_token(deps_.page_tokens.Encode(fp, result.next_after));
    }
    return absl::OkStatus();
  });
}

}  // namespace maillage::membership
