// common/config: typed configuration from the environment and command-line flags.
//
// Each setting has one name, e.g. "GRPC_ADDRESS". It is read from the environment variable
// MAILLAGE_GRPC_ADDRESS, and a flag --grpc-address=VALUE overrides it. Every problem is
// collected, so a bad deployment learns all its mistakes at once, and the process stops
// before serving anything:
//
//   maillage::ConfigReader config(argc, argv);
//   std::string pg_uri = config.Required("PG_URI");
//   int workers = config.Int("WORKERS", 8, /*min=*/1, /*max=*/256);
//   if (absl::Status s = config.Finish(); !s.ok()) { /* print s, exit 2 */ }
#ifndef MAILLAGE_COMMON_CONFIG_CONFIG_H_
#define MAILLAGE_COMMON_CONFIG_CONFIG_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace maillage {

class ConfigReader {
 public:
  // Reads the process environment and argv (argv[0] is skipped). Unknown or malformed flags
  // are reported by Finish().
  ConfigReader(int argc, const char* const* argv);
  // For tests: explicit variables (full names, e.g. "MAILLAGE_WORKERS") and flags.
  ConfigReader(std::map<std::string, std::string> env, std::vector<std::string> flags);

  // The value, or `fallback` when unset.
  std::string String(absl::string_view name, absl::string_view fallback);
  // The value; an error is recorded when unset or empty.
  std::string Required(absl::string_view name);
  // An integer in [min, max]; errors are recorded for garbage or out-of-range values.
  int Int(absl::string_view name, int fallback, int min, int max);
  // "true/false/1/0/yes/no".
  bool Bool(absl::string_view name, bool fallback);

  // Records a problem found by the caller's own checks (e.g. a key too short).
  void AddError(std::string message);

  // OK, or FAILED_PRECONDITION listing every problem, one per line. Also reports flags that
  // no setting read, so a typo does not go unnoticed.
  absl::Status Finish();

 private:
  const std::string* Lookup(absl::string_view name);

  std::map<std::string, std::string> env_;
  std::map<std::string, std::string> flags_;
  std::map<std::string, bool> flag_used_;
  std::vector<std::string> errors_;
};

}  // namespace maillage

#endif  // MAILLAGE_COMMON_CONFIG_CONFIG_H_
