// tools/maillagectl/client.h: maillagectl's connection to the membership service.
//
// A thin layer over the generated stub that every command goes through, so that each call
// is signed and bounded the same way:
//   - each call carries a principal signed with the deployment's HMAC key (common/auth);
//     a principal without issued_at is stamped (issued now, for the deployment's audience)
//     to expire just past the call's deadline, at most 5 minutes on (services refuse
//     longer-lived ones), so a captured header is useless soon after;
//   - each call has a deadline: unary calls the client's timeout, streams one scaled to
//     their size (imports) or a fixed generous one (exports);
//   - errors come back as absl::Status with the gRPC code kept and the RPC named first:
//     "CreateNetwork: network.name: required".
//
//   MembershipClient client(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()),
//                           hmac_key, absl::Seconds(10));
//   absl::StatusOr<v1::Network> n =
//       client.Call("GetNetwork", PlatformAdmin("maillagectl"), &Stub::GetNetwork, request);
#ifndef MAILLAGE_TOOLS_MAILLAGECTL_CLIENT_H_
#define MAILLAGE_TOOLS_MAILLAGECTL_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth/auth.h"
#include "maillage/membership/v1/membership.grpc.pb.h"

namespace maillage::ctl {

namespace v1 = ::maillage::membership::v1;
using Stub = v1::MembershipService::Stub;

// Size of each ImportOrganisations chunk.
inline constexpr size_t kImportChunkBytes = 64 * 1024;

// A platform operator (may do everything), without expiry (see Prepare).
auth::Principal PlatformAdmin(absl::string_view subject);
// A person acting for an organisation, holding `grants`, without expiry.
auth::Principal Representative(absl::string_view organisation_id, absl::string_view person_id,
                               std::vector<auth::v1::NetworkGrant> grants = {});
auth::v1::NetworkGrant Grant(absl::string_view network_id, auth::v1::NetworkRole role);

// The deadline of an import of `bytes` bytes: 30 s plus 30 s per MiB, never below
// `minimum`. The server applies one transaction per batch, so time grows with the file.
absl::Duration ImportDeadline(int64_t bytes, absl::Duration minimum);

class MembershipClient {
 public:
  // `rpc_timeout` bounds every unary call.
  // `audience` is the deployment's (MAILLAGE_AUTH_AUDIENCE).
  MembershipClient(std::shared_ptr<grpc::ChannelInterface> channel, std::string hmac_key,
                   absl::Duration rpc_timeout,
                   std::string audience = std::string(auth::kDefaultAudience));

  // One unary call as `who`. Not OK: the server's code and message, prefixed with `rpc`.
  template <typename Req, typename Resp>
  absl::StatusOr<Resp> Call(absl::string_view rpc, const auth::Principal& who,
                            grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                            const Req& request) const {
    return CallOn(stub_.get(), rpc, who, method, request);
  }

  // The same on another service's stub (the assessment service, for the demo), signed and
  // bounded alike.
  template <typename AnyStub, typename Req, typename Resp>
  absl::StatusOr<Resp> CallOn(AnyStub* stub, absl::string_view rpc, const auth::Principal& who,
                              grpc::Status (AnyStub::*method)(grpc::ClientContext*, const Req&,
                                                              Resp*),
                              const Req& request) const {
    grpc::ClientContext ctx;
    Prepare(who, timeout_, &ctx);
    Resp response;
    grpc::Status status = (stub->*method)(&ctx, request, &response);
    if (!status.ok()) return Failed(rpc, status);
    return response;
  }

  // Every membership matching `filter` (its page is ignored), following the page tokens.
  absl::StatusOr<std::vector<v1::Membership>> ListAllMemberships(
      const auth::Principal& who, v1::ListMembershipsRequest filter) const;

  // The networks whose name is exactly `name` (ListNetworks by prefix, then compared),
  // oldest first.
  absl::StatusOr<std::vector<v1::Network>> FindNetworksByName(const auth::Principal& who,
                                                              const std::string& name) const;

  // Streams `csv` (`size` bytes, used for the deadline) to ImportOrganisations: the options,
  // then chunks of kImportChunkBytes. `progress(sent)` is called after each chunk. A read
  // error on `csv` cancels the call and is returned as DATA_LOSS.
  absl::StatusOr<v1::ImportReport> Import(const auth::Principal& who, std::istream& csv,
                                          int64_t size,
                                          const v1::ImportOrganisationsRequest::Options& options,
                                          const std::function<void(int64_t sent)>& progress) const;

  // Hands each chunk of the ExportMembers stream to `sink` as it arrives. A sink error
  // cancels the call and is returned as is.
  absl::Status Export(const auth::Principal& who, const v1::ExportMembersRequest& request,
                      const std::function<absl::Status(absl::string_view chunk)>& sink) const;

 private:
  // Signs `who` into `ctx` and sets the deadline.
  void Prepare(const auth::Principal& who, absl::Duration timeout, grpc::ClientContext* ctx) const;
  static absl::Status Failed(absl::string_view rpc, const grpc::Status& status);

  std::unique_ptr<Stub> stub_;
  auth::PrincipalSigner signer_;
  absl::Duration timeout_;
  std::string audience_;
};

}  // namespace maillage::ctl

#endif  // MAILLAGE_TOOLS_MAILLAGECTL_CLIENT_H_
