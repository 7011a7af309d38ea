// tests/support/postgres_server: a private PostgreSQL 15 for integration tests.
//
//   auto pg = PostgresServer::Start();          // initdb in a temp dir, free port
//   ASSERT_TRUE(pg.ok()) << pg.status();
//   std::string uri = (*pg)->CreateDatabase();  // a fresh empty database per test
//   ...
//   (*pg)->Stop();  (*pg)->Restart();           // outage tests: same port, same data
//
// Durability is switched off (fsync, full_page_writes) since the data is thrown away.
// Runs as the "postgres" user when the tests run as root.
#ifndef MAILLAGE_TESTS_SUPPORT_POSTGRES_SERVER_H_
#define MAILLAGE_TESTS_SUPPORT_POSTGRES_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tests/support/child_process.h"

namespace maillage::testing {

class PostgresServer {
 public:
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Start();
  ~PostgresServer();

  // Creates a database with a unique name; returns its libpq URI.
  absl::StatusOr<std::string> CreateDatabase();

  // Stops the server (fast shutdown: connections are cut).
  void Stop();
  // Starts it again on the same port and data directory.
  absl::Status Restart();

  int port() const { return port_; }
  std::string UriFor(const std::string& database) const;

 private:
  PostgresServer() = default;
  absl::Status Launch();

  std::string dir_;
  std::string user_;
  int port_ = 0;
  int next_db_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace maillage::testing

#endif  // MAILLAGE_TESTS_SUPPORT_POSTGRES_SERVER_H_
