// The reporting service process. Configuration, pools, migrations, consumers, server and the
// ordered shutdown are the runtime's (common/runtime); what is reporting's own is in
// reporting_runtime.cc.
#include "common/runtime/runtime.h"
#include "services/reporting/reporting_runtime.h"

int main(int argc, char** argv) {
  maillage::ServiceRuntime runtime(maillage::reporting::Definition(), argc, argv);
  return runtime.Run([](maillage::ServiceRuntime& rt) { return maillage::reporting::Build(rt); });
}
