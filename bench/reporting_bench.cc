// The reporting service's graph metrics at the size of a large network: 2,000 members and
// 20,000 links (a year of introductions), in communities of 50 with some links across them,
// seeded so that every run measures the same graph. Google Benchmark cases:
//
//   GraphMetrics     MeasureGraph: degree, Brandes' betweenness, articulation points,
//                    components (domain/network_graph.h)
//   GraphAdjacency   the floor of any metric: reading the links into adjacency lists (same
//                    run), so that the ratio of the two is the cost of the metrics proper
//   GraphMl          the same graph written as GraphML
//
// Target (issue 9): graph metrics for 2,000 nodes and 20,000 edges under 1 s.
//
//   build-bench/bench/bench_reporting
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/reporting/domain/network_graph.h"

namespace maillage::reporting {
namespace {

std::vector<std::pair<int, int>> Links(int nodes, int edges) {
  std::mt19937 rng(20261129);
  constexpr int kCommunity = 50;
  std::vector<std::pair<int, int>> out;
  out.reserve(static_cast<size_t>(edges));
  while (static_cast<int>(out.size()) < edges) {
    const int a = static_cast<int>(rng() % static_cast<unsigned>(nodes));
    int b;
    if (rng() % 10 < 8) {  // most introductions stay within the community
      const int base = a / kCommunity * kCommunity;
      b = base + static_cast<int>(rng() % kCommunity);
      if (b >= nodes) b = base;
    } else {
      b = static_cast<int>(rng() % static_cast<unsigned>(nodes));
    }
    if (a != b) out.emplace_back(a, b);
  }
  return out;
}

void BM_GraphMetrics(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0));
  const std::vector<std::pair<int, int>> links = Links(nodes, static_cast<int>(state.range(1)));
  for (auto _ : state) {
    GraphMetrics m = MeasureGraph(nodes, links);
    benchmark::DoNotOptimize(m);
  }
}

void BM_GraphAdjacency(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0));
  const std::vector<std::pair<int, int>> links = Links(nodes, static_cast<int>(state.range(1)));
  for (auto _ : state) {
    std::vector<std::vector<int>> adj(static_cast<size_t>(nodes));
    for (const auto& [a, b] : links) {
      adj[a].push_back(b);
      adj[b].push_back(a);
    }
    for (std::vector<int>& l : adj) {
      std::sort(l.begin(), l.end());
      l.erase(std::unique(l.begin(), l.end()), l.end());
    }
    benchmark::DoNotOptimize(adj);
  }
}

void BM_GraphMl(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0));
  const std::vector<std::pair<int, int>> links = Links(nodes, static_cast<int>(state.range(1)));
  std::vector<GraphMlNode> n;
  for (int i = 0; i < nodes; ++i) n.push_back({.id = absl::StrCat("org-", i), .name = "Name"});
  std::vector<GraphMlEdge> e;
  for (const auto& [a, b] : links) {
    e.push_back({.source = absl::StrCat("org-", a),
                 .target = absl::StrCat("org-", b),
                 .kind = "introduced"});
  }
  for (auto _ : state) benchmark::DoNotOptimize(ToGraphMl(n, e));
}

BENCHMARK(BM_GraphMetrics)->Args({2000, 20000})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GraphAdjacency)->Args({2000, 20000})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GraphMl)->Args({2000, 20000})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace maillage::reporting

BENCHMARK_MAIN();
