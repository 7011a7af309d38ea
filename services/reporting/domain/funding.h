// services/reporting/domain/funding: the public/private balance of collective actions'
// funding. Pure; no I/O.
//
//   FundingMix mix;
//   mix.Add(v1::FUNDING_SOURCE_KIND_REGION, 60'000'00);
//   mix.Add(v1::FUNDING_SOURCE_KIND_MEMBER_CONTRIBUTIONS, 15'000'00);
//   mix.public_share() == 0.8;  mix.AboveCeiling(0.75) == true;
//
// Public money is what regions, intercommunalities, the State, EU programmes (ERDF, LEADER),
// chambers and other public bodies give; the rest (members' contributions, sponsors,
// sales) is private. Amounts are euro cents.
#ifndef MAILLAGE_SERVICES_REPORTING_DOMAIN_FUNDING_H_
#define MAILLAGE_SERVICES_REPORTING_DOMAIN_FUNDING_H_

#include <cstdint>

#include "maillage/reporting/v1/reporting.pb.h"

namespace maillage::reporting {

// The largest amount of one budget line or funding source: one billion euros.
inline constexpr int64_t kMaxAmountCents = 100'000'000'000;

// Kinds below 100 are public (reporting.proto).
bool IsPublicFunding(v1::FundingSourceKind kind);

class FundingMix {
 public:
  void Add(v1::FundingSourceKind kind, int64_t amount_cents);
  void Add(const FundingMix& other);

  int64_t public_cents() const { return public_cents_; }
  int64_t private_cents() const { return private_cents_; }
  int64_t total_cents() const { return public_cents_ + private_cents_; }
  // public / total; 0 when nothing is funded.
  double public_share() const;
  // The public share passes `ceiling` (0 < ceiling <= 1). Compared in cents, exactly:
  // public * 10^6 > ceiling (rounded to a millionth) * total.
  bool AboveCeiling(double ceiling) const;

 private:
  int64_t public_cents_ = 0;
  int64_t private_cents_ = 0;
};

}  // namespace maillage::reporting

#endif  // MAILLAGE_SERVICES_REPORTING_DOMAIN_FUNDING_H_
