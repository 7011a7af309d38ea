#include "services/assessment/diagnostic_store.h"

#include <algorithm>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/paging/paging.h"
#include "common/pg/idempotency.h"
#include "common/pg/pg.h"
#include "common/status/status.h"
#include "services/assessment/campaign_store.h"
#include "services/assessment/store_support.h"

namespace maillage::assessment {
namespace {

using store::Bytes;
using store::ParseColumn;
using store::Publish;
using store::SetTimestamp;
using store::TimeOf;
using store::TimeParam;

v1::CampaignState DiagnosticStateAt(const v1::DiagnosticCampaign& c, absl::Time now) {
  return now >= TimeOf(c.end_time()) ? v1::CAMPAIGN_STATE_CLOSED : v1::CAMPAIGN_STATE_OPEN;
}

absl::StatusOr<DiagnosticCampaignRecord> LoadCampaign(pqxx::work& tx,
                                                      const std::string& campaign_id,
                                                      absl::Time now) {
  pqxx::result rows = tx.exec_params(
      "SELECT campaign, template FROM diagnostic_campaigns WHERE campaign_id = $1::uuid",
      campaign_id);
  if (rows.empty()) return absl::NotFoundError("campaign not found");
  DiagnosticCampaignRecord out;
  MAILLAGE_RETURN_IF_ERROR(ParseColumn(rows[0][0], &out.campaign));
  MAILLAGE_RETURN_IF_ERROR(ParseColumn(rows[0][1], &out.template_));
  out.campaign.set_state(DiagnosticStateAt(out.campaign, now));
  return out;
}

absl::StatusOr<v1::CompanyDiagnostic> LoadDiagnostic(pqxx::work& tx, const std::string& campaign_id,
                                                     const std::string& organisation_id,
                                                     bool lock) {
  v1::CompanyDiagnostic d;
  pqxx::result rows = tx.exec_params(
      absl::StrCat("SELECT diagnostic, submitted, version, updated_by, "
                   "(extract(epoch FROM update_time) * 1000000)::bigint FROM diagnostics "
                   "WHERE campaign_id = $1::uuid AND organisation_id = $2::uuid",
                   lock ? " FOR UPDATE" : ""),
      campaign_id, organisation_id);
  if (!rows.empty()) {
    MAILLAGE_RETURN_IF_ERROR(ParseColumn(rows[0][0], &d));
    d.set_submitted(rows[0][1].as<bool>());
    d.set_version(rows[0][2].as<int64_t>());
    d.set_updated_by(rows[0][3].as<std::string>());
    SetTimestamp(d.mutable_update_time(), absl::FromUnixMicros(rows[0][4].as<int64_t>()));
  }
  d.set_campaign_id(campaign_id);
  d.set_organisation_id(organisation_id);
  return d;
}

}  // namespace

DiagnosticStore::DiagnosticStore(pg::PgPool* pool, std::function<absl::Time()> clock,
                                 v1::DiagnosticTemplate default_template)
    : pool_(pool), clock_(std::move(clock)), default_(std::move(default_template)) {
  default_.set_template_id(kDefaultTemplateId);
  default_.set_version(1);
  default_.clear_network_id();
}

absl::StatusOr<std::vector<v1::DiagnosticTemplate>> DiagnosticStore::Templates(
    const std::string& network_id) {
  std::vector<v1::DiagnosticTemplate> own;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    own.clear();
    for (const pqxx::row& r :
         tx.exec_params("SELECT DISTINCT ON (template_id) template FROM diagnostic_templates "
                        "WHERE network_id = $1::uuid ORDER BY template_id, version DESC",
                        network_id)) {
      v1::DiagnosticTemplate t;
      MAILLAGE_RETURN_IF_ERROR(ParseColumn(r[0], &t));
      own.push_back(std::move(t));
    }
    return absl::OkStatus();
  }));
  std::sort(own.begin(), own.end(), [](const auto& a, const auto& b) {
    return std::tie(a.title_fr(), a.template_id()) < std::tie(b.title_fr(), b.template_id());
  });
  std::vector<v1::DiagnosticTemplate> out = {default_};
  out.insert(out.end(), own.begin(), own.end());
  return out;
}

