// Campaigns, assessments, the network's analysis and decisions on real PostgreSQL and Redis
// (common/testing/harness.h), as an animator, the companies of a network, and members and
// animators of another network use them. Membership's events reach the service as they do
// in production: through the consumer group on the stream (one test), or applied to the
// member directory directly (the others, for speed).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/events/outbox.h"
#include "common/status/status.h"
#include "common/testing/harness.h"
#include "maillage/assessment/v1/assessment.grpc.pb.h"
#include "maillage/membership/v1/events.pb.h"
#include "services/assessment/assessment_runtime.h"
#include "services/assessment/member_directory.h"

namespace maillage::assessment {
namespace {

using ::maillage::testing::ServiceHarness;
using ::testing::HasSubstr;
using Stub = v1::AssessmentService::Stub;
namespace mv1 = ::maillage::membership::v1;

constexpr char kNetwork[] = "2c9d0a4e-8f3b-4a7e-9c1d-5e6f7a8b9c0d";
constexpr char kOtherNetwork[] = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
// The animator's own organisation, and five companies of the network.
constexpr char kAnimatorOrg[] = "0a0a0a0a-0000-4000-8000-000000000001";
const char* const kCompanies[] = {
    "1c1c1c1c-0000-4000-8000-000000000001", "1c1c1c1c-0000-4000-8000-000000000002",
    "1c1c1c1c-0000-4000-8000-000000000003", "1c1c1c1c-0000-4000-8000-000000000004",
    "1c1c1c1c-0000-4000-8000-000000000005"};
// A company of the other network only.
constexpr char kOutsider[] = "9e9e9e9e-0000-4000-8000-000000000009";

bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 200; ++i) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(25));
  }
  return done();
}

mv1::MembershipEvent Membership(const std::string& network, const std::string& org,
                                const std::string& name, mv1::MembershipState state,
                                int64_t version) {
  mv1::MembershipEvent e;
  e.set_event_id(events::NewEventId());
  mv1::Membership* m = e.mutable_membership_changed()->mutable_membership();
  m->set_network_id(network);
  m->set_organisation_id(org);
  m->set_organisation_name(name);
  m->set_state(state);
  m->set_version(version);
  return e;
}

class CampaignTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    stream_ = absl::StrCat("maillage.membership.events.test", getpid(), "-", n++);
    ASSERT_TRUE(h_.Start([this](ServiceRuntime& rt) { return Build(rt, &built_); },
                         {.env = {{"MAILLAGE_MEMBERSHIP_EVENTS_STREAM", stream_}}})
                    .ok());
    stub_ = v1::AssessmentService::NewStub(h_.channel());
    Join(kAnimatorOrg, "Agence Sud", 1);
    for (int i = 0; i < 5; ++i) Join(kCompanies[i], absl::StrCat("Entreprise ", i + 1), 1);
    ASSERT_TRUE(built_.members
                    ->Apply(Membership(kOtherNetwork, kOutsider, "Ailleurs SARL",
                                       mv1::MEMBERSHIP_STATE_ACTIVE, 1))
                    .ok());
  }

  void Join(const std::string& org, const std::string& name, int64_t version,
            mv1::MembershipState state = mv1::MEMBERSHIP_STATE_ACTIVE) {
    ASSERT_TRUE(built_.members->Apply(Membership(kNetwork, org, name, state, version)).ok());
  }

  static auth::Principal Animator() {
    return ServiceHarness::ActingFor(kAnimatorOrg, {{kNetwork, auth::v1::NETWORK_ROLE_ANIMATOR}});
  }
  static auth::Principal Company(int i) {
    return ServiceHarness::ActingFor(kCompanies[i], {{kNetwork, auth::v1::NETWORK_ROLE_MEMBER}});
  }
  static auth::Principal OtherMember() {
    return ServiceHarness::ActingFor(kOutsider, {{kOtherNetwork, auth::v1::NETWORK_ROLE_MEMBER}});
  }
  static auth::Principal OtherAnimator() {
    return ServiceHarness::ActingFor(kOutsider, {{kOtherNetwork, auth::v1::NETWORK_ROLE_ANIMATOR}});
  }

  v1::Campaign Open(std::vector<std::string> codes = {"recruitment", "purchasing.supplies",
                                                      "it_infrastructure.support"}) {
    v1::CreateCampaignRequest req;
    req.set_network_id(kNetwork);
    req.mutable_campaign()->set_title("Cartographie 2027");
    req.mutable_campaign()->mutable_end_time()->set_seconds(
        absl::ToUnixSeconds(absl::Now() + absl::Hours(24 * 30)));
    for (const std::string& c : codes) req.mutable_campaign()->add_function_codes(c);
    v1::Campaign c;
    grpc::Status s = h_.Call(stub_.get(), &Stub::CreateCampaign, Animator(), req, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c;
  }

  static v1::FunctionAnswer Answer(const std::string& code, v1::Level efficiency,
                                   v1::Level importance, int64_t cost = 0, bool named = false) {
    v1::FunctionAnswer a;
    a.set_function_code(code);
    a.set_efficiency(efficiency);
    a.set_importance(importance);
    a.set_yearly_cost_eur(cost);
    a.set_agrees_to_be_named(named);
    return a;
  }

  grpc::Status Submit(int company, const v1::Campaign& c, std::vector<v1::FunctionAnswer> answers,
                      v1::Assessment* out, int64_t expected_version = 0) {
    v1::SubmitAssessmentRequest req;
    req.set_campaign_id(c.campaign_id());
    req.set_organisation_id(kCompanies[company]);
    req.set_expected_version(expected_version);
    for (v1::FunctionAnswer& a : answers) *req.add_answers() = std::move(a);
    return h_.Call(stub_.get(), &Stub::SubmitAssessment, Company(company), req, out);
  }

  v1::CampaignAnalysis Analysis(const auth::Principal& who, const v1::Campaign& c,
                                v1::AnalysisView view = v1::ANALYSIS_VIEW_FULL) {
    v1::GetCampaignAnalysisRequest req;
    req.set_campaign_id(c.campaign_id());
    req.set_view(view);
    v1::CampaignAnalysis out;
    grpc::Status s = h_.Call(stub_.get(), &Stub::GetCampaignAnalysis, who, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  static const v1::FunctionAnalysis& For(const v1::CampaignAnalysis& a, const std::string& code) {
    for (const v1::FunctionAnalysis& f : a.functions()) {
      if (f.function_code() == code) return f;
    }
    ADD_FAILURE() << "no analysis of " << code;
    static v1::FunctionAnalysis none;
    return none;
  }

  v1::CampaignProgress Progress(const v1::Campaign& c) {
    v1::GetCampaignProgressRequest req;
    req.set_campaign_id(c.campaign_id());
    v1::CampaignProgress out;
    grpc::Status s = h_.Call(stub_.get(), &Stub::GetCampaignProgress, Animator(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  std::string stream_;
  Built built_;
  ServiceHarness h_{Definition()};
  std::unique_ptr<Stub> stub_;
};

TEST_F(CampaignTest, ACampaignGoesFromOpeningToTheNetworksRecommendation) {
  v1::Campaign c = Open();
  EXPECT_EQ(c.state(), v1::CAMPAIGN_STATE_OPEN);
  EXPECT_EQ(c.matrix_version(), 0);  // the default matrix: the network never edited its own
  // The catalogue's order, whatever the request's.
  EXPECT_THAT(c.function_codes(), ::testing::ElementsAre("recruitment", "purchasing.supplies",
                                                         "it_infrastructure.support"));
  v1::CampaignProgress p = Progress(c);
  EXPECT_EQ(p.participants(), 6);
  EXPECT_EQ(p.not_started(), 6);

  // Four companies find recruitment weak and not strategic (pool or outsource); company 5
  // recruits well and would serve the others, and agrees to be named.
  v1::Assessment a;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(Submit(i, c,
                       {Answer("recruitment", v1::LEVEL_LOW, v1::LEVEL_LOW, 20000),
                        Answer("purchasing.supplies", v1::LEVEL_MEDIUM, v1::LEVEL_HIGH)},
                       &a)
                    .ok());
    EXPECT_EQ(a.state(), v1::ASSESSMENT_STATE_SUBMITTED);
    EXPECT_EQ(a.answers(0).disposition(), v1::DISPOSITION_POOL_OR_OUTSOURCE);
    EXPECT_EQ(a.cells(0).efficiency(), v1::LEVEL_LOW);  // the cell that decided
  }
  ASSERT_TRUE(
      Submit(4, c, {Answer("recruitment", v1::LEVEL_HIGH, v1::LEVEL_LOW, 0, /*named=*/true)}, &a)
          .ok());
  EXPECT_EQ(a.answers(0).disposition(), v1::DISPOSITION_OFFER_TO_NETWORK);

  v1::CampaignAnalysis animator = Analysis(Animator(), c);
  EXPECT_TRUE(animator.exact());
  const v1::FunctionAnalysis& recruitment = For(animator, "recruitment");
  EXPECT_EQ(recruitment.demand().exact(), 4);
  EXPECT_EQ(recruitment.providers().exact(), 1);
  EXPECT_EQ(recruitment.recommended(), v1::POOLING_MODALITY_MEMBER_SERVES_OTHERS);
  EXPECT_THAT(recruitment.named_providers(), ::testing::ElementsAre(kCompanies[4]));
  EXPECT_EQ(animator.organisation_names().at(kCompanies[4]), "Entreprise 5");
  // The basic view (the default) leaves the names out.
  v1::CampaignAnalysis basic = Analysis(Animator(), c, v1::ANALYSIS_VIEW_UNSPECIFIED);
  EXPECT_THAT(For(basic, "recruitment").named_providers(), ::testing::IsEmpty());
  EXPECT_TRUE(basic.organisation_names().empty());
  EXPECT_EQ(For(basic, "recruitment").providers().exact(), 1);
  // A member sees the same recommendation, but one provider is "fewer than 3".
  v1::CampaignAnalysis member = Analysis(Company(0), c);
  EXPECT_FALSE(member.exact());
  EXPECT_EQ(For(member, "recruitment").providers().fewer_than(), 3);
  EXPECT_EQ(For(member, "recruitment").recommended(), v1::POOLING_MODALITY_MEMBER_SERVES_OTHERS);
  EXPECT_EQ(member.submitted().exact(), 5);

  p = Progress(c);
  EXPECT_EQ(p.submitted(), 5);
  EXPECT_EQ(p.not_started(), 1);  // the animator's own organisation: whom to remind

  // A member who leaves drops out of the campaign and of its analysis.
  Join(kCompanies[4], "Entreprise 5", 2, mv1::MEMBERSHIP_STATE_LEFT);
  v1::UpdatePoolingSettingsRequest settings;  // any network change recomputes
  settings.set_network_id(kNetwork);
  v1::PoolingThresholds t;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::UpdatePoolingSettings, Animator(), settings, &t).ok());
  EXPECT_EQ(t.min_group_size(), 3);  // the defaults, as saved with nothing set
  animator = Analysis(Animator(), c);
  EXPECT_EQ(For(animator, "recruitment").providers().exact(), 0);
  EXPECT_EQ(For(animator, "recruitment").recommended(), v1::POOLING_MODALITY_JOINT_OUTSOURCING);
  EXPECT_EQ(Progress(c).participants(), 5);

  // The animator records the decision: kept, and published for reporting and matching.
  v1::RecordDecisionRequest decide;
  decide.set_campaign_id(c.campaign_id());
  decide.mutable_decision()->set_function_code("recruitment");
  decide.mutable_decision()->set_modality(v1::POOLING_MODALITY_SHARED_RESOURCE);
  decide.mutable_decision()->set_rationale(
      "Un groupement d'employeurs pour une RH à temps partagé");
  for (int i = 0; i < 4; ++i)
    decide.mutable_decision()->add_participant_organisation_ids(kCompanies[i]);
  v1::PoolingDecision d;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::RecordDecision, Animator(), decide, &d).ok());
  EXPECT_EQ(d.network_id(), kNetwork);
  v1::ListDecisionsRequest list;
  list.set_campaign_id(c.campaign_id());
  v1::ListDecisionsResponse decisions;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::ListDecisions, Company(1), list, &decisions).ok());
  ASSERT_EQ(decisions.decisions_size(), 1);
  EXPECT_EQ(decisions.decisions(0).modality(), v1::POOLING_MODALITY_SHARED_RESOURCE);
  EXPECT_EQ(
      h_.Count("SELECT count(*) FROM outbox WHERE event_type = 'assessment.DecisionRecorded'"), 1);
  EXPECT_EQ(
      h_.Count("SELECT count(*) FROM outbox WHERE event_type = 'assessment.AssessmentSubmitted'"),
      5);
  // A participant that left cannot be named in a decision.
  decide.mutable_decision()->add_participant_organisation_ids(kCompanies[4]);
  grpc::Status s = h_.Call(stub_.get(), &Stub::RecordDecision, Animator(), decide, &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("decision.participant_organisation_ids[4]"));
}

