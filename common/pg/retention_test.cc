#include "common/pg/retention.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "tests/support/postgres_server.h"

namespace maillage::pg {
namespace {

using maillage::testing::PostgresServer;

class RetentionTest : public ::testing::Test {
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
    auto pool = PgPool::Create({.uri = *uri, .size = 2});
    ASSERT_TRUE(pool.ok());
    pool_ = std::move(*pool);
    // Like the outbox: relayed rows have published_at, unrelayed ones NULL.
    Exec(
        "CREATE TABLE events (id INT PRIMARY KEY, published_at TIMESTAMPTZ);"
        "CREATE INDEX ON events (published_at);"
        "INSERT INTO events SELECT g, now() - interval '10 days' FROM generate_series(1, 5) g;"
        "INSERT INTO events VALUES (6, now() - interval '1 day'), (7, now()), (8, NULL);");
  }

  void Exec(const std::string& sql) {
    ASSERT_TRUE(pool_
                    ->Transact([&](pqxx::work& tx) {
                      tx.exec(sql);
                      return absl::OkStatus();
                    })
                    .ok());
  }
  std::vector<int> Ids() {
    std::vector<int> ids;
    EXPECT_TRUE(pool_
                    ->Transact([&](pqxx::work& tx) {
                      for (const auto& r : tx.exec("SELECT id FROM events ORDER BY id")) {
                        ids.push_back(r[0].as<int>());
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    return ids;
  }

  static PostgresServer* server_;
  std::unique_ptr<PgPool> pool_;
};
PostgresServer* RetentionTest::server_ = nullptr;

// The value of a metric with one label pair (or none), from the registry's Collect().
double MetricValue(prometheus::Registry& registry, const std::string& name,
                   const std::string& label_value = "") {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      if (!label_value.empty() && (m.label.empty() || m.label[0].value != label_value)) continue;
      return family.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return -1;
}

TEST_F(RetentionTest, DeletesOnlyRowsOlderThanTheLimitInBoundedBatches) {
  prometheus::Registry registry;
  Retention retention(pool_.get(), {.rules = {{.table = "events",
                                               .age_column = "published_at",
                                               .keep_for = absl::Hours(24 * 7)}},
                                    .batch_size = 2,
                                    .pause = absl::ZeroDuration(),
                                    .metrics = &registry});
  auto pass = retention.RunOnce();
  ASSERT_TRUE(pass.ok()) << pass.status();
  // Newer rows and the unrelayed (NULL) one stay.
  EXPECT_EQ(Ids(), (std::vector<int>{6, 7, 8}));
  const Retention::TableStats& stats = pass->at("events");
  EXPECT_EQ(stats.deleted, 5);
  EXPECT_EQ(stats.largest_statement, 2);  // never more than batch_size at once
  EXPECT_EQ(stats.statements, 3);         // 2 + 2 + 1
  EXPECT_EQ(MetricValue(registry, "maillage_retention_rows_deleted_total", "events"), 5);
  EXPECT_GE(MetricValue(registry, "maillage_retention_last_run_seconds"), 0);

  // A second pass has nothing to do.
  pass = retention.RunOnce();
  ASSERT_TRUE(pass.ok()) << pass.status();
  EXPECT_EQ(pass->at("events").deleted, 0);
  EXPECT_EQ(Ids(), (std::vector<int>{6, 7, 8}));
}

TEST_F(RetentionTest, AMissingTableFailsThatRuleAndTheOthersStillRun) {
  Retention retention(
      pool_.get(),
      {.rules = {
           {.table = "no_such_table", .age_column = "at", .keep_for = absl::Hours(1)},
           {.table = "events", .age_column = "published_at", .keep_for = absl::Hours(24 * 7)}}});
  EXPECT_FALSE(retention.RunOnce().ok());
  EXPECT_EQ(Ids(), (std::vector<int>{6, 7, 8}));
}

}  // namespace
}  // namespace maillage::pg
