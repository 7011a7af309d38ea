// The membership service's PostgreSQL store.
//
// Every method is one transaction: a state change and the event announcing it (outbox) are
// committed together or not at all. Methods that change a membership take the row lock,
// read the facts the rules need, and ask domain/membership_rules for the next state, so two
// concurrent steps on one membership are serialised and both checked.
//
//   MembershipStore store(&pool);
//   absl::StatusOr<Organisation> org = store.CreateOrganisation(draft, {.actor = "p-1"}, "key-1");
//   absl::StatusOr<Membership> m = store.Approve(membership_id, {.actor = "p-2"});
//
// Not found is NOT_FOUND; a stale version is ABORTED; a duplicate SIREN or e-mail is
// ALREADY_EXISTS; PostgreSQL down is UNAVAILABLE. Input is assumed validated
// (membership_validation.h).
#ifndef MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_STORE_H_
#define MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_STORE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/paging/paging.h"
#include "common/pg/keyset.h"
#include "maillage/membership/v1/events.pb.h"
#include "maillage/membership/v1/membership.pb.h"

namespace maillage::pg {
class PgPool;
}  // namespace maillage::pg

namespace maillage::membership {

// How an organisation comes to a network (see domain/membership_rules.h).
enum class Enrolment {
  // A representative of the organisation applies: APPLIED, or SPONSORED on an open network.
  kApplication,
  // An animator enrols an organisation it does not represent: INVITED until it accepts.
  kInvitation,
  // An import created the organisation in this very batch: admitted at once (SPONSORED).
  kCreatedByImport,
};

// Who caused a change, recorded in its event.
struct ChangeContext {
  std::string actor;
};

struct OrganisationFilter {
  std::string network_id;
  std::string name_prefix;
  std::string siren_prefix;
  // A NACE section letter, or a NAF code prefix.
  std::string naf_prefix;
  std::string departement_code;
  std::string commune_code;
};

struct MembershipFilter {
  std::string network_id;
  std::string organisation_id;
  v1::MembershipState state = v1::MEMBERSHIP_STATE_UNSPECIFIED;
  std::vector<v1::MembershipState> states;  // any of these (export); empty = no filter
  auth::v1::NetworkRole role = auth::v1::NETWORK_ROLE_UNSPECIFIED;
  bool charter_signature_required = false;
};

struct NetworkFilter {
  v1::NetworkKind kind = v1::NETWORK_KIND_UNSPECIFIED;
  std::string name_prefix;
  std::string departement_code;
};

template <typename T>
using Page = ::maillage::pg::Page<T>;

// One row of a bulk import, already validated.
struct ImportRow {
  int64_t line = 0;
  v1::Organisation organisation;
  auth::v1::NetworkRole role = auth::v1::NETWORK_ROLE_MEMBER;
  // Optional representative.
  v1::Person contact;
  std::string contact_title;
  // Whether the file had a visibility for this row (else the default was applied).
  bool visibility_given = false;
};

struct ImportCounts {
  int64_t organisations_created = 0;
  int64_t organisations_updated = 0;
  int64_t organisations_unchanged = 0;
  int64_t memberships_created = 0;
  int64_t invitations_created = 0;
  int64_t people_created = 0;
  int64_t contacts_not_linked = 0;
  // Organisations created or updated, whose cached copies are now stale.
  std::vector<std::string> touched_organisations;
};

class MembershipStore {
 public:
  explicit MembershipStore(pg::PgPool* pool) : pool_(pool) {}

  // Organisations.
  absl::StatusOr<v1::Organisation> CreateOrganisation(const v1::Organisation& draft,
                                                      const ChangeContext& change,
                                                      const std::string& idempotency_key);
  absl::StatusOr<v1::Organisation> GetOrganisation(const std::string& id);
  // The organisations among `ids` that exist, in one query (absent ones are left out).
  absl::StatusOr<std::vector<v1::Organisation>> GetOrganisations(
      const std::vector<std::string>& ids);
  // `update.version` must be the stored version. The SIREN is the organisation's key (in
  // imports, and in other services' copies): a change is PERMISSION_DENIED unless
  // `may_change_siren` (platform administrators), and is then announced by a SirenChanged
  // event besides the OrganisationUpdated one.
  absl::StatusOr<v1::Organisation> UpdateOrganisation(const v1::Organisation& update,
                                                      const ChangeContext& change,
                                                      bool may_change_siren = false);
  absl::StatusOr<v1::Organisation> AddEstablishment(const std::string& organisation_id,
                                                    const v1::Establishment& establishment,
                                                    const ChangeContext& change);
  absl::StatusOr<Page<v1::Organisation>> ListOrganisations(const OrganisationFilter& filter,
                                                           const PageQuery& page);
  // The organisation and the networks where it has a membership that is neither left nor
  // rejected, read in one statement (what GetOrganisation needs for its visibility check).
  absl::StatusOr<std::pair<v1::Organisation, std::vector<std::string>>> GetOrganisationWithNetworks(
      const std::string& id);
  // Networks where the organisation has a membership that is neither left nor rejected.
  absl::StatusOr<std::vector<std::string>> NetworksOf(const std::string& organisation_id);

  // People.
  absl::StatusOr<v1::Person> CreatePerson(const v1::Person& draft,
                                          const std::string& idempotency_key,
                                          const std::string& caller);
  absl::StatusOr<v1::Person> GetPerson(const std::string& id);
  absl::StatusOr<v1::Representation> AddRepresentation(const v1::Representation& r);
  absl::StatusOr<std::vector<v1::Representation>> ListRepresentations(
      const std::string& organisation_id);
  // Organisations this person represents.
  absl::StatusOr<std::vector<std::string>> OrganisationsRepresentedBy(const std::string& person_id);