absl::StatusOr<v1::DiagnosticTemplate> DiagnosticStore::Template(const std::string& network_id,
                                                                 const std::string& template_id,
                                                                 int version) {
  if (template_id == kDefaultTemplateId) {
    if (version > 1) {
      return absl::NotFoundError(
          absl::StrCat("version: the default questionnaire has no version ", version));
    }
    return default_;
  }
  v1::DiagnosticTemplate out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result rows =
        version == 0 ? tx.exec_params(
                           "SELECT template FROM diagnostic_templates WHERE network_id = $1::uuid "
                           "AND template_id = $2::uuid ORDER BY version DESC LIMIT 1",
                           network_id, template_id)
                     : tx.exec_params(
                           "SELECT template FROM diagnostic_templates WHERE network_id = $1::uuid "
                           "AND template_id = $2::uuid AND version = $3",
                           network_id, template_id, version);
    if (rows.empty()) return absl::NotFoundError("template_id: no such questionnaire or version");
    return ParseColumn(rows[0][0], &out);
  }));
  return out;
}

absl::StatusOr<v1::DiagnosticTemplate> DiagnosticStore::SaveTemplate(const std::string& network_id,
                                                                     v1::DiagnosticTemplate t,
                                                                     int expected_version,
                                                                     const std::string& actor) {
  const absl::Time now = clock_();
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('templates:' || $1))", network_id);
    if (t.template_id().empty()) {
      const int own = tx.exec_params(
                            "SELECT count(DISTINCT template_id) FROM diagnostic_templates "
                            "WHERE network_id = $1::uuid",
                            network_id)[0][0]
                          .as<int>();
      if (own >= kMaxNetworkTemplates) {
        return absl::FailedPreconditionError(absl::StrCat(
            "the network already has ", own, " questionnaires of its own, the most it may"));
      }
      if (expected_version != 0) {
        return absl::AbortedError("expected_version: 0 for a new questionnaire");
      }
      t.set_template_id(events::NewEventId());
      t.set_version(1);
    } else {
      const int latest = tx.exec_params(
                               "SELECT coalesce(max(version), 0) FROM diagnostic_templates "
                               "WHERE network_id = $1::uuid AND template_id = $2::uuid",
                               network_id, t.template_id())[0][0]
                             .as<int>();
      if (latest == 0) return absl::NotFoundError("template.template_id: no such questionnaire");
      if (latest != expected_version) {
        return absl::AbortedError(absl::StrCat("expected_version: the questionnaire is at version ",
                                               latest, ", not ", expected_version,
                                               "; read it again"));
      }
      if (latest >= kMaxTemplateVersions) {
        return absl::FailedPreconditionError("the questionnaire has too many versions");
      }
      t.set_version(latest + 1);
    }
    t.set_network_id(network_id);
    tx.exec_params(
        "INSERT INTO diagnostic_templates (network_id, template_id, version, template, "
        "created_by, create_time) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6::timestamptz)",
        network_id, t.template_id(), t.version(), Bytes(t.SerializeAsString()), actor,
        TimeParam(now));
    v1::AssessmentEvent e;
    e.set_actor(actor);
    e.set_network_id(network_id);
    *e.mutable_diagnostic_template_saved() = t;
    return Publish(tx, std::move(e), "assessment.DiagnosticTemplateSaved", now);
  }));
  return t;
}

