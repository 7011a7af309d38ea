#include "common/server/server.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/server/unary.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "maillage/testing/v1/echo.grpc.pb.h"
#include "tests/support/http_get.h"

namespace maillage {
namespace {

using maillage::testing::v1::EchoRequest;
using maillage::testing::v1::EchoResponse;
using maillage::testing::v1::EchoService;

// Echoes after sleeping sleep_ms; the message "block" waits until Release().
class SleepyEcho final : public EchoService::CallbackService {
 public:
  explicit SleepyEcho(WorkerPool* pool) : pool_(pool), gate_(release_.get_future().share()) {}
  ~SleepyEcho() override { Release(); }

  void Release() {
    if (!released_.exchange(true)) release_.set_value();
  }
  int started() const { return started_.load(); }

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const EchoRequest* req,
                                 EchoResponse* resp) override {
    return RunUnary(ctx, *pool_, [this, req, resp] {
      ++started_;
      if (req->message() == "block") gate_.wait();
      std::this_thread::sleep_for(std::chrono::milliseconds(req->sleep_ms()));
      if (req->message().empty()) return absl::InvalidArgumentError("message: required");
      if (req->message() == "sql") {
        return absl::InternalError(
            "ERROR:  duplicate key value violates unique constraint \"organisations_siren_key\"\n"
            "DETAIL:  Key (siren)=(732829320) already exists.");
      }
      resp->set_message(req->message());
      return absl::OkStatus();
    });
  }

 private:
  WorkerPool* pool_;
  std::atomic<int> started_{0};
  std::atomic<bool> released_{false};
  std::promise<void> release_;
  std::shared_future<void> gate_;
};

// Waits (without a time limit: ctest's stops a hung test) until `done` holds.
template <typename Pred>
void AwaitTrue(Pred done) {
  while (!done()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

using ::maillage::testing::HttpGet;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options{.grpc_address = "127.0.0.1:0",
                          .metrics_address = "127.0.0.1:0",
                          .health_service_names = {"maillage.testing.v1.EchoService"},
                          .worker_pools = {&pool_}};
    auto server = Server::Start(options, {&service_});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
  }

  grpc::Status Call(const std::string& message, int sleep_ms, EchoResponse* resp,
                    std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + deadline);
    EchoRequest req;
    req.set_message(message);
    req.set_sleep_ms(sleep_ms);
    return EchoService::NewStub(channel_)->Echo(&ctx, req, resp);
  }

  WorkerPool pool_{1, 1};
  SleepyEcho service_{&pool_};
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(ServerTest, AnswersAndMapsStatus) {
  EchoResponse resp;
  ASSERT_TRUE(Call("bonjour", 0, &resp).ok());
  EXPECT_EQ(resp.message(), "bonjour");
  grpc::Status bad = Call("", 0, &resp);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad.error_message(), "message: required");
}

TEST_F(ServerTest, InternalErrorTextGoesToTheLogNotToTheClient) {
  ASSERT_TRUE(log::Init("server_test", "info").ok());
  EchoRequest req;
  req.set_message("sql");
  EchoResponse resp;

  grpc::ClientContext ctx;
  ctx.AddMetadata("x-request-id", "req-42");
  ::testing::internal::CaptureStderr();
  grpc::Status s = EchoService::NewStub(channel_)->Echo(&ctx, req, &resp);
  std::string logged = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(s.error_message(), "internal error; request id req-42");
  EXPECT_THAT(logged, ::testing::HasSubstr("\"request_id\":\"req-42\""));
  EXPECT_THAT(logged, ::testing::HasSubstr("Key (siren)=(732829320) already exists"));

  // Without x-request-id the server makes one up, and the log line carries it too.
  grpc::ClientContext anonymous;
  ::testing::internal::CaptureStderr();
  s = EchoService::NewStub(channel_)->Echo(&anonymous, req, &resp);
  logged = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_THAT(s.error_message(), ::testing::MatchesRegex("internal error; request id [0-9a-f]+"));
  EXPECT_THAT(s.error_message(), ::testing::Not(::testing::HasSubstr("siren")));
  std::string id = s.error_message().substr(s.error_message().rfind(' ') + 1);
  EXPECT_THAT(logged, ::testing::HasSubstr(absl::StrCat("\"request_id\":\"", id, "\"")));
}

