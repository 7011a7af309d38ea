// gateway/grpc_front/grpc_proxy: the gateway's gRPC front door. Any maillage.* method is
// forwarded, as raw bytes, to the service that owns it, after the same authentication as
// the REST routes.
//
//   GrpcProxy proxy({.backends = {{"maillage.membership.v1.MembershipService", channel}},
//                    .authenticator = &authn, .signer = &signer, .workers = &workers});
//   runtime.SetGenericService(&proxy);   // every method the gateway does not serve itself
//
// Partner systems call the gateway exactly as they would call the service (same protos,
// same method names), with `authorization: Bearer <token>` (and `x-maillage-organisation`)
// in the metadata. Per call:
//   1. the owning service from the method name ("/maillage.membership.v1.MembershipService/
//      GetNetwork"); a service the gateway does not front is UNIMPLEMENTED;
//   2. the caller, on a worker (the authenticator may ask membership; never on gRPC's
//      threads); its refusal is the call's status (UNAUTHENTICATED, PERMISSION_DENIED,
//      UNAVAILABLE); a full worker queue is UNAVAILABLE;
//   3. the backend call, with the principal signed for the backends in place of the
//      caller's credentials, the caller's deadline capped by the method's limit
//      (call_timeouts.h), x-request-id (the caller's when sane, else a
//      new one, returned in the initial metadata) and W3C traceparent/tracestate;
//   4. messages relayed both ways one at a time (flow control end to end, any streaming
//      shape), then the backend's status with its details (google.rpc.Status in
//      grpc-status-details-bin) and trailing metadata. A caller that cancels cancels the
//      backend call.
// Credentials and principals the caller sends are never passed on.
#ifndef MAILLAGE_GATEWAY_GRPC_FRONT_GRPC_PROXY_H_
#define MAILLAGE_GATEWAY_GRPC_FRONT_GRPC_PROXY_H_

#include <grpcpp/generic/async_generic_service.h>

#include <map>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/auth/auth.h"
#include "common/server/worker_pool.h"
#include "gateway/auth/authenticator.h"
#include "gateway/limits/call_timeouts.h"

namespace grpc {
class Channel;
}  // namespace grpc

namespace maillage::gateway {

class RateLimiter;

class GrpcProxy final : public grpc::CallbackGenericService {
 public:
  struct Options {
    // Service full name ("maillage.membership.v1.MembershipService") -> its channel.
    std::map<std::string, std::shared_ptr<grpc::Channel>> backends;
    Authenticator* authenticator = nullptr;
    const auth::PrincipalSigner* signer = nullptr;
    WorkerPool* workers = nullptr;
    // Optional: per-caller limits (RESOURCE_EXHAUSTED with a retry-after trailer); methods
    // whose HTTP rule is a GET are reads.
    RateLimiter* limiter = nullptr;
    CallTimeouts timeouts = {};
  };

  explicit GrpcProxy(Options options);
  ~GrpcProxy() override;

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override;

 private:
  class Call;
  struct Backend;

  Options options_;
  std::map<std::string, std::unique_ptr<Backend>, std::less<>> backends_;
};

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_GRPC_FRONT_GRPC_PROXY_H_
