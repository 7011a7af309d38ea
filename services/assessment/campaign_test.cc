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

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/events/outbox.h"
#include "common/redis/cache.h"
#include "common/redis/near_cache.h"
#include "common/status/status.h"
#include "common/testing/harness.h"
#include "maillage/assessment/v1/assessment.grpc.pb.h"
#include "maillage/membership/v1/events.pb.h"
#include "services/assessment/assessment_runtime.h"
#include "services/assessment/member_directory.h"
#include "services/assessment/network_analysis.h"

namespace maillage::assessment {
namespace {

using ::maillage::testing::HarnessOptions;
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
    HarnessOptions options = Options();
    options.env["MAILLAGE_MEMBERSHIP_EVENTS_STREAM"] = stream_;
    ASSERT_TRUE(h_.Start([this](ServiceRuntime& rt) { return Build(rt, &built_); }, options).ok());
    stub_ = v1::AssessmentService::NewStub(h_.channel());
    Join(kAnimatorOrg, "Agence Sud", 1);
    for (int i = 0; i < 5; ++i) Join(kCompanies[i], absl::StrCat("Entreprise ", i + 1), 1);
    ASSERT_TRUE(built_.members
                    ->Apply(Membership(kOtherNetwork, kOutsider, "Ailleurs SARL",
                                       mv1::MEMBERSHIP_STATE_ACTIVE, 1))
                    .ok());
  }

  virtual HarnessOptions Options() { return {}; }

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

