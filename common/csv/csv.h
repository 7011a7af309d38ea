// common/csv: reading and writing CSV (RFC 4180), for imports and exports of every service.
//
//   CsvReader reader;                       // incremental: feed chunks as they arrive
//   reader.Feed(chunk);
//   while (reader.Next(&fields, &line)) ...
//   out += CsvSafeField(value);             // a cell no spreadsheet runs as a formula
#ifndef MAILLAGE_COMMON_CSV_CSV_H_
#define MAILLAGE_COMMON_CSV_CSV_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace maillage::csv {

// Bounds of one CSV record: a header has at most 24 columns, a row a few kilobytes.
inline constexpr size_t kMaxCsvRecordBytes = 1 << 20;
inline constexpr size_t kMaxCsvFields = 200;

// An incremental RFC 4180 reader. It keeps its parse state between Feed calls (a small state
// machine: field start, unquoted, quoted, quote seen, CR seen), so every byte is examined
// once however the input is chunked: feeding a file one byte at a time costs what feeding it
// whole does. Every record, complete or not, is limited to kMaxCsvRecordBytes bytes and
// kMaxCsvFields fields; past either, status() names the record's line and Next() stops.
//
//   CsvReader reader;
//   reader.Feed("siren,legal_name\n7328293");
//   reader.Feed("20,\"Dupont, fils\"\n");
//   while (reader.Next(&fields, &line)) ...   // {"siren","legal_name"} @1, then @2
//   reader.Finish();                           // then Next() once more for an unterminated line
//   if (!reader.status().ok()) ...             // "line 2: record longer than 1 MiB"
class CsvReader {
 public:
  // Appends bytes; a chunk may end anywhere, even inside a quoted field.
  void Feed(absl::string_view chunk);
  // No more input will come.
  void Finish() { finished_ = true; }
  // The next complete record and the line it starts on (1-based). False when more input is
  // needed (or, after Finish(), at the end, or after an error). Blank lines are skipped.
  bool Next(std::vector<std::string>* fields, int64_t* line);
  // INVALID_ARGUMENT naming the line if the input ended inside a quoted field, or a record
  // is over kMaxCsvRecordBytes or has more than kMaxCsvFields fields.
  absl::Status status() const { return status_; }
  // Bytes buffered and not yet returned (the record being read and the unread input).
  size_t buffered() const { return buffer_.size() - scan_ + record_bytes_; }

 private:
  enum class State { kFieldStart, kUnquoted, kQuoted, kQuoteSeen, kCrSeen };
  // Consumes one byte; true when it ended a record.
  bool Step(char c);
  void EndField();
  // Hands the record out, or skips it when blank; true when handed out.
  bool Emit(std::vector<std::string>* fields, int64_t* line);

  std::string buffer_;  // input not yet examined starts at scan_
  size_t scan_ = 0;
  State state_ = State::kFieldStart;
  std::string field_;
  std::vector<std::string> record_;
  size_t record_bytes_ = 0;         // bytes of the current record examined so far
  int64_t newlines_in_record_ = 0;  // inside quoted fields
  int64_t line_ = 1;                // where the current record starts
  bool finished_ = false;
  bool ended_ = false;
  absl::Status status_;
};

// What a spreadsheet takes for the start of a formula: =, +, -, @, tab, CR.
bool IsFormulaStart(char c);

// RFC 4180 quoting of one field.
std::string CsvField(absl::string_view value);
// CsvField, with a quote put before a leading =, +, -, @, tab or CR so that a spreadsheet
// shows the cell as text instead of running it as a formula (OWASP, CSV injection):
//   CsvSafeField("=HYPERLINK(\"http://x\")")  ->  "\"'=HYPERLINK(\"\"http://x\"\")\""
// An importer drops that one quote again (see IsFormulaStart), so that an exported value
// imports as itself.
std::string CsvSafeField(absl::string_view value);

// A cell as an importer uses it: trimmed, and without the quote CsvSafeField (or a
// spreadsheet) put before a leading formula character, so that an exported value imports as
// itself:  UnguardedCell(" '=A1 ") == "=A1".
std::string UnguardedCell(absl::string_view cell);

}  // namespace maillage::csv

#endif  // MAILLAGE_COMMON_CSV_CSV_H_
