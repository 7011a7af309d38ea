// common/redis: a small pool of synchronous hiredis connections with timeouts, pipelining,
// Lua scripts and a circuit breaker.
//
//   MAILLAGE_ASSIGN_OR_RETURN(auto redis, RedisPool::Create({.address = "127.0.0.1:6379"}));
//   MAILLAGE_ASSIGN_OR_RETURN(RedisReply r, redis->Command({"SET", key, bytes, "PX", "60000"}));
//   if (r.is_error()) return r.ToStatus();      // a Redis error reply is a reply, not a status
//   MAILLAGE_ASSIGN_OR_RETURN(auto replies, redis->Pipeline({{"INCR", a}, {"GET", b}}));
//
// Arguments are binary-safe byte strings. The status of a call says whether Redis answered:
//   address unreachable, connection lost, timeout, circuit open -> UNAVAILABLE (safe to retry
//                                                                  for idempotent commands)
//   no free connection within command_timeout                  -> UNAVAILABLE
// and an answer, including an error answer ("WRONGTYPE ...", "NOSCRIPT ..."), is an OK
// StatusOr holding a RedisReply of type kError. RedisReply::ToStatus() turns it into INTERNAL
// (UNAVAILABLE for LOADING/BUSY/MASTERDOWN/TRYAGAIN, which pass by themselves).
//
// Connections are opened lazily: Create() only checks the address, so it succeeds while Redis
// is down. A connection that fails is closed, never returned to the pool, and the idle
// connections opened before it are dropped too (after a Redis restart they are all dead). A
// call that found a pooled connection dead is retried once on a fresh one, except after a
// timeout, when the command may have run.
//
// Circuit breaker: when a connection cannot be opened, or a command times out or loses its
// connection on a fresh connection, the pool "opens" for `retry_after`: every call fails at
// once with UNAVAILABLE instead of each waiting for connect_timeout. After that one call is
// let through as a probe; its success closes the circuit, its failure opens it again.
//
// Create() sets SIGPIPE to SIG_IGN if it still has the default disposition: hiredis writes
// with write(2), and a Redis that went away would otherwise kill the process.
//
// Thread-safe. A blocking command (XREADGROUP BLOCK, BLPOP) holds a connection for its whole
// wait: give long-blocking consumers their own pool or count them in pool_size.
#ifndef MAILLAGE_COMMON_REDIS_REDIS_H_
#define MAILLAGE_COMMON_REDIS_REDIS_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

struct redisContext;
struct redisReply;

namespace maillage::redis {

struct RedisOptions {
  // host:port, e.g. "127.0.0.1:6379" or "redis.internal:6379".
  std::string address{};
  // Most connections open at once; a caller waits up to command_timeout for a free one.
  int pool_size = 8;
  absl::Duration connect_timeout = absl::Milliseconds(200);
  // Socket read/write timeout of each command (of the whole reply for a pipeline).
  absl::Duration command_timeout = absl::Milliseconds(500);
  // How long the circuit stays open after a connection failure or timeout.
  absl::Duration retry_after = absl::Seconds(1);
};

// An owned copy of one Redis reply (RESP2).
class RedisReply {
 public:
  enum class Type { kNil, kString, kInteger, kArray, kStatus, kError };

  RedisReply() = default;  // nil
  static RedisReply Nil() { return RedisReply(); }
  static RedisReply String(std::string s) { return RedisReply(Type::kString, std::move(s)); }
  static RedisReply Status(std::string s) { return RedisReply(Type::kStatus, std::move(s)); }
  static RedisReply Error(std::string s) { return RedisReply(Type::kError, std::move(s)); }
  static RedisReply Integer(int64_t i);
  static RedisReply Array(std::vector<RedisReply> elements);
  // Deep copy of a hiredis reply.
  static RedisReply FromHiredis(const redisReply& reply);

