// services/matching/matching_service: the matching gRPC service (matching.proto).
//
// One final class on the callback API. Each handler returns at once; ServeAuthorized
// (common/authz/authorized_unary.h) verifies the caller's principal, checks the table below
// and runs the handler on a worker, which validates the request, calls the store or this
// replica's partner index, and maps the status once.
//
//   MatchingService service({.store = &store, .index = &index, .vocabulary = &vocabulary,
//                            .workers = &pool, .verifier = auth::PrincipalVerifier(key)});
//
// Who may do what (platform admins everything), from the roles the principal carries:
//   ListCompetencies                                   any signed-in caller
//   CreateDeclaration, UpdateDeclaration,              the company's representatives (the
//   WithdrawDeclaration, RenewDeclaration,             company of a declaration is its
//   BlockOrganisation, UnblockOrganisation,            owner's; another's is NOT_FOUND)
//   ListBlocks
//   ListDeclarations                                   the company's representatives (all of
//                                                      it), or members of the network asked
//                                                      (its active members' live offers and
//                                                      needs not marked confidential)
//   SuggestPartners                                    the company's representatives, or the
//                                                      animators of the network asked
//   FindProviders, BuildConsortium,                    members of the network (any role)
//   GetMatchingSettings
//   ListExpiringDeclarations, FindExchangeCycles,      the network's animators
//   UpdateMatchingSettings
//   RequestIntroduction                                the requester's representatives
//   RespondToIntroduction                              the recipient's representatives
//   GetIntroduction, RecordIntroductionOutcome         either side's representatives, or the
//                                                      animators of its network
//   ListIntroductions                                  a company's representatives (its own),
//                                                      or a network's animators (all of it)
#ifndef MAILLAGE_SERVICES_MATCHING_MATCHING_SERVICE_H_
#define MAILLAGE_SERVICES_MATCHING_MATCHING_SERVICE_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "common/auth/auth.h"
#include "common/authz/authorized_unary.h"
#include "common/authz/authz.h"
#include "common/paging/paging.h"
#include "maillage/matching/v1/matching.grpc.pb.h"

namespace maillage {
class WorkerPool;
}  // namespace maillage

namespace maillage::matching {

class MatchingStore;
class ProfileIndex;
class Vocabulary;

struct AuthzHooks {
  // The company owning a declaration; NOT_FOUND "declaration not found" when there is none.
  std::function<absl::StatusOr<std::string>(const std::string& declaration_id)> owner_of = {};
  // An introduction's network, requester and recipient; NOT_FOUND when there is none.
  std::function<absl::StatusOr<v1::Introduction>(const std::string& introduction_id)> introduction =
      {};
};

// The table ServeAuthorized checks; also stated independently by the role × RPC test.
authz::Table MatchingAuthzTable(AuthzHooks hooks);

class MatchingService final : public v1::MatchingService::CallbackService {
 public:
  struct Dependencies {
    MatchingStore* store = nullptr;
    ProfileIndex* index = nullptr;
    const Vocabulary* vocabulary = nullptr;
    WorkerPool* workers = nullptr;
    PageTokenCodec page_tokens;
    auth::PrincipalVerifier verifier{""};
    std::function<absl::Time()> clock = absl::Now;
    // Called after a change committed (wakes the outbox relay).
    std::function<void()> on_change = [] {};
    // Called after an organisation's declarations changed: this replica reloads its
    // profile at once (the others on the stream's profile_changed).
    std::function<void(const std::string& organisation_id)> on_profile_change =
        [](const std::string&) {};
  };

  explicit MatchingService(Dependencies deps);

