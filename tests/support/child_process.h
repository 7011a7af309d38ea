// tests/support/child_process: a server process started and stopped by a test fixture.
//
//   auto child = ChildProcess::Spawn({"/usr/bin/redis-server", "--port", "6390"},
//                                    {.run_as_user = ""});
//   ...
//   child->Stop();   // SIGTERM, then SIGKILL after a grace period; waits for the exit
//
// When the test runs as root and run_as_user is set, the child drops to that user first
// (PostgreSQL refuses to run as root).
#ifndef MAILLAGE_TESTS_SUPPORT_CHILD_PROCESS_H_
#define MAILLAGE_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace maillage::testing {

struct SpawnOptions {
  // Drop to this user when running as root; empty keeps the current user.
  std::string run_as_user;
  // Where the child's stdout and stderr go; empty means /dev/null.
  std::string log_file;
};

class ChildProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Spawn(const std::vector<std::string>& argv,
                                                             const SpawnOptions& options);
  ~ChildProcess();  // Stop()

  // SIGTERM, wait up to `grace`, then SIGKILL; reaps the child. Idempotent.
  void Stop(absl::Duration grace = absl::Seconds(10));
  // True while the child has not exited.
  bool Running();
  pid_t pid() const { return pid_; }

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  bool reaped_ = false;
};

// Runs a command to completion (as `run_as_user` when root); its output goes to `log_file`.
absl::Status RunCommand(const std::vector<std::string>& argv, const SpawnOptions& options);

// A TCP port on 127.0.0.1 that was free a moment ago.
int PickFreePort();

// A new empty directory under $TMPDIR (default /tmp), owned by `owner` when root.
absl::StatusOr<std::string> MakeTempDir(const std::string& prefix, const std::string& owner);

// The user to run database servers as: "postgres" if it exists, else "nobody"; empty when
// not root.
std::string ServerUser();

}  // namespace maillage::testing

#endif  // MAILLAGE_TESTS_SUPPORT_CHILD_PROCESS_H_
