// services/assessment/campaign_store: the PostgreSQL state of step 1 and step 2 of the
// assessment: campaigns, each company's assessment (its draft and every submission), the
// network's pooling settings and its decisions. Each change commits with its event in the
// outbox (maillage.assessment.events).
//
//   CampaignStore store(pg_pool, absl::Now);
//   absl::StatusOr<v1::Campaign> c = store.CreateCampaign(draft, actor, idempotency_key);
//   absl::StatusOr<v1::Assessment> a = store.Submit(c->campaign_id(), org, answered, 0, actor);
//   absl::StatusOr<std::vector<AnswerRow>> rows = store.CountedAnswers(c->campaign_id());
//
// The caller validates content (codes, levels, texts) and decides dispositions; the store
// enforces what needs the database: the campaign open at commit time (FAILED_PRECONDITION
// otherwise), the assessment's version (ABORTED when it moved), the bounds below.
// Errors: NOT_FOUND for an unknown campaign or revision, UNAVAILABLE when PostgreSQL cannot
// be reached.
#ifndef MAILLAGE_SERVICES_ASSESSMENT_CAMPAIGN_STORE_H_
#define MAILLAGE_SERVICES_ASSESSMENT_CAMPAIGN_STORE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "maillage/assessment/v1/assessment.pb.h"

namespace maillage::pg {
class PgPool;
}  // namespace maillage::pg
namespace maillage::redis {
class BytesCache;
}  // namespace maillage::redis
namespace maillage {
struct PageQuery;
}  // namespace maillage

namespace maillage::assessment {

// Bounds that keep one company's or one network's state small, whoever writes it.
inline constexpr int kMaxRevisions = 100;     // submissions per company and campaign
inline constexpr int kMaxOpenCampaigns = 50;  // open at once in a network
inline constexpr int kMaxDecisionParticipants = 1000;

// One company's counted answer for one function (its last submission).
struct AnswerRow {
  std::string organisation_id;
  v1::FunctionAnswer answer;
};

// One company's place in a campaign, for its progress.
struct AssessmentSummary {
  std::string organisation_id;
  int revision = 0;
  bool has_draft = false;
  absl::Time update_time;
};

class CampaignStore {
 public:
  // Campaigns are read by every campaign-keyed call (twice: its authorisation and its
  // handler) and change only when closed, so they are read through `cache` (optional: the
  // runtime's near cache, whose invalidations reach every replica, in front of Redis).
  // Writes check the state in PostgreSQL.
  CampaignStore(pg::PgPool* pool, std::function<absl::Time()> clock,
                redis::BytesCache* cache = nullptr);

  // `draft` is complete and valid (network, title, times, functions, matrix version).
  absl::StatusOr<v1::Campaign> CreateCampaign(v1::Campaign draft, const std::string& actor,
                                              const std::string& idempotency_key);
  // With its state as of now.
  absl::StatusOr<v1::Campaign> Campaign(const std::string& campaign_id);
  // Newest first; `next_after` receives the sort key of the last row when more follow.
  absl::StatusOr<std::vector<v1::Campaign>> ListCampaigns(const std::string& network_id,
                                                          const PageQuery& page,
                                                          std::vector<std::string>* next_after);
  // Every campaign of the network (for cache invalidation).
  absl::StatusOr<std::vector<std::string>> CampaignIds(const std::string& network_id);
  absl::StatusOr<v1::Campaign> CloseCampaign(const std::string& campaign_id,
                                             const std::string& actor);

  // The assessment as it stands; NOT_STARTED (no answers) when nothing was saved.
  absl::StatusOr<v1::Assessment> Assessment(const v1::Campaign& campaign,
                                            const std::string& organisation_id);
  // The `revision`-th submission.
  absl::StatusOr<v1::Assessment> Submission(const v1::Campaign& campaign,
                                            const std::string& organisation_id, int revision);
  // `answered.answers()` and `.cells()` as they will be read back.
  absl::StatusOr<v1::Assessment> SaveDraft(const v1::Campaign& campaign,
                                           const std::string& organisation_id,
                                           const v1::Assessment& answered, int64_t expected_version,
                                           const std::string& actor);
  // Every answer needs its disposition. Publishes assessment_submitted.
  absl::StatusOr<v1::Assessment> Submit(const v1::Campaign& campaign,
                                        const std::string& organisation_id,
                                        const v1::Assessment& answered, int64_t expected_version,
                                        const std::string& actor);
  // Submissions of several companies made by `actor` (an animator's import), in one
  // transaction: all or none. Versions are not checked.
  absl::Status SubmitAll(const v1::Campaign& campaign,
                         const std::vector<std::pair<std::string, v1::Assessment>>& submissions,
                         const std::string& actor);
  absl::StatusOr<std::vector<AssessmentSummary>> Summaries(const std::string& campaign_id);
  // The last submission (answers and revision) of each of `organisation_ids` that has one.
  absl::StatusOr<absl::flat_hash_map<std::string, v1::Assessment>> LastSubmissions(
      const std::string& campaign_id, const std::vector<std::string>& organisation_ids);

  // The last submission of each company, one row per function, in no order (the analysis
  // keeps the companies that are active members now). Comments are not included.
  absl::StatusOr<std::vector<AnswerRow>> CountedAnswers(const std::string& campaign_id);

  // The network's thresholds as saved (all 0: the defaults).
  absl::StatusOr<v1::PoolingThresholds> Thresholds(const std::string& network_id);
  absl::StatusOr<v1::PoolingThresholds> SetThresholds(const std::string& network_id,
                                                      const v1::PoolingThresholds& thresholds,
                                                      const std::string& actor);

  // Replaces the decision for the function; publishes decision_recorded.
  absl::StatusOr<v1::PoolingDecision> RecordDecision(v1::PoolingDecision decision,
                                                     const std::string& actor);
  absl::StatusOr<std::vector<v1::PoolingDecision>> Decisions(const std::string& campaign_id);

 private:
  absl::StatusOr<v1::Assessment> Write(const v1::Campaign& campaign,
                                       const std::string& organisation_id,
                                       const v1::Assessment& answered, int64_t expected_version,
                                       const std::string& actor, bool submit);

  pg::PgPool* pool_;
  std::function<absl::Time()> clock_;
  redis::BytesCache* cache_;
};

// The campaign's state at `now`: CLOSED once closed by an animator or past its end time.
v1::CampaignState StateAt(const v1::Campaign& campaign, absl::Time now);

}  // namespace maillage::assessment

#endif  // MAILLAGE_SERVICES_ASSESSMENT_CAMPAIGN_STORE_H_
