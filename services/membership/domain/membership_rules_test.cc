#include "services/membership/domain/membership_rules.h"

#include <gtest/gtest.h>

namespace maillage::membership {
namespace {

using namespace ::maillage::membership::v1;  // NOLINT: enum values read better unqualified

TEST(ApplyTest, OpenNetworksAdmitAtOnceOthersWait) {
  EXPECT_EQ(*Apply(MEMBERSHIP_STATE_UNSPECIFIED, ADMISSION_POLICY_OPEN),
            MEMBERSHIP_STATE_SPONSORED);
  EXPECT_EQ(*Apply(MEMBERSHIP_STATE_UNSPECIFIED, ADMISSION_POLICY_CO_OPTATION),
            MEMBERSHIP_STATE_APPLIED);
  EXPECT_EQ(*Apply(MEMBERSHIP_STATE_LEFT, ADMISSION_POLICY_ANIMATOR_APPROVAL),
            MEMBERSHIP_STATE_APPLIED);
  EXPECT_EQ(*Apply(MEMBERSHIP_STATE_REJECTED, ADMISSION_POLICY_OPEN), MEMBERSHIP_STATE_SPONSORED);
  absl::StatusOr<MembershipState> again = Apply(MEMBERSHIP_STATE_ACTIVE, ADMISSION_POLICY_OPEN);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(again.status().message().find("ACTIVE"), absl::string_view::npos);
}

SponsorshipFacts Facts() {
  return SponsorshipFacts{.applicant_state = MEMBERSHIP_STATE_APPLIED,
                          .policy = ADMISSION_POLICY_CO_OPTATION,
                          .required_sponsors = 2,
                          .applicant_organisation_id = "newcomer",
                          .sponsor_organisation_id = "alice",
                          .sponsor_state = MEMBERSHIP_STATE_ACTIVE,
                          .existing_sponsors = {}};
}

TEST(SponsorTest, NDistinctActiveSponsorsAdmit) {
  SponsorshipFacts f = Facts();
  EXPECT_EQ(*Sponsor(f), MEMBERSHIP_STATE_APPLIED);  // 1 of 2
  f.existing_sponsors = {"alice"};
  f.sponsor_organisation_id = "bob";
  EXPECT_EQ(*Sponsor(f), MEMBERSHIP_STATE_SPONSORED);  // 2 of 2
}

TEST(SponsorTest, NobodySponsorsItselfOrTwice) {
  SponsorshipFacts f = Facts();
  f.sponsor_organisation_id = "newcomer";
  EXPECT_EQ(Sponsor(f).status().code(), absl::StatusCode::kInvalidArgument);
  f = Facts();
  f.existing_sponsors = {"alice"};
  EXPECT_EQ(Sponsor(f).status().code(), absl::StatusCode::kAlreadyExists);
}

TEST(SponsorTest, OnlyActiveMembersSponsorOnlyApplicantsOfCoOptationNetworks) {
  SponsorshipFacts f = Facts();
  f.sponsor_state = MEMBERSHIP_STATE_SUSPENDED;
  EXPECT_EQ(Sponsor(f).status().code(), absl::StatusCode::kFailedPrecondition);
  f.sponsor_state = MEMBERSHIP_STATE_UNSPECIFIED;
  EXPECT_NE(Sponsor(f).status().message().find("absent"), absl::string_view::npos);
  f = Facts();
  f.applicant_state = MEMBERSHIP_STATE_ACTIVE;
  absl::Status s = Sponsor(f).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("membership is ACTIVE"), absl::string_view::npos);
  f = Facts();
  f.policy = ADMISSION_POLICY_ANIMATOR_APPROVAL;
  EXPECT_EQ(Sponsor(f).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(StateMachineTest, HappyPath) {
  MembershipState s = *Apply(MEMBERSHIP_STATE_UNSPECIFIED, ADMISSION_POLICY_ANIMATOR_APPROVAL);
  s = *Approve(s, ADMISSION_POLICY_ANIMATOR_APPROVAL);
  EXPECT_EQ(s, MEMBERSHIP_STATE_SPONSORED);
  s = *SignCharter(s, 1, 1);
  EXPECT_EQ(s, MEMBERSHIP_STATE_ACTIVE);
  s = *Suspend(s, /*is_animator=*/false, 0);
  EXPECT_EQ(s, MEMBERSHIP_STATE_SUSPENDED);
  s = *Reinstate(s);
  EXPECT_EQ(s, MEMBERSHIP_STATE_ACTIVE);
  s = *Leave(s, /*is_animator=*/false, 0);
  EXPECT_EQ(s, MEMBERSHIP_STATE_LEFT);
}

TEST(StateMachineTest, StepsOutOfOrderNameTheCurrentState) {
  absl::Status s = SignCharter(MEMBERSHIP_STATE_APPLIED, 1, 1).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "membership is APPLIED; only a SPONSORED, ACTIVE or SUSPENDED membership can sign "
            "the charter");
  EXPECT_EQ(Suspend(MEMBERSHIP_STATE_APPLIED, false, 0).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reinstate(MEMBERSHIP_STATE_ACTIVE).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Approve(MEMBERSHIP_STATE_SPONSORED, ADMISSION_POLICY_ANIMATOR_APPROVAL).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reject(MEMBERSHIP_STATE_ACTIVE).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(*Reject(MEMBERSHIP_STATE_SPONSORED), MEMBERSHIP_STATE_REJECTED);
  EXPECT_EQ(Leave(MEMBERSHIP_STATE_LEFT, false, 0).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Approve(MEMBERSHIP_STATE_APPLIED, ADMISSION_POLICY_OPEN).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(CharterTest, OnlyTheCurrentVersionCanBeSignedAndReSigningKeepsTheState) {
  EXPECT_EQ(SignCharter(MEMBERSHIP_STATE_SPONSORED, 2, 1).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(*SignCharter(MEMBERSHIP_STATE_ACTIVE, 2, 2), MEMBERSHIP_STATE_ACTIVE);
  EXPECT_EQ(*SignCharter(MEMBERSHIP_STATE_SUSPENDED, 2, 2), MEMBERSHIP_STATE_SUSPENDED);
  // A new version asks admitted members to sign again.
  EXPECT_TRUE(CharterSignatureRequired(MEMBERSHIP_STATE_ACTIVE, 1, 2));
  EXPECT_FALSE(CharterSignatureRequired(MEMBERSHIP_STATE_ACTIVE, 2, 2));
  EXPECT_FALSE(CharterSignatureRequired(MEMBERSHIP_STATE_APPLIED, 0, 2));
}

TEST(AnimatorTest, NetworkKeepsAnActiveAnimator) {
  EXPECT_EQ(Leave(MEMBERSHIP_STATE_ACTIVE, /*is_animator=*/true, 0).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Leave(MEMBERSHIP_STATE_ACTIVE, true, 1).ok());
  EXPECT_EQ(Suspend(MEMBERSHIP_STATE_ACTIVE, /*is_animator=*/true, 0).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(*Suspend(MEMBERSHIP_STATE_ACTIVE, true, 1), MEMBERSHIP_STATE_SUSPENDED);
  EXPECT_EQ(CheckRoleChange(MEMBERSHIP_STATE_ACTIVE, true, false, 0).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(CheckRoleChange(MEMBERSHIP_STATE_ACTIVE, true, false, 1).ok());
  EXPECT_EQ(CheckRoleChange(MEMBERSHIP_STATE_LEFT, false, true, 0).code(),
            absl::StatusCode::kFailedPrecondition);
}

// An applicant or an invitee is not yet part of the network: promoting it to animator
// would hand the network to an organisation nobody admitted.
TEST(AnimatorTest, OnlyAdmittedMembershipsChangeRole) {
  for (MembershipState s : {MEMBERSHIP_STATE_APPLIED, MEMBERSHIP_STATE_INVITED,
                            MEMBERSHIP_STATE_LEFT, MEMBERSHIP_STATE_REJECTED}) {
    absl::Status change = CheckRoleChange(s, false, true, 0);
    EXPECT_EQ(change.code(), absl::StatusCode::kFailedPrecondition) << StateName(s);
    EXPECT_NE(change.message().find(StateName(s)), absl::string_view::npos) << change;
  }
  for (MembershipState s :
       {MEMBERSHIP_STATE_SPONSORED, MEMBERSHIP_STATE_ACTIVE, MEMBERSHIP_STATE_SUSPENDED}) {
    EXPECT_TRUE(CheckRoleChange(s, false, true, 0).ok()) << StateName(s);
  }
}

TEST(InvitationTest, AnInvitationWaitsForTheOrganisation) {
  EXPECT_EQ(*Invite(MEMBERSHIP_STATE_UNSPECIFIED), MEMBERSHIP_STATE_INVITED);
  EXPECT_EQ(*Invite(MEMBERSHIP_STATE_LEFT), MEMBERSHIP_STATE_INVITED);
  EXPECT_EQ(*Invite(MEMBERSHIP_STATE_REJECTED), MEMBERSHIP_STATE_INVITED);
  EXPECT_EQ(Invite(MEMBERSHIP_STATE_APPLIED).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Invite(MEMBERSHIP_STATE_INVITED).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(*AcceptInvitation(MEMBERSHIP_STATE_INVITED), MEMBERSHIP_STATE_SPONSORED);
  EXPECT_EQ(AcceptInvitation(MEMBERSHIP_STATE_APPLIED).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // The organisation declines by leaving; the animators withdraw by rejecting.
  EXPECT_EQ(*Leave(MEMBERSHIP_STATE_INVITED, false, 0), MEMBERSHIP_STATE_LEFT);
  EXPECT_EQ(*Reject(MEMBERSHIP_STATE_INVITED), MEMBERSHIP_STATE_REJECTED);
  // Applying over an invitation points at the invitation.
  absl::Status over = Apply(MEMBERSHIP_STATE_INVITED, ADMISSION_POLICY_OPEN).status();
  EXPECT_NE(over.message().find("accept the invitation"), absl::string_view::npos) << over;
}

TEST(InvitationTest, OnlyAdmittedMembershipsOpenTheOrganisation) {
  EXPECT_FALSE(IsAdmitted(MEMBERSHIP_STATE_INVITED));
  EXPECT_FALSE(IsAdmitted(MEMBERSHIP_STATE_APPLIED));
  EXPECT_FALSE(IsAdmitted(MEMBERSHIP_STATE_LEFT));
  EXPECT_FALSE(IsAdmitted(MEMBERSHIP_STATE_REJECTED));
  EXPECT_TRUE(IsAdmitted(MEMBERSHIP_STATE_SPONSORED));
  EXPECT_TRUE(IsAdmitted(MEMBERSHIP_STATE_ACTIVE));
  EXPECT_TRUE(IsAdmitted(MEMBERSHIP_STATE_SUSPENDED));
}

}  // namespace
}  // namespace maillage::membership
