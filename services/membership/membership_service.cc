#include "services/membership/membership_service.h"

#include <grpcpp/alarm.h>
#include <grpcpp/support/server_callback.h>

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/ids/canonical_ids.h"
#include "common/redis/cache.h"
#include "common/redis/near_cache.h"
#include "common/server/unary.h"
#include "common/server/worker_pool.h"
#include "common/status/status.h"
#include "membership_cache.pb.h"
#include "services/membership/csv_import.h"
#include "services/membership/domain/identifiers.h"
#include "services/membership/domain/membership_rules.h"
#include "services/membership/membership_store.h"
#include "services/membership/membership_validation.h"

namespace maillage::membership {
namespace {

using ::maillage::auth::Principal;
using ::maillage::auth::v1::NETWORK_ROLE_ANIMATOR;
using ::maillage::auth::v1::NETWORK_ROLE_BOARD;
using ::maillage::auth::v1::NETWORK_ROLE_MEMBER;

constexpr char kOrganisationKind[] = "organisation";
constexpr char kNetworkKind[] = "network";

absl::Status Denied(absl::string_view what) {
  return absl::PermissionDeniedError(absl::StrCat("not allowed: ", what));
}

ChangeContext Change(const Principal& who) { return ChangeContext{.actor = who.subject()}; }

// What a fellow member may see: no street address, position or headcount.
v1::Organisation PublicView(v1::Organisation org) {
  org.clear_headcount_band();
  for (v1::Establishment& e : *org.mutable_establishments()) {
    e.mutable_address()->clear_street();
    e.clear_location();
  }
  org.set_public_view(true);
  return org;
}

bool AnimatesAny(const Principal& who, const std::vector<std::string>& networks) {
  return std::any_of(networks.begin(), networks.end(),
                     [&](const std::string& n) { return auth::IsAnimator(who, n); });
}

bool SharesAny(const Principal& who, const std::vector<std::string>& networks) {
  return std::any_of(networks.begin(), networks.end(),
                     [&](const std::string& n) { return auth::InNetwork(who, n); });
}

// The listings here page on (name key, UUID). Page tokens are signed, so a client cannot
// forge one; the sort key is still checked before it reaches SQL, so that a leaked key or a
// token of another listing's shape cannot put anything but a name and a UUID there.
absl::StatusOr<PageQuery> ParseNamePage(const PageTokenCodec& tokens,
                                        const common::v1::PageRequest& page, uint64_t fingerprint) {
  MAILLAGE_ASSIGN_OR_RETURN(PageQuery q, tokens.Parse(page, fingerprint));
  if (!q.after.empty() &&
      (q.after.size() != 2 || !IsValidUtf8Text(q.after[0]) || !IsValidUuid(q.after[1]))) {
    return InvalidField("page.page_token", "not a token of this query (filters changed?)");
  }
  return q;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> CacheKeysChangedBy(
    const v1::MembershipEvent& event) {
  switch (event.kind_case()) {
    case v1::MembershipEvent::kOrganisationCreated:
      return {{kOrganisationKind, event.organisation_created().organisation().organisation_id()}};
    case v1::MembershipEvent::kOrganisationUpdated:
      return {{kOrganisationKind, event.organisation_updated().organisation().organisation_id()}};
    case v1::MembershipEvent::kSirenChanged:
      return {{kOrganisationKind, event.siren_changed().organisation_id()}};
    case v1::MembershipEvent::kNetworkCreated:
      return {{kNetworkKind, event.network_created().network().network_id()}};
    case v1::MembershipEvent::kNetworkUpdated:
      return {{kNetworkKind, event.network_updated().network().network_id()}};
    case v1::MembershipEvent::kMembershipChanged:
      // Admission or departure changes which networks see the organisation.
      return {{kOrganisationKind, event.membership_changed().membership().organisation_id()}};
    case v1::MembershipEvent::kCharterSigned:
      return {{kOrganisationKind, event.charter_signed().organisation_id()}};
    case v1::MembershipEvent::KIND_NOT_SET:
      break;
  }
  return {};
}

std::unique_ptr<redis::StreamFollower> FollowChanges(redis::RedisPool* pool, std::string stream,
                                                     redis::NearCache* near) {
  return std::make_unique<redis::StreamFollower>(
      pool, std::move(stream),
      [near](const redis::StreamFollower::Fields& fields) {
        for (const auto& [name, value] : fields) {
          v1::MembershipEvent event;
          if (name != "payload" || !event.ParseFromString(value)) continue;
          for (const auto& [kind, id] : CacheKeysChangedBy(event)) near->InvalidateLocal(kind, id);
        }
      },
      near);
}

MembershipService::MembershipService(Dependencies deps) : deps_(std::move(deps)) {}
MembershipService::~MembershipService() = default;

template <typename Req, typename Fn>
grpc::ServerUnaryReactor* MembershipService::Serve(grpc::CallbackServerContext* ctx, const Req* req,
                                                   Fn fn) {
  // The principal is checked here, in the reaction, before the call takes a queue slot: an
  // HMAC costs microseconds, and unsigned calls must not crowd out signed ones.
  absl::StatusOr<Principal> verified = deps_.verifier.Verify(*ctx, deps_.clock());
  if (!verified.ok()) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(ToGrpcStatus(verified.status()));
    return reactor;
  }
  return RunUnary(ctx, *deps_.workers,
                  [req, who = *std::move(verified), fn = std::move(fn)]() mutable -> absl::Status {
                    CanonicaliseIds(&who);
                    CanonicaliseId(who.mutable_subject());
                    // gRPC owns the request and hands it over as const, but the object itself is
                    // not const and no one else reads it: canonicalising it in place spares every
                    // handler a copy.
                    CanonicaliseIds(const_cast<Req*>(req));
                    return fn(who);
                  });
}

void MembershipService::Changed(const std::vector<std::string>& organisation_ids,
                                const std::vector<std::string>& network_ids) {
  if (deps_.cache != nullptr) {
    for (const std::string& id : organisation_ids) deps_.cache->Invalidate(kOrganisationKind, id);
    for (const std::string& id : network_ids) deps_.cache->Invalidate(kNetworkKind, id);
  }
  deps_.on_change();
}

absl::StatusOr<v1::Organisation> MembershipService::LoadOrganisation(
    const std::string& id, std::vector<std::string>* network_ids) {
  auto load = [&]() -> absl::StatusOr<std::string> {
    internal::CachedOrganisation cached;
    MAILLAGE_ASSIGN_OR_RETURN(auto found, deps_.store->GetOrganisationWithNetworks(id));
    *cached.mutable_organisation() = std::move(found.first);
    for (std::string& n : found.second) cached.add_network_ids(std::move(n));
    return cached.SerializeAsString();
  };
  absl::StatusOr<std::string> bytes =
      deps_.cache != nullptr ? deps_.cache->Get(kOrganisationKind, id, load) : load();
  if (!bytes.ok()) return bytes.status();
  internal::CachedOrganisation cached;
  if (!cached.ParseFromString(*bytes)) return absl::InternalError("corrupt cached organisation");
  network_ids->assign(cached.network_ids().begin(), cached.network_ids().end());
  return std::move(*cached.mutable_organisation());
}

absl::StatusOr<v1::Network> MembershipService::LoadNetwork(const std::string& id) {
  auto load = [&]() -> absl::StatusOr<std::string> {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Network n, deps_.store->GetNetwork(id));
    return n.SerializeAsString();
  };
  absl::StatusOr<std::string> bytes =
      deps_.cache != nullptr ? deps_.cache->Get(kNetworkKind, id, load) : load();
  if (!bytes.ok()) return bytes.status();
  v1::Network n;
  if (!n.ParseFromString(*bytes)) return absl::InternalError("corrupt cached network");
  return n;
}

absl::StatusOr<v1::Membership> MembershipService::VisibleMembership(
    const Principal& who, const std::string& membership_id) {
  MAILLAGE_RETURN_IF_ERROR(ValidateId(membership_id, "membership_id"));
  MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, deps_.store->GetMembership(membership_id));
  // Outside the network a membership is indistinguishable from an absent one: neither its
  // state nor the network's admission policy is revealed.
  if (!auth::InNetwork(who, m.network_id()) && !auth::ActsFor(who, m.organisation_id())) {
    return absl::NotFoundError(absl::StrCat("membership ", membership_id, " not found"));
  }
  return m;
}

