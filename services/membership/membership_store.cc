#include "services/membership/membership_store.h"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <set>

#include "services/membership/store_internal.h"

// MembershipStore: memberships and their transitions.

namespace maillage::membership {

using namespace store_internal;  // NOLINT(build/namespaces): the store's own helpers

// ---------------------------------------------------------------------------------------------
// Memberships

absl::StatusOr<v1::Membership> MembershipStore::Apply(const std::string& network_id,
                                                      const std::string& organisation_id,
                                                      NetworkRole role,
                                                      const std::string& motivation,
                                                      const ChangeContext& change,
                                                      const std::string& key, Enrolment how) {
  return InTransaction<v1::Membership>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Membership> {
        std::string scope = absl::StrCat("ApplyForMembership/", change.actor);
        MAILLAGE_ASSIGN_OR_RETURN(
            std::string existing,
            ReserveIdempotencyKey(
                tx, scope, key,
                RequestHash({network_id, organisation_id, absl::StrCat(static_cast<int>(role)),
                             motivation, absl::StrCat(static_cast<int>(how))})));
        if (!existing.empty()) return FetchMembership(tx, existing);
        MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, ApplyInTx(tx, network_id, organisation_id, role,
                                                              motivation, change, how));
        RecordIdempotencyKey(tx, scope, key, m.membership_id());
        return m;
      });
}

absl::StatusOr<v1::Membership> MembershipStore::Sponsor(const std::string& membership_id,
                                                        const std::string& sponsor_organisation_id,
                                                        const ChangeContext& change) {
  return InTransaction<
      v1::Membership>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Membership> {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, FetchMembership(tx, membership_id, true));
    MAILLAGE_ASSIGN_OR_RETURN(v1::Network network, FetchNetwork(tx, m.network_id()));
    SponsorshipFacts facts{.applicant_state = m.state(),
                           .policy = network.admission_policy(),
                           .required_sponsors = network.required_sponsors(),
                           .applicant_organisation_id = m.organisation_id(),
                           .sponsor_organisation_id = sponsor_organisation_id,
                           .sponsor_state = v1::MEMBERSHIP_STATE_UNSPECIFIED,
                           .existing_sponsors = {}};
    // The sponsor's row is locked too: a suspension or departure of the sponsor waits for
    // this sponsorship to commit, or this one sees it, never a sponsorship by a member that
    // was no longer active when it was recorded.
    pqxx::result sponsor = tx.exec_params(
        "SELECT state FROM memberships WHERE network_id = $1::uuid AND organisation_id = $2::uuid "
        "FOR SHARE",
        m.network_id(), sponsor_organisation_id);
    if (!sponsor.empty()) {
      facts.sponsor_state = static_cast<v1::MembershipState>(sponsor[0][0].as<int>());
    }
    for (const v1::Sponsorship& s : m.sponsorships()) {
      facts.existing_sponsors.push_back(s.sponsor_organisation_id());
    }
    MAILLAGE_ASSIGN_OR_RETURN(v1::MembershipState next, membership::Sponsor(facts));
    tx.exec_params(
        "INSERT INTO sponsorships (membership_id, sponsor_organisation_id, sponsor_person_id) "
        "VALUES ($1::uuid, $2::uuid, $3)",
        membership_id, sponsor_organisation_id, change.actor);
    return WriteState(tx, m, next, "", change);
  });
}

namespace {

// The common shape of the simple transitions: lock, decide, write.
absl::StatusOr<v1::Membership> Transition(
    pg::PgPool* pool, const std::string& membership_id, const std::string& reason,
    const ChangeContext& change,
    const std::function<absl::StatusOr<v1::MembershipState>(pqxx::work&, const v1::Membership&,
                                                            const v1::Network&)>& decide) {
  return InTransaction<v1::Membership>(pool, [&](pqxx::work& tx) -> absl::StatusOr<v1::Membership> {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, FetchMembership(tx, membership_id, true));
    MAILLAGE_ASSIGN_OR_RETURN(v1::Network network, FetchNetwork(tx, m.network_id()));
    MAILLAGE_ASSIGN_OR_RETURN(v1::MembershipState next, decide(tx, m, network));
    return WriteState(tx, m, next, reason, change);
  });
}

}  // namespace

