#include "gateway/auth/jwt.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace maillage::gateway {
namespace {

using Json = nlohmann::json;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

absl::Status Unauthenticated(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("bearer token: ", why));
}

std::optional<std::string> Base64Url(absl::string_view text) {
  std::string out;
  if (!absl::WebSafeBase64Unescape(text, &out)) return std::nullopt;
  return out;
}

std::string ToBase64Url(absl::string_view bytes) { return absl::WebSafeBase64Escape(bytes); }

std::optional<Json> ParseJsonObject(absl::string_view text) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

std::optional<std::string> StringMember(const Json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// A NumericDate claim: seconds since the epoch (integer or not).
std::optional<absl::Time> TimeMember(const Json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  double seconds = it->get<double>();
  if (!(seconds > -1e12 && seconds < 1e12)) return std::nullopt;
  return absl::FromUnixMicros(static_cast<int64_t>(seconds * 1e6));
}

Pkey KeyFromParams(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* pkey = nullptr;
  if (params != nullptr && ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) pkey = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return Pkey(pkey);
}

Pkey RsaKey(const std::string& n, const std::string& e) {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                           static_cast<int>(n.size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                           static_cast<int>(e.size()), nullptr);
  Pkey key;
  if (bld != nullptr && bn_n != nullptr && bn_e != nullptr &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1) {
    key = KeyFromParams("RSA", bld);
  }
  BN_free(bn_n);
  BN_free(bn_e);
  OSSL_PARAM_BLD_free(bld);
  return key;
}

Pkey Ec256Key(const std::string& x, const std::string& y) {
  if (x.size() != 32 || y.size() != 32) return nullptr;
  std::string point = "\x04" + x + y;
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  Pkey key;
  if (bld != nullptr &&
      OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) ==
          1) {
    key = KeyFromParams("EC", bld);
  }
  OSSL_PARAM_BLD_free(bld);
  return key;
}

bool VerifySha256(EVP_PKEY* key, absl::string_view data, absl::string_view signature) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  bool ok = md != nullptr && EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                             data.size()) == 1;
  EVP_MD_CTX_free(md);
  return ok;
}

// JWS carries ES256 signatures as r || s (32 bytes each); OpenSSL wants DER.
std::optional<std::string> Es256ToDer(absl::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data() + 32), 32, nullptr);
  std::optional<std::string> out;
  if (sig != nullptr && r != nullptr && s != nullptr && ECDSA_SIG_set0(sig, r, s) == 1) {
    r = s = nullptr;  // owned by sig now
    unsigned char* der = nullptr;
    int len = i2d_ECDSA_SIG(sig, &der);
    if (len > 0) out = std::string(reinterpret_cast<char*>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
  }
  BN_free(r);
  BN_free(s);
  ECDSA_SIG_free(sig);
  return out;
}

}  // namespace

struct JwkSet::Key {
  std::string kid;
  std::string alg;  // "RS256" or "ES256": what the key's type allows
  Pkey pkey;
};

JwkSet::JwkSet(JwkSet&&) noexcept = default;
JwkSet& JwkSet::operator=(JwkSet&&) noexcept = default;
JwkSet::~JwkSet() = default;

