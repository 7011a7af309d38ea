// Integration tests of the transactional outbox, the relay and the stream consumer against a
// real PostgreSQL and a real Redis (tests/support).
#include <prometheus/registry.h>

#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/events/relay.h"
#include "common/pg/pg.h"
#include "common/pg/retention.h"
#include "common/redis/redis.h"
#include "common/status/status.h"
#include "gtest/gtest.h"
#include "tests/support/postgres_server.h"
#include "tests/support/redis_server.h"

namespace maillage::events {
namespace {

using ::maillage::redis::RedisPool;
using ::maillage::redis::RedisReply;
using ::maillage::testing::PostgresServer;
using ::maillage::testing::RedisServer;

constexpr char kStream[] = "maillage.test.events";
constexpr char kGroup[] = "reporting";

// Polls `done` until it holds; false after a generous deadline (a failure, never a timing
// assertion).
bool Eventually(const std::function<bool()>& done) {
  absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

// The value of the metric `name` whose labels include `labels`; -1 when there is none.
double Metric(prometheus::Registry& registry, const std::string& name,
              const std::map<std::string, std::string>& labels) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      size_t matched = 0;
      for (const prometheus::ClientMetric::Label& label : metric.label) {
        auto it = labels.find(label.name);
        if (it != labels.end() && it->second == label.value) ++matched;
      }
      if (matched != labels.size()) continue;
      return family.type == prometheus::MetricType::Counter ? metric.counter.value
                                                            : metric.gauge.value;
    }
  }
  return -1;
}

// What a consumer saw, for assertions.
struct Seen {
  std::string event_id;
  std::string type;
  std::string payload;
};

class EventsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = PostgresServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    pg_server_ = server->release();
  }
  static void TearDownTestSuite() {
    delete pg_server_;
    pg_server_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(pg_server_, nullptr);
    auto redis_server = RedisServer::Start();
    ASSERT_TRUE(redis_server.ok()) << redis_server.status();
    redis_server_ = std::move(*redis_server);

    auto uri = pg_server_->CreateDatabase();
    ASSERT_TRUE(uri.ok()) << uri.status();
    auto pg = pg::PgPool::Create({.uri = *uri,
                                  .size = 6,
                                  .acquire_timeout = absl::Seconds(5),
                                  .connect_timeout = absl::Seconds(2)});
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = std::move(*pg);
    absl::Status migrated = pg::ApplyMigrations(
        *pg_, "events_test",
        {{"000_outbox.sql", std::string(OutboxSchemaSql())},
         {"000_outbox_retention.sql", std::string(OutboxRetentionSql())},
         {"001_processed_events.sql", std::string(ProcessedEventsSchemaSql())},
         {"001_processed_events_retention.sql", std::string(ProcessedEventsRetentionSql())},
         // No unique constraint: a duplicate application would show as a second row.
         {"002_effects.sql",
          "CREATE TABLE effects (seq BIGSERIAL PRIMARY KEY, event_id UUID NOT NULL,"
          " type TEXT NOT NULL, payload BYTEA NOT NULL)"}});
    ASSERT_TRUE(migrated.ok()) << migrated;

    redis::RedisOptions options;
    options.address = redis_server_->address();
    options.retry_after = absl::Milliseconds(100);
    auto redis = RedisPool::Create(options);
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = std::move(*redis);
  }

  RelayOptions Relay() {
    RelayOptions options;
    options.stream = kStream;
    options.poll_interval = absl::Milliseconds(50);
    options.max_backoff = absl::Milliseconds(200);
    return options;
  }

  ConsumerOptions Consumer(const std::string& name) {
    ConsumerOptions options;
    options.stream = kStream;
    options.group = kGroup;
    options.consumer = name;
    options.block = absl::Milliseconds(100);
    options.max_backoff = absl::Milliseconds(200);
    return options;
  }

  absl::Status Publish(const std::string& event_id, const std::string& type,
                       const std::string& payload) {
    return pg_->Transact([&](pqxx::work& tx) { return Enqueue(tx, event_id, type, payload); });
  }

  // The effect of an event: one row in `effects`, applied once per event id.
  EventHandler ApplyEffect() {
    return [this](const Event& e) {
      return pg_->Transact([&](pqxx::work& tx) -> absl::Status {
        MAILLAGE_ASSIGN_OR_RETURN(bool first, MarkProcessed(tx, kGroup, e.event_id));
        if (!first) return absl::OkStatus();
        tx.exec_params("INSERT INTO effects (event_id, type, payload) VALUES ($1::uuid, $2, $3)",
                       e.event_id, e.type, pqxx::binarystring(e.payload.data(), e.payload.size()));
        return absl::OkStatus();
      });
    };
  }

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    absl::Status s = pg_->Transact([&](pqxx::work& tx) {
      n = tx.exec1(sql)[0].as<int64_t>();
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return n;
  }
  int64_t Unpublished() { return Count("SELECT count(*) FROM outbox WHERE published_at IS NULL"); }

  std::vector<Seen> Effects() {
    std::vector<Seen> out;
    absl::Status s = pg_->Transact([&](pqxx::work& tx) {
      for (const pqxx::row& r :
           tx.exec("SELECT event_id::text, type, payload FROM effects ORDER BY seq")) {
        out.push_back(
            {r[0].as<std::string>(), r[1].as<std::string>(), pqxx::binarystring(r[2]).str()});
      }
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  // The event ids in the stream, in stream order.
  std::vector<std::string> StreamEventIds() {
    std::vector<std::string> ids;
    auto range = redis_->Command({"XRANGE", kStream, "-", "+"});
    EXPECT_TRUE(range.ok()) << range.status();
    if (!range.ok()) return ids;
    for (const RedisReply& entry : range->elements()) {
      const std::vector<RedisReply>& fields = entry.elements()[1].elements();
      for (size_t i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i].str() == "id") ids.push_back(fields[i + 1].str());
      }
    }
    return ids;
  }

  // Entries delivered to the group and not acknowledged.
  int64_t PendingInGroup() {
    auto pending = redis_->Command({"XPENDING", kStream, kGroup});
    EXPECT_TRUE(pending.ok() && pending->is_array()) << pending.status();
    return pending.ok() && pending->is_array() ? pending->elements()[0].integer() : -1;
  }

  // Polls `consumer` until `done` holds.
  bool PollUntil(StreamConsumer& consumer, const std::function<bool()>& done) {
    return Eventually([&] {
      (void)consumer.PollOnce();
      return done();
    });
  }

  static PostgresServer* pg_server_;
  std::unique_ptr<RedisServer> redis_server_;
  std::unique_ptr<pg::PgPool> pg_;
  std::unique_ptr<RedisPool> redis_;
};
PostgresServer* EventsTest::pg_server_ = nullptr;

TEST_F(EventsTest, EnqueueValidatesTheEventId) {
  EXPECT_TRUE(absl::IsInvalidArgument(Publish("not-a-uuid", "t", "p")));
  EXPECT_TRUE(absl::IsInvalidArgument(Publish(NewEventId(), "", "p")));
  std::string id = NewEventId();
  EXPECT_TRUE(IsUuid(id)) << id;
  EXPECT_NE(id, NewEventId());
  ASSERT_TRUE(Publish(id, "t", "p").ok());
  EXPECT_TRUE(absl::IsAlreadyExists(Publish(id, "t", "p")));
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), 1);
}

