// services/reporting/domain/sign_in_sheet: who signed an event's sign-in sheet, from the
// sheet typed into a spreadsheet and saved as CSV. Pure; no I/O.
//
//   SheetReading r = ReadSignInSheet(csv, members);
//   if (!r.status.ok()) ...            // not a sheet at all: "sheet: ..." (INVALID_ARGUMENT)
//   for (const SheetProblem& p : r.problems) ...   // "line 4: no active member named ..."
//   for (const SheetMatch& m : r.matches) ...      // line 3 -> the member's id
//
// The header row names the columns, recognised with case, accents and spaces ignored:
// "siren"; "organisation_id" (or "id"); "name" (or "entreprise", "company", "raison
// sociale", "societe", "structure"). Others are ignored. A line is matched by the first of
// its SIREN, id and name that is filled; a name matches a member's with case, accents,
// punctuation and the legal form (SAS, SARL, EURL, ...) ignored, and must match one member
// only. A member signing twice counts once (its first line).
#ifndef MAILLAGE_SERVICES_REPORTING_DOMAIN_SIGN_IN_SHEET_H_
#define MAILLAGE_SERVICES_REPORTING_DOMAIN_SIGN_IN_SHEET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace maillage::reporting {

inline constexpr size_t kMaxSheetBytes = 1 << 20;
inline constexpr int64_t kMaxSheetLines = 10000;
// Problems reported at most (the rest are summed up in one more).
inline constexpr size_t kMaxSheetProblems = 20;

// An active member of the event's network.
struct SheetMember {
  std::string organisation_id;
  std::string name;
  std::string siren;  // "" when unknown
};

struct SheetMatch {
  int64_t line = 0;
  std::string organisation_id;
  std::string name;
};

struct SheetProblem {
  int64_t line = 0;  // 0: the sheet as a whole (the summary of the problems left out)
  std::string reason;
};

struct SheetReading {
  absl::Status status;  // INVALID_ARGUMENT "sheet: ..." when it cannot be read at all
  std::vector<SheetMatch> matches;
  std::vector<SheetProblem> problems;
};

SheetReading ReadSignInSheet(absl::string_view csv, const std::vector<SheetMember>& members);

// A name as the sheet and the members are compared: lower case, accents and punctuation
// removed, legal forms dropped, single spaces. "SARL Menuiserie Éloi & Fils" and
// "menuiserie eloi fils" are the same.
std::string ComparableName(absl::string_view name);

}  // namespace maillage::reporting

#endif  // MAILLAGE_SERVICES_REPORTING_DOMAIN_SIGN_IN_SHEET_H_
