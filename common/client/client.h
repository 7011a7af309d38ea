// common/client: calls from one Maillage service to another.
//
// Every outgoing call gets its deadline here, in one place, and carries the caller's
// principal, re-stamped for the callee: issued now, valid for a short lifetime, for the
// callee's audience, and signed with the deployment key. The callee sees the same subject,
// organisation and roles as the service that calls it saw.
//
//   MAILLAGE_ASSIGN_OR_RETURN(ServiceClient membership,
//       ServiceClient::Create({.address = "membership:50051", .hmac_key = key}));
//   auto stub = v1::MembershipService::NewStub(membership.channel());
//   v1::Network network;
//   absl::Status s = membership.Call(stub.get(), &v1::MembershipService::Stub::GetNetwork,
//                                    caller, req, &network);          // absl::Status, as inside
//   // From a handler, pass the incoming context: the smaller of its deadline and ours wins.
//   s = membership.Call(stub.get(), &Stub::GetNetwork, caller, req, &network, server_ctx);
//
// Errors: the callee's status mapped to absl::Status (same codes); DEADLINE_EXCEEDED when the
// callee did not answer in time, UNAVAILABLE when it cannot be reached.
//
// TLS: `credentials` takes any grpc::ChannelCredentials (e.g. grpc::SslCredentials with the
// deployment's CA), for clusters without a mesh; null is plaintext (a mesh or a private
// network encrypts). The servers' TLS settings (MAILLAGE_TLS_*) live in common/server.
#ifndef MAILLAGE_COMMON_CLIENT_CLIENT_H_
#define MAILLAGE_COMMON_CLIENT_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/auth.h"
#include "common/status/status.h"

namespace maillage {

struct ClientOptions {
  // host:port of the callee, e.g. "membership:50051".
  std::string address{};
  // Every call's deadline, from when it starts.
  absl::Duration deadline = absl::Seconds(5);
  // The deployment key (MAILLAGE_AUTH_HMAC_KEY), at least 32 bytes.
  std::string hmac_key{};
  // The callee's audience (MAILLAGE_AUTH_AUDIENCE of its deployment).
  std::string audience = auth::kDefaultAudience;
  // How long a forwarded principal is valid: the call's length, not the session's.
  absl::Duration principal_lifetime = absl::Minutes(1);
  // Null: plaintext. See "TLS" above.
  std::shared_ptr<grpc::ChannelCredentials> credentials{};
};

class ServiceClient {
 public:
  // INVALID_ARGUMENT naming the field when the address is empty, the key too short, or a
  // duration not positive.
  static absl::StatusOr<ServiceClient> Create(ClientOptions options);

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  const ClientOptions& options() const { return options_; }

  // A context for one call as `caller`: the deadline (the smaller of ours and `incoming`'s,
  // when given) and the re-stamped, signed principal.
  std::unique_ptr<grpc::ClientContext> Context(
      const auth::Principal& caller, const grpc::ServerContextBase* incoming = nullptr) const;

  // Calls a unary RPC of `stub` (made on channel()) as `caller`.
  template <typename Stub, typename Req, typename Resp>
  absl::Status Call(Stub* stub,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    const auth::Principal& caller, const Req& req, Resp* resp,
                    const grpc::ServerContextBase* incoming = nullptr) const {
    std::unique_ptr<grpc::ClientContext> ctx = Context(caller, incoming);
    return FromGrpcStatus((stub->*method)(ctx.get(), req, resp));
  }

 private:
  ServiceClient(ClientOptions options, std::shared_ptr<grpc::Channel> channel)
      : options_(std::move(options)), signer_(options_.hmac_key), channel_(std::move(channel)) {}

  ClientOptions options_;
  auth::PrincipalSigner signer_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace maillage

#endif  // MAILLAGE_COMMON_CLIENT_CLIENT_H_
