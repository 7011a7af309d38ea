// The REST front against a real membership service (PostgreSQL and Redis started by the
// harness): routes from the annotations, JSON both ways, errors with their details.
//
// The caller here comes from a fixed table of test credentials: the OIDC authenticator has
// its own tests (gateway/auth), and the whole chain is tested end to end with the gateway
// process.
#include "gateway/rest/rest_gateway.h"

#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/async_generic_service.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "absl/strings/str_cat.h"
#include "common/testing/harness.h"
#include "gateway/rest/streamed_call.h"
#include "services/membership/membership_harness.h"
#include "services/membership/membership_test_data.h"

namespace maillage::gateway {
namespace {

using ::testing::HasSubstr;

// "Bearer admin" is a platform admin; anything else is refused as a real authenticator would.
class TableAuthenticator final : public Authenticator {
 public:
  absl::StatusOr<auth::Principal> Authenticate(const HttpRequest& request) override {
    if (request.Header("authorization") == "Bearer admin") {
      return testing::ServiceHarness::Admin();
    }
    return absl::UnauthenticatedError("bearer token: missing or not valid");
  }
};

class RestGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(h_.Start().ok());
    absl::StatusOr<RouteTable> routes =
        RouteTable::Build({google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            "maillage.membership.v1.MembershipService")});
    ASSERT_TRUE(routes.ok()) << routes.status();
    routes_ = std::make_unique<RouteTable>(*std::move(routes));
    workers_ = std::make_unique<WorkerPool>(2, 64);
    rest_ = std::make_unique<RestGateway>(RestGateway::Options{
        .routes = routes_.get(),
        .backends = {{"maillage.membership.v1.MembershipService",
                      grpc::CreateChannel(h_.address(), grpc::InsecureChannelCredentials())}},
        .authenticator = &authn_,
        .signer = &signer_,
        .workers = workers_.get()});
  }

  // Sends one request through the gateway and waits for its answer.
  HttpResponse Send(std::string method, std::string target, std::string body = "",
                    std::string token = "admin") {
    HttpRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    if (!token.empty()) r.headers.emplace_back("authorization", "Bearer " + token);
    r.headers.emplace_back("x-request-id", "test-request-1");
    std::promise<HttpResponse> done;
    rest_->Handle(std::move(r), [&done](HttpResponse response) { done.set_value(response); });
    return done.get_future().get();
  }

  membership::MembershipHarness h_;
  TableAuthenticator authn_;
  auth::PrincipalSigner signer_{testing::kTestHmacKey};
  std::unique_ptr<RouteTable> routes_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<RestGateway> rest_;
};

std::string Header(const HttpResponse& r, absl::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

// An upload as the HTTP server hands one over: pieces (which may split lines), then the end,
// or `failure` instead of the end.
class Upload final : public BodyStream {
 public:
  explicit Upload(std::vector<std::string> pieces, absl::Status failure = absl::OkStatus())
      : pieces_(std::move(pieces)), failure_(std::move(failure)) {}
  void Next(std::function<void(Piece)> done) override {
    if (next_ < pieces_.size()) return done(pieces_[next_++]);
    if (!failure_.ok()) return done(failure_);
    done(std::string());
  }

 private:
  std::vector<std::string> pieces_;
  absl::Status failure_;
  size_t next_ = 0;
};

// The whole body of a response, its streamed pieces included ("<error>" when it was cut).
std::string WholeBody(const HttpResponse& r) {
  std::string body = r.body;
  for (std::shared_ptr<BodyStream> s = r.body_stream; s != nullptr;) {
    std::promise<BodyStream::Piece> piece;
    s->Next([&piece](BodyStream::Piece p) { piece.set_value(std::move(p)); });
    BodyStream::Piece got = piece.get_future().get();
    if (!got.ok()) return body + "<error>";
    if (got->empty()) break;
    body += *got;
  }
  return body;
}

std::string IdIn(const std::string& json, absl::string_view field) {
  size_t at = json.find(absl::StrCat("\"", field, "\":\""));
  return at == std::string::npos ? "" : json.substr(at + field.size() + 4, 36);
}

TEST_F(RestGatewayTest, CreatesAndReadsAnOrganisationOverJson) {
  HttpResponse created = Send("POST", "/v1/organisations",
                              R"({"organisation": {"legalName": "Atelier Proche",
                                  "kind": "ORGANISATION_KIND_ASSOCIATION"}})");
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(Header(created, "content-type"), "application/json");
  EXPECT_EQ(Header(created, "x-request-id"), "test-request-1");
  EXPECT_THAT(created.body, HasSubstr(R"("legalName":"Atelier Proche")"));
  size_t at = created.body.find(R"("organisationId":")");
  ASSERT_NE(at, std::string::npos);
  std::string id = created.body.substr(at + 18, 36);

  HttpResponse read = Send("GET", "/v1/organisations/" + id);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_THAT(read.body, HasSubstr(id));
  EXPECT_EQ(h_.Count("SELECT count(*) FROM organisations"), 1);
}

