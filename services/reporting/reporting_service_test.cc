// The reporting service on real PostgreSQL and Redis (common/testing/harness.h): a network's
// introductions, memberships and assessments arrive as the other services' events, and its
// animator reads the funnel, the graph and the engagement a person can check by hand.
#include "services/reporting/reporting_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/authz/authz.h"
#include "common/events/outbox.h"
#include "common/redis/redis.h"
#include "common/status/status.h"
#include "common/testing/harness.h"
#include "maillage/assessment/v1/assessment.pb.h"
#include "maillage/matching/v1/matching.pb.h"
#include "maillage/membership/v1/events.pb.h"
#include "maillage/reporting/v1/reporting.grpc.pb.h"
#include "services/reporting/network_snapshot.h"
#include "services/reporting/reporting_runtime.h"
#include "services/reporting/reporting_store.h"

namespace maillage::reporting {
namespace {

namespace mv1 = ::maillage::membership::v1;
namespace xv1 = ::maillage::matching::v1;
namespace av1 = ::maillage::assessment::v1;
using ::maillage::testing::HarnessOptions;
using ::maillage::testing::ServiceHarness;
using ::testing::HasSubstr;
using Stub = v1::ReportingService::Stub;

constexpr char kNetwork[] = "3b0c6a5e-1f2d-4e3c-8a9b-0c1d2e3f4a5b";
constexpr char kOtherNetwork[] = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b";
// Active members A..E and G, F suspended; the animator's association; an outsider.
const std::map<char, std::string> kOrg = {
    {'A', "aaaaaaaa-0000-4000-8000-000000000001"}, {'B', "bbbbbbbb-0000-4000-8000-000000000002"},
    {'C', "cccccccc-0000-4000-8000-000000000003"}, {'D', "dddddddd-0000-4000-8000-000000000004"},
    {'E', "eeeeeeee-0000-4000-8000-000000000005"}, {'F', "ffffffff-0000-4000-8000-000000000006"},
    {'G', "99999999-0000-4000-8000-000000000007"}, {'N', "12121212-0000-4000-8000-000000000008"},
    {'X', "34343434-0000-4000-8000-000000000009"}, {'H', "56565656-0000-4000-8000-00000000000a"},
    {'R', "78787878-0000-4000-8000-00000000000b"}};

bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 200; ++i) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(25));
  }
  return done();
}

void SetTime(google::protobuf::Timestamp* t, absl::Time at) {
  t->set_seconds(absl::ToUnixSeconds(at));
}

class ReportingServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    const int i = n++;
    HarnessOptions options;
    for (const char* service : {"membership", "matching", "assessment"}) {
      streams_[service] = absl::StrCat("maillage.", service, ".events.test", getpid(), "-r", i);
    }
    options.env["MAILLAGE_MEMBERSHIP_EVENTS_STREAM"] = streams_["membership"];
    options.env["MAILLAGE_MATCHING_EVENTS_STREAM"] = streams_["matching"];
    options.env["MAILLAGE_ASSESSMENT_EVENTS_STREAM"] = streams_["assessment"];
    ASSERT_TRUE(h_.Start([this](ServiceRuntime& rt) { return Build(rt, &built_); }, options).ok());
    stub_ = v1::ReportingService::NewStub(h_.channel());
    for (char c : std::string("ABCDEFGN")) {
      Member(kNetwork, c,
             c == 'F' ? mv1::MEMBERSHIP_STATE_SUSPENDED : mv1::MEMBERSHIP_STATE_ACTIVE);
    }
    Member(kOtherNetwork, 'X', mv1::MEMBERSHIP_STATE_ACTIVE);
  }

  void Member(const std::string& network, char c, mv1::MembershipState state, int64_t version = 1,
              auth::v1::NetworkRole role = auth::v1::NETWORK_ROLE_MEMBER) {
    mv1::MembershipEvent e;
    e.set_event_id(events::NewEventId());
    mv1::Membership* m = e.mutable_membership_changed()->mutable_membership();
    m->set_network_id(network);
    m->set_organisation_id(kOrg.at(c));
    m->set_organisation_name(absl::StrCat("Entreprise ", std::string(1, c)));
    m->set_state(state);
    m->set_version(version);
    m->set_role(role);
    ASSERT_TRUE(built_.store->ApplyMembership(e).ok());
  }

  // What membership says of an organisation: its sector (NACE section) and size.
  void Organisation(char c, const std::string& nace_section, mv1::HeadcountBand band) {
    mv1::MembershipEvent e;
    e.set_event_id(events::NewEventId());
    mv1::Organisation* o = e.mutable_organisation_updated()->mutable_organisation();
    o->set_organisation_id(kOrg.at(c));
    o->set_legal_name(absl::StrCat("Entreprise ", std::string(1, c)));
    o->set_nace_section(nace_section);
    o->set_headcount_band(band);
    o->set_version(++organisation_versions_[c]);
    ASSERT_TRUE(built_.store->ApplyMembership(e).ok());
  }

  // Assessment's pooling decision for `function` in `network`.
  std::string Decision(const std::string& network, const std::string& function) {
    av1::AssessmentEvent e;
    e.set_event_id(events::NewEventId());
    e.set_network_id(network);
    av1::PoolingDecision* d = e.mutable_decision_recorded();
    d->set_decision_id(events::NewEventId());
    d->set_network_id(network);
    d->set_function_code(function);
    d->set_modality(av1::POOLING_MODALITY_GROUP_PURCHASING);
    EXPECT_TRUE(built_.store->ApplyAssessment(e).ok());
    return d->decision_id();
  }

  // An introduction from `from` to `to`, requested `days_ago`, then answered and followed
  // as given (each step one event, as matching publishes them).
  xv1::MatchingEvent Introduction(char from, char to, xv1::IntroductionState state,
                                  xv1::IntroductionOutcome outcome, int64_t version,
                                  int days_ago = 10) {
    xv1::MatchingEvent e;
    e.set_event_id(events::NewEventId());
    xv1::Introduction* i =
        state == xv1::INTRODUCTION_STATE_REQUESTED ? e.mutable_introduction_requested()
        : outcome != xv1::INTRODUCTION_OUTCOME_UNSPECIFIED
            ? e.mutable_introduction_outcome_recorded()
        : state == xv1::INTRODUCTION_STATE_ACCEPTED ? e.mutable_introduction_accepted()
                                                    : e.mutable_introduction_declined();
    i->set_introduction_id(IntroductionId(from, to));
    i->set_network_id(kNetwork);
    i->set_requester_organisation_id(kOrg.at(from));
    i->set_recipient_organisation_id(kOrg.at(to));
    i->set_state(state);
    i->set_outcome(outcome);
    i->set_version(version);
    const absl::Time asked = absl::Now() - absl::Hours(24 * days_ago);
    SetTime(i->mutable_request_time(), asked);
    if (state != xv1::INTRODUCTION_STATE_REQUESTED) {
      SetTime(i->mutable_respond_time(), asked + absl::Hours(24));
    }
    if (outcome != xv1::INTRODUCTION_OUTCOME_UNSPECIFIED) {
      SetTime(i->mutable_outcome_time(), asked + absl::Hours(48));
    }
    return e;
  }
  static std::string IntroductionId(char from, char to) {
    return absl::StrCat("5e5e5e5e-0000-4000-8000-00000000", absl::Hex(from, absl::kZeroPad2),
                        absl::Hex(to, absl::kZeroPad2));
  }
  void Apply(const xv1::MatchingEvent& e) { ASSERT_TRUE(built_.store->ApplyMatching(e).ok()); }

  // A -> B: a contract; A -> C: they met; D -> B: declined; C -> A: not answered yet;
  // B -> F: accepted, but F is suspended. E answered an assessment; G did nothing.
  void TheUsual() {
    using xv1::INTRODUCTION_OUTCOME_CONTRACT;
    using xv1::INTRODUCTION_OUTCOME_MET;
    using xv1::INTRODUCTION_OUTCOME_UNSPECIFIED;
    using xv1::INTRODUCTION_STATE_ACCEPTED;
    using xv1::INTRODUCTION_STATE_DECLINED;
    using xv1::INTRODUCTION_STATE_REQUESTED;
    Apply(
        Introduction('A', 'B', INTRODUCTION_STATE_REQUESTED, INTRODUCTION_OUTCOME_UNSPECIFIED, 1));
    Apply(Introduction('A', 'B', INTRODUCTION_STATE_ACCEPTED, INTRODUCTION_OUTCOME_UNSPECIFIED, 2));
    Apply(Introduction('A', 'B', INTRODUCTION_STATE_ACCEPTED, INTRODUCTION_OUTCOME_CONTRACT, 3));
    Apply(Introduction('A', 'C', INTRODUCTION_STATE_ACCEPTED, INTRODUCTION_OUTCOME_MET, 3));
    Apply(Introduction('D', 'B', INTRODUCTION_STATE_DECLINED, INTRODUCTION_OUTCOME_UNSPECIFIED, 2));
    Apply(
        Introduction('C', 'A', INTRODUCTION_STATE_REQUESTED, INTRODUCTION_OUTCOME_UNSPECIFIED, 1));
    Apply(Introduction('B', 'F', INTRODUCTION_STATE_ACCEPTED, INTRODUCTION_OUTCOME_UNSPECIFIED, 2));
    // A late, older event changes nothing.
    Apply(
        Introduction('A', 'B', INTRODUCTION_STATE_REQUESTED, INTRODUCTION_OUTCOME_UNSPECIFIED, 1));
    av1::AssessmentEvent submitted;
    submitted.set_event_id(events::NewEventId());
    submitted.set_network_id(kNetwork);
    SetTime(submitted.mutable_occur_time(), absl::Now() - absl::Hours(24 * 3));
    submitted.mutable_assessment_submitted()->set_campaign_id(
        "6c6c6c6c-0000-4000-8000-000000000001");
    submitted.mutable_assessment_submitted()->set_organisation_id(kOrg.at('E'));
    submitted.mutable_assessment_submitted()->set_revision(1);
    ASSERT_TRUE(built_.store->ApplyAssessment(submitted).ok());
    ASSERT_TRUE(built_.store->ApplyAssessment(submitted).ok());  // redelivered: once
  }

  static auth::Principal Animator() {
    return ServiceHarness::ActingFor(kOrg.at('N'), {{kNetwork, auth::v1::NETWORK_ROLE_ANIMATOR}});
  }

  std::map<std::string, std::string> streams_;
  std::map<char, int64_t> organisation_versions_;
  ServiceHarness h_{Definition()};
  Built built_;
  std::unique_ptr<Stub> stub_;
};

