// The printable reports of ReportingService (reporting_service.h): the reports composed as
// for the API, laid out as a document (domain/report_document.h) in French, for the people
// who print them, and rendered as HTML or PDF (report_pdf.h).
#include <algorithm>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/status.h"
#include "common/validation/timestamps.h"
#include "services/reporting/domain/report_document.h"
#include "services/reporting/report_pdf.h"
#include "services/reporting/reporting_service.h"
#include "services/reporting/reporting_store.h"

namespace maillage::reporting {
namespace {

using auth::Principal;

std::string FrenchDate(absl::Time t) {
  static constexpr const char* kMonths[] = {"janvier",   "février", "mars",     "avril",
                                            "mai",       "juin",    "juillet",  "août",
                                            "septembre", "octobre", "novembre", "décembre"};
  const absl::CivilDay d = absl::ToCivilDay(t, absl::UTCTimeZone());
  return absl::StrCat(d.day() == 1 ? "1er" : absl::StrCat(d.day()), " ", kMonths[d.month() - 1],
                      " ", d.year());
}

std::string IsoDate(absl::Time t) { return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone()); }

// "du 1er janvier 2026 au 31 décembre 2026" for [start, end).
std::string FrenchPeriod(const v1::Period& p) {
  const absl::Time start = TimeOf(p.start_time());
  const absl::Time last = TimeOf(p.end_time()) - absl::Seconds(1);
  return absl::StrCat("du ", FrenchDate(start), " au ", FrenchDate(last));
}

std::string Euros(int64_t cents) {
  return absl::StrCat(FormatNumber(static_cast<double>((cents + 50) / 100)), " €");
}

std::string Percent(double share) { return absl::StrCat(FormatNumber(share * 100), " %"); }

// A withheld figure's note, in French.
std::string FrenchNote(const std::string& note, int min_group_size) {
  if (absl::StartsWith(note, "fewer than")) return absl::StrCat("moins de ", min_group_size);
  if (absl::StrContains(note, "earlier report")) {
    return absl::StrCat("retiré : écart de moins de ", min_group_size,
                        " membres avec un rapport précédent");
  }
  return "retiré pour protéger un autre chiffre";
}

std::string Shown(const v1::Figure& f, int min_group_size) {
  return f.withheld() ? FrenchNote(f.note(), min_group_size) : FormatNumber(f.value());
}

std::string StageLabel(const std::string& stage);

// The French label of a funder figure, by its key (reporting.proto's Figure.key).
std::string FrenchLabel(const v1::Figure& f) {
  static const auto* sectors = new std::map<std::string, std::string>{
      {"A", "A : Agriculture, sylviculture et pêche"},
      {"B", "B : Industries extractives"},
      {"C", "C : Industrie manufacturière"},
      {"D", "D : Électricité, gaz, vapeur"},
      {"E", "E : Eau, assainissement, déchets"},
      {"F", "F : Construction"},
      {"G", "G : Commerce, réparation d'automobiles"},
      {"H", "H : Transports et entreposage"},
      {"I", "I : Hébergement et restauration"},
      {"J", "J : Information et communication"},
      {"K", "K : Activités financières et d'assurance"},
      {"L", "L : Activités immobilières"},
      {"M", "M : Activités spécialisées, scientifiques et techniques"},
      {"N", "N : Services administratifs et de soutien"},
      {"O", "O : Administration publique"},
      {"P", "P : Enseignement"},
      {"Q", "Q : Santé humaine et action sociale"},
      {"R", "R : Arts, spectacles et activités récréatives"},
      {"S", "S : Autres activités de services"},
      {"T", "T : Activités des ménages employeurs"},
      {"U", "U : Activités extra-territoriales"}};
  static const auto* sizes = new std::map<std::string, std::string>{
      {"1", "sans salarié"},      {"2", "1 à 2 salariés"},      {"3", "3 à 5 salariés"},
      {"4", "6 à 9 salariés"},    {"5", "10 à 19 salariés"},    {"6", "20 à 49 salariés"},
      {"7", "50 à 249 salariés"}, {"8", "250 salariés et plus"}};
  static const auto* funders = new std::map<std::string, std::string>{
      {"1", "Région"},
      {"2", "intercommunalité"},
      {"3", "État"},
      {"4", "UE : FEDER"},
      {"5", "UE : LEADER"},
      {"6", "UE : autres programmes"},
      {"7", "chambres consulaires"},
      {"8", "autres financeurs publics"},
      {"private", "privé : cotisations des membres, mécènes, ventes"}};
  const std::string& key = f.key();
  auto after = [&](absl::string_view prefix) { return key.substr(prefix.size()); };
  if (absl::StartsWith(key, "members_by_sector/")) {
    auto it = sectors->find(after("members_by_sector/"));
    return it == sectors->end() ? "secteur non renseigné" : it->second;
  }
  if (absl::StartsWith(key, "members_by_size/")) {
    auto it = sizes->find(after("members_by_size/"));
    return it == sizes->end() ? "effectif non renseigné" : it->second;
  }
  if (absl::StartsWith(key, "funding/")) {
    auto it = funders->find(after("funding/"));
    return it == funders->end() ? f.label() : it->second;
  }
  if (key == "engagement/took_part") return "ont participé";
  if (key == "engagement/isolated") return "n'ont pas participé";
  if (absl::StartsWith(key, "introductions/")) return StageLabel(after("introductions/"));
  return f.label();
}

BarChart ChartOf(const std::string& title, const v1::Breakdown& b, int min_group_size) {
  BarChart chart{.title = title};
  for (const v1::Figure& f : b.figures()) {
    chart.bars.push_back({.label = FrenchLabel(f),
                          .value = static_cast<double>(f.value()),
                          .withheld = f.withheld(),
                          .note = f.withheld() ? FrenchNote(f.note(), min_group_size) : ""});
  }
  return chart;
}

std::string StageLabel(const std::string& stage) {
  if (stage == "requested") return "demandées";
  if (stage == "accepted") return "acceptées";
  if (stage == "met") return "rencontres";
  if (stage == "letter_of_intent") return "lettres d'intention";
  if (stage == "contract") return "contrats";
  return stage;
}

absl::Status CheckFormat(v1::PrintFormat format) {
  if (!v1::PrintFormat_IsValid(format)) return InvalidField("format", "HTML or PDF");
  return absl::OkStatus();
}

// The document in the format asked, named after what it is and when.
absl::Status Render(const ReportDocument& doc, v1::PrintFormat format, const std::string& stem,
                    v1::PrintableReport* out) {
  if (format == v1::PRINT_FORMAT_PDF) {
    MAILLAGE_ASSIGN_OR_RETURN(std::string pdf, RenderPdf(doc));
    out->set_pdf(std::move(pdf));
    out->set_content_type("application/pdf");
    out->set_file_name(absl::StrCat(stem, ".pdf"));
    return absl::OkStatus();
  }
  out->set_html(ToHtml(doc));
  out->set_content_type("text/html; charset=utf-8");
  out->set_file_name(absl::StrCat(stem, ".html"));
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* ReportingService::GetPrintableFunderReport(
    grpc::CallbackServerContext* ctx, const v1::GetPrintableFunderReportRequest* req,
    v1::PrintableReport* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    MAILLAGE_RETURN_IF_ERROR(CheckFormat(req->format()));
    v1::GetFunderReportRequest funder;
    funder.set_network_id(req->network_id());
    if (req->has_period()) *funder.mutable_period() = req->period();
    v1::FunderReport r;
    MAILLAGE_RETURN_IF_ERROR(ComposeFunderReport(&funder, &r, who.subject()));
    MAILLAGE_ASSIGN_OR_RETURN(std::string name, deps_.store->NetworkName(req->network_id()));
    const int n = r.min_group_size();
    ReportDocument doc{
        .title = "Rapport aux financeurs",
        .subtitle = absl::StrCat(name.empty() ? "Réseau" : name, " — ", FrenchPeriod(r.period())),
        .footer = absl::StrCat("Maillage — chiffres anonymisés, aucun sur moins de ", n,
                               " membres — édité le ", FrenchDate(deps_.clock()))};
    ReportSection members{.heading = "Les membres"};
    members.paragraphs.push_back(absl::StrCat(
        "Les entreprises et structures membres actives du réseau à la date d'édition. Un chiffre "
        "portant sur moins de ",
        n,
        " membres, ou qui révélerait un membre par différence avec un rapport précédent, est "
        "retiré."));
    members.figures = {{"membres actifs", Shown(r.members(), n)}};
    members.charts.push_back(ChartOf("Par secteur d'activité", r.members_by_sector(), n));
    members.charts.push_back(ChartOf("Par effectif", r.members_by_size(), n));
    doc.sections.push_back(std::move(members));

    ReportSection engagement{.heading = "La participation"};
    engagement.figures = {{"événements tenus", FormatNumber(r.events_held())},
                          {"participations", Shown(r.attendances(), n)}};
    engagement.charts.push_back(
        ChartOf("Membres ayant participé sur la période", r.engagement(), n));
    doc.sections.push_back(std::move(engagement));

    ReportSection introductions{.heading = "Les mises en relation"};
    introductions.paragraphs.push_back(
        "Les mises en relation demandées sur la période, et jusqu'où elles sont allées.");
    introductions.charts.push_back(ChartOf("Mises en relation", r.introductions(), n));
    doc.sections.push_back(std::move(introductions));

    ReportSection actions{.heading = "Les actions collectives et leur financement"};
    actions.figures = {{"actions collectives", FormatNumber(r.collective_actions())},
                       {"membres engagés", Shown(r.action_participants(), n)},
                       {"budget", Euros(r.budget_cents())},
                       {"part publique", Percent(r.public_share())}};
    BarChart funding{.title = "Financement par source", .unit = " €"};
    for (const v1::Figure& f : r.funding_by_source().figures()) {
      funding.bars.push_back(
          {.label = FrenchLabel(f), .value = static_cast<double>(f.value() / 100)});
    }
    if (r.budget_cents() + r.public_cents() + r.private_cents() > 0) {
      actions.charts.push_back(std::move(funding));
    } else {
      actions.paragraphs.push_back("Aucune action collective sur la période.");
    }
    doc.sections.push_back(std::move(actions));

    return Render(doc, req->format(),
                  absl::StrCat("rapport-financeurs-", IsoDate(TimeOf(r.period().start_time())), "-",
                               IsoDate(TimeOf(r.period().end_time()) - absl::Seconds(1))),
                  resp);
  });
}

