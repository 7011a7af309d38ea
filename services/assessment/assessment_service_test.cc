// The assessment service on real PostgreSQL and Redis (common/testing/harness.h): the
// catalogue and the matrix of a network as its members and animators use them, and as a
// member of another network or an outsider would try them.
#include "services/assessment/assessment_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/testing/harness.h"
#include "maillage/assessment/v1/assessment.grpc.pb.h"
#include "services/assessment/assessment_runtime.h"

namespace maillage::assessment {
namespace {

using ::maillage::testing::ServiceHarness;
using ::testing::HasSubstr;
using Stub = v1::AssessmentService::Stub;

constexpr char kNetworkA[] = "2c9d0a4e-8f3b-4a7e-9c1d-5e6f7a8b9c0d";
constexpr char kNetworkB[] = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
constexpr char kOrgA[] = "6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01";
constexpr char kOrgB[] = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e";

class AssessmentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(h_.Start([](ServiceRuntime& rt) { return Build(rt); }).ok());
    stub_ = v1::AssessmentService::NewStub(h_.channel());
  }

  static auth::Principal Animator() {
    return ServiceHarness::ActingFor(kOrgA, {{kNetworkA, auth::v1::NETWORK_ROLE_ANIMATOR}});
  }
  static auth::Principal Member() {
    return ServiceHarness::ActingFor(kOrgB, {{kNetworkA, auth::v1::NETWORK_ROLE_MEMBER}});
  }
  static auth::Principal Stranger() {  // an animator, of another network
    return ServiceHarness::ActingFor(kOrgB, {{kNetworkB, auth::v1::NETWORK_ROLE_ANIMATOR}});
  }

  std::vector<std::string> Codes(const auth::Principal& who, const std::string& network,
                                 bool include_retired = false) {
    v1::ListFunctionsRequest req;
    req.set_network_id(network);
    req.set_include_retired(include_retired);
    v1::ListFunctionsResponse resp;
    grpc::Status s = h_.Call(stub_.get(), &Stub::ListFunctions, who, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> codes;
    for (const v1::SupportFunction& f : resp.functions()) {
      codes.push_back(f.code() + (f.retired() ? " (retired)" : ""));
    }
    return codes;
  }

  static std::vector<v1::MatrixCell> CellsOf(const v1::Matrix& m) {
    return {m.cells().begin(), m.cells().end()};
  }

  ServiceHarness h_{Definition()};
  std::unique_ptr<Stub> stub_;
};

TEST_F(AssessmentServiceTest, AnAnimatorShapesTheNetworksCatalogueItsMembersSeeIt) {
  std::vector<std::string> before = Codes(Member(), kNetworkA);
  EXPECT_EQ(before.size(), 47u);
  EXPECT_THAT(before, ::testing::Contains("insurance"));

  v1::AddFunctionRequest add;
  add.set_network_id(kNetworkA);
  add.mutable_function()->set_code("purchasing.wine");
  add.mutable_function()->set_parent_code("purchasing");
  add.mutable_function()->set_nature(v1::FUNCTION_NATURE_PURCHASE);
  add.mutable_function()->set_label_fr("Achats groupés de vin");
  add.mutable_function()->set_label_en("Wine purchasing");
  v1::SupportFunction added;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::AddFunction, Animator(), add, &added).ok());
  EXPECT_EQ(added.network_id(), kNetworkA);
  v1::RetireFunctionRequest retire;
  retire.set_network_id(kNetworkA);
  retire.set_code("insurance");
  v1::SupportFunction retired;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::RetireFunction, Animator(), retire, &retired).ok());
  EXPECT_TRUE(retired.retired());
  // Retiring it again changes nothing and tells no one.
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::RetireFunction, Animator(), retire, &retired).ok());

  std::vector<std::string> after = Codes(Member(), kNetworkA);
  EXPECT_THAT(after, ::testing::Contains("purchasing.wine"));
  EXPECT_THAT(after, ::testing::Not(::testing::Contains("insurance")));
  EXPECT_THAT(Codes(Member(), kNetworkA, true), ::testing::Contains("insurance (retired)"));
  // Another network keeps the default catalogue.
  EXPECT_EQ(Codes(Stranger(), kNetworkB).size(), 47u);
  // Each change was published with its commit: one event each.
  EXPECT_EQ(h_.Count("SELECT count(*) FROM outbox WHERE event_type = 'assessment.FunctionAdded'"),
            1);
  EXPECT_EQ(h_.Count("SELECT count(*) FROM outbox WHERE event_type = 'assessment.FunctionRetired'"),
            1);
}

