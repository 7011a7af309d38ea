// tools/maillagectl/demo.h: `maillagectl demo load`, the two demo networks of data/demo
// loaded through the membership API (gRPC only, never SQL).
//
//   absl::StatusOr<DemoResult> r = LoadDemo(client, {.data_dir = "data/demo"}, std::cerr);
//   std::cout << FormatDemoSummary(*r);
//
// What it builds (see data/demo/README.md for the files):
//   kClusterName, from digital_cluster.csv: a CLUSTER, an ASSOCIATION admitting on
//     ANIMATOR_APPROVAL, animated by the file's `animator` row. Everyone is imported into it
//     with their CSV role, most sign the charter (ACTIVE), kClusterLateSigners leave it
//     unsigned (SPONSORED), and kClusterApplicants members applied themselves and await the
//     animator's approval (APPLIED).
//   kAlliedName, from renovation_artisans.csv: an INFORMAL ALLIED_NETWORK admitting by
//     CO_OPTATION with 2 sponsors, animated by the file's `animator` row. Two founders are
//     admitted by the animator's override (ApproveMembership); every other artisan applies,
//     is sponsored by 2 distinct active members and signs; the last kAlliedPending applicants
//     have a single sponsor so far (APPLIED).
//
// Idempotent: every step reads what exists and does only what is missing. Networks are found
// by exact name, organisations by SIREN (the import's key), memberships by organisation. The
// random choices (late signers, applicants, founders, sponsors) come from a fixed seed and
// the files alone, never from the server's state, so every run aims at the same end state and
// a second run makes no change (DemoResult::changes == 0). Memberships an operator has since
// moved elsewhere (left, rejected, suspended) are reported and left alone.
//
// Who acts: the platform admin imports without a network and reads; an organisation's
// representative (the row's contact, found with ListRepresentations) creates its network,
// applies, and, holding its role in the network as a gateway-built principal would, sponsors
// and signs the charter in their own name; the animating organisation's representative, with
// the animator grant, imports into the network and approves. All principals are signed with
// the client's key.
#ifndef MAILLAGE_TOOLS_MAILLAGECTL_DEMO_H_
#define MAILLAGE_TOOLS_MAILLAGECTL_DEMO_H_

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/maillagectl/client.h"

namespace maillage::ctl {

inline constexpr char kClusterFile[] = "digital_cluster.csv";
inline constexpr char kAlliedFile[] = "renovation_artisans.csv";
inline constexpr char kClusterName[] = "Cluster numérique de Bordeaux Métropole";
inline constexpr char kAlliedName[] = "Réseau des artisans de la rénovation du Pays de Ploërmel";
inline constexpr int kClusterLateSigners = 6;
inline constexpr int kClusterApplicants = 4;
inline constexpr int kAlliedFounders = 2;
inline constexpr int kAlliedRequiredSponsors = 2;
inline constexpr int kAlliedPending = 3;

struct DemoOptions {
  // Folder holding kClusterFile and kAlliedFile.
  std::string data_dir = "data/demo";
};

// A row of a demo file as the service knows it: what the other demo loaders (assessment,
// matching) need to act for the organisation.
struct DemoMember {
  std::string siren;
  std::string legal_name;
  std::string organisation_id;
  // Its representative: the row's contact.
  std::string person_id;
  // Its membership of the network (UNSPECIFIED: none).
  v1::MembershipState state = v1::MEMBERSHIP_STATE_UNSPECIFIED;
};

struct DemoNetworkSummary {
  std::string network_id;
  std::string name;
  v1::NetworkKind kind = v1::NETWORK_KIND_UNSPECIFIED;
  v1::AdmissionPolicy admission_policy = v1::ADMISSION_POLICY_UNSPECIFIED;
  std::string animating_organisation_id;
  std::string animating_organisation_name;
  // The representative of the animating organisation who acts as its animator.
  std::string animator_person_id;
  // Memberships that are neither left nor rejected, by state and by role (funders left out:
  // they are not members).
  std::map<v1::MembershipState, int> by_state;
  std::map<auth::v1::NetworkRole, int> by_role;
  // Things to try: (what it is, ids).
  std::vector<std::pair<std::string, std::string>> examples;
  // Every row of the network's file, in the file's order (members in any state).
  std::vector<DemoMember> members = {};
};

struct DemoResult {
  // Writes this run made: organisations, people and memberships created or updated, networks
  // created, applications, approvals, sponsorships, signatures. 0 when all was loaded.
  int64_t changes = 0;
  // The cluster, then the allied network.
  std::vector<DemoNetworkSummary> networks;
};

// Loads both networks, logging each step to `progress`. Fails on the first call that fails,
// on files that do not look like data/demo's, or when an import rejects rows.
absl::StatusOr<DemoResult> LoadDemo(const MembershipClient& client, const DemoOptions& options,
                                    std::ostream& progress);

// The networks with their ids, members per state and role, and example commands.
std::string FormatDemoSummary(const DemoResult& result);

}  // namespace maillage::ctl

#endif  // MAILLAGE_TOOLS_MAILLAGECTL_DEMO_H_
