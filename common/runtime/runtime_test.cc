// The runtime starting a tiny echo service on the PostgreSQL and Redis of tests/support, the
// way a service's main.cc does.
#include "common/runtime/runtime.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/events/outbox.h"
#include "common/server/unary.h"
#include "common/testing/harness.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "maillage/testing/v1/echo.grpc.pb.h"
#include "tests/support/grpc_status.h"
#include "tests/support/http_get.h"

namespace maillage {
namespace {

using ::maillage::testing::Ok;
using ::maillage::testing::ServiceHarness;
using ::maillage::testing::v1::EchoRequest;
using ::maillage::testing::v1::EchoResponse;
using ::maillage::testing::v1::EchoService;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Echoes the message and records an event saying so, without waking the relay: the event
// leaves only when the relay polls (or at Stop()).
class RecordingEcho final : public EchoService::CallbackService {
 public:
  RecordingEcho(pg::PgPool* pg, WorkerPool* workers) : pg_(pg), workers_(workers) {}

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const EchoRequest* req,
                                 EchoResponse* resp) override {
    return RunUnary(ctx, *workers_, [this, req, resp]() -> absl::Status {
      absl::Status s = pg_->Transact([&](pqxx::work& tx) {
        return events::Enqueue(tx, events::NewEventId(), "test.Echoed", req->message());
      });
      if (s.ok()) resp->set_message(req->message());
      return s;
    });
  }