TEST_F(EventsTest, MarkProcessedIsTrueOnlyTheFirstTime) {
  std::string id = NewEventId();
  std::vector<bool> results;
  for (const char* group : {"a", "a", "b"}) {
    ASSERT_TRUE(pg_->Transact([&](pqxx::work& tx) -> absl::Status {
                     MAILLAGE_ASSIGN_OR_RETURN(bool first, MarkProcessed(tx, group, id));
                     results.push_back(first);
                     return absl::OkStatus();
                   })
                    .ok());
  }
  EXPECT_EQ(results, (std::vector<bool>{true, false, true}));
  // A rolled-back effect does not count as processed.
  std::string other = NewEventId();
  (void)pg_->Transact([&](pqxx::work& tx) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(bool first, MarkProcessed(tx, "a", other));
    EXPECT_TRUE(first);
    return absl::AbortedError("effect failed");
  });
  bool again = false;
  ASSERT_TRUE(pg_->Transact([&](pqxx::work& tx) -> absl::Status {
                   MAILLAGE_ASSIGN_OR_RETURN(again, MarkProcessed(tx, "a", other));
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_TRUE(again);
  absl::Status bad =
      pg_->Transact([&](pqxx::work& tx) { return MarkProcessed(tx, "a", "nope").status(); });
  EXPECT_TRUE(absl::IsInvalidArgument(bad)) << bad;
}

TEST_F(EventsTest, RolledBackEventIsNeverPublished) {
  std::string rolled_back = NewEventId();
  absl::Status s = pg_->Transact([&](pqxx::work& tx) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(Enqueue(tx, rolled_back, "membership.Created", "x"));
    return absl::FailedPreconditionError("the change itself failed");
  });
  ASSERT_TRUE(absl::IsFailedPrecondition(s)) << s;
  std::string committed = NewEventId();
  ASSERT_TRUE(Publish(committed, "membership.Created", "y").ok());

  OutboxRelay relay(pg_.get(), redis_.get(), Relay());
  int published = -1;
  ASSERT_TRUE(relay.RelayOnce(&published).ok());
  EXPECT_EQ(published, 1);
  EXPECT_EQ(StreamEventIds(), std::vector<std::string>{committed});
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), 1);
}

TEST_F(EventsTest, CommittedEventsArriveInOrderWithTheirPayload) {
  std::vector<Seen> sent;
  for (int i = 0; i < 5; ++i) {
    std::string payload = absl::StrCat(std::string("\0\xff", 2), "payload ", i);
    sent.push_back({NewEventId(), absl::StrCat("type.", i), payload});
    ASSERT_TRUE(Publish(sent.back().event_id, sent.back().type, payload).ok());
  }
  RelayOptions options = Relay();
  options.batch_size = 2;  // three batches
  OutboxRelay relay(pg_.get(), redis_.get(), options);
  std::vector<int> batches;
  for (;;) {
    int n = 0;
    ASSERT_TRUE(relay.RelayOnce(&n).ok());
    if (n == 0) break;
    batches.push_back(n);
  }
  EXPECT_EQ(batches, (std::vector<int>{2, 2, 1}));
  EXPECT_EQ(Unpublished(), 0);

  std::vector<Seen> received;
  StreamConsumer consumer(redis_.get(), Consumer("c1"), [&](const Event& e) {
    received.push_back({e.event_id, e.type, e.payload});
    EXPECT_FALSE(e.stream_id.empty());
    return absl::OkStatus();
  });
  ASSERT_TRUE(PollUntil(consumer, [&] { return received.size() >= 5; }));
  ASSERT_EQ(received.size(), 5u);
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(received[i].event_id, sent[i].event_id) << i;
    EXPECT_EQ(received[i].type, sent[i].type) << i;
    EXPECT_EQ(received[i].payload, sent[i].payload) << i;
  }
  EXPECT_EQ(PendingInGroup(), 0);  // all acknowledged
  EXPECT_EQ(consumer.stats().handled, 5);
}

// An import batch enqueues its events in one statement: same order, same bytes as one by one.
TEST_F(EventsTest, EventsEnqueuedTogetherArriveInOrderWithTheirPayload) {
  std::vector<OutboxEvent> batch;
  for (int i = 0; i < 300; ++i) {
    batch.push_back({NewEventId(), absl::StrCat("type \"", i, "\\"),
                     absl::StrCat(std::string("\0\xff,{}\"", 6), "payload ", i)});
  }
  ASSERT_TRUE(pg_->Transact([&](pqxx::work& tx) { return EnqueueAll(tx, batch); }).ok());
  // A bad id refuses the whole batch.
  std::vector<OutboxEvent> bad = {{NewEventId(), "t", "p"}, {"not-a-uuid", "t", "p"}};
  EXPECT_EQ(pg_->Transact([&](pqxx::work& tx) { return EnqueueAll(tx, bad); }).code(),
            absl::StatusCode::kInvalidArgument);
  OutboxRelay relay(pg_.get(), redis_.get(), Relay());
  for (int n = 1; n > 0;) ASSERT_TRUE(relay.RelayOnce(&n).ok());
  std::vector<Seen> received;
  StreamConsumer consumer(redis_.get(), Consumer("c1"), [&](const Event& e) {
    received.push_back({e.event_id, e.type, e.payload});
    return absl::OkStatus();
  });
  ASSERT_TRUE(PollUntil(consumer, [&] { return received.size() >= batch.size(); }));
  ASSERT_EQ(received.size(), batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(received[i].event_id, batch[i].event_id) << i;
    EXPECT_EQ(received[i].type, batch[i].event_type) << i;
    EXPECT_EQ(received[i].payload, batch[i].payload) << i;
  }
}

