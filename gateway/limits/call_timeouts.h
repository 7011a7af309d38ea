// gateway/limits/call_timeouts: how long the gateway lets a backend call run, per method.
//
//   absl::StatusOr<CallTimeouts> t = CallTimeouts::Parse(
//       {.unary = absl::Seconds(10), .streaming = absl::Minutes(10),
//        .overrides = "ImportOrganisations=1800,GetNetwork=2"},
//       {membership_service_descriptor});
//   ctx.set_deadline(t->Deadline(*method, caller_deadline));
//
// A unary method gets `unary`, a streaming one (an import, an export) `streaming`, unless
// `overrides` names it (by its name, "GetNetwork", or its full name,
// "maillage.membership.v1.MembershipService.GetNetwork") with a number of seconds. A caller
// may ask for less (gRPC's deadline, REST's x-request-timeout), never for more. An override
// that names no method of the services, or a number that is not one, is refused at start.
#ifndef MAILLAGE_GATEWAY_LIMITS_CALL_TIMEOUTS_H_
#define MAILLAGE_GATEWAY_LIMITS_CALL_TIMEOUTS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace google::protobuf {
class MethodDescriptor;
class ServiceDescriptor;
}  // namespace google::protobuf

namespace maillage::gateway {

class CallTimeouts {
 public:
  struct Options {
    absl::Duration unary = absl::Seconds(10);
    absl::Duration streaming = absl::Minutes(10);
    std::string overrides = {};  // "Method=seconds,..."; empty: none
  };

  CallTimeouts() = default;
  static absl::StatusOr<CallTimeouts> Parse(
      Options options, const std::vector<const google::protobuf::ServiceDescriptor*>& services);

  // The longest `method` may run.
  absl::Duration For(const google::protobuf::MethodDescriptor& method) const;
  // When a call of `method` starting now must end: the method's limit, or the caller's
  // earlier deadline.
  absl::Time Deadline(const google::protobuf::MethodDescriptor& method,
                      absl::Time caller_deadline = absl::InfiniteFuture()) const;

 private:
  Options options_;
  std::map<const google::protobuf::MethodDescriptor*, absl::Duration> per_method_;
};

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_LIMITS_CALL_TIMEOUTS_H_
