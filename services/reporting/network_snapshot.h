// services/reporting/network_snapshot: what the other services' list APIs say of one network,
// as the rebuild (read_model_rebuild.h) gathers it for ReportingStore::ApplySnapshot.
#ifndef MAILLAGE_SERVICES_REPORTING_NETWORK_SNAPSHOT_H_
#define MAILLAGE_SERVICES_REPORTING_NETWORK_SNAPSHOT_H_

#include <string>
#include <vector>

#include "maillage/assessment/v1/assessment.pb.h"
#include "maillage/matching/v1/matching.pb.h"
#include "maillage/membership/v1/membership.pb.h"

namespace maillage::reporting {

struct NetworkSnapshot {
  std::string network_id = {};
  // Its name and version, when known.
  membership::v1::Network network = {};
  // Every membership of the network, whatever its state.
  std::vector<membership::v1::Membership> memberships = {};
  // Its members' organisations (names, kinds, sectors, sizes).
  std::vector<membership::v1::Organisation> organisations = {};
  std::vector<matching::v1::Introduction> introductions = {};
  // The latest submission of each member of each campaign.
  struct Submission {
    std::string campaign_id = {}, organisation_id = {};
    int revision = 0;
    google::protobuf::Timestamp submit_time = {};
    google::protobuf::RepeatedPtrField<assessment::v1::FunctionDisposition> dispositions = {};
  };
  std::vector<Submission> submissions = {};
  std::vector<assessment::v1::PoolingDecision> decisions = {};
};

}  // namespace maillage::reporting

#endif  // MAILLAGE_SERVICES_REPORTING_NETWORK_SNAPSHOT_H_
