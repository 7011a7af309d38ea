// services/assessment/store_support: what the assessment service's stores share: times
// between protobuf, absl and PostgreSQL, stored messages, and the outbox event of a change.
// Included by the stores' .cc files only (it brings pqxx in).
#ifndef MAILLAGE_SERVICES_ASSESSMENT_STORE_SUPPORT_H_
#define MAILLAGE_SERVICES_ASSESSMENT_STORE_SUPPORT_H_

#include <google/protobuf/timestamp.pb.h>

#include <pqxx/pqxx>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/events/outbox.h"
#include "common/pg/pg_time.h"
#include "common/validation/timestamps.h"
#include "maillage/assessment/v1/assessment.pb.h"

namespace maillage::assessment::store {

using ::maillage::SetTimestamp;
using ::maillage::TimeOf;
using ::maillage::pg::TimeParam;

inline pqxx::binarystring Bytes(const std::string& s) {
  return pqxx::binarystring(s.data(), s.size());
}

// A bytea column holding a serialised Message.
template <typename Message>
absl::Status ParseColumn(const pqxx::field& f, Message* out) {
  pqxx::binarystring bytes(f);
  if (!out->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InternalError(
        absl::StrCat("a stored ", Message::descriptor()->name(), " does not parse"));
  }
  return absl::OkStatus();
}

// `event` (actor, network and change set by the caller) into the outbox of `tx`, with a new
// id and `now`.
inline absl::Status Publish(pqxx::work& tx, v1::AssessmentEvent event, const std::string& type,
                            absl::Time now) {
  event.set_event_id(events::NewEventId());
  SetTimestamp(event.mutable_occur_time(), now);
  return events::Enqueue(tx, event.event_id(), type, event.SerializeAsString());
}

}  // namespace maillage::assessment::store

#endif  // MAILLAGE_SERVICES_ASSESSMENT_STORE_SUPPORT_H_
