#include "common/config/config.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

extern char** environ;

namespace maillage {
namespace {

constexpr absl::string_view kPrefix = "MAILLAGE_";

std::string FlagName(absl::string_view name) {
  return absl::StrReplaceAll(absl::AsciiStrToLower(name), {{"_", "-"}});
}

}  // namespace

ConfigReader::ConfigReader(int argc, const char* const* argv) {
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    absl::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq == absl::string_view::npos) continue;
    env_.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg(argv[i]);
    size_t eq = arg.find('=');
    if (arg.substr(0, 2) != "--" || eq == absl::string_view::npos) {
      errors_.push_back(absl::StrCat("argument '", arg, "': expected --name=value"));
      continue;
    }
    flags_[std::string(arg.substr(2, eq - 2))] = std::string(arg.substr(eq + 1));
  }
}

ConfigReader::ConfigReader(std::map<std::string, std::string> env, std::vector<std::string> flags)
    : env_(std::move(env)) {
  std::vector<const char*> argv = {"test"};
  for (const std::string& f : flags) argv.push_back(f.c_str());
  ConfigReader parsed(static_cast<int>(argv.size()), argv.data());
  flags_ = std::move(parsed.flags_);
  errors_ = std::move(parsed.errors_);
}

const std::string* ConfigReader::Lookup(absl::string_view name) {
  std::string flag = FlagName(name);
  if (auto it = flags_.find(flag); it != flags_.end()) {
    flag_used_[flag] = true;
    return &it->second;
  }
  if (auto it = env_.find(absl::StrCat(kPrefix, name)); it != env_.end()) return &it->second;
  return nullptr;
}

std::string ConfigReader::String(absl::string_view name, absl::string_view fallback) {
  const std::string* v = Lookup(name);
  return v ? *v : std::string(fallback);
}

std::string ConfigReader::Required(absl::string_view name) {
  const std::string* v = Lookup(name);
  if (v == nullptr || v->empty()) {
    errors_.push_back(absl::StrCat(kPrefix, name, " (or --", FlagName(name), ") is required"));
    return "";
  }
  return *v;
}

int ConfigReader::Int(absl::string_view name, int fallback, int min, int max) {
  const std::string* v = Lookup(name);
  if (v == nullptr || v->empty()) return fallback;
  int out = 0;
  if (!absl::SimpleAtoi(*v, &out) || out < min || out > max) {
    errors_.push_back(
        absl::StrCat(kPrefix, name, "='", *v, "': expected an integer in [", min, ", ", max, "]"));
    return fallback;
  }
  return out;
}

bool ConfigReader::Bool(absl::string_view name, bool fallback) {
  const std::string* v = Lookup(name);
  if (v == nullptr || v->empty()) return fallback;
  bool out = false;
  if (!absl::SimpleAtob(*v, &out)) {
    errors_.push_back(absl::StrCat(kPrefix, name, "='", *v, "': expected true or false"));
    return fallback;
  }
  return out;
}

void ConfigReader::AddError(std::string message) { errors_.push_back(std::move(message)); }

absl::Status ConfigReader::Finish() {
  for (const auto& [flag, value] : flags_) {
    if (!flag_used_[flag]) errors_.push_back(absl::StrCat("--", flag, ": unknown setting"));
  }
  if (errors_.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("invalid configuration:\n  ", absl::StrJoin(errors_, "\n  ")));
}

}  // namespace maillage
