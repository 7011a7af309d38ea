// The network analysis of the assessment service at the size of a large network: N members
// (2,000) having answered F functions (25) of one campaign. Measures, in the same run and
// interleaved, R times each:
//   plain   a plain SELECT of the campaign's counted answers (the N x F rows the analysis
//           reads), through the service's own PostgreSQL pool: the floor of any cold read;
//   cold    GetCampaignAnalysis over gRPC right after its cache entry was invalidated: read
//           the rows, the settings, the catalogue and the members, analyse, store in Redis;
//   warm    GetCampaignAnalysis over gRPC answered from the replica's near cache (what the
//           members of a network get once one of them has opened the analysis);
//   redis   the same answered from Redis: this replica's copy is dropped first, as on its
//           first read, or after another replica's change.
// Prints p50/p99 of each and cold/plain. Targets (issue 7): cold p50 within 3x plain, warm
// p99 under 2 ms.
//
//   build-bench/bench/bench_analysis [--members=2000] [--functions=25] [--reps=100]
//
// It runs the service in-process on PostgreSQL and Redis it starts itself (common/testing
// harness), and loads the answers through the API (SubmitAssessment, as a platform admin).
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
#include "common/testing/harness.h"
#include "maillage/assessment/v1/assessment.grpc.pb.h"
#include "maillage/membership/v1/events.pb.h"
#include "services/assessment/assessment_runtime.h"
#include "services/assessment/member_directory.h"
#include "services/assessment/network_analysis.h"

