// tools/maillagectl/demo_matching.h: the matching part of `maillagectl demo load`: what the
// members of both demo networks offer and need (data/demo/declarations.csv), created
// through the matching API (gRPC only) once membership has loaded the networks (demo.h).
//
//   MatchingStub stub(grpc::CreateChannel(matching_address, ...));
//   absl::StatusOr<DemoMatchingResult> r =
//       LoadDemoDeclarations(client, &stub, demo_result, "data/demo", std::cerr);
//
// Each row is declared (CreateDeclaration) by a representative of its company, the row's
// contact as LoadDemo found them, with an idempotency key made of the SIREN, the row's rank
// among the company's rows and a digest of the row: a retry after a lost answer creates
// nothing twice. Idempotent beyond the keys' 24 hours too: each company's declarations are
// listed first (withdrawn and expired ones included) and a row whose side and title one of
// them already has is left alone, so a second run creates nothing and says so.
//
// The matching service learns the organisations from membership's events; a call it answers
// NOT_FOUND or FAILED_PRECONDITION (a company it does not know yet) is tried again for up to
// kDemoWaitForOrganisations before the load fails.
#ifndef MAILLAGE_TOOLS_MAILLAGECTL_DEMO_MATCHING_H_
#define MAILLAGE_TOOLS_MAILLAGECTL_DEMO_MATCHING_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "maillage/matching/v1/matching.grpc.pb.h"
#include "tools/maillagectl/client.h"
#include "tools/maillagectl/demo.h"

namespace maillage::ctl {

using MatchingStub = ::maillage::matching::v1::MatchingService::Stub;

// In the demo folder, beside kClusterFile and kAlliedFile (data/demo/README.md).
inline constexpr char kDeclarationsFile[] = "declarations.csv";
inline constexpr absl::Duration kDemoWaitForOrganisations = absl::Seconds(60);

struct DemoDeclarations {
  std::string network_id;
  std::string network_name;
  // The file's rows for the network's members.
  int offers = 0;
  int needs = 0;
  // Declarations this run created.
  int created = 0;
  // A member with needs, whose suggested partners are worth a look.
  std::string example_organisation_id = {};
  std::string example_name = {};
};

struct DemoMatchingResult {
  // Declarations created by this run; 0 when all were there.
  int64_t changes = 0;
  // In the order of DemoResult::networks.
  std::vector<DemoDeclarations> networks;
};

// Reads `data_dir`/kDeclarationsFile (all of it before the first call, so a file that does
// not fit changes nothing) and declares its rows, logging each network to `progress`.
// INVALID_ARGUMENT naming the line for a row that does not parse or whose SIREN is in no demo
// network; otherwise fails on the first call that fails.
absl::StatusOr<DemoMatchingResult> LoadDemoDeclarations(const MembershipClient& client,
                                                        MatchingStub* matching,
                                                        const DemoResult& networks,
                                                        const std::string& data_dir,
                                                        std::ostream& progress);

}  // namespace maillage::ctl

#endif  // MAILLAGE_TOOLS_MAILLAGECTL_DEMO_MATCHING_H_
