// gateway/auth/authenticator: who is calling, from a request's credentials.
//
//   absl::StatusOr<auth::Principal> who = authenticator->Authenticate(request);
//   // UNAUTHENTICATED (401, the message is shown), PERMISSION_DENIED (403),
//   // UNAVAILABLE (503) when what it depends on is down
//
// Implementations may block (they may ask membership): the REST gateway calls them on its
// workers, never on the HTTP threads.
#ifndef MAILLAGE_GATEWAY_AUTH_AUTHENTICATOR_H_
#define MAILLAGE_GATEWAY_AUTH_AUTHENTICATOR_H_

#include <optional>

#include "absl/status/statusor.h"
#include "common/auth/auth.h"
#include "gateway/http/http_server.h"

namespace maillage::gateway {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual absl::StatusOr<auth::Principal> Authenticate(const HttpRequest& request) = 0;

  // The answer when it can be had without blocking (CPU only: a token checked, a resolution
  // the process holds), for callers on threads that must not wait; nullopt otherwise, and
  // then Authenticate is called on a worker. Refusals found on the way are answers too.
  virtual std::optional<absl::StatusOr<auth::Principal>> AuthenticateWithoutBlocking(
      const HttpRequest& request) {
    (void)request;
    return std::nullopt;
  }
};

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_AUTH_AUTHENTICATOR_H_
