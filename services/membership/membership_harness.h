// A membership service running in-process on real PostgreSQL and Redis, for tests and
// benchmarks: membership's Definition() and Build() (membership_runtime.h) started by the
// generic harness (common/testing/harness.h), so through the same runtime as main.cc, on
// port 0, with a client stub and helpers to sign principals.
//
//   MembershipHarness h;                    // one PostgreSQL and Redis per process
//   ASSERT_TRUE(h.Start().ok());            // fresh database, migrations, server
//   auto ctx = h.Context(h.Admin());
//   grpc::Status s = h.stub()->CreateOrganisation(ctx.get(), req, &org);
//
// Outage tests stop and restart the servers: h.postgres()->Stop(), h.redis()->Restart().
#ifndef MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_HARNESS_H_
#define MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_HARNESS_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/auth.h"
#include "common/events/relay.h"
#include "common/paging/paging.h"
#include "common/pg/pg.h"
#include "common/redis/cache.h"
#include "common/redis/near_cache.h"
#include "common/redis/redis.h"
#include "common/server/worker_pool.h"
#include "common/testing/harness.h"
#include "maillage/membership/v1/membership.grpc.pb.h"
#include "services/membership/membership_runtime.h"
#include "services/membership/membership_service.h"
#include "services/membership/membership_store.h"
#include "tests/support/postgres_server.h"
#include "tests/support/redis_server.h"

namespace maillage::membership {

using ::maillage::testing::kTestHmacKey;

struct HarnessOptions {
  int workers = 4;
  int queue_capacity = 256;
  bool with_cache = true;
  bool with_relay = false;
  // A near cache in front of the Redis cache, following the relay's stream as in main.cc
  // (needs with_cache and with_relay).
  bool with_near_cache = false;
};

class MembershipHarness {
 public:
  MembershipHarness() = default;
  ~MembershipHarness() = default;  // the runtime's ordered shutdown

  absl::Status Start(HarnessOptions options = {});

  v1::MembershipService::Stub* stub() { return stub_.get(); }
  MembershipStore* store() { return built_.store; }
  pg::PgPool* pg() { return runtime()->pg(); }
  redis::RedisPool* redis_pool() { return runtime()->redis(); }
  redis::ReadThroughCache* cache() { return runtime()->redis_cache(); }
  redis::NearCache* near_cache() { return runtime()->near_cache(); }
  redis::StreamFollower* follower() { return runtime()->follower(); }
  // Null unless with_relay.
  events::OutboxRelay* relay() { return with_relay_ ? runtime()->relay() : nullptr; }
  // The service's worker pool: tests fill it to see how calls behave under load.
  WorkerPool* workers() { return runtime()->workers(); }
  std::string address() const { return harness_.address(); }
  // The stream the relay publishes on (one per test process).
  const std::string& stream() const { return harness_.stream(); }
  // The service's page token codec: its key derived from kTestHmacKey, as main.cc derives it.
  const PageTokenCodec& page_tokens() const { return page_tokens_; }

  // The process-wide servers (started by the first Start()).
  static testing::PostgresServer* postgres() { return testing::ServiceHarness::postgres(); }
  static testing::RedisServer* redis_server() { return testing::ServiceHarness::redis_server(); }

  // Principals for the default audience. Each expires in 5 minutes (the verifier's maximum).
  auth::Principal Admin() const { return testing::ServiceHarness::Admin(); }
  // A representative of `organisation_id` holding `grants` (network id → role).
  auth::Principal ActingFor(const std::string& organisation_id,
                            std::vector<std::pair<std::string, auth::NetworkRole>> grants = {},
                            const std::string& subject = "") const {
    return testing::ServiceHarness::ActingFor(organisation_id, std::move(grants), subject);
  }
  // A client context with a 10 s deadline carrying the signed principal.
  std::unique_ptr<grpc::ClientContext> Context(const auth::Principal& who) const {
    return testing::ServiceHarness::Context(who);
  }

  // Calls a unary RPC as `who` within `deadline`:
  //   grpc::Status s = h.Call(&v1::MembershipService::Stub::GetNetwork, h.Admin(), req, &out);
  template <typename Req, typename Resp>
  grpc::Status Call(grpc::Status (v1::MembershipService::Stub::*method)(grpc::ClientContext*,
                                                                        const Req&, Resp*),
                    const auth::Principal& who, const Req& req, Resp* resp,
                    absl::Duration deadline = absl::Seconds(10)) {
    return testing::ServiceHarness::Call(stub_.get(), method, who, req, resp, deadline);
  }

  // The single number a SQL query returns (e.g. "SELECT count(*) FROM organisations"), read
  // straight from the service's database; -1 (and a test failure) if the query fails.
  int64_t Count(const std::string& sql) { return harness_.Count(sql); }

 private:
  ServiceRuntime* runtime() { return harness_.runtime(); }

  testing::ServiceHarness harness_{Definition()};
  Built built_;
  bool with_relay_ = false;
  std::unique_ptr<v1::MembershipService::Stub> stub_;
  PageTokenCodec page_tokens_{DerivePageTokenKey(kTestHmacKey)};
};

}  // namespace maillage::membership

#endif  // MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_HARNESS_H_
