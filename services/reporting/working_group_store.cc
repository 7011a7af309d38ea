// The working groups of ReportingStore (reporting_store.h).
#include <pqxx/pqxx>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/idempotency.h"
#include "common/pg/in_transaction.h"
#include "common/pg/keyset.h"
#include "common/pg/pg.h"
#include "common/pg/pg_time.h"
#include "common/status/status.h"
#include "maillage/membership/v1/membership.pb.h"
#include "services/reporting/reporting_store.h"
#include "services/reporting/store_support.h"

namespace maillage::reporting {
namespace {

using pg::InTransaction;

using store::kActive;

// The groups of `ids` with their members (active members of the network only: one who left
// stays listed in the table but not in the group), in the order of `ids`.
std::vector<v1::WorkingGroup> FetchGroups(pqxx::work& tx, const std::vector<std::string>& ids) {
  std::vector<v1::WorkingGroup> out;
  if (ids.empty()) return out;
  const std::string array = pg::TextArray(ids);
  absl::flat_hash_map<std::string, v1::WorkingGroup> by_id;
  for (const pqxx::row& r : tx.exec_params(
           absl::StrCat("SELECT group_id::text, network_id::text, name, description, theme, ",
                        pg::MicrosOf("create_time"),
                        " FROM working_groups WHERE group_id = ANY($1::uuid[])"),
           array)) {
    v1::WorkingGroup g;
    g.set_group_id(r[0].as<std::string>());
    g.set_network_id(r[1].as<std::string>());
    g.set_name(r[2].as<std::string>());
    g.set_description(r[3].as<std::string>());
    g.set_theme(r[4].as<std::string>());
    pg::SetFromMicros(g.mutable_create_time(), r[5].as<int64_t>());
    std::string id = g.group_id();
    by_id.emplace(std::move(id), std::move(g));
  }
  for (const pqxx::row& r : tx.exec_params(
           "SELECT w.group_id::text, w.organisation_id::text FROM working_group_members w JOIN "
           "working_groups g ON g.group_id = w.group_id JOIN members m ON m.network_id = "
           "g.network_id AND m.organisation_id = w.organisation_id AND m.state = $2 AND m.role "
           "<> 6 WHERE w.group_id = ANY($1::uuid[]) ORDER BY w.group_id, w.join_time, "
           "w.organisation_id",
           array, kActive)) {
    auto it = by_id.find(r[0].as<std::string>());
    if (it != by_id.end()) it->second.add_member_organisation_ids(r[1].as<std::string>());
  }
  for (const std::string& id : ids) {
    auto it = by_id.find(id);
    if (it != by_id.end()) out.push_back(std::move(it->second));
  }
  return out;
}

absl::StatusOr<v1::WorkingGroup> FetchGroup(pqxx::work& tx, const std::string& id) {
  std::vector<v1::WorkingGroup> found = FetchGroups(tx, {id});
  if (found.empty()) return absl::NotFoundError("working group not found");
  return std::move(found.front());
}

// The group as changed, published.
absl::StatusOr<v1::WorkingGroup> Changed(pqxx::work& tx, const std::string& id,
                                         const std::string& actor) {
  MAILLAGE_ASSIGN_OR_RETURN(v1::WorkingGroup group, FetchGroup(tx, id));
  v1::ReportingEvent event;
  event.set_actor(actor);
  event.set_network_id(group.network_id());
  *event.mutable_working_group_changed() = group;
  MAILLAGE_RETURN_IF_ERROR(store::Publish(tx, std::move(event), absl::Now()));
  return group;
}

}  // namespace

absl::StatusOr<v1::WorkingGroup> ReportingStore::CreateGroup(const std::string& network_id,
                                                             v1::WorkingGroup draft,
                                                             const std::string& actor,
                                                             const std::string& idempotency_key) {
  return InTransaction<v1::WorkingGroup>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::WorkingGroup> {
        const std::string scope = absl::StrCat("CreateWorkingGroup/", actor, "/", network_id);
        std::string earlier;
        if (!idempotency_key.empty()) {
          MAILLAGE_ASSIGN_OR_RETURN(
              earlier, pg::ReserveIdempotencyKey(tx, scope, idempotency_key,
                                                 pg::RequestHash({draft.SerializeAsString()})));
        }
        if (!earlier.empty()) return FetchGroup(tx, earlier);
        const std::vector<std::string> members(draft.member_organisation_ids().begin(),
                                               draft.member_organisation_ids().end());
        MAILLAGE_RETURN_IF_ERROR(
            store::CheckMembers(tx, network_id, members, "group.member_organisation_ids"));
        const std::string id = events::NewEventId();
        pqxx::result inserted = tx.exec_params(
            "INSERT INTO working_groups (group_id, network_id, name, description, theme, "
            "created_by) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6) ON CONFLICT DO NOTHING "
            "RETURNING 1",
            id, network_id, draft.name(), draft.description(), draft.theme(), actor);
        if (inserted.empty()) {
          return absl::AlreadyExistsError(
              "group.name: the network already has a working group of that name");
        }
        tx.exec_params(
            "INSERT INTO working_group_members (group_id, organisation_id) SELECT $1::uuid, x "
            "FROM unnest($2::uuid[]) AS x",
            id, pg::TextArray(members));
        if (!idempotency_key.empty()) pg::RecordIdempotencyKey(tx, scope, idempotency_key, id);
        return Changed(tx, id, actor);
      });
}

