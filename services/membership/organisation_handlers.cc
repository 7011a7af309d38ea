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
#include "services/membership/membership_service.h"
#include "services/membership/membership_store.h"
#include "services/membership/membership_validation.h"
#include "services/membership/service_internal.h"

// MembershipService: organisations.

namespace maillage::membership {

using namespace service_internal;  // NOLINT(build/namespaces): the handlers' own helpers

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

}  // namespace maillage::membership
