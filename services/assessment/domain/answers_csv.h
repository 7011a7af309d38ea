// services/assessment/domain/answers_csv: a campaign's answers as CSV, exported for the
// network's animators (a sheet to print for a workshop, or the answers to read) and imported
// back once the companies filled it on paper. Pure functions, no I/O.
//
// Columns, in this order on export; on import the header names them in any order, and only
// organisation_id, function_code, efficiency and importance are required (others are read
// when present, unknown ones ignored):
//   organisation_id      the company (UUID)
//   organisation_name    for the reader
//   status               submitted, draft or not_started (export only)
//   revision             the submission shown (export only)
//   function_code        a function of the campaign
//   function_label       for the reader (the French label)
//   efficiency           low, medium or high (also faible, moyen(ne), fort(e), élevé(e),
//   importance             1, 2, 3, any case); both empty: the function is not answered
//   disposition          what the campaign's matrix said (export only)
//   yearly_cost_eur      whole euros, empty or 0: not given
//   staff_days_per_year  days, empty or 0: not given
//   willing_to_pool      yes/no (also oui/non, true/false, 1/0, x); empty: no
//   agrees_to_be_named   idem
//   comment              free text, at most 2,000 characters
//
//   std::string csv = AnswersCsvHeader();
//   csv += AnswersCsvRow({.organisation_id = id, ..., .answer = &answer});
//   ParsedAnswers parsed = ParseAnswersCsv(file_text);
//   if (!parsed.problems.empty()) ...   // "line 12", "efficiency", "not a level: tres bien"
#ifndef MAILLAGE_SERVICES_ASSESSMENT_DOMAIN_ANSWERS_CSV_H_
#define MAILLAGE_SERVICES_ASSESSMENT_DOMAIN_ANSWERS_CSV_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "maillage/assessment/v1/assessment.pb.h"

namespace maillage::assessment {

// Most problems reported for one file; the rest are counted in a last one.
inline constexpr size_t kMaxCsvProblems = 100;

struct AnswersCsvExportRow {
  std::string organisation_id = {};
  std::string organisation_name = {};
  v1::AssessmentState state = v1::ASSESSMENT_STATE_NOT_STARTED;
  int revision = 0;
  std::string function_code = {};
  std::string function_label = {};
  // Null: not answered (empty cells).
  const v1::FunctionAnswer* answer = nullptr;
};

// The header line, "\n" included.
std::string AnswersCsvHeader();
// One line, "\n" included; text cells through csv::CsvSafeField.
std::string AnswersCsvRow(const AnswersCsvExportRow& row);

struct AnswersCsvProblem {
  int64_t line = 0;    // 1-based line of the file; 0 for the file as a whole
  std::string column;  // the column's name, or "" for the row
  std::string message;
};

struct ParsedAnswers {
  // Each company's answered rows (both levels set), by organisation in the file's order.
  std::vector<std::pair<std::string, std::vector<v1::FunctionAnswer>>> by_organisation;
  // The line of each answer, in the same shape (for the service's own checks).
  std::vector<std::vector<int64_t>> lines;
  int64_t rows = 0;
  int64_t answered_rows = 0;
  // Syntax and format: a missing column, a malformed id or level, one level without the
  // other, a company and function given twice, a comment too long. At most kMaxCsvProblems.
  std::vector<AnswersCsvProblem> problems;
};

// Reads a whole file (UTF-8, with or without a BOM, CRLF or LF). Never fails: what is wrong
// is in `problems`. Organisation ids are returned in lower case.
ParsedAnswers ParseAnswersCsv(absl::string_view text);

}  // namespace maillage::assessment

#endif  // MAILLAGE_SERVICES_ASSESSMENT_DOMAIN_ANSWERS_CSV_H_
