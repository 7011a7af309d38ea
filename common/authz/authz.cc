#include "common/authz/authz.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"

namespace maillage::authz {

bool Matches(const Grant& grant, const auth::Principal& who, const Resource& resource) {
  if (who.platform_admin()) return true;
  switch (grant.kind) {
    case GrantKind::kAuthenticated:
      return true;
    case GrantKind::kNetworkRole:
      // An empty id never matches: a principal's grant list could hold a malformed entry.
      if (resource.network_id.empty()) return false;
      if (grant.roles.empty()) return auth::InNetwork(who, resource.network_id);
      return std::any_of(grant.roles.begin(), grant.roles.end(), [&](auth::NetworkRole role) {
        return auth::HasRole(who, resource.network_id, role);
      });
    case GrantKind::kRepresentative:
      return !resource.organisation_id.empty() && auth::ActsFor(who, resource.organisation_id);
    case GrantKind::kSelf:
      return !resource.person_id.empty() && who.subject() == resource.person_id;
    case GrantKind::kRepresentativeSelf:
      return Matches(Representative(), who, resource) && Matches(Self(), who, resource);
  }
  return false;
}

Table::Table(std::string service, std::vector<Rule> rules)
    : service_(std::move(service)), rules_(std::move(rules)) {}

const Rule* Table::Find(absl::string_view rpc) const {
  for (const Rule& rule : rules_) {
    if (rule.rpc == rpc) return &rule;
  }
  return nullptr;
}

absl::Status Table::Check(absl::string_view rpc, const auth::Principal& who,
                          const google::protobuf::Message& request) const {
  const Rule* rule = Find(rpc);
  // Fail closed: a method added to the proto but not to the table is nobody's to call.
  if (rule == nullptr) {
    return absl::PermissionDeniedError(absl::StrCat("not allowed: ", rpc, " has no rule"));
  }
  Resource resource;
  bool open = !rule->grants.empty() &&
              std::all_of(rule->grants.begin(), rule->grants.end(),
                          [](const Grant& g) { return g.kind == GrantKind::kAuthenticated; });
  // Resolving may read the database; a rule open to every caller does not pay for it. It
  // runs for platform admins too: it validates the ids it reads (INVALID_ARGUMENT) and
  // finds what does not exist (NOT_FOUND), which the handlers then rely on.
  if (!open && rule->resource) {
    absl::StatusOr<Resource> found = rule->resource(request, who);
    if (!found.ok()) return found.status();
    resource = *std::move(found);
  }
  if (who.platform_admin()) return absl::OkStatus();
  for (const Grant& grant : rule->grants) {
    if (Matches(grant, who, resource)) return absl::OkStatus();
  }
  if (rule->hide) return absl::NotFoundError(rule->denial);
  return absl::PermissionDeniedError(
      absl::StrCat("not allowed: ", rule->denial.empty() ? "platform admins only" : rule->denial));
}

std::vector<std::string> CoverageProblems(const Table& table,
                                          const google::protobuf::ServiceDescriptor& service) {
  std::vector<std::string> problems;
  std::map<std::string, int> rows;
  for (const Rule& rule : table.rules()) ++rows[rule.rpc];
  for (int i = 0; i < service.method_count(); ++i) {
    const std::string& name = service.method(i)->name();
    auto it = rows.find(name);
    int n = it == rows.end() ? 0 : it->second;
    if (n != 1) problems.push_back(absl::StrCat(name, ": ", n, " rows"));
    if (it != rows.end()) rows.erase(it);
  }
  for (const auto& [name, n] : rows) {
    problems.push_back(absl::StrCat(name, ": no such RPC in ", service.full_name()));
  }
  return problems;
}

}  // namespace maillage::authz
