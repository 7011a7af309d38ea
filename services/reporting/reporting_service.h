// services/reporting/reporting_service: the reporting gRPC service (reporting.proto).
//
// One final class on the callback API; ServeAuthorized (common/authz/authorized_unary.h)
// verifies the caller's principal, checks the table below and runs the handler on a
// worker, which validates the request, reads the store's read models and maps the status
// once.
//
//   ReportingService service({.store = &store, .workers = &pool,
//                             .verifier = auth::PrincipalVerifier(key)});
//
// Who may do what (platform admins everything):
//   GetIntroductionFunnel, GetNetworkGraph, GetEngagement,  the network's animators (of the
//   GetPoolingHeatmap,
//   CreateAnimationEvent, RecordAttendance                  event's network: another's
//                                                           event is NOT_FOUND)
//   ListAnimationEvents                                     members of the network
//   RegisterForEvent, CancelRegistration                    the company's representatives,
//                                                           for an event of a network it
//                                                           is an active member of
//   CreateCollectiveAction, UpdateCollectiveAction,         the network's animators (another
//   UpdateReportingSettings                                 network's action is NOT_FOUND)
//   GetCollectiveAction, ListCollectiveActions,             its animators and board
//   GetFundingBalance, GetReportingSettings
//   GetFunderReport, GetPrintableFunderReport               its animators, board and funders
//   GetPrintableNetworkReport                               its animators (it names members)
//   ImportAttendanceSheet, CreateWorkingGroup               the network's animators
//   ListWorkingGroups, GetWorkingGroup                      members of the network
//   JoinWorkingGroup, LeaveWorkingGroup                     the company's representatives, or
//                                                           the network's animators (NOT_FOUND
//                                                           for a company not in the network)
//
// Funders (NETWORK_ROLE_FUNDER) reach nothing else: "members of the network" leaves them out
// (auth::InNetwork).
#ifndef MAILLAGE_SERVICES_REPORTING_REPORTING_SERVICE_H_
#define MAILLAGE_SERVICES_REPORTING_REPORTING_SERVICE_H_

#include <functional>
#include <memory>

#include "absl/time/clock.h"
#include "common/auth/auth.h"
#include "common/authz/authorized_unary.h"
#include "common/authz/authz.h"
#include "common/paging/paging.h"
#include "maillage/reporting/v1/reporting.grpc.pb.h"

namespace maillage {
class WorkerPool;
}  // namespace maillage

namespace maillage::reporting {

class ReportingStore;

// The table ServeAuthorized checks; `network_of_event` gives an event's network (NOT_FOUND
// "event not found" when there is none), `network_of_action` an action's ("action not
// found"), `network_of_group` a working group's ("working group not found").
using NetworkOfId = std::function<absl::StatusOr<std::string>(const std::string& id)>;
authz::Table ReportingAuthzTable(NetworkOfId network_of_event, NetworkOfId network_of_action,
                                 NetworkOfId network_of_group);

class ReportingService final : public v1::ReportingService::CallbackService {
 public:
  struct Dependencies {
    ReportingStore* store = nullptr;
    WorkerPool* workers = nullptr;
    PageTokenCodec page_tokens;
    auth::PrincipalVerifier verifier{""};
    std::function<absl::Time()> clock = absl::Now;
  };

  explicit ReportingService(Dependencies deps);

  grpc::ServerUnaryReactor* GetIntroductionFunnel(grpc::CallbackServerContext* ctx,
                                                  const v1::GetIntroductionFunnelRequest* req,
                                                  v1::IntroductionFunnel* resp) override;
  grpc::ServerUnaryReactor* GetNetworkGraph(grpc::CallbackServerContext* ctx,
                                            const v1::GetNetworkGraphRequest* req,
                                            v1::NetworkGraph* resp) override;
  grpc::ServerUnaryReactor* GetEngagement(grpc::CallbackServerContext* ctx,
                                          const v1::GetEngagementRequest* req,
                                          v1::EngagementReport* resp) override;
  grpc::ServerUnaryReactor* GetPoolingHeatmap(grpc::CallbackServerContext* ctx,
                                              const v1::GetPoolingHeatmapRequest* req,
                                              v1::PoolingHeatmap* resp) override;
  grpc::ServerUnaryReactor* CreateAnimationEvent(grpc::CallbackServerContext* ctx,
                                                 const v1::CreateAnimationEventRequest* req,
                                                 v1::AnimationEvent* resp) override;
  grpc::ServerUnaryReactor* ListAnimationEvents(grpc::CallbackServerContext* ctx,
                                                const v1::ListAnimationEventsRequest* req,
                                                v1::ListAnimationEventsResponse* resp) override;
  grpc::ServerUnaryReactor* RegisterForEvent(grpc::CallbackServerContext* ctx,
                                             const v1::RegisterForEventRequest* req,
                                             v1::AnimationEvent* resp) override;
  grpc::ServerUnaryReactor* CancelRegistration(grpc::CallbackServerContext* ctx,
                                               const v1::CancelRegistrationRequest* req,
                                               v1::AnimationEvent* resp) override;
  grpc::ServerUnaryReactor* RecordAttendance(grpc::CallbackServerContext* ctx,
                                             const v1::RecordAttendanceRequest* req,
                                             v1::AnimationEvent* resp) override;

