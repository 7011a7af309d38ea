#include "common/server/server.h"

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/server/unary.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "maillage/testing/v1/echo.grpc.pb.h"

namespace maillage {
namespace {

using maillage::testing::v1::EchoRequest;
using maillage::testing::v1::EchoResponse;
using maillage::testing::v1::EchoService;

class SleepyEcho final : public EchoService::CallbackService {
 public:
  explicit SleepyEcho(WorkerPool* pool) : pool_(pool) {}
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const EchoRequest* req,
                                 EchoResponse* resp) override {
    return RunUnary(ctx, *pool_, [req, resp] {
      std::this_thread::sleep_for(std::chrono::milliseconds(req->sleep_ms()));
      if (req->message().empty()) return absl::InvalidArgumentError("message: required");
      resp->set_message(req->message());
      return absl::OkStatus();
    });
  }

 private:
  WorkerPool* pool_;
};

std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  std::string req = absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: localhost\r\n\r\n");
  (void)!write(fd, req.data(), req.size());
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;) out.append(buf, n);
  close(fd);
  return out;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options{.grpc_address = "127.0.0.1:0",
                          .metrics_address = "127.0.0.1:0",
                          .health_service_names = {"maillage.testing.v1.EchoService"}};
    auto server = Server::Start(options, {&service_});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
  }

  grpc::Status Call(const std::string& message, int sleep_ms, EchoResponse* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
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
