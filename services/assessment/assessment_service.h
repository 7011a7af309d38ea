// services/assessment/assessment_service: the assessment gRPC service (assessment.proto).
//
// One final class on the callback API. Each handler returns at once; ServeAuthorized
// (common/authz/authorized_unary.h) verifies the caller's principal, checks the table below
// and runs the handler on a worker, which validates the request, calls the stores and maps
// the status once. The catalogue and matrix handlers are in assessment_service.cc, those of
// campaigns, assessments, the analysis and decisions in campaign_handlers.cc, the CSV export
// and import of answers in answers_csv_handlers.cc, the 360° diagnostic in
// diagnostic_handlers.cc.
//
//   AssessmentService service({.store = &store, .campaigns = &campaigns,
//                              .members = &directory, .analysis = &analysis,
//                              .workers = &pool, .verifier = auth::PrincipalVerifier(key)});
//
// Who may do what (platform admins everything), from the roles the principal carries. The
// network of a campaign-keyed call is the campaign's; a caller outside it gets NOT_FOUND, as
// for a campaign that does not exist:
//   ListFunctions, GetMatrix, PreviewDispositions,    members of the network (any role)
//   ListCampaigns, GetCampaign, GetCampaignAnalysis,
//   GetPoolingSettings, ListDecisions
//   AddFunction, RetireFunction, UpdateMatrix,        the network's animators
//   CreateCampaign, CloseCampaign, GetCampaignProgress,
//   UpdatePoolingSettings, RecordDecision
//   ExportCampaignAnswers, ImportCampaignAnswers,
//   SaveDiagnosticTemplate, CreateDiagnosticCampaign
//   ListDiagnosticTemplates, GetDiagnosticTemplate,   members of the network
//   ListDiagnosticCampaigns, GetDiagnosticBenchmark
//   GetDiagnostic, SubmitDiagnostic, SaveActionPlan   the company's representatives, and the
//                                                     network's animators (who may run the
//                                                     interview with the company)
//   GetAssessment                                     the company's representatives, and the
//                                                     network's animators
//   SaveAssessmentDraft, SubmitAssessment             the company's representatives, while
//                                                     it is an active member
// Members see the analysis anonymised (domain/pooling_analysis.h); animators see exact counts.
#ifndef MAILLAGE_SERVICES_ASSESSMENT_ASSESSMENT_SERVICE_H_
#define MAILLAGE_SERVICES_ASSESSMENT_ASSESSMENT_SERVICE_H_

#include <functional>
#include <memory>

#include "absl/time/clock.h"
#include "common/auth/auth.h"
#include "common/authz/authorized_unary.h"
#include "common/authz/authz.h"
#include "common/paging/paging.h"
#include "maillage/assessment/v1/assessment.grpc.pb.h"

namespace maillage {
class WorkerPool;
}  // namespace maillage

namespace maillage::assessment {

class AssessmentStore;
class CampaignStore;
class MemberDirectory;
class NetworkAnalysis;
class DiagnosticStore;
struct DiagnosticCampaignRecord;

struct AuthzHooks {
  // The network of a campaign; NOT_FOUND "campaign not found" when there is none.
  std::function<absl::StatusOr<std::string>(const std::string& campaign_id)> network_of_campaign =
      {};
  // The same for a diagnostic campaign.
  std::function<absl::StatusOr<std::string>(const std::string& campaign_id)>
      network_of_diagnostic_campaign = {};
};

// The table ServeAuthorized checks; also stated independently by the role × RPC test.
authz::Table AssessmentAuthzTable(AuthzHooks hooks);

class AssessmentService final : public v1::AssessmentService::CallbackService {
 public:
  struct Dependencies {
    AssessmentStore* store = nullptr;
    CampaignStore* campaigns = nullptr;
    MemberDirectory* members = nullptr;
    NetworkAnalysis* analysis = nullptr;
    DiagnosticStore* diagnostics = nullptr;
    WorkerPool* workers = nullptr;
    PageTokenCodec page_tokens;
    auth::PrincipalVerifier verifier{""};
    std::function<absl::Time()> clock = absl::Now;
    // Called after a change committed (wakes the outbox relay).
    std::function<void()> on_change = [] {};
  };

