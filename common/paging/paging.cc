#include "common/paging/paging.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/auth/auth.h"
#include "common/status/status.h"

namespace maillage {
namespace {

// "p1" tokens carried an FNV checksum anyone could recompute; they are refused.
constexpr absl::string_view kVersion = "p2";
// HMAC-SHA256, appended raw after the fields it signs.
constexpr size_t kTagBytes = 32;
// The fields of a token: version, fingerprint, sort key. Sort keys here have two.
constexpr size_t kMaxTokenFields = 16;
constexpr absl::string_view kDerivationLabel = "maillage page tokens v1";

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

// Splits length-prefixed fields; false when `raw` is not a sequence of them. Only ever given
// bytes whose signature has been checked, and bounded all the same: `len` is compared with
// what is left, never added to an offset, so a length near 2^64 cannot wrap around.
bool SplitFields(absl::string_view raw, std::vector<std::string>* fields) {
  absl::string_view rest = raw;
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    size_t len = 0;
    if (colon == absl::string_view::npos || !absl::SimpleAtoi(rest.substr(0, colon), &len) ||
        len > rest.size() - colon - 1 || fields->size() == kMaxTokenFields) {
      return false;
    }
    fields->emplace_back(rest.substr(colon + 1, len));
    rest.remove_prefix(colon + 1 + len);
  }
  return true;
}

std::string RandomKey() {
  unsigned char key[kMinPageTokenKeyBytes];
  if (RAND_bytes(key, sizeof(key)) != 1) {
    // Without randomness, a guessable key would let clients forge tokens: stop instead.
    std::abort();
  }
  std::string out(reinterpret_cast<const char*>(key), sizeof(key));
  OPENSSL_cleanse(key, sizeof(key));
  return out;
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

std::string DerivePageTokenKey(absl::string_view deployment_key) {
  return absl::HexStringToBytes(auth::HmacSha256Hex(deployment_key, kDerivationLabel));
}

absl::Status ValidatePageTokenKey(absl::string_view key, absl::string_view what) {
  if (key.size() < kMinPageTokenKeyBytes) {
    return InvalidField(
        what, absl::StrCat("must be at least ", kMinPageTokenKeyBytes, " bytes, got ", key.size()));
  }
  return absl::OkStatus();
}

PageTokenCodec::PageTokenCodec(absl::string_view key)
    : hmac_(std::make_shared<const auth::HmacSha256>(key)) {}

PageTokenCodec::PageTokenCodec() : PageTokenCodec(RandomKey()) {}

std::string PageTokenCodec::Encode(uint64_t fingerprint,
                                   const std::vector<std::string>& last_key) const {
  std::string raw;
  AppendField(raw, kVersion);
  AppendField(raw, absl::StrCat(fingerprint));
  for (const std::string& k : last_key) AppendField(raw, k);
  raw += absl::HexStringToBytes(hmac_->Hex(raw));
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<PageQuery> PageTokenCodec::Parse(const common::v1::PageRequest& page,
                                                uint64_t fingerprint,
                                                absl::string_view field) const {
  PageQuery q;
  q.fingerprint = fingerprint;
  const std::string size_field = absl::StrCat(field, ".page_size");
  const std::string token_field = absl::StrCat(field, ".page_token");
  if (page.page_size() < 0 || page.page_size() > kMaxPageSize) {
    return InvalidField(size_field, absl::StrCat("must be between 0 and ", kMaxPageSize));
  }
  if (page.page_size() > 0) q.size = page.page_size();
  if (page.page_token().empty()) return q;

  // Checked before decoding, so an attacker's token costs at most this much work.
  if (page.page_token().size() > kMaxPageTokenSize) {
    return InvalidField(token_field,
                        absl::StrCat("longer than ", kMaxPageTokenSize, " characters"));
  }
  const absl::Status not_issued =
      InvalidField(token_field, "not a page token issued by this service");
  std::string raw;
  if (!absl::WebSafeBase64Unescape(page.page_token(), &raw) || raw.size() < kTagBytes) {
    return not_issued;
  }
  absl::string_view signed_part = absl::string_view(raw).substr(0, raw.size() - kTagBytes);
  absl::string_view tag = absl::string_view(raw).substr(signed_part.size());
  const std::string expected = absl::HexStringToBytes(hmac_->Hex(signed_part));
  // Constant time: how long the comparison takes must not tell how many bytes matched.
  if (CRYPTO_memcmp(tag.data(), expected.data(), kTagBytes) != 0) return not_issued;

  std::vector<std::string> fields;
  if (!SplitFields(signed_part, &fields) || fields.size() < 3 || fields[0] != kVersion) {
    return not_issued;
  }
  if (fields[1] != absl::StrCat(fingerprint)) {
    return InvalidField(token_field, "not a token of this query (filters changed?)");
  }
  q.after.assign(fields.begin() + 2, fields.end());
  return q;
}

}  // namespace maillage
