// The graph metrics on small networks a person can check by drawing them.
#include "services/reporting/domain/network_graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace maillage::reporting {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(NetworkGraphTest, TheHubOfAStarIsOnEveryPathAndHoldsItTogether) {
  // 0 - 1 - 2, 1 - 3: member 1 introduced everyone.
  GraphMetrics m = MeasureGraph(4, {{0, 1}, {1, 2}, {1, 3}});
  EXPECT_THAT(m.degree, ElementsAre(1, 3, 1, 1));
  EXPECT_DOUBLE_EQ(m.betweenness[1], 1.0);
  EXPECT_DOUBLE_EQ(m.betweenness[0], 0.0);
  EXPECT_THAT(m.bridges, ElementsAre(false, true, false, false));
  EXPECT_EQ(m.components, 1);
  EXPECT_EQ(m.isolated, 0);
}

TEST(NetworkGraphTest, OnAPathTheMiddleCountsMostAndTheEndsNothing) {
  // 0 - 1 - 2 - 3 - 4
  GraphMetrics m = MeasureGraph(5, {{0, 1}, {1, 2}, {2, 3}, {3, 4}});
  // Pairs of the other four through 2: (0,3) (0,4) (1,3) (1,4): 4 of 6.
  EXPECT_NEAR(m.betweenness[2], 4.0 / 6, 1e-12);
  // Through 1: (0,2) (0,3) (0,4): 3 of 6.
  EXPECT_NEAR(m.betweenness[1], 3.0 / 6, 1e-12);
  EXPECT_EQ(m.betweenness[0], 0);
  EXPECT_THAT(m.bridges, ElementsAre(false, true, true, true, false));
}

TEST(NetworkGraphTest, TwoPathsBetweenAPairShareTheCredit) {
  // A square 0-1-2-3-0: 0 and 2 are linked through 1 or 3.
  GraphMetrics m = MeasureGraph(4, {{0, 1}, {1, 2}, {2, 3}, {3, 0}});
  // 1 is on half of the shortest paths of (0,2), and of no other pair: 0.5 / 3 pairs.
  EXPECT_NEAR(m.betweenness[1], 0.5 / 3, 1e-12);
  EXPECT_THAT(m.bridges, ElementsAre(false, false, false, false));  // a cycle: no cut point
}

TEST(NetworkGraphTest, PartsAreNumberedLargestFirstAndTheIsolatedAreCounted) {
  // 0-1 ; 2-3-4 ; 5 alone ; 6 alone; a duplicate edge and a loop count for nothing.
  GraphMetrics m = MeasureGraph(7, {{0, 1}, {2, 3}, {3, 4}, {4, 3}, {5, 5}});
  EXPECT_EQ(m.components, 4);
  EXPECT_EQ(m.component[2], 0);
  EXPECT_EQ(m.component[3], 0);
  EXPECT_EQ(m.component[0], 1);
  EXPECT_EQ(m.component[5], 2);
  EXPECT_EQ(m.component[6], 3);
  EXPECT_EQ(m.isolated, 2);
  EXPECT_THAT(m.degree, ElementsAre(1, 1, 1, 2, 1, 0, 0));
  // Betweenness normalised over the pairs of all seven: 3 is on the path (2,4) only.
  EXPECT_NEAR(m.betweenness[3], 1.0 / 15, 1e-12);
}

TEST(NetworkGraphTest, NoNodeOrOutOfRangeEdgesGiveAnEmptyAnswer) {
  GraphMetrics empty = MeasureGraph(0, {});
  EXPECT_EQ(empty.components, 0);
  GraphMetrics m = MeasureGraph(2, {{0, 7}, {-1, 1}});
  EXPECT_EQ(m.isolated, 2);
}

TEST(NetworkGraphTest, GraphMlIsWellFormedWithNamesEscaped) {
  std::string xml =
      ToGraphMl({{"a", "Dupont & Fils <SARL>", 1, 0.25, true}, {"b", "B", 1, 0, false}},
                {{"a", "b", "collaboration", 2}});
  EXPECT_THAT(xml, HasSubstr("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">"));
  EXPECT_THAT(xml, HasSubstr("Dupont &amp; Fils &lt;SARL&gt;"));
  EXPECT_THAT(xml, HasSubstr("<edge source=\"a\" target=\"b\"><data key=\"kind\">collaboration"));
  EXPECT_THAT(xml, HasSubstr("<data key=\"betweenness\">0.250000</data>"));
  EXPECT_THAT(xml, HasSubstr("</graphml>"));
}

}  // namespace
}  // namespace maillage::reporting
