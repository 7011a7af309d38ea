// common/events/outbox: the write side of the transactional outbox. A service records its
// state change and the event describing it in one PostgreSQL transaction; the OutboxRelay
// (relay.h) later publishes the event to the service's Redis Stream.
//
//   // Once, among the service's migrations:
//   migrations.push_back({"000_outbox.sql", std::string(events::OutboxSchemaSql())});
//   migrations.push_back({"000_outbox_retention.sql", std::string(events::OutboxRetentionSql())});
//   // And delete relayed rows after a week (pg/retention.h):
//   pg::Retention retention(pg_pool, {.rules = {events::OutboxRetentionRule()}});
//
//   // In the transaction that makes the change:
//   absl::Status s = pg_pool->Transact([&](pqxx::work& tx) -> absl::Status {
//     tx.exec_params("UPDATE organisations SET legal_name = $1 WHERE id = $2", name, id);
//     return events::Enqueue(tx, events::NewEventId(), "membership.OrganisationRenamed",
//                            renamed.SerializeAsString());
//   });
//   if (s.ok()) relay->Wake();  // optional: publish now rather than at the next poll
//
// If the transaction rolls back, the event never existed; once it commits, the event is
// published at least once (duplicates carry the same event id, see consumer.h).
#ifndef MAILLAGE_COMMON_EVENTS_OUTBOX_H_
#define MAILLAGE_COMMON_EVENTS_OUTBOX_H_

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/pg/retention.h"

namespace maillage::events {

// The texts below are migrations: their checksums are recorded (pg::ApplyMigrations), so they
// never change; a schema change is a new function and a new migration.
//
// CREATE TABLE IF NOT EXISTS outbox (id BIGSERIAL, event_id UUID UNIQUE, event_type, payload
// BYTEA, created_at, published_at) and a partial index on the unpublished rows. Idempotent.
absl::string_view OutboxSchemaSql();

// CREATE INDEX IF NOT EXISTS on outbox (published_at) for the relayed rows, which retention
// deletes by age. Idempotent; apply after OutboxSchemaSql().
absl::string_view OutboxRetentionSql();

// Relayed outbox rows older than `keep_for` (default 7 days); unrelayed rows are kept.
pg::RetentionRule OutboxRetentionRule(absl::Duration keep_for = absl::Hours(24 * 7));

// Inserts the event into the outbox within `tx`; it is published once `tx` commits.
// Errors (the caller must then roll back by returning the status):
//   event_id not a UUID ("8-4-4-4-12" hex)  -> INVALID_ARGUMENT
//   event_id already enqueued               -> ALREADY_EXISTS
//   empty event_type                        -> INVALID_ARGUMENT
//   PostgreSQL failure                      -> as pg::StatusFromException
absl::Status Enqueue(pqxx::work& tx, absl::string_view event_id, absl::string_view event_type,
                     absl::string_view payload);

// One event for EnqueueAll.
struct OutboxEvent {
  std::string event_id;
  std::string event_type;
  std::string payload;
};

// Inserts `events` in one statement, in their order (bulk writers: an import batch emits
// hundreds). Errors as Enqueue(); on error nothing of them is inserted.
absl::Status EnqueueAll(pqxx::work& tx, const std::vector<OutboxEvent>& events);

// A random (version 4) UUID in lowercase text form, for event ids.
std::string NewEventId();

// True for "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" with hex digits in either case.
bool IsUuid(absl::string_view s);

}  // namespace maillage::events

#endif  // MAILLAGE_COMMON_EVENTS_OUTBOX_H_