TEST_F(EventsTest, InterruptedRelayIsAppliedExactlyOnce) {
  std::string id = NewEventId();
  ASSERT_TRUE(Publish(id, "membership.Joined", "alice").ok());

  {
    RelayOptions crashing = Relay();
    crashing.after_publish_hook = [] { return absl::UnavailableError("crash after XADD"); };
    OutboxRelay relay(pg_.get(), redis_.get(), crashing);
    EXPECT_FALSE(relay.RelayOnce().ok());
  }
  EXPECT_EQ(StreamEventIds(), std::vector<std::string>{id});  // in the stream...
  EXPECT_EQ(Unpublished(), 1);                                // ...but not marked published

  OutboxRelay restarted(pg_.get(), redis_.get(), Relay());
  int published = 0;
  ASSERT_TRUE(restarted.RelayOnce(&published).ok());
  EXPECT_EQ(published, 1);
  EXPECT_EQ(Unpublished(), 0);
  EXPECT_EQ(StreamEventIds(), (std::vector<std::string>{id, id}));  // sent twice

  StreamConsumer consumer(redis_.get(), Consumer("c1"), ApplyEffect());
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().handled == 2; }));
  std::vector<Seen> effects = Effects();
  ASSERT_EQ(effects.size(), 1u);  // applied once
  EXPECT_EQ(effects[0].event_id, id);
  EXPECT_EQ(effects[0].payload, "alice");
  EXPECT_EQ(Count("SELECT count(*) FROM processed_events"), 1);
  EXPECT_EQ(PendingInGroup(), 0);
}

TEST_F(EventsTest, UnacknowledgedEventIsReclaimedByAnotherConsumer) {
  std::string id = NewEventId();
  ASSERT_TRUE(Publish(id, "membership.Left", "bob").ok());
  OutboxRelay relay(pg_.get(), redis_.get(), Relay());
  ASSERT_TRUE(relay.RelayOnce().ok());

  std::vector<std::string> seen_by_dead;
  {
    StreamConsumer dying(redis_.get(), Consumer("dying"), [&](const Event& e) {
      seen_by_dead.push_back(e.event_id);
      return absl::UnavailableError("process killed before XACK");
    });
    ASSERT_TRUE(Eventually([&] {
      (void)dying.PollOnce();
      return !seen_by_dead.empty();
    }));
  }  // gone for good, its entry still pending
  EXPECT_EQ(seen_by_dead, std::vector<std::string>{id});
  EXPECT_EQ(PendingInGroup(), 1);

  ConsumerOptions options = Consumer("survivor");
  options.claim_idle = absl::Milliseconds(50);
  StreamConsumer survivor(redis_.get(), options, ApplyEffect());
  ASSERT_TRUE(PollUntil(survivor, [&] { return survivor.stats().handled == 1; }));
  EXPECT_GE(survivor.stats().reclaimed, 1);
  std::vector<Seen> effects = Effects();
  ASSERT_EQ(effects.size(), 1u);
  EXPECT_EQ(effects[0].event_id, id);
  EXPECT_EQ(PendingInGroup(), 0);
}

TEST_F(EventsTest, HandlerErrorIsRetriedBeforeLaterEvents) {
  std::vector<std::string> ids = {NewEventId(), NewEventId(), NewEventId()};
  for (const std::string& id : ids) ASSERT_TRUE(Publish(id, "t", "p").ok());
  OutboxRelay relay(pg_.get(), redis_.get(), Relay());
  ASSERT_TRUE(relay.RelayOnce().ok());

  std::vector<std::string> applied;
  bool fail_second = true;
  StreamConsumer consumer(redis_.get(), Consumer("c1"), [&](const Event& e) {
    if (e.event_id == ids[1] && fail_second) {
      fail_second = false;
      return absl::UnavailableError("database briefly down");
    }
    applied.push_back(e.event_id);
    return absl::OkStatus();
  });
  ASSERT_TRUE(PollUntil(consumer, [&] { return applied.size() >= 3; }));
  EXPECT_EQ(applied, ids);
  EXPECT_EQ(consumer.stats().handler_errors, 1);
  EXPECT_EQ(PendingInGroup(), 0);
}