TEST(ReportingAuthzTableTest, EveryRpcHasExactlyOneRow) {
  EXPECT_THAT(authz::CoverageProblems(
                  ReportingAuthzTable({}, {}, {}),
                  *v1::Period::descriptor()->file()->FindServiceByName("ReportingService")),
              ::testing::IsEmpty());
}

TEST_F(ReportingServiceTest, TheFunnelCountsEachStageFromTheIntroductionsEvents) {
  TheUsual();
  v1::GetIntroductionFunnelRequest req;
  req.set_network_id(kNetwork);
  v1::IntroductionFunnel f;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetIntroductionFunnel, Animator(), req, &f).ok());
  std::map<std::string, int64_t> count;
  for (const v1::FunnelStage& s : f.stages()) count[s.stage()] = s.count();
  EXPECT_EQ(count["requested"], 5);
  EXPECT_EQ(count["accepted"], 3);
  EXPECT_EQ(count["met"], 2);
  EXPECT_EQ(count["letter_of_intent"], 1);
  EXPECT_EQ(count["contract"], 1);
  EXPECT_DOUBLE_EQ(f.stages(1).share_of_previous(), 3.0 / 5);
  EXPECT_EQ(f.declined(), 1);
  EXPECT_EQ(f.pending(), 1);
  // A period that ends before they were asked: nothing.
  SetTime(req.mutable_period()->mutable_end_time(), absl::Now() - absl::Hours(24 * 30));
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetIntroductionFunnel, Animator(), req, &f).ok());
  EXPECT_EQ(f.stages(0).count(), 0);
  EXPECT_EQ(f.stages(1).share_of_previous(), 0);
}

TEST_F(ReportingServiceTest, TheGraphShowsWhoHoldsTheNetworkTogetherAndWhoIsAlone) {
  TheUsual();
  v1::GetNetworkGraphRequest req;
  req.set_network_id(kNetwork);
  v1::NetworkGraph g;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetNetworkGraph, Animator(), req, &g).ok());
  // Active members only: A, B, C, D, E, G and the animator's association N.
  ASSERT_EQ(g.nodes_size(), 7);
  std::map<std::string, const v1::GraphNode*> node;
  for (const v1::GraphNode& n : g.nodes()) node[n.name()] = &n;
  const v1::GraphNode& a = *node.at("Entreprise A");
  EXPECT_EQ(a.degree(), 2);
  EXPECT_TRUE(a.bridges());
  // Of the 15 pairs of the six others, only (B, C) goes through A.
  EXPECT_NEAR(a.betweenness(), 1.0 / 15, 1e-9);
  EXPECT_EQ(a.component(), 0);
  EXPECT_TRUE(node.at("Entreprise D")->isolated());  // declined: no link
  EXPECT_FALSE(node.at("Entreprise B")->isolated());
  EXPECT_EQ(g.isolated(), 4);    // D, E, G, N
  EXPECT_EQ(g.components(), 5);  // {A, B, C} and the four alone
  ASSERT_EQ(g.edges_size(), 2);  // A-B and A-C; B-F left out with F suspended
  std::map<v1::LinkKind, int> kinds;
  for (const v1::GraphEdge& e : g.edges()) ++kinds[e.kind()];
  EXPECT_EQ(kinds[v1::LINK_KIND_COLLABORATION], 1);
  EXPECT_EQ(kinds[v1::LINK_KIND_MET], 1);

  req.set_format(v1::GRAPH_FORMAT_GRAPHML);
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetNetworkGraph, Animator(), req, &g).ok());
  EXPECT_EQ(g.nodes_size(), 0);
  EXPECT_THAT(g.graphml(), HasSubstr("<data key=\"name\">Entreprise A</data>"));
  EXPECT_THAT(g.graphml(), HasSubstr("<data key=\"kind\">collaboration</data>"));
  EXPECT_THAT(g.graphml(), ::testing::Not(HasSubstr(kOrg.at('F'))));
}

TEST_F(ReportingServiceTest, EngagementScoresEachMemberAndListsThoseToCall) {
  TheUsual();
  v1::GetEngagementRequest req;
  req.set_network_id(kNetwork);
  v1::EngagementReport r;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetEngagement, Animator(), req, &r).ok());
  std::map<std::string, const v1::MemberEngagement*> by;
  for (const v1::MemberEngagement& m : r.members()) by[m.name()] = &m;
  ASSERT_EQ(by.size(), 7u);
  const v1::MemberEngagement& a = *by.at("Entreprise A");
  EXPECT_EQ(a.introductions_requested(), 2);
  EXPECT_EQ(a.introductions_received(), 1);
  EXPECT_EQ(a.introductions_answered(), 0);
  EXPECT_EQ(a.introductions_accepted(), 2);
  EXPECT_EQ(a.outcomes_recorded(), 2);
  EXPECT_EQ(a.score(), 2 * 2 + 3 * 2 + 2 * 2);
  const v1::MemberEngagement& b = *by.at("Entreprise B");
  EXPECT_EQ(b.introductions_answered(), 2);  // accepted A's, declined D's
  EXPECT_EQ(by.at("Entreprise E")->assessments_submitted(), 1);
  EXPECT_EQ(by.at("Entreprise E")->score(), 3);
  EXPECT_THAT(r.isolated_organisation_ids(),
              ::testing::UnorderedElementsAre(kOrg.at('G'), kOrg.at('N')));
  EXPECT_GE(r.members(0).score(), r.members(1).score());  // highest first
  EXPECT_TRUE(r.period().has_start_time());               // the 6 months by default

  // G asked for an introduction 8 months ago: nothing since, but the trend shows it.
  Apply(Introduction('G', 'E', xv1::INTRODUCTION_STATE_REQUESTED,
                     xv1::INTRODUCTION_OUTCOME_UNSPECIFIED, 1, /*days_ago=*/240));
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetEngagement, Animator(), req, &r).ok());
  for (const v1::MemberEngagement& m : r.members()) {
    if (m.name() == "Entreprise G") {
      EXPECT_EQ(m.score(), 0);
      EXPECT_EQ(m.previous_score(), 2);
      EXPECT_TRUE(m.isolated());
    }
  }
  EXPECT_GT(r.mean_score(), r.previous_mean_score());

  // The same as CSV, for a spreadsheet.
  req.set_format(v1::REPORT_FORMAT_CSV);
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetEngagement, Animator(), req, &r).ok());
  EXPECT_EQ(r.members_size(), 0);
  EXPECT_THAT(r.csv(), ::testing::StartsWith("organisation_id,name,introductions_requested,"));
  EXPECT_THAT(r.csv(), HasSubstr(absl::StrCat(kOrg.at('A'),
                                              ",Entreprise A,2,1,0,2,2,0,0,0,0,14,0,false\r\n")));
}

