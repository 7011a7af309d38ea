// gateway/auth/gateway_caller: how the gateway asks membership who a caller is, as itself.
//
//   grpc::ClientContext ctx;
//   AskAsGateway(signer, audience, now, absl::Seconds(3), &ctx);
//   stub->ResolvePrincipal(&ctx, request, &response);
//
// The gateway's own principal is a platform operator's ("gateway"), signed for the
// deployment's audience and valid a few seconds past the call's deadline: membership lets
// only operators call ResolvePrincipal and ResolveApiKey.
#ifndef MAILLAGE_GATEWAY_AUTH_GATEWAY_CALLER_H_
#define MAILLAGE_GATEWAY_AUTH_GATEWAY_CALLER_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth/auth.h"

namespace grpc {
class ClientContext;
}  // namespace grpc

namespace maillage::gateway {

// Sets `ctx`'s deadline to now + call_timeout and attaches the gateway's principal.
void AskAsGateway(const auth::PrincipalSigner& signer, absl::string_view audience, absl::Time now,
                  absl::Duration call_timeout, grpc::ClientContext* ctx);

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_AUTH_GATEWAY_CALLER_H_