TEST_F(RestGatewayTest, ErrorsCarryTheHttpStatusAndTheFieldViolations) {
  HttpResponse bad = Send("POST", "/v1/organisations",
                          R"({"organisation": {"legalName": "Atelier", "kind":
                              "ORGANISATION_KIND_COMPANY", "siren": "123456789",
                              "website": "ftp://atelier.fr"}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr(R"("code":3)"));
  EXPECT_THAT(bad.body, HasSubstr("type.googleapis.com/google.rpc.BadRequest"));
  EXPECT_THAT(bad.body, HasSubstr(R"("field":"organisation.siren")"));
  EXPECT_THAT(bad.body, HasSubstr(R"("field":"organisation.website")"));

  HttpResponse unknown_field = Send("POST", "/v1/organisations", R"({"organisaton": {}})");
  EXPECT_EQ(unknown_field.status, 400);
  EXPECT_THAT(unknown_field.body, HasSubstr("organisaton"));

  HttpResponse missing = Send("GET", "/v1/organisations/6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01");
  EXPECT_EQ(missing.status, 404);

  HttpResponse no_route = Send("GET", "/v1/nothing/here");
  EXPECT_EQ(no_route.status, 404);
  HttpResponse wrong_method = Send("DELETE", "/v1/networks/6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(Header(wrong_method, "allow"), "GET, PATCH");

  HttpResponse anonymous = Send("GET", "/v1/networks", "", "");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(Header(anonymous, "www-authenticate"), "Bearer");
}

