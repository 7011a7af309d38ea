#include "services/assessment/assessment_service.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/server/request_parsing.h"
#include "common/status/status.h"
#include "common/validation/validation.h"
#include "services/assessment/assessment_store.h"
#include "services/assessment/campaign_store.h"
#include "services/assessment/diagnostic_store.h"
#include "services/assessment/domain/catalogue.h"
#include "services/assessment/domain/matrix.h"
#include "services/assessment/handler_support.h"

namespace maillage::assessment {
namespace {

using auth::Principal;
using auth::v1::NETWORK_ROLE_ANIMATOR;

constexpr int kMaxPreviewAnswers = 200;

// Every RPC acts on the network its request names.
// Campaign-keyed RPCs act on the campaign's network (and organisation, when named).
using NetworkOfCampaign = std::function<absl::StatusOr<std::string>(const std::string&)>;

template <typename Req>
authz::Resolver CampaignOf(NetworkOfCampaign network_of, bool with_organisation) {
  return authz::Resolve<Req>(
      [network_of, with_organisation](const Req& r,
                                      const Principal&) -> absl::StatusOr<authz::Resource> {
        MAILLAGE_RETURN_IF_ERROR(ValidateId(r.campaign_id(), "campaign_id"));
        authz::Resource resource;
        if constexpr (requires { r.organisation_id(); }) {
          if (with_organisation) {
            MAILLAGE_RETURN_IF_ERROR(ValidateId(r.organisation_id(), "organisation_id"));
            resource.organisation_id = r.organisation_id();
          }
        }
        MAILLAGE_ASSIGN_OR_RETURN(resource.network_id, network_of(r.campaign_id()));
        return resource;
      });
}

}  // namespace

authz::Table AssessmentAuthzTable(AuthzHooks hooks) {
  const std::vector<authz::Grant> members = {authz::AnyRoleIn()};
  const std::vector<authz::Grant> animators = {authz::RoleIn({NETWORK_ROLE_ANIMATOR})};
  const std::vector<authz::Grant> company = {authz::Representative()};
  const std::vector<authz::Grant> company_or_animators = {authz::Representative(),
                                                          authz::RoleIn({NETWORK_ROLE_ANIMATOR})};
  constexpr char kNoCampaign[] = "campaign not found";
  return authz::Table(
      std::string(v1::AssessmentService::service_full_name()),
      {
          {.rpc = "ListFunctions",
           .grants = members,
           .resource = authz::NetworkIdOf<v1::ListFunctionsRequest>(),
           .denial = "only members of the network see its functions"},
          {.rpc = "AddFunction",
           .grants = animators,
           .resource = authz::NetworkIdOf<v1::AddFunctionRequest>(),
           .denial = "only the network's animators edit its functions"},
          {.rpc = "RetireFunction",
           .grants = animators,
           .resource = authz::NetworkIdOf<v1::RetireFunctionRequest>(),
           .denial = "only the network's animators edit its functions"},
          {.rpc = "GetMatrix",
           .grants = members,
           .resource = authz::NetworkIdOf<v1::GetMatrixRequest>(),
           .denial = "only members of the network see its matrix"},
          {.rpc = "UpdateMatrix",
           .grants = animators,
           .resource = authz::NetworkIdOf<v1::UpdateMatrixRequest>(),
           .denial = "only the network's animators edit its matrix"},
          {.rpc = "PreviewDispositions",
           .grants = members,
           .resource = authz::NetworkIdOf<v1::PreviewDispositionsRequest>(),
           .denial = "only members of the network use its matrix"},
          {.rpc = "CreateCampaign",
           .grants = animators,
           .resource = authz::NetworkIdOf<v1::CreateCampaignRequest>(),
           .denial = "only the network's animators open campaigns"},
          {.rpc = "ListCampaigns",
           .grants = members,
           .resource = authz::NetworkIdOf<v1::ListCampaignsRequest>(),
           .denial = "only members of the network see its campaigns"},
          {.rpc = "GetCampaign",
           .grants = members,
           .resource = CampaignOf<v1::GetCampaignRequest>(hooks.network_of_campaign, false),
           .denial = kNoCampaign,
           .hide = true},
          {.rpc = "CloseCampaign",
           .grants = animators,
           .resource = CampaignOf<v1::CloseCampaignRequest>(hooks.network_of_campaign, false),
           .denial = kNoCampaign,
           .hide = true},
          {.rpc = "GetCampaignProgress",
           .grants = animators,
           .resource = CampaignOf<v1::GetCampaignProgressRequest>(hooks.network_of_campaign, false),
           .denial = kNoCampaign,
           .hide = true},
          {.rpc = "GetAssessment",
           .grants = company_or_animators,
           .resource = CampaignOf<v1::GetAssessmentRequest>(hooks.network_of_campaign, true),
           .denial = "assessment not found",
           .hide = true},
          {.rpc = "SaveAssessmentDraft",
           .grants = company,
           .resource = CampaignOf<v1::SaveAssessmentDraftRequest>(hooks.network_of_campaign, true),
           .denial = "assessment not found",
           .hide = true},
          {.rpc = "SubmitAssessment",
           .grants = company,
           .resource = CampaignOf<v1::SubmitAssessmentRequest>(hooks.network_of_campaign, true),
           .denial = "assessment not found",
           .hide = true},
          {.rpc = "GetCampaignAnalysis",
           .grants = members,
           .resource = CampaignOf<v1::GetCampaignAnalysisRequest>(hooks.network_of_campaign, false),
           .denial = kNoCampaign,
           .hide = true},
          {.rpc = "GetPoolingSettings",
           .grants = members,
           .resource = authz::NetworkIdOf<v1::GetPoolingSettingsRequest>(),
           .denial = "only members of the network see its settings"},
          {.rpc = "UpdatePoolingSettings",
           .grants = animators,
           .resource = authz::NetworkIdOf<v1::UpdatePoolingSettingsRequest>(),
           .denial = "only the network's animators change its settings"},
          {.rpc = "RecordDecision",
           .grants = animators,
           .resource = CampaignOf<v1::RecordDecisionRequest>(hooks.network_of_campaign, false),
           .denial = kNoCampaign,
           .hide = true},
          {.rpc = "ListDecisions",
           .grants = members,
           .resource = CampaignOf<v1::ListDecisionsRequest>(hooks.network_of_campaign, false),
           .denial = kNoCampaign,
           .hide = true},
          {.rpc = "ExportCampaignAnswers",
           .grants = animators,
           .resource =
               CampaignOf<v1::ExportCampaignAnswersRequest>(hooks.network_of_campaign, false),
           .denial = kNoCampaign,
           .hide = true},
          {.rpc = "ImportCampaignAnswers",
           .grants = animators,
           .resource =
               CampaignOf<v1::ImportCampaignAnswersRequest>(hooks.network_of_campaign, false),
           .denial = kNoCampaign,
           .hide = true},
          {.rpc = "ListDiagnosticTemplates",
           .grants = members,
           .resource = authz::NetworkIdOf<v1::ListDiagnosticTemplatesRequest>(),
           .denial = "only members of the network see its questionnaires"},
          {.rpc = "GetDiagnosticTemplate",
           .grants = members,
           .resource = authz::NetworkIdOf<v1::GetDiagnosticTemplateRequest>(),
           .denial = "only members of the network see its questionnaires"},
          {.rpc = "SaveDiagnosticTemplate",
           .grants = animators,
           .resource = authz::NetworkIdOf<v1::SaveDiagnosticTemplateRequest>(),
           .denial = "only the network's animators edit its questionnaires"},
          {.rpc = "CreateDiagnosticCampaign",
           .grants = animators,
           .resource = authz::NetworkIdOf<v1::CreateDiagnosticCampaignRequest>(),
           .denial = "only the network's animators open campaigns"},
          {.rpc = "ListDiagnosticCampaigns",
           .grants = members,
           .resource = authz::NetworkIdOf<v1::ListDiagnosticCampaignsRequest>(),
           .denial = "only members of the network see its campaigns"},
          {.rpc = "GetDiagnostic",
           .grants = company_or_animators,
           .resource =
               CampaignOf<v1::GetDiagnosticRequest>(hooks.network_of_diagnostic_campaign, true),
           .denial = "diagnostic not found",
           .hide = true},
          {.rpc = "SubmitDiagnostic",
           .grants = company_or_animators,
           .resource =
               CampaignOf<v1::SubmitDiagnosticRequest>(hooks.network_of_diagnostic_campaign, true),
           .denial = "diagnostic not found",
           .hide = true},
          {.rpc = "SaveActionPlan",
           .grants = company_or_animators,
           .resource =
               CampaignOf<v1::SaveActionPlanRequest>(hooks.network_of_diagnostic_campaign, true),
           .denial = "diagnostic not found",
           .hide = true},
          {.rpc = "GetDiagnosticBenchmark",
           .grants = members,
           .resource = CampaignOf<v1::GetDiagnosticBenchmarkRequest>(
               hooks.network_of_diagnostic_campaign, false),
           .denial = kNoCampaign,
           .hide = true},
      });
}

AssessmentService::AssessmentService(Dependencies deps)
    : deps_(std::move(deps)),
      authz_(std::make_unique<authz::Table>(AssessmentAuthzTable(
          {.network_of_campaign = [this](const std::string& id) -> absl::StatusOr<std::string> {
             absl::StatusOr<v1::Campaign> c = deps_.campaigns->Campaign(id);
             if (!c.ok()) return c.status();
             return c->network_id();
           },
           .network_of_diagnostic_campaign =
               [this](const std::string& id) -> absl::StatusOr<std::string> {
             absl::StatusOr<DiagnosticCampaignRecord> c = deps_.diagnostics->Campaign(id);
             if (!c.ok()) return c.status();
             return c->campaign.network_id();
           }}))),
      gate_{.verifier = &deps_.verifier,
            .clock = deps_.clock,
            .workers = deps_.workers,
            .table = authz_.get()} {
  CheckRequestParsing(this, &AssessmentService::ListFunctions);
  CheckRequestParsing(this, &AssessmentService::AddFunction);
  CheckRequestParsing(this, &AssessmentService::RetireFunction);
  CheckRequestParsing(this, &AssessmentService::GetMatrix);
  CheckRequestParsing(this, &AssessmentService::UpdateMatrix);
  CheckRequestParsing(this, &AssessmentService::PreviewDispositions);
  CheckRequestParsing(this, &AssessmentService::CreateCampaign);
  CheckRequestParsing(this, &AssessmentService::ListCampaigns);
  CheckRequestParsing(this, &AssessmentService::GetCampaign);
  CheckRequestParsing(this, &AssessmentService::CloseCampaign);
  CheckRequestParsing(this, &AssessmentService::GetCampaignProgress);
  CheckRequestParsing(this, &AssessmentService::GetAssessment);
  CheckRequestParsing(this, &AssessmentService::SaveAssessmentDraft);
  CheckRequestParsing(this, &AssessmentService::SubmitAssessment);
  CheckRequestParsing(this, &AssessmentService::GetCampaignAnalysis);
  CheckRequestParsing(this, &AssessmentService::GetPoolingSettings);
  CheckRequestParsing(this, &AssessmentService::UpdatePoolingSettings);
  CheckRequestParsing(this, &AssessmentService::RecordDecision);
  CheckRequestParsing(this, &AssessmentService::ListDecisions);
  CheckRequestParsing(this, &AssessmentService::ExportCampaignAnswers);
  CheckRequestParsing(this, &AssessmentService::ImportCampaignAnswers);
  CheckRequestParsing(this, &AssessmentService::ListDiagnosticTemplates);
  CheckRequestParsing(this, &AssessmentService::GetDiagnosticTemplate);
  CheckRequestParsing(this, &AssessmentService::SaveDiagnosticTemplate);
  CheckRequestParsing(this, &AssessmentService::CreateDiagnosticCampaign);
  CheckRequestParsing(this, &AssessmentService::ListDiagnosticCampaigns);
  CheckRequestParsing(this, &AssessmentService::GetDiagnostic);
  CheckRequestParsing(this, &AssessmentService::SubmitDiagnostic);
  CheckRequestParsing(this, &AssessmentService::SaveActionPlan);
  CheckRequestParsing(this, &AssessmentService::GetDiagnosticBenchmark);
}

grpc::ServerUnaryReactor* AssessmentService::ListFunctions(grpc::CallbackServerContext* ctx,
                                                           const v1::ListFunctionsRequest* req,
                                                           v1::ListFunctionsResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    absl::StatusOr<std::vector<v1::SupportFunction>> functions =
        deps_.store->Functions(req->network_id(), req->include_retired());
    if (!functions.ok()) return functions.status();
    for (v1::SupportFunction& f : *functions) *resp->add_functions() = std::move(f);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::AddFunction(grpc::CallbackServerContext* ctx,
                                                         const v1::AddFunctionRequest* req,
                                                         v1::SupportFunction* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    absl::StatusOr<std::vector<v1::SupportFunction>> known =
        deps_.store->Functions(req->network_id(), /*include_retired=*/true);
    if (!known.ok()) return known.status();
    absl::flat_hash_set<std::string> top_level;
    for (const v1::SupportFunction& f : *known) {
      if (f.parent_code().empty()) top_level.insert(f.code());
    }
    if (absl::Status s = ValidateFunction(req->function(), top_level); !s.ok()) {
      return AsFieldViolation(s, "function.");
    }
    absl::StatusOr<v1::SupportFunction> added =
        deps_.store->AddFunction(req->network_id(), req->function(), who.subject());
    if (!added.ok()) return added.status();
    deps_.on_change();
    *resp = *std::move(added);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::RetireFunction(grpc::CallbackServerContext* ctx,
                                                            const v1::RetireFunctionRequest* req,
                                                            v1::SupportFunction* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    if (req->code().empty() || req->code().size() > 65) {
      return InvalidField("code", "a function code (at most 65 characters)");
    }
    absl::StatusOr<v1::SupportFunction> retired =
        deps_.store->RetireFunction(req->network_id(), req->code(), who.subject());
    if (!retired.ok()) return retired.status();
    deps_.on_change();
    *resp = *std::move(retired);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::GetMatrix(grpc::CallbackServerContext* ctx,
                                                       const v1::GetMatrixRequest* req,
                                                       v1::Matrix* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    if (req->version() < 0) return InvalidField("version", "0 (the current one) or more");
    absl::StatusOr<v1::Matrix> m = deps_.store->Matrix(req->network_id(), req->version());
    if (!m.ok()) return m.status();
    *resp = *std::move(m);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::UpdateMatrix(grpc::CallbackServerContext* ctx,
                                                          const v1::UpdateMatrixRequest* req,
                                                          v1::Matrix* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    if (req->expected_version() < 0) return InvalidField("expected_version", "0 or more");
    v1::Matrix proposed;
    *proposed.mutable_cells() = req->cells();
    if (absl::Status s = ValidateMatrix(proposed); !s.ok()) return AsFieldViolation(s, "");
    absl::StatusOr<v1::Matrix> next = deps_.store->UpdateMatrix(
        req->network_id(), req->expected_version(),
        std::vector<v1::MatrixCell>(req->cells().begin(), req->cells().end()), who.subject());
    if (!next.ok()) return next.status();
    deps_.on_change();
    *resp = *std::move(next);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::PreviewDispositions(
    grpc::CallbackServerContext* ctx, const v1::PreviewDispositionsRequest* req,
    v1::PreviewDispositionsResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    if (req->answers_size() > kMaxPreviewAnswers) {
      return InvalidField("answers", absl::StrCat("at most ", kMaxPreviewAnswers));
    }
    absl::StatusOr<v1::Matrix> matrix = deps_.store->Matrix(req->network_id(), 0);
    if (!matrix.ok()) return matrix.status();
    absl::StatusOr<std::vector<v1::SupportFunction>> functions =
        deps_.store->Functions(req->network_id(), /*include_retired=*/false);
    if (!functions.ok()) return functions.status();
    absl::flat_hash_set<std::string> codes;
    for (const v1::SupportFunction& f : *functions) codes.insert(f.code());
    std::vector<FieldViolation> problems;
    for (int i = 0; i < req->answers_size(); ++i) {
      const v1::FunctionAnswer& a = req->answers(i);
      const std::string at = absl::StrCat("answers[", i, "]");
      if (!codes.contains(a.function_code())) {
        problems.push_back({at + ".function_code", "not a function of the network"});
        continue;
      }
      absl::StatusOr<Decision> d = Decide(*matrix, a.efficiency(), a.importance());
      if (!d.ok()) {
        // The domain's "efficiency: ..." under this answer.
        std::vector<FieldViolation> v = FieldViolationsOf(AsFieldViolation(d.status(), at + "."));
        problems.insert(problems.end(), v.begin(), v.end());
        continue;
      }
      v1::FunctionAnswer* out = resp->add_answers();
      *out = a;
      out->set_disposition(d->disposition);
      out->set_matrix_version(d->matrix_version);
      *resp->add_cells() = d->cell;
    }
    return InvalidFields(problems);
  });
}

}  // namespace maillage::assessment
