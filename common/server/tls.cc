#include "common/server/tls.h"

#include <grpcpp/security/server_credentials.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace maillage {
namespace {

absl::StatusOr<std::string> ReadFile(const char* setting, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat(setting, ": cannot read ", path, ": ", std::strerror(errno)));
  }
  std::ostringstream out;
  out << in.rdbuf();
  if (out.str().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(setting, ": ", path, " is empty"));
  }
  return out.str();
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::unique_ptr<BIO, BioDeleter> Bio(const std::string& pem) {
  return std::unique_ptr<BIO, BioDeleter>(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// gRPC would only say "Handshaker factory creation failed" at the first connection, or
// nothing at all for a key of another certificate; OpenSSL tells which file is wrong now.
absl::Status CheckPair(const TlsOptions& tls, const std::string& cert, const std::string& key) {
  std::unique_ptr<X509, X509Deleter> x509(
      PEM_read_bio_X509(Bio(cert).get(), nullptr, nullptr, nullptr));
  if (x509 == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        absl::StrCat("MAILLAGE_TLS_CERT_FILE: ", tls.cert_file, " holds no PEM certificate"));
  }
  std::unique_ptr<EVP_PKEY, KeyDeleter> pkey(
      PEM_read_bio_PrivateKey(Bio(key).get(), nullptr, nullptr, nullptr));
  if (pkey == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat(
        "MAILLAGE_TLS_KEY_FILE: ", tls.key_file, " holds no PEM private key (or it is encrypted)"));
  }
  if (X509_check_private_key(x509.get(), pkey.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("MAILLAGE_TLS_KEY_FILE: ", tls.key_file,
                                                   " is not the key of the certificate ",
                                                   tls.cert_file));
  }
  return absl::OkStatus();
}

absl::Status CheckCaBundle(const TlsOptions& tls, const std::string& pem) {
  std::unique_ptr<X509, X509Deleter> first(
      PEM_read_bio_X509(Bio(pem).get(), nullptr, nullptr, nullptr));
  if (first == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat(
        "MAILLAGE_TLS_CLIENT_CA_FILE: ", tls.client_ca_file, " holds no PEM certificate"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const TlsOptions& tls) {
  if (tls.cert_file.empty() && tls.key_file.empty()) {
    if (!tls.client_ca_file.empty()) {
      return absl::InvalidArgumentError(
          "MAILLAGE_TLS_CLIENT_CA_FILE: needs MAILLAGE_TLS_CERT_FILE and MAILLAGE_TLS_KEY_FILE "
          "(client certificates are checked only over TLS)");
    }
    return grpc::InsecureServerCredentials();
  }
  if (tls.cert_file.empty()) {
    return absl::InvalidArgumentError("MAILLAGE_TLS_CERT_FILE: required with a key file");
  }
  if (tls.key_file.empty()) {
    return absl::InvalidArgumentError("MAILLAGE_TLS_KEY_FILE: required with a certificate file");
  }
  absl::StatusOr<std::string> cert = ReadFile("MAILLAGE_TLS_CERT_FILE", tls.cert_file);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadFile("MAILLAGE_TLS_KEY_FILE", tls.key_file);
  if (!key.ok()) return key.status();
  if (absl::Status s = CheckPair(tls, *cert, *key); !s.ok()) return s;

  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  if (!tls.client_ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadFile("MAILLAGE_TLS_CLIENT_CA_FILE", tls.client_ca_file);
    if (!ca.ok()) return ca.status();
    if (absl::Status s = CheckCaBundle(tls, *ca); !s.ok()) return s;
    options.pem_root_certs = *ca;
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  options.pem_key_cert_pairs.push_back({.private_key = *key, .cert_chain = *cert});
  return grpc::SslServerCredentials(options);
}

}  // namespace maillage
