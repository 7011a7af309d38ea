// The membership gRPC service: organisations, people, networks, charters, memberships.
//
// One final class on the callback API. Each handler returns at once: the request goes to
// the worker pool (common/server/unary.h), which authenticates the caller's signed
// principal, validates the request (membership_validation.h), checks what the principal may
// do, calls the store, and maps the absl::Status to grpc::Status once.
//
//   MembershipService service({.store = &store, .cache = &cache, .workers = &pool,
//                              .verifier = auth::PrincipalVerifier(key),
//                              .page_tokens = PageTokenCodec(DerivePageTokenKey(key))});
//   auto server = Server::Start(options, {&service});
//
// Who may do what (platform admins may do everything; the table in membership_authz.h
// holds these rules and is checked before each handler runs):
//   CreateOrganisation, CreatePerson, GetNetwork, ListNetworks   any authenticated caller
//   GetOrganisation     full profile: its representatives, animators of its networks;
//                       public profile: fellow members (or anyone if visibility is public);
//                       everyone else gets NOT_FOUND. "Its networks" are those where it is
//                       admitted (sponsored, active, suspended): an application or an
//                       invitation opens nothing (also for GetPerson, ListOrganisations and
//                       ListRepresentations)
//   UpdateOrganisation, AddEstablishment, AddRepresentation      its representatives (a person
//                       already representing another organisation only adds themselves)
//   GetPerson           the person, the organisations it represents, their animators
//   ListOrganisations   members of the network filtered on (public profiles; full for animators)
//   CreateNetwork       a representative of the animating organisation
//   UpdateNetwork, PublishCharter, Approve/Reject/Suspend/Reinstate/ChangeRole,
//   ImportOrganisations                                          the network's animators
//                       (creates organisations and people; never changes existing ones; an
//                       existing organisation is only invited)
//   ApplyForMembership, LeaveNetwork   the organisation's representatives or the animators;
//                       an animator not representing the organisation invites it (INVITED)
//   AcceptInvitation    the invited organisation's representatives
//   SponsorMembership   a representative of the sponsoring organisation
//   SignCharter         the representative who signs, for its own organisation
//   GetMembership, ListMemberships    members of the network, or the organisation itself
//   ExportMembers       the network's animators and board
// Redis holds GetOrganisation and GetNetwork answers (versioned keys, invalidated on
// change); with Redis down, reads go to PostgreSQL and writes still succeed.
#ifndef MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_SERVICE_H_
#define MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_SERVICE_H_

#include <functional>
#include <memory>

#include "absl/time/time.h"
#include "common/auth/auth.h"
#include "common/authz/authorized_unary.h"
#include "common/paging/paging.h"
#include "maillage/membership/v1/events.pb.h"
#include "maillage/membership/v1/membership.grpc.pb.h"

namespace maillage {
class WorkerPool;
}  // namespace maillage

namespace maillage::authz {
class Table;
}  // namespace maillage::authz

namespace maillage::redis {
class BytesCache;
class NearCache;
class RedisPool;
class StreamFollower;
}  // namespace maillage::redis

namespace maillage::membership {

class MembershipStore;
struct ChangeContext;

// The cached entries (kind, id) that an event of the change stream makes stale, for the
// near caches of the other replicas: an organisation's cached answer holds its profile and
// the networks that admitted it, a network's its profile and charter.
std::vector<std::pair<std::string, std::string>> CacheKeysChangedBy(
    const v1::MembershipEvent& event);

// Follows the change stream `stream` (on `pool`, which its blocking reads occupy) and drops
// from `near` what each event changed (CacheKeysChangedBy).
std::unique_ptr<redis::StreamFollower> FollowChanges(redis::RedisPool* pool, std::string stream,
                                                     redis::NearCache* near);

class MembershipService final : public v1::MembershipService::CallbackService {
 public:
  struct Dependencies {
    MembershipStore* store = nullptr;
    // Optional: without it every read goes to PostgreSQL. The Redis cache, or the near cache
    // in front of it (then followed by CacheKeysChangedBy on the change stream).
    redis::BytesCache* cache = nullptr;
    WorkerPool* workers = nullptr;
    auth::PrincipalVerifier verifier{""};
    // Signs and checks the listings' page tokens. The default key is random: tokens then
    // hold in this process only, so replicas must share a configured key.
    PageTokenCodec page_tokens;
    // Keys the API keys' hashes (common/auth/api_key.h ApiKeyHashKey of the deployment key);
    // the gateway hashes with the same.
    std::string api_key_hash_key;
    std::function<absl::Time()> clock = absl::Now;
    // Called after each committed change, e.g. to wake the outbox relay.
    std::function<void()> on_change = [] {};
  };

