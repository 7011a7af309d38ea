#include "services/assessment/member_directory.h"

#include <pqxx/pqxx>

#include "common/events/consumer.h"
#include "common/ids/canonical_ids.h"
#include "common/pg/pg.h"
#include "common/status/status.h"
#include "maillage/membership/v1/events.pb.h"

namespace maillage::assessment {
namespace {

namespace mv1 = ::maillage::membership::v1;

absl::Status ApplyIn(pqxx::work& tx, const mv1::MembershipEvent& e) {
  switch (e.kind_case()) {
    case mv1::MembershipEvent::kMembershipChanged: {
      const mv1::Membership& m = e.membership_changed().membership();
      // Upsert unless what we hold is as new or newer (redelivery, reordering).
      tx.exec_params(
          "INSERT INTO network_members (network_id, organisation_id, organisation_name, state, "
          "version) VALUES ($1::uuid, $2::uuid, $3, $4, $5) "
          "ON CONFLICT (network_id, organisation_id) DO UPDATE SET "
          "  organisation_name = CASE WHEN EXCLUDED.organisation_name = '' "
          "    THEN network_members.organisation_name ELSE EXCLUDED.organisation_name END, "
          "  state = EXCLUDED.state, version = EXCLUDED.version, update_time = now() "
          "WHERE network_members.version < EXCLUDED.version",
          m.network_id(), m.organisation_id(), m.organisation_name(), static_cast<int>(m.state()),
          m.version());
      return absl::OkStatus();
    }
    case mv1::MembershipEvent::kOrganisationUpdated: {
      const mv1::Organisation& o = e.organisation_updated().organisation();
      if (o.legal_name().empty()) return absl::OkStatus();
      tx.exec_params(
          "UPDATE network_members SET organisation_name = $2 WHERE organisation_id = $1::uuid",
          o.organisation_id(), o.legal_name());
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();
  }
}

}  // namespace

absl::Status MemberDirectory::Apply(const events::Event& event) {
  mv1::MembershipEvent e;
  if (!e.ParseFromString(event.payload)) {
    return absl::InvalidArgumentError("payload: not a maillage.membership.v1.MembershipEvent");
  }
  if (e.event_id().empty()) e.set_event_id(event.event_id);
  return Apply(e);
}

absl::Status MemberDirectory::Apply(const mv1::MembershipEvent& e) {
  if (e.kind_case() == mv1::MembershipEvent::kMembershipChanged) {
    const mv1::Membership& m = e.membership_changed().membership();
    if (!IsUuid(m.network_id()) || !IsUuid(m.organisation_id())) {
      return absl::InvalidArgumentError("membership_changed: ids are not UUIDs");
    }
  }
  if (e.kind_case() == mv1::MembershipEvent::kOrganisationUpdated &&
      !IsUuid(e.organisation_updated().organisation().organisation_id())) {
    return absl::InvalidArgumentError("organisation_updated: the id is not a UUID");
  }
  return pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(bool first,
                              events::MarkProcessed(tx, kMembershipConsumerGroup, e.event_id()));
    if (!first) return absl::OkStatus();
    return ApplyIn(tx, e);
  });
}

absl::StatusOr<std::vector<MemberDirectory::Member>> MemberDirectory::ActiveMembers(
    const std::string& network_id) {
  std::vector<Member> out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    out.clear();
    for (const pqxx::row& r :
         tx.exec_params("SELECT organisation_id::text, organisation_name FROM network_members "
                        "WHERE network_id = $1::uuid AND state = $2 ORDER BY organisation_name, "
                        "organisation_id",
                        network_id, static_cast<int>(mv1::MEMBERSHIP_STATE_ACTIVE))) {
      out.push_back({r[0].as<std::string>(), r[1].as<std::string>()});
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<absl::flat_hash_map<std::string, std::string>> MemberDirectory::Names(
    const std::string& network_id) {
  absl::flat_hash_map<std::string, std::string> out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    out.clear();
    for (const pqxx::row& r :
         tx.exec_params("SELECT organisation_id::text, organisation_name FROM network_members "
                        "WHERE network_id = $1::uuid",
                        network_id)) {
      out[r[0].as<std::string>()] = r[1].as<std::string>();
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<bool> MemberDirectory::IsActiveMember(const std::string& network_id,
                                                     const std::string& organisation_id) {
  bool active = false;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    active = !tx.exec_params(
                    "SELECT 1 FROM network_members WHERE network_id = $1::uuid AND "
                    "organisation_id = $2::uuid AND state = $3",
                    network_id, organisation_id, static_cast<int>(mv1::MEMBERSHIP_STATE_ACTIVE))
                  .empty();
    return absl::OkStatus();
  }));
  return active;
}

}  // namespace maillage::assessment
