#include "common/pg/pg.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <future>

#include "tests/support/postgres_server.h"

namespace maillage::pg {
namespace {

using maillage::testing::PostgresServer;

class PgTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = PostgresServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    auto uri = server_->CreateDatabase();
    ASSERT_TRUE(uri.ok()) << uri.status();
    auto pool = PgPool::Create({.uri = *uri,
                                .size = 4,
                                .acquire_timeout = absl::Seconds(2),
                                .connect_timeout = absl::Seconds(2)});
    ASSERT_TRUE(pool.ok());
    pool_ = std::move(*pool);
  }

  int64_t Count(const std::string& table) {
    int64_t n = -1;
    EXPECT_TRUE(pool_
                    ->Transact([&](pqxx::work& tx) {
                      n = tx.exec1("SELECT count(*) FROM " + table)[0].as<int64_t>();
                      return absl::OkStatus();
                    })
                    .ok());
    return n;
  }

  static PostgresServer* server_;
  std::unique_ptr<PgPool> pool_;
};
PostgresServer* PgTest::server_ = nullptr;

const std::vector<Migration> kMigrations = {
    {"002_items.sql", "CREATE TABLE items (id INT PRIMARY KEY, name TEXT NOT NULL)"},
    {"001_notes.sql", "CREATE TABLE notes (body TEXT)"},
};

TEST_F(PgTest, MigrationsApplyOnceInNameOrder) {
  ASSERT_TRUE(ApplyMigrations(*pool_, "test", kMigrations).ok());
  ASSERT_TRUE(ApplyMigrations(*pool_, "test", kMigrations).ok());  // no-op the second time
  EXPECT_EQ(Count("schema_migrations"), 2);
  EXPECT_EQ(Count("items"), 0);
}

TEST_F(PgTest, ReplicasStartingTogetherApplyEachMigrationOnce) {
  std::vector<std::future<absl::Status>> runs;
  for (int i = 0; i < 4; ++i) {
    runs.push_back(std::async(std::launch::async,
                              [&] { return ApplyMigrations(*pool_, "test", kMigrations); }));
  }
  for (auto& r : runs) EXPECT_TRUE(r.get().ok());
  EXPECT_EQ(Count("schema_migrations"), 2);
}

TEST_F(PgTest, RefusesADatabaseNewerThanTheCode) {
  ASSERT_TRUE(ApplyMigrations(*pool_, "test", kMigrations).ok());
  absl::Status s = ApplyMigrations(*pool_, "test", {kMigrations[1]});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("002_items.sql"), absl::string_view::npos);
}

TEST_F(PgTest, RefusesAMigrationEditedAfterItWasApplied) {
  ASSERT_TRUE(ApplyMigrations(*pool_, "test", kMigrations).ok());
  std::vector<Migration> edited = kMigrations;
  edited[1].sql = "CREATE TABLE notes (body TEXT, author TEXT)";  // 001_notes.sql
  edited.push_back({"003_more.sql", "CREATE TABLE more (id INT)"});
  absl::Status s = ApplyMigrations(*pool_, "test", edited);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("migration 001_notes.sql of test was edited after it was applied"),
            absl::string_view::npos)
      << s;
  EXPECT_EQ(Count("schema_migrations"), 2);  // 003 was not applied either
}

TEST_F(PgTest, TwoServicesKeepSeparateBookkeepingInOneDatabase) {
  ASSERT_TRUE(ApplyMigrations(*pool_, "test", kMigrations).ok());
  // Another service with its own files, one of them named like one of "test"'s.
  const std::vector<Migration> other = {
      {"001_notes.sql", "CREATE TABLE other_notes (body TEXT)"},
  };
  ASSERT_TRUE(ApplyMigrations(*pool_, "other", other).ok());
  EXPECT_EQ(Count("other_notes"), 0);  // applied although "test" recorded the same name
  // Neither sees the other's rows as "unknown to this build".
  EXPECT_TRUE(ApplyMigrations(*pool_, "test", kMigrations).ok());
  EXPECT_TRUE(ApplyMigrations(*pool_, "other", other).ok());
  EXPECT_EQ(Count("schema_migrations"), 3);
}