absl::StatusOr<v1::Membership> MembershipService::MembershipForAnimator(
    const Principal& who, const std::string& membership_id) {
  MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, VisibleMembership(who, membership_id));
  if (!auth::IsAnimator(who, m.network_id())) {
    return Denied("only the network's animators manage its memberships");
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Organisations

grpc::ServerUnaryReactor* MembershipService::CreateOrganisation(
    grpc::CallbackServerContext* ctx, const v1::CreateOrganisationRequest* req,
    v1::Organisation* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(
        ValidateOrganisation(req->organisation(), "organisation", Purpose::kCreate));
    MAILLAGE_RETURN_IF_ERROR(ValidateIdempotencyKey(req->idempotency_key(), "idempotency_key"));
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->CreateOrganisation(Normalised(req->organisation()), Change(who),
                                               req->idempotency_key()));
    Changed({}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::GetOrganisation(grpc::CallbackServerContext* ctx,
                                                             const v1::GetOrganisationRequest* req,
                                                             v1::Organisation* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->organisation_id(), "organisation_id"));
    std::vector<std::string> networks;
    MAILLAGE_ASSIGN_OR_RETURN(v1::Organisation org,
                              LoadOrganisation(req->organisation_id(), &networks));
    if (auth::ActsFor(who, org.organisation_id()) || AnimatesAny(who, networks)) {
      *resp = std::move(org);
      return absl::OkStatus();
    }
    if (org.visibility() == v1::VISIBILITY_PUBLIC || SharesAny(who, networks)) {
      *resp = PublicView(std::move(org));
      return absl::OkStatus();
    }
    // Not visible is indistinguishable from absent: existence is not leaked.
    return absl::NotFoundError(absl::StrCat("organisation ", req->organisation_id(), " not found"));
  });
}

