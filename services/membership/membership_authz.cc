#include "services/membership/membership_authz.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "common/status/status.h"
#include "maillage/membership/v1/membership.grpc.pb.h"
#include "services/membership/membership_validation.h"

namespace maillage::membership {
namespace {

using authz::AnyRoleIn;
using authz::Authenticated;
using authz::Representative;
using authz::Resolve;
using authz::Resource;
using authz::RoleIn;
using authz::Self;
using ::maillage::auth::v1::NETWORK_ROLE_ANIMATOR;
using ::maillage::auth::v1::NETWORK_ROLE_BOARD;

// The ids a rule reads are validated before the rule: a malformed one answers
// INVALID_ARGUMENT naming the field, as the handler would, not a denial.
absl::StatusOr<Resource> NetworkIn(const std::string& id, absl::string_view field) {
  MAILLAGE_RETURN_IF_ERROR(ValidateId(id, field));
  return Resource{.network_id = id};
}

absl::StatusOr<Resource> OrganisationIn(const std::string& id, absl::string_view field) {
  MAILLAGE_RETURN_IF_ERROR(ValidateId(id, field));
  return Resource{.organisation_id = id};
}

// The first of `networks` that `who` animates, or "".
std::string AnimatedAmong(const auth::Principal& who, const std::vector<std::string>& networks) {
  auto it = std::find_if(networks.begin(), networks.end(),
                         [&](const std::string& n) { return auth::IsAnimator(who, n); });
  return it == networks.end() ? "" : *it;
}

}  // namespace

authz::Table MembershipAuthzTable(AuthzHooks hooks) {
  auto h = std::make_shared<AuthzHooks>(std::move(hooks));
  // A membership's network and organisation, when the caller may see it.
  auto of_membership = [h](const std::string& membership_id,
                           const auth::Principal& who) -> absl::StatusOr<Resource> {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, h->visible_membership(who, membership_id));
    return Resource{.network_id = m.network_id(), .organisation_id = m.organisation_id()};
  };
  // For the animator rows: the membership's network.
  auto animate = [of_membership]<typename Req>(const Req&) {
    return Resolve<Req>([of_membership](const Req& r, const auth::Principal& who) {
      return of_membership(r.membership_id(), who);
    });
  };
  const std::vector<authz::Grant> animators = {RoleIn({NETWORK_ROLE_ANIMATOR})};
  constexpr char kManage[] = "only the network's animators manage its memberships";