absl::StatusOr<JwkSet> JwkSet::Parse(absl::string_view json) {
  std::optional<Json> doc = ParseJsonObject(json);
  if (!doc || !doc->contains("keys") || !(*doc)["keys"].is_array()) {
    return absl::InvalidArgumentError("JWKS: expected a JSON object with a \"keys\" array");
  }
  JwkSet set;
  for (const Json& jwk : (*doc)["keys"]) {
    if (!jwk.is_object()) continue;
    std::optional<std::string> use = StringMember(jwk, "use");
    if (use && *use != "sig") continue;
    std::optional<std::string> kty = StringMember(jwk, "kty");
    std::optional<std::string> declared = StringMember(jwk, "alg");
    auto key = std::make_unique<Key>();
    key->kid = StringMember(jwk, "kid").value_or("");
    if (kty == "RSA") {
      std::optional<std::string> n = StringMember(jwk, "n"), e = StringMember(jwk, "e");
      std::optional<std::string> nb = n ? Base64Url(*n) : std::nullopt;
      std::optional<std::string> eb = e ? Base64Url(*e) : std::nullopt;
      if (!nb || !eb) continue;
      key->alg = "RS256";
      key->pkey = RsaKey(*nb, *eb);
      // Keys under 2048 bits are refused: tokens signed by them can be forged.
      if (key->pkey != nullptr && EVP_PKEY_get_bits(key->pkey.get()) < 2048) key->pkey.reset();
    } else if (kty == "EC" && StringMember(jwk, "crv") == "P-256") {
      std::optional<std::string> x = StringMember(jwk, "x"), y = StringMember(jwk, "y");
      std::optional<std::string> xb = x ? Base64Url(*x) : std::nullopt;
      std::optional<std::string> yb = y ? Base64Url(*y) : std::nullopt;
      if (!xb || !yb) continue;
      key->alg = "ES256";
      key->pkey = Ec256Key(*xb, *yb);
    } else {
      continue;
    }
    if (key->pkey == nullptr) continue;
    if (declared && *declared != key->alg) continue;  // a key meant for another algorithm
    set.keys_.push_back(std::move(key));
  }
  if (set.keys_.empty()) {
    return absl::InvalidArgumentError("JWKS: no usable RS256 (RSA >= 2048) or ES256 (P-256) key");
  }
  return set;
}

const JwkSet::Key* JwkSet::Find(absl::string_view kid, absl::string_view alg) const {
  if (kid.empty()) {
    // Without a kid only a set of one key is unambiguous.
    if (keys_.size() == 1 && keys_[0]->alg == alg) return keys_[0].get();
    return nullptr;
  }
  for (const auto& key : keys_) {
    if (key->kid == kid && key->alg == alg) return key.get();
  }
  return nullptr;
}

JwtVerifier::JwtVerifier(std::shared_ptr<const JwkSet> keys, JwtVerifierOptions options)
    : keys_(std::move(keys)), options_(std::move(options)) {}

void JwtVerifier::SetKeys(std::shared_ptr<const JwkSet> keys) {
  {
    std::lock_guard<std::mutex> lock(keys_mu_);
    keys_ = std::move(keys);
  }
  // A key taken out must not keep its tokens valid.
  std::lock_guard<std::mutex> lock(cache_mu_);
  verified_.clear();
}

absl::StatusOr<TokenClaims> JwtVerifier::Verify(absl::string_view token, absl::Time now) const {
  if (token.size() > kMaxTokenBytes) return Unauthenticated("too long");
  // A token already verified (the same bytes, under the keys in use) only has its times
  // checked again: the signature and the claims that do not depend on time cannot change.
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (auto it = verified_.find(token); it != verified_.end()) {
      const Verified& v = it->second;
      if (now > v.claims.expires + options_.clock_skew) return Unauthenticated("expired");
      if (now + options_.clock_skew < v.not_before) return Unauthenticated("not valid yet (nbf)");
      return v.claims;
    }
  }
  absl::Time not_before = absl::InfinitePast();
  absl::StatusOr<TokenClaims> claims = VerifyUncached(token, now, &not_before);
  if (claims.ok()) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (verified_.size() >= kMaxVerifiedTokens) verified_.clear();
    verified_.emplace(std::string(token), Verified{*claims, not_before});
  }
  return claims;
}

