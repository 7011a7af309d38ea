// The membership service when its dependencies fail, on real PostgreSQL and Redis that the
// tests stop and restart: PostgreSQL down answers UNAVAILABLE and recovers by itself, Redis
// down slows reads without failing them or losing writes and invalidations, the cache really
// serves reads, committed changes (and only those) are published as events, and a full worker
// queue sheds load with RESOURCE_EXHAUSTED.
#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <latch>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "maillage/membership/v1/events.pb.h"
#include "services/membership/domain/identifiers.h"
#include "services/membership/membership_harness.h"
#include "services/membership/membership_test_data.h"
#include "tests/support/grpc_status.h"

namespace maillage::membership {
namespace {

using ::maillage::testing::HasCode;
using ::maillage::testing::Ok;

using ::maillage::auth::Principal;
using ::maillage::auth::v1::NETWORK_ROLE_ANIMATOR;
using ::maillage::auth::v1::NETWORK_ROLE_MEMBER;
using ::testing::HasSubstr;
using Stub = v1::MembershipService::Stub;

// Polls `done` every 20 ms for up to `limit`; true once it holds.
bool WaitFor(const std::function<bool()>& done, absl::Duration limit = absl::Seconds(10)) {
  absl::Time deadline = absl::Now() + limit;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return done();
}

// One entry of the event stream.
struct StreamEvent {
  std::string stream_id;
  std::string id;
  std::string type;
  v1::MembershipEvent event;
  bool parsed = false;
};

class MembershipResilienceTest : public ::testing::Test {
 protected:
  void TearDown() override {
    // The servers are shared by the whole process: never leave one stopped.
    if (postgres_stopped_) {
      absl::Status s = MembershipHarness::postgres()->Restart();
      EXPECT_TRUE(s.ok()) << s;
    }
    if (redis_stopped_) {
      absl::Status s = MembershipHarness::redis_server()->Restart();
      EXPECT_TRUE(s.ok()) << s;
    }
  }

  void Start(HarnessOptions options = {}) {
    absl::Status s = h_.Start(options);
    ASSERT_TRUE(s.ok()) << s;
  }

  void StopPostgres() {
    postgres_stopped_ = true;
    MembershipHarness::postgres()->Stop();
  }
  void RestartPostgres() {
    absl::Status s = MembershipHarness::postgres()->Restart();
    ASSERT_TRUE(s.ok()) << s;
    postgres_stopped_ = false;
  }
  void StopRedis() {
    redis_stopped_ = true;
    MembershipHarness::redis_server()->Stop();
  }
  void RestartRedis() {
    absl::Status s = MembershipHarness::redis_server()->Restart();
    ASSERT_TRUE(s.ok()) << s;
    redis_stopped_ = false;
  }

  template <typename Req, typename Resp>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    const Principal& who, const Req& req, Resp* resp,
                    absl::Duration deadline = absl::Seconds(10)) {
    return h_.Call(method, who, req, resp, deadline);
  }

  int64_t Count(const std::string& sql) { return h_.Count(sql); }

  v1::CreateOrganisationRequest CompanyRequest(const std::string& name, const std::string& siren) {
    v1::CreateOrganisationRequest req;
    v1::Organisation* o = req.mutable_organisation();
    o->set_legal_name(name);
    o->set_kind(v1::ORGANISATION_KIND_COMPANY);
    o->set_siren(siren);
    o->set_naf_code("62.01Z");
    v1::Establishment* e = o->add_establishments();
    e->set_siret(HeadOfficeSiret(siren));
    e->set_head_office(true);
    e->mutable_address()->set_city("Bordeaux");
    e->mutable_address()->set_commune_code("33063");
    return req;
  }

  v1::Organisation Company(const std::string& name) {
    v1::Organisation out;
    EXPECT_TRUE(Ok(Call(&Stub::CreateOrganisation, h_.Admin(),
                        CompanyRequest(name, TestSiren("6", next_siren_++)), &out)));
    return out;
  }

