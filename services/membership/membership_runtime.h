// The membership service as the service runtime (common/runtime) runs it: what main.cc
// starts and what MembershipHarness starts in tests, one definition for both.
//
//   ServiceRuntime runtime(membership::Definition(), argc, argv);
//   return runtime.Run([](ServiceRuntime& rt) { return membership::Build(rt); });
#ifndef MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_RUNTIME_H_
#define MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_RUNTIME_H_

#include "absl/status/statusor.h"
#include "common/runtime/runtime.h"

namespace maillage::membership {

class MembershipStore;
class MembershipService;

// Name, embedded migrations, health entry, the stream maillage.membership.events and the near
// cache following it (FollowChanges).
ServiceDefinition Definition();

// The parts Build() made, for tests that reach past the API.
struct Built {
  MembershipStore* store = nullptr;
  MembershipService* service = nullptr;
};

// Builds the store and the gRPC service from the runtime's parts (kept by the runtime).
absl::StatusOr<ServiceList> Build(ServiceRuntime& rt, Built* built = nullptr);

}  // namespace maillage::membership

#endif  // MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_RUNTIME_H_
