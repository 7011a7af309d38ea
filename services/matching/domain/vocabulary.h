// services/matching/domain/vocabulary: the shared words members declare their offers and
// needs in: competency domains and tags with French and English labels, synonyms, and the
// NACE divisions whose companies typically provide them. Shipped as a data file
// (services/matching/data/competencies.csv); a network adds its own tags. Pure, no I/O.
//
// The file is CSV with this header; domains first, a tag's code is "<domain>.<tag>":
//   kind,code,label_fr,label_en,synonyms_fr,synonyms_en,nace_divisions
//   domain,building,Bâtiment et rénovation énergétique,Building and energy renovation,,,
//   tag,building.heat_pumps,Pompes à chaleur,Heat pumps,PAC|pompe à chaleur air-eau,heat pump,43
//
//   absl::StatusOr<Vocabulary> v = Vocabulary::Parse(file_text);
//   // INVALID_ARGUMENT "line 12: code: domain \"bulding\" is not declared above"
//   std::optional<TagId> heat = v->Find("building.heat_pumps");
//   std::vector<TagId> named = v->Mentioned(Terms("installation de pompes à chaleur"));
#ifndef MAILLAGE_SERVICES_MATCHING_DOMAIN_VOCABULARY_H_
#define MAILLAGE_SERVICES_MATCHING_DOMAIN_VOCABULARY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace maillage::matching {

// Bounds of a vocabulary file, and of what a network adds.
inline constexpr int kMaxTags = 5000;
inline constexpr int kMaxSynonyms = 10;        // per language
inline constexpr size_t kMaxLabelChars = 120;  // a label or a synonym
inline constexpr int kMaxNaceDivisions = 8;

using TagId = uint16_t;  // a tag's position in the vocabulary

struct CompetencyDomain {
  std::string code;  // "building"
  std::string label_fr;
  std::string label_en;
};

struct Competency {
  std::string code = {};    // "building.heat_pumps"
  std::string domain = {};  // "building"
  std::string label_fr = {};
  std::string label_en = {};
  std::vector<std::string> synonyms_fr = {};
  std::vector<std::string> synonyms_en = {};
  std::vector<int> nace_divisions = {};  // 1..99
  bool network_tag = false;              // added by a network rather than shipped
};

class Vocabulary {
 public:
  // The vocabulary of a file (format above). INVALID_ARGUMENT naming the line and the field
  // of the first problem: a missing column, an unknown kind, a malformed or repeated code, a
  // tag of an undeclared domain, an empty or too long label, too many synonyms, a NACE
  // division outside 01..99, more than kMaxTags tags.
  static absl::StatusOr<Vocabulary> Parse(absl::string_view csv);

  // Adds a network's own tag (its code "<domain>.<tag>", the domain known). INVALID_ARGUMENT
  // naming the field, ALREADY_EXISTS for a code taken.
  absl::StatusOr<TagId> Add(Competency tag);

  // A well-formed code: lower-case ASCII letters, digits and '_', starting with a letter,
  // "<domain>" (1 to 32) or "<domain>.<tag>" (tag 1 to 40).
  static bool ValidDomainCode(absl::string_view code);
  static bool ValidTagCode(absl::string_view code);

  const std::vector<CompetencyDomain>& domains() const { return domains_; }
  const std::vector<Competency>& tags() const { return tags_; }
  const Competency& tag(TagId id) const { return tags_[id]; }
  std::optional<TagId> Find(absl::string_view code) const;
  bool HasDomain(absl::string_view code) const;

  // The tags one of whose labels or synonyms is wholly among `terms` (text's Terms, the
  // labels read in their language): what a free-text query names. Sorted, each once.
  std::vector<TagId> Mentioned(const std::vector<std::string>& terms) const;

 private:
  void Index(TagId id);

  std::vector<CompetencyDomain> domains_;
  std::vector<Competency> tags_;
  absl::flat_hash_map<std::string, TagId> by_code_;
  // Each label and synonym as its sorted terms, by its first term: what Mentioned matches.
  struct Phrase {
    std::vector<std::string> terms;
    TagId tag;
  };
  absl::flat_hash_map<std::string, std::vector<Phrase>> phrases_;
};

}  // namespace maillage::matching

#endif  // MAILLAGE_SERVICES_MATCHING_DOMAIN_VOCABULARY_H_
