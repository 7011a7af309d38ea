// tools/maillagectl/csv_records.h: splitting an RFC 4180 file into records, keeping each
// record's exact bytes.
//
// The demo loader reads the member files to plan its steps (who animates, who applies late)
// and re-sends chosen records unchanged to ImportOrganisations, which does the real parsing
// and validation. So this reader only needs to find record boundaries and field values:
//
//   absl::StatusOr<std::vector<CsvRecord>> records = SplitCsv(text);   // [0] is the header
//   for (const CsvRecord& r : *records) use(r.line, r.fields, r.raw);
//
// Quoted fields may hold commas, doubled quotes and line breaks; CRLF and LF both end a
// record; blank lines are skipped; a UTF-8 byte order mark at the start is dropped.
#ifndef MAILLAGE_TOOLS_MAILLAGECTL_CSV_RECORDS_H_
#define MAILLAGE_TOOLS_MAILLAGECTL_CSV_RECORDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace maillage::ctl {

struct CsvRecord {
  // 1-based line on which the record starts (the numbering ImportRowError uses).
  int64_t line = 0;
  // The record's bytes as in the file, line ending included (if the file had one).
  std::string raw;
  // The unquoted field values.
  std::vector<std::string> fields;
};

// Every record of `text`, in order. INVALID_ARGUMENT naming the line when a quoted field is
// never closed.
absl::StatusOr<std::vector<CsvRecord>> SplitCsv(absl::string_view text);

}  // namespace maillage::ctl

#endif  // MAILLAGE_TOOLS_MAILLAGECTL_CSV_RECORDS_H_
