// libFuzzer target: the CSV import's reader and row parser (csv_import.h), through their
// public API only.
//
// The input is a CSV file followed by a chunking plan (FuzzedDataProvider takes the plan
// from the end). The file is read twice, once in one Feed() and once in the planned chunks
// with Next() drained after each; both reads must give the same records, lines and status,
// as a chunk may end anywhere. The first record is then the header and every later one a
// row: ImportRowParser::Parse must refuse a row exactly when it reports a problem on the
// row's line, and a row it accepts must pass the API's validation.
//
//   build-fuzz/services/membership/csv_import_fuzz fuzz/corpus/csv_import_fuzz -max_total_time=20
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "services/membership/csv_import.h"
#include "services/membership/membership_validation.h"

namespace {

using ::maillage::membership::CsvReader;
using ::maillage::membership::ImportRow;
using ::maillage::membership::ImportRowParser;
using ::maillage::membership::Purpose;
using ::maillage::membership::ValidateOrganisation;

struct Record {
  std::vector<std::string> fields;
  int64_t line = 0;
  bool operator==(const Record&) const = default;
};

void Fail(const std::string& what) {
  std::cerr << "csv_import_fuzz: " << what << "\n";
  std::abort();
}

void Drain(CsvReader& reader, std::vector<Record>* out) {
  Record r;
  while (reader.Next(&r.fields, &r.line)) {
    if (r.line < 1 || (!out->empty() && r.line <= out->back().line)) Fail("lines out of order");
    out->push_back(r);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  std::vector<size_t> plan(fdp.ConsumeIntegralInRange<size_t>(0, 16));
  for (size_t& len : plan) len = fdp.ConsumeIntegralInRange<size_t>(0, 64);
  const std::string csv = fdp.ConsumeRemainingBytesAsString();

  std::vector<Record> whole;
  CsvReader one;
  one.Feed(csv);
  one.Finish();
  Drain(one, &whole);

  std::vector<Record> chunked;
  CsvReader many;
  size_t pos = 0;
  for (size_t len : plan) {
    many.Feed(absl::string_view(csv).substr(pos, len));
    pos = std::min(csv.size(), pos + len);
    Drain(many, &chunked);
  }
  many.Feed(absl::string_view(csv).substr(pos));
  Drain(many, &chunked);
  many.Finish();
  Drain(many, &chunked);

  if (chunked != whole) Fail("records depend on where the chunks end");
  if (many.status().code() != one.status().code()) Fail("status depends on the chunks");
  if (!one.status().ok() && one.status().code() != absl::StatusCode::kInvalidArgument) {
    Fail(one.status().ToString());
  }

  if (whole.empty()) return 0;
  ImportRowParser parser;
  if (!parser.SetHeader(whole[0].fields).ok()) return 0;
  for (size_t i = 1; i < whole.size(); ++i) {
    std::vector<maillage::membership::v1::ImportRowError> errors;
    std::optional<ImportRow> row = parser.Parse(whole[i].fields, whole[i].line, &errors);
    if (row.has_value() != errors.empty()) Fail("a row refused without a reason, or the reverse");
    for (const auto& e : errors) {
      if (e.line() != whole[i].line) Fail("an error on another line than its row's");
    }
    if (row.has_value()) {
      if (row->line != whole[i].line) Fail("row line");
      absl::Status s = ValidateOrganisation(row->organisation, "", Purpose::kCreate);
      if (!s.ok()) Fail("an accepted row fails validation: " + s.ToString());
    }
  }
  return 0;
}
