// A bearer token signed by the identity provider's key becomes the principal membership
// knows, against a real membership service (PostgreSQL and Redis from the harness).
#include "gateway/auth/oidc_authenticator.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "common/redis/near_cache.h"
#include "common/testing/harness.h"
#include "gateway/auth/principal_cache.h"
#include "services/membership/membership_harness.h"

namespace maillage::gateway {
namespace {

namespace v1 = ::maillage::membership::v1;
using ::testing::HasSubstr;

constexpr char kIssuer[] = "https://sso.example.fr/realms/maillage";

class OidcAuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The relay publishes membership's events, which the principal cache follows.
    ASSERT_TRUE(h_.Start({.with_relay = true}).ok());
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

TEST_F(OidcAuthenticatorTest, ASuspensionTakesEffectWithinSecondsThroughTheCache) {
  // An agency animates an open network; Claire's association joins it and signs the charter.
  v1::CreateOrganisationRequest agency_req;
  agency_req.mutable_organisation()->set_legal_name("Agence de développement");
  agency_req.mutable_organisation()->set_kind(v1::ORGANISATION_KIND_PUBLIC_BODY);
  v1::Organisation agency;
  ASSERT_TRUE(
      h_.Call(&v1::MembershipService::Stub::CreateOrganisation, h_.Admin(), agency_req, &agency)
          .ok());
  v1::CreateNetworkRequest create;
  v1::Network* n = create.mutable_network();
  n->set_name("Grappe numérique de Gironde");
  n->set_kind(v1::NETWORK_KIND_CLUSTER);
  n->set_animating_organisation_id(agency.organisation_id());
  n->set_admission_policy(v1::ADMISSION_POLICY_OPEN);
  n->mutable_charter()->set_text("Créer le lien, définir des objectifs communs.");
  n->mutable_territory()->add_departement_codes("33");
  v1::Network network;
  ASSERT_TRUE(h_.Call(&v1::MembershipService::Stub::CreateNetwork,
                      h_.ActingFor(agency.organisation_id()), create, &network)
                  .ok());
  v1::ApplyForMembershipRequest apply;
  apply.set_network_id(network.network_id());
  apply.set_organisation_id(organisation_.organisation_id());
  v1::Membership applied;
  grpc::Status s = h_.Call(&v1::MembershipService::Stub::ApplyForMembership,
                           h_.ActingFor(organisation_.organisation_id()), apply, &applied);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::SignCharterRequest sign;
  sign.set_membership_id(applied.membership_id());
  sign.set_person_id(person_.person_id());
  sign.set_charter_version(1);
  v1::Membership active;
  s = h_.Call(&v1::MembershipService::Stub::SignCharter,
              h_.ActingFor(organisation_.organisation_id(), {}, person_.person_id()), sign,
              &active);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(active.state(), v1::MEMBERSHIP_STATE_ACTIVE);

  prometheus::Registry registry;
  PrincipalCache cache(h_.redis_pool(), {.prefix = "test:gateway", .metrics = &registry});
  auto follower_pool = *redis::RedisPool::Create({.address = h_.redis_server()->address()});
  std::unique_ptr<redis::StreamFollower> follower = cache.Follow(follower_pool.get(), h_.stream());
  OidcAuthenticator cached(
      {.verifier = verifier_.get(),
       .membership = grpc::CreateChannel(h_.address(), grpc::InsecureChannelCredentials()),
       .signer = &signer_,
       .cache = &cache});
  auto grants_of = [&]() -> int {
    absl::StatusOr<auth::Principal> who =
        cached.Authenticate(WithToken(Claims("kc-7", "claire@atelier-proche.fr")));
    EXPECT_TRUE(who.ok()) << who.status();
    return who.ok() ? who->grants_size() : -1;
  };
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!follower->following() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  ASSERT_EQ(grants_of(), 1);
  ASSERT_EQ(grants_of(), 1);  // from the cache now

  // An operator suspends the membership: within seconds her token no longer carries the role.
  v1::SuspendMembershipRequest suspend;
  suspend.set_membership_id(active.membership_id());
  suspend.set_reason("Cotisation impayée");
  v1::Membership suspended;
  s = h_.Call(&v1::MembershipService::Stub::SuspendMembership, h_.Admin(), suspend, &suspended);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const absl::Time suspended_at = absl::Now();
  int grants = 1;
  while (grants != 0 && absl::Now() < suspended_at + absl::Seconds(10)) {
    absl::SleepFor(absl::Milliseconds(20));
    grants = grants_of();
  }
  EXPECT_EQ(grants, 0);
  EXPECT_LT(absl::Now() - suspended_at, absl::Seconds(5));
  follower.reset();
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
