#include "services/membership/domain/membership_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace maillage::membership {
namespace {

using ::maillage::membership::v1::ADMISSION_POLICY_CO_OPTATION;
using ::maillage::membership::v1::ADMISSION_POLICY_OPEN;
using ::maillage::membership::v1::MEMBERSHIP_STATE_ACTIVE;
using ::maillage::membership::v1::MEMBERSHIP_STATE_APPLIED;
using ::maillage::membership::v1::MEMBERSHIP_STATE_INVITED;
using ::maillage::membership::v1::MEMBERSHIP_STATE_LEFT;
using ::maillage::membership::v1::MEMBERSHIP_STATE_REJECTED;
using ::maillage::membership::v1::MEMBERSHIP_STATE_SPONSORED;
using ::maillage::membership::v1::MEMBERSHIP_STATE_SUSPENDED;
using ::maillage::membership::v1::MEMBERSHIP_STATE_UNSPECIFIED;

absl::Status OutOfOrder(MembershipState current, absl::string_view expected,
                        absl::string_view action) {
  return absl::FailedPreconditionError(absl::StrCat("membership is ", StateName(current), "; only ",
                                                    expected, " membership can ", action));
}

}  // namespace

std::string StateName(MembershipState state) {
  std::string name = v1::MembershipState_Name(state);
  constexpr absl::string_view kPrefix = "MEMBERSHIP_STATE_";
  return name.size() > kPrefix.size() ? name.substr(kPrefix.size()) : name;
}

namespace {

absl::Status CheckRenewable(MembershipState existing) {
  if (existing == MEMBERSHIP_STATE_UNSPECIFIED || existing == MEMBERSHIP_STATE_LEFT ||
      existing == MEMBERSHIP_STATE_REJECTED) {
    return absl::OkStatus();
  }
  return absl::AlreadyExistsError(absl::StrCat(
      "the organisation already has a membership of this network, in state ", StateName(existing),
      existing == MEMBERSHIP_STATE_INVITED ? "; accept the invitation instead" : ""));
}

}  // namespace

absl::StatusOr<MembershipState> Apply(MembershipState existing, AdmissionPolicy policy) {
  if (absl::Status s = CheckRenewable(existing); !s.ok()) return s;
  return policy == ADMISSION_POLICY_OPEN ? MEMBERSHIP_STATE_SPONSORED : MEMBERSHIP_STATE_APPLIED;
}

absl::StatusOr<MembershipState> Invite(MembershipState existing) {
  if (absl::Status s = CheckRenewable(existing); !s.ok()) return s;
  return MEMBERSHIP_STATE_INVITED;
}

absl::StatusOr<MembershipState> AcceptInvitation(MembershipState current) {
  if (current != MEMBERSHIP_STATE_INVITED) return OutOfOrder(current, "an INVITED", "be accepted");
  return MEMBERSHIP_STATE_SPONSORED;
}

bool IsAdmitted(MembershipState state) {
  return state == MEMBERSHIP_STATE_SPONSORED || state == MEMBERSHIP_STATE_ACTIVE ||
         state == MEMBERSHIP_STATE_SUSPENDED;
}

bool IsImportableRole(auth::v1::NetworkRole role) {
  return role == auth::v1::NETWORK_ROLE_MEMBER || role == auth::v1::NETWORK_ROLE_PARTNER ||
         role == auth::v1::NETWORK_ROLE_OBSERVER;
}

absl::StatusOr<MembershipState> Sponsor(const SponsorshipFacts& f) {
  if (f.policy != ADMISSION_POLICY_CO_OPTATION) {
    return absl::FailedPreconditionError(
        "this network does not admit by co-optation; sponsorship does not apply");
  }
  if (f.applicant_state != MEMBERSHIP_STATE_APPLIED) {
    return OutOfOrder(f.applicant_state, "an APPLIED", "be sponsored");
  }
  if (f.sponsor_organisation_id == f.applicant_organisation_id) {
    return absl::InvalidArgumentError(
        "sponsor_organisation_id: an organisation cannot sponsor itself");
  }
  if (f.sponsor_state != MEMBERSHIP_STATE_ACTIVE) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the sponsor must be an active member of the network; its membership is ",
        f.sponsor_state == MEMBERSHIP_STATE_UNSPECIFIED ? "absent" : StateName(f.sponsor_state)));
  }
  if (std::find(f.existing_sponsors.begin(), f.existing_sponsors.end(),
                f.sponsor_organisation_id) != f.existing_sponsors.end()) {
    return absl::AlreadyExistsError("this organisation already sponsored the applicant");
  }
  int distinct = static_cast<int>(f.existing_sponsors.size()) + 1;
  return distinct >= f.required_sponsors ? MEMBERSHIP_STATE_SPONSORED : MEMBERSHIP_STATE_APPLIED;
}

