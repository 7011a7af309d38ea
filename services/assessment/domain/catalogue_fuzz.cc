// libFuzzer target: the support-function catalogue parser (catalogue.h). Any input either
// parses into functions that each pass ValidateFunction against the codes before them, with
// distinct codes, or is refused with a message naming a line or a column; nothing crashes.
//
//   build-fuzz/services/assessment/catalogue_fuzz fuzz/corpus/catalogue_fuzz -max_total_time=20
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

#include "absl/strings/match.h"
#include "services/assessment/domain/catalogue.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using maillage::assessment::ParseCatalogue;
  const std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::vector<maillage::assessment::v1::SupportFunction>> f = ParseCatalogue(text);
  if (!f.ok()) {
    const std::string m(f.status().message());
    if (!absl::StrContains(m, "line") && !absl::StrContains(m, "empty")) {
      std::cerr << "refusal without a line: " << m << "\n";
      std::abort();
    }
    return 0;
  }
  absl::flat_hash_set<std::string> known;
  for (const auto& function : *f) {
    if (!maillage::assessment::ValidateFunction(function, known).ok() ||
        !known.insert(function.code()).second) {
      std::cerr << "accepted a function it should refuse: " << function.code() << "\n";
      std::abort();
    }
  }
  return 0;
}
