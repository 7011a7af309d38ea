// Identifiers for membership tests: valid SIRENs and SIRETs made on demand.
//
//   std::string siren = TestSiren("52", 7);      // "52000000" + "7" padded, Luhn check digit
//   std::string siret = HeadOfficeSiret(siren);  // the SIREN and the first valid NIC
#ifndef MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_TEST_DATA_H_
#define MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_TEST_DATA_H_

#include <string>

namespace maillage::membership {

// A valid SIREN: `prefix`, then `n` zero-padded to eight digits in all, then the Luhn check
// digit. Distinct (prefix, n) give distinct SIRENs.
std::string TestSiren(const std::string& prefix, int n);

// The head office's SIRET: the SIREN and the first NIC that passes the checksum.
std::string HeadOfficeSiret(const std::string& siren);

}  // namespace maillage::membership

#endif  // MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_TEST_DATA_H_
