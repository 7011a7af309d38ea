// A bearer token signed by the identity provider's key becomes the principal membership
// knows, against a real membership service (PostgreSQL and Redis from the harness).
#include "gateway/auth/oidc_authenticator.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/testing/harness.h"
#include "services/membership/membership_harness.h"

namespace maillage::gateway {
namespace {

namespace v1 = ::maillage::membership::v1;
using ::testing::HasSubstr;

constexpr char kIssuer[] = "https://sso.example.fr/realms/maillage";

class OidcAuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(h_.Start().ok());
    absl::StatusOr<JwtSigner> idp = JwtSigner::Generate("idp-1");
    ASSERT_TRUE(idp.ok());
    idp_ = std::make_unique<JwtSigner>(*std::move(idp));
    absl::StatusOr<JwkSet> keys = JwkSet::Parse(idp_->JwksJson());
    ASSERT_TRUE(keys.ok());
    verifier_ = std::make_unique<JwtVerifier>(
        std::make_shared<JwkSet>(*std::move(keys)),
        JwtVerifierOptions{.issuer = kIssuer, .audience = "maillage"});
    authn_ = std::make_unique<OidcAuthenticator>(OidcAuthenticator::Options{
        .verifier = verifier_.get(),
        .membership = grpc::CreateChannel(h_.address(), grpc::InsecureChannelCredentials()),
        .signer = &signer_});

    // An association with its representative, who animates a network.
    v1::CreateOrganisationRequest org;
    org.mutable_organisation()->set_legal_name("Atelier Proche");
    org.mutable_organisation()->set_kind(v1::ORGANISATION_KIND_ASSOCIATION);
    ASSERT_TRUE(
        h_.Call(&v1::MembershipService::Stub::CreateOrganisation, h_.Admin(), org, &organisation_)
            .ok());
    v1::CreatePersonRequest person;
    person.mutable_person()->set_given_name("Claire");
    person.mutable_person()->set_family_name("Martin");
    person.mutable_person()->set_email("claire@atelier-proche.fr");
    ASSERT_TRUE(
        h_.Call(&v1::MembershipService::Stub::CreatePerson, h_.Admin(), person, &person_).ok());
    v1::AddRepresentationRequest rep;
    rep.set_organisation_id(organisation_.organisation_id());
    rep.set_person_id(person_.person_id());
    v1::Representation r;
    ASSERT_TRUE(h_.Call(&v1::MembershipService::Stub::AddRepresentation, h_.Admin(), rep, &r).ok());
  }

  HttpRequest WithToken(const TokenClaims& claims) {
    HttpRequest r;
    absl::StatusOr<std::string> token = idp_->Sign(claims);
    EXPECT_TRUE(token.ok());
    r.headers.emplace_back("authorization", "Bearer " + token.value_or(""));
    return r;
  }
  TokenClaims Claims(const std::string& subject, const std::string& email) {
    TokenClaims c;
    c.issuer = kIssuer;
    c.subject = subject;
    c.audiences = {"maillage"};
    c.issued_at = absl::Now();
    c.expires = absl::Now() + absl::Minutes(2);
    c.email = email;
    c.email_verified = true;
    return c;
  }

  membership::MembershipHarness h_;
  auth::PrincipalSigner signer_{testing::kTestHmacKey};
  std::unique_ptr<JwtSigner> idp_;
  std::unique_ptr<JwtVerifier> verifier_;
  std::unique_ptr<OidcAuthenticator> authn_;
  v1::Organisation organisation_;
  v1::Person person_;
};

TEST_F(OidcAuthenticatorTest, ATokenBecomesThePrincipalMembershipKnows) {
  TokenClaims claims = Claims("kc-7", "claire@atelier-proche.fr");
  absl::StatusOr<auth::Principal> who = authn_->Authenticate(WithToken(claims));
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->subject(), person_.person_id());
  EXPECT_EQ(who->organisation_id(), organisation_.organisation_id());
  EXPECT_FALSE(who->platform_admin());
  EXPECT_EQ(who->audience(), "maillage");
  // Never valid past the token, and signed so that membership accepts it.
  EXPECT_LE(who->expires_at().seconds(), absl::ToUnixSeconds(claims.expires));
  v1::GetOrganisationRequest get;
  get.set_organisation_id(organisation_.organisation_id());
  v1::Organisation read;
  EXPECT_TRUE(h_.Call(&v1::MembershipService::Stub::GetOrganisation, *who, get, &read).ok());
}

TEST_F(OidcAuthenticatorTest, RefusalsSayWhyWithTheRightCode) {
  HttpRequest none;
  EXPECT_EQ(authn_->Authenticate(none).status().code(), absl::StatusCode::kUnauthenticated);
  HttpRequest garbage;
  garbage.headers.emplace_back("authorization", "Bearer not.a.token");
  EXPECT_EQ(authn_->Authenticate(garbage).status().code(), absl::StatusCode::kUnauthenticated);

  // A valid token of someone membership does not know.
  absl::StatusOr<auth::Principal> stranger =
      authn_->Authenticate(WithToken(Claims("kc-8", "someone@else.fr")));
  EXPECT_EQ(stranger.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(stranger.status().message(), HasSubstr("no Maillage account"));
  // An e-mail the provider did not verify links nobody.
  TokenClaims unverified = Claims("kc-9", "claire@atelier-proche.fr");
  unverified.email_verified = false;
  EXPECT_EQ(authn_->Authenticate(WithToken(unverified)).status().code(),
            absl::StatusCode::kUnauthenticated);

  // Acting for an organisation she does not represent.
  HttpRequest other = WithToken(Claims("kc-7", "claire@atelier-proche.fr"));
  other.headers.emplace_back("x-maillage-organisation", "6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01");
  EXPECT_EQ(authn_->Authenticate(other).status().code(), absl::StatusCode::kPermissionDenied);
  HttpRequest bad_header = WithToken(Claims("kc-7", "claire@atelier-proche.fr"));
  bad_header.headers.emplace_back("x-maillage-organisation", "'; DROP TABLE people; --");
  EXPECT_EQ(authn_->Authenticate(bad_header).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(OidcAuthenticatorTest, MembershipDownIsUnavailable) {
  OidcAuthenticator down(
      {.verifier = verifier_.get(),
       .membership = grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()),
       .signer = &signer_,
       .call_timeout = absl::Seconds(2)});
  EXPECT_EQ(
      down.Authenticate(WithToken(Claims("kc-7", "claire@atelier-proche.fr"))).status().code(),
      absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace maillage::gateway