grpc::ServerUnaryReactor* ReportingService::GetPrintableNetworkReport(
    grpc::CallbackServerContext* ctx, const v1::GetPrintableNetworkReportRequest* req,
    v1::PrintableReport* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_RETURN_IF_ERROR(CheckFormat(req->format()));
    const absl::Time now = deps_.clock();
    v1::GetEngagementRequest engagement_request;
    engagement_request.set_network_id(req->network_id());
    if (req->has_period()) *engagement_request.mutable_period() = req->period();
    v1::EngagementReport engagement;
    MAILLAGE_RETURN_IF_ERROR(ComposeEngagement(&engagement_request, &engagement));
    // The same period for the funnel and the graph as engagement settled on.
    v1::GetIntroductionFunnelRequest funnel_request;
    funnel_request.set_network_id(req->network_id());
    *funnel_request.mutable_period() = engagement.period();
    v1::IntroductionFunnel funnel;
    MAILLAGE_RETURN_IF_ERROR(ComposeIntroductionFunnel(&funnel_request, &funnel));
    v1::GetNetworkGraphRequest graph_request;
    graph_request.set_network_id(req->network_id());
    *graph_request.mutable_period() = engagement.period();
    v1::NetworkGraph graph;
    MAILLAGE_RETURN_IF_ERROR(ComposeNetworkGraph(&graph_request, &graph));
    const int year = absl::ToCivilYear(now, absl::UTCTimeZone()).year();
    v1::GetFundingBalanceRequest balance_request;
    balance_request.set_network_id(req->network_id());
    balance_request.set_first_year(year);
    balance_request.set_last_year(year);
    v1::FundingBalance balance;
    MAILLAGE_RETURN_IF_ERROR(ComposeFundingBalance(&balance_request, &balance));
    MAILLAGE_ASSIGN_OR_RETURN(
        Listed<v1::AnimationEvent> upcoming,
        deps_.store->ListEvents(req->network_id(), "", now,
                                PageQuery{.size = 10, .after = {}, .fingerprint = 0}));
    MAILLAGE_ASSIGN_OR_RETURN(std::string name, deps_.store->NetworkName(req->network_id()));
    v1::GetPoolingHeatmapRequest heatmap_request;
    heatmap_request.set_network_id(req->network_id());
    v1::PoolingHeatmap heatmap;
    MAILLAGE_RETURN_IF_ERROR(ComposePoolingHeatmap(&heatmap_request, &heatmap));

    ReportDocument doc{
        .title = "Rapport d'animation",
        .subtitle =
            absl::StrCat(name.empty() ? "Réseau" : name, " — ", FrenchPeriod(engagement.period())),
        .footer = absl::StrCat("Maillage — document de travail des animateurs, nominatif : ne pas "
                               "diffuser. Édité le ",
                               FrenchDate(now), ".")};

    ReportSection engaged{.heading = "L'engagement des membres"};
    const double trend = engagement.mean_score() - engagement.previous_mean_score();
    engaged.paragraphs.push_back(absl::StrCat(
        "Score moyen ", FormatNumber(engagement.mean_score()), " contre ",
        FormatNumber(engagement.previous_mean_score()), " sur la période précédente (",
        trend >= 0 ? "+" : "", FormatNumber(trend),
        "). Le score compte les mises en relation demandées, répondues, acceptées et suivies, "
        "les diagnostics remplis et les événements suivis."));
    engaged.figures = {
        {"membres actifs", FormatNumber(engagement.members_size())},
        {"membres isolés", FormatNumber(engagement.isolated_organisation_ids_size())},
        {"score moyen", FormatNumber(engagement.mean_score())}};
    engaged.table.push_back({"Membre", "Score", "Avant", "Événements", "Mises en relation"});
    for (int i = 0; i < engagement.members_size() && i < 15; ++i) {
      const v1::MemberEngagement& m = engagement.members(i);
      engaged.table.push_back(
          {m.name(), FormatNumber(m.score()), FormatNumber(m.previous_score()),
           FormatNumber(m.events_attended()),
           FormatNumber(m.introductions_requested() + m.introductions_received())});
    }
    doc.sections.push_back(std::move(engaged));

    if (engagement.isolated_organisation_ids_size() > 0) {
      ReportSection isolated{.heading = "À appeler : les membres sans activité"};
      std::vector<std::string> names;
      for (const v1::MemberEngagement& m : engagement.members()) {
        if (m.isolated()) names.push_back(m.name());
      }
      std::sort(names.begin(), names.end());
      isolated.table.push_back({"Membre"});
      for (const std::string& n : names) isolated.table.push_back({n});
      doc.sections.push_back(std::move(isolated));
    }

    ReportSection introductions{.heading = "Les mises en relation"};
    BarChart stages{.title = "Du premier contact au contrat"};
    for (const v1::FunnelStage& s : funnel.stages()) {
      stages.bars.push_back(
          {.label = StageLabel(s.stage()), .value = static_cast<double>(s.count())});
    }
    introductions.charts.push_back(std::move(stages));
    introductions.figures = {{"refusées", FormatNumber(funnel.declined())},
                             {"sans suite", FormatNumber(funnel.no_follow_up())},
                             {"en attente", FormatNumber(funnel.pending())}};
    doc.sections.push_back(std::move(introductions));

    ReportSection network{.heading = "Le graphe du réseau"};
    network.figures = {{"sous-groupes", FormatNumber(graph.components())},
                       {"membres sans lien", FormatNumber(graph.isolated())},
                       {"liens", FormatNumber(graph.edges_size())}};
    std::vector<const v1::GraphNode*> central;
    for (const v1::GraphNode& node : graph.nodes()) central.push_back(&node);
    std::sort(central.begin(), central.end(), [](const v1::GraphNode* a, const v1::GraphNode* b) {
      return a->betweenness() > b->betweenness();
    });
    network.paragraphs.push_back(
        "Les membres par lesquels passent le plus de chemins entre les autres ; « pont » : sans "
        "lui, son sous-groupe se couperait en deux.");
    network.table.push_back({"Membre", "Partenaires", "Centralité", "Pont"});
    for (size_t i = 0; i < central.size() && i < 10 && central[i]->degree() > 0; ++i) {
      network.table.push_back({central[i]->name(), FormatNumber(central[i]->degree()),
                               Percent(central[i]->betweenness()),
                               central[i]->bridges() ? "oui" : ""});
    }
    doc.sections.push_back(std::move(network));

    if (!heatmap.rows().empty()) {
      ReportSection pooling{.heading = "La mutualisation des fonctions support"};
      pooling.paragraphs.push_back(
          "Pour chaque fonction, combien de membres la matrice du dernier diagnostic place dans "
          "chaque orientation, et combien sont prêts à mutualiser.");
      pooling.table.push_back({"Fonction", "Garder", "Renforcer", "Avec partenaires", "Mutualiser",
                               "Mutualiser ou externaliser", "Offrir", "Prêts à mutualiser"});
      auto count = [](const v1::HeatmapRow& row, std::initializer_list<int> dispositions) {
        int n = 0;
        for (int d : dispositions) {
          auto it = row.members_by_disposition().find(d);
          if (it != row.members_by_disposition().end()) n += it->second;
        }
        return FormatNumber(n);
      };
      for (const v1::HeatmapRow& row : heatmap.rows()) {
        // assessment.v1.Disposition: 1 keep, 2 strengthen in house, 3 strengthen with
        // partners, 4 pool with the network, 5 pool or outsource, 6 keep and may offer,
        // 7 offer to the network.
        pooling.table.push_back({row.function_code(), count(row, {1}), count(row, {2}),
                                 count(row, {3}), count(row, {4}), count(row, {5}),
                                 count(row, {6, 7}), FormatNumber(row.willing_to_pool())});
      }
      doc.sections.push_back(std::move(pooling));
    }

    ReportSection events{.heading = "Les prochains événements"};
    if (upcoming.items.empty()) {
      events.paragraphs.push_back("Aucun événement annoncé.");
    } else {
      events.table.push_back({"Date", "Événement", "Lieu", "Inscrits"});
      for (const v1::AnimationEvent& e : upcoming.items) {
        events.table.push_back(
            {FrenchDate(TimeOf(e.start_time())), e.title(),
             e.place().empty() ? e.link() : e.place(),
             e.capacity() > 0
                 ? absl::StrCat(e.registered_organisation_ids_size(), " / ", e.capacity())
                 : absl::StrCat(e.registered_organisation_ids_size())});
      }
    }
    doc.sections.push_back(std::move(events));

    ReportSection funding{.heading = absl::StrCat("Le financement des actions en ", year)};
    funding.figures = {{"part publique", Percent(balance.public_share())},
                       {"plafond", Percent(balance.public_share_ceiling())},
                       {"argent public", Euros(balance.public_cents())},
                       {"argent privé", Euros(balance.private_cents())}};
    for (const std::string& w : balance.warnings()) {
      funding.paragraphs.push_back(absl::StrCat("Attention : ", w, "."));
    }
    if (!balance.years().empty()) {
      BarChart by_action{.title = "Part publique par action", .unit = " %"};
      for (const v1::ActionBalance& a : balance.years(0).actions()) {
        by_action.bars.push_back({.label = a.title(), .value = a.public_share() * 100});
      }
      funding.charts.push_back(std::move(by_action));
    }
    doc.sections.push_back(std::move(funding));

    return Render(
        doc, req->format(),
        absl::StrCat("rapport-animation-", IsoDate(TimeOf(engagement.period().start_time())), "-",
                     IsoDate(TimeOf(engagement.period().end_time()) - absl::Seconds(1))),
        resp);
  });
}

}  // namespace maillage::reporting
