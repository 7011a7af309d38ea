#include "common/server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <signal.h>

#include <chrono>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/server/worker_pool.h"
#include "grpc/health/v1/health.pb.h"

namespace maillage {
namespace {

// "INVALID_ARGUMENT"...: gRPC and Abseil number their codes alike (google.rpc.Code).
std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

struct RpcMetrics {
  explicit RpcMetrics(prometheus::Registry& registry)
      : handled(prometheus::BuildCounter()
                    .Name("grpc_server_handled_total")
                    .Help("RPCs completed on the server, by method and status code.")
                    .Register(registry)),
        latency(prometheus::BuildHistogram()
                    .Name("grpc_server_handling_seconds")
                    .Help("Time from receiving the request headers to sending the status.")
                    .Register(registry)) {}
  prometheus::Family<prometheus::Counter>& handled;
  prometheus::Family<prometheus::Histogram>& latency;
};

// Server-side faults, logged at warn; the others (the caller's mistakes) only at debug.
bool IsServerFault(grpc::StatusCode code) {
  return code == grpc::StatusCode::INTERNAL || code == grpc::StatusCode::UNKNOWN ||
         code == grpc::StatusCode::DATA_LOSS || code == grpc::StatusCode::UNAVAILABLE ||
         code == grpc::StatusCode::DEADLINE_EXCEEDED;
}

// Times every call from its initial metadata to its status, and writes its access log line
// (with the caller's x-request-id and W3C traceparent), without touching handlers.
class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(RpcMetrics* metrics, grpc::experimental::ServerRpcInfo* info)
      : metrics_(metrics), info_(info), method_(info->method()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using Hook = grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(Hook::POST_RECV_INITIAL_METADATA)) {
      start_ = std::chrono::steady_clock::now();
      if (auto* md = methods->GetRecvInitialMetadata(); md != nullptr) {
        if (auto it = md->find("x-request-id"); it != md->end()) {
          request_id_.assign(it->second.data(), it->second.size());
        }
        if (auto it = md->find("traceparent"); it != md->end()) {
          traceparent_.assign(it->second.data(), it->second.size());
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(Hook::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      // Record what the client saw: past its deadline it has already given up with
      // DEADLINE_EXCEEDED, whatever the handler answers late.
      if (const grpc::ServerContextBase* ctx = info_->server_context();
          ctx != nullptr && ctx->deadline() <= std::chrono::system_clock::now()) {
        status = grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                              absl::StrCat("deadline passed before the answer (handler said ",
                                           CodeName(status.error_code()), ")"));
      }
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      metrics_->handled
          .Add({{"grpc_method", method_}, {"grpc_code", CodeName(status.error_code())}})
          .Increment();
      static const prometheus::Histogram::BucketBoundaries kBuckets = {
          0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
      metrics_->latency.Add({{"grpc_method", method_}}, kBuckets).Observe(seconds);
      log::Level level =
          IsServerFault(status.error_code()) ? log::Level::kWarn : log::Level::kDebug;
      if (log::Enabled(level)) {
        log::Write(level, "rpc",
                   {{"method", method_},
                    {"code", CodeName(status.error_code())},
                    {"error", status.error_message()},
                    {"ms", absl::StrCat(static_cast<int64_t>(seconds * 1000))},
                    {"request_id", request_id_},
                    {"traceparent", traceparent_}});
      }
    }
    methods->Proceed();
  }

 private:
  RpcMetrics* metrics_;
  grpc::experimental::ServerRpcInfo* info_;
  std::string method_;
  std::string request_id_;
  std::string traceparent_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

class MetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(std::shared_ptr<RpcMetrics> metrics)
      : metrics_(std::move(metrics)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(metrics_.get(), info);
  }

 private:
  std::shared_ptr<RpcMetrics> metrics_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options,
                                                      const std::vector<grpc::Service*>& services) {
  std::unique_ptr<Server> self(new Server());
  self->registry_ = options.metrics_registry != nullptr ? options.metrics_registry
                                                        : std::make_shared<prometheus::Registry>();
  self->health_names_ = options.health_service_names;
  self->worker_pools_ = options.worker_pools;
  for (size_t i = 0; i < self->worker_pools_.size(); ++i) {
    self->worker_pools_[i]->RegisterMetrics(*self->registry_, absl::StrCat(i));
  }

  if (!options.metrics_address.empty()) {
    try {
      self->exposer_ = std::make_unique<prometheus::Exposer>(options.metrics_address);
    } catch (const std::exception& e) {
      return absl::UnavailableError(
          absl::StrCat("metrics address ", options.metrics_address, ": ", e.what()));
    }
    self->exposer_->RegisterCollectable(self->registry_);
    std::vector<int> ports = self->exposer_->GetListeningPorts();
    self->metrics_port_ = ports.empty() ? 0 : ports.front();
  }

  // gRPC's health service is built without protobuf descriptors, so reflection could list
  // grpc.health.v1.Health but not describe it (buf curl --list-methods failed). Touching the
  // generated descriptor links health.proto in and registers it in the generated pool.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      ServerCredentialsFor(options.tls);
  if (!credentials.ok()) return credentials.status();
  builder.AddListeningPort(options.grpc_address, *credentials, &self->port_);
  for (grpc::Service* service : services) builder.RegisterService(service);
  if (options.generic_service != nullptr) {
    builder.RegisterCallbackGenericService(options.generic_service);
  }
  auto rpc_metrics = std::make_shared<RpcMetrics>(*self->registry_);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<MetricsInterceptorFactory>(rpc_metrics));
  builder.experimental().SetInterceptorCreators(std::move(factories));
  self->server_ = builder.BuildAndStart();
  if (self->server_ == nullptr || self->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.grpc_address));
  }
  grpc::HealthCheckServiceInterface* health = self->server_->GetHealthCheckService();
  for (const std::string& name : self->health_names_) health->SetServingStatus(name, true);
  health->SetServingStatus(true);
  log::Info("server started", {{"grpc_port", absl::StrCat(self->port_)},
                               {"tls", options.tls.cert_file.empty()        ? "off"
                                       : options.tls.client_ca_file.empty() ? "on"
                                                                            : "mutual"},
                               {"metrics_port", absl::StrCat(self->metrics_port_)}});
  return self;
}

Server::~Server() { Shutdown(absl::ZeroDuration()); }

prometheus::Registry& Server::metrics() { return *registry_; }

void Server::Shutdown(absl::Duration drain) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  for (WorkerPool* pool : worker_pools_) pool->BeginDrain();
  // Readiness probes see NOT_SERVING first, so load balancers stop sending new calls.
  server_->GetHealthCheckService()->SetServingStatus(false);
  log::Info("draining", {{"seconds", absl::StrCat(absl::ToDoubleSeconds(drain))}});
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoSeconds(drain));
  server_->Wait();
  log::Info("server stopped");
}

namespace {
sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}
}  // namespace

void BlockTerminationSignals() {
  sigset_t set = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void WaitForTerminationSignal() {
  sigset_t set = TerminationSignals();
  int sig = 0;
  sigwait(&set, &sig);
  log::Info("termination signal", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
}

}  // namespace maillage
