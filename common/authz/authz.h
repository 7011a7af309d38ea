// common/authz: who may call each RPC of a service, declared as one table and checked in
// one place, before the handler runs.
//
// A row names an RPC, the grants of which any one lets a caller in, where the resource
// (its network, organisation or person) is found in the request, and what a refused caller
// is told. Platform admins may call everything. A resource that needs database state (the
// network of a membership, say) comes from a resolver the service supplies; its error
// (NOT_FOUND for what the caller may not see) is returned as it is.
//
//   authz::Table table("maillage.membership.v1.MembershipService", {
//       {.rpc = "UpdateNetwork",
//        .grants = {authz::RoleIn({auth::v1::NETWORK_ROLE_ANIMATOR})},
//        .resource = authz::From<v1::UpdateNetworkRequest>([](const auto& r) {
//          return authz::Resource{.network_id = r.network().network_id()};
//        }),
//        .denial = "only the network's animators edit it"},
//       {.rpc = "GetNetwork", .grants = {authz::Authenticated()}},
//   });
//   MAILLAGE_RETURN_IF_ERROR(table.Check("UpdateNetwork", principal, request));
//
// An RPC without a row is refused (fail closed); CoverageProblems() lets a unit test prove
// that every method of the service has exactly one.
#ifndef MAILLAGE_COMMON_AUTHZ_AUTHZ_H_
#define MAILLAGE_COMMON_AUTHZ_AUTHZ_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/auth/auth.h"
#include "common/validation/validation.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace maillage::authz {

// What a call acts on. Empty fields are unknown: a grant that needs one does not match.
struct Resource {
  std::string network_id = {};
  std::string organisation_id = {};
  std::string person_id = {};
};

// Finds the resource of a request, possibly in the database.
using Resolver = std::function<absl::StatusOr<Resource>(const google::protobuf::Message& request,
                                                        const auth::Principal& who)>;

enum class GrantKind {
  kAuthenticated,       // any verified principal
  kNetworkRole,         // a role among `roles` in the resource's network; when empty, any
                        // role but NETWORK_ROLE_FUNDER (funders are named where they may go)
  kRepresentative,      // acts for the resource's organisation
  kSelf,                // is the resource's person
  kRepresentativeSelf,  // both: a representative acting in their own name
};

struct Grant {
  GrantKind kind = GrantKind::kAuthenticated;
  std::vector<auth::NetworkRole> roles = {};
};

inline Grant Authenticated() { return {GrantKind::kAuthenticated, {}}; }
inline Grant RoleIn(std::vector<auth::NetworkRole> roles) {
  return {GrantKind::kNetworkRole, std::move(roles)};
}
inline Grant AnyRoleIn() { return {GrantKind::kNetworkRole, {}}; }
inline Grant Representative() { return {GrantKind::kRepresentative, {}}; }
inline Grant Self() { return {GrantKind::kSelf, {}}; }
inline Grant RepresentativeSelf() { return {GrantKind::kRepresentativeSelf, {}}; }

// One RPC: who may call it. No grant means platform admins only.
struct Rule {
  std::string rpc = {};  // the method's name, "UpdateNetwork"
  std::vector<Grant> grants = {};
  Resolver resource = {};   // unset: the resource is empty
  std::string denial = {};  // PERMISSION_DENIED "not allowed: <denial>"
  // Refuse with NOT_FOUND "<denial>" instead, for reads where existence must not leak.
  bool hide = false;
};

// A resolver reading a request of type Req (INTERNAL if the table is wired to another one).
template <typename Req>
Resolver From(std::function<Resource(const Req&)> read) {
  return [read = std::move(read)](const google::protobuf::Message& request,
                                  const auth::Principal&) -> absl::StatusOr<Resource> {
    const Req* req = dynamic_cast<const Req*>(&request);
    if (req == nullptr) {
      return absl::InternalError(absl::StrCat("authorisation rule expects ",
                                              Req::descriptor()->full_name(), ", got ",
                                              request.GetDescriptor()->full_name()));
    }
    return read(*req);
  };
}

// A resolver reading a request of type Req that may fail (an id to validate, a row to
// read) or depend on the caller.
template <typename Req>
Resolver Resolve(
    std::function<absl::StatusOr<Resource>(const Req&, const auth::Principal&)> resolve) {
  return [resolve = std::move(resolve)](const google::protobuf::Message& request,
                                        const auth::Principal& who) -> absl::StatusOr<Resource> {
    const Req* req = dynamic_cast<const Req*>(&request);
    if (req == nullptr) {
      return absl::InternalError(absl::StrCat("authorisation rule expects ",
                                              Req::descriptor()->full_name(), ", got ",
                                              request.GetDescriptor()->full_name()));
    }
    return resolve(*req, who);
  };
}

// A resolver for a request of type Req that names its network in `network_id`: its resource
// is that network; INVALID_ARGUMENT "network_id: ..." when the id is not a canonical UUID.
template <typename Req>
Resolver NetworkIdOf() {
  return Resolve<Req>([](const Req& r, const auth::Principal&) -> absl::StatusOr<Resource> {
    if (absl::Status s = ValidateId(r.network_id(), "network_id"); !s.ok()) return s;
    return Resource{.network_id = r.network_id()};
  });
}

// True when `grant` lets `who` act on `resource` (platform admins match every grant).
bool Matches(const Grant& grant, const auth::Principal& who, const Resource& resource);

class Table {
 public:
  // `service` is the full name of the gRPC service ("maillage.membership.v1.MembershipService").
  Table(std::string service, std::vector<Rule> rules);

  const std::string& service() const { return service_; }
  const std::vector<Rule>& rules() const { return rules_; }
  // The row of `rpc`, or nullptr.
  const Rule* Find(absl::string_view rpc) const;

  // OK when `who` may call `rpc` with `request`; PERMISSION_DENIED "not allowed: ..." (or
  // NOT_FOUND for a hiding row) when no grant of its row matches or it has none; the
  // resolver's error when it fails (it runs for platform admins too).
  absl::Status Check(absl::string_view rpc, const auth::Principal& who,
                     const google::protobuf::Message& request) const;

 private:
  std::string service_;
  std::vector<Rule> rules_;
};

// Empty when every method of `service` has exactly one row of `table` and every row names a
// method of it; else one line per problem ("GetNetwork: 2 rows", "Frobnicate: no such RPC").
std::vector<std::string> CoverageProblems(const Table& table,
                                          const google::protobuf::ServiceDescriptor& service);

}  // namespace maillage::authz

#endif  // MAILLAGE_COMMON_AUTHZ_AUTHZ_H_