TEST_F(CampaignTest, ACompanySavesDraftsSubmitsAndRevisesUntilTheCampaignCloses) {
  v1::Campaign c = Open();
  v1::SaveAssessmentDraftRequest save;
  save.set_campaign_id(c.campaign_id());
  save.set_organisation_id(kCompanies[0]);
  v1::FunctionAnswer half = Answer("recruitment", v1::LEVEL_LOW, v1::LEVEL_UNSPECIFIED);
  half.set_comment("Nous recrutons deux fois par an, difficilement.");
  *save.add_answers() = half;
  v1::Assessment a;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::SaveAssessmentDraft, Company(0), save, &a).ok());
  EXPECT_EQ(a.state(), v1::ASSESSMENT_STATE_DRAFT);
  EXPECT_EQ(a.version(), 1);
  EXPECT_EQ(a.answers(0).disposition(), v1::DISPOSITION_UNSPECIFIED);  // a level is missing
  // A draft counts nowhere.
  EXPECT_EQ(For(Analysis(Animator(), c), "recruitment").answered().exact(), 0);
  EXPECT_EQ(Progress(c).in_draft(), 1);

  // Submitting the draft as it is: importance is missing.
  grpc::Status s = Submit(0, c, {}, &a, 1);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(s)).at(0).field, "answers[0].importance");
  // A stale version is refused: someone else saved meanwhile.
  s = Submit(0, c, {Answer("recruitment", v1::LEVEL_LOW, v1::LEVEL_MEDIUM)}, &a, 0);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  ASSERT_TRUE(Submit(0, c, {Answer("recruitment", v1::LEVEL_LOW, v1::LEVEL_MEDIUM)}, &a, 1).ok());
  EXPECT_EQ(a.revision(), 1);
  EXPECT_EQ(a.answers(0).disposition(), v1::DISPOSITION_POOL_WITH_NETWORK);
  ASSERT_TRUE(Submit(0, c, {Answer("recruitment", v1::LEVEL_HIGH, v1::LEVEL_HIGH)}, &a, 2).ok());
  EXPECT_EQ(a.revision(), 2);

  // Revisions are kept: the first one reads as it was.
  v1::GetAssessmentRequest get;
  get.set_campaign_id(c.campaign_id());
  get.set_organisation_id(kCompanies[0]);
  get.set_revision(1);
  v1::Assessment first;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetAssessment, Animator(), get, &first).ok());
  EXPECT_EQ(first.answers(0).disposition(), v1::DISPOSITION_POOL_WITH_NETWORK);

  // Once closed, nothing more is taken.
  v1::CloseCampaignRequest close;
  close.set_campaign_id(c.campaign_id());
  v1::Campaign closed;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::CloseCampaign, Animator(), close, &closed).ok());
  EXPECT_EQ(closed.state(), v1::CAMPAIGN_STATE_CLOSED);
  s = Submit(0, c, {Answer("recruitment", v1::LEVEL_LOW, v1::LEVEL_LOW)}, &a, 3);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("closed"));
  EXPECT_EQ(h_.Count("SELECT count(*) FROM submissions"), 2);
}

