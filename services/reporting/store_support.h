// services/reporting/store_support: what the reporting service's stores share: who is a
// member, and publishing an event through the outbox.
// Included by their .cc files only (it brings pqxx in).
//
// "Member" means an ACTIVE membership in any role but NETWORK_ROLE_FUNDER: a funder of the
// network is not counted, registered, invited or reported on as a member.
#ifndef MAILLAGE_SERVICES_REPORTING_STORE_SUPPORT_H_
#define MAILLAGE_SERVICES_REPORTING_STORE_SUPPORT_H_

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/pg.h"
#include "common/pg/pg_time.h"
#include "common/status/status.h"
#include "maillage/auth/v1/principal.pb.h"
#include "maillage/membership/v1/membership.pb.h"
#include "maillage/reporting/v1/reporting.pb.h"

namespace maillage::reporting::store {

inline constexpr int kActive = membership::v1::MEMBERSHIP_STATE_ACTIVE;
// The queries leave funders out with "role <> 6".
static_assert(auth::v1::NETWORK_ROLE_FUNDER == 6);

inline bool IsMember(pqxx::work& tx, const std::string& network_id,
                     const std::string& organisation_id) {
  return !tx.exec_params(
                "SELECT 1 FROM members WHERE network_id = $1::uuid AND organisation_id = "
                "$2::uuid AND state = $3 AND role <> 6",
                network_id, organisation_id, kActive)
              .empty();
}

// OK when every id is a member of the network; else INVALID_ARGUMENT naming the first that
// is not as "<field>[i]", in one statement whatever the count.
inline absl::Status CheckMembers(pqxx::work& tx, const std::string& network_id,
                                 const std::vector<std::string>& ids, const std::string& field) {
  pqxx::result unknown = tx.exec_params(
      "SELECT x.n FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, n) WHERE NOT EXISTS "
      "(SELECT 1 FROM members m WHERE m.network_id = $2::uuid AND m.organisation_id = x.id AND "
      "m.state = $3 AND m.role <> 6) ORDER BY x.n LIMIT 1",
      pg::TextArray(ids), network_id, kActive);
  if (unknown.empty()) return absl::OkStatus();
  return InvalidField(absl::StrCat(field, "[", unknown[0][0].as<int64_t>() - 1, "]"),
                      "not an active member of the network");
}

// `event` (kind, network and actor set by the caller) into the outbox of `tx`, with a new id
// and `now`; type "reporting.<kind>".
inline absl::Status Publish(pqxx::work& tx, v1::ReportingEvent event, absl::Time now) {
  event.set_event_id(events::NewEventId());
  pg::SetFromMicros(event.mutable_occur_time(), absl::ToUnixMicros(now));
  const google::protobuf::FieldDescriptor* kind =
      event.GetDescriptor()->FindFieldByNumber(event.kind_case());
  if (kind == nullptr) return absl::InternalError("a reporting event without a kind");
  return events::Enqueue(tx, event.event_id(), absl::StrCat("reporting.", kind->name()),
                         event.SerializeAsString());
}

}  // namespace maillage::reporting::store

#endif  // MAILLAGE_SERVICES_REPORTING_STORE_SUPPORT_H_
