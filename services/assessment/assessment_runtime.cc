#include "services/assessment/assessment_runtime.h"

#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "services/assessment/assessment_service.h"
#include "services/assessment/assessment_store.h"
#include "services/assessment/domain/catalogue.h"

namespace maillage::assessment {

// maillage_service(... MIGRATIONS ...) embeds them (cmake/Service.cmake).
const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedFiles();
namespace data {
// The files of data/ (CMakeLists.txt: maillage_embed_files).
const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedFiles();
}  // namespace data

namespace {

// The catalogue file's text: CATALOGUE_FILE when set, else the one compiled in.
absl::StatusOr<std::string> CatalogueText(const std::string& file) {
  if (file.empty()) {
    for (const auto& [name, text] : data::EmbeddedFiles()) {
      if (name == "support_functions.csv") return std::string(text);
    }
    return absl::InternalError("the default catalogue is not compiled in");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return absl::InvalidArgumentError(absl::StrCat("MAILLAGE_CATALOGUE_FILE: cannot read ", file));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

ServiceDefinition Definition() {
  return {.name = "assessment",
          .migrations = pg::MigrationsFromEmbedded(EmbeddedFiles()),
          .health_service_names = {"maillage.assessment.v1.AssessmentService"},
          .relay = {.stream = "maillage.assessment.events"},
          .follow_changes = nullptr,
          .retention_rules = {},
          .idempotency_keys = false};
}

absl::StatusOr<ServiceList> Build(ServiceRuntime& rt, Built* built) {
  const std::string file = rt.config().String("CATALOGUE_FILE", "");
  absl::StatusOr<std::string> text = CatalogueText(file);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::vector<v1::SupportFunction>> catalogue = ParseCatalogue(*text);
  if (!catalogue.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("the support-function catalogue ",
                                                   file.empty() ? "(compiled in)" : file, ": ",
                                                   catalogue.status().message()));
  }
  auto* store = rt.Keep(std::make_unique<AssessmentStore>(rt.pg(), *std::move(catalogue)));
  auto* service = rt.Keep(std::make_unique<AssessmentService>(
      AssessmentService::Dependencies{.store = store,
                                      .workers = rt.workers(),
                                      .verifier = rt.verifier(),
                                      .clock = rt.clock(),
                                      .on_change = rt.wake_relay()}));
  if (built != nullptr) *built = {.store = store, .service = service};
  return ServiceList{service};
}

}  // namespace maillage::assessment
