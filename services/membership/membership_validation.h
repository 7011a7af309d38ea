// Request validation for the membership API: every check names the field it refuses, as
// "field.path: reason", with INVALID_ARGUMENT. Pure functions over the API messages.
//
//   MAILLAGE_RETURN_IF_ERROR(ValidateOrganisation(req.organisation(), "organisation", kCreate));
//   v1::Organisation org = Normalised(req.organisation());
#ifndef MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_VALIDATION_H_
#define MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_VALIDATION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/status/status.h"
#include "common/validation/validation.h"
#include "maillage/membership/v1/membership.pb.h"

namespace maillage::membership {

enum class Purpose { kCreate, kUpdate };

// Limits, in characters (Unicode code points, not bytes).
inline constexpr size_t kMaxNameLength = 200;
inline constexpr size_t kMaxPersonNameLength = 100;
inline constexpr size_t kMaxDescriptionLength = 5000;
inline constexpr size_t kMaxCharterLength = 20000;
inline constexpr size_t kMaxShortTextLength = 2000;
inline constexpr size_t kMaxLabels = 20;
// A representative's role title ("Gérante"), through AddRepresentation or an import's
// contact_title column.
inline constexpr size_t kMaxRoleTitleLength = 100;
inline constexpr size_t kMaxLabelLength = 60;
inline constexpr size_t kMaxEstablishments = 500;
inline constexpr size_t kMaxIdempotencyKeyLength = 128;
inline constexpr int kMaxRequiredSponsors = 10;

// A prefix of a NAF code ("6", "62", "62.0", "62.01", "62.01Z").
bool IsNafPrefix(absl::string_view s);

// ValidateId, ValidateText, IsValidUtf8Text and TextProblem are common/validation's.
absl::Status ValidateIdempotencyKey(absl::string_view key, absl::string_view field);
// A role to hold in a network: any but UNSPECIFIED (which `allow_unspecified` permits, as
// "the default").
absl::Status ValidateRole(int role, absl::string_view field, bool allow_unspecified);

absl::Status ValidateTerritory(const maillage::common::v1::Territory& t, absl::string_view field);
absl::Status ValidateEstablishment(const v1::Establishment& e, absl::string_view siren,
                                   absl::string_view field);
absl::Status ValidateOrganisation(const v1::Organisation& o, absl::string_view field,
                                  Purpose purpose);
absl::Status ValidatePerson(const v1::Person& p, absl::string_view field);

// One refused field: its path ("establishments[0].siret") and why, as in
// google.rpc.BadRequest.FieldViolation (common/status).
using FieldViolation = ::maillage::FieldViolation;

// Every problem of an organisation, a person or a network, one per field at most, in the order the
// Validate* functions above check them (which return the first one):
//
//   std::vector<FieldViolation> v = OrganisationViolations(org, "organisation", kCreate);
//   for (const FieldViolation& f : v) ...   // {"organisation.siren", "must be 9 digits ..."}
std::vector<FieldViolation> OrganisationViolations(const v1::Organisation& o,
                                                   absl::string_view field, Purpose purpose);
std::vector<FieldViolation> PersonViolations(const v1::Person& p, absl::string_view field);
std::vector<FieldViolation> NetworkViolations(const v1::Network& n, absl::string_view field,
                                              Purpose purpose);
// A role title: optional text of at most kMaxRoleTitleLength characters.
std::vector<FieldViolation> RoleTitleViolations(absl::string_view title, absl::string_view field);
// OK when `violations` is empty, else INVALID_ARGUMENT "field: description" of the first,
// with all of them in a google.rpc.BadRequest (InvalidFields, common/status): the Validate*
// functions of an organisation, a person or a network report every field a client got wrong
// at once.
absl::Status FirstViolation(const std::vector<FieldViolation>& violations);
absl::Status ValidateNetwork(const v1::Network& n, absl::string_view field, Purpose purpose);

// Trims names, derives the NACE section from the NAF code, fills the territory (commune,
// département) from the head office when absent, and defaults visibility to NETWORK.
v1::Organisation Normalised(v1::Organisation o);
v1::Network Normalised(v1::Network n);

}  // namespace maillage::membership

#endif  // MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_VALIDATION_H_
