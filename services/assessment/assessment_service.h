// services/assessment/assessment_service: the assessment gRPC service (assessment.proto).
//
// One final class on the callback API. Each handler returns at once; ServeAuthorized
// (common/authz/authorized_unary.h) verifies the caller's principal, checks the table below
// and runs the handler on a worker, which validates the request, calls the store and maps the
// status once.
//
//   AssessmentService service({.store = &store, .workers = &pool,
//                              .verifier = auth::PrincipalVerifier(key)});
//
// Who may do what (platform admins everything), from the roles the principal carries:
//   ListFunctions, GetMatrix, PreviewDispositions     members of the network (any role)
//   AddFunction, RetireFunction, UpdateMatrix         the network's animators
#ifndef MAILLAGE_SERVICES_ASSESSMENT_ASSESSMENT_SERVICE_H_
#define MAILLAGE_SERVICES_ASSESSMENT_ASSESSMENT_SERVICE_H_

#include <functional>
#include <memory>

#include "absl/time/clock.h"
#include "common/auth/auth.h"
#include "common/authz/authorized_unary.h"
#include "common/authz/authz.h"
#include "maillage/assessment/v1/assessment.grpc.pb.h"

namespace maillage {
class WorkerPool;
}  // namespace maillage

namespace maillage::assessment {

class AssessmentStore;

// The table ServeAuthorized checks; also stated independently by the role × RPC test.
authz::Table AssessmentAuthzTable();

class AssessmentService final : public v1::AssessmentService::CallbackService {
 public:
  struct Dependencies {
    AssessmentStore* store = nullptr;
    WorkerPool* workers = nullptr;
    auth::PrincipalVerifier verifier{""};
    std::function<absl::Time()> clock = absl::Now;
    // Called after a change committed (wakes the outbox relay).
    std::function<void()> on_change = [] {};
  };

  explicit AssessmentService(Dependencies deps);

  grpc::ServerUnaryReactor* ListFunctions(grpc::CallbackServerContext* ctx,
                                          const v1::ListFunctionsRequest* req,
                                          v1::ListFunctionsResponse* resp) override;
  grpc::ServerUnaryReactor* AddFunction(grpc::CallbackServerContext* ctx,
                                        const v1::AddFunctionRequest* req,
                                        v1::SupportFunction* resp) override;
  grpc::ServerUnaryReactor* RetireFunction(grpc::CallbackServerContext* ctx,
                                           const v1::RetireFunctionRequest* req,
                                           v1::SupportFunction* resp) override;
  grpc::ServerUnaryReactor* GetMatrix(grpc::CallbackServerContext* ctx,
                                      const v1::GetMatrixRequest* req, v1::Matrix* resp) override;
  grpc::ServerUnaryReactor* UpdateMatrix(grpc::CallbackServerContext* ctx,
                                         const v1::UpdateMatrixRequest* req,
                                         v1::Matrix* resp) override;
  grpc::ServerUnaryReactor* PreviewDispositions(grpc::CallbackServerContext* ctx,
                                                const v1::PreviewDispositionsRequest* req,
                                                v1::PreviewDispositionsResponse* resp) override;

 private:
  Dependencies deps_;
  std::unique_ptr<authz::Table> authz_;
  authz::CallGate gate_;
};

}  // namespace maillage::assessment

#endif  // MAILLAGE_SERVICES_ASSESSMENT_ASSESSMENT_SERVICE_H_
