#include "services/membership/domain/identifiers.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "common/ids/canonical_ids.h"

namespace maillage::membership {
namespace {

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

}  // namespace

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

bool LuhnValid(absl::string_view digits) {
  if (!AllDigits(digits)) return false;
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

bool IsValidSiren(absl::string_view siren) { return siren.size() == 9 && LuhnValid(siren); }

bool IsValidSiret(absl::string_view siret) {
  if (siret.size() != 14 || !AllDigits(siret)) return false;
  // La Poste has more establishments than the NIC's Luhn space allows; INSEE checks its
  // SIRETs by the plain digit sum instead (except the head office, which passes Luhn).
  if (absl::StartsWith(siret, "356000000") && siret != "35600000000048") {
    int sum = 0;
    for (char c : siret) sum += c - '0';
    return sum % 5 == 0;
  }
  return LuhnValid(siret);
}

bool SiretExtendsSiren(absl::string_view siret, absl::string_view siren) {
  return siret.size() == 14 && siren.size() == 9 && absl::StartsWith(siret, siren);
}

bool IsValidNafCode(absl::string_view naf) {
  return naf.size() == 6 && absl::ascii_isdigit(naf[0]) && absl::ascii_isdigit(naf[1]) &&
         naf[2] == '.' && absl::ascii_isdigit(naf[3]) && absl::ascii_isdigit(naf[4]) &&
         IsUpper(naf[5]) && !NaceSectionOfNaf(naf).empty();
}

std::string NaceSectionOfNaf(absl::string_view naf) {
  int division = 0;
  if (naf.size() < 2 || !absl::SimpleAtoi(naf.substr(0, 2), &division)) return "";
  struct Range {
    int from, to;
    char section;
  };
  // NACE rev. 2 sections by division; the gaps (04, 34, 40, 44, ...) are not divisions.
  static constexpr Range kRanges[] = {
      {1, 3, 'A'},   {5, 9, 'B'},   {10, 33, 'C'}, {35, 35, 'D'}, {36, 39, 'E'}, {41, 43, 'F'},
      {45, 47, 'G'}, {49, 53, 'H'}, {55, 56, 'I'}, {58, 63, 'J'}, {64, 66, 'K'}, {68, 68, 'L'},
      {69, 75, 'M'}, {77, 82, 'N'}, {84, 84, 'O'}, {85, 85, 'P'}, {86, 88, 'Q'}, {90, 93, 'R'},
      {94, 96, 'S'}, {97, 98, 'T'}, {99, 99, 'U'}};
  for (const Range& r : kRanges) {
    if (division >= r.from && division <= r.to) return std::string(1, r.section);
  }
  return "";
}

bool IsValidNaceSection(absl::string_view section) {
  return section.size() == 1 && section[0] >= 'A' && section[0] <= 'U';
}

bool IsValidCommuneCode(absl::string_view code) {
  if (code.size() != 5) return false;
  // The code starts with its département: overseas ones take three characters (971..976),
  // the others two, so "00123" or "96001" name no commune though they are five digits.
  absl::string_view departement =
      absl::StartsWith(code, "97") ? code.substr(0, 3) : code.substr(0, 2);
  absl::string_view number = code.substr(departement.size());
  // Communes are numbered from 001 (01 overseas): "75000" is a postal code, not a commune.
  return IsValidDepartementCode(departement) && AllDigits(number) &&
         number.find_first_not_of('0') != absl::string_view::npos;
}

bool IsValidDepartementCode(absl::string_view code) {
  if (code == "2A" || code == "2B") return true;
  int n = 0;
  if (!AllDigits(code) || !absl::SimpleAtoi(code, &n)) return false;
  if (code.size() == 2) return n >= 1 && n <= 95 && n != 20;
  if (code.size() == 3) return n >= 971 && n <= 976;
  return false;
}

bool IsValidRegionCode(absl::string_view code) {
  static constexpr absl::string_view kRegions[] = {"01", "02", "03", "04", "06", "11",
                                                   "24", "27", "28", "32", "44", "52",
                                                   "53", "75", "76", "84", "93", "94"};
  for (absl::string_view r : kRegions) {
    if (code == r) return true;
  }
  return false;
}

std::string DepartementOfCommune(absl::string_view commune_code) {
  if (!IsValidCommuneCode(commune_code)) return "";
  if (absl::StartsWith(commune_code, "97")) return std::string(commune_code.substr(0, 3));
  return std::string(commune_code.substr(0, 2));
}

bool IsValidPostalCode(absl::string_view code) { return code.size() == 5 && AllDigits(code); }

bool IsValidEmail(absl::string_view email) {
  if (email.size() > 254) return false;
  size_t at = email.find('@');
  if (at == absl::string_view::npos || at == 0 ||
      email.find('@', at + 1) != absl::string_view::npos) {
    return false;
  }
  absl::string_view domain = email.substr(at + 1);
  size_t dot = domain.rfind('.');
  if (dot == absl::string_view::npos || dot == 0 || dot + 2 > domain.size()) return false;
  for (char c : email) {
    if (absl::ascii_isspace(c) || absl::ascii_iscntrl(c)) return false;
  }
  return !absl::StrContains(domain, "..");
}

bool IsValidPhone(absl::string_view phone) {
  std::string digits;
  bool plus = !phone.empty() && phone[0] == '+';
  for (size_t i = plus ? 1 : 0; i < phone.size(); ++i) {
    char c = phone[i];
    if (absl::ascii_isdigit(c)) {
      digits += c;
    } else if (c != ' ' && c != '.' && c != '-') {
      return false;
    }
  }
  if (plus) return digits.size() >= 8 && digits.size() <= 15 && digits[0] != '0';
  return digits.size() == 10 && digits[0] == '0';
}

bool IsValidWebsite(absl::string_view url) {
  absl::string_view rest;
  if (absl::StartsWith(url, "https://")) {
    rest = url.substr(8);
  } else if (absl::StartsWith(url, "http://")) {
    rest = url.substr(7);
  } else {
    return false;
  }
  absl::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.empty() || host.find('.') == absl::string_view::npos || url.size() > 500) return false;
  for (char c : url) {
    if (absl::ascii_isspace(c) || absl::ascii_iscntrl(c)) return false;
  }
  return true;
}

bool IsValidUuid(absl::string_view id) { return IsUuid(id); }

}  // namespace maillage::membership
