// The matching service on real PostgreSQL and Redis (common/testing/harness.h): members of a
// network of building artisans declare what they offer and need, and see their partners
// ranked; introductions go from request to outcome; and a member of another network, or of
// the same network without the role, tries what it may not do.
#include "services/matching/matching_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/authz/authz.h"
#include "common/events/outbox.h"
#include "common/redis/redis.h"
#include "common/status/status.h"
#include "common/testing/harness.h"
#include "maillage/assessment/v1/assessment.pb.h"
#include "maillage/matching/v1/matching.grpc.pb.h"
#include "maillage/membership/v1/events.pb.h"
#include "services/matching/matching_runtime.h"
#include "services/matching/matching_store.h"
#include "services/matching/profile_feed.h"
#include "services/matching/profile_index.h"

namespace maillage::matching {
namespace {

namespace mv1 = ::maillage::membership::v1;
using ::maillage::testing::HarnessOptions;
using ::maillage::testing::ServiceHarness;
using ::testing::HasSubstr;
using Stub = v1::MatchingService::Stub;

constexpr char kNetwork[] = "3b0c6a5e-1f2d-4e3c-8a9b-0c1d2e3f4a5b";
constexpr char kOtherNetwork[] = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b";
constexpr char kRoofer[] = "11111111-1111-4111-8111-111111111111";       // Ploërmel
constexpr char kOtherRoofer[] = "22222222-2222-4222-8222-222222222222";  // Josselin
constexpr char kTimber[] = "33333333-3333-4333-8333-333333333333";       // Mauron
constexpr char kAnimatorOrg[] = "44444444-4444-4444-8444-444444444444";
constexpr char kOutsider[] = "55555555-5555-4555-8555-555555555555";  // the other network

bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 200; ++i) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(25));
  }
  return done();
}

mv1::MembershipEvent OrganisationEvent(const std::string& id, const std::string& name,
                                       const std::string& naf, const std::string& section,
                                       double lat, double lon, int64_t version) {
  mv1::MembershipEvent e;
  e.set_event_id(events::NewEventId());
  mv1::Organisation* o = e.mutable_organisation_created()->mutable_organisation();
  o->set_organisation_id(id);
  o->set_legal_name(name);
  o->set_naf_code(naf);
  o->set_nace_section(section);
  o->set_version(version);
  mv1::Establishment* head = o->add_establishments();
  head->set_head_office(true);
  head->mutable_location()->set_latitude(lat);
  head->mutable_location()->set_longitude(lon);
  return e;
}

mv1::MembershipEvent MembershipEvent(const std::string& network, const std::string& org,
                                     mv1::MembershipState state, int64_t version) {
  mv1::MembershipEvent e;
  e.set_event_id(events::NewEventId());
  mv1::Membership* m = e.mutable_membership_changed()->mutable_membership();
  m->set_network_id(network);
  m->set_organisation_id(org);
  m->set_state(state);
  m->set_version(version);
  return e;
}

class MatchingServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    stream_ = absl::StrCat("maillage.membership.events.test", getpid(), "-m", n++);
    HarnessOptions options = Options();
    options.env["MAILLAGE_MEMBERSHIP_EVENTS_STREAM"] = stream_;
    assessment_stream_ = absl::StrCat("maillage.assessment.events.test", getpid(), "-m", n - 1);
    options.env["MAILLAGE_ASSESSMENT_EVENTS_STREAM"] = assessment_stream_;
    ASSERT_TRUE(h_.Start([this](ServiceRuntime& rt) { return Build(rt, &built_); }, options).ok());
    stub_ = v1::MatchingService::NewStub(h_.channel());
    Apply(OrganisationEvent(kRoofer, "Toitures du Lac", "43.91B", "F", 47.932, -2.398, 1));
    Apply(OrganisationEvent(kOtherRoofer, "Couverture Josselinaise", "43.91B", "F", 47.955, -2.548,
                            1));
    Apply(
        OrganisationEvent(kTimber, "Charpentes de Brocéliande", "16.23Z", "C", 48.133, -2.335, 1));
    Apply(
        OrganisationEvent(kAnimatorOrg, "Artisans de Ploërmel", "94.11Z", "S", 47.932, -2.398, 1));
    Apply(OrganisationEvent(kOutsider, "Bois de Gironde", "16.23Z", "C", 44.84, -0.58, 1));
    for (const char* org : {kRoofer, kOtherRoofer, kTimber, kAnimatorOrg}) {
      Apply(MembershipEvent(kNetwork, org, mv1::MEMBERSHIP_STATE_ACTIVE, 1));
    }
    Apply(MembershipEvent(kOtherNetwork, kOutsider, mv1::MEMBERSHIP_STATE_ACTIVE, 1));
  }

  virtual HarnessOptions Options() { return {}; }

  // What the consumer does with an event of membership's stream.
  void Apply(const mv1::MembershipEvent& e) {
    absl::StatusOr<std::vector<std::string>> changed = built_.store->ApplyMembershipEvent(e);
    ASSERT_TRUE(changed.ok()) << changed.status();
    for (const std::string& id : *changed) built_.feed->Refresh(id);
  }

  static auth::Principal Rep(const std::string& org, const std::string& network = kNetwork,
                             auth::NetworkRole role = auth::v1::NETWORK_ROLE_MEMBER) {
    return ServiceHarness::ActingFor(org, {{network, role}});
  }
  static auth::Principal Animator() {
    return Rep(kAnimatorOrg, kNetwork, auth::v1::NETWORK_ROLE_ANIMATOR);
  }
  static auth::Principal Outsider() {  // an animator, of another network
    return Rep(kOutsider, kOtherNetwork, auth::v1::NETWORK_ROLE_ANIMATOR);
  }

  grpc::Status Declare(const std::string& org, v1::Side side, v1::DeclarationType type,
                       std::vector<std::string> tags, const std::string& title,
                       const std::string& description, v1::Declaration* out = nullptr,
                       bool confidential = false) {
    v1::CreateDeclarationRequest req;
    req.set_organisation_id(org);
    v1::Declaration* d = req.mutable_declaration();
    d->set_side(side);
    d->set_type(type);
    for (const std::string& t : tags) d->add_tags(t);
    d->set_title(title);
    d->set_description(description);
    d->set_confidential(confidential);
    v1::Declaration ignored;
    return h_.Call(stub_.get(), &Stub::CreateDeclaration,
                   Rep(org, org == kOutsider ? kOtherNetwork : kNetwork), req,
                   out != nullptr ? out : &ignored);
  }

  // The usual profiles: the roofer needs timber frames and sells roofing; the other roofer
  // sells roofing and timber frames (a competitor that could also answer); the timber
  // framer sells frames and needs a roofer for its houses.
  void DeclareTheUsual() {
    const auto kBusiness = v1::DECLARATION_TYPE_BUSINESS;
    ASSERT_TRUE(Declare(kRoofer, v1::SIDE_NEED, kBusiness, {"building.carpentry"},
                        "Charpentes bois pour nos chantiers",
                        "Nous cherchons un charpentier pour les charpentes des maisons que nous "
                        "couvrons")
                    .ok());
    ASSERT_TRUE(Declare(kRoofer, v1::SIDE_OFFER, kBusiness, {"building.roofing"},
                        "Couverture et réfection de toiture", "Tuiles, ardoises et zinguerie")
                    .ok());
    ASSERT_TRUE(Declare(kOtherRoofer, v1::SIDE_OFFER, kBusiness,
                        {"building.roofing", "building.carpentry"}, "Couverture et charpente",
                        "Couvreur et charpentier, réfection de toiture")
                    .ok());
    ASSERT_TRUE(Declare(kTimber, v1::SIDE_OFFER, kBusiness, {"building.carpentry"},
                        "Charpentes bois sur mesure",
                        "Fabrication et pose de charpentes traditionnelles et ossature bois")
                    .ok());
    ASSERT_TRUE(Declare(kTimber, v1::SIDE_NEED, kBusiness, {"building.roofing"},
                        "Un couvreur pour nos maisons ossature bois",
                        "Couverture des maisons à ossature bois que nous construisons")
                    .ok());
    ASSERT_TRUE(Declare(kOutsider, v1::SIDE_OFFER, kBusiness, {"building.carpentry"},
                        "Charpentes bois", "Charpentes traditionnelles")
                    .ok());
  }

  v1::SuggestPartnersResponse Suggest(const auth::Principal& who, const std::string& org,
                                      const std::string& network = "") {
    v1::SuggestPartnersRequest req;
    req.set_organisation_id(org);
    req.set_network_id(network);
    v1::SuggestPartnersResponse resp;
    grpc::Status s = h_.Call(stub_.get(), &Stub::SuggestPartners, who, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  static std::vector<std::string> Ids(const v1::SuggestPartnersResponse& r) {
    std::vector<std::string> ids;
    for (const v1::Suggestion& s : r.suggestions()) ids.push_back(s.organisation_id());
    return ids;
  }

  std::string stream_;
  std::string assessment_stream_;
  ServiceHarness h_{Definition()};
  Built built_;
  std::unique_ptr<Stub> stub_;
};

TEST(MatchingAuthzTableTest, EveryRpcHasExactlyOneRow) {
  authz::Table table = MatchingAuthzTable({});
  EXPECT_THAT(
      authz::CoverageProblems(
          table, *v1::Declaration::descriptor()->file()->FindServiceByName("MatchingService")),
      ::testing::IsEmpty());
}

TEST_F(MatchingServiceTest, TheTimberFramerRanksFirstForARooferAndTheOtherRooferIsCut) {
  DeclareTheUsual();
  v1::SuggestPartnersResponse r = Suggest(Rep(kRoofer), kRoofer);
  ASSERT_EQ(Ids(r), (std::vector<std::string>{kTimber, kOtherRoofer}));
  const v1::Suggestion& timber = r.suggestions(0);
  EXPECT_EQ(timber.organisation_name(), "Charpentes de Brocéliande");
  EXPECT_EQ(timber.complementarity(), v1::COMPLEMENTARITY_VERTICAL);
  EXPECT_GT(timber.terms().two_way(), 0);  // it needs a roofer too
  EXPECT_EQ(timber.terms().competitor_cut(), 0);
  EXPECT_TRUE(absl::StartsWith(timber.competition(), "not competing")) << timber.competition();
  EXPECT_TRUE(timber.shares_network());
  EXPECT_NEAR(timber.distance_km(), 22.5, 2.5);
  // Why: the roofer's need meets the framer's offer, and the reverse.
  ASSERT_EQ(timber.matches_size(), 2);
  std::map<bool, const v1::NeedMatch*> by_side;
  for (const v1::NeedMatch& m : timber.matches()) by_side[m.member_need()] = &m;
  EXPECT_EQ(by_side.at(true)->need_title(), "Charpentes bois pour nos chantiers");
  EXPECT_EQ(by_side.at(true)->offer_title(), "Charpentes bois sur mesure");
  EXPECT_THAT(by_side.at(true)->shared_tags(), ::testing::ElementsAre("building.carpentry"));
  EXPECT_EQ(by_side.at(false)->need_title(), "Un couvreur pour nos maisons ossature bois");

  const v1::Suggestion& rival = r.suggestions(1);
  EXPECT_GT(rival.terms().competitor_cut(), 0);
  EXPECT_TRUE(absl::StartsWith(rival.competition(), "competes")) << rival.competition();
  EXPECT_LT(rival.score(), timber.score());
  // The framer of the other network is never suggested, however well it fits.
  EXPECT_THAT(Ids(r), ::testing::Not(::testing::Contains(kOutsider)));
}

TEST_F(MatchingServiceTest, ASuspendedMemberDisappearsFromSuggestionsThroughTheStream) {
  DeclareTheUsual();
  ASSERT_EQ(Ids(Suggest(Rep(kRoofer), kRoofer))[0], kTimber);
  mv1::MembershipEvent suspended =
      MembershipEvent(kNetwork, kTimber, mv1::MEMBERSHIP_STATE_SUSPENDED, 2);
  absl::StatusOr<redis::RedisReply> r = h_.runtime()->redis()->Command(
      {"XADD", stream_, "*", "id", suspended.event_id(), "type", "membership.membership_changed",
       "payload", suspended.SerializeAsString()});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(Eventually([&] {
    std::vector<std::string> ids = Ids(Suggest(Rep(kRoofer), kRoofer));
    return std::find(ids.begin(), ids.end(), kTimber) == ids.end();
  }));
  // Reinstated, it is back.
  Apply(MembershipEvent(kNetwork, kTimber, mv1::MEMBERSHIP_STATE_ACTIVE, 3));
  EXPECT_EQ(Ids(Suggest(Rep(kRoofer), kRoofer))[0], kTimber);
  // An old event delivered late changes nothing.
  Apply(MembershipEvent(kNetwork, kTimber, mv1::MEMBERSHIP_STATE_SUSPENDED, 2));
  EXPECT_EQ(Ids(Suggest(Rep(kRoofer), kRoofer))[0], kTimber);
}

TEST_F(MatchingServiceTest, AWithdrawnOfferNoLongerMatchesAndARenewedOneLivesOn) {
  DeclareTheUsual();
  v1::Declaration offer;
  ASSERT_TRUE(Declare(kTimber, v1::SIDE_OFFER, v1::DECLARATION_TYPE_POOLING, {"building.carpentry"},
                      "Prêt de notre grue", "Grue et nacelle", &offer)
                  .ok());
  EXPECT_EQ(offer.state(), v1::DECLARATION_STATE_ACTIVE);
  // Expires in 12 months by default.
  EXPECT_NEAR(offer.expire_time().seconds() - offer.create_time().seconds(), 365 * 86400,
              2 * 86400);
  v1::RenewDeclarationRequest renew;
  renew.set_declaration_id(offer.declaration_id());
  renew.set_months(24);
  v1::Declaration renewed;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::RenewDeclaration, Rep(kTimber), renew, &renewed).ok());
  EXPECT_NEAR(renewed.expire_time().seconds() - offer.create_time().seconds(), 730 * 86400,
              2 * 86400);
  EXPECT_EQ(renewed.version(), 2);

  // The framer withdraws its frames: the roofer's need finds only the rival's offer.
  v1::ListDeclarationsRequest list;
  list.set_organisation_id(kTimber);
  list.set_side(v1::SIDE_OFFER);
  v1::ListDeclarationsResponse listed;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::ListDeclarations, Rep(kTimber), list, &listed).ok());
  for (const v1::Declaration& d : listed.declarations()) {
    v1::WithdrawDeclarationRequest w;
    w.set_declaration_id(d.declaration_id());
    v1::Declaration out;
    ASSERT_TRUE(h_.Call(stub_.get(), &Stub::WithdrawDeclaration, Rep(kTimber), w, &out).ok());
    EXPECT_EQ(out.state(), v1::DECLARATION_STATE_WITHDRAWN);
  }
  v1::SuggestPartnersResponse r = Suggest(Rep(kRoofer), kRoofer);
  std::map<std::string, const v1::Suggestion*> by_id;
  for (const v1::Suggestion& s : r.suggestions()) by_id[s.organisation_id()] = &s;
  ASSERT_EQ(by_id.size(), 2u);
  // The rival's frames now answer the roofer's need...
  EXPECT_GT(by_id.at(kOtherRoofer)->terms().need_fit(), 0);
  // ...and the framer is still suggested, for its own need of a roofer only.
  EXPECT_EQ(by_id.at(kTimber)->terms().need_fit(), 0);
  EXPECT_GT(by_id.at(kTimber)->terms().offer_fit(), 0);
  ASSERT_EQ(by_id.at(kTimber)->matches_size(), 1);
  EXPECT_FALSE(by_id.at(kTimber)->matches(0).member_need());
}