TEST_F(ReportingServiceTest, TheReadModelsFollowTheStreams) {
  auto publish = [&](const std::string& stream, const std::string& id, const std::string& payload) {
    absl::StatusOr<redis::RedisReply> r = h_.runtime()->redis()->Command(
        {"XADD", stream, "*", "id", id, "type", "test", "payload", payload});
    ASSERT_TRUE(r.ok()) << r.status();
  };
  xv1::MatchingEvent asked = Introduction('G', 'E', xv1::INTRODUCTION_STATE_REQUESTED,
                                          xv1::INTRODUCTION_OUTCOME_UNSPECIFIED, 1);
  publish(streams_["matching"], asked.event_id(), asked.SerializeAsString());
  publish(streams_["matching"], asked.event_id(), asked.SerializeAsString());  // twice: once
  v1::GetIntroductionFunnelRequest req;
  req.set_network_id(kNetwork);
  v1::IntroductionFunnel f;
  EXPECT_TRUE(Eventually([&] {
    return h_.Call(stub_.get(), &Stub::GetIntroductionFunnel, Animator(), req, &f).ok() &&
           f.stages(0).count() == 1;
  }));
  // G leaves: it is no longer among the members.
  mv1::MembershipEvent left;
  left.set_event_id(events::NewEventId());
  mv1::Membership* m = left.mutable_membership_changed()->mutable_membership();
  m->set_network_id(kNetwork);
  m->set_organisation_id(kOrg.at('G'));
  m->set_state(mv1::MEMBERSHIP_STATE_LEFT);
  m->set_version(2);
  publish(streams_["membership"], left.event_id(), left.SerializeAsString());
  v1::GetEngagementRequest engagement;
  engagement.set_network_id(kNetwork);
  v1::EngagementReport r;
  EXPECT_TRUE(Eventually([&] {
    return h_.Call(stub_.get(), &Stub::GetEngagement, Animator(), engagement, &r).ok() &&
           r.members_size() == 6;
  }));
}

TEST_F(ReportingServiceTest, OnlyTheNetworksAnimatorsReadItsReportsAndBadPeriodsAreNamed) {
  TheUsual();
  v1::GetNetworkGraphRequest req;
  req.set_network_id(kNetwork);
  v1::NetworkGraph g;
  const auto member =
      ServiceHarness::ActingFor(kOrg.at('A'), {{kNetwork, auth::v1::NETWORK_ROLE_MEMBER}});
  const auto other_animator =
      ServiceHarness::ActingFor(kOrg.at('X'), {{kOtherNetwork, auth::v1::NETWORK_ROLE_ANIMATOR}});
  for (const auth::Principal& who : {member, other_animator}) {
    grpc::Status s = h_.Call(stub_.get(), &Stub::GetNetworkGraph, who, req, &g);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr(kOrg.at('B'))));
  }
  v1::GetEngagementRequest engagement;
  engagement.set_network_id(kNetwork);
  v1::EngagementReport r;
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::GetEngagement, member, engagement, &r).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // The end before the start; a nonsense time; a network id in no shape.
  SetTime(engagement.mutable_period()->mutable_start_time(), absl::Now());
  SetTime(engagement.mutable_period()->mutable_end_time(), absl::Now() - absl::Hours(1));
  grpc::Status s = h_.Call(stub_.get(), &Stub::GetEngagement, Animator(), engagement, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(s)).at(0).field, "period.end_time");
  engagement.mutable_period()->mutable_end_time()->set_nanos(-5);
  s = h_.Call(stub_.get(), &Stub::GetEngagement, Animator(), engagement, &r);
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(s)).at(0).field, "period.end_time");
  req.set_network_id("not-a-network");
  s = h_.Call(stub_.get(), &Stub::GetNetworkGraph, Animator(), req, &g);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("network_id"));
  req.set_network_id(kNetwork);
  req.set_format(static_cast<v1::GraphFormat>(9));
  s = h_.Call(stub_.get(), &Stub::GetNetworkGraph, Animator(), req, &g);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ReportingServiceTest, AnAnimatorRunsAnEventMembersRegisterAndAttendanceCounts) {
  TheUsual();
  auto rep = [](char c) {
    return ServiceHarness::ActingFor(kOrg.at(c), {{kNetwork, auth::v1::NETWORK_ROLE_MEMBER}});
  };
  v1::CreateAnimationEventRequest create;
  create.set_network_id(kNetwork);
  create.set_idempotency_key("forum-1");
  v1::AnimationEvent* e = create.mutable_event();
  e->set_kind(v1::ANIMATION_EVENT_KIND_WORLD_CAFE);
  e->set_title("Café des achats groupés");
  e->set_theme("purchasing");
  e->set_place("Salle du conseil, Ploërmel");
  e->set_capacity(2);
  SetTime(e->mutable_start_time(), absl::Now() + absl::Seconds(3));
  SetTime(e->mutable_end_time(), absl::Now() + absl::Hours(2));
  v1::AnimationEvent event;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::CreateAnimationEvent, Animator(), create, &event).ok());
  EXPECT_EQ(event.organiser_organisation_id(), kOrg.at('N'));  // the animator's, by default
  v1::AnimationEvent again;                                    // a retry: the same event
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::CreateAnimationEvent, Animator(), create, &again).ok());
  EXPECT_EQ(again.event_id(), event.event_id());

  // Members see it; the other network does not.
  v1::ListAnimationEventsRequest list;
  list.set_network_id(kNetwork);
  v1::ListAnimationEventsResponse listed;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::ListAnimationEvents, rep('B'), list, &listed).ok());
  ASSERT_EQ(listed.events_size(), 1);
  const auto outsider =
      ServiceHarness::ActingFor(kOrg.at('X'), {{kOtherNetwork, auth::v1::NETWORK_ROLE_MEMBER}});
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::ListAnimationEvents, outsider, list, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Two places: A and B register (A twice), C finds it full; nobody registers another.
  auto reg = [&](const auth::Principal& who, char org) {
    v1::RegisterForEventRequest r;
    r.set_event_id(event.event_id());
    r.set_organisation_id(kOrg.at(org));
    v1::AnimationEvent out;
    return h_.Call(stub_.get(), &Stub::RegisterForEvent, who, r, &out);
  };
  EXPECT_TRUE(reg(rep('A'), 'A').ok());
  EXPECT_TRUE(reg(rep('A'), 'A').ok());
  EXPECT_TRUE(reg(rep('B'), 'B').ok());
  grpc::Status full = reg(rep('C'), 'C');
  EXPECT_EQ(full.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(full.error_message(), HasSubstr("full"));
  EXPECT_EQ(reg(rep('A'), 'D').error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::Status foreign = reg(outsider, 'X');  // of another network: no such event for it
  EXPECT_EQ(foreign.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(foreign.error_message(), HasSubstr("event not found"));

  // Attendance once it has started, by the animators only; a suspended member did not come.
  v1::RecordAttendanceRequest record;
  record.set_event_id(event.event_id());
  record.add_attended_organisation_ids(kOrg.at('A'));
  record.add_attended_organisation_ids(kOrg.at('D'));
  record.set_outcomes("Un achat groupé d'énergie à lancer");
  v1::AnimationEvent recorded;
  EXPECT_EQ(
      h_.Call(stub_.get(), &Stub::RecordAttendance, Animator(), record, &recorded).error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);
  absl::SleepFor(absl::Seconds(3));
  EXPECT_EQ(reg(rep('C'), 'C').error_code(), grpc::StatusCode::FAILED_PRECONDITION);  // started
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::RecordAttendance, rep('A'), record, &recorded).error_code(),
            grpc::StatusCode::NOT_FOUND);
  record.add_attended_organisation_ids(kOrg.at('F'));
  grpc::Status suspended =
      h_.Call(stub_.get(), &Stub::RecordAttendance, Animator(), record, &recorded);
  EXPECT_EQ(suspended.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(suspended)).at(0).field,
            "attended_organisation_ids[2]");
  record.mutable_attended_organisation_ids()->RemoveLast();
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::RecordAttendance, Animator(), record, &recorded).ok());
  EXPECT_THAT(recorded.attended_organisation_ids(),
              ::testing::UnorderedElementsAre(kOrg.at('A'), kOrg.at('D')));
  EXPECT_EQ(recorded.outcomes(), "Un achat groupé d'énergie à lancer");

  // It counts in engagement: D, who only asked once, now came too.
  v1::GetEngagementRequest engagement;
  engagement.set_network_id(kNetwork);
  SetTime(engagement.mutable_period()->mutable_start_time(), absl::Now() - absl::Hours(24 * 30));
  SetTime(engagement.mutable_period()->mutable_end_time(), absl::Now() + absl::Hours(24));
  v1::EngagementReport r;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetEngagement, Animator(), engagement, &r).ok());
  for (const v1::MemberEngagement& m : r.members()) {
    if (m.name() == "Entreprise D") {
      EXPECT_EQ(m.events_attended(), 1);
      EXPECT_EQ(m.score(), 2 + 3);
    }
  }
}

