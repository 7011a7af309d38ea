#include "common/ids/canonical_ids.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/reflection.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace maillage {
namespace {

using ::google::protobuf::FieldDescriptor;

bool NamesIds(const FieldDescriptor& f) {
  absl::string_view name = f.name();
  return name == "id" || absl::EndsWith(name, "_id") || absl::EndsWith(name, "_ids");
}

}  // namespace

bool IsUuid(absl::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (id[i] != '-') return false;
    } else if (!absl::ascii_isxdigit(id[i])) {
      return false;
    }
  }
  return true;
}

bool IsCanonicalUuid(absl::string_view id) {
  return IsUuid(id) && !std::any_of(id.begin(), id.end(), absl::ascii_isupper);
}

bool CanonicaliseId(std::string* id) {
  if (!IsUuid(*id) || IsCanonicalUuid(*id)) return false;
  absl::AsciiStrToLower(id);
  return true;
}

int CanonicaliseIds(google::protobuf::Message* message) {
  const google::protobuf::Reflection* reflection = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);  // only the fields that are set
  int changed = 0;
  for (const FieldDescriptor* f : fields) {
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_map()) continue;
      if (f->is_repeated()) {
        for (int i = 0, n = reflection->FieldSize(*message, f); i < n; ++i) {
          changed += CanonicaliseIds(reflection->MutableRepeatedMessage(message, f, i));
        }
      } else {
        changed += CanonicaliseIds(reflection->MutableMessage(message, f));
      }
      continue;
    }
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_STRING || !NamesIds(*f)) continue;
    // Read by reference and copy only what must change: every call of every service goes
    // through here, and nearly every id already arrives canonical.
    std::string scratch;
    if (f->is_repeated()) {
      for (int i = 0, n = reflection->FieldSize(*message, f); i < n; ++i) {
        const std::string& value = reflection->GetRepeatedStringReference(*message, f, i, &scratch);
        if (!IsUuid(value) || IsCanonicalUuid(value)) continue;
        reflection->SetRepeatedString(message, f, i, absl::AsciiStrToLower(value));
        ++changed;
      }
    } else {
      const std::string& value = reflection->GetStringReference(*message, f, &scratch);
      if (!IsUuid(value) || IsCanonicalUuid(value)) continue;
      reflection->SetString(message, f, absl::AsciiStrToLower(value));
      ++changed;
    }
  }
  return changed;
}

}  // namespace maillage