  v1::Person AddRep(const std::string& organisation_id, const std::string& email) {
    v1::CreatePersonRequest req;
    req.mutable_person()->set_given_name("Claire");
    req.mutable_person()->set_family_name("Martin");
    req.mutable_person()->set_email(email);
    v1::Person person;
    EXPECT_TRUE(Ok(Call(&Stub::CreatePerson, h_.Admin(), req, &person)));
    v1::AddRepresentationRequest rep;
    rep.set_organisation_id(organisation_id);
    rep.set_person_id(person.person_id());
    v1::Representation r;
    EXPECT_TRUE(Ok(Call(&Stub::AddRepresentation, h_.Admin(), rep, &r)));
    return person;
  }

  v1::Network CreateNetwork(const std::string& animator_org, v1::AdmissionPolicy policy) {
    v1::CreateNetworkRequest req;
    v1::Network* n = req.mutable_network();
    n->set_name("Grappe numérique de Gironde");
    n->set_kind(v1::NETWORK_KIND_CLUSTER);
    n->set_animating_organisation_id(animator_org);
    n->set_admission_policy(policy);
    n->mutable_charter()->set_text("Créer le lien, définir des objectifs communs, transparence.");
    n->mutable_territory()->add_departement_codes("33");
    v1::Network out;
    EXPECT_TRUE(Ok(Call(&Stub::CreateNetwork, h_.ActingFor(animator_org), req, &out)));
    return out;
  }

  grpc::Status GetOrganisation(const Principal& who, const std::string& id, v1::Organisation* out,
                               absl::Duration deadline = absl::Seconds(10)) {
    v1::GetOrganisationRequest req;
    req.set_organisation_id(id);
    return Call(&Stub::GetOrganisation, who, req, out, deadline);
  }

  grpc::Status GetNetwork(const std::string& id, v1::Network* out) {
    v1::GetNetworkRequest req;
    req.set_network_id(id);
    return Call(&Stub::GetNetwork, h_.Admin(), req, out);
  }

  grpc::Status Describe(const Principal& who, v1::Organisation org, const std::string& text,
                        v1::Organisation* out, absl::Duration deadline = absl::Seconds(10)) {
    v1::UpdateOrganisationRequest req;
    org.set_description(text);
    *req.mutable_organisation() = std::move(org);
    return Call(&Stub::UpdateOrganisation, who, req, out, deadline);
  }

  std::string Stream() const { return absl::StrCat("maillage.membership.events.test", getpid()); }

  // The whole event stream (shared by the tests of this process: filter by ids).
  std::vector<StreamEvent> ReadStream() {
    std::vector<StreamEvent> out;
    absl::StatusOr<redis::RedisReply> reply =
        h_.redis_pool()->Command({"XRANGE", Stream(), "-", "+"});
    if (!reply.ok() || !reply->is_array()) return out;
    for (const redis::RedisReply& entry : reply->elements()) {
      if (entry.elements().size() != 2) continue;
      StreamEvent e;
      e.stream_id = entry.elements()[0].str();
      const std::vector<redis::RedisReply>& fields = entry.elements()[1].elements();
      for (size_t i = 0; i + 1 < fields.size(); i += 2) {
        const std::string& name = fields[i].str();
        const std::string& value = fields[i + 1].str();
        if (name == "id") e.id = value;
        if (name == "type") e.type = value;
        if (name == "payload") e.parsed = e.event.ParseFromString(value);
      }
      out.push_back(std::move(e));
    }
    return out;
  }

  // The events read once `done` holds for them (up to 10 s).
  std::vector<StreamEvent> WaitForEvents(
      const std::function<bool(const std::vector<StreamEvent>&)>& done) {
    std::vector<StreamEvent> events;
    bool ok = WaitFor([&] {
      events = ReadStream();
      return done(events);
    });
    EXPECT_TRUE(ok) << "the expected events did not appear on " << Stream();
    return events;
  }