TEST_F(ReportingServiceTest, AnEventWithoutPlaceOrWithBadTimesIsRefusedNamingTheField) {
  v1::CreateAnimationEventRequest create;
  create.set_network_id(kNetwork);
  v1::AnimationEvent* e = create.mutable_event();
  e->set_kind(v1::ANIMATION_EVENT_KIND_WORKSHOP);
  e->set_title("Atelier");
  e->set_link("http://visio.example/atelier");
  SetTime(e->mutable_start_time(), absl::Now() + absl::Hours(48));
  SetTime(e->mutable_end_time(), absl::Now() + absl::Hours(47));
  e->set_capacity(-1);
  v1::AnimationEvent out;
  grpc::Status s = h_.Call(stub_.get(), &Stub::CreateAnimationEvent, Animator(), create, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolationsOf(FromGrpcStatus(s))) fields.push_back(v.field);
  EXPECT_THAT(fields, ::testing::ElementsAre("event.link", "event.end_time", "event.capacity"));
  const auto member =
      ServiceHarness::ActingFor(kOrg.at('A'), {{kNetwork, auth::v1::NETWORK_ROLE_MEMBER}});
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::CreateAnimationEvent, member, create, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

std::vector<std::string> FieldsOf(const grpc::Status& s) {
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolationsOf(FromGrpcStatus(s))) fields.push_back(v.field);
  return fields;
}

TEST_F(ReportingServiceTest, ACollectiveActionCarriesADecisionAndItsBalanceWarnsAboveTheCeiling) {
  const std::string decision = Decision(kNetwork, "purchasing");
  const std::string foreign_decision = Decision(kOtherNetwork, "purchasing");
  v1::CreateCollectiveActionRequest create;
  create.set_network_id(kNetwork);
  create.set_idempotency_key("achat-energie-2026");
  v1::CollectiveAction* a = create.mutable_action();
  a->set_kind(v1::COLLECTIVE_ACTION_KIND_GROUP_PURCHASE);
  a->set_title("Achat groupé d'énergie");
  a->set_year(2026);
  a->set_function_code("purchasing");
  a->add_participant_organisation_ids(kOrg.at('A'));
  a->add_participant_organisation_ids(kOrg.at('B'));
  a->add_decision_ids(decision);
  auto line = [&](const char* label, int64_t euros) {
    v1::BudgetLine* l = a->add_budget_lines();
    l->set_label(label);
    l->set_amount_cents(euros * 100);
  };
  line("Cabinet d'achat", 70'000);
  line("Animation", 30'000);
  auto source = [&](v1::FundingSourceKind kind, const char* name, int64_t euros) {
    v1::FundingSource* f = a->add_funding_sources();
    f->set_kind(kind);
    f->set_funder_name(name);
    f->set_amount_cents(euros * 100);
  };
  source(v1::FUNDING_SOURCE_KIND_REGION, "Région Bretagne", 60'000);
  source(v1::FUNDING_SOURCE_KIND_EU_LEADER, "GAL Pays de Ploërmel", 25'000);
  source(v1::FUNDING_SOURCE_KIND_MEMBER_CONTRIBUTIONS, "Adhérents", 15'000);
  v1::CollectiveAction action;
  ASSERT_TRUE(
      h_.Call(stub_.get(), &Stub::CreateCollectiveAction, Animator(), create, &action).ok());
  EXPECT_EQ(action.budget_cents(), 100'000'00);
  EXPECT_EQ(action.public_cents(), 85'000'00);
  EXPECT_EQ(action.private_cents(), 15'000'00);
  EXPECT_DOUBLE_EQ(action.public_share(), 0.85);
  EXPECT_TRUE(action.above_public_ceiling());  // the default ceiling is 0.8
  EXPECT_EQ(action.status(), v1::COLLECTIVE_ACTION_STATUS_PLANNED);
  EXPECT_TRUE(action.funding_sources(0).is_public());
  EXPECT_FALSE(action.funding_sources(2).is_public());
  EXPECT_THAT(action.decision_ids(), ::testing::ElementsAre(decision));
  v1::CollectiveAction again;  // a retry: the same action
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::CreateCollectiveAction, Animator(), create, &again).ok());
  EXPECT_EQ(again.action_id(), action.action_id());
  // Published once, in the same transaction (the outbox), for the retry too.
  EXPECT_EQ(h_.Count("SELECT count(*) FROM outbox WHERE event_type = "
                     "'reporting.collective_action_saved'"),
            1);

  // The board reads it; a member, another network's animator and a funder do not see it.
  const auto board =
      ServiceHarness::ActingFor(kOrg.at('C'), {{kNetwork, auth::v1::NETWORK_ROLE_BOARD}});
  v1::GetCollectiveActionRequest get;
  get.set_action_id(action.action_id());
  v1::CollectiveAction read;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetCollectiveAction, board, get, &read).ok());
  EXPECT_EQ(read.title(), "Achat groupé d'énergie");
  for (const auth::Principal& who :
       {ServiceHarness::ActingFor(kOrg.at('A'), {{kNetwork, auth::v1::NETWORK_ROLE_MEMBER}}),
        ServiceHarness::ActingFor(kOrg.at('X'), {{kOtherNetwork, auth::v1::NETWORK_ROLE_ANIMATOR}}),
        ServiceHarness::ActingFor(kOrg.at('R'), {{kNetwork, auth::v1::NETWORK_ROLE_FUNDER}})}) {
    grpc::Status s = h_.Call(stub_.get(), &Stub::GetCollectiveAction, who, get, &read);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(s.error_message(), "action not found");
  }

  // The balance of 2026: above the ceiling, with a sentence for the animator.
  v1::GetFundingBalanceRequest balance;
  balance.set_network_id(kNetwork);
  v1::FundingBalance b;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetFundingBalance, board, balance, &b).ok());
  ASSERT_EQ(b.years_size(), 1);
  EXPECT_EQ(b.years(0).year(), 2026);
  EXPECT_EQ(b.years(0).by_source_size(), 3);
  EXPECT_TRUE(b.years(0).above_public_ceiling());
  EXPECT_THAT(b.warnings(), ::testing::Contains(HasSubstr("2026: public money is 85%")));

  // Someone else's edit in between: the stale version is refused; the fresh one lands.
  v1::UpdateCollectiveActionRequest update;
  *update.mutable_action() = action;
  update.mutable_action()->set_status(v1::COLLECTIVE_ACTION_STATUS_RUNNING);
  update.mutable_action()->mutable_funding_sources(2)->set_amount_cents(25'000'00);
  v1::CollectiveAction updated;
  ASSERT_TRUE(
      h_.Call(stub_.get(), &Stub::UpdateCollectiveAction, Animator(), update, &updated).ok());
  EXPECT_EQ(updated.version(), action.version() + 1);
  EXPECT_NEAR(updated.public_share(), 85.0 / 110, 1e-12);
  EXPECT_FALSE(updated.above_public_ceiling());
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::UpdateCollectiveAction, Animator(), update, &updated)
                .error_code(),
            grpc::StatusCode::ABORTED);

  // A lower ceiling warns again.
  v1::UpdateReportingSettingsRequest settings;
  settings.mutable_settings()->set_network_id(kNetwork);
  settings.mutable_settings()->set_min_group_size(5);
  settings.mutable_settings()->set_public_share_ceiling(0.5);
  v1::ReportingSettings saved;
  ASSERT_TRUE(
      h_.Call(stub_.get(), &Stub::UpdateReportingSettings, Animator(), settings, &saved).ok());
  EXPECT_EQ(saved.version(), 1);
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::UpdateReportingSettings, Animator(), settings, &saved)
                .error_code(),
            grpc::StatusCode::ABORTED);  // version 0 again: someone saved since
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetFundingBalance, board, balance, &b).ok());
  EXPECT_TRUE(b.above_public_ceiling());
  EXPECT_DOUBLE_EQ(b.public_share_ceiling(), 0.5);
}

