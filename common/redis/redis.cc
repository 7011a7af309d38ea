#include "common/redis/redis.h"

#include <hiredis/hiredis.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/time.h>

#include <cerrno>
#include <chrono>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace maillage::redis {
namespace {

// hiredis writes with write(2): a peer that closed its end would kill the process with
// SIGPIPE instead of letting the call fail with EPIPE. Only the default disposition is
// replaced, so a handler installed by the program (or gRPC) is left alone.
void IgnoreSigpipeOnce() {
  static const bool done = [] {
    struct sigaction current {};
    if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      signal(SIGPIPE, SIG_IGN);
    }
    return true;
  }();
  (void)done;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// RedisReply

RedisReply RedisReply::Integer(int64_t i) {
  RedisReply r;
  r.type_ = Type::kInteger;
  r.integer_ = i;
  return r;
}

RedisReply RedisReply::Array(std::vector<RedisReply> elements) {
  RedisReply r;
  r.type_ = Type::kArray;
  r.elements_ = std::move(elements);
  return r;
}

RedisReply RedisReply::FromHiredis(const redisReply& reply) {
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      return String(std::string(reply.str, reply.len));
    case REDIS_REPLY_STATUS:
      return Status(std::string(reply.str, reply.len));
    case REDIS_REPLY_ERROR:
      return Error(std::string(reply.str, reply.len));
    case REDIS_REPLY_INTEGER:
      return Integer(reply.integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<RedisReply> elements;
      elements.reserve(reply.elements);
      for (size_t i = 0; i < reply.elements; ++i) {
        elements.push_back(FromHiredis(*reply.element[i]));
      }
      return Array(std::move(elements));
    }
    default:
      return Nil();
  }
}

absl::Status RedisReply::ToStatus() const {
  if (type_ != Type::kError) return absl::OkStatus();
  // Replies that mean "not now" rather than "wrong": a restart replaying its AOF, a script
  // running too long, a replica without its master, a cluster slot moving.
  for (absl::string_view transient : {"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN"}) {
    if (absl::StartsWith(str_, transient)) {
      return absl::UnavailableError(absl::StrCat("redis: ", str_));
    }
  }
  return absl::InternalError(absl::StrCat("redis: ", str_));
}

std::string RedisReply::DebugString() const {
  switch (type_) {
    case Type::kNil:
      return "nil";
    case Type::kString:
      return absl::StrCat("\"", absl::CHexEscape(str_), "\"");
    case Type::kStatus:
      return absl::StrCat("+", str_);
    case Type::kError:
      return absl::StrCat("-", str_);
    case Type::kInteger:
      return absl::StrCat(integer_);
    case Type::kArray:
      return absl::StrCat("[",
                          absl::StrJoin(elements_, ", ",
                                        [](std::string* out, const RedisReply& r) {
                                          out->append(r.DebugString());
                                        }),
                          "]");
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
// RedisScript

RedisScript::RedisScript(std::string source) : source_(std::move(source)) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(source_.data(), source_.size(), digest, &len, EVP_sha1(), nullptr);
  sha1_ = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), static_cast<size_t>(len)));
}

// ---------------------------------------------------------------------------------------------
// RedisPool

struct RedisPool::Conn {
  ~Conn() {
    if (ctx != nullptr) redisFree(ctx);
  }
  redisContext* ctx = nullptr;
  uint64_t epoch = 0;
  absl::Duration timeout;
};

absl::StatusOr<std::unique_ptr<RedisPool>> RedisPool::Create(RedisOptions options) {
  absl::string_view address = options.address;
  size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis address: want host:port, got \"", options.address, "\""));
  }
  std::string host(address.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [::1]:6379
  }
  int port = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &port) || port <= 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis address: bad port in \"", options.address, "\""));
  }
  if (options.pool_size <= 0) {
    return absl::InvalidArgumentError("redis pool_size: must be positive");
  }
  if (options.connect_timeout <= absl::ZeroDuration() ||
      options.command_timeout <= absl::ZeroDuration() ||
      options.retry_after < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("redis timeouts: must be positive");
  }
  IgnoreSigpipeOnce();
  return std::unique_ptr<RedisPool>(new RedisPool(std::move(options), std::move(host), port));
}

