#include "services/assessment/campaign_store.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/paging/paging.h"
#include "common/pg/idempotency.h"
#include "common/pg/pg.h"
#include "common/redis/cache.h"
#include "common/status/status.h"
#include "services/assessment/domain/matrix.h"
#include "services/assessment/store_support.h"

namespace maillage::assessment {
namespace {

constexpr char kCampaignKind[] = "campaign";

using store::Bytes;
using store::ParseColumn;
using store::Publish;
using store::SetTimestamp;
using store::TimeOf;
using store::TimeParam;

absl::StatusOr<v1::Campaign> LoadCampaign(pqxx::work& tx, const std::string& campaign_id,
                                          absl::Time now, bool lock) {
  pqxx::result rows =
      tx.exec_params(absl::StrCat("SELECT campaign FROM campaigns WHERE campaign_id = $1::uuid",
                                  lock ? " FOR UPDATE" : ""),
                     campaign_id);
  if (rows.empty()) return absl::NotFoundError("campaign not found");
  v1::Campaign c;
  MAILLAGE_RETURN_IF_ERROR(ParseColumn(rows[0][0], &c));
  c.set_state(StateAt(c, now));
  return c;
}

// The assessment row as an Assessment (NOT_STARTED when there is none).
absl::StatusOr<v1::Assessment> LoadAssessment(pqxx::work& tx, const v1::Campaign& campaign,
                                              const std::string& organisation_id, bool lock) {
  v1::Assessment a;
  pqxx::result rows = tx.exec_params(
      absl::StrCat("SELECT draft, revision, has_draft, version, updated_by, "
                   "(extract(epoch FROM update_time) * 1000000)::bigint, "
                   "(extract(epoch FROM submit_time) * 1000000)::bigint "
                   "FROM assessments WHERE campaign_id = $1::uuid AND organisation_id = $2::uuid",
                   lock ? " FOR UPDATE" : ""),
      campaign.campaign_id(), organisation_id);
  if (!rows.empty()) {
    const pqxx::row& r = rows[0];
    MAILLAGE_RETURN_IF_ERROR(ParseColumn(r[0], &a));
    a.set_revision(r[1].as<int>());
    a.set_has_draft(r[2].as<bool>());
    a.set_version(r[3].as<int64_t>());
    a.set_updated_by(r[4].as<std::string>());
    SetTimestamp(a.mutable_update_time(), absl::FromUnixMicros(r[5].as<int64_t>()));
    if (!r[6].is_null())
      SetTimestamp(a.mutable_submit_time(), absl::FromUnixMicros(r[6].as<int64_t>()));
  }
  a.set_campaign_id(campaign.campaign_id());
  a.set_organisation_id(organisation_id);
  a.set_network_id(campaign.network_id());
  a.set_state(rows.empty()        ? v1::ASSESSMENT_STATE_NOT_STARTED
              : a.revision() == 0 ? v1::ASSESSMENT_STATE_DRAFT
                                  : v1::ASSESSMENT_STATE_SUBMITTED);
  return a;
}

// FAILED_PRECONDITION unless the campaign takes answers at `now`.
absl::Status CheckTakesAnswers(const v1::Campaign& c, absl::Time now) {
  if (c.state() != v1::CAMPAIGN_STATE_OPEN) {
    return absl::FailedPreconditionError(
        "campaign_id: the campaign is closed; answers are read-only");
  }
  if (now < TimeOf(c.start_time())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "campaign_id: the campaign opens at ",
        absl::FormatTime("%Y-%m-%d %H:%M UTC", TimeOf(c.start_time()), absl::UTCTimeZone())));
  }
  return absl::OkStatus();
}

}  // namespace

v1::CampaignState StateAt(const v1::Campaign& campaign, absl::Time now) {
  if (campaign.has_close_time() || now >= TimeOf(campaign.end_time())) {
    return v1::CAMPAIGN_STATE_CLOSED;
  }
  return v1::CAMPAIGN_STATE_OPEN;
}

CampaignStore::CampaignStore(pg::PgPool* pool, std::function<absl::Time()> clock,
                             redis::BytesCache* cache)
    : pool_(pool), clock_(std::move(clock)), cache_(cache) {}