TEST_F(ReportingServiceTest, AnActionNamesEachBadFieldAndRefusesOtherTenantsIds) {
  v1::CreateCollectiveActionRequest create;
  create.set_network_id(kNetwork);
  v1::CollectiveAction* a = create.mutable_action();
  a->set_kind(v1::COLLECTIVE_ACTION_KIND_STUDY);
  a->set_title("");
  a->set_year(1999);
  a->add_participant_organisation_ids(kOrg.at('A'));
  a->add_participant_organisation_ids(kOrg.at('A'));
  a->add_participant_organisation_ids("AAAAAAAA-0000-4000-8000-000000000001");
  v1::BudgetLine* l = a->add_budget_lines();
  l->set_label("Étude");
  l->set_amount_cents(-1);
  v1::FundingSource* f = a->add_funding_sources();
  f->set_kind(static_cast<v1::FundingSourceKind>(42));
  f->set_amount_cents(100'000'000'001);
  v1::CollectiveAction out;
  grpc::Status s = h_.Call(stub_.get(), &Stub::CreateCollectiveAction, Animator(), create, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(s),
              ::testing::ElementsAre(
                  "action.title", "action.year", "action.participant_organisation_ids[1]",
                  "action.participant_organisation_ids[2]", "action.budget_lines[0].amount_cents",
                  "action.funding_sources[0].kind", "action.funding_sources[0].amount_cents"));

  // Well-formed, but a suspended member, another network's member, another network's
  // decision: each named, nothing written.
  create.clear_action();
  a = create.mutable_action();
  a->set_kind(v1::COLLECTIVE_ACTION_KIND_STUDY);
  a->set_title("Étude");
  a->set_year(2026);
  a->add_participant_organisation_ids(kOrg.at('A'));
  a->add_participant_organisation_ids(kOrg.at('F'));
  s = h_.Call(stub_.get(), &Stub::CreateCollectiveAction, Animator(), create, &out);
  EXPECT_THAT(FieldsOf(s), ::testing::ElementsAre("action.participant_organisation_ids[1]"));
  a->set_participant_organisation_ids(1, kOrg.at('X'));
  s = h_.Call(stub_.get(), &Stub::CreateCollectiveAction, Animator(), create, &out);
  EXPECT_THAT(FieldsOf(s), ::testing::ElementsAre("action.participant_organisation_ids[1]"));
  a->mutable_participant_organisation_ids()->RemoveLast();
  a->add_decision_ids(Decision(kOtherNetwork, "it"));
  s = h_.Call(stub_.get(), &Stub::CreateCollectiveAction, Animator(), create, &out);
  EXPECT_THAT(FieldsOf(s), ::testing::ElementsAre("action.decision_ids[0]"));
  EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr(kOtherNetwork)));
  EXPECT_EQ(h_.Count("SELECT count(*) FROM outbox"), 0) << "nothing half-written";
  v1::ListCollectiveActionsRequest list;
  list.set_network_id(kNetwork);
  v1::ListCollectiveActionsResponse listed;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::ListCollectiveActions, Animator(), list, &listed).ok());
  EXPECT_EQ(listed.actions_size(), 0);

  // Three actions over two years, a page of two at a time: latest year first, each once.
  a->clear_decision_ids();
  for (int year : {2025, 2026, 2026}) {
    a->set_year(year);
    ASSERT_TRUE(h_.Call(stub_.get(), &Stub::CreateCollectiveAction, Animator(), create, &out).ok());
  }
  list.mutable_page()->set_page_size(2);
  std::vector<int> years;
  for (int pages = 0; pages < 3; ++pages) {
    ASSERT_TRUE(h_.Call(stub_.get(), &Stub::ListCollectiveActions, Animator(), list, &listed).ok());
    for (const v1::CollectiveAction& x : listed.actions()) years.push_back(x.year());
    if (listed.page().next_page_token().empty()) break;
    list.mutable_page()->set_page_token(listed.page().next_page_token());
  }
  EXPECT_THAT(years, ::testing::ElementsAre(2026, 2026, 2025));
  // A token of another list is refused.
  list.set_year(2025);
  EXPECT_EQ(
      h_.Call(stub_.get(), &Stub::ListCollectiveActions, Animator(), list, &listed).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ReportingServiceTest, TheFunderReportWithholdsSmallGroupsAndAnyDifferenceOfAFewMembers) {
  TheUsual();
  // Sectors: A, B, C in manufacturing (3), D, E in construction (2), G and N not given (2).
  for (char c : std::string("ABC")) Organisation(c, "C", mv1::HEADCOUNT_BAND_10_19);
  for (char c : std::string("DE")) Organisation(c, "F", mv1::HEADCOUNT_BAND_3_5);
  // The region funds the network: a funder, not a member.
  Member(kNetwork, 'R', mv1::MEMBERSHIP_STATE_ACTIVE, 1, auth::v1::NETWORK_ROLE_FUNDER);
  const auto funder =
      ServiceHarness::ActingFor(kOrg.at('R'), {{kNetwork, auth::v1::NETWORK_ROLE_FUNDER}});
  v1::UpdateReportingSettingsRequest settings;
  settings.mutable_settings()->set_network_id(kNetwork);
  settings.mutable_settings()->set_min_group_size(3);
  settings.mutable_settings()->set_public_share_ceiling(0.8);
  v1::ReportingSettings saved;
  ASSERT_TRUE(
      h_.Call(stub_.get(), &Stub::UpdateReportingSettings, Animator(), settings, &saved).ok());

  v1::GetFunderReportRequest req;
  req.set_network_id(kNetwork);
  v1::FunderReport r;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetFunderReport, funder, req, &r).ok());
  EXPECT_EQ(r.min_group_size(), 3);
  // Whole months: from the first day of a month to the first day of the month after now.
  const absl::CivilSecond from = absl::ToCivilSecond(
      absl::FromUnixSeconds(r.period().start_time().seconds()), absl::UTCTimeZone());
  const absl::CivilSecond to = absl::ToCivilSecond(
      absl::FromUnixSeconds(r.period().end_time().seconds()), absl::UTCTimeZone());
  EXPECT_EQ(from, absl::CivilSecond(absl::CivilMonth(from)));
  EXPECT_EQ(to, absl::CivilSecond(
                    absl::CivilMonth(absl::ToCivilMonth(absl::Now(), absl::UTCTimeZone()) + 1)));
  EXPECT_EQ(r.members().value(), 7);  // A-E, G, N; not the region, not suspended F
  std::map<std::string, v1::Figure> sector;
  for (const v1::Figure& f : r.members_by_sector().figures()) sector[f.label()] = f;
  EXPECT_EQ(sector["C: Manufacturing"].value(), 3);   // exactly N: given
  EXPECT_TRUE(sector["F: Construction"].withheld());  // N - 1: withheld, never exact
  EXPECT_FALSE(sector["F: Construction"].has_value());
  EXPECT_EQ(sector["F: Construction"].note(), "fewer than 3");
  EXPECT_TRUE(sector["Sector not given"].withheld());
  // The introductions: 5 requested among A, B, C, D (and F); 1 contract between A and B.
  std::map<std::string, v1::Figure> stage;
  for (const v1::Figure& f : r.introductions().figures()) stage[f.label()] = f;
  EXPECT_EQ(stage["requested"].value(), 5);
  EXPECT_TRUE(stage["contract"].withheld());
  // Nothing in the answer names a member.
  for (char c : std::string("ABCDEFGN")) {
    EXPECT_THAT(r.DebugString(), ::testing::Not(HasSubstr(kOrg.at(c))));
  }

  // H joins in manufacturing: 4 now, 3 before. Given both, one subtracts and finds H.
  Member(kNetwork, 'H', mv1::MEMBERSHIP_STATE_ACTIVE);
  Organisation('H', "C", mv1::HEADCOUNT_BAND_10_19);
  v1::FunderReport later;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetFunderReport, funder, req, &later).ok());
  sector.clear();
  for (const v1::Figure& f : later.members_by_sector().figures()) sector[f.label()] = f;
  EXPECT_TRUE(sector["C: Manufacturing"].withheld());
  EXPECT_THAT(sector["C: Manufacturing"].note(), HasSubstr("earlier report"));
  EXPECT_TRUE(later.members().withheld());  // 8 against 7
  // An animator's preview is the same report, judged against the funder's.
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetFunderReport, Animator(), req, &later).ok());
  EXPECT_TRUE(later.members().withheld());

  // The same as CSV, for a spreadsheet: a withheld figure has no value.
  req.set_format(v1::REPORT_FORMAT_CSV);
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetFunderReport, funder, req, &later).ok());
  EXPECT_THAT(later.csv(), ::testing::StartsWith("section,key,label,value,withheld,note\r\n"));
  EXPECT_THAT(later.csv(), HasSubstr("members,members,active members,,true,"));
  req.clear_format();
  // Each report given is in the audit trail (who, which period), without its figures.
  EXPECT_EQ(
      h_.Count("SELECT count(*) FROM outbox WHERE event_type = 'reporting.funder_report_given'"),
      4);
  // Funders read this report only; members do not read it.
  v1::GetEngagementRequest engagement;
  engagement.set_network_id(kNetwork);
  v1::EngagementReport e;
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::GetEngagement, funder, engagement, &e).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListAnimationEventsRequest events;
  events.set_network_id(kNetwork);
  v1::ListAnimationEventsResponse listed;
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::ListAnimationEvents, funder, events, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const auto member =
      ServiceHarness::ActingFor(kOrg.at('A'), {{kNetwork, auth::v1::NETWORK_ROLE_MEMBER}});
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::GetFunderReport, member, req, &r).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A period of more than five years is refused, naming it.
  SetTime(req.mutable_period()->mutable_start_time(), absl::Now() - absl::Hours(24 * 365 * 6));
  SetTime(req.mutable_period()->mutable_end_time(), absl::Now());
  grpc::Status s = h_.Call(stub_.get(), &Stub::GetFunderReport, funder, req, &r);
  EXPECT_THAT(FieldsOf(s), ::testing::ElementsAre("period.end_time"));
}

