#include "common/events/consumer.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/events/outbox.h"
#include "common/log/log.h"
#include "common/pg/pg.h"
#include "common/status/status.h"

namespace maillage::events {
namespace {

using redis::RedisReply;

std::string Millis(absl::Duration d) {
  return absl::StrCat(std::max<int64_t>(0, absl::ToInt64Milliseconds(d)));
}

// Fills `event` from an entry [id, [field, value, ...]]; false when a field is missing.
bool ParseEntry(const RedisReply& entry, Event& event) {
  if (!entry.is_array() || entry.elements().size() != 2 || !entry.elements()[0].is_string()) {
    return false;
  }
  event.stream_id = entry.elements()[0].str();
  const RedisReply& fields = entry.elements()[1];
  bool has_id = false, has_type = false, has_payload = false;
  const std::vector<RedisReply>& kv = fields.elements();
  for (size_t i = 0; i + 1 < kv.size(); i += 2) {
    const std::string& name = kv[i].str();
    if (name == "id") {
      event.event_id = kv[i + 1].str();
      has_id = true;
    } else if (name == "type") {
      event.type = kv[i + 1].str();
      has_type = true;
    } else if (name == "payload") {
      event.payload = kv[i + 1].str();
      has_payload = true;
    }
  }
  return has_id && has_type && has_payload;
}

}  // namespace

StreamConsumer::StreamConsumer(redis::RedisPool* redis, ConsumerOptions options,
                               EventHandler handler)
    : redis_(redis), options_(std::move(options)), handler_(std::move(handler)) {
  if (options_.metrics == nullptr) return;
  prometheus::Registry& registry = *options_.metrics;
  const prometheus::Labels labels = {{"stream", options_.stream}, {"group", options_.group}};
  auto with = [&](const char* key, const char* value) {
    prometheus::Labels out = labels;
    out.emplace(key, value);
    return out;
  };
  auto& consumed = prometheus::BuildCounter()
                       .Name("maillage_events_consumed_total")
                       .Help("Stream entries read by the consumer group, by outcome")
                       .Register(registry);
  metrics_.handled = &consumed.Add(with("outcome", "handled"));
  metrics_.failed = &consumed.Add(with("outcome", "failed"));
  metrics_.dead_lettered = &consumed.Add(with("outcome", "dead_lettered"));
  metrics_.malformed = &consumed.Add(with("outcome", "malformed"));
  metrics_.reclaimed = &prometheus::BuildCounter()
                            .Name("maillage_events_reclaimed_total")
                            .Help("Stream entries taken over from idle consumers")
                            .Register(registry)
                            .Add(labels);
  metrics_.lost = &prometheus::BuildCounter()
                       .Name("maillage_events_lost_total")
                       .Help("Pending stream entries deleted before being acknowledged")
                       .Register(registry)
                       .Add(labels);
  metrics_.pending = &prometheus::BuildGauge()
                          .Name("maillage_consumer_pending")
                          .Help("Entries delivered to the group and not yet acknowledged")
                          .Register(registry)
                          .Add(labels);
  metrics_.lag = &prometheus::BuildGauge()
                      .Name("maillage_consumer_lag")
                      .Help("Entries in the stream not yet delivered to the group")
                      .Register(registry)
                      .Add(labels);
  metrics_.dead_letters = &prometheus::BuildGauge()
                               .Name("maillage_dead_letter_stream_length")
                               .Help("Entries in the dead-letter stream <stream>.dead")
                               .Register(registry)
                               .Add(labels);
}

void StreamConsumer::UpdateGauges() {
  if (metrics_.pending == nullptr || absl::Now() < next_gauges_) return;
  next_gauges_ = absl::Now() + options_.gauge_interval;
  absl::StatusOr<std::vector<RedisReply>> replies = redis_->Pipeline(
      {{"XINFO", "GROUPS", options_.stream}, {"XLEN", DeadLetterStream(options_.stream)}});
  if (!replies.ok() || replies->size() != 2) return;
  const RedisReply& groups = (*replies)[0];
  if (groups.is_array()) {
    for (const RedisReply& group : groups.elements()) {
      const std::vector<RedisReply>& kv = group.elements();
      bool ours = false;
      const RedisReply* pending = nullptr;
      const RedisReply* lag = nullptr;
      for (size_t i = 0; i + 1 < kv.size(); i += 2) {
        if (kv[i].str() == "name") ours = kv[i + 1].str() == options_.group;
        if (kv[i].str() == "pending") pending = &kv[i + 1];
        if (kv[i].str() == "lag") lag = &kv[i + 1];  // nil when Redis cannot tell
      }
      if (!ours) continue;
      if (pending != nullptr) metrics_.pending->Set(static_cast<double>(pending->integer()));
      if (lag != nullptr && lag->is_integer()) {
        metrics_.lag->Set(static_cast<double>(lag->integer()));
      }
    }
  }
  if ((*replies)[1].is_integer()) {
    metrics_.dead_letters->Set(static_cast<double>((*replies)[1].integer()));
  }
}

StreamConsumer::~StreamConsumer() { Stop(); }

absl::Status StreamConsumer::EnsureGroup() {
  if (group_ready_) return absl::OkStatus();
  MAILLAGE_ASSIGN_OR_RETURN(RedisReply reply,
                            redis_->Command({"XGROUP", "CREATE", options_.stream, options_.group,
                                             options_.start_id, "MKSTREAM"}));
  if (reply.is_error() && !absl::StartsWith(reply.str(), "BUSYGROUP")) return reply.ToStatus();
  group_ready_ = true;
  return absl::OkStatus();
}

absl::Status StreamConsumer::PollOnce(int* handled_out) {
  int handled = 0;
  absl::Status s = Poll(handled);
  if (handled_out != nullptr) *handled_out = handled;
  return s;
}

absl::Status StreamConsumer::Poll(int& handled) {
  if (options_.stream.empty() || options_.group.empty() || options_.consumer.empty()) {
    return absl::InvalidArgumentError("consumer options: stream, group and consumer required");
  }
  MAILLAGE_RETURN_IF_ERROR(EnsureGroup());
  UpdateGauges();
  std::string count = absl::StrCat(std::max(1, options_.batch_count));

  auto status_of = [&](const RedisReply& reply) {
    // The group (or the whole stream) vanished, e.g. Redis restarted without its data:
    // create it again on the next poll.
    if (reply.is_error() && absl::StartsWith(reply.str(), "NOGROUP")) group_ready_ = false;
    return reply.ToStatus();
  };

  // Entries another consumer (or this one, before a restart) left unacknowledged.
  MAILLAGE_ASSIGN_OR_RETURN(
      RedisReply claimed,
      redis_->Command({"XAUTOCLAIM", options_.stream, options_.group, options_.consumer,
                       Millis(options_.claim_idle), claim_cursor_, "COUNT", count}));
  MAILLAGE_RETURN_IF_ERROR(status_of(claimed));
  if (claimed.is_array() && claimed.elements().size() >= 2) {
    claim_cursor_ = claimed.elements()[0].str();
    if (claim_cursor_.empty()) claim_cursor_ = "0-0";
    if (claimed.elements().size() >= 3 && !claimed.elements()[2].elements().empty()) {
      // Redis 7: ids that were pending but whose entries are gone from the stream (deleted or
      // trimmed). XAUTOCLAIM already dropped them from the pending list; they are lost events.
      std::vector<std::string> gone;
      for (const RedisReply& id : claimed.elements()[2].elements()) gone.push_back(id.str());
      deleted_pending_.fetch_add(static_cast<int64_t>(gone.size()), std::memory_order_relaxed);
      if (metrics_.lost != nullptr) metrics_.lost->Increment(static_cast<double>(gone.size()));
      log::Error("pending stream entries were deleted before being acknowledged",
                 {{"stream", options_.stream},
                  {"group", options_.group},
                  {"count", absl::StrCat(gone.size())},
                  {"stream_ids", absl::StrJoin(gone, ",")}});
    }
    const std::vector<RedisReply>& entries = claimed.elements()[1].elements();
    if (!entries.empty()) {
      reclaimed_.fetch_add(static_cast<int64_t>(entries.size()), std::memory_order_relaxed);
      if (metrics_.reclaimed != nullptr) {
        metrics_.reclaimed->Increment(static_cast<double>(entries.size()));
      }
      log::Info("reclaimed idle stream entries", {{"stream", options_.stream},
                                                  {"group", options_.group},
                                                  {"count", absl::StrCat(entries.size())}});
      MAILLAGE_RETURN_IF_ERROR(HandleEntries(entries, handled));
    }
  }

  if (read_backlog_) {
    MAILLAGE_ASSIGN_OR_RETURN(
        RedisReply own, redis_->Command({"XREADGROUP", "GROUP", options_.group, options_.consumer,
                                         "COUNT", count, "STREAMS", options_.stream, "0"}));
    MAILLAGE_RETURN_IF_ERROR(status_of(own));
    // Reply: [[stream, [entries...]]]; an empty entry list means the backlog is done.
    const std::vector<RedisReply>* entries = nullptr;
    if (own.is_array() && !own.elements().empty() && own.elements()[0].elements().size() == 2) {
      entries = &own.elements()[0].elements()[1].elements();
    }
    if (entries != nullptr && !entries->empty()) {
      return HandleEntries(*entries, handled);
    }
    read_backlog_ = false;
  }

  MAILLAGE_ASSIGN_OR_RETURN(
      RedisReply fresh,
      redis_->BlockingCommand(
          {"XREADGROUP", "GROUP", options_.group, options_.consumer, "COUNT", count, "BLOCK",
           Millis(options_.block), "STREAMS", options_.stream, ">"},
          options_.block));
  MAILLAGE_RETURN_IF_ERROR(status_of(fresh));
  if (fresh.is_array() && !fresh.elements().empty() && fresh.elements()[0].elements().size() == 2) {
    return HandleEntries(fresh.elements()[0].elements()[1].elements(), handled);
  }
  return absl::OkStatus();  // nothing new within `block`
}

absl::Status StreamConsumer::HandleEntries(const std::vector<RedisReply>& entries, int& handled) {
  for (const RedisReply& entry : entries) {
    Event event;
    bool ok = ParseEntry(entry, event);
    if (ok) {
      absl::Status s = handler_(event);
      if (!s.ok()) {
        handler_errors_.fetch_add(1, std::memory_order_relaxed);
        MAILLAGE_ASSIGN_OR_RETURN(bool dead, MaybeDeadLetter(entry, event, s));
        if (!dead) {
          if (metrics_.failed != nullptr) metrics_.failed->Increment();
          // Left pending: re-read from this consumer's backlog on the next poll, in order.
          read_backlog_ = true;
          log::Warn("event handler failed, will retry", {{"stream", options_.stream},
                                                         {"group", options_.group},
                                                         {"stream_id", event.stream_id},
                                                         {"event_id", event.event_id},
                                                         {"error", s.message()}});
          return s;
        }
        ok = false;  // copied to <stream>.dead: acknowledged below, not counted as handled
      }
    } else {
      malformed_.fetch_add(1, std::memory_order_relaxed);
      if (metrics_.malformed != nullptr) metrics_.malformed->Increment();
      log::Error("stream entry without id/type/payload (or trimmed), acknowledged unhandled",
                 {{"stream", options_.stream}, {"stream_id", event.stream_id}});
    }
    if (event.stream_id.empty()) continue;  // nothing to acknowledge
    MAILLAGE_ASSIGN_OR_RETURN(RedisReply ack, redis_->Command({"XACK", options_.stream,
                                                               options_.group, event.stream_id}));
    if (absl::Status s = ack.ToStatus(); !s.ok()) {
      // Applied but still pending: it will come back and be skipped as a duplicate.
      read_backlog_ = true;
      return s;
    }
    if (ok) {
      ++handled;
      handled_.fetch_add(1, std::memory_order_relaxed);
      if (metrics_.handled != nullptr) metrics_.handled->Increment();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> StreamConsumer::MaybeDeadLetter(const RedisReply& entry, const Event& event,
                                                     const absl::Status& error) {
  if (options_.max_deliveries <= 0) return false;
  // The group counts deliveries (reads of the entry by any consumer, first read included) in
  // its pending entries list: [[id, consumer, idle ms, deliveries]].
  MAILLAGE_ASSIGN_OR_RETURN(RedisReply pending,
                            redis_->Command({"XPENDING", options_.stream, options_.group,
                                             event.stream_id, event.stream_id, "1"}));
  MAILLAGE_RETURN_IF_ERROR(pending.ToStatus());
  if (!pending.is_array() || pending.elements().empty() ||
      pending.elements()[0].elements().size() < 4) {
    return false;  // no longer pending (acknowledged meanwhile): nothing to decide
  }
  const int64_t deliveries = pending.elements()[0].elements()[3].integer();
  if (deliveries < options_.max_deliveries) return false;

  // The original fields first, so the dead entry reads like the event, then why it died.
  std::vector<std::string> argv = {"XADD", DeadLetterStream(options_.stream), "*"};
  for (const RedisReply& field : entry.elements()[1].elements()) argv.push_back(field.str());
  for (std::string value :
       {std::string("reason"), std::string(error.ToString()), std::string("group"), options_.group,
        std::string("consumer"), options_.consumer, std::string("source_id"), event.stream_id,
        std::string("deliveries"), absl::StrCat(deliveries)}) {
    argv.push_back(std::move(value));
  }
  MAILLAGE_ASSIGN_OR_RETURN(RedisReply added, redis_->Command(argv));
  MAILLAGE_RETURN_IF_ERROR(added.ToStatus());
  dead_lettered_.fetch_add(1, std::memory_order_relaxed);
  if (metrics_.dead_lettered != nullptr) metrics_.dead_lettered->Increment();
  log::Error("event dead-lettered after repeated handler failures",
             {{"stream", options_.stream},
              {"group", options_.group},
              {"stream_id", event.stream_id},
              {"event_id", event.event_id},
              {"deliveries", absl::StrCat(deliveries)},
              {"error", error.ToString()}});
  return true;
}

std::string DeadLetterStream(absl::string_view stream) { return absl::StrCat(stream, ".dead"); }

void StreamConsumer::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void StreamConsumer::Stop() {
  std::thread thread;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  cv_.notify_all();
  if (thread.joinable()) thread.join();
}

StreamConsumer::Stats StreamConsumer::stats() const {
  return {.handled = handled_.load(std::memory_order_relaxed),
          .reclaimed = reclaimed_.load(std::memory_order_relaxed),
          .handler_errors = handler_errors_.load(std::memory_order_relaxed),
          .malformed = malformed_.load(std::memory_order_relaxed),
          .dead_lettered = dead_lettered_.load(std::memory_order_relaxed),
          .deleted_pending = deleted_pending_.load(std::memory_order_relaxed)};
}

void StreamConsumer::Loop() {
  absl::Duration backoff = absl::ZeroDuration();
  const absl::Duration first_backoff = absl::Milliseconds(100);
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    absl::Status s = PollOnce();
    if (s.ok()) {
      backoff = absl::ZeroDuration();
      continue;  // the read itself blocks while the stream is idle
    }
    backoff = std::min(options_.max_backoff, std::max(first_backoff, backoff * 2));
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, absl::ToChronoMilliseconds(backoff), [this] { return stopping_; });
  }
}

bool IsStale(int64_t held_version, int64_t event_version) { return event_version <= held_version; }

absl::string_view ProcessedEventsSchemaSql() {
  return R"sql(
CREATE TABLE IF NOT EXISTS processed_events (
  consumer_group TEXT NOT NULL,
  event_id UUID NOT NULL,
  processed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, event_id)
);
)sql";
}