TEST_F(EventsTest, PoisonEventGoesToTheDeadLetterStreamAndLaterEventsFlow) {
  std::vector<std::string> ids = {NewEventId(), NewEventId(), NewEventId()};
  for (const std::string& id : ids) ASSERT_TRUE(Publish(id, "t", "p" + id).ok());
  OutboxRelay relay(pg_.get(), redis_.get(), Relay());
  ASSERT_TRUE(relay.RelayOnce().ok());

  ConsumerOptions options = Consumer("c1");
  options.max_deliveries = 3;
  std::vector<std::string> applied;
  int poison_attempts = 0;
  StreamConsumer consumer(redis_.get(), options, [&](const Event& e) {
    if (e.event_id == ids[1]) {
      ++poison_attempts;
      return absl::InvalidArgumentError("payload: cannot be parsed");
    }
    applied.push_back(e.event_id);
    return absl::OkStatus();
  });
  ASSERT_TRUE(PollUntil(consumer, [&] { return applied.size() >= 2; }));
  EXPECT_EQ(applied, (std::vector<std::string>{ids[0], ids[2]}));
  EXPECT_EQ(poison_attempts, 3);
  EXPECT_EQ(consumer.stats().dead_lettered, 1);
  EXPECT_EQ(PendingInGroup(), 0);

  auto dead = redis_->Command({"XRANGE", DeadLetterStream(kStream), "-", "+"});
  ASSERT_TRUE(dead.ok()) << dead.status();
  ASSERT_EQ(dead->elements().size(), 1u);
  std::map<std::string, std::string> fields;
  const std::vector<RedisReply>& kv = dead->elements()[0].elements()[1].elements();
  for (size_t i = 0; i + 1 < kv.size(); i += 2) fields[kv[i].str()] = kv[i + 1].str();
  EXPECT_EQ(fields["id"], ids[1]);
  EXPECT_EQ(fields["payload"], "p" + ids[1]);
  EXPECT_EQ(fields["group"], kGroup);
  EXPECT_EQ(fields["deliveries"], "3");
  EXPECT_NE(fields["reason"].find("payload: cannot be parsed"), std::string::npos)
      << fields["reason"];
}

TEST_F(EventsTest, PendingEntryDeletedFromTheStreamIsReportedByTheReclaim) {
  ASSERT_TRUE(Publish(NewEventId(), "t", "p").ok());
  OutboxRelay relay(pg_.get(), redis_.get(), Relay());
  ASSERT_TRUE(relay.RelayOnce().ok());
  // c1 reads the entry and dies before acknowledging it; then the entry is deleted.
  StreamConsumer dying(redis_.get(), Consumer("c1"),
                       [](const Event&) { return absl::UnavailableError("crashed"); });
  (void)dying.PollOnce();
  ASSERT_EQ(PendingInGroup(), 1);
  auto range = redis_->Command({"XRANGE", kStream, "-", "+"});
  ASSERT_TRUE(range.ok() && range->elements().size() == 1);
  ASSERT_TRUE(redis_->Command({"XDEL", kStream, range->elements()[0].elements()[0].str()}).ok());

  ConsumerOptions options = Consumer("c2");
  options.claim_idle = absl::ZeroDuration();
  StreamConsumer taker(redis_.get(), options, [](const Event&) { return absl::OkStatus(); });
  ASSERT_TRUE(taker.PollOnce().ok());
  EXPECT_EQ(taker.stats().deleted_pending, 1);
  EXPECT_EQ(PendingInGroup(), 0);
}

