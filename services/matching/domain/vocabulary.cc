#include "services/matching/domain/vocabulary.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/csv/csv.h"
#include "services/matching/domain/text.h"

namespace maillage::matching {
namespace {

constexpr const char* kColumns[] = {"kind",        "code",        "label_fr",      "label_en",
                                    "synonyms_fr", "synonyms_en", "nace_divisions"};
constexpr size_t kColumnCount = std::size(kColumns);

bool ValidPart(absl::string_view part, size_t max) {
  if (part.empty() || part.size() > max || part[0] < 'a' || part[0] > 'z') return false;
  for (char c : part) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

size_t CodePoints(absl::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// A label or synonym: not blank, at most kMaxLabelChars characters, no control character.
std::optional<std::string> LabelProblem(absl::string_view label) {
  if (label.find_first_not_of(" \t") == absl::string_view::npos) return "required";
  if (CodePoints(label) > kMaxLabelChars) {
    return absl::StrCat("at most ", kMaxLabelChars, " characters");
  }
  for (char c : label) {
    if (static_cast<unsigned char>(c) < 0x20) return "control characters are not allowed";
  }
  return std::nullopt;
}

absl::Status FieldError(int64_t line, absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", field, ": ", problem));
}

absl::StatusOr<std::vector<std::string>> Synonyms(absl::string_view cell) {
  std::vector<std::string> out;
  if (cell.empty()) return out;
  for (absl::string_view s : absl::StrSplit(cell, '|')) {
    if (auto p = LabelProblem(s)) return absl::InvalidArgumentError(*p);
    out.emplace_back(s);
  }
  if (out.size() > static_cast<size_t>(kMaxSynonyms)) {
    return absl::InvalidArgumentError(absl::StrCat("at most ", kMaxSynonyms, " synonyms"));
  }
  return out;
}

absl::StatusOr<std::vector<int>> Divisions(absl::string_view cell) {
  std::vector<int> out;
  if (cell.empty()) return out;
  for (absl::string_view s : absl::StrSplit(cell, '|')) {
    int d = 0;
    if (s.size() != 2 || !absl::SimpleAtoi(s, &d) || d < 1 || d > 99) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", s.substr(0, 8), "\" is not a NACE division (two digits, 01 to 99)"));
    }
    if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  }
  if (out.size() > static_cast<size_t>(kMaxNaceDivisions)) {
    return absl::InvalidArgumentError(absl::StrCat("at most ", kMaxNaceDivisions, " divisions"));
  }
  return out;
}

// A tag's fields other than its code and domain, whoever gives them.
absl::Status ValidateTag(const Competency& tag) {
  for (auto [field, label] : {std::pair<const char*, const std::string*>{"label_fr", &tag.label_fr},
                              {"label_en", &tag.label_en}}) {
    if (auto p = LabelProblem(*label))
      return absl::InvalidArgumentError(absl::StrCat(field, ": ", *p));
  }
  for (auto [field, list] :
       {std::pair<const char*, const std::vector<std::string>*>{"synonyms_fr", &tag.synonyms_fr},
        {"synonyms_en", &tag.synonyms_en}}) {
    if (list->size() > static_cast<size_t>(kMaxSynonyms)) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": at most ", kMaxSynonyms));
    }
    for (const std::string& s : *list) {
      if (auto p = LabelProblem(s))
        return absl::InvalidArgumentError(absl::StrCat(field, ": ", *p));
    }
  }
  if (tag.nace_divisions.size() > static_cast<size_t>(kMaxNaceDivisions)) {
    return absl::InvalidArgumentError(absl::StrCat("nace_divisions: at most ", kMaxNaceDivisions));
  }
  for (int d : tag.nace_divisions) {
    if (d < 1 || d > 99) return absl::InvalidArgumentError("nace_divisions: 01 to 99");
  }
  return absl::OkStatus();
}

}  // namespace

bool Vocabulary::ValidDomainCode(absl::string_view code) { return ValidPart(code, 32); }

bool Vocabulary::ValidTagCode(absl::string_view code) {
  const size_t dot = code.find('.');
  return dot != absl::string_view::npos && ValidPart(code.substr(0, dot), 32) &&
         ValidPart(code.substr(dot + 1), 40);
}

