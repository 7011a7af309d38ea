#include "services/assessment/domain/answers_csv.h"

#include <map>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/csv/csv.h"
#include "common/validation/validation.h"
#include "services/assessment/domain/matrix.h"

namespace maillage::assessment {
namespace {

constexpr size_t kMaxComment = 2000;
constexpr int64_t kMaxYearlyCost = 1000000000;
constexpr int kMaxStaffDays = 100000;

const char* const kColumns[] = {"organisation_id",
                                "organisation_name",
                                "status",
                                "revision",
                                "function_code",
                                "function_label",
                                "efficiency",
                                "importance",
                                "disposition",
                                "yearly_cost_eur",
                                "staff_days_per_year",
                                "willing_to_pool",
                                "agrees_to_be_named",
                                "comment"};
const char* const kRequired[] = {"organisation_id", "function_code", "efficiency", "importance"};

// The matrix's word for a level; an empty cell when it is not given.
std::string LevelWord(v1::Level l) {
  return l == v1::LEVEL_UNSPECIFIED ? std::string() : LevelName(l);
}

std::string StateWord(v1::AssessmentState s) {
  switch (s) {
    case v1::ASSESSMENT_STATE_SUBMITTED:
      return "submitted";
    case v1::ASSESSMENT_STATE_DRAFT:
      return "draft";
    default:
      return "not_started";
  }
}

std::string DispositionWord(v1::Disposition d) {
  if (d == v1::DISPOSITION_UNSPECIFIED) return "";
  return absl::AsciiStrToLower(v1::Disposition_Name(d).substr(sizeof("DISPOSITION_") - 1));
}

// Accents are compared on the UTF-8 bytes of the words the file may use.
std::optional<v1::Level> ParseLevel(absl::string_view cell) {
  const std::string w = absl::AsciiStrToLower(cell);
  if (w == "low" || w == "faible" || w == "1") return v1::LEVEL_LOW;
  if (w == "medium" || w == "moyen" || w == "moyenne" || w == "2") return v1::LEVEL_MEDIUM;
  if (w == "high" || w == "fort" || w == "forte" || w == "\xc3\xa9lev\xc3\xa9" ||
      w == "\xc3\xa9lev\xc3\xa9"
           "e" ||
      w == "eleve" || w == "elevee" || w == "3") {
    return v1::LEVEL_HIGH;
  }
  return std::nullopt;
}

std::optional<bool> ParseBool(absl::string_view cell) {
  const std::string w = absl::AsciiStrToLower(cell);
  if (w.empty() || w == "no" || w == "non" || w == "false" || w == "0") return false;
  if (w == "yes" || w == "oui" || w == "true" || w == "1" || w == "x") return true;
  return std::nullopt;
}

// A UUID in canonical (lower-case) form, or nothing.
std::optional<std::string> ParseId(absl::string_view cell) {
  std::string id = absl::AsciiStrToLower(cell);
  if (id.size() != 36) return std::nullopt;
  for (size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !absl::ascii_isxdigit(static_cast<unsigned char>(id[i]))) {
      return std::nullopt;
    }
  }
  return id;
}

class Problems {
 public:
  explicit Problems(std::vector<AnswersCsvProblem>* out) : out_(out) {}
  void Add(int64_t line, std::string column, std::string message) {
    if (out_->size() < kMaxCsvProblems) {
      out_->push_back({line, std::move(column), std::move(message)});
    } else {
      ++dropped_;
    }
  }
  // Says how many were left out; call once, last.
  void Close() {
    if (dropped_ > 0) out_->push_back({0, "", absl::StrCat("and ", dropped_, " more problems")});
  }

 private:
  std::vector<AnswersCsvProblem>* out_;
  int64_t dropped_ = 0;
};

}  // namespace

std::string AnswersCsvHeader() {
  std::string out;
  for (const char* c : kColumns) absl::StrAppend(&out, out.empty() ? "" : ",", c);
  return out + "\n";
}

std::string AnswersCsvRow(const AnswersCsvExportRow& row) {
  const v1::FunctionAnswer* a = row.answer;
  auto number = [](int64_t v) { return v > 0 ? absl::StrCat(v) : std::string(); };
  auto yes_no = [](bool v) { return std::string(v ? "yes" : "no"); };
  return absl::StrCat(
      csv::CsvSafeField(row.organisation_id), ",", csv::CsvSafeField(row.organisation_name), ",",
      StateWord(row.state), ",", row.revision > 0 ? absl::StrCat(row.revision) : "", ",",
      csv::CsvSafeField(row.function_code), ",", csv::CsvSafeField(row.function_label), ",",
      a ? LevelWord(a->efficiency()) : "", ",", a ? LevelWord(a->importance()) : "", ",",
      a ? DispositionWord(a->disposition()) : "", ",", a ? number(a->yearly_cost_eur()) : "", ",",
      a ? number(a->staff_days_per_year()) : "", ",", a ? yes_no(a->willing_to_pool()) : "", ",",
      a ? yes_no(a->agrees_to_be_named()) : "", ",", a ? csv::CsvSafeField(a->comment()) : "",
      "\n");
}

