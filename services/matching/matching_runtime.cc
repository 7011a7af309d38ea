#include "services/matching/matching_runtime.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/events/consumer.h"
#include "common/log/log.h"
#include "common/pg/idempotency.h"
#include "common/redis/near_cache.h"
#include "maillage/assessment/v1/assessment.pb.h"
#include "maillage/matching/v1/matching.pb.h"
#include "maillage/membership/v1/events.pb.h"
#include "services/matching/domain/pooling_needs.h"
#include "services/matching/domain/vocabulary.h"
#include "services/matching/matching_service.h"
#include "services/matching/matching_store.h"
#include "services/matching/profile_feed.h"
#include "services/matching/profile_index.h"

namespace maillage::matching {

// maillage_service(... MIGRATIONS ...) embeds them (cmake/Service.cmake).
const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedFiles();
namespace data {
// The files of data/ (CMakeLists.txt: maillage_embed_files).
const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedFiles();
}  // namespace data

namespace {

constexpr char kStream[] = "maillage.matching.events";

absl::StatusOr<std::string> Embedded(std::string_view file) {
  for (const auto& [name, text] : data::EmbeddedFiles()) {
    if (name == file) return std::string(text);
  }
  return absl::InternalError(absl::StrCat(std::string(file), " is not compiled in"));
}

absl::StatusOr<std::string> VocabularyText(const std::string& file) {
  if (file.empty()) return Embedded("competencies.csv");
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return absl::InvalidArgumentError(absl::StrCat("MAILLAGE_VOCABULARY_FILE: cannot read ", file));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// What lives as long as the service: the follower of the service's own
// stream (and its Redis connection) and the periodic reload.
class Background {
 public:
  ~Background() {
    stop_.Notify();
    if (reloader_.joinable()) reloader_.join();
    follower_.reset();
  }

  absl::Status Follow(const std::string& redis_address, const std::string& stream,
                      ProfileFeed* feed) {
    auto pool = redis::RedisPool::Create({.address = redis_address, .pool_size = 1});
    if (!pool.ok()) return pool.status();
    pool_ = std::move(*pool);
    follower_ = std::make_unique<redis::StreamFollower>(
        pool_.get(), stream,
        [feed](const redis::StreamFollower::Fields& fields) {
          for (const auto& [name, value] : fields) {
            v1::MatchingEvent event;
            if (name != "payload" || !event.ParseFromString(value)) continue;
            if (event.has_profile_changed())
              feed->Refresh(event.profile_changed().organisation_id());
          }
        },
        nullptr);
    return absl::OkStatus();
  }

  void ReloadEvery(absl::Duration period, ProfileFeed* feed) {
    reloader_ = std::thread([this, period, feed] {
      while (!stop_.WaitForNotificationWithTimeout(period)) {
        if (absl::Status s = feed->Load(); !s.ok()) {
          log::Warn("partner index reload failed", {{"error", s.ToString()}});
        }
      }
    });
  }

 private:
  std::unique_ptr<redis::RedisPool> pool_;
  std::unique_ptr<redis::StreamFollower> follower_;
  absl::Notification stop_;
  std::thread reloader_;
};

}  // namespace

ServiceDefinition Definition() {
  std::vector<pg::Migration> migrations = pg::MigrationsFromEmbedded(EmbeddedFiles());
  for (pg::Migration& m : events::ProcessedEventsMigrations()) migrations.push_back(std::move(m));
  migrations.push_back({"902_idempotency_keys.sql", std::string(pg::IdempotencySchemaSql())});
  return {.name = "matching",
          .migrations = std::move(migrations),
          .health_service_names = {"maillage.matching.v1.MatchingService"},
          .relay = {.stream = kStream},
          .follow_changes = nullptr,
          .cache_invalidations_stream = "",
          .retention_rules = {events::ProcessedEventsRetentionRule()},
          .idempotency_keys = true};
}

absl::StatusOr<ServiceList> Build(ServiceRuntime& rt, Built* built) {
  const std::string file = rt.config().String("VOCABULARY_FILE", "");
  const int reload_minutes = rt.config().Int("INDEX_RELOAD_MINUTES", 60, 1, 1440);
  MAILLAGE_ASSIGN_OR_RETURN(std::string text, VocabularyText(file));
  absl::StatusOr<Vocabulary> vocabulary = Vocabulary::Parse(text);
  if (!vocabulary.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("the competency vocabulary ",
                                                   file.empty() ? "(compiled in)" : file, ": ",
                                                   vocabulary.status().message()));
  }
  auto* words = rt.Keep(std::make_unique<Vocabulary>(*std::move(vocabulary)));
  MAILLAGE_ASSIGN_OR_RETURN(std::string mapping_text, Embedded("function_competencies.csv"));
  absl::StatusOr<FunctionCompetencies> mapping = ParseFunctionCompetencies(mapping_text, *words);
  if (!mapping.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("function_competencies.csv (compiled in): ", mapping.status().message()));
  }
  auto* functions = rt.Keep(std::make_unique<FunctionCompetencies>(*std::move(mapping)));
  auto* store = rt.Keep(std::make_unique<MatchingStore>(rt.pg(), rt.clock()));
  auto* index = rt.Keep(std::make_unique<ProfileIndex>(words));
  auto* feed = rt.Keep(std::make_unique<ProfileFeed>(store, index));
  // Kept last, so stopped first: its threads call the feed.
  auto* background = rt.Keep(std::make_unique<Background>());
  // Follow first, then load: a change committed meanwhile is replayed after the load.
  MAILLAGE_RETURN_IF_ERROR(
      background->Follow(rt.settings().redis_address, rt.definition().relay.stream, feed));
  MAILLAGE_RETURN_IF_ERROR(feed->Load());
  background->ReloadEvery(absl::Minutes(reload_minutes), feed);

