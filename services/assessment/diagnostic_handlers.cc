// The handlers of the 360° diagnostic: questionnaires, diagnostic campaigns, each company's
// diagnostic and action plan, the campaign's benchmark (domain/diagnostic.h for the scores).
#include <algorithm>
#include <map>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/ids/canonical_ids.h"
#include "common/status/status.h"
#include "common/validation/validation.h"
#include "services/assessment/assessment_service.h"
#include "services/assessment/campaign_store.h"
#include "services/assessment/diagnostic_store.h"
#include "services/assessment/domain/diagnostic.h"
#include "services/assessment/domain/pooling_analysis.h"
#include "services/assessment/handler_support.h"
#include "services/assessment/member_directory.h"

namespace maillage::assessment {
namespace {

using auth::Principal;

constexpr size_t kMaxTitle = 200;
constexpr int kMaxParticipants = 2000;
constexpr int kMaxActions = 50;
constexpr size_t kMaxActionTitle = 300;
constexpr size_t kMaxOwner = 200;
constexpr size_t kMaxIdempotencyKey = 128;

// "default", or the UUID of one of the network's questionnaires.
absl::Status ValidateTemplateId(const std::string& id, const std::string& field) {
  if (id == kDefaultTemplateId) return absl::OkStatus();
  if (!IsCanonicalUuid(id)) return InvalidField(field, "\"default\" or a questionnaire's id");
  return absl::OkStatus();
}

}  // namespace

absl::Status AssessmentService::CheckDiagnosticParticipant(const DiagnosticCampaignRecord& record,
                                                           const std::string& organisation_id) {
  const v1::DiagnosticCampaign& c = record.campaign;
  if (!c.organisation_ids().empty() &&
      std::find(c.organisation_ids().begin(), c.organisation_ids().end(), organisation_id) ==
          c.organisation_ids().end()) {
    return InvalidField("organisation_id", "not a participant of the diagnostic campaign");
  }
  MAILLAGE_ASSIGN_OR_RETURN(bool active,
                            deps_.members->IsActiveMember(c.network_id(), organisation_id));
  if (!active) return InvalidField("organisation_id", "not an active member of the network");
  return absl::OkStatus();
}

absl::Status AssessmentService::AddBenchmark(const DiagnosticCampaignRecord& record,
                                             v1::CompanyDiagnostic* diagnostic) {
  MAILLAGE_ASSIGN_OR_RETURN(v1::PoolingThresholds saved,
                            deps_.campaigns->Thresholds(record.campaign.network_id()));
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::CompanyDiagnostic> all,
                            deps_.diagnostics->Submitted(record.campaign.campaign_id()));
  std::vector<std::vector<v1::DimensionScore>> scores;
  for (const v1::CompanyDiagnostic& d : all)
    scores.emplace_back(d.scores().begin(), d.scores().end());
  for (v1::DimensionBenchmark& b :
       Benchmark(record.template_, scores, WithDefaults(saved).min_group_size())) {
    *diagnostic->add_benchmark() = std::move(b);
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* AssessmentService::ListDiagnosticTemplates(
    grpc::CallbackServerContext* ctx, const v1::ListDiagnosticTemplatesRequest* req,
    v1::ListDiagnosticTemplatesResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::DiagnosticTemplate> templates,
                              deps_.diagnostics->Templates(req->network_id()));
    for (v1::DiagnosticTemplate& t : templates) *resp->add_templates() = std::move(t);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::GetDiagnosticTemplate(
    grpc::CallbackServerContext* ctx, const v1::GetDiagnosticTemplateRequest* req,
    v1::DiagnosticTemplate* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_RETURN_IF_ERROR(ValidateTemplateId(req->template_id(), "template_id"));
    if (req->version() < 0) return InvalidField("version", "0 (the latest) or more");
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.diagnostics->Template(req->network_id(), req->template_id(), req->version()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::SaveDiagnosticTemplate(
    grpc::CallbackServerContext* ctx, const v1::SaveDiagnosticTemplateRequest* req,
    v1::DiagnosticTemplate* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    const v1::DiagnosticTemplate& t = req->template_();
    if (t.template_id() == kDefaultTemplateId) {
      return InvalidField("template.template_id",
                          "the default questionnaire is not edited: save a copy (no template_id)");
    }
    if (!t.template_id().empty()) {
      MAILLAGE_RETURN_IF_ERROR(ValidateTemplateId(t.template_id(), "template.template_id"));
    }
    if (req->expected_version() < 0) return InvalidField("expected_version", "0 or more");
    if (auto p = TextProblem(t.title_fr(), kMaxTitle, true)) {
      return InvalidField("template.title_fr", *p);
    }
    if (auto p = TextProblem(t.title_en(), kMaxTitle, false)) {
      return InvalidField("template.title_en", *p);
    }
    if (absl::Status s = ValidateTemplate(t); !s.ok()) return AsFieldViolation(s, "template.");
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.diagnostics->SaveTemplate(req->network_id(), t, req->expected_version(),
                                               who.subject()));
    deps_.on_change();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::CreateDiagnosticCampaign(
    grpc::CallbackServerContext* ctx, const v1::CreateDiagnosticCampaignRequest* req,
    v1::DiagnosticCampaign* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    const v1::DiagnosticCampaign& c = req->campaign();
    std::vector<FieldViolation> problems;
    if (auto p = TextProblem(c.title(), kMaxTitle, true))
      problems.push_back({"campaign.title", *p});
    if (req->idempotency_key().size() > kMaxIdempotencyKey) {
      problems.push_back({"idempotency_key", "at most 128 characters"});
    }
    v1::DiagnosticCampaign draft;
    draft.set_network_id(req->network_id());
    draft.set_title(c.title());
    draft.set_template_id(c.template_id().empty() ? kDefaultTemplateId : c.template_id());
    *draft.mutable_start_time() = c.start_time();
    *draft.mutable_end_time() = c.end_time();
    for (FieldViolation& v :
         PeriodProblems(c.has_start_time(), draft.mutable_start_time(), c.has_end_time(),
                        c.end_time(), deps_.clock(), "campaign.")) {
      problems.push_back(std::move(v));
    }
    if (absl::Status s = ValidateTemplateId(draft.template_id(), "campaign.template_id"); !s.ok()) {
      std::vector<FieldViolation> v = FieldViolationsOf(s);
      problems.insert(problems.end(), v.begin(), v.end());
    }
    if (c.template_version() < 0) problems.push_back({"campaign.template_version", "0 or more"});
    if (c.organisation_ids_size() > kMaxParticipants) {
      problems.push_back({"campaign.organisation_ids", "at most 2,000"});
    }
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<MemberDirectory::Member> members,
                              deps_.members->ActiveMembers(req->network_id()));
    absl::flat_hash_set<std::string> active;
    for (const MemberDirectory::Member& m : members) active.insert(m.organisation_id);
    absl::flat_hash_set<std::string> seen;
    for (int i = 0; i < c.organisation_ids_size(); ++i) {
      const std::string field = absl::StrCat("campaign.organisation_ids[", i, "]");
      std::string id = c.organisation_ids(i);
      CanonicaliseId(&id);
      if (absl::Status s = ValidateId(id, field); !s.ok()) {
        std::vector<FieldViolation> v = FieldViolationsOf(s);
        problems.insert(problems.end(), v.begin(), v.end());
      } else if (!seen.insert(id).second) {
        problems.push_back({field, "listed twice"});
      } else if (!active.contains(id)) {
        problems.push_back({field, "not an active member of the network"});
      } else {
        draft.add_organisation_ids(id);
      }
    }
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    absl::StatusOr<v1::DiagnosticTemplate> t =
        deps_.diagnostics->Template(req->network_id(), draft.template_id(), c.template_version());
    if (absl::IsNotFound(t.status())) {
      return InvalidField("campaign.template_id", "the network has no such questionnaire version");
    }
    if (!t.ok()) return t.status();
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.diagnostics->CreateCampaign(draft, *t, who.subject(), req->idempotency_key()));
    deps_.on_change();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::ListDiagnosticCampaigns(
    grpc::CallbackServerContext* ctx, const v1::ListDiagnosticCampaignsRequest* req,
    v1::ListDiagnosticCampaignsResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    const uint64_t fp = Fingerprint({"diagnostic-campaigns", req->network_id()});
    MAILLAGE_ASSIGN_OR_RETURN(PageQuery page, deps_.page_tokens.Parse(req->page(), fp));
    std::vector<std::string> next;
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::DiagnosticCampaign> campaigns,
                              deps_.diagnostics->ListCampaigns(req->network_id(), page, &next));
    for (v1::DiagnosticCampaign& c : campaigns) *resp->add_campaigns() = std::move(c);
    if (!next.empty())
      resp->mutable_page()->set_next_page_token(deps_.page_tokens.Encode(fp, next));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::GetDiagnostic(grpc::CallbackServerContext* ctx,
                                                           const v1::GetDiagnosticRequest* req,
                                                           v1::CompanyDiagnostic* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_ASSIGN_OR_RETURN(DiagnosticCampaignRecord record,
                              deps_.diagnostics->Campaign(req->campaign_id()));
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.diagnostics->Diagnostic(req->campaign_id(), req->organisation_id()));
    if (resp->version() == 0 && !CheckDiagnosticParticipant(record, req->organisation_id()).ok()) {
      return absl::NotFoundError("diagnostic not found");  // nothing to start for it
    }
    return AddBenchmark(record, resp);
  });
}

