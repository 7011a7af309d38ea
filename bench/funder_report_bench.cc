// The reporting service at the size of a large network over a year: N members (2,000), a
// year of introductions (20,000, each requested, most answered, many followed up), two
// assessment campaigns, 200 animation events with their attendance and 20 collective actions:
// at least 50,000 events of the other services' streams, applied through the consumers' own
// path (ReportingStore::Apply*). Then, interleaved, R times each:
//   plain        the rows the funder report reads (members with sector and size, the period's
//                introductions, attendance and activity), by plain SELECTs through the
//                service's pool: the floor of any report;
//   funder cold  GetFunderReport over gRPC right after a member joined: every member figure
//                has a new population, checked against those given before and written;
//   funder warm  the same call again: nothing changed, nothing new to remember;
//   graph        GetNetworkGraph over gRPC (degree, betweenness, bridges; 2,000 nodes);
//   engagement   GetEngagement over gRPC (every member, its score and trend).
// And once: the events' application rate, and the rebuild of the read models from a
// snapshot of the whole network (what `reporting rebuild` writes once it has read the list
// APIs) into an empty database.
// Prints p50/p99 of each and p50 / plain. Targets (issue 9): warm funder report under 50 ms
// p99, graph metrics under 1 s, rebuild under 60 s.
//
//   build-bench/bench/bench_funder_report [--members=2000] [--introductions=20000] [--reps=30]
//
// It runs the service in-process on PostgreSQL and Redis it starts itself (common/testing
// harness).
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdio>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/pg/pg.h"
#include "common/pg/pg_time.h"
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

using ::maillage::testing::ServiceHarness;
using Stub = v1::ReportingService::Stub;
namespace mv1 = ::maillage::membership::v1;
namespace xv1 = ::maillage::matching::v1;
namespace av1 = ::maillage::assessment::v1;

constexpr char kNetwork[] = "4d5e6f70-8192-4a3b-9c4d-5e6f708192a3";

int FlagOr(int argc, char** argv, const std::string& name, int fallback) {
  const std::string prefix = absl::StrCat("--", name, "=");
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    int v = 0;
    if (a.rfind(prefix, 0) == 0 && absl::SimpleAtoi(a.substr(prefix.size()), &v) && v > 0) return v;
  }
  return fallback;
}

std::string Id(int kind, int i) { return absl::StrFormat("%08x-0000-4000-8000-%012d", kind, i); }
std::string OrganisationId(int i) { return Id(0x0a0a0a0a, i); }

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(p * static_cast<double>(v.size()) + 0.999999);
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

void SetTime(google::protobuf::Timestamp* t, absl::Time at) {
  t->set_seconds(absl::ToUnixSeconds(at));
}

// The year of the network, as the other services' streams would carry it.
struct Year {
  std::vector<mv1::MembershipEvent> membership;
  std::vector<xv1::MatchingEvent> matching;
  std::vector<av1::AssessmentEvent> assessment;
  NetworkSnapshot snapshot;  // the same, as the list APIs would give it
};

