#include "common/server/request_parsing.h"

#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/server/server.h"
#include "maillage/testing/v1/echo.grpc.pb.h"

namespace maillage {
namespace {

using maillage::testing::v1::EchoRequest;
using maillage::testing::v1::EchoResponse;
using maillage::testing::v1::EchoService;

class CountingEcho final : public EchoService::CallbackService {
 public:
  explicit CountingEcho(bool check_parsing) {
    if (check_parsing) CheckRequestParsing(this, &CountingEcho::Echo);
  }
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const EchoRequest* req,
                                 EchoResponse* resp) override {
    ++calls;
    resp->set_message(req->message());
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  std::atomic<int> calls{0};
};

class RequestParsingTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    echo_ = std::make_unique<CountingEcho>(GetParam());
    auto server =
        Server::Start({.grpc_address = "127.0.0.1:0", .metrics_address = ""}, {echo_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
  }
  void TearDown() override { server_->Shutdown(absl::ZeroDuration()); }

  // Sends `bytes` as the body of Echo, as a client of another language or a fuzzer could.
  grpc::Status SendRaw(const std::string& bytes, std::string* reply = nullptr) {
    grpc::GenericStub stub(channel_);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, "/maillage.testing.v1.EchoService/Echo", grpc::StubOptions(), &request,
                   &response, [&done](grpc::Status s) { done.set_value(std::move(s)); });
    grpc::Status s = done.get_future().get();
    if (s.ok() && reply != nullptr) {
      EchoResponse r;
      std::vector<grpc::Slice> slices;
      (void)response.Dump(&slices);
      std::string out;
      for (const grpc::Slice& sl : slices) out.append(sl.begin(), sl.end());
      EXPECT_TRUE(r.ParseFromString(out));
      *reply = r.message();
    }
    return s;
  }

  std::unique_ptr<CountingEcho> echo_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

// A string field holding bytes that are not UTF-8, and bytes that are no protobuf at all.
const std::string kNotUtf8("\x0a\x02\xff\xfe", 4);
const std::string kNotProtobuf("\xff\xff\xff\xff", 4);

TEST_P(RequestParsingTest, UnparsableRequestsAreInvalidArgumentWhenChecked) {
  bool checked = GetParam();
  for (const std::string& body : {kNotUtf8, kNotProtobuf}) {
    grpc::Status s = SendRaw(body);
    if (checked) {
      EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
      EXPECT_EQ(s.error_message(),
                "request: not a valid maillage.testing.v1.EchoRequest (a string field is not "
                "UTF-8, or the bytes are not protobuf)");
    } else {
      // What gRPC does by itself, and why CheckRequestParsing exists.
      EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED);
      EXPECT_EQ(s.error_message(), "");
    }
  }
  EXPECT_EQ(echo_->calls.load(), 0) << "the handler saw an unparsable request";

  // Well-formed requests, accents included, are served as before.
  EchoRequest ok;
  ok.set_message("Coopérative d'activité");
  std::string reply;
  EXPECT_TRUE(SendRaw(ok.SerializeAsString(), &reply).ok());
  EXPECT_EQ(reply, "Coopérative d'activité");
  EXPECT_EQ(echo_->calls.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(CheckedOrNot, RequestParsingTest, ::testing::Bool());

}  // namespace
}  // namespace maillage
