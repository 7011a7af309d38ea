#include "services/matching/domain/pooling_needs.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace maillage::matching {

const FunctionCompetencies::Entry* FunctionCompetencies::Find(
    absl::string_view function_code) const {
  auto it = entries_.find(function_code);
  return it == entries_.end() ? nullptr : &it->second;
}

absl::StatusOr<FunctionCompetencies> ParseFunctionCompetencies(absl::string_view csv,
                                                               const Vocabulary& vocabulary) {
  FunctionCompetencies out;
  int line = 0;
  for (absl::string_view row : absl::StrSplit(csv, '\n')) {
    ++line;
    row = absl::StripTrailingAsciiWhitespace(row);  // CRLF too
    if (line == 1) {
      if (row != "function_code,label_fr,competencies") {
        return absl::InvalidArgumentError(
            "line 1: the header must be function_code,label_fr,competencies");
      }
      continue;
    }
    if (row.empty()) continue;
    std::vector<absl::string_view> fields = absl::StrSplit(row, ',');
    if (fields.size() != 3) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line, ": 3 fields expected"));
    }
    if (fields[0].empty() || fields[1].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line, ": function_code and label_fr are required"));
    }
    FunctionCompetencies::Entry entry{.label_fr = std::string(fields[1]), .competencies = {}};
    for (absl::string_view code : absl::StrSplit(fields[2], '|', absl::SkipEmpty())) {
      if (!vocabulary.Find(code).has_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line, ": competencies: ", code, " is not in the vocabulary"));
      }
      entry.competencies.emplace_back(code);
    }
    if (entry.competencies.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line, ": competencies: at least one"));
    }
    if (!out.entries_.emplace(std::string(fields[0]), std::move(entry)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line, ": function_code ", fields[0], " is given twice"));
    }
  }
  if (line == 0 || out.entries_.empty()) {
    return absl::InvalidArgumentError("no function is mapped");
  }
  return out;
}

}  // namespace maillage::matching
