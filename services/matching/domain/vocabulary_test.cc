// The vocabulary file: the shipped one, and the mistakes a hand-edited one may hold.
#include "services/matching/domain/vocabulary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/csv/csv.h"
#include "services/matching/domain/text.h"

namespace maillage::matching {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

constexpr char kHeader[] = "kind,code,label_fr,label_en,synonyms_fr,synonyms_en,nace_divisions\n";

std::string Shipped() {
  std::ifstream in(MAILLAGE_MATCHING_VOCABULARY);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(VocabularyTest, TheShippedFileCoversTheDemoSectorsWithAboutThreeHundredTags) {
  absl::StatusOr<Vocabulary> v = Vocabulary::Parse(Shipped());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_GE(v->tags().size(), 280u);
  std::map<std::string, int> per_domain;
  for (const Competency& t : v->tags()) {
    ++per_domain[t.domain];
    EXPECT_FALSE(t.nace_divisions.empty()) << t.code;
    EXPECT_FALSE(t.synonyms_fr.empty()) << t.code;
  }
  for (const char* domain :
       {"digital", "building", "crafts", "food", "industry", "business_services"}) {
    EXPECT_GE(per_domain[domain], 15) << domain;
  }
}

// The demo networks' companies, as they describe themselves, name tags of the vocabulary.
TEST(VocabularyTest, TheDemoCompaniesDescriptionsNameItsTags) {
  absl::StatusOr<Vocabulary> v = Vocabulary::Parse(Shipped());
  ASSERT_TRUE(v.ok()) << v.status();
  for (const char* file :
       {MAILLAGE_DEMO_DIR "/digital_cluster.csv", MAILLAGE_DEMO_DIR "/renovation_artisans.csv"}) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    csv::CsvReader reader;
    reader.Feed(text.str());
    reader.Finish();
    std::vector<std::string> header, row;
    int64_t line = 0;
    ASSERT_TRUE(reader.Next(&header, &line)) << file;
    const size_t kind = std::find(header.begin(), header.end(), "kind") - header.begin();
    const size_t description =
        std::find(header.begin(), header.end(), "description") - header.begin();
    int companies = 0, named = 0;
    std::string unnamed;  // what the failure shows
    while (reader.Next(&row, &line)) {
      if (row[kind] != "company") continue;
      ++companies;
      const std::vector<TagId> tags = v->Mentioned(Terms(row[description]));
      named += !tags.empty();
      if (tags.empty()) absl::StrAppend(&unnamed, "\n  ", row[description]);
    }
    EXPECT_GT(companies, 10) << file;
    EXPECT_GE(named * 10, companies * 8)
        << file << ": " << named << " of " << companies << "; unnamed:" << unnamed;
  }
}

TEST(VocabularyTest, FreeTextNamesTheTagsOfItsWords) {
  absl::StatusOr<Vocabulary> v = Vocabulary::Parse(
      std::string(kHeader) +
      "domain,building,Bâtiment,Building,,,\n"
      "tag,building.heat_pumps,Pompes à chaleur,Heat pumps,PAC|pompe à chaleur air-eau,heat "
      "pump,43\n"
      "tag,building.roofing,Couverture,Roofing,toiture|zinguerie,roofer,43\n");
  ASSERT_TRUE(v.ok()) << v.status();
  const TagId heat = *v->Find("building.heat_pumps");
  const TagId roof = *v->Find("building.roofing");
  EXPECT_EQ(v->Mentioned(Terms("Installation de pompes à chaleur")), std::vector<TagId>{heat});
  EXPECT_EQ(v->Mentioned(Terms("Nous posons des PAC et refaisons les toitures")),
            (std::vector<TagId>{heat, roof}));
  EXPECT_EQ(v->Mentioned(Terms("heat pump installers", Language::kEnglish)),
            std::vector<TagId>{heat});
  // One word of a two-word label is not the label.
  EXPECT_TRUE(v->Mentioned(Terms("pompes de relevage")).empty());
  EXPECT_FALSE(v->Find("building.heatpumps").has_value());
}

TEST(VocabularyTest, MistakesAreNamedByLineAndField) {
  auto error = [](const std::string& rows) {
    absl::StatusOr<Vocabulary> v = Vocabulary::Parse(std::string(kHeader) + rows);
    return v.ok() ? std::string("accepted") : std::string(v.status().message());
  };
  const std::string domain = "domain,building,Bâtiment,Building,,,\n";
  EXPECT_THAT(error(domain + "tag,bulding.roofing,Couverture,Roofing,toiture,roof,43\n"),
              HasSubstr("line 3: code: domain \"bulding\" is not declared above"));
  EXPECT_THAT(error(domain + "tag,building.Roofing,Couverture,Roofing,toiture,roof,43\n"),
              HasSubstr("line 3: code"));
  EXPECT_THAT(error(domain + "tag,building.roofing,,Roofing,toiture,roof,43\n"),
              HasSubstr("line 3: label_fr: required"));
  EXPECT_THAT(error(domain + "tag,building.roofing,Couverture,Roofing,toiture,roof,4\n"),
              HasSubstr("line 3: nace_divisions"));
  EXPECT_THAT(error(domain + "tag,building.roofing,Couverture,Roofing,toiture,roof,100\n"),
              HasSubstr("line 3: nace_divisions"));
  EXPECT_THAT(error(domain + "tag,building.roofing,Couverture,Roofing,toiture||x,roof,43\n"),
              HasSubstr("line 3: synonyms_fr: required"));
  EXPECT_THAT(error(domain + "tag,building.roofing,Couverture,Roofing,a|b|c|d|e|f|g|h|i|j|k,"
                             "roof,43\n"),
              HasSubstr("line 3: synonyms_fr: at most 10"));
  EXPECT_THAT(error(domain + "tag,building.roofing,A,B,,,43\ntag,building.roofing,C,D,,,43\n"),
              HasSubstr("line 4: code: taken"));
  EXPECT_THAT(error(domain + domain), HasSubstr("line 3: code: declared twice"));
  EXPECT_THAT(error(domain + "skill,building.x,A,B,,,\n"), HasSubstr("line 3: kind"));
  EXPECT_THAT(error(domain + "tag,building.x,A,B\n"), HasSubstr("line 3: 4 fields"));
  EXPECT_THAT(error(domain), HasSubstr("no tag"));
  EXPECT_THAT(std::string(Vocabulary::Parse("").status().message()), HasSubstr("empty"));
  EXPECT_THAT(std::string(Vocabulary::Parse("kind,code\n").status().message()),
              HasSubstr("line 1: no column label_fr"));
  EXPECT_THAT(error(domain + "tag,building.x," + std::string(121, 'a') + ",B,,,43\n"),
              HasSubstr("line 3: label_fr: at most 120 characters"));
}

TEST(VocabularyTest, ANetworkAddsItsOwnTagsToAKnownDomain) {
  absl::StatusOr<Vocabulary> v = Vocabulary::Parse(
      std::string(kHeader) + "domain,crafts,Artisanat,Crafts,,,\n" +
      "tag,crafts.cabinet_making,Ébénisterie,Cabinet making,meubles sur mesure,furniture,31\n");
  ASSERT_TRUE(v.ok()) << v.status();
  Competency slate{.code = "crafts.slate_carving",
                   .label_fr = "Taille d'ardoise",
                   .label_en = "Slate carving",
                   .synonyms_fr = {"ardoisier"},
                   .nace_divisions = {23},
                   .network_tag = true};
  absl::StatusOr<TagId> id = v->Add(slate);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(v->tag(*id).domain, "crafts");
  EXPECT_THAT(v->Mentioned(Terms("un ardoisier du pays")), Contains(*id));
  EXPECT_EQ(v->Add(slate).status().code(), absl::StatusCode::kAlreadyExists);
  slate.code = "masonry.slate";
  EXPECT_EQ(v->Add(slate).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace maillage::matching
