// common/testing/harness: any Maillage service running in-process, through the same
// ServiceRuntime code path as its main.cc, on the real PostgreSQL and Redis of
// tests/support, for integration tests and benchmarks.
//
//   ServiceHarness h(membership::Definition());       // one PostgreSQL and Redis per process
//   ASSERT_TRUE(h.Start(membership::Build).ok());     // fresh database, migrations, server
//   auto stub = v1::MembershipService::NewStub(h.channel());
//   grpc::Status s = h.Call(stub.get(), &v1::MembershipService::Stub::GetNetwork, h.Admin(),
//                           req, &network);
//
// Each Start() gets a fresh database, port 0 (gRPC and /metrics), its own cache prefix and
// its own stream ("<stream>.test<pid>"), so tests of one process and parallel test processes
// stay apart. The servers are started by the first Start() and live for the whole process;
// outage tests stop and restart them: ServiceHarness::postgres()->Stop().
//
// It lives in common/ (not tests/support, which holds only the server fixtures) because it
// links the runtime and is linked by every service's tests, as common/server is by mains.
#ifndef MAILLAGE_COMMON_TESTING_HARNESS_H_
#define MAILLAGE_COMMON_TESTING_HARNESS_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/auth.h"
#include "common/runtime/runtime.h"
#include "tests/support/postgres_server.h"
#include "tests/support/redis_server.h"

namespace maillage::testing {

// The deployment key of every harness (the principal signing helpers use it).
inline constexpr char kTestHmacKey[] = "test-key-test-key-test-key-test-key!";

struct HarnessOptions {
  int workers = 4;
  int queue_capacity = 256;
  // The Redis read-through cache (MAILLAGE_CACHE_ENABLED).
  bool cache = true;
  // Whether the relay runs (polling every relay_poll_interval); otherwise events stay in the
  // outbox until Stop() relays them once.
  bool relay = false;
  absl::Duration relay_poll_interval = absl::Milliseconds(50);
  // The near cache (needs cache, and a service that says how to follow its stream, then
  // also the relay, or that has a stream of invalidations).
  bool near_cache = false;
  // More settings, full names (e.g. {"MAILLAGE_NEAR_CACHE_TTL_MS", "300000"}): the service's
  // own, or common ones to change.
  std::map<std::string, std::string> env{};
  // RuntimeOverrides::on_stop_step.
  std::function<void(const std::string&)> on_stop_step{};
};

class ServiceHarness {
 public:
  explicit ServiceHarness(ServiceDefinition definition) : definition_(std::move(definition)) {}
  ~ServiceHarness() { Stop(); }

  ServiceHarness(const ServiceHarness&) = delete;
  ServiceHarness& operator=(const ServiceHarness&) = delete;

  // Starts the process-wide servers if needed, a fresh database, and the service through
  // ServiceRuntime::Start(build). Once per harness.
  absl::Status Start(ServiceRuntime::BuildFn build, HarnessOptions options = {});
  // The runtime's ordered shutdown. Idempotent.
  void Stop();

  // Valid after Start().
  ServiceRuntime* runtime() { return runtime_.get(); }
  std::string address() const;
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  // The stream the service publishes to ("<definition stream>.test<pid>").
  const std::string& stream() const { return definition_.relay.stream; }

  static PostgresServer* postgres();
  static RedisServer* redis_server();

  // Principals for the default audience, signed with kTestHmacKey; each expires in 5 minutes
  // (the verifier's maximum).
  static auth::Principal Admin();
  // A representative of `organisation_id` holding `grants` (network id -> role); the subject
  // defaults to "person-of-<organisation_id>".
  static auth::Principal ActingFor(
      const std::string& organisation_id,
      std::vector<std::pair<std::string, auth::NetworkRole>> grants = {},
      const std::string& subject = "");
  // A client context carrying the signed principal, with `deadline` from now.
  static std::unique_ptr<grpc::ClientContext> Context(const auth::Principal& who,
                                                      absl::Duration deadline = absl::Seconds(10));

  // Calls a unary RPC as `who` within `deadline`:
  //   grpc::Status s = h.Call(stub.get(), &Stub::GetNetwork, h.Admin(), req, &out);
  template <typename Stub, typename Req, typename Resp>
  static grpc::Status Call(Stub* stub,
                           grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                           const auth::Principal& who, const Req& req, Resp* resp,
                           absl::Duration deadline = absl::Seconds(10)) {
    std::unique_ptr<grpc::ClientContext> ctx = Context(who, deadline);
    return (stub->*method)(ctx.get(), req, resp);
  }

  // The single number a SQL query returns, read straight from the service's database; -1
  // (and a test failure) if the query fails.
  int64_t Count(const std::string& sql);

 private:
  ServiceDefinition definition_;
  std::unique_ptr<ServiceRuntime> runtime_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace maillage::testing

#endif  // MAILLAGE_COMMON_TESTING_HARNESS_H_
