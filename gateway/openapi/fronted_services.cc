#include "gateway/openapi/fronted_services.h"

#include <google/protobuf/descriptor.h>

#include "maillage/assessment/v1/assessment.pb.h"
#include "maillage/matching/v1/matching.pb.h"
#include "maillage/membership/v1/membership.pb.h"
#include "maillage/reporting/v1/reporting.pb.h"

namespace maillage::gateway {

std::vector<const google::protobuf::ServiceDescriptor*> FrontedServices() {
  // Through a message of each file, so that the linker keeps the generated descriptors.
  return {
      membership::v1::GetNetworkRequest::descriptor()->file()->FindServiceByName(
          "MembershipService"),
      assessment::v1::Matrix::descriptor()->file()->FindServiceByName("AssessmentService"),
      matching::v1::Declaration::descriptor()->file()->FindServiceByName("MatchingService"),
      reporting::v1::EngagementReport::descriptor()->file()->FindServiceByName("ReportingService")};
}

}  // namespace maillage::gateway
