// The gateway process: the REST/JSON front door of every Maillage service. Configuration,
// metrics, health and the ordered shutdown are the runtime's (common/runtime); what is the
// gateway's own is in gateway_runtime.cc.
#include "common/runtime/runtime.h"
#include "gateway/gateway_runtime.h"

int main(int argc, char** argv) {
  maillage::ServiceRuntime runtime(maillage::gateway::Definition(), argc, argv);
  const maillage::gateway::GatewaySettings settings =
      maillage::gateway::ReadSettings(runtime.config());
  return runtime.Run(
      [&](maillage::ServiceRuntime& rt) { return maillage::gateway::Build(rt, settings); });
}
