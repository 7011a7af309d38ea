// services/matching/domain/text: French and English free text made comparable, word for
// word, so that a need written in words finds the offers that answer it.
//
// A text becomes its terms: lower case, cut into words (at spaces, punctuation, apostrophes
// and hyphens), without stop words nor numbers nor one-letter words, stripped of accents
// (so that "renovee" and "rénovée" meet), each word reduced to its stem by Snowball's stemmer
// for the text's language (libstemmer). So "Rénovation des maisons" and "rénover les
// maisons" share "renov" and "maison", and "isolations" and "isolée" meet "isolation":
//
//   std::vector<std::string> terms = Terms("Isolation des combles perdus");
//   // {"isol", "combl", "perdus"}  (French guessed from the stop words)
//   Terms("Roof insulation", Language::kEnglish);   // {"roof", "insul"}
//
// The language is guessed from the stop words the text uses (French when in doubt: the
// platform's members write French first). Thread-safe (a stemmer per thread).
#ifndef MAILLAGE_SERVICES_MATCHING_DOMAIN_TEXT_H_
#define MAILLAGE_SERVICES_MATCHING_DOMAIN_TEXT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace maillage::matching {

enum class Language { kFrench, kEnglish };

// French unless the text has more English stop words than French ones.
Language GuessLanguage(absl::string_view text);

// The terms of `text` in `language`, in order, repeats kept (they count in TF-IDF). Invalid
// UTF-8 bytes separate words, as punctuation does.
std::vector<std::string> Terms(absl::string_view text, Language language);
std::vector<std::string> Terms(absl::string_view text);  // GuessLanguage(text)

// `text` in lower case without accents (é -> e, œ -> oe, ç -> c, ...): for comparing labels
// and synonyms as written, without stemming.
std::string Fold(absl::string_view text);

}  // namespace maillage::matching

#endif  // MAILLAGE_SERVICES_MATCHING_DOMAIN_TEXT_H_
