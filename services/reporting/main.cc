// The reporting service process. Configuration, pools, migrations, consumers, server and the
// ordered shutdown are the runtime's (common/runtime); what is reporting's own is in
// reporting_runtime.cc. `reporting rebuild ...` runs the rebuild command instead
// (rebuild_command.h).
#include <string_view>

#include "common/runtime/runtime.h"
#include "services/reporting/rebuild_command.h"
#include "services/reporting/reporting_runtime.h"

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "rebuild") {
    return maillage::reporting::RunRebuildCommand(argc - 1, argv + 1);
  }
  maillage::ServiceRuntime runtime(maillage::reporting::Definition(), argc, argv);
  return runtime.Run([](maillage::ServiceRuntime& rt) { return maillage::reporting::Build(rt); });
}
