// The CSV export of a campaign's answers and the import of answers collected on paper
// (domain/answers_csv.h for the format).
#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/ids/canonical_ids.h"
#include "common/server/produced_stream.h"
#include "common/server/request_parsing.h"
#include "common/status/status.h"
#include "services/assessment/assessment_service.h"
#include "services/assessment/assessment_store.h"
#include "services/assessment/campaign_store.h"
#include "services/assessment/domain/answers_csv.h"
#include "services/assessment/member_directory.h"
#include "services/assessment/network_analysis.h"

namespace maillage::assessment {
namespace {

using auth::Principal;
using AssessmentsByOrganisation = absl::flat_hash_map<std::string, v1::Assessment>;

// Companies per chunk of the export (a chunk: about 100 x functions rows).
constexpr size_t kExportCompaniesPerChunk = 100;
// Below gRPC's 4 MiB message limit, with room for the request's other fields.
constexpr size_t kMaxImportBytes = 3584 * 1024;

// "answers[3].importance" -> (3, "importance").
bool AnswerIndexOf(absl::string_view field, size_t* index, std::string* rest) {
  if (!absl::ConsumePrefix(&field, "answers[")) return false;
  const size_t close = field.find(']');
  if (close == absl::string_view::npos || !absl::SimpleAtoi(field.substr(0, close), index)) {
    return false;
  }
  field.remove_prefix(close + 1);
  absl::ConsumePrefix(&field, ".");
  *rest = std::string(field);
  return true;
}

// Two submissions say the same when they have the same answers, whatever their order.
bool SameAnswers(const v1::Assessment& a, const v1::Assessment& b) {
  if (a.answers_size() != b.answers_size()) return false;
  auto key = [](const v1::FunctionAnswer& x) {
    v1::FunctionAnswer y = x;
    y.clear_disposition();
    y.clear_matrix_version();
    return y.SerializeAsString();
  };
  std::vector<std::string> ka, kb;
  for (const v1::FunctionAnswer& x : a.answers()) ka.push_back(key(x));
  for (const v1::FunctionAnswer& x : b.answers()) kb.push_back(key(x));
  std::sort(ka.begin(), ka.end());
  std::sort(kb.begin(), kb.end());
  return ka == kb;
}

}  // namespace

struct AssessmentService::ExportState {
  v1::ExportCampaignAnswersRequest req;
  Principal who;
  bool started = false;
  v1::Campaign campaign;
  // Participants by name, then former members that answered.
  std::vector<std::string> organisations;
  absl::flat_hash_map<std::string, std::string> names;
  absl::flat_hash_map<std::string, AssessmentSummary> summaries;
  absl::flat_hash_map<std::string, std::string> labels;
  size_t next = 0;
};

grpc::ServerWriteReactor<v1::CsvChunk>* AssessmentService::ExportCampaignAnswers(
    grpc::CallbackServerContext* ctx, const v1::ExportCampaignAnswersRequest* req) {
  // Authenticated before any work is queued, as unary calls are.
  absl::StatusOr<Principal> who = authz::VerifiedCaller(gate_, *ctx);
  if (!who.ok())
    return new internal::FinishedWriteReactor<v1::CsvChunk>(ToGrpcStatus(who.status()));
  auto state = std::make_shared<ExportState>();
  state->req = *req;
  CanonicaliseIds(&state->req);
  state->who = *std::move(who);
  return new ProducedStream<v1::CsvChunk>(ctx, deps_.workers, [this, state](v1::CsvChunk* out) {
    return NextExportChunk(*state, out);
  });
}

absl::StatusOr<bool> AssessmentService::NextExportChunk(ExportState& state, v1::CsvChunk* out) {
  std::string text;
  if (!state.started) {
    state.started = true;
    MAILLAGE_RETURN_IF_ERROR(authz_->Check("ExportCampaignAnswers", state.who, state.req));
    MAILLAGE_ASSIGN_OR_RETURN(state.campaign, deps_.campaigns->Campaign(state.req.campaign_id()));
    const std::string& network = state.campaign.network_id();
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<MemberDirectory::Member> active,
                              deps_.members->ActiveMembers(network));
    MAILLAGE_ASSIGN_OR_RETURN(state.names, deps_.members->Names(network));
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<AssessmentSummary> summaries,
                              deps_.campaigns->Summaries(state.campaign.campaign_id()));
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::SupportFunction> functions,
                              deps_.store->Functions(network, /*include_retired=*/true));
    for (const v1::SupportFunction& f : functions) state.labels[f.code()] = f.label_fr();
    absl::flat_hash_set<std::string> listed;
    for (const MemberDirectory::Member& m : active) {
      state.organisations.push_back(m.organisation_id);
      listed.insert(m.organisation_id);
    }
    std::vector<std::string> former;
    for (AssessmentSummary& s : summaries) {
      if (s.revision > 0 && !listed.contains(s.organisation_id)) {
        former.push_back(s.organisation_id);
      }
      state.summaries[s.organisation_id] = std::move(s);
    }
    std::sort(former.begin(), former.end());
    state.organisations.insert(state.organisations.end(), former.begin(), former.end());
    text = AnswersCsvHeader();
    out->set_content_type("text/csv; charset=utf-8");
  }
  const size_t end = std::min(state.organisations.size(), state.next + kExportCompaniesPerChunk);
  const std::vector<std::string> page(state.organisations.begin() + state.next,
                                      state.organisations.begin() + end);
  state.next = end;
  MAILLAGE_ASSIGN_OR_RETURN(AssessmentsByOrganisation submitted,
                            deps_.campaigns->LastSubmissions(state.campaign.campaign_id(), page));
  for (const std::string& org : page) {
    AnswersCsvExportRow row;
    row.organisation_id = org;
    row.organisation_name = state.names[org];
    auto summary = state.summaries.find(org);
    if (summary != state.summaries.end()) {
      row.state = summary->second.revision > 0 ? v1::ASSESSMENT_STATE_SUBMITTED
                                               : v1::ASSESSMENT_STATE_DRAFT;
      row.revision = summary->second.revision;
    }
    auto last = submitted.find(org);
    for (const std::string& code : state.campaign.function_codes()) {
      row.function_code = code;
      row.function_label = state.labels[code];
      row.answer = nullptr;
      if (last != submitted.end()) {
        for (const v1::FunctionAnswer& a : last->second.answers()) {
          if (a.function_code() == code) row.answer = &a;
        }
      }
      text += AnswersCsvRow(row);
    }
  }
  if (text.empty()) return false;
  out->set_data(std::move(text));
  return true;
}

