#include "common/server/tls.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/server/server.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace maillage {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A throwaway CA, a server certificate for localhost and a client certificate, made with the
// openssl command as an operator would.
class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / absl::StrCat("maillage-tls-", getpid()));
    fs::create_directories(*dir_);
    std::string d = dir_->string();
    std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    std::string script =
        absl::StrCat("set -e; cd ", d, "; exec 2>openssl.log;", "openssl req -x509 ", key,
                     " -keyout ca.key -out ca.crt -days 2 -subj /CN=test-ca;", "openssl req ", key,
                     " -keyout server.key -out server.csr -subj /CN=localhost;",
                     "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1' > san.ext;",
                     "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial",
                     " -out server.crt -days 2 -extfile san.ext;", "openssl req ", key,
                     " -keyout client.key -out client.csr -subj /CN=partner;",
                     "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial",
                     " -out client.crt -days 2;", "openssl req -x509 ", key,
                     " -keyout other.key -out other.crt -days 2 -subj /CN=other;");
    ASSERT_EQ(std::system(absl::StrCat("bash -c '", script, "'").c_str()), 0)
        << Slurp(*dir_ / "openssl.log");
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }

  static std::string File(const char* name) { return (*dir_ / name).string(); }

  static absl::StatusOr<std::unique_ptr<Server>> StartWith(TlsOptions tls) {
    return Server::Start(
        {.grpc_address = "127.0.0.1:0", .metrics_address = "", .tls = std::move(tls)}, {});
  }

  // The health check a client makes, over `creds`.
  static grpc::Status Check(int port, std::shared_ptr<grpc::ChannelCredentials> creds) {
    auto channel = grpc::CreateChannel(absl::StrCat("localhost:", port), creds);
    auto stub = grpc::health::v1::Health::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    return stub->Check(&ctx, req, &resp);
  }

  static std::shared_ptr<grpc::ChannelCredentials> Tls(bool with_client_cert) {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = Slurp(*dir_ / "ca.crt");
    if (with_client_cert) {
      o.pem_private_key = Slurp(*dir_ / "client.key");
      o.pem_cert_chain = Slurp(*dir_ / "client.crt");
    }
    return grpc::SslCredentials(o);
  }

  static fs::path* dir_;
};

fs::path* TlsTest::dir_ = nullptr;

TEST_F(TlsTest, ATlsPortServesTlsClientsAndRefusesPlaintext) {
  auto server = StartWith({.cert_file = File("server.crt"), .key_file = File("server.key")});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(Check((*server)->port(), Tls(false)).ok());
  EXPECT_EQ(Check((*server)->port(), grpc::InsecureChannelCredentials()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, WithAClientCaOnlyClientsWithACertificateGetIn) {
  auto server = StartWith({.cert_file = File("server.crt"),
                           .key_file = File("server.key"),
                           .client_ca_file = File("ca.crt")});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(Check((*server)->port(), Tls(true)).ok());
  EXPECT_EQ(Check((*server)->port(), Tls(false)).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, WrongFilesStopTheStartNamingTheFile) {
  auto other_key = StartWith({.cert_file = File("server.crt"), .key_file = File("other.key")});
  ASSERT_FALSE(other_key.ok());
  EXPECT_THAT(std::string(other_key.status().message()),
              ::testing::AllOf(::testing::HasSubstr("MAILLAGE_TLS_KEY_FILE"),
                               ::testing::HasSubstr(File("other.key"))));

  auto missing = StartWith({.cert_file = File("nowhere.crt"), .key_file = File("server.key")});
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()),
              ::testing::HasSubstr(
                  absl::StrCat("MAILLAGE_TLS_CERT_FILE: cannot read ", File("nowhere.crt"))));

  auto key_as_cert = StartWith({.cert_file = File("server.key"), .key_file = File("server.key")});
  ASSERT_FALSE(key_as_cert.ok());
  EXPECT_THAT(std::string(key_as_cert.status().message()),
              ::testing::HasSubstr("holds no PEM certificate"));

  auto half = StartWith({.cert_file = File("server.crt")});
  ASSERT_FALSE(half.ok());
  EXPECT_THAT(std::string(half.status().message()),
              ::testing::StartsWith("MAILLAGE_TLS_KEY_FILE: required"));

  auto ca_alone = StartWith({.client_ca_file = File("ca.crt")});
  ASSERT_FALSE(ca_alone.ok());
  EXPECT_THAT(std::string(ca_alone.status().message()),
              ::testing::StartsWith("MAILLAGE_TLS_CLIENT_CA_FILE"));
}

}  // namespace
}  // namespace maillage