  // A company whose IT support is weak and not strategic (5,000 EUR a year): one more that
  // would pool or outsource it.
  grpc::Status SubmitWeakItSupport(int company, const v1::Campaign& c) {
    v1::Assessment out;
    return Submit(company, c,
                  {Answer("it_infrastructure.support", v1::LEVEL_LOW, v1::LEVEL_LOW, 5000)}, &out);
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

  v1::CreateDiagnosticCampaignRequest dc;
  dc.set_network_id(kNetwork);
  dc.mutable_campaign()->set_title("Diagnostic");
  dc.mutable_campaign()->mutable_end_time()->set_seconds(
      absl::ToUnixSeconds(absl::Now() + absl::Hours(24)));
  v1::DiagnosticCampaign diagnostic;
  ASSERT_TRUE(
      h_.Call(stub_.get(), &Stub::CreateDiagnosticCampaign, Animator(), dc, &diagnostic).ok());
  rpcs["GetDiagnostic"] = [&](const auth::Principal& who) {
    v1::GetDiagnosticRequest r;
    r.set_campaign_id(diagnostic.campaign_id());
    r.set_organisation_id(kCompanies[0]);
    v1::CompanyDiagnostic out;
    return h_.Call(stub_.get(), &Stub::GetDiagnostic, who, r, &out);
  };
  rpcs["SubmitDiagnostic"] = [&](const auth::Principal& who) {
    v1::SubmitDiagnosticRequest r;
    r.set_campaign_id(diagnostic.campaign_id());
    r.set_organisation_id(kCompanies[0]);
    r.set_expected_version(-1);  // refused by validation once let in
    v1::CompanyDiagnostic out;
    return h_.Call(stub_.get(), &Stub::SubmitDiagnostic, who, r, &out);
  };
  rpcs["GetDiagnosticBenchmark"] = [&](const auth::Principal& who) {
    v1::GetDiagnosticBenchmarkRequest r;
    r.set_campaign_id(diagnostic.campaign_id());
    v1::DiagnosticBenchmark out;
    return h_.Call(stub_.get(), &Stub::GetDiagnosticBenchmark, who, r, &out);
  };
  rpcs["SaveDiagnosticTemplate"] = [&](const auth::Principal& who) {
    v1::SaveDiagnosticTemplateRequest r;
    r.set_network_id(kNetwork);  // an empty questionnaire: refused by validation once let in
    v1::DiagnosticTemplate out;
    return h_.Call(stub_.get(), &Stub::SaveDiagnosticTemplate, who, r, &out);
  };
  rpcs["ImportCampaignAnswers"] = [&](const auth::Principal& who) {
    v1::ImportCampaignAnswersRequest r;
    r.set_campaign_id(campaign);  // an empty file: refused by validation once let in
    v1::ImportAnswersReport out;
    return h_.Call(stub_.get(), &Stub::ImportCampaignAnswers, who, r, &out);
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
      {"GetDiagnostic",
       {{"animator", ok},
        {"the company", ok},
        {"another member", hidden},
        {"a member elsewhere", hidden},
        {"an animator elsewhere", hidden}}},
      {"SubmitDiagnostic",
       {{"animator", bad},
        {"the company", bad},
        {"another member", hidden},
        {"a member elsewhere", hidden},
        {"an animator elsewhere", hidden}}},
      {"GetDiagnosticBenchmark",
       {{"animator", ok},
        {"the company", ok},
        {"another member", ok},
        {"a member elsewhere", hidden},
        {"an animator elsewhere", hidden}}},
      {"SaveDiagnosticTemplate",
       {{"animator", bad},
        {"the company", denied},
        {"another member", denied},
        {"a member elsewhere", denied},
        {"an animator elsewhere", denied}}},
      {"ImportCampaignAnswers",
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
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(SubmitWeakItSupport(i, c).ok());
  v1::CampaignAnalysis first = Analysis(Company(0), c);
  // Served from Redis: the same computation, time included.
  v1::CampaignAnalysis second = Analysis(Company(0), c);
  EXPECT_EQ(second.compute_time().seconds(), first.compute_time().seconds());
  EXPECT_EQ(For(second, "it_infrastructure.support").demand().exact(), 3);
  // A submission recomputes it.
  ASSERT_TRUE(SubmitWeakItSupport(3, c).ok());
  EXPECT_EQ(For(Analysis(Company(0), c), "it_infrastructure.support").demand().exact(), 4);

  ServiceHarness::redis_server()->Stop();
  v1::CampaignAnalysis without_redis = Analysis(Company(1), c);
  EXPECT_EQ(For(without_redis, "it_infrastructure.support").demand().exact(), 4);
  ASSERT_TRUE(ServiceHarness::redis_server()->Restart().ok());
}

// With the near cache, as deployed: each replica keeps analyses in memory.
class CampaignReplicasTest : public CampaignTest {
 protected:
  HarnessOptions Options() override {
    // Entries would live 10 minutes: only an invalidation can make a change visible here.
    return {.near_cache = true, .env = {{"MAILLAGE_NEAR_CACHE_TTL_MS", "600000"}}};
  }
};

// A change is seen at once by the replica that made it, and within moments by the others,
// including a change only one replica learnt of (a member leaving, from membership's events,
// which one replica consumes).
TEST_F(CampaignReplicasTest, EveryReplicaSeesTheAnalysisChange) {
  ASSERT_NE(h_.runtime()->near_cache(), nullptr);
  v1::Campaign c = Open();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(SubmitWeakItSupport(i, c).ok());
  ASSERT_TRUE(Eventually([&] { return h_.runtime()->follower()->following(); }));
  EXPECT_EQ(Analysis(Animator(), c, v1::ANALYSIS_VIEW_BASIC).participants().exact(), 6);
  const int64_t hits = h_.runtime()->near_cache()->stats().hits;
  EXPECT_EQ(Analysis(Animator(), c, v1::ANALYSIS_VIEW_BASIC).participants().exact(), 6);
  EXPECT_GT(h_.runtime()->near_cache()->stats().hits, hits);

  // This replica takes a submission: its next analysis counts it.
  ASSERT_TRUE(SubmitWeakItSupport(3, c).ok());
  EXPECT_EQ(For(Analysis(Animator(), c, v1::ANALYSIS_VIEW_BASIC), "it_infrastructure.support")
                .demand()
                .exact(),
            4);

  // Another replica (its own caches over the same Redis) consumes the event of a company
  // leaving the network and invalidates the network's analyses.
  auto other_redis = std::make_unique<redis::ReadThroughCache>(
      h_.runtime()->redis(), h_.runtime()->redis_prefix(), absl::Minutes(5));
  redis::NearCache other_near(other_redis.get(),
                              {.broadcast_pool = h_.runtime()->redis(),
                               .broadcast_stream = Definition().cache_invalidations_stream});
  NetworkAnalysis other_analysis({.campaigns = built_.campaigns,
                                  .functions = built_.store,
                                  .members = built_.members,
                                  .cache = &other_near});
  Join(kCompanies[4], "Entreprise 5", 2, mv1::MEMBERSHIP_STATE_LEFT);
  other_analysis.InvalidateNetwork(kNetwork);
  EXPECT_TRUE(Eventually([&] {
    return Analysis(Animator(), c, v1::ANALYSIS_VIEW_BASIC).participants().exact() == 5;
  }));
  EXPECT_EQ(other_near.stats().broadcast_failures, 0);
}

TEST_F(CampaignTest, AnimatorsExportTheSheetAndImportWhatWasFilledOnPaper) {
  v1::Campaign c = Open();
  v1::Assessment a;
  ASSERT_TRUE(Submit(0, c, {Answer("recruitment", v1::LEVEL_LOW, v1::LEVEL_LOW, 20000)}, &a).ok());
  auto exported = [&](const auth::Principal& who, grpc::Status* status) {
    v1::ExportCampaignAnswersRequest req;
    req.set_campaign_id(c.campaign_id());
    std::unique_ptr<grpc::ClientContext> ctx = ServiceHarness::Context(who);
    auto reader = stub_->ExportCampaignAnswers(ctx.get(), req);
    std::string csv;
    v1::CsvChunk chunk;
    while (reader->Read(&chunk)) csv += chunk.data();
    *status = reader->Finish();
    return csv;
  };
  grpc::Status s;
  const std::string sheet = exported(Animator(), &s);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::vector<std::string> lines = absl::StrSplit(sheet, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u + 6 * 3);  // the header, every participant x every function
  EXPECT_THAT(sheet, HasSubstr(absl::StrCat(kCompanies[0],
                                            ",Entreprise 1,submitted,1,recruitment,"
                                            "Recrutement,low,low,pool_or_outsource,20000,")));
  EXPECT_THAT(sheet, HasSubstr(absl::StrCat(kCompanies[1],
                                            ",Entreprise 2,not_started,,purchasing.supplies,")));
  // Members do not export other companies' answers.
  exported(Company(1), &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);

  // The workshop's sheet: the second and third companies filled in recruitment on paper; the
  // first one's rows came back as they were exported.
  std::string filled = lines[0] + "\n";
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string line = lines[i];
    for (int k : {1, 2}) {
      const std::string prefix = absl::StrCat(kCompanies[k], ",Entreprise ", k + 1,
                                              ",not_started,,recruitment,Recrutement,");
      if (absl::StartsWith(line, prefix)) {
        line = absl::StrCat(prefix, "faible,faible,,8000,,oui,non,Sur papier");
      }
    }
    filled += line + "\n";
  }
  v1::ImportCampaignAnswersRequest import;
  import.set_campaign_id(c.campaign_id());
  import.set_csv(filled);
  import.set_dry_run(true);
  v1::ImportAnswersReport report;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::ImportCampaignAnswers, Animator(), import, &report).ok());
  EXPECT_EQ(report.rows(), 18);
  EXPECT_EQ(report.answered_rows(), 3);
  EXPECT_EQ(report.organisations_submitted(), 2);
  EXPECT_EQ(report.organisations_unchanged(), 1);              // company 1 was already that
  EXPECT_EQ(h_.Count("SELECT count(*) FROM submissions"), 1);  // a dry run writes nothing
  import.set_dry_run(false);
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::ImportCampaignAnswers, Animator(), import, &report).ok());
  EXPECT_EQ(h_.Count("SELECT count(*) FROM submissions"), 3);
  EXPECT_EQ(For(Analysis(Animator(), c), "recruitment").demand().exact(), 3);
  v1::GetAssessmentRequest get;
  get.set_campaign_id(c.campaign_id());
  get.set_organisation_id(kCompanies[1]);
  v1::Assessment paper;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetAssessment, Company(1), get, &paper).ok());
  EXPECT_EQ(paper.answers(0).comment(), "Sur papier");
  EXPECT_EQ(paper.answers(0).disposition(), v1::DISPOSITION_POOL_OR_OUTSOURCE);

  // A file with problems writes nothing and names each line: a function outside the
  // campaign, a company of another network.
  import.set_csv(absl::StrCat("organisation_id,function_code,efficiency,importance\n",
                              kCompanies[3], ",recruitment,low,low\n", kCompanies[3],
                              ",insurance,low,low\n", kOutsider, ",legal,high,high\n"));
  s = h_.Call(stub_.get(), &Stub::ImportCampaignAnswers, Animator(), import, &report);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolationsOf(FromGrpcStatus(s))) fields.push_back(v.field);
  EXPECT_THAT(fields, ::testing::ElementsAre("csv[3].function_code", "csv[4].organisation_id"));
  EXPECT_EQ(h_.Count("SELECT count(*) FROM submissions"), 3);
}

