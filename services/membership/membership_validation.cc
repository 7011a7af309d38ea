#include "services/membership/membership_validation.h"

#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/ids/canonical_ids.h"
#include "common/status/status.h"
#include "services/membership/domain/identifiers.h"

namespace maillage::membership {
namespace {

std::string F(absl::string_view parent, absl::string_view child) {
  return parent.empty() ? std::string(child) : absl::StrCat(parent, ".", child);
}

std::string At(absl::string_view field, size_t i) { return absl::StrCat(field, "[", i, "]"); }

// Collects violations, keeping the first of each field.
class Violations {
 public:
  void Add(std::string field, std::string description) {
    for (const FieldViolation& v : list_) {
      if (v.field == field) return;
    }
    list_.push_back({std::move(field), std::move(description)});
  }
  void Text(absl::string_view text, std::string field, size_t max, bool required) {
    if (std::optional<std::string> p = TextProblem(text, max, required)) {
      Add(std::move(field), std::move(*p));
    }
  }
  // A canonical id (common/validation), required.
  void Id(absl::string_view id, std::string field) {
    if (absl::Status s = ValidateId(id, field); !s.ok()) {
      std::string why(absl::StripPrefix(s.message(), absl::StrCat(field, ": ")));
      Add(std::move(field), std::move(why));
    }
  }
  std::vector<FieldViolation> Take() { return std::move(list_); }

