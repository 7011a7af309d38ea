// libFuzzer target: PageTokenCodec::Parse on any bytes a client can send as page_token.
//
// The first byte picks what the rest is:
//   0  the token itself (what a client can send: the signature refuses nearly all of it);
//   1  the bytes a token signs, signed under the codec's key, so that the field parser
//      behind the signature is reached as if the key had leaked;
//   2  a sort key (fields separated by 0xff) that Encode must round-trip through Parse.
// Parse must answer OK or INVALID_ARGUMENT on page.page_token, and whatever it accepts must
// come back unchanged from Encode.
//
//   build-fuzz/common/paging/paging_fuzz fuzz/corpus/paging_fuzz -max_total_time=20
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "common/auth/auth.h"
#include "common/paging/paging.h"

namespace {

constexpr char kKey[] = "paging-fuzz-key-paging-fuzz-key-32";
constexpr uint64_t kFingerprint = 0x5eed;

void Fail(const std::string& what) {
  std::cerr << "paging_fuzz: " << what << "\n";
  std::abort();
}

void Check(const maillage::PageTokenCodec& codec, const std::string& token) {
  maillage::common::v1::PageRequest page;
  page.set_page_token(token);
  absl::StatusOr<maillage::PageQuery> q = codec.Parse(page, kFingerprint);
  if (!q.ok()) {
    if (q.status().code() != absl::StatusCode::kInvalidArgument ||
        !absl::StartsWith(q.status().message(), "page.page_token: ")) {
      Fail(q.status().ToString());
    }
    return;
  }
  // An empty token asks for the first page; any other accepted token carries a sort key,
  // which a fresh token must carry unchanged.
  if (token.empty()) return;
  if (q->after.empty()) Fail("accepted a token without a sort key");
  page.set_page_token(codec.Encode(kFingerprint, q->after));
  absl::StatusOr<maillage::PageQuery> again = codec.Parse(page, kFingerprint);
  if (!again.ok() || again->after != q->after) Fail("re-encoded token differs");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* codec = new maillage::PageTokenCodec(kKey);
  if (size == 0) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      Check(*codec, rest);
      break;
    case 1: {
      std::string tag = absl::HexStringToBytes(maillage::auth::HmacSha256Hex(kKey, rest));
      Check(*codec, absl::WebSafeBase64Escape(rest + tag));
      break;
    }
    case 2: {
      std::vector<std::string> key = absl::StrSplit(rest, '\xff');
      maillage::common::v1::PageRequest page;
      page.set_page_token(codec->Encode(kFingerprint, key));
      absl::StatusOr<maillage::PageQuery> q = codec->Parse(page, kFingerprint);
      // Sort keys beyond the token's size or field limits are refused, never misread.
      if (q.ok() ? q->after != key
                 : page.page_token().size() <= maillage::kMaxPageTokenSize && key.size() <= 14) {
        Fail("sort key did not round-trip");
      }
      break;
    }
  }
  return 0;
}
