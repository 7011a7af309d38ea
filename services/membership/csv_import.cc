#include "services/membership/csv_import.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/membership/domain/membership_rules.h"
#include "services/membership/membership_validation.h"

namespace maillage::membership {
namespace {

const char* const kRequired[] = {"siren", "legal_name", "kind"};
const char* const kOptional[] = {"siret",
                                 "naf_code",
                                 "headcount_band",
                                 "website",
                                 "street",
                                 "postal_code",
                                 "city",
                                 "commune_code",
                                 "departement_code",
                                 "region_code",
                                 "latitude",
                                 "longitude",
                                 "description",
                                 "labels",
                                 "visibility",
                                 "role",
                                 "contact_first_name",
                                 "contact_last_name",
                                 "contact_email",
                                 "contact_phone",
                                 "contact_title"};

// The import column of an API field path: "establishments[0].address.city" -> "city",
// "territory.commune_codes[0]" -> "commune_code", "labels[3]" -> "labels"; a person's
// fields take `prefix` ("contact_") and given/family name become first/last name.
std::string ColumnOf(absl::string_view path, absl::string_view prefix = "") {
  for (absl::string_view p : {"establishments[0].address.", "establishments[0].location.",
                              "establishments[0].", "territory."}) {
    if (absl::ConsumePrefix(&path, p)) break;
  }
  std::string field(path.substr(0, path.find('[')));
  if (field == "commune_codes") field = "commune_code";
  if (field == "departement_codes") field = "departement_code";
  if (field == "establishments") field = "siret";
  if (field == "given_name") field = "first_name";
  if (field == "family_name") field = "last_name";
  return absl::StrCat(prefix, field);
}

}  // namespace

absl::Status ImportRowParser::SetHeader(const std::vector<std::string>& header) {
  columns_.clear();
  std::map<std::string, bool> known;
  for (const char* c : kRequired) known[c] = true;
  for (const char* c : kOptional) known[c] = false;
  for (size_t i = 0; i < header.size(); ++i) {
    std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(header[i]));
    if (i == 0 && name.size() >= 3 && name.compare(0, 3, "\xef\xbb\xbf") == 0) name.erase(0, 3);
    if (!known.contains(name)) {
      columns_.clear();
      return absl::InvalidArgumentError(absl::StrCat("header: unknown column '", name, "'"));
    }
    if (!columns_.emplace(name, i).second) {
      columns_.clear();
      return absl::InvalidArgumentError(absl::StrCat("header: column '", name, "' appears twice"));
    }
  }
  for (const char* c : kRequired) {
    if (!columns_.contains(c)) {
      columns_.clear();
      return absl::InvalidArgumentError(absl::StrCat("header: required column '", c, "' missing"));
    }
  }
  return absl::OkStatus();
}

