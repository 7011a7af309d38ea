// Micro-benchmarks of pure hot paths: SIREN/SIRET checks (every organisation written or
// imported) and page-token encoding/decoding (every List call). After Google Benchmark's own
// output, a table gives each benchmark's CPU time as a multiple of IsValidSiren's, measured in
// the same run, so that a noisy machine changes the absolute figures but hardly the ratios.
//
//   build-bench/bench/bench_domain [--benchmark_repetitions=5 --benchmark_report_aggregates_only]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "common/paging/paging.h"
#include "services/membership/domain/identifiers.h"

namespace {

using maillage::membership::IsValidSiren;
using maillage::membership::IsValidSiret;
using maillage::membership::SiretExtendsSiren;

void BM_IsValidSiren(benchmark::State& state) {
  std::string siren = "732829320";
  for (auto _ : state) {
    benchmark::DoNotOptimize(siren);
    benchmark::DoNotOptimize(IsValidSiren(siren));
  }
}
BENCHMARK(BM_IsValidSiren);

void BM_IsValidSiret(benchmark::State& state) {
  std::string siret = "73282932000074";
  for (auto _ : state) {
    benchmark::DoNotOptimize(siret);
    benchmark::DoNotOptimize(IsValidSiret(siret));
  }
}
BENCHMARK(BM_IsValidSiret);

// The checks an establishment goes through in validation.
void BM_EstablishmentIdentifiers(benchmark::State& state) {
  std::string siren = "732829320";
  std::string siret = "73282932000074";
  for (auto _ : state) {
    benchmark::DoNotOptimize(siren);
    benchmark::DoNotOptimize(siret);
    benchmark::DoNotOptimize(IsValidSiren(siren) && IsValidSiret(siret) &&
                             SiretExtendsSiren(siret, siren));
  }
}
BENCHMARK(BM_EstablishmentIdentifiers);

// The sort key of ListOrganisations: (lower-case legal name, UUID).
const std::vector<std::string>& LastKey() {
  static const auto* key = new std::vector<std::string>{"atelier numérique de gascogne",
                                                        "3f2b8c1e-6a4d-4e0b-9c8f-2d7e5a1b9c40"};
  return *key;
}

// A codec under a fixed key, as a service holds one.
const maillage::PageTokenCodec& Tokens() {
  static const auto* codec = new maillage::PageTokenCodec("bench-page-token-key-bench-page-token");
  return *codec;
}

void BM_EncodePageToken(benchmark::State& state) {
  const uint64_t fp = maillage::Fingerprint({"network-id", "ate", "", "62", "33", ""});
  for (auto _ : state) {
    benchmark::DoNotOptimize(Tokens().Encode(fp, LastKey()));
  }
}
BENCHMARK(BM_EncodePageToken);

void BM_ParsePageToken(benchmark::State& state) {
  const uint64_t fp = maillage::Fingerprint({"network-id", "ate", "", "62", "33", ""});
  maillage::common::v1::PageRequest page;
  page.set_page_size(50);
  page.set_page_token(Tokens().Encode(fp, LastKey()));
  for (auto _ : state) {
    auto q = Tokens().Parse(page, fp);
    if (!q.ok()) state.SkipWithError("token refused");
    benchmark::DoNotOptimize(q);
  }
}
BENCHMARK(BM_ParsePageToken);

void BM_Fingerprint(benchmark::State& state) {
  const std::vector<std::string> filters = {"network-id", "ate", "", "62", "33", ""};
  for (auto _ : state) benchmark::DoNotOptimize(maillage::Fingerprint(filters));
}
BENCHMARK(BM_Fingerprint);

// The console output, plus each run's CPU time per iteration kept for the ratio table.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred || run.iterations == 0) continue;
      // With --benchmark_repetitions, only the median of the repetitions goes in the table.
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      const bool single = run.run_type == Run::RT_Iteration && run.repetitions <= 1;
      if (!median && !single) continue;
      results_.push_back({run.run_name.str(), run.GetAdjustedCPUTime() /
                                                  benchmark::GetTimeUnitMultiplier(run.time_unit)});
    }
  }

  void PrintRatios() const {
    if (results_.empty()) return;
    const double base = results_.front().seconds;
    std::printf("\n| benchmark | ns/op (CPU) | × %s |\n|---|---:|---:|\n",
                results_.front().name.c_str());
    for (const Result& r : results_) {
      std::printf("| %s | %.1f | %.2f |\n", r.name.c_str(), r.seconds * 1e9, r.seconds / base);
    }
  }

 private:
  struct Result {
    std::string name;
    double seconds;
  };
  std::vector<Result> results_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios();
  benchmark::Shutdown();
  return 0;
}