TEST_F(EventsTest, TrimKeepsEveryEntryAGroupHasNotAcknowledged) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(NewEventId());
    ASSERT_TRUE(Publish(ids.back(), "t", "p").ok());
  }
  OutboxRelay relay(pg_.get(), redis_.get(), Relay());
  ASSERT_TRUE(relay.RelayOnce().ok());

  // "reporting" handles everything; "audit" handles the first two, then fails on the third.
  std::vector<std::string> audited;
  StreamConsumer fast(redis_.get(), Consumer("c1"), [](const Event&) { return absl::OkStatus(); });
  ConsumerOptions audit_options = Consumer("a1");
  audit_options.group = "audit";
  audit_options.max_deliveries = 0;
  StreamConsumer slow(redis_.get(), audit_options, [&](const Event& e) {
    if (e.event_id == ids[2]) return absl::UnavailableError("audit store down");
    audited.push_back(e.event_id);
    return absl::OkStatus();
  });
  ASSERT_TRUE(PollUntil(fast, [&] { return fast.stats().handled == 5; }));
  (void)slow.PollOnce();
  ASSERT_EQ(audited.size(), 2u);

  auto trimmed = relay.TrimStream();
  ASSERT_TRUE(trimmed.ok()) << trimmed.status();
  EXPECT_EQ(*trimmed, 2);  // only what both groups acknowledged
  EXPECT_EQ(StreamEventIds(), (std::vector<std::string>{ids[2], ids[3], ids[4]}));
}

TEST_F(EventsTest, TrimWithoutGroupsKeepsAboutMaxLen) {
  RelayOptions options = Relay();
  options.max_len_without_groups = 1;  // "~": Redis trims whole nodes, so allow a node
  OutboxRelay relay(pg_.get(), redis_.get(), options);
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(Publish(NewEventId(), "t", "p").ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(relay.RelayOnce().ok());
  auto trimmed = relay.TrimStream();
  ASSERT_TRUE(trimmed.ok()) << trimmed.status();
  EXPECT_GT(*trimmed, 0);
  EXPECT_LT(StreamEventIds().size(), 300u);
}

TEST_F(EventsTest, RetentionDeletesOldRelayedRowsAndOldProcessedMarks) {
  std::vector<std::string> ids = {NewEventId(), NewEventId(), NewEventId()};
  for (const std::string& id : ids) ASSERT_TRUE(Publish(id, "t", "p").ok());
  OutboxRelay relay(pg_.get(), redis_.get(), Relay());
  ASSERT_TRUE(relay.RelayOnce().ok());
  const std::string unrelayed = NewEventId();
  ASSERT_TRUE(Publish(unrelayed, "t", "p").ok());
  ASSERT_TRUE(pg_->Transact([&](pqxx::work& tx) -> absl::Status {
                   // ids[0] relayed 8 days ago; the unrelayed row was created long ago.
                   tx.exec_params(
                       "UPDATE outbox SET published_at = now() - interval '8 days'"
                       " WHERE event_id = $1::uuid",
                       ids[0]);
                   tx.exec("UPDATE outbox SET created_at = now() - interval '60 days'");
                   MAILLAGE_ASSIGN_OR_RETURN(bool first, MarkProcessed(tx, kGroup, ids[0]));
                   MAILLAGE_ASSIGN_OR_RETURN(first, MarkProcessed(tx, kGroup, ids[1]));
                   (void)first;
                   tx.exec_params(
                       "UPDATE processed_events SET processed_at = now() -"
                       " interval '31 days' WHERE event_id = $1::uuid",
                       ids[0]);
                   return absl::OkStatus();
                 })
                  .ok());
  pg::Retention retention(pg_.get(),
                          {.rules = {OutboxRetentionRule(), ProcessedEventsRetentionRule()}});
  ASSERT_TRUE(retention.RunOnce().ok());
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), 3);
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM outbox WHERE event_id = '", ids[0], "'")), 0);
  EXPECT_EQ(Unpublished(), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM processed_events"), 1);
}

TEST(IsStaleTest, IgnoresEventsNotNewerThanTheHeldVersion) {
  EXPECT_FALSE(IsStale(-1, 0));  // nothing held yet: apply
  EXPECT_FALSE(IsStale(3, 4));   // newer: apply
  EXPECT_TRUE(IsStale(4, 4));    // the same version again (a duplicate): ignore
  EXPECT_TRUE(IsStale(5, 4));    // a late, older event: ignore
}

