// ServiceClient between two in-process services: a front service that calls a back one on
// behalf of its own caller, as assessment will call membership.
#include "common/client/client.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/server/server.h"
#include "common/server/unary.h"
#include "common/server/worker_pool.h"
#include "maillage/testing/v1/echo.grpc.pb.h"

namespace maillage {
namespace {

using ::maillage::testing::v1::EchoRequest;
using ::maillage::testing::v1::EchoResponse;
using ::maillage::testing::v1::EchoService;

constexpr char kKey[] = "client-test-key-client-test-key-0123";
constexpr char kBackAudience[] = "back-deployment";

// Answers with what it verified of its caller: "subject|organisation|network:role,...", and
// the microseconds left before its deadline when the call arrived.
class Back final : public EchoService::CallbackService {
 public:
  explicit Back(WorkerPool* pool) : pool_(pool) {}
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const EchoRequest*,
                                 EchoResponse* resp) override {
    return RunUnary(ctx, *pool_, [this, ctx, resp]() -> absl::Status {
      absl::StatusOr<auth::Principal> who = verifier_.Verify(*ctx, absl::Now());
      if (!who.ok()) return who.status();
      std::vector<std::string> grants;
      for (const auto& g : who->grants()) {
        grants.push_back(absl::StrCat(g.network_id(), ":", g.role()));
      }
      absl::Duration left = absl::FromChrono(ctx->deadline()) - absl::Now();
      resp->set_message(absl::StrCat(who->subject(), "|", who->organisation_id(), "|",
                                     absl::StrJoin(grants, ","), "|",
                                     absl::ToInt64Microseconds(left)));
      return absl::OkStatus();
    });
  }

 private:
  WorkerPool* pool_;
  auth::PrincipalVerifier verifier_{kKey, {.audience = kBackAudience}};
};

// Calls Back through `client` as its own (verified) caller, passing its context along.
class Front final : public EchoService::CallbackService {
 public:
  Front(WorkerPool* pool, const ServiceClient* client) : pool_(pool), client_(client) {}
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const EchoRequest* req,
                                 EchoResponse* resp) override {
    return RunUnary(ctx, *pool_, [this, ctx, req, resp]() -> absl::Status {
      absl::StatusOr<auth::Principal> who = verifier_.Verify(*ctx, absl::Now());
      if (!who.ok()) return who.status();
      auto stub = EchoService::NewStub(client_->channel());
      return client_->Call(stub.get(), &EchoService::Stub::Echo, *who, *req, resp, ctx);
    });
  }

 private:
  WorkerPool* pool_;
  const ServiceClient* client_;
  auth::PrincipalVerifier verifier_{kKey};
};

class ServiceClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto back = Server::Start({.grpc_address = "127.0.0.1:0",
                               .metrics_address = "",
                               .health_service_names = {},
                               .worker_pools = {&back_pool_}},
                              {&back_});
    ASSERT_TRUE(back.ok()) << back.status();
    back_server_ = std::move(*back);
    auto client =
        ServiceClient::Create({.address = absl::StrCat("127.0.0.1:", back_server_->port()),
                               .deadline = absl::Minutes(10),
                               .hmac_key = kKey,
                               .audience = kBackAudience});
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = std::make_unique<ServiceClient>(*std::move(client));
    front_ = std::make_unique<Front>(&front_pool_, client_.get());
    auto front = Server::Start({.grpc_address = "127.0.0.1:0",
                                .metrics_address = "",
                                .health_service_names = {},
                                .worker_pools = {&front_pool_}},
                               {front_.get()});
    ASSERT_TRUE(front.ok()) << front.status();
    front_server_ = std::move(*front);
  }

  // Calls Front as `who`, signed for the default audience, within `deadline`.
  grpc::Status CallFront(const auth::Principal& who, absl::Duration deadline, EchoResponse* resp) {
    auto stub = EchoService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", front_server_->port()), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    auth::PrincipalSigner(kKey).Attach(auth::Stamp(who, absl::Now(), absl::Minutes(5)), &ctx);
    return stub->Echo(&ctx, EchoRequest(), resp);
  }

  WorkerPool back_pool_{2, 16};
  WorkerPool front_pool_{2, 16};
  Back back_{&back_pool_};
  std::unique_ptr<Server> back_server_;
  std::unique_ptr<ServiceClient> client_;
  std::unique_ptr<Front> front_;
  std::unique_ptr<Server> front_server_;
};

TEST_F(ServiceClientTest, TheCalleeSeesTheCallersSubjectOrganisationAndRoles) {
  auth::Principal who;
  who.set_subject("person-42");
  who.set_organisation_id("org-7");
  auth::v1::NetworkGrant* g = who.add_grants();
  g->set_network_id("net-1");
  g->set_role(auth::v1::NETWORK_ROLE_ANIMATOR);
  EchoResponse resp;
  grpc::Status s = CallFront(who, absl::Seconds(30), &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::vector<std::string> parts = absl::StrSplit(resp.message(), '|');
  ASSERT_EQ(parts.size(), 4u) << resp.message();
  EXPECT_EQ(parts[0], "person-42");
  EXPECT_EQ(parts[1], "org-7");
  EXPECT_EQ(parts[2], absl::StrCat("net-1:", auth::v1::NETWORK_ROLE_ANIMATOR));
}

TEST_F(ServiceClientTest, TheCallersDeadlineCapsTheClientsOwn) {
  EchoResponse resp;
  // The client allows 10 minutes; Front's caller only 30 seconds.
  auth::Principal who;
  who.set_subject("person-42");
  grpc::Status s = CallFront(who, absl::Seconds(30), &resp);
  ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  std::vector<std::string> parts = absl::StrSplit(resp.message(), '|');
  ASSERT_EQ(parts.size(), 4u) << resp.message();
  int64_t left_us = 0;
  ASSERT_TRUE(absl::SimpleAtoi(parts[3], &left_us)) << parts[3];
  EXPECT_LE(left_us, absl::ToInt64Microseconds(absl::Seconds(30)));
}

TEST(ServiceClientCreateTest, RefusesBadOptionsNamingTheField) {
  EXPECT_THAT(
      std::string(ServiceClient::Create({.address = "", .hmac_key = kKey}).status().message()),
      ::testing::StartsWith("address: "));
  EXPECT_THAT(std::string(ServiceClient::Create({.address = "127.0.0.1:1",
                                                 .deadline = absl::ZeroDuration(),
                                                 .hmac_key = kKey})
                              .status()
                              .message()),
              ::testing::StartsWith("deadline: "));
}

}  // namespace
}  // namespace maillage
