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
#include "maillage/assessment/v1/assessment.pb.h"

namespace maillage::assessment::store {

inline absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

// To the microsecond, as PostgreSQL keeps it.
inline void SetTime(google::protobuf::Timestamp* t, absl::Time at) {
  const int64_t micros = absl::ToUnixMicros(at);
  t->set_seconds(micros / 1000000);
  t->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
}

// A timestamptz parameter, to the microsecond.
inline std::string PgTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", t, absl::UTCTimeZone());
}

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
  SetTime(event.mutable_occur_time(), now);
  return events::Enqueue(tx, event.event_id(), type, event.SerializeAsString());
}

}  // namespace maillage::assessment::store

#endif  // MAILLAGE_SERVICES_ASSESSMENT_STORE_SUPPORT_H_