TEST_F(PgTest, LegacyBookkeepingGetsServiceAndChecksumWithoutFailing) {
  // The layout written by earlier builds: name only, no service, no checksum.
  ASSERT_TRUE(pool_
                  ->Transact([](pqxx::work& tx) {
                    tx.exec(
                        "CREATE TABLE schema_migrations (name TEXT PRIMARY KEY,"
                        " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
                    tx.exec("CREATE TABLE notes (body TEXT)");
                    tx.exec("INSERT INTO schema_migrations (name) VALUES ('001_notes.sql')");
                    return absl::OkStatus();
                  })
                  .ok());
  absl::Status s = ApplyMigrations(*pool_, "test", kMigrations);
  ASSERT_TRUE(s.ok()) << s;  // 001 is not run again (notes exists), 002 is
  EXPECT_EQ(Count("items"), 0);
  EXPECT_EQ(Count("schema_migrations WHERE service = 'test' AND checksum IS NOT NULL"), 2);
  // The recorded checksum now guards 001.
  std::vector<Migration> edited = kMigrations;
  edited[1].sql = "CREATE TABLE notes (body TEXT, author TEXT)";
  EXPECT_EQ(ApplyMigrations(*pool_, "test", edited).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(PgTest, AcquireWaitsAndTimeoutsAreMeasured) {
  auto uri = server_->CreateDatabase();
  ASSERT_TRUE(uri.ok()) << uri.status();
  prometheus::Registry registry;
  auto pool = PgPool::Create(
      {.uri = *uri, .size = 1, .acquire_timeout = absl::Milliseconds(50), .metrics = &registry});
  ASSERT_TRUE(pool.ok());
  ASSERT_TRUE((*pool)->Ping().ok());  // one wait, not timed out
  // The only connection is held, so a nested transaction times out waiting for another.
  absl::Status inner;
  ASSERT_TRUE((*pool)
                  ->Transact([&](pqxx::work&) {
                    inner = (*pool)->Ping();
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(inner.code(), absl::StatusCode::kUnavailable);
  uint64_t waits = 0;
  double timeouts = -1;
  for (const auto& family : registry.Collect()) {
    if (family.name == "maillage_pg_acquire_wait_seconds") {
      waits = family.metric.at(0).histogram.sample_count;
    }
    if (family.name == "maillage_pg_acquire_timeouts_total") {
      timeouts = family.metric.at(0).counter.value;
    }
  }
  EXPECT_EQ(waits, 3u);  // Ping, the outer transaction, the inner Ping
  EXPECT_EQ(timeouts, 1);
}

TEST_F(PgTest, ErrorStatusRollsBackEverything) {
  ASSERT_TRUE(ApplyMigrations(*pool_, "test", kMigrations).ok());
  absl::Status s = pool_->Transact([](pqxx::work& tx) {
    tx.exec("INSERT INTO items VALUES (1, 'a')");
    return absl::FailedPreconditionError("changed my mind");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Count("items"), 0);
}

TEST_F(PgTest, MapsSqlErrors) {
  ASSERT_TRUE(ApplyMigrations(*pool_, "test", kMigrations).ok());
  auto insert = [&] {
    return pool_->Transact([](pqxx::work& tx) {
      tx.exec("INSERT INTO items VALUES (1, 'a')");
      return absl::OkStatus();
    });
  };
  ASSERT_TRUE(insert().ok());
  EXPECT_EQ(insert().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Count("items"), 1);
}

TEST_F(PgTest, UnavailableWhileDownThenRecovers) {
  ASSERT_TRUE(pool_->Ping().ok());  // a pooled connection that the restart will break
  server_->Stop();
  EXPECT_EQ(pool_->Ping().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(server_->Restart().ok());
  EXPECT_TRUE(pool_->Ping().ok());
}

TEST_F(PgTest, PreparedStatementsAnswerLikeUnpreparedOnesAcrossConnectionsAndRestarts) {
  const std::string sql = "SELECT $1::int + 1, count(*) FROM pg_prepared_statements";
  auto run = [&](int value) -> std::pair<int, int64_t> {
    std::pair<int, int64_t> out{-1, -1};
    EXPECT_TRUE(pool_
                    ->Transact([&](pqxx::work& tx) {
                      pqxx::result r = ExecPrepared(tx, sql, {absl::StrCat(value)});
                      out = {r[0][0].as<int>(), r[0][1].as<int64_t>()};
                      return absl::OkStatus();
                    })
                    .ok());
    return out;
  };
  for (int i = 0; i < 20; ++i) {
    auto [sum, prepared] = run(i);
    EXPECT_EQ(sum, i + 1);
    EXPECT_EQ(prepared, 1);  // the statement itself, prepared on this connection
  }
  // A restart drops every server-side statement; the reconnected pool prepares them again.
  (void)pool_->Ping();
  server_->Stop();
  ASSERT_TRUE(server_->Restart().ok());
  ASSERT_TRUE(pool_->Ping().ok());
  EXPECT_EQ(run(41).first, 42);
  // Past the bound of distinct texts, statements still run, unprepared.
  for (size_t i = 0; i < kMaxPreparedTexts + 10; ++i) {
    int64_t got = -1;
    ASSERT_TRUE(pool_
                    ->Transact([&](pqxx::work& tx) {
                      got = ExecPrepared(tx, absl::StrCat("SELECT $1::bigint + ", i), {"1"})[0][0]
                                .as<int64_t>();
                      return absl::OkStatus();
                    })
                    .ok());
    ASSERT_EQ(got, static_cast<int64_t>(i) + 1);
  }
}

}  // namespace
}  // namespace maillage::pg
