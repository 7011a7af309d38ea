#include "services/assessment/network_analysis.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/redis/cache.h"
#include "common/status/status.h"
#include "services/assessment/assessment_store.h"
#include "services/assessment/campaign_store.h"
#include "services/assessment/member_directory.h"

namespace maillage::assessment {
namespace {

constexpr char kKind[] = "analysis";

bool Full(v1::AnalysisView view) { return view == v1::ANALYSIS_VIEW_FULL; }

std::string KeyOf(const std::string& campaign_id, Audience audience, v1::AnalysisView view) {
  return absl::StrCat(campaign_id, audience == Audience::kAnimator ? ":exact" : ":members",
                      Full(view) ? ":full" : ":basic");
}

}  // namespace

absl::StatusOr<v1::CampaignAnalysis> NetworkAnalysis::Analyse(const v1::Campaign& campaign,
                                                              Audience audience,
                                                              v1::AnalysisView view) {
  absl::StatusOr<std::shared_ptr<const v1::CampaignAnalysis>> cached =
      redis::GetMessage<v1::CampaignAnalysis>(
          sources_.cache, kKind, KeyOf(campaign.campaign_id(), audience, view),
          [&]() -> absl::StatusOr<std::string> {
            MAILLAGE_ASSIGN_OR_RETURN(v1::CampaignAnalysis a, Compute(campaign, audience, view));
            return a.SerializeAsString();
          });
  if (!cached.ok()) return cached.status();
  return **cached;
}

absl::StatusOr<v1::CampaignAnalysis> NetworkAnalysis::Compute(const v1::Campaign& campaign,
                                                              Audience audience,
                                                              v1::AnalysisView view) {
  const std::string& network = campaign.network_id();
  MAILLAGE_ASSIGN_OR_RETURN(v1::PoolingThresholds saved, sources_.campaigns->Thresholds(network));
  const v1::PoolingThresholds thresholds = WithDefaults(saved);
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::SupportFunction> functions,
                            sources_.functions->Functions(network, /*include_retired=*/true));
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<AnswerRow> rows,
                            sources_.campaigns->CountedAnswers(campaign.campaign_id()));
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<MemberDirectory::Member> members,
                            sources_.members->ActiveMembers(network));

  absl::flat_hash_map<std::string, const v1::SupportFunction*> by_code;
  for (const v1::SupportFunction& f : functions) by_code[f.code()] = &f;
  // Only the companies that are active members now count: one who left drops out.
  absl::flat_hash_set<std::string> active;
  active.reserve(members.size());
  for (const MemberDirectory::Member& m : members) active.insert(m.organisation_id);
  absl::flat_hash_map<std::string, std::vector<MemberAnswer>> answers;
  absl::flat_hash_set<std::string> submitted;
  for (AnswerRow& row : rows) {
    if (!active.contains(row.organisation_id)) continue;
    submitted.insert(row.organisation_id);
    std::vector<MemberAnswer>& of_function = answers[row.answer.function_code()];
    of_function.push_back({std::move(row.organisation_id), std::move(row.answer)});
  }

  v1::CampaignAnalysis out;
  out.set_campaign_id(campaign.campaign_id());
  out.set_network_id(network);
  const int min_group = thresholds.min_group_size();
  *out.mutable_participants() = Shown(static_cast<int>(members.size()), min_group, audience);
  *out.mutable_submitted() = Shown(static_cast<int>(submitted.size()), min_group, audience);
  *out.mutable_thresholds() = thresholds;
  out.set_matrix_version(campaign.matrix_version());
  out.set_exact(audience == Audience::kAnimator);
  absl::flat_hash_set<std::string> named;
  for (const std::string& code : campaign.function_codes()) {
    auto f = by_code.find(code);
    v1::SupportFunction unknown;  // a function the network no longer has: analysed by code
    unknown.set_code(code);
    const v1::SupportFunction& function = f == by_code.end() ? unknown : *f->second;
    v1::FunctionAnalysis* a = out.add_functions();
    *a = AnalyseFunction(function, answers[code], thresholds, audience);
    if (!Full(view)) {
      a->clear_named_providers();
      a->clear_named_participants();
      continue;
    }
    for (const std::string& id : a->named_providers()) named.insert(id);
    for (const std::string& id : a->named_participants()) named.insert(id);
  }
  for (const MemberDirectory::Member& m : members) {
    if (named.contains(m.organisation_id)) {
      (*out.mutable_organisation_names())[m.organisation_id] = m.name;
    }
  }
  const absl::Time now = absl::Now();
  out.mutable_compute_time()->set_seconds(absl::ToUnixSeconds(now));
  return out;
}

void NetworkAnalysis::Invalidate(const std::string& campaign_id) {
  if (sources_.cache == nullptr) return;
  for (Audience audience : {Audience::kAnimator, Audience::kMember}) {
    for (v1::AnalysisView view : {v1::ANALYSIS_VIEW_BASIC, v1::ANALYSIS_VIEW_FULL}) {
      sources_.cache->Invalidate(kKind, KeyOf(campaign_id, audience, view));
    }
  }
}

void NetworkAnalysis::InvalidateNetwork(const std::string& network_id) {
  if (sources_.cache == nullptr) return;
  absl::StatusOr<std::vector<std::string>> ids = sources_.campaigns->CampaignIds(network_id);
  if (!ids.ok()) {
    // The TTL bounds how long an analysis may stay stale.
    log::Warn("analysis invalidation of a network's campaigns failed",
              {{"network_id", network_id}, {"error", ids.status().ToString()}});
    return;
  }
  for (const std::string& id : *ids) Invalidate(id);
}

}  // namespace maillage::assessment