namespace maillage::assessment {
namespace {

using ::maillage::testing::ServiceHarness;
using Stub = v1::AssessmentService::Stub;
namespace mv1 = ::maillage::membership::v1;

constexpr char kNetwork[] = "2c9d0a4e-8f3b-4a7e-9c1d-5e6f7a8b9c0d";

int FlagOr(int argc, char** argv, const std::string& name, int fallback) {
  const std::string prefix = absl::StrCat("--", name, "=");
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    int v = 0;
    if (a.rfind(prefix, 0) == 0 && absl::SimpleAtoi(a.substr(prefix.size()), &v) && v > 0) return v;
  }
  return fallback;
}

std::string OrganisationId(int i) { return absl::StrFormat("0b0b0b0b-0000-4000-8000-%012d", i); }

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(p * static_cast<double>(v.size()) + 0.999999);
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

int Run(int argc, char** argv) {
  const int members = FlagOr(argc, argv, "members", 2000);
  const int function_count = FlagOr(argc, argv, "functions", 25);
  const int reps = FlagOr(argc, argv, "reps", 100);

  Built built;
  ServiceHarness h(Definition());
  absl::Status started =
      h.Start([&](ServiceRuntime& rt) { return Build(rt, &built); },
              {.workers = 2,
               .near_cache = true,
               .env = {{"MAILLAGE_LOG_LEVEL", "warn"}, {"MAILLAGE_NEAR_CACHE_TTL_MS", "5000"}}});
  if (!started.ok()) {
    std::fprintf(stderr, "start: %s\n", started.ToString().c_str());
    return 1;
  }
  if (h.runtime()->near_cache() == nullptr) {
    std::fprintf(stderr, "start: no near cache\n");
    return 1;
  }
  auto stub = v1::AssessmentService::NewStub(h.channel());
  const auth::Principal animator =
      ServiceHarness::ActingFor(OrganisationId(0), {{kNetwork, auth::v1::NETWORK_ROLE_ANIMATOR}});
  const auth::Principal admin = ServiceHarness::Admin();

  // The members, as membership's events would tell them.
  for (int i = 0; i < members; ++i) {
    mv1::MembershipEvent e;
    e.set_event_id(absl::StrFormat("0c0c0c0c-0000-4000-8000-%012d", i));
    mv1::Membership* m = e.mutable_membership_changed()->mutable_membership();
    m->set_network_id(kNetwork);
    m->set_organisation_id(OrganisationId(i));
    m->set_organisation_name(absl::StrCat("Entreprise ", i));
    m->set_state(mv1::MEMBERSHIP_STATE_ACTIVE);
    m->set_version(1);
    if (absl::Status s = built.members->Apply(e); !s.ok()) {
      std::fprintf(stderr, "member: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  // A campaign over the first F functions of the catalogue.
  v1::ListFunctionsRequest lf;
  lf.set_network_id(kNetwork);
  v1::ListFunctionsResponse functions;
  if (!h.Call(stub.get(), &Stub::ListFunctions, animator, lf, &functions).ok()) return 1;
  v1::CreateCampaignRequest create;
  create.set_network_id(kNetwork);
  create.mutable_campaign()->set_title("Bench");
  create.mutable_campaign()->mutable_end_time()->set_seconds(
      absl::ToUnixSeconds(absl::Now() + absl::Hours(24)));
  for (int f = 0; f < function_count && f < functions.functions_size(); ++f) {
    create.mutable_campaign()->add_function_codes(functions.functions(f).code());
  }
  v1::Campaign campaign;
  grpc::Status cs = h.Call(stub.get(), &Stub::CreateCampaign, animator, create, &campaign);
  if (!cs.ok()) {
    std::fprintf(stderr, "campaign: %s\n", cs.error_message().c_str());
    return 1;
  }
  // Every member answers every function: levels at random (fixed seed), a cost half the
  // time, one in ten agrees to be named.
  std::mt19937 rng(2026);
  const absl::Time load_start = absl::Now();
  for (int i = 0; i < members; ++i) {
    v1::SubmitAssessmentRequest submit;
    submit.set_campaign_id(campaign.campaign_id());
    submit.set_organisation_id(OrganisationId(i));
    for (const std::string& code : campaign.function_codes()) {
      v1::FunctionAnswer* a = submit.add_answers();
      a->set_function_code(code);
      a->set_efficiency(static_cast<v1::Level>(1 + rng() % 3));
      a->set_importance(static_cast<v1::Level>(1 + rng() % 3));
      if (rng() % 2 == 0) a->set_yearly_cost_eur(1000 + rng() % 50000);
      if (rng() % 2 == 0) a->set_staff_days_per_year(static_cast<int>(rng() % 60));
      a->set_willing_to_pool(rng() % 3 == 0);
      a->set_agrees_to_be_named(rng() % 10 == 0);
    }
    v1::Assessment out;
    grpc::Status s = h.Call(stub.get(), &Stub::SubmitAssessment, admin, submit, &out);
    if (!s.ok()) {
      std::fprintf(stderr, "submit %d: %s\n", i, s.error_message().c_str());
      return 1;
    }
  }
  const double load_seconds = absl::ToDoubleSeconds(absl::Now() - load_start);

  // One measurement of each kind, in this order, every repetition.
  enum Kind {
    kPlain,
    kColdBasic,
    kWarmBasic,
    kRedisBasic,
    kColdFull,
    kWarmFull,
    kRedisFull,
    kGetCampaign,
    kKinds
  };
  const char* const names[kKinds] = {"plain SELECT of the rows",
                                     "cold GetCampaignAnalysis, basic view (PostgreSQL)",
                                     "warm GetCampaignAnalysis, basic view (near cache)",
                                     "warm GetCampaignAnalysis, basic view (Redis)",
                                     "cold GetCampaignAnalysis, full view",
                                     "warm GetCampaignAnalysis, full view (near cache)",
                                     "warm GetCampaignAnalysis, full view (Redis)",
                                     "GetCampaign (a cached read: the cost of one call)"};
  std::vector<double> ms[kKinds];
  size_t answer_bytes[kKinds] = {};
  int64_t rows = 0;
  auto plain_select = [&]() -> absl::Status {
    return h.runtime()->pg()->Transact([&](pqxx::work& tx) -> absl::Status {
      rows = 0;
      // The columns the analysis reads, as it reads them.
      for (const pqxx::row& row : tx.exec_params(
               "SELECT organisation_id, function_code, efficiency, importance, disposition, "
               "yearly_cost_eur, staff_days, willing_to_pool, agrees_to_be_named "
               "FROM counted_answers WHERE campaign_id = $1::uuid",
               campaign.campaign_id())) {
        answer_bytes[kPlain] += row[0].size();
        ++rows;
      }
      return absl::OkStatus();
    });
  };
  auto analysis = [&](v1::AnalysisView view, size_t* size) -> absl::Status {
    v1::GetCampaignAnalysisRequest get;
    get.set_campaign_id(campaign.campaign_id());
    get.set_view(view);
    v1::CampaignAnalysis a;
    grpc::Status s = h.Call(stub.get(), &Stub::GetCampaignAnalysis, animator, get, &a);
    if (!s.ok()) return absl::InternalError(s.error_message());
    *size = a.ByteSizeLong();
    return absl::OkStatus();
  };
  auto get_campaign = [&](size_t* size) -> absl::Status {
    v1::GetCampaignRequest get;
    get.set_campaign_id(campaign.campaign_id());
    v1::Campaign c;
    grpc::Status s = h.Call(stub.get(), &Stub::GetCampaign, animator, get, &c);
    if (!s.ok()) return absl::InternalError(s.error_message());
    *size = c.ByteSizeLong();
    return absl::OkStatus();
  };
  // Each repetition: the plain read and both cold reads, then a burst of kBurst calls of
  // each warm read and of GetCampaign, whose first call (loading the cache again, and waking
  // the server up after the cold reads' burst of work) is not counted: warm reads are what
  // a network's members get in steady state.
  constexpr int kBurst = 10;
  auto run = [&](int k, bool record) -> bool {
    if (k == kColdBasic || k == kColdFull) built.analysis->Invalidate(campaign.campaign_id());
    if (k == kRedisBasic || k == kRedisFull) h.runtime()->near_cache()->InvalidateAllLocal();
    const v1::AnalysisView view = k == kColdFull || k == kWarmFull || k == kRedisFull
                                      ? v1::ANALYSIS_VIEW_FULL
                                      : v1::ANALYSIS_VIEW_BASIC;
    const absl::Time start = absl::Now();
    absl::Status s = k == kPlain         ? plain_select()
                     : k == kGetCampaign ? get_campaign(&answer_bytes[k])
                                         : analysis(view, &answer_bytes[k]);
    const double took = absl::ToDoubleMilliseconds(absl::Now() - start);
    if (!s.ok()) {
      std::fprintf(stderr, "%s: %s\n", names[k], s.ToString().c_str());
      return false;
    }
    if (record) ms[k].push_back(took);
    return true;
  };
  for (int r = 0; r < reps + 3; ++r) {  // the first 3 warm everything up
    const bool record = r >= 3;
    for (int k : {kPlain, kColdBasic, kColdFull}) {
      if (!run(k, record)) return 1;
    }
    for (int k : {kWarmBasic, kRedisBasic, kWarmFull, kRedisFull, kGetCampaign}) {
      for (int i = 0; i < kBurst; ++i) {
        if (!run(k, record && i > 0)) return 1;
      }
    }
  }

  std::printf("Network analysis: %d members x %d functions (%lld answer rows), %d reps\n", members,
              campaign.function_codes_size(), static_cast<long long>(rows), reps);
  std::printf("Loading the answers through SubmitAssessment: %.1f s (%.0f submissions/s)\n\n",
              load_seconds, members / load_seconds);
  std::printf("| read | p50 ms | p99 ms | p50 / plain | answer bytes |\n|---|---|---|---|---|\n");
  const double plain50 = Percentile(ms[kPlain], 0.5);
  for (int k = 0; k < kKinds; ++k) {
    std::printf("| %s | %.2f | %.2f | %.2f | %s |\n", names[k], Percentile(ms[k], 0.5),
                Percentile(ms[k], 0.99), Percentile(ms[k], 0.5) / plain50,
                k == kPlain ? "-" : absl::StrCat(answer_bytes[k]).c_str());
  }
  h.Stop();
  return 0;
}

}  // namespace
}  // namespace maillage::assessment

int main(int argc, char** argv) { return maillage::assessment::Run(argc, argv); }
