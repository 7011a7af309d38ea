// common/server/tls: TLS on a gRPC port, for clusters without a service mesh.
//
//   TlsOptions tls{.cert_file = "/etc/maillage/tls/tls.crt",
//                  .key_file = "/etc/maillage/tls/tls.key",
//                  .client_ca_file = "/etc/maillage/tls/ca.crt"};   // optional
//   MAILLAGE_ASSIGN_OR_RETURN(auto creds, ServerCredentialsFor(tls));
//
// No files: plaintext (a mesh or the loopback provides the transport security). A certificate
// and its key: TLS. A client CA as well: mutual TLS, where every client must present a
// certificate signed by that CA. Every mistake is found at start (fail fast), each naming the
// file: a missing or unreadable file, a file that holds no PEM certificate or key, a key that
// does not belong to the certificate, a key without a certificate or the reverse.
#ifndef MAILLAGE_COMMON_SERVER_TLS_H_
#define MAILLAGE_COMMON_SERVER_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace grpc {
class ServerCredentials;
}  // namespace grpc

namespace maillage {

struct TlsOptions {
  // PEM files. Empty cert_file and key_file: plaintext.
  std::string cert_file{};
  std::string key_file{};
  // PEM bundle of the CAs whose client certificates are accepted; empty: no client check.
  std::string client_ca_file{};
};

// The credentials for ServerBuilder::AddListeningPort. INVALID_ARGUMENT or
// FAILED_PRECONDITION naming the setting and the file when something is wrong.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const TlsOptions& tls);

}  // namespace maillage

#endif  // MAILLAGE_COMMON_SERVER_TLS_H_