TEST_F(RestGatewayTest, AStreamedCsvImportThenAStreamedExportOverRest) {
  HttpResponse animator = Send("POST", "/v1/organisations",
                               R"({"organisation": {"legalName": "Agence Animatrice",
                                   "kind": "ORGANISATION_KIND_ASSOCIATION"}})");
  ASSERT_EQ(animator.status, 200) << animator.body;
  HttpResponse network =
      Send("POST", "/v1/networks",
           absl::StrCat(R"({"network": {"name": "Cluster Export", "kind": "NETWORK_KIND_CLUSTER",
                   "admissionPolicy": "ADMISSION_POLICY_OPEN", "charter": {"text": "Charte"},
                   "animatingOrganisationId": ")",
                        IdIn(animator.body, "organisationId"), R"("}})"));
  ASSERT_EQ(network.status, 200) << network.body;
  const std::string network_id = IdIn(network.body, "networkId");
  const std::string s1 = membership::TestSiren("73", 1), s2 = membership::TestSiren("73", 2);

  // The file in pieces that cut a line in two, the options in the query.
  HttpRequest r;
  r.method = "POST";
  r.target = "/v1/organisations:import?options.networkId=" + network_id;
  r.headers.emplace_back("authorization", "Bearer admin");
  r.body_stream = std::make_shared<Upload>(std::vector<std::string>{
      "siren,legal_name,kind\n" + s1 + ",Atelier Un,company\n" + s2 + ",Atel",
      "ier Deux,association\n"});
  EXPECT_TRUE(rest_->StreamsBody(r));
  std::promise<HttpResponse> done;
  rest_->Handle(std::move(r), [&done](HttpResponse response) { done.set_value(response); });
  HttpResponse report = done.get_future().get();
  ASSERT_EQ(report.status, 200) << report.body;
  EXPECT_EQ(Header(report, "content-type"), "application/json");
  EXPECT_THAT(report.body, HasSubstr(R"("rowsRead":"2")"));
  EXPECT_THAT(report.body, HasSubstr(R"("organisationsCreated":"2")"));
  EXPECT_THAT(report.body, HasSubstr(R"("membershipsCreated":"2")"));
  EXPECT_EQ(h_.Count("SELECT count(*) FROM organisations"), 3);

  HttpResponse exported = Send("GET", "/v1/networks/" + network_id + "/members:export");
  ASSERT_EQ(exported.status, 200) << exported.body;
  EXPECT_EQ(Header(exported, "content-type"), "text/csv; charset=utf-8");
  std::string csv = WholeBody(exported);
  EXPECT_THAT(csv, ::testing::StartsWith("membership_id,siren,legal_name,"));
  EXPECT_THAT(csv, HasSubstr(s1 + ",Atelier Un,"));
  EXPECT_THAT(csv, HasSubstr(s2 + ",Atelier Deux,"));
}

// A client that leaves after the first piece of a download: the backend call is stopped and
// released (under ASan, LeakSanitizer would report a call kept alive), and the gateway goes
// on serving.
TEST_F(RestGatewayTest, ADownloadLeftHalfReadIsStoppedAndReleased) {
  HttpResponse animator = Send("POST", "/v1/organisations",
                               R"({"organisation": {"legalName": "Agence",
                                   "kind": "ORGANISATION_KIND_ASSOCIATION"}})");
  ASSERT_EQ(animator.status, 200) << animator.body;
  HttpResponse network =
      Send("POST", "/v1/networks",
           absl::StrCat(R"({"network": {"name": "Cluster", "kind": "NETWORK_KIND_CLUSTER",
                   "admissionPolicy": "ADMISSION_POLICY_OPEN", "charter": {"text": "Charte"},
                   "animatingOrganisationId": ")",
                        IdIn(animator.body, "organisationId"), R"("}})"));
  ASSERT_EQ(network.status, 200) << network.body;
  for (int i = 0; i < 3; ++i) {
    HttpResponse exported =
        Send("GET", "/v1/networks/" + IdIn(network.body, "networkId") + "/members:export");
    ASSERT_EQ(exported.status, 200) << exported.body;
    ASSERT_NE(exported.body_stream, nullptr);
    exported.body_stream->Cancel();  // the client went away; then the response is dropped
  }
  // Every one of them ends and is released.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (StreamedCallsAlive() > 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(StreamedCallsAlive(), 0);
  EXPECT_EQ(Send("GET", "/v1/networks/" + IdIn(network.body, "networkId")).status, 200);
}