grpc::ServerUnaryReactor* AssessmentService::ImportCampaignAnswers(
    grpc::CallbackServerContext* ctx, const v1::ImportCampaignAnswersRequest* req,
    v1::ImportAnswersReport* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    if (req->csv().size() > kMaxImportBytes) {
      return InvalidField("csv", "at most 3.5 MiB: split the file");
    }
    MAILLAGE_ASSIGN_OR_RETURN(v1::Campaign campaign, deps_.campaigns->Campaign(req->campaign_id()));
    if (campaign.state() != v1::CAMPAIGN_STATE_OPEN) {
      return absl::FailedPreconditionError(
          "campaign_id: the campaign is closed; answers are read-only");
    }
    ParsedAnswers parsed = ParseAnswersCsv(req->csv());
    std::vector<FieldViolation> problems;
    auto at = [](int64_t line, const std::string& column) {
      return column.empty() ? absl::StrCat("csv[", line, "]")
                            : absl::StrCat("csv[", line, "].", column);
    };
    for (const AnswersCsvProblem& p : parsed.problems) {
      problems.push_back({p.line > 0 ? at(p.line, p.column) : "csv", p.message});
    }
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<MemberDirectory::Member> members,
                              deps_.members->ActiveMembers(campaign.network_id()));
    absl::flat_hash_set<std::string> active;
    for (const MemberDirectory::Member& m : members) active.insert(m.organisation_id);

    std::vector<std::pair<std::string, v1::Assessment>> answered;
    for (size_t o = 0; o < parsed.by_organisation.size(); ++o) {
      const auto& [org, answers] = parsed.by_organisation[o];
      const std::vector<int64_t>& lines = parsed.lines[o];
      if (!active.contains(org)) {
        problems.push_back({at(lines.front(), "organisation_id"),
                            "not an active member of the campaign's network"});
        continue;
      }
      google::protobuf::RepeatedPtrField<v1::FunctionAnswer> list(answers.begin(), answers.end());
      absl::StatusOr<v1::Assessment> decided = Answered(campaign, list, /*submit=*/true);
      if (!decided.ok()) {
        // The answer's violations at the line it came from.
        for (const FieldViolation& v : FieldViolationsOf(decided.status())) {
          size_t index = 0;
          std::string rest;
          if (AnswerIndexOf(v.field, &index, &rest) && index < lines.size()) {
            problems.push_back({at(lines[index], rest), v.description});
          } else {
            problems.push_back({at(lines.front(), ""), v.description});
          }
        }
        if (FieldViolationsOf(decided.status()).empty()) return decided.status();
        continue;
      }
      answered.push_back({org, *std::move(decided)});
    }
    if (problems.size() > kMaxCsvProblems) problems.resize(kMaxCsvProblems);
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));

    std::vector<std::string> orgs;
    for (const auto& [org, a] : answered) orgs.push_back(org);
    MAILLAGE_ASSIGN_OR_RETURN(AssessmentsByOrganisation last,
                              deps_.campaigns->LastSubmissions(campaign.campaign_id(), orgs));
    std::vector<std::pair<std::string, v1::Assessment>> changed;
    for (auto& [org, a] : answered) {
      auto it = last.find(org);
      if (it != last.end() && SameAnswers(it->second, a)) {
        resp->set_organisations_unchanged(resp->organisations_unchanged() + 1);
      } else {
        changed.push_back({org, std::move(a)});
      }
    }
    resp->set_rows(static_cast<int32_t>(parsed.rows));
    resp->set_answered_rows(static_cast<int32_t>(parsed.answered_rows));
    resp->set_organisations_submitted(static_cast<int32_t>(changed.size()));
    resp->set_dry_run(req->dry_run());
    if (req->dry_run() || changed.empty()) return absl::OkStatus();
    MAILLAGE_RETURN_IF_ERROR(deps_.campaigns->SubmitAll(campaign, changed, who.subject()));
    deps_.analysis->Invalidate(campaign.campaign_id());
    deps_.on_change();
    return absl::OkStatus();
  });
}

}  // namespace maillage::assessment