class MatchingReplicasTest : public MatchingServiceTest {
 protected:
  HarnessOptions Options() override { return {.relay = true}; }
};

// Another replica takes a declaration (its own store over the same database): this replica
// learns of it from the stream (relay -> maillage.matching.events -> follower) and ranks it.
TEST_F(MatchingReplicasTest, ADeclarationTakenByAnotherReplicaIsRankedHereWithinMoments) {
  DeclareTheUsual();
  EXPECT_THAT(Ids(Suggest(Rep(kRoofer), kRoofer)),
              ::testing::Not(::testing::Contains(kAnimatorOrg)));
  MatchingStore other(h_.runtime()->pg(), absl::Now);
  v1::Declaration offer;
  offer.set_side(v1::SIDE_OFFER);
  offer.set_type(v1::DECLARATION_TYPE_BUSINESS);
  offer.add_tags("building.carpentry");
  offer.set_title("Charpentes de l'école d'apprentis");
  offer.mutable_expire_time()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(240)));
  ASSERT_TRUE(other.CreateDeclaration(kAnimatorOrg, offer, "person-x", "").ok());
  EXPECT_TRUE(Eventually([&] {
    std::vector<std::string> ids = Ids(Suggest(Rep(kRoofer), kRoofer));
    return std::find(ids.begin(), ids.end(), kAnimatorOrg) != ids.end();
  }));
}

TEST_F(MatchingServiceTest, AConfidentialNeedIsShownToNoOtherMember) {
  DeclareTheUsual();
  v1::Declaration secret;
  ASSERT_TRUE(Declare(kOtherRoofer, v1::SIDE_NEED, v1::DECLARATION_TYPE_BUSINESS,
                      {"building.carpentry"}, "Reprise d'une charpenterie", "Rachat envisagé",
                      &secret, /*confidential=*/true)
                  .ok());
  v1::ListDeclarationsRequest list;
  list.set_network_id(kNetwork);
  list.set_organisation_id(kOtherRoofer);
  v1::ListDeclarationsResponse seen_by_member;
  ASSERT_TRUE(
      h_.Call(stub_.get(), &Stub::ListDeclarations, Rep(kRoofer), list, &seen_by_member).ok());
  for (const v1::Declaration& d : seen_by_member.declarations()) {
    EXPECT_NE(d.declaration_id(), secret.declaration_id());
  }
  EXPECT_EQ(seen_by_member.declarations_size(), 1);
  v1::ListDeclarationsResponse seen_by_owner;
  ASSERT_TRUE(
      h_.Call(stub_.get(), &Stub::ListDeclarations, Rep(kOtherRoofer), list, &seen_by_owner).ok());
  EXPECT_EQ(seen_by_owner.declarations_size(), 2);
  // Nor in the reasons of anyone's suggestions, nor on the stream.
  v1::SuggestPartnersResponse framer = Suggest(Rep(kTimber), kTimber);
  for (const v1::Suggestion& s : framer.suggestions()) {
    for (const v1::NeedMatch& m : s.matches()) {
      EXPECT_NE(m.need_declaration_id(), secret.declaration_id());
      EXPECT_NE(m.need_title(), "Reprise d'une charpenterie");
    }
  }
  EXPECT_EQ(h_.Count("SELECT count(*) FROM outbox WHERE position(convert_to('charpenterie', "
                     "'UTF8') in payload) > 0"),
            0);
  // A need cannot be confidential on the offer side.
  grpc::Status s = Declare(kRoofer, v1::SIDE_OFFER, v1::DECLARATION_TYPE_BUSINESS,
                           {"building.roofing"}, "Offre", "", nullptr, true);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(s)).at(0).field, "declaration.confidential");
}

