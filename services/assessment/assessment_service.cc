#include "services/assessment/assessment_service.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/server/request_parsing.h"
#include "common/status/status.h"
#include "common/validation/validation.h"
#include "services/assessment/assessment_store.h"
#include "services/assessment/domain/catalogue.h"
#include "services/assessment/domain/matrix.h"

namespace maillage::assessment {
namespace {

using auth::Principal;
using auth::v1::NETWORK_ROLE_ANIMATOR;

constexpr int kMaxPreviewAnswers = 200;

// The domain's "field: reason" as a field violation, the field under `prefix`.
absl::Status AsFieldViolation(const absl::Status& s, absl::string_view prefix) {
  absl::string_view m = s.message();
  const size_t colon = m.find(':');
  if (colon == absl::string_view::npos) return InvalidField(prefix, m);
  return InvalidField(absl::StrCat(prefix, m.substr(0, colon)),
                      absl::StripLeadingAsciiWhitespace(m.substr(colon + 1)));
}

// Every RPC acts on the network its request names.
template <typename Req>
authz::Resolver NetworkOf() {
  return authz::Resolve<Req>([](const Req& r, const Principal&) -> absl::StatusOr<authz::Resource> {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(r.network_id(), "network_id"));
    return authz::Resource{.network_id = r.network_id()};
  });
}

}  // namespace

authz::Table AssessmentAuthzTable() {
  const std::vector<authz::Grant> members = {authz::AnyRoleIn()};
  const std::vector<authz::Grant> animators = {authz::RoleIn({NETWORK_ROLE_ANIMATOR})};
  return authz::Table(std::string(v1::AssessmentService::service_full_name()),
                      {
                          {.rpc = "ListFunctions",
                           .grants = members,
                           .resource = NetworkOf<v1::ListFunctionsRequest>(),
                           .denial = "only members of the network see its functions"},
                          {.rpc = "AddFunction",
                           .grants = animators,
                           .resource = NetworkOf<v1::AddFunctionRequest>(),
                           .denial = "only the network's animators edit its functions"},
                          {.rpc = "RetireFunction",
                           .grants = animators,
                           .resource = NetworkOf<v1::RetireFunctionRequest>(),
                           .denial = "only the network's animators edit its functions"},
                          {.rpc = "GetMatrix",
                           .grants = members,
                           .resource = NetworkOf<v1::GetMatrixRequest>(),
                           .denial = "only members of the network see its matrix"},
                          {.rpc = "UpdateMatrix",
                           .grants = animators,
                           .resource = NetworkOf<v1::UpdateMatrixRequest>(),
                           .denial = "only the network's animators edit its matrix"},
                          {.rpc = "PreviewDispositions",
                           .grants = members,
                           .resource = NetworkOf<v1::PreviewDispositionsRequest>(),
                           .denial = "only members of the network use its matrix"},
                      });
}

AssessmentService::AssessmentService(Dependencies deps)
    : deps_(std::move(deps)),
      authz_(std::make_unique<authz::Table>(AssessmentAuthzTable())),
      gate_{.verifier = &deps_.verifier,
            .clock = deps_.clock,
            .workers = deps_.workers,
            .table = authz_.get()} {
  CheckRequestParsing(this, &AssessmentService::ListFunctions);
  CheckRequestParsing(this, &AssessmentService::AddFunction);
  CheckRequestParsing(this, &AssessmentService::RetireFunction);
  CheckRequestParsing(this, &AssessmentService::GetMatrix);
  CheckRequestParsing(this, &AssessmentService::UpdateMatrix);
  CheckRequestParsing(this, &AssessmentService::PreviewDispositions);
}

