// The identity provider rotates its keys: the gateway follows the key file without a restart,
// and a broken file never replaces working keys.
#include "gateway/auth/jwks_file.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace maillage::gateway {
namespace {

constexpr char kIssuer[] = "https://sso.example.fr/realms/maillage";

class JwksFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = absl::StrCat(::testing::TempDir(), "/jwks-", getpid(), ".json");
    old_key_ = std::make_unique<JwtSigner>(*JwtSigner::Generate("2026-01"));
    new_key_ = std::make_unique<JwtSigner>(*JwtSigner::Generate("2026-07"));
  }
  void TearDown() override { std::remove(path_.c_str()); }

  void Write(const std::string& content) {
    // As a ConfigMap update does: a new file renamed over the old one.
    const std::string tmp = path_ + ".tmp";
    std::ofstream(tmp) << content;
    ASSERT_EQ(std::rename(tmp.c_str(), path_.c_str()), 0);
  }
  std::string TokenOf(const JwtSigner& signer) {
    TokenClaims c;
    c.issuer = kIssuer;
    c.subject = "kc-7";
    c.audiences = {"maillage"};
    c.issued_at = absl::Now();
    c.expires = absl::Now() + absl::Minutes(5);
    return *signer.Sign(c);
  }

  std::string path_;
  std::unique_ptr<JwtSigner> old_key_;
  std::unique_ptr<JwtSigner> new_key_;
};

TEST_F(JwksFileTest, AnUnreadableOrEmptyFileIsRefusedNamingIt) {
  absl::StatusOr<JwkSet> missing = LoadJwksFile(path_);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.status().message().find(path_), std::string::npos);
  Write(R"({"keys": []})");
  EXPECT_EQ(LoadJwksFile(path_).status().code(), absl::StatusCode::kFailedPrecondition);
  Write(std::string(2 << 20, ' '));
  EXPECT_EQ(LoadJwksFile(path_).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(JwksFileTest, ARotatedKeyIsTakenWithoutARestart) {
  Write(old_key_->JwksJson());
  absl::StatusOr<JwkSet> keys = LoadJwksFile(path_);
  ASSERT_TRUE(keys.ok()) << keys.status();
  JwtVerifier verifier(std::make_shared<JwkSet>(*std::move(keys)),
                       {.issuer = kIssuer, .audience = "maillage"});
  prometheus::Registry registry;
  JwksFileWatcher watcher(
      &verifier, {.path = path_, .interval = absl::Milliseconds(20), .metrics = &registry});
  EXPECT_TRUE(verifier.Verify(TokenOf(*old_key_), absl::Now()).ok());
  EXPECT_FALSE(verifier.Verify(TokenOf(*new_key_), absl::Now()).ok());

  Write(new_key_->JwksJson());
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (watcher.reloads() == 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ(watcher.reloads(), 1);
  EXPECT_TRUE(verifier.Verify(TokenOf(*new_key_), absl::Now()).ok());
  // The old key is gone from the file, so from the gateway.
  EXPECT_EQ(verifier.Verify(TokenOf(*old_key_), absl::Now()).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(JwksFileTest, ABrokenFileKeepsTheKeysInUse) {
  Write(old_key_->JwksJson());
  JwtVerifier verifier(std::make_shared<JwkSet>(*LoadJwksFile(path_)),
                       {.issuer = kIssuer, .audience = "maillage"});
  JwksFileWatcher watcher(&verifier, {.path = path_, .interval = absl::Hours(1)});
  Write("{\"keys\": [{\"kty\": \"RSA\", \"kid\": \"truncated");
  EXPECT_FALSE(watcher.CheckNow());
  EXPECT_FALSE(watcher.CheckNow());  // refused once, not at every look
  EXPECT_EQ(watcher.refusals(), 1);
  std::remove(path_.c_str());  // being replaced
  EXPECT_FALSE(watcher.CheckNow());
  EXPECT_TRUE(verifier.Verify(TokenOf(*old_key_), absl::Now()).ok());
  // A good file after the broken one is taken.
  Write(new_key_->JwksJson());
  EXPECT_TRUE(watcher.CheckNow());
  EXPECT_TRUE(verifier.Verify(TokenOf(*new_key_), absl::Now()).ok());
}

}  // namespace
}  // namespace maillage::gateway
