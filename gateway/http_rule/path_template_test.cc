#include "gateway/http_rule/path_template.h"

#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

namespace maillage::gateway {
namespace {

using Bindings = PathTemplate::Bindings;
using ::testing::HasSubstr;

PathTemplate T(absl::string_view text) {
  absl::StatusOr<PathTemplate> t = PathTemplate::Parse(text);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status();
  return t.ok() ? *t : PathTemplate();
}

TEST(PathTemplateTest, BindsSimpleAndNestedVariables) {
  EXPECT_EQ(T("/v1/networks/{network_id}").Match("/v1/networks/n-1"),
            (Bindings{{"network_id", "n-1"}}));
  EXPECT_EQ(T("/v1/organisations/{organisation.organisation_id}").Match("/v1/organisations/o1"),
            (Bindings{{"organisation.organisation_id", "o1"}}));
  EXPECT_EQ(T("/v1/organisations").Match("/v1/organisations"), Bindings{});
}

TEST(PathTemplateTest, VariablesWithSegmentsAndDeepWildcards) {
  PathTemplate named = T("/v1/{name=networks/*/memberships/*}");
  EXPECT_EQ(named.Match("/v1/networks/n1/memberships/m2"),
            (Bindings{{"name", "networks/n1/memberships/m2"}}));
  EXPECT_EQ(named.Match("/v1/networks/n1/people/m2"), std::nullopt);
  PathTemplate deep = T("/v1/files/{path=**}");
  EXPECT_EQ(deep.Match("/v1/files/a/b/c"), (Bindings{{"path", "a/b/c"}}));
  EXPECT_EQ(deep.Match("/v1/files"), (Bindings{{"path", ""}}));
  EXPECT_EQ(T("/v1/*/x").Match("/v1/anything/x"), Bindings{});
}

TEST(PathTemplateTest, VerbsAreMatchedAfterTheLastSegment) {
  PathTemplate approve = T("/v1/memberships/{membership_id}:approve");
  EXPECT_EQ(approve.Match("/v1/memberships/m1:approve"), (Bindings{{"membership_id", "m1"}}));
  EXPECT_EQ(approve.Match("/v1/memberships/m1:reject"), std::nullopt);
  EXPECT_EQ(approve.Match("/v1/memberships/m1"), std::nullopt);
  EXPECT_EQ(T("/v1/organisations:import").Match("/v1/organisations:import"), Bindings{});
  EXPECT_GT(approve.literal_count(), T("/v1/memberships/{membership_id}").literal_count());
}

TEST(PathTemplateTest, PercentDecodingKeepsSlashesInsideMultiSegmentVariables) {
  EXPECT_EQ(T("/v1/people/{email}").Match("/v1/people/claire%40dupont.fr"),
            (Bindings{{"email", "claire@dupont.fr"}}));
  EXPECT_EQ(T("/v1/people/{id}").Match("/v1/people/a%2Fb"), (Bindings{{"id", "a/b"}}));
  EXPECT_EQ(T("/v1/{name=files/**}").Match("/v1/files/a%2Fb/c"),
            (Bindings{{"name", "files/a%2Fb/c"}}));
  EXPECT_EQ(T("/v1/people/{id}").Match("/v1/people/%C3%A9t%C3%A9"), (Bindings{{"id", "été"}}));
}

TEST(PathTemplateTest, MalformedOrHostilePathsMatchNothing) {
  PathTemplate t = T("/v1/networks/{network_id}");
  for (absl::string_view path :
       {"", "v1/networks/n1", "/v1/networks/", "/v1/networks", "/v1/networks/n1/",
        "/v1/networks/n1/x", "/v1/networks/%", "/v1/networks/%4", "/v1/networks/%zz",
        "/v1/networks/%00", "/v1/networks/%C3", "/v1//networks/n1", "/V1/networks/n1"}) {
    EXPECT_EQ(t.Match(path), std::nullopt) << path;
  }
  EXPECT_EQ(T("/v1/files/{p=**}").Match("/v1/files/a//b"), std::nullopt);
  std::string long_path = "/v1/networks/" + std::string(PathTemplate::kMaxPathLength, 'a');
  EXPECT_EQ(t.Match(long_path), std::nullopt);
  std::string many = "/v1/files";
  for (int i = 0; i < 100; ++i) many += "/a";
  EXPECT_EQ(T("/v1/files/{p=**}").Match(many), std::nullopt);
}

TEST(PathTemplateTest, RefusesTemplatesOutsideTheGrammarNamingWhere) {
  for (absl::string_view bad :
       {"", "v1/x", "/v1/{", "/v1/{x", "/v1/{x=}", "/v1/{x=a/{y}}", "/v1/{1x}", "/v1/{x.}",
        "/v1/**/x", "/v1/x:", "/v1/x/", "/v1/{x}/{x}", "/v1/x?y", "/v1/{x=*"}) {
    absl::StatusOr<PathTemplate> t = PathTemplate::Parse(bad);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) {
      EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(t.status().message(), HasSubstr("path template"));
    }
  }
}

}  // namespace
}  // namespace maillage::gateway
