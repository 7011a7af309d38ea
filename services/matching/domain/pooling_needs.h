// services/matching/domain/pooling_needs: what a pooling decision of the assessment service
// becomes here. When a network decides to pool a support function (recruitment, payroll,
// IT support...), each participant needs it as a pooling need, tagged with the competencies
// that provide that function, so that the members who offer them are suggested.
//
// The mapping is a data file, data/function_competencies.csv:
//
//   function_code,label_fr,competencies
//   hr_admin.payroll,Paie,business_services.payroll
//   it_infrastructure,Infrastructure informatique,digital.it_support|digital.managed_services
//
//   absl::StatusOr<FunctionCompetencies> map = ParseFunctionCompetencies(csv, vocabulary);
//   const FunctionCompetencies::Entry* e = map->Find("hr_admin.payroll");  // tags, label
#ifndef MAILLAGE_SERVICES_MATCHING_DOMAIN_POOLING_NEEDS_H_
#define MAILLAGE_SERVICES_MATCHING_DOMAIN_POOLING_NEEDS_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/matching/domain/vocabulary.h"

namespace maillage::matching {

class FunctionCompetencies {
 public:
  struct Entry {
    std::string label_fr;
    std::vector<std::string> competencies;  // codes of the vocabulary
  };
  // nullptr for a function the file does not map.
  const Entry* Find(absl::string_view function_code) const;
  size_t size() const { return entries_.size(); }

 private:
  friend absl::StatusOr<FunctionCompetencies> ParseFunctionCompetencies(absl::string_view,
                                                                        const Vocabulary&);
  absl::flat_hash_map<std::string, Entry> entries_;
};

// INVALID_ARGUMENT naming the line of the first problem: a wrong header or column count, an
// empty code or label, a code given twice, a competency the vocabulary does not have.
absl::StatusOr<FunctionCompetencies> ParseFunctionCompetencies(absl::string_view csv,
                                                               const Vocabulary& vocabulary);

}  // namespace maillage::matching

#endif  // MAILLAGE_SERVICES_MATCHING_DOMAIN_POOLING_NEEDS_H_
