// services/matching/matching_runtime: the matching service as the service runtime
// (common/runtime) runs it, one definition for main.cc and the test harness.
//
//   ServiceRuntime runtime(matching::Definition(), argc, argv);
//   return runtime.Run([](ServiceRuntime& rt) { return matching::Build(rt); });
//
// At start the partner index is loaded from every profile in PostgreSQL (progress in the
// log), after this replica began following maillage.matching.events, so that no change is
// missed between the two: each profile_changed on the stream reloads that profile (changes
// made by any replica, or by the replica consuming membership's events). The index is
// reloaded whole every INDEX_RELOAD_MINUTES, which recomputes the text weights and repairs
// anything missed while Redis was unreachable.
//
// Its own settings:
//   VOCABULARY_FILE            the competency vocabulary (CSV, domain/vocabulary.h); empty
//                              (the default): the one compiled in from data/.
//   MEMBERSHIP_EVENTS_STREAM   membership's stream, read by the consumer group "matching"
//                              for organisations and memberships [maillage.membership.events].
//   ASSESSMENT_EVENTS_STREAM   assessment's stream, read by the consumer group "matching": a
//                              pooling decision becomes pooling needs of its participants
//                              (data/function_competencies.csv) [maillage.assessment.events].
//   INDEX_RELOAD_MINUTES       [60] (1..1440).
#ifndef MAILLAGE_SERVICES_MATCHING_MATCHING_RUNTIME_H_
#define MAILLAGE_SERVICES_MATCHING_MATCHING_RUNTIME_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/runtime/runtime.h"

namespace maillage::matching {

class MatchingStore;
class MatchingService;
class ProfileIndex;
class ProfileFeed;

// Name, embedded migrations (and the consumer's processed_events), health entry, the stream
// maillage.matching.events, idempotency keys.
ServiceDefinition Definition();

struct Built {
  MatchingStore* store = nullptr;
  ProfileIndex* index = nullptr;
  ProfileFeed* feed = nullptr;
  MatchingService* service = nullptr;
};

absl::StatusOr<ServiceList> Build(ServiceRuntime& rt, Built* built = nullptr);

}  // namespace maillage::matching

#endif  // MAILLAGE_SERVICES_MATCHING_MATCHING_RUNTIME_H_