absl::StatusOr<v1::Membership> MembershipStore::Approve(const std::string& membership_id,
                                                        const ChangeContext& change) {
  return Transition(pool_, membership_id, "", change,
                    [](pqxx::work&, const v1::Membership& m, const v1::Network& n) {
                      return membership::Approve(m.state(), n.admission_policy());
                    });
}

absl::StatusOr<v1::Membership> MembershipStore::AcceptInvitation(const std::string& membership_id,
                                                                 const ChangeContext& change) {
  return Transition(pool_, membership_id, "", change,
                    [](pqxx::work&, const v1::Membership& m, const v1::Network&) {
                      return membership::AcceptInvitation(m.state());
                    });
}

absl::StatusOr<v1::Membership> MembershipStore::Reject(const std::string& membership_id,
                                                       const std::string& reason,
                                                       const ChangeContext& change) {
  return Transition(pool_, membership_id, reason, change,
                    [](pqxx::work&, const v1::Membership& m, const v1::Network&) {
                      return membership::Reject(m.state());
                    });
}

absl::StatusOr<v1::Membership> MembershipStore::Suspend(const std::string& membership_id,
                                                        const std::string& reason,
                                                        const ChangeContext& change) {
  return Transition(pool_, membership_id, reason, change,
                    [](pqxx::work& tx, const v1::Membership& m, const v1::Network&) {
                      return membership::Suspend(
                          m.state(), m.role() == NETWORK_ROLE_ANIMATOR,
                          OtherActiveAnimators(tx, m.network_id(), m.membership_id()));
                    });
}

absl::StatusOr<v1::Membership> MembershipStore::Reinstate(const std::string& membership_id,
                                                          const ChangeContext& change) {
  return Transition(pool_, membership_id, "", change,
                    [](pqxx::work&, const v1::Membership& m, const v1::Network&) {
                      return membership::Reinstate(m.state());
                    });
}

absl::StatusOr<v1::Membership> MembershipStore::Leave(const std::string& membership_id,
                                                      const ChangeContext& change) {
  return Transition(pool_, membership_id, "", change,
                    [&](pqxx::work& tx, const v1::Membership& m, const v1::Network&) {
                      return membership::Leave(
                          m.state(), m.role() == NETWORK_ROLE_ANIMATOR,
                          OtherActiveAnimators(tx, m.network_id(), m.membership_id()));
                    });
}

absl::StatusOr<v1::Membership> MembershipStore::ChangeRole(const std::string& membership_id,
                                                           NetworkRole role,
                                                           const ChangeContext& change) {
  return InTransaction<v1::Membership>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Membership> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, FetchMembership(tx, membership_id, true));
        MAILLAGE_RETURN_IF_ERROR(CheckRoleChange(
            m.state(), m.role() == NETWORK_ROLE_ANIMATOR, role == NETWORK_ROLE_ANIMATOR,
            OtherActiveAnimators(tx, m.network_id(), m.membership_id())));
        tx.exec_params(
            "UPDATE memberships SET role = $2, version = version + 1, updated_at = now() "
            "WHERE id = $1::uuid",
            membership_id, static_cast<int>(role));
        MAILLAGE_ASSIGN_OR_RETURN(v1::Membership after, FetchMembership(tx, membership_id));
        MAILLAGE_RETURN_IF_ERROR(Emit(tx, change, [&](v1::MembershipEvent& e) {
          *e.mutable_membership_changed()->mutable_membership() = after;
          e.mutable_membership_changed()->set_previous_state(m.state());
        }));
        return after;
      });
}