TEST_F(MatchingServiceTest, IntroductionsGoFromRequestToOutcomeAndADeclineCoolsThePairDown) {
  DeclareTheUsual();
  v1::RequestIntroductionRequest ask;
  ask.set_network_id(kNetwork);
  ask.set_requester_organisation_id(kRoofer);
  ask.set_recipient_organisation_id(kTimber);
  ask.set_message("Bonjour, parlons de vos charpentes");
  ask.set_from_suggestion(true);
  ask.set_suggestion_score(1.2);
  ask.set_idempotency_key("ask-1");
  v1::Introduction intro;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::RequestIntroduction, Rep(kRoofer), ask, &intro).ok());
  EXPECT_EQ(intro.state(), v1::INTRODUCTION_STATE_REQUESTED);
  EXPECT_EQ(intro.recipient_name(), "Charpentes de Brocéliande");
  v1::Introduction again;  // a retry returns the same request
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::RequestIntroduction, Rep(kRoofer), ask, &again).ok());
  EXPECT_EQ(again.introduction_id(), intro.introduction_id());

  // Only the recipient answers; the requester cannot accept for it.
  v1::RespondToIntroductionRequest accept;
  accept.set_introduction_id(intro.introduction_id());
  accept.set_accept(true);
  v1::Introduction out;
  EXPECT_EQ(
      h_.Call(stub_.get(), &Stub::RespondToIntroduction, Rep(kRoofer), accept, &out).error_code(),
      grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::RespondToIntroduction, Rep(kTimber), accept, &out).ok());
  EXPECT_EQ(out.state(), v1::INTRODUCTION_STATE_ACCEPTED);

  v1::RecordIntroductionOutcomeRequest met;
  met.set_introduction_id(intro.introduction_id());
  met.set_outcome(v1::INTRODUCTION_OUTCOME_LETTER_OF_INTENT);
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::RecordIntroductionOutcome, Rep(kRoofer), met, &out).ok());
  met.set_outcome(v1::INTRODUCTION_OUTCOME_MET);  // backwards
  grpc::Status back = h_.Call(stub_.get(), &Stub::RecordIntroductionOutcome, Animator(), met, &out);
  EXPECT_EQ(back.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  met.set_outcome(v1::INTRODUCTION_OUTCOME_CONTRACT);
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::RecordIntroductionOutcome, Animator(), met, &out).ok());
  EXPECT_EQ(out.outcome(), v1::INTRODUCTION_OUTCOME_CONTRACT);
  EXPECT_EQ(h_.Count("SELECT count(*) FROM outbox WHERE event_type LIKE 'matching.introduction%'"),
            4);  // requested, accepted, two outcomes

  // The network's animators see it; a member of the network does not list the network's.
  v1::ListIntroductionsRequest by_network;
  by_network.set_network_id(kNetwork);
  v1::ListIntroductionsResponse listed;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::ListIntroductions, Animator(), by_network, &listed).ok());
  ASSERT_EQ(listed.introductions_size(), 1);
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::ListIntroductions, Rep(kOtherRoofer), by_network, &listed)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // The framer declines the other roofer: neither is suggested to the other for a while,
  // and asking again is refused.
  ask.set_requester_organisation_id(kOtherRoofer);
  ask.set_idempotency_key("");
  ASSERT_TRUE(
      h_.Call(stub_.get(), &Stub::RequestIntroduction, Rep(kOtherRoofer), ask, &intro).ok());
  v1::RespondToIntroductionRequest decline;
  decline.set_introduction_id(intro.introduction_id());
  decline.set_accept(false);
  decline.set_note("Pas maintenant");
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::RespondToIntroduction, Rep(kTimber), decline, &out).ok());
  EXPECT_THAT(Ids(Suggest(Rep(kOtherRoofer), kOtherRoofer)),
              ::testing::Not(::testing::Contains(kTimber)));
  EXPECT_THAT(Ids(Suggest(Rep(kTimber), kTimber)),
              ::testing::Not(::testing::Contains(kOtherRoofer)));
  grpc::Status refused =
      h_.Call(stub_.get(), &Stub::RequestIntroduction, Rep(kOtherRoofer), ask, &intro);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(MatchingServiceTest, ABlockedOrganisationIsNeverSuggestedNorIntroduced) {
  DeclareTheUsual();
  v1::BlockOrganisationRequest block;
  block.set_organisation_id(kTimber);
  block.set_blocked_organisation_id(kRoofer);
  v1::Block b;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::BlockOrganisation, Rep(kTimber), block, &b).ok());
  EXPECT_THAT(Ids(Suggest(Rep(kRoofer), kRoofer)), ::testing::Not(::testing::Contains(kTimber)));
  EXPECT_THAT(Ids(Suggest(Rep(kTimber), kTimber)), ::testing::Not(::testing::Contains(kRoofer)));
  v1::RequestIntroductionRequest ask;
  ask.set_network_id(kNetwork);
  ask.set_requester_organisation_id(kRoofer);
  ask.set_recipient_organisation_id(kTimber);
  v1::Introduction intro;
  EXPECT_EQ(
      h_.Call(stub_.get(), &Stub::RequestIntroduction, Rep(kRoofer), ask, &intro).error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);
  v1::UnblockOrganisationRequest unblock;
  unblock.set_organisation_id(kTimber);
  unblock.set_blocked_organisation_id(kRoofer);
  v1::UnblockOrganisationResponse done;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::UnblockOrganisation, Rep(kTimber), unblock, &done).ok());
  EXPECT_EQ(Ids(Suggest(Rep(kRoofer), kRoofer))[0], kTimber);
  EXPECT_EQ(
      h_.Call(stub_.get(), &Stub::UnblockOrganisation, Rep(kTimber), unblock, &done).error_code(),
      grpc::StatusCode::NOT_FOUND);
}