TEST_F(ReportingServiceTest, ASnapshotFillsTheReadModelsAndNeverUndoesANewerEvent) {
  TheUsual();
  NetworkSnapshot snapshot{.network_id = kNetwork};
  // H, whose events were lost: active, with its sector.
  mv1::Membership h;
  h.set_network_id(kNetwork);
  h.set_organisation_id(kOrg.at('H'));
  h.set_organisation_name("Entreprise H");
  h.set_state(mv1::MEMBERSHIP_STATE_ACTIVE);
  h.set_version(4);
  snapshot.memberships.push_back(h);
  mv1::Organisation o;
  o.set_organisation_id(kOrg.at('H'));
  o.set_legal_name("Entreprise H");
  o.set_nace_section("J");
  o.set_version(2);
  snapshot.organisations.push_back(o);
  // A -> B as it was when first asked (version 1): the contract recorded since stays.
  xv1::MatchingEvent old = Introduction('A', 'B', xv1::INTRODUCTION_STATE_REQUESTED,
                                        xv1::INTRODUCTION_OUTCOME_UNSPECIFIED, 1);
  snapshot.introductions.push_back(old.introduction_requested());
  // H -> E, never seen as an event.
  xv1::MatchingEvent missed = Introduction('H', 'E', xv1::INTRODUCTION_STATE_ACCEPTED,
                                           xv1::INTRODUCTION_OUTCOME_UNSPECIFIED, 2);
  snapshot.introductions.push_back(missed.introduction_accepted());
  ASSERT_TRUE(built_.store->ApplySnapshot(snapshot).ok());
  ASSERT_TRUE(built_.store->ApplySnapshot(snapshot).ok());  // twice: the same

  v1::GetIntroductionFunnelRequest req;
  req.set_network_id(kNetwork);
  v1::IntroductionFunnel f;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetIntroductionFunnel, Animator(), req, &f).ok());
  std::map<std::string, int64_t> count;
  for (const v1::FunnelStage& s : f.stages()) count[s.stage()] = s.count();
  EXPECT_EQ(count["requested"], 6);
  EXPECT_EQ(count["accepted"], 4);
  EXPECT_EQ(count["contract"], 1);
  v1::GetNetworkGraphRequest graph;
  graph.set_network_id(kNetwork);
  v1::NetworkGraph g;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetNetworkGraph, Animator(), graph, &g).ok());
  EXPECT_EQ(g.nodes_size(), 8);  // H joined the seven
  EXPECT_EQ(g.edges_size(), 3);

  // A snapshot with another network's membership in it is refused whole.
  mv1::Membership stray = h;
  stray.set_network_id(kOtherNetwork);
  snapshot.memberships.push_back(stray);
  EXPECT_EQ(built_.store->ApplySnapshot(snapshot).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ReportingServiceTest, AWorkingGroupMeetsItsMembersJoinAndOnlyTheyRegister) {
  auto rep = [](char c) {
    return ServiceHarness::ActingFor(kOrg.at(c), {{kNetwork, auth::v1::NETWORK_ROLE_MEMBER}});
  };
  v1::CreateWorkingGroupRequest create;
  create.set_network_id(kNetwork);
  create.mutable_group()->set_name("Achats groupés d'énergie");
  create.mutable_group()->set_theme("purchasing");
  create.mutable_group()->add_member_organisation_ids(kOrg.at('A'));
  create.mutable_group()->add_member_organisation_ids(kOrg.at('B'));
  v1::WorkingGroup group;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::CreateWorkingGroup, Animator(), create, &group).ok());
  EXPECT_THAT(group.member_organisation_ids(), ::testing::ElementsAre(kOrg.at('A'), kOrg.at('B')));
  // The same name in other letters; a suspended first member: refused, naming why.
  create.mutable_group()->set_name("ACHATS GROUPÉS D'ÉNERGIE");
  v1::WorkingGroup other;
  grpc::Status s = h_.Call(stub_.get(), &Stub::CreateWorkingGroup, Animator(), create, &other);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  create.mutable_group()->set_name("Recrutement partagé");
  create.mutable_group()->add_member_organisation_ids(kOrg.at('F'));
  s = h_.Call(stub_.get(), &Stub::CreateWorkingGroup, Animator(), create, &other);
  EXPECT_THAT(FieldsOf(s), ::testing::ElementsAre("group.member_organisation_ids[2]"));

  // Members see it; C joins; C cannot bring D in, the animator can; the other network sees
  // nothing of it.
  v1::ListWorkingGroupsRequest list;
  list.set_network_id(kNetwork);
  v1::ListWorkingGroupsResponse listed;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::ListWorkingGroups, rep('C'), list, &listed).ok());
  ASSERT_EQ(listed.groups_size(), 1);
  v1::JoinWorkingGroupRequest join;
  join.set_group_id(group.group_id());
  join.set_organisation_id(kOrg.at('C'));
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::JoinWorkingGroup, rep('C'), join, &group).ok());
  join.set_organisation_id(kOrg.at('D'));
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::JoinWorkingGroup, rep('C'), join, &other).error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::JoinWorkingGroup, Animator(), join, &group).ok());
  EXPECT_EQ(group.member_organisation_ids_size(), 4);
  const auto outsider =
      ServiceHarness::ActingFor(kOrg.at('X'), {{kOtherNetwork, auth::v1::NETWORK_ROLE_MEMBER}});
  v1::GetWorkingGroupRequest get;
  get.set_group_id(group.group_id());
  s = h_.Call(stub_.get(), &Stub::GetWorkingGroup, outsider, get, &other);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "working group not found");
  join.set_organisation_id(kOrg.at('X'));
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::JoinWorkingGroup, outsider, join, &other).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::LeaveWorkingGroupRequest leave;
  leave.set_group_id(group.group_id());
  leave.set_organisation_id(kOrg.at('D'));
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::LeaveWorkingGroup, rep('D'), leave, &group).ok());
  EXPECT_EQ(group.member_organisation_ids_size(), 3);

  // Its meeting: E, not in the group, cannot register; A can; listed by group.
  v1::CreateAnimationEventRequest meeting;
  meeting.set_network_id(kNetwork);
  v1::AnimationEvent* e = meeting.mutable_event();
  e->set_kind(v1::ANIMATION_EVENT_KIND_CLUB_MEETING);
  e->set_title("Réunion du groupe énergie");
  e->set_place("CCI, Vannes");
  e->set_working_group_id(group.group_id());
  SetTime(e->mutable_start_time(), absl::Now() + absl::Hours(24));
  SetTime(e->mutable_end_time(), absl::Now() + absl::Hours(26));
  v1::AnimationEvent event;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::CreateAnimationEvent, Animator(), meeting, &event).ok());
  EXPECT_EQ(event.working_group_id(), group.group_id());
  v1::RegisterForEventRequest reg;
  reg.set_event_id(event.event_id());
  reg.set_organisation_id(kOrg.at('E'));
  v1::AnimationEvent registered;
  s = h_.Call(stub_.get(), &Stub::RegisterForEvent, rep('E'), reg, &registered);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("working group"));
  reg.set_organisation_id(kOrg.at('A'));
  EXPECT_TRUE(h_.Call(stub_.get(), &Stub::RegisterForEvent, rep('A'), reg, &registered).ok());
  v1::ListAnimationEventsRequest by_group;
  by_group.set_network_id(kNetwork);
  by_group.set_working_group_id(group.group_id());
  v1::ListAnimationEventsResponse meetings;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::ListAnimationEvents, rep('B'), by_group, &meetings).ok());
  ASSERT_EQ(meetings.events_size(), 1);
  EXPECT_THAT(meetings.events(0).registered_organisation_ids(),
              ::testing::ElementsAre(kOrg.at('A')));
  // A meeting of another network's group is refused.
  meeting.set_network_id(kOtherNetwork);
  const auto other_animator =
      ServiceHarness::ActingFor(kOrg.at('X'), {{kOtherNetwork, auth::v1::NETWORK_ROLE_ANIMATOR}});
  s = h_.Call(stub_.get(), &Stub::CreateAnimationEvent, other_animator, meeting, &registered);
  EXPECT_THAT(FieldsOf(s), ::testing::ElementsAre("event.working_group_id"));

  // Engagement counts the groups each member is in.
  v1::GetEngagementRequest engagement;
  engagement.set_network_id(kNetwork);
  v1::EngagementReport r;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetEngagement, Animator(), engagement, &r).ok());
  for (const v1::MemberEngagement& m : r.members()) {
    EXPECT_EQ(m.working_groups(), std::string("ABC").find(m.name().back()) != std::string::npos)
        << m.name();
  }
}