absl::StatusOr<MembershipState> Approve(MembershipState current, AdmissionPolicy policy) {
  if (policy == ADMISSION_POLICY_OPEN) {
    return absl::FailedPreconditionError("this network is open; applications need no approval");
  }
  if (current != MEMBERSHIP_STATE_APPLIED) return OutOfOrder(current, "an APPLIED", "be approved");
  return MEMBERSHIP_STATE_SPONSORED;
}

absl::StatusOr<MembershipState> Reject(MembershipState current) {
  if (current != MEMBERSHIP_STATE_APPLIED && current != MEMBERSHIP_STATE_SPONSORED &&
      current != MEMBERSHIP_STATE_INVITED) {
    return OutOfOrder(current, "an APPLIED, INVITED or SPONSORED", "be rejected");
  }
  return MEMBERSHIP_STATE_REJECTED;
}

absl::StatusOr<MembershipState> SignCharter(MembershipState current, int current_version,
                                            int signed_version) {
  if (current != MEMBERSHIP_STATE_SPONSORED && current != MEMBERSHIP_STATE_ACTIVE &&
      current != MEMBERSHIP_STATE_SUSPENDED) {
    return OutOfOrder(current, "a SPONSORED, ACTIVE or SUSPENDED", "sign the charter");
  }
  if (signed_version != current_version) {
    return absl::FailedPreconditionError(absl::StrCat("charter version ", current_version,
                                                      " is current; version ", signed_version,
                                                      " cannot be signed"));
  }
  return current == MEMBERSHIP_STATE_SPONSORED ? MEMBERSHIP_STATE_ACTIVE : current;
}

absl::StatusOr<MembershipState> Suspend(MembershipState current, bool is_animator,
                                        int other_active_animators) {
  if (current != MEMBERSHIP_STATE_ACTIVE) return OutOfOrder(current, "an ACTIVE", "be suspended");
  if (is_animator && other_active_animators == 0) {
    return absl::FailedPreconditionError(
        "the last active animator cannot be suspended; appoint another animator first");
  }
  return MEMBERSHIP_STATE_SUSPENDED;
}

absl::StatusOr<MembershipState> Reinstate(MembershipState current) {
  if (current != MEMBERSHIP_STATE_SUSPENDED) {
    return OutOfOrder(current, "a SUSPENDED", "be reinstated");
  }
  return MEMBERSHIP_STATE_ACTIVE;
}

absl::StatusOr<MembershipState> Leave(MembershipState current, bool is_animator,
                                      int other_active_animators) {
  if (current == MEMBERSHIP_STATE_LEFT || current == MEMBERSHIP_STATE_REJECTED ||
      current == MEMBERSHIP_STATE_UNSPECIFIED) {
    return OutOfOrder(current, "a current", "leave");
  }
  if (is_animator && current == MEMBERSHIP_STATE_ACTIVE && other_active_animators == 0) {
    return absl::FailedPreconditionError(
        "the last active animator cannot leave; appoint another animator first");
  }
  return MEMBERSHIP_STATE_LEFT;
}

absl::Status CheckRoleChange(MembershipState current, bool was_animator, bool becomes_animator,
                             int other_active_animators) {
  if (!IsAdmitted(current)) {
    return OutOfOrder(current, "an admitted (SPONSORED, ACTIVE or SUSPENDED)", "change role");
  }
  if (was_animator && !becomes_animator && current == MEMBERSHIP_STATE_ACTIVE &&
      other_active_animators == 0) {
    return absl::FailedPreconditionError(
        "the last active animator cannot step down; appoint another animator first");
  }
  return absl::OkStatus();
}

bool CharterSignatureRequired(MembershipState state, int signed_version, int current_version) {
  bool admitted = state == MEMBERSHIP_STATE_ACTIVE || state == MEMBERSHIP_STATE_SUSPENDED;
  return admitted && signed_version < current_version;
}

}  // namespace maillage::membership