TEST_F(EventsTest, RedisDownKeepsRowsUntilItIsBack) {
  std::vector<std::string> ids = {NewEventId(), NewEventId()};
  for (const std::string& id : ids) ASSERT_TRUE(Publish(id, "t", "p").ok());
  redis_server_->Stop();

  OutboxRelay relay(pg_.get(), redis_.get(), Relay());
  EXPECT_TRUE(absl::IsUnavailable(relay.RelayOnce()));
  relay.Start();
  ASSERT_TRUE(Eventually([&] { return relay.stats().failed_batches >= 3; }));  // retrying
  EXPECT_EQ(Unpublished(), 2);

  ASSERT_TRUE(redis_server_->Restart().ok());
  EXPECT_TRUE(Eventually([&] { return Unpublished() == 0; }));
  relay.Stop();
  EXPECT_EQ(StreamEventIds(), ids);  // each once, in order

  StreamConsumer consumer(redis_.get(), Consumer("c1"), ApplyEffect());
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().handled == 2; }));
  std::vector<Seen> effects = Effects();
  ASSERT_EQ(effects.size(), 2u);
  EXPECT_EQ(effects[0].event_id, ids[0]);
  EXPECT_EQ(effects[1].event_id, ids[1]);
}

TEST_F(EventsTest, PostgresDownPublishesNothingUntilItIsBack) {
  std::string id = NewEventId();
  ASSERT_TRUE(Publish(id, "t", "p").ok());
  pg_server_->Stop();
  OutboxRelay relay(pg_.get(), redis_.get(), Relay());
  absl::Status down = relay.RelayOnce();
  EXPECT_TRUE(absl::IsUnavailable(down)) << down;
  EXPECT_TRUE(StreamEventIds().empty());

  ASSERT_TRUE(pg_server_->Restart().ok());
  EXPECT_TRUE(Eventually([&] {
    int n = 0;
    return relay.RelayOnce(&n).ok() && n == 1;
  }));
  EXPECT_EQ(StreamEventIds(), std::vector<std::string>{id});
}

// Two replicas' relays: while one is between its XADDs and its commit, the other neither
// sends the same rows again nor sends later rows ahead of them.
TEST_F(EventsTest, TwoRelaysNeitherDoubleSendNorReorder) {
  std::vector<std::string> ids = {NewEventId(), NewEventId(), NewEventId()};
  for (const std::string& id : ids) ASSERT_TRUE(Publish(id, "t", "p").ok());

  std::promise<void> in_hook;
  std::promise<void> go;
  std::shared_future<void> go_future = go.get_future().share();
  RelayOptions slow = Relay();
  slow.batch_size = 2;
  bool hooked = false;
  slow.after_publish_hook = [&] {
    if (hooked) return absl::OkStatus();
    hooked = true;
    in_hook.set_value();
    go_future.wait();
    return absl::OkStatus();
  };
  OutboxRelay first(pg_.get(), redis_.get(), slow);
  int first_published = 0;
  absl::Status first_status;
  std::thread replica([&] { first_status = first.RelayOnce(&first_published); });
  // Once in the hook, the first relay has XADDed and not yet committed.
  bool reached =
      in_hook.get_future().wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  OutboxRelay second(pg_.get(), redis_.get(), Relay());
  int second_published = -1;
  absl::Status second_status = second.RelayOnce(&second_published);
  go.set_value();
  replica.join();
  ASSERT_TRUE(reached);

  ASSERT_TRUE(first_status.ok()) << first_status;
  ASSERT_TRUE(second_status.ok()) << second_status;
  EXPECT_EQ(first_published, 2);
  EXPECT_EQ(second_published, 0);  // the third row was free, but not its turn
  ASSERT_TRUE(second.RelayOnce(&second_published).ok());
  EXPECT_EQ(second_published, 1);
  EXPECT_EQ(StreamEventIds(), ids);
}

TEST_F(EventsTest, BackgroundRelayAndConsumerDeliverEverything) {
  OutboxRelay relay(pg_.get(), redis_.get(), Relay());
  StreamConsumer consumer(redis_.get(), Consumer("c1"), ApplyEffect());
  relay.Start();
  consumer.Start();
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    ids.push_back(NewEventId());
    ASSERT_TRUE(Publish(ids.back(), "t", absl::StrCat(i)).ok());
    relay.Wake();
  }
  EXPECT_TRUE(Eventually([&] { return Effects().size() >= ids.size(); }));
  consumer.Stop();
  relay.Stop();
  std::vector<Seen> effects = Effects();
  ASSERT_EQ(effects.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(effects[i].event_id, ids[i]) << i;
  EXPECT_EQ(Unpublished(), 0);
}

}  // namespace
}  // namespace maillage::events