absl::StatusOr<v1::DiagnosticCampaign> DiagnosticStore::CreateCampaign(
    v1::DiagnosticCampaign draft, const v1::DiagnosticTemplate& t, const std::string& actor,
    const std::string& idempotency_key) {
  const absl::Time now = clock_();
  v1::DiagnosticCampaign out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    const std::string scope =
        absl::StrCat("CreateDiagnosticCampaign/", draft.network_id(), "/", actor);
    MAILLAGE_ASSIGN_OR_RETURN(
        std::string earlier,
        pg::ReserveIdempotencyKey(tx, scope, idempotency_key,
                                  pg::RequestHash({draft.SerializeAsString()})));
    if (!earlier.empty()) {
      MAILLAGE_ASSIGN_OR_RETURN(DiagnosticCampaignRecord r, LoadCampaign(tx, earlier, now));
      out = r.campaign;
      return absl::OkStatus();
    }
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('diagnostic-campaigns:' || $1))",
                   draft.network_id());
    const int open = tx.exec_params(
                           "SELECT count(*) FROM diagnostic_campaigns WHERE network_id = $1::uuid "
                           "AND end_time > $2::timestamptz",
                           draft.network_id(), TimeParam(now))[0][0]
                         .as<int>();
    if (open >= kMaxOpenCampaigns) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the network already has ", open, " open diagnostic campaigns, the most it may"));
    }
    out = draft;
    out.set_campaign_id(events::NewEventId());
    out.set_template_version(t.version());
    out.set_created_by(actor);
    SetTimestamp(out.mutable_create_time(), now);
    out.clear_state();
    tx.exec_params(
        "INSERT INTO diagnostic_campaigns (campaign_id, network_id, campaign, template, end_time, "
        "create_time) VALUES ($1::uuid, $2::uuid, $3, $4, $5::timestamptz, $6::timestamptz)",
        out.campaign_id(), out.network_id(), Bytes(out.SerializeAsString()),
        Bytes(t.SerializeAsString()), TimeParam(TimeOf(out.end_time())), TimeParam(now));
    pg::RecordIdempotencyKey(tx, scope, idempotency_key, out.campaign_id());
    out.set_state(DiagnosticStateAt(out, now));
    v1::AssessmentEvent e;
    e.set_actor(actor);
    e.set_network_id(out.network_id());
    *e.mutable_diagnostic_campaign_opened() = out;
    return Publish(tx, std::move(e), "assessment.DiagnosticCampaignOpened", now);
  }));
  return out;
}

