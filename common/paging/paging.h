// common/paging: keyset pagination with signed, opaque page tokens.
//
// A token remembers the sort key of the last row returned and a fingerprint of the query's
// filters, never an offset, so rows inserted meanwhile neither repeat nor hide others. It is
// signed with HMAC-SHA256 under a server key, so a client can hand back only tokens the
// service issued, and only to the query that issued them:
//
//   PageTokenCodec tokens(key);   // one per service, shared by its handlers (thread-safe)
//   uint64_t fp = Fingerprint({"organisations", req.network_id(), req.name_prefix()});
//   PageQuery page = *tokens.Parse(req.page(), fp);
//   rows = SELECT ... WHERE (name_key, id) > (page.after[0], page.after[1]) ... LIMIT page.size + 1
//   if (rows.size() > page.size)
//     resp.page.next_page_token = tokens.Encode(fp, {last.name_key, last.id});
//
// A token that is too long, malformed, signed under another key, truncated, edited, or used
// with other filters is INVALID_ARGUMENT on page.page_token; nothing of it is read before its
// signature is checked. Replicas of one deployment must share the key (see
// DerivePageTokenKey) so that a token from one is accepted by the others.
#ifndef MAILLAGE_COMMON_PAGING_PAGING_H_
#define MAILLAGE_COMMON_PAGING_PAGING_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "maillage/common/v1/common.pb.h"

namespace maillage {

namespace auth {
class HmacSha256;
}  // namespace auth

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;
// Longest page_token accepted, in characters (base64), checked before decoding. The longest
// token the services issue (a 200-character name key of 4-byte characters and a UUID) is
// about 1.3 KiB.
inline constexpr size_t kMaxPageTokenSize = 2048;
// Shortest key a PageTokenCodec accepts from configuration, in bytes.
inline constexpr size_t kMinPageTokenKeyBytes = 32;

struct PageQuery {
  int size = kDefaultPageSize;
  // Sort key of the last row of the previous page; empty for the first page.
  std::vector<std::string> after;
  uint64_t fingerprint = 0;
};

// A stable hash of the filters that define a query (FNV-1a over length-prefixed filters). Not
// collision-resistant: it tells a token's query apart from another, the signature is what
// makes tokens unforgeable.
uint64_t Fingerprint(const std::vector<std::string>& filters);

// The page token key of a deployment, derived from its principal HMAC key (the
// MAILLAGE_AUTH_HMAC_KEY every replica already shares) as
// HMAC-SHA256(deployment_key, "maillage page tokens v1"): 32 bytes.
std::string DerivePageTokenKey(absl::string_view deployment_key);

// OK when `key` is long enough to sign page tokens; otherwise INVALID_ARGUMENT naming `what`
// (e.g. "MAILLAGE_PAGE_TOKEN_KEY").
absl::Status ValidatePageTokenKey(absl::string_view key, absl::string_view what);

// Signs and checks page tokens under one key. Cheap to copy (copies share the key's HMAC
// state) and thread-safe.
class PageTokenCodec {
 public:
  // A codec under `key` (at least kMinPageTokenKeyBytes; see ValidatePageTokenKey).
  explicit PageTokenCodec(absl::string_view key);
  // A codec under a random key: its tokens are valid in this process only.
  PageTokenCodec();

  // Validates page_size (0..500; 0 = default) and decodes page_token against `fingerprint`.
  // `field` prefixes error messages (e.g. "page" gives "page.page_token: ...").
  absl::StatusOr<PageQuery> Parse(const common::v1::PageRequest& page, uint64_t fingerprint,
                                  absl::string_view field = "page") const;

  // The token for the page after the row whose sort key is `last_key` (not empty), in the
  // query whose filters give `fingerprint`.
  std::string Encode(uint64_t fingerprint, const std::vector<std::string>& last_key) const;

 private:
  std::shared_ptr<const auth::HmacSha256> hmac_;
};

}  // namespace maillage

#endif  // MAILLAGE_COMMON_PAGING_PAGING_H_
