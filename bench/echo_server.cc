// The baseline of bench/run-grpc-bench: maillage.testing.v1.EchoService, served exactly the way
// a Maillage service is (common/server: health, reflection, the metrics interceptor, a
// CallbackService whose handler hands the call to the WorkerPool through RunUnary), so that
// the difference between this server and a real one is the work its handlers do.
//
//   MAILLAGE_GRPC_ADDRESS=127.0.0.1:50051 MAILLAGE_WORKERS=8 bench_echo_server
//   bench_echo_server --grpc-address=127.0.0.1:50051 --metrics-address= --workers=8
//
// Settings (environment MAILLAGE_<NAME> or flag --<name>): GRPC_ADDRESS, METRICS_ADDRESS
// (empty: none), WORKERS, QUEUE_CAPACITY, LOG_LEVEL, DRAIN_SECONDS. SIGTERM or SIGINT drains
// and stops it.
#include <chrono>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/config/config.h"
#include "common/log/log.h"
#include "common/server/server.h"
#include "common/server/unary.h"
#include "common/server/worker_pool.h"
#include "maillage/testing/v1/echo.grpc.pb.h"

namespace {

using namespace maillage;  // NOLINT: main wires several of them
using ::maillage::testing::v1::EchoRequest;
using ::maillage::testing::v1::EchoResponse;
using ::maillage::testing::v1::EchoService;

class EchoHandler final : public EchoService::CallbackService {
 public:
  explicit EchoHandler(WorkerPool* pool) : pool_(pool) {}

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const EchoRequest* req,
                                 EchoResponse* resp) override {
    return RunUnary(ctx, *pool_, [req, resp]() -> absl::Status {
      if (req->sleep_ms() > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(req->sleep_ms()));
      }
      resp->set_message(req->message());
      return absl::OkStatus();
    });
  }

 private:
  WorkerPool* pool_;
};

struct Config {
  std::string grpc_address;
  std::string metrics_address;
  int workers;
  int queue_capacity;
  int drain_seconds;
};

absl::StatusOr<Config> LoadConfig(int argc, char** argv) {
  ConfigReader r(argc, argv);
  Config c{
      .grpc_address = r.String("GRPC_ADDRESS", "127.0.0.1:50051"),
      .metrics_address = r.String("METRICS_ADDRESS", ""),
      .workers = r.Int("WORKERS", 8, 1, 256),
      .queue_capacity = r.Int("QUEUE_CAPACITY", 256, 1, 100000),
      .drain_seconds = r.Int("DRAIN_SECONDS", 5, 0, 600),
  };
  if (absl::Status s = log::Init("bench-echo", r.String("LOG_LEVEL", "info")); !s.ok()) {
    r.AddError(absl::StrCat("MAILLAGE_LOG_LEVEL: ", s.message()));
  }
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  return c;
}

int Run(int argc, char** argv) {
  BlockTerminationSignals();
  // As in the services' main(): Debian's Abseil has mutex deadlock detection on.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  absl::StatusOr<Config> config = LoadConfig(argc, argv);
  if (!config.ok()) {
    std::cerr << "bench_echo_server: " << config.status().message() << "\n";
    return 2;
  }
  WorkerPool workers(config->workers, config->queue_capacity);
  EchoHandler service(&workers);
  auto server = Server::Start({.grpc_address = config->grpc_address,
                               .metrics_address = config->metrics_address,
                               .health_service_names = {"maillage.testing.v1.EchoService"},
                               .worker_pools = {&workers}},
                              {&service});
  if (!server.ok()) {
    log::Error("cannot start", {{"error", server.status().ToString()}});
    return 1;
  }
  WaitForTerminationSignal();
  (*server)->Shutdown(absl::Seconds(config->drain_seconds));
  workers.Shutdown();
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
