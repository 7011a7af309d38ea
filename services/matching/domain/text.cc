#include "services/matching/domain/text.h"

#include <libstemmer.h>

#include <array>
#include <cstdint>
#include <functional>
#include <initializer_list>

#include "absl/container/flat_hash_set.h"

namespace maillage::matching {
namespace {

// Longer words are not words (a pasted URL, a token, garbage): skipped, which also bounds
// the stemmer's work per word.
constexpr size_t kMaxWordBytes = 48;

using StopWords = absl::flat_hash_set<std::string>;

// The words as listed and without their accents ("très", "tres").
StopWords* WithUnaccented(std::initializer_list<const char*> listed) {
  auto* words = new StopWords;
  for (const char* w : listed) {
    words->insert(w);
    words->insert(Fold(w));
  }
  return words;
}

const StopWords& FrenchStopWords() {
  static const StopWords* words = WithUnaccented(
      {"au",      "aux",     "avec",   "ce",     "ces",      "cet",    "cette",  "dans",  "de",
       "des",     "du",      "elle",   "elles",  "en",       "et",     "eux",    "il",    "ils",
       "je",      "la",      "le",     "les",    "leur",     "leurs",  "lui",    "ma",    "mais",
       "me",      "même",    "mes",    "moi",    "mon",      "ne",     "nos",    "notre", "nous",
       "on",      "ou",      "où",     "par",    "pas",      "pour",   "qu",     "que",   "qui",
       "sa",      "se",      "ses",    "son",    "sur",      "ta",     "te",     "tes",   "toi",
       "ton",     "tu",      "un",     "une",    "vos",      "votre",  "vous",   "est",   "sont",
       "être",    "avoir",   "ont",    "été",    "sera",     "seront", "fait",   "faire", "plus",
       "moins",   "très",    "tout",   "tous",   "toute",    "toutes", "comme",  "donc",  "car",
       "si",      "aussi",   "ainsi",  "afin",   "etc",      "autre",  "autres", "entre", "vers",
       "chez",    "sans",    "sous",   "dont",   "quoi",     "peu",    "bien",   "cela",  "ça",
       "ceux",    "celle",   "celles", "celui",  "lors",     "selon",  "après",  "avant", "depuis",
       "pendant", "aujourd", "hui",    "chaque", "quelques", "leurs",  "nos",    "ici",   "là"});
  return *words;
}

const StopWords& EnglishStopWords() {
  static const StopWords* words = WithUnaccented(
      {"a",     "about", "all",   "also",  "an",     "and",   "any",    "are",  "as",   "at",
       "be",    "been",  "but",   "by",    "can",    "each",  "for",    "from", "has",  "have",
       "he",    "her",   "his",   "how",   "if",     "in",    "into",   "is",   "it",   "its",
       "just",  "may",   "more",  "most",  "no",     "not",   "of",     "on",   "only", "or",
       "other", "our",   "over",  "own",   "same",   "she",   "should", "so",   "some", "such",
       "than",  "that",  "the",   "their", "them",   "then",  "these",  "they", "this", "those",
       "to",    "too",   "under", "us",    "very",   "was",   "we",     "were", "what", "when",
       "where", "which", "who",   "whom",  "will",   "with",  "would",  "you",  "your", "i",
       "my",    "do",    "does",  "done",  "within", "while", "both",   "via",  "per",  "etc"});
  return *words;
}

// One code point from `s` at `*i` (advanced past it); U+FFFD for a byte that does not start
// a valid sequence (advanced by one).
char32_t NextCodePoint(absl::string_view s, size_t* i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(*i);
  if (b0 < 0x80) {
    ++*i;
    return b0;
  }
  int extra = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3;
    cp = b0 & 0x07;
  } else {
    ++*i;
    return 0xFFFD;
  }
  if (*i + extra >= s.size()) {  // truncated
    ++*i;
    return 0xFFFD;
  }
  for (int k = 1; k <= extra; ++k) {
    if ((byte(*i + k) & 0xC0) != 0x80) {
      ++*i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (byte(*i + k) & 0x3F);
  }
  static constexpr std::array<char32_t, 4> kMin = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++*i;
    return 0xFFFD;
  }
  *i += extra + 1;
  return cp;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Letters and digits of the scripts French and English texts use (Basic Latin, Latin-1,
// Latin Extended-A and B); anything else separates words.
bool IsWordChar(char32_t cp) {
  if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
    return true;
  }
  return cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7;
}

char32_t Lower(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;
  if (cp == 0x178) return 0xFF;                                                 // Ÿ
  if (cp >= 0x100 && cp <= 0x17F && cp % 2 == 0 && cp != 0x138) return cp + 1;  // Œ, Ā, ...
  return cp;
}

// The unaccented spelling of a lower-case letter, or null to keep it.
const char* Unaccented(char32_t cp) {
  switch (cp) {
    case 0xE0:
    case 0xE1:
    case 0xE2:
    case 0xE3:
    case 0xE4:
    case 0xE5:
      return "a";
    case 0xE6:
      return "ae";
    case 0xE7:
      return "c";
    case 0xE8:
    case 0xE9:
    case 0xEA:
    case 0xEB:
      return "e";
    case 0xEC:
    case 0xED:
    case 0xEE:
    case 0xEF:
      return "i";
    case 0xF1:
      return "n";
    case 0xF2:
    case 0xF3:
    case 0xF4:
    case 0xF5:
    case 0xF6:
    case 0xF8:
      return "o";
    case 0xF9:
    case 0xFA:
    case 0xFB:
    case 0xFC:
      return "u";
    case 0xFD:
    case 0xFF:
      return "y";
    case 0x153:
      return "oe";
    default:
      return nullptr;
  }
}

// Calls `word` with each lower-case word of `text` (accents kept).
void ForEachWord(absl::string_view text, const std::function<void(const std::string&)>& word) {
  std::string current;
  bool too_long = false;
  auto flush = [&] {
    if (!current.empty() && !too_long) word(current);
    current.clear();
    too_long = false;
  };
  size_t i = 0;
  while (i < text.size()) {
    const char32_t cp = NextCodePoint(text, &i);
    if (!IsWordChar(cp)) {
      flush();
      continue;
    }
    if (current.size() >= kMaxWordBytes) {
      too_long = true;
      continue;
    }
    AppendUtf8(Lower(cp), &current);
  }
  flush();
}

bool AllDigits(const std::string& w) {
  for (char c : w) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

size_t CodePoints(absl::string_view w) {
  size_t n = 0;
  for (char c : w) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// One Snowball stemmer per language and thread: a stemmer keeps its state between calls.
class Stemmers {
 public:
  ~Stemmers() {
    if (french_ != nullptr) sb_stemmer_delete(french_);
    if (english_ != nullptr) sb_stemmer_delete(english_);
  }
  std::string Stem(const std::string& word, Language language) {
    sb_stemmer*& s = language == Language::kFrench ? french_ : english_;
    if (s == nullptr)
      s = sb_stemmer_new(language == Language::kFrench ? "french" : "english", "UTF_8");
    if (s == nullptr) return word;  // out of memory: the word as it is still compares
    const sb_symbol* stem = sb_stemmer_stem(s, reinterpret_cast<const sb_symbol*>(word.data()),
                                            static_cast<int>(word.size()));
    if (stem == nullptr) return word;
    return std::string(reinterpret_cast<const char*>(stem),
                       static_cast<size_t>(sb_stemmer_length(s)));
  }

 private:
  sb_stemmer* french_ = nullptr;
  sb_stemmer* english_ = nullptr;
};

}  // namespace

std::string Fold(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const char32_t cp = Lower(NextCodePoint(text, &i));
    if (const char* plain = Unaccented(cp)) {
      out += plain;
    } else {
      AppendUtf8(cp, &out);
    }
  }
  return out;
}

Language GuessLanguage(absl::string_view text) {
  int french = 0;
  int english = 0;
  ForEachWord(text, [&](const std::string& w) {
    french += FrenchStopWords().contains(w);
    english += EnglishStopWords().contains(w);
  });
  return english > french ? Language::kEnglish : Language::kFrench;
}

std::vector<std::string> Terms(absl::string_view text, Language language) {
  thread_local Stemmers stemmers;
  const auto& stop = language == Language::kFrench ? FrenchStopWords() : EnglishStopWords();
  std::vector<std::string> out;
  ForEachWord(text, [&](const std::string& w) {
    if (CodePoints(w) < 2 || AllDigits(w) || stop.contains(w)) return;
    // Accents are folded before stemming: many write "renovee" for "rénovée", and the
    // stemmer reads the two differently ("renov" / "rénov", but "isole" / "isol").
    std::string term = stemmers.Stem(Fold(w), language);
    // What the unaccented past participles leave ("isole", "renove"): the stem of the noun.
    if (language == Language::kFrench && term.size() > 3 && term.back() == 'e') term.pop_back();
    if (term.size() >= 2) out.push_back(std::move(term));
  });
  return out;
}

std::vector<std::string> Terms(absl::string_view text) { return Terms(text, GuessLanguage(text)); }

}  // namespace maillage::matching
