// The collective actions and the settings of ReportingStore (reporting_store.h).
#include <optional>
#include <pqxx/pqxx>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/ids/canonical_ids.h"
#include "common/pg/idempotency.h"
#include "common/pg/in_transaction.h"
#include "common/pg/pg.h"
#include "common/pg/pg_time.h"
#include "common/status/status.h"
#include "maillage/membership/v1/membership.pb.h"
#include "services/reporting/domain/funding.h"
#include "services/reporting/reporting_store.h"
#include "services/reporting/store_support.h"

namespace maillage::reporting {
namespace {

using pg::InTransaction;

constexpr int kDefaultMinGroupSize = 5;
constexpr double kDefaultPublicShareCeiling = 0.8;

const std::string& ActionColumns() {
  static const std::string* columns = new std::string(absl::StrCat(
      "a.action_id::text, a.network_id::text, a.kind, a.title, a.description, a.status, a.year, "
      "a.function_code, a.version, ",
      pg::MicrosOf("a.create_time"), ", ", pg::MicrosOf("a.update_time")));
  return *columns;
}

// The actions of `ids` with their participants, lines, sources and decisions, in the order
// of `ids` (those not found are left out): five statements whatever the count.
std::vector<v1::CollectiveAction> FetchActions(pqxx::work& tx, const std::vector<std::string>& ids,
                                               bool for_update) {
  std::vector<v1::CollectiveAction> out;
  if (ids.empty()) return out;
  const std::string array = pg::TextArray(ids);
  absl::flat_hash_map<std::string, v1::CollectiveAction> by_id;
  for (const pqxx::row& r :
       tx.exec_params(absl::StrCat("SELECT ", ActionColumns(),
                                   " FROM collective_actions a WHERE a.action_id = ANY($1::uuid[])",
                                   for_update ? " FOR UPDATE" : ""),
                      array)) {
    v1::CollectiveAction a;
    a.set_action_id(r[0].as<std::string>());
    a.set_network_id(r[1].as<std::string>());
    a.set_kind(static_cast<v1::CollectiveActionKind>(r[2].as<int>()));
    a.set_title(r[3].as<std::string>());
    a.set_description(r[4].as<std::string>());
    a.set_status(static_cast<v1::CollectiveActionStatus>(r[5].as<int>()));
    a.set_year(r[6].as<int>());
    a.set_function_code(r[7].as<std::string>());
    a.set_version(r[8].as<int64_t>());
    pg::SetFromMicros(a.mutable_create_time(), r[9].as<int64_t>());
    pg::SetFromMicros(a.mutable_update_time(), r[10].as<int64_t>());
    by_id.emplace(a.action_id(), std::move(a));
  }
  for (const pqxx::row& r : tx.exec_params(
           "SELECT action_id::text, organisation_id::text FROM action_participants WHERE "
           "action_id = ANY($1::uuid[]) ORDER BY action_id, organisation_id",
           array)) {
    by_id[r[0].as<std::string>()].add_participant_organisation_ids(r[1].as<std::string>());
  }
  for (const pqxx::row& r :
       tx.exec_params("SELECT action_id::text, label, amount_cents FROM action_budget_lines WHERE "
                      "action_id = ANY($1::uuid[]) ORDER BY action_id, position",
                      array)) {
    v1::BudgetLine* l = by_id[r[0].as<std::string>()].add_budget_lines();
    l->set_label(r[1].as<std::string>());
    l->set_amount_cents(r[2].as<int64_t>());
  }
  for (const pqxx::row& r : tx.exec_params(
           "SELECT action_id::text, kind, funder_name, amount_cents FROM "
           "action_funding_sources WHERE action_id = ANY($1::uuid[]) ORDER BY action_id, "
           "position",
           array)) {
    v1::FundingSource* f = by_id[r[0].as<std::string>()].add_funding_sources();
    f->set_kind(static_cast<v1::FundingSourceKind>(r[1].as<int>()));
    f->set_funder_name(r[2].as<std::string>());
    f->set_amount_cents(r[3].as<int64_t>());
    f->set_is_public(IsPublicFunding(f->kind()));
  }
  for (const pqxx::row& r : tx.exec_params(
           "SELECT action_id::text, decision_id::text FROM action_decisions WHERE action_id = "
           "ANY($1::uuid[]) ORDER BY action_id, decision_id",
           array)) {
    by_id[r[0].as<std::string>()].add_decision_ids(r[1].as<std::string>());
  }
  for (const std::string& id : ids) {
    auto it = by_id.find(id);
    if (it != by_id.end() && !it->second.action_id().empty()) out.push_back(std::move(it->second));
  }
  return out;
}

absl::StatusOr<v1::CollectiveAction> FetchAction(pqxx::work& tx, const std::string& id,
                                                 bool for_update) {
  std::vector<v1::CollectiveAction> found = FetchActions(tx, {id}, for_update);
  if (found.empty()) return absl::NotFoundError("action not found");
  return std::move(found.front());
}

// The first participant that is not an active member, the first decision that is not the
// network's: INVALID_ARGUMENT naming it.
absl::Status CheckReferences(pqxx::work& tx, const std::string& network_id,
                             const v1::CollectiveAction& a) {
  const std::vector<std::string> participants(a.participant_organisation_ids().begin(),
                                              a.participant_organisation_ids().end());
  MAILLAGE_RETURN_IF_ERROR(
      store::CheckMembers(tx, network_id, participants, "action.participant_organisation_ids"));
  const std::vector<std::string> decisions(a.decision_ids().begin(), a.decision_ids().end());
  pqxx::result unknown = tx.exec_params(
      "SELECT x.n FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, n) WHERE NOT EXISTS "
      "(SELECT 1 FROM pooling_decisions d WHERE d.decision_id = x.id AND d.network_id = "
      "$2::uuid) ORDER BY x.n LIMIT 1",
      pg::TextArray(decisions), network_id);
  if (!unknown.empty()) {
    return InvalidField(absl::StrCat("action.decision_ids[", unknown[0][0].as<int64_t>() - 1, "]"),
                        "not a pooling decision of this network");
  }
  return absl::OkStatus();
}

// Replaces the child rows of `action_id` with those of `a`.
void WriteChildren(pqxx::work& tx, const std::string& action_id, const v1::CollectiveAction& a) {
  for (const char* table : {"action_participants", "action_budget_lines", "action_funding_sources",
                            "action_decisions"}) {
    tx.exec_params(absl::StrCat("DELETE FROM ", table, " WHERE action_id = $1::uuid"), action_id);
  }
  const std::vector<std::string> participants(a.participant_organisation_ids().begin(),
                                              a.participant_organisation_ids().end());
  tx.exec_params(
      "INSERT INTO action_participants (action_id, organisation_id) SELECT $1::uuid, x FROM "
      "unnest($2::uuid[]) AS x",
      action_id, pg::TextArray(participants));
  const std::vector<std::string> decisions(a.decision_ids().begin(), a.decision_ids().end());
  tx.exec_params(
      "INSERT INTO action_decisions (action_id, decision_id) SELECT $1::uuid, x FROM "
      "unnest($2::uuid[]) AS x",
      action_id, pg::TextArray(decisions));
  std::vector<std::string> labels, amounts;
  for (const v1::BudgetLine& l : a.budget_lines()) {
    labels.push_back(l.label());
    amounts.push_back(absl::StrCat(l.amount_cents()));
  }
  tx.exec_params(
      "INSERT INTO action_budget_lines (action_id, position, label, amount_cents) SELECT "
      "$1::uuid, x.n, x.label, x.amount FROM unnest($2::text[], $3::bigint[]) WITH ORDINALITY "
      "AS x(label, amount, n)",
      action_id, pg::TextArray(labels), pg::TextArray(amounts));
  std::vector<std::string> kinds, names;
  amounts.clear();
  for (const v1::FundingSource& f : a.funding_sources()) {
    kinds.push_back(absl::StrCat(static_cast<int>(f.kind())));
    names.push_back(f.funder_name());
    amounts.push_back(absl::StrCat(f.amount_cents()));
  }
  tx.exec_params(
      "INSERT INTO action_funding_sources (action_id, position, kind, funder_name, "
      "amount_cents) SELECT $1::uuid, x.n, x.kind, x.name, x.amount FROM unnest($2::int[], "
      "$3::text[], $4::bigint[]) WITH ORDINALITY AS x(kind, name, amount, n)",
      action_id, pg::TextArray(kinds), pg::TextArray(names), pg::TextArray(amounts));
}

// The action as saved, published.
absl::StatusOr<v1::CollectiveAction> Saved(pqxx::work& tx, const std::string& id,
                                           const std::string& actor) {
  MAILLAGE_ASSIGN_OR_RETURN(v1::CollectiveAction saved, FetchAction(tx, id, false));
  v1::ReportingEvent event;
  event.set_actor(actor);
  event.set_network_id(saved.network_id());
  *event.mutable_collective_action_saved() = saved;
  MAILLAGE_RETURN_IF_ERROR(store::Publish(tx, std::move(event), absl::Now()));
  return saved;
}

}  // namespace

absl::StatusOr<v1::CollectiveAction> ReportingStore::CreateAction(
    const std::string& network_id, v1::CollectiveAction draft, const std::string& actor,
    const std::string& idempotency_key) {
  return InTransaction<v1::CollectiveAction>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::CollectiveAction> {
        const std::string scope = absl::StrCat("CreateCollectiveAction/", actor, "/", network_id);
        std::string earlier;
        if (!idempotency_key.empty()) {
          MAILLAGE_ASSIGN_OR_RETURN(
              earlier, pg::ReserveIdempotencyKey(tx, scope, idempotency_key,
                                                 pg::RequestHash({draft.SerializeAsString()})));
        }
        if (!earlier.empty()) return FetchAction(tx, earlier, false);
        MAILLAGE_RETURN_IF_ERROR(CheckReferences(tx, network_id, draft));
        const std::string id = events::NewEventId();
        tx.exec_params(
            "INSERT INTO collective_actions (action_id, network_id, kind, title, description, "
            "status, year, function_code, created_by) VALUES ($1::uuid, $2::uuid, $3, $4, $5, "
            "$6, $7, $8, $9)",
            id, network_id, static_cast<int>(draft.kind()), draft.title(), draft.description(),
            static_cast<int>(draft.status()), draft.year(), draft.function_code(), actor);
        WriteChildren(tx, id, draft);
        if (!idempotency_key.empty()) pg::RecordIdempotencyKey(tx, scope, idempotency_key, id);
        return Saved(tx, id, actor);
      });
}

