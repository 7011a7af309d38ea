// The life of a membership, as pure functions over states. No I/O: the store reads the
// current facts under a row lock, asks these functions for the next state, and writes it.
//
//   invited ──accept (the organisation)──┐
//   applied ──sponsor×N / approve / (open network)──▶ sponsored ──sign charter──▶ active
//      │                                                  │                      │  ▲
//      └──────────reject──────────────▶ rejected ◀──reject┘              suspend │  │ reinstate
//                                                                                ▼  │
//   invited, applied, sponsored, active, suspended ──leave──▶ left              suspended
//   left, rejected ──apply again──▶ applied (or sponsored on an open network)
//   left, rejected ──an animator invites──▶ invited; invited ──reject (withdraw)──▶ rejected
//
// Only admitted memberships (sponsored, active, suspended) let the network see the
// organisation (IsAdmitted): an invitation or an application opens nothing.
//
// A step out of order is FAILED_PRECONDITION and the message names the current state:
//
//   absl::StatusOr<MembershipState> next = Approve(MEMBERSHIP_STATE_ACTIVE, policy);
//   // FAILED_PRECONDITION "membership is ACTIVE; only an APPLIED membership can be approved"
#ifndef MAILLAGE_SERVICES_MEMBERSHIP_DOMAIN_MEMBERSHIP_RULES_H_
#define MAILLAGE_SERVICES_MEMBERSHIP_DOMAIN_MEMBERSHIP_RULES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "maillage/membership/v1/membership.pb.h"

namespace maillage::membership {

using ::maillage::membership::v1::AdmissionPolicy;
using ::maillage::membership::v1::MembershipState;

// "ACTIVE", "APPLIED", ... for messages.
std::string StateName(MembershipState state);

// The state of a new (or renewed) application. `existing` is the state of the
// organisation's previous membership of the network, UNSPECIFIED if none: only a left or
// rejected one may apply again.
absl::StatusOr<MembershipState> Apply(MembershipState existing, AdmissionPolicy policy);

// An animator enrols an organisation it does not represent: the membership waits, INVITED,
// for the organisation to accept. As for Apply, only a left or rejected one may be renewed.
absl::StatusOr<MembershipState> Invite(MembershipState existing);

// A representative of the invited organisation accepts: INVITED becomes SPONSORED.
absl::StatusOr<MembershipState> AcceptInvitation(MembershipState current);

// SPONSORED, ACTIVE or SUSPENDED: the states that make an organisation part of the network
// (visible to its members and animators, holding its role).
bool IsAdmitted(MembershipState state);

// An import enrols members, partners and observers: a file is no proof that its sender may
// hand a network's animation or board to anyone. kImportRoleRule says so to the importer.
bool IsImportableRole(auth::v1::NetworkRole role);
inline constexpr char kImportRoleRule[] =
    "an import enrols members, partners or observers; animator and board roles are given "
    "afterwards with ChangeMembershipRole";

// What the store knows when an organisation sponsors an applicant.
struct SponsorshipFacts {
  MembershipState applicant_state;
  AdmissionPolicy policy;
  int required_sponsors;
  std::string applicant_organisation_id;
  std::string sponsor_organisation_id;
  // The sponsor's own membership of the same network; UNSPECIFIED if none.
  MembershipState sponsor_state;
  // Organisations that already sponsored this applicant.
  std::vector<std::string> existing_sponsors;
};

// Adds one sponsor; the result is SPONSORED once `required_sponsors` distinct active
// members have sponsored, APPLIED before. Nobody sponsors itself (INVALID_ARGUMENT) or
// twice (ALREADY_EXISTS); the sponsor must be ACTIVE in the network (FAILED_PRECONDITION).
absl::StatusOr<MembershipState> Sponsor(const SponsorshipFacts& facts);

// An animator admits an applicant of an ANIMATOR_APPROVAL network (or, as an override, of a
// co-optation network).
absl::StatusOr<MembershipState> Approve(MembershipState current, AdmissionPolicy policy);

absl::StatusOr<MembershipState> Reject(MembershipState current);

// A representative signs `signed_version` of the charter whose current version is
// `current_version`. SPONSORED becomes ACTIVE; ACTIVE and SUSPENDED stay as they are (a
// renewed signature after a new charter version).
absl::StatusOr<MembershipState> SignCharter(MembershipState current, int current_version,
                                            int signed_version);

// `other_active_animators` as for Leave(): the last active animator cannot be suspended.
absl::StatusOr<MembershipState> Suspend(MembershipState current, bool is_animator,
                                        int other_active_animators);
absl::StatusOr<MembershipState> Reinstate(MembershipState current);

// `other_active_animators`: active animators of the network besides this member; a network
// never loses its last one.
absl::StatusOr<MembershipState> Leave(MembershipState current, bool is_animator,
                                      int other_active_animators);

// Checks a role change: only an admitted membership changes role (an application or an
// invitation keeps the role it was made with), and the last active animator cannot step down.
absl::Status CheckRoleChange(MembershipState current, bool was_animator, bool becomes_animator,
                             int other_active_animators);

// True when a member must sign the charter again: it signed an older version than the
// network's current one (and is past admission).
bool CharterSignatureRequired(MembershipState state, int signed_version, int current_version);

}  // namespace maillage::membership

#endif  // MAILLAGE_SERVICES_MEMBERSHIP_DOMAIN_MEMBERSHIP_RULES_H_
