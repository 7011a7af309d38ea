// libFuzzer target: the vocabulary parser (vocabulary.h) and the text normaliser (text.h)
// on any bytes. A vocabulary either parses into tags whose codes are well formed, distinct
// and of declared domains, or is refused with a message naming a line (or saying it is
// empty); the terms of any text are non-empty, without upper case ASCII; nothing crashes.
//
//   build-fuzz/services/matching/vocabulary_fuzz fuzz/corpus/vocabulary_fuzz -max_total_time=20
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "services/matching/domain/text.h"
#include "services/matching/domain/vocabulary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using maillage::matching::Vocabulary;
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const std::string& term : maillage::matching::Terms(text)) {
    if (term.size() < 2) std::abort();
    for (char c : term) {
      if (c >= 'A' && c <= 'Z') std::abort();
    }
  }
  absl::StatusOr<Vocabulary> v = Vocabulary::Parse(text);
  if (!v.ok()) {
    const std::string m(v.status().message());
    if (!absl::StrContains(m, "line") && !absl::StrContains(m, "empty") &&
        !absl::StrContains(m, "no tag")) {
      std::cerr << "refusal without a line: " << m << "\n";
      std::abort();
    }
    return 0;
  }
  absl::flat_hash_set<std::string> codes;
  for (const auto& tag : v->tags()) {
    if (!Vocabulary::ValidTagCode(tag.code) || !v->HasDomain(tag.domain) ||
        !codes.insert(tag.code).second) {
      std::cerr << "accepted a tag it should refuse: " << tag.code << "\n";
      std::abort();
    }
  }
  return 0;
}