absl::StatusOr<v1::CollectiveAction> ReportingStore::UpdateAction(
    const v1::CollectiveAction& draft) {
  return InTransaction<v1::CollectiveAction>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::CollectiveAction> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::CollectiveAction stored,
                                  FetchAction(tx, draft.action_id(), true));
        if (stored.version() != draft.version()) {
          return absl::AbortedError(absl::StrCat("the action changed since it was read (version ",
                                                 stored.version(), " now, ", draft.version(),
                                                 " given); read it again"));
        }
        MAILLAGE_RETURN_IF_ERROR(CheckReferences(tx, stored.network_id(), draft));
        tx.exec_params(
            "UPDATE collective_actions SET kind = $2, title = $3, description = $4, status = "
            "$5, year = $6, function_code = $7, version = version + 1, update_time = now() "
            "WHERE action_id = $1::uuid",
            draft.action_id(), static_cast<int>(draft.kind()), draft.title(), draft.description(),
            static_cast<int>(draft.status()), draft.year(), draft.function_code());
        WriteChildren(tx, draft.action_id(), draft);
        return Saved(tx, draft.action_id(), "");
      });
}

absl::StatusOr<v1::CollectiveAction> ReportingStore::Action(const std::string& action_id) {
  return InTransaction<v1::CollectiveAction>(
      pool_, [&](pqxx::work& tx) { return FetchAction(tx, action_id, false); });
}

