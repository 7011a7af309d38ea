// What the normaliser makes of what members write.
#include "services/matching/domain/text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace maillage::matching {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(TextTest, FrenchWordsMeetWhateverTheirFormAccentsAndCase) {
  EXPECT_THAT(Terms("Isolation des combles perdus"), ElementsAre("isol", "combl", "perdus"));
  // Plural, capitals, accents: the same terms.
  EXPECT_EQ(Terms("ISOLATIONS"), Terms("isolation"));
  EXPECT_EQ(Terms("Rénovation"), Terms("renovation"));
  EXPECT_EQ(Terms("Chaudières à granulés"), Terms("chaudiere granule"));
  // Apostrophes and hyphens separate words; stop words and numbers go.
  EXPECT_THAT(Terms("l'isolation d'une maison de 1930 - clé-en-main"),
              ElementsAre("isol", "maison", "cle", "main"));
}

TEST(TextTest, EnglishIsRecognisedFromItsStopWords) {
  EXPECT_EQ(GuessLanguage("Insulation of the roof and the walls"), Language::kEnglish);
  EXPECT_EQ(GuessLanguage("Isolation de la toiture et des murs"), Language::kFrench);
  EXPECT_EQ(GuessLanguage("PAC"), Language::kFrench);  // in doubt
  EXPECT_THAT(Terms("Insulation of the roof and the walls"), ElementsAre("insul", "roof", "wall"));
  EXPECT_THAT(Terms("heating pumps", Language::kEnglish), ElementsAre("heat", "pump"));
}

TEST(TextTest, FoldingKeepsLettersAndDropsAccents) {
  EXPECT_EQ(Fold("Œuvre Éco-Conçue à Saint-Étienne"), "oeuvre eco-concue a saint-etienne");
  EXPECT_EQ(Fold("ÀÉÎÕÜÇ"), "aeiouc");
}

TEST(TextTest, GarbageIsHarmless) {
  EXPECT_THAT(Terms(""), IsEmpty());
  EXPECT_THAT(Terms("!!! ... ---"), IsEmpty());
  // Invalid UTF-8 separates words rather than failing.
  EXPECT_THAT(Terms("bois\xff\xfe"
                    "charpente"),
              ElementsAre("bois", "charpent"));
  EXPECT_THAT(Terms("\xe2\x82"), IsEmpty());  // a truncated sequence
  // A word longer than any word (a pasted token) is skipped, what follows is kept.
  EXPECT_THAT(Terms(std::string(500, 'a') + " menuiserie"), ElementsAre("menuiser"));
  // Emoji and other scripts separate words.
  EXPECT_THAT(Terms("menuiserie\xf0\x9f\x94\xa8"
                    "bois"),
              ElementsAre("menuiser", "bois"));
}

}  // namespace
}  // namespace maillage::matching
