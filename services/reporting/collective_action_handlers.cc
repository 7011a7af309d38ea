// The collective actions, their funding balance and the settings of ReportingService
// (reporting_service.h).
#include <cmath>
#include <map>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/status.h"
#include "common/validation/validation.h"
#include "services/reporting/domain/funding.h"
#include "services/reporting/handler_support.h"
#include "services/reporting/reporting_service.h"
#include "services/reporting/reporting_store.h"

namespace maillage::reporting {
namespace {

using auth::Principal;

constexpr int kMaxParticipants = 1000;
constexpr int kMaxLines = 100;
constexpr int kMaxDecisions = 20;

void AddIdProblem(const std::string& id, const std::string& field,
                  std::vector<FieldViolation>& problems) {
  if (absl::Status s = ValidateId(id, field); !s.ok()) {
    std::vector<FieldViolation> v = FieldViolationsOf(s);
    problems.insert(problems.end(), v.begin(), v.end());
  }
}

// Ids of a repeated field: each a canonical UUID, each once, at most `max`.
template <typename Ids>
void CheckIds(const Ids& ids, const std::string& field, int max,
              std::vector<FieldViolation>& problems) {
  if (ids.size() > max) {
    problems.push_back({field, absl::StrCat("at most ", max)});
    return;
  }
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < ids.size(); ++i) {
    const std::string at = absl::StrCat(field, "[", i, "]");
    const size_t before = problems.size();
    AddIdProblem(ids.Get(i), at, problems);
    if (problems.size() == before && !seen.insert(ids.Get(i)).second) {
      problems.push_back({at, "given twice"});
    }
    if (problems.size() >= 20) return;  // enough to show what is wrong
  }
}

bool ValidAmount(int64_t cents) { return cents >= 0 && cents <= kMaxAmountCents; }

// What creating and updating check of an action, fields named under "action.".
std::vector<FieldViolation> ActionProblems(const v1::CollectiveAction& a) {
  std::vector<FieldViolation> problems;
  if (a.kind() <= v1::COLLECTIVE_ACTION_KIND_UNSPECIFIED ||
      !v1::CollectiveActionKind_IsValid(a.kind())) {
    problems.push_back({"action.kind", "one of the collective action kinds"});
  }
  if (auto p = TextProblem(a.title(), 200, true)) problems.push_back({"action.title", *p});
  if (auto p = TextProblem(a.description(), 4000, false)) {
    problems.push_back({"action.description", *p});
  }
  if (!v1::CollectiveActionStatus_IsValid(a.status())) {
    problems.push_back({"action.status", "one of the statuses"});
  }
  if (a.year() < 2000 || a.year() > 2100) problems.push_back({"action.year", "2000 to 2100"});
  if (auto p = TextProblem(a.function_code(), 64, false)) {
    problems.push_back({"action.function_code", *p});
  }
  CheckIds(a.participant_organisation_ids(), "action.participant_organisation_ids",
           kMaxParticipants, problems);
  CheckIds(a.decision_ids(), "action.decision_ids", kMaxDecisions, problems);
  const std::string amount_rule = "0 to 100,000,000,000 cents";
  if (a.budget_lines_size() > kMaxLines) {
    problems.push_back({"action.budget_lines", absl::StrCat("at most ", kMaxLines)});
  } else {
    for (int i = 0; i < a.budget_lines_size(); ++i) {
      const v1::BudgetLine& l = a.budget_lines(i);
      const std::string at = absl::StrCat("action.budget_lines[", i, "]");
      if (auto p = TextProblem(l.label(), 200, true)) problems.push_back({at + ".label", *p});
      if (!ValidAmount(l.amount_cents())) problems.push_back({at + ".amount_cents", amount_rule});
    }
  }
  if (a.funding_sources_size() > kMaxLines) {
    problems.push_back({"action.funding_sources", absl::StrCat("at most ", kMaxLines)});
  } else {
    for (int i = 0; i < a.funding_sources_size(); ++i) {
      const v1::FundingSource& f = a.funding_sources(i);
      const std::string at = absl::StrCat("action.funding_sources[", i, "]");
      if (f.kind() <= v1::FUNDING_SOURCE_KIND_UNSPECIFIED ||
          !v1::FundingSourceKind_IsValid(f.kind())) {
        problems.push_back({at + ".kind", "one of the funding source kinds"});
      }
      if (auto p = TextProblem(f.funder_name(), 200, false)) {
        problems.push_back({at + ".funder_name", *p});
      }
      if (!ValidAmount(f.amount_cents())) problems.push_back({at + ".amount_cents", amount_rule});
    }
  }
  return problems;
}

// What is stored of a request's action: its editable fields, the status PLANNED by default.
v1::CollectiveAction Draft(const v1::CollectiveAction& a) {
  v1::CollectiveAction d;
  d.set_action_id(a.action_id());
  d.set_kind(a.kind());
  d.set_title(a.title());
  d.set_description(a.description());
  d.set_status(a.status() == v1::COLLECTIVE_ACTION_STATUS_UNSPECIFIED
                   ? v1::COLLECTIVE_ACTION_STATUS_PLANNED
                   : a.status());
  d.set_year(a.year());
  d.set_function_code(a.function_code());
  *d.mutable_participant_organisation_ids() = a.participant_organisation_ids();
  *d.mutable_budget_lines() = a.budget_lines();
  for (const v1::FundingSource& f : a.funding_sources()) {
    v1::FundingSource* s = d.add_funding_sources();
    s->set_kind(f.kind());
    s->set_funder_name(f.funder_name());
    s->set_amount_cents(f.amount_cents());
  }
  *d.mutable_decision_ids() = a.decision_ids();
  d.set_version(a.version());
  return d;
}

FundingMix MixOf(const v1::CollectiveAction& a) {
  FundingMix mix;
  for (const v1::FundingSource& f : a.funding_sources()) mix.Add(f.kind(), f.amount_cents());
  return mix;
}

std::string Percent(double share) { return absl::StrFormat("%.0f%%", share * 100); }

}  // namespace

