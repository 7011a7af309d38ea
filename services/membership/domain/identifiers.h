// Checks of the French identifiers and codes an organisation carries. Pure functions.
//
//   IsValidSiren("732829320")            -> true  (9 digits, Luhn)
//   IsValidSiret("73282932000074")       -> true  (14 digits, Luhn; La Poste's rule too)
//   SiretExtendsSiren("73282932000074", "732829320") -> true
//   NaceSectionOfNaf("62.01Z")           -> "J"
#ifndef MAILLAGE_SERVICES_MEMBERSHIP_DOMAIN_IDENTIFIERS_H_
#define MAILLAGE_SERVICES_MEMBERSHIP_DOMAIN_IDENTIFIERS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace maillage::membership {

// True when every character is an ASCII digit and there is at least one.
bool AllDigits(absl::string_view s);

// Luhn checksum over a string of digits.
bool LuhnValid(absl::string_view digits);

// SIREN: 9 digits with a valid Luhn checksum.
bool IsValidSiren(absl::string_view siren);

// SIRET: 14 digits with a valid Luhn checksum, except La Poste's establishments (SIREN
// 356000000), whose digits sum to a multiple of 5 instead.
bool IsValidSiret(absl::string_view siret);

// True when the SIRET's first nine digits are the SIREN.
bool SiretExtendsSiren(absl::string_view siret, absl::string_view siren);

// NAF rév. 2 code "NN.NNL" (e.g. "62.01Z"), as published by INSEE.
bool IsValidNafCode(absl::string_view naf);

// The NACE rev. 2 section letter (A..U) of a valid NAF code; empty if the division is not
// one NACE defines.
std::string NaceSectionOfNaf(absl::string_view naf);

// A single NACE section letter A..U.
bool IsValidNaceSection(absl::string_view section);

// INSEE commune code: a département code then the commune's number, 5 characters in all:
// "33063", "2A004" (Corsica), "97411" (overseas: 971..976 then 2 digits). "00123", "96001",
// "20004" and "97701" are refused: their first characters are not a département.
bool IsValidCommuneCode(absl::string_view code);

// Département code: 01..95 except 20, 2A, 2B, or 971..976.
bool IsValidDepartementCode(absl::string_view code);

// INSEE region code: two digits (01..06 overseas, 11..94 in metropolitan France).
bool IsValidRegionCode(absl::string_view code);

// The département of a commune code ("33063" -> "33", "97411" -> "974", "2A004" -> "2A").
std::string DepartementOfCommune(absl::string_view commune_code);

// French postal code: 5 digits.
bool IsValidPostalCode(absl::string_view code);

// A plausible e-mail address: one @, a non-empty local part, a dotted domain, no spaces.
bool IsValidEmail(absl::string_view email);

// A phone number in E.164 (+33612345678) or French national format (06 12 34 56 78);
// spaces, dots and dashes are allowed between digits.
bool IsValidPhone(absl::string_view phone);

// An http(s) URL with a host.
bool IsValidWebsite(absl::string_view url);

// A UUID in canonical 8-4-4-4-12 hex form.
bool IsValidUuid(absl::string_view id);

}  // namespace maillage::membership

#endif  // MAILLAGE_SERVICES_MEMBERSHIP_DOMAIN_IDENTIFIERS_H_
