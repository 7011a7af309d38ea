#include "tests/support/postgres_server.h"

#include <libpq-fe.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace maillage::testing {
namespace {

constexpr char kBinDir[] = "/usr/lib/postgresql/15/bin";

absl::Status Exec(const std::string& uri, const std::string& sql) {
  PGconn* conn = PQconnectdb(uri.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string err = PQerrorMessage(conn);
    PQfinish(conn);
    return absl::UnavailableError(err);
  }
  PGresult* res = PQexec(conn, sql.c_str());
  absl::Status out = PQresultStatus(res) == PGRES_COMMAND_OK
                         ? absl::OkStatus()
                         : absl::InternalError(PQresultErrorMessage(res));
  PQclear(res);
  PQfinish(conn);
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  std::unique_ptr<PostgresServer> self(new PostgresServer());
  self->user_ = ServerUser();
  auto dir = MakeTempDir("maillage-pg-", self->user_);
  if (!dir.ok()) return dir.status();
  self->dir_ = *dir;
  SpawnOptions opts{.run_as_user = self->user_, .log_file = self->dir_ + "/initdb.log"};
  absl::Status init =
      RunCommand({absl::StrCat(kBinDir, "/initdb"), "-D", self->dir_ + "/data", "-U", "maillage",
                  "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"},
                 opts);
  if (!init.ok()) return init;
  self->port_ = PickFreePort();
  if (absl::Status s = self->Launch(); !s.ok()) return s;
  return self;
}

absl::Status PostgresServer::Launch() {
  SpawnOptions opts{.run_as_user = user_, .log_file = dir_ + "/postgres.log"};
  auto child = ChildProcess::Spawn(
      {absl::StrCat(kBinDir, "/postgres"), "-D", dir_ + "/data", "-p", absl::StrCat(port_), "-k",
       dir_, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off",
       "-c", "synchronous_commit=off", "-c", "max_connections=200"},
      opts);
  if (!child.ok()) return child.status();
  process_ = std::move(*child);
  std::string uri = UriFor("postgres");
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    if (PQping(uri.c_str()) == PQPING_OK) return absl::OkStatus();
    if (!process_->Running()) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::UnavailableError(
      absl::StrCat("postgres did not start, see ", dir_, "/postgres.log"));
}

PostgresServer::~PostgresServer() {
  Stop();
  if (getenv("MAILLAGE_KEEP_TEST_DATA") == nullptr) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string PostgresServer::UriFor(const std::string& database) const {
  return absl::StrCat("postgresql://maillage@127.0.0.1:", port_, "/", database);
}

absl::StatusOr<std::string> PostgresServer::CreateDatabase() {
  std::string name = absl::StrCat("test_", next_db_++);
  if (absl::Status s = Exec(UriFor("postgres"), absl::StrCat("CREATE DATABASE ", name)); !s.ok()) {
    return s;
  }
  return UriFor(name);
}

void PostgresServer::Stop() {
  // SIGINT is PostgreSQL's "fast" shutdown; ChildProcess::Stop sends SIGTERM ("smart"),
  // which would wait for clients to disconnect.
  if (process_ != nullptr && process_->Running()) kill(process_->pid(), SIGINT);
  if (process_ != nullptr) process_->Stop(absl::Seconds(20));
}

absl::Status PostgresServer::Restart() {
  Stop();
  return Launch();
}

}  // namespace maillage::testing