  explicit AssessmentService(Dependencies deps);

  grpc::ServerUnaryReactor* ListFunctions(grpc::CallbackServerContext* ctx,
                                          const v1::ListFunctionsRequest* req,
                                          v1::ListFunctionsResponse* resp) override;
  grpc::ServerUnaryReactor* AddFunction(grpc::CallbackServerContext* ctx,
                                        const v1::AddFunctionRequest* req,
                                        v1::SupportFunction* resp) override;
  grpc::ServerUnaryReactor* RetireFunction(grpc::CallbackServerContext* ctx,
                                           const v1::RetireFunctionRequest* req,
                                           v1::SupportFunction* resp) override;
  grpc::ServerUnaryReactor* GetMatrix(grpc::CallbackServerContext* ctx,
                                      const v1::GetMatrixRequest* req, v1::Matrix* resp) override;
  grpc::ServerUnaryReactor* UpdateMatrix(grpc::CallbackServerContext* ctx,
                                         const v1::UpdateMatrixRequest* req,
                                         v1::Matrix* resp) override;
  grpc::ServerUnaryReactor* PreviewDispositions(grpc::CallbackServerContext* ctx,
                                                const v1::PreviewDispositionsRequest* req,
                                                v1::PreviewDispositionsResponse* resp) override;

  grpc::ServerUnaryReactor* CreateCampaign(grpc::CallbackServerContext* ctx,
                                           const v1::CreateCampaignRequest* req,
                                           v1::Campaign* resp) override;
  grpc::ServerUnaryReactor* ListCampaigns(grpc::CallbackServerContext* ctx,
                                          const v1::ListCampaignsRequest* req,
                                          v1::ListCampaignsResponse* resp) override;
  grpc::ServerUnaryReactor* GetCampaign(grpc::CallbackServerContext* ctx,
                                        const v1::GetCampaignRequest* req,
                                        v1::Campaign* resp) override;
  grpc::ServerUnaryReactor* CloseCampaign(grpc::CallbackServerContext* ctx,
                                          const v1::CloseCampaignRequest* req,
                                          v1::Campaign* resp) override;
  grpc::ServerUnaryReactor* GetCampaignProgress(grpc::CallbackServerContext* ctx,
                                                const v1::GetCampaignProgressRequest* req,
                                                v1::CampaignProgress* resp) override;
  grpc::ServerUnaryReactor* GetAssessment(grpc::CallbackServerContext* ctx,
                                          const v1::GetAssessmentRequest* req,
                                          v1::Assessment* resp) override;
  grpc::ServerUnaryReactor* SaveAssessmentDraft(grpc::CallbackServerContext* ctx,
                                                const v1::SaveAssessmentDraftRequest* req,
                                                v1::Assessment* resp) override;
  grpc::ServerUnaryReactor* SubmitAssessment(grpc::CallbackServerContext* ctx,
                                             const v1::SubmitAssessmentRequest* req,
                                             v1::Assessment* resp) override;
  grpc::ServerUnaryReactor* GetCampaignAnalysis(grpc::CallbackServerContext* ctx,
                                                const v1::GetCampaignAnalysisRequest* req,
                                                v1::CampaignAnalysis* resp) override;
  grpc::ServerUnaryReactor* GetPoolingSettings(grpc::CallbackServerContext* ctx,
                                               const v1::GetPoolingSettingsRequest* req,
                                               v1::PoolingThresholds* resp) override;
  grpc::ServerUnaryReactor* UpdatePoolingSettings(grpc::CallbackServerContext* ctx,
                                                  const v1::UpdatePoolingSettingsRequest* req,
                                                  v1::PoolingThresholds* resp) override;
  grpc::ServerUnaryReactor* RecordDecision(grpc::CallbackServerContext* ctx,
                                           const v1::RecordDecisionRequest* req,
                                           v1::PoolingDecision* resp) override;
  grpc::ServerUnaryReactor* ListDecisions(grpc::CallbackServerContext* ctx,
                                          const v1::ListDecisionsRequest* req,
                                          v1::ListDecisionsResponse* resp) override;
  grpc::ServerWriteReactor<v1::CsvChunk>* ExportCampaignAnswers(
      grpc::CallbackServerContext* ctx, const v1::ExportCampaignAnswersRequest* req) override;
  grpc::ServerUnaryReactor* ImportCampaignAnswers(grpc::CallbackServerContext* ctx,
                                                  const v1::ImportCampaignAnswersRequest* req,
                                                  v1::ImportAnswersReport* resp) override;

