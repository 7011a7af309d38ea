#include "services/reporting/domain/sign_in_sheet.h"

#include <algorithm>
#include <array>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/csv/csv.h"

namespace maillage::reporting {
namespace {

// The ASCII letter of a two-byte UTF-8 Latin-1 letter with a diacritic (U+00C0..U+00FF), or
// 0. "é" is C3 A9.
char FoldLatin1(unsigned char second) {
  // U+00C0 + i for i in 0..63, their base letters ('\0' for ×, ÷ and the like).
  static constexpr std::array<char, 64> kBase = {
      'a', 'a', 'a', 'a', 'a', 'a', 'a', 'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i',
      'd', 'n', 'o', 'o', 'o', 'o', 'o', 0,   'o', 'u', 'u', 'u', 'u', 'y', 0,   's',
      'a', 'a', 'a', 'a', 'a', 'a', 'a', 'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i',
      'd', 'n', 'o', 'o', 'o', 'o', 'o', 0,   'o', 'u', 'u', 'u', 'u', 'y', 0,   'y'};
  if (second < 0x80 || second > 0xBF) return 0;
  return kBase[second - 0x80];
}

// Lower-case ASCII letters and digits, accents folded, everything else a separator.
std::vector<std::string> Words(absl::string_view text) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (absl::ascii_isalnum(c)) {
      word.push_back(absl::ascii_tolower(c));
    } else if (c == 0xC3 && i + 1 < text.size()) {
      const char base = FoldLatin1(static_cast<unsigned char>(text[i + 1]));
      if (base != 0) {
        word.push_back(base);
        ++i;
      } else {
        flush();
      }
    } else if (c == 0xC5 && i + 1 < text.size() &&
               (static_cast<unsigned char>(text[i + 1]) == 0x92 ||
                static_cast<unsigned char>(text[i + 1]) == 0x93)) {
      word += "oe";  // Œ œ
      ++i;
    } else {
      flush();
    }
  }
  flush();
  return words;
}

bool IsLegalForm(const std::string& word) {
  static const auto* forms = new absl::flat_hash_set<std::string>{
      "sa", "sas", "sasu", "sarl", "eurl", "sci", "snc", "scop", "scic", "selarl", "ei", "eirl"};
  return forms->contains(word);
}

enum class Column { kOther, kSiren, kId, kName };

Column ColumnOf(absl::string_view header) {
  const std::string key = absl::StrJoin(Words(header), "");
  if (key == "siren") return Column::kSiren;
  if (key == "organisationid" || key == "organizationid" || key == "id") return Column::kId;
  if (key == "name" || key == "nom" || key == "entreprise" || key == "company" ||
      key == "raisonsociale" || key == "societe" || key == "structure") {
    return Column::kName;
  }
  return Column::kOther;
}

std::string Quoted(absl::string_view s) {
  return absl::StrCat("\"", s.substr(0, 80), s.size() > 80 ? "…" : "", "\"");
}

}  // namespace

std::string ComparableName(absl::string_view name) {
  std::vector<std::string> words = Words(name);
  std::vector<std::string> kept;
  for (std::string& w : words) {
    if (!IsLegalForm(w)) kept.push_back(std::move(w));
  }
  // A name that is only a legal form keeps it.
  return kept.empty() ? absl::StrJoin(words, " ") : absl::StrJoin(kept, " ");
}

SheetReading ReadSignInSheet(absl::string_view csv_text, const std::vector<SheetMember>& members) {
  SheetReading out;
  if (csv_text.size() > kMaxSheetBytes) {
    out.status = absl::InvalidArgumentError("sheet: at most 1 MiB");
    return out;
  }
  absl::flat_hash_map<std::string, const SheetMember*> by_siren, by_id;
  absl::flat_hash_map<std::string, std::vector<const SheetMember*>> by_name;
  for (const SheetMember& m : members) {
    if (!m.siren.empty()) by_siren[m.siren] = &m;
    by_id[m.organisation_id] = &m;
    by_name[ComparableName(m.name)].push_back(&m);
  }
  csv::CsvReader reader;
  reader.Feed(csv_text);
  reader.Finish();
  std::vector<std::string> fields;
  int64_t line = 0;
  std::vector<Column> columns;
  size_t dropped = 0;
  auto problem = [&](int64_t at, std::string reason) {
    if (out.problems.size() < kMaxSheetProblems) {
      out.problems.push_back({at, std::move(reason)});
    } else {
      ++dropped;
    }
  };
  absl::flat_hash_set<std::string> seen;
  int64_t rows = 0;
  while (reader.Next(&fields, &line)) {
    if (columns.empty()) {
      bool known = false;
      for (const std::string& f : fields) {
        columns.push_back(ColumnOf(f));
        known = known || columns.back() != Column::kOther;
      }
      if (!known) {
        out.status = absl::InvalidArgumentError(
            "sheet: the first line must name a \"siren\", \"organisation_id\" or \"name\" "
            "column");
        return out;
      }
      continue;
    }
    if (++rows > kMaxSheetLines) {
      out.status = absl::InvalidArgumentError("sheet: at most 10,000 lines");
      return out;
    }
    std::string siren, id, name;
    for (size_t i = 0; i < fields.size() && i < columns.size(); ++i) {
      const std::string value(absl::StripAsciiWhitespace(fields[i]));
      if (columns[i] == Column::kSiren && siren.empty()) siren = value;
      if (columns[i] == Column::kId && id.empty()) id = absl::AsciiStrToLower(value);
      if (columns[i] == Column::kName && name.empty()) name = value;
    }
    // SIRENs are often typed with spaces: "732 829 320".
    siren.erase(std::remove(siren.begin(), siren.end(), ' '), siren.end());
    const SheetMember* member = nullptr;
    if (!siren.empty()) {
      auto it = by_siren.find(siren);
      if (it == by_siren.end()) {
        problem(line, absl::StrCat("no active member with SIREN ", Quoted(siren)));
        continue;
      }
      member = it->second;
    } else if (!id.empty()) {
      auto it = by_id.find(id);
      if (it == by_id.end()) {
        problem(line, absl::StrCat("no active member with id ", Quoted(id)));
        continue;
      }
      member = it->second;
    } else if (!name.empty()) {
      auto it = by_name.find(ComparableName(name));
      if (it == by_name.end()) {
        problem(line, absl::StrCat("no active member named ", Quoted(name)));
        continue;
      }
      if (it->second.size() > 1) {
        problem(line, absl::StrCat(it->second.size(), " active members are named ", Quoted(name),
                                   "; give the SIREN"));
        continue;
      }
      member = it->second.front();
    } else {
      problem(line, "neither a SIREN, an id nor a name");
      continue;
    }
    if (!seen.insert(member->organisation_id).second) continue;  // signed twice
    out.matches.push_back({line, member->organisation_id, member->name});
  }
  if (!reader.status().ok()) {
    out.status = absl::InvalidArgumentError(absl::StrCat("sheet: ", reader.status().message()));
    return out;
  }
  if (columns.empty()) out.status = absl::InvalidArgumentError("sheet: empty");
  if (dropped > 0) out.problems.push_back({0, absl::StrCat(dropped, " more lines like these")});
  return out;
}

}  // namespace maillage::reporting