grpc::ServerUnaryReactor* AssessmentService::ListFunctions(grpc::CallbackServerContext* ctx,
                                                           const v1::ListFunctionsRequest* req,
                                                           v1::ListFunctionsResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    absl::StatusOr<std::vector<v1::SupportFunction>> functions =
        deps_.store->Functions(req->network_id(), req->include_retired());
    if (!functions.ok()) return functions.status();
    for (v1::SupportFunction& f : *functions) *resp->add_functions() = std::move(f);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::AddFunction(grpc::CallbackServerContext* ctx,
                                                         const v1::AddFunctionRequest* req,
                                                         v1::SupportFunction* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    absl::StatusOr<std::vector<v1::SupportFunction>> known =
        deps_.store->Functions(req->network_id(), /*include_retired=*/true);
    if (!known.ok()) return known.status();
    absl::flat_hash_set<std::string> top_level;
    for (const v1::SupportFunction& f : *known) {
      if (f.parent_code().empty()) top_level.insert(f.code());
    }
    if (absl::Status s = ValidateFunction(req->function(), top_level); !s.ok()) {
      return AsFieldViolation(s, "function.");
    }
    absl::StatusOr<v1::SupportFunction> added =
        deps_.store->AddFunction(req->network_id(), req->function(), who.subject());
    if (!added.ok()) return added.status();
    deps_.on_change();
    *resp = *std::move(added);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::RetireFunction(grpc::CallbackServerContext* ctx,
                                                            const v1::RetireFunctionRequest* req,
                                                            v1::SupportFunction* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    if (req->code().empty() || req->code().size() > 65) {
      return InvalidField("code", "a function code (at most 65 characters)");
    }
    absl::StatusOr<v1::SupportFunction> retired =
        deps_.store->RetireFunction(req->network_id(), req->code(), who.subject());
    if (!retired.ok()) return retired.status();
    deps_.on_change();
    *resp = *std::move(retired);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::GetMatrix(grpc::CallbackServerContext* ctx,
                                                       const v1::GetMatrixRequest* req,
                                                       v1::Matrix* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    if (req->version() < 0) return InvalidField("version", "0 (the current one) or more");
    absl::StatusOr<v1::Matrix> m = deps_.store->Matrix(req->network_id(), req->version());
    if (!m.ok()) return m.status();
    *resp = *std::move(m);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::UpdateMatrix(grpc::CallbackServerContext* ctx,
                                                          const v1::UpdateMatrixRequest* req,
                                                          v1::Matrix* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    if (req->expected_version() < 0) return InvalidField("expected_version", "0 or more");
    v1::Matrix proposed;
    *proposed.mutable_cells() = req->cells();
    if (absl::Status s = ValidateMatrix(proposed); !s.ok()) return AsFieldViolation(s, "");
    absl::StatusOr<v1::Matrix> next = deps_.store->UpdateMatrix(
        req->network_id(), req->expected_version(),
        std::vector<v1::MatrixCell>(req->cells().begin(), req->cells().end()), who.subject());
    if (!next.ok()) return next.status();
    deps_.on_change();
    *resp = *std::move(next);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AssessmentService::PreviewDispositions(
    grpc::CallbackServerContext* ctx, const v1::PreviewDispositionsRequest* req,
    v1::PreviewDispositionsResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    if (req->answers_size() > kMaxPreviewAnswers) {
      return InvalidField("answers", absl::StrCat("at most ", kMaxPreviewAnswers));
    }
    absl::StatusOr<v1::Matrix> matrix = deps_.store->Matrix(req->network_id(), 0);
    if (!matrix.ok()) return matrix.status();
    absl::StatusOr<std::vector<v1::SupportFunction>> functions =
        deps_.store->Functions(req->network_id(), /*include_retired=*/false);
    if (!functions.ok()) return functions.status();
    absl::flat_hash_set<std::string> codes;
    for (const v1::SupportFunction& f : *functions) codes.insert(f.code());
    std::vector<FieldViolation> problems;
    for (int i = 0; i < req->answers_size(); ++i) {
      const v1::FunctionAnswer& a = req->answers(i);
      const std::string at = absl::StrCat("answers[", i, "]");
      if (!codes.contains(a.function_code())) {
        problems.push_back({at + ".function_code", "not a function of the network"});
        continue;
      }
      absl::StatusOr<Decision> d = Decide(*matrix, a.efficiency(), a.importance());
      if (!d.ok()) {
        // The domain's "efficiency: ..." under this answer.
        std::vector<FieldViolation> v = FieldViolationsOf(AsFieldViolation(d.status(), at + "."));
        problems.insert(problems.end(), v.begin(), v.end());
        continue;
      }
      v1::FunctionAnswer* out = resp->add_answers();
      *out = a;
      out->set_disposition(d->disposition);
      out->set_matrix_version(d->matrix_version);
      *resp->add_cells() = d->cell;
    }
    return InvalidFields(problems);
  });
}

}  // namespace maillage::assessment