grpc::ServerUnaryReactor* AssessmentService::SubmitDiagnostic(
    grpc::CallbackServerContext* ctx, const v1::SubmitDiagnosticRequest* req,
    v1::CompanyDiagnostic* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    if (req->expected_version() < 0) return InvalidField("expected_version", "0 or more");
    MAILLAGE_ASSIGN_OR_RETURN(DiagnosticCampaignRecord record,
                              deps_.diagnostics->Campaign(req->campaign_id()));
    MAILLAGE_RETURN_IF_ERROR(CheckDiagnosticParticipant(record, req->organisation_id()));
    if (req->answers_size() > record.template_.questions_size()) {
      return InvalidField("answers", "at most one per question of the questionnaire");
    }
    const std::vector<v1::QuestionAnswer> answers(req->answers().begin(), req->answers().end());
    if (absl::Status s = ValidateAnswers(record.template_, answers); !s.ok()) {
      return AsFieldViolation(s, "");
    }
    absl::flat_hash_set<int> obstacles;
    std::vector<FieldViolation> problems;
    for (int i = 0; i < req->obstacles_size(); ++i) {
      const int o = req->obstacles(i);
      if (o == v1::OBSTACLE_UNSPECIFIED || !v1::Obstacle_IsValid(o)) {
        problems.push_back({absl::StrCat("obstacles[", i, "]"), "unknown obstacle"});
      } else if (!obstacles.insert(o).second) {
        problems.push_back({absl::StrCat("obstacles[", i, "]"), "listed twice"});
      }
    }
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    v1::CompanyDiagnostic d;
    *d.mutable_answers() = req->answers();
    *d.mutable_obstacles() = req->obstacles();
    for (v1::DimensionScore& s : ScoreDimensions(record.template_, answers)) {
      *d.add_scores() = std::move(s);
    }
    MAILLAGE_ASSIGN_OR_RETURN(*resp,
                              deps_.diagnostics->Write(record.campaign, req->organisation_id(), d,
                                                       req->expected_version(), who.subject(),
                                                       /*plan_only=*/false));
    deps_.on_change();
    return AddBenchmark(record, resp);
  });
}