absl::StatusOr<v1::Campaign> CampaignStore::CreateCampaign(v1::Campaign draft,
                                                           const std::string& actor,
                                                           const std::string& idempotency_key) {
  const absl::Time now = clock_();
  v1::Campaign out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    const std::string scope = absl::StrCat("CreateCampaign/", draft.network_id(), "/", actor);
    MAILLAGE_ASSIGN_OR_RETURN(
        std::string earlier,
        pg::ReserveIdempotencyKey(tx, scope, idempotency_key,
                                  pg::RequestHash({draft.SerializeAsString()})));
    if (!earlier.empty()) {
      MAILLAGE_ASSIGN_OR_RETURN(out, LoadCampaign(tx, earlier, now, /*lock=*/false));
      return absl::OkStatus();
    }
    // The count and the insert as one step per network.
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('campaigns:' || $1))",
                   draft.network_id());
    const int open = tx.exec_params(
                           "SELECT count(*) FROM campaigns WHERE network_id = $1::uuid "
                           "AND closed_time IS NULL AND end_time > $2::timestamptz",
                           draft.network_id(), TimeParam(now))[0][0]
                         .as<int>();
    if (open >= kMaxOpenCampaigns) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the network already has ", open, " open campaigns, the most it may; close one first"));
    }
    out = draft;
    out.set_campaign_id(events::NewEventId());
    out.set_created_by(actor);
    SetTimestamp(out.mutable_create_time(), now);
    out.clear_close_time();
    out.clear_state();
    tx.exec_params(
        "INSERT INTO campaigns (campaign_id, network_id, campaign, start_time, end_time, "
        "create_time) VALUES ($1::uuid, $2::uuid, $3, $4::timestamptz, $5::timestamptz, "
        "$6::timestamptz)",
        out.campaign_id(), out.network_id(), Bytes(out.SerializeAsString()),
        TimeParam(TimeOf(out.start_time())), TimeParam(TimeOf(out.end_time())), TimeParam(now));
    pg::RecordIdempotencyKey(tx, scope, idempotency_key, out.campaign_id());
    out.set_state(StateAt(out, now));
    v1::AssessmentEvent e;
    e.set_actor(actor);
    e.set_network_id(out.network_id());
    *e.mutable_campaign_opened() = out;
    return Publish(tx, std::move(e), "assessment.CampaignOpened", now);
  }));
  return out;
}

absl::StatusOr<v1::Campaign> CampaignStore::Campaign(const std::string& campaign_id) {
  const absl::Time now = clock_();
  absl::StatusOr<std::shared_ptr<const v1::Campaign>> stored = redis::GetMessage<v1::Campaign>(
      cache_, kCampaignKind, campaign_id, [&]() -> absl::StatusOr<std::string> {
        std::string bytes;
        MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
          pqxx::result rows = tx.exec_params(
              "SELECT campaign FROM campaigns WHERE campaign_id = $1::uuid", campaign_id);
          if (rows.empty()) return absl::NotFoundError("campaign not found");
          bytes = pqxx::binarystring(rows[0][0]).str();
          return absl::OkStatus();
        }));
        return bytes;
      });
  if (!stored.ok()) return stored.status();
  v1::Campaign out = **stored;
  out.set_state(StateAt(out, now));  // the time passes, the cached bytes do not
  return out;
}

