// common/validation: the checks every service makes of ids and text, each refusal an
// INVALID_ARGUMENT naming its field ("field: reason", see common/status InvalidField).
//
// Ids are UUIDs in canonical (lower-case) form: requests are canonicalised first
// (common/ids), so an id that is still upper-case here came round that and is refused.
// Text is well-formed UTF-8 without NUL, limited in characters (code points, not bytes: an
// accented letter takes two bytes and counts once), without control characters other than
// tab, carriage return and line feed.
//
//   MAILLAGE_RETURN_IF_ERROR(ValidateId(req.network_id(), "network_id"));
//   MAILLAGE_RETURN_IF_ERROR(ValidateText(req.name(), "name", 200, /*required=*/true));
//   if (std::optional<std::string> p = TextProblem(cell, 100, false)) report(column, *p);
#ifndef MAILLAGE_COMMON_VALIDATION_VALIDATION_H_
#define MAILLAGE_COMMON_VALIDATION_VALIDATION_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace maillage {

// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF)
// without NUL bytes: text PostgreSQL accepts.
bool IsValidUtf8Text(absl::string_view s);

// The characters (code points) of valid UTF-8 text.
size_t CharacterCount(absl::string_view utf8);

// Why `text` is refused as text of at most `max` characters, if it is: "required", "not
// valid UTF-8 text", "too long (201 > 200 characters)" or "contains control characters".
std::optional<std::string> TextProblem(absl::string_view text, size_t max, bool required);

// A required id in canonical UUID form: "field: required", "field: malformed id (expected a
// UUID)" or "field: id must be in lower case".
absl::Status ValidateId(absl::string_view id, absl::string_view field);

// Optional text of at most `max` characters (required when `required`), as TextProblem
// says, refused as "field: <problem>".
absl::Status ValidateText(absl::string_view text, absl::string_view field, size_t max,
                          bool required);

}  // namespace maillage

#endif  // MAILLAGE_COMMON_VALIDATION_VALIDATION_H_
