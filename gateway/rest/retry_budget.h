// gateway/rest/retry_budget: how many retries the gateway may add to a backend's load.
//
//   RetryBudget budget({.ratio = 0.1, .max_tokens = 20});
//   budget.OnCall();                     // every first attempt earns `ratio` of a retry
//   if (budget.TryRetry()) { ... }       // a retry spends one
//
// A backend that stays down gets at most `ratio` more calls than it would without retries
// (plus a burst of `max_tokens`), instead of every call tripling: retries help a brief blip
// (a replica restarting) and never feed an outage. Thread-safe, lock-free.
#ifndef MAILLAGE_GATEWAY_REST_RETRY_BUDGET_H_
#define MAILLAGE_GATEWAY_REST_RETRY_BUDGET_H_

#include <atomic>
#include <cstdint>

namespace maillage::gateway {

class RetryBudget {
 public:
  struct Options {
    double ratio = 0.1;
    int max_tokens = 20;
  };
  explicit RetryBudget(Options options)
      : per_call_(static_cast<int64_t>(options.ratio * kUnit)),
        max_(static_cast<int64_t>(options.max_tokens) * kUnit),
        tokens_(max_) {}

  void OnCall() {
    int64_t t = tokens_.load();
    while (t < max_ && !tokens_.compare_exchange_weak(t, std::min(max_, t + per_call_))) {
    }
  }
  bool TryRetry() {
    int64_t t = tokens_.load();
    while (t >= kUnit) {
      if (tokens_.compare_exchange_weak(t, t - kUnit)) return true;
    }
    return false;
  }

 private:
  static constexpr int64_t kUnit = 1000;
  const int64_t per_call_;
  const int64_t max_;
  std::atomic<int64_t> tokens_;
};

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_REST_RETRY_BUDGET_H_