void Summarise(v1::CollectiveAction& action, double public_share_ceiling) {
  int64_t budget = 0;
  for (const v1::BudgetLine& l : action.budget_lines()) budget += l.amount_cents();
  const FundingMix mix = MixOf(action);
  action.set_budget_cents(budget);
  action.set_funding_cents(mix.total_cents());
  action.set_public_cents(mix.public_cents());
  action.set_private_cents(mix.private_cents());
  action.set_public_share(mix.public_share());
  action.set_above_public_ceiling(mix.AboveCeiling(public_share_ceiling));
}

grpc::ServerUnaryReactor* ReportingService::CreateCollectiveAction(
    grpc::CallbackServerContext* ctx, const v1::CreateCollectiveActionRequest* req,
    v1::CollectiveAction* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    std::vector<FieldViolation> problems = ActionProblems(req->action());
    if (auto p = TextProblem(req->idempotency_key(), 128, false)) {
      problems.push_back({"idempotency_key", *p});
    }
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    v1::CollectiveAction draft = Draft(req->action());
    draft.clear_action_id();
    draft.clear_version();
    MAILLAGE_ASSIGN_OR_RETURN(v1::ReportingSettings settings,
                              deps_.store->Settings(req->network_id()));
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp,
        deps_.store->CreateAction(req->network_id(), draft, who.subject(), req->idempotency_key()));
    Summarise(*resp, settings.public_share_ceiling());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::UpdateCollectiveAction(
    grpc::CallbackServerContext* ctx, const v1::UpdateCollectiveActionRequest* req,
    v1::CollectiveAction* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    std::vector<FieldViolation> problems = ActionProblems(req->action());
    if (req->action().version() <= 0) {
      problems.push_back({"action.version", "the version read (1 or more)"});
    }
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->UpdateAction(Draft(req->action())));
    MAILLAGE_ASSIGN_OR_RETURN(v1::ReportingSettings settings,
                              deps_.store->Settings(resp->network_id()));
    Summarise(*resp, settings.public_share_ceiling());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::GetCollectiveAction(
    grpc::CallbackServerContext* ctx, const v1::GetCollectiveActionRequest* req,
    v1::CollectiveAction* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->Action(req->action_id()));
    MAILLAGE_ASSIGN_OR_RETURN(v1::ReportingSettings settings,
                              deps_.store->Settings(resp->network_id()));
    Summarise(*resp, settings.public_share_ceiling());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::ListCollectiveActions(
    grpc::CallbackServerContext* ctx, const v1::ListCollectiveActionsRequest* req,
    v1::ListCollectiveActionsResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    if (req->year() != 0 && (req->year() < 2000 || req->year() > 2100)) {
      return InvalidField("year", "0 (every year) or 2000 to 2100");
    }
    const uint64_t fp =
        Fingerprint({"collective-actions", req->network_id(), absl::StrCat(req->year())});
    MAILLAGE_ASSIGN_OR_RETURN(PageQuery page, deps_.page_tokens.Parse(req->page(), fp));
    MAILLAGE_ASSIGN_OR_RETURN(v1::ReportingSettings settings,
                              deps_.store->Settings(req->network_id()));
    MAILLAGE_ASSIGN_OR_RETURN(Listed<v1::CollectiveAction> listed,
                              deps_.store->ListActions(req->network_id(), req->year(), page));
    for (v1::CollectiveAction& a : listed.items) {
      Summarise(a, settings.public_share_ceiling());
      *resp->add_actions() = std::move(a);
    }
    if (!listed.next_after.empty()) {
      resp->mutable_page()->set_next_page_token(deps_.page_tokens.Encode(fp, listed.next_after));
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::GetFundingBalance(
    grpc::CallbackServerContext* ctx, const v1::GetFundingBalanceRequest* req,
    v1::FundingBalance* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    return ComposeFundingBalance(req, resp);
  });
}

