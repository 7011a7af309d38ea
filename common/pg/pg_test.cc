#include "common/pg/pg.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace maillage::pg