 private:
  pg::PgPool* pg_;
  WorkerPool* workers_;
};

ServiceDefinition EchoDefinition() {
  return {.name = "echo",
          .migrations = {},
          .health_service_names = {"maillage.testing.v1.EchoService"},
          .relay = {.stream = "maillage.echo.events"},
          .follow_changes = nullptr,
          .retention_rules = {},
          .idempotency_keys = false};
}

absl::StatusOr<ServiceList> BuildEcho(ServiceRuntime& rt) {
  return ServiceList{rt.Keep(std::make_unique<RecordingEcho>(rt.pg(), rt.workers()))};
}

using ::maillage::testing::HttpGet;

grpc::Status Echo(ServiceHarness& h, const std::string& message) {
  auto stub = EchoService::NewStub(h.channel());
  EchoRequest req;
  req.set_message(message);
  EchoResponse resp;
  return ServiceHarness::Call(stub.get(), &EchoService::Stub::Echo, ServiceHarness::Admin(), req,
                              &resp);
}

TEST(RuntimeTest, ServesHealthAndOneMetricsPageWithThePoolsAndCache) {
  ServiceHarness h(EchoDefinition());
  ASSERT_TRUE(h.Start(BuildEcho).ok());
  ASSERT_TRUE(Ok(Echo(h, "hello")));

  auto health = grpc::health::v1::Health::NewStub(h.channel());
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("maillage.testing.v1.EchoService");
  grpc::health::v1::HealthCheckResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(Ok(health->Check(&ctx, req, &resp)));
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  // Registered before the server existed, served by its /metrics port.
  std::string page = HttpGet(h.runtime()->metrics_port(), "/metrics");
  EXPECT_THAT(page, HasSubstr("maillage_pg_acquire_wait_seconds"));
  EXPECT_THAT(page, HasSubstr("maillage_retention_last_run_seconds"));
  EXPECT_THAT(page, HasSubstr("grpc_server_handled_total"));
  EXPECT_THAT(page, HasSubstr("maillage_worker_queue_depth"));
  EXPECT_THAT(page, HasSubstr("maillage_outbox_lag_seconds{stream=\""));
  EXPECT_THAT(page, HasSubstr("maillage_events_published_total"));
}

TEST(RuntimeTest, StopEndsInOrderAndRelaysTheLastEvent) {
  std::vector<std::string> steps;
  ServiceHarness h(EchoDefinition());
  // The relay's thread does not run (a first poll could race the call on a slow machine):
  // only Stop()'s last pass can publish the event.
  ASSERT_TRUE(h.Start(BuildEcho, {.relay = false,
                                  .relay_poll_interval = absl::Hours(1),
                                  .env = {},
                                  .on_stop_step =
                                      [&steps](const std::string& step) { steps.push_back(step); }})
                  .ok());
  ASSERT_TRUE(Ok(Echo(h, "the last call")));
  ASSERT_EQ(h.Count("SELECT count(*) FROM outbox WHERE published_at IS NULL"), 1);
  // Its own pool: the runtime's closes with it.
  auto redis =
      redis::RedisPool::Create({.address = std::string(ServiceHarness::redis_server()->address())});
  ASSERT_TRUE(redis.ok());

  h.Stop();

  EXPECT_THAT(steps, ElementsAre("front", "server", "workers", "consumers", "retention", "relay",
                                 "objects", "pools"));
  absl::StatusOr<redis::RedisReply> entries = (*redis)->Command({"XRANGE", h.stream(), "-", "+"});
  ASSERT_TRUE(entries.ok()) << entries.status();
  // The stream is the process's (other tests' events are there too).
  std::vector<std::string> fields;
  for (const redis::RedisReply& entry : entries->elements()) {
    for (const redis::RedisReply& f : entry.elements()[1].elements()) fields.push_back(f.str());
  }
  EXPECT_THAT(fields, ::testing::Contains("the last call"));
  // A call after Stop() finds nothing listening.
  EXPECT_FALSE(Echo(h, "too late").ok());
}

TEST(RuntimeTest, AConsumerTheServiceRegistersReceivesTheStreamsEvents) {
  absl::Mutex mu;
  std::vector<std::string> payloads;
  ServiceHarness h(EchoDefinition());
  ASSERT_TRUE(h.Start(
                   [&](ServiceRuntime& rt) {
                     events::StreamConsumer* consumer =
                         rt.AddConsumer({.stream = rt.definition().relay.stream,
                                         .group = "runtime-test",
                                         .consumer = "one",
                                         .block = absl::Milliseconds(100)},
                                        [&](const events::Event& e) {
                                          absl::MutexLock lock(&mu);
                                          payloads.push_back(e.payload);
                                          return absl::OkStatus();
                                        });
                     EXPECT_NE(consumer, nullptr);
                     return BuildEcho(rt);
                   },
                   {.relay = true})
                  .ok());
  ASSERT_TRUE(Ok(Echo(h, "for the consumer")));
  // Waits without a limit of its own: ctest's timeout stops a hung test.
  auto received = [&] {
    absl::MutexLock lock(&mu);
    return std::find(payloads.begin(), payloads.end(), "for the consumer") != payloads.end();
  };
  while (!received()) absl::SleepFor(absl::Milliseconds(10));
  // The runtime registered the consumer's metrics: the handled event is counted.
  const std::regex handled(
      R"(maillage_events_consumed_total\{group="runtime-test",outcome="handled",[^}]*\} [1-9])");
  while (!std::regex_search(HttpGet(h.runtime()->metrics_port(), "/metrics"), handled)) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  h.Stop();
}

TEST(RuntimeTest, ReportsEveryConfigurationProblemTogetherWithTheServicesOwn) {
  ServiceRuntime rt(EchoDefinition(),
                    ConfigReader({{"MAILLAGE_WORKERS", "0"}, {"MAILLAGE_AUTH_HMAC_KEY", "short"}},
                                 {"--log-level=loud"}));
  std::string prefix = rt.config().Required("ECHO_PREFIX");  // the service's own setting
  absl::Status s = rt.Start(BuildEcho);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("MAILLAGE_PG_URI"));
  EXPECT_THAT(s.message(), HasSubstr("MAILLAGE_REDIS_ADDRESS"));
  EXPECT_THAT(s.message(), HasSubstr("MAILLAGE_WORKERS"));
  EXPECT_THAT(s.message(), HasSubstr("MAILLAGE_AUTH_HMAC_KEY"));
  EXPECT_THAT(s.message(), HasSubstr("MAILLAGE_LOG_LEVEL"));
  EXPECT_THAT(s.message(), HasSubstr("MAILLAGE_ECHO_PREFIX"));
  EXPECT_EQ(rt.grpc_port(), 0);
}