ParsedAnswers ParseAnswersCsv(absl::string_view text) {
  ParsedAnswers out;
  Problems problems(&out.problems);
  if (absl::StartsWith(text, "\xef\xbb\xbf")) text.remove_prefix(3);
  csv::CsvReader reader;
  reader.Feed(text);
  reader.Finish();
  std::vector<std::string> fields;
  int64_t line = 0;
  std::map<std::string, size_t> columns;
  if (!reader.Next(&fields, &line)) {
    problems.Add(0, "",
                 reader.status().ok() ? "empty file: a header row is required"
                                      : std::string(reader.status().message()));
    return out;
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(fields[i]));
    if (!name.empty()) columns.emplace(name, i);
  }
  bool header_ok = true;
  for (const char* c : kRequired) {
    if (!columns.contains(c)) {
      problems.Add(line, c, "missing column");
      header_ok = false;
    }
  }
  if (!header_ok) return out;
  auto cell = [&](const char* name) -> std::string {
    auto it = columns.find(name);
    if (it == columns.end() || it->second >= fields.size()) return "";
    return csv::UnguardedCell(fields[it->second]);
  };

  std::map<std::string, size_t> organisation_index;
  std::set<std::pair<std::string, std::string>> seen;
  while (reader.Next(&fields, &line)) {
    ++out.rows;
    const std::string org_cell = cell("organisation_id");
    const std::string code = cell("function_code");
    const std::string efficiency_cell = cell("efficiency");
    const std::string importance_cell = cell("importance");
    std::optional<std::string> org = ParseId(org_cell);
    if (!org.has_value()) {
      problems.Add(line, "organisation_id", "not a UUID");
      continue;
    }
    if (code.empty() || code.size() > 65) {
      problems.Add(line, "function_code", "a function code (at most 65 characters)");
      continue;
    }
    if (!seen.insert({*org, code}).second) {
      problems.Add(line, "function_code", "this company's function is given twice");
      continue;
    }
    if (efficiency_cell.empty() && importance_cell.empty()) continue;  // not answered
    bool row_ok = true;
    std::optional<v1::Level> efficiency = ParseLevel(efficiency_cell);
    std::optional<v1::Level> importance = ParseLevel(importance_cell);
    for (auto [name, value, parsed] :
         {std::tuple<const char*, const std::string*, std::optional<v1::Level>*>{
              "efficiency", &efficiency_cell, &efficiency},
          {"importance", &importance_cell, &importance}}) {
      if (!parsed->has_value()) {
        problems.Add(line, name,
                     value->empty() ? "required when the other level is given"
                                    : "not a level (low, medium, high)");
        row_ok = false;
      }
    }
    v1::FunctionAnswer a;
    a.set_function_code(code);
    if (efficiency) a.set_efficiency(*efficiency);
    if (importance) a.set_importance(*importance);
    const std::string cost = cell("yearly_cost_eur");
    int64_t euros = 0;
    if (!cost.empty() && (!absl::SimpleAtoi(cost, &euros) || euros < 0 || euros > kMaxYearlyCost)) {
      problems.Add(line, "yearly_cost_eur", "whole euros, 0 to 1,000,000,000");
      row_ok = false;
    }
    a.set_yearly_cost_eur(euros);
    const std::string days = cell("staff_days_per_year");
    int staff_days = 0;
    if (!days.empty() &&
        (!absl::SimpleAtoi(days, &staff_days) || staff_days < 0 || staff_days > kMaxStaffDays)) {
      problems.Add(line, "staff_days_per_year", "days, 0 to 100,000");
      row_ok = false;
    }
    a.set_staff_days_per_year(staff_days);
    for (const char* name : {"willing_to_pool", "agrees_to_be_named"}) {
      std::optional<bool> b = ParseBool(cell(name));
      if (!b.has_value()) {
        problems.Add(line, name, "yes or no");
        row_ok = false;
      } else if (std::string(name) == "willing_to_pool") {
        a.set_willing_to_pool(*b);
      } else {
        a.set_agrees_to_be_named(*b);
      }
    }
    const std::string comment = cell("comment");
    if (std::optional<std::string> p = TextProblem(comment, kMaxComment, false)) {
      problems.Add(line, "comment", *p);
      row_ok = false;
    }
    a.set_comment(comment);
    if (!row_ok) continue;
    ++out.answered_rows;
    auto [it, added] = organisation_index.emplace(*org, out.by_organisation.size());
    if (added) {
      out.by_organisation.push_back({*org, {}});
      out.lines.emplace_back();
    }
    out.by_organisation[it->second].second.push_back(std::move(a));
    out.lines[it->second].push_back(line);
  }
  if (!reader.status().ok()) problems.Add(0, "", std::string(reader.status().message()));
  problems.Close();
  return out;
}

}  // namespace maillage::assessment
