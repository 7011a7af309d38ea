// The retry budget: a burst, then a tenth of the calls, never more.
#include "gateway/rest/retry_budget.h"

#include <gtest/gtest.h>

namespace maillage::gateway {
namespace {

TEST(RetryBudgetTest, ABurstThenATenthOfTheCalls) {
  RetryBudget budget({.ratio = 0.1, .max_tokens = 3});
  EXPECT_TRUE(budget.TryRetry());
  EXPECT_TRUE(budget.TryRetry());
  EXPECT_TRUE(budget.TryRetry());
  EXPECT_FALSE(budget.TryRetry());  // a backend that stays down gets no more
  for (int i = 0; i < 9; ++i) budget.OnCall();
  EXPECT_FALSE(budget.TryRetry());
  budget.OnCall();  // the tenth call earns one retry
  EXPECT_TRUE(budget.TryRetry());
  EXPECT_FALSE(budget.TryRetry());
  // Never more saved up than the burst.
  for (int i = 0; i < 1000; ++i) budget.OnCall();
  int retries = 0;
  while (budget.TryRetry()) ++retries;
  EXPECT_EQ(retries, 3);
}

}  // namespace
}  // namespace maillage::gateway
