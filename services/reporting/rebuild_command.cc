#include "services/reporting/rebuild_command.h"

#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/auth/auth.h"
#include "common/client/client.h"
#include "common/config/config.h"
#include "common/pg/pg.h"
#include "services/reporting/read_model_rebuild.h"
#include "services/reporting/reporting_runtime.h"
#include "services/reporting/reporting_store.h"

namespace maillage::reporting {

int RunRebuildCommand(int argc, const char* const* argv) {
  ConfigReader config(argc, argv);
  const std::string pg_uri = config.Required("PG_URI");
  const std::string key = config.Required("AUTH_HMAC_KEY");
  const std::string audience = config.String("AUTH_AUDIENCE", auth::kDefaultAudience);
  const std::string addresses[] = {config.Required("MEMBERSHIP_ADDRESS"),
                                   config.Required("MATCHING_ADDRESS"),
                                   config.Required("ASSESSMENT_ADDRESS")};
  const int deadline_seconds = config.Int("REBUILD_CALL_DEADLINE_SECONDS", 60, 1, 3600);
  std::vector<ServiceClient> clients;
  for (const std::string& address : addresses) {
    if (address.empty()) break;  // reported by Finish()
    absl::StatusOr<ServiceClient> client =
        ServiceClient::Create({.address = address,
                               .deadline = absl::Seconds(deadline_seconds),
                               .hmac_key = key,
                               .audience = audience});
    if (!client.ok()) {
      config.AddError(std::string(client.status().message()));
      break;
    }
    clients.push_back(*std::move(client));
  }
  if (absl::Status s = config.Finish(); !s.ok()) {
    std::cerr << "reporting rebuild: " << s.message() << "\n";
    return 2;
  }
  absl::StatusOr<std::unique_ptr<pg::PgPool>> pool = pg::PgPool::Create({.uri = pg_uri, .size = 2});
  if (!pool.ok()) {
    std::cerr << "reporting rebuild: MAILLAGE_PG_URI: " << pool.status().message() << "\n";
    return 2;
  }
  if (absl::Status s = pg::ApplyMigrations(**pool, "reporting", Definition().migrations); !s.ok()) {
    std::cerr << "reporting rebuild: migrations: " << s.message() << "\n";
    return 1;
  }
  ReportingStore store(pool->get());
  ReadModelRebuild rebuild({.store = &store,
                            .membership = &clients[0],
                            .matching = &clients[1],
                            .assessment = &clients[2]});
  const absl::Time start = absl::Now();
  absl::StatusOr<RebuildCounts> counts = rebuild.Run(
      [](const std::string& line) { std::cerr << "reporting rebuild: " << line << "\n"; });
  if (!counts.ok()) {
    std::cerr << "reporting rebuild: failed: " << counts.status() << "\n";
    return 1;
  }
  std::cerr << "reporting rebuild: done in " << absl::FormatDuration(absl::Now() - start) << ": "
            << counts->networks << " networks, " << counts->memberships << " memberships, "
            << counts->organisations << " organisations, " << counts->introductions
            << " introductions, " << counts->submissions << " submissions, " << counts->decisions
            << " pooling decisions\n";
  return 0;
}

}  // namespace maillage::reporting
