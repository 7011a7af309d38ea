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
#include "services/membership/membership_store.h"

namespace maillage::membership {

// Bounds of one CSV record: a header has at most 24 columns, a row a few kilobytes.
inline constexpr size_t kMaxCsvRecordBytes = 1 << 20;
inline constexpr size_t kMaxCsvFields = 200;

// An incremental RFC 4180 reader. It keeps its parse state between Feed calls (a small state
// machine: field start, unquoted, quoted, quote seen, CR seen), so every byte is examined
// once however the input is chunked: feeding a file one byte at a time costs what feeding it
// whole does. Every record, complete or not, is limited to kMaxCsvRecordBytes bytes and
// kMaxCsvFields fields; past either, status() names the record's line and Next() stops.
//
//   CsvReader reader;
//   reader.Feed("siren,legal_name\n7328293");
//   reader.Feed("20,\"Dupont, fils\"\n");
//   while (reader.Next(&fields, &line)) ...   // {"siren","legal_name"} @1, then @2
//   reader.Finish();                           // then Next() once more for an unterminated line
//   if (!reader.status().ok()) ...             // "line 2: record longer than 1 MiB"
class CsvReader {
 public:
  // Appends bytes; a chunk may end anywhere, even inside a quoted field.
  void Feed(absl::string_view chunk);
  // No more input will come.
  void Finish() { finished_ = true; }
  // The next complete record and the line it starts on (1-based). False when more input is
  // needed (or, after Finish(), at the end, or after an error). Blank lines are skipped.
  bool Next(std::vector<std::string>* fields, int64_t* line);
  // INVALID_ARGUMENT naming the line if the input ended inside a quoted field, or a record
  // is over kMaxCsvRecordBytes or has more than kMaxCsvFields fields.
  absl::Status status() const { return status_; }
  // Bytes buffered and not yet returned (the record being read and the unread input).
  size_t buffered() const { return buffer_.size() - scan_ + record_bytes_; }

 private:
  enum class State { kFieldStart, kUnquoted, kQuoted, kQuoteSeen, kCrSeen };
  // Consumes one byte; true when it ended a record.
  bool Step(char c);
  void EndField();
  // Hands the record out, or skips it when blank; true when handed out.
  bool Emit(std::vector<std::string>* fields, int64_t* line);

  std::string buffer_;  // input not yet examined starts at scan_
  size_t scan_ = 0;
  State state_ = State::kFieldStart;
  std::string field_;
  std::vector<std::string> record_;
  size_t record_bytes_ = 0;         // bytes of the current record examined so far
  int64_t newlines_in_record_ = 0;  // inside quoted fields
  int64_t line_ = 1;                // where the current record starts
  bool finished_ = false;
  bool ended_ = false;
  absl::Status status_;
};

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

// RFC 4180 quoting of one field.
std::string CsvField(absl::string_view value);
// CsvField, with a quote put before a leading =, +, -, @, tab or CR so that a spreadsheet
// shows the cell as text instead of running it as a formula (OWASP, CSV injection):
//   CsvSafeField("=HYPERLINK(\"http://x\")")  ->  "\"'=HYPERLINK(\"\"http://x\"\")\""
// ImportRowParser drops that one quote again, so an exported value imports as itself.
std::string CsvSafeField(absl::string_view value);

}  // namespace maillage::membership

#endif  // MAILLAGE_SERVICES_MEMBERSHIP_CSV_IMPORT_H_