  // Networks. Creating one also enrols its animating organisation as animator, admitted and
  // waiting for its charter signature.
  absl::StatusOr<v1::Network> CreateNetwork(const v1::Network& draft, const ChangeContext& change,
                                            const std::string& idempotency_key);
  absl::StatusOr<v1::Network> GetNetwork(const std::string& id);
  absl::StatusOr<v1::Network> UpdateNetwork(const v1::Network& update, const ChangeContext& change);
  absl::StatusOr<Page<v1::Network>> ListNetworks(const NetworkFilter& filter,
                                                 const PageQuery& page);
  absl::StatusOr<v1::Network> PublishCharter(const std::string& network_id, const std::string& text,
                                             int expected_current_version,
                                             const ChangeContext& change);

  // Memberships.
  absl::StatusOr<v1::Membership> Apply(const std::string& network_id,
                                       const std::string& organisation_id,
                                       auth::v1::NetworkRole role, const std::string& motivation,
                                       const ChangeContext& change,
                                       const std::string& idempotency_key,
                                       Enrolment how = Enrolment::kApplication);
  // INVITED becomes SPONSORED.
  absl::StatusOr<v1::Membership> AcceptInvitation(const std::string& membership_id,
                                                  const ChangeContext& change);
  absl::StatusOr<v1::Membership> Sponsor(const std::string& membership_id,
                                         const std::string& sponsor_organisation_id,
                                         const ChangeContext& change);
  absl::StatusOr<v1::Membership> Approve(const std::string& membership_id,
                                         const ChangeContext& change);
  absl::StatusOr<v1::Membership> Reject(const std::string& membership_id, const std::string& reason,
                                        const ChangeContext& change);
  absl::StatusOr<v1::Membership> SignCharter(const std::string& membership_id,
                                             const std::string& person_id, int charter_version,
                                             const ChangeContext& change);
  absl::StatusOr<v1::Membership> Suspend(const std::string& membership_id,
                                         const std::string& reason, const ChangeContext& change);
  absl::StatusOr<v1::Membership> Reinstate(const std::string& membership_id,
                                           const ChangeContext& change);
  absl::StatusOr<v1::Membership> Leave(const std::string& membership_id,
                                       const ChangeContext& change);
  absl::StatusOr<v1::Membership> ChangeRole(const std::string& membership_id,
                                            auth::v1::NetworkRole role,
                                            const ChangeContext& change);
  absl::StatusOr<v1::Membership> GetMembership(const std::string& id);
  absl::StatusOr<Page<v1::Membership>> ListMemberships(const MembershipFilter& filter,
                                                       const PageQuery& page);

  // Applies a batch of import rows in one transaction; SIREN is the key, so re-running a file
  // creates nothing twice. A SIREN is public, so a row proves nothing about acting for a
  // known organisation: its profile is never changed, no contact is attached to it, and it
  // is only invited to the network. An organisation the batch creates is admitted at once
  // with its contact as representative, unless a person with that e-mail exists (never
  // linked by someone else). Rows must hold roles no higher than member (INVALID_ARGUMENT).
  // `network_id` may be empty.
  // After every kAnalyzeEveryImportedRows rows created by imports, the tables they grow are
  // analysed: the planner's statistics of a freshly loaded network would otherwise describe
  // it as empty, and page through it by sorting all of it, until autovacuum catches up.
  absl::StatusOr<ImportCounts> ImportBatch(const std::vector<ImportRow>& rows,
                                           const std::string& network_id,
                                           const ChangeContext& change);
  static constexpr int64_t kAnalyzeEveryImportedRows = 5000;

  // Sign-in: the person linked to (issuer, subject), linking them first by `verified_email`
  // when given (empty: never link). NOT_FOUND when there is no such person. Then the
  // organisations they represent and, for `acting_organisation_id` (or their only one), the
  // roles of its admitted memberships; PERMISSION_DENIED for an organisation they do not
  // represent, or none named among several. One read-committed transaction.
  absl::StatusOr<v1::ResolvePrincipalResponse> ResolvePrincipal(
      const std::string& issuer, const std::string& subject, const std::string& verified_email,
      const std::string& acting_organisation_id);

  // API keys (api_key_store.cc). `draft` holds the validated fields and the secret's prefix;
  // FAILED_PRECONDITION when the organisation holds kMaxLiveApiKeys live keys or is not
  // admitted to every network named; NOT_FOUND for an unknown organisation.
  static constexpr int kMaxLiveApiKeys = 50;
  static constexpr int kMaxListedApiKeys = 200;
  absl::StatusOr<v1::ApiKey> CreateApiKey(const v1::ApiKey& draft, const std::string& key_hash,
                                          absl::Time expires, const ChangeContext& change);
  // Newest first, at most kMaxListedApiKeys.
  absl::StatusOr<std::vector<v1::ApiKey>> ListApiKeys(const std::string& organisation_id);
  // NOT_FOUND unless the key belongs to the organisation; a revoked key is returned as it is
  // (the event api_key_revoked is emitted once).
  absl::StatusOr<v1::ApiKey> RevokeApiKey(const std::string& organisation_id,
                                          const std::string& api_key_id,
                                          const ChangeContext& change);
  // The live key with this hash and its grants; NOT_FOUND otherwise.
  absl::StatusOr<v1::ResolveApiKeyResponse> ResolveApiKey(const std::string& key_hash);

 private:
  pg::PgPool* pool_;
  std::atomic<int64_t> imported_since_analyze_{0};
};

}  // namespace maillage::membership

#endif  // MAILLAGE_SERVICES_MEMBERSHIP_MEMBERSHIP_STORE_H_
