// common/paging: keyset pagination with opaque page tokens.
//
// A token remembers the sort key of the last row returned and a fingerprint of the query's
// filters, never an offset, so rows inserted meanwhile neither repeat nor hide others:
//
//   PageQuery page = *ParsePage(req.page(), Fingerprint({req.network_id(), req.name_prefix()}));
//   rows = SELECT ... WHERE (name_key, id) > (page.after[0], page.after[1]) ... LIMIT page.size + 1
//   if (rows.size() > page.size) resp.page.next_page_token = EncodePageToken(fp, {last.name_key,
//   last.id});
//
// A token used with other filters, or tampered with, is INVALID_ARGUMENT on page.page_token.
#ifndef MAILLAGE_COMMON_PAGING_PAGING_H_
#define MAILLAGE_COMMON_PAGING_PAGING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "maillage/common/v1/common.pb.h"

namespace maillage {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;
// Longest page_token accepted, in characters (base64). The longest token the services issue
// (a 200-character name key of 4-byte characters and a UUID) is about 1.3 KiB.
inline constexpr size_t kMaxPageTokenSize = 2048;

struct PageQuery {
  int size = kDefaultPageSize;
  // Sort key of the last row of the previous page; empty for the first page.
  std::vector<std::string> after;
  uint64_t fingerprint = 0;
};

// A stable hash of the filters that define a query.
uint64_t Fingerprint(const std::vector<std::string>& filters);

// Validates page_size (0..500; 0 = default) and decodes page_token against `fingerprint`.
// `field` prefixes error messages (e.g. "page").
absl::StatusOr<PageQuery> ParsePage(const common::v1::PageRequest& page, uint64_t fingerprint,
                                    absl::string_view field = "page");

// The token for the page after the row whose sort key is `last_key`.
std::string EncodePageToken(uint64_t fingerprint, const std::vector<std::string>& last_key);

}  // namespace maillage

#endif  // MAILLAGE_COMMON_PAGING_PAGING_H_