  MembershipHarness h_;
  int next_siren_ = 1;
  bool postgres_stopped_ = false;
  bool redis_stopped_ = false;
};

// Whether an event of `events` satisfies `match`.
bool Has(const std::vector<StreamEvent>& events,
         const std::function<bool(const v1::MembershipEvent&)>& match) {
  for (const StreamEvent& e : events) {
    if (e.parsed && match(e.event)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL down

TEST_F(MembershipResilienceTest, PostgresOutageIsUnavailableThenRecoversWithoutRestart) {
  Start();
  v1::Organisation org = Company("Atelier Web");
  Principal rep = h_.ActingFor(org.organisation_id());
  v1::ListOrganisationsRequest list;
  list.set_name_prefix("Atelier");

  StopPostgres();
  // Each call answers well within its deadline, and with the code that says "retry".
  const absl::Duration deadline = absl::Seconds(8);
  v1::Organisation out;
  EXPECT_TRUE(HasCode(GetOrganisation(rep, org.organisation_id(), &out, deadline),
                      grpc::StatusCode::UNAVAILABLE));
  EXPECT_TRUE(HasCode(Describe(rep, org, "pendant la panne", &out, deadline),
                      grpc::StatusCode::UNAVAILABLE));
  v1::ListOrganisationsResponse listed;
  EXPECT_TRUE(HasCode(Call(&Stub::ListOrganisations, h_.Admin(), list, &listed, deadline),
                      grpc::StatusCode::UNAVAILABLE));
  v1::CreateOrganisationRequest create = CompanyRequest("Atelier Bis", TestSiren("6", 99));
  EXPECT_TRUE(HasCode(Call(&Stub::CreateOrganisation, h_.Admin(), create, &out, deadline),
                      grpc::StatusCode::UNAVAILABLE));

  // Back up: the same calls succeed on the same service.
  RestartPostgres();
  ASSERT_TRUE(Ok(GetOrganisation(rep, org.organisation_id(), &out)));
  EXPECT_EQ(out.version(), org.version()) << "the refused update changed nothing";
  ASSERT_TRUE(Ok(Describe(rep, org, "après la panne", &out)));
  EXPECT_EQ(out.version(), org.version() + 1);
  ASSERT_TRUE(Ok(Call(&Stub::ListOrganisations, h_.Admin(), list, &listed)));
  EXPECT_EQ(listed.organisations_size(), 1) << "the refused creation left nothing";
  ASSERT_TRUE(Ok(Call(&Stub::CreateOrganisation, h_.Admin(), create, &out)));
  ASSERT_TRUE(Ok(GetOrganisation(rep, org.organisation_id(), &out)));
  EXPECT_EQ(out.description(), "après la panne");
}

TEST_F(MembershipResilienceTest, PostgresRestartWhileIdleCostsCallersNothing) {
  Start();
  v1::Organisation org = Company("Atelier Web");
  Principal rep = h_.ActingFor(org.organisation_id());
  // A busy service holds several pooled connections; all die with the restart.
  constexpr int kConnections = 6;
  std::latch all_open(kConnections);
  std::vector<std::thread> threads;
  for (int i = 0; i < kConnections; ++i) {
    threads.emplace_back([&] {
      absl::Status s = h_.pg()->Transact([&](pqxx::work& tx) {
        tx.exec("SELECT 1");
        all_open.arrive_and_wait();
        return absl::OkStatus();
      });
      EXPECT_TRUE(s.ok()) << s;
    });
  }
  for (std::thread& t : threads) t.join();

  StopPostgres();
  RestartPostgres();
  // Every call succeeds, the first ones included: no caller pays for the dead connections.
  v1::Organisation out;
  for (int i = 0; i < kConnections + 2; ++i) {
    v1::ListOrganisationsRequest list;
    v1::ListOrganisationsResponse listed;
    EXPECT_TRUE(Ok(Call(&Stub::ListOrganisations, h_.Admin(), list, &listed))) << "call " << i;
  }
  ASSERT_TRUE(Ok(Describe(rep, org, "après le redémarrage", &out)));
  EXPECT_EQ(out.version(), org.version() + 1);
}

// ---------------------------------------------------------------------------------------------
// Redis down, and the cache

TEST_F(MembershipResilienceTest, CacheAnswersRepeatedReadsAndChangesInvalidateIt) {
  Start();
  v1::Organisation animator = Company("Agence Animatrice");
  v1::Network net = CreateNetwork(animator.organisation_id(), v1::ADMISSION_POLICY_OPEN);
  v1::Organisation org = Company("Atelier Web");
  Principal rep = h_.ActingFor(org.organisation_id());
  redis::ReadThroughCache* cache = h_.cache();

  redis::ReadThroughCache::Stats before = cache->stats();
  v1::Organisation first, second;
  ASSERT_TRUE(Ok(GetOrganisation(rep, org.organisation_id(), &first)));
  redis::ReadThroughCache::Stats after_first = cache->stats();
  EXPECT_EQ(after_first.misses, before.misses + 1);
  EXPECT_EQ(after_first.hits, before.hits);
  ASSERT_TRUE(Ok(GetOrganisation(rep, org.organisation_id(), &second)));
  redis::ReadThroughCache::Stats after_second = cache->stats();
  EXPECT_EQ(after_second.hits, after_first.hits + 1) << "the second read came from Redis";
  EXPECT_EQ(after_second.misses, after_first.misses);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(first, second));

  // An update is visible on the very next read, which then is cached again.
  v1::Organisation updated;
  ASSERT_TRUE(Ok(Describe(rep, first, "Sites pour artisans d'art", &updated)));
  ASSERT_TRUE(Ok(GetOrganisation(rep, org.organisation_id(), &second)));
  EXPECT_EQ(second.description(), "Sites pour artisans d'art");
  EXPECT_EQ(second.version(), first.version() + 1);
  int64_t hits = cache->stats().hits;
  ASSERT_TRUE(Ok(GetOrganisation(rep, org.organisation_id(), &second)));
  EXPECT_EQ(cache->stats().hits, hits + 1);
  EXPECT_EQ(second.description(), "Sites pour artisans d'art");

  // Networks too: a new charter is visible at once.
  v1::Network n1, n2;
  ASSERT_TRUE(Ok(GetNetwork(net.network_id(), &n1)));
  hits = cache->stats().hits;
  ASSERT_TRUE(Ok(GetNetwork(net.network_id(), &n2)));
  EXPECT_EQ(cache->stats().hits, hits + 1);
  v1::PublishCharterRequest publish;
  publish.set_network_id(net.network_id());
  publish.set_text("Version 2 : gouvernance partagée.");
  publish.set_expected_current_version(1);
  ASSERT_TRUE(Ok(Call(&Stub::PublishCharter, h_.Admin(), publish, &n2)));
  ASSERT_TRUE(Ok(GetNetwork(net.network_id(), &n2)));
  EXPECT_EQ(n2.charter().version(), 2);
  EXPECT_EQ(n2.charter().text(), "Version 2 : gouvernance partagée.");

  // The cached copy also records the organisation's networks, which decide who sees it: a
  // membership change refreshes it, so a new fellow member sees the public profile at once.
  Principal fellow =
      h_.ActingFor(animator.organisation_id(), {{net.network_id(), NETWORK_ROLE_ANIMATOR}});
  v1::Organisation seen;
  Principal stranger_member = h_.ActingFor("0b7c3a52-6f7e-4c1e-9a53-2f4b8d1e9c10",
                                           {{net.network_id(), NETWORK_ROLE_MEMBER}});
  EXPECT_TRUE(HasCode(GetOrganisation(stranger_member, org.organisation_id(), &seen),
                      grpc::StatusCode::NOT_FOUND));
  v1::ApplyForMembershipRequest apply;
  apply.set_network_id(net.network_id());
  apply.set_organisation_id(org.organisation_id());
  v1::Membership m;
  ASSERT_TRUE(Ok(Call(&Stub::ApplyForMembership, rep, apply, &m)));
  ASSERT_TRUE(Ok(GetOrganisation(stranger_member, org.organisation_id(), &seen)));
  EXPECT_TRUE(seen.public_view());
  ASSERT_TRUE(Ok(GetOrganisation(fellow, org.organisation_id(), &seen)));
  EXPECT_FALSE(seen.public_view()) << "an animator of its network sees the full profile";
}

TEST_F(MembershipResilienceTest, RedisOutageServesFromPostgresAndReplaysInvalidations) {
  Start();
  v1::Organisation animator = Company("Agence Animatrice");
  v1::Network net = CreateNetwork(animator.organisation_id(), v1::ADMISSION_POLICY_OPEN);
  v1::Organisation org = Company("Atelier Web");
  Principal rep = h_.ActingFor(org.organisation_id());
  Principal anim =
      h_.ActingFor(animator.organisation_id(), {{net.network_id(), NETWORK_ROLE_ANIMATOR}});
  // Both are cached before the outage.
  v1::Organisation cached_org;
  v1::Network cached_net;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(Ok(GetOrganisation(rep, org.organisation_id(), &cached_org)));
    ASSERT_TRUE(Ok(GetNetwork(net.network_id(), &cached_net)));
  }
  ASSERT_GE(h_.cache()->stats().hits, 2);

  StopRedis();
  v1::Organisation o;
  v1::Network n;
  ASSERT_TRUE(Ok(GetOrganisation(rep, org.organisation_id(), &o)));
  EXPECT_EQ(o.version(), cached_org.version());
  ASSERT_TRUE(Ok(GetNetwork(net.network_id(), &n)));
  EXPECT_EQ(n.version(), cached_net.version());

  // Writes succeed; their invalidations wait for Redis.
  ASSERT_TRUE(Ok(Describe(rep, cached_org, "écrit pendant la panne", &o)));
  EXPECT_EQ(o.version(), cached_org.version() + 1);
  v1::UpdateNetworkRequest update_net;
  *update_net.mutable_network() = cached_net;
  update_net.mutable_network()->set_description("modifié pendant la panne");
  ASSERT_TRUE(Ok(Call(&Stub::UpdateNetwork, anim, update_net, &n)));
  EXPECT_GE(h_.cache()->stats().pending_invalidations, 2);
  ASSERT_TRUE(Ok(GetOrganisation(rep, org.organisation_id(), &o)));
  EXPECT_EQ(o.description(), "écrit pendant la panne");
  ASSERT_TRUE(Ok(GetNetwork(net.network_id(), &n)));
  EXPECT_EQ(n.description(), "modifié pendant la panne");

  RestartRedis();
  // Redis kept the values cached before the outage (append-only file): only the replayed
  // invalidations keep them from being served.
  {
    auto inspect =
        redis::RedisPool::Create({.address = MembershipHarness::redis_server()->address()});
    ASSERT_TRUE(inspect.ok()) << inspect.status();
    absl::StatusOr<redis::RedisReply> keys = (*inspect)->Command(
        {"KEYS", absl::StrCat("*:organisation:", org.organisation_id(), ":g*")});
    ASSERT_TRUE(keys.ok()) << keys.status();
    EXPECT_FALSE(keys->elements().empty()) << "the pre-outage copy should still be in Redis";
  }
  ASSERT_TRUE(Ok(GetOrganisation(rep, org.organisation_id(), &o)));
  EXPECT_EQ(o.description(), "écrit pendant la panne");
  EXPECT_EQ(o.version(), cached_org.version() + 1);
  ASSERT_TRUE(Ok(GetNetwork(net.network_id(), &n)));
  EXPECT_EQ(n.description(), "modifié pendant la panne");

  // Once Redis answers again, the invalidations are replayed and reads are cached again, with
  // the new data.
  bool cached_again = WaitFor([&] {
    int64_t hits = h_.cache()->stats().hits;
    v1::Organisation again;
    if (!GetOrganisation(rep, org.organisation_id(), &again).ok()) return false;
    EXPECT_EQ(again.description(), "écrit pendant la panne");
    return h_.cache()->stats().hits > hits && h_.cache()->stats().pending_invalidations == 0;
  });
  EXPECT_TRUE(cached_again) << "pending: " << h_.cache()->stats().pending_invalidations;
  v1::Network again;
  ASSERT_TRUE(Ok(GetNetwork(net.network_id(), &again)));
  ASSERT_TRUE(Ok(GetNetwork(net.network_id(), &again)));
  EXPECT_EQ(again.description(), "modifié pendant la panne");
}

// ---------------------------------------------------------------------------------------------
// Events

TEST_F(MembershipResilienceTest, CommittedChangesArePublishedAsTypedEvents) {
  Start({.with_relay = true});
  v1::Organisation org = Company("Atelier Web");
  v1::Organisation animator = Company("Agence Animatrice");
  v1::Person anim_rep = AddRep(animator.organisation_id(), "anim@agence.fr");
  v1::Network net = CreateNetwork(animator.organisation_id(), v1::ADMISSION_POLICY_OPEN);
  v1::Person rep = AddRep(org.organisation_id(), "claire@atelier.fr");
  Principal as_rep = h_.ActingFor(org.organisation_id(), {}, rep.person_id());

  v1::ApplyForMembershipRequest apply;
  apply.set_network_id(net.network_id());
  apply.set_organisation_id(org.organisation_id());
  v1::Membership applied;
  ASSERT_TRUE(Ok(Call(&Stub::ApplyForMembership, as_rep, apply, &applied)));
  ASSERT_EQ(applied.state(), v1::MEMBERSHIP_STATE_SPONSORED);
  v1::SignCharterRequest sign;
  sign.set_membership_id(applied.membership_id());
  sign.set_person_id(rep.person_id());
  sign.set_charter_version(1);
  v1::Membership active;
  ASSERT_TRUE(Ok(Call(&Stub::SignCharter, as_rep, sign, &active)));
  ASSERT_EQ(active.state(), v1::MEMBERSHIP_STATE_ACTIVE);

  auto created = [&](const v1::MembershipEvent& e) {
    return e.has_organisation_created() &&
           e.organisation_created().organisation().organisation_id() == org.organisation_id();
  };
  auto network_created = [&](const v1::MembershipEvent& e) {
    return e.has_network_created() &&
           e.network_created().network().network_id() == net.network_id();
  };
  auto applied_event = [&](const v1::MembershipEvent& e) {
    return e.has_membership_changed() &&
           e.membership_changed().membership().membership_id() == applied.membership_id() &&
           e.membership_changed().previous_state() == v1::MEMBERSHIP_STATE_UNSPECIFIED &&
           e.membership_changed().membership().state() == v1::MEMBERSHIP_STATE_SPONSORED;
  };
  auto signed_event = [&](const v1::MembershipEvent& e) {
    return e.has_charter_signed() && e.charter_signed().membership_id() == applied.membership_id();
  };
  auto activated = [&](const v1::MembershipEvent& e) {
    return e.has_membership_changed() &&
           e.membership_changed().membership().membership_id() == applied.membership_id() &&
           e.membership_changed().previous_state() == v1::MEMBERSHIP_STATE_SPONSORED &&
           e.membership_changed().membership().state() == v1::MEMBERSHIP_STATE_ACTIVE;
  };
  std::vector<StreamEvent> events = WaitForEvents([&](const std::vector<StreamEvent>& all) {
    return Has(all, created) && Has(all, network_created) && Has(all, applied_event) &&
           Has(all, signed_event) && Has(all, activated);
  });

  std::set<std::string> ids;
  for (const StreamEvent& e : events) {
    if (!e.parsed) continue;
    const v1::MembershipEvent& ev = e.event;
    bool ours = created(ev) || network_created(ev) || applied_event(ev) || signed_event(ev) ||
                activated(ev);
    if (!ours) continue;
    SCOPED_TRACE(ev.DebugString());
    EXPECT_EQ(e.id, ev.event_id()) << "the entry's id field is the event id";
    EXPECT_TRUE(IsValidUuid(ev.event_id()));
    EXPECT_FALSE(e.type.empty());
    EXPECT_GT(ev.occur_time().seconds(), 0);
    EXPECT_NE(ev.kind_case(), v1::MembershipEvent::KIND_NOT_SET);
    ids.insert(ev.event_id());
    if (created(ev)) {
      EXPECT_EQ(ev.actor(), "platform-admin");
      EXPECT_EQ(ev.organisation_created().organisation().legal_name(), "Atelier Web");
    }
    if (network_created(ev)) {
      EXPECT_EQ(ev.actor(), absl::StrCat("person-of-", animator.organisation_id()));
    }
    if (applied_event(ev)) {
      EXPECT_EQ(ev.actor(), rep.person_id());
      EXPECT_EQ(ev.membership_changed().membership().network_id(), net.network_id());
      EXPECT_EQ(ev.membership_changed().membership().organisation_id(), org.organisation_id());
    }
    if (signed_event(ev)) {
      const v1::CharterSigned& s = ev.charter_signed();
      EXPECT_EQ(s.organisation_id(), org.organisation_id());
      EXPECT_EQ(s.network_id(), net.network_id());
      EXPECT_EQ(s.signature().person_id(), rep.person_id());
      EXPECT_EQ(s.signature().charter_version(), 1);
    }
  }
  EXPECT_EQ(ids.size(), 5u) << "one entry per change, each with its own event id";
  // Everything committed was published.
  EXPECT_TRUE(WaitFor(
      [&] { return Count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0; }));
}

TEST_F(MembershipResilienceTest, RolledBackWritesPublishNothing) {
  Start({.with_relay = true});
  const std::string siren = TestSiren("6", 7);
  v1::Organisation org;
  ASSERT_TRUE(
      Ok(Call(&Stub::CreateOrganisation, h_.Admin(), CompanyRequest("Atelier Web", siren), &org)));
  WaitForEvents([&](const std::vector<StreamEvent>& all) {
    return Has(all, [&](const v1::MembershipEvent& e) {
      return e.organisation_created().organisation().organisation_id() == org.organisation_id();
    });
  });
  const int64_t outbox = Count("SELECT count(*) FROM outbox");

  // A duplicate SIREN and a stale update: both refused, both rolled back.
  v1::Organisation out;
  ASSERT_TRUE(
      HasCode(Call(&Stub::CreateOrganisation, h_.Admin(), CompanyRequest("Doublon", siren), &out),
              grpc::StatusCode::ALREADY_EXISTS));
  Principal rep = h_.ActingFor(org.organisation_id());
  v1::Organisation stale = org;
  stale.set_version(org.version() + 5);
  ASSERT_TRUE(HasCode(Describe(rep, stale, "périmé", &out), grpc::StatusCode::ABORTED));
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), outbox);