// A front door (the gateway) has no database: it starts without MAILLAGE_PG_URI, and its
// stop hooks run before anything else stops.
TEST(RuntimeTest, AServiceWithoutPostgresStartsAndStopsItsFrontFirst) {
  ServiceHarness servers(EchoDefinition());
  ASSERT_TRUE(servers.Start(BuildEcho).ok());  // brings up the shared Redis
  servers.Stop();
  ServiceRuntime rt({.name = "front",
                     .migrations = {},
                     .health_service_names = {},
                     .relay = {},
                     .follow_changes = nullptr,
                     .retention_rules = {},
                     .idempotency_keys = false,
                     .uses_postgres = false},
                    ConfigReader({{"MAILLAGE_REDIS_ADDRESS",
                                   std::string(ServiceHarness::redis_server()->address())},
                                  {"MAILLAGE_AUTH_HMAC_KEY", ::maillage::testing::kTestHmacKey},
                                  {"MAILLAGE_GRPC_ADDRESS", "127.0.0.1:0"},
                                  {"MAILLAGE_METRICS_ADDRESS", "127.0.0.1:0"}},
                                 {}),
                    {.on_stop_step = nullptr});
  std::vector<std::string> order;
  ASSERT_TRUE(rt.Start([&](ServiceRuntime& r) -> absl::StatusOr<ServiceList> {
                  EXPECT_EQ(r.pg(), nullptr);
                  r.OnStop([&] { order.push_back("front door"); });
                  return ServiceList{};
                }).ok());
  EXPECT_GT(rt.grpc_port(), 0);
  rt.Stop();
  EXPECT_EQ(order, std::vector<std::string>{"front door"});

  // An outbox without a database is a mistake of the definition, said at start.
  ServiceRuntime wrong({.name = "front", .relay = {.stream = "x"}, .uses_postgres = false},
                       ConfigReader({{"MAILLAGE_REDIS_ADDRESS",
                                      std::string(ServiceHarness::redis_server()->address())},
                                     {"MAILLAGE_AUTH_HMAC_KEY", ::maillage::testing::kTestHmacKey}},
                                    {}));
  absl::Status s = wrong.Start([](ServiceRuntime&) { return absl::StatusOr<ServiceList>(); });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("need PostgreSQL"));

  // A near cache follows the service's events or its own invalidations, never both.
  ServiceDefinition both = EchoDefinition();
  both.follow_changes = [](redis::RedisPool*, std::string, redis::NearCache*) {
    return std::unique_ptr<redis::StreamFollower>();
  };
  both.cache_invalidations_stream = "echo.cache";
  both.relay = {};
  both.migrations = {};
  both.idempotency_keys = false;
  both.uses_postgres = false;
  ServiceRuntime twice(
      both, ConfigReader(
                {{"MAILLAGE_REDIS_ADDRESS", std::string(ServiceHarness::redis_server()->address())},
                 {"MAILLAGE_AUTH_HMAC_KEY", ::maillage::testing::kTestHmacKey}},
                {}));
  s = twice.Start([](ServiceRuntime&) { return absl::StatusOr<ServiceList>(); });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("not both"));
}

TEST(RuntimeTest, RunReturnsZeroAfterRequestStopAndTwoOnBadConfiguration) {
  {
    ServiceRuntime bad(EchoDefinition(), ConfigReader({}, {}));
    EXPECT_EQ(bad.Run(BuildEcho), 2);
  }
  // A harness brings up the servers; Run() then uses them like a process would.
  ServiceHarness servers(EchoDefinition());
  ASSERT_TRUE(servers.Start(BuildEcho).ok());
  servers.Stop();  // PostgreSQL and Redis stay up for the process
  absl::StatusOr<std::string> uri = ServiceHarness::postgres()->CreateDatabase();
  ASSERT_TRUE(uri.ok());
  ServiceRuntime rt(EchoDefinition(),
                    ConfigReader({{"MAILLAGE_PG_URI", *uri},
                                  {"MAILLAGE_REDIS_ADDRESS",
                                   std::string(ServiceHarness::redis_server()->address())},
                                  {"MAILLAGE_AUTH_HMAC_KEY", testing::kTestHmacKey},
                                  {"MAILLAGE_GRPC_ADDRESS", "127.0.0.1:0"},
                                  {"MAILLAGE_METRICS_ADDRESS", ""},
                                  {"MAILLAGE_LOG_LEVEL", "warn"}},
                                 {}));
  int code = -1;
  // Run() blocks the termination signals in its own thread only.
  std::thread process([&] { code = rt.Run(BuildEcho); });
  rt.RequestStop();
  process.join();
  EXPECT_EQ(code, 0);
}

}  // namespace
}  // namespace maillage