  explicit MembershipService(Dependencies deps);
  ~MembershipService() override;

  grpc::ServerUnaryReactor* CreateOrganisation(grpc::CallbackServerContext* ctx,
                                               const v1::CreateOrganisationRequest* req,
                                               v1::Organisation* resp) override;
  grpc::ServerUnaryReactor* GetOrganisation(grpc::CallbackServerContext* ctx,
                                            const v1::GetOrganisationRequest* req,
                                            v1::Organisation* resp) override;
  grpc::ServerUnaryReactor* UpdateOrganisation(grpc::CallbackServerContext* ctx,
                                               const v1::UpdateOrganisationRequest* req,
                                               v1::Organisation* resp) override;
  grpc::ServerUnaryReactor* ListOrganisations(grpc::CallbackServerContext* ctx,
                                              const v1::ListOrganisationsRequest* req,
                                              v1::ListOrganisationsResponse* resp) override;
  grpc::ServerUnaryReactor* AddEstablishment(grpc::CallbackServerContext* ctx,
                                             const v1::AddEstablishmentRequest* req,
                                             v1::Organisation* resp) override;
  grpc::ServerUnaryReactor* CreatePerson(grpc::CallbackServerContext* ctx,
                                         const v1::CreatePersonRequest* req,
                                         v1::Person* resp) override;
  grpc::ServerUnaryReactor* GetPerson(grpc::CallbackServerContext* ctx,
                                      const v1::GetPersonRequest* req, v1::Person* resp) override;
  grpc::ServerUnaryReactor* AddRepresentation(grpc::CallbackServerContext* ctx,
                                              const v1::AddRepresentationRequest* req,
                                              v1::Representation* resp) override;
  grpc::ServerUnaryReactor* ListRepresentations(grpc::CallbackServerContext* ctx,
                                                const v1::ListRepresentationsRequest* req,
                                                v1::ListRepresentationsResponse* resp) override;
  grpc::ServerUnaryReactor* CreateNetwork(grpc::CallbackServerContext* ctx,
                                          const v1::CreateNetworkRequest* req,
                                          v1::Network* resp) override;
  grpc::ServerUnaryReactor* GetNetwork(grpc::CallbackServerContext* ctx,
                                       const v1::GetNetworkRequest* req,
                                       v1::Network* resp) override;
  grpc::ServerUnaryReactor* UpdateNetwork(grpc::CallbackServerContext* ctx,
                                          const v1::UpdateNetworkRequest* req,
                                          v1::Network* resp) override;
  grpc::ServerUnaryReactor* ListNetworks(grpc::CallbackServerContext* ctx,
                                         const v1::ListNetworksRequest* req,
                                         v1::ListNetworksResponse* resp) override;
  grpc::ServerUnaryReactor* PublishCharter(grpc::CallbackServerContext* ctx,
                                           const v1::PublishCharterRequest* req,
                                           v1::Network* resp) override;
  grpc::ServerUnaryReactor* ApplyForMembership(grpc::CallbackServerContext* ctx,
                                               const v1::ApplyForMembershipRequest* req,
                                               v1::Membership* resp) override;
  grpc::ServerUnaryReactor* AcceptInvitation(grpc::CallbackServerContext* ctx,
                                             const v1::AcceptInvitationRequest* req,
                                             v1::Membership* resp) override;
  grpc::ServerUnaryReactor* SponsorMembership(grpc::CallbackServerContext* ctx,
                                              const v1::SponsorMembershipRequest* req,
                                              v1::Membership* resp) override;
  grpc::ServerUnaryReactor* ApproveMembership(grpc::CallbackServerContext* ctx,
                                              const v1::ApproveMembershipRequest* req,
                                              v1::Membership* resp) override;
  grpc::ServerUnaryReactor* RejectMembership(grpc::CallbackServerContext* ctx,
                                             const v1::RejectMembershipRequest* req,
                                             v1::Membership* resp) override;
  grpc::ServerUnaryReactor* SignCharter(grpc::CallbackServerContext* ctx,
                                        const v1::SignCharterRequest* req,
                                        v1::Membership* resp) override;
  grpc::ServerUnaryReactor* SuspendMembership(grpc::CallbackServerContext* ctx,
                                              const v1::SuspendMembershipRequest* req,
                                              v1::Membership* resp) override;
  grpc::ServerUnaryReactor* ReinstateMembership(grpc::CallbackServerContext* ctx,
                                                const v1::ReinstateMembershipRequest* req,
                                                v1::Membership* resp) override;
  grpc::ServerUnaryReactor* LeaveNetwork(grpc::CallbackServerContext* ctx,
                                         const v1::LeaveNetworkRequest* req,
                                         v1::Membership* resp) override;
  grpc::ServerUnaryReactor* ChangeMembershipRole(grpc::CallbackServerContext* ctx,
                                                 const v1::ChangeMembershipRoleRequest* req,
                                                 v1::Membership* resp) override;
  grpc::ServerUnaryReactor* GetMembership(grpc::CallbackServerContext* ctx,
                                          const v1::GetMembershipRequest* req,
                                          v1::Membership* resp) override;
  grpc::ServerUnaryReactor* ListMemberships(grpc::CallbackServerContext* ctx,
                                            const v1::ListMembershipsRequest* req,
                                            v1::ListMembershipsResponse* resp) override;
  grpc::ServerReadReactor<v1::ImportOrganisationsRequest>* ImportOrganisations(
      grpc::CallbackServerContext* ctx, v1::ImportReport* resp) override;
  grpc::ServerWriteReactor<v1::CsvChunk>* ExportMembers(
      grpc::CallbackServerContext* ctx, const v1::ExportMembersRequest* req) override;