grpc::ServerUnaryReactor* AssessmentService::SaveActionPlan(grpc::CallbackServerContext* ctx,
                                                            const v1::SaveActionPlanRequest* req,
                                                            v1::CompanyDiagnostic* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    if (req->expected_version() < 0) return InvalidField("expected_version", "0 or more");
    if (req->actions_size() > kMaxActions) return InvalidField("actions", "at most 50");
    MAILLAGE_ASSIGN_OR_RETURN(DiagnosticCampaignRecord record,
                              deps_.diagnostics->Campaign(req->campaign_id()));
    MAILLAGE_RETURN_IF_ERROR(CheckDiagnosticParticipant(record, req->organisation_id()));
    absl::flat_hash_set<std::string> dimensions;
    for (const v1::Dimension& d : record.template_.dimensions()) dimensions.insert(d.code());
    std::vector<FieldViolation> problems;
    v1::CompanyDiagnostic plan;
    for (int i = 0; i < req->actions_size(); ++i) {
      const v1::PlannedAction& a = req->actions(i);
      const std::string at = absl::StrCat("actions[", i, "].");
      if (auto p = TextProblem(a.title(), kMaxActionTitle, true))
        problems.push_back({at + "title", *p});
      if (auto p = TextProblem(a.owner(), kMaxOwner, false)) problems.push_back({at + "owner", *p});
      if (!a.dimension_code().empty() && !dimensions.contains(a.dimension_code())) {
        problems.push_back({at + "dimension_code", "not a dimension of the questionnaire"});
      }
      if (a.has_due_time() && !IsValidTimestamp(a.due_time())) {
        problems.push_back({at + "due_time", "not a valid time"});
      }
      if (!v1::ActionStatus_IsValid(a.status()))
        problems.push_back({at + "status", "unknown status"});
      v1::PlannedAction* kept = plan.add_actions();
      *kept = a;
      if (kept->status() == v1::ACTION_STATUS_UNSPECIFIED)
        kept->set_status(v1::ACTION_STATUS_PLANNED);
    }
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.diagnostics->Write(record.campaign, req->organisation_id(), plan,
                                        req->expected_version(), who.subject(),
                                        /*plan_only=*/true));
    return AddBenchmark(record, resp);
  });
}

