// libFuzzer target: request validation (membership_validation.h) on messages a client can
// send.
//
// The first byte picks the message; the rest is parsed as that message's protobuf encoding
// (inputs that libprotobuf refuses, e.g. strings that are not UTF-8, never reach a handler
// and are skipped). Every refusal must be INVALID_ARGUMENT naming a field under the given
// path ("organisation...: reason"), and a message that passes must still pass once
// Normalised, since handlers validate first and store the normalised form.
//
//   0  CreateOrganisationRequest   as CreateOrganisation checks it
//   1  Organisation                as UpdateOrganisation checks it
//   2  Person                      as CreatePerson checks it
//   3  Network                     as CreateNetwork checks it
//   4  Network                     as UpdateNetwork checks it
//
//   build-fuzz/services/membership/membership_validation_fuzz \
//     fuzz/corpus/membership_validation_fuzz -max_total_time=20
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/stubs/logging.h"
#include "services/membership/membership_validation.h"

namespace {

namespace v1 = ::maillage::membership::v1;
using ::maillage::membership::Normalised;
using ::maillage::membership::Purpose;
using ::maillage::membership::ValidateIdempotencyKey;
using ::maillage::membership::ValidateNetwork;
using ::maillage::membership::ValidateOrganisation;
using ::maillage::membership::ValidatePerson;

void Fail(const std::string& what) {
  std::cerr << "membership_validation_fuzz: " << what << "\n";
  std::abort();
}

// OK, or INVALID_ARGUMENT whose message starts with `path` and names a field.
void CheckRefusal(const absl::Status& s, absl::string_view path) {
  if (s.ok()) return;
  if (s.code() != absl::StatusCode::kInvalidArgument) Fail(s.ToString());
  if (!absl::StartsWith(s.message(), path) || !absl::StrContains(s.message(), ": ")) {
    Fail(absl::StrCat("no field path \"", path, "\" in: ", s.message()));
  }
}

void CheckOrganisation(const v1::Organisation& o, Purpose purpose) {
  absl::Status s = ValidateOrganisation(o, "organisation", purpose);
  CheckRefusal(s, "organisation.");
  if (!s.ok()) return;
  absl::Status again = ValidateOrganisation(Normalised(o), "organisation", purpose);
  if (!again.ok()) Fail(absl::StrCat("valid, but not once normalised: ", again.ToString()));
}

void CheckNetwork(const v1::Network& n, Purpose purpose) {
  absl::Status s = ValidateNetwork(n, "network", purpose);
  CheckRefusal(s, "network.");
  if (!s.ok()) return;
  absl::Status again = ValidateNetwork(Normalised(n), "network", purpose);
  if (!again.ok()) Fail(absl::StrCat("valid, but not once normalised: ", again.ToString()));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // libprotobuf logs each string field that is not UTF-8: noise here, not a finding.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {
      v1::CreateOrganisationRequest req;
      if (!req.ParseFromString(bytes)) return 0;
      CheckOrganisation(req.organisation(), Purpose::kCreate);
      CheckRefusal(
          maillage::membership::ValidateIdempotencyKey(req.idempotency_key(), "idempotency_key"),
          "idempotency_key");
      break;
    }
    case 1: {
      v1::Organisation o;
      if (!o.ParseFromString(bytes)) return 0;
      CheckOrganisation(o, Purpose::kUpdate);
      break;
    }
    case 2: {
      v1::Person p;
      if (!p.ParseFromString(bytes)) return 0;
      CheckRefusal(ValidatePerson(p, "person"), "person.");
      break;
    }
    case 3:
    case 4: {
      v1::Network n;
      if (!n.ParseFromString(bytes)) return 0;
      CheckNetwork(n, data[0] % 5 == 3 ? Purpose::kCreate : Purpose::kUpdate);
      break;
    }
  }
  return 0;
}