std::optional<ImportRow> ImportRowParser::Parse(const std::vector<std::string>& fields,
                                                int64_t line,
                                                std::vector<v1::ImportRowError>* errors) const {
  const size_t before = errors->size();
  // Each column once: the first problem found in it is the one reported.
  auto error = [&](absl::string_view field, absl::string_view reason) {
    for (size_t i = before; i < errors->size(); ++i) {
      if ((*errors)[i].field() == field) return;
    }
    v1::ImportRowError* e = &errors->emplace_back();
    e->set_line(line);
    e->set_field(std::string(field));
    e->set_reason(std::string(reason));
  };
  if (fields.size() != columns_.size()) {
    error("", absl::StrCat("expected ", columns_.size(), " fields, found ", fields.size()));
    return std::nullopt;
  }
  // Bytes that are not UTF-8 (a file saved as Latin-1, say) would fail the whole batch in
  // PostgreSQL: refuse them here, by column.
  for (const auto& [name, index] : columns_) {
    if (!IsValidUtf8Text(fields[index])) error(name, "not valid UTF-8 (save the file as UTF-8)");
  }
  auto get = [&](const char* name) -> std::string {
    auto it = columns_.find(name);
    return it == columns_.end() ? std::string() : csv::UnguardedCell(fields[it->second]);
  };

  ImportRow row;
  row.line = line;
  v1::Organisation& o = row.organisation;
  o.set_siren(get("siren"));
  o.set_legal_name(get("legal_name"));
  o.set_kind(ParseOrganisationKind(get("kind")));
  if (o.kind() == v1::ORGANISATION_KIND_UNSPECIFIED) error("kind", "unknown organisation kind");
  if (o.siren().empty()) error("siren", "required: the SIREN is the import key");
  o.set_naf_code(get("naf_code"));
  if (std::string band = get("headcount_band"); !band.empty()) {
    o.set_headcount_band(ParseHeadcountBand(band));
    if (o.headcount_band() == v1::HEADCOUNT_BAND_UNSPECIFIED) {
      error("headcount_band", "unknown band");
    }
  }
  o.set_website(get("website"));
  o.set_description(get("description"));
  if (std::string labels = get("labels"); !labels.empty()) {
    for (absl::string_view l : absl::StrSplit(labels, '|', absl::SkipWhitespace())) {
      o.add_labels(std::string(absl::StripAsciiWhitespace(l)));
    }
  }
  if (std::string vis = get("visibility"); !vis.empty()) {
    row.visibility_given = true;
    if (vis == "network") {
      o.set_visibility(v1::VISIBILITY_NETWORK);
    } else if (vis == "federation") {
      o.set_visibility(v1::VISIBILITY_FEDERATION);
    } else if (vis == "public") {
      o.set_visibility(v1::VISIBILITY_PUBLIC);
    } else {
      error("visibility", "must be network, federation or public");
    }
  }
  if (get("siret").empty()) {
    // An address belongs to an establishment: without its SIRET it would be dropped.
    for (const char* column : {"street", "postal_code", "city", "latitude", "longitude"}) {
      if (!get(column).empty()) error(column, "needs the establishment's siret in the same row");
    }
  }
  if (std::string siret = get("siret"); !siret.empty()) {
    v1::Establishment* e = o.add_establishments();
    e->set_siret(siret);
    e->set_head_office(true);
    e->mutable_address()->set_street(get("street"));
    e->mutable_address()->set_postal_code(get("postal_code"));
    e->mutable_address()->set_city(get("city"));
    e->mutable_address()->set_commune_code(get("commune_code"));
    std::string lat = get("latitude"), lon = get("longitude");
    if (!lat.empty() || !lon.empty()) {
      double la = 0, lo = 0;
      if (!absl::SimpleAtod(lat, &la)) error("latitude", "not a number");
      if (!absl::SimpleAtod(lon, &lo)) error("longitude", "not a number");
      e->mutable_location()->set_latitude(la);
      e->mutable_location()->set_longitude(lo);
    }
  }
  if (std::string c = get("commune_code"); !c.empty()) o.mutable_territory()->add_commune_codes(c);
  if (std::string d = get("departement_code"); !d.empty()) {
    o.mutable_territory()->add_departement_codes(d);
  }
  if (std::string r = get("region_code"); !r.empty()) o.mutable_territory()->set_region_code(r);
  if (std::string role = get("role"); !role.empty()) {
    row.role = ParseRole(role);
    if (row.role == auth::v1::NETWORK_ROLE_UNSPECIFIED) {
      error("role", "must be member, animator, board, partner or observer");
    } else if (enrolling_ && !IsImportableRole(row.role)) {
      error("role", kImportRoleRule);
    }
  }
  row.contact.set_given_name(get("contact_first_name"));
  row.contact.set_family_name(get("contact_last_name"));
  row.contact.set_email(get("contact_email"));
  row.contact.set_phone(get("contact_phone"));
  row.contact_title = get("contact_title");

  // The same checks as the API, every one of them, with the API's field paths mapped back
  // to columns.
  for (const FieldViolation& v : OrganisationViolations(o, "", Purpose::kCreate)) {
    error(ColumnOf(v.field), v.description);
  }
  // Any contact column makes a contact, which the import links by its e-mail: a contact
  // without one would be dropped, so it is refused instead.
  const bool has_contact = !row.contact.given_name().empty() ||
                           !row.contact.family_name().empty() || !row.contact.email().empty() ||
                           !row.contact.phone().empty() || !row.contact_title.empty();
  if (has_contact) {
    if (row.contact.email().empty()) {
      error("contact_email", "required with a contact: the e-mail identifies the person");
    }
    for (const FieldViolation& v : PersonViolations(row.contact, "")) {
      error(ColumnOf(v.field, "contact_"), v.description);
    }
  }
  // The title becomes the representation's role_title: AddRepresentation's rules apply.
  for (const FieldViolation& v : RoleTitleViolations(row.contact_title, "contact_title")) {
    error(v.field, v.description);
  }
  // In the file's column order, a whole-row problem first.
  std::stable_sort(errors->begin() + before, errors->end(),
                   [&](const v1::ImportRowError& x, const v1::ImportRowError& y) {
                     auto pos = [&](const std::string& f) {
                       auto it = columns_.find(f);
                       return it == columns_.end() ? -1 : static_cast<int64_t>(it->second);
                     };
                     return pos(x.field()) < pos(y.field());
                   });
  if (errors->size() != before) return std::nullopt;
  row.organisation = Normalised(std::move(row.organisation));
  return row;
}

