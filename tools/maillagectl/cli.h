// tools/maillagectl/cli.h: maillagectl's command line — parsing, settings, identity, and the
// commands themselves. main() only forwards argv here, so tests run the tool in-process.
//
//   maillagectl [flags] COMMAND [ARGUMENTS] [flags]     (flags may come anywhere)
//
// Commands: principal, import FILE.csv, export, demo load, help; UsageText() documents them.
// Flags are --name=value, or a bare --name for a boolean; `--` ends the flags.
//
// Settings follow common/config: MAILLAGE_MEMBERSHIP_ADDRESS (default 127.0.0.1:50051),
// MAILLAGE_AUTH_HMAC_KEY (required, at least 32 bytes) and MAILLAGE_RPC_TIMEOUT_SECONDS
// (default 10), each overridden by its flag (--membership-address=...). Every problem is
// reported at once, before any call.
//
// Identity: a platform admin with subject "maillagectl", unless --org or --grant says whom
// to act as (then not an admin, unless --platform-admin=true); --subject sets the subject.
//
// Output: what the user asked for (headers, reports, CSV, summaries) goes to `out`;
// progress, notes and errors to `err`. The exit code is an ExitCode.
#ifndef MAILLAGE_TOOLS_MAILLAGECTL_CLI_H_
#define MAILLAGE_TOOLS_MAILLAGECTL_CLI_H_

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/auth.h"
#include "maillage/membership/v1/membership.pb.h"

namespace maillage::ctl {

enum ExitCode : int {
  kExitOk = 0,
  // A call failed, or a file could not be read or written.
  kExitFailure = 1,
  // Bad command line or configuration; nothing was called.
  kExitUsage = 2,
  // An import finished but rejected rows (the valid rows were applied unless --dry-run).
  kExitRejectedRows = 3,
};

// The text `maillagectl help` prints.
std::string UsageText();

struct CommandLine {
  // The command words and positional arguments, in order.
  std::vector<std::string> words;
  // Flag name (without "--") -> its values in order; a bare --name has the value "true".
  std::map<std::string, std::vector<std::string>> flags;
  // -h, --help or "help" was given.
  bool help = false;
};

// Splits args (args[0] is the program) into words and flags. INVALID_ARGUMENT for "-x"
// style arguments or an empty flag name.
absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args);

// "NETWORK_ID:ROLE", ROLE one of member, animator, board, partner, observer (any case).
absl::StatusOr<auth::v1::NetworkGrant> ParseGrant(absl::string_view text);

// The report of an import as printed by `maillagectl import`: the counts, then every
// rejected row as "line N, field F: reason", in line order.
std::string FormatImportReport(const membership::v1::ImportReport& report);

// Runs one invocation and returns its exit code.
int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace maillage::ctl

#endif  // MAILLAGE_TOOLS_MAILLAGECTL_CLI_H_