absl::StatusOr<v1::WorkingGroup> ReportingStore::Group(const std::string& group_id) {
  return InTransaction<v1::WorkingGroup>(pool_,
                                         [&](pqxx::work& tx) { return FetchGroup(tx, group_id); });
}

absl::StatusOr<Listed<v1::WorkingGroup>> ReportingStore::ListGroups(const std::string& network_id,
                                                                    const PageQuery& page) {
  return InTransaction<Listed<v1::WorkingGroup>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<Listed<v1::WorkingGroup>> {
        pg::KeysetQuery q;
        q.Where(absl::StrCat("g.network_id = ", q.Param(network_id), "::uuid"));
        pg::Page<std::string> ids = q.Run(
            tx, "g.group_id::text", "FROM working_groups g", "lower(g.name)", "g.group_id", page,
            +[](const pqxx::row& r) { return r[0].as<std::string>(); });
        Listed<v1::WorkingGroup> out;
        out.items = FetchGroups(tx, ids.items);
        out.next_after = std::move(ids.next_after);
        return out;
      });
}

absl::StatusOr<v1::WorkingGroup> ReportingStore::JoinGroup(const std::string& group_id,
                                                           const std::string& organisation_id) {
  return InTransaction<v1::WorkingGroup>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::WorkingGroup> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::WorkingGroup g, FetchGroup(tx, group_id));
        if (!store::IsMember(tx, g.network_id(), organisation_id)) {
          return absl::NotFoundError("working group not found");
        }
        pqxx::result joined = tx.exec_params(
            "INSERT INTO working_group_members (group_id, organisation_id) VALUES ($1::uuid, "
            "$2::uuid) ON CONFLICT DO NOTHING RETURNING 1",
            group_id, organisation_id);
        return joined.empty() ? FetchGroup(tx, group_id) : Changed(tx, group_id, "");
      });
}

absl::StatusOr<v1::WorkingGroup> ReportingStore::LeaveGroup(const std::string& group_id,
                                                            const std::string& organisation_id) {
  return InTransaction<v1::WorkingGroup>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::WorkingGroup> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::WorkingGroup g, FetchGroup(tx, group_id));
        if (!store::IsMember(tx, g.network_id(), organisation_id)) {
          return absl::NotFoundError("working group not found");
        }
        pqxx::result left = tx.exec_params(
            "DELETE FROM working_group_members WHERE group_id = $1::uuid AND organisation_id = "
            "$2::uuid RETURNING 1",
            group_id, organisation_id);
        return left.empty() ? FetchGroup(tx, group_id) : Changed(tx, group_id, "");
      });
}

}  // namespace maillage::reporting