  grpc::ServerUnaryReactor* ResolvePrincipal(grpc::CallbackServerContext* ctx,
                                             const v1::ResolvePrincipalRequest* req,
                                             v1::ResolvePrincipalResponse* resp) override;
  grpc::ServerUnaryReactor* CreateApiKey(grpc::CallbackServerContext* ctx,
                                         const v1::CreateApiKeyRequest* req,
                                         v1::CreatedApiKey* resp) override;
  grpc::ServerUnaryReactor* ListApiKeys(grpc::CallbackServerContext* ctx,
                                        const v1::ListApiKeysRequest* req,
                                        v1::ListApiKeysResponse* resp) override;
  grpc::ServerUnaryReactor* RevokeApiKey(grpc::CallbackServerContext* ctx,
                                         const v1::RevokeApiKeyRequest* req,
                                         v1::ApiKey* resp) override;
  grpc::ServerUnaryReactor* ResolveApiKey(grpc::CallbackServerContext* ctx,
                                          const v1::ResolveApiKeyRequest* req,
                                          v1::ResolveApiKeyResponse* resp) override;

 private:
  class ImportReactor;
  class ExportReactor;

  // Authenticates, canonicalises the ids of the request and of the principal (see
  // common/ids), then runs `fn(principal)` on the worker pool.
  template <typename Req, typename Fn>
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* ctx, const Req* req, Fn fn);

  absl::StatusOr<v1::Organisation> LoadOrganisation(const std::string& id,
                                                    std::vector<std::string>* network_ids);
  absl::StatusOr<v1::Network> LoadNetwork(const std::string& id);
  // The membership, if the caller can see it (a member of its network, or the organisation
  // itself); NOT_FOUND otherwise, as if it did not exist.
  absl::StatusOr<v1::Membership> VisibleMembership(const auth::Principal& who,
                                                   const std::string& membership_id);
  void Changed(const std::vector<std::string>& organisation_ids,
               const std::vector<std::string>& network_ids);

  Dependencies deps_;
  // Who may call each RPC (membership_authz.h), checked before every handler.
  std::unique_ptr<authz::Table> authz_;
  // What every unary call goes through (common/authz/authorized_unary.h).
  authz::CallGate gate_;
};

}  // namespace maillage::membership

#endif  // MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_SERVICE_H_