absl::StatusOr<Listed<v1::CollectiveAction>> ReportingStore::ListActions(
    const std::string& network_id, int year, const PageQuery& page) {
  return InTransaction<Listed<v1::CollectiveAction>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<Listed<v1::CollectiveAction>> {
        std::vector<std::string> params = {network_id, absl::StrCat(year)};
        std::string after;
        if (page.after.size() == 2) {
          int after_year = 0;
          if (!absl::SimpleAtoi(page.after[0], &after_year) || !IsUuid(page.after[1])) {
            return absl::InvalidArgumentError("page.page_token: not a token of this list");
          }
          params.push_back(page.after[0]);
          params.push_back(page.after[1]);
          // Year descending, then id ascending.
          after = " AND (a.year < $3::int OR (a.year = $3::int AND a.action_id > $4::uuid))";
        }
        pqxx::result rows = pg::ExecPrepared(
            tx,
            absl::StrCat("SELECT a.action_id::text, a.year FROM collective_actions a WHERE "
                         "a.network_id = $1::uuid AND ($2::int = 0 OR a.year = $2::int)",
                         after, " ORDER BY a.year DESC, a.action_id LIMIT ", page.size + 1),
            params);
        Listed<v1::CollectiveAction> out;
        std::vector<std::string> ids;
        for (const pqxx::row& r : rows) {
          if (static_cast<int>(ids.size()) == page.size) {
            const pqxx::row& last = rows[page.size - 1];
            out.next_after = {last[1].as<std::string>(), last[0].as<std::string>()};
            break;
          }
          ids.push_back(r[0].as<std::string>());
        }
        out.items = FetchActions(tx, ids, false);
        return out;
      });
}