TEST_F(CampaignTest, BadAnswersAreRefusedNamingTheField) {
  v1::Campaign c = Open();
  v1::Assessment a;
  struct Case {
    v1::FunctionAnswer answer;
    std::string field;
  };
  std::vector<Case> cases;
  cases.push_back({Answer("legal", v1::LEVEL_LOW, v1::LEVEL_LOW), "answers[0].function_code"});
  cases.push_back(
      {Answer("recruitment", static_cast<v1::Level>(7), v1::LEVEL_LOW), "answers[0].efficiency"});
  cases.push_back(
      {Answer("recruitment", v1::LEVEL_LOW, v1::LEVEL_LOW, -5), "answers[0].yearly_cost_eur"});
  v1::FunctionAnswer long_comment = Answer("recruitment", v1::LEVEL_LOW, v1::LEVEL_LOW);
  long_comment.set_comment(std::string(2001, 'x'));
  cases.push_back({long_comment, "answers[0].comment"});
  for (const Case& k : cases) {
    grpc::Status s = Submit(0, c, {k.answer}, &a);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << k.field;
    EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(s)).at(0).field, k.field);
  }
  // Text that is not UTF-8 does not even parse as the request.
  v1::FunctionAnswer bad_utf8 = Answer("recruitment", v1::LEVEL_LOW, v1::LEVEL_LOW);
  bad_utf8.set_comment("\xc3\x28");
  EXPECT_EQ(Submit(0, c, {bad_utf8}, &a).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // The same function twice, and more answers than the campaign has functions.
  grpc::Status s = Submit(0, c,
                          {Answer("recruitment", v1::LEVEL_LOW, v1::LEVEL_LOW),
                           Answer("recruitment", v1::LEVEL_HIGH, v1::LEVEL_LOW)},
                          &a);
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(s)).at(0).field, "answers[1].function_code");
  std::vector<v1::FunctionAnswer> many(4, Answer("recruitment", v1::LEVEL_LOW, v1::LEVEL_LOW));
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(Submit(0, c, many, &a))).at(0).field, "answers");

  // Campaigns: no end, an end in the past, a function the network does not have.
  v1::CreateCampaignRequest create;
  create.set_network_id(kNetwork);
  create.mutable_campaign()->set_title("Sans fin");
  v1::Campaign out;
  s = h_.Call(stub_.get(), &Stub::CreateCampaign, Animator(), create, &out);
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(s)).at(0).field, "campaign.end_time");
  create.mutable_campaign()->mutable_end_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 60);
  s = h_.Call(stub_.get(), &Stub::CreateCampaign, Animator(), create, &out);
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(s)).at(0).field, "campaign.end_time");
  create.mutable_campaign()->mutable_end_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) +
                                                             3600);
  create.mutable_campaign()->add_function_codes("no_such_function");
  s = h_.Call(stub_.get(), &Stub::CreateCampaign, Animator(), create, &out);
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(s)).at(0).field, "campaign.function_codes[0]");
  create.mutable_campaign()->clear_function_codes();
  create.mutable_campaign()->set_matrix_version(9);
  s = h_.Call(stub_.get(), &Stub::CreateCampaign, Animator(), create, &out);
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(s)).at(0).field, "campaign.matrix_version");
  // A retried create with its idempotency key opens one campaign, with every function.
  create.mutable_campaign()->set_matrix_version(0);
  create.set_idempotency_key("create-1");
  v1::Campaign again;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::CreateCampaign, Animator(), create, &out).ok());
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::CreateCampaign, Animator(), create, &again).ok());
  EXPECT_EQ(out.campaign_id(), again.campaign_id());
  EXPECT_EQ(out.function_codes_size(), 47);
  EXPECT_EQ(h_.Count("SELECT count(*) FROM campaigns"), 2);

  // A company that is not an active member of the network: the one being invited.
  Join(kCompanies[4], "Entreprise 5", 2, mv1::MEMBERSHIP_STATE_INVITED);
  s = Submit(4, c, {Answer("recruitment", v1::LEVEL_LOW, v1::LEVEL_LOW)}, &a);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(s)).at(0).field, "organisation_id");

  // Pages of campaigns: a token from another network's listing is refused.
  v1::ListCampaignsRequest list;
  list.set_network_id(kNetwork);
  list.mutable_page()->set_page_size(1);
  v1::ListCampaignsResponse page;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::ListCampaigns, Company(2), list, &page).ok());
  ASSERT_EQ(page.campaigns_size(), 1);
  EXPECT_EQ(page.campaigns(0).campaign_id(), out.campaign_id());  // newest first
  list.mutable_page()->set_page_token(page.page().next_page_token());
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::ListCampaigns, Company(2), list, &page).ok());
  ASSERT_EQ(page.campaigns_size(), 1);
  EXPECT_EQ(page.campaigns(0).campaign_id(), c.campaign_id());
  EXPECT_TRUE(page.page().next_page_token().empty());
  list.set_network_id(kOtherNetwork);
  s = h_.Call(stub_.get(), &Stub::ListCampaigns, OtherMember(), list, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page.page_token"));
}

