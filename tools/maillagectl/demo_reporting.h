// tools/maillagectl/demo_reporting.h: the reporting part of `maillagectl demo load`: a year of
// activity for each demo network, through the reporting API (gRPC only), once membership,
// assessment and matching have loaded theirs (demo.h, demo_assessment.h, demo_matching.h).
//
//   ReportingStub stub(grpc::CreateChannel(reporting_address, ...));
//   absl::StatusOr<DemoReportingResult> r =
//       LoadDemoReporting(client, &stub, demo_result, &assessment_result, std::cerr);
//
// For each network, from the tables of DemoReportingPlanFor (data in code, the same on every
// run; dates counted in days from the day of the load):
//   - twelve animation events held over the last eleven months (open forums, world cafés,
//     workshops, company visits, trainings, club meetings), announced by the network's
//     animator, hosted by a member where the plan names one, each with its attendance and
//     outcomes recorded afterwards (RecordAttendance); then two or three events to come, for
//     which a few active members register, each by its own representative (RegisterForEvent);
//   - three collective actions (a pooled recruitment or training, a group purchase, a stand at
//     a fair) with their budget lines and funding mixing public money (region,
//     intercommunality, EU, chamber) and private money (members' contributions, a sponsor),
//     participants among the active members; one action of each network is above the default
//     public share ceiling (0.8), so the funding balance warns; the cluster's HR and energy
//     actions carry out the assessment campaign's two pooling decisions when assessment ran;
//   - a funder: a public body (the region for the cluster, the intercommunality for the
//     artisans) imported with its contact person, invited by the animator with the role
//     NETWORK_ROLE_FUNDER and accepting through that person, who can then sign in through
//     the gateway (`maillagectl token --person=...`) and read GET
//     /v1/networks/{id}/reports/funder and nothing else. It is admitted (SPONSORED) and signs
//     no charter: a funder is not a member.
// Who attends, registers or takes part is drawn from the network's active members by a digest
// of their SIREN and the event's or action's title: data, not randomness.
//
// Idempotent: the network's events (from two years back) and actions are listed first and a
// plan row whose title one of them has is left alone; attendance already recorded and
// registrations already made are not made again; creations carry idempotency keys (made of
// the network, the row and a digest of what is sent) so a retry after a lost answer creates
// nothing twice. A second run makes no change and says so; one made after an event to come
// has been held records its registrants as its attendance.
//
// The reporting service learns the active members from membership's events and the pooling
// decisions from assessment's: the loader waits (up to kDemoWaitForReporting) until its
// engagement report lists every active member of the file, and a call it refuses for a member
// or a decision it does not know yet is tried again within the same bound.
#ifndef MAILLAGE_TOOLS_MAILLAGECTL_DEMO_REPORTING_H_
#define MAILLAGE_TOOLS_MAILLAGECTL_DEMO_REPORTING_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "maillage/reporting/v1/reporting.grpc.pb.h"
#include "tools/maillagectl/client.h"
#include "tools/maillagectl/demo.h"
#include "tools/maillagectl/demo_assessment.h"

namespace maillage::ctl {

using ReportingStub = ::maillage::reporting::v1::ReportingService::Stub;
namespace rv1 = ::maillage::reporting::v1;

inline constexpr absl::Duration kDemoWaitForReporting = absl::Seconds(60);

// One animation event of the plan.
struct DemoEventPlan {
  rv1::AnimationEventKind kind;
  const char* title;
  const char* theme;
  // Days from the day of the load (UTC): negative for events held, positive for events to
  // come.
  int day;
  // Start, in hours after midnight UTC, and length in hours.
  int start_hour_utc;
  int hours;
  // A place, or else an https link.
  const char* place;
  const char* link;
  // The member whose premises host it (its SIREN, a row of the network's file), organiser of
  // the event when it is an active member; empty: the animator's.
  const char* host_siren;
  // 0: no limit.
  int capacity;
  // Held: the active members who came (the host among them). To come: those who register.
  int members;
  // Held: what came out of it.
  const char* outcomes;
};

struct DemoBudgetLinePlan {
  const char* label;
  int64_t euros;
};

struct DemoFundingPlan {
  rv1::FundingSourceKind kind;
  const char* funder;
  int64_t euros;
};

struct DemoActionPlan {
  rv1::CollectiveActionKind kind;
  const char* title;
  const char* description;
  rv1::CollectiveActionStatus status;
  // When it started, in days from the day of the load (negative); its budget year is that
  // day's.
  int day;
  // The support function it serves (a code of DemoFunctions()).
  const char* function_code;
  // The assessment decision it carries out, by the decision's function code; empty: none.
  const char* decision_function_code;
  int participants;
  std::vector<DemoBudgetLinePlan> budget;
  std::vector<DemoFundingPlan> funding;
};

// The public body that funds the network, as a row of an import file.
struct DemoFunderPlan {
  // Invented (a valid checksum, as the demo files' SIRENs); the names are the real bodies'.
  const char* siren;
  // Its seat (the SIREN and a NIC, a valid checksum), where the postal code and city are.
  const char* siret;
  const char* legal_name;
  const char* naf_code;
  const char* headcount_band;
  const char* postal_code;
  const char* city;
  const char* commune_code;
  const char* departement_code;
  const char* region_code;
  const char* description;
  // The person who signs in to read the funder report (e-mail on a reserved .example domain).
  const char* contact_first_name;
  const char* contact_last_name;
  const char* contact_email;
  const char* contact_title;
};

struct DemoReportingPlan {
  // Held first, oldest first; then those to come.
  std::vector<DemoEventPlan> events;
  std::vector<DemoActionPlan> actions;
  DemoFunderPlan funder;
};

// The plan of the cluster (NETWORK_KIND_CLUSTER) or of the allied network (any other kind).
const DemoReportingPlan& DemoReportingPlanFor(membership::v1::NetworkKind kind);

// The start of an event of the plan for a load on `now`'s day.
absl::Time DemoEventStart(const DemoEventPlan& e, absl::Time now);
// The budget year of an action of the plan for a load on `now`'s day.
int DemoActionYear(const DemoActionPlan& a, absl::Time now);

struct DemoReporting {
  std::string network_id;
  std::string network_name;
  // The plan's events found or created: held, and to come.
  int events_held = 0;
  int events_coming = 0;
  int attendances = 0;
  int registrations = 0;
  int actions = 0;
  // GetFundingBalance's warnings (an action or a year above the public share ceiling).
  std::vector<std::string> warnings = {};
  // The funder, and the person who reads the funder report for it.
  std::string funder_name = {};
  std::string funder_organisation_id = {};
  std::string funder_person_id = {};
};

struct DemoReportingResult {
  // Writes this run made: events, attendance lists, registrations, actions, the funder's
  // organisation, person and membership. 0 when all was there.
  int64_t changes = 0;
  // In the order of DemoResult::networks.
  std::vector<DemoReporting> networks;
};

// `assessments` may be null (no assessment address): the actions then carry no decision.
absl::StatusOr<DemoReportingResult> LoadDemoReporting(
    const MembershipClient& client, ReportingStub* reporting, const DemoResult& networks,
    const DemoAssessmentResult* assessments, std::ostream& progress, absl::Time now = absl::Now());

}  // namespace maillage::ctl

#endif  // MAILLAGE_TOOLS_MAILLAGECTL_DEMO_REPORTING_H_
