#include "services/membership/membership_service.h"

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
#include "common/server/request_parsing.h"
#include "common/server/unary.h"
#include "common/server/worker_pool.h"
#include "common/status/status.h"
#include "membership_cache.pb.h"
#include "services/membership/csv_import.h"
#include "services/membership/domain/identifiers.h"
#include "services/membership/domain/membership_rules.h"
#include "services/membership/membership_authz.h"
#include "services/membership/membership_store.h"
#include "services/membership/membership_validation.h"
#include "services/membership/service_internal.h"

// MembershipService: change propagation, cached loads and shared visibility checks; the handlers
// are in *_handlers.cc, one file per aggregate.

namespace maillage::membership {

using namespace service_internal;  // NOLINT(build/namespaces): the handlers' own helpers

std::vector<std::pair<std::string, std::string>> CacheKeysChangedBy(
    const v1::MembershipEvent& event) {
  switch (event.kind_case()) {
    case v1::MembershipEvent::kOrganisationCreated:
      return {{kOrganisationKind, event.organisation_created().organisation().organisation_id()}};
    case v1::MembershipEvent::kOrganisationUpdated:
      return {{kOrganisationKind, event.organisation_updated().organisation().organisation_id()}};
    case v1::MembershipEvent::kSirenChanged:
      return {{kOrganisationKind, event.siren_changed().organisation_id()}};
    case v1::MembershipEvent::kNetworkCreated:
      return {{kNetworkKind, event.network_created().network().network_id()}};
    case v1::MembershipEvent::kNetworkUpdated:
      return {{kNetworkKind, event.network_updated().network().network_id()}};
    case v1::MembershipEvent::kMembershipChanged:
      // Admission or departure changes which networks see the organisation.
      return {{kOrganisationKind, event.membership_changed().membership().organisation_id()}};
    case v1::MembershipEvent::kCharterSigned:
      return {{kOrganisationKind, event.charter_signed().organisation_id()}};
    case v1::MembershipEvent::kApiKeyRevoked:  // no cached answer holds keys
    case v1::MembershipEvent::KIND_NOT_SET:
      break;
  }
  return {};
}

std::unique_ptr<redis::StreamFollower> FollowChanges(redis::RedisPool* pool, std::string stream,
                                                     redis::NearCache* near) {
  return std::make_unique<redis::StreamFollower>(
      pool, std::move(stream),
      [near](const redis::StreamFollower::Fields& fields) {
        for (const auto& [name, value] : fields) {
          v1::MembershipEvent event;
          if (name != "payload" || !event.ParseFromString(value)) continue;
          for (const auto& [kind, id] : CacheKeysChangedBy(event)) near->InvalidateLocal(kind, id);
        }
      },
      near);
}

MembershipService::MembershipService(Dependencies deps)
    : deps_(std::move(deps)),
      authz_(std::make_unique<authz::Table>(MembershipAuthzTable({
          .visible_membership = [this](
                                    const Principal& who,
                                    const std::string& id) { return VisibleMembership(who, id); },
          .networks_of = [this](const std::string& id) { return deps_.store->NetworksOf(id); },
          .organisations_represented_by =
              [this](const std::string& id) { return deps_.store->OrganisationsRepresentedBy(id); },
      }))),
      gate_{.verifier = &deps_.verifier,
            .clock = deps_.clock,
            .workers = deps_.workers,
            .table = authz_.get()} {
  // Requests that are not valid protobuf get INVALID_ARGUMENT (common/server/request_parsing.h);
  // membership_transport_test sends one to every unary method, so a new one must be listed.
  CheckRequestParsing(this, &MembershipService::CreateOrganisation);
  CheckRequestParsing(this, &MembershipService::GetOrganisation);
  CheckRequestParsing(this, &MembershipService::UpdateOrganisation);
  CheckRequestParsing(this, &MembershipService::ListOrganisations);
  CheckRequestParsing(this, &MembershipService::AddEstablishment);
  CheckRequestParsing(this, &MembershipService::CreatePerson);
  CheckRequestParsing(this, &MembershipService::GetPerson);
  CheckRequestParsing(this, &MembershipService::AddRepresentation);
  CheckRequestParsing(this, &MembershipService::ListRepresentations);
  CheckRequestParsing(this, &MembershipService::CreateNetwork);
  CheckRequestParsing(this, &MembershipService::GetNetwork);
  CheckRequestParsing(this, &MembershipService::UpdateNetwork);
  CheckRequestParsing(this, &MembershipService::ListNetworks);
  CheckRequestParsing(this, &MembershipService::PublishCharter);
  CheckRequestParsing(this, &MembershipService::ApplyForMembership);
  CheckRequestParsing(this, &MembershipService::AcceptInvitation);
  CheckRequestParsing(this, &MembershipService::SponsorMembership);
  CheckRequestParsing(this, &MembershipService::ApproveMembership);
  CheckRequestParsing(this, &MembershipService::RejectMembership);
  CheckRequestParsing(this, &MembershipService::SignCharter);
  CheckRequestParsing(this, &MembershipService::SuspendMembership);
  CheckRequestParsing(this, &MembershipService::ReinstateMembership);
  CheckRequestParsing(this, &MembershipService::LeaveNetwork);
  CheckRequestParsing(this, &MembershipService::ChangeMembershipRole);
  CheckRequestParsing(this, &MembershipService::GetMembership);
  CheckRequestParsing(this, &MembershipService::ListMemberships);
  CheckRequestParsing(this, &MembershipService::ExportMembers);
  CheckRequestParsing(this, &MembershipService::ResolvePrincipal);
  CheckRequestParsing(this, &MembershipService::CreateApiKey);
  CheckRequestParsing(this, &MembershipService::ListApiKeys);
  CheckRequestParsing(this, &MembershipService::RevokeApiKey);
  CheckRequestParsing(this, &MembershipService::ResolveApiKey);
}
MembershipService::~MembershipService() = default;

void MembershipService::Changed(const std::vector<std::string>& organisation_ids,
                                const std::vector<std::string>& network_ids) {
  if (deps_.cache != nullptr) {
    for (const std::string& id : organisation_ids) deps_.cache->Invalidate(kOrganisationKind, id);
    for (const std::string& id : network_ids) deps_.cache->Invalidate(kNetworkKind, id);
  }
  deps_.on_change();
}

absl::StatusOr<v1::Organisation> MembershipService::LoadOrganisation(
    const std::string& id, std::vector<std::string>* network_ids) {
  auto load = [&]() -> absl::StatusOr<std::string> {
    internal::CachedOrganisation cached;
    MAILLAGE_ASSIGN_OR_RETURN(auto found, deps_.store->GetOrganisationWithNetworks(id));
    *cached.mutable_organisation() = std::move(found.first);
    for (std::string& n : found.second) cached.add_network_ids(std::move(n));
    return cached.SerializeAsString();
  };
  // A near-cache hit shares one decoded record: copying it costs less than parsing it.
  MAILLAGE_ASSIGN_OR_RETURN(
      std::shared_ptr<const internal::CachedOrganisation> cached,
      redis::GetMessage<internal::CachedOrganisation>(deps_.cache, kOrganisationKind, id, load));
  network_ids->assign(cached->network_ids().begin(), cached->network_ids().end());
  return cached->organisation();
}

absl::StatusOr<v1::Network> MembershipService::LoadNetwork(const std::string& id) {
  auto load = [&]() -> absl::StatusOr<std::string> {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Network n, deps_.store->GetNetwork(id));
    return n.SerializeAsString();
  };
  MAILLAGE_ASSIGN_OR_RETURN(std::shared_ptr<const v1::Network> n,
                            redis::GetMessage<v1::Network>(deps_.cache, kNetworkKind, id, load));
  return *n;
}

absl::StatusOr<v1::Membership> MembershipService::VisibleMembership(
    const Principal& who, const std::string& membership_id) {
  MAILLAGE_RETURN_IF_ERROR(ValidateId(membership_id, "membership_id"));
  MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, deps_.store->GetMembership(membership_id));
  // Outside the network a membership is indistinguishable from an absent one: neither its
  // state nor the network's admission policy is revealed.
  if (!auth::InNetwork(who, m.network_id()) && !auth::ActsFor(who, m.organisation_id())) {
    return absl::NotFoundError(absl::StrCat("membership ", membership_id, " not found"));
  }
  return m;
}

}  // namespace maillage::membership
