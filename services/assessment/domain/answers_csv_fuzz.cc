// libFuzzer target: the answers CSV reader (answers_csv.h). Any input is read without a
// crash; what it accepts is well-formed (canonical organisation ids, both levels set, known
// levels, figures in range, no company and function twice), it reports at most
// kMaxCsvProblems problems plus one summary, and an accepted file exported again reads back
// as the same answers.
//
//   build-fuzz/services/assessment/answers_csv_fuzz fuzz/corpus/answers_csv_fuzz -max_total_time=20
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <set>
#include <string>

#include "services/assessment/domain/answers_csv.h"

namespace {

void Fail(const std::string& why) {
  std::cerr << why << "\n";
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace maillage::assessment;  // NOLINT: a fuzz target's own scope
  const std::string text(reinterpret_cast<const char*>(data), size);
  ParsedAnswers parsed = ParseAnswersCsv(text);
  if (parsed.problems.size() > kMaxCsvProblems + 1) Fail("too many problems reported");
  if (parsed.answered_rows > parsed.rows) Fail("more answered rows than rows");
  std::set<std::pair<std::string, std::string>> seen;
  std::string again = AnswersCsvHeader();
  for (const auto& [org, answers] : parsed.by_organisation) {
    if (org.size() != 36) Fail("an organisation id that is not a UUID: " + org);
    for (char c : org) {
      if (c >= 'A' && c <= 'Z') Fail("an organisation id not in lower case: " + org);
    }
    for (const v1::FunctionAnswer& a : answers) {
      if (a.efficiency() < v1::LEVEL_LOW || a.efficiency() > v1::LEVEL_HIGH ||
          a.importance() < v1::LEVEL_LOW || a.importance() > v1::LEVEL_HIGH) {
        Fail("an accepted answer without both levels");
      }
      if (a.yearly_cost_eur() < 0 || a.staff_days_per_year() < 0) Fail("a negative figure");
      if (!seen.insert({org, a.function_code()}).second) Fail("a company's function twice");
      again += AnswersCsvRow({.organisation_id = org,
                              .organisation_name = "x",
                              .state = v1::ASSESSMENT_STATE_SUBMITTED,
                              .revision = 1,
                              .function_code = a.function_code(),
                              .function_label = "",
                              .answer = &a});
    }
  }
  // Only files read without a problem promise a faithful round trip.
  if (!parsed.problems.empty()) return 0;
  ParsedAnswers back = ParseAnswersCsv(again);
  if (!back.problems.empty()) Fail("an export of accepted answers does not read back");
  if (back.by_organisation.size() != parsed.by_organisation.size()) Fail("companies lost");
  for (size_t i = 0; i < back.by_organisation.size(); ++i) {
    const auto& a = parsed.by_organisation[i].second;
    const auto& b = back.by_organisation[i].second;
    if (a.size() != b.size()) Fail("answers lost in the round trip");
    for (size_t j = 0; j < a.size(); ++j) {
      if (a[j].SerializeAsString() != b[j].SerializeAsString()) {
        Fail("an answer changed in the round trip: " + a[j].ShortDebugString() + " / " +
             b[j].ShortDebugString());
      }
    }
  }
  return 0;
}
