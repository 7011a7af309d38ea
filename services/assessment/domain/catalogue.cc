#include "services/assessment/domain/catalogue.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/csv/csv.h"
#include "common/validation/validation.h"

namespace maillage::assessment {
namespace {

// One part of a code: a lower-case letter, then up to 31 of [a-z0-9_].
bool ValidCodePart(absl::string_view part) {
  if (part.empty() || part.size() > 32 ||
      !absl::ascii_islower(static_cast<unsigned char>(part[0]))) {
    return false;
  }
  for (char c : part) {
    if (!absl::ascii_islower(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return true;
}

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

}  // namespace

v1::FunctionNature ParseNature(absl::string_view name) {
  if (name == "staff") return v1::FUNCTION_NATURE_STAFF;
  if (name == "purchase") return v1::FUNCTION_NATURE_PURCHASE;
  if (name == "service") return v1::FUNCTION_NATURE_SERVICE;
  return v1::FUNCTION_NATURE_UNSPECIFIED;
}

absl::Status ValidateFunction(const v1::SupportFunction& f,
                              const absl::flat_hash_set<std::string>& known) {
  std::vector<absl::string_view> parts = absl::StrSplit(f.code(), '.');
  if (f.code().empty()) return Invalid("code", "required");
  if (parts.size() > 2 || !ValidCodePart(parts[0]) ||
      (parts.size() == 2 && !ValidCodePart(parts[1]))) {
    return Invalid("code",
                   "lower-case letters, digits and _, starting with a letter; \"function\" or "
                   "\"function.sub_function\"");
  }
  if (parts.size() == 1 && !f.parent_code().empty()) {
    return Invalid("parent_code", "a top-level code (no dot) has no parent");
  }
  if (parts.size() == 2) {
    if (f.parent_code() != parts[0]) {
      return Invalid("parent_code",
                     absl::StrCat("must be \"", parts[0], "\", the part before the dot"));
    }
    if (!known.contains(f.parent_code())) {
      return Invalid("parent_code",
                     absl::StrCat("\"", f.parent_code(), "\" is not a known function"));
    }
  }
  if (f.nature() == v1::FUNCTION_NATURE_UNSPECIFIED || !v1::FunctionNature_IsValid(f.nature())) {
    return Invalid("nature", "must be staff, purchase or service");
  }
  if (auto p = TextProblem(f.label_fr(), kMaxLabelCharacters, true)) return Invalid("label_fr", *p);
  if (auto p = TextProblem(f.label_en(), kMaxLabelCharacters, true)) return Invalid("label_en", *p);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::SupportFunction>> ParseCatalogue(absl::string_view text) {
  csv::CsvReader reader;
  reader.Feed(text);
  reader.Finish();
  std::vector<std::string> fields;
  int64_t line = 0;
  std::map<std::string, size_t> columns;
  std::vector<v1::SupportFunction> out;
  absl::flat_hash_set<std::string> codes;
  const char* const kColumns[] = {"code", "parent_code", "nature", "label_fr", "label_en"};
  while (reader.Next(&fields, &line)) {
    if (columns.empty()) {
      for (size_t i = 0; i < fields.size(); ++i) {
        columns[std::string(absl::StripAsciiWhitespace(fields[i]))] = i;
      }
      for (const char* c : kColumns) {
        if (!columns.contains(c)) {
          return absl::InvalidArgumentError(
              absl::StrCat("line ", line, ": column ", c, " is missing"));
        }
      }
      continue;
    }
    if (static_cast<int>(out.size()) >= kMaxCatalogueFunctions) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line, ": more than ", kMaxCatalogueFunctions, " functions"));
    }
    auto cell = [&](const char* name) {
      size_t i = columns[name];
      return i < fields.size() ? std::string(absl::StripAsciiWhitespace(fields[i])) : std::string();
    };
    v1::SupportFunction f;
    f.set_code(cell("code"));
    f.set_parent_code(cell("parent_code"));
    f.set_nature(ParseNature(cell("nature")));
    f.set_label_fr(cell("label_fr"));
    f.set_label_en(cell("label_en"));
    if (absl::Status s = ValidateFunction(f, codes); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", s.message()));
    }
    if (!codes.insert(f.code()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line, ": code: \"", f.code(), "\" appears twice"));
    }
    out.push_back(std::move(f));
  }
  if (!reader.status().ok()) return reader.status();
  if (columns.empty()) return absl::InvalidArgumentError("the catalogue is empty");
  return out;
}

}  // namespace maillage::assessment
