#include "tools/maillagectl/csv_records.h"

#include "absl/strings/str_cat.h"

namespace maillage::ctl {

absl::StatusOr<std::vector<CsvRecord>> SplitCsv(absl::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<CsvRecord> out;
  size_t i = 0;
  int64_t line = 1;
  const size_t n = text.size();
  while (i < n) {
    CsvRecord record;
    record.line = line;
    const size_t start = i;
    std::string field;
    bool in_quotes = false;
    bool ended = false;
    while (i < n && !ended) {
      char c = text[i];
      if (in_quotes) {
        if (c == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            field += '"';
            i += 2;
          } else {
            in_quotes = false;
            ++i;
          }
          continue;
        }
        if (c == '\n') ++line;
        field += c;
        ++i;
        continue;
      }
      switch (c) {
        case '"':
          in_quotes = true;
          break;
        case ',':
          record.fields.push_back(std::move(field));
          field.clear();
          break;
        case '\r':
          // Part of a CRLF ending. The raw bytes keep it; no value contains it.
          break;
        case '\n':
          ++line;
          ended = true;
          break;
        default:
          field += c;
      }
      ++i;
    }
    if (in_quotes) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", record.line, ": a quoted field is never closed"));
    }
    record.fields.push_back(std::move(field));
    if (record.fields.size() == 1 && record.fields[0].empty()) continue;  // blank line
    record.raw = std::string(text.substr(start, i - start));
    out.push_back(std::move(record));
  }
  return out;
}

}  // namespace maillage::ctl