 private:
  std::vector<FieldViolation> list_;
};

void CollectTerritory(const common::v1::Territory& t, absl::string_view field, Violations* v) {
  if (!t.region_code().empty() && !IsValidRegionCode(t.region_code())) {
    v->Add(F(field, "region_code"), "not an INSEE region code");
  }
  for (int i = 0; i < t.departement_codes_size(); ++i) {
    if (!IsValidDepartementCode(t.departement_codes(i))) {
      v->Add(At(F(field, "departement_codes"), i), "not a département code");
    }
  }
  for (int i = 0; i < t.epci_codes_size(); ++i) {
    if (!IsValidSiren(t.epci_codes(i))) v->Add(At(F(field, "epci_codes"), i), "not an EPCI SIREN");
  }
  for (int i = 0; i < t.commune_codes_size(); ++i) {
    if (!IsValidCommuneCode(t.commune_codes(i))) {
      v->Add(At(F(field, "commune_codes"), i), "not an INSEE commune code");
    }
  }
  if (t.departement_codes_size() + t.epci_codes_size() + t.commune_codes_size() > 2000) {
    v->Add(std::string(field), "too many codes (at most 2000)");
  }
}

void CollectEstablishment(const v1::Establishment& e, absl::string_view siren,
                          absl::string_view field, Violations* v) {
  if (!IsValidSiret(e.siret())) {
    v->Add(F(field, "siret"), "must be 14 digits with a valid checksum");
  } else if (!SiretExtendsSiren(e.siret(), siren)) {
    v->Add(F(field, "siret"), absl::StrCat("must start with the organisation's SIREN ", siren));
  }
  const common::v1::PostalAddress& a = e.address();
  v->Text(a.street(), F(field, "address.street"), 300, false);
  v->Text(a.city(), F(field, "address.city"), 100, false);
  bool french = a.country_code().empty() || a.country_code() == "FR";
  if (!a.country_code().empty() &&
      (a.country_code().size() != 2 || !absl::ascii_isupper(a.country_code()[0]) ||
       !absl::ascii_isupper(a.country_code()[1]))) {
    v->Add(F(field, "address.country_code"), "must be an ISO 3166-1 alpha-2 code");
  }
  if (french && !a.postal_code().empty() && !IsValidPostalCode(a.postal_code())) {
    v->Add(F(field, "address.postal_code"), "must be 5 digits");
  }
  if (!a.commune_code().empty() && !IsValidCommuneCode(a.commune_code())) {
    v->Add(F(field, "address.commune_code"), "not an INSEE commune code");
  }
  if (e.has_location()) {
    if (e.location().latitude() < -90 || e.location().latitude() > 90) {
      v->Add(F(field, "location.latitude"), "must be within [-90, 90]");
    }
    if (e.location().longitude() < -180 || e.location().longitude() > 180) {
      v->Add(F(field, "location.longitude"), "must be within [-180, 180]");
    }
  }
}

}  // namespace

bool IsNafPrefix(absl::string_view s) {
  static constexpr absl::string_view kShape = "99.99A";  // 9: digit, A: letter
  if (s.empty() || s.size() > kShape.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = kShape[i] == '9'   ? absl::ascii_isdigit(c)
              : kShape[i] == '.' ? c == '.'
                                 : (c >= 'A' && c <= 'Z');
    if (!ok) return false;
  }
  return true;
}

absl::Status ValidateIdempotencyKey(absl::string_view key, absl::string_view field) {
  return ValidateText(key, field, kMaxIdempotencyKeyLength, false);
}

absl::Status ValidateRole(int role, absl::string_view field, bool allow_unspecified) {
  if (role == auth::v1::NETWORK_ROLE_UNSPECIFIED && allow_unspecified) return absl::OkStatus();
  if (role == auth::v1::NETWORK_ROLE_UNSPECIFIED || !auth::v1::NetworkRole_IsValid(role)) {
    return InvalidField(field, "must be one of member, animator, board, partner, observer, funder");
  }
  return absl::OkStatus();
}

absl::Status ValidateTerritory(const common::v1::Territory& t, absl::string_view field) {
  Violations v;
  CollectTerritory(t, field, &v);
  return FirstViolation(v.Take());
}

absl::Status ValidateEstablishment(const v1::Establishment& e, absl::string_view siren,
                                   absl::string_view field) {
  Violations v;
  CollectEstablishment(e, siren, field, &v);
  return FirstViolation(v.Take());
}

std::vector<FieldViolation> OrganisationViolations(const v1::Organisation& o,
                                                   absl::string_view field, Purpose purpose) {
  Violations v;
  if (purpose == Purpose::kUpdate) {
    v.Id(o.organisation_id(), F(field, "organisation_id"));
    if (o.version() <= 0) v.Add(F(field, "version"), "required: send the version you read");
  }
  v.Text(o.legal_name(), F(field, "legal_name"), kMaxNameLength, true);
  if (o.kind() == v1::ORGANISATION_KIND_UNSPECIFIED || !v1::OrganisationKind_IsValid(o.kind())) {
    v.Add(F(field, "kind"),
          "must be one of company, independent, association, public body, local public company, "
          "research or training body");
  }
  bool needs_siren = o.kind() == v1::ORGANISATION_KIND_COMPANY ||
                     o.kind() == v1::ORGANISATION_KIND_INDEPENDENT ||
                     o.kind() == v1::ORGANISATION_KIND_LOCAL_PUBLIC_COMPANY;
  bool siren_ok = !o.siren().empty() && IsValidSiren(o.siren());
  if (o.siren().empty() && needs_siren) v.Add(F(field, "siren"), "required for companies");
  if (!o.siren().empty() && !siren_ok) {
    v.Add(F(field, "siren"), "must be 9 digits with a valid checksum");
  }
  if (o.establishments_size() > static_cast<int>(kMaxEstablishments)) {
    v.Add(F(field, "establishments"), "too many");
  } else if (o.establishments_size() > 0 && o.siren().empty()) {
    v.Add(F(field, "establishments"), "an organisation without SIREN has none");
  } else if (o.siren().empty() || siren_ok) {
    // Under a malformed SIREN every SIRET would also be refused: one error says it.
    std::set<std::string> sirets;
    int head_offices = 0;
    for (int i = 0; i < o.establishments_size(); ++i) {
      std::string path = At(F(field, "establishments"), i);
      CollectEstablishment(o.establishments(i), o.siren(), path, &v);
      if (!sirets.insert(o.establishments(i).siret()).second) {
        v.Add(F(path, "siret"), "appears twice");
      }
      head_offices += o.establishments(i).head_office() ? 1 : 0;
    }
    if (head_offices > 1) v.Add(F(field, "establishments"), "more than one head office");
  }
  if (!o.naf_code().empty() && !IsValidNafCode(o.naf_code())) {
    v.Add(F(field, "naf_code"), "must be a NAF rév. 2 code such as 62.01Z");
  }
  if (!v1::HeadcountBand_IsValid(o.headcount_band())) {
    v.Add(F(field, "headcount_band"), "unknown band");
  }
  if (!o.website().empty() && !IsValidWebsite(o.website())) {
    v.Add(F(field, "website"), "must be an http(s) URL");
  }
  v.Text(o.description(), F(field, "description"), kMaxDescriptionLength, false);
  if (o.labels_size() > static_cast<int>(kMaxLabels)) {
    v.Add(F(field, "labels"), absl::StrCat("at most ", kMaxLabels));
  } else {
    for (int i = 0; i < o.labels_size(); ++i) {
      v.Text(o.labels(i), At(F(field, "labels"), i), kMaxLabelLength, true);
    }
  }
  if (!v1::Visibility_IsValid(o.visibility())) {
    v.Add(F(field, "visibility"), "must be network, federation or public");
  }
  CollectTerritory(o.territory(), F(field, "territory"), &v);
  return v.Take();
}

absl::Status ValidateOrganisation(const v1::Organisation& o, absl::string_view field,
                                  Purpose purpose) {
  return FirstViolation(OrganisationViolations(o, field, purpose));
}

std::vector<FieldViolation> RoleTitleViolations(absl::string_view title, absl::string_view field) {
  Violations v;
  v.Text(title, std::string(field), kMaxRoleTitleLength, false);
  return v.Take();
}

std::vector<FieldViolation> PersonViolations(const v1::Person& p, absl::string_view field) {
  Violations v;
  v.Text(p.given_name(), F(field, "given_name"), kMaxPersonNameLength, true);
  v.Text(p.family_name(), F(field, "family_name"), kMaxPersonNameLength, true);
  if (p.email().empty()) {
    v.Add(F(field, "email"), "required");
  } else if (!IsValidEmail(p.email())) {
    v.Add(F(field, "email"), "not an e-mail address");
  }
  if (!p.phone().empty() && !IsValidPhone(p.phone())) {
    v.Add(F(field, "phone"), "not a phone number (E.164 or 0X XX XX XX XX)");
  }
  return v.Take();
}

absl::Status ValidatePerson(const v1::Person& p, absl::string_view field) {
  return FirstViolation(PersonViolations(p, field));
}

absl::Status FirstViolation(const std::vector<FieldViolation>& violations) {
  return InvalidFields(violations);
}

std::vector<FieldViolation> NetworkViolations(const v1::Network& n, absl::string_view field,
                                              Purpose purpose) {
  Violations v;
  if (purpose == Purpose::kUpdate) {
    v.Id(n.network_id(), F(field, "network_id"));
    if (n.version() <= 0) v.Add(F(field, "version"), "required: send the version you read");
  } else {
    v.Id(n.animating_organisation_id(), F(field, "animating_organisation_id"));
    v.Text(n.charter().text(), F(field, "charter.text"), kMaxCharterLength, true);
  }
  v.Text(n.name(), F(field, "name"), kMaxNameLength, true);
  if (n.kind() == v1::NETWORK_KIND_UNSPECIFIED || !v1::NetworkKind_IsValid(n.kind())) {
    v.Add(F(field, "kind"), "must be cluster or allied network");
  }
  v.Text(n.theme(), F(field, "theme"), kMaxNameLength, false);
  v.Text(n.description(), F(field, "description"), kMaxDescriptionLength, false);
  for (int i = 0; i < n.sector_focus_size(); ++i) {
    if (!IsValidNaceSection(n.sector_focus(i))) {
      v.Add(At(F(field, "sector_focus"), i), "must be a NACE section letter A..U");
    }
  }
  CollectTerritory(n.territory(), F(field, "territory"), &v);
  if (!v1::LegalForm_IsValid(n.legal_form())) v.Add(F(field, "legal_form"), "unknown legal form");
  if (n.admission_policy() == v1::ADMISSION_POLICY_UNSPECIFIED ||
      !v1::AdmissionPolicy_IsValid(n.admission_policy())) {
    v.Add(F(field, "admission_policy"), "must be open, animator approval or co-optation");
  } else if (n.admission_policy() == v1::ADMISSION_POLICY_CO_OPTATION) {
    if (n.required_sponsors() < 1 || n.required_sponsors() > kMaxRequiredSponsors) {
      v.Add(F(field, "required_sponsors"),
            absl::StrCat("must be between 1 and ", kMaxRequiredSponsors, " for co-optation"));
    }
  } else if (n.required_sponsors() != 0) {
    v.Add(F(field, "required_sponsors"), "only co-optation networks have sponsors");
  }
  return v.Take();
}

absl::Status ValidateNetwork(const v1::Network& n, absl::string_view field, Purpose purpose) {
  return FirstViolation(NetworkViolations(n, field, purpose));
}

v1::Organisation Normalised(v1::Organisation o) {
  o.set_legal_name(std::string(absl::StripAsciiWhitespace(o.legal_name())));
  o.set_nace_section(IsValidNafCode(o.naf_code()) ? NaceSectionOfNaf(o.naf_code()) : "");
  if (o.visibility() == v1::VISIBILITY_UNSPECIFIED) o.set_visibility(v1::VISIBILITY_NETWORK);
  const v1::Establishment* head = nullptr;
  for (const v1::Establishment& e : o.establishments()) {
    if (e.head_office()) head = &e;
  }
  if (head == nullptr && o.establishments_size() > 0) head = &o.establishments(0);
  common::v1::Territory* t = o.mutable_territory();
  if (head != nullptr && !head->address().commune_code().empty()) {
    if (t->commune_codes().empty()) t->add_commune_codes(head->address().commune_code());
  }
  if (t->departement_codes().empty() && !t->commune_codes().empty()) {
    // Only a département that exists: some five-digit codes name none (Saint-Barthélemy's
    // 977xx) or only look like commune codes ("97063", "20123"), and a derived code that
    // validation refuses would make the stored organisation fail its next update.
    std::string departement = DepartementOfCommune(t->commune_codes(0));
    if (IsValidDepartementCode(departement)) t->add_departement_codes(std::move(departement));
  }
  return o;
}

v1::Network Normalised(v1::Network n) {
  n.set_name(std::string(absl::StripAsciiWhitespace(n.name())));
  return n;
}

}  // namespace maillage::membership
