#include "common/csv/csv.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace maillage::csv {

bool IsFormulaStart(char c) {
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

void CsvReader::Feed(absl::string_view chunk) {
  // Bytes before scan_ were moved into the record being built; drop them once they are at
  // least half the buffer, so compaction costs O(1) amortised per byte.
  if (scan_ > 0 && scan_ * 2 >= buffer_.size()) {
    buffer_.erase(0, scan_);
    scan_ = 0;
  }
  buffer_.append(chunk.data(), chunk.size());
}

void CsvReader::EndField() {
  record_.push_back(std::move(field_));
  field_.clear();
  if (record_.size() > kMaxCsvFields) {
    status_ = absl::InvalidArgumentError(
        absl::StrCat("line ", line_, ": more than ", kMaxCsvFields, " fields"));
  }
}

bool CsvReader::Step(char c) {
  for (;;) {
    switch (state_) {
      case State::kFieldStart:
        if (c == '"') {
          state_ = State::kQuoted;
          return false;
        }
        state_ = State::kUnquoted;
        continue;  // the byte is an unquoted field's
      case State::kUnquoted:
        if (c == ',') {
          EndField();
          state_ = State::kFieldStart;
        } else if (c == '\n') {
          EndField();
          state_ = State::kFieldStart;
          return true;
        } else if (c == '\r') {
          state_ = State::kCrSeen;  // a CRLF line end, or a CR inside the field
        } else {
          field_ += c;  // a quote inside an unquoted field (or after a closed one) is literal
        }
        return false;
      case State::kQuoted:
        if (c == '"') {
          state_ = State::kQuoteSeen;
        } else {
          if (c == '\n') ++newlines_in_record_;
          field_ += c;
        }
        return false;
      case State::kQuoteSeen:
        if (c == '"') {  // "" is an escaped quote
          field_ += '"';
          state_ = State::kQuoted;
          return false;
        }
        state_ = State::kUnquoted;  // the quote closed the field; what follows is literal
        continue;
      case State::kCrSeen:
        if (c == '\n') {
          EndField();
          state_ = State::kFieldStart;
          return true;
        }
        field_ += '\r';
        state_ = State::kUnquoted;
        continue;
    }
  }
}

bool CsvReader::Emit(std::vector<std::string>* fields, int64_t* line) {
  *line = line_;
  line_ += 1 + newlines_in_record_;
  newlines_in_record_ = 0;
  record_bytes_ = 0;
  fields->swap(record_);
  record_.clear();
  // A blank line is a single empty field: skip it.
  return !(fields->size() == 1 && (*fields)[0].empty());
}

bool CsvReader::Next(std::vector<std::string>* fields, int64_t* line) {
  while (status_.ok()) {
    if (scan_ < buffer_.size()) {
      ++record_bytes_;
      bool ended = Step(buffer_[scan_++]);
      if (!status_.ok()) return false;
      if (ended) {
        if (Emit(fields, line)) return true;
        continue;
      }
      // A CR waiting for its LF is not yet part of the record.
      if (record_bytes_ - (state_ == State::kCrSeen ? 1 : 0) > kMaxCsvRecordBytes) {
        status_ =
            absl::InvalidArgumentError(absl::StrCat("line ", line_, ": record longer than 1 MiB"));
      }
      continue;
    }
    if (!finished_ || ended_) return false;
    // The end of the input ends the last record, if it has begun.
    ended_ = true;
    if (state_ == State::kQuoted) {
      status_ = absl::InvalidArgumentError(
          absl::StrCat("line ", line_, ": quoted field not closed at end of file"));
      return false;
    }
    if (record_bytes_ == 0) return false;
    EndField();
    if (!status_.ok()) return false;
    return Emit(fields, line);
  }
  return false;
}

std::string CsvField(absl::string_view value) {
  if (value.find_first_of(",\"\r\n") == absl::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvSafeField(absl::string_view value) {
  if (!value.empty() && IsFormulaStart(value[0])) return CsvField(absl::StrCat("'", value));
  return CsvField(value);
}

std::string UnguardedCell(absl::string_view cell) {
  cell = absl::StripAsciiWhitespace(cell);
  if (cell.size() >= 2 && cell[0] == '\'' && IsFormulaStart(cell[1])) {
    cell = absl::StripAsciiWhitespace(cell.substr(1));
  }
  return std::string(cell);
}

}  // namespace maillage::csv
