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

// MembershipService: networks and charters.

namespace maillage::membership {

using namespace service_internal;  // NOLINT(build/namespaces): the handlers' own helpers

// ---------------------------------------------------------------------------------------------
// Networks

grpc::ServerUnaryReactor* MembershipService::CreateNetwork(grpc::CallbackServerContext* ctx,
                                                           const v1::CreateNetworkRequest* req,
                                                           v1::Network* resp) {
  return Serve(ctx, req, [this, req, resp](const Principal& who) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(ValidateNetwork(req->network(), "network", Purpose::kCreate));
    MAILLAGE_RETURN_IF_ERROR(ValidateIdempotencyKey(req->idempotency_key(), "idempotency_key"));
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
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->PublishCharter(req->network_id(), req->text(),
                                           req->expected_current_version(), Change(who)));
    Changed({}, {resp->network_id()});
    return absl::OkStatus();
  });
}

}  // namespace maillage::membership
