// common/ids: one spelling per id.
//
// Ids are UUIDs, which RFC 4122 lets clients write in upper or lower case. PostgreSQL
// accepts both, but caches, idempotency scopes and the principal's grants compare strings:
// "0F…" and "0f…" would be two cache entries for one organisation (one of them stale after a
// write) and a grant for one would not match the other. So every request is brought to the
// canonical form (lower-case, hyphenated) before a handler sees it:
//
//   CanonicaliseIds(&request);   // every `id`, `*_id` and `*_ids` field, nested ones too
//
// A value that is not a UUID in some case is left as it is, for validation to refuse with
// the field's name; so are fields whose names do not say they hold ids.
#ifndef MAILLAGE_COMMON_IDS_CANONICAL_IDS_H_
#define MAILLAGE_COMMON_IDS_CANONICAL_IDS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace maillage {

// True for a hyphenated UUID (8-4-4-4-12 hex digits) in any case.
bool IsUuid(absl::string_view id);

// True for a UUID already in canonical form (lower-case).
bool IsCanonicalUuid(absl::string_view id);

// Lower-cases `id` in place when it is a UUID; returns whether it changed.
bool CanonicaliseId(std::string* id);

// Canonicalises every id field of `message`, recursively (see the banner). Returns the
// number of values changed.
int CanonicaliseIds(google::protobuf::Message* message);

}  // namespace maillage

#endif  // MAILLAGE_COMMON_IDS_CANONICAL_IDS_H_