TEST_F(AssessmentServiceTest, BadFunctionsAreRefusedNamingTheField) {
  v1::AddFunctionRequest add;
  add.set_network_id(kNetworkA);
  add.mutable_function()->set_code("legal.wine");
  add.mutable_function()->set_parent_code("purchasing");
  add.mutable_function()->set_nature(v1::FUNCTION_NATURE_PURCHASE);
  add.mutable_function()->set_label_fr("Vin");
  add.mutable_function()->set_label_en("Wine");
  v1::SupportFunction out;
  grpc::Status s = h_.Call(stub_.get(), &Stub::AddFunction, Animator(), add, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("function.parent_code"));
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(s)).at(0).field, "function.parent_code");

  add.mutable_function()->set_code("insurance");  // a default one
  add.mutable_function()->set_parent_code("");
  s = h_.Call(stub_.get(), &Stub::AddFunction, Animator(), add, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);

  v1::RetireFunctionRequest retire;
  retire.set_network_id(kNetworkA);
  retire.set_code("no_such_function");
  s = h_.Call(stub_.get(), &Stub::RetireFunction, Animator(), retire, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(AssessmentServiceTest, ANetworksOwnCatalogueIsBounded) {
  // 500 functions of its own already (written straight to the table, as 500 calls would be).
  ASSERT_EQ(h_.Count(absl::StrCat(
                "WITH added AS (INSERT INTO network_functions (network_id, code, nature, "
                "label_fr, label_en, added_by) SELECT '",
                kNetworkA,
                "', 'own_' || i, 1, 'f', 'e', 'test' FROM generate_series(1, 500) AS i "
                "RETURNING 1) SELECT count(*) FROM added")),
            500);
  v1::AddFunctionRequest add;
  add.set_network_id(kNetworkA);
  add.mutable_function()->set_code("one_more");
  add.mutable_function()->set_nature(v1::FUNCTION_NATURE_SERVICE);
  add.mutable_function()->set_label_fr("Encore");
  add.mutable_function()->set_label_en("One more");
  v1::SupportFunction out;
  grpc::Status s = h_.Call(stub_.get(), &Stub::AddFunction, Animator(), add, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("500"));
  // Another network is not affected.
  add.set_network_id(kNetworkB);
  EXPECT_TRUE(h_.Call(stub_.get(), &Stub::AddFunction, Stranger(), add, &out).ok());
}

TEST_F(AssessmentServiceTest, TheMatrixIsVersionedAndAStaleEditIsAborted) {
  v1::GetMatrixRequest get;
  get.set_network_id(kNetworkA);
  v1::Matrix current;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetMatrix, Member(), get, &current).ok());
  EXPECT_EQ(current.version(), 0);
  EXPECT_EQ(current.cells_size(), 9);

  v1::UpdateMatrixRequest update;
  update.set_network_id(kNetworkA);
  update.set_expected_version(0);
  *update.mutable_cells() = current.cells();
  for (v1::MatrixCell& c : *update.mutable_cells()) {
    if (c.efficiency() == v1::LEVEL_LOW && c.importance() == v1::LEVEL_LOW) {
      c.set_disposition(v1::DISPOSITION_POOL_WITH_NETWORK);
    }
  }
  v1::Matrix next;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::UpdateMatrix, Animator(), update, &next).ok());
  EXPECT_EQ(next.version(), 1);
  EXPECT_EQ(next.created_by(), Animator().subject());
  // A second editor who read version 0 is told to read again.
  grpc::Status stale = h_.Call(stub_.get(), &Stub::UpdateMatrix, Animator(), update, &next);
  EXPECT_EQ(stale.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_THAT(stale.error_message(), HasSubstr("version 1"));

  // Every version stays readable; a preview uses the current one and says which.
  get.set_version(1);
  v1::Matrix first;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetMatrix, Member(), get, &first).ok());
  EXPECT_EQ(first.version(), 1);
  get.set_version(7);
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::GetMatrix, Member(), get, &first).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::PreviewDispositionsRequest preview;
  preview.set_network_id(kNetworkA);
  v1::FunctionAnswer* a = preview.add_answers();
  a->set_function_code("insurance");
  a->set_efficiency(v1::LEVEL_LOW);
  a->set_importance(v1::LEVEL_LOW);
  v1::PreviewDispositionsResponse previewed;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::PreviewDispositions, Member(), preview, &previewed).ok());
  EXPECT_EQ(previewed.answers(0).disposition(), v1::DISPOSITION_POOL_WITH_NETWORK);
  EXPECT_EQ(previewed.answers(0).matrix_version(), 1);
  EXPECT_EQ(h_.Count("SELECT count(*) FROM outbox WHERE event_type = 'assessment.MatrixChanged'"),
            1);
}

