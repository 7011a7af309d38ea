// tools/maillagectl/demo_assessment.h: the assessment part of `maillagectl demo load`: one
// completed campaign of the support-function mapping per demo network, through the
// assessment API (gRPC only), once membership has loaded the networks (demo.h).
//
//   AssessmentStub stub(grpc::CreateChannel(assessment_address, ...));
//   absl::StatusOr<int64_t> changes = LoadDemoAssessments(client, &stub, demo_result, std::cerr);
//
// For each network: a campaign over kDemoFunctions opened by the network's animator; the
// assessment service learns the network's active members from membership's events, so the
// loader waits (up to kDemoWaitForMembers) until the campaign's participants are the active
// members membership lists; then about nine in ten of them submit answers drawn from
// per-function profiles (data, not randomness: the same on every run), so that the analysis
// recommends several modalities (a member serving others for recruitment, a shared resource
// for HR administration, group purchasing for supplies, insurance and energy, joint
// outsourcing for legal advice, good-practice exchange for cybersecurity), a few keep a
// draft; the animator records two decisions and closes the campaign. The allied network
// (the building artisans) also gets a 360° diagnostic campaign on the default questionnaire:
// four in five have had their interview (answers recorded by the animator, obstacles ticked),
// a third of those have an action plan; it stays open.
//
// Idempotent: a network whose campaign (found by title) is closed is left alone; an open one
// is completed. Answers are submitted by a platform operator on the company's behalf ("paper
// answers collected by the animator"), as the demo has no person logged in per company.
#ifndef MAILLAGE_TOOLS_MAILLAGECTL_DEMO_ASSESSMENT_H_
#define MAILLAGE_TOOLS_MAILLAGECTL_DEMO_ASSESSMENT_H_

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "maillage/assessment/v1/assessment.grpc.pb.h"
#include "tools/maillagectl/client.h"
#include "tools/maillagectl/demo.h"

namespace maillage::ctl {

using AssessmentStub = ::maillage::assessment::v1::AssessmentService::Stub;

inline constexpr char kDemoCampaignTitle[] = "Cartographie des fonctions support 2026";
inline constexpr char kDemoDiagnosticTitle[] =
    "Diagnostic 360° des artisans de la rénovation, Pays de Ploërmel 2026";
inline constexpr absl::Duration kDemoWaitForMembers = absl::Seconds(60);

// The functions of the demo campaigns (codes of the default catalogue).
const std::vector<std::string>& DemoFunctions();

struct DemoCampaign {
  std::string network_id;
  std::string campaign_id;
  int participants = 0;
  int submitted = 0;
  // The allied network's 360° diagnostic campaign; empty for the others.
  std::string diagnostic_campaign_id = {};
  // The campaign's pooling decisions: function code -> decision id (for the reporting part,
  // whose collective actions carry them out).
  std::map<std::string, std::string> decision_ids = {};
};

struct DemoAssessmentResult {
  int64_t changes = 0;
  std::vector<DemoCampaign> campaigns;
};

absl::StatusOr<DemoAssessmentResult> LoadDemoAssessments(const MembershipClient& client,
                                                         AssessmentStub* assessment,
                                                         const DemoResult& networks,
                                                         std::ostream& progress);

}  // namespace maillage::ctl

#endif  // MAILLAGE_TOOLS_MAILLAGECTL_DEMO_ASSESSMENT_H_