TEST_F(RestGatewayTest, StreamedRoutesRefuseBeforeStreamingAndAnUploadCutShortWritesNothing) {
  // Refusals come as JSON errors with their status, not as a cut stream.
  HttpResponse missing =
      Send("GET", "/v1/networks/6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01/members:export");
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(missing.body_stream, nullptr);
  HttpResponse anonymous =
      Send("GET", "/v1/networks/6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01/members:export", "", "");
  EXPECT_EQ(anonymous.status, 401);
  HttpResponse bad_option =
      Send("POST", "/v1/organisations:import?options.batchSize=5000", "siren,legal_name,kind\n");
  EXPECT_EQ(bad_option.status, 400) << bad_option.body;
  EXPECT_THAT(bad_option.body, HasSubstr("options.batch_size"));
  HttpResponse unknown = Send("POST", "/v1/organisations:import?options.dryrun=true", "");
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_THAT(unknown.body, HasSubstr("options.dryrun"));

  // The client's body stops half-way (too big, or the client went away): 413, no row kept.
  HttpRequest r;
  r.method = "POST";
  r.target = "/v1/organisations:import";
  r.headers.emplace_back("authorization", "Bearer admin");
  r.body_stream = std::make_shared<Upload>(
      std::vector<std::string>{"siren,legal_name,kind\n" + membership::TestSiren("74", 1) +
                               ",Atelier,company\n"},
      absl::ResourceExhaustedError("request body over 100 bytes"));
  std::promise<HttpResponse> done;
  rest_->Handle(std::move(r), [&done](HttpResponse response) { done.set_value(response); });
  HttpResponse cut = done.get_future().get();
  EXPECT_EQ(cut.status, 413) << cut.body;
  EXPECT_THAT(cut.body, HasSubstr("request body over 100 bytes"));
  EXPECT_EQ(h_.Count("SELECT count(*) FROM organisations"), 0);
}

TEST_F(RestGatewayTest, ABackendThatIsDownAnswers503) {
  RestGateway down(
      {.routes = routes_.get(),
       .backends = {{"maillage.membership.v1.MembershipService",
                     grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials())}},
       .authenticator = &authn_,
       .signer = &signer_,
       .workers = workers_.get(),
       .timeouts = *CallTimeouts::Parse({.unary = absl::Seconds(5)}, {})});
  HttpRequest r;
  r.method = "GET";
  r.target = "/v1/networks";
  r.headers.emplace_back("authorization", "Bearer admin");
  std::promise<HttpResponse> done;
  down.Handle(std::move(r), [&done](HttpResponse response) { done.set_value(response); });
  HttpResponse response = done.get_future().get();
  EXPECT_EQ(response.status, 503) << response.body;
}

// A backend restarting: the first call it gets is UNAVAILABLE, the next ones are answered
// (an empty message of any type parses as the response).
class FlakyBackend final : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext*) override {
    class Reactor final : public grpc::ServerGenericBidiReactor {
     public:
      explicit Reactor(bool fail) : fail_(fail) { StartRead(&request_); }
      void OnReadDone(bool) override {
        if (fail_) return Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting"));
        grpc::Slice empty("");
        response_ = grpc::ByteBuffer(&empty, 1);
        StartWriteAndFinish(&response_, {}, grpc::Status::OK);
      }
      void OnDone() override { delete this; }

     private:
      const bool fail_;
      grpc::ByteBuffer request_, response_;
    };
    return new Reactor(calls.fetch_add(1) == 0);
  }
  std::atomic<int> calls{0};
};

TEST_F(RestGatewayTest, AReadIsTriedOnceMoreWhenTheBackendIsRestartingAWriteIsNot) {
  FlakyBackend backend;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterCallbackGenericService(&backend);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(port, 0);
  RestGateway flaky({.routes = routes_.get(),
                     .backends = {{"maillage.membership.v1.MembershipService",
                                   grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                                       grpc::InsecureChannelCredentials())}},
                     .authenticator = &authn_,
                     .signer = &signer_,
                     .workers = workers_.get()});
  auto send = [&](const std::string& method, const std::string& target, const std::string& body) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.headers.emplace_back("authorization", "Bearer admin");
    std::promise<HttpResponse> done;
    flaky.Handle(std::move(r), [&done](HttpResponse response) { done.set_value(response); });
    return done.get_future().get();
  };
  HttpResponse read = send("GET", "/v1/networks", "");
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(backend.calls.load(), 2);

  backend.calls = 0;  // restarting again
  HttpResponse write =
      send("POST", "/v1/people", R"({"person":{"givenName":"Léa","familyName":"Roux"}})");
  EXPECT_EQ(write.status, 503);
  EXPECT_EQ(backend.calls.load(), 1);  // a write may have happened: never sent twice
  server->Shutdown();
}

}  // namespace
}  // namespace maillage::gateway
