#include "services/membership/membership_runtime.h"

#include <memory>

#include "common/auth/api_key.h"
#include "services/membership/membership_service.h"
#include "services/membership/membership_store.h"

namespace maillage::membership {

// maillage_service(... MIGRATIONS ...) embeds them (cmake/Service.cmake).
const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedFiles();

ServiceDefinition Definition() {
  return {.name = "membership",
          .migrations = pg::MigrationsFromEmbedded(EmbeddedFiles()),
          .health_service_names = {"maillage.membership.v1.MembershipService"},
          .relay = {.stream = "maillage.membership.events"},
          .follow_changes = FollowChanges,
          .retention_rules = {},
          .idempotency_keys = true};
}

absl::StatusOr<ServiceList> Build(ServiceRuntime& rt, Built* built) {
  auto* store = rt.Keep(std::make_unique<MembershipStore>(rt.pg()));
  auto* service = rt.Keep(std::make_unique<MembershipService>(MembershipService::Dependencies{
      .store = store,
      .cache = rt.cache(),
      .workers = rt.workers(),
      .verifier = rt.verifier(),
      .page_tokens = rt.page_tokens(),
      .api_key_hash_key = auth::ApiKeyHashKey(rt.settings().hmac_key),
      .clock = rt.clock(),
      .on_change = rt.wake_relay()}));
  if (built != nullptr) *built = {.store = store, .service = service};
  return ServiceList{service};
}

}  // namespace maillage::membership