TEST_F(ServerTest, FullQueueAnswersResourceExhausted) {
  // One worker busy for 500 ms, one call queued: the third is refused at once.
  auto busy = std::async(std::launch::async, [&] {
    EchoResponse r;
    return Call("a", 500, &r).error_code();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto queued = std::async(std::launch::async, [&] {
    EchoResponse r;
    return Call("b", 0, &r).error_code();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EchoResponse r;
  EXPECT_EQ(Call("c", 0, &r).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(busy.get(), grpc::StatusCode::OK);
  EXPECT_EQ(queued.get(), grpc::StatusCode::OK);
}

TEST_F(ServerTest, HealthServingThenNotServingAfterShutdown) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("maillage.testing.v1.EchoService");
  grpc::health::v1::HealthCheckResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(health->Check(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  server_->Shutdown(absl::Milliseconds(100));
  grpc::ClientContext after;
  after.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  EXPECT_FALSE(health->Check(&after, req, &resp).ok());
}

TEST_F(ServerTest, ShutdownLetsInFlightCallsFinish) {
  auto in_flight = std::async(std::launch::async, [&] {
    EchoResponse r;
    return Call("slow", 300, &r).error_code();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server_->Shutdown(absl::Seconds(5));
  EXPECT_EQ(in_flight.get(), grpc::StatusCode::OK);
}

TEST_F(ServerTest, CallsNotYetRunningWhenShutdownStartsAreUnavailable) {
  auto running = std::async(std::launch::async, [&] {
    EchoResponse r;
    return Call("block", 0, &r).error_code();
  });
  AwaitTrue([&] { return service_.started() == 1; });  // the only worker is busy
  auto queued = std::async(std::launch::async, [&] {
    EchoResponse r;
    return Call("queued", 0, &r);
  });
  AwaitTrue([&] { return pool_.QueueDepth() == 1; });
  std::thread shutdown([&] { server_->Shutdown(absl::Seconds(30)); });
  AwaitTrue([&] { return pool_.draining(); });
  service_.Release();
  EXPECT_EQ(running.get(), grpc::StatusCode::OK);  // in flight: finishes
  grpc::Status s = queued.get();                   // never ran: told to go elsewhere
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(s.error_message(), "server shutting down");
  shutdown.join();
  EXPECT_EQ(service_.started(), 1);
}

TEST_F(ServerTest, CallsArrivingWhileThePoolDrainsAreUnavailable) {
  pool_.BeginDrain();
  EchoResponse resp;
  grpc::Status s = Call("late", 0, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(s.error_message(), "server shutting down");
  EXPECT_EQ(service_.started(), 0);
}

TEST_F(ServerTest, QueuedCallWhoseCallerGaveUpIsDroppedUnrun) {
  auto running = std::async(std::launch::async, [&] {
    EchoResponse r;
    return Call("block", 0, &r).error_code();
  });
  AwaitTrue([&] { return service_.started() == 1; });
  EchoResponse r;
  // Queued behind the blocked worker; the client gives up after 50 ms.
  EXPECT_EQ(Call("impatient", 0, &r, std::chrono::milliseconds(50)).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  // The server counts the 50 ms from when it read the call, and learns of the cancel when it
  // reads the client's reset: on a loaded machine, both can come after the client gave up.
  // Let them arrive before the worker is free (seen failing in CI under load).
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  service_.Release();
  EXPECT_EQ(running.get(), grpc::StatusCode::OK);
  // One worker, first in first out: once this one answers, the impatient one was dequeued.
  ASSERT_TRUE(Call("after", 0, &r).ok());
  EXPECT_EQ(service_.started(), 2);  // "block" and "after"; "impatient" never ran
}

TEST_F(ServerTest, ACallWhoseDeadlineComesBeforeTheEstimatedWaitIsRefusedUnrun) {
  auto running = std::async(std::launch::async, [&] {
    EchoResponse r;
    return Call("block", 0, &r).error_code();
  });
  AwaitTrue([&] { return service_.started() == 1; });
  // Calls have been taking 10 s each; one is queued behind the running one.
  pool_.SetAverageRunTime(std::chrono::seconds(10));
  auto queued = std::async(std::launch::async, [&] {
    EchoResponse r;
    return Call("queued", 0, &r, std::chrono::seconds(60)).error_code();
  });
  AwaitTrue([&] { return pool_.QueueDepth() == 1; });

  // A caller ready to wait 2 s is told at once that it would not be served in time...
  EchoResponse r;
  grpc::Status hurried = Call("hurried", 0, &r, std::chrono::seconds(2));
  EXPECT_EQ(hurried.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(hurried.error_message(), ::testing::HasSubstr("deadline"));
  // ...while one ready to wait a minute meets the full queue.
  grpc::Status patient = Call("patient", 0, &r, std::chrono::seconds(60));
  EXPECT_EQ(patient.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(patient.error_message(), ::testing::HasSubstr("queue full"));

  service_.Release();
  EXPECT_EQ(running.get(), grpc::StatusCode::OK);
  EXPECT_EQ(queued.get(), grpc::StatusCode::OK);
  EXPECT_EQ(service_.started(), 2);  // "block" and "queued": the refused ones never ran

  // A worker records a task's queue wait once the task has finished, a moment after its
  // caller got the answer: the second observation may still be on its way.
  std::string page;
  for (int i = 0; i < 500; ++i) {
    page = HttpGet(server_->metrics_port(), "/metrics");
    if (page.find("maillage_worker_queue_wait_seconds_count{pool=\"0\"} 2") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(page.find("maillage_worker_rejections_total{pool=\"0\",reason=\"deadline\"} 1"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("maillage_worker_rejections_total{pool=\"0\",reason=\"full\"} 1"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("maillage_worker_queue_wait_seconds_count{pool=\"0\"} 2"), std::string::npos)
      << page;
  EXPECT_NE(page.find("maillage_worker_queue_depth{pool=\"0\"} 0"), std::string::npos) << page;
}

TEST(WorkerPoolEstimateTest, QueuedTasksTimesTheAverageRunTimeOverTheThreads) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> started{0};
  WorkerPool pool(2, 16);  // last, so it joins its threads before what they use goes
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(pool.TrySubmit([&] {
      ++started;
      gate.wait();
    }));
  }
  AwaitTrue([&] { return started.load() == 2; });
  pool.SetAverageRunTime(std::chrono::milliseconds(100));
  EXPECT_EQ(pool.EstimatedWait(), std::chrono::nanoseconds(0));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(pool.TrySubmit([] {}));
  EXPECT_EQ(pool.EstimatedWait(), std::chrono::milliseconds(200));  // 4 x 100 ms / 2 threads
  release.set_value();
}

TEST_F(ServerTest, MetricsRecordDeadlineExceededWhenTheHandlerAnswersTooLate) {
  EchoResponse r;
  EXPECT_EQ(Call("slow", 300, &r, std::chrono::milliseconds(50)).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  const std::string handled = "grpc_server_handled_total{grpc_code=";
  std::string page;
  AwaitTrue([&] {  // the handler finishes after the client gave up
    page = HttpGet(server_->metrics_port(), "/metrics");
    return page.find(handled) != std::string::npos;
  });
  EXPECT_NE(page.find("grpc_server_handled_total{grpc_code=\"DEADLINE_EXCEEDED\",grpc_method=\"/"
                      "maillage.testing.v1.EchoService/Echo\"} 1"),
            std::string::npos)
      << page;
  EXPECT_EQ(page.find("grpc_code=\"OK\""), std::string::npos) << page;
}

TEST_F(ServerTest, MetricsCountCallsPerMethodAndCode) {
  EchoResponse resp;
  ASSERT_TRUE(Call("x", 0, &resp).ok());
  ASSERT_TRUE(Call("y", 0, &resp).ok());
  Call("", 0, &resp);
  std::string page = HttpGet(server_->metrics_port(), "/metrics");
  EXPECT_NE(page.find("grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"/"
                      "maillage.testing.v1.EchoService/Echo\"} 2"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("grpc_code=\"INVALID_ARGUMENT\""), std::string::npos);
  EXPECT_NE(page.find("grpc_server_handling_seconds_bucket"), std::string::npos);
}

}  // namespace
}  // namespace maillage