TEST_F(MatchingServiceTest, ProvidersConsortiaAndCyclesComeFromTheNetworkOnly) {
  DeclareTheUsual();
  v1::FindProvidersRequest find;
  find.set_network_id(kNetwork);
  find.set_text("charpente bois");
  v1::FindProvidersResponse providers;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::FindProviders, Rep(kRoofer), find, &providers).ok());
  EXPECT_THAT(providers.tags(), ::testing::Contains("building.carpentry"));
  std::vector<std::string> ids;
  for (const v1::Provider& p : providers.providers()) ids.push_back(p.organisation_id());
  EXPECT_THAT(ids, ::testing::UnorderedElementsAre(kTimber, kOtherRoofer));

  v1::BuildConsortiumRequest build;
  build.set_network_id(kNetwork);
  v1::Requirement* roofing = build.add_requirements();
  roofing->set_tag("building.roofing");
  v1::Requirement* frames = build.add_requirements();
  frames->set_tag("building.carpentry");
  v1::Requirement* heat = build.add_requirements();
  heat->set_tag("building.heat_pump");
  build.add_must_include_organisation_ids(kRoofer);
  v1::Consortium team;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::BuildConsortium, Rep(kRoofer), build, &team).ok());
  std::vector<std::string> members;
  for (const v1::ConsortiumMember& m : team.members()) members.push_back(m.organisation_id());
  // The rival roofer would cover both, but competes with the roofer the team must include.
  EXPECT_EQ(members, (std::vector<std::string>{kRoofer, kTimber}));
  EXPECT_THAT(team.missing(), ::testing::ElementsAre("building.heat_pump"));
  EXPECT_NEAR(team.coverage_ratio(), 2.0 / 3, 1e-9);

  v1::FindExchangeCyclesRequest cycles;
  cycles.set_network_id(kNetwork);
  v1::FindExchangeCyclesResponse found;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::FindExchangeCycles, Animator(), cycles, &found).ok());
  ASSERT_EQ(found.cycles_size(), 1);
  EXPECT_THAT(found.cycles(0).organisation_ids(),
              ::testing::UnorderedElementsAre(kRoofer, kTimber));
  // The outsider's network has no such trade; nobody else's network is theirs to search.
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::FindProviders, Outsider(), find, &providers).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      h_.Call(stub_.get(), &Stub::FindExchangeCycles, Rep(kRoofer), cycles, &found).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(MatchingServiceTest, AMemberOfAnotherNetworkGetsNothingOfThisOne) {
  DeclareTheUsual();
  v1::Declaration offer;
  ASSERT_TRUE(Declare(kTimber, v1::SIDE_OFFER, v1::DECLARATION_TYPE_TECHNOLOGY,
                      {"building.carpentry"}, "Licence de notre logiciel de taille",
                      "Logiciel de taille de charpente", &offer)
                  .ok());
  const int64_t events_before = h_.Count("SELECT count(*) FROM outbox");
  // Suggestions of a member it does not represent, in a network it is not in.
  v1::SuggestPartnersRequest suggest;
  suggest.set_organisation_id(kRoofer);
  v1::SuggestPartnersResponse suggestions;
  EXPECT_EQ(
      h_.Call(stub_.get(), &Stub::SuggestPartners, Outsider(), suggest, &suggestions).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  suggest.set_network_id(kNetwork);
  EXPECT_EQ(
      h_.Call(stub_.get(), &Stub::SuggestPartners, Outsider(), suggest, &suggestions).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // Another's declaration, by its id or in upper case: as missing as one that does not exist.
  v1::WithdrawDeclarationRequest withdraw;
  withdraw.set_declaration_id(offer.declaration_id());
  v1::Declaration out;
  grpc::Status foreign =
      h_.Call(stub_.get(), &Stub::WithdrawDeclaration, Outsider(), withdraw, &out);
  EXPECT_EQ(foreign.error_code(), grpc::StatusCode::NOT_FOUND);
  std::string upper = offer.declaration_id();
  for (char& c : upper) c = static_cast<char>(toupper(c));
  withdraw.set_declaration_id(upper);
  EXPECT_EQ(
      h_.Call(stub_.get(), &Stub::WithdrawDeclaration, Outsider(), withdraw, &out).error_code(),
      grpc::StatusCode::NOT_FOUND);
  withdraw.set_declaration_id("5f5f5f5f-0000-4000-8000-000000000000");
  grpc::Status missing =
      h_.Call(stub_.get(), &Stub::WithdrawDeclaration, Outsider(), withdraw, &out);
  EXPECT_EQ(missing.error_code(), foreign.error_code());
  EXPECT_EQ(missing.error_message(), foreign.error_message());
  // Declaring for another company, listing its declarations, asking an introduction in its
  // name, reading the network's settings.
  v1::CreateDeclarationRequest create;
  create.set_organisation_id(kRoofer);
  create.mutable_declaration()->set_side(v1::SIDE_OFFER);
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::CreateDeclaration, Outsider(), create, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListDeclarationsRequest list;
  list.set_network_id(kNetwork);
  v1::ListDeclarationsResponse listed;
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::ListDeclarations, Outsider(), list, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Its own organisation with this network's id: nothing of this network comes back.
  list.set_organisation_id(kOutsider);
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::ListDeclarations, Outsider(), list, &listed).ok());
  EXPECT_EQ(listed.declarations_size(), 0);
  v1::RequestIntroductionRequest ask;
  ask.set_network_id(kNetwork);
  ask.set_requester_organisation_id(kOutsider);
  ask.set_recipient_organisation_id(kTimber);
  v1::Introduction intro;
  grpc::Status not_member =
      h_.Call(stub_.get(), &Stub::RequestIntroduction, Outsider(), ask, &intro);
  EXPECT_EQ(not_member.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  v1::GetMatchingSettingsRequest settings;
  settings.set_network_id(kNetwork);
  v1::MatchingSettings got;
  EXPECT_EQ(
      h_.Call(stub_.get(), &Stub::GetMatchingSettings, Outsider(), settings, &got).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // A member who is not an animator changes no settings.
  v1::UpdateMatchingSettingsRequest update;
  update.set_network_id(kNetwork);
  update.mutable_settings()->set_distance_scale_km(80);
  EXPECT_EQ(
      h_.Call(stub_.get(), &Stub::UpdateMatchingSettings, Rep(kRoofer), update, &got).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(h_.Count("SELECT count(*) FROM outbox"), events_before);  // nothing was written
}

// Every RPC as each kind of caller: the company's representative, another member of the
// network, its animator, the other side of an introduction, and an animator of another
// network. Writes are asked with a flaw found after the authorisation, so that a caller let
// in gets INVALID_ARGUMENT and nothing is written.
TEST_F(MatchingServiceTest, EachRoleReachesExactlyItsRpcs) {
  DeclareTheUsual();
  v1::Declaration withdrawn;
  ASSERT_TRUE(Declare(kRoofer, v1::SIDE_OFFER, v1::DECLARATION_TYPE_BUSINESS, {"building.roofing"},
                      "Ancienne offre", "", &withdrawn)
                  .ok());
  v1::WithdrawDeclarationRequest withdraw;
  withdraw.set_declaration_id(withdrawn.declaration_id());
  ASSERT_TRUE(
      h_.Call(stub_.get(), &Stub::WithdrawDeclaration, Rep(kRoofer), withdraw, &withdrawn).ok());
  v1::RequestIntroductionRequest ask;
  ask.set_network_id(kNetwork);
  ask.set_requester_organisation_id(kRoofer);
  ask.set_recipient_organisation_id(kTimber);
  v1::Introduction intro;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::RequestIntroduction, Rep(kRoofer), ask, &intro).ok());

  const std::map<std::string, auth::Principal> callers = {{"company", Rep(kRoofer)},
                                                          {"member", Rep(kOtherRoofer)},
                                                          {"animator", Animator()},
                                                          {"recipient", Rep(kTimber)},
                                                          {"outsider", Outsider()}};
  using Call = std::function<grpc::Status(const auth::Principal&)>;
  std::map<std::string, Call> rpcs;
#define MAILLAGE_RPC(Name, Req, Resp, fill)                    \
  rpcs[#Name] = [=, this](const auth::Principal& who) {        \
    v1::Req req;                                               \
    fill;                                                      \
    v1::Resp resp;                                             \
    return h_.Call(stub_.get(), &Stub::Name, who, req, &resp); \
  }
  const std::string declaration = withdrawn.declaration_id();
  const std::string introduction = intro.introduction_id();
  MAILLAGE_RPC(ListCompetencies, ListCompetenciesRequest, ListCompetenciesResponse,
               req.set_domain("building"));
  MAILLAGE_RPC(CreateDeclaration, CreateDeclarationRequest, Declaration,
               req.set_organisation_id(kRoofer));
  MAILLAGE_RPC(UpdateDeclaration, UpdateDeclarationRequest, Declaration,
               req.mutable_declaration()->set_declaration_id(declaration));
  MAILLAGE_RPC(WithdrawDeclaration, WithdrawDeclarationRequest, Declaration,
               req.set_declaration_id(declaration));
  MAILLAGE_RPC(RenewDeclaration, RenewDeclarationRequest, Declaration,
               (req.set_declaration_id(declaration), req.set_months(99)));
  MAILLAGE_RPC(ListDeclarations, ListDeclarationsRequest, ListDeclarationsResponse,
               (req.set_organisation_id(kRoofer), req.set_network_id(kNetwork)));
  MAILLAGE_RPC(ListExpiringDeclarations, ListExpiringDeclarationsRequest,
               ListExpiringDeclarationsResponse, req.set_network_id(kNetwork));
  MAILLAGE_RPC(SuggestPartners, SuggestPartnersRequest, SuggestPartnersResponse,
               (req.set_organisation_id(kRoofer), req.set_network_id(kNetwork)));
  MAILLAGE_RPC(FindProviders, FindProvidersRequest, FindProvidersResponse,
               (req.set_network_id(kNetwork), req.add_tags("building.carpentry")));
  MAILLAGE_RPC(
      BuildConsortium, BuildConsortiumRequest, Consortium,
      (req.set_network_id(kNetwork), req.add_requirements()->set_tag("building.carpentry")));
  MAILLAGE_RPC(FindExchangeCycles, FindExchangeCyclesRequest, FindExchangeCyclesResponse,
               req.set_network_id(kNetwork));
  MAILLAGE_RPC(BlockOrganisation, BlockOrganisationRequest, Block,
               (req.set_organisation_id(kRoofer), req.set_blocked_organisation_id(kRoofer)));
  MAILLAGE_RPC(UnblockOrganisation, UnblockOrganisationRequest, UnblockOrganisationResponse,
               (req.set_organisation_id(kRoofer), req.set_blocked_organisation_id(kOutsider)));
  MAILLAGE_RPC(ListBlocks, ListBlocksRequest, ListBlocksResponse, req.set_organisation_id(kRoofer));
  MAILLAGE_RPC(RequestIntroduction, RequestIntroductionRequest, Introduction,
               (req.set_network_id(kNetwork), req.set_requester_organisation_id(kRoofer),
                req.set_recipient_organisation_id(kRoofer)));
  MAILLAGE_RPC(RespondToIntroduction, RespondToIntroductionRequest, Introduction,
               (req.set_introduction_id(introduction), req.set_note(std::string(501, 'x'))));
  MAILLAGE_RPC(RecordIntroductionOutcome, RecordIntroductionOutcomeRequest, Introduction,
               req.set_introduction_id(introduction));
  MAILLAGE_RPC(GetIntroduction, GetIntroductionRequest, Introduction,
               req.set_introduction_id(introduction));
  MAILLAGE_RPC(ListIntroductions, ListIntroductionsRequest, ListIntroductionsResponse,
               req.set_organisation_id(kRoofer));
  MAILLAGE_RPC(GetMatchingSettings, GetMatchingSettingsRequest, MatchingSettings,
               req.set_network_id(kNetwork));
  MAILLAGE_RPC(UpdateMatchingSettings, UpdateMatchingSettingsRequest, MatchingSettings,
               (req.set_network_id(kNetwork), req.mutable_settings()->set_distance_floor(2)));
#undef MAILLAGE_RPC

  constexpr auto ok = grpc::StatusCode::OK;
  constexpr auto bad = grpc::StatusCode::INVALID_ARGUMENT;
  constexpr auto denied = grpc::StatusCode::PERMISSION_DENIED;
  constexpr auto hidden = grpc::StatusCode::NOT_FOUND;
  // company, member, animator, recipient, outsider
  const std::map<std::string, std::vector<grpc::StatusCode>> expected = {
      {"ListCompetencies", {ok, ok, ok, ok, ok}},
      {"CreateDeclaration", {bad, denied, denied, denied, denied}},
      {"UpdateDeclaration", {bad, hidden, hidden, hidden, hidden}},
      {"WithdrawDeclaration", {ok, hidden, hidden, hidden, hidden}},
      {"RenewDeclaration", {bad, hidden, hidden, hidden, hidden}},
      {"ListDeclarations", {ok, ok, ok, ok, denied}},
      {"ListExpiringDeclarations", {denied, denied, ok, denied, denied}},
      {"SuggestPartners", {ok, denied, ok, denied, denied}},
      {"FindProviders", {ok, ok, ok, ok, denied}},
      {"BuildConsortium", {ok, ok, ok, ok, denied}},
      {"FindExchangeCycles", {denied, denied, ok, denied, denied}},
      {"BlockOrganisation", {bad, denied, denied, denied, denied}},
      {"UnblockOrganisation", {hidden, denied, denied, denied, denied}},
      {"ListBlocks", {ok, denied, denied, denied, denied}},
      {"RequestIntroduction", {bad, denied, denied, denied, denied}},
      {"RespondToIntroduction", {hidden, hidden, hidden, bad, hidden}},
      {"RecordIntroductionOutcome", {bad, hidden, bad, bad, hidden}},
      {"GetIntroduction", {ok, hidden, ok, ok, hidden}},
      {"ListIntroductions", {ok, denied, denied, denied, denied}},
      {"GetMatchingSettings", {ok, ok, ok, ok, denied}},
      {"UpdateMatchingSettings", {denied, denied, bad, denied, denied}},
  };
  const std::vector<std::string> order = {"company", "member", "animator", "recipient", "outsider"};
  ASSERT_EQ(expected.size(), rpcs.size());
  const int64_t events_before = h_.Count("SELECT count(*) FROM outbox");
  for (const auto& [rpc, codes] : expected) {
    for (size_t i = 0; i < order.size(); ++i) {
      grpc::Status s = rpcs.at(rpc)(callers.at(order[i]));
      EXPECT_EQ(s.error_code(), codes[i]) << rpc << " as " << order[i] << ": " << s.error_message();
      if (codes[i] == hidden) {
        EXPECT_THAT(s.error_message(), HasSubstr("not found"));
      }
    }
  }
  EXPECT_EQ(h_.Count("SELECT count(*) FROM outbox"), events_before);  // nothing was written
}

TEST_F(MatchingServiceTest, APoolingDecisionGivesItsParticipantsAPoolingNeed) {
  DeclareTheUsual();
  // The other roofer shares its IT technician.
  ASSERT_TRUE(Declare(kOtherRoofer, v1::SIDE_OFFER, v1::DECLARATION_TYPE_POOLING,
                      {"digital.it_support"}, "Technicien informatique partagé",
                      "Deux jours par mois chez vous")
                  .ok());
  auto decide = [&](std::vector<std::string> participants) {
    assessment::v1::AssessmentEvent e;
    e.set_event_id(events::NewEventId());
    e.set_network_id(kNetwork);
    assessment::v1::PoolingDecision* d = e.mutable_decision_recorded();
    d->set_decision_id(events::NewEventId());
    d->set_campaign_id("6c6c6c6c-0000-4000-8000-000000000001");
    d->set_network_id(kNetwork);
    d->set_function_code("it_infrastructure.support");
    d->set_modality(assessment::v1::POOLING_MODALITY_SHARED_RESOURCE);
    for (const std::string& p : participants) d->add_participant_organisation_ids(p);
    return e;
  };
  auto publish = [&](const assessment::v1::AssessmentEvent& e) {
    absl::StatusOr<redis::RedisReply> r = h_.runtime()->redis()->Command(
        {"XADD", assessment_stream_, "*", "id", e.event_id(), "type",
         "assessment.decision_recorded", "payload", e.SerializeAsString()});
    ASSERT_TRUE(r.ok()) << r.status();
  };
  auto pooling_needs = [&](const std::string& org) {
    v1::ListDeclarationsRequest list;
    list.set_organisation_id(org);
    list.set_side(v1::SIDE_NEED);
    v1::ListDeclarationsResponse resp;
    EXPECT_TRUE(h_.Call(stub_.get(), &Stub::ListDeclarations, Rep(org), list, &resp).ok());
    std::vector<v1::Declaration> out;
    for (const v1::Declaration& d : resp.declarations()) {
      if (d.type() == v1::DECLARATION_TYPE_POOLING) out.push_back(d);
    }
    return out;
  };
  const assessment::v1::AssessmentEvent both = decide({kRoofer, kTimber});
  publish(both);
  publish(both);  // delivered twice: applied once
  ASSERT_TRUE(Eventually([&] { return pooling_needs(kRoofer).size() == 1; }));
  const v1::Declaration need = pooling_needs(kRoofer)[0];
  EXPECT_EQ(need.title(), "Mutualisation : Support aux utilisateurs");
  EXPECT_THAT(need.tags(), ::testing::ElementsAre("digital.it_support"));
  EXPECT_EQ(need.state(), v1::DECLARATION_STATE_ACTIVE);
  EXPECT_EQ(need.source(),
            "assessment:6c6c6c6c-0000-4000-8000-000000000001:it_infrastructure.support");
  EXPECT_EQ(need.version(), 1);
  // The roofer is now offered the shared technician, for that need.
  bool pooled = false;
  const v1::SuggestPartnersResponse suggested = Suggest(Rep(kRoofer), kRoofer);
  for (const v1::Suggestion& s : suggested.suggestions()) {
    for (const v1::NeedMatch& m : s.matches()) {
      pooled |= s.organisation_id() == kOtherRoofer && m.member_need() &&
                m.type() == v1::DECLARATION_TYPE_POOLING &&
                m.offer_title() == "Technicien informatique partagé";
    }
  }
  EXPECT_TRUE(pooled);

  // The network decides again without the roofer: its need is withdrawn, the framer's kept.
  publish(decide({kTimber}));
  EXPECT_TRUE(Eventually([&] { return pooling_needs(kRoofer).empty(); }));
  ASSERT_EQ(pooling_needs(kTimber).size(), 1u);
  EXPECT_EQ(pooling_needs(kTimber)[0].version(), 2);
}

TEST_F(MatchingServiceTest, BadDeclarationsAreRefusedNamingEachField) {
  v1::CreateDeclarationRequest req;
  req.set_organisation_id(kRoofer);
  v1::Declaration* d = req.mutable_declaration();
  d->set_side(v1::SIDE_OFFER);
  d->set_type(static_cast<v1::DeclarationType>(42));
  d->add_tags("building.roofing");
  d->add_tags("building.roofing");
  d->add_tags("building.flying_carpets");
  d->set_title(std::string(121, 'x'));
  d->set_description("ok");
  d->set_reach_km(-3);
  d->mutable_expire_time()->set_seconds(1);
  req.set_idempotency_key(std::string(200, 'k'));
  v1::Declaration out;
  grpc::Status s = h_.Call(stub_.get(), &Stub::CreateDeclaration, Rep(kRoofer), req, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolationsOf(FromGrpcStatus(s))) fields.push_back(v.field);
  EXPECT_THAT(fields, ::testing::ElementsAre("declaration.type", "declaration.tags[1]",
                                             "declaration.tags[2]", "declaration.title",
                                             "declaration.reach_km", "declaration.expire_time",
                                             "idempotency_key"));
  EXPECT_EQ(h_.Count("SELECT count(*) FROM declarations"), 0);

  // A stale version is ABORTED and changes nothing.
  ASSERT_TRUE(Declare(kRoofer, v1::SIDE_OFFER, v1::DECLARATION_TYPE_BUSINESS, {"building.roofing"},
                      "Couverture", "", &out)
                  .ok());
  v1::UpdateDeclarationRequest update;
  *update.mutable_declaration() = out;
  update.mutable_declaration()->set_title("Couverture et zinguerie");
  v1::Declaration updated;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::UpdateDeclaration, Rep(kRoofer), update, &updated).ok());
  EXPECT_EQ(updated.version(), 2);
  EXPECT_EQ(
      h_.Call(stub_.get(), &Stub::UpdateDeclaration, Rep(kRoofer), update, &updated).error_code(),
      grpc::StatusCode::ABORTED);

  // Huge and malformed queries cost little and say which field.
  v1::SuggestPartnersRequest suggest;
  suggest.set_organisation_id(kRoofer);
  suggest.set_k(5000);
  v1::SuggestPartnersResponse r;
  s = h_.Call(stub_.get(), &Stub::SuggestPartners, Rep(kRoofer), suggest, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("k:"));
  v1::ListDeclarationsRequest list;
  list.set_organisation_id(kRoofer);
  list.mutable_page()->set_page_token("not-a-token");
  v1::ListDeclarationsResponse listed;
  s = h_.Call(stub_.get(), &Stub::ListDeclarations, Rep(kRoofer), list, &listed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page.page_token"));
}

