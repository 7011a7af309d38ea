#include "services/reporting/reporting_runtime.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/events/consumer.h"
#include "common/pg/idempotency.h"
#include "maillage/assessment/v1/assessment.pb.h"
#include "maillage/matching/v1/matching.pb.h"
#include "maillage/membership/v1/events.pb.h"
#include "services/reporting/reporting_service.h"
#include "services/reporting/reporting_store.h"

namespace maillage::reporting {

// maillage_service(... MIGRATIONS ...) embeds them (cmake/Service.cmake).
const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedFiles();

namespace {

// A consumer applying each entry of `stream`, parsed as Message, with `apply`.
template <typename Message>
void Follow(ServiceRuntime& rt, const std::string& setting, const std::string& stream,
            std::function<absl::Status(const Message&)> apply) {
  rt.AddConsumer({.stream = rt.config().String(setting, stream),
                  .group = kConsumerGroup,
                  .consumer = events::ReplicaConsumerName("reporting"),
                  .metrics = rt.metrics()},
                 [apply = std::move(apply)](const events::Event& e) -> absl::Status {
                   Message event;
                   if (!event.ParseFromString(e.payload)) {
                     return absl::InvalidArgumentError(
                         absl::StrCat("payload: not a ", Message::descriptor()->full_name()));
                   }
                   if (event.event_id().empty()) event.set_event_id(e.event_id);
                   return apply(event);
                 });
}

}  // namespace

ServiceDefinition Definition() {
  std::vector<pg::Migration> migrations = pg::MigrationsFromEmbedded(EmbeddedFiles());
  for (pg::Migration& m : events::ProcessedEventsMigrations()) migrations.push_back(std::move(m));
  migrations.push_back({"902_idempotency_keys.sql", std::string(pg::IdempotencySchemaSql())});
  return {.name = "reporting",
          .migrations = std::move(migrations),
          .health_service_names = {"maillage.reporting.v1.ReportingService"},
          .relay = {.stream = "maillage.reporting.events"},
          .follow_changes = nullptr,
          .cache_invalidations_stream = "",
          .retention_rules = {events::ProcessedEventsRetentionRule()},
          .idempotency_keys = true};
}

absl::StatusOr<ServiceList> Build(ServiceRuntime& rt, Built* built) {
  auto* store = rt.Keep(std::make_unique<ReportingStore>(rt.pg()));
  Follow<membership::v1::MembershipEvent>(
      rt, "MEMBERSHIP_EVENTS_STREAM", "maillage.membership.events",
      [store](const membership::v1::MembershipEvent& e) { return store->ApplyMembership(e); });
  Follow<matching::v1::MatchingEvent>(
      rt, "MATCHING_EVENTS_STREAM", "maillage.matching.events",
      [store](const matching::v1::MatchingEvent& e) { return store->ApplyMatching(e); });
  Follow<assessment::v1::AssessmentEvent>(
      rt, "ASSESSMENT_EVENTS_STREAM", "maillage.assessment.events",
      [store](const assessment::v1::AssessmentEvent& e) { return store->ApplyAssessment(e); });
  auto* service = rt.Keep(std::make_unique<ReportingService>(
      ReportingService::Dependencies{.store = store,
                                     .workers = rt.workers(),
                                     .page_tokens = rt.page_tokens(),
                                     .verifier = rt.verifier(),
                                     .clock = rt.clock()}));
  if (built != nullptr) *built = {.store = store, .service = service};
  return ServiceList{service};
}

}  // namespace maillage::reporting