// Who may call what, stated here independently of the table: each RPC, as each caller.
TEST_F(CampaignTest, EachRoleMayCallWhatTheTableSaysAndNoMore) {
  v1::Campaign c = Open();
  v1::Assessment a;
  ASSERT_TRUE(Submit(0, c, {Answer("recruitment", v1::LEVEL_LOW, v1::LEVEL_LOW)}, &a).ok());

  const std::map<std::string, auth::Principal> callers = {
      {"animator", Animator()},
      {"the company", Company(0)},
      {"another member", Company(1)},
      {"a member elsewhere", OtherMember()},
      {"an animator elsewhere", OtherAnimator()},
  };
  using Call = std::function<grpc::Status(const auth::Principal&)>;
  const std::string campaign = c.campaign_id();
  std::map<std::string, Call> rpcs;
  rpcs["GetCampaign"] = [&](const auth::Principal& who) {
    v1::GetCampaignRequest r;
    r.set_campaign_id(campaign);
    v1::Campaign out;
    return h_.Call(stub_.get(), &Stub::GetCampaign, who, r, &out);
  };
  rpcs["GetCampaignProgress"] = [&](const auth::Principal& who) {
    v1::GetCampaignProgressRequest r;
    r.set_campaign_id(campaign);
    v1::CampaignProgress out;
    return h_.Call(stub_.get(), &Stub::GetCampaignProgress, who, r, &out);
  };
  rpcs["GetAssessment"] = [&](const auth::Principal& who) {
    v1::GetAssessmentRequest r;
    r.set_campaign_id(campaign);
    r.set_organisation_id(kCompanies[0]);
    v1::Assessment out;
    return h_.Call(stub_.get(), &Stub::GetAssessment, who, r, &out);
  };
  rpcs["SaveAssessmentDraft"] = [&](const auth::Principal& who) {
    v1::SaveAssessmentDraftRequest r;
    r.set_campaign_id(campaign);
    r.set_organisation_id(kCompanies[0]);
    r.set_expected_version(-1);  // refused by validation once let in: writes nothing
    v1::Assessment out;
    return h_.Call(stub_.get(), &Stub::SaveAssessmentDraft, who, r, &out);
  };
  rpcs["GetCampaignAnalysis"] = [&](const auth::Principal& who) {
    v1::GetCampaignAnalysisRequest r;
    r.set_campaign_id(campaign);
    v1::CampaignAnalysis out;
    return h_.Call(stub_.get(), &Stub::GetCampaignAnalysis, who, r, &out);
  };
  rpcs["ListDecisions"] = [&](const auth::Principal& who) {
    v1::ListDecisionsRequest r;
    r.set_campaign_id(campaign);
    v1::ListDecisionsResponse out;
    return h_.Call(stub_.get(), &Stub::ListDecisions, who, r, &out);
  };
  rpcs["CreateCampaign"] = [&](const auth::Principal& who) {
    v1::CreateCampaignRequest r;
    r.set_network_id(kNetwork);  // no title: refused by validation once let in
    v1::Campaign out;
    return h_.Call(stub_.get(), &Stub::CreateCampaign, who, r, &out);
  };
  rpcs["UpdatePoolingSettings"] = [&](const auth::Principal& who) {
    v1::UpdatePoolingSettingsRequest r;
    r.set_network_id(kNetwork);
    r.mutable_thresholds()->set_min_group_size(1);  // out of range once let in
    v1::PoolingThresholds out;
    return h_.Call(stub_.get(), &Stub::UpdatePoolingSettings, who, r, &out);
  };
  rpcs["RecordDecision"] = [&](const auth::Principal& who) {
    v1::RecordDecisionRequest r;
    r.set_campaign_id(campaign);  // no function: refused by validation once let in
    v1::PoolingDecision out;
    return h_.Call(stub_.get(), &Stub::RecordDecision, who, r, &out);
  };

  using grpc::StatusCode;
  // What each caller gets: OK, or the validation's INVALID_ARGUMENT once let in; refusals
  // of campaign-keyed calls are NOT_FOUND (the campaign's existence does not leak).
  const StatusCode ok = StatusCode::OK, bad = StatusCode::INVALID_ARGUMENT,
                   hidden = StatusCode::NOT_FOUND, denied = StatusCode::PERMISSION_DENIED;
  const std::map<std::string, std::map<std::string, StatusCode>> expected = {
      {"GetCampaign",
       {{"animator", ok},
        {"the company", ok},
        {"another member", ok},
        {"a member elsewhere", hidden},
        {"an animator elsewhere", hidden}}},
      {"GetCampaignProgress",
       {{"animator", ok},
        {"the company", hidden},
        {"another member", hidden},
        {"a member elsewhere", hidden},
        {"an animator elsewhere", hidden}}},
      {"GetAssessment",
       {{"animator", ok},
        {"the company", ok},
        {"another member", hidden},
        {"a member elsewhere", hidden},
        {"an animator elsewhere", hidden}}},
      {"SaveAssessmentDraft",
       {{"animator", hidden},
        {"the company", bad},
        {"another member", hidden},
        {"a member elsewhere", hidden},
        {"an animator elsewhere", hidden}}},
      {"GetCampaignAnalysis",
       {{"animator", ok},
        {"the company", ok},
        {"another member", ok},
        {"a member elsewhere", hidden},
        {"an animator elsewhere", hidden}}},
      {"ListDecisions",
       {{"animator", ok},
        {"the company", ok},
        {"another member", ok},
        {"a member elsewhere", hidden},
        {"an animator elsewhere", hidden}}},
      {"CreateCampaign",
       {{"animator", bad},
        {"the company", denied},
        {"another member", denied},
        {"a member elsewhere", denied},
        {"an animator elsewhere", denied}}},
      {"UpdatePoolingSettings",
       {{"animator", bad},
        {"the company", denied},
        {"another member", denied},
        {"a member elsewhere", denied},
        {"an animator elsewhere", denied}}},
      {"RecordDecision",
       {{"animator", bad},
        {"the company", hidden},
        {"another member", hidden},
        {"a member elsewhere", hidden},
        {"an animator elsewhere", hidden}}},
  };
  const int64_t events_before = h_.Count("SELECT count(*) FROM outbox");
  for (const auto& [rpc, by_caller] : expected) {
    for (const auto& [caller, code] : by_caller) {
      grpc::Status s = rpcs.at(rpc)(callers.at(caller));
      EXPECT_EQ(s.error_code(), code) << rpc << " as " << caller << ": " << s.error_message();
      if (code == hidden) {
        EXPECT_THAT(s.error_message(), HasSubstr("not found"));
      }
    }
  }
  EXPECT_EQ(h_.Count("SELECT count(*) FROM outbox"), events_before);  // nothing was written

  // A campaign id that does not exist reads exactly as one of another network.
  v1::GetCampaignRequest r;
  r.set_campaign_id("5f5f5f5f-0000-4000-8000-000000000000");
  v1::Campaign out;
  grpc::Status missing = h_.Call(stub_.get(), &Stub::GetCampaign, Company(1), r, &out);
  grpc::Status foreign = rpcs.at("GetCampaign")(OtherMember());
  EXPECT_EQ(missing.error_code(), foreign.error_code());
  EXPECT_EQ(missing.error_message(), foreign.error_message());
}

