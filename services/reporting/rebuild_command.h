// services/reporting/rebuild_command: `reporting rebuild`, the command that fills reporting's
// read models from the other services' list APIs (read_model_rebuild.h).
//
//   reporting rebuild --pg-uri=postgresql://... --auth-hmac-key=...
//       --membership-address=membership:50051 --matching-address=matching:50051
//       --assessment-address=assessment:50051         (one command line)
//
// The settings are the service's (flags or MAILLAGE_* variables); it applies the migrations
// first, so an empty database works. One line per network on stderr, a summary at the end.
// Exit code: 0 done, 1 failed (the status says why), 2 bad configuration.
#ifndef MAILLAGE_SERVICES_REPORTING_REBUILD_COMMAND_H_
#define MAILLAGE_SERVICES_REPORTING_REBUILD_COMMAND_H_

namespace maillage::reporting {

// argv[0] is the command's name ("rebuild"); the flags follow.
int RunRebuildCommand(int argc, const char* const* argv);

}  // namespace maillage::reporting

#endif  // MAILLAGE_SERVICES_REPORTING_REBUILD_COMMAND_H_
