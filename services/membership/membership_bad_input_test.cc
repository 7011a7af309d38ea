// Every RPC of the membership API fed bad input, on real PostgreSQL and Redis: empty required
// fields, over-long text, malformed ids, unknown enum values, French identifiers with bad
// checksums, bad codes, bad page requests and forged page tokens. Each case must be
// INVALID_ARGUMENT with a message that starts with the path of the refused field (e.g.
// "organisation.siren: ..."), and no refused call may write anything. Every call is made as a
// platform admin, so that authorisation never hides what validation says.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <climits>
#include <functional>
#include <iostream>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/paging/paging.h"
#include "common/pg/pg.h"
#include "common/status/status.h"
#include "services/membership/domain/identifiers.h"
#include "services/membership/membership_harness.h"
#include "services/membership/membership_test_data.h"
#include "services/membership/membership_validation.h"
#include "tests/support/grpc_status.h"

namespace maillage::membership {
namespace {

using ::maillage::testing::CodeName;

using ::maillage::auth::v1::NETWORK_ROLE_MEMBER;
using Stub = ::maillage::membership::v1::MembershipService::Stub;

// ---------------------------------------------------------------------------------------------
// Helpers

// The `index`-th SIRET of a SIREN that passes the checksum (index 0: the head office).
std::string NthSiret(const std::string& siren, int index) {
  for (int nic = 1;; ++nic) {
    std::string siret = siren + absl::StrFormat("%05d", nic);
    if (IsValidSiret(siret) && index-- == 0) return siret;
  }
}

// The same digits with the last one changed: the Luhn checksum no longer holds.
std::string WithBadCheckDigit(const std::string& digits) {
  std::string out = digits;
  out.back() = static_cast<char>('0' + (out.back() - '0' + 1) % 10);
  return out;
}

std::string Repeat(size_t n, char c = 'x') { return std::string(n, c); }

v1::Organisation ValidCompany(const std::string& name, const std::string& siren) {
  v1::Organisation o;
  o.set_legal_name(name);
  o.set_kind(v1::ORGANISATION_KIND_COMPANY);
  o.set_siren(siren);
  o.set_naf_code("43.22A");
  o.set_headcount_band(v1::HEADCOUNT_BAND_6_9);
  o.set_website("https://www.plomberie-exemple.fr");
  o.set_description("Plomberie et chauffage, rénovation énergétique");
  o.add_labels("RGE");
  o.set_visibility(v1::VISIBILITY_NETWORK);
  v1::Establishment* e = o.add_establishments();
  e->set_siret(NthSiret(siren, 0));
  e->set_head_office(true);
  e->mutable_address()->set_street("3 place de la Victoire");
  e->mutable_address()->set_postal_code("33000");
  e->mutable_address()->set_city("Bordeaux");
  e->mutable_address()->set_commune_code("33063");
  e->mutable_location()->set_latitude(44.83);
  e->mutable_location()->set_longitude(-0.57);
  o.mutable_territory()->set_region_code("75");
  return o;
}

v1::Person ValidPerson(const std::string& email) {
  v1::Person p;
  p.set_given_name("Claire");
  p.set_family_name("Martin");
  p.set_email(email);
  p.set_phone("06 12 34 56 78");
  return p;
}

v1::Network ValidNetwork(const std::string& animating_organisation_id) {
  v1::Network n;
  n.set_name("Grappe Éco-construction");
  n.set_kind(v1::NETWORK_KIND_CLUSTER);
  n.set_theme("rénovation énergétique");
  n.set_description("Artisans du bâtiment face à la transition énergétique");
  n.add_sector_focus("F");
  n.mutable_territory()->add_departement_codes("33");
  n.set_legal_form(v1::LEGAL_FORM_ASSOCIATION);
  n.set_animating_organisation_id(animating_organisation_id);
  n.set_admission_policy(v1::ADMISSION_POLICY_CO_OPTATION);
  n.set_required_sponsors(2);
  n.mutable_charter()->set_text("Créer le lien, définir des objectifs communs, transparence.");
  return n;
}

template <typename Req, typename Resp>
grpc::Status Unary(MembershipHarness& h,
                   grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                   const std::type_identity_t<Req>& req, Resp* out = nullptr) {
  Resp resp;
  auto ctx = h.Context(h.Admin());
  grpc::Status s = (h.stub()->*method)(ctx.get(), req, &resp);
  if (out != nullptr) *out = std::move(resp);
  return s;
}

// Streams the messages of an import as an admin.
grpc::Status Import(MembershipHarness& h, const std::vector<v1::ImportOrganisationsRequest>& msgs) {
  auto ctx = h.Context(h.Admin());
  v1::ImportReport report;
  auto writer = h.stub()->ImportOrganisations(ctx.get(), &report);
  for (const v1::ImportOrganisationsRequest& m : msgs) {
    if (!writer->Write(m)) break;  // the server refused: Finish tells why
  }
  writer->WritesDone();
  return writer->Finish();
}

v1::ImportOrganisationsRequest Options(const std::string& network_id, int batch_size = 0) {
  v1::ImportOrganisationsRequest r;
  r.mutable_options()->set_network_id(network_id);
  r.mutable_options()->set_batch_size(batch_size);
  return r;
}

v1::ImportOrganisationsRequest Chunk(const std::string& data) {
  v1::ImportOrganisationsRequest r;
  r.set_chunk(data);
  return r;
}

grpc::Status Export(MembershipHarness& h, const v1::ExportMembersRequest& req) {
  auto ctx = h.Context(h.Admin());
  auto reader = h.stub()->ExportMembers(ctx.get(), req);
  v1::CsvChunk chunk;
  while (reader->Read(&chunk)) {
  }
  return reader->Finish();
}

// Malformed ids, each refused as "<field>: ..." (the empty one as "required").
const std::vector<std::pair<std::string, std::string>>& BadIds() {
  static const auto* ids = new std::vector<std::pair<std::string, std::string>>{
      {"empty", ""},
      {"\"abc\"", "abc"},
      {"SQL injection", "' OR 1=1 --"},
      {"UUID without dashes", "6d1f6a8e3f0b4c8e9a4e2b7c1d0e5f01"},
      {"UUID with a non-hex digit", "6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f0g"},
      {"UUID with a trailing space", "6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01 "},
      {"UUID in braces", "{6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f}"},
  };
  return *ids;
}

// A way to spoil one field of a valid message, and the path the refusal must name.
template <typename Msg>
struct Spoiler {
  std::string name;
  std::function<void(Msg&)> spoil;
  std::string field;  // relative to the message
};

// Everything that can be wrong in an organisation, for CreateOrganisation and
// UpdateOrganisation alike.
std::vector<Spoiler<v1::Organisation>> OrganisationSpoilers() {
  using O = v1::Organisation;
  std::string other_siren = TestSiren("2", 999);
  return {
      {"empty legal_name", [](O& o) { o.set_legal_name(""); }, "legal_name"},
      {"blank legal_name", [](O& o) { o.set_legal_name("  \t "); }, "legal_name"},
      {"legal_name over 200 characters", [](O& o) { o.set_legal_name(Repeat(kMaxNameLength + 1)); },
       "legal_name"},
      {"legal_name with a control character", [](O& o) { o.set_legal_name("Atelier\x01Web"); },
       "legal_name"},
      {"kind UNSPECIFIED", [](O& o) { o.set_kind(v1::ORGANISATION_KIND_UNSPECIFIED); }, "kind"},
      {"kind 999", [](O& o) { o.set_kind(static_cast<v1::OrganisationKind>(999)); }, "kind"},
      {"kind -1", [](O& o) { o.set_kind(static_cast<v1::OrganisationKind>(-1)); }, "kind"},
      {"company without SIREN",
       [](O& o) {
         o.clear_siren();
         o.clear_establishments();
       },
       "siren"},
      {"SIREN with a bad checksum", [](O& o) { o.set_siren(WithBadCheckDigit(o.siren())); },
       "siren"},
      {"SIREN of 8 digits", [](O& o) { o.set_siren(o.siren().substr(0, 8)); }, "siren"},
      {"SIREN of 10 digits", [](O& o) { o.set_siren(o.siren() + "0"); }, "siren"},
      {"SIREN with a letter", [](O& o) { o.set_siren(o.siren().substr(0, 8) + "A"); }, "siren"},
      {"SIREN as SQL injection", [](O& o) { o.set_siren("' OR 1=1 --"); }, "siren"},
      {"SIRET with a bad checksum",
       [](O& o) {
         auto* e = o.mutable_establishments(0);
         e->set_siret(WithBadCheckDigit(e->siret()));
       },
       "establishments[0].siret"},
      {"SIRET of 13 digits",
       [](O& o) { o.mutable_establishments(0)->set_siret(o.siren() + "0001"); },
       "establishments[0].siret"},
      {"empty SIRET", [](O& o) { o.mutable_establishments(0)->clear_siret(); },
       "establishments[0].siret"},
      {"SIRET not extending the SIREN",
       [other_siren](O& o) { o.mutable_establishments(0)->set_siret(NthSiret(other_siren, 0)); },
       "establishments[0].siret"},
      {"the same SIRET twice",
       [](O& o) {
         v1::Establishment copy = o.establishments(0);
         copy.set_head_office(false);
         *o.add_establishments() = copy;
       },
       "establishments[1].siret"},
      {"two head offices",
       [](O& o) {
         v1::Establishment* e = o.add_establishments();
         e->set_siret(NthSiret(o.siren(), 1));
         e->set_head_office(true);
       },
       "establishments"},
      {"establishments without a SIREN",
       [](O& o) {
         o.set_kind(v1::ORGANISATION_KIND_ASSOCIATION);
         o.clear_siren();
       },
       "establishments"},
      {"501 establishments",
       [](O& o) {
         while (o.establishments_size() <= static_cast<int>(kMaxEstablishments)) {
           o.add_establishments();
         }
       },
       "establishments"},
      {"postal code of 4 digits",
       [](O& o) { o.mutable_establishments(0)->mutable_address()->set_postal_code("3300"); },
       "establishments[0].address.postal_code"},
      {"address commune code not INSEE",
       [](O& o) { o.mutable_establishments(0)->mutable_address()->set_commune_code("ABCDE"); },
       "establishments[0].address.commune_code"},
      {"country code in lower case",
       [](O& o) { o.mutable_establishments(0)->mutable_address()->set_country_code("fr"); },
       "establishments[0].address.country_code"},
      {"country code of 3 letters",
       [](O& o) { o.mutable_establishments(0)->mutable_address()->set_country_code("FRA"); },
       "establishments[0].address.country_code"},
      {"street over 300 characters",
       [](O& o) { o.mutable_establishments(0)->mutable_address()->set_street(Repeat(301)); },
       "establishments[0].address.street"},
      {"city over 100 characters",
       [](O& o) { o.mutable_establishments(0)->mutable_address()->set_city(Repeat(101)); },
       "establishments[0].address.city"},
      {"latitude 91",
       [](O& o) { o.mutable_establishments(0)->mutable_location()->set_latitude(91); },
       "establishments[0].location.latitude"},
      {"longitude -181",
       [](O& o) { o.mutable_establishments(0)->mutable_location()->set_longitude(-181); },
       "establishments[0].location.longitude"},
      {"NAF code without its dot", [](O& o) { o.set_naf_code("4322A"); }, "naf_code"},
      {"NAF code in lower case", [](O& o) { o.set_naf_code("43.22a"); }, "naf_code"},
      {"NAF code of no NACE division", [](O& o) { o.set_naf_code("04.11Z"); }, "naf_code"},
      {"NAF code as SQL injection", [](O& o) { o.set_naf_code("'; DROP TABLE organisations; --"); },
       "naf_code"},
      {"headcount band 999",
       [](O& o) { o.set_headcount_band(static_cast<v1::HeadcountBand>(999)); }, "headcount_band"},
      {"website over ftp", [](O& o) { o.set_website("ftp://plomberie-exemple.fr"); }, "website"},
      {"website without a dotted host", [](O& o) { o.set_website("https://localhost/"); },
       "website"},
      {"website as a script", [](O& o) { o.set_website("javascript:alert(1)"); }, "website"},
      {"website with a space", [](O& o) { o.set_website("https://exemple.fr/a b"); }, "website"},
      {"description over 5000 characters",
       [](O& o) { o.set_description(Repeat(kMaxDescriptionLength + 1)); }, "description"},
      {"21 labels",
       [](O& o) {
         o.clear_labels();
         for (size_t i = 0; i <= kMaxLabels; ++i) o.add_labels(absl::StrCat("label", i));
       },
       "labels"},
      {"label over 60 characters",
       [](O& o) {
         o.clear_labels();
         o.add_labels(Repeat(kMaxLabelLength + 1));
       },
       "labels[0]"},
      {"empty label",
       [](O& o) {
         o.clear_labels();
         o.add_labels("EPV");
         o.add_labels("");
       },
       "labels[1]"},
      {"visibility 999", [](O& o) { o.set_visibility(static_cast<v1::Visibility>(999)); },
       "visibility"},
      {"region code 99", [](O& o) { o.mutable_territory()->set_region_code("99"); },
       "territory.region_code"},
      {"département 20 (Corsica is 2A/2B)",
       [](O& o) {
         o.mutable_territory()->clear_departement_codes();
         o.mutable_territory()->add_departement_codes("20");
       },
       "territory.departement_codes[0]"},
      {"département 977",
       [](O& o) {
         o.mutable_territory()->clear_departement_codes();
         o.mutable_territory()->add_departement_codes("33");
         o.mutable_territory()->add_departement_codes("977");
       },
       "territory.departement_codes[1]"},
      {"EPCI that is not a SIREN", [](O& o) { o.mutable_territory()->add_epci_codes("24330031"); },
       "territory.epci_codes[0]"},
      {"territory commune code of 4 digits",
       [](O& o) {
         o.mutable_territory()->clear_commune_codes();
         o.mutable_territory()->add_commune_codes("3306");
       },
       "territory.commune_codes[0]"},
      {"2001 territory codes",
       [](O& o) {
         o.mutable_territory()->clear_commune_codes();
         for (int i = 0; i < 2001; ++i) o.mutable_territory()->add_commune_codes("33063");
       },
       "territory"},
  };
}

std::vector<Spoiler<v1::Person>> PersonSpoilers() {
  using P = v1::Person;
  return {
      {"empty given_name", [](P& p) { p.set_given_name(""); }, "given_name"},
      {"blank given_name", [](P& p) { p.set_given_name("   "); }, "given_name"},
      {"given_name over 100 characters",
       [](P& p) { p.set_given_name(Repeat(kMaxPersonNameLength + 1)); }, "given_name"},
      {"given_name with a control character", [](P& p) { p.set_given_name("Cl\x1b[31maire"); },
       "given_name"},
      {"empty family_name", [](P& p) { p.set_family_name(""); }, "family_name"},
      {"family_name over 100 characters",
       [](P& p) { p.set_family_name(Repeat(kMaxPersonNameLength + 1)); }, "family_name"},
      {"empty email", [](P& p) { p.set_email(""); }, "email"},
      {"email without @", [](P& p) { p.set_email("claire.martin.exemple.fr"); }, "email"},
      {"email without a dotted domain", [](P& p) { p.set_email("claire@exemple"); }, "email"},
      {"email with two @", [](P& p) { p.set_email("claire@@exemple.fr"); }, "email"},
      {"email with a space", [](P& p) { p.set_email("claire martin@exemple.fr"); }, "email"},
      {"email as SQL injection", [](P& p) { p.set_email("' OR 1=1 --"); }, "email"},
      {"email over 254 characters", [](P& p) { p.set_email(Repeat(250) + "@exemple.fr"); },
       "email"},
      {"phone too short", [](P& p) { p.set_phone("12"); }, "phone"},
      {"phone with a letter", [](P& p) { p.set_phone("06 12 34 56 7a"); }, "phone"},
      {"phone E.164 starting with 0", [](P& p) { p.set_phone("+0612345678"); }, "phone"},
      {"phone of 9 national digits", [](P& p) { p.set_phone("061234567"); }, "phone"},
  };
}

// Everything that can be wrong in a network, for CreateNetwork and UpdateNetwork alike.
std::vector<Spoiler<v1::Network>> NetworkSpoilers() {
  using N = v1::Network;
  return {
      {"empty name", [](N& n) { n.set_name(""); }, "name"},
      {"name over 200 characters", [](N& n) { n.set_name(Repeat(kMaxNameLength + 1)); }, "name"},
      {"kind UNSPECIFIED", [](N& n) { n.set_kind(v1::NETWORK_KIND_UNSPECIFIED); }, "kind"},
      {"kind 999", [](N& n) { n.set_kind(static_cast<v1::NetworkKind>(999)); }, "kind"},
      {"theme over 200 characters", [](N& n) { n.set_theme(Repeat(kMaxNameLength + 1)); }, "theme"},
      {"description over 5000 characters",
       [](N& n) { n.set_description(Repeat(kMaxDescriptionLength + 1)); }, "description"},
      {"sector focus Z", [](N& n) { n.add_sector_focus("Z"); }, "sector_focus[1]"},
      {"sector focus given as a NAF division",
       [](N& n) {
         n.clear_sector_focus();
         n.add_sector_focus("43");
       },
       "sector_focus[0]"},
      {"territory département 2C",
       [](N& n) {
         n.mutable_territory()->clear_departement_codes();
         n.mutable_territory()->add_departement_codes("2C");
       },
       "territory.departement_codes[0]"},
      {"territory region 00", [](N& n) { n.mutable_territory()->set_region_code("00"); },
       "territory.region_code"},
      {"legal form 999", [](N& n) { n.set_legal_form(static_cast<v1::LegalForm>(999)); },
       "legal_form"},
      {"admission policy UNSPECIFIED",
       [](N& n) {
         n.set_admission_policy(v1::ADMISSION_POLICY_UNSPECIFIED);
         n.set_required_sponsors(0);
       },
       "admission_policy"},
      {"admission policy 999",
       [](N& n) { n.set_admission_policy(static_cast<v1::AdmissionPolicy>(999)); },
       "admission_policy"},
      {"co-optation with 0 sponsors", [](N& n) { n.set_required_sponsors(0); },
       "required_sponsors"},
      {"co-optation with 11 sponsors",
       [](N& n) { n.set_required_sponsors(kMaxRequiredSponsors + 1); }, "required_sponsors"},
      {"co-optation with -1 sponsors", [](N& n) { n.set_required_sponsors(-1); },
       "required_sponsors"},
      {"open network with sponsors",
       [](N& n) {
         n.set_admission_policy(v1::ADMISSION_POLICY_OPEN);
         n.set_required_sponsors(2);
       },
       "required_sponsors"},
  };
}

// The service's page token codec, under the key the harness derives from kTestHmacKey.
const PageTokenCodec& ServiceTokens() {
  static const PageTokenCodec* codec = new PageTokenCodec(DerivePageTokenKey(kTestHmacKey));
  return *codec;
}

// The length-prefixed fields of a page token ("p2", fingerprint, sort key...), read from the
// bytes before its 32-byte signature.
std::vector<std::string> TokenFields(const std::string& token) {
  std::string raw;
  EXPECT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
  EXPECT_GE(raw.size(), 32u);
  raw.resize(raw.size() < 32 ? 0 : raw.size() - 32);
  std::vector<std::string> fields;
  absl::string_view rest = raw;
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    size_t len = 0;
    if (colon == absl::string_view::npos || !absl::SimpleAtoi(rest.substr(0, colon), &len) ||
        len > rest.size() - colon - 1) {
      break;
    }
    fields.emplace_back(rest.substr(colon + 1, len));
    rest.remove_prefix(colon + 1 + len);
  }
  return fields;
}

// A token forged from a real one: its fingerprint kept, its sort key (name key, id) edited,
// and signed under the service's key. A client cannot do this (it has no key); the service
// still checks the sort key before it reaches SQL, in case the key leaks.
std::string Forge(const std::string& token,
                  const std::function<void(std::vector<std::string>&)>& edit) {
  std::vector<std::string> fields = TokenFields(token);
  uint64_t fingerprint = 0;
  if (fields.size() < 3 || !absl::SimpleAtoi(fields[1], &fingerprint)) {
    ADD_FAILURE() << "not a page token";
    return token;
  }
  std::vector<std::string> key(fields.begin() + 2, fields.end());
  EXPECT_EQ(ServiceTokens().Encode(fingerprint, key), token)
      << "a token format this test does not know";
  EXPECT_EQ(key.size(), 2u) << "the sort key: name key, id";
  edit(key);
  return ServiceTokens().Encode(fingerprint, key);
}

struct Case {
  std::string name;
  // The path the message must start with, followed by ':'.
  std::string field;
  std::function<grpc::Status()> call;
};

// Page requests that every listing refuses; `list` runs the listing with the given page.
void AddPageCases(const std::string& rpc,
                  std::function<grpc::Status(const common::v1::PageRequest&)> list,
                  std::vector<Case>* cases) {
  auto page = [](int size, const std::string& token) {
    common::v1::PageRequest p;
    p.set_page_size(size);
    p.set_page_token(token);
    return p;
  };
  std::vector<std::tuple<std::string, common::v1::PageRequest, std::string>> bad = {
      {"page_size 501", page(kMaxPageSize + 1, ""), "page.page_size"},
      {"page_size -1", page(-1, ""), "page.page_size"},
      {"page_size INT_MIN", page(INT_MIN, ""), "page.page_size"},
      {"page_token \"garbage\"", page(10, "garbage"), "page.page_token"},
      {"page_token not base64", page(10, "!!!~~~***"), "page.page_token"},
      {"page_token of random bytes", page(10, absl::WebSafeBase64Escape("\x01\x02\xff\xfe")),
       "page.page_token"},
      {"page_token with a bad length prefix", page(10, absl::WebSafeBase64Escape("2:p199:x")),
       "page.page_token"},
      {"page_token of another version",
       page(10, absl::WebSafeBase64Escape("2:p05:123451:x36:6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01")),
       "page.page_token"},
      {"page_token of another query",
       page(10, ServiceTokens().Encode(12345, {"x", "6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01"})),
       "page.page_token"},
      {"page_token signed under another key",
       page(10, PageTokenCodec("another-key-another-key-another-key")
                    .Encode(12345, {"x", "6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01"})),
       "page.page_token"},
      // Once made the parser loop for ever, growing memory until the service died.
      {"page_token with a length field near 2^64",
       page(10, absl::WebSafeBase64Escape(
                    absl::StrCat("18446744073709551595:", std::string(1000, 'x')))),
       "page.page_token"},
      {"page_token of 3000 characters", page(10, std::string(3000, 'A')), "page.page_token"},
  };
  for (auto& [name, p, field] : bad) {
    cases->push_back({absl::StrCat(rpc, " with ", name), field, [list, p = p] { return list(p); }});
  }
}

// Ids: `field` takes each malformed id in turn; `skip_empty` when the field is optional.
void AddIdCases(const std::string& rpc, const std::string& field,
                std::function<grpc::Status(const std::string&)> call, std::vector<Case>* cases,
                bool skip_empty = false) {
  for (const auto& [name, id] : BadIds()) {
    if (skip_empty && id.empty()) continue;
    cases->push_back({absl::StrCat(rpc, " with ", field, " ", name), field,
                      [call, id = id] { return call(id); }});
  }
}

// ---------------------------------------------------------------------------------------------
// The fixture

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(h_.Start().ok()); }

  // Runs every case: INVALID_ARGUMENT, the message starting with the field path.
  void Run(const std::vector<Case>& cases) {
    for (const Case& c : cases) {
      SCOPED_TRACE(c.name);
      grpc::Status s = c.call();
      EXPECT_EQ(CodeName(s.error_code()), "INVALID_ARGUMENT")
          << c.name << ": " << s.error_message();
      EXPECT_TRUE(absl::StartsWith(s.error_message(), c.field + ":"))
          << c.name << ": expected the message to start with \"" << c.field << ":\", got \""
          << s.error_message() << "\"";
    }
  }

  // Row counts and versions of every table, and the outbox (every change emits an event).
  std::string DbFingerprint() {
    std::string out;
    absl::Status s = h_.pg()->Transact([&](pqxx::work& tx) -> absl::Status {
      out = tx.exec1(
                  "SELECT concat_ws(' ',"
                  " (SELECT 'organisations=' || count(*) || '/v' || coalesce(sum(version), 0)"
                  "  FROM organisations),"
                  " (SELECT 'people=' || count(*) FROM people),"
                  " (SELECT 'representations=' || count(*) FROM representations),"
                  " (SELECT 'networks=' || count(*) || '/v' || coalesce(sum(version), 0) ||"
                  "  '/c' || coalesce(sum(charter_version), 0) FROM networks),"
                  " (SELECT 'charters=' || count(*) FROM charter_versions),"
                  " (SELECT 'memberships=' || count(*) || '/v' || coalesce(sum(version), 0)"
                  "  FROM memberships),"
                  " (SELECT 'sponsorships=' || count(*) FROM sponsorships),"
                  " (SELECT 'keys=' || count(*) FROM idempotency_keys),"
                  " (SELECT 'events=' || count(*) FROM outbox))")[0]
                .as<std::string>();
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  absl::StatusOr<v1::Organisation> CreateCompany(const std::string& name, int n) {
    v1::CreateOrganisationRequest req;
    *req.mutable_organisation() = ValidCompany(name, TestSiren("2", n));
    v1::Organisation org;
    grpc::Status s = Unary(h_, &Stub::CreateOrganisation, req, &org);
    if (!s.ok()) return FromGrpcStatus(s);
    return org;
  }

  absl::StatusOr<v1::Network> CreateNetwork(const std::string& name,
                                            const std::string& animating_organisation_id,
                                            v1::AdmissionPolicy policy, int sponsors) {
    v1::CreateNetworkRequest req;
    *req.mutable_network() = ValidNetwork(animating_organisation_id);
    req.mutable_network()->set_name(name);
    req.mutable_network()->set_admission_policy(policy);
    req.mutable_network()->set_required_sponsors(sponsors);
    v1::Network net;
    grpc::Status s = Unary(h_, &Stub::CreateNetwork, req, &net);
    if (!s.ok()) return FromGrpcStatus(s);
    return net;
  }

  absl::StatusOr<v1::Membership> Apply(const std::string& network_id,
                                       const std::string& organisation_id) {
    v1::ApplyForMembershipRequest req;
    req.set_network_id(network_id);
    req.set_organisation_id(organisation_id);
    v1::Membership m;
    grpc::Status s = Unary(h_, &Stub::ApplyForMembership, req, &m);
    if (!s.ok()) return FromGrpcStatus(s);
    return m;
  }

  MembershipHarness h_;
};

// ---------------------------------------------------------------------------------------------
// The create calls, on an empty database: nothing may be left behind.

TEST_F(BadInputTest, CreateCallsRefuseBadInputAndWriteNothing) {
  const std::string siren = TestSiren("2", 1);
  std::vector<Case> cases;
  for (const auto& sp : OrganisationSpoilers()) {
    cases.push_back({absl::StrCat("CreateOrganisation with ", sp.name),
                     absl::StrCat("organisation.", sp.field), [this, sp, siren] {
                       v1::CreateOrganisationRequest req;
                       *req.mutable_organisation() = ValidCompany("Plomberie Dupont", siren);
                       sp.spoil(*req.mutable_organisation());
                       return Unary(h_, &Stub::CreateOrganisation, req);
                     }});
  }
  for (const auto& [name, key] : std::vector<std::pair<std::string, std::string>>{
           {"idempotency_key over 128 characters", Repeat(kMaxIdempotencyKeyLength + 1)},
           {"idempotency_key with a control character", "key\x07"}}) {
    cases.push_back({absl::StrCat("CreateOrganisation with ", name), "idempotency_key",
                     [this, siren, key = key] {
                       v1::CreateOrganisationRequest req;
                       *req.mutable_organisation() = ValidCompany("Plomberie Dupont", siren);
                       req.set_idempotency_key(key);
                       return Unary(h_, &Stub::CreateOrganisation, req);
                     }});
    cases.push_back(
        {absl::StrCat("CreatePerson with ", name), "idempotency_key", [this, key = key] {
           v1::CreatePersonRequest req;
           *req.mutable_person() = ValidPerson("claire@exemple.fr");
           req.set_idempotency_key(key);
           return Unary(h_, &Stub::CreatePerson, req);
         }});
    cases.push_back(
        {absl::StrCat("CreateNetwork with ", name), "idempotency_key", [this, key = key] {
           v1::CreateNetworkRequest req;
           *req.mutable_network() = ValidNetwork("6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01");
           req.set_idempotency_key(key);
           return Unary(h_, &Stub::CreateNetwork, req);
         }});
  }
  cases.push_back({"CreateOrganisation without an organisation", "organisation.legal_name", [this] {
                     return Unary(h_, &Stub::CreateOrganisation, v1::CreateOrganisationRequest());
                   }});

  for (const auto& sp : PersonSpoilers()) {
    cases.push_back({absl::StrCat("CreatePerson with ", sp.name), absl::StrCat("person.", sp.field),
                     [this, sp] {
                       v1::CreatePersonRequest req;
                       *req.mutable_person() = ValidPerson("claire@exemple.fr");
                       sp.spoil(*req.mutable_person());
                       return Unary(h_, &Stub::CreatePerson, req);
                     }});
  }

  // The animating organisation does not exist: only validation may answer.
  const std::string animating = "6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01";
  for (const auto& sp : NetworkSpoilers()) {
    cases.push_back({absl::StrCat("CreateNetwork with ", sp.name),
                     absl::StrCat("network.", sp.field), [this, sp, animating] {
                       v1::CreateNetworkRequest req;
                       *req.mutable_network() = ValidNetwork(animating);
                       sp.spoil(*req.mutable_network());
                       return Unary(h_, &Stub::CreateNetwork, req);
                     }});
  }
  AddIdCases(
      "CreateNetwork", "network.animating_organisation_id",
      [this](const std::string& id) {
        v1::CreateNetworkRequest req;
        *req.mutable_network() = ValidNetwork(id);
        return Unary(h_, &Stub::CreateNetwork, req);
      },
      &cases);
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"empty charter", ""},
           {"blank charter", " \n\t "},
           {"charter over 20000 characters", Repeat(kMaxCharterLength + 1)}}) {
    cases.push_back({absl::StrCat("CreateNetwork with ", name), "network.charter.text",
                     [this, animating, text = text] {
                       v1::CreateNetworkRequest req;
                       *req.mutable_network() = ValidNetwork(animating);
                       req.mutable_network()->mutable_charter()->set_text(text);
                       return Unary(h_, &Stub::CreateNetwork, req);
                     }});
  }

  std::string before = DbFingerprint();
  Run(cases);
  EXPECT_EQ(DbFingerprint(), before) << "a refused call wrote something";
  std::cout << cases.size() << " bad-input cases\n";

  v1::ListOrganisationsResponse all;
  ASSERT_TRUE(Unary(h_, &Stub::ListOrganisations, v1::ListOrganisationsRequest(), &all).ok());
  EXPECT_EQ(all.organisations_size(), 0);
  v1::ListNetworksResponse networks;
  ASSERT_TRUE(Unary(h_, &Stub::ListNetworks, v1::ListNetworksRequest(), &networks).ok());
  EXPECT_EQ(networks.networks_size(), 0);

  // The valid drafts the cases started from are accepted: each case failed for its one field.
  v1::CreateOrganisationRequest good;
  *good.mutable_organisation() = ValidCompany("Plomberie Dupont", siren);
  v1::Organisation created;
  grpc::Status s = Unary(h_, &Stub::CreateOrganisation, good, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::CreatePersonRequest person;
  *person.mutable_person() = ValidPerson("claire@exemple.fr");
  s = Unary(h_, &Stub::CreatePerson, person);
  EXPECT_TRUE(s.ok()) << s.error_message();
  v1::CreateNetworkRequest network;
  *network.mutable_network() = ValidNetwork(created.organisation_id());
  s = Unary(h_, &Stub::CreateNetwork, network);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

// ---------------------------------------------------------------------------------------------
// Every other RPC, against a small world whose ids are real, so that only validation refuses.

TEST_F(BadInputTest, EveryOtherRpcRefusesBadInputAndWritesNothing) {
  absl::StatusOr<v1::Organisation> org = CreateCompany("Plomberie Dupont", 1);
  ASSERT_TRUE(org.ok()) << org.status();
  absl::StatusOr<v1::Organisation> applicant = CreateCompany("Électricité Martin", 2);
  ASSERT_TRUE(applicant.ok()) << applicant.status();
  v1::CreatePersonRequest person_req;
  *person_req.mutable_person() = ValidPerson("claire@exemple.fr");
  v1::Person person;
  ASSERT_TRUE(Unary(h_, &Stub::CreatePerson, person_req, &person).ok());
  absl::StatusOr<v1::Network> net = CreateNetwork("Grappe Éco-construction", org->organisation_id(),
                                                  v1::ADMISSION_POLICY_CO_OPTATION, 1);
  ASSERT_TRUE(net.ok()) << net.status();
  absl::StatusOr<v1::Membership> applied = Apply(net->network_id(), applicant->organisation_id());
  ASSERT_TRUE(applied.ok()) << applied.status();

  const std::string org_id = org->organisation_id();
  const std::string net_id = net->network_id();
  const std::string membership_id = applied->membership_id();
  const std::string person_id = person.person_id();
  std::vector<Case> cases;

  // Organisations.
  AddIdCases(
      "GetOrganisation", "organisation_id",
      [this](const std::string& id) {
        v1::GetOrganisationRequest req;
        req.set_organisation_id(id);
        return Unary(h_, &Stub::GetOrganisation, req);
      },
      &cases);
  for (const auto& sp : OrganisationSpoilers()) {
    cases.push_back({absl::StrCat("UpdateOrganisation with ", sp.name),
                     absl::StrCat("organisation.", sp.field), [this, sp, o = *org] {
                       v1::UpdateOrganisationRequest req;
                       *req.mutable_organisation() = o;
                       sp.spoil(*req.mutable_organisation());
                       return Unary(h_, &Stub::UpdateOrganisation, req);
                     }});
  }
  AddIdCases(
      "UpdateOrganisation", "organisation.organisation_id",
      [this, o = *org](const std::string& id) {
        v1::UpdateOrganisationRequest req;
        *req.mutable_organisation() = o;
        req.mutable_organisation()->set_organisation_id(id);
        return Unary(h_, &Stub::UpdateOrganisation, req);
      },
      &cases);
  for (int version : {0, -1}) {
    cases.push_back({absl::StrCat("UpdateOrganisation with version ", version),
                     "organisation.version", [this, o = *org, version] {
                       v1::UpdateOrganisationRequest req;
                       *req.mutable_organisation() = o;
                       req.mutable_organisation()->set_version(version);
                       return Unary(h_, &Stub::UpdateOrganisation, req);
                     }});
  }

  auto list_orgs = [this](std::function<void(v1::ListOrganisationsRequest&)> fill) {
    return [this, fill] {
      v1::ListOrganisationsRequest req;
      fill(req);
      return Unary(h_, &Stub::ListOrganisations, req);
    };
  };
  AddIdCases(
      "ListOrganisations", "network_id",
      [list_orgs](const std::string& id) {
        return list_orgs([id](v1::ListOrganisationsRequest& r) { r.set_network_id(id); })();
      },
      &cases, /*skip_empty=*/true);
  using LO = v1::ListOrganisationsRequest;
  cases.push_back({"ListOrganisations with name_prefix over 200 characters", "name_prefix",
                   list_orgs([](LO& r) { r.set_name_prefix(Repeat(kMaxNameLength + 1)); })});
  cases.push_back({"ListOrganisations with name_prefix holding a control character", "name_prefix",
                   list_orgs([](LO& r) { r.set_name_prefix("Plo\x02"); })});
  cases.push_back({"ListOrganisations with siren_prefix holding a letter", "siren_prefix",
                   list_orgs([](LO& r) { r.set_siren_prefix("73A"); })});
  cases.push_back({"ListOrganisations with siren_prefix of 10 digits", "siren_prefix",
                   list_orgs([](LO& r) { r.set_siren_prefix("1234567890"); })});
  cases.push_back({"ListOrganisations with siren_prefix as SQL injection", "siren_prefix",
                   list_orgs([](LO& r) { r.set_siren_prefix("' OR 1=1 --"); })});
  cases.push_back({"ListOrganisations with naf_prefix over 6 characters", "naf_prefix",
                   list_orgs([](LO& r) { r.set_naf_prefix("43.22AA"); })});
  cases.push_back({"ListOrganisations with departement_code of 4 digits", "departement_code",
                   list_orgs([](LO& r) { r.set_departement_code("3333"); })});
  cases.push_back({"ListOrganisations with commune_code of 3 digits", "commune_code",
                   list_orgs([](LO& r) { r.set_commune_code("330"); })});
  cases.push_back({"ListOrganisations with commune_code of 6 digits", "commune_code",
                   list_orgs([](LO& r) { r.set_commune_code("330630"); })});
  AddPageCases(
      "ListOrganisations",
      [this, net_id](const common::v1::PageRequest& page) {
        v1::ListOrganisationsRequest req;
        req.set_network_id(net_id);
        *req.mutable_page() = page;
        return Unary(h_, &Stub::ListOrganisations, req);
      },
      &cases);

  AddIdCases(
      "AddEstablishment", "organisation_id",
      [this, o = *org](const std::string& id) {
        v1::AddEstablishmentRequest req;
        req.set_organisation_id(id);
        req.mutable_establishment()->set_siret(NthSiret(o.siren(), 1));
        return Unary(h_, &Stub::AddEstablishment, req);
      },
      &cases);
  using E = v1::Establishment;
  std::string other_siren = TestSiren("2", 999);
  for (const auto& sp : std::vector<Spoiler<E>>{
           {"empty SIRET", [](E& e) { e.clear_siret(); }, "siret"},
           {"SIRET with a bad checksum", [](E& e) { e.set_siret(WithBadCheckDigit(e.siret())); },
            "siret"},
           {"SIRET of 15 digits", [](E& e) { e.set_siret(e.siret() + "0"); }, "siret"},
           {"SIRET with letters", [](E& e) { e.set_siret("7328293200007A"); }, "siret"},
           {"SIRET of another organisation's SIREN",
            [other_siren](E& e) { e.set_siret(NthSiret(other_siren, 1)); }, "siret"},
           {"postal code with a letter",
            [](E& e) { e.mutable_address()->set_postal_code("3300A"); }, "address.postal_code"},
           {"commune code not INSEE", [](E& e) { e.mutable_address()->set_commune_code("2C004"); },
            "address.commune_code"},
           {"country code of 3 letters", [](E& e) { e.mutable_address()->set_country_code("FRA"); },
            "address.country_code"},
           {"street over 300 characters",
            [](E& e) { e.mutable_address()->set_street(Repeat(301)); }, "address.street"},
           {"latitude -91", [](E& e) { e.mutable_location()->set_latitude(-91); },
            "location.latitude"},
           {"longitude 181", [](E& e) { e.mutable_location()->set_longitude(181); },
            "location.longitude"},
       }) {
    cases.push_back({absl::StrCat("AddEstablishment with ", sp.name),
                     absl::StrCat("establishment.", sp.field), [this, sp, o = *org] {
                       v1::AddEstablishmentRequest req;
                       req.set_organisation_id(o.organisation_id());
                       req.mutable_establishment()->set_siret(NthSiret(o.siren(), 1));
                       req.mutable_establishment()->mutable_address()->set_city("Mérignac");
                       sp.spoil(*req.mutable_establishment());
                       return Unary(h_, &Stub::AddEstablishment, req);
                     }});
  }

  // People and representations.
  AddIdCases(
      "GetPerson", "person_id",
      [this](const std::string& id) {
        v1::GetPersonRequest req;
        req.set_person_id(id);
        return Unary(h_, &Stub::GetPerson, req);
      },
      &cases);
  AddIdCases(
      "AddRepresentation", "organisation_id",
      [this, person_id](const std::string& id) {
        v1::AddRepresentationRequest req;
        req.set_organisation_id(id);
        req.set_person_id(person_id);
        return Unary(h_, &Stub::AddRepresentation, req);
      },
      &cases);
  AddIdCases(
      "AddRepresentation", "person_id",
      [this, org_id](const std::string& id) {
        v1::AddRepresentationRequest req;
        req.set_organisation_id(org_id);
        req.set_person_id(id);
        return Unary(h_, &Stub::AddRepresentation, req);
      },
      &cases);
  cases.push_back(
      {"AddRepresentation with role_title over 100 characters", "role_title", [=, this] {
         v1::AddRepresentationRequest req;
         req.set_organisation_id(org_id);
         req.set_person_id(person_id);
         req.set_role_title(Repeat(101));
         return Unary(h_, &Stub::AddRepresentation, req);
       }});
  AddIdCases(
      "ListRepresentations", "organisation_id",
      [this](const std::string& id) {
        v1::ListRepresentationsRequest req;
        req.set_organisation_id(id);
        return Unary(h_, &Stub::ListRepresentations, req);
      },
      &cases);

  // Networks and charters.
  AddIdCases(
      "GetNetwork", "network_id",
      [this](const std::string& id) {
        v1::GetNetworkRequest req;
        req.set_network_id(id);
        return Unary(h_, &Stub::GetNetwork, req);
      },
      &cases);
  for (const auto& sp : NetworkSpoilers()) {
    cases.push_back({absl::StrCat("UpdateNetwork with ", sp.name),
                     absl::StrCat("network.", sp.field), [this, sp, n = *net] {
                       v1::UpdateNetworkRequest req;
                       *req.mutable_network() = n;
                       sp.spoil(*req.mutable_network());
                       return Unary(h_, &Stub::UpdateNetwork, req);
                     }});
  }
  AddIdCases(
      "UpdateNetwork", "network.network_id",
      [this, n = *net](const std::string& id) {
        v1::UpdateNetworkRequest req;
        *req.mutable_network() = n;
        req.mutable_network()->set_network_id(id);
        return Unary(h_, &Stub::UpdateNetwork, req);
      },
      &cases);
  cases.push_back({"UpdateNetwork with version 0", "network.version", [this, n = *net] {
                     v1::UpdateNetworkRequest req;
                     *req.mutable_network() = n;
                     req.mutable_network()->set_version(0);
                     return Unary(h_, &Stub::UpdateNetwork, req);
                   }});

  auto list_networks = [this](std::function<void(v1::ListNetworksRequest&)> fill) {
    return [this, fill] {
      v1::ListNetworksRequest req;
      fill(req);
      return Unary(h_, &Stub::ListNetworks, req);
    };
  };
  using LN = v1::ListNetworksRequest;
  cases.push_back({"ListNetworks with kind 999", "kind",
                   list_networks([](LN& r) { r.set_kind(static_cast<v1::NetworkKind>(999)); })});
  cases.push_back({"ListNetworks with kind -1", "kind",
                   list_networks([](LN& r) { r.set_kind(static_cast<v1::NetworkKind>(-1)); })});
  cases.push_back({"ListNetworks with name_prefix over 200 characters", "name_prefix",
                   list_networks([](LN& r) { r.set_name_prefix(Repeat(kMaxNameLength + 1)); })});
  cases.push_back({"ListNetworks with departement_code of 4 digits", "departement_code",
                   list_networks([](LN& r) { r.set_departement_code("3333"); })});
  AddPageCases(
      "ListNetworks",
      [this](const common::v1::PageRequest& page) {
        v1::ListNetworksRequest req;
        *req.mutable_page() = page;
        return Unary(h_, &Stub::ListNetworks, req);
      },
      &cases);

  auto publish = [this, net_id](std::string id, std::string text, int version) {
    return [this, id, text, version] {
      v1::PublishCharterRequest req;
      req.set_network_id(id);
      req.set_text(text);
      req.set_expected_current_version(version);
      return Unary(h_, &Stub::PublishCharter, req);
    };
  };
  AddIdCases(
      "PublishCharter", "network_id",
      [publish](const std::string& id) { return publish(id, "Version 2", 1)(); }, &cases);
  cases.push_back({"PublishCharter with an empty text", "text", publish(net_id, "", 1)});
  cases.push_back({"PublishCharter with a blank text", "text", publish(net_id, "  \n ", 1)});
  cases.push_back({"PublishCharter with a text over 20000 characters", "text",
                   publish(net_id, Repeat(kMaxCharterLength + 1), 1)});
  cases.push_back({"PublishCharter with expected_current_version 0", "expected_current_version",
                   publish(net_id, "Version 2", 0)});
  cases.push_back({"PublishCharter with expected_current_version -1", "expected_current_version",
                   publish(net_id, "Version 2", -1)});

  // Memberships.
  auto apply = [this](std::string network_id, std::string organisation_id, int role,
                      std::string motivation, std::string key) {
    return [=, this] {
      v1::ApplyForMembershipRequest req;
      req.set_network_id(network_id);
      req.set_organisation_id(organisation_id);
      req.set_role(static_cast<auth::NetworkRole>(role));
      req.set_motivation(motivation);
      req.set_idempotency_key(key);
      return Unary(h_, &Stub::ApplyForMembership, req);
    };
  };
  AddIdCases(
      "ApplyForMembership", "network_id",
      [apply, org_id](const std::string& id) { return apply(id, org_id, 0, "", "")(); }, &cases);
  AddIdCases(
      "ApplyForMembership", "organisation_id",
      [apply, net_id](const std::string& id) { return apply(net_id, id, 0, "", "")(); }, &cases);
  cases.push_back({"ApplyForMembership with role 999", "role", apply(net_id, org_id, 999, "", "")});
  cases.push_back({"ApplyForMembership with role -1", "role", apply(net_id, org_id, -1, "", "")});
  cases.push_back({"ApplyForMembership with a motivation over 2000 characters", "motivation",
                   apply(net_id, org_id, 0, Repeat(kMaxShortTextLength + 1), "")});
  cases.push_back({"ApplyForMembership with idempotency_key over 128 characters", "idempotency_key",
                   apply(net_id, org_id, 0, "", Repeat(kMaxIdempotencyKeyLength + 1))});

  auto sponsor = [this](std::string membership, std::string sponsor_org) {
    return [this, membership, sponsor_org] {
      v1::SponsorMembershipRequest req;
      req.set_membership_id(membership);
      req.set_sponsor_organisation_id(sponsor_org);
      return Unary(h_, &Stub::SponsorMembership, req);
    };
  };
  AddIdCases(
      "SponsorMembership", "membership_id",
      [sponsor, org_id](const std::string& id) { return sponsor(id, org_id)(); }, &cases);
  // An admin acts for no organisation: the sponsor must be named, and well formed.
  AddIdCases(
      "SponsorMembership", "sponsor_organisation_id",
      [sponsor, membership_id](const std::string& id) { return sponsor(membership_id, id)(); },
      &cases);
  cases.push_back({"SponsorMembership of an applicant by itself", "sponsor_organisation_id",
                   sponsor(membership_id, applicant->organisation_id())});

  // The RPCs that only take a membership id.
  auto by_membership_id = [this](const std::string& rpc, const std::string& id) -> grpc::Status {
    if (rpc == "ApproveMembership") {
      v1::ApproveMembershipRequest req;
      req.set_membership_id(id);
      return Unary(h_, &Stub::ApproveMembership, req);
    }
    if (rpc == "RejectMembership") {
      v1::RejectMembershipRequest req;
      req.set_membership_id(id);
      return Unary(h_, &Stub::RejectMembership, req);
    }
    if (rpc == "SuspendMembership") {
      v1::SuspendMembershipRequest req;
      req.set_membership_id(id);
      return Unary(h_, &Stub::SuspendMembership, req);
    }
    if (rpc == "ReinstateMembership") {
      v1::ReinstateMembershipRequest req;
      req.set_membership_id(id);
      return Unary(h_, &Stub::ReinstateMembership, req);
    }
    if (rpc == "LeaveNetwork") {
      v1::LeaveNetworkRequest req;
      req.set_membership_id(id);
      return Unary(h_, &Stub::LeaveNetwork, req);
    }
    if (rpc == "ChangeMembershipRole") {
      v1::ChangeMembershipRoleRequest req;
      req.set_membership_id(id);
      req.set_role(auth::v1::NETWORK_ROLE_BOARD);
      return Unary(h_, &Stub::ChangeMembershipRole, req);
    }
    if (rpc == "SignCharter") {
      v1::SignCharterRequest req;
      req.set_membership_id(id);
      req.set_person_id("6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01");
      req.set_charter_version(1);
      return Unary(h_, &Stub::SignCharter, req);
    }
    v1::GetMembershipRequest req;
    req.set_membership_id(id);
    return Unary(h_, &Stub::GetMembership, req);
  };
  for (const char* rpc :
       {"ApproveMembership", "RejectMembership", "SignCharter", "SuspendMembership",
        "ReinstateMembership", "LeaveNetwork", "ChangeMembershipRole", "GetMembership"}) {
    AddIdCases(
        rpc, "membership_id",
        [by_membership_id, rpc](const std::string& id) { return by_membership_id(rpc, id); },
        &cases);
  }
  cases.push_back({"RejectMembership with a reason over 2000 characters", "reason", [=, this] {
                     v1::RejectMembershipRequest req;
                     req.set_membership_id(membership_id);
                     req.set_reason(Repeat(kMaxShortTextLength + 1));
                     return Unary(h_, &Stub::RejectMembership, req);
                   }});
  cases.push_back({"SuspendMembership with a reason over 2000 characters", "reason", [=, this] {
                     v1::SuspendMembershipRequest req;
                     req.set_membership_id(membership_id);
                     req.set_reason(Repeat(kMaxShortTextLength + 1));
                     return Unary(h_, &Stub::SuspendMembership, req);
                   }});
  AddIdCases(
      "SignCharter", "person_id",
      [this, membership_id](const std::string& id) {
        v1::SignCharterRequest req;
        req.set_membership_id(membership_id);
        req.set_person_id(id);
        req.set_charter_version(1);
        return Unary(h_, &Stub::SignCharter, req);
      },
      &cases);
  for (int version : {0, -5}) {
    cases.push_back(
        {absl::StrCat("SignCharter with charter_version ", version), "charter_version", [=, this] {
           v1::SignCharterRequest req;
           req.set_membership_id(membership_id);
           req.set_person_id(person_id);
           req.set_charter_version(version);
           return Unary(h_, &Stub::SignCharter, req);
         }});
  }
  for (int role : {0, 999, -1}) {
    cases.push_back({absl::StrCat("ChangeMembershipRole with role ", role), "role", [=, this] {
                       v1::ChangeMembershipRoleRequest req;
                       req.set_membership_id(membership_id);
                       req.set_role(static_cast<auth::NetworkRole>(role));
                       return Unary(h_, &Stub::ChangeMembershipRole, req);
                     }});
  }

  auto list_memberships = [this](std::function<void(v1::ListMembershipsRequest&)> fill) {
    return [this, fill] {
      v1::ListMembershipsRequest req;
      fill(req);
      return Unary(h_, &Stub::ListMemberships, req);
    };
  };
  using LM = v1::ListMembershipsRequest;
  cases.push_back({"ListMemberships without network_id nor organisation_id", "network_id",
                   list_memberships([](LM&) {})});
  AddIdCases(
      "ListMemberships", "network_id",
      [list_memberships](const std::string& id) {
        return list_memberships([id](LM& r) { r.set_network_id(id); })();
      },
      &cases, /*skip_empty=*/true);
  AddIdCases(
      "ListMemberships", "organisation_id",
      [list_memberships](const std::string& id) {
        return list_memberships([id](LM& r) { r.set_organisation_id(id); })();
      },
      &cases, /*skip_empty=*/true);
  cases.push_back({"ListMemberships with state 999", "state", list_memberships([net_id](LM& r) {
                     r.set_network_id(net_id);
                     r.set_state(static_cast<v1::MembershipState>(999));
                   })});
  cases.push_back({"ListMemberships with state -1", "state", list_memberships([net_id](LM& r) {
                     r.set_network_id(net_id);
                     r.set_state(static_cast<v1::MembershipState>(-1));
                   })});
  cases.push_back({"ListMemberships with role 999", "role", list_memberships([net_id](LM& r) {
                     r.set_network_id(net_id);
                     r.set_role(static_cast<auth::NetworkRole>(999));
                   })});
  AddPageCases(
      "ListMemberships",
      [this, net_id](const common::v1::PageRequest& page) {
        v1::ListMembershipsRequest req;
        req.set_network_id(net_id);
        *req.mutable_page() = page;
        return Unary(h_, &Stub::ListMemberships, req);
      },
      &cases);

  // Import: the options first, then CSV chunks.
  const std::string csv =
      absl::StrCat("siren,legal_name,kind\n", TestSiren("2", 50), ",Nouvelle,company\n");
  cases.push_back({"ImportOrganisations starting with a chunk", "options",
                   [this, csv] { return Import(h_, {Chunk(csv)}); }});
  cases.push_back(
      {"ImportOrganisations with an empty stream", "options", [this] { return Import(h_, {}); }});
  AddIdCases(
      "ImportOrganisations", "options.network_id",
      [this, csv](const std::string& id) {
        return Import(h_, {Options(id), Chunk(csv)});
      },
      &cases,
      /*skip_empty=*/true);
  for (int size : {1001, -1, INT_MIN}) {
    cases.push_back({absl::StrCat("ImportOrganisations with batch_size ", size),
                     "options.batch_size", [this, csv, size] {
                       return Import(h_, {Options("", size), Chunk(csv)});
                     }});
  }
  cases.push_back({"ImportOrganisations with options twice", "chunk", [this, csv, net_id] {
                     return Import(h_, {Options(net_id), Options(net_id), Chunk(csv)});
                   }});
  cases.push_back({"ImportOrganisations without any CSV", "chunk",
                   [this, net_id] { return Import(h_, {Options(net_id)}); }});
  cases.push_back(
      {"ImportOrganisations with a quote left open", "chunk", [this, net_id] {
         return Import(
             h_, {Options(net_id), Chunk(absl::StrCat("siren,legal_name,kind\n", TestSiren("2", 51),
                                                      ",\"Ouverte,company\n"))});
       }});
  cases.push_back({"ImportOrganisations without the kind column", "header", [this, net_id] {
                     return Import(h_, {Options(net_id),
                                        Chunk(absl::StrCat("siren,legal_name\n", TestSiren("2", 52),
                                                           ",Sans Forme\n"))});
                   }});
  cases.push_back(
      {"ImportOrganisations with an unknown column", "header", [this, net_id] {
         return Import(
             h_, {Options(net_id), Chunk(absl::StrCat("siren,legal_name,kind,password\n",
                                                      TestSiren("2", 53), ",X,company,secret\n"))});
       }});

  // Export.
  AddIdCases(
      "ExportMembers", "network_id",
      [this](const std::string& id) {
        v1::ExportMembersRequest req;
        req.set_network_id(id);
        return Export(h_, req);
      },
      &cases);
  cases.push_back({"ExportMembers with state UNSPECIFIED", "states[0]", [this, net_id] {
                     v1::ExportMembersRequest req;
                     req.set_network_id(net_id);
                     req.add_states(v1::MEMBERSHIP_STATE_UNSPECIFIED);
                     return Export(h_, req);
                   }});
  cases.push_back({"ExportMembers with state 999", "states[1]", [this, net_id] {
                     v1::ExportMembersRequest req;
                     req.set_network_id(net_id);
                     req.add_states(v1::MEMBERSHIP_STATE_ACTIVE);
                     req.add_states(static_cast<v1::MembershipState>(999));
                     return Export(h_, req);
                   }});

  std::string before = DbFingerprint();
  Run(cases);
  EXPECT_EQ(DbFingerprint(), before) << "a refused call wrote something";
  std::cout << cases.size() << " bad-input cases\n";
}

// ---------------------------------------------------------------------------------------------
// Page tokens: bound to the query that issued them, and refused when tampered with.

TEST_F(BadInputTest, PageTokensAreBoundToTheirQueryAndCannotBeForged) {
  // Three organisations, all members of an open network; three networks.
  std::vector<v1::Organisation> orgs;
  for (int i = 1; i <= 3; ++i) {
    absl::StatusOr<v1::Organisation> org = CreateCompany(absl::StrCat("Atelier ", i), i);
    ASSERT_TRUE(org.ok()) << org.status();
    orgs.push_back(*org);
  }
  absl::StatusOr<v1::Network> net =
      CreateNetwork("Réseau ouvert", orgs[0].organisation_id(), v1::ADMISSION_POLICY_OPEN, 0);
  ASSERT_TRUE(net.ok()) << net.status();
  for (int i = 1; i < 3; ++i) ASSERT_TRUE(Apply(net->network_id(), orgs[i].organisation_id()).ok());
  for (const char* name : {"Réseau B", "Réseau C"}) {
    ASSERT_TRUE(CreateNetwork(name, orgs[0].organisation_id(), v1::ADMISSION_POLICY_OPEN, 0).ok());
  }
  const std::string net_id = net->network_id();
  std::string before = DbFingerprint();

  // One token of each listing, for the page after the first row.
  v1::ListOrganisationsRequest orgs_req;
  orgs_req.set_network_id(net_id);
  orgs_req.mutable_page()->set_page_size(1);
  v1::ListOrganisationsResponse orgs_page;
  ASSERT_TRUE(Unary(h_, &Stub::ListOrganisations, orgs_req, &orgs_page).ok());
  const std::string orgs_token = orgs_page.page().next_page_token();
  ASSERT_FALSE(orgs_token.empty());

  v1::ListNetworksRequest nets_req;
  nets_req.mutable_page()->set_page_size(1);
  v1::ListNetworksResponse nets_page;
  ASSERT_TRUE(Unary(h_, &Stub::ListNetworks, nets_req, &nets_page).ok());
  const std::string nets_token = nets_page.page().next_page_token();
  ASSERT_FALSE(nets_token.empty());

  v1::ListMembershipsRequest members_req;
  members_req.set_network_id(net_id);
  members_req.mutable_page()->set_page_size(1);
  v1::ListMembershipsResponse members_page;
  ASSERT_TRUE(Unary(h_, &Stub::ListMemberships, members_req, &members_page).ok());
  const std::string members_token = members_page.page().next_page_token();
  ASSERT_FALSE(members_token.empty());

  // Sanity: with the same filters each token gives the next page.
  {
    v1::ListOrganisationsRequest next = orgs_req;
    next.mutable_page()->set_page_token(orgs_token);
    v1::ListOrganisationsResponse page;
    grpc::Status s = Unary(h_, &Stub::ListOrganisations, next, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(page.organisations_size(), 1);
    EXPECT_NE(page.organisations(0).organisation_id(),
              orgs_page.organisations(0).organisation_id());
  }

  std::vector<Case> cases;
  auto list_orgs = [this, orgs_req](std::function<void(v1::ListOrganisationsRequest&)> fill,
                                    std::string token) {
    return [this, orgs_req, fill, token] {
      v1::ListOrganisationsRequest req = orgs_req;
      fill(req);
      req.mutable_page()->set_page_token(token);
      return Unary(h_, &Stub::ListOrganisations, req);
    };
  };
  auto list_nets = [this, nets_req](std::function<void(v1::ListNetworksRequest&)> fill,
                                    std::string token) {
    return [this, nets_req, fill, token] {
      v1::ListNetworksRequest req = nets_req;
      fill(req);
      req.mutable_page()->set_page_token(token);
      return Unary(h_, &Stub::ListNetworks, req);
    };
  };
  auto list_members = [this, members_req](std::function<void(v1::ListMembershipsRequest&)> fill,
                                          std::string token) {
    return [this, members_req, fill, token] {
      v1::ListMembershipsRequest req = members_req;
      fill(req);
      req.mutable_page()->set_page_token(token);
      return Unary(h_, &Stub::ListMemberships, req);
    };
  };
  using LO = v1::ListOrganisationsRequest;
  using LN = v1::ListNetworksRequest;
  using LM = v1::ListMembershipsRequest;

  // Reused with other filters.
  cases.push_back({"ListOrganisations token reused with a name_prefix", "page.page_token",
                   list_orgs([](LO& r) { r.set_name_prefix("Atelier"); }, orgs_token)});
  cases.push_back({"ListOrganisations token reused with a departement_code", "page.page_token",
                   list_orgs([](LO& r) { r.set_departement_code("33"); }, orgs_token)});
  cases.push_back({"ListOrganisations token reused without the network", "page.page_token",
                   list_orgs([](LO& r) { r.clear_network_id(); }, orgs_token)});
  cases.push_back({"ListNetworks token reused with a kind", "page.page_token",
                   list_nets([](LN& r) { r.set_kind(v1::NETWORK_KIND_CLUSTER); }, nets_token)});
  cases.push_back({"ListNetworks token reused with a name_prefix", "page.page_token",
                   list_nets([](LN& r) { r.set_name_prefix("Réseau"); }, nets_token)});
  cases.push_back(
      {"ListMemberships token reused with a state", "page.page_token",
       list_members([](LM& r) { r.set_state(v1::MEMBERSHIP_STATE_ACTIVE); }, members_token)});
  cases.push_back(
      {"ListMemberships token reused with charter_signature_required", "page.page_token",
       list_members([](LM& r) { r.set_charter_signature_required(true); }, members_token)});
  cases.push_back({"ListMemberships token reused for an organisation", "page.page_token",
                   list_members(
                       [o = orgs[0].organisation_id()](LM& r) {
                         r.clear_network_id();
                         r.set_organisation_id(o);
                       },
                       members_token)});
  // Carried to another listing.
  cases.push_back({"ListNetworks token used in ListOrganisations", "page.page_token",
                   list_orgs([](LO&) {}, nets_token)});
  cases.push_back({"ListOrganisations token used in ListMemberships", "page.page_token",
                   list_members([](LM&) {}, orgs_token)});
  cases.push_back({"ListMemberships token used in ListNetworks", "page.page_token",
                   list_nets([](LN&) {}, members_token)});

  // Tampered with: the fingerprint is kept, the sort key is not one the service issued.
  struct Tamper {
    std::string name;
    std::function<void(std::vector<std::string>&)> edit;
  };
  std::vector<Tamper> tampers = {
      {"an id that is not a UUID", [](std::vector<std::string>& f) { f.back() = "not-a-uuid"; }},
      {"an id as SQL injection",
       [](std::vector<std::string>& f) { f.back() = "'; DROP TABLE organisations; --"; }},
      {"the id left out", [](std::vector<std::string>& f) { f.pop_back(); }},
      {"a third key", [](std::vector<std::string>& f) { f.push_back("extra"); }},
      {"a name key that is not UTF-8",
       [](std::vector<std::string>& f) { f[0] = "atelier \xff\xfe"; }},
      {"a name key with an overlong UTF-8 sequence",
       [](std::vector<std::string>& f) { f[0] = "atelier \xc0\xaf"; }},
      {"a name key with a UTF-16 surrogate",
       [](std::vector<std::string>& f) { f[0] = "\xed\xa0\x80"; }},
      {"a name key holding a NUL byte",
       [](std::vector<std::string>& f) { f[0] = std::string("atelier\0x", 9); }},
  };
  for (const Tamper& t : tampers) {
    for (const auto& [rpc, token] :
         std::vector<std::pair<std::string, std::string>>{{"ListOrganisations", orgs_token},
                                                          {"ListNetworks", nets_token},
                                                          {"ListMemberships", members_token}}) {
      std::string forged = Forge(token, t.edit);
      std::string name = absl::StrCat(rpc, " token forged with ", t.name);
      if (rpc == "ListOrganisations") {
        cases.push_back({name, "page.page_token", list_orgs([](LO&) {}, forged)});
      } else if (rpc == "ListNetworks") {
        cases.push_back({name, "page.page_token", list_nets([](LN&) {}, forged)});
      } else {
        cases.push_back({name, "page.page_token", list_members([](LM&) {}, forged)});
      }
    }
  }

  // What a client can do without the key: edit a real token, or sign one under a key of its
  // own.
  for (const auto& [rpc, token] :
       std::vector<std::pair<std::string, std::string>>{{"ListOrganisations", orgs_token},
                                                        {"ListNetworks", nets_token},
                                                        {"ListMemberships", members_token}}) {
    std::string raw;
    ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
    // The last character of the id, just before the 32-byte signature.
    raw[raw.size() - 33] = raw[raw.size() - 33] == '0' ? '1' : '0';
    std::vector<std::string> fields = TokenFields(token);
    ASSERT_EQ(fields.size(), 4u);
    uint64_t fingerprint = 0;
    ASSERT_TRUE(absl::SimpleAtoi(fields[1], &fingerprint));
    for (const auto& [how, forged] : std::vector<std::pair<std::string, std::string>>{
             {"its id edited, its signature kept", absl::WebSafeBase64Escape(raw)},
             {"signed under another key",
              PageTokenCodec("a-key-of-the-clients-own-a-key-of-the-clients-own")
                  .Encode(fingerprint, {fields[2], fields[3]})}}) {
      std::string name = absl::StrCat(rpc, " token ", how);
      if (rpc == "ListOrganisations") {
        cases.push_back({name, "page.page_token", list_orgs([](LO&) {}, forged)});
      } else if (rpc == "ListNetworks") {
        cases.push_back({name, "page.page_token", list_nets([](LN&) {}, forged)});
      } else {
        cases.push_back({name, "page.page_token", list_members([](LM&) {}, forged)});
      }
    }
  }

  Run(cases);
  EXPECT_EQ(DbFingerprint(), before) << "a refused call wrote something";
  std::cout << cases.size() << " page-token cases\n";
}

}  // namespace
}  // namespace maillage::membership