RedisPool::RedisPool(RedisOptions options, std::string host, int port)
    : options_(std::move(options)), host_(std::move(host)), port_(port) {}

RedisPool::~RedisPool() = default;

absl::StatusOr<RedisReply> RedisPool::Command(const std::vector<std::string>& argv) {
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<RedisReply> replies, Run({argv}, options_.command_timeout));
  return std::move(replies.front());
}

absl::StatusOr<RedisReply> RedisPool::BlockingCommand(const std::vector<std::string>& argv,
                                                      absl::Duration block) {
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                            Run({argv}, options_.command_timeout + block));
  return std::move(replies.front());
}

absl::StatusOr<std::vector<RedisReply>> RedisPool::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  if (commands.empty()) return std::vector<RedisReply>();
  return Run(commands, options_.command_timeout);
}

absl::StatusOr<RedisReply> RedisPool::Eval(const RedisScript& script,
                                           const std::vector<std::string>& keys,
                                           const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"EVALSHA", script.sha1(), absl::StrCat(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  MAILLAGE_ASSIGN_OR_RETURN(RedisReply reply, Command(argv));
  if (!reply.is_error() || !absl::StartsWith(reply.str(), "NOSCRIPT")) return reply;
  argv[0] = "EVAL";
  argv[1] = script.source();
  return Command(argv);
}

bool RedisPool::circuit_open() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tripped_;
}

RedisPool::Stats RedisPool::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

bool RedisPool::AdmitCall(bool& probe) {
  probe = false;
  std::lock_guard<std::mutex> lock(mu_);
  if (!tripped_) return true;
  if (!probing_ && absl::Now() >= open_until_) {
    probing_ = true;
    probe = true;
    return true;
  }
  ++stats_.fast_failures;
  return false;
}

void RedisPool::RecordSuccess(bool probe) {
  bool recovered = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (probe) probing_ = false;
    recovered = tripped_;
    tripped_ = false;
  }
  if (recovered) log::Info("redis reachable again", {{"address", options_.address}});
}

void RedisPool::RecordFailure(bool probe, const absl::Status& why) {
  bool opened = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (probe) probing_ = false;
    opened = !tripped_;
    tripped_ = true;
    open_until_ = absl::Now() + options_.retry_after;
  }
  if (opened) {
    std::string retry = absl::FormatDuration(options_.retry_after);
    log::Warn("redis unavailable, failing fast",
              {{"address", options_.address}, {"error", why.message()}, {"retry_after", retry}});
  }
}

absl::StatusOr<std::vector<RedisReply>> RedisPool::Run(
    const std::vector<std::vector<std::string>>& commands, absl::Duration timeout) {
  bool probe = false;
  if (!AdmitCall(probe)) {
    return absl::UnavailableError(
        absl::StrCat("redis ", options_.address, ": circuit open after a failure"));
  }
  // A connection taken from the pool may have died while idle (Redis restarted); that is
  // worth one more try on a fresh connection. A fresh connection failing means Redis is down.
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    bool connect_failed = false;
    absl::StatusOr<std::unique_ptr<Conn>> conn = Acquire(reused, connect_failed);
    if (!conn.ok()) {
      if (connect_failed) {
        RecordFailure(probe, conn.status());
      } else if (probe) {
        std::lock_guard<std::mutex> lock(mu_);
        probing_ = false;
      }
      return conn.status();
    }
    Failure failure = Failure::kNone;
    absl::StatusOr<std::vector<RedisReply>> replies = RunOn(**conn, commands, timeout, failure);
    if (failure == Failure::kNone) {
      Release(std::move(*conn));
      RecordSuccess(probe);
      return replies;
    }
    Discard(std::move(*conn));
    if (failure == Failure::kConnection && reused && attempt == 0) continue;
    RecordFailure(probe, replies.status());
    return replies.status();
  }
}