absl::StatusOr<std::vector<v1::Campaign>> CampaignStore::ListCampaigns(
    const std::string& network_id, const PageQuery& page, std::vector<std::string>* next_after) {
  std::vector<v1::Campaign> out;
  const absl::Time now = clock_();
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    out.clear();
    next_after->clear();
    const bool first = page.after.size() != 2;
    pqxx::result rows =
        first ? tx.exec_params(
                    "SELECT campaign, create_time::text, campaign_id::text FROM campaigns "
                    "WHERE network_id = $1::uuid ORDER BY create_time DESC, campaign_id DESC "
                    "LIMIT $2",
                    network_id, page.size + 1)
              : tx.exec_params(
                    "SELECT campaign, create_time::text, campaign_id::text FROM campaigns "
                    "WHERE network_id = $1::uuid AND (create_time, campaign_id) < "
                    "($3::timestamptz, $4::uuid) ORDER BY create_time DESC, campaign_id DESC "
                    "LIMIT $2",
                    network_id, page.size + 1, page.after[0], page.after[1]);
    for (const pqxx::row& r : rows) {
      if (static_cast<int>(out.size()) == page.size) {
        const pqxx::row& last = rows[page.size - 1];
        *next_after = {last[1].as<std::string>(), last[2].as<std::string>()};
        break;
      }
      v1::Campaign c;
      MAILLAGE_RETURN_IF_ERROR(ParseColumn(r[0], &c));
      c.set_state(StateAt(c, now));
      out.push_back(std::move(c));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<std::string>> CampaignStore::CampaignIds(const std::string& network_id) {
  std::vector<std::string> out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    out.clear();
    for (const pqxx::row& r : tx.exec_params(
             "SELECT campaign_id::text FROM campaigns WHERE network_id = $1::uuid", network_id)) {
      out.push_back(r[0].as<std::string>());
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Campaign> CampaignStore::CloseCampaign(const std::string& campaign_id,
                                                          const std::string& actor) {
  const absl::Time now = clock_();
  v1::Campaign out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(out, LoadCampaign(tx, campaign_id, now, /*lock=*/true));
    if (out.has_close_time()) return absl::OkStatus();  // closed already: nothing to tell
    SetTimestamp(out.mutable_close_time(), now);
    out.clear_state();
    tx.exec_params(
        "UPDATE campaigns SET campaign = $2, closed_time = $3::timestamptz "
        "WHERE campaign_id = $1::uuid",
        campaign_id, Bytes(out.SerializeAsString()), TimeParam(now));
    out.set_state(v1::CAMPAIGN_STATE_CLOSED);
    v1::AssessmentEvent e;
    e.set_actor(actor);
    e.set_network_id(out.network_id());
    *e.mutable_campaign_closed() = out;
    return Publish(tx, std::move(e), "assessment.CampaignClosed", now);
  }));
  if (cache_ != nullptr) cache_->Invalidate(kCampaignKind, campaign_id);  // after the commit
  return out;
}

absl::StatusOr<v1::Assessment> CampaignStore::Assessment(const v1::Campaign& campaign,
                                                         const std::string& organisation_id) {
  v1::Assessment out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(out, LoadAssessment(tx, campaign, organisation_id, /*lock=*/false));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Assessment> CampaignStore::Submission(const v1::Campaign& campaign,
                                                         const std::string& organisation_id,
                                                         int revision) {
  v1::Assessment out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        "SELECT answers, submitted_by, (extract(epoch FROM submit_time) * 1000000)::bigint "
        "FROM submissions WHERE campaign_id = $1::uuid AND organisation_id = $2::uuid "
        "AND revision = $3",
        campaign.campaign_id(), organisation_id, revision);
    if (rows.empty()) {
      return absl::NotFoundError(
          absl::StrCat("revision: the assessment has no revision ", revision));
    }
    MAILLAGE_RETURN_IF_ERROR(ParseColumn(rows[0][0], &out));
    out.set_updated_by(rows[0][1].as<std::string>());
    SetTimestamp(out.mutable_submit_time(), absl::FromUnixMicros(rows[0][2].as<int64_t>()));
    *out.mutable_update_time() = out.submit_time();
    return absl::OkStatus();
  }));
  out.set_campaign_id(campaign.campaign_id());
  out.set_organisation_id(organisation_id);
  out.set_network_id(campaign.network_id());
  out.set_state(v1::ASSESSMENT_STATE_SUBMITTED);
  out.set_revision(revision);
  return out;
}

absl::StatusOr<v1::Assessment> CampaignStore::SaveDraft(const v1::Campaign& campaign,
                                                        const std::string& organisation_id,
                                                        const v1::Assessment& answered,
                                                        int64_t expected_version,
                                                        const std::string& actor) {
  return Write(campaign, organisation_id, answered, expected_version, actor, /*submit=*/false);
}

