#include "gateway/auth/gateway_caller.h"

#include <grpcpp/client_context.h>

namespace maillage::gateway {

void AskAsGateway(const auth::PrincipalSigner& signer, absl::string_view audience, absl::Time now,
                  absl::Duration call_timeout, grpc::ClientContext* ctx) {
  auth::Principal gateway;
  gateway.set_subject("gateway");
  gateway.set_platform_admin(true);
  signer.Attach(auth::Stamp(std::move(gateway), now, call_timeout + absl::Seconds(5), audience),
                ctx);
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + call_timeout));
}

}  // namespace maillage::gateway