Year MakeYear(int members, int introductions, absl::Time now) {
  std::mt19937 rng(20261129);
  Year y;
  y.snapshot.network_id = kNetwork;
  static const char* const kSectors[] = {"C", "C", "C", "F", "F", "G", "G", "J",
                                         "M", "M", "N", "H", "I", "Q", "S", "A"};
  int event = 0;
  auto next_id = [&] { return Id(0x0e0e0e0e, event++); };
  for (int i = 0; i < members; ++i) {
    mv1::MembershipEvent o;
    o.set_event_id(next_id());
    mv1::Organisation* org = o.mutable_organisation_updated()->mutable_organisation();
    org->set_organisation_id(OrganisationId(i));
    org->set_legal_name(absl::StrCat("Entreprise ", i));
    org->set_nace_section(kSectors[rng() % 16]);
    org->set_headcount_band(static_cast<mv1::HeadcountBand>(2 + rng() % 6));
    org->set_siren(absl::StrFormat("%09d", 100000000 + i));
    org->set_version(1);
    y.snapshot.organisations.push_back(*org);
    y.membership.push_back(std::move(o));
    mv1::MembershipEvent m;
    m.set_event_id(next_id());
    mv1::Membership* ms = m.mutable_membership_changed()->mutable_membership();
    ms->set_network_id(kNetwork);
    ms->set_organisation_id(OrganisationId(i));
    ms->set_organisation_name(absl::StrCat("Entreprise ", i));
    ms->set_state(mv1::MEMBERSHIP_STATE_ACTIVE);
    ms->set_role(auth::v1::NETWORK_ROLE_MEMBER);
    ms->set_version(1);
    y.snapshot.memberships.push_back(*ms);
    y.membership.push_back(std::move(m));
  }
  // Introductions within communities of 50 mostly, over the last 360 days.
  for (int k = 0; k < introductions; ++k) {
    const int a = static_cast<int>(rng() % static_cast<unsigned>(members));
    int b = rng() % 10 < 8 ? a / 50 * 50 + static_cast<int>(rng() % 50)
                           : static_cast<int>(rng() % static_cast<unsigned>(members));
    if (b >= members || b == a) b = (a + 1) % members;
    xv1::Introduction i;
    i.set_introduction_id(Id(0x01010101, k));
    i.set_network_id(kNetwork);
    i.set_requester_organisation_id(OrganisationId(a));
    i.set_recipient_organisation_id(OrganisationId(b));
    const absl::Time asked = now - absl::Hours(24 * (1 + rng() % 360));
    SetTime(i.mutable_request_time(), asked);
    i.set_state(xv1::INTRODUCTION_STATE_REQUESTED);
    i.set_version(1);
    xv1::MatchingEvent requested;
    requested.set_event_id(next_id());
    *requested.mutable_introduction_requested() = i;
    y.matching.push_back(std::move(requested));
    const unsigned answer = rng() % 100;
    if (answer < 85) {  // answered
      const bool accepted = answer < 65;
      i.set_state(accepted ? xv1::INTRODUCTION_STATE_ACCEPTED : xv1::INTRODUCTION_STATE_DECLINED);
      SetTime(i.mutable_respond_time(), asked + absl::Hours(48));
      i.set_version(2);
      xv1::MatchingEvent answered;
      answered.set_event_id(next_id());
      *(accepted ? answered.mutable_introduction_accepted()
                 : answered.mutable_introduction_declined()) = i;
      y.matching.push_back(std::move(answered));
      if (accepted && rng() % 100 < 55) {
        i.set_outcome(static_cast<xv1::IntroductionOutcome>(1 + rng() % 4));
        SetTime(i.mutable_outcome_time(), asked + absl::Hours(24 * 20));
        i.set_version(3);
        xv1::MatchingEvent followed;
        followed.set_event_id(next_id());
        *followed.mutable_introduction_outcome_recorded() = i;
        y.matching.push_back(std::move(followed));
      }
    }
    y.snapshot.introductions.push_back(i);
  }
  // Two campaigns: most members answer each; a pooling decision per campaign.
  for (int c = 0; c < 2; ++c) {
    const std::string campaign = Id(0x0c0c0c0c, c);
    for (int i = 0; i < members; ++i) {
      if (rng() % 100 >= 75) continue;
      av1::AssessmentEvent s;
      s.set_event_id(next_id());
      s.set_network_id(kNetwork);
      SetTime(s.mutable_occur_time(), now - absl::Hours(24 * (30 + 150 * c)));
      s.mutable_assessment_submitted()->set_campaign_id(campaign);
      s.mutable_assessment_submitted()->set_organisation_id(OrganisationId(i));
      s.mutable_assessment_submitted()->set_revision(1);
      y.snapshot.submissions.push_back({.campaign_id = campaign,
                                        .organisation_id = OrganisationId(i),
                                        .revision = 1,
                                        .submit_time = s.occur_time()});
      y.assessment.push_back(std::move(s));
    }
    av1::AssessmentEvent d;
    d.set_event_id(next_id());
    d.set_network_id(kNetwork);
    av1::PoolingDecision* decision = d.mutable_decision_recorded();
    decision->set_decision_id(Id(0x0d0d0d0d, c));
    decision->set_network_id(kNetwork);
    decision->set_function_code(c == 0 ? "recruitment" : "energy");
    decision->set_modality(av1::POOLING_MODALITY_GROUP_PURCHASING);
    SetTime(decision->mutable_decide_time(), now - absl::Hours(24 * (20 + 150 * c)));
    y.snapshot.decisions.push_back(*decision);
    y.assessment.push_back(std::move(d));
  }
  return y;
}

