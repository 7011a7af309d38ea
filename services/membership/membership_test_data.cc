#include "services/membership/membership_test_data.h"

#include "absl/strings/str_format.h"
#include "services/membership/domain/identifiers.h"

namespace maillage::membership {

std::string TestSiren(const std::string& prefix, int n) {
  std::string digits = std::to_string(n);
  std::string base = prefix + std::string(8 - prefix.size() - digits.size(), '0') + digits;
  for (char check = '0'; check <= '9'; ++check) {
    if (IsValidSiren(base + check)) return base + check;
  }
  return "";  // unreachable: one of ten check digits always fits
}

std::string HeadOfficeSiret(const std::string& siren) {
  for (int nic = 1;; ++nic) {
    std::string siret = siren + absl::StrFormat("%05d", nic);
    if (IsValidSiret(siret)) return siret;
  }
}

}  // namespace maillage::membership
