// services/assessment/domain/catalogue: the support functions a company rates: the default
// catalogue shipped as a data file (services/assessment/data/support_functions.csv), and the
// functions a network adds. Pure functions, no I/O.
//
// The file is CSV with a header naming its columns (any order):
//   code,parent_code,nature,label_fr,label_en
//   recruitment,,staff,Recrutement,Recruitment
//   it,,service,Informatique,IT
//   it.cybersecurity,it,service,Cybersécurité,Cybersecurity
//
//   absl::StatusOr<std::vector<v1::SupportFunction>> functions = ParseCatalogue(file_text);
//   // INVALID_ARGUMENT "line 4: parent_code: \"itt\" is not a known function"
#ifndef MAILLAGE_SERVICES_ASSESSMENT_DOMAIN_CATALOGUE_H_
#define MAILLAGE_SERVICES_ASSESSMENT_DOMAIN_CATALOGUE_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "maillage/assessment/v1/assessment.pb.h"

namespace maillage::assessment {

// At most this many functions in a file or a network's own list.
inline constexpr int kMaxCatalogueFunctions = 500;
inline constexpr size_t kMaxLabelCharacters = 120;

// One function, as a network adds it or the file gives it: code "a" or "a.b" (lower-case
// letters, digits and _, each part 1 to 32, starting with a letter), parent_code the part
// before the dot and one of `known` top-level codes (empty for a top-level function), a
// nature, and both labels (1 to 120 characters). INVALID_ARGUMENT naming the field.
absl::Status ValidateFunction(const v1::SupportFunction& function,
                              const absl::flat_hash_set<std::string>& known);

// The functions of a catalogue file, in file order; each code once. INVALID_ARGUMENT naming
// the line and the field of the first problem (or a missing column, or more than
// kMaxCatalogueFunctions rows).
absl::StatusOr<std::vector<v1::SupportFunction>> ParseCatalogue(absl::string_view csv);

// "staff" -> FUNCTION_NATURE_STAFF, "purchase", "service"; UNSPECIFIED otherwise.
v1::FunctionNature ParseNature(absl::string_view name);

}  // namespace maillage::assessment

#endif  // MAILLAGE_SERVICES_ASSESSMENT_DOMAIN_CATALOGUE_H_
