// The funder report of ReportingService (reporting_service.h): the figures are gathered with
// the members each is about, then domain/disclosure decides, against everything given before
// for the network, which may be given.
#include <algorithm>
#include <functional>
#include <map>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/csv/csv.h"
#include "common/status/status.h"
#include "common/validation/timestamps.h"
#include "maillage/membership/v1/membership.pb.h"
#include "services/reporting/domain/disclosure.h"
#include "services/reporting/domain/funding.h"
#include "services/reporting/handler_support.h"
#include "services/reporting/reporting_service.h"
#include "services/reporting/reporting_store.h"

namespace maillage::reporting {
namespace {

using auth::Principal;

constexpr absl::Duration kYear = absl::Hours(24 * 365);
constexpr absl::Duration kMaxPeriod = absl::Hours(24 * (5 * 366 + 31));

// NACE rév. 2 sections, as the INSEE names them in English.
std::string SectorLabel(const std::string& section) {
  static const auto* names = new std::map<std::string, std::string>{
      {"A", "Agriculture, forestry and fishing"},
      {"B", "Mining and quarrying"},
      {"C", "Manufacturing"},
      {"D", "Electricity, gas, steam and air conditioning supply"},
      {"E", "Water supply; sewerage, waste management and remediation"},
      {"F", "Construction"},
      {"G", "Wholesale and retail trade; repair of motor vehicles"},
      {"H", "Transportation and storage"},
      {"I", "Accommodation and food service activities"},
      {"J", "Information and communication"},
      {"K", "Financial and insurance activities"},
      {"L", "Real estate activities"},
      {"M", "Professional, scientific and technical activities"},
      {"N", "Administrative and support service activities"},
      {"O", "Public administration and defence"},
      {"P", "Education"},
      {"Q", "Human health and social work activities"},
      {"R", "Arts, entertainment and recreation"},
      {"S", "Other service activities"},
      {"T", "Activities of households as employers"},
      {"U", "Activities of extraterritorial organisations"}};
  auto it = names->find(section);
  return it == names->end() ? "Sector not given" : absl::StrCat(section, ": ", it->second);
}

std::string SizeLabel(int band) {
  namespace mv1 = ::maillage::membership::v1;
  switch (band) {
    case mv1::HEADCOUNT_BAND_NONE:
      return "no employee";
    case mv1::HEADCOUNT_BAND_1_2:
      return "1-2 employees";
    case mv1::HEADCOUNT_BAND_3_5:
      return "3-5 employees";
    case mv1::HEADCOUNT_BAND_6_9:
      return "6-9 employees";
    case mv1::HEADCOUNT_BAND_10_19:
      return "10-19 employees";
    case mv1::HEADCOUNT_BAND_20_49:
      return "20-49 employees";
    case mv1::HEADCOUNT_BAND_50_249:
      return "50-249 employees";
    case mv1::HEADCOUNT_BAND_250_PLUS:
      return "250 employees or more";
    default:
      return "size not given";
  }
}

std::string FundingLabel(v1::FundingSourceKind kind) {
  switch (kind) {
    case v1::FUNDING_SOURCE_KIND_REGION:
      return "region";
    case v1::FUNDING_SOURCE_KIND_INTERCOMMUNALITY:
      return "intercommunality";
    case v1::FUNDING_SOURCE_KIND_STATE:
      return "State";
    case v1::FUNDING_SOURCE_KIND_EU_ERDF:
      return "EU: ERDF";
    case v1::FUNDING_SOURCE_KIND_EU_LEADER:
      return "EU: LEADER";
    case v1::FUNDING_SOURCE_KIND_EU_OTHER:
      return "EU: other programmes";
    case v1::FUNDING_SOURCE_KIND_CHAMBER:
      return "chambers";
    default:
      return "other public bodies";
  }
}

// The figures of a report before disclosure, with where each goes in the answer.
class Figures {
 public:
  // Adds a figure; its index.
  size_t Add(DisclosedFigure f, std::string label) {
    figures_.push_back(std::move(f));
    labels_.push_back(std::move(label));
    return figures_.size() - 1;
  }
  size_t Count(const std::string& key, const std::string& partition,
               std::vector<std::string> population, std::string label) {
    const auto n = static_cast<int64_t>(population.size());
    return Add(
        {.key = key, .partition = partition, .value = n, .population = std::move(population)},
        std::move(label));
  }
  const std::vector<DisclosedFigure>& all() const { return figures_; }

  // The figure as the answer shows it, once `verdicts` are in.
  v1::Figure Shown(size_t i, const std::vector<Verdict>& verdicts) const {
    v1::Figure f;
    f.set_label(labels_[i]);
    f.set_key(figures_[i].key);
    if (verdicts[i].withheld) {
      f.set_withheld(true);
      f.set_note(verdicts[i].note);
    } else {
      f.set_value(figures_[i].value);
    }
    return f;
  }