  std::vector<authz::Rule> rules = {
      // Organisations. GetOrganisation's view (full, public or NOT_FOUND) depends on the
      // organisation's networks and visibility: the handler chooses it.
      {.rpc = "CreateOrganisation", .grants = {Authenticated()}},
      {.rpc = "GetOrganisation", .grants = {Authenticated()}},
      {.rpc = "UpdateOrganisation",
       .grants = {Representative()},
       .resource = Resolve<v1::UpdateOrganisationRequest>([](const auto& r,
                                                             const auth::Principal&) {
         return OrganisationIn(r.organisation().organisation_id(), "organisation.organisation_id");
       }),
       .denial = "only the organisation's representatives edit its profile"},
      {.rpc = "ListOrganisations",
       .grants = {AnyRoleIn()},
       .resource = Resolve<v1::ListOrganisationsRequest>(
           [](const auto& r, const auth::Principal& who) -> absl::StatusOr<Resource> {
             // Platform admins alone may list every organisation.
             if (r.network_id().empty() && who.platform_admin()) return Resource{};
             return NetworkIn(r.network_id(), "network_id");
           }),
       .denial = "only members of the network list its organisations"},
      {.rpc = "AddEstablishment",
       .grants = {Representative()},
       .resource = Resolve<v1::AddEstablishmentRequest>([](const auto& r, const auth::Principal&) {
         return OrganisationIn(r.organisation_id(), "organisation_id");
       }),
       .denial = "only the organisation's representatives edit its profile"},

      // People.
      {.rpc = "CreatePerson", .grants = {Authenticated()}},
      {.rpc = "GetPerson",
       // The person, the organisations it represents, and their networks' animators.
       .grants = {Self(), Representative(), RoleIn({NETWORK_ROLE_ANIMATOR})},
       .resource = Resolve<v1::GetPersonRequest>(
           [h](const auto& r, const auth::Principal& who) -> absl::StatusOr<Resource> {
             MAILLAGE_RETURN_IF_ERROR(ValidateId(r.person_id(), "person_id"));
             Resource res{.person_id = r.person_id()};
             if (who.platform_admin() || who.subject() == r.person_id()) return res;
             MAILLAGE_ASSIGN_OR_RETURN(std::vector<std::string> orgs,
                                       h->organisations_represented_by(r.person_id()));
             if (std::find(orgs.begin(), orgs.end(), who.organisation_id()) != orgs.end()) {
               res.organisation_id = who.organisation_id();
               return res;
             }
             for (const std::string& org : orgs) {
               MAILLAGE_ASSIGN_OR_RETURN(std::vector<std::string> networks, h->networks_of(org));
               res.network_id = AnimatedAmong(who, networks);
               if (!res.network_id.empty()) break;
             }
             return res;
           }),
       .denial = "person not found",
       .hide = true},
      {.rpc = "AddRepresentation",
       .grants = {Representative()},
       .resource = Resolve<v1::AddRepresentationRequest>([](const auto& r, const auth::Principal&) {
         return OrganisationIn(r.organisation_id(), "organisation_id");
       }),
       .denial = "only the organisation's representatives add representatives"},
      {.rpc = "ListRepresentations",
       .grants = {Representative(), RoleIn({NETWORK_ROLE_ANIMATOR})},
       .resource = Resolve<v1::ListRepresentationsRequest>(
           [h](const auto& r, const auth::Principal& who) -> absl::StatusOr<Resource> {
             MAILLAGE_ASSIGN_OR_RETURN(Resource res,
                                       OrganisationIn(r.organisation_id(), "organisation_id"));
             if (auth::ActsFor(who, r.organisation_id())) return res;
             MAILLAGE_ASSIGN_OR_RETURN(std::vector<std::string> networks,
                                       h->networks_of(r.organisation_id()));
             res.network_id = AnimatedAmong(who, networks);
             return res;
           }),
       .denial = "only the organisation and its networks' animators see its representatives"},

      // Networks.
      {.rpc = "CreateNetwork",
       .grants = {Representative()},
       .resource = authz::From<v1::CreateNetworkRequest>([](const auto& r) {
         return Resource{.organisation_id = r.network().animating_organisation_id()};
       }),
       .denial = "a network is created by a representative of its animating organisation"},
      {.rpc = "GetNetwork", .grants = {Authenticated()}},
      {.rpc = "UpdateNetwork",
       .grants = animators,
       .resource = Resolve<v1::UpdateNetworkRequest>([](const auto& r, const auth::Principal&) {
         return NetworkIn(r.network().network_id(), "network.network_id");
       }),
       .denial = "only the network's animators edit it"},
      {.rpc = "ListNetworks", .grants = {Authenticated()}},
      {.rpc = "PublishCharter",
       .grants = animators,
       .resource = Resolve<v1::PublishCharterRequest>([](const auto& r, const auth::Principal&) {
         return NetworkIn(r.network_id(), "network_id");
       }),
       .denial = "only the network's animators publish its charter"},

      // Memberships. An animator who applies for an organisation it does not represent
      // invites it; only animators ask for a role above member (the handler).
      {.rpc = "ApplyForMembership",
       .grants = {Representative(), RoleIn({NETWORK_ROLE_ANIMATOR})},
       .resource = Resolve<v1::ApplyForMembershipRequest>(
           [](const auto& r, const auth::Principal&) -> absl::StatusOr<Resource> {
             MAILLAGE_RETURN_IF_ERROR(ValidateId(r.network_id(), "network_id"));
             MAILLAGE_RETURN_IF_ERROR(ValidateId(r.organisation_id(), "organisation_id"));
             return Resource{.network_id = r.network_id(), .organisation_id = r.organisation_id()};
           }),
       .denial = "an organisation applies through its representatives"},
      {.rpc = "AcceptInvitation",
       .grants = {Representative()},
       .resource = Resolve<v1::AcceptInvitationRequest>(
           [of_membership](const auto& r, const auth::Principal& who) -> absl::StatusOr<Resource> {
             MAILLAGE_ASSIGN_OR_RETURN(Resource res, of_membership(r.membership_id(), who));
             return Resource{.organisation_id = res.organisation_id};
           }),
       .denial = "an invitation is accepted by the invited organisation's representatives"},
      {.rpc = "SponsorMembership",
       // The sponsor acts through its own representatives, on a membership it can see.
       .grants = {Representative()},
       .resource = Resolve<v1::SponsorMembershipRequest>(
           [of_membership](const auto& r, const auth::Principal& who) -> absl::StatusOr<Resource> {
             MAILLAGE_RETURN_IF_ERROR(ValidateId(r.membership_id(), "membership_id"));
             std::string sponsor = r.sponsor_organisation_id().empty()
                                       ? who.organisation_id()
                                       : r.sponsor_organisation_id();
             MAILLAGE_RETURN_IF_ERROR(ValidateId(sponsor, "sponsor_organisation_id"));
             if (!auth::ActsFor(who, sponsor)) return Resource{};
             MAILLAGE_RETURN_IF_ERROR(of_membership(r.membership_id(), who).status());
             return Resource{.organisation_id = sponsor};
           }),
       .denial = "a sponsor acts through its own representatives"},
      {.rpc = "ApproveMembership",
       .grants = animators,
       .resource = animate(v1::ApproveMembershipRequest()),
       .denial = kManage},
      {.rpc = "RejectMembership",
       .grants = animators,
       .resource = animate(v1::RejectMembershipRequest()),
       .denial = kManage},
      {.rpc = "SignCharter",
       // The representative who signs, in their own name, for their own organisation.
       .grants = {authz::RepresentativeSelf()},
       .resource = Resolve<v1::SignCharterRequest>(
           [of_membership](const auto& r, const auth::Principal& who) -> absl::StatusOr<Resource> {
             MAILLAGE_RETURN_IF_ERROR(ValidateId(r.membership_id(), "membership_id"));
             MAILLAGE_RETURN_IF_ERROR(ValidateId(r.person_id(), "person_id"));
             MAILLAGE_ASSIGN_OR_RETURN(Resource res, of_membership(r.membership_id(), who));
             return Resource{.organisation_id = res.organisation_id, .person_id = r.person_id()};
           }),
       .denial = "the charter is signed by the member organisation's representative, in their "
                 "own name"},
      {.rpc = "SuspendMembership",
       .grants = animators,
       .resource = animate(v1::SuspendMembershipRequest()),
       .denial = kManage},
      {.rpc = "ReinstateMembership",
       .grants = animators,
       .resource = animate(v1::ReinstateMembershipRequest()),
       .denial = kManage},
      {.rpc = "LeaveNetwork",
       .grants = {Representative(), RoleIn({NETWORK_ROLE_ANIMATOR})},
       .resource = Resolve<v1::LeaveNetworkRequest>(
           [of_membership](const auto& r, const auth::Principal& who) {
             return of_membership(r.membership_id(), who);
           }),
       .denial = "an organisation leaves through its representatives or an animator"},
      {.rpc = "ChangeMembershipRole",
       .grants = animators,
       .resource = animate(v1::ChangeMembershipRoleRequest()),
       .denial = kManage},
      {.rpc = "GetMembership",
       .grants = {AnyRoleIn(), Representative()},
       .resource = Resolve<v1::GetMembershipRequest>(
           [of_membership](const auto& r, const auth::Principal& who) {
             return of_membership(r.membership_id(), who);
           }),
       .denial = "only members of the network see its memberships"},
      {.rpc = "ListMemberships",
       // A network's list to its members; an organisation's own list to it.
       .grants = {AnyRoleIn(), Representative()},
       .resource = Resolve<v1::ListMembershipsRequest>(
           [](const auto& r, const auth::Principal&) -> absl::StatusOr<Resource> {
             if (r.network_id().empty() && r.organisation_id().empty()) {
               return InvalidField("network_id",
                                   "one of network_id and organisation_id is required");
             }
             if (!r.network_id().empty()) return NetworkIn(r.network_id(), "network_id");
             return OrganisationIn(r.organisation_id(), "organisation_id");
           }),
       .denial = "only members of the network see its memberships"},

      // Import and export. An import without a network (creating organisations only) is
      // for platform admins.
      {.rpc = "ImportOrganisations",
       .grants = animators,
       .resource = Resolve<v1::ImportOrganisationsRequest>(
           [](const auto& r, const auth::Principal&) -> absl::StatusOr<Resource> {
             if (r.options().network_id().empty()) return Resource{};
             return NetworkIn(r.options().network_id(), "options.network_id");
           }),
       .denial = "only the network's animators import its members"},
      {.rpc = "ExportMembers",
       .grants = {RoleIn({NETWORK_ROLE_ANIMATOR, NETWORK_ROLE_BOARD})},
       .resource = Resolve<v1::ExportMembersRequest>([](const auto& r, const auth::Principal&) {
         return NetworkIn(r.network_id(), "network_id");
       }),
       .denial = "only the network's animators and board export its members"},

      // Sign-in, for the gateway, which calls as a platform admin.
      {.rpc = "ResolvePrincipal", .grants = {}, .denial = "the gateway only"},
      {.rpc = "ResolveApiKey", .grants = {}, .denial = "the gateway only"},

      // API keys: the organisation's representatives (the handlers refuse API keys).
      {.rpc = "CreateApiKey",
       .grants = {Representative()},
       .resource = Resolve<v1::CreateApiKeyRequest>([](const auto& r, const auth::Principal&) {
         return OrganisationIn(r.organisation_id(), "organisation_id");
       }),
       .denial = "only the organisation's representatives manage its API keys"},
      {.rpc = "ListApiKeys",
       .grants = {Representative()},
       .resource = Resolve<v1::ListApiKeysRequest>([](const auto& r, const auth::Principal&) {
         return OrganisationIn(r.organisation_id(), "organisation_id");
       }),
       .denial = "only the organisation's representatives manage its API keys"},
      {.rpc = "RevokeApiKey",
       .grants = {Representative()},
       .resource = Resolve<v1::RevokeApiKeyRequest>([](const auto& r, const auth::Principal&) {
         return OrganisationIn(r.organisation_id(), "organisation_id");
       }),
       .denial = "only the organisation's representatives manage its API keys"},
  };
  return authz::Table(v1::MembershipService::service_full_name(), std::move(rules));
}

}  // namespace maillage::membership
