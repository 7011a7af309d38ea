// gateway/auth/jwks_file: the identity provider's keys from a JWKS file, reloaded when the
// file changes (a Kubernetes ConfigMap or Secret update, a cron job fetching the provider's
// jwks_uri), so that a key rotation needs no restart.
//
//   absl::StatusOr<JwkSet> keys = LoadJwksFile("/etc/maillage/oidc/jwks.json");  // at start
//   JwtVerifier verifier(std::make_shared<JwkSet>(*std::move(keys)), {...});
//   JwksFileWatcher watcher(&verifier, {.path = "/etc/maillage/oidc/jwks.json",
//                                       .interval = absl::Seconds(10)});
//
// The watcher looks at the file every `interval` and reloads it when its content changed (a
// hash, not the modification time: a ConfigMap update swaps a symlink and keeps old times). A
// new file that cannot be read or holds no usable key is refused and logged, and the keys in
// use stay: a bad rotation never locks everyone out. Verify calls are never blocked by a
// reload.
//
// Metrics (with Options::metrics):
//   maillage_gateway_jwks_reloads_total{result}   loaded, refused
//   maillage_gateway_jwks_keys                    keys in use
#ifndef MAILLAGE_GATEWAY_AUTH_JWKS_FILE_H_
#define MAILLAGE_GATEWAY_AUTH_JWKS_FILE_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gateway/auth/jwt.h"

namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace maillage::gateway {

// The keys of the JWKS document at `path`: FAILED_PRECONDITION naming the path when it cannot
// be read, is over 1 MiB, or holds no usable key.
absl::StatusOr<JwkSet> LoadJwksFile(const std::string& path);

class JwksFileWatcher {
 public:
  struct Options {
    std::string path;
    absl::Duration interval = absl::Seconds(10);
    prometheus::Registry* metrics = nullptr;
  };

  // `verifier` must outlive the watcher. The file's current content is taken as the one in
  // use (load it with LoadJwksFile first).
  JwksFileWatcher(JwtVerifier* verifier, Options options);
  ~JwksFileWatcher();  // stops and joins

  JwksFileWatcher(const JwksFileWatcher&) = delete;
  JwksFileWatcher& operator=(const JwksFileWatcher&) = delete;

  // Looks at the file now (the loop calls it every interval): true when new keys were
  // installed.
  bool CheckNow();

  int64_t reloads() const;
  int64_t refusals() const;

 private:
  void Loop();

  JwtVerifier* const verifier_;
  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::string content_hash_;  // of the content in use, or of the last refused one
  int64_t reloads_ = 0;
  int64_t refusals_ = 0;
  prometheus::Counter* loaded_total_ = nullptr;
  prometheus::Counter* refused_total_ = nullptr;
  prometheus::Gauge* keys_gauge_ = nullptr;
  std::thread thread_;
};

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_AUTH_JWKS_FILE_H_