 private:
  std::vector<DisclosedFigure> figures_;
  std::vector<std::string> labels_;
};

}  // namespace

grpc::ServerUnaryReactor* ReportingService::GetFunderReport(grpc::CallbackServerContext* ctx,
                                                            const v1::GetFunderReportRequest* req,
                                                            v1::FunderReport* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    return ComposeFunderReport(req, resp, who.subject());
  });
}

absl::Status ReportingService::ComposeFunderReport(const v1::GetFunderReportRequest* req,
                                                   v1::FunderReport* resp,
                                                   const std::string& actor) {
  if (!v1::ReportFormat_IsValid(req->format())) return InvalidField("format", "unknown");
  const absl::Time now = deps_.clock();
  MAILLAGE_ASSIGN_OR_RETURN(TimeRange range,
                            RangeOf(req->has_period(), req->period(), {.start = now, .end = now}));
  const absl::TimeZone utc = absl::UTCTimeZone();
  if (range.end == absl::InfiniteFuture()) range.end = std::max(now, range.start + kYear);
  if (range.start == absl::InfinitePast()) range.start = range.end - kYear;
  // The default: this month and the eleven before it.
  if (range.start == now && range.end == now) {
    range.end = absl::FromCivil(absl::CivilMonth(absl::ToCivilMonth(now, utc)) + 1, utc);
    range.start = absl::FromCivil(absl::CivilMonth(absl::ToCivilMonth(now, utc)) - 11, utc);
  }
  // Whole months (UTC): the figures of a month are what funders compare, and the periods
  // one can ask for, hence the populations remembered, stay few.
  range.start = absl::FromCivil(absl::CivilMonth(absl::ToCivilMonth(range.start, utc)), utc);
  const absl::CivilMonth last_month = absl::ToCivilMonth(range.end - absl::Nanoseconds(1), utc);
  range.end = absl::FromCivil(last_month + 1, utc);
  if (range.end - range.start > kMaxPeriod) {
    return InvalidField("period.end_time", "at most 5 years after the start");
  }
  const std::string& network = req->network_id();
  MAILLAGE_ASSIGN_OR_RETURN(v1::ReportingSettings settings, deps_.store->Settings(network));
  MAILLAGE_ASSIGN_OR_RETURN(FunderFacts facts, deps_.store->FunderFactsOf(network, range));
  const int first_year = absl::ToCivilYear(range.start, absl::UTCTimeZone()).year();
  const int last_year =
      absl::ToCivilYear(range.end - absl::Nanoseconds(1), absl::UTCTimeZone()).year();
  MAILLAGE_ASSIGN_OR_RETURN(
      std::vector<v1::CollectiveAction> actions,
      deps_.store->ActionsOfYears(network, std::max(first_year, 2000), std::min(last_year, 2100)));

  Figures figures;
  // Members, by sector and by size.
  std::vector<std::string> everyone;
  std::map<std::string, std::vector<std::string>> by_sector;
  std::map<int, std::vector<std::string>> by_size;
  for (const MemberProfile& m : facts.members) {
    everyone.push_back(m.organisation_id);
    by_sector[m.nace_section].push_back(m.organisation_id);
    by_size[m.headcount_band].push_back(m.organisation_id);
  }
  const size_t total = figures.Count("members", "", everyone, "active members");
  std::vector<size_t> sectors, sizes;
  for (auto& [section, ids] : by_sector) {
    sectors.push_back(figures.Count(absl::StrCat("members_by_sector/", section), "sector",
                                    std::move(ids), SectorLabel(section)));
  }
  for (auto& [band, ids] : by_size) {
    sizes.push_back(figures.Count(absl::StrCat("members_by_size/", band), "size", std::move(ids),
                                  SizeLabel(band)));
  }
  // Engagement: who took part in the period, who did not.
  const absl::flat_hash_set<std::string> took_part(facts.took_part.begin(), facts.took_part.end());
  std::vector<std::string> active_ids, isolated_ids;
  for (const std::string& id : everyone) {
    (took_part.contains(id) ? active_ids : isolated_ids).push_back(id);
  }
  const size_t took_part_figure =
      figures.Count("engagement/took_part", "engagement", std::move(active_ids),
                    "members who took part (an event, an introduction or an assessment)");
  const size_t isolated_figure = figures.Count("engagement/isolated", "engagement",
                                               std::move(isolated_ids), "members who did not");
  const size_t attendances =
      figures.Add({.key = "attendances", .value = facts.attendances, .population = facts.attendees},
                  "attendances at animation events");
  // Introductions by stage, each about the members involved.
  std::vector<size_t> stage_figures;
  for (const char* stage : {"requested", "accepted", "met", "letter_of_intent", "contract"}) {
    auto it = facts.stages.find(stage);
    const FunderFacts::Stage none;
    const FunderFacts::Stage& s = it == facts.stages.end() ? none : it->second;
    stage_figures.push_back(figures.Add({.key = absl::StrCat("introductions/", stage),
                                         .value = s.introductions,
                                         .population = s.involved},
                                        stage));
  }
  // Collective actions: who takes part; money is not about members.
  absl::flat_hash_set<std::string> participants;
  FundingMix mix;
  int64_t budget = 0;
  std::map<int, int64_t> public_by_kind;
  for (v1::CollectiveAction& a : actions) {
    Summarise(a, settings.public_share_ceiling());
    budget += a.budget_cents();
    for (const std::string& id : a.participant_organisation_ids()) participants.insert(id);
    for (const v1::FundingSource& f : a.funding_sources()) {
      mix.Add(f.kind(), f.amount_cents());
      if (IsPublicFunding(f.kind())) public_by_kind[f.kind()] += f.amount_cents();
    }
  }
  const size_t participants_figure =
      figures.Count("actions/participants", "",
                    std::vector<std::string>(participants.begin(), participants.end()),
                    "members taking part in collective actions");

  v1::Period given;
  SetTimestamp(given.mutable_start_time(), range.start);
  SetTimestamp(given.mutable_end_time(), range.end);
  MAILLAGE_ASSIGN_OR_RETURN(
      std::vector<Verdict> verdicts,
      deps_.store->Disclose(network, figures.all(), settings.min_group_size(), given, actor));

  resp->set_network_id(network);
  SetTimestamp(resp->mutable_period()->mutable_start_time(), range.start);
  SetTimestamp(resp->mutable_period()->mutable_end_time(), range.end);
  resp->set_min_group_size(settings.min_group_size());
  *resp->mutable_members() = figures.Shown(total, verdicts);
  resp->mutable_members_by_sector()->set_name("members_by_sector");
  for (size_t i : sectors)
    *resp->mutable_members_by_sector()->add_figures() = figures.Shown(i, verdicts);
  resp->mutable_members_by_size()->set_name("members_by_size");
  for (size_t i : sizes)
    *resp->mutable_members_by_size()->add_figures() = figures.Shown(i, verdicts);
  resp->mutable_engagement()->set_name("engagement");
  *resp->mutable_engagement()->add_figures() = figures.Shown(took_part_figure, verdicts);
  *resp->mutable_engagement()->add_figures() = figures.Shown(isolated_figure, verdicts);
  resp->set_events_held(facts.events_held);
  *resp->mutable_attendances() = figures.Shown(attendances, verdicts);
  resp->mutable_introductions()->set_name("introductions");
  for (size_t i : stage_figures) {
    *resp->mutable_introductions()->add_figures() = figures.Shown(i, verdicts);
  }
  resp->set_collective_actions(static_cast<int64_t>(actions.size()));
  *resp->mutable_action_participants() = figures.Shown(participants_figure, verdicts);
  resp->set_budget_cents(budget);
  resp->set_public_cents(mix.public_cents());
  resp->set_private_cents(mix.private_cents());
  resp->set_public_share(mix.public_share());
  v1::Breakdown* funding = resp->mutable_funding_by_source();
  funding->set_name("funding_by_source");
  for (const auto& [kind, cents] : public_by_kind) {
    v1::Figure* f = funding->add_figures();
    f->set_label(FundingLabel(static_cast<v1::FundingSourceKind>(kind)));
    f->set_key(absl::StrCat("funding/", kind));
    f->set_value(cents);
  }
  v1::Figure* private_money = funding->add_figures();
  private_money->set_label("private: members' contributions, sponsors and sales");
  private_money->set_key("funding/private");
  private_money->set_value(mix.private_cents());
  SetTimestamp(resp->mutable_generate_time(), now);
  if (req->format() == v1::REPORT_FORMAT_CSV) {
    std::string table = "section,key,label,value,withheld,note\r\n";
    auto row = [&](absl::string_view section, const v1::Figure& f) {
      absl::StrAppend(&table, section, ",", csv::CsvSafeField(f.key()), ",",
                      csv::CsvSafeField(f.label()), ",",
                      f.has_value() ? absl::StrCat(f.value()) : std::string(), ",",
                      f.withheld() ? "true" : "false", ",", csv::CsvSafeField(f.note()), "\r\n");
    };
    row("members", resp->members());
    for (const v1::Breakdown* b :
         {&resp->members_by_sector(), &resp->members_by_size(), &resp->engagement(),
          &resp->introductions(), &resp->funding_by_source()}) {
      for (const v1::Figure& f : b->figures()) row(b->name(), f);
    }
    row("attendances", resp->attendances());
    row("collective_actions", resp->action_participants());
    resp->set_csv(std::move(table));
  }
  return absl::OkStatus();
}

}  // namespace maillage::reporting
