// services/assessment/network_analysis: step 2, the network's view of a campaign per
// function (domain/pooling_analysis.h) from the last submission of each company that is an
// active member now, as a member or as an animator may see it; cached in Redis.
//
//   NetworkAnalysis analysis({.campaigns = &campaigns, .functions = &store,
//                             .members = &directory, .cache = rt.cache()});
//   absl::StatusOr<v1::CampaignAnalysis> a =
//       analysis.Analyse(campaign, Audience::kMember, v1::ANALYSIS_VIEW_BASIC);
//   ...after a submission:            analysis.Invalidate(campaign_id);
//   ...after the network's thresholds or members changed: analysis.InvalidateNetwork(network_id);
//
// Cached per (campaign, audience, view) under the kind "analysis" with the cache's TTL. The
// BASIC view leaves out the named members, which in a large network are most of the bytes
// (2,000 members, 25 functions: about 12 KB against 250 KB; bench/analysis_bench.cc). A matrix
// edit needs no invalidation, as a campaign's answers were decided by the version it pinned.
// Redis down: every call computes from PostgreSQL (common/redis/cache.h).
#ifndef MAILLAGE_SERVICES_ASSESSMENT_NETWORK_ANALYSIS_H_
#define MAILLAGE_SERVICES_ASSESSMENT_NETWORK_ANALYSIS_H_

#include <string>

#include "absl/status/statusor.h"
#include "maillage/assessment/v1/assessment.pb.h"
#include "services/assessment/domain/pooling_analysis.h"

namespace maillage::redis {
class BytesCache;
}  // namespace maillage::redis

namespace maillage::assessment {

class AssessmentStore;
class CampaignStore;
class MemberDirectory;

class NetworkAnalysis {
 public:
  struct Sources {
    CampaignStore* campaigns = nullptr;
    AssessmentStore* functions = nullptr;
    MemberDirectory* members = nullptr;
    redis::BytesCache* cache = nullptr;  // optional
  };

  explicit NetworkAnalysis(Sources sources) : sources_(sources) {}

  absl::StatusOr<v1::CampaignAnalysis> Analyse(const v1::Campaign& campaign, Audience audience,
                                               v1::AnalysisView view);
  // Computes without the cache (benchmarks, and what a miss does).
  absl::StatusOr<v1::CampaignAnalysis> Compute(const v1::Campaign& campaign, Audience audience,
                                               v1::AnalysisView view);

  void Invalidate(const std::string& campaign_id);
  // Every campaign of the network.
  void InvalidateNetwork(const std::string& network_id);

 private:
  Sources sources_;
};

}  // namespace maillage::assessment

#endif  // MAILLAGE_SERVICES_ASSESSMENT_NETWORK_ANALYSIS_H_
