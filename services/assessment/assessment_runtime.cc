#include "services/assessment/assessment_runtime.h"

#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/events/consumer.h"
#include "common/pg/idempotency.h"
#include "maillage/membership/v1/events.pb.h"
#include "services/assessment/assessment_service.h"
#include "services/assessment/assessment_store.h"
#include "services/assessment/campaign_store.h"
#include "services/assessment/diagnostic_store.h"
#include "services/assessment/domain/catalogue.h"
#include "services/assessment/domain/diagnostic.h"
#include "services/assessment/member_directory.h"
#include "services/assessment/network_analysis.h"

namespace maillage::assessment {

// maillage_service(... MIGRATIONS ...) embeds them (cmake/Service.cmake).
const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedFiles();
namespace data {
// The files of data/ (CMakeLists.txt: maillage_embed_files).
const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedFiles();
}  // namespace data

namespace {

// A data file's text: `file` when set (the setting `setting`), else `embedded` compiled in.
absl::StatusOr<std::string> DataText(const std::string& file, std::string_view embedded,
                                     const std::string& setting) {
  if (file.empty()) {
    for (const auto& [name, text] : data::EmbeddedFiles()) {
      if (name == embedded) return std::string(text);
    }
    return absl::InternalError(absl::StrCat(std::string(embedded), " is not compiled in"));
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(setting, ": cannot read ", file));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

ServiceDefinition Definition() {
  std::vector<pg::Migration> migrations = pg::MigrationsFromEmbedded(EmbeddedFiles());
  // What the membership consumer needs to apply each event once.
  for (pg::Migration& m : events::ProcessedEventsMigrations()) migrations.push_back(std::move(m));
  migrations.push_back({"902_idempotency_keys.sql", std::string(pg::IdempotencySchemaSql())});
  return {.name = "assessment",
          .migrations = std::move(migrations),
          .health_service_names = {"maillage.assessment.v1.AssessmentService"},
          .relay = {.stream = "maillage.assessment.events"},
          .follow_changes = nullptr,
          // Analyses change on membership's events, which one replica consumes: what it
          // invalidates is announced to the near caches of the others.
          .cache_invalidations_stream = "maillage.assessment.cache",
          .retention_rules = {events::ProcessedEventsRetentionRule()},
          .idempotency_keys = true};
}

absl::StatusOr<ServiceList> Build(ServiceRuntime& rt, Built* built) {
  const std::string file = rt.config().String("CATALOGUE_FILE", "");
  absl::StatusOr<std::string> text =
      DataText(file, "support_functions.csv", "MAILLAGE_CATALOGUE_FILE");
  if (!text.ok()) return text.status();
  absl::StatusOr<std::vector<v1::SupportFunction>> catalogue = ParseCatalogue(*text);
  if (!catalogue.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("the support-function catalogue ",
                                                   file.empty() ? "(compiled in)" : file, ": ",
                                                   catalogue.status().message()));
  }
  const std::string template_file = rt.config().String("DIAGNOSTIC_TEMPLATE_FILE", "");
  absl::StatusOr<std::string> template_text =
      DataText(template_file, "diagnostic_360.json", "MAILLAGE_DIAGNOSTIC_TEMPLATE_FILE");
  if (!template_text.ok()) return template_text.status();
  absl::StatusOr<v1::DiagnosticTemplate> default_template = ParseTemplate(*template_text);
  if (!default_template.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the default diagnostic questionnaire ",
                     template_file.empty() ? "(compiled in)" : template_file, ": ",
                     default_template.status().message()));
  }
  auto* store = rt.Keep(std::make_unique<AssessmentStore>(rt.pg(), *std::move(catalogue)));
  auto* diagnostics =
      rt.Keep(std::make_unique<DiagnosticStore>(rt.pg(), rt.clock(), *std::move(default_template)));
  auto* campaigns = rt.Keep(std::make_unique<CampaignStore>(rt.pg(), rt.clock(), rt.cache()));
  auto* members = rt.Keep(std::make_unique<MemberDirectory>(rt.pg()));
  auto* analysis = rt.Keep(std::make_unique<NetworkAnalysis>(NetworkAnalysis::Sources{
      .campaigns = campaigns, .functions = store, .members = members, .cache = rt.cache()}));
  // Campaign participants follow membership's events; an analysis counting a member who
  // came or went is recomputed.
  rt.AddConsumer(
      {.stream = rt.config().String("MEMBERSHIP_EVENTS_STREAM", "maillage.membership.events"),
       .group = kMembershipConsumerGroup,
       .consumer = events::ReplicaConsumerName("assessment"),
       .metrics = rt.metrics()},
      [members, analysis](const events::Event& e) -> absl::Status {
        membership::v1::MembershipEvent event;
        if (!event.ParseFromString(e.payload)) {
          return absl::InvalidArgumentError(
              "payload: not a maillage.membership.v1.MembershipEvent");
        }
        if (event.event_id().empty()) event.set_event_id(e.event_id);
        if (absl::Status s = members->Apply(event); !s.ok()) return s;
        if (event.has_membership_changed()) {
          analysis->InvalidateNetwork(event.membership_changed().membership().network_id());
        }
        return absl::OkStatus();
      });
  auto* service = rt.Keep(std::make_unique<AssessmentService>(
      AssessmentService::Dependencies{.store = store,
                                      .campaigns = campaigns,
                                      .members = members,
                                      .analysis = analysis,
                                      .diagnostics = diagnostics,
                                      .workers = rt.workers(),
                                      .page_tokens = rt.page_tokens(),
                                      .verifier = rt.verifier(),
                                      .clock = rt.clock(),
                                      .on_change = rt.wake_relay()}));
  if (built != nullptr) {
    *built = {.store = store,
              .campaigns = campaigns,
              .members = members,
              .analysis = analysis,
              .diagnostics = diagnostics,
              .service = service};
  }
  return ServiceList{service};
}

}  // namespace maillage::assessment
