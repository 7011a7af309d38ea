#include "common/events/outbox.h"

#include <cstdint>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/ids/canonical_ids.h"
#include "common/pg/pg.h"

namespace maillage::events {

absl::string_view OutboxSchemaSql() {
  return R"sql(
CREATE TABLE IF NOT EXISTS outbox (
  id BIGSERIAL PRIMARY KEY,
  event_id UUID NOT NULL UNIQUE,
  event_type TEXT NOT NULL,
  payload BYTEA NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  published_at TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
)sql";
}

absl::string_view OutboxRetentionSql() {
  return R"sql(
CREATE INDEX IF NOT EXISTS outbox_published_at ON outbox (published_at)
  WHERE published_at IS NOT NULL;
)sql";
}

pg::RetentionRule OutboxRetentionRule(absl::Duration keep_for) {
  return {.table = "outbox", .age_column = "published_at", .keep_for = keep_for};
}

bool IsUuid(absl::string_view s) { return ::maillage::IsUuid(s); }

std::string NewEventId() {
  // absl::BitGen is seeded from the OS entropy source; one per thread avoids locking.
  thread_local absl::BitGen gen;
  uint64_t hi = absl::Uniform<uint64_t>(gen);
  uint64_t lo = absl::Uniform<uint64_t>(gen);
  hi = (hi & ~uint64_t{0xF000}) | uint64_t{0x4000};            // version 4
  lo = (lo & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);  // variant 10
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi >> 32, (hi >> 16) & 0xFFFF, hi & 0xFFFF,
                         lo >> 48, lo & 0xFFFFFFFFFFFFULL);
}

absl::Status Enqueue(pqxx::work& tx, absl::string_view event_id, absl::string_view event_type,
                     absl::string_view payload) {
  if (!IsUuid(event_id)) {
    return absl::InvalidArgumentError(absl::StrCat("event_id: not a UUID: \"", event_id, "\""));
  }
  if (event_type.empty()) return absl::InvalidArgumentError("event_type: required");
  try {
    tx.exec_params("INSERT INTO outbox (event_id, event_type, payload) VALUES ($1::uuid, $2, $3)",
                   std::string(event_id), std::string(event_type),
                   pqxx::binarystring(payload.data(), payload.size()));
  } catch (const std::exception& e) {
    return pg::StatusFromException(e);
  }
  return absl::OkStatus();
}

absl::Status EnqueueAll(pqxx::work& tx, const std::vector<OutboxEvent>& events) {
  if (events.empty()) return absl::OkStatus();
  // Array literals of the three columns; payloads travel as hex, decoded by PostgreSQL.
  std::string ids = "{", types = "{", payloads = "{";
  for (size_t i = 0; i < events.size(); ++i) {
    const OutboxEvent& e = events[i];
    if (!IsUuid(e.event_id)) {
      return absl::InvalidArgumentError(absl::StrCat("event_id: not a UUID: \"", e.event_id, "\""));
    }
    if (e.event_type.empty()) return absl::InvalidArgumentError("event_type: required");
    const char* sep = i == 0 ? "" : ",";
    absl::StrAppend(&ids, sep, e.event_id);
    std::string quoted;
    for (char c : e.event_type) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    absl::StrAppend(&types, sep, "\"", quoted, "\"");
    absl::StrAppend(&payloads, sep, absl::BytesToHexString(e.payload));
  }
  absl::StrAppend(&ids, "}");
  absl::StrAppend(&types, "}");
  absl::StrAppend(&payloads, "}");
  try {
    tx.exec_params(
        "INSERT INTO outbox (event_id, event_type, payload) "
        "SELECT e, t, decode(p, 'hex') FROM unnest($1::uuid[], $2::text[], $3::text[]) "
        "WITH ORDINALITY AS x(e, t, p, n) ORDER BY n",
        ids, types, payloads);
  } catch (const std::exception& e) {
    return pg::StatusFromException(e);
  }
  return absl::OkStatus();
}

}  // namespace maillage::events
