// Request validation: regression tests for what the fuzzer (membership_validation_fuzz.cc)
// found.
#include "services/membership/membership_validation.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace maillage::membership {
namespace {

// A company whose head office is in `commune_code`, with no territory of its own.
v1::Organisation CompanyIn(const std::string& commune_code) {
  v1::Organisation o;
  o.set_organisation_id("6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01");
  o.set_version(1);
  o.set_legal_name("Atelier");
  o.set_kind(v1::ORGANISATION_KIND_COMPANY);
  o.set_siren("732829320");
  v1::Establishment* e = o.add_establishments();
  e->set_siret("73282932000074");
  e->set_head_office(true);
  e->mutable_address()->set_commune_code(commune_code);
  return o;
}

// Found by the fuzzer (fuzz/corpus/membership_validation_fuzz/crash-0e1b5ebb...): the
// territory derived from a head office in commune 97063 got département "970", which does
// not exist, so the organisation as stored (and read back by its representative) was refused
// by the next UpdateOrganisation. Such codes are now refused at creation (they name no
// département), and every accepted one keeps the organisation valid once normalised.
TEST(NormalisedTest, AValidOrganisationStaysValidOnceNormalised) {
  for (const std::string commune : {"97063", "20123", "96001", "00001", "97701", "98735"}) {
    SCOPED_TRACE(commune);
    EXPECT_EQ(ValidateOrganisation(CompanyIn(commune), "organisation", Purpose::kCreate),
              InvalidField("organisation.establishments[0].address.commune_code",
                           "not an INSEE commune code"));
  }
  for (const std::string commune : {"33063", "01001", "2B033", "97411", "97617"}) {
    SCOPED_TRACE(commune);
    v1::Organisation o = CompanyIn(commune);
    ASSERT_TRUE(ValidateOrganisation(o, "organisation", Purpose::kCreate).ok());
    v1::Organisation stored = Normalised(o);
    EXPECT_EQ(ValidateOrganisation(stored, "organisation", Purpose::kUpdate), absl::OkStatus());
    EXPECT_EQ(stored.territory().commune_codes_size(), 1);
  }
}

TEST(NormalisedTest, TheHeadOfficeGivesTheTerritory) {
  v1::Organisation stored = Normalised(CompanyIn("33063"));
  ASSERT_EQ(stored.territory().commune_codes_size(), 1);
  EXPECT_EQ(stored.territory().commune_codes(0), "33063");
  ASSERT_EQ(stored.territory().departement_codes_size(), 1);
  EXPECT_EQ(stored.territory().departement_codes(0), "33");
  stored = Normalised(CompanyIn("97411"));
  ASSERT_EQ(stored.territory().departement_codes_size(), 1);
  EXPECT_EQ(stored.territory().departement_codes(0), "974");
  stored = Normalised(CompanyIn("2A004"));
  ASSERT_EQ(stored.territory().departement_codes_size(), 1);
  EXPECT_EQ(stored.territory().departement_codes(0), "2A");
}

// A network created with several mistakes hears of all of them in one answer, as an
// organisation or a person does.
TEST(NetworkViolationsTest, ListsEveryBadFieldInOrder) {
  v1::Network n;
  n.set_animating_organisation_id("6D1F6A8E-3F0B-4C8E-9A4E-2B7C1D0E5F01x");
  n.mutable_charter()->set_text("Charte");
  n.set_name("");
  n.set_kind(v1::NETWORK_KIND_CLUSTER);
  n.add_sector_focus("Z");
  n.set_admission_policy(v1::ADMISSION_POLICY_OPEN);
  n.set_required_sponsors(2);
  std::vector<std::string> fields;
  for (const FieldViolation& v : NetworkViolations(n, "network", Purpose::kCreate)) {
    fields.push_back(v.field);
  }
  EXPECT_EQ(fields,
            (std::vector<std::string>{"network.animating_organisation_id", "network.name",
                                      "network.sector_focus[0]", "network.required_sponsors"}));
  absl::Status first = ValidateNetwork(n, "network", Purpose::kCreate);
  EXPECT_EQ(first.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(first.message().substr(0, 34), "network.animating_organisation_id:");
}

}  // namespace
}  // namespace maillage::membership