grpc::ServerUnaryReactor* AssessmentService::GetDiagnosticBenchmark(
    grpc::CallbackServerContext* ctx, const v1::GetDiagnosticBenchmarkRequest* req,
    v1::DiagnosticBenchmark* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_ASSIGN_OR_RETURN(DiagnosticCampaignRecord record,
                              deps_.diagnostics->Campaign(req->campaign_id()));
    const std::string& network = record.campaign.network_id();
    MAILLAGE_ASSIGN_OR_RETURN(v1::PoolingThresholds saved, deps_.campaigns->Thresholds(network));
    const int min_group = WithDefaults(saved).min_group_size();
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::CompanyDiagnostic> all,
                              deps_.diagnostics->Submitted(record.campaign.campaign_id()));
    int participants = record.campaign.organisation_ids_size();
    if (participants == 0) {
      MAILLAGE_ASSIGN_OR_RETURN(std::vector<MemberDirectory::Member> members,
                                deps_.members->ActiveMembers(network));
      participants = static_cast<int>(members.size());
    }
    resp->set_campaign_id(record.campaign.campaign_id());
    *resp->mutable_participants() = Shown(participants, min_group, Audience::kMember);
    *resp->mutable_submitted() = Shown(static_cast<int>(all.size()), min_group, Audience::kMember);
    std::vector<std::vector<v1::DimensionScore>> scores;
    std::map<int, int> obstacles;
    for (const v1::CompanyDiagnostic& d : all) {
      scores.emplace_back(d.scores().begin(), d.scores().end());
      for (int o : d.obstacles()) ++obstacles[o];
    }
    for (v1::DimensionBenchmark& b : Benchmark(record.template_, scores, min_group)) {
      *resp->add_dimensions() = std::move(b);
    }
    for (int o = v1::OBSTACLE_MARKET_ACCESS; o <= v1::OBSTACLE_ADMINISTRATIVE; ++o) {
      v1::ObstacleCount* c = resp->add_obstacles();
      c->set_obstacle(static_cast<v1::Obstacle>(o));
      *c->mutable_companies() = Shown(obstacles[o], min_group, Audience::kMember);
    }
    return absl::OkStatus();
  });
}

}  // namespace maillage::assessment