  grpc::ServerUnaryReactor* ListDiagnosticTemplates(
      grpc::CallbackServerContext* ctx, const v1::ListDiagnosticTemplatesRequest* req,
      v1::ListDiagnosticTemplatesResponse* resp) override;
  grpc::ServerUnaryReactor* GetDiagnosticTemplate(grpc::CallbackServerContext* ctx,
                                                  const v1::GetDiagnosticTemplateRequest* req,
                                                  v1::DiagnosticTemplate* resp) override;
  grpc::ServerUnaryReactor* SaveDiagnosticTemplate(grpc::CallbackServerContext* ctx,
                                                   const v1::SaveDiagnosticTemplateRequest* req,
                                                   v1::DiagnosticTemplate* resp) override;
  grpc::ServerUnaryReactor* CreateDiagnosticCampaign(grpc::CallbackServerContext* ctx,
                                                     const v1::CreateDiagnosticCampaignRequest* req,
                                                     v1::DiagnosticCampaign* resp) override;
  grpc::ServerUnaryReactor* ListDiagnosticCampaigns(
      grpc::CallbackServerContext* ctx, const v1::ListDiagnosticCampaignsRequest* req,
      v1::ListDiagnosticCampaignsResponse* resp) override;
  grpc::ServerUnaryReactor* GetDiagnostic(grpc::CallbackServerContext* ctx,
                                          const v1::GetDiagnosticRequest* req,
                                          v1::CompanyDiagnostic* resp) override;
  grpc::ServerUnaryReactor* SubmitDiagnostic(grpc::CallbackServerContext* ctx,
                                             const v1::SubmitDiagnosticRequest* req,
                                             v1::CompanyDiagnostic* resp) override;
  grpc::ServerUnaryReactor* SaveActionPlan(grpc::CallbackServerContext* ctx,
                                           const v1::SaveActionPlanRequest* req,
                                           v1::CompanyDiagnostic* resp) override;
  grpc::ServerUnaryReactor* GetDiagnosticBenchmark(grpc::CallbackServerContext* ctx,
                                                   const v1::GetDiagnosticBenchmarkRequest* req,
                                                   v1::DiagnosticBenchmark* resp) override;

 private:
  // Answers checked against the campaign (scope, levels, texts, figures), dispositions
  // decided by the campaign's matrix; `submit` requires both levels of every answer.
  absl::StatusOr<v1::Assessment> Answered(
      const v1::Campaign& campaign,
      const google::protobuf::RepeatedPtrField<v1::FunctionAnswer>& answers, bool submit);
  // INVALID_ARGUMENT on organisation_id unless it is an active member of the network.
  absl::Status CheckParticipant(const v1::Campaign& campaign, const std::string& organisation_id);
  struct ExportState;
  // The export's next chunk (its first: the checks and the header); false at the end.
  absl::StatusOr<bool> NextExportChunk(ExportState& state, v1::CsvChunk* out);
  // INVALID_ARGUMENT on organisation_id unless it takes part in the diagnostic campaign.
  absl::Status CheckDiagnosticParticipant(const DiagnosticCampaignRecord& record,
                                          const std::string& organisation_id);
  // The campaign's median and quartiles per dimension, as `diagnostic` shows them.
  absl::Status AddBenchmark(const DiagnosticCampaignRecord& record,
                            v1::CompanyDiagnostic* diagnostic);

  Dependencies deps_;
  std::unique_ptr<authz::Table> authz_;
  authz::CallGate gate_;
};

}  // namespace maillage::assessment

#endif  // MAILLAGE_SERVICES_ASSESSMENT_ASSESSMENT_SERVICE_H_
