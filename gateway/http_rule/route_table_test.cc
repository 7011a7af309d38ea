#include "gateway/http_rule/route_table.h"

#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <gtest/gtest.h>

#include "google/api/annotations.pb.h"
#include "maillage/membership/v1/membership.grpc.pb.h"

namespace maillage::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace v1 = ::maillage::membership::v1;

RouteTable Membership() {
  absl::StatusOr<RouteTable> t =
      RouteTable::Build({google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          "maillage.membership.v1.MembershipService")});
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : RouteTable();
}

TEST(RouteTableTest, EveryAnnotatedMethodOfMembershipHasItsRoute) {
  RouteTable table = Membership();
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          "maillage.membership.v1.MembershipService");
  int annotated = 0;
  for (int i = 0; i < service->method_count(); ++i) {
    const google::protobuf::MethodDescriptor* m = service->method(i);
    if (!m->options().HasExtension(google::api::http)) continue;
    ++annotated;
    bool found = false;
    for (const Route& r : table.routes()) found = found || r.method == m;
    EXPECT_TRUE(found) << m->full_name();
  }
  EXPECT_GE(annotated, 22);
}

TEST(RouteTableTest, StreamingMethodsMapToAnUploadAndADownload) {
  RouteTable table = Membership();
  RouteTable::Lookup import = table.Find("POST", "/v1/organisations:import");
  ASSERT_NE(import.route, nullptr);
  EXPECT_TRUE(import.route->client_streaming);
  EXPECT_EQ(import.route->body_field->name(), "chunk");  // the raw CSV

  RouteTable::Lookup export_ = table.Find("GET", "/v1/networks/n1/members:export");
  ASSERT_NE(export_.route, nullptr);
  EXPECT_TRUE(export_.route->server_streaming);
  EXPECT_EQ(export_.route->response_field->name(), "data");
  ASSERT_NE(export_.route->content_type_field, nullptr);
  EXPECT_EQ(export_.route->content_type_field->name(), "content_type");
}

TEST(RouteTableTest, FindsTheMethodAndItsBindings) {
  RouteTable table = Membership();
  RouteTable::Lookup get = table.Find("GET", "/v1/networks/n1");
  ASSERT_NE(get.route, nullptr);
  EXPECT_EQ(get.route->grpc_path, "/maillage.membership.v1.MembershipService/GetNetwork");
  EXPECT_EQ(get.bindings, (PathTemplate::Bindings{{"network_id", "n1"}}));

  RouteTable::Lookup approve = table.Find("POST", "/v1/memberships/m1:approve");
  ASSERT_NE(approve.route, nullptr);
  EXPECT_EQ(approve.route->method->name(), "ApproveMembership");
  EXPECT_TRUE(approve.route->body_is_request);

  RouteTable::Lookup update = table.Find("PATCH", "/v1/networks/n1");
  ASSERT_NE(update.route, nullptr);
  EXPECT_EQ(update.route->body_field->name(), "network");
  EXPECT_EQ(update.bindings, (PathTemplate::Bindings{{"network.network_id", "n1"}}));
}

TEST(RouteTableTest, WrongMethodListsTheAllowedOnesAndUnknownPathsNone) {
  RouteTable table = Membership();
  RouteTable::Lookup wrong = table.Find("DELETE", "/v1/networks/n1");
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_THAT(wrong.allowed_methods, ElementsAre("GET", "PATCH"));
  RouteTable::Lookup none = table.Find("GET", "/v2/nothing");
  EXPECT_EQ(none.route, nullptr);
  EXPECT_TRUE(none.allowed_methods.empty());
}

// A rule naming a field the request does not have stops the start, naming the method.
// A service "bad.Bad" with one method Get(Req) returns (Req), Req {string id; bytes data},
// the method given `rule` and the streaming shape.
absl::StatusOr<RouteTable> BuildBad(const google::api::HttpRule& rule, bool client_streaming,
                                    google::protobuf::DescriptorPool& pool) {
  google::protobuf::FileDescriptorProto file;
  file.set_name("bad.proto");
  file.set_package("bad");
  file.set_syntax("proto3");
  file.add_dependency("google/api/annotations.proto");
  google::protobuf::DescriptorProto* req = file.add_message_type();
  req->set_name("Req");
  auto* id = req->add_field();
  id->set_name("id");
  id->set_number(1);
  id->set_type(google::protobuf::FieldDescriptorProto::TYPE_STRING);
  id->set_label(google::protobuf::FieldDescriptorProto::LABEL_OPTIONAL);
  auto* data = req->add_field();
  data->set_name("data");
  data->set_number(2);
  data->set_type(google::protobuf::FieldDescriptorProto::TYPE_BYTES);
  data->set_label(google::protobuf::FieldDescriptorProto::LABEL_OPTIONAL);
  auto* method = file.add_service()->add_method();
  file.mutable_service(0)->set_name("Bad");
  method->set_name("Get");
  method->set_input_type(".bad.Req");
  method->set_output_type(".bad.Req");
  method->set_client_streaming(client_streaming);
  *method->mutable_options()->MutableExtension(google::api::http) = rule;
  const google::protobuf::FileDescriptor* built = pool.BuildFile(file);
  if (built == nullptr) return absl::InternalError("test descriptor does not build");
  return RouteTable::Build({built->service(0)});
}

TEST(RouteTableTest, AnUploadMustNameABytesBody) {
  google::api::HttpRule rule;
  rule.set_post("/v1/things");
  rule.set_body("id");  // a string, not bytes
  google::protobuf::DescriptorPool pool(google::protobuf::DescriptorPool::generated_pool());
  absl::StatusOr<RouteTable> t = BuildBad(rule, /*client_streaming=*/true, pool);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("bad.Bad.Get"));

  rule.set_body("data");
  google::protobuf::DescriptorPool pool2(google::protobuf::DescriptorPool::generated_pool());
  EXPECT_TRUE(BuildBad(rule, /*client_streaming=*/true, pool2).ok());
}

TEST(RouteTableTest, BadRulesAreRefusedAtStart) {
  google::api::HttpRule rule;
  rule.set_get("/v1/things/{missing}");
  // A pool that falls back to the generated one for google/api/annotations.proto.
  google::protobuf::DescriptorPool pool(google::protobuf::DescriptorPool::generated_pool());
  absl::StatusOr<RouteTable> t = BuildBad(rule, /*client_streaming=*/false, pool);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("bad.Bad.Get"));
  EXPECT_THAT(t.status().message(), HasSubstr("missing"));
}

}  // namespace
}  // namespace maillage::gateway