absl::StatusOr<DiagnosticCampaignRecord> DiagnosticStore::Campaign(const std::string& campaign_id) {
  DiagnosticCampaignRecord out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(out, LoadCampaign(tx, campaign_id, clock_()));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<v1::DiagnosticCampaign>> DiagnosticStore::ListCampaigns(
    const std::string& network_id, const PageQuery& page, std::vector<std::string>* next_after) {
  std::vector<v1::DiagnosticCampaign> out;
  const absl::Time now = clock_();
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    out.clear();
    next_after->clear();
    const bool first = page.after.size() != 2;
    pqxx::result rows = first ? tx.exec_params(
                                    "SELECT campaign, create_time::text, campaign_id::text FROM "
                                    "diagnostic_campaigns WHERE network_id = $1::uuid "
                                    "ORDER BY create_time DESC, campaign_id DESC LIMIT $2",
                                    network_id, page.size + 1)
                              : tx.exec_params(
                                    "SELECT campaign, create_time::text, campaign_id::text FROM "
                                    "diagnostic_campaigns WHERE network_id = $1::uuid AND "
                                    "(create_time, campaign_id) < ($3::timestamptz, $4::uuid) "
                                    "ORDER BY create_time DESC, campaign_id DESC LIMIT $2",
                                    network_id, page.size + 1, page.after[0], page.after[1]);
    for (const pqxx::row& r : rows) {
      if (static_cast<int>(out.size()) == page.size) {
        const pqxx::row& last = rows[page.size - 1];
        *next_after = {last[1].as<std::string>(), last[2].as<std::string>()};
        break;
      }
      v1::DiagnosticCampaign c;
      MAILLAGE_RETURN_IF_ERROR(ParseColumn(r[0], &c));
      c.set_state(DiagnosticStateAt(c, now));
      out.push_back(std::move(c));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::CompanyDiagnostic> DiagnosticStore::Diagnostic(
    const std::string& campaign_id, const std::string& organisation_id) {
  v1::CompanyDiagnostic out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    MAILLAGE_ASSIGN_OR_RETURN(out, LoadDiagnostic(tx, campaign_id, organisation_id, false));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<v1::CompanyDiagnostic>> DiagnosticStore::Submitted(
    const std::string& campaign_id) {
  std::vector<v1::CompanyDiagnostic> out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    out.clear();
    for (const pqxx::row& r :
         tx.exec_params("SELECT organisation_id::text, diagnostic FROM diagnostics "
                        "WHERE campaign_id = $1::uuid AND submitted",
                        campaign_id)) {
      v1::CompanyDiagnostic d;
      MAILLAGE_RETURN_IF_ERROR(ParseColumn(r[1], &d));
      d.set_organisation_id(r[0].as<std::string>());
      d.set_submitted(true);
      out.push_back(std::move(d));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::CompanyDiagnostic> DiagnosticStore::Write(
    const v1::DiagnosticCampaign& campaign, const std::string& organisation_id,
    const v1::CompanyDiagnostic& diagnostic, int64_t expected_version, const std::string& actor,
    bool plan_only) {
  const absl::Time now = clock_();
  v1::CompanyDiagnostic out;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    // The campaign row is locked so that its state is read once for the whole write.
    pqxx::result c = tx.exec_params(
        "SELECT end_time <= $2::timestamptz FROM diagnostic_campaigns "
        "WHERE campaign_id = $1::uuid FOR SHARE",
        campaign.campaign_id(), TimeParam(now));
    if (c.empty()) return absl::NotFoundError("campaign not found");
    if (!plan_only && c[0][0].as<bool>()) {
      return absl::FailedPreconditionError(
          "campaign_id: the campaign is closed; answers are read-only");
    }
    MAILLAGE_ASSIGN_OR_RETURN(
        v1::CompanyDiagnostic current,
        LoadDiagnostic(tx, campaign.campaign_id(), organisation_id, /*lock=*/true));
    if (current.version() != expected_version) {
      return absl::AbortedError(absl::StrCat("expected_version: the diagnostic is at version ",
                                             current.version(), ", not ", expected_version,
                                             "; read it again"));
    }
    v1::CompanyDiagnostic stored;  // what the row keeps
    if (plan_only) {
      stored = current;
      *stored.mutable_actions() = diagnostic.actions();
    } else {
      *stored.mutable_answers() = diagnostic.answers();
      *stored.mutable_obstacles() = diagnostic.obstacles();
      *stored.mutable_scores() = diagnostic.scores();
      *stored.mutable_actions() = current.actions();
      stored.set_template_version(campaign.template_version());
    }
    const bool submitted = current.submitted() || !plan_only;
    stored.clear_campaign_id();
    stored.clear_organisation_id();
    stored.clear_version();
    stored.clear_update_time();
    stored.clear_updated_by();
    stored.clear_submitted();
    stored.clear_benchmark();
    tx.exec_params(
        "INSERT INTO diagnostics (campaign_id, organisation_id, diagnostic, submitted, version, "
        "updated_by, update_time) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7::timestamptz) "
        "ON CONFLICT (campaign_id, organisation_id) DO UPDATE SET diagnostic = "
        "EXCLUDED.diagnostic, submitted = EXCLUDED.submitted, version = EXCLUDED.version, "
        "updated_by = EXCLUDED.updated_by, update_time = EXCLUDED.update_time",
        campaign.campaign_id(), organisation_id, Bytes(stored.SerializeAsString()), submitted,
        current.version() + 1, actor, TimeParam(now));
    if (!plan_only) {
      v1::AssessmentEvent e;
      e.set_actor(actor);
      e.set_network_id(campaign.network_id());
      v1::DiagnosticSubmitted* s = e.mutable_diagnostic_submitted();
      s->set_campaign_id(campaign.campaign_id());
      s->set_organisation_id(organisation_id);
      *s->mutable_scores() = diagnostic.scores();
      *s->mutable_obstacles() = diagnostic.obstacles();
      MAILLAGE_RETURN_IF_ERROR(Publish(tx, std::move(e), "assessment.DiagnosticSubmitted", now));
    }
    MAILLAGE_ASSIGN_OR_RETURN(
        out, LoadDiagnostic(tx, campaign.campaign_id(), organisation_id, /*lock=*/false));
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace maillage::assessment
