// Reading organisations from CSV: an incremental RFC 4180 reader and the mapping of a row to
// an ImportRow, with every problem reported by line and field. Pure, no I/O.
//
// The file has a header row naming its columns, in any order:
//   siren, legal_name, kind                           required
//   siret, naf_code, headcount_band, website, street, postal_code, city, commune_code,
//   departement_code, region_code, latitude, longitude, description, labels ("|"-separated),
//   visibility, role, contact_first_name, contact_last_name, contact_email, contact_phone,
//   contact_title                                     optional
// Values: kind ∈ company, independent, association, public_body, local_public_company,
// research_training; headcount_band ∈ 0, 1-2, 3-5, 6-9, 10-19, 20-49, 50-249, 250+;
// role ∈ member, animator, board, partner, observer; visibility ∈ network, federation, public.
//
//   CsvReader reader;
//   ImportRowParser parser;
//   reader.Feed(chunk);
//   while (reader.Next(&fields, &line)) { ... parser.Parse(fields, line, &errors) ... }
//   reader.Finish();   // then drain Next() once more for a last line without newline
#ifndef MAILLAGE_SERVICES_MEMBERSHIP_CSV_IMPORT_H_
#define MAILLAGE_SERVICES_MEMBERSHIP_CSV_IMPORT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/csv/csv.h"
#include "services/membership/membership_store.h"

namespace maillage::membership {

using csv::CsvField;
using csv::CsvReader;
using csv::CsvSafeField;
using csv::kMaxCsvFields;
using csv::kMaxCsvRecordBytes;

class ImportRowParser {
 public:
  // Maps column names; INVALID_ARGUMENT naming a missing required or unknown column.
  absl::Status SetHeader(const std::vector<std::string>& header);
  bool has_header() const { return !columns_.empty(); }
  // Whether the rows enrol their organisations in a network: then a role above member
  // (animator, board) is a row error (see IsImportableRole); without a network the role
  // column is not used.
  void set_enrolling(bool enrolling) { enrolling_ = enrolling; }
  // The row, or nullopt with its problems appended to `errors`.
  std::optional<ImportRow> Parse(const std::vector<std::string>& fields, int64_t line,
                                 std::vector<v1::ImportRowError>* errors) const;

 private:
  std::map<std::string, size_t> columns_;
  bool enrolling_ = true;
};

// "company" -> ORGANISATION_KIND_COMPANY, etc.; UNSPECIFIED when unknown.
v1::OrganisationKind ParseOrganisationKind(absl::string_view s);
v1::HeadcountBand ParseHeadcountBand(absl::string_view s);
auth::v1::NetworkRole ParseRole(absl::string_view s);
// The inverse mappings, for export.
std::string OrganisationKindName(v1::OrganisationKind kind);
std::string RoleName(auth::v1::NetworkRole role);

}  // namespace maillage::membership

#endif  // MAILLAGE_SERVICES_MEMBERSHIP_CSV_IMPORT_H_