int Run(int argc, char** argv) {
  const int members = FlagOr(argc, argv, "members", 2000);
  const int introductions = FlagOr(argc, argv, "introductions", 20000);
  const int reps = FlagOr(argc, argv, "reps", 30);
  const absl::Time now = absl::Now();

  Built built;
  ServiceHarness h(Definition());
  absl::Status started = h.Start([&](ServiceRuntime& rt) { return Build(rt, &built); },
                                 {.workers = 2, .env = {{"MAILLAGE_LOG_LEVEL", "warn"}}});
  if (!started.ok()) {
    std::fprintf(stderr, "start: %s\n", started.ToString().c_str());
    return 1;
  }
  auto stub = v1::ReportingService::NewStub(h.channel());
  const auth::Principal animator =
      ServiceHarness::ActingFor(OrganisationId(0), {{kNetwork, auth::v1::NETWORK_ROLE_ANIMATOR}});

  Year year = MakeYear(members, introductions, now);
  // The year's events, through the consumers' path, one transaction each.
  const absl::Time apply_start = absl::Now();
  for (const auto& e : year.membership) {
    if (absl::Status s = built.store->ApplyMembership(e); !s.ok()) return 1;
  }
  for (const auto& e : year.matching) {
    if (absl::Status s = built.store->ApplyMatching(e); !s.ok()) return 1;
  }
  for (const auto& e : year.assessment) {
    if (absl::Status s = built.store->ApplyAssessment(e); !s.ok()) return 1;
  }
  const double apply_seconds = absl::ToDoubleSeconds(absl::Now() - apply_start);
  size_t stream_events = year.membership.size() + year.matching.size() + year.assessment.size();

  // 200 animation events over the year with about 30 members each, and 20 collective actions.
  std::mt19937 rng(7);
  for (int k = 0; k < 200; ++k) {
    v1::AnimationEvent draft;
    draft.set_kind(static_cast<v1::AnimationEventKind>(1 + k % 6));
    draft.set_title(absl::StrCat("Événement ", k));
    draft.set_place("Ploërmel");
    SetTime(draft.mutable_start_time(), now - absl::Hours(24 * (1 + k * 360 / 200)));
    SetTime(draft.mutable_end_time(), now - absl::Hours(24 * (1 + k * 360 / 200)) + absl::Hours(2));
    absl::StatusOr<v1::AnimationEvent> e = built.store->CreateEvent(kNetwork, draft, "bench", "");
    if (!e.ok()) return 1;
    std::vector<std::string> attended;
    const int base = static_cast<int>(rng() % static_cast<unsigned>(members));
    for (int j = 0; j < 30; ++j) attended.push_back(OrganisationId((base + j * 7) % members));
    std::sort(attended.begin(), attended.end());
    attended.erase(std::unique(attended.begin(), attended.end()), attended.end());
    if (!built.store->RecordAttendance(e->event_id(), attended, "", now).ok()) return 1;
    stream_events += attended.size();  // each attendance an event of the year too
  }
  for (int k = 0; k < 20; ++k) {
    v1::CollectiveAction a;
    a.set_kind(static_cast<v1::CollectiveActionKind>(1 + k % 5));
    a.set_title(absl::StrCat("Action ", k));
    a.set_status(v1::COLLECTIVE_ACTION_STATUS_RUNNING);
    a.set_year(absl::ToCivilYear(now, absl::UTCTimeZone()).year());
    for (int j = 0; j < 12; ++j) a.add_participant_organisation_ids(OrganisationId(k * 40 + j));
    v1::BudgetLine* l = a.add_budget_lines();
    l->set_label("Prestation");
    l->set_amount_cents(5'000'000);
    for (auto kind :
         {v1::FUNDING_SOURCE_KIND_REGION, v1::FUNDING_SOURCE_KIND_MEMBER_CONTRIBUTIONS}) {
      v1::FundingSource* f = a.add_funding_sources();
      f->set_kind(kind);
      f->set_amount_cents(2'500'000);
    }
    if (!built.store->CreateAction(kNetwork, a, "bench", "").ok()) return 1;
  }

  // As autovacuum would after such a load: statistics, so that the plans are the steady
  // state's.
  if (!h.runtime()
           ->pg()
           ->Transact([](pqxx::work& tx) -> absl::Status {
             tx.exec("ANALYZE");
             return absl::OkStatus();
           })
           .ok()) {
    return 1;
  }

  // The rebuild's write side: the whole network into an empty database, as one snapshot.
  ServiceHarness fresh(Definition());
  Built fresh_built;
  if (!fresh
           .Start([&](ServiceRuntime& rt) { return Build(rt, &fresh_built); },
                  {.workers = 1, .env = {{"MAILLAGE_LOG_LEVEL", "warn"}}})
           .ok()) {
    return 1;
  }
  const absl::Time rebuild_start = absl::Now();
  if (absl::Status s = fresh_built.store->ApplySnapshot(year.snapshot); !s.ok()) {
    std::fprintf(stderr, "rebuild: %s\n", s.ToString().c_str());
    return 1;
  }
  if (!fresh_built.store->RefreshStatistics().ok()) return 1;
  const double rebuild_seconds = absl::ToDoubleSeconds(absl::Now() - rebuild_start);
  fresh.Stop();

  enum Kind { kPlain, kFunderCold, kFunderWarm, kGraph, kEngagement, kKinds };
  const char* const names[kKinds] = {"plain SELECT of the rows", "GetFunderReport, cold",
                                     "GetFunderReport, warm", "GetNetworkGraph", "GetEngagement"};
  std::vector<double> ms[kKinds];
  size_t bytes[kKinds] = {};
  v1::Period period;
  SetTime(period.mutable_start_time(), now - absl::Hours(24 * 365));
  SetTime(period.mutable_end_time(), now);
  int joined = 0;
  auto plain_select = [&]() -> absl::Status {
    return h.runtime()->pg()->Transact([&](pqxx::work& tx) -> absl::Status {
      size_t n = 0;
      const std::string from = pg::TimeParam(now - absl::Hours(24 * 365)), to = pg::TimeParam(now);
      for (const pqxx::row& r : tx.exec_params(
               "SELECT m.organisation_id, o.nace_section, o.headcount_band FROM members m JOIN "
               "organisation_names o USING (organisation_id) WHERE m.network_id = $1::uuid AND "
               "m.state = $2",
               kNetwork, static_cast<int>(mv1::MEMBERSHIP_STATE_ACTIVE))) {
        n += r[0].size();
      }
      for (const pqxx::row& r : tx.exec_params(
               "SELECT requester_organisation_id, recipient_organisation_id, state, outcome, "
               "respond_time, outcome_time FROM introductions WHERE network_id = $1::uuid AND "
               "request_time >= $2::timestamptz AND request_time < $3::timestamptz",
               kNetwork, from, to)) {
        n += r[0].size();
      }
      for (const pqxx::row& r : tx.exec_params(
               "SELECT a.organisation_id FROM event_attendance a JOIN animation_events e USING "
               "(event_id) WHERE e.network_id = $1::uuid AND e.start_time >= $2::timestamptz",
               kNetwork, from)) {
        n += r[0].size();
      }
      for (const pqxx::row& r : tx.exec_params(
               "SELECT organisation_id, campaign_id FROM assessment_submissions WHERE network_id "
               "= $1::uuid AND submit_time >= $2::timestamptz",
               kNetwork, from)) {
        n += r[0].size();
      }
      bytes[kPlain] = n;
      return absl::OkStatus();
    });
  };
  auto call = [&](int k) -> absl::Status {
    grpc::Status s;
    if (k == kFunderCold || k == kFunderWarm) {
      v1::GetFunderReportRequest req;
      req.set_network_id(kNetwork);
      *req.mutable_period() = period;
      v1::FunderReport r;
      s = h.Call(stub.get(), &Stub::GetFunderReport, animator, req, &r, absl::Seconds(60));
      bytes[k] = r.ByteSizeLong();
    } else if (k == kGraph) {
      v1::GetNetworkGraphRequest req;
      req.set_network_id(kNetwork);
      v1::NetworkGraph g;
      s = h.Call(stub.get(), &Stub::GetNetworkGraph, animator, req, &g, absl::Seconds(60));
      bytes[k] = g.ByteSizeLong();
    } else {
      v1::GetEngagementRequest req;
      req.set_network_id(kNetwork);
      *req.mutable_period() = period;
      v1::EngagementReport e;
      s = h.Call(stub.get(), &Stub::GetEngagement, animator, req, &e, absl::Seconds(60));
      bytes[k] = e.ByteSizeLong();
    }
    return s.ok() ? absl::OkStatus() : absl::InternalError(s.error_message());
  };
  for (int r = 0; r < reps + 2; ++r) {  // the first 2 warm everything up
    const bool record = r >= 2;
    for (int k = 0; k < kKinds; ++k) {
      if (k == kFunderCold) {
        // A member joins: every member figure has a new population to judge and remember.
        mv1::MembershipEvent e;
        e.set_event_id(Id(0x0f0f0f0f, joined));
        mv1::Membership* m = e.mutable_membership_changed()->mutable_membership();
        m->set_network_id(kNetwork);
        m->set_organisation_id(OrganisationId(members + joined++));
        m->set_state(mv1::MEMBERSHIP_STATE_ACTIVE);
        m->set_version(1);
        if (!built.store->ApplyMembership(e).ok()) return 1;
      }
      const absl::Time start = absl::Now();
      absl::Status s = k == kPlain ? plain_select() : call(k);
      const double took = absl::ToDoubleMilliseconds(absl::Now() - start);
      if (!s.ok()) {
        std::fprintf(stderr, "%s: %s\n", names[k], s.ToString().c_str());
        return 1;
      }
      if (record) ms[k].push_back(took);
    }
  }

  std::printf(
      "Reporting over a year: %d members, %d introductions, %zu events of the year (%zu of "
      "the streams applied: %.1f s, %.0f events/s), %d reps\n",
      members, introductions, stream_events,
      year.membership.size() + year.matching.size() + year.assessment.size(), apply_seconds,
      static_cast<double>(year.membership.size() + year.matching.size() + year.assessment.size()) /
          apply_seconds,
      reps);
  std::printf("Rebuild of the read models from the network's snapshot: %.1f s\n\n",
              rebuild_seconds);
  std::printf("| read | p50 ms | p99 ms | p50 / plain | answer bytes |\n|---|---|---|---|---|\n");
  const double plain50 = Percentile(ms[kPlain], 0.5);
  for (int k = 0; k < kKinds; ++k) {
    std::printf("| %s | %.1f | %.1f | %.2f | %s |\n", names[k], Percentile(ms[k], 0.5),
                Percentile(ms[k], 0.99), Percentile(ms[k], 0.5) / plain50,
                k == kPlain ? "-" : absl::StrCat(bytes[k]).c_str());
  }
  h.Stop();
  return 0;
}

}  // namespace
}  // namespace maillage::reporting

int main(int argc, char** argv) { return maillage::reporting::Run(argc, argv); }
