#include "gateway/http_rule/transcoder.h"

#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include "maillage/membership/v1/membership.grpc.pb.h"

namespace maillage::gateway {
namespace {

using ::testing::HasSubstr;
namespace v1 = ::maillage::membership::v1;

class TranscoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<RouteTable> t =
        RouteTable::Build({google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            "maillage.membership.v1.MembershipService")});
    ASSERT_TRUE(t.ok()) << t.status();
    table_ = std::move(*t);
  }
  // Builds the request of `method path?query` with `body` into `out`.
  absl::Status Build(absl::string_view method, absl::string_view target, absl::string_view body,
                     google::protobuf::Message* out) {
    absl::string_view path = target, query;
    if (size_t q = target.find('?'); q != absl::string_view::npos) {
      path = target.substr(0, q);
      query = target.substr(q + 1);
    }
    RouteTable::Lookup found = table_.Find(method, path);
    if (found.route == nullptr) return absl::NotFoundError("no route");
    EXPECT_EQ(found.route->method->input_type(), out->GetDescriptor());
    return BuildRequest(*found.route, found.bindings, query, body, out);
  }
  RouteTable table_;
};

TEST_F(TranscoderTest, QueryParametersFillNestedRepeatedAndEnumFieldsInEitherSpelling) {
  v1::ListMembershipsRequest req;
  ASSERT_TRUE(Build("GET",
                    "/v1/memberships?networkId=n1&page.page_size=20&page.pageToken=abc%2Bd"
                    "&state=MEMBERSHIP_STATE_ACTIVE&charter_signature_required=true",
                    "", &req)
                  .ok());
  EXPECT_EQ(req.network_id(), "n1");
  EXPECT_EQ(req.page().page_size(), 20);
  EXPECT_EQ(req.page().page_token(), "abc+d");
  EXPECT_EQ(req.state(), v1::MEMBERSHIP_STATE_ACTIVE);
  EXPECT_TRUE(req.charter_signature_required());
}

TEST_F(TranscoderTest, BodyAndPathFillTheRequestThePathWinning) {
  v1::UpdateNetworkRequest req;
  ASSERT_TRUE(Build("PATCH", "/v1/networks/n1",
                    R"({"networkId": "other", "name": "Réseau", "version": "3"})", &req)
                  .ok());
  EXPECT_EQ(req.network().network_id(), "n1");
  EXPECT_EQ(req.network().name(), "Réseau");
  EXPECT_EQ(req.network().version(), 3);

  v1::CreateNetworkRequest create;
  ASSERT_TRUE(Build("POST", "/v1/networks",
                    R"({"network": {"name": "Cluster"}, "idempotency_key": "k1"})", &create)
                  .ok());
  EXPECT_EQ(create.network().name(), "Cluster");
  EXPECT_EQ(create.idempotency_key(), "k1");
}

TEST_F(TranscoderTest, BadInputIsRefusedNamingTheProblem) {
  v1::ListMembershipsRequest list;
  auto message = [&](absl::string_view method, absl::string_view target, absl::string_view body,
                     google::protobuf::Message* out) {
    absl::Status s = Build(method, target, body, out);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << target << " " << s;
    return std::string(s.message());
  };
  EXPECT_THAT(message("GET", "/v1/memberships?nope=1", "", &list),
              HasSubstr("query parameter nope: no such field"));
  EXPECT_THAT(message("GET", "/v1/memberships?page.pageSize=big", "", &list),
              HasSubstr("query parameter page.pageSize: not a 32-bit integer"));
  EXPECT_THAT(message("GET", "/v1/memberships?page.pageSize=99999999999", "", &list),
              HasSubstr("not a 32-bit integer"));
  EXPECT_THAT(message("GET", "/v1/memberships?state=MEMBERSHIP_STATE_NONSENSE", "", &list),
              HasSubstr("not a value of MembershipState"));
  EXPECT_THAT(message("GET", "/v1/memberships?page=1", "", &list),
              HasSubstr("name a field inside it"));
  EXPECT_THAT(message("GET", "/v1/memberships?networkId=%ZZ", "", &list),
              HasSubstr("bad percent-encoding"));
  EXPECT_THAT(message("GET", "/v1/memberships?networkId=%C3", "", &list),
              HasSubstr("invalid UTF-8"));
  EXPECT_THAT(message("GET", "/v1/memberships", "{}", &list), HasSubstr("takes no body"));

  v1::GetNetworkRequest get;
  EXPECT_THAT(message("GET", "/v1/networks/n1?network_id=n2", "", &get),
              HasSubstr("already given by the path"));

  v1::CreateNetworkRequest create;
  EXPECT_THAT(message("POST", "/v1/networks", R"({"netwrok": {}})", &create), HasSubstr("body"));
  EXPECT_THAT(message("POST", "/v1/networks", R"({"network": {"kind": "NOT_A_KIND"}})", &create),
              HasSubstr("body"));
  EXPECT_THAT(message("POST", "/v1/networks", R"({"network": )", &create), HasSubstr("body"));
  EXPECT_THAT(message("POST", "/v1/networks?idempotency_key=k", "{}", &create),
              HasSubstr("every field from the body"));
  std::string deep(40, '[');
  EXPECT_THAT(message("POST", "/v1/networks", deep, &create), HasSubstr("nested deeper"));
  std::string many = "/v1/memberships?";
  for (size_t i = 0; i <= kMaxQueryParameters; ++i) many += "networkId=n&";
  EXPECT_THAT(message("GET", many, "", &list), HasSubstr("more than 100 parameters"));
}

TEST_F(TranscoderTest, ResponsesUseTheJsonMappingWithEveryField) {
  RouteTable::Lookup found = table_.Find("GET", "/v1/networks/n1");
  ASSERT_NE(found.route, nullptr);
  v1::Network network;
  network.set_network_id("n1");
  network.set_kind(v1::NETWORK_KIND_CLUSTER);
  network.set_version(7);
  absl::StatusOr<std::string> json = ResponseJson(*found.route, network);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, HasSubstr(R"("networkId":"n1")"));
  EXPECT_THAT(*json, HasSubstr(R"("kind":"NETWORK_KIND_CLUSTER")"));
  EXPECT_THAT(*json, HasSubstr(R"("version":"7")"));     // 64-bit integers as strings
  EXPECT_THAT(*json, HasSubstr(R"("description":"")"));  // defaults are written too
}

}  // namespace
}  // namespace maillage::gateway