absl::StatusOr<v1::Membership> MembershipStore::SignCharter(const std::string& membership_id,
                                                            const std::string& person_id,
                                                            int charter_version,
                                                            const ChangeContext& change) {
  return InTransaction<
      v1::Membership>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Membership> {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, FetchMembership(tx, membership_id, true));
    MAILLAGE_ASSIGN_OR_RETURN(v1::Network network, FetchNetwork(tx, m.network_id()));
    MAILLAGE_RETURN_IF_ERROR(FetchPerson(tx, person_id).status());
    pqxx::result rep = tx.exec_params(
        "SELECT 1 FROM representations WHERE person_id = $1::uuid AND organisation_id = $2::uuid",
        person_id, m.organisation_id());
    if (rep.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("person ", person_id, " does not represent organisation ",
                       m.organisation_id(), "; add the representation first"));
    }
    MAILLAGE_ASSIGN_OR_RETURN(
        v1::MembershipState next,
        membership::SignCharter(m.state(), network.charter().version(), charter_version));
    tx.exec_params(
        "UPDATE memberships SET state = $2, signed_charter_version = $3, "
        "signed_by = $4::uuid, signed_at = now(), version = version + 1, updated_at = now() "
        "WHERE id = $1::uuid",
        membership_id, static_cast<int>(next), charter_version, person_id);
    MAILLAGE_ASSIGN_OR_RETURN(v1::Membership after, FetchMembership(tx, membership_id));
    MAILLAGE_RETURN_IF_ERROR(Emit(tx, change, [&](v1::MembershipEvent& e) {
      v1::CharterSigned* signed_event = e.mutable_charter_signed();
      signed_event->set_membership_id(after.membership_id());
      signed_event->set_organisation_id(after.organisation_id());
      signed_event->set_network_id(after.network_id());
      *signed_event->mutable_signature() = after.charter_signature();
    }));
    if (next != m.state()) {
      MAILLAGE_RETURN_IF_ERROR(Emit(tx, change, [&](v1::MembershipEvent& e) {
        *e.mutable_membership_changed()->mutable_membership() = after;
        e.mutable_membership_changed()->set_previous_state(m.state());
      }));
    }
    return after;
  });
}

absl::StatusOr<v1::Membership> MembershipStore::GetMembership(const std::string& id) {
  return InTransaction<v1::Membership>(pool_,
                                       [&](pqxx::work& tx) { return FetchMembership(tx, id); });
}

absl::StatusOr<Page<v1::Membership>> MembershipStore::ListMemberships(const MembershipFilter& f,
                                                                      const PageQuery& page) {
  return InTransaction<Page<v1::Membership>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<Page<v1::Membership>> {
        pg::KeysetQuery q;
        if (!f.network_id.empty()) {
          q.Where(absl::StrCat("m.network_id = ", q.Param(f.network_id), "::uuid"));
        }
        if (!f.organisation_id.empty()) {
          q.Where(absl::StrCat("m.organisation_id = ", q.Param(f.organisation_id), "::uuid"));
        }
        if (f.state != v1::MEMBERSHIP_STATE_UNSPECIFIED) {
          q.Where(absl::StrCat("m.state = ", static_cast<int>(f.state)));
        }
        if (!f.states.empty()) {
          std::vector<int> states(f.states.begin(), f.states.end());
          q.Where(absl::StrCat("m.state IN (", absl::StrJoin(states, ","), ")"));
        }
        if (f.role != auth::v1::NETWORK_ROLE_UNSPECIFIED) {
          q.Where(absl::StrCat("m.role = ", static_cast<int>(f.role)));
        }
        if (f.charter_signature_required) {
          q.Where(absl::StrCat("m.state IN (", static_cast<int>(v1::MEMBERSHIP_STATE_ACTIVE), ",",
                               static_cast<int>(v1::MEMBERSHIP_STATE_SUSPENDED),
                               ") AND m.signed_charter_version < n.charter_version"));
        }
        // (network_id, organisation_name_key, id) is an index: a page is a range scan.
        Page<v1::Membership> out = q.Run(tx, kMembershipColumns, kMembershipFrom,
                                         "m.organisation_name_key", "m.id", page, &ReadMembership);
        std::vector<v1::Membership*> ptrs;
        for (v1::Membership& m : out.items) ptrs.push_back(&m);
        MAILLAGE_RETURN_IF_ERROR(AttachSponsors(tx, ptrs));
        return out;
      });
}

}  // namespace maillage::membership
