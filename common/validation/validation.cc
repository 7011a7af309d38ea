#include "common/validation/validation.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/ids/canonical_ids.h"
#include "common/status/status.h"

namespace maillage {

bool IsValidUtf8Text(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    unsigned char c = byte(0);
    size_t n = 1;
    unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte (RFC 3629)
    if (c == 0) return false;
    if (c >= 0x80) {
      if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
      } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;  // no overlong forms
        if (c == 0xED) hi = 0x9F;  // no surrogates
      } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
      } else {
        return false;
      }
      if (i + n > s.size() || byte(1) < lo || byte(1) > hi) return false;
      for (size_t k = 2; k < n; ++k) {
        if ((byte(k) & 0xC0) != 0x80) return false;
      }
    }
    i += n;
  }
  return true;
}

size_t CharacterCount(absl::string_view utf8) {
  // Valid UTF-8 here: counting the bytes that start a character counts the characters.
  size_t chars = 0;
  for (char c : utf8) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return chars;
}

std::optional<std::string> TextProblem(absl::string_view text, size_t max, bool required) {
  if (required && absl::StripAsciiWhitespace(text).empty()) return "required";
  if (!IsValidUtf8Text(text)) return "not valid UTF-8 text";
  // Limits are in characters, as the API documents them: an accented name takes two bytes a
  // letter and must not be refused at half the length.
  if (text.size() > max) {
    size_t chars = CharacterCount(text);
    if (chars > max) return absl::StrCat("too long (", chars, " > ", max, " characters)");
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
      return "contains control characters";
    }
  }
  return std::nullopt;
}

absl::Status ValidateId(absl::string_view id, absl::string_view field) {
  if (id.empty()) return InvalidField(field, "required");
  if (!IsUuid(id)) return InvalidField(field, "malformed id (expected a UUID)");
  // Requests are canonicalised before validation (common/ids); an upper-case id here came
  // round that and would split caches and grants, so it is refused rather than used.
  if (!IsCanonicalUuid(id)) return InvalidField(field, "id must be in lower case");
  return absl::OkStatus();
}

absl::Status ValidateText(absl::string_view text, absl::string_view field, size_t max,
                          bool required) {
  std::optional<std::string> problem = TextProblem(text, max, required);
  return problem.has_value() ? InvalidField(field, *problem) : absl::OkStatus();
}

}  // namespace maillage