absl::StatusOr<TokenClaims> JwtVerifier::VerifyUncached(absl::string_view token, absl::Time now,
                                                        absl::Time* not_before) const {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Unauthenticated("not a JWS compact token");
  std::optional<std::string> header_bytes = Base64Url(parts[0]);
  std::optional<std::string> payload_bytes = Base64Url(parts[1]);
  std::optional<std::string> signature = Base64Url(parts[2]);
  if (!header_bytes || !payload_bytes || !signature) return Unauthenticated("bad base64url");
  std::optional<Json> header = ParseJsonObject(*header_bytes);
  if (!header) return Unauthenticated("header is not a JSON object");
  std::optional<std::string> alg = StringMember(*header, "alg");
  if (alg != "RS256" && alg != "ES256") {
    return Unauthenticated("algorithm not accepted (RS256 or ES256 only)");
  }
  if (header->contains("crit")) return Unauthenticated("critical header parameters unsupported");
  std::shared_ptr<const JwkSet> keys;
  {
    std::lock_guard<std::mutex> lock(keys_mu_);
    keys = keys_;
  }
  const JwkSet::Key* key = keys->Find(StringMember(*header, "kid").value_or(""), *alg);
  if (key == nullptr) return Unauthenticated("signed by an unknown key");

  const absl::string_view signed_part(token.data(), parts[0].size() + 1 + parts[1].size());
  bool valid = false;
  if (*alg == "RS256") {
    valid = VerifySha256(key->pkey.get(), signed_part, *signature);
  } else if (std::optional<std::string> der = Es256ToDer(*signature)) {
    valid = VerifySha256(key->pkey.get(), signed_part, *der);
  }
  if (!valid) return Unauthenticated("bad signature");

  std::optional<Json> payload = ParseJsonObject(*payload_bytes);
  if (!payload) return Unauthenticated("payload is not a JSON object");
  TokenClaims claims;
  std::optional<absl::Time> exp = TimeMember(*payload, "exp");
  if (!exp) return Unauthenticated("no expiry (exp)");
  if (now > *exp + options_.clock_skew) return Unauthenticated("expired");
  claims.expires = *exp;
  if (std::optional<absl::Time> nbf = TimeMember(*payload, "nbf")) {
    if (now + options_.clock_skew < *nbf) return Unauthenticated("not valid yet (nbf)");
    *not_before = *nbf;
  }
  if (std::optional<absl::Time> iat = TimeMember(*payload, "iat")) {
    if (now + options_.clock_skew < *iat) return Unauthenticated("issued in the future (iat)");
    claims.issued_at = *iat;
    if (options_.max_lifetime > absl::ZeroDuration() && *exp - *iat > options_.max_lifetime) {
      return Unauthenticated("lifetime too long");
    }
  } else if (options_.max_lifetime > absl::ZeroDuration()) {
    return Unauthenticated("no issue time (iat)");
  }
  claims.issuer = StringMember(*payload, "iss").value_or("");
  if (claims.issuer != options_.issuer) return Unauthenticated("issuer not accepted");
  if (auto aud = payload->find("aud"); aud != payload->end()) {
    if (aud->is_string()) {
      claims.audiences.push_back(aud->get<std::string>());
    } else if (aud->is_array()) {
      for (const Json& a : *aud) {
        if (a.is_string()) claims.audiences.push_back(a.get<std::string>());
      }
    }
  }
  if (std::find(claims.audiences.begin(), claims.audiences.end(), options_.audience) ==
      claims.audiences.end()) {
    return Unauthenticated("audience not accepted");
  }
  claims.subject = StringMember(*payload, "sub").value_or("");
  if (claims.subject.empty() || claims.subject.size() > 255) {
    return Unauthenticated("no subject (sub)");
  }
  claims.email = StringMember(*payload, "email").value_or("");
  if (auto v = payload->find("email_verified"); v != payload->end() && v->is_boolean()) {
    claims.email_verified = v->get<bool>();
  }
  return claims;
}

// --- Signing (development deployments and tests) ---

struct JwtSigner::Key {
  Pkey pkey;
};

JwtSigner::JwtSigner(std::unique_ptr<Key> key, std::string kid)
    : key_(std::move(key)), kid_(std::move(kid)) {}
JwtSigner::JwtSigner(JwtSigner&&) noexcept = default;
JwtSigner& JwtSigner::operator=(JwtSigner&&) noexcept = default;
JwtSigner::~JwtSigner() = default;

