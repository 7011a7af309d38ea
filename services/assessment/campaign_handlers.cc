// The handlers of campaigns, assessments, the network's analysis and its decisions (the
// catalogue and matrix ones are in assessment_service.cc).
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/server/request_parsing.h"
#include "common/status/status.h"
#include "common/validation/validation.h"
#include "services/assessment/assessment_service.h"
#include "services/assessment/assessment_store.h"
#include "services/assessment/campaign_store.h"
#include "services/assessment/domain/matrix.h"
#include "services/assessment/domain/pooling_analysis.h"
#include "services/assessment/handler_support.h"
#include "services/assessment/member_directory.h"
#include "services/assessment/network_analysis.h"

namespace maillage::assessment {
namespace {

using auth::Principal;

constexpr size_t kMaxTitle = 200;
constexpr size_t kMaxComment = 2000;
constexpr size_t kMaxRationale = 2000;
constexpr size_t kMaxIdempotencyKey = 128;
constexpr int kMaxCampaignFunctions = 200;
constexpr int64_t kMaxYearlyCostEur = 1000000000;  // a billion euros
constexpr int kMaxStaffDays = 100000;

bool ValidLevel(v1::Level l) { return l >= v1::LEVEL_UNSPECIFIED && l <= v1::LEVEL_HIGH; }

}  // namespace

absl::Status AssessmentService::CheckParticipant(const v1::Campaign& campaign,
                                                 const std::string& organisation_id) {
  MAILLAGE_ASSIGN_OR_RETURN(bool active,
                            deps_.members->IsActiveMember(campaign.network_id(), organisation_id));
  if (!active) {
    return InvalidField("organisation_id", "not an active member of the campaign's network");
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Assessment> AssessmentService::Answered(
    const v1::Campaign& campaign,
    const google::protobuf::RepeatedPtrField<v1::FunctionAnswer>& answers, bool submit) {
  if (answers.size() > campaign.function_codes_size()) {
    return InvalidField("answers", absl::StrCat("at most one per function of the campaign (",
                                                campaign.function_codes_size(), ")"));
  }
  if (submit && answers.empty()) {
    return InvalidField("answers", "nothing to submit: answer at least one function");
  }
  // A campaign decides with the matrix version it pinned (0: the default one).
  v1::Matrix matrix = DefaultMatrix();
  if (campaign.matrix_version() != 0) {
    MAILLAGE_ASSIGN_OR_RETURN(
        matrix, deps_.store->Matrix(campaign.network_id(), campaign.matrix_version()));
  }
  const absl::flat_hash_set<std::string> scope(campaign.function_codes().begin(),
                                               campaign.function_codes().end());
  absl::flat_hash_set<std::string> seen;
  std::vector<FieldViolation> problems;
  v1::Assessment out;
  for (int i = 0; i < answers.size(); ++i) {
    const v1::FunctionAnswer& a = answers[i];
    const std::string at = absl::StrCat("answers[", i, "].");
    if (!scope.contains(a.function_code())) {
      problems.push_back({at + "function_code", "not a function of the campaign"});
      continue;
    }
    if (!seen.insert(a.function_code()).second) {
      problems.push_back({at + "function_code", "answered twice"});
      continue;
    }
    if (!ValidLevel(a.efficiency())) problems.push_back({at + "efficiency", "unknown level"});
    if (!ValidLevel(a.importance())) problems.push_back({at + "importance", "unknown level"});
    if (auto p = TextProblem(a.comment(), kMaxComment, false)) {
      problems.push_back({at + "comment", *p});
    }
    if (a.yearly_cost_eur() < 0 || a.yearly_cost_eur() > kMaxYearlyCostEur) {
      problems.push_back({at + "yearly_cost_eur", "0 (not given) to 1,000,000,000 euros"});
    }
    if (a.staff_days_per_year() < 0 || a.staff_days_per_year() > kMaxStaffDays) {
      problems.push_back({at + "staff_days_per_year", "0 (not given) to 100,000 days"});
    }
    const bool levels =
        a.efficiency() != v1::LEVEL_UNSPECIFIED && a.importance() != v1::LEVEL_UNSPECIFIED;
    if (submit && !levels) {
      if (a.efficiency() == v1::LEVEL_UNSPECIFIED) {
        problems.push_back({at + "efficiency", "required to submit"});
      }
      if (a.importance() == v1::LEVEL_UNSPECIFIED) {
        problems.push_back({at + "importance", "required to submit"});
      }
    }
    if (!problems.empty()) continue;
    v1::FunctionAnswer* kept = out.add_answers();
    *kept = a;
    kept->clear_disposition();
    kept->clear_matrix_version();
    v1::MatrixCell* cell = out.add_cells();
    if (levels) {
      absl::StatusOr<Decision> d = Decide(matrix, a.efficiency(), a.importance());
      if (!d.ok()) return AsFieldViolation(d.status(), at);
      kept->set_disposition(d->disposition);
      kept->set_matrix_version(d->matrix_version);
      *cell = d->cell;
    }
  }
  MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
  return out;
}

grpc::ServerUnaryReactor* AssessmentService::CreateCampaign(grpc::CallbackServerContext* ctx,
                                                            const v1::CreateCampaignRequest* req,
                                                            v1::Campaign* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    const v1::Campaign& c = req->campaign();
    std::vector<FieldViolation> problems;
    if (auto p = TextProblem(c.title(), kMaxTitle, true))
      problems.push_back({"campaign.title", *p});
    if (req->idempotency_key().size() > kMaxIdempotencyKey) {
      problems.push_back({"idempotency_key", "at most 128 characters"});
    }
    v1::Campaign draft;
    draft.set_network_id(req->network_id());
    draft.set_title(c.title());
    *draft.mutable_start_time() = c.start_time();
    *draft.mutable_end_time() = c.end_time();
    for (FieldViolation& v :
         PeriodProblems(c.has_start_time(), draft.mutable_start_time(), c.has_end_time(),
                        c.end_time(), deps_.clock(), "campaign.")) {
      problems.push_back(std::move(v));
    }
    if (c.function_codes_size() > kMaxCampaignFunctions) {
      problems.push_back({"campaign.function_codes", "at most 200"});
    }
    if (c.matrix_version() < 0) problems.push_back({"campaign.matrix_version", "0 or more"});
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));

    MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::SupportFunction> functions,
                              deps_.store->Functions(req->network_id(), false));
    if (c.function_codes().empty()) {
      for (const v1::SupportFunction& f : functions) draft.add_function_codes(f.code());
    } else {
      absl::flat_hash_set<std::string> asked;
      for (int i = 0; i < c.function_codes_size(); ++i) {
        if (!asked.insert(c.function_codes(i)).second) {
          problems.push_back({absl::StrCat("campaign.function_codes[", i, "]"), "listed twice"});
        }
      }
      absl::flat_hash_set<std::string> known;
      for (const v1::SupportFunction& f : functions) {
        known.insert(f.code());
        if (asked.contains(f.code())) draft.add_function_codes(f.code());  // catalogue order
      }
      for (int i = 0; i < c.function_codes_size(); ++i) {
        if (!known.contains(c.function_codes(i))) {
          problems.push_back({absl::StrCat("campaign.function_codes[", i, "]"),
                              "not a function of the network (or retired)"});
        }
      }
      MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    }
    absl::StatusOr<v1::Matrix> matrix = deps_.store->Matrix(req->network_id(), c.matrix_version());
    if (absl::IsNotFound(matrix.status())) {
      return InvalidField("campaign.matrix_version", "the network has no such matrix version");
    }
    if (!matrix.ok()) return matrix.status();
    draft.set_matrix_version(matrix->version());
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.campaigns->CreateCampaign(draft, who.subject(), req->idempotency_key()));
    deps_.on_change();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::ListCampaigns(grpc::CallbackServerContext* ctx,
                                                           const v1::ListCampaignsRequest* req,
                                                           v1::ListCampaignsResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    const uint64_t fp = Fingerprint({"campaigns", req->network_id()});
    MAILLAGE_ASSIGN_OR_RETURN(PageQuery page, deps_.page_tokens.Parse(req->page(), fp));
    std::vector<std::string> next;
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::Campaign> campaigns,
                              deps_.campaigns->ListCampaigns(req->network_id(), page, &next));
    for (v1::Campaign& c : campaigns) *resp->add_campaigns() = std::move(c);
    if (!next.empty())
      resp->mutable_page()->set_next_page_token(deps_.page_tokens.Encode(fp, next));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::GetCampaign(grpc::CallbackServerContext* ctx,
                                                         const v1::GetCampaignRequest* req,
                                                         v1::Campaign* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.campaigns->Campaign(req->campaign_id()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::CloseCampaign(grpc::CallbackServerContext* ctx,
                                                           const v1::CloseCampaignRequest* req,
                                                           v1::Campaign* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    MAILLAGE_ASSIGN_OR_RETURN(*resp,
                              deps_.campaigns->CloseCampaign(req->campaign_id(), who.subject()));
    deps_.on_change();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::GetCampaignProgress(
    grpc::CallbackServerContext* ctx, const v1::GetCampaignProgressRequest* req,
    v1::CampaignProgress* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Campaign campaign, deps_.campaigns->Campaign(req->campaign_id()));
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<MemberDirectory::Member> members,
                              deps_.members->ActiveMembers(campaign.network_id()));
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<AssessmentSummary> summaries,
                              deps_.campaigns->Summaries(campaign.campaign_id()));
    absl::flat_hash_map<std::string, const AssessmentSummary*> by_org;
    for (const AssessmentSummary& s : summaries) by_org[s.organisation_id] = &s;
    resp->set_campaign_id(campaign.campaign_id());
    resp->set_participants(static_cast<int>(members.size()));
    for (const MemberDirectory::Member& m : members) {
      v1::ParticipantProgress* p = resp->add_members();
      p->set_organisation_id(m.organisation_id);
      p->set_organisation_name(m.name);
      auto s = by_org.find(m.organisation_id);
      if (s == by_org.end()) {
        p->set_state(v1::ASSESSMENT_STATE_NOT_STARTED);
        resp->set_not_started(resp->not_started() + 1);
        continue;
      }
      p->set_revision(s->second->revision);
      p->mutable_update_time()->set_seconds(absl::ToUnixSeconds(s->second->update_time));
      if (s->second->revision > 0) {
        p->set_state(v1::ASSESSMENT_STATE_SUBMITTED);
        resp->set_submitted(resp->submitted() + 1);
      } else {
        p->set_state(v1::ASSESSMENT_STATE_DRAFT);
        resp->set_in_draft(resp->in_draft() + 1);
      }
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::GetAssessment(grpc::CallbackServerContext* ctx,
                                                           const v1::GetAssessmentRequest* req,
                                                           v1::Assessment* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    if (req->revision() < 0) return InvalidField("revision", "0 (as it stands) or a submission");
    MAILLAGE_ASSIGN_OR_RETURN(v1::Campaign campaign, deps_.campaigns->Campaign(req->campaign_id()));
    if (req->revision() > 0) {
      MAILLAGE_ASSIGN_OR_RETURN(
          *resp, deps_.campaigns->Submission(campaign, req->organisation_id(), req->revision()));
      return absl::OkStatus();
    }
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.campaigns->Assessment(campaign, req->organisation_id()));
    if (resp->state() == v1::ASSESSMENT_STATE_NOT_STARTED) {
      // Only a participant has an assessment to start.
      MAILLAGE_ASSIGN_OR_RETURN(bool active, deps_.members->IsActiveMember(campaign.network_id(),
                                                                           req->organisation_id()));
      if (!active) return absl::NotFoundError("assessment not found");
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::SaveAssessmentDraft(
    grpc::CallbackServerContext* ctx, const v1::SaveAssessmentDraftRequest* req,
    v1::Assessment* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    if (req->expected_version() < 0) return InvalidField("expected_version", "0 or more");
    MAILLAGE_ASSIGN_OR_RETURN(v1::Campaign campaign, deps_.campaigns->Campaign(req->campaign_id()));
    MAILLAGE_RETURN_IF_ERROR(CheckParticipant(campaign, req->organisation_id()));
    MAILLAGE_ASSIGN_OR_RETURN(v1::Assessment answered,
                              Answered(campaign, req->answers(), /*submit=*/false));
    MAILLAGE_ASSIGN_OR_RETURN(*resp,
                              deps_.campaigns->SaveDraft(campaign, req->organisation_id(), answered,
                                                         req->expected_version(), who.subject()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::SubmitAssessment(
    grpc::CallbackServerContext* ctx, const v1::SubmitAssessmentRequest* req,
    v1::Assessment* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    if (req->expected_version() < 0) return InvalidField("expected_version", "0 or more");
    MAILLAGE_ASSIGN_OR_RETURN(v1::Campaign campaign, deps_.campaigns->Campaign(req->campaign_id()));
    MAILLAGE_RETURN_IF_ERROR(CheckParticipant(campaign, req->organisation_id()));
    google::protobuf::RepeatedPtrField<v1::FunctionAnswer> answers = req->answers();
    if (answers.empty()) {  // the saved draft
      MAILLAGE_ASSIGN_OR_RETURN(v1::Assessment draft,
                                deps_.campaigns->Assessment(campaign, req->organisation_id()));
      answers = draft.answers();
    }
    MAILLAGE_ASSIGN_OR_RETURN(v1::Assessment answered,
                              Answered(campaign, answers, /*submit=*/true));
    MAILLAGE_ASSIGN_OR_RETURN(*resp,
                              deps_.campaigns->Submit(campaign, req->organisation_id(), answered,
                                                      req->expected_version(), who.subject()));
    deps_.analysis->Invalidate(campaign.campaign_id());
    deps_.on_change();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::GetCampaignAnalysis(
    grpc::CallbackServerContext* ctx, const v1::GetCampaignAnalysisRequest* req,
    v1::CampaignAnalysis* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    if (!v1::AnalysisView_IsValid(req->view())) return InvalidField("view", "BASIC or FULL");
    MAILLAGE_ASSIGN_OR_RETURN(v1::Campaign campaign, deps_.campaigns->Campaign(req->campaign_id()));
    const Audience audience =
        auth::IsAnimator(who, campaign.network_id()) ? Audience::kAnimator : Audience::kMember;
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.analysis->Analyse(campaign, audience, req->view()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::GetPoolingSettings(
    grpc::CallbackServerContext* ctx, const v1::GetPoolingSettingsRequest* req,
    v1::PoolingThresholds* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_ASSIGN_OR_RETURN(v1::PoolingThresholds saved,
                              deps_.campaigns->Thresholds(req->network_id()));
    *resp = WithDefaults(saved);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::UpdatePoolingSettings(
    grpc::CallbackServerContext* ctx, const v1::UpdatePoolingSettingsRequest* req,
    v1::PoolingThresholds* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    if (absl::Status s = ValidateThresholds(req->thresholds()); !s.ok()) {
      return AsFieldViolation(s, "thresholds.");
    }
    MAILLAGE_ASSIGN_OR_RETURN(
        v1::PoolingThresholds saved,
        deps_.campaigns->SetThresholds(req->network_id(), req->thresholds(), who.subject()));
    deps_.analysis->InvalidateNetwork(req->network_id());
    deps_.on_change();
    *resp = WithDefaults(saved);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::RecordDecision(grpc::CallbackServerContext* ctx,
                                                            const v1::RecordDecisionRequest* req,
                                                            v1::PoolingDecision* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Campaign campaign, deps_.campaigns->Campaign(req->campaign_id()));
    const v1::PoolingDecision& d = req->decision();
    std::vector<FieldViolation> problems;
    bool in_scope = false;
    for (const std::string& code : campaign.function_codes()) in_scope |= code == d.function_code();
    if (!in_scope) problems.push_back({"decision.function_code", "not a function of the campaign"});
    if (d.modality() <= v1::POOLING_MODALITY_UNSPECIFIED ||
        !v1::PoolingModality_IsValid(d.modality())) {
      problems.push_back({"decision.modality", "required: one of the pooling modalities"});
    }
    if (auto p = TextProblem(d.rationale(), kMaxRationale, false)) {
      problems.push_back({"decision.rationale", *p});
    }
    if (d.has_start_time() && !IsValidTimestamp(d.start_time())) {
      problems.push_back({"decision.start_time", "not a valid time"});
    }
    if (d.participant_organisation_ids_size() > kMaxDecisionParticipants) {
      problems.push_back({"decision.participant_organisation_ids", "at most 1,000"});
    }
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<MemberDirectory::Member> members,
                              deps_.members->ActiveMembers(campaign.network_id()));
    absl::flat_hash_set<std::string> active;
    for (const MemberDirectory::Member& m : members) active.insert(m.organisation_id);
    absl::flat_hash_set<std::string> seen;
    for (int i = 0; i < d.participant_organisation_ids_size(); ++i) {
      const std::string field = absl::StrCat("decision.participant_organisation_ids[", i, "]");
      const std::string& id = d.participant_organisation_ids(i);
      if (absl::Status s = ValidateId(id, field); !s.ok()) {
        std::vector<FieldViolation> v = FieldViolationsOf(s);
        problems.insert(problems.end(), v.begin(), v.end());
      } else if (!seen.insert(id).second) {
        problems.push_back({field, "listed twice"});
      } else if (!active.contains(id)) {
        problems.push_back({field, "not an active member of the network"});
      }
    }
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    v1::PoolingDecision draft = d;
    draft.set_campaign_id(campaign.campaign_id());
    draft.set_network_id(campaign.network_id());
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.campaigns->RecordDecision(draft, who.subject()));
    deps_.on_change();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::ListDecisions(grpc::CallbackServerContext* ctx,
                                                           const v1::ListDecisionsRequest* req,
                                                           v1::ListDecisionsResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::PoolingDecision> decisions,
                              deps_.campaigns->Decisions(req->campaign_id()));
    for (v1::PoolingDecision& d : decisions) *resp->add_decisions() = std::move(d);
    return absl::OkStatus();
  });
}

}  // namespace maillage::assessment
