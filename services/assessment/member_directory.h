// services/assessment/member_directory: which organisations belong to which network, as
// membership's events (maillage.membership.events) last said. Campaign participants are a
// network's ACTIVE members, read here at the time of the question, so a member who leaves
// drops out of every open campaign and one who joins is added, without any campaign being
// rewritten.
//
//   MemberDirectory directory(pg_pool);
//   rt.AddConsumer({.stream = "maillage.membership.events", .group = "assessment", ...},
//                  [&](const events::Event& e) { return directory.Apply(e); });
//   absl::StatusOr<std::vector<Member>> members = directory.ActiveMembers(network_id);
//
// Apply() is idempotent: each event is applied once (events::MarkProcessed under the group
// "assessment", in the same transaction), and a membership event older than the version held
// (its Membership.version) changes nothing, so redeliveries and reordering are harmless.
// Organisation renames update the names kept for listings.
#ifndef MAILLAGE_SERVICES_ASSESSMENT_MEMBER_DIRECTORY_H_
#define MAILLAGE_SERVICES_ASSESSMENT_MEMBER_DIRECTORY_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace maillage::pg {
class PgPool;
}  // namespace maillage::pg
namespace maillage::events {
struct Event;
}  // namespace maillage::events
namespace maillage::membership::v1 {
class MembershipEvent;
}  // namespace maillage::membership::v1

namespace maillage::assessment {

// The consumer group (and MarkProcessed scope) of this service on membership's stream.
inline constexpr char kMembershipConsumerGroup[] = "assessment";

class MemberDirectory {
 public:
  struct Member {
    std::string organisation_id;
    std::string name;
  };

  explicit MemberDirectory(pg::PgPool* pool) : pool_(pool) {}

  // One entry of membership's stream. A payload that does not parse is INVALID_ARGUMENT (the
  // consumer retries, then dead-letters it); other event kinds are marked and ignored.
  absl::Status Apply(const events::Event& event);
  // The same for an event already parsed (tests, replays).
  absl::Status Apply(const membership::v1::MembershipEvent& event);

  // The network's ACTIVE members, by name.
  absl::StatusOr<std::vector<Member>> ActiveMembers(const std::string& network_id);
  // The name of every organisation the network has had, whatever its state now, by id.
  absl::StatusOr<absl::flat_hash_map<std::string, std::string>> Names(
      const std::string& network_id);
  absl::StatusOr<bool> IsActiveMember(const std::string& network_id,
                                      const std::string& organisation_id);

 private:
  pg::PgPool* pool_;
};

}  // namespace maillage::assessment

#endif  // MAILLAGE_SERVICES_ASSESSMENT_MEMBER_DIRECTORY_H_