  grpc::ServerUnaryReactor* ImportAttendanceSheet(grpc::CallbackServerContext* ctx,
                                                  const v1::ImportAttendanceSheetRequest* req,
                                                  v1::AttendanceSheetImport* resp) override;

  // printable_report_handlers.cc
  grpc::ServerUnaryReactor* GetPrintableFunderReport(grpc::CallbackServerContext* ctx,
                                                     const v1::GetPrintableFunderReportRequest* req,
                                                     v1::PrintableReport* resp) override;
  grpc::ServerUnaryReactor* GetPrintableNetworkReport(
      grpc::CallbackServerContext* ctx, const v1::GetPrintableNetworkReportRequest* req,
      v1::PrintableReport* resp) override;

  // working_group_handlers.cc
  grpc::ServerUnaryReactor* CreateWorkingGroup(grpc::CallbackServerContext* ctx,
                                               const v1::CreateWorkingGroupRequest* req,
                                               v1::WorkingGroup* resp) override;
  grpc::ServerUnaryReactor* ListWorkingGroups(grpc::CallbackServerContext* ctx,
                                              const v1::ListWorkingGroupsRequest* req,
                                              v1::ListWorkingGroupsResponse* resp) override;
  grpc::ServerUnaryReactor* GetWorkingGroup(grpc::CallbackServerContext* ctx,
                                            const v1::GetWorkingGroupRequest* req,
                                            v1::WorkingGroup* resp) override;
  grpc::ServerUnaryReactor* JoinWorkingGroup(grpc::CallbackServerContext* ctx,
                                             const v1::JoinWorkingGroupRequest* req,
                                             v1::WorkingGroup* resp) override;
  grpc::ServerUnaryReactor* LeaveWorkingGroup(grpc::CallbackServerContext* ctx,
                                              const v1::LeaveWorkingGroupRequest* req,
                                              v1::WorkingGroup* resp) override;

  // collective_action_handlers.cc
  grpc::ServerUnaryReactor* CreateCollectiveAction(grpc::CallbackServerContext* ctx,
                                                   const v1::CreateCollectiveActionRequest* req,
                                                   v1::CollectiveAction* resp) override;
  grpc::ServerUnaryReactor* UpdateCollectiveAction(grpc::CallbackServerContext* ctx,
                                                   const v1::UpdateCollectiveActionRequest* req,
                                                   v1::CollectiveAction* resp) override;
  grpc::ServerUnaryReactor* GetCollectiveAction(grpc::CallbackServerContext* ctx,
                                                const v1::GetCollectiveActionRequest* req,
                                                v1::CollectiveAction* resp) override;
  grpc::ServerUnaryReactor* ListCollectiveActions(grpc::CallbackServerContext* ctx,
                                                  const v1::ListCollectiveActionsRequest* req,
                                                  v1::ListCollectiveActionsResponse* resp) override;
  grpc::ServerUnaryReactor* GetFundingBalance(grpc::CallbackServerContext* ctx,
                                              const v1::GetFundingBalanceRequest* req,
                                              v1::FundingBalance* resp) override;
  grpc::ServerUnaryReactor* GetReportingSettings(grpc::CallbackServerContext* ctx,
                                                 const v1::GetReportingSettingsRequest* req,
                                                 v1::ReportingSettings* resp) override;
  grpc::ServerUnaryReactor* UpdateReportingSettings(grpc::CallbackServerContext* ctx,
                                                    const v1::UpdateReportingSettingsRequest* req,
                                                    v1::ReportingSettings* resp) override;

  // funder_report_handlers.cc
  grpc::ServerUnaryReactor* GetFunderReport(grpc::CallbackServerContext* ctx,
                                            const v1::GetFunderReportRequest* req,
                                            v1::FunderReport* resp) override;

 private:
  // The reports, for their handlers and the printable reports (printable_report_handlers.cc),
  // the request validated there.
  absl::Status ComposeIntroductionFunnel(const v1::GetIntroductionFunnelRequest* req,
                                         v1::IntroductionFunnel* resp);
  absl::Status ComposeNetworkGraph(const v1::GetNetworkGraphRequest* req, v1::NetworkGraph* resp);
  absl::Status ComposeEngagement(const v1::GetEngagementRequest* req, v1::EngagementReport* resp);
  absl::Status ComposeFundingBalance(const v1::GetFundingBalanceRequest* req,
                                     v1::FundingBalance* resp);
  absl::Status ComposePoolingHeatmap(const v1::GetPoolingHeatmapRequest* req,
                                     v1::PoolingHeatmap* resp);
  // `actor` is recorded in the funder_report_given event.
  absl::Status ComposeFunderReport(const v1::GetFunderReportRequest* req, v1::FunderReport* resp,
                                   const std::string& actor);

  Dependencies deps_;
  std::unique_ptr<authz::Table> authz_;
  authz::CallGate gate_;
};

}  // namespace maillage::reporting

#endif  // MAILLAGE_SERVICES_REPORTING_REPORTING_SERVICE_H_