  Type type() const { return type_; }
  bool is_nil() const { return type_ == Type::kNil; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_integer() const { return type_ == Type::kInteger; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_status() const { return type_ == Type::kStatus; }
  bool is_error() const { return type_ == Type::kError; }

  // The bytes of a string, the text of a status or error ("OK", "WRONGTYPE ..."); empty
  // otherwise.
  const std::string& str() const { return str_; }
  // The value of an integer reply; 0 otherwise.
  int64_t integer() const { return integer_; }
  // The elements of an array reply; empty otherwise.
  const std::vector<RedisReply>& elements() const { return elements_; }

  // OK unless this is an error reply: INTERNAL with the error text, or UNAVAILABLE for the
  // transient ones (LOADING, BUSY, MASTERDOWN, TRYAGAIN).
  absl::Status ToStatus() const;
  // For logs and test failure messages, e.g. "[1, \"a\", nil]".
  std::string DebugString() const;

 private:
  RedisReply(Type type, std::string s) : type_(type), str_(std::move(s)) {}

  Type type_ = Type::kNil;
  std::string str_;
  int64_t integer_ = 0;
  std::vector<RedisReply> elements_;
};

// A Lua script run with EVALSHA, falling back to EVAL (which caches it) when Redis answers
// NOSCRIPT, e.g. after a restart or SCRIPT FLUSH.
class RedisScript {
 public:
  explicit RedisScript(std::string source);
  const std::string& source() const { return source_; }
  const std::string& sha1() const { return sha1_; }  // lowercase hex

 private:
  std::string source_;
  std::string sha1_;
};

class RedisPool {
 public:
  struct Stats {
    int64_t connects = 0;          // connection attempts (successful or not)
    int64_t connect_failures = 0;  // attempts that failed
    int64_t fast_failures = 0;     // calls refused because the circuit was open
  };

  // INVALID_ARGUMENT for an address that is not host:port or a non-positive size/timeout.
  static absl::StatusOr<std::unique_ptr<RedisPool>> Create(RedisOptions options);
  ~RedisPool();

  RedisPool(const RedisPool&) = delete;
  RedisPool& operator=(const RedisPool&) = delete;

  // Runs one command, e.g. {"SET", "k", "v"}.
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& argv);

  // Runs a command that may block on the server for up to `block` (XREADGROUP ... BLOCK,
  // BLPOP): the socket timeout is command_timeout + block for this call.
  absl::StatusOr<RedisReply> BlockingCommand(const std::vector<std::string>& argv,
                                             absl::Duration block);

  // Sends all commands in one write and reads the replies in order (one round trip; not a
  // transaction: wrap in MULTI/EXEC for that). Either every reply or a failed status.
  absl::StatusOr<std::vector<RedisReply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);

  // EVALSHA, then EVAL on NOSCRIPT.
  absl::StatusOr<RedisReply> Eval(const RedisScript& script, const std::vector<std::string>& keys,
                                  const std::vector<std::string>& args);

  // True while calls are refused without trying Redis.
  bool circuit_open() const;
  Stats stats() const;
  const RedisOptions& options() const { return options_; }

 private:
  struct Conn;
  enum class Failure { kNone, kConnection, kTimeout };

  RedisPool(RedisOptions options, std::string host, int port);

  // Runs `commands` on one connection, with the retry-once and breaker rules above.
  absl::StatusOr<std::vector<RedisReply>> Run(const std::vector<std::vector<std::string>>& commands,
                                              absl::Duration timeout);
  absl::StatusOr<std::vector<RedisReply>> RunOn(
      Conn& conn, const std::vector<std::vector<std::string>>& commands, absl::Duration timeout,
      Failure& failure);
  // A pooled or new connection; UNAVAILABLE when none can be had. `reused` tells which;
  // `connect_failed` tells a failed connection attempt from a pool kept busy by others.
  absl::StatusOr<std::unique_ptr<Conn>> Acquire(bool& reused, bool& connect_failed);
  absl::StatusOr<std::unique_ptr<Conn>> Connect();
  void Release(std::unique_ptr<Conn> conn);
  void Discard(std::unique_ptr<Conn> conn);
  // False (and counts a fast failure) when the circuit is open and this call is not the probe.
  bool AdmitCall(bool& probe);
  void RecordSuccess(bool probe);
  void RecordFailure(bool probe, const absl::Status& why);

  const RedisOptions options_;
  const std::string host_;
  const int port_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;
  int open_ = 0;        // connections idle or handed out
  uint64_t epoch_ = 0;  // bumped on a connection failure; older connections are dropped
  absl::Time open_until_ = absl::InfinitePast();  // circuit open while now < open_until_
  bool tripped_ = false;                          // the circuit has opened and not yet closed
  bool probing_ = false;                          // a probe call is in flight
  Stats stats_;
};

}  // namespace maillage::redis

#endif  // MAILLAGE_COMMON_REDIS_REDIS_H_
