#include "services/reporting/domain/network_graph.h"

#include <algorithm>
#include <cstdint>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/reporting/domain/report_document.h"

namespace maillage::reporting {
namespace {

std::vector<std::vector<int>> Adjacency(int n, const std::vector<std::pair<int, int>>& edges) {
  std::vector<std::vector<int>> adj(static_cast<size_t>(n));
  for (const auto& [a, b] : edges) {
    if (a == b || a < 0 || b < 0 || a >= n || b >= n) continue;
    adj[a].push_back(b);
    adj[b].push_back(a);
  }
  for (std::vector<int>& list : adj) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }
  return adj;
}

// Brandes (2001): from each source, the shortest paths by breadth-first search, then the
// dependencies accumulated from the farthest nodes back.
std::vector<double> Betweenness(const std::vector<std::vector<int>>& adj) {
  const int n = static_cast<int>(adj.size());
  std::vector<double> centrality(static_cast<size_t>(n), 0.0);
  std::vector<int> order, distance(static_cast<size_t>(n));
  std::vector<double> paths(static_cast<size_t>(n)), dependency(static_cast<size_t>(n));
  order.reserve(static_cast<size_t>(n));
  for (int s = 0; s < n; ++s) {
    if (adj[s].empty()) continue;
    std::fill(distance.begin(), distance.end(), -1);
    std::fill(paths.begin(), paths.end(), 0.0);
    std::fill(dependency.begin(), dependency.end(), 0.0);
    order.clear();
    distance[s] = 0;
    paths[s] = 1;
    order.push_back(s);
    for (size_t head = 0; head < order.size(); ++head) {
      const int v = order[head];
      for (int w : adj[v]) {
        if (distance[w] < 0) {
          distance[w] = distance[v] + 1;
          order.push_back(w);
        }
        if (distance[w] == distance[v] + 1) paths[w] += paths[v];
      }
    }
    for (size_t i = order.size(); i-- > 1;) {
      const int w = order[i];
      for (int v : adj[w]) {
        if (distance[v] == distance[w] - 1) {
          dependency[v] += paths[v] / paths[w] * (1 + dependency[w]);
        }
      }
      centrality[w] += dependency[w];
    }
  }
  // Each unordered pair was counted from both ends.
  const double pairs = n > 2 ? static_cast<double>(n - 1) * (n - 2) : 0;
  for (double& c : centrality) c = pairs > 0 ? c / pairs : 0;
  return centrality;
}

// Tarjan's articulation points, by an explicit stack (no recursion depth to fear).
std::vector<bool> ArticulationPoints(const std::vector<std::vector<int>>& adj) {
  const int n = static_cast<int>(adj.size());
  std::vector<int> discovered(static_cast<size_t>(n), -1), low(static_cast<size_t>(n), 0),
      parent(static_cast<size_t>(n), -1), children(static_cast<size_t>(n), 0);
  std::vector<size_t> next(static_cast<size_t>(n), 0);
  std::vector<bool> out(static_cast<size_t>(n), false);
  int time = 0;
  for (int root = 0; root < n; ++root) {
    if (discovered[root] >= 0) continue;
    std::vector<int> stack = {root};
    discovered[root] = low[root] = time++;
    while (!stack.empty()) {
      const int v = stack.back();
      if (next[v] < adj[v].size()) {
        const int w = adj[v][next[v]++];
        if (discovered[w] < 0) {
          parent[w] = v;
          ++children[v];
          discovered[w] = low[w] = time++;
          stack.push_back(w);
        } else if (w != parent[v]) {
          low[v] = std::min(low[v], discovered[w]);
        }
        continue;
      }
      stack.pop_back();
      const int p = parent[v];
      if (p < 0) continue;
      low[p] = std::min(low[p], low[v]);
      if (parent[p] >= 0 && low[v] >= discovered[p]) out[p] = true;
    }
    if (children[root] > 1) out[root] = true;
  }
  return out;
}

}  // namespace

GraphMetrics MeasureGraph(int nodes, const std::vector<std::pair<int, int>>& edges) {
  GraphMetrics m;
  const std::vector<std::vector<int>> adj = Adjacency(nodes, edges);
  m.degree.resize(static_cast<size_t>(nodes));
  for (int v = 0; v < nodes; ++v) m.degree[v] = static_cast<int>(adj[v].size());
  m.betweenness = Betweenness(adj);
  m.bridges = ArticulationPoints(adj);
  // Components by breadth-first search, then renumbered largest first.
  std::vector<int> raw(static_cast<size_t>(nodes), -1);
  std::vector<std::pair<int, int>> sizes;  // (size, first node), by raw number
  for (int s = 0; s < nodes; ++s) {
    if (raw[s] >= 0) continue;
    const int id = static_cast<int>(sizes.size());
    std::vector<int> queue = {s};
    raw[s] = id;
    for (size_t head = 0; head < queue.size(); ++head) {
      for (int w : adj[queue[head]]) {
        if (raw[w] < 0) {
          raw[w] = id;
          queue.push_back(w);
        }
      }
    }
    sizes.emplace_back(static_cast<int>(queue.size()), s);
  }
  std::vector<int> rank(sizes.size());
  std::iota(rank.begin(), rank.end(), 0);
  std::sort(rank.begin(), rank.end(), [&](int a, int b) {
    return sizes[a].first != sizes[b].first ? sizes[a].first > sizes[b].first
                                            : sizes[a].second < sizes[b].second;
  });
  std::vector<int> renumbered(sizes.size());
  for (size_t i = 0; i < rank.size(); ++i) renumbered[rank[i]] = static_cast<int>(i);
  m.component.resize(static_cast<size_t>(nodes));
  for (int v = 0; v < nodes; ++v) {
    m.component[v] = renumbered[raw[v]];
    if (m.degree[v] == 0) ++m.isolated;
  }
  m.components = static_cast<int>(sizes.size());
  return m;
}

std::string ToGraphMl(const std::vector<GraphMlNode>& nodes,
                      const std::vector<GraphMlEdge>& edges) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
      "  <key id=\"name\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n"
      "  <key id=\"degree\" for=\"node\" attr.name=\"degree\" attr.type=\"int\"/>\n"
      "  <key id=\"betweenness\" for=\"node\" attr.name=\"betweenness\" "
      "attr.type=\"double\"/>\n"
      "  <key id=\"bridges\" for=\"node\" attr.name=\"bridges\" attr.type=\"boolean\"/>\n"
      "  <key id=\"kind\" for=\"edge\" attr.name=\"kind\" attr.type=\"string\"/>\n"
      "  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"int\"/>\n"
      "  <graph id=\"network\" edgedefault=\"undirected\">\n";
  for (const GraphMlNode& n : nodes) {
    absl::StrAppend(&out, "    <node id=\"", EscapeMarkup(n.id), "\">", "<data key=\"name\">",
                    EscapeMarkup(n.name), "</data><data key=\"degree\">", n.degree,
                    "</data><data key=\"betweenness\">", absl::StrFormat("%.6f", n.betweenness),
                    "</data><data key=\"bridges\">", n.bridges ? "true" : "false",
                    "</data></node>\n");
  }
  for (const GraphMlEdge& e : edges) {
    absl::StrAppend(&out, "    <edge source=\"", EscapeMarkup(e.source), "\" target=\"",
                    EscapeMarkup(e.target), "\"><data key=\"kind\">", EscapeMarkup(e.kind),
                    "</data><data key=\"weight\">", e.weight, "</data></edge>\n");
  }
  out += "  </graph>\n</graphml>\n";
  return out;
}

}  // namespace maillage::reporting