TEST_F(ReportingServiceTest, TheSignInSheetRecordsWhoCameOrNamesTheLinesItCannotRead) {
  v1::CreateAnimationEventRequest create;
  create.set_network_id(kNetwork);
  v1::AnimationEvent* e = create.mutable_event();
  e->set_kind(v1::ANIMATION_EVENT_KIND_WORKSHOP);
  e->set_title("Atelier RH");
  e->set_place("Pépinière d'entreprises, Ploërmel");
  // Held last week, recorded now.
  SetTime(e->mutable_start_time(), absl::Now() - absl::Hours(24 * 7));
  SetTime(e->mutable_end_time(), absl::Now() - absl::Hours(24 * 7 - 3));
  v1::AnimationEvent event;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::CreateAnimationEvent, Animator(), create, &event).ok());

  v1::ImportAttendanceSheetRequest sheet;
  sheet.set_event_id(event.event_id());
  sheet.set_sheet(
      "Entreprise,Représentant,Signature\r\n"
      "ENTREPRISE A,Jeanne,x\r\n"
      "entreprise b,Paul,x\r\n"
      "Entreprise A,Luc,x\r\n");
  sheet.set_outcomes("Un groupement d'employeurs à étudier");
  sheet.set_dry_run(true);
  v1::AttendanceSheetImport preview;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::ImportAttendanceSheet, Animator(), sheet, &preview).ok());
  ASSERT_EQ(preview.lines_size(), 2);  // A signed twice: once
  EXPECT_EQ(preview.lines(1).line(), 3);
  EXPECT_EQ(preview.lines(1).name(), "Entreprise B");
  EXPECT_FALSE(preview.has_event());
  v1::ListAnimationEventsRequest list;
  list.set_network_id(kNetwork);
  SetTime(list.mutable_from_time(), absl::Now() - absl::Hours(24 * 30));
  v1::ListAnimationEventsResponse listed;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::ListAnimationEvents, Animator(), list, &listed).ok());
  ASSERT_EQ(listed.events_size(), 1);
  EXPECT_EQ(listed.events(0).attended_organisation_ids_size(), 0) << "a dry run records nothing";

  sheet.set_dry_run(false);
  v1::AttendanceSheetImport done;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::ImportAttendanceSheet, Animator(), sheet, &done).ok());
  EXPECT_THAT(done.event().attended_organisation_ids(),
              ::testing::UnorderedElementsAre(kOrg.at('A'), kOrg.at('B')));
  EXPECT_EQ(done.event().outcomes(), "Un groupement d'employeurs à étudier");

  // A company of another network, and F, suspended: both lines named, nothing changes.
  sheet.set_sheet("name\nEntreprise C\nEntreprise X\nEntreprise F\n");
  grpc::Status s = h_.Call(stub_.get(), &Stub::ImportAttendanceSheet, Animator(), sheet, &done);
  EXPECT_THAT(FieldsOf(s), ::testing::ElementsAre("sheet line 3", "sheet line 4"));
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::ListAnimationEvents, Animator(), list, &listed).ok());
  EXPECT_EQ(listed.events(0).attended_organisation_ids_size(), 2);
  // Not a sheet at all; a member may not import.
  sheet.set_sheet("\"unterminated");
  s = h_.Call(stub_.get(), &Stub::ImportAttendanceSheet, Animator(), sheet, &done);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const auto member =
      ServiceHarness::ActingFor(kOrg.at('A'), {{kNetwork, auth::v1::NETWORK_ROLE_MEMBER}});
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::ImportAttendanceSheet, member, sheet, &done).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ReportingServiceTest, ThePrintableReportsAreAPageForFundersAndOneForAnimators) {
  TheUsual();
  for (char c : std::string("ABC")) Organisation(c, "C", mv1::HEADCOUNT_BAND_10_19);
  mv1::MembershipEvent named;
  named.set_event_id(events::NewEventId());
  named.mutable_network_created()->mutable_network()->set_network_id(kNetwork);
  named.mutable_network_created()->mutable_network()->set_name("Cluster Brocéliande Numérique");
  named.mutable_network_created()->mutable_network()->set_version(1);
  ASSERT_TRUE(built_.store->ApplyMembership(named).ok());
  const auto funder =
      ServiceHarness::ActingFor(kOrg.at('R'), {{kNetwork, auth::v1::NETWORK_ROLE_FUNDER}});

  v1::GetPrintableFunderReportRequest req;
  req.set_network_id(kNetwork);
  v1::PrintableReport page;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetPrintableFunderReport, funder, req, &page).ok());
  EXPECT_EQ(page.content_type(), "text/html; charset=utf-8");
  EXPECT_THAT(page.file_name(), ::testing::StartsWith("rapport-financeurs-"));
  EXPECT_THAT(page.html(), HasSubstr("Cluster Brocéliande Numérique"));
  EXPECT_THAT(page.html(), HasSubstr("moins de 5"));  // small groups, in French
  EXPECT_THAT(page.html(), HasSubstr("<svg"));
  for (char c : std::string("ABCDEFGN")) {
    EXPECT_THAT(page.html(), ::testing::Not(HasSubstr(kOrg.at(c))));
    EXPECT_THAT(page.html(),
                ::testing::Not(HasSubstr(absl::StrCat("Entreprise ", std::string(1, c)))));
  }
  req.set_format(v1::PRINT_FORMAT_PDF);
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetPrintableFunderReport, funder, req, &page).ok());
  EXPECT_THAT(page.pdf(), ::testing::StartsWith("%PDF-"));
  EXPECT_EQ(page.content_type(), "application/pdf");
  if (const char* dir = std::getenv("MAILLAGE_REPORT_PAGES_DIR")) {
    std::ofstream(absl::StrCat(dir, "/funder.pdf"), std::ios::binary) << page.pdf();
  }

  // The animators' page names members; a funder does not get it.
  v1::GetPrintableNetworkReportRequest network;
  network.set_network_id(kNetwork);
  network.set_format(v1::PRINT_FORMAT_PDF);
  EXPECT_EQ(
      h_.Call(stub_.get(), &Stub::GetPrintableNetworkReport, funder, network, &page).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(
      h_.Call(stub_.get(), &Stub::GetPrintableNetworkReport, Animator(), network, &page).ok());
  EXPECT_THAT(page.pdf(), ::testing::StartsWith("%PDF-"));
  if (const char* dir = std::getenv("MAILLAGE_REPORT_PAGES_DIR")) {
    std::ofstream(absl::StrCat(dir, "/network.pdf"), std::ios::binary) << page.pdf();
  }
  network.set_format(v1::PRINT_FORMAT_HTML);
  ASSERT_TRUE(
      h_.Call(stub_.get(), &Stub::GetPrintableNetworkReport, Animator(), network, &page).ok());
  EXPECT_THAT(page.html(), HasSubstr("Entreprise G"));  // whom to call
  EXPECT_THAT(page.html(), HasSubstr("À appeler"));
  network.set_format(static_cast<v1::PrintFormat>(7));
  grpc::Status s =
      h_.Call(stub_.get(), &Stub::GetPrintableNetworkReport, Animator(), network, &page);
  EXPECT_THAT(FieldsOf(s), ::testing::ElementsAre("format"));
}