  grpc::ServerUnaryReactor* ListCompetencies(grpc::CallbackServerContext* ctx,
                                             const v1::ListCompetenciesRequest* req,
                                             v1::ListCompetenciesResponse* resp) override;
  grpc::ServerUnaryReactor* CreateDeclaration(grpc::CallbackServerContext* ctx,
                                              const v1::CreateDeclarationRequest* req,
                                              v1::Declaration* resp) override;
  grpc::ServerUnaryReactor* UpdateDeclaration(grpc::CallbackServerContext* ctx,
                                              const v1::UpdateDeclarationRequest* req,
                                              v1::Declaration* resp) override;
  grpc::ServerUnaryReactor* WithdrawDeclaration(grpc::CallbackServerContext* ctx,
                                                const v1::WithdrawDeclarationRequest* req,
                                                v1::Declaration* resp) override;
  grpc::ServerUnaryReactor* RenewDeclaration(grpc::CallbackServerContext* ctx,
                                             const v1::RenewDeclarationRequest* req,
                                             v1::Declaration* resp) override;
  grpc::ServerUnaryReactor* ListDeclarations(grpc::CallbackServerContext* ctx,
                                             const v1::ListDeclarationsRequest* req,
                                             v1::ListDeclarationsResponse* resp) override;
  grpc::ServerUnaryReactor* ListExpiringDeclarations(
      grpc::CallbackServerContext* ctx, const v1::ListExpiringDeclarationsRequest* req,
      v1::ListExpiringDeclarationsResponse* resp) override;
  grpc::ServerUnaryReactor* SuggestPartners(grpc::CallbackServerContext* ctx,
                                            const v1::SuggestPartnersRequest* req,
                                            v1::SuggestPartnersResponse* resp) override;
  grpc::ServerUnaryReactor* FindProviders(grpc::CallbackServerContext* ctx,
                                          const v1::FindProvidersRequest* req,
                                          v1::FindProvidersResponse* resp) override;
  grpc::ServerUnaryReactor* BuildConsortium(grpc::CallbackServerContext* ctx,
                                            const v1::BuildConsortiumRequest* req,
                                            v1::Consortium* resp) override;
  grpc::ServerUnaryReactor* FindExchangeCycles(grpc::CallbackServerContext* ctx,
                                               const v1::FindExchangeCyclesRequest* req,
                                               v1::FindExchangeCyclesResponse* resp) override;
  grpc::ServerUnaryReactor* BlockOrganisation(grpc::CallbackServerContext* ctx,
                                              const v1::BlockOrganisationRequest* req,
                                              v1::Block* resp) override;
  grpc::ServerUnaryReactor* UnblockOrganisation(grpc::CallbackServerContext* ctx,
                                                const v1::UnblockOrganisationRequest* req,
                                                v1::UnblockOrganisationResponse* resp) override;
  grpc::ServerUnaryReactor* ListBlocks(grpc::CallbackServerContext* ctx,
                                       const v1::ListBlocksRequest* req,
                                       v1::ListBlocksResponse* resp) override;
  grpc::ServerUnaryReactor* RequestIntroduction(grpc::CallbackServerContext* ctx,
                                                const v1::RequestIntroductionRequest* req,
                                                v1::Introduction* resp) override;
  grpc::ServerUnaryReactor* RespondToIntroduction(grpc::CallbackServerContext* ctx,
                                                  const v1::RespondToIntroductionRequest* req,
                                                  v1::Introduction* resp) override;
  grpc::ServerUnaryReactor* RecordIntroductionOutcome(
      grpc::CallbackServerContext* ctx, const v1::RecordIntroductionOutcomeRequest* req,
      v1::Introduction* resp) override;
  grpc::ServerUnaryReactor* GetIntroduction(grpc::CallbackServerContext* ctx,
                                            const v1::GetIntroductionRequest* req,
                                            v1::Introduction* resp) override;
  grpc::ServerUnaryReactor* ListIntroductions(grpc::CallbackServerContext* ctx,
                                              const v1::ListIntroductionsRequest* req,
                                              v1::ListIntroductionsResponse* resp) override;
  grpc::ServerUnaryReactor* GetMatchingSettings(grpc::CallbackServerContext* ctx,
                                                const v1::GetMatchingSettingsRequest* req,
                                                v1::MatchingSettings* resp) override;
  grpc::ServerUnaryReactor* UpdateMatchingSettings(grpc::CallbackServerContext* ctx,
                                                   const v1::UpdateMatchingSettingsRequest* req,
                                                   v1::MatchingSettings* resp) override;

 private:
  // The declaration's committed change: the relay woken, this replica's index updated.
  void Changed(const std::string& organisation_id);

  Dependencies deps_;
  std::unique_ptr<authz::Table> authz_;
  authz::CallGate gate_;
};

}  // namespace maillage::matching

#endif  // MAILLAGE_SERVICES_MATCHING_MATCHING_SERVICE_H_
