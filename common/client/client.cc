#include "common/client/client.h"

#include <algorithm>

namespace maillage {

absl::StatusOr<ServiceClient> ServiceClient::Create(ClientOptions options) {
  if (options.address.empty()) return InvalidField("address", "must not be empty");
  if (absl::Status s = auth::ValidateKey(options.hmac_key); !s.ok()) {
    return InvalidField("hmac_key", s.message());
  }
  if (options.deadline <= absl::ZeroDuration()) {
    return InvalidField("deadline", "must be positive");
  }
  if (options.principal_lifetime <= absl::ZeroDuration()) {
    return InvalidField("principal_lifetime", "must be positive");
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      options.credentials != nullptr ? options.credentials : grpc::InsecureChannelCredentials();
  std::shared_ptr<grpc::Channel> channel = grpc::CreateChannel(options.address, credentials);
  return ServiceClient(std::move(options), std::move(channel));
}

std::unique_ptr<grpc::ClientContext> ServiceClient::Context(
    const auth::Principal& caller, const grpc::ServerContextBase* incoming) const {
  absl::Time now = absl::Now();
  auto ctx = std::make_unique<grpc::ClientContext>();
  std::chrono::system_clock::time_point deadline = absl::ToChronoTime(now + options_.deadline);
  // Our caller gave up at its deadline: work for it past that is wasted.
  if (incoming != nullptr) deadline = std::min(deadline, incoming->deadline());
  ctx->set_deadline(deadline);
  // The caller's identity, not its token: a fresh issued_at and a short life bound to the
  // callee's audience, so a forwarded principal is worth little if it leaks.
  signer_.Attach(auth::Stamp(caller, now, options_.principal_lifetime, options_.audience),
                 ctx.get());
  return ctx;
}

}  // namespace maillage
