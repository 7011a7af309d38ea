#include "services/membership/membership_harness.h"

namespace maillage::membership {

absl::Status MembershipHarness::Start(HarnessOptions options) {
  with_relay_ = options.with_relay;
  absl::Status s = harness_.Start(
      [this](ServiceRuntime& rt) { return Build(rt, &built_); },
      {.workers = options.workers,
       .queue_capacity = options.queue_capacity,
       .cache = options.with_cache,
       .relay = options.with_relay,
       .near_cache = options.with_near_cache && options.with_cache && options.with_relay});
  if (!s.ok()) return s;
  stub_ = v1::MembershipService::NewStub(harness_.channel());
  return absl::OkStatus();
}

}  // namespace maillage::membership
