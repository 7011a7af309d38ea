// Who may call each RPC of the membership service: one authorisation table (common/authz),
// checked by MembershipService before any handler runs.
//
// A row says who may call (platform admins always may): any authenticated caller, a role in
// the resource's network, a representative of the resource's organisation, the person
// themself. The resource comes from the request or, when it needs database state (the
// network of a membership, the organisations a person represents), from the hooks the service
// supplies. What a caller may not see answers NOT_FOUND, as the handlers' reads do.
//
//   authz::Table table = MembershipAuthzTable({
//       .visible_membership = [&](const auth::Principal& who, const std::string& id) {...},
//       .networks_of = [&](const std::string& organisation_id) {...},
//       .organisations_represented_by = [&](const std::string& person_id) {...}});
//   MAILLAGE_RETURN_IF_ERROR(table.Check("ApproveMembership", who, request));
//
// Rules that depend on the content of a request rather than on the caller's place stay in
// the handlers: the role an applicant may ask for, whom a representative may add, the view
// of an organisation (full, public or none) a caller gets.
#ifndef MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_AUTHZ_H_
#define MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_AUTHZ_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/auth.h"
#include "common/authz/authz.h"
#include "maillage/membership/v1/membership.pb.h"

namespace maillage::membership {

struct AuthzHooks {
  // The membership when `who` may see it (a member of its network, or the organisation
  // itself); NOT_FOUND otherwise, as if it did not exist.
  std::function<absl::StatusOr<v1::Membership>(const auth::Principal& who,
                                               const std::string& membership_id)>
      visible_membership;
  // The networks where the organisation has a membership neither left nor rejected.
  std::function<absl::StatusOr<std::vector<std::string>>(const std::string& organisation_id)>
      networks_of;
  // The organisations the person represents.
  std::function<absl::StatusOr<std::vector<std::string>>(const std::string& person_id)>
      organisations_represented_by;
};

// The table of maillage.membership.v1.MembershipService: one row per RPC.
authz::Table MembershipAuthzTable(AuthzHooks hooks);

}  // namespace maillage::membership

#endif  // MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_AUTHZ_H_
