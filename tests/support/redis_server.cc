#include "tests/support/redis_server.h"

#include <hiredis/hiredis.h>

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace maillage::testing {
namespace {

constexpr char kRedisServer[] = "/usr/bin/redis-server";

// One short-lived connection per call: the fixture must not depend on the library under test.
absl::Status Run(int port, const char* command, const char* expected_status) {
  timeval tv{.tv_sec = 2, .tv_usec = 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, tv);
  if (c == nullptr || c->err != 0) {
    std::string err = c == nullptr ? "out of memory" : c->errstr;
    if (c != nullptr) redisFree(c);
    return absl::UnavailableError(absl::StrCat("connect 127.0.0.1:", port, ": ", err));
  }
  redisSetTimeout(c, tv);
  auto* reply = static_cast<redisReply*>(redisCommand(c, command));
  absl::Status out;
  if (reply == nullptr) {
    out = absl::UnavailableError(absl::StrCat(command, ": ", c->errstr));
  } else if (reply->type != REDIS_REPLY_STATUS || std::string(reply->str) != expected_status) {
    // A LOADING error while the AOF is replayed lands here too, so callers poll.
    out = absl::UnavailableError(absl::StrCat(command, ": unexpected reply ",
                                              reply->str != nullptr ? reply->str : "(no text)"));
  }
  if (reply != nullptr) freeReplyObject(reply);
  redisFree(c);
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::Start() {
  std::unique_ptr<RedisServer> self(new RedisServer());
  self->user_ = ServerUser();
  auto dir = MakeTempDir("maillage-redis-", self->user_);
  if (!dir.ok()) return dir.status();
  self->dir_ = *dir;
  self->port_ = PickFreePort();
  if (absl::Status s = self->Launch(); !s.ok()) return s;
  return self;
}

absl::Status RedisServer::Launch() {
  SpawnOptions opts{.run_as_user = user_, .log_file = dir_ + "/redis.log"};
  auto child = ChildProcess::Spawn({kRedisServer, "--port", absl::StrCat(port_), "--bind",
                                    "127.0.0.1", "--save", "", "--appendonly", "yes", "--dir", dir_,
                                    "--daemonize", "no", "--protected-mode", "no", "--logfile", ""},
                                   opts);
  if (!child.ok()) return child.status();
  process_ = std::move(*child);
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  absl::Status last;
  while (absl::Now() < deadline) {
    last = Run(port_, "PING", "PONG");
    if (last.ok()) return absl::OkStatus();
    if (!process_->Running()) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::UnavailableError(
      absl::StrCat("redis-server did not start (", last.message(), "), see ", dir_, "/redis.log"));
}

RedisServer::~RedisServer() {
  Stop();
  if (getenv("MAILLAGE_KEEP_TEST_DATA") == nullptr) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string RedisServer::address() const { return absl::StrCat("127.0.0.1:", port_); }

void RedisServer::Stop() {
  if (process_ != nullptr) process_->Stop(absl::Seconds(20));
}

absl::Status RedisServer::Restart() {
  Stop();
  return Launch();
}

absl::Status RedisServer::FlushAll() { return Run(port_, "FLUSHALL", "OK"); }

}  // namespace maillage::testing
