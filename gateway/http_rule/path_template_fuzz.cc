// libFuzzer target: path templates and request paths. The input's first line is parsed as a
// template; if it parses, every later line is matched against it. Neither may crash, hang or
// read out of bounds, whatever the bytes.
#include <cstddef>
#include <cstdint>

#include "absl/strings/str_split.h"
#include "gateway/http_rule/path_template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> lines = absl::StrSplit(input, '\n');
  absl::StatusOr<maillage::gateway::PathTemplate> t =
      maillage::gateway::PathTemplate::Parse(lines[0]);
  if (!t.ok()) return 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::optional<maillage::gateway::PathTemplate::Bindings> b = t->Match(lines[i]);
    if (b && b->size() != t->variable_fields().size()) __builtin_trap();
  }
  return 0;
}