absl::Status ReportingService::ComposeFundingBalance(const v1::GetFundingBalanceRequest* req,
                                                     v1::FundingBalance* resp) {
  const int first = req->first_year(), last = req->last_year();
  if (first != 0 || last != 0) {
    std::vector<FieldViolation> problems;
    if (first < 2000 || first > 2100) problems.push_back({"first_year", "2000 to 2100"});
    if (last < first || last > 2100 || last - first >= 20) {
      problems.push_back({"last_year", "from first_year to 2100, at most 20 years"});
    }
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
  }
  MAILLAGE_ASSIGN_OR_RETURN(v1::ReportingSettings settings,
                            deps_.store->Settings(req->network_id()));
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::CollectiveAction> actions,
                            deps_.store->ActionsOfYears(req->network_id(), first, last));
  const double ceiling = settings.public_share_ceiling();
  resp->set_network_id(req->network_id());
  resp->set_public_share_ceiling(ceiling);
  struct Year {
    FundingMix mix;
    int64_t budget = 0;
    std::map<int, int64_t> by_source;
    v1::YearBalance* out = nullptr;
  };
  std::map<int, Year> years;
  for (v1::CollectiveAction& a : actions) {
    Summarise(a, ceiling);
    years[a.year()];
  }
  for (auto& [year, y] : years) {
    y.out = resp->add_years();
    y.out->set_year(year);
  }
  FundingMix all;
  for (const v1::CollectiveAction& a : actions) {
    Year& y = years[a.year()];
    const FundingMix mix = MixOf(a);
    y.mix.Add(mix);
    all.Add(mix);
    y.budget += a.budget_cents();
    for (const v1::FundingSource& f : a.funding_sources()) {
      y.by_source[f.kind()] += f.amount_cents();
    }
    v1::ActionBalance* b = y.out->add_actions();
    b->set_action_id(a.action_id());
    b->set_title(a.title());
    b->set_public_cents(a.public_cents());
    b->set_private_cents(a.private_cents());
    b->set_public_share(a.public_share());
    b->set_above_public_ceiling(a.above_public_ceiling());
    if (a.above_public_ceiling()) {
      resp->add_warnings(absl::StrCat(a.year(), ", \"", a.title(), "\": public money is ",
                                      Percent(a.public_share()), " of its funding, above the ",
                                      Percent(ceiling), " ceiling"));
    }
  }
  for (auto& [year, y] : years) {
    for (const auto& [kind, cents] : y.by_source) {
      v1::SourceTotal* t = y.out->add_by_source();
      t->set_kind(static_cast<v1::FundingSourceKind>(kind));
      t->set_is_public(IsPublicFunding(t->kind()));
      t->set_amount_cents(cents);
    }
    y.out->set_budget_cents(y.budget);
    y.out->set_public_cents(y.mix.public_cents());
    y.out->set_private_cents(y.mix.private_cents());
    y.out->set_public_share(y.mix.public_share());
    y.out->set_above_public_ceiling(y.mix.AboveCeiling(ceiling));
    if (y.out->above_public_ceiling()) {
      resp->add_warnings(absl::StrCat(year, ": public money is ", Percent(y.mix.public_share()),
                                      " of the network's funding, above the ", Percent(ceiling),
                                      " ceiling"));
    }
  }
  resp->set_public_cents(all.public_cents());
  resp->set_private_cents(all.private_cents());
  resp->set_public_share(all.public_share());
  resp->set_above_public_ceiling(all.AboveCeiling(ceiling));
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* ReportingService::GetReportingSettings(
    grpc::CallbackServerContext* ctx, const v1::GetReportingSettingsRequest* req,
    v1::ReportingSettings* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->Settings(req->network_id()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::UpdateReportingSettings(
    grpc::CallbackServerContext* ctx, const v1::UpdateReportingSettingsRequest* req,
    v1::ReportingSettings* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    const v1::ReportingSettings& s = req->settings();
    std::vector<FieldViolation> problems;
    if (s.min_group_size() < 3 || s.min_group_size() > 100) {
      problems.push_back({"settings.min_group_size", "3 to 100"});
    }
    if (!std::isfinite(s.public_share_ceiling()) || s.public_share_ceiling() <= 0 ||
        s.public_share_ceiling() > 1) {
      problems.push_back({"settings.public_share_ceiling", "above 0, at most 1"});
    }
    if (s.version() < 0) problems.push_back({"settings.version", "the version read (0 or more)"});
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->UpdateSettings(s));
    return absl::OkStatus();
  });
}

}  // namespace maillage::reporting