v1::OrganisationKind ParseOrganisationKind(absl::string_view s) {
  if (s == "company") return v1::ORGANISATION_KIND_COMPANY;
  if (s == "independent") return v1::ORGANISATION_KIND_INDEPENDENT;
  if (s == "association") return v1::ORGANISATION_KIND_ASSOCIATION;
  if (s == "public_body") return v1::ORGANISATION_KIND_PUBLIC_BODY;
  if (s == "local_public_company") return v1::ORGANISATION_KIND_LOCAL_PUBLIC_COMPANY;
  if (s == "research_training") return v1::ORGANISATION_KIND_RESEARCH_TRAINING;
  return v1::ORGANISATION_KIND_UNSPECIFIED;
}

std::string OrganisationKindName(v1::OrganisationKind kind) {
  switch (kind) {
    case v1::ORGANISATION_KIND_COMPANY:
      return "company";
    case v1::ORGANISATION_KIND_INDEPENDENT:
      return "independent";
    case v1::ORGANISATION_KIND_ASSOCIATION:
      return "association";
    case v1::ORGANISATION_KIND_PUBLIC_BODY:
      return "public_body";
    case v1::ORGANISATION_KIND_LOCAL_PUBLIC_COMPANY:
      return "local_public_company";
    case v1::ORGANISATION_KIND_RESEARCH_TRAINING:
      return "research_training";
    default:
      return "";
  }
}

v1::HeadcountBand ParseHeadcountBand(absl::string_view s) {
  if (s == "0") return v1::HEADCOUNT_BAND_NONE;
  if (s == "1-2") return v1::HEADCOUNT_BAND_1_2;
  if (s == "3-5") return v1::HEADCOUNT_BAND_3_5;
  if (s == "6-9") return v1::HEADCOUNT_BAND_6_9;
  if (s == "10-19") return v1::HEADCOUNT_BAND_10_19;
  if (s == "20-49") return v1::HEADCOUNT_BAND_20_49;
  if (s == "50-249") return v1::HEADCOUNT_BAND_50_249;
  if (s == "250+") return v1::HEADCOUNT_BAND_250_PLUS;
  return v1::HEADCOUNT_BAND_UNSPECIFIED;
}

auth::v1::NetworkRole ParseRole(absl::string_view s) {
  if (s == "member") return auth::v1::NETWORK_ROLE_MEMBER;
  if (s == "animator") return auth::v1::NETWORK_ROLE_ANIMATOR;
  if (s == "board") return auth::v1::NETWORK_ROLE_BOARD;
  if (s == "partner") return auth::v1::NETWORK_ROLE_PARTNER;
  if (s == "observer") return auth::v1::NETWORK_ROLE_OBSERVER;
  return auth::v1::NETWORK_ROLE_UNSPECIFIED;
}

std::string RoleName(auth::v1::NetworkRole role) {
  switch (role) {
    case auth::v1::NETWORK_ROLE_MEMBER:
      return "member";
    case auth::v1::NETWORK_ROLE_ANIMATOR:
      return "animator";
    case auth::v1::NETWORK_ROLE_BOARD:
      return "board";
    case auth::v1::NETWORK_ROLE_PARTNER:
      return "partner";
    case auth::v1::NETWORK_ROLE_OBSERVER:
      return "observer";
    case auth::v1::NETWORK_ROLE_FUNDER:
      return "funder";
    default:
      return "";
  }
}

}  // namespace maillage::membership