TEST_F(CampaignTest, ParticipantsFollowMembershipsEventStream) {
  v1::Campaign c = Open();
  auto publish = [&](const mv1::MembershipEvent& e) {
    absl::StatusOr<redis::RedisReply> r = h_.runtime()->redis()->Command(
        {"XADD", stream_, "*", "id", e.event_id(), "type", "membership.MembershipChanged",
         "payload", e.SerializeAsString()});
    ASSERT_TRUE(r.ok()) << r.status();
  };
  constexpr char kNewcomer[] = "2d2d2d2d-0000-4000-8000-000000000001";
  mv1::MembershipEvent joined =
      Membership(kNetwork, kNewcomer, "Nouvelle SAS", mv1::MEMBERSHIP_STATE_ACTIVE, 3);
  publish(joined);
  publish(joined);  // delivered twice: applied once
  // An older event arriving late changes nothing.
  publish(Membership(kNetwork, kNewcomer, "Nouvelle SAS", mv1::MEMBERSHIP_STATE_APPLIED, 1));
  ASSERT_TRUE(Eventually([&] { return Progress(c).participants() == 7; }));
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(Progress(c).participants(), 7);
  publish(Membership(kNetwork, kNewcomer, "Nouvelle SAS", mv1::MEMBERSHIP_STATE_SUSPENDED, 4));
  EXPECT_TRUE(Eventually([&] { return Progress(c).participants() == 6; }));
}

