// libFuzzer target: PrincipalVerifier::VerifyEncoded, the decoding of the caller's identity
// from two metadata values.
//
// The first byte picks what the rest is:
//   0  a serialised principal and a signature (split at the second byte's value): what any
//      client can send; nearly all of it fails the signature;
//   1  a serialised principal, correctly signed under the verifier's key, so that the
//      protobuf parser and the checks behind the signature are exercised;
//   2  the same, signed through PrincipalSigner::Encode after a parse and re-serialisation.
// Verification must answer OK or UNAUTHENTICATED, and OK only for a principal with a
// subject that has not expired.
//
//   build-fuzz/common/auth/auth_fuzz fuzz/corpus/auth_fuzz -max_total_time=20
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

#include "absl/time/time.h"
#include "common/auth/auth.h"
#include "google/protobuf/stubs/logging.h"

namespace {

constexpr char kKey[] = "auth-fuzz-key-auth-fuzz-key-auth-fuzz";

void Fail(const std::string& what) {
  std::cerr << "auth_fuzz: " << what << "\n";
  std::abort();
}

// A fixed clock, so that an input means the same on every run.
absl::Time Now() { return absl::FromUnixSeconds(1800000000); }

void Check(const maillage::auth::PrincipalVerifier& verifier, const std::string& serialized,
           const std::string& signature) {
  absl::StatusOr<maillage::auth::Principal> p =
      verifier.VerifyEncoded(serialized, signature, Now());
  if (!p.ok()) {
    if (p.status().code() != absl::StatusCode::kUnauthenticated) Fail(p.status().ToString());
    return;
  }
  if (p->subject().empty()) Fail("accepted a principal without a subject");
  if (absl::FromUnixSeconds(p->expires_at().seconds()) < Now()) Fail("accepted an expired one");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // libprotobuf logs each string field that is not UTF-8: noise here, not a finding.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* verifier = new maillage::auth::PrincipalVerifier(kKey);
  static const auto* signer = new maillage::auth::PrincipalSigner(kKey);
  if (size < 2) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      size_t split = std::min<size_t>(data[1], rest.size());
      Check(*verifier, rest.substr(0, split), rest.substr(split));
      break;
    }
    case 1:
      Check(*verifier, rest, maillage::auth::HmacSha256Hex(kKey, rest));
      break;
    case 2: {
      maillage::auth::Principal principal;
      if (!principal.ParseFromString(rest)) return 0;
      auto [bytes, signature] = signer->Encode(principal);
      Check(*verifier, bytes, signature);
      break;
    }
  }
  return 0;
}
