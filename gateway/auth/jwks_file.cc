#include "gateway/auth/jwks_file.h"

#include <openssl/sha.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace maillage::gateway {
namespace {

constexpr size_t kMaxJwksBytes = 1 << 20;

// The file's bytes; nullopt when it cannot be read or is too large.
std::optional<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string bytes;
  char buffer[8192];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    bytes.append(buffer, static_cast<size_t>(in.gcount()));
    if (bytes.size() > kMaxJwksBytes) return std::nullopt;
  }
  return bytes;
}

std::string HashOf(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

}  // namespace

absl::StatusOr<JwkSet> LoadJwksFile(const std::string& path) {
  std::optional<std::string> bytes = ReadSmallFile(path);
  if (!bytes) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": cannot be read (or is over 1 MiB)"));
  }
  absl::StatusOr<JwkSet> keys = JwkSet::Parse(*bytes);
  if (!keys.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": ", keys.status().message()));
  }
  return keys;
}

JwksFileWatcher::JwksFileWatcher(JwtVerifier* verifier, Options options)
    : verifier_(verifier), options_(std::move(options)) {
  if (options_.metrics != nullptr) {
    auto& reloads = prometheus::BuildCounter()
                        .Name("maillage_gateway_jwks_reloads_total")
                        .Help("Changes of the identity provider's key file, by outcome")
                        .Register(*options_.metrics);
    loaded_total_ = &reloads.Add({{"result", "loaded"}});
    refused_total_ = &reloads.Add({{"result", "refused"}});
    keys_gauge_ = &prometheus::BuildGauge()
                       .Name("maillage_gateway_jwks_keys")
                       .Help("Keys of the identity provider in use")
                       .Register(*options_.metrics)
                       .Add({});
  }
  if (std::optional<std::string> bytes = ReadSmallFile(options_.path)) {
    content_hash_ = HashOf(*bytes);
    if (keys_gauge_ != nullptr) {
      absl::StatusOr<JwkSet> keys = JwkSet::Parse(*bytes);
      keys_gauge_->Set(keys.ok() ? static_cast<double>(keys->size()) : 0);
    }
  }
  thread_ = std::thread([this] { Loop(); });
}

JwksFileWatcher::~JwksFileWatcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void JwksFileWatcher::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, absl::ToChronoNanoseconds(options_.interval), [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    CheckNow();
    lock.lock();
  }
}

bool JwksFileWatcher::CheckNow() {
  // A file missing for a moment (being replaced) is not a change: keep what is in use.
  std::optional<std::string> bytes = ReadSmallFile(options_.path);
  if (!bytes) return false;
  std::string hash = HashOf(*bytes);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (hash == content_hash_) return false;
    content_hash_ = hash;  // a refused content is reported once, not every interval
  }
  absl::StatusOr<JwkSet> keys = JwkSet::Parse(*bytes);
  if (!keys.ok()) {
    log::Error("identity provider keys: the new key file is refused, the previous keys stay",
               {{"path", options_.path}, {"error", std::string(keys.status().message())}});
    std::lock_guard<std::mutex> lock(mu_);
    ++refusals_;
    if (refused_total_ != nullptr) refused_total_->Increment();
    return false;
  }
  const size_t count = keys->size();
  verifier_->SetKeys(std::make_shared<JwkSet>(*std::move(keys)));
  log::Info("identity provider keys reloaded",
            {{"path", options_.path}, {"keys", absl::StrCat(count)}});
  std::lock_guard<std::mutex> lock(mu_);
  ++reloads_;
  if (loaded_total_ != nullptr) loaded_total_->Increment();
  if (keys_gauge_ != nullptr) keys_gauge_->Set(static_cast<double>(count));
  return true;
}

int64_t JwksFileWatcher::reloads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reloads_;
}

int64_t JwksFileWatcher::refusals() const {
  std::lock_guard<std::mutex> lock(mu_);
  return refusals_;
}

}  // namespace maillage::gateway