absl::StatusOr<v1::Assessment> CampaignStore::Submit(const v1::Campaign& campaign,
                                                     const std::string& organisation_id,
                                                     const v1::Assessment& answered,
                                                     int64_t expected_version,
                                                     const std::string& actor) {
  return Write(campaign, organisation_id, answered, expected_version, actor, /*submit=*/true);
}

namespace {

// One company's save or submission inside `tx`, the campaign `c` locked and taking answers.
// `expected_version` < 0: whatever the version (an animator's import).
absl::StatusOr<v1::Assessment> WriteIn(pqxx::work& tx, const v1::Campaign& c,
                                       const std::string& organisation_id,
                                       const v1::Assessment& answered, int64_t expected_version,
                                       const std::string& actor, bool submit, absl::Time now) {
  v1::Assessment stored;  // what the row keeps: the answers and their cells
  *stored.mutable_answers() = answered.answers();
  *stored.mutable_cells() = answered.cells();
  const std::string bytes = stored.SerializeAsString();
  MAILLAGE_ASSIGN_OR_RETURN(v1::Assessment current,
                            LoadAssessment(tx, c, organisation_id, /*lock=*/true));
  if (expected_version >= 0 && current.version() != expected_version) {
    return absl::AbortedError(absl::StrCat("expected_version: the assessment is at version ",
                                           current.version(), ", not ", expected_version,
                                           "; read it again"));
  }
  const int revision = current.revision() + (submit ? 1 : 0);
  if (revision > kMaxRevisions) {
    return absl::FailedPreconditionError(absl::StrCat("the assessment has been submitted ",
                                                      kMaxRevisions, " times, the most it may"));
  }
  tx.exec_params(
      "INSERT INTO assessments (campaign_id, organisation_id, draft, revision, has_draft, "
      "version, updated_by, update_time, submit_time) VALUES ($1::uuid, $2::uuid, $3, $4, $5, "
      "$6, $7, $8::timestamptz, CASE WHEN $5 THEN NULL ELSE $8::timestamptz END) "
      "ON CONFLICT (campaign_id, organisation_id) DO UPDATE SET draft = EXCLUDED.draft, "
      "revision = EXCLUDED.revision, has_draft = EXCLUDED.has_draft, "
      "version = EXCLUDED.version, updated_by = EXCLUDED.updated_by, "
      "update_time = EXCLUDED.update_time, "
      "submit_time = coalesce(EXCLUDED.submit_time, assessments.submit_time)",
      c.campaign_id(), organisation_id, Bytes(bytes), revision, !submit, current.version() + 1,
      actor, TimeParam(now));
  if (submit) {
    tx.exec_params(
        "INSERT INTO submissions (campaign_id, organisation_id, revision, answers, "
        "submitted_by, submit_time) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6::timestamptz)",
        c.campaign_id(), organisation_id, revision, Bytes(bytes), actor, TimeParam(now));
    tx.exec_params(
        "DELETE FROM counted_answers WHERE campaign_id = $1::uuid AND organisation_id = "
        "$2::uuid",
        c.campaign_id(), organisation_id);
    int to_pool = 0;
    for (const v1::FunctionAnswer& a : answered.answers()) {
      tx.exec_params(
          "INSERT INTO counted_answers (campaign_id, organisation_id, function_code, "
          "efficiency, importance, disposition, yearly_cost_eur, staff_days, willing_to_pool, "
          "agrees_to_be_named) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8, $9, $10)",
          c.campaign_id(), organisation_id, a.function_code(), static_cast<int>(a.efficiency()),
          static_cast<int>(a.importance()), static_cast<int>(a.disposition()), a.yearly_cost_eur(),
          a.staff_days_per_year(), a.willing_to_pool(), a.agrees_to_be_named());
      if (WantsToPool(a.disposition()) || a.willing_to_pool()) ++to_pool;
    }
    v1::AssessmentEvent e;
    e.set_actor(actor);
    e.set_network_id(c.network_id());
    v1::AssessmentSubmitted* s = e.mutable_assessment_submitted();
    for (const v1::FunctionAnswer& a : answered.answers()) {
      v1::FunctionDisposition* d = s->add_dispositions();
      d->set_function_code(a.function_code());
      d->set_disposition(a.disposition());
      d->set_willing_to_pool(a.willing_to_pool());
    }
    s->set_campaign_id(c.campaign_id());
    s->set_organisation_id(organisation_id);
    s->set_revision(revision);
    s->set_functions_answered(answered.answers_size());
    s->set_functions_to_pool(to_pool);
    MAILLAGE_RETURN_IF_ERROR(Publish(tx, std::move(e), "assessment.AssessmentSubmitted", now));
  }
  return LoadAssessment(tx, c, organisation_id, /*lock=*/false);
}

}  // namespace

