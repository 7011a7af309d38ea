#include "tests/support/child_process.h"

#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace maillage::testing {
namespace {

// Everything between fork and exec must be async-signal-safe: only syscalls here.
pid_t ForkExec(const std::vector<std::string>& argv, const SpawnOptions& options) {
  uid_t uid = 0;
  gid_t gid = 0;
  bool drop = false;
  if (geteuid() == 0 && !options.run_as_user.empty()) {
    passwd* pw = getpwnam(options.run_as_user.c_str());
    if (pw != nullptr) {
      uid = pw->pw_uid;
      gid = pw->pw_gid;
      drop = true;
    }
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::string log = options.log_file.empty() ? "/dev/null" : options.log_file;

  pid_t pid = fork();
  if (pid != 0) return pid;
  // Child.
  setpgid(0, 0);  // own process group: a Ctrl-C of the test does not hit it twice
  int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd >= 0) {
    if (drop) (void)!fchown(fd, uid, gid);
    dup2(fd, 1);
    dup2(fd, 2);
  }
  int null_in = open("/dev/null", O_RDONLY);
  if (null_in >= 0) dup2(null_in, 0);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (drop) {
    if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0) _exit(126);
  }
  execv(args[0], args.data());
  _exit(127);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(
    const std::vector<std::string>& argv, const SpawnOptions& options) {
  if (argv.empty() || access(argv[0].c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("not executable: ", argv.empty() ? "" : argv[0], " (run scripts/bootstrap)"));
  }
  pid_t pid = ForkExec(argv, options);
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid));
}

ChildProcess::~ChildProcess() { Stop(); }

bool ChildProcess::Running() {
  if (reaped_) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) reaped_ = true;
  return !reaped_;
}

void ChildProcess::Stop(absl::Duration grace) {
  if (reaped_) return;
  kill(pid_, SIGTERM);
  absl::Time deadline = absl::Now() + grace;
  while (absl::Now() < deadline) {
    if (!Running()) return;
    absl::SleepFor(absl::Milliseconds(20));
  }
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  reaped_ = true;
}

absl::Status RunCommand(const std::vector<std::string>& argv, const SpawnOptions& options) {
  pid_t pid = ForkExec(argv, options);
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(
        absl::StrCat(argv[0], " failed (status ", status, "), see ", options.log_file));
  }
  return absl::OkStatus();
}

int PickFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

absl::StatusOr<std::string> MakeTempDir(const std::string& prefix, const std::string& owner) {
  const char* tmp = getenv("TMPDIR");
  std::string templ = absl::StrCat(tmp && *tmp ? tmp : "/tmp", "/", prefix, "XXXXXX");
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", templ, ": ", strerror(errno)));
  }
  std::string dir(buf.data());
  chmod(dir.c_str(), 0700);
  if (geteuid() == 0 && !owner.empty()) {
    if (passwd* pw = getpwnam(owner.c_str()); pw != nullptr) {
      if (chown(dir.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        return absl::InternalError(absl::StrCat("chown ", dir, ": ", strerror(errno)));
      }
    }
  }
  return dir;
}

std::string ServerUser() {
  if (geteuid() != 0) return "";
  return getpwnam("postgres") != nullptr ? "postgres" : "nobody";
}

}  // namespace maillage::testing
