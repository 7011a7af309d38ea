#include "services/reporting/domain/funding.h"

#include <cmath>

#include "absl/numeric/int128.h"

namespace maillage::reporting {

bool IsPublicFunding(v1::FundingSourceKind kind) {
  return kind > v1::FUNDING_SOURCE_KIND_UNSPECIFIED && kind < 100;
}

void FundingMix::Add(v1::FundingSourceKind kind, int64_t amount_cents) {
  (IsPublicFunding(kind) ? public_cents_ : private_cents_) += amount_cents;
}

void FundingMix::Add(const FundingMix& other) {
  public_cents_ += other.public_cents_;
  private_cents_ += other.private_cents_;
}

double FundingMix::public_share() const {
  const int64_t total = total_cents();
  return total == 0 ? 0.0 : static_cast<double>(public_cents_) / static_cast<double>(total);
}

bool FundingMix::AboveCeiling(double ceiling) const {
  // In integers, so that 80 % of public money is not "above 0.8" by a rounding error. The
  // sums stay far below 2^127: at most 10^11 cents per source, 50 sources, 10^6 actions.
  const auto millionths = absl::int128(std::llround(ceiling * 1e6));
  return absl::int128(public_cents_) * 1'000'000 > millionths * total_cents();
}

}  // namespace maillage::reporting
