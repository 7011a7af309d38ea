// tests/support/redis_server: a private Redis 7 for integration tests.
//
//   auto redis = RedisServer::Start();           // temp dir, free port on 127.0.0.1
//   ASSERT_TRUE(redis.ok()) << redis.status();
//   auto pool = RedisPool::Create({.address = (*redis)->address()});
//   ...
//   (*redis)->Stop();  (*redis)->Restart();      // outage tests: same port, same data
//   (*redis)->FlushAll();                        // empty every database between cases
//
// RDB snapshots are off and the append-only file is on, so a Stop()/Restart() keeps the
// data, as a production Redis with AOF would. Runs as the "postgres" user (or "nobody")
// when the tests run as root; the log is <dir>/redis.log.
#ifndef MAILLAGE_TESTS_SUPPORT_REDIS_SERVER_H_
#define MAILLAGE_TESTS_SUPPORT_REDIS_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tests/support/child_process.h"

namespace maillage::testing {

class RedisServer {
 public:
  // Starts redis-server and waits until it answers PING.
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start();
  ~RedisServer();  // Stop(), then removes the directory unless MAILLAGE_KEEP_TEST_DATA is set.

  // "127.0.0.1:PORT", the form RedisOptions::address takes.
  std::string address() const;
  int port() const { return port_; }

  // Stops the server (SIGTERM: clients are cut, the AOF is flushed). Idempotent.
  void Stop();
  // Starts it again on the same port and directory, and waits until it answers PING.
  absl::Status Restart();

  // FLUSHALL: removes every key of every database.
  absl::Status FlushAll();

 private:
  RedisServer() = default;
  absl::Status Launch();

  std::string dir_;
  std::string user_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace maillage::testing

#endif  // MAILLAGE_TESTS_SUPPORT_REDIS_SERVER_H_
