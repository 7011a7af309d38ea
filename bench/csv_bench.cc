// CsvReader in any chunking: a 200 KB import file fed whole, in 4 KiB chunks (a client's
// usual messages) and one byte at a time (the worst a client can send). The reader keeps its
// parse state between chunks, so the cost per byte should not depend on the chunking; after
// Google Benchmark's output a line gives each chunking's time per byte as a multiple of the
// whole file's, measured in the same run.
//
//   build/bench/bench_csv [--benchmark_repetitions=5 --benchmark_report_aggregates_only]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/membership/csv_import.h"

namespace {

using maillage::membership::CsvReader;

// About 200 KB of rows like the demo files': quoted names with commas and escaped quotes,
// some streets on two lines, CRLF and LF line ends.
const std::string& File() {
  static const std::string* file = [] {
    auto* csv = new std::string("siren,legal_name,kind,street,city\r\n");
    for (int i = 0; csv->size() < 200 * 1000; ++i) {
      absl::StrAppend(csv, 100000000 + i, ",\"Atelier \"\"", i, "\"\", SARL\",company,",
                      i % 3 == 0 ? "\"1 rue du Four\nBâtiment B\"" : "2 rue des Lilas", ",Bordeaux",
                      i % 2 ? "\r\n" : "\n");
    }
    return csv;
  }();
  return *file;
}

void BM_CsvReader(benchmark::State& state) {
  const std::string& csv = File();
  const size_t chunk = state.range(0) == 0 ? csv.size() : static_cast<size_t>(state.range(0));
  std::vector<std::string> fields;
  int64_t line = 0;
  for (auto _ : state) {
    CsvReader reader;
    int64_t records = 0;
    for (size_t at = 0; at < csv.size(); at += chunk) {
      reader.Feed(absl::string_view(csv).substr(at, chunk));
      while (reader.Next(&fields, &line)) ++records;
    }
    reader.Finish();
    while (reader.Next(&fields, &line)) ++records;
    benchmark::DoNotOptimize(records);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * csv.size()));
}
// 0: the whole file in one chunk.
BENCHMARK(BM_CsvReader)->Arg(0)->Arg(4096)->Arg(1)->Unit(benchmark::kMillisecond);

// Prints each chunking's CPU time relative to the whole file's.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.run_type == Run::RT_Iteration || r.aggregate_name == "mean") {
        cpu_[r.benchmark_name()] = r.GetAdjustedCPUTime();
      }
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    auto find = [&](const char* arg) {
      for (const auto& [name, t] : cpu_) {
        if (name.find(absl::StrCat("BM_CsvReader/", arg)) == 0) return t;
      }
      return 0.0;
    };
    double whole = find("0");
    if (whole <= 0) return;
    std::printf(
        "\nCPU time per byte relative to one chunk: 4 KiB chunks %.2f, 1-byte chunks %.2f\n",
        find("4096") / whole, find("1") / whole);
  }

 private:
  std::map<std::string, double> cpu_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
