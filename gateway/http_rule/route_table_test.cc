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

TEST(RouteTableTest, EveryAnnotatedUnaryMethodOfMembershipHasItsRoute) {
  RouteTable table = Membership();
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          "maillage.membership.v1.MembershipService");
  int unary_annotated = 0;
  for (int i = 0; i < service->method_count(); ++i) {
    const google::protobuf::MethodDescriptor* m = service->method(i);
    if (m->client_streaming() || m->server_streaming()) continue;
    if (!m->options().HasExtension(google::api::http)) continue;
    ++unary_annotated;
    bool found = false;
    for (const Route& r : table.routes()) found = found || r.method == m;
    EXPECT_TRUE(found) << m->full_name();
  }
  EXPECT_GE(unary_annotated, 20);
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
TEST(RouteTableTest, BadRulesAreRefusedAtStart) {
  google::protobuf::FileDescriptorProto file;
  file.set_name("bad.proto");
  file.set_package("bad");
  file.set_syntax("proto3");
  file.add_dependency("google/api/annotations.proto");
  google::protobuf::DescriptorProto* req = file.add_message_type();
  req->set_name("Req");
  auto* field = req->add_field();
  field->set_name("id");
  field->set_number(1);
  field->set_type(google::protobuf::FieldDescriptorProto::TYPE_STRING);
  field->set_label(google::protobuf::FieldDescriptorProto::LABEL_OPTIONAL);
  google::protobuf::ServiceDescriptorProto* service = file.add_service();
  service->set_name("Bad");
  auto* method = service->add_method();
  method->set_name("Get");
  method->set_input_type(".bad.Req");
  method->set_output_type(".bad.Req");
  google::api::HttpRule rule;
  rule.set_get("/v1/things/{missing}");
  *method->mutable_options()->MutableExtension(google::api::http) = rule;

  // A pool that falls back to the generated one for google/api/annotations.proto.
  google::protobuf::DescriptorPool pool(google::protobuf::DescriptorPool::generated_pool());
  const google::protobuf::FileDescriptor* built = pool.BuildFile(file);
  ASSERT_NE(built, nullptr);
  absl::StatusOr<RouteTable> t = RouteTable::Build({built->service(0)});
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("bad.Bad.Get"));
  EXPECT_THAT(t.status().message(), HasSubstr("missing"));
}

}  // namespace
}  // namespace maillage::gateway
