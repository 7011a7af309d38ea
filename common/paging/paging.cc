#include "common/paging/paging.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace maillage {
namespace {

constexpr absl::string_view kVersion = "p1";
// The fields of a token: version, fingerprint, sort key, checksum. Sort keys here have two.
constexpr size_t kMaxTokenFields = 16;

// FNV-1a: stable across processes and builds, unlike std::hash.
uint64_t Fnv1a(absl::string_view s, uint64_t h) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Length-prefixed fields, so any byte may appear in a key.
void AppendField(std::string& out, absl::string_view field) {
  absl::StrAppend(&out, field.size(), ":", field);
}

}  // namespace

uint64_t Fingerprint(const std::vector<std::string>& filters) {
  uint64_t h = 14695981039346656037ull;
  for (const std::string& f : filters) {
    h = Fnv1a(absl::StrCat(f.size(), ":"), h);
    h = Fnv1a(f, h);
  }
  return h;
}

std::string EncodePageToken(uint64_t fingerprint, const std::vector<std::string>& last_key) {
  std::string raw;
  AppendField(raw, kVersion);
  AppendField(raw, absl::StrCat(fingerprint));
  for (const std::string& k : last_key) AppendField(raw, k);
  // A checksum, so a truncated or edited token is refused rather than read as another one.
  AppendField(raw, absl::StrCat(Fingerprint({raw})));
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<PageQuery> ParsePage(const common::v1::PageRequest& page, uint64_t fingerprint,
                                    absl::string_view field) {
  PageQuery q;
  q.fingerprint = fingerprint;
  if (page.page_size() < 0 || page.page_size() > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".page_size: must be between 0 and ", kMaxPageSize));
  }
  if (page.page_size() > 0) q.size = page.page_size();
  if (page.page_token().empty()) return q;

  auto bad = absl::InvalidArgumentError(
      absl::StrCat(field, ".page_token: not a token of this query (filters changed?)"));
  if (page.page_token().size() > kMaxPageTokenSize) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".page_token: longer than ", kMaxPageTokenSize, " characters"));
  }
  std::string raw;
  if (!absl::WebSafeBase64Unescape(page.page_token(), &raw)) return bad;
  std::vector<std::string> fields;
  std::vector<size_t> ends;  // where each field ends in `raw`
  absl::string_view rest = raw;
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    size_t len = 0;
    // `len` comes from the client: compared with what is left, never added to an offset,
    // so a length near 2^64 cannot wrap around to a small sum and stall the loop.
    if (colon == absl::string_view::npos || !absl::SimpleAtoi(rest.substr(0, colon), &len) ||
        len > rest.size() - colon - 1 || fields.size() == kMaxTokenFields) {
      return bad;
    }
    fields.emplace_back(rest.substr(colon + 1, len));
    rest.remove_prefix(colon + 1 + len);
    ends.push_back(raw.size() - rest.size());
  }
  if (fields.size() < 4 || fields[0] != kVersion || fields[1] != absl::StrCat(fingerprint)) {
    return bad;
  }
  std::string signed_part = raw.substr(0, ends[ends.size() - 2]);
  if (fields.back() != absl::StrCat(Fingerprint({signed_part}))) return bad;
  q.after.assign(fields.begin() + 2, fields.end() - 1);
  return q;
}

}  // namespace maillage