  // A later committed change is published; nothing from the refused ones came before it.
  v1::Organisation marker = Company("Marqueur");
  std::vector<StreamEvent> events = WaitForEvents([&](const std::vector<StreamEvent>& all) {
    return Has(all, [&](const v1::MembershipEvent& e) {
      return e.organisation_created().organisation().organisation_id() == marker.organisation_id();
    });
  });
  EXPECT_FALSE(Has(events, [](const v1::MembershipEvent& e) {
    return e.organisation_created().organisation().legal_name() == "Doublon";
  }));
  EXPECT_FALSE(Has(events, [&](const v1::MembershipEvent& e) {
    return e.organisation_updated().organisation().organisation_id() == org.organisation_id();
  }));
}

TEST_F(MembershipResilienceTest, ChangesMadeWhileRedisIsDownArePublishedAfterwards) {
  Start({.with_relay = true});
  StopRedis();
  // The write commits in PostgreSQL, its event waits in the outbox.
  v1::Organisation org = Company("Atelier Web");
  ASSERT_FALSE(org.organisation_id().empty());
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE published_at IS NULL"), 1);
  RestartRedis();

  // Publish without waiting for the relay's backoff; the relay thread may race: either way
  // the event reaches the stream.
  EXPECT_TRUE(WaitFor([&] { return h_.relay()->RelayOnce().ok(); }));
  WaitForEvents([&](const std::vector<StreamEvent>& all) {
    return Has(all, [&](const v1::MembershipEvent& e) {
      return e.organisation_created().organisation().organisation_id() == org.organisation_id();
    });
  });
  EXPECT_TRUE(WaitFor(
      [&] { return Count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0; }));
}

