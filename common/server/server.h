// common/server: the process around a set of gRPC services.
//
// Every Maillage server gets the same things from here:
//  - the standard grpc.health.v1 service (per-service and overall status) and reflection,
//    which describes every service the port lists (health included);
//  - a Prometheus /metrics endpoint with, per method and code, grpc_server_handled_total and
//    the grpc_server_handling_seconds latency histogram;
//  - a graceful drain: health turns NOT_SERVING, new calls are refused, calls in flight get
//    up to `drain` to finish.
//
//   ServerOptions options{.grpc_address = "0.0.0.0:50051", .metrics_address = "0.0.0.0:9464"};
//   MAILLAGE_ASSIGN_OR_RETURN(auto server, Server::Start(options, {&membership_service}));
//   WaitForTerminationSignal();          // SIGTERM or SIGINT (after BlockTerminationSignals())
//   server->Shutdown(absl::Seconds(10));
//
// Port 0 picks a free port (tests); port() and metrics_port() tell which.
#ifndef MAILLAGE_COMMON_SERVER_SERVER_H_
#define MAILLAGE_COMMON_SERVER_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/tls.h"

namespace maillage {
class WorkerPool;
}  // namespace maillage

namespace grpc {
class CallbackGenericService;
class Server;
class Service;
}  // namespace grpc

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace maillage {

struct ServerOptions {
  std::string grpc_address = "0.0.0.0:50051";
  // Empty: no metrics endpoint.
  std::string metrics_address = "0.0.0.0:9464";
  // Reported by the health service as serving, besides the overall status "".
  std::vector<std::string> health_service_names{};
  // The pools the services run unary calls on (not owned). Shutdown() makes them drain first,
  // so calls not yet running are answered UNAVAILABLE (retried by clients) while the calls in
  // flight finish.
  std::vector<WorkerPool*> worker_pools{};
  // Where the RPC metrics are registered and what /metrics serves. Given, it is shared with
  // what was registered before the server (pools, caches, relay: the service runtime creates
  // it first); null, the server makes its own.
  std::shared_ptr<prometheus::Registry> metrics_registry{};
  // TLS on the gRPC port (tls.h); empty: plaintext.
  TlsOptions tls{};
  // Optional: answers every method no registered service has (the gateway's gRPC proxy).
  // Not owned; must outlive the server.
  grpc::CallbackGenericService* generic_service = nullptr;
};

class Server {
 public:
  // Binds, registers the services (not owned; they must outlive the server) and starts.
  // UNAVAILABLE when an address cannot be bound; the error of ServerCredentialsFor (naming
  // the file) when the TLS files are wrong.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options,
                                                       const std::vector<grpc::Service*>& services);
  ~Server();

  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }
  // Metrics of the process, for services that add their own.
  prometheus::Registry& metrics();

  // Marks every health entry NOT_SERVING and drains the worker pools (new and queued unary
  // calls get UNAVAILABLE), then shuts down, giving calls in flight until `drain` before
  // cancelling them. Idempotent.
  void Shutdown(absl::Duration drain);

 private:
  Server() = default;

  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::vector<std::string> health_names_;
  std::vector<WorkerPool*> worker_pools_;
  int port_ = 0;
  int metrics_port_ = 0;
  bool shut_down_ = false;
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts afterwards, so
// that WaitForTerminationSignal() receives them. Call it first thing in main.
void BlockTerminationSignals();

// Waits until the process receives SIGTERM or SIGINT (blocked beforehand, see above).
void WaitForTerminationSignal();

}  // namespace maillage

#endif  // MAILLAGE_COMMON_SERVER_SERVER_H_
