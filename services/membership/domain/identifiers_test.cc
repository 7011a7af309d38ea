#include "services/membership/domain/identifiers.h"

#include <gtest/gtest.h>

namespace maillage::membership {
namespace {

TEST(SirenTest, AcceptsRealSirensAndRejectsTypos) {
  EXPECT_TRUE(IsValidSiren("732829320"));   // a well-known listed company
  EXPECT_TRUE(IsValidSiren("356000000"));   // La Poste
  EXPECT_FALSE(IsValidSiren("732829321"));  // last digit typo breaks the checksum
  EXPECT_FALSE(IsValidSiren("73282932"));   // 8 digits
  EXPECT_FALSE(IsValidSiren("7328293200"));
  EXPECT_FALSE(IsValidSiren("73282932A"));
  EXPECT_FALSE(IsValidSiren(""));
}

TEST(SiretTest, LuhnAndSirenPrefix) {
  EXPECT_TRUE(IsValidSiret("73282932000074"));
  EXPECT_FALSE(IsValidSiret("73282932000075"));
  EXPECT_FALSE(IsValidSiret("7328293200007"));
  EXPECT_TRUE(SiretExtendsSiren("73282932000074", "732829320"));
  EXPECT_FALSE(SiretExtendsSiren("73282932000074", "552100554"));
}

TEST(SiretTest, LaPosteEstablishmentsUseTheDigitSum) {
  EXPECT_TRUE(IsValidSiret("35600000000048"));   // head office, passes Luhn
  EXPECT_TRUE(IsValidSiret("35600000012346"));   // digit sum 30, Luhn would refuse it
  EXPECT_FALSE(IsValidSiret("35600000012345"));  // digit sum 29
}

TEST(NafTest, FormatAndSection) {
  EXPECT_TRUE(IsValidNafCode("62.01Z"));
  EXPECT_TRUE(IsValidNafCode("43.22A"));
  EXPECT_FALSE(IsValidNafCode("6201Z"));
  EXPECT_FALSE(IsValidNafCode("62.01z"));
  EXPECT_FALSE(IsValidNafCode("04.01Z"));  // division 04 does not exist
  EXPECT_EQ(NaceSectionOfNaf("62.01Z"), "J");
  EXPECT_EQ(NaceSectionOfNaf("43.22A"), "F");
  EXPECT_EQ(NaceSectionOfNaf("71.12B"), "M");
  EXPECT_EQ(NaceSectionOfNaf("01.11Z"), "A");
  EXPECT_EQ(NaceSectionOfNaf("99.00Z"), "U");
  EXPECT_TRUE(IsValidNaceSection("J"));
  EXPECT_FALSE(IsValidNaceSection("V"));
}

TEST(TerritoryTest, InseeCodes) {
  EXPECT_TRUE(IsValidCommuneCode("33063"));
  EXPECT_TRUE(IsValidCommuneCode("2A004"));
  EXPECT_FALSE(IsValidCommuneCode("3306"));
  EXPECT_TRUE(IsValidCommuneCode("01001"));
  EXPECT_TRUE(IsValidCommuneCode("95690"));
  EXPECT_TRUE(IsValidCommuneCode("2B033"));
  EXPECT_TRUE(IsValidCommuneCode("97411"));
  EXPECT_TRUE(IsValidCommuneCode("97617"));
}

TEST(TerritoryTest, CommuneCodesStartWithADepartement) {
  EXPECT_FALSE(IsValidCommuneCode("00123"));  // no département 00
  EXPECT_FALSE(IsValidCommuneCode("96001"));  // nor 96
  EXPECT_FALSE(IsValidCommuneCode("20004"));  // Corsica is 2A or 2B
  EXPECT_FALSE(IsValidCommuneCode("2C004"));
  EXPECT_FALSE(IsValidCommuneCode("97001"));  // overseas: 971..976
  EXPECT_FALSE(IsValidCommuneCode("97701"));
  EXPECT_FALSE(IsValidCommuneCode("98735"));
  EXPECT_FALSE(IsValidCommuneCode("2A0O4"));
  EXPECT_FALSE(IsValidCommuneCode("75000"));  // numbers start at 001: a postal code
  EXPECT_FALSE(IsValidCommuneCode("97400"));  // overseas: at 01
  EXPECT_TRUE(IsValidCommuneCode("75101"));   // Paris 1er arrondissement
  EXPECT_EQ(DepartementOfCommune("33063"), "33");
  EXPECT_EQ(DepartementOfCommune("97411"), "974");
  EXPECT_EQ(DepartementOfCommune("2B033"), "2B");
  EXPECT_TRUE(IsValidDepartementCode("33"));
  EXPECT_TRUE(IsValidDepartementCode("974"));
  EXPECT_FALSE(IsValidDepartementCode("20"));
  EXPECT_FALSE(IsValidDepartementCode("96"));
  EXPECT_TRUE(IsValidRegionCode("75"));
  EXPECT_FALSE(IsValidRegionCode("99"));
  EXPECT_TRUE(IsValidPostalCode("33000"));
  EXPECT_FALSE(IsValidPostalCode("3300"));
}

TEST(ContactTest, EmailPhoneWebsite) {
  EXPECT_TRUE(IsValidEmail("claire.martin@atelier-bois.fr"));
  EXPECT_FALSE(IsValidEmail("claire.martin@"));
  EXPECT_FALSE(IsValidEmail("claire martin@x.fr"));
  EXPECT_FALSE(IsValidEmail("a@b@c.fr"));
  EXPECT_FALSE(IsValidEmail("a@fr"));
  EXPECT_TRUE(IsValidPhone("+33 5 56 12 34 56"));
  EXPECT_TRUE(IsValidPhone("06.12.34.56.78"));
  EXPECT_FALSE(IsValidPhone("12345"));
  EXPECT_FALSE(IsValidPhone("06 12 34 56 7x"));
  EXPECT_TRUE(IsValidWebsite("https://atelier-bois.fr/contact"));
  EXPECT_FALSE(IsValidWebsite("atelier-bois.fr"));
  EXPECT_FALSE(IsValidWebsite("https://localhost"));
  EXPECT_TRUE(IsValidUuid("0b7c3a52-6f7e-4c1e-9a53-2f4b8d1e9c10"));
  EXPECT_FALSE(IsValidUuid("0b7c3a52-6f7e-4c1e-9a53-2f4b8d1e9c1"));
  EXPECT_FALSE(IsValidUuid("0b7c3a52x6f7e-4c1e-9a53-2f4b8d1e9c10"));
}

}  // namespace
}  // namespace maillage::membership