TEST_F(ReportingServiceTest, SponsoringACoOptedMemberCountsAsEngagement) {
  TheUsual();
  // G, isolated so far, sponsored H's application ten days ago; H is now active.
  mv1::MembershipEvent e;
  e.set_event_id(events::NewEventId());
  mv1::Membership* m = e.mutable_membership_changed()->mutable_membership();
  m->set_network_id(kNetwork);
  m->set_organisation_id(kOrg.at('H'));
  m->set_organisation_name("Entreprise H");
  m->set_state(mv1::MEMBERSHIP_STATE_ACTIVE);
  m->set_version(3);
  mv1::Sponsorship* sponsorship = m->add_sponsorships();
  sponsorship->set_sponsor_organisation_id(kOrg.at('G'));
  SetTime(sponsorship->mutable_sponsor_time(), absl::Now() - absl::Hours(24 * 10));
  ASSERT_TRUE(built_.store->ApplyMembership(e).ok());
  ASSERT_TRUE(built_.store->ApplyMembership(e).ok());  // redelivered: once

  v1::GetEngagementRequest req;
  req.set_network_id(kNetwork);
  v1::EngagementReport r;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetEngagement, Animator(), req, &r).ok());
  for (const v1::MemberEngagement& member : r.members()) {
    if (member.name() == "Entreprise G") {
      EXPECT_EQ(member.co_optations_sponsored(), 1);
      EXPECT_EQ(member.score(), 2);
      EXPECT_FALSE(member.isolated());
    }
  }
  EXPECT_THAT(r.isolated_organisation_ids(), ::testing::Not(::testing::Contains(kOrg.at('G'))));
}

TEST_F(ReportingServiceTest, ThePoolingHeatmapCountsEachFunctionsDispositionsOfTheLatestAnswers) {
  const std::string campaign = "6c6c6c6c-0000-4000-8000-000000000009";
  auto submit = [&](char c, int revision,
                    std::vector<std::pair<std::string, av1::Disposition>> answers, bool willing) {
    av1::AssessmentEvent e;
    e.set_event_id(events::NewEventId());
    e.set_network_id(kNetwork);
    SetTime(e.mutable_occur_time(), absl::Now() - absl::Hours(24));
    av1::AssessmentSubmitted* s = e.mutable_assessment_submitted();
    s->set_campaign_id(campaign);
    s->set_organisation_id(kOrg.at(c));
    s->set_revision(revision);
    for (const auto& [function, disposition] : answers) {
      av1::FunctionDisposition* d = s->add_dispositions();
      d->set_function_code(function);
      d->set_disposition(disposition);
      d->set_willing_to_pool(willing);
    }
    ASSERT_TRUE(built_.store->ApplyAssessment(e).ok());
  };
  submit('A', 1,
         {{"it", av1::DISPOSITION_POOL_WITH_NETWORK}, {"legal", av1::DISPOSITION_KEEP_IN_HOUSE}},
         true);
  submit('B', 1, {{"it", av1::DISPOSITION_POOL_WITH_NETWORK}}, false);
  // C answered twice: its second submission replaces the first; a late first changes nothing.
  submit('C', 2, {{"it", av1::DISPOSITION_OFFER_TO_NETWORK}}, false);
  submit('C', 1,
         {{"it", av1::DISPOSITION_POOL_WITH_NETWORK}, {"legal", av1::DISPOSITION_KEEP_IN_HOUSE}},
         true);
  // F is suspended: not counted.
  submit('F', 1, {{"it", av1::DISPOSITION_POOL_WITH_NETWORK}}, true);

  v1::GetPoolingHeatmapRequest req;
  req.set_network_id(kNetwork);
  v1::PoolingHeatmap heatmap;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::GetPoolingHeatmap, Animator(), req, &heatmap).ok());
  EXPECT_EQ(heatmap.campaign_id(), campaign);
  ASSERT_EQ(heatmap.rows_size(), 2);
  const v1::HeatmapRow& it = heatmap.rows(0);  // "it" before "legal"
  EXPECT_EQ(it.function_code(), "it");
  EXPECT_EQ(it.members(), 3);
  EXPECT_EQ(it.members_by_disposition().at(av1::DISPOSITION_POOL_WITH_NETWORK), 2);
  EXPECT_EQ(it.members_by_disposition().at(av1::DISPOSITION_OFFER_TO_NETWORK), 1);
  EXPECT_EQ(it.willing_to_pool(), 1);
  EXPECT_EQ(heatmap.rows(1).members(), 1);  // A's legal; C's was replaced
  // Another network's animator: refused; a malformed campaign id: named.
  const auto other =
      ServiceHarness::ActingFor(kOrg.at('X'), {{kOtherNetwork, auth::v1::NETWORK_ROLE_ANIMATOR}});
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::GetPoolingHeatmap, other, req, &heatmap).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  req.set_campaign_id("nope");
  grpc::Status s = h_.Call(stub_.get(), &Stub::GetPoolingHeatmap, Animator(), req, &heatmap);
  EXPECT_THAT(FieldsOf(s), ::testing::ElementsAre("campaign_id"));
}

}  // namespace
}  // namespace maillage::reporting