absl::string_view ProcessedEventsRetentionSql() {
  return R"sql(
CREATE INDEX IF NOT EXISTS processed_events_processed_at ON processed_events (processed_at);
)sql";
}

std::vector<pg::Migration> ProcessedEventsMigrations() {
  return {{"900_processed_events.sql", std::string(ProcessedEventsSchemaSql())},
          {"901_processed_events_retention.sql", std::string(ProcessedEventsRetentionSql())}};
}

std::string ReplicaConsumerName(absl::string_view fallback) {
  char host[256] = {};
  const bool named = gethostname(host, sizeof(host) - 1) == 0 && host[0] != '\0';
  return absl::StrCat(named ? absl::string_view(host) : fallback, "-", getpid());
}

pg::RetentionRule ProcessedEventsRetentionRule(absl::Duration keep_for) {
  return {.table = "processed_events", .age_column = "processed_at", .keep_for = keep_for};
}

absl::StatusOr<bool> MarkProcessed(pqxx::work& tx, absl::string_view consumer_group,
                                   absl::string_view event_id) {
  if (!IsUuid(event_id)) {
    return absl::InvalidArgumentError(absl::StrCat("event_id: not a UUID: \"", event_id, "\""));
  }
  try {
    pqxx::result r = tx.exec_params(
        "INSERT INTO processed_events (consumer_group, event_id) VALUES ($1, $2::uuid)"
        " ON CONFLICT DO NOTHING",
        std::string(consumer_group), std::string(event_id));
    return r.affected_rows() == 1;
  } catch (const std::exception& e) {
    return pg::StatusFromException(e);
  }
}

}  // namespace maillage::events
