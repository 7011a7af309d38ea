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

// MembershipService: people and representations.

namespace maillage::membership {

using namespace service_internal;  // NOLINT(build/namespaces): the handlers' own helpers

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
  return Serve(ctx, req, [this, req, resp](const Principal&) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->person_id(), "person_id"));
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
    MAILLAGE_RETURN_IF_ERROR(
        ValidateText(req->role_title(), "role_title", kMaxRoleTitleLength, false));
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
  return Serve(ctx, req, [this, req, resp](const Principal&) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->organisation_id(), "organisation_id"));
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::Representation> reps,
                              deps_.store->ListRepresentations(req->organisation_id()));
    for (v1::Representation& r : reps) *resp->add_representations() = std::move(r);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipService::ResolvePrincipal(
    grpc::CallbackServerContext* ctx, const v1::ResolvePrincipalRequest* req,
    v1::ResolvePrincipalResponse* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal&) -> absl::Status {
    // An OIDC issuer is a URL and a subject an opaque string of at most 255 characters.
    MAILLAGE_RETURN_IF_ERROR(ValidateText(req->issuer(), "issuer", 512, true));
    MAILLAGE_RETURN_IF_ERROR(ValidateText(req->subject(), "subject", 255, true));
    MAILLAGE_RETURN_IF_ERROR(ValidateText(req->verified_email(), "verified_email", 320, false));
    if (!req->acting_organisation_id().empty()) {
      MAILLAGE_RETURN_IF_ERROR(ValidateId(req->acting_organisation_id(), "acting_organisation_id"));
    }
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->ResolvePrincipal(req->issuer(), req->subject(),
                                             req->link_by_email() ? req->verified_email() : "",
                                             req->acting_organisation_id()));
    return absl::OkStatus();
  });
}

}  // namespace maillage::membership