TEST_F(CampaignTest, TheAnalysisIsCachedAndStillAnswersWithRedisDown) {
  v1::Campaign c = Open();
  v1::Assessment a;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        Submit(i, c, {Answer("it_infrastructure.support", v1::LEVEL_LOW, v1::LEVEL_LOW, 5000)}, &a)
            .ok());
  }
  v1::CampaignAnalysis first = Analysis(Company(0), c);
  // Served from Redis: the same computation, time included.
  v1::CampaignAnalysis second = Analysis(Company(0), c);
  EXPECT_EQ(second.compute_time().seconds(), first.compute_time().seconds());
  EXPECT_EQ(For(second, "it_infrastructure.support").demand().exact(), 3);
  // A submission recomputes it.
  ASSERT_TRUE(
      Submit(3, c, {Answer("it_infrastructure.support", v1::LEVEL_LOW, v1::LEVEL_LOW, 5000)}, &a)
          .ok());
  EXPECT_EQ(For(Analysis(Company(0), c), "it_infrastructure.support").demand().exact(), 4);

  ServiceHarness::redis_server()->Stop();
  v1::CampaignAnalysis without_redis = Analysis(Company(1), c);
  EXPECT_EQ(For(without_redis, "it_infrastructure.support").demand().exact(), 4);
  ASSERT_TRUE(ServiceHarness::redis_server()->Restart().ok());
}

}  // namespace
}  // namespace maillage::assessment