// ---- The 360° diagnostic ----

v1::QuestionAnswer Scale(const std::string& question, int value) {
  v1::QuestionAnswer a;
  a.set_question_code(question);
  a.set_scale(value);
  return a;
}

v1::QuestionAnswer YesNo(const std::string& question, bool yes) {
  v1::QuestionAnswer a;
  a.set_question_code(question);
  a.set_yes(yes);
  return a;
}

TEST_F(CampaignTest, AnAnimatorShapesAQuestionnaireFromTheDefaultOne) {
  v1::ListDiagnosticTemplatesRequest list;
  list.set_network_id(kNetwork);
  v1::ListDiagnosticTemplatesResponse templates;
  ASSERT_TRUE(
      h_.Call(stub_.get(), &Stub::ListDiagnosticTemplates, Company(0), list, &templates).ok());
  ASSERT_EQ(templates.templates_size(), 1);
  v1::DiagnosticTemplate t = templates.templates(0);
  EXPECT_EQ(t.template_id(), "default");
  EXPECT_EQ(t.dimensions_size(), 6);

  // A copy for the building artisans: the digital dimension's questions left out.
  v1::SaveDiagnosticTemplateRequest save;
  save.set_network_id(kNetwork);
  *save.mutable_template_() = t;
  save.mutable_template_()->clear_template_id();
  save.mutable_template_()->set_title_fr("Diagnostic des artisans du bâtiment");
  save.mutable_template_()->clear_questions();
  for (const v1::Question& q : t.questions()) {
    if (q.dimension_code() != "digital") *save.mutable_template_()->add_questions() = q;
  }
  v1::DiagnosticTemplate own;
  grpc::Status s = h_.Call(stub_.get(), &Stub::SaveDiagnosticTemplate, Animator(), save, &own);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(own.version(), 1);
  EXPECT_EQ(own.network_id(), kNetwork);
  // A new version needs the current one; a member may not edit; the default is not edited.
  *save.mutable_template_() = own;
  save.set_expected_version(1);
  save.mutable_template_()->set_title_en("Building artisans' diagnostic");
  v1::DiagnosticTemplate second;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::SaveDiagnosticTemplate, Animator(), save, &second).ok());
  EXPECT_EQ(second.version(), 2);
  EXPECT_EQ(
      h_.Call(stub_.get(), &Stub::SaveDiagnosticTemplate, Animator(), save, &second).error_code(),
      grpc::StatusCode::ABORTED);
  EXPECT_EQ(
      h_.Call(stub_.get(), &Stub::SaveDiagnosticTemplate, Company(1), save, &second).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  save.mutable_template_()->set_template_id("default");
  s = h_.Call(stub_.get(), &Stub::SaveDiagnosticTemplate, Animator(), save, &second);
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(s)).at(0).field, "template.template_id");
  // A question in no dimension is named.
  save.mutable_template_()->set_template_id(own.template_id());
  save.set_expected_version(2);
  save.mutable_template_()->mutable_questions(0)->set_dimension_code("nowhere");
  s = h_.Call(stub_.get(), &Stub::SaveDiagnosticTemplate, Animator(), save, &second);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("template.questions[0].dimension_code"));

  ASSERT_TRUE(
      h_.Call(stub_.get(), &Stub::ListDiagnosticTemplates, Company(0), list, &templates).ok());
  ASSERT_EQ(templates.templates_size(), 2);
  EXPECT_EQ(templates.templates(1).version(), 2);
  // Another network does not see it.
  list.set_network_id(kOtherNetwork);
  ASSERT_TRUE(
      h_.Call(stub_.get(), &Stub::ListDiagnosticTemplates, OtherMember(), list, &templates).ok());
  EXPECT_EQ(templates.templates_size(), 1);
}

