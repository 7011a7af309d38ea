// The working groups of ReportingService (reporting_service.h).
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/validation/validation.h"
#include "services/reporting/reporting_service.h"
#include "services/reporting/reporting_store.h"

namespace maillage::reporting {
namespace {

using auth::Principal;

constexpr int kMaxGroupMembers = 1000;

}  // namespace

grpc::ServerUnaryReactor* ReportingService::CreateWorkingGroup(
    grpc::CallbackServerContext* ctx, const v1::CreateWorkingGroupRequest* req,
    v1::WorkingGroup* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    const v1::WorkingGroup& g = req->group();
    std::vector<FieldViolation> problems;
    if (auto p = TextProblem(g.name(), 200, true)) problems.push_back({"group.name", *p});
    if (auto p = TextProblem(g.description(), 2000, false)) {
      problems.push_back({"group.description", *p});
    }
    if (auto p = TextProblem(g.theme(), 64, false)) problems.push_back({"group.theme", *p});
    if (g.member_organisation_ids_size() > kMaxGroupMembers) {
      problems.push_back({"group.member_organisation_ids", "at most 1,000"});
    } else {
      absl::flat_hash_set<std::string> seen;
      for (int i = 0; i < g.member_organisation_ids_size() && problems.size() < 20; ++i) {
        const std::string at = absl::StrCat("group.member_organisation_ids[", i, "]");
        if (absl::Status s = ValidateId(g.member_organisation_ids(i), at); !s.ok()) {
          std::vector<FieldViolation> v = FieldViolationsOf(s);
          problems.insert(problems.end(), v.begin(), v.end());
        } else if (!seen.insert(g.member_organisation_ids(i)).second) {
          problems.push_back({at, "given twice"});
        }
      }
    }
    if (auto p = TextProblem(req->idempotency_key(), 128, false)) {
      problems.push_back({"idempotency_key", *p});
    }
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    v1::WorkingGroup draft;
    draft.set_name(g.name());
    draft.set_description(g.description());
    draft.set_theme(g.theme());
    *draft.mutable_member_organisation_ids() = g.member_organisation_ids();
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp,
        deps_.store->CreateGroup(req->network_id(), draft, who.subject(), req->idempotency_key()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::ListWorkingGroups(
    grpc::CallbackServerContext* ctx, const v1::ListWorkingGroupsRequest* req,
    v1::ListWorkingGroupsResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    const uint64_t fp = Fingerprint({"working-groups", req->network_id()});
    MAILLAGE_ASSIGN_OR_RETURN(PageQuery page, deps_.page_tokens.Parse(req->page(), fp));
    MAILLAGE_ASSIGN_OR_RETURN(Listed<v1::WorkingGroup> listed,
                              deps_.store->ListGroups(req->network_id(), page));
    for (v1::WorkingGroup& g : listed.items) *resp->add_groups() = std::move(g);
    if (!listed.next_after.empty()) {
      resp->mutable_page()->set_next_page_token(deps_.page_tokens.Encode(fp, listed.next_after));
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::GetWorkingGroup(grpc::CallbackServerContext* ctx,
                                                            const v1::GetWorkingGroupRequest* req,
                                                            v1::WorkingGroup* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->Group(req->group_id()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::JoinWorkingGroup(grpc::CallbackServerContext* ctx,
                                                             const v1::JoinWorkingGroupRequest* req,
                                                             v1::WorkingGroup* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_ASSIGN_OR_RETURN(*resp,
                              deps_.store->JoinGroup(req->group_id(), req->organisation_id()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::LeaveWorkingGroup(
    grpc::CallbackServerContext* ctx, const v1::LeaveWorkingGroupRequest* req,
    v1::WorkingGroup* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_ASSIGN_OR_RETURN(*resp,
                              deps_.store->LeaveGroup(req->group_id(), req->organisation_id()));
    return absl::OkStatus();
  });
}

}  // namespace maillage::reporting