grpc::ServerUnaryReactor* MembershipService::UpdateOrganisation(
    grpc::CallbackServerContext* ctx, const v1::UpdateOrganisationRequest* req,
    v1::Organisation* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(
        ValidateOrganisation(req->organisation(), "organisation", Purpose::kUpdate));
    if (!auth::ActsFor(who, req->organisation().organisation_id())) {
      return Denied("only the organisation's representatives edit its profile");
    }
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->UpdateOrganisation(Normalised(req->organisation()), Change(who),
                                               /*may_change_siren=*/who.platform_admin()));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::AddEstablishment(
    grpc::CallbackServerContext* ctx, const v1::AddEstablishmentRequest* req,
    v1::Organisation* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->organisation_id(), "organisation_id"));
    const v1::Establishment& e = req->establishment();
    MAILLAGE_RETURN_IF_ERROR(ValidateEstablishment(e, e.siret().substr(0, 9), "establishment"));
    if (!auth::ActsFor(who, req->organisation_id())) {
      return Denied("only the organisation's representatives edit its profile");
    }
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->AddEstablishment(req->organisation_id(), e, Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::ListOrganisations(
    grpc::CallbackServerContext* ctx, const v1::ListOrganisationsRequest* req,
    v1::ListOrganisationsResponse* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    if (!req->network_id().empty() || !who.platform_admin()) {
      MAILLAGE_RETURN_IF_ERROR(ValidateId(req->network_id(), "network_id"));
    }
    MAILLAGE_RETURN_IF_ERROR(
        ValidateText(req->name_prefix(), "name_prefix", kMaxNameLength, false));
    if (!req->siren_prefix().empty() &&
        (req->siren_prefix().size() > 9 ||
         req->siren_prefix().find_first_not_of("0123456789") != std::string::npos)) {
      return InvalidField("siren_prefix", "must be 1 to 9 digits");
    }
    std::string naf_prefix = absl::AsciiStrToUpper(req->naf_prefix());  // "j" means section J
    if (!naf_prefix.empty() && !IsValidNaceSection(naf_prefix) && !IsNafPrefix(naf_prefix)) {
      return InvalidField("naf_prefix", "must be a NACE section letter or the start of a NAF code");
    }
    if (!req->departement_code().empty() && !IsValidDepartementCode(req->departement_code())) {
      return InvalidField("departement_code", "not a département code");
    }
    if (!req->commune_code().empty() && !IsValidCommuneCode(req->commune_code())) {
      return InvalidField("commune_code", "not an INSEE commune code");
    }
    if (!req->network_id().empty() && !auth::InNetwork(who, req->network_id())) {
      return Denied("only members of the network list its organisations");
    }
    OrganisationFilter filter{.network_id = req->network_id(),
                              .name_prefix = req->name_prefix(),
                              .siren_prefix = req->siren_prefix(),
                              .naf_prefix = absl::AsciiStrToUpper(req->naf_prefix()),
                              .departement_code = req->departement_code(),
                              .commune_code = req->commune_code()};
    uint64_t fp =
        Fingerprint({"organisations", filter.network_id, filter.name_prefix, filter.siren_prefix,
                     filter.naf_prefix, filter.departement_code, filter.commune_code});
    MAILLAGE_ASSIGN_OR_RETURN(PageQuery page, ParseNamePage(deps_.page_tokens, req->page(), fp));
    MAILLAGE_ASSIGN_OR_RETURN(Page<v1::Organisation> result,
                              deps_.store->ListOrganisations(filter, page));
    bool full = who.platform_admin() || auth::IsAnimator(who, req->network_id());
    for (v1::Organisation& org : result.items) {
      *resp->add_organisations() = full || auth::ActsFor(who, org.organisation_id())
                                       ? std::move(org)
                                       : PublicView(std::move(org));
    }
    if (!result.next_after.empty()) {
      resp->mutable_page()->set_next_page_token(deps_.page_tokens.Encode(fp, result.next_after));
    }
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------------------------------------
// People

grpc::ServerUnaryReactor* MembershipService::CreatePerson(grpc::CallbackServerContext* ctx,
                                                          const v1::CreatePersonRequest* req,
                                                          v1::Person* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidatePerson(req->person(), "person"));
    MAILLAGE_RETURN_IF_ERROR(ValidateIdempotencyKey(req->idempotency_key(), "idempotency_key"));
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->CreatePerson(req->person(), req->idempotency_key(), who.subject()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::GetPerson(grpc::CallbackServerContext* ctx,
                                                       const v1::GetPersonRequest* req,
                                                       v1::Person* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->person_id(), "person_id"));
    bool allowed = who.platform_admin() || who.subject() == req->person_id();
    if (!allowed) {
      MAILLAGE_ASSIGN_OR_RETURN(std::vector<std::string> orgs,
                                deps_.store->OrganisationsRepresentedBy(req->person_id()));
      allowed = std::find(orgs.begin(), orgs.end(), who.organisation_id()) != orgs.end();
      // Animators see the representatives of their members, as ListRepresentations shows.
      for (size_t i = 0; !allowed && i < orgs.size(); ++i) {
        MAILLAGE_ASSIGN_OR_RETURN(std::vector<std::string> networks,
                                  deps_.store->NetworksOf(orgs[i]));
        allowed = AnimatesAny(who, networks);
      }
    }
    if (!allowed)
      return absl::NotFoundError(absl::StrCat("person ", req->person_id(), " not found"));
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->GetPerson(req->person_id()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::AddRepresentation(
    grpc::CallbackServerContext* ctx, const v1::AddRepresentationRequest* req,
    v1::Representation* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->organisation_id(), "organisation_id"));
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->person_id(), "person_id"));
    MAILLAGE_RETURN_IF_ERROR(ValidateText(req->role_title(), "role_title", 100, false));
    if (!auth::ActsFor(who, req->organisation_id())) {
      return Denied("only the organisation's representatives add representatives");
    }
    // Representing an organisation opens one's contact details to it (GetPerson): a caller
    // may add themselves, or a person who represents nobody yet (a colleague just created),
    // never someone already acting for other organisations.
    if (!who.platform_admin() && who.subject() != req->person_id()) {
      MAILLAGE_ASSIGN_OR_RETURN(std::vector<std::string> orgs,
                                deps_.store->OrganisationsRepresentedBy(req->person_id()));
      bool elsewhere = std::any_of(orgs.begin(), orgs.end(), [&](const std::string& o) {
        return o != req->organisation_id();
      });
      if (elsewhere) {
        return Denied("this person represents other organisations: they must add themselves");
      }
    }
    v1::Representation r;
    r.set_organisation_id(req->organisation_id());
    r.set_person_id(req->person_id());
    r.set_role_title(req->role_title());
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->AddRepresentation(r));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::ListRepresentations(
    grpc::CallbackServerContext* ctx, const v1::ListRepresentationsRequest* req,
    v1::ListRepresentationsResponse* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->organisation_id(), "organisation_id"));
    if (!auth::ActsFor(who, req->organisation_id())) {
      MAILLAGE_ASSIGN_OR_RETURN(std::vector<std::string> networks,
                                deps_.store->NetworksOf(req->organisation_id()));
      if (!AnimatesAny(who, networks)) {
        return Denied("only the organisation and its networks' animators see its representatives");
      }
    }
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::Representation> reps,
                              deps_.store->ListRepresentations(req->organisation_id()));
    for (v1::Representation& r : reps) *resp->add_representations() = std::move(r);
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------------------------------------
// Networks

