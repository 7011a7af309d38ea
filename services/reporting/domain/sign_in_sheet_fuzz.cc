// libFuzzer target: the sign-in sheet reader (sign_in_sheet.h). Any input is read without a
// crash; each match names one of the members, once, on a line after the header; at most
// kMaxSheetProblems problems plus one summary; a refused sheet has no matches.
//
//   build-fuzz/services/reporting/sign_in_sheet_fuzz fuzz/corpus/sign_in_sheet_fuzz
//   -max_total_time=20
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <set>
#include <string>

#include "services/reporting/domain/sign_in_sheet.h"

namespace {

void Fail(const std::string& why) {
  std::cerr << why << "\n";
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace maillage::reporting;  // NOLINT: a fuzz target's own scope
  static const std::vector<SheetMember> members = {
      {"aaaaaaaa-0000-4000-8000-000000000001", "SARL Menuiserie Éloi & Fils", "732829320"},
      {"bbbbbbbb-0000-4000-8000-000000000002", "Boulangerie Le Fournil", "552100554"},
      {"cccccccc-0000-4000-8000-000000000003", "Atelier Cœur de Bois", ""},
  };
  const std::string text(reinterpret_cast<const char*>(data), size);
  SheetReading r = ReadSignInSheet(text, members);
  if (r.problems.size() > kMaxSheetProblems + 1) Fail("too many problems reported");
  std::set<std::string> seen;
  for (const SheetMatch& m : r.matches) {
    if (m.line < 2) Fail("a match on the header line");
    bool known = false;
    for (const SheetMember& member : members)
      known = known || member.organisation_id == m.organisation_id;
    if (!known) Fail("a match names no member");
    if (!seen.insert(m.organisation_id).second) Fail("a member matched twice");
  }
  (void)ComparableName(text);
  return 0;
}
