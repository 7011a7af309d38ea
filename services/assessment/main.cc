// The assessment service process. Configuration, pools, migrations, relay, server and the
// ordered shutdown are the runtime's (common/runtime); what is assessment's own is in
// assessment_runtime.cc.
#include "common/runtime/runtime.h"
#include "services/assessment/assessment_runtime.h"

int main(int argc, char** argv) {
  maillage::ServiceRuntime runtime(maillage::assessment::Definition(), argc, argv);
  return runtime.Run([](maillage::ServiceRuntime& rt) { return maillage::assessment::Build(rt); });
}