namespace maillage::events {
namespace {

TEST_F(EventsTest, RelayMetricsShowTheLagWhileRedisFailsAndThePublishedCount) {
  prometheus::Registry registry;
  ASSERT_TRUE(Publish(NewEventId(), "t", "p").ok());
  // Backdate the row, so that the lag is larger than any test machine's pause.
  ASSERT_EQ(Count("WITH u AS (UPDATE outbox SET created_at = now() - interval '90 seconds'"
                  " RETURNING 1) SELECT count(*) FROM u"),
            1);
  const std::map<std::string, std::string> stream = {{"stream", kStream}};

  RelayOptions failing = Relay();
  failing.metrics = &registry;
  failing.after_publish_hook = [] { return absl::UnavailableError("redis went away"); };
  {
    OutboxRelay relay(pg_.get(), redis_.get(), failing);
    EXPECT_FALSE(relay.RelayOnce().ok());
  }
  EXPECT_GE(Metric(registry, "maillage_outbox_lag_seconds", stream), 90);
  EXPECT_EQ(Metric(registry, "maillage_outbox_relay_failed_batches_total", stream), 1);
  EXPECT_EQ(Metric(registry, "maillage_events_published_total", stream), 0);

  RelayOptions working = Relay();
  working.metrics = &registry;  // the same registry: the families are shared
  OutboxRelay relay(pg_.get(), redis_.get(), working);
  ASSERT_TRUE(relay.RelayOnce().ok());
  EXPECT_EQ(Metric(registry, "maillage_outbox_lag_seconds", stream), 0);
  EXPECT_EQ(Metric(registry, "maillage_events_published_total", stream), 1);
  ASSERT_TRUE(relay.TrimStream().ok());
  // The failed batch's XADD had reached Redis before the failure: at least once, two entries.
  EXPECT_EQ(Metric(registry, "maillage_stream_length", stream), 2);
}

TEST_F(EventsTest, ConsumerMetricsCountOutcomesPendingAndDeadLetters) {
  prometheus::Registry registry;
  std::vector<std::string> ids = {NewEventId(), NewEventId(), NewEventId()};
  for (const std::string& id : ids) ASSERT_TRUE(Publish(id, "t", "p").ok());
  OutboxRelay relay(pg_.get(), redis_.get(), Relay());
  ASSERT_TRUE(relay.RelayOnce().ok());

  ConsumerOptions options = Consumer("c1");
  options.max_deliveries = 2;
  options.metrics = &registry;
  options.gauge_interval = absl::ZeroDuration();
  size_t applied = 0;
  StreamConsumer consumer(redis_.get(), options, [&](const Event& e) {
    if (e.event_id == ids[1]) return absl::InvalidArgumentError("payload: cannot be parsed");
    ++applied;
    return absl::OkStatus();
  });
  const std::map<std::string, std::string> group = {{"stream", kStream}, {"group", kGroup}};
  auto outcome = [&](const char* name) {
    std::map<std::string, std::string> labels = group;
    labels["outcome"] = name;
    return Metric(registry, "maillage_events_consumed_total", labels);
  };
  // The first poll: one handled, the poison one fails and stays pending with the third.
  (void)consumer.PollOnce();
  EXPECT_EQ(outcome("handled"), 1);
  EXPECT_EQ(outcome("failed"), 1);
  (void)consumer.PollOnce();  // reads the gauges: two delivered, not acknowledged
  EXPECT_EQ(Metric(registry, "maillage_consumer_pending", group), 2);
  ASSERT_TRUE(PollUntil(consumer, [&] { return applied == 2; }));
  (void)consumer.PollOnce();
  EXPECT_EQ(outcome("handled"), 2);
  EXPECT_EQ(outcome("dead_lettered"), 1);
  EXPECT_EQ(outcome("malformed"), 0);
  EXPECT_EQ(Metric(registry, "maillage_consumer_pending", group), 0);
  EXPECT_EQ(Metric(registry, "maillage_consumer_lag", group), 0);
  EXPECT_EQ(Metric(registry, "maillage_dead_letter_stream_length", group), 1);
}

}  // namespace
}  // namespace maillage::events