// ---------------------------------------------------------------------------------------------
// Load shedding

TEST_F(MembershipResilienceTest, FullWorkerQueueIsRefusedWithResourceExhausted) {
  Start({.workers = 1, .queue_capacity = 1});
  v1::Organisation org = Company("Atelier Web");
  Principal rep = h_.ActingFor(org.organisation_id());

  // Hold the organisation's row lock from outside the service, so that an update of it keeps
  // the only worker busy until we let go.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> locked;
  std::thread holder([&] {
    absl::Status s = h_.pg()->Transact([&](pqxx::work& tx) {
      tx.exec_params("SELECT 1 FROM organisations WHERE id = $1::uuid FOR UPDATE",
                     org.organisation_id());
      locked.set_value();
      released.wait();
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
  });
  bool let_go = false;
  auto let_go_once = [&] {
    if (!let_go) release.set_value();
    let_go = true;
  };
  locked.get_future().wait();

  grpc::Status blocked_status;
  v1::Organisation blocked_out;
  std::thread blocked(
      [&] { blocked_status = Describe(rep, org, "attend le verrou", &blocked_out); });
  // The update is running on the worker once PostgreSQL shows it waiting for the lock.
  bool waiting = WaitFor([&] {
    return Count(
               "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
               "AND wait_event_type = 'Lock'") > 0;
  });
  if (!waiting) {
    let_go_once();
    blocked.join();
    holder.join();
    FAIL() << "the update never waited for the lock";
  }

  // The worker is busy: one more call fills the queue, the others are refused at once.
  constexpr int kCalls = 3;
  std::vector<grpc::Status> statuses(kCalls);
  std::atomic<int> finished{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kCalls; ++i) {
    callers.emplace_back([&, i] {
      v1::Organisation out;
      statuses[i] = GetOrganisation(rep, org.organisation_id(), &out);
      finished.fetch_add(1);
    });
  }
  bool refused_in_time = WaitFor([&] { return finished.load() >= kCalls - 1; });
  let_go_once();
  for (std::thread& t : callers) t.join();
  blocked.join();
  holder.join();
  ASSERT_TRUE(refused_in_time) << "the calls beyond the queue's capacity were not refused";

  int exhausted = 0;
  for (const grpc::Status& s : statuses) {
    if (s.ok()) continue;
    EXPECT_TRUE(HasCode(s, grpc::StatusCode::RESOURCE_EXHAUSTED));
    EXPECT_THAT(s.error_message(), HasSubstr("busy"));
    ++exhausted;
  }
  EXPECT_EQ(exhausted, kCalls - 1) << "exactly one call fitted in the queue";
  // The held call and the queued one ran once the lock was released.
  EXPECT_TRUE(Ok(blocked_status));
  EXPECT_EQ(blocked_out.version(), org.version() + 1);

  // Load gone, calls are served again.
  v1::Organisation out;
  EXPECT_TRUE(Ok(GetOrganisation(rep, org.organisation_id(), &out)));
  EXPECT_EQ(out.description(), "attend le verrou");
}

}  // namespace
}  // namespace maillage::membership
