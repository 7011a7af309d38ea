// The membership service process. Configuration, pools, migrations, relay, near cache,
// server and the ordered shutdown are the runtime's (common/runtime); what is membership's
// own is in membership_runtime.cc.
#include "common/runtime/runtime.h"
#include "services/membership/membership_runtime.h"

int main(int argc, char** argv) {
  maillage::ServiceRuntime runtime(maillage::membership::Definition(), argc, argv);
  return runtime.Run([](maillage::ServiceRuntime& rt) { return maillage::membership::Build(rt); });
}
