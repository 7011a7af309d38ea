// The matching service process. Configuration, pools, migrations, relay, server and the
// ordered shutdown are the runtime's (common/runtime); what is matching's own is in
// matching_runtime.cc.
#include "common/runtime/runtime.h"
#include "services/matching/matching_runtime.h"

int main(int argc, char** argv) {
  maillage::ServiceRuntime runtime(maillage::matching::Definition(), argc, argv);
  return runtime.Run([](maillage::ServiceRuntime& rt) { return maillage::matching::Build(rt); });
}