  auto wake = rt.wake_relay();
  rt.AddConsumer(
      {.stream = rt.config().String("MEMBERSHIP_EVENTS_STREAM", "maillage.membership.events"),
       .group = kMembershipConsumerGroup,
       .consumer = events::ReplicaConsumerName("matching"),
       .metrics = rt.metrics()},
      [store, feed, wake](const events::Event& e) -> absl::Status {
        membership::v1::MembershipEvent event;
        if (!event.ParseFromString(e.payload)) {
          return absl::InvalidArgumentError(
              "payload: not a maillage.membership.v1.MembershipEvent");
        }
        if (event.event_id().empty()) event.set_event_id(e.event_id);
        MAILLAGE_ASSIGN_OR_RETURN(std::vector<std::string> changed,
                                  store->ApplyMembershipEvent(event));
        if (!changed.empty()) wake();
        for (const std::string& id : changed) feed->Refresh(id);
        return absl::OkStatus();
      });
  // The assessment service's pooling decisions become pooling needs of their participants.
  rt.AddConsumer(
      {.stream = rt.config().String("ASSESSMENT_EVENTS_STREAM", "maillage.assessment.events"),
       .group = kMembershipConsumerGroup,
       .consumer = events::ReplicaConsumerName("matching"),
       .metrics = rt.metrics()},
      [store, feed, wake, functions](const events::Event& e) -> absl::Status {
        assessment::v1::AssessmentEvent event;
        if (!event.ParseFromString(e.payload)) {
          return absl::InvalidArgumentError(
              "payload: not a maillage.assessment.v1.AssessmentEvent");
        }
        if (!event.has_decision_recorded()) return absl::OkStatus();
        const assessment::v1::PoolingDecision& d = event.decision_recorded();
        const FunctionCompetencies::Entry* entry = functions->Find(d.function_code());
        if (entry == nullptr) return absl::OkStatus();  // a network's own function: no tags
        MatchingStore::PoolingNeed need{
            .source = absl::StrCat("assessment:", d.campaign_id(), ":", d.function_code()),
            .participants = {},
            .tags = entry->competencies,
            .title = absl::StrCat("Mutualisation : ", entry->label_fr),
            .description = absl::StrCat("Le réseau a décidé de mutualiser « ", entry->label_fr,
                                        " » ; ", d.rationale())};
        if (d.modality() != assessment::v1::POOLING_MODALITY_NOTHING_YET &&
            d.modality() != assessment::v1::POOLING_MODALITY_UNSPECIFIED) {
          need.participants.assign(d.participant_organisation_ids().begin(),
                                   d.participant_organisation_ids().end());
        }
        MAILLAGE_ASSIGN_OR_RETURN(
            std::vector<std::string> changed,
            store->ApplyPoolingDecision(e.event_id.empty() ? event.event_id() : e.event_id, need,
                                        event.actor()));
        if (!changed.empty()) wake();
        for (const std::string& id : changed) feed->Refresh(id);
        return absl::OkStatus();
      });
  auto* service = rt.Keep(std::make_unique<MatchingService>(MatchingService::Dependencies{
      .store = store,
      .index = index,
      .vocabulary = words,
      .workers = rt.workers(),
      .page_tokens = rt.page_tokens(),
      .verifier = rt.verifier(),
      .clock = rt.clock(),
      .on_change = wake,
      .on_profile_change = [feed](const std::string& id) { feed->Refresh(id); }}));
  if (built != nullptr) *built = {.store = store, .index = index, .feed = feed, .service = service};
  return ServiceList{service};
}

}  // namespace maillage::matching