grpc::ServerUnaryReactor* MembershipService::CreateNetwork(grpc::CallbackServerContext* ctx,
                                                           const v1::CreateNetworkRequest* req,
                                                           v1::Network* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateNetwork(req->network(), "network", Purpose::kCreate));
    MAILLAGE_RETURN_IF_ERROR(ValidateIdempotencyKey(req->idempotency_key(), "idempotency_key"));
    if (!auth::ActsFor(who, req->network().animating_organisation_id())) {
      return Denied("a network is created by a representative of its animating organisation");
    }
    MAILLAGE_ASSIGN_OR_RETURN(*resp,
                              deps_.store->CreateNetwork(Normalised(req->network()), Change(who),
                                                         req->idempotency_key()));
    Changed({resp->animating_organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::GetNetwork(grpc::CallbackServerContext* ctx,
                                                        const v1::GetNetworkRequest* req,
                                                        v1::Network* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal&) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->network_id(), "network_id"));
    MAILLAGE_ASSIGN_OR_RETURN(*resp, LoadNetwork(req->network_id()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::UpdateNetwork(grpc::CallbackServerContext* ctx,
                                                           const v1::UpdateNetworkRequest* req,
                                                           v1::Network* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateNetwork(req->network(), "network", Purpose::kUpdate));
    if (!auth::IsAnimator(who, req->network().network_id())) {
      return Denied("only the network's animators edit it");
    }
    MAILLAGE_ASSIGN_OR_RETURN(*resp,
                              deps_.store->UpdateNetwork(Normalised(req->network()), Change(who)));
    Changed({}, {resp->network_id()});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::ListNetworks(grpc::CallbackServerContext* ctx,
                                                          const v1::ListNetworksRequest* req,
                                                          v1::ListNetworksResponse* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal&) -> absl::Status {
    if (!v1::NetworkKind_IsValid(req->kind())) return InvalidField("kind", "unknown network kind");
    MAILLAGE_RETURN_IF_ERROR(
        ValidateText(req->name_prefix(), "name_prefix", kMaxNameLength, false));
    if (!req->departement_code().empty() && !IsValidDepartementCode(req->departement_code())) {
      return InvalidField("departement_code", "not a département code");
    }
    NetworkFilter filter{.kind = req->kind(),
                         .name_prefix = req->name_prefix(),
                         .departement_code = req->departement_code()};
    uint64_t fp = Fingerprint({"networks", absl::StrCat(static_cast<int>(filter.kind)),
                               filter.name_prefix, filter.departement_code});
    MAILLAGE_ASSIGN_OR_RETURN(PageQuery page, ParseNamePage(deps_.page_tokens, req->page(), fp));
    MAILLAGE_ASSIGN_OR_RETURN(Page<v1::Network> result, deps_.store->ListNetworks(filter, page));
    for (v1::Network& n : result.items) *resp->add_networks() = std::move(n);
    if (!result.next_after.empty()) {
      resp->mutable_page()->set_next_page_token(deps_.page_tokens.Encode(fp, result.next_after));
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::PublishCharter(grpc::CallbackServerContext* ctx,
                                                            const v1::PublishCharterRequest* req,
                                                            v1::Network* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->network_id(), "network_id"));
    MAILLAGE_RETURN_IF_ERROR(ValidateText(req->text(), "text", kMaxCharterLength, true));
    if (req->expected_current_version() < 1) {
      return InvalidField("expected_current_version", "required: the charter version you read");
    }
    if (!auth::IsAnimator(who, req->network_id())) {
      return Denied("only the network's animators publish its charter");
    }
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->PublishCharter(req->network_id(), req->text(),
                                           req->expected_current_version(), Change(who)));
    Changed({}, {resp->network_id()});
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------------------------------------
// Memberships

grpc::ServerUnaryReactor* MembershipService::ApplyForMembership(
    grpc::CallbackServerContext* ctx, const v1::ApplyForMembershipRequest* req,
    v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->network_id(), "network_id"));
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->organisation_id(), "organisation_id"));
    MAILLAGE_RETURN_IF_ERROR(ValidateRole(req->role(), "role", true));
    MAILLAGE_RETURN_IF_ERROR(
        ValidateText(req->motivation(), "motivation", kMaxShortTextLength, false));
    MAILLAGE_RETURN_IF_ERROR(ValidateIdempotencyKey(req->idempotency_key(), "idempotency_key"));
    bool animator = auth::IsAnimator(who, req->network_id());
    bool representative = auth::ActsFor(who, req->organisation_id());
    if (!representative && !animator) {
      return Denied("an organisation applies through its representatives");
    }
    auth::NetworkRole role =
        req->role() == auth::v1::NETWORK_ROLE_UNSPECIFIED ? NETWORK_ROLE_MEMBER : req->role();
    if (role != NETWORK_ROLE_MEMBER && !animator) {
      return Denied("only animators enrol members in roles other than member");
    }
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp,
        deps_.store->Apply(req->network_id(), req->organisation_id(), role, req->motivation(),
                           Change(who), req->idempotency_key(),
                           // On someone else's behalf, an enrolment is an invitation:
                           // the organisation's data stays closed until it accepts.
                           representative ? Enrolment::kApplication : Enrolment::kInvitation));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::AcceptInvitation(
    grpc::CallbackServerContext* ctx, const v1::AcceptInvitationRequest* req,
    v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->membership_id(), "membership_id"));
    MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, VisibleMembership(who, req->membership_id()));
    if (!auth::ActsFor(who, m.organisation_id())) {
      return Denied("an invitation is accepted by the invited organisation's representatives");
    }
    MAILLAGE_ASSIGN_OR_RETURN(*resp,
                              deps_.store->AcceptInvitation(req->membership_id(), Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::SponsorMembership(
    grpc::CallbackServerContext* ctx, const v1::SponsorMembershipRequest* req,
    v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->membership_id(), "membership_id"));
    std::string sponsor = req->sponsor_organisation_id().empty() ? who.organisation_id()
                                                                 : req->sponsor_organisation_id();
    MAILLAGE_RETURN_IF_ERROR(ValidateId(sponsor, "sponsor_organisation_id"));
    if (!auth::ActsFor(who, sponsor)) {
      return Denied("a sponsor acts through its own representatives");
    }
    MAILLAGE_RETURN_IF_ERROR(VisibleMembership(who, req->membership_id()).status());
    MAILLAGE_ASSIGN_OR_RETURN(*resp,
                              deps_.store->Sponsor(req->membership_id(), sponsor, Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::ApproveMembership(
    grpc::CallbackServerContext* ctx, const v1::ApproveMembershipRequest* req,
    v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(MembershipForAnimator(who, req->membership_id()).status());
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->Approve(req->membership_id(), Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::RejectMembership(
    grpc::CallbackServerContext* ctx, const v1::RejectMembershipRequest* req,
    v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateText(req->reason(), "reason", kMaxShortTextLength, false));
    MAILLAGE_RETURN_IF_ERROR(MembershipForAnimator(who, req->membership_id()).status());
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->Reject(req->membership_id(), req->reason(), Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::SignCharter(grpc::CallbackServerContext* ctx,
                                                         const v1::SignCharterRequest* req,
                                                         v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->membership_id(), "membership_id"));
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->person_id(), "person_id"));
    if (req->charter_version() < 1) {
      return InvalidField("charter_version", "required: the version being signed");
    }
    MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, VisibleMembership(who, req->membership_id()));
    if (!auth::ActsFor(who, m.organisation_id())) {
      return Denied("the charter is signed by the member organisation's representative");
    }
    if (!who.platform_admin() && who.subject() != req->person_id()) {
      return Denied("a representative signs in their own name");
    }
    MAILLAGE_ASSIGN_OR_RETURN(*resp,
                              deps_.store->SignCharter(req->membership_id(), req->person_id(),
                                                       req->charter_version(), Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::SuspendMembership(
    grpc::CallbackServerContext* ctx, const v1::SuspendMembershipRequest* req,
    v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateText(req->reason(), "reason", kMaxShortTextLength, false));
    MAILLAGE_RETURN_IF_ERROR(MembershipForAnimator(who, req->membership_id()).status());
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->Suspend(req->membership_id(), req->reason(), Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::ReinstateMembership(
    grpc::CallbackServerContext* ctx, const v1::ReinstateMembershipRequest* req,
    v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(MembershipForAnimator(who, req->membership_id()).status());
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->Reinstate(req->membership_id(), Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::LeaveNetwork(grpc::CallbackServerContext* ctx,
                                                          const v1::LeaveNetworkRequest* req,
                                                          v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, VisibleMembership(who, req->membership_id()));
    if (!auth::ActsFor(who, m.organisation_id()) && !auth::IsAnimator(who, m.network_id())) {
      return Denied("an organisation leaves through its representatives or an animator");
    }
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->Leave(req->membership_id(), Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::ChangeMembershipRole(
    grpc::CallbackServerContext* ctx, const v1::ChangeMembershipRoleRequest* req,
    v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateRole(req->role(), "role", false));
    MAILLAGE_RETURN_IF_ERROR(MembershipForAnimator(who, req->membership_id()).status());
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->ChangeRole(req->membership_id(), req->role(), Change(who)));
    Changed({resp->organisation_id()}, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::GetMembership(grpc::CallbackServerContext* ctx,
                                                           const v1::GetMembershipRequest* req,
                                                           v1::Membership* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(*resp, VisibleMembership(who, req->membership_id()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::ListMemberships(grpc::CallbackServerContext* ctx,
                                                             const v1::ListMembershipsRequest* req,
                                                             v1::ListMembershipsResponse* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    if (req->network_id().empty() && req->organisation_id().empty()) {
      return InvalidField("network_id", "one of network_id and organisation_id is required");
    }
    if (!req->network_id().empty())
      MAILLAGE_RETURN_IF_ERROR(ValidateId(req->network_id(), "network_id"));
    if (!req->organisation_id().empty()) {
      MAILLAGE_RETURN_IF_ERROR(ValidateId(req->organisation_id(), "organisation_id"));
    }
    if (!v1::MembershipState_IsValid(req->state())) return InvalidField("state", "unknown state");
    MAILLAGE_RETURN_IF_ERROR(ValidateRole(req->role(), "role", true));
    bool allowed = !req->network_id().empty() ? auth::InNetwork(who, req->network_id())
                                              : auth::ActsFor(who, req->organisation_id());
    if (!allowed) return Denied("only members of the network see its memberships");
    MembershipFilter filter{.network_id = req->network_id(),
                            .organisation_id = req->organisation_id(),
                            .state = req->state(),
                            .states = {},
                            .role = req->role(),
                            .charter_signature_required = req->charter_signature_required()};
    uint64_t fp = Fingerprint({"memberships", filter.network_id, filter.organisation_id,
                               absl::StrCat(static_cast<int>(filter.state)),
                               absl::StrCat(static_cast<int>(filter.role)),
                               filter.charter_signature_required ? "1" : "0"});
    MAILLAGE_ASSIGN_OR_RETURN(PageQuery page, ParseNamePage(deps_.page_tokens, req->page(), fp));
    MAILLAGE_ASSIGN_OR_RETURN(Page<v1::Membership> result,
                              deps_.store->ListMemberships(filter, page));
    for (v1::Membership& m : result.items) *resp->add_memberships() = std::move(m);
    if (!result.next_after.empty()) {
      resp->mutable_page()->set_next_page_token(deps_.page_tokens.Encode(fp, result.next_after));
    }
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------------------------------------
// Import: a client stream of CSV chunks. Each chunk is parsed and applied on a worker, and the
// next read starts only once the batch is written, so a large file never piles up in memory.

namespace {

// Runs a streaming reactor's next step on a worker. A full queue is most often momentary (a
// burst of calls), and failing a long stream for it throws away what the client sent:
// TrySubmit is retried after growing pauses (10 ms doubling to 500 ms, about 2 s in all)
// before `give_up` runs. The pauses are gRPC alarms, so no thread waits.
class WorkerSubmitter {
 public:
  explicit WorkerSubmitter(WorkerPool* pool) : pool_(pool) {}

  // `task` on a worker, or `give_up` (on an alarm thread) when the queue stayed full. Neither
  // may be pending when Submit is called again.
  void Submit(std::function<void()> task, std::function<void()> give_up) {
    task_ = std::move(task);
    give_up_ = std::move(give_up);
    attempts_ = 0;
    Try();
  }

 private:
  static constexpr int kRetries = 9;

  void Try() {
    // Nothing of this object is touched once the task or give_up_ may have ended the call.
    if (pool_->TrySubmit(task_)) return;
    if (attempts_ == kRetries) {
      give_up_();
      return;
    }
    absl::Duration pause = std::min(absl::Milliseconds(10 << attempts_), absl::Milliseconds(500));
    ++attempts_;
    // Two alarms in turn: an alarm is never set again from inside its own callback.
    grpc::Alarm& alarm = alarms_[sets_++ % 2];
    alarm.Set(absl::ToChronoTime(absl::Now() + pause), [this](bool) { Try(); });
  }

  WorkerPool* pool_;
  std::function<void()> task_;
  std::function<void()> give_up_;
  int attempts_ = 0;
  uint64_t sets_ = 0;
  grpc::Alarm alarms_[2];
};

// An import report lists this many errors; error_count counts them all. 1000 errors of a few
// dozen bytes keep the report far below a client's 4 MiB receive limit.
constexpr int kMaxReportedErrors = 1000;

}  // namespace

class MembershipService::ImportReactor final
    : public grpc::ServerReadReactor<v1::ImportOrganisationsRequest> {
 public:
  ImportReactor(MembershipService* service, grpc::CallbackServerContext* ctx,
                v1::ImportReport* report)
      : service_(service), ctx_(ctx), report_(report), submitter_(service->deps_.workers) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    // Leave the reaction at once: parsing and SQL are blocking work.
    submitter_.Submit(
        [this, ok] { ok ? Consume() : Complete(); },
        [this] {
          // No worker is running for this call now, so the report can be read.
          Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                              absl::StrCat("server busy: the import stopped after reading ",
                                           report_->rows_read(), " rows; ", Committed(),
                                           "; run the file again later (rows already imported "
                                           "are recognised by their SIREN)")));
        });
  }

  void OnDone() override { delete this; }

 private:
  void Consume() {
    absl::Status s = ConsumeMessage();
    if (!s.ok()) {
      Finish(ToClientStatus(s, *ctx_));
      return;
    }
    StartRead(&request_);
  }

  absl::Status ConsumeMessage() {
    if (first_) {
      first_ = false;
      absl::StatusOr<auth::Principal> who =
          service_->deps_.verifier.Verify(*ctx_, service_->deps_.clock());
      if (!who.ok()) return who.status();
      who_ = *who;
      CanonicaliseIds(&who_);
      if (request_.part_case() != v1::ImportOrganisationsRequest::kOptions) {
        return InvalidField("options", "the first message must carry the options");
      }
      options_ = request_.options();
      CanonicaliseIds(&options_);
      if (!options_.network_id().empty()) {
        MAILLAGE_RETURN_IF_ERROR(ValidateId(options_.network_id(), "options.network_id"));
      }
      if (options_.batch_size() < 0 || options_.batch_size() > 1000) {
        return InvalidField("options.batch_size", "must be between 0 and 1000");
      }
      batch_size_ = options_.batch_size() == 0 ? 200 : options_.batch_size();
      parser_.set_enrolling(!options_.network_id().empty());
      bool allowed = options_.network_id().empty() ? who_.platform_admin()
                                                   : auth::IsAnimator(who_, options_.network_id());
      if (!allowed) return Denied("only the network's animators import its members");
      report_->set_dry_run(options_.dry_run());
      return absl::OkStatus();
    }
    if (request_.part_case() != v1::ImportOrganisationsRequest::kChunk) {
      return InvalidField("chunk", "only the first message carries options");
    }
    reader_.Feed(request_.chunk());
    return Drain(false);
  }

  void Complete() {
    // A cancelled stream (deadline, client gone, server drain) ends like a finished one:
    // its last chunk may stop mid-line, so nothing buffered is applied.
    if (ctx_->IsCancelled()) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED,
                          absl::StrCat("import cancelled after reading ", report_->rows_read(),
                                       " rows; ", Committed())));
      return;
    }
    if (first_) {
      Finish(ToGrpcStatus(InvalidField("options", "the stream was empty")));
      return;
    }
    reader_.Finish();
    absl::Status s = Drain(true);
    if (s.ok() && !parser_.has_header()) s = InvalidField("chunk", "the file has no header row");
    Finish(ToClientStatus(s, *ctx_));
  }

  // What the batches written so far hold: rows read after the last one were not written.
  std::string Committed() const {
    if (options_.dry_run()) return "a dry run writes nothing";
    if (rows_committed_ == 0) return "nothing was committed";
    return absl::StrCat("the rows up to row ", rows_committed_, " (line ", line_committed_,
                        ") are committed, the rows after it are not");
  }

  // Counts every error and lists the first kMaxReportedErrors.
  void AddError(v1::ImportRowError e) {
    report_->set_error_count(report_->error_count() + 1);
    if (report_->errors_size() < kMaxReportedErrors) *report_->add_errors() = std::move(e);
  }

  // Parses the complete records buffered so far and applies full batches (all at the end).
  absl::Status Drain(bool at_end) {
    std::vector<std::string> fields;
    int64_t line = 0;
    while (reader_.Next(&fields, &line)) {
      if (!parser_.has_header()) {
        MAILLAGE_RETURN_IF_ERROR(parser_.SetHeader(fields));
        continue;
      }
      report_->set_rows_read(report_->rows_read() + 1);
      std::vector<v1::ImportRowError> errors;
      std::optional<ImportRow> row = parser_.Parse(fields, line, &errors);
      if (row.has_value() && !seen_sirens_.insert(row->organisation.siren()).second) {
        row.reset();
        v1::ImportRowError& e = errors.emplace_back();
        e.set_line(line);
        e.set_field("siren");
        e.set_reason("appears earlier in the file");
      }
      if (!errors.empty()) report_->set_rows_with_errors(report_->rows_with_errors() + 1);
      for (v1::ImportRowError& e : errors) AddError(std::move(e));
      if (row.has_value()) {
        batch_.push_back(std::move(*row));
        batch_end_line_ = line;
      }
      if (static_cast<int>(batch_.size()) >= batch_size_) MAILLAGE_RETURN_IF_ERROR(Apply());
    }
    if (!reader_.status().ok()) return InvalidField("chunk", reader_.status().message());
    if (at_end && !batch_.empty()) MAILLAGE_RETURN_IF_ERROR(Apply());
    return absl::OkStatus();
  }

  absl::Status Apply() {
    std::vector<ImportRow> rows = std::move(batch_);
    batch_.clear();
    if (options_.dry_run()) return absl::OkStatus();
    MAILLAGE_ASSIGN_OR_RETURN(ImportCounts counts, service_->deps_.store->ImportBatch(
                                                       rows, options_.network_id(), Change(who_)));
    report_->set_organisations_created(report_->organisations_created() +
                                       counts.organisations_created);
    report_->set_organisations_updated(report_->organisations_updated() +
                                       counts.organisations_updated);
    report_->set_organisations_unchanged(report_->organisations_unchanged() +
                                         counts.organisations_unchanged);
    report_->set_memberships_created(report_->memberships_created() + counts.memberships_created);
    report_->set_invitations_created(report_->invitations_created() + counts.invitations_created);
    report_->set_people_created(report_->people_created() + counts.people_created);
    report_->set_contacts_not_linked(report_->contacts_not_linked() + counts.contacts_not_linked);
    rows_committed_ = report_->rows_read();
    line_committed_ = batch_end_line_;
    service_->Changed(counts.touched_organisations, {});
    return absl::OkStatus();
  }

  MembershipService* service_;
  grpc::CallbackServerContext* ctx_;
  v1::ImportReport* report_;
  v1::ImportOrganisationsRequest request_;
  v1::ImportOrganisationsRequest::Options options_;
  auth::Principal who_;
  bool first_ = true;
  int batch_size_ = 200;
  CsvReader reader_;
  ImportRowParser parser_;
  std::vector<ImportRow> batch_;
  int64_t batch_end_line_ = 0;  // the line of the batch's last row
  int64_t rows_committed_ = 0;  // rows read when the last batch was committed
  int64_t line_committed_ = 0;
  std::set<std::string> seen_sirens_;
  WorkerSubmitter submitter_;
};

grpc::ServerReadReactor<v1::ImportOrganisationsRequest>* MembershipService::ImportOrganisations(
    grpc::CallbackServerContext* ctx, v1::ImportReport* resp) {
  return new ImportReactor(this, ctx, resp);
}

// ---------------------------------------------------------------------------------------------
// Export: one page of members per chunk, produced on a worker after the previous write.

class MembershipService::ExportReactor final : public grpc::ServerWriteReactor<v1::CsvChunk> {
 public:
  ExportReactor(MembershipService* service, grpc::CallbackServerContext* ctx,
                const v1::ExportMembersRequest* req)
      : service_(service), ctx_(ctx), req_(*req), submitter_(service->deps_.workers) {
    CanonicaliseIds(&req_);
    Schedule();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
      return;
    }
    Schedule();
  }

  void OnDone() override { delete this; }

 private:
  void Schedule() {
    submitter_.Submit(
        [this] { Produce(); },
        [this] {
          Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "server busy, retry later"));
        });
  }

  void Produce() {
    absl::StatusOr<bool> more = NextChunk();
    if (!more.ok()) {
      Finish(ToClientStatus(more.status(), *ctx_));
    } else if (!*more) {
      Finish(grpc::Status::OK);
    } else {
      StartWrite(&chunk_);
    }
  }

  // Fills chunk_; false when everything was sent.
  absl::StatusOr<bool> NextChunk() {
    if (done_) return false;
    std::string out;
    if (first_) {
      first_ = false;
      MAILLAGE_ASSIGN_OR_RETURN(auth::Principal who,
                                service_->deps_.verifier.Verify(*ctx_, service_->deps_.clock()));
      CanonicaliseIds(&who);
      MAILLAGE_RETURN_IF_ERROR(ValidateId(req_.network_id(), "network_id"));
      for (int i = 0; i < req_.states_size(); ++i) {
        if (req_.states(i) == v1::MEMBERSHIP_STATE_UNSPECIFIED ||
            !v1::MembershipState_IsValid(req_.states(i))) {
          return InvalidField(absl::StrCat("states[", i, "]"), "unknown state");
        }
      }
      if (!auth::IsAnimator(who, req_.network_id()) &&
          !auth::HasRole(who, req_.network_id(), NETWORK_ROLE_BOARD)) {
        return Denied("only the network's animators and board export its members");
      }
      MAILLAGE_RETURN_IF_ERROR(service_->deps_.store->GetNetwork(req_.network_id()).status());
      filter_.network_id = req_.network_id();
      if (req_.states().empty()) {
        filter_.states = {v1::MEMBERSHIP_STATE_APPLIED, v1::MEMBERSHIP_STATE_SPONSORED,
                          v1::MEMBERSHIP_STATE_ACTIVE, v1::MEMBERSHIP_STATE_SUSPENDED};
      } else {
        for (int s : req_.states()) filter_.states.push_back(static_cast<v1::MembershipState>(s));
      }
      out =
          "membership_id,siren,legal_name,kind,naf_code,city,commune_code,website,role,state,"
          "charter_version_signed,member_since\n";
    }
    PageQuery page{.size = 200, .after = after_, .fingerprint = 0};
    MAILLAGE_ASSIGN_OR_RETURN(Page<v1::Membership> result,
                              service_->deps_.store->ListMemberships(filter_, page));
    // The page's organisations in one query, not one per member.
    std::vector<std::string> ids;
    for (const v1::Membership& m : result.items) ids.push_back(m.organisation_id());
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::Organisation> orgs,
                              service_->deps_.store->GetOrganisations(ids));
    std::map<std::string, const v1::Organisation*> by_id;
    for (const v1::Organisation& o : orgs) by_id[o.organisation_id()] = &o;
    // Text cells go through CsvSafeField: a name such as =HYPERLINK(...) must reach the
    // spreadsheet that opens the file as text, not as a formula.
    for (const v1::Membership& m : result.items) {
      auto found = by_id.find(m.organisation_id());
      if (found == by_id.end()) continue;  // cannot happen: memberships reference organisations
      const v1::Organisation& org = *found->second;
      const v1::Establishment* head = nullptr;
      for (const v1::Establishment& e : org.establishments()) {
        if (e.head_office() || head == nullptr) head = &e;
      }
      absl::StrAppend(
          &out, CsvSafeField(m.membership_id()), ",", CsvSafeField(org.siren()), ",",
          CsvSafeField(org.legal_name()), ",", OrganisationKindName(org.kind()), ",",
          CsvSafeField(org.naf_code()), ",",
          CsvSafeField(head != nullptr ? head->address().city() : ""), ",",
          CsvSafeField(org.territory().commune_codes().empty() ? ""
                                                               : org.territory().commune_codes(0)),
          ",", CsvSafeField(org.website()), ",", RoleName(m.role()), ",",
          absl::AsciiStrToLower(StateName(m.state())), ",", m.charter_signature().charter_version(),
          ",",
          absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(m.create_time().seconds()),
                           absl::UTCTimeZone()),
          "\n");
    }
    after_ = result.next_after;
    done_ = after_.empty();
    if (out.empty()) return false;
    chunk_.set_data(std::move(out));
    return true;
  }

  MembershipService* service_;
  grpc::CallbackServerContext* ctx_;
  v1::ExportMembersRequest req_;
  MembershipFilter filter_;
  std::vector<std::string> after_;
  bool first_ = true;
  bool done_ = false;
  v1::CsvChunk chunk_;
  WorkerSubmitter submitter_;
};

grpc::ServerWriteReactor<v1::CsvChunk>* MembershipService::ExportMembers(
    grpc::CallbackServerContext* ctx, const v1::ExportMembersRequest* req) {
  return new ExportReactor(this, ctx, req);
}

}  // namespace maillage::membership