TEST_F(MatchingServiceTest, DeclarationsPageThroughAndTheAnimatorSeesWhatExpires) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(Declare(kRoofer, v1::SIDE_OFFER, v1::DECLARATION_TYPE_BUSINESS,
                        {"building.roofing"}, absl::StrCat("Offre ", i), "")
                    .ok());
  }
  v1::ListDeclarationsRequest list;
  list.set_organisation_id(kRoofer);
  list.mutable_page()->set_page_size(3);
  std::vector<std::string> titles;
  for (int page = 0; page < 5; ++page) {
    v1::ListDeclarationsResponse resp;
    ASSERT_TRUE(h_.Call(stub_.get(), &Stub::ListDeclarations, Rep(kRoofer), list, &resp).ok());
    for (const v1::Declaration& d : resp.declarations()) titles.push_back(d.title());
    if (resp.page().next_page_token().empty()) break;
    list.mutable_page()->set_page_token(resp.page().next_page_token());
  }
  EXPECT_EQ(titles.size(), 7u);
  EXPECT_EQ(titles.front(), "Offre 0");
  EXPECT_EQ(titles.back(), "Offre 6");

  // One that expires within a month is listed for the animator to remind.
  v1::CreateDeclarationRequest soon;
  soon.set_organisation_id(kTimber);
  v1::Declaration* d = soon.mutable_declaration();
  d->set_side(v1::SIDE_OFFER);
  d->set_type(v1::DECLARATION_TYPE_BUSINESS);
  d->add_tags("building.carpentry");
  d->set_title("Charpentes");
  d->mutable_expire_time()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(24 * 10)));
  v1::Declaration out;
  ASSERT_TRUE(h_.Call(stub_.get(), &Stub::CreateDeclaration, Rep(kTimber), soon, &out).ok());
  v1::ListExpiringDeclarationsRequest expiring;
  expiring.set_network_id(kNetwork);
  v1::ListExpiringDeclarationsResponse due;
  ASSERT_TRUE(
      h_.Call(stub_.get(), &Stub::ListExpiringDeclarations, Animator(), expiring, &due).ok());
  ASSERT_EQ(due.declarations_size(), 1);
  EXPECT_EQ(due.declarations(0).organisation_name(), "Charpentes de Brocéliande");
  EXPECT_EQ(h_.Call(stub_.get(), &Stub::ListExpiringDeclarations, Rep(kRoofer), expiring, &due)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace maillage::matching