absl::StatusOr<std::vector<RedisReply>> RedisPool::RunOn(
    Conn& conn, const std::vector<std::vector<std::string>>& commands, absl::Duration timeout,
    Failure& failure) {
  redisContext* c = conn.ctx;
  if (conn.timeout != timeout) {
    if (redisSetTimeout(c, absl::ToTimeval(timeout)) != REDIS_OK) {
      failure = Failure::kConnection;
      return absl::UnavailableError(absl::StrCat("redis ", options_.address, ": set timeout"));
    }
    conn.timeout = timeout;
  }
  // Checked before anything is buffered: an early return after some appends would leave
  // their replies unread on a connection that goes back to the pool.
  for (const std::vector<std::string>& argv : commands) {
    if (argv.empty()) return absl::InvalidArgumentError("redis: empty command");
  }
  std::vector<const char*> args;
  std::vector<size_t> lens;
  for (const std::vector<std::string>& argv : commands) {
    args.clear();
    lens.clear();
    for (const std::string& a : argv) {
      args.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(c, static_cast<int>(args.size()), args.data(), lens.data()) !=
        REDIS_OK) {
      failure = Failure::kConnection;
      return absl::UnavailableError(absl::StrCat("redis ", options_.address, ": ", c->errstr));
    }
  }
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    errno = 0;
    if (redisGetReply(c, &raw) != REDIS_OK || raw == nullptr) {
      // hiredis reports a socket timeout as an I/O error with EAGAIN; the command may have run.
      bool timed_out = c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK);
      failure = timed_out ? Failure::kTimeout : Failure::kConnection;
      return absl::UnavailableError(absl::StrCat("redis ", options_.address, ": ",
                                                 timed_out ? "timeout" : c->errstr, " (",
                                                 commands[i].front(), ")"));
    }
    auto* reply = static_cast<redisReply*>(raw);
    replies.push_back(RedisReply::FromHiredis(*reply));
    freeReplyObject(reply);
  }
  return replies;
}

absl::StatusOr<std::unique_ptr<RedisPool::Conn>> RedisPool::Acquire(bool& reused,
                                                                    bool& connect_failed) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    absl::Time deadline = absl::Now() + options_.command_timeout;
    for (;;) {
      if (!idle_.empty()) {
        std::unique_ptr<Conn> conn = std::move(idle_.back());
        idle_.pop_back();
        reused = true;
        return conn;
      }
      if (open_ < options_.pool_size) {
        ++open_;
        break;
      }
      absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) {
        return absl::UnavailableError(absl::StrCat("redis ", options_.address, ": all ",
                                                   options_.pool_size, " connections busy"));
      }
      cv_.wait_for(lock, absl::ToChronoMilliseconds(left) + std::chrono::milliseconds(1));
    }
  }
  absl::StatusOr<std::unique_ptr<Conn>> conn = Connect();
  if (!conn.ok()) {
    connect_failed = true;
    std::lock_guard<std::mutex> lock(mu_);
    --open_;
    cv_.notify_one();
  }
  return conn;
}

absl::StatusOr<std::unique_ptr<RedisPool::Conn>> RedisPool::Connect() {
  uint64_t epoch = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.connects;
    epoch = epoch_;
  }
  auto conn = std::make_unique<Conn>();
  conn->ctx =
      redisConnectWithTimeout(host_.c_str(), port_, absl::ToTimeval(options_.connect_timeout));
  if (conn->ctx == nullptr || conn->ctx->err != 0) {
    std::string err = conn->ctx == nullptr ? "cannot allocate context" : conn->ctx->errstr;
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.connect_failures;
    return absl::UnavailableError(absl::StrCat("redis ", options_.address, ": connect: ", err));
  }
  redisEnableKeepAlive(conn->ctx);
  if (redisSetTimeout(conn->ctx, absl::ToTimeval(options_.command_timeout)) != REDIS_OK) {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.connect_failures;
    return absl::UnavailableError(absl::StrCat("redis ", options_.address, ": set timeout"));
  }
  conn->timeout = options_.command_timeout;
  conn->epoch = epoch;
  return conn;
}

void RedisPool::Release(std::unique_ptr<Conn> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (conn->epoch == epoch_) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;  // opened before a failure: likely dead too
  }
  cv_.notify_one();
}

void RedisPool::Discard(std::unique_ptr<Conn> conn) {
  conn.reset();
  std::lock_guard<std::mutex> lock(mu_);
  --open_;
  ++epoch_;
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
  cv_.notify_all();
}

}  // namespace maillage::redis
