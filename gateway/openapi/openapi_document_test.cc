#include "gateway/openapi/openapi_document.h"

#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "gateway/openapi/embedded_assets.h"
#include "gateway/openapi/fronted_services.h"

namespace maillage::gateway {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

// Every "$ref" under `j`.
void Refs(const Json& j, std::set<std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "$ref" && it->is_string()) out.insert(it->get<std::string>());
      Refs(*it, out);
    }
  } else if (j.is_array()) {
    for (const Json& e : j) Refs(e, out);
  }
}

Json Served() { return Json::parse(std::string(OpenApiJson())); }

const Json* FindParameter(const Json& op, const std::string& name) {
  for (const Json& p : op["parameters"]) {
    if (p.contains("name") && p["name"] == name) return &p;
  }
  return nullptr;
}

TEST(OpenApiDocumentTest, TheServedDocumentHasAnOperationForEveryRoute) {
  Json doc = Served();
  EXPECT_EQ(doc["openapi"], "3.0.3");
  absl::StatusOr<RouteTable> routes = RouteTable::Build(FrontedServices());
  ASSERT_TRUE(routes.ok());
  ASSERT_GE(routes->routes().size(), 20u);
  std::set<std::string> operation_ids;
  for (const Route& r : routes->routes()) {
    std::string path = r.path.text();
    const std::string verb = absl::AsciiStrToLower(r.http_method);
    ASSERT_TRUE(doc["paths"].contains(path)) << path;
    ASSERT_TRUE(doc["paths"][path].contains(verb)) << verb << " " << path;
    EXPECT_EQ(doc["paths"][path][verb]["operationId"], r.method->name());
    operation_ids.insert(r.method->name());
  }
  EXPECT_TRUE(operation_ids.count("GetNetwork"));
  EXPECT_TRUE(operation_ids.count("ImportOrganisations"));
  // Every fronted service's routes: assessment's, matching's and reporting's beside
  // membership's.
  EXPECT_TRUE(operation_ids.count("CreateCampaign"));
  EXPECT_TRUE(operation_ids.count("CreateDeclaration"));
  EXPECT_TRUE(operation_ids.count("SuggestPartners"));
  EXPECT_TRUE(operation_ids.count("GetEngagement"));
  EXPECT_TRUE(operation_ids.count("GetNetworkGraph"));
  // Methods without a REST rule (the gateway's own) are not in it.
  EXPECT_THAT(std::string(OpenApiJson()), ::testing::Not(HasSubstr("ResolvePrincipal")));
}

TEST(OpenApiDocumentTest, EveryReferenceResolves) {
  Json doc = Served();
  std::set<std::string> refs;
  Refs(doc, refs);
  ASSERT_FALSE(refs.empty());
  for (const std::string& ref : refs) {
    const std::string prefix_schemas = "#/components/schemas/";
    const std::string prefix_params = "#/components/parameters/";
    if (ref.rfind(prefix_schemas, 0) == 0) {
      EXPECT_TRUE(doc["components"]["schemas"].contains(ref.substr(prefix_schemas.size()))) << ref;
    } else if (ref.rfind(prefix_params, 0) == 0) {
      EXPECT_TRUE(doc["components"]["parameters"].contains(ref.substr(prefix_params.size())))
          << ref;
    } else {
      ADD_FAILURE() << "unexpected reference " << ref;
    }
  }
}

TEST(OpenApiDocumentTest, SaysWhatAPartnerNeedsToCallARoute) {
  Json doc = Served();
  // The protos' comments are the descriptions.
  const Json& import = doc["paths"]["/v1/organisations:import"]["post"];
  EXPECT_THAT(import["description"].get<std::string>(), HasSubstr("Bulk import"));
  // The upload is the raw CSV; its options are query parameters by their JSON names.
  EXPECT_TRUE(import["requestBody"]["content"].contains("text/csv"));
  EXPECT_NE(FindParameter(import, "options.networkId"), nullptr);
  EXPECT_NE(FindParameter(import, "options.dryRun"), nullptr);
  EXPECT_EQ(FindParameter(import, "chunk"), nullptr);

  const Json& exported = doc["paths"]["/v1/networks/{network_id}/members:export"]["get"];
  EXPECT_TRUE(exported["responses"]["200"]["content"].contains("text/csv"));
  const Json* network_id = FindParameter(exported, "network_id");
  ASSERT_NE(network_id, nullptr);
  EXPECT_EQ((*network_id)["in"], "path");
  EXPECT_EQ((*network_id)["required"], true);

  // JSON mapping: lowerCamel names, enums by name, 64-bit integers as strings.
  const Json& report = doc["components"]["schemas"]["maillage.membership.v1.ImportReport"];
  EXPECT_EQ(report["properties"]["organisationsCreated"]["type"], "string");
  EXPECT_EQ(report["properties"]["organisationsCreated"]["format"], "int64");
  const Json& kind = doc["components"]["schemas"]["maillage.membership.v1.NetworkKind"];
  EXPECT_THAT(kind["enum"].dump(), HasSubstr("NETWORK_KIND_CLUSTER"));

  // How to get in, and what an error looks like.
  EXPECT_TRUE(doc["components"]["securitySchemes"].contains("bearer"));
  EXPECT_EQ(doc["components"]["securitySchemes"]["apiKey"]["name"], "x-api-key");
  EXPECT_TRUE(import["responses"].contains("default"));
  const Json& create = doc["paths"]["/v1/organisations"]["post"];
  bool idempotency = false;
  for (const Json& p : create["parameters"]) {
    idempotency = idempotency || p.value("$ref", "") == "#/components/parameters/IdempotencyKey";
  }
  EXPECT_TRUE(idempotency);
}

TEST(OpenApiDocumentTest, WithoutCommentsTheShapeIsTheSame) {
  absl::StatusOr<RouteTable> routes = RouteTable::Build(FrontedServices());
  ASSERT_TRUE(routes.ok());
  Json bare = Json::parse(OpenApiDocument(*routes, {}));
  Json served = Served();
  EXPECT_EQ(bare["paths"].size(), served["paths"].size());
  EXPECT_FALSE(bare["paths"]["/v1/organisations:import"]["post"].contains("description"));
}

TEST(OpenApiDocumentTest, TheDocsPageIsServedWithItsScript) {
  std::set<std::string> paths;
  for (const StaticAsset& a : DocsAssets()) {
    paths.insert(std::string(a.path));
    EXPECT_FALSE(a.body.empty()) << a.path;
  }
  EXPECT_TRUE(paths.count("/docs"));
  EXPECT_TRUE(paths.count("/docs/docs.js"));
}

}  // namespace
}  // namespace maillage::gateway
