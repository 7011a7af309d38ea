// services/assessment/domain/pooling_analysis: step 2 of the assessment, the network's view of
// one support function from its members' submitted answers, and the pooling modality it
// recommends, with the rule and the figures that led to it. Pure functions, no I/O.
//
//   v1::PoolingThresholds t = WithDefaults(network_settings);
//   v1::FunctionAnalysis a = AnalyseFunction(function, answers, t, Audience::kMember);
//   a.recommended(), a.rule(), a.saving().yearly_eur()
//
// Who counts where (one member may count in several):
//   demand      its disposition is pool with the network or pool or outsource, or it is
//               willing to pool;
//   providers   its disposition is offer to the network or keep-may-offer, or its efficiency
//               is high and its importance low;
//   strengthen  its disposition is strengthen in-house or with partners.
//
// The recommendation, first rule that holds (m = min_demand, thresholds per network):
//   1. demand ≥ m and a provider            -> a member serves the others
//   2. demand ≥ m, a staff function, and the demanding members spend at least
//      shared_resource_min_staff_days a year on it       -> a shared resource
//   3. demand ≥ m, a purchase function     -> group purchasing
//   4. demand ≥ m (services, smaller staff functions)    -> joint outsourcing
//   5. strengthen ≥ min_good_practice      -> exchange of good practice
//   6. otherwise                           -> nothing yet
// The estimated yearly saving is the modality's percentage of the yearly costs the members
// concerned gave (the demanding ones; the strengthening ones for good practice).
//
// Anonymity, for members: a count from 1 to min_group_size - 1 is "fewer than N" (GroupCount),
// in the counts, the spread and the rule's text alike; when a single cell of the spread is
// withheld, the next smallest is withheld too, as the cells add up to the members who
// answered; a saving computed from the costs of
// fewer than min_group_size members is withheld (it would reveal a member's cost); members
// are named only when they agreed to be. Animators (Audience::kAnimator) see exact counts;
// names follow the same consent.
#ifndef MAILLAGE_SERVICES_ASSESSMENT_DOMAIN_POOLING_ANALYSIS_H_
#define MAILLAGE_SERVICES_ASSESSMENT_DOMAIN_POOLING_ANALYSIS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "maillage/assessment/v1/assessment.pb.h"

namespace maillage::assessment {

// The defaults for every threshold left at 0.
v1::PoolingThresholds WithDefaults(v1::PoolingThresholds thresholds);

// INVALID_ARGUMENT naming the first threshold out of its range (counts 1..1000, staff days
// 1..100000, percentages 0..100, min_group_size 2..100); 0 means the default.
absl::Status ValidateThresholds(const v1::PoolingThresholds& thresholds);

// One member's submitted answer for the function.
struct MemberAnswer {
  std::string organisation_id;
  v1::FunctionAnswer answer;  // disposition already decided by the matrix
};

enum class Audience { kMember, kAnimator };

// The count as `audience` may see it.
v1::GroupCount Shown(int count, int min_group_size, Audience audience);
// "4", or "fewer than 3".
std::string CountText(const v1::GroupCount& count);

// `thresholds` with its defaults applied (WithDefaults).
v1::FunctionAnalysis AnalyseFunction(const v1::SupportFunction& function,
                                     const std::vector<MemberAnswer>& answers,
                                     const v1::PoolingThresholds& thresholds, Audience audience);

// "shared resource", "group purchasing", ...
std::string ModalityName(v1::PoolingModality modality);

}  // namespace maillage::assessment

#endif  // MAILLAGE_SERVICES_ASSESSMENT_DOMAIN_POOLING_ANALYSIS_H_