absl::StatusOr<std::vector<v1::CollectiveAction>> ReportingStore::ActionsOfYears(
    const std::string& network_id, int first_year, int last_year) {
  return InTransaction<std::vector<v1::CollectiveAction>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<v1::CollectiveAction>> {
        std::vector<std::string> ids;
        for (const pqxx::row& r : tx.exec_params(
                 "SELECT action_id::text FROM collective_actions WHERE network_id = $1::uuid "
                 "AND status <> $4 AND (($2::int = 0 AND $3::int = 0) OR year BETWEEN $2::int "
                 "AND $3::int) ORDER BY year, title, action_id",
                 network_id, first_year, last_year,
                 static_cast<int>(v1::COLLECTIVE_ACTION_STATUS_ABANDONED))) {
          ids.push_back(r[0].as<std::string>());
        }
        return FetchActions(tx, ids, false);
      });
}

absl::StatusOr<v1::ReportingSettings> ReportingStore::Settings(const std::string& network_id) {
  return InTransaction<v1::ReportingSettings>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::ReportingSettings> {
        v1::ReportingSettings s;
        s.set_network_id(network_id);
        s.set_min_group_size(kDefaultMinGroupSize);
        s.set_public_share_ceiling(kDefaultPublicShareCeiling);
        pqxx::result r = tx.exec_params(
            "SELECT min_group_size, public_share_ceiling, version FROM reporting_settings "
            "WHERE network_id = $1::uuid",
            network_id);
        if (!r.empty()) {
          s.set_min_group_size(r[0][0].as<int>());
          s.set_public_share_ceiling(r[0][1].as<double>());
          s.set_version(r[0][2].as<int64_t>());
        }
        return s;
      });
}

absl::StatusOr<v1::ReportingSettings> ReportingStore::UpdateSettings(
    const v1::ReportingSettings& settings) {
  return InTransaction<v1::ReportingSettings>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::ReportingSettings> {
        // The row of a network that never saved its settings is created at version 1 from
        // version 0; two first saves at once: the second finds the row and gets ABORTED.
        pqxx::result r = tx.exec_params(
            "INSERT INTO reporting_settings AS s (network_id, min_group_size, "
            "public_share_ceiling, version) SELECT $1::uuid, $2, $3, 1 WHERE $4::bigint = 0 "
            "ON CONFLICT (network_id) DO NOTHING RETURNING version",
            settings.network_id(), settings.min_group_size(), settings.public_share_ceiling(),
            settings.version());
        if (r.empty()) {
          r = tx.exec_params(
              "UPDATE reporting_settings SET min_group_size = $2, public_share_ceiling = $3, "
              "version = version + 1 WHERE network_id = $1::uuid AND version = $4::bigint "
              "RETURNING version",
              settings.network_id(), settings.min_group_size(), settings.public_share_ceiling(),
              settings.version());
        }
        if (r.empty()) {
          return absl::AbortedError("the settings changed since they were read; read them again");
        }
        v1::ReportingSettings out = settings;
        out.set_version(r[0][0].as<int64_t>());
        v1::ReportingEvent event;
        event.set_network_id(out.network_id());
        *event.mutable_settings_changed() = out;
        MAILLAGE_RETURN_IF_ERROR(store::Publish(tx, std::move(event), absl::Now()));
        return out;
      });
}

}  // namespace maillage::reporting