TEST_F(CampaignTest, ACollectiveDiagnosticScoresEachCompanyBesideItsPeers) {
  // A collective operation for four of the network's companies.
  v1::CreateDiagnosticCampaignRequest create;
  create.set_network_id(kNetwork);
  create.mutable_campaign()->set_title("Opération collective artisans 2026");
  create.mutable_campaign()->mutable_end_time()->set_seconds(
      absl::ToUnixSeconds(absl::Now() + absl::Hours(24 * 60)));
  for (int i = 0; i < 4; ++i) create.mutable_campaign()->add_organisation_ids(kCompanies[i]);
  v1::DiagnosticCampaign campaign;
  grpc::Status s =
      h_.Call(stub_.get(), &Stub::CreateDiagnosticCampaign, Animator(), create, &campaign);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(campaign.template_id(), "default");
  EXPECT_EQ(campaign.template_version(), 1);

  auto submit = [&](int company, int strategy, bool customers, std::vector<v1::Obstacle> obstacles,
                    v1::CompanyDiagnostic* out, const auth::Principal* as = nullptr) {
    v1::SubmitDiagnosticRequest req;
    req.set_campaign_id(campaign.campaign_id());
    req.set_organisation_id(kCompanies[company]);
    *req.add_answers() = Scale("ma_strategy", strategy);
    *req.add_answers() = YesNo("ma_customers", customers);
    for (v1::Obstacle o : obstacles) req.add_obstacles(o);
    return h_.Call(stub_.get(), &Stub::SubmitDiagnostic, as ? *as : Company(company), req, out);
  };
  v1::CompanyDiagnostic d;
  ASSERT_TRUE(submit(0, 5, true, {v1::OBSTACLE_FINANCIAL}, &d).ok());
  // market_access: (100 x 2 + 100 x 1) / 3 = 100; nobody else yet: the peers are withheld.
  EXPECT_EQ(d.scores(0).dimension_code(), "market_access");
  EXPECT_EQ(d.scores(0).score(), 100);
  EXPECT_TRUE(d.benchmark(0).withheld());
  EXPECT_EQ(d.benchmark(0).companies().fewer_than(), 3);
  // The animator runs the interview for company 2; company 3 answers itself.
  const auth::Principal animator = Animator();
  ASSERT_TRUE(submit(1, 1, false, {v1::OBSTACLE_FINANCIAL}, &d, &animator).ok());
  ASSERT_TRUE(submit(2, 3, true, {v1::OBSTACLE_SKILLS, v1::OBSTACLE_FINANCIAL}, &d).ok());
  EXPECT_FALSE(d.benchmark(0).withheld());
  EXPECT_EQ(d.benchmark(0).companies().exact(), 3);
  EXPECT_DOUBLE_EQ(d.benchmark(0).median(), 67);  // scores 100, 0 and 67
  // Company 5 is not in the operation; an unknown obstacle and a bad scale are named.
  s = submit(4, 3, true, {}, &d);
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(s)).at(0).field, "organisation_id");
  s = submit(3, 3, true, {static_cast<v1::Obstacle>(42)}, &d);
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(s)).at(0).field, "obstacles[0]");
  s = submit(3, 9, true, {}, &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("answers[0].scale"));

  // The benchmark for members: three of four answered, all three ticked the financial
  // obstacle (shown), one the skills (fewer than 3).
  v1::GetDiagnosticBenchmarkRequest bench;
  bench.set_campaign_id(campaign.campaign_id());
  v1::DiagnosticBenchmark b;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetDiagnosticBenchmark, Company(4), bench, &b).ok());
  EXPECT_EQ(b.submitted().exact(), 3);
  EXPECT_EQ(b.participants().exact(), 4);
  for (const v1::ObstacleCount& o : b.obstacles()) {
    if (o.obstacle() == v1::OBSTACLE_FINANCIAL) {
      EXPECT_EQ(o.companies().exact(), 3);
    } else if (o.obstacle() == v1::OBSTACLE_SKILLS) {
      EXPECT_EQ(o.companies().fewer_than(), 3);
    }
  }

  // The action plan, by the company; its answers stay as they were.
  v1::SaveActionPlanRequest plan;
  plan.set_campaign_id(campaign.campaign_id());
  plan.set_organisation_id(kCompanies[1]);
  plan.set_expected_version(1);
  v1::PlannedAction* action = plan.add_actions();
  action->set_title("Formaliser une stratégie commerciale avec la CCI");
  action->set_dimension_code("market_access");
  action->set_owner("Gérante");
  action->mutable_due_time()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(24 * 90)));
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::SaveActionPlan, Company(1), plan, &d).ok());
  EXPECT_EQ(d.actions(0).status(), v1::ACTION_STATUS_PLANNED);
  EXPECT_EQ(d.answers_size(), 2);
  EXPECT_EQ(d.version(), 2);
  plan.mutable_actions(0)->set_dimension_code("astrology");
  s = h_.Call(stub_.get(), &Stub::SaveActionPlan, Company(1), plan, &d);
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(s)).at(0).field, "actions[0].dimension_code");

  // Only the company and the animators read it.
  v1::GetDiagnosticRequest get;
  get.set_campaign_id(campaign.campaign_id());
  get.set_organisation_id(kCompanies[1]);
  EXPECT_TRUE(h_.Call(stub_.get(), &Stub::GetDiagnostic, Animator(), get, &d).ok());
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::GetDiagnostic, Company(0), get, &d).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::GetDiagnostic, OtherAnimator(), get, &d).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(h_.Count("SELECT count(*) FROM outbox WHERE event_type = "
                     "'assessment.DiagnosticSubmitted'"),
            3);
}

}  // namespace
}  // namespace maillage::assessment