TEST_F(AssessmentServiceTest, BadMatricesAndAnswersAreRefusedNamingTheField) {
  v1::UpdateMatrixRequest update;
  update.set_network_id(kNetworkA);
  update.add_cells()->set_efficiency(v1::LEVEL_LOW);
  v1::Matrix out;
  grpc::Status s = h_.Call(stub_.get(), &Stub::UpdateMatrix, Animator(), update, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("cells"));

  v1::PreviewDispositionsRequest preview;
  preview.set_network_id(kNetworkA);
  v1::FunctionAnswer* ok = preview.add_answers();
  ok->set_function_code("legal");
  ok->set_efficiency(v1::LEVEL_HIGH);
  ok->set_importance(v1::LEVEL_HIGH);
  preview.add_answers()->set_function_code("nowhere");
  v1::FunctionAnswer* no_level = preview.add_answers();
  no_level->set_function_code("legal");
  no_level->set_importance(v1::LEVEL_HIGH);
  v1::PreviewDispositionsResponse previewed;
  s = h_.Call(stub_.get(), &Stub::PreviewDispositions, Member(), preview, &previewed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<FieldViolation> v = FieldViolationsOf(FromGrpcStatus(s));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].field, "answers[1].function_code");
  EXPECT_EQ(v[1].field, "answers[2].efficiency");
}

TEST_F(AssessmentServiceTest, OutsidersAndOrdinaryMembersAreKeptOut) {
  v1::GetMatrixRequest get;
  get.set_network_id(kNetworkA);
  v1::Matrix m;
  // A member of another network, even its animator.
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::GetMatrix, Stranger(), get, &m).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A member who is not an animator cannot edit.
  v1::UpdateMatrixRequest update;
  update.set_network_id(kNetworkA);
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::UpdateMatrix, Member(), update, &m).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::RetireFunctionRequest retire;
  retire.set_network_id(kNetworkA);
  retire.set_code("legal");
  v1::SupportFunction f;
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::RetireFunction, Member(), retire, &f).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // The same id in capitals is the same network (canonicalised), not a way around.
  std::string upper = kNetworkA;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  get.set_network_id(upper);
  EXPECT_TRUE(h_.Call(stub_.get(), &Stub::GetMatrix, Member(), get, &m).ok());
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::GetMatrix, Stranger(), get, &m).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Malformed ids and unsigned calls.
  get.set_network_id("not-a-uuid");
  grpc::Status bad = h_.Call(stub_.get(), &Stub::GetMatrix, Member(), get, &m);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("network_id"));
  grpc::ClientContext anonymous;
  get.set_network_id(kNetworkA);
  EXPECT_EQ(stub_->GetMatrix(&anonymous, get, &m).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Nothing was written by any of it.
  EXPECT_EQ(h_.Count("SELECT count(*) FROM outbox"), 0);
}

TEST(AssessmentAuthzTableTest, EveryRpcHasExactlyOneRow) {
  auto in_network_a = [](const std::string&) { return absl::StatusOr<std::string>(kNetworkA); };
  authz::Table table = AssessmentAuthzTable(
      {.network_of_campaign = in_network_a, .network_of_diagnostic_campaign = in_network_a});
  const google::protobuf::ServiceDescriptor* service =
      v1::Matrix::descriptor()->file()->FindServiceByName("AssessmentService");
  ASSERT_NE(service, nullptr);
  EXPECT_THAT(authz::CoverageProblems(table, *service), ::testing::IsEmpty());
}

}  // namespace
}  // namespace maillage::assessment
