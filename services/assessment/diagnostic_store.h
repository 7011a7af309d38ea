// services/assessment/diagnostic_store: the PostgreSQL state of the 360° diagnostic: the
// networks' own questionnaires (every version), diagnostic campaigns (each freezing the
// questionnaire version it uses) and each company's diagnostic (answers, obstacles, scores,
// action plan). Changes commit with their event in the outbox.
//
//   DiagnosticStore store(pg_pool, absl::Now, default_template);
//   absl::StatusOr<v1::DiagnosticTemplate> t = store.Template(network_id, "default", 0);
//   absl::StatusOr<DiagnosticCampaignRecord> c = store.Campaign(campaign_id);
//   store.Submit(c->campaign, organisation_id, diagnostic, expected_version, actor);
//
// The caller validates content (answers against the template, texts) and computes scores.
// Errors: NOT_FOUND (template, version, campaign), ABORTED (a version moved),
// FAILED_PRECONDITION (campaign closed; bounds), UNAVAILABLE (PostgreSQL).
#ifndef MAILLAGE_SERVICES_ASSESSMENT_DIAGNOSTIC_STORE_H_
#define MAILLAGE_SERVICES_ASSESSMENT_DIAGNOSTIC_STORE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "maillage/assessment/v1/assessment.pb.h"

namespace maillage::pg {
class PgPool;
}  // namespace maillage::pg
namespace maillage {
struct PageQuery;
}  // namespace maillage

namespace maillage::assessment {

inline constexpr char kDefaultTemplateId[] = "default";
inline constexpr int kMaxNetworkTemplates = 50;
inline constexpr int kMaxTemplateVersions = 1000;

struct DiagnosticCampaignRecord {
  v1::DiagnosticCampaign campaign;   // its state as of now
  v1::DiagnosticTemplate template_;  // the version it uses
};

class DiagnosticStore {
 public:
  // `default_template` gets template_id "default" and version 1.
  DiagnosticStore(pg::PgPool* pool, std::function<absl::Time()> clock,
                  v1::DiagnosticTemplate default_template);

  // The default one, then the network's own at their latest version, by title.
  absl::StatusOr<std::vector<v1::DiagnosticTemplate>> Templates(const std::string& network_id);
  // `version` 0: the latest.
  absl::StatusOr<v1::DiagnosticTemplate> Template(const std::string& network_id,
                                                  const std::string& template_id, int version);
  // A new questionnaire (template_id empty) or the version after `expected_version`.
  absl::StatusOr<v1::DiagnosticTemplate> SaveTemplate(const std::string& network_id,
                                                      v1::DiagnosticTemplate t,
                                                      int expected_version,
                                                      const std::string& actor);

  absl::StatusOr<v1::DiagnosticCampaign> CreateCampaign(v1::DiagnosticCampaign draft,
                                                        const v1::DiagnosticTemplate& t,
                                                        const std::string& actor,
                                                        const std::string& idempotency_key);
  absl::StatusOr<DiagnosticCampaignRecord> Campaign(const std::string& campaign_id);
  absl::StatusOr<std::vector<v1::DiagnosticCampaign>> ListCampaigns(
      const std::string& network_id, const PageQuery& page, std::vector<std::string>* next_after);

  // The company's diagnostic as stored (submitted false, version 0 when there is none).
  absl::StatusOr<v1::CompanyDiagnostic> Diagnostic(const std::string& campaign_id,
                                                   const std::string& organisation_id);
  // Every submitted diagnostic of the campaign.
  absl::StatusOr<std::vector<v1::CompanyDiagnostic>> Submitted(const std::string& campaign_id);
  // Replaces answers, obstacles and scores of `diagnostic` (while the campaign is open), or
  // only the plan (`plan_only`, whenever); publishes diagnostic_submitted for a submission.
  absl::StatusOr<v1::CompanyDiagnostic> Write(const v1::DiagnosticCampaign& campaign,
                                              const std::string& organisation_id,
                                              const v1::CompanyDiagnostic& diagnostic,
                                              int64_t expected_version, const std::string& actor,
                                              bool plan_only);

 private:
  pg::PgPool* pool_;
  std::function<absl::Time()> clock_;
  v1::DiagnosticTemplate default_;
};

}  // namespace maillage::assessment

#endif  // MAILLAGE_SERVICES_ASSESSMENT_DIAGNOSTIC_STORE_H_