absl::StatusOr<v1::Assessment> CampaignStore::Write(const v1::Campaign& campaign,
                                                    const std::string& organisation_id,
                                                    const v1::Assessment& answered,
                                                    int64_t expected_version,
                                                    const std::string& actor, bool submit) {
  const absl::Time now = clock_();
  v1::Assessment out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    // The campaign row is locked so that a close commits before or after, never during.
    MAILLAGE_ASSIGN_OR_RETURN(v1::Campaign c,
                              LoadCampaign(tx, campaign.campaign_id(), now, /*lock=*/true));
    MAILLAGE_RETURN_IF_ERROR(CheckTakesAnswers(c, now));
    MAILLAGE_ASSIGN_OR_RETURN(
        out, WriteIn(tx, c, organisation_id, answered, expected_version, actor, submit, now));
    return absl::OkStatus();
  }));
  return out;
}

absl::Status CampaignStore::SubmitAll(
    const v1::Campaign& campaign,
    const std::vector<std::pair<std::string, v1::Assessment>>& submissions,
    const std::string& actor) {
  const absl::Time now = clock_();
  return pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(v1::Campaign c,
                              LoadCampaign(tx, campaign.campaign_id(), now, /*lock=*/true));
    MAILLAGE_RETURN_IF_ERROR(CheckTakesAnswers(c, now));
    for (const auto& [organisation_id, answered] : submissions) {
      MAILLAGE_RETURN_IF_ERROR(WriteIn(tx, c, organisation_id, answered, /*expected_version=*/-1,
                                       actor, /*submit=*/true, now)
                                   .status());
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<absl::flat_hash_map<std::string, v1::Assessment>> CampaignStore::LastSubmissions(
    const std::string& campaign_id, const std::vector<std::string>& organisation_ids) {
  absl::flat_hash_map<std::string, v1::Assessment> out;
  if (organisation_ids.empty()) return out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    out.clear();
    std::string ids = "{";
    for (const std::string& id : organisation_ids) {
      absl::StrAppend(&ids, ids.size() > 1 ? "," : "", id);
    }
    ids += "}";
    for (const pqxx::row& r : tx.exec_params(
             "SELECT DISTINCT ON (organisation_id) organisation_id::text, revision, answers "
             "FROM submissions WHERE campaign_id = $1::uuid AND organisation_id = ANY($2::uuid[]) "
             "ORDER BY organisation_id, revision DESC",
             campaign_id, ids)) {
      v1::Assessment a;
      MAILLAGE_RETURN_IF_ERROR(ParseColumn(r[2], &a));
      a.set_revision(r[1].as<int>());
      out[r[0].as<std::string>()] = std::move(a);
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<AssessmentSummary>> CampaignStore::Summaries(
    const std::string& campaign_id) {
  std::vector<AssessmentSummary> out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    out.clear();
    for (const pqxx::row& r :
         tx.exec_params("SELECT organisation_id::text, revision, has_draft, "
                        "(extract(epoch FROM update_time) * 1000000)::bigint FROM assessments "
                        "WHERE campaign_id = $1::uuid",
                        campaign_id)) {
      out.push_back({.organisation_id = r[0].as<std::string>(),
                     .revision = r[1].as<int>(),
                     .has_draft = r[2].as<bool>(),
                     .update_time = absl::FromUnixMicros(r[3].as<int64_t>())});
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<AnswerRow>> CampaignStore::CountedAnswers(
    const std::string& campaign_id) {
  std::vector<AnswerRow> out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    out.clear();
    // No ORDER BY and no join: the analysis groups by function and filters members itself,
    // so the database does no more than a plain read of the rows.
    pqxx::result rows = tx.exec_params(
        "SELECT organisation_id, function_code, efficiency, importance, disposition, "
        "yearly_cost_eur, staff_days, willing_to_pool, agrees_to_be_named "
        "FROM counted_answers WHERE campaign_id = $1::uuid",
        campaign_id);
    out.resize(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      const pqxx::row& r = rows[i];
      AnswerRow& row = out[i];
      row.organisation_id.assign(r[0].c_str(), r[0].size());
      v1::FunctionAnswer& a = row.answer;
      a.set_function_code(r[1].c_str(), r[1].size());
      a.set_efficiency(static_cast<v1::Level>(r[2].as<int>()));
      a.set_importance(static_cast<v1::Level>(r[3].as<int>()));
      a.set_disposition(static_cast<v1::Disposition>(r[4].as<int>()));
      a.set_yearly_cost_eur(r[5].as<int64_t>());
      a.set_staff_days_per_year(r[6].as<int>());
      a.set_willing_to_pool(r[7].c_str()[0] == 't');
      a.set_agrees_to_be_named(r[8].c_str()[0] == 't');
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::PoolingThresholds> CampaignStore::Thresholds(const std::string& network_id) {
  v1::PoolingThresholds out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        "SELECT thresholds FROM pooling_settings WHERE network_id = $1::uuid", network_id);
    if (!rows.empty()) MAILLAGE_RETURN_IF_ERROR(ParseColumn(rows[0][0], &out));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::PoolingThresholds> CampaignStore::SetThresholds(
    const std::string& network_id, const v1::PoolingThresholds& thresholds,
    const std::string& actor) {
  const absl::Time now = clock_();
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    tx.exec_params(
        "INSERT INTO pooling_settings (network_id, thresholds, updated_by, update_time) "
        "VALUES ($1::uuid, $2, $3, $4::timestamptz) ON CONFLICT (network_id) DO UPDATE SET "
        "thresholds = EXCLUDED.thresholds, updated_by = EXCLUDED.updated_by, "
        "update_time = EXCLUDED.update_time",
        network_id, Bytes(thresholds.SerializeAsString()), actor, TimeParam(now));
    v1::AssessmentEvent e;
    e.set_actor(actor);
    e.set_network_id(network_id);
    *e.mutable_pooling_settings_changed() = thresholds;
    return Publish(tx, std::move(e), "assessment.PoolingSettingsChanged", now);
  }));
  return thresholds;
}

absl::StatusOr<v1::PoolingDecision> CampaignStore::RecordDecision(v1::PoolingDecision decision,
                                                                  const std::string& actor) {
  const absl::Time now = clock_();
  decision.set_decision_id(events::NewEventId());
  decision.set_decided_by(actor);
  SetTimestamp(decision.mutable_decide_time(), now);
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    tx.exec_params(
        "INSERT INTO decisions (campaign_id, function_code, decision, decide_time) "
        "VALUES ($1::uuid, $2, $3, $4::timestamptz) ON CONFLICT (campaign_id, function_code) "
        "DO UPDATE SET decision = EXCLUDED.decision, decide_time = EXCLUDED.decide_time",
        decision.campaign_id(), decision.function_code(), Bytes(decision.SerializeAsString()),
        TimeParam(now));
    v1::AssessmentEvent e;
    e.set_actor(actor);
    e.set_network_id(decision.network_id());
    *e.mutable_decision_recorded() = decision;
    return Publish(tx, std::move(e), "assessment.DecisionRecorded", now);
  }));
  return decision;
}

absl::StatusOr<std::vector<v1::PoolingDecision>> CampaignStore::Decisions(
    const std::string& campaign_id) {
  std::vector<v1::PoolingDecision> out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    out.clear();
    for (const pqxx::row& r :
         tx.exec_params("SELECT decision FROM decisions WHERE campaign_id = $1::uuid "
                        "ORDER BY function_code",
                        campaign_id)) {
      v1::PoolingDecision d;
      MAILLAGE_RETURN_IF_ERROR(ParseColumn(r[0], &d));
      out.push_back(std::move(d));
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace maillage::assessment