absl::StatusOr<Vocabulary> Vocabulary::Parse(absl::string_view csv_text) {
  csv::CsvReader reader;
  reader.Feed(csv_text);
  reader.Finish();
  std::vector<std::string> fields;
  int64_t line = 0;
  if (!reader.Next(&fields, &line)) {
    if (!reader.status().ok()) return reader.status();
    return absl::InvalidArgumentError("empty vocabulary: expected a header line");
  }
  size_t column[kColumnCount];
  for (size_t c = 0; c < kColumnCount; ++c) {
    auto it = std::find(fields.begin(), fields.end(), kColumns[c]);
    if (it == fields.end()) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line, ": no column ", kColumns[c]));
    }
    column[c] = static_cast<size_t>(it - fields.begin());
  }
  const size_t width = fields.size();
  Vocabulary v;
  absl::flat_hash_set<std::string> domains;
  while (reader.Next(&fields, &line)) {
    if (fields.size() != width) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line, ": ", fields.size(), " fields, the header has ", width));
    }
    auto cell = [&](size_t c) -> const std::string& { return fields[column[c]]; };
    const std::string& kind = cell(0);
    const std::string& code = cell(1);
    if (kind == "domain") {
      if (!ValidDomainCode(code)) {
        return FieldError(line, "code", "a domain is lower-case letters, digits and _ (1 to 32)");
      }
      if (!domains.insert(code).second) return FieldError(line, "code", "declared twice");
      for (size_t c : {2u, 3u}) {
        if (auto p = LabelProblem(cell(c))) return FieldError(line, kColumns[c], *p);
      }
      v.domains_.push_back({code, cell(2), cell(3)});
      continue;
    }
    if (kind != "tag") return FieldError(line, "kind", "domain or tag");
    if (!ValidTagCode(code)) {
      return FieldError(line, "code",
                        "a tag is <domain>.<tag>: lower-case letters, digits and _, starting "
                        "with a letter");
    }
    Competency tag;
    tag.code = code;
    tag.domain = code.substr(0, code.find('.'));
    if (!domains.contains(tag.domain)) {
      return FieldError(line, "code",
                        absl::StrCat("domain \"", tag.domain, "\" is not declared above"));
    }
    tag.label_fr = cell(2);
    tag.label_en = cell(3);
    for (size_t c : {4u, 5u}) {
      absl::StatusOr<std::vector<std::string>> s = Synonyms(cell(c));
      if (!s.ok()) return FieldError(line, kColumns[c], s.status().message());
      (c == 4 ? tag.synonyms_fr : tag.synonyms_en) = *std::move(s);
    }
    absl::StatusOr<std::vector<int>> divisions = Divisions(cell(6));
    if (!divisions.ok()) return FieldError(line, "nace_divisions", divisions.status().message());
    tag.nace_divisions = *std::move(divisions);
    absl::StatusOr<TagId> added = v.Add(std::move(tag));
    if (!added.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line, ": ", added.status().message()));
    }
  }
  if (!reader.status().ok()) return reader.status();
  if (v.tags_.empty()) return absl::InvalidArgumentError("the vocabulary has no tag");
  return v;
}

absl::StatusOr<TagId> Vocabulary::Add(Competency tag) {
  if (!ValidTagCode(tag.code))
    return absl::InvalidArgumentError("code: <domain>.<tag>, lower-case");
  tag.domain = tag.code.substr(0, tag.code.find('.'));
  if (!HasDomain(tag.domain)) {
    return absl::InvalidArgumentError(absl::StrCat("code: no domain \"", tag.domain, "\""));
  }
  if (absl::Status s = ValidateTag(tag); !s.ok()) return s;
  if (by_code_.contains(tag.code)) return absl::AlreadyExistsError("code: taken");
  if (tags_.size() >= static_cast<size_t>(kMaxTags)) {
    return absl::ResourceExhaustedError(absl::StrCat("at most ", kMaxTags, " tags"));
  }
  const TagId id = static_cast<TagId>(tags_.size());
  by_code_[tag.code] = id;
  tags_.push_back(std::move(tag));
  Index(id);
  return id;
}

void Vocabulary::Index(TagId id) {
  const Competency& tag = tags_[id];
  auto add = [&](const std::string& phrase, Language language) {
    std::vector<std::string> terms = Terms(phrase, language);
    if (terms.empty()) return;
    std::sort(terms.begin(), terms.end());
    terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
    std::string first = terms[0];
    phrases_[first].push_back({std::move(terms), id});
  };
  add(tag.label_fr, Language::kFrench);
  add(tag.label_en, Language::kEnglish);
  for (const std::string& s : tag.synonyms_fr) add(s, Language::kFrench);
  for (const std::string& s : tag.synonyms_en) add(s, Language::kEnglish);
}

std::optional<TagId> Vocabulary::Find(absl::string_view code) const {
  auto it = by_code_.find(code);
  if (it == by_code_.end()) return std::nullopt;
  return it->second;
}

bool Vocabulary::HasDomain(absl::string_view code) const {
  return std::any_of(domains_.begin(), domains_.end(),
                     [&](const CompetencyDomain& d) { return d.code == code; });
}

std::vector<TagId> Vocabulary::Mentioned(const std::vector<std::string>& terms) const {
  absl::flat_hash_set<absl::string_view> present(terms.begin(), terms.end());
  std::vector<TagId> out;
  for (absl::string_view t : present) {
    auto it = phrases_.find(t);
    if (it == phrases_.end()) continue;
    for (const Phrase& p : it->second) {
      if (std::all_of(p.terms.begin(), p.terms.end(),
                      [&](const std::string& w) { return present.contains(w); })) {
        out.push_back(p.tag);
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace maillage::matching
