// A membership service running in-process on real PostgreSQL and Redis, for tests and
// benchmarks: the same wiring as main.cc, on port 0, with a client stub and helpers to
// sign principals.
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
#include "common/server/server.h"
#include "common/server/worker_pool.h"
#include "maillage/membership/v1/membership.grpc.pb.h"
#include "services/membership/membership_service.h"
#include "services/membership/membership_store.h"
#include "tests/support/postgres_server.h"
#include "tests/support/redis_server.h"

namespace maillage::membership {

inline constexpr char kTestHmacKey[] = "test-key-test-key-test-key-test-key!";

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
  ~MembershipHarness();

  absl::Status Start(HarnessOptions options = {});

  v1::MembershipService::Stub* stub() { return stub_.get(); }
  MembershipStore* store() { return store_.get(); }
  pg::PgPool* pg() { return pg_.get(); }
  redis::RedisPool* redis_pool() { return redis_.get(); }
  redis::ReadThroughCache* cache() { return cache_.get(); }
  redis::NearCache* near_cache() { return near_cache_.get(); }
  redis::StreamFollower* follower() { return follower_.get(); }
  events::OutboxRelay* relay() { return relay_.get(); }
  // The service's worker pool: tests fill it to see how calls behave under load.
  WorkerPool* workers() { return workers_.get(); }
  std::string address() const;
  // The service's page token codec: its key derived from kTestHmacKey, as main.cc derives it.
  const PageTokenCodec& page_tokens() const { return page_tokens_; }

  // The process-wide servers (started by the first Start()).
  static testing::PostgresServer* postgres();
  static testing::RedisServer* redis_server();

  // Principals for the default audience. Each expires in 5 minutes (the verifier's maximum).
  auth::Principal Admin() const;
  // A representative of `organisation_id` holding `grants` (network id → role).
  auth::Principal ActingFor(const std::string& organisation_id,
                            std::vector<std::pair<std::string, auth::NetworkRole>> grants = {},
                            const std::string& subject = "") const;
  // A client context with a 10 s deadline carrying the signed principal.
  std::unique_ptr<grpc::ClientContext> Context(const auth::Principal& who) const;

  // Calls a unary RPC as `who` within `deadline`:
  //   grpc::Status s = h.Call(&v1::MembershipService::Stub::GetNetwork, h.Admin(), req, &out);
  template <typename Req, typename Resp>
  grpc::Status Call(grpc::Status (v1::MembershipService::Stub::*method)(grpc::ClientContext*,
                                                                        const Req&, Resp*),
                    const auth::Principal& who, const Req& req, Resp* resp,
                    absl::Duration deadline = absl::Seconds(10)) {
    std::unique_ptr<grpc::ClientContext> ctx = Context(who);
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    return (stub_.get()->*method)(ctx.get(), req, resp);
  }

  // The single number a SQL query returns (e.g. "SELECT count(*) FROM organisations"), read
  // straight from the service's database; -1 (and a test failure) if the query fails.
  int64_t Count(const std::string& sql);

 private:
  std::unique_ptr<pg::PgPool> pg_;
  std::unique_ptr<redis::RedisPool> redis_;
  std::unique_ptr<redis::ReadThroughCache> cache_;
  std::unique_ptr<redis::RedisPool> follower_redis_;
  std::unique_ptr<redis::NearCache> near_cache_;
  std::unique_ptr<redis::StreamFollower> follower_;
  std::unique_ptr<events::OutboxRelay> relay_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<MembershipStore> store_;
  std::unique_ptr<MembershipService> service_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::MembershipService::Stub> stub_;
  PageTokenCodec page_tokens_{DerivePageTokenKey(kTestHmacKey)};
};

}  // namespace maillage::membership

#endif  // MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_HARNESS_H_