absl::StatusOr<JwtSigner> JwtSigner::FromPem(absl::string_view pem, std::string kid) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey =
      bio == nullptr ? nullptr : PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (pkey == nullptr || EVP_PKEY_base_id(pkey) != EVP_PKEY_RSA || EVP_PKEY_get_bits(pkey) < 2048) {
    EVP_PKEY_free(pkey);
    return absl::InvalidArgumentError(
        "signing key: expected an RSA private key of 2048 bits or more");
  }
  auto key = std::make_unique<Key>();
  key->pkey.reset(pkey);
  return JwtSigner(std::move(key), std::move(kid));
}

absl::StatusOr<JwtSigner> JwtSigner::Generate(std::string kid) {
  EVP_PKEY* pkey = EVP_RSA_gen(2048);
  if (pkey == nullptr) return absl::InternalError("RSA key generation failed");
  auto key = std::make_unique<Key>();
  key->pkey.reset(pkey);
  return JwtSigner(std::move(key), std::move(kid));
}

absl::StatusOr<std::string> JwtSigner::SignRaw(absl::string_view header_json,
                                               absl::string_view payload_json) const {
  std::string signing_input =
      absl::StrCat(ToBase64Url(header_json), ".", ToBase64Url(payload_json));
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  size_t len = 0;
  std::string signature;
  bool ok = md != nullptr &&
            EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key_->pkey.get()) == 1 &&
            EVP_DigestSign(md, nullptr, &len,
                           reinterpret_cast<const unsigned char*>(signing_input.data()),
                           signing_input.size()) == 1;
  if (ok) {
    signature.resize(len);
    ok = EVP_DigestSign(md, reinterpret_cast<unsigned char*>(signature.data()), &len,
                        reinterpret_cast<const unsigned char*>(signing_input.data()),
                        signing_input.size()) == 1;
    signature.resize(len);
  }
  EVP_MD_CTX_free(md);
  if (!ok) return absl::InternalError("signing failed");
  return absl::StrCat(signing_input, ".", ToBase64Url(signature));
}

absl::StatusOr<std::string> JwtSigner::Sign(const TokenClaims& claims,
                                            absl::string_view extra) const {
  Json payload = {{"iss", claims.issuer},
                  {"sub", claims.subject},
                  {"exp", absl::ToUnixSeconds(claims.expires)}};
  if (claims.issued_at != absl::InfinitePast()) {
    payload["iat"] = absl::ToUnixSeconds(claims.issued_at);
    payload["nbf"] = absl::ToUnixSeconds(claims.issued_at);
  }
  if (claims.audiences.size() == 1) {
    payload["aud"] = claims.audiences[0];
  } else if (!claims.audiences.empty()) {
    payload["aud"] = claims.audiences;
  }
  if (!claims.email.empty()) {
    payload["email"] = claims.email;
    payload["email_verified"] = claims.email_verified;
  }
  std::string body = payload.dump();
  if (!extra.empty()) body = absl::StrCat(body.substr(0, body.size() - 1), ",", extra, "}");
  Json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", kid_}};
  return SignRaw(header.dump(), body);
}

std::string JwtSigner::JwksJson() const {
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  EVP_PKEY_get_bn_param(key_->pkey.get(), OSSL_PKEY_PARAM_RSA_N, &n);
  EVP_PKEY_get_bn_param(key_->pkey.get(), OSSL_PKEY_PARAM_RSA_E, &e);
  auto bytes = [](const BIGNUM* bn) {
    std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
    return out;
  };
  Json jwk = {{"kty", "RSA"},
              {"use", "sig"},
              {"alg", "RS256"},
              {"kid", kid_},
              {"n", ToBase64Url(bytes(n))},
              {"e", ToBase64Url(bytes(e))}};
  BN_free(n);
  BN_free(e);
  return Json({{"keys", Json::array({jwk})}}).dump();
}

std::string JwtSigner::PrivatePem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key_->pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

}  // namespace maillage::gateway
