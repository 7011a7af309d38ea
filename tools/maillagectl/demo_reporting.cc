#include "tools/maillagectl/demo_reporting.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/status/status.h"

namespace maillage::ctl {
namespace {

using ::maillage::auth::v1::NETWORK_ROLE_ANIMATOR;
using ::maillage::auth::v1::NETWORK_ROLE_FUNDER;

constexpr char kKeyPrefix[] = "maillagectl-demo/reporting/";

// ---------------------------------------------------------------------------------------------
// The plans. Events: kind, title, theme, day, start hour (UTC), hours, place, link, host's
// SIREN, capacity, members (who came, or who register), outcomes.

constexpr char kClusterPremises[] =
    "Grappe Numérique Garonne, 105 quai de Paludate, 33800 Bordeaux";
constexpr char kAlliedPremises[] =
    "Artisans Rénovation Pays de Ploërmel, 49 chemin du Moulin, 56800 Ploërmel";

DemoReportingPlan MakeClusterPlan() {
  DemoReportingPlan p;
  p.events = {
      {rv1::ANIMATION_EVENT_KIND_OPEN_FORUM, "Forum des adhérents : ce que nous voulons mutualiser",
       "cartographie des fonctions support", -330, 16, 3, kClusterPremises, "", "", 120, 52,
       "Treize fonctions support retenues pour la cartographie de l'année ; un groupe RH et un "
       "groupe achats se constituent ; la campagne de diagnostic est lancée."},
      {rv1::ANIMATION_EVENT_KIND_WORKSHOP, "Atelier RGPD : tenir son registre des traitements",
       "juridique et conformité", -301, 7, 3, "Rempart Conseil, Talence", "", "509507497", 20, 14,
       "Un modèle de registre commun partagé ; huit membres demandent un accompagnement collectif "
       "par un avocat, à chiffrer."},
      {rv1::ANIMATION_EVENT_KIND_COMPANY_VISIT,
       "Visite du centre de données de Sud Datacenter Services",
       "hébergement et sobriété énergétique", -272, 12, 2,
       "Sud Datacenter Services, Saint-Médard-en-Jalles", "", "938496809", 20, 16,
       "Free cooling et mesure des consommations présentés ; trois agences web étudient une offre "
       "d'hébergement commune."},
      {rv1::ANIMATION_EVENT_KIND_WORLD_CAFE, "World café : recruter et fidéliser les développeurs",
       "recrutement", -243, 7, 3, kClusterPremises, "", "", 40, 27,
       "Idée d'un poste RH à temps partagé entre membres ; un vivier commun d'alternants à "
       "construire avec l'École Garonne des Métiers du Numérique."},
      {rv1::ANIMATION_EVENT_KIND_TRAINING, "Formation : sensibiliser ses équipes à l'hameçonnage",
       "cybersécurité", -214, 7, 7, "Vigie Cyber, Bordeaux", "", "858453764", 15, 12,
       "Douze entreprises formées ; une campagne d'hameçonnage simulée proposée aux membres "
       "volontaires."},
      {rv1::ANIMATION_EVENT_KIND_CLUB_MEETING, "Club des dirigeants : bilan du semestre",
       "actions collectives", -186, 16, 2, kClusterPremises, "", "", 30, 22,
       "Trois actions collectives retenues pour l'année : recrutement RH mutualisé, achat groupé "
       "d'énergie et stand commun au salon."},
      {rv1::ANIMATION_EVENT_KIND_WORKSHOP, "Atelier achats groupés : électricité et assurances",
       "achats groupés", -158, 7, 3, kClusterPremises, "", "", 30, 19,
       "Cahier des charges de l'appel d'offres d'électricité validé ; les membres intéressés "
       "transmettent leurs factures pour l'analyse des consommations."},
      {rv1::ANIMATION_EVENT_KIND_COMPANY_VISIT, "Visite du fablab Atelier Partagé des Bassins",
       "prototypage et fabrication numérique", -129, 15, 2, "Atelier Partagé des Bassins, Bordeaux",
       "", "713834000", 15, 11,
       "Découpe laser et impression 3D en démonstration ; un tarif adhérent du cluster est négocié "
       "pour l'accès aux machines."},
      {rv1::ANIMATION_EVENT_KIND_WORKSHOP,
       "Atelier en ligne : l'accessibilité numérique (RGAA) en pratique", "accessibilité", -101, 12,
       2, "", "https://visio.grappe-numerique-garonne.fr/atelier-rgaa", "551766819", 50, 23,
       "Grille d'auto-évaluation partagée ; les agences web du cluster préparent une offre "
       "commune d'audit et de mise en conformité."},
      {rv1::ANIMATION_EVENT_KIND_TRAINING, "Formation : répondre à plusieurs à un marché public",
       "accès aux marchés publics", -73, 7, 7, kClusterPremises, "", "", 20, 15,
       "Modèle de convention de groupement momentané d'entreprises ; deux réponses communes en "
       "préparation."},
      {rv1::ANIMATION_EVENT_KIND_WORLD_CAFE, "World café : numérique responsable et sobriété",
       "transition écologique", -45, 7, 3, kClusterPremises, "", "", 40, 24,
       "Une charte d'écoconception à proposer aux membres ; l'empreinte de trois sites pilotes "
       "sera mesurée."},
      {rv1::ANIMATION_EVENT_KIND_OPEN_FORUM,
       "Forum alternance : rencontrer les futurs développeurs", "recrutement et alternance", -17,
       12, 4, "École Garonne des Métiers du Numérique, Bègles", "", "180355869", 80, 41,
       "Soixante-dix entretiens avec des étudiants ; dix-huit contrats d'alternance annoncés par "
       "les membres."},
      // To come.
      {rv1::ANIMATION_EVENT_KIND_WORKSHOP, "Atelier : préparer notre stand commun au salon",
       "salon professionnel", 11, 7, 3, kClusterPremises, "", "", 20, 6, ""},
      {rv1::ANIMATION_EVENT_KIND_COMPANY_VISIT,
       "Visite de Reboot Solidaire : reconditionner son parc informatique", "économie circulaire",
       25, 12, 2, "Reboot Solidaire, Bègles", "", "584605497", 20, 8, ""},
      {rv1::ANIMATION_EVENT_KIND_OPEN_FORUM, "Forum des adhérents : bilan de l'année et projets",
       "vie du réseau", 46, 16, 3, kClusterPremises, "", "", 120, 9, ""},
  };
  p.actions = {
      {rv1::COLLECTIVE_ACTION_KIND_POOLED_RECRUITMENT,
       "Recrutement mutualisé d'un(e) RH à temps partagé",
       "Un poste de gestionnaire RH et paie à temps partagé entre les membres volontaires, porté "
       "par un groupement d'employeurs : recrutement, contrats, paie, entretiens annuels et plan "
       "de formation.",
       rv1::COLLECTIVE_ACTION_STATUS_RUNNING,
       -200,
       "hr_admin",
       "hr_admin",
       9,
       {{"Cabinet de recrutement (sélection et entretiens)", 6500},
        {"Salaire chargé du poste à temps partagé, première année", 46000},
        {"Création et gestion du groupement d'employeurs", 3500}},
       {{rv1::FUNDING_SOURCE_KIND_REGION, "Région Nouvelle-Aquitaine", 18000},
        {rv1::FUNDING_SOURCE_KIND_INTERCOMMUNALITY, "Bordeaux Métropole", 8000},
        {rv1::FUNDING_SOURCE_KIND_MEMBER_CONTRIBUTIONS,
         "Cotisations des membres du groupement d'employeurs", 30000}}},
      {rv1::COLLECTIVE_ACTION_KIND_GROUP_PURCHASE,
       "Achat groupé d'énergie",
       "Un appel d'offres commun pour la fourniture d'électricité des locaux des membres, avec "
       "l'analyse de leurs consommations et le suivi des contrats pendant trois ans.",
       rv1::COLLECTIVE_ACTION_STATUS_RUNNING,
       -150,
       "energy_environment.energy_supply",
       "energy_environment.energy_supply",
       14,
       {{"Accompagnement par un courtier en énergie", 9000},
        {"Analyse des consommations des sites", 4500},
        {"Animation de l'appel d'offres et suivi des contrats", 3500}},
       {{rv1::FUNDING_SOURCE_KIND_CHAMBER, "CCI Bordeaux Gironde", 3000},
        {rv1::FUNDING_SOURCE_KIND_MEMBER_CONTRIBUTIONS, "Participation des membres acheteurs",
         11000},
        {rv1::FUNDING_SOURCE_KIND_SPONSOR, "Fondation Estuaire pour l'innovation (mécénat)",
         3000}}},
      {rv1::COLLECTIVE_ACTION_KIND_TRADE_FAIR_STAND,
       "Stand commun au salon VivaTech (Paris)",
       "Un stand de 24 m² partagé par six membres sur l'espace de la Nouvelle-Aquitaine : "
       "conception, montage, déplacements et supports communs.",
       rv1::COLLECTIVE_ACTION_STATUS_DONE,
       -60,
       "marketing",
       "",
       6,
       {{"Location de l'espace (24 m²)", 14000},
        {"Conception et montage du stand", 9000},
        {"Déplacements et hébergement des exposants", 5000},
        {"Supports de communication communs", 2000}},
       {{rv1::FUNDING_SOURCE_KIND_REGION, "Région Nouvelle-Aquitaine", 17000},
        {rv1::FUNDING_SOURCE_KIND_EU_ERDF, "FEDER Nouvelle-Aquitaine", 6000},
        {rv1::FUNDING_SOURCE_KIND_INTERCOMMUNALITY, "Bordeaux Métropole", 3000},
        {rv1::FUNDING_SOURCE_KIND_MEMBER_CONTRIBUTIONS, "Participation des exposants", 4000}}},
  };
  p.funder = {
      "200753309",
      "20075330900018",
      "Région Nouvelle-Aquitaine",
      "84.11Z",
      "250+",
      "33000",
      "Bordeaux",
      "33063",
      "33",
      "75",
      "Collectivité régionale qui cofinance les actions collectives du cluster et suit leurs "
      "résultats dans le rapport des financeurs.",
      "Hélène",
      "Duprat",
      "helene.duprat@nouvelle-aquitaine.example",
      "Chargée de mission filières numériques"};
  return p;
}

DemoReportingPlan MakeAlliedPlan() {
  DemoReportingPlan p;
  p.events = {
      {rv1::ANIMATION_EVENT_KIND_CLUB_MEETING,
       "Réunion du réseau : construire l'offre de rénovation globale",
       "offre globale de rénovation", -326, 17, 2, kAlliedPremises, "", "", 30, 17,
       "Un interlocuteur unique par chantier ; une fiche de liaison entre corps de métier est "
       "adoptée."},
      {rv1::ANIMATION_EVENT_KIND_TRAINING,
       "Formation : isoler les murs anciens à la chaux et au chanvre", "qualification RGE", -297, 7,
       7, "Chanvre & Chaux Bretagne, Mauron", "", "309301133", 12, 9,
       "Neuf artisans formés aux enduits isolants ; une fiche de mise en œuvre commune pour les "
       "longères."},
      {rv1::ANIMATION_EVENT_KIND_COMPANY_VISIT,
       "Visite de chantier : surélévation en ossature bois", "construction bois", -268, 12, 2,
       "Charpente Le Texier, Campénéac", "", "850110289", 15, 10,
       "Points de vigilance sur l'étanchéité à l'air entre charpente et menuiseries ; le "
       "charpentier propose un calepinage partagé."},
      {rv1::ANIMATION_EVENT_KIND_WORKSHOP,
       "Atelier : chiffrer ensemble un devis de rénovation globale", "devis commun", -239, 17, 3,
       kAlliedPremises, "", "", 25, 14,
       "Une trame de devis commune par lots ; la marge de coordination est fixée à 5 % du "
       "montant des travaux."},
      {rv1::ANIMATION_EVENT_KIND_WORLD_CAFE,
       "World café : coordonner les corps de métier sur un chantier", "planning partagé", -210, 17,
       2, kAlliedPremises, "", "", 30, 16,
       "Un planning partagé en ligne testé sur deux chantiers ; une réunion de chantier commune "
       "chaque lundi."},
      {rv1::ANIMATION_EVENT_KIND_TRAINING, "Formation : MaPrimeRénov' et les aides à la rénovation",
       "aides publiques", -181, 7, 4, kAlliedPremises, "", "", 25, 13,
       "Une liste des pièces à fournir par les clients ; le bureau d'études centralise les "
       "dossiers d'aide."},
      {rv1::ANIMATION_EVENT_KIND_COMPANY_VISIT,
       "Visite d'une installation de pompe à chaleur géothermique", "chauffage renouvelable", -152,
       12, 2, "Brocéliande Énergies PAC, Taupont", "", "806898797", 15, 11,
       "Dimensionnement et bruit expliqués ; les électriciens du réseau s'accordent sur le "
       "raccordement des pompes à chaleur."},
      {rv1::ANIMATION_EVENT_KIND_OPEN_FORUM,
       "Forum de la rénovation énergétique du Pays de Ploërmel", "rénovation énergétique", -124, 8,
       6, "Salle des fêtes, 56800 Ploërmel", "", "", 0, 21,
       "Cent vingt particuliers reçus ; quarante demandes de visite technique transmises aux "
       "membres."},
      {rv1::ANIMATION_EVENT_KIND_WORKSHOP,
       "Atelier achats groupés : isolants biosourcés et menuiseries", "achats groupés", -96, 17, 2,
       kAlliedPremises, "", "", 25, 15,
       "Trois fournisseurs consultés ; une commande groupée trimestrielle de ouate de cellulose et "
       "de fibre de bois."},
      {rv1::ANIMATION_EVENT_KIND_CLUB_MEETING,
       "Réunion du réseau : retours sur les chantiers communs", "qualité", -68, 17, 2,
       kAlliedPremises, "", "", 30, 18,
       "Deux réclamations de clients traitées ensemble ; une procédure commune de réception des "
       "travaux."},
      {rv1::ANIMATION_EVENT_KIND_TRAINING,
       "Formation : étanchéité à l'air et test d'infiltrométrie", "performance énergétique", -40, 7,
       7, "Thermi'Yvel Études, Ploërmel", "", "907417802", 12, 10,
       "Dix artisans formés ; des tests d'infiltrométrie à prix réseau proposés en fin de "
       "chantier."},
      {rv1::ANIMATION_EVENT_KIND_WORLD_CAFE,
       "World café : transmettre son entreprise et former des apprentis",
       "transmission et apprentissage", -13, 17, 2, kAlliedPremises, "", "", 30, 14,
       "Quatre cédants d'ici cinq ans ; des apprentis accueillis en alternance entre plusieurs "
       "ateliers avec le CFA du bâtiment."},
      // To come.
      {rv1::ANIMATION_EVENT_KIND_WORKSHOP,
       "Atelier : préparer le stand commun au salon de l'habitat", "salon professionnel", 16, 17, 2,
       kAlliedPremises, "", "", 20, 5, ""},
      {rv1::ANIMATION_EVENT_KIND_COMPANY_VISIT,
       "Visite d'un chantier de rénovation globale à Josselin", "rénovation globale", 37, 12, 2,
       "Maçonnerie Rio, Josselin", "", "304515026", 15, 6, ""},
  };
  p.actions = {
      {rv1::COLLECTIVE_ACTION_KIND_GROUP_PURCHASE,
       "Achat groupé d'isolants biosourcés",
       "Une commande groupée trimestrielle de ouate de cellulose, de fibre de bois et de chanvre "
       "auprès de fournisseurs bretons, avec un stockage partagé à Ploërmel.",
       rv1::COLLECTIVE_ACTION_STATUS_RUNNING,
       -90,
       "purchasing.supplies",
       "",
       10,
       {{"Coordination et négociation avec les fournisseurs", 3500},
        {"Location d'un entrepôt partagé, un an", 6000},
        {"Transport et manutention", 2000}},
       {{rv1::FUNDING_SOURCE_KIND_CHAMBER, "Chambre de métiers et de l'artisanat du Morbihan",
         2000},
        {rv1::FUNDING_SOURCE_KIND_MEMBER_CONTRIBUTIONS, "Participation des artisans acheteurs",
         8500},
        {rv1::FUNDING_SOURCE_KIND_SPONSOR, "Négoce de matériaux partenaire (parrainage)", 1000}}},
      {rv1::COLLECTIVE_ACTION_KIND_SHARED_TRAINING,
       "Formation RGE mutualisée « rénovation performante »",
       "Cinq jours de formation pour obtenir ou renouveler la qualification RGE, organisés à "
       "Ploërmel pour éviter aux artisans les déplacements à Rennes ou à Vannes.",
       rv1::COLLECTIVE_ACTION_STATUS_DONE,
       -180,
       "training",
       "",
       12,
       {{"Organisme de formation (5 jours, 12 stagiaires)", 7800},
        {"Location de salle et plateau technique", 1200}},
       {{rv1::FUNDING_SOURCE_KIND_EU_LEADER, "Programme LEADER du Pays de Ploërmel", 3600},
        {rv1::FUNDING_SOURCE_KIND_INTERCOMMUNALITY, "Ploërmel Communauté", 1400},
        {rv1::FUNDING_SOURCE_KIND_MEMBER_CONTRIBUTIONS, "Participation des artisans", 4000}}},
      {rv1::COLLECTIVE_ACTION_KIND_TRADE_FAIR_STAND,
       "Stand commun au salon de l'habitat de Vannes",
       "Un stand commun qui présente l'offre de rénovation globale du réseau : un interlocuteur "
       "unique, du diagnostic aux travaux.",
       rv1::COLLECTIVE_ACTION_STATUS_PLANNED,
       -20,
       "marketing",
       "",
       7,
       {{"Location de l'emplacement (30 m²)", 5200},
        {"Conception du stand et maquette de rénovation", 3800},
        {"Supports de communication", 1500}},
       {{rv1::FUNDING_SOURCE_KIND_REGION, "Région Bretagne", 4500},
        {rv1::FUNDING_SOURCE_KIND_EU_LEADER, "Programme LEADER du Pays de Ploërmel", 2500},
        {rv1::FUNDING_SOURCE_KIND_INTERCOMMUNALITY, "Ploërmel Communauté", 1800},
        {rv1::FUNDING_SOURCE_KIND_MEMBER_CONTRIBUTIONS, "Participation des exposants", 1700}}},
  };
  p.funder = {
      "200561652",
      "20056165200013",
      "Ploërmel Communauté",
      "84.11Z",
      "50-249",
      "56800",
      "Ploërmel",
      "56165",
      "56",
      "53",
      "Communauté de communes qui soutient le réseau des artisans de la rénovation et suit ses "
      "résultats dans le rapport des financeurs.",
      "Erwan",
      "Le Goff",
      "erwan.le-goff@ploermel-communaute.example",
      "Chargé de développement économique"};
  return p;
}

// ---------------------------------------------------------------------------------------------
// The loader.

// FNV-1a, 64 bits: the same digest of the same text on every machine and every run.
uint64_t Digest(absl::string_view text) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string DigestHex(absl::string_view text) {
  return absl::StrCat(absl::Hex(Digest(text), absl::kZeroPad16));
}

// A CSV field, always quoted.
std::string Quoted(absl::string_view s) {
  return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\"", "\"\""}}), "\"");
}

google::protobuf::Timestamp Stamp(absl::Time t) {
  google::protobuf::Timestamp out;
  out.set_seconds(absl::ToUnixSeconds(t));
  return out;
}

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds());
}

bool IsSettled(v1::MembershipState s) {
  return s == v1::MEMBERSHIP_STATE_LEFT || s == v1::MEMBERSHIP_STATE_REJECTED ||
         s == v1::MEMBERSHIP_STATE_SUSPENDED;
}

// The reporting service does not know the member (or the decision) yet: its consumers have
// not read membership's (or assessment's) events so far.
bool NotKnownYet(const absl::Status& s) {
  return s.code() == absl::StatusCode::kNotFound ||
         (s.code() == absl::StatusCode::kInvalidArgument &&
          (absl::StrContains(s.message(), "not an active member") ||
           absl::StrContains(s.message(), "not a pooling decision")));
}

// `count` of `active` drawn by a digest of their SIREN and `salt`, `first` (when it is one of
// them) before the others.
std::vector<const DemoMember*> Pick(const std::vector<const DemoMember*>& active,
                                    absl::string_view salt, int count,
                                    const DemoMember* first = nullptr) {
  std::vector<std::pair<uint64_t, const DemoMember*>> ranked;
  for (const DemoMember* m : active) {
    ranked.push_back({m == first ? 0 : Digest(absl::StrCat(m->siren, "\x1f", salt)) | 1, m});
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second->siren < b.second->siren;
  });
  std::vector<const DemoMember*> out;
  for (const auto& [rank, m] : ranked) {
    if (static_cast<int>(out.size()) >= count) break;
    out.push_back(m);
  }
  return out;
}

class ReportingLoader {
 public:
  ReportingLoader(const MembershipClient& client, ReportingStub* stub, std::ostream& progress,
                  absl::Time now)
      : client_(client), stub_(stub), progress_(progress), now_(now) {}

  absl::StatusOr<DemoReporting> Load(const DemoNetworkSummary& n, const DemoReportingPlan& plan,
                                     const std::map<std::string, std::string>& decisions);
  int64_t changes() const { return changes_; }

 private:
  // One call, tried again while the service does not know a member or a decision yet.
  template <typename Req, typename Resp>
  absl::StatusOr<Resp> CallWhenKnown(absl::string_view rpc, const auth::Principal& who,
                                     grpc::Status (ReportingStub::*method)(grpc::ClientContext*,
                                                                           const Req&, Resp*),
                                     const Req& request) {
    const absl::Time deadline = absl::Now() + kDemoWaitForReporting;
    while (true) {
      absl::StatusOr<Resp> r = client_.CallOn(stub_, rpc, who, method, request);
      if (r.ok() || !NotKnownYet(r.status())) return r;
      if (absl::Now() > deadline) {
        return absl::Status(
            r.status().code(),
            absl::StrCat(r.status().message(), " (still after ",
                         absl::FormatDuration(kDemoWaitForReporting),
                         ": is the reporting service reading membership's and assessment's "
                         "events, on the same Redis?)"));
      }
      absl::SleepFor(absl::Milliseconds(250));
    }
  }

  absl::Status WaitForMembers(const DemoNetworkSummary& n, const auth::Principal& animator,
                              const std::vector<const DemoMember*>& active);
  absl::Status Funder(const DemoNetworkSummary& n, const DemoFunderPlan& f,
                      const auth::Principal& animator, DemoReporting* out);
  absl::Status Events(const DemoNetworkSummary& n, const DemoReportingPlan& plan,
                      const auth::Principal& animator, const std::vector<const DemoMember*>& active,
                      DemoReporting* out);
  absl::Status Actions(const DemoNetworkSummary& n, const DemoReportingPlan& plan,
                       const auth::Principal& animator,
                       const std::vector<const DemoMember*>& active,
                       const std::map<std::string, std::string>& decisions, DemoReporting* out);

  const MembershipClient& client_;
  ReportingStub* stub_;
  std::ostream& progress_;
  const absl::Time now_;
  int64_t changes_ = 0;
  const auth::Principal operator_ = PlatformAdmin("maillagectl-demo");
};

absl::Status ReportingLoader::WaitForMembers(const DemoNetworkSummary& n,
                                             const auth::Principal& animator,
                                             const std::vector<const DemoMember*>& active) {
  rv1::GetEngagementRequest req;
  req.set_network_id(n.network_id);
  const absl::Time deadline = absl::Now() + kDemoWaitForReporting;
  size_t seen = 0;
  while (true) {
    MAILLAGE_ASSIGN_OR_RETURN(
        rv1::EngagementReport report,
        client_.CallOn(stub_, "GetEngagement", animator, &ReportingStub::GetEngagement, req));
    std::set<std::string> known;
    for (const rv1::MemberEngagement& m : report.members()) known.insert(m.organisation_id());
    seen = 0;
    for (const DemoMember* m : active) seen += known.contains(m->organisation_id) ? 1 : 0;
    if (seen == active.size()) return absl::OkStatus();
    if (absl::Now() > deadline) break;
    absl::SleepFor(absl::Milliseconds(250));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "the reporting service sees ", seen, " of the ", active.size(), " active members of network ",
      n.network_id, " after ", absl::FormatDuration(kDemoWaitForReporting),
      ": is it reading membership's events (MAILLAGE_MEMBERSHIP_EVENTS_STREAM, the same Redis)?"));
}

absl::Status ReportingLoader::Funder(const DemoNetworkSummary& n, const DemoFunderPlan& f,
                                     const auth::Principal& animator, DemoReporting* out) {
  out->funder_name = f.legal_name;
  auto find = [&]() -> absl::StatusOr<std::string> {
    v1::ListOrganisationsRequest req;
    req.set_siren_prefix(f.siren);
    req.mutable_page()->set_page_size(10);
    MAILLAGE_ASSIGN_OR_RETURN(
        v1::ListOrganisationsResponse found,
        client_.Call("ListOrganisations", operator_, &Stub::ListOrganisations, req));
    for (const v1::Organisation& o : found.organisations()) {
      if (o.siren() == f.siren) return o.organisation_id();
    }
    return std::string();
  };
  // 1. The public body and its contact, imported like the demo files' rows (SIREN-keyed).
  MAILLAGE_ASSIGN_OR_RETURN(out->funder_organisation_id, find());
  if (out->funder_organisation_id.empty()) {
    const std::string csv = absl::StrCat(
        "siren,siret,legal_name,kind,naf_code,headcount_band,postal_code,city,commune_code,"
        "departement_code,region_code,description,contact_first_name,contact_last_name,"
        "contact_email,contact_title\r\n",
        f.siren, ",", f.siret, ",", Quoted(f.legal_name), ",public_body,", f.naf_code, ",",
        f.headcount_band, ",", f.postal_code, ",", Quoted(f.city), ",", f.commune_code, ",",
        f.departement_code, ",", f.region_code, ",", Quoted(f.description), ",",
        Quoted(f.contact_first_name), ",", Quoted(f.contact_last_name), ",", f.contact_email, ",",
        Quoted(f.contact_title), "\r\n");
    std::istringstream in(csv);
    MAILLAGE_ASSIGN_OR_RETURN(
        v1::ImportReport report,
        client_.Import(operator_, in, static_cast<int64_t>(csv.size()),
                       v1::ImportOrganisationsRequest::Options(), [](int64_t) {}));
    if (report.errors_size() > 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("the funder ", f.legal_name, " was refused: field ",
                       report.errors(0).field(), ": ", report.errors(0).reason()));
    }
    changes_ += report.organisations_created() + report.people_created();
    MAILLAGE_ASSIGN_OR_RETURN(out->funder_organisation_id, find());
    if (out->funder_organisation_id.empty()) {
      return absl::NotFoundError(
          absl::StrCat("SIREN ", f.siren, " is not known to the service after the import"));
    }
  }
  v1::ListRepresentationsRequest reps;
  reps.set_organisation_id(out->funder_organisation_id);
  MAILLAGE_ASSIGN_OR_RETURN(
      v1::ListRepresentationsResponse listed,
      client_.Call("ListRepresentations", operator_, &Stub::ListRepresentations, reps));
  for (const v1::Representation& r : listed.representations()) {
    if (out->funder_person_id.empty() ||
        absl::EqualsIgnoreCase(r.person().email(), f.contact_email)) {
      out->funder_person_id = r.person_id();
    }
  }
  if (out->funder_person_id.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(f.legal_name, " has no representative to read the funder report"));
  }

  // 2. The animator invites it as the network's funder; its person accepts.
  v1::ListMembershipsRequest filter;
  filter.set_organisation_id(out->funder_organisation_id);
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::Membership> memberships,
                            client_.ListAllMemberships(operator_, filter));
  v1::Membership m;
  for (const v1::Membership& each : memberships) {
    if (each.network_id() == n.network_id) m = each;
  }
  if (m.membership_id().empty()) {
    v1::ApplyForMembershipRequest invite;
    invite.set_network_id(n.network_id);
    invite.set_organisation_id(out->funder_organisation_id);
    invite.set_role(NETWORK_ROLE_FUNDER);
    invite.set_motivation(
        "Financeur du réseau : suit les résultats des actions qu'il cofinance dans le rapport des "
        "financeurs (chiffres agrégés et anonymisés).");
    invite.set_idempotency_key(absl::StrCat(kKeyPrefix, "funder/", n.network_id, "/", f.siren));
    MAILLAGE_ASSIGN_OR_RETURN(
        m, client_.Call("ApplyForMembership", animator, &Stub::ApplyForMembership, invite));
    ++changes_;
  }
  if (m.state() == v1::MEMBERSHIP_STATE_INVITED) {
    v1::AcceptInvitationRequest accept;
    accept.set_membership_id(m.membership_id());
    MAILLAGE_ASSIGN_OR_RETURN(
        m, client_.Call("AcceptInvitation",
                        Representative(out->funder_organisation_id, out->funder_person_id),
                        &Stub::AcceptInvitation, accept));
    ++changes_;
  }
  if (IsSettled(m.state()) || m.role() != NETWORK_ROLE_FUNDER) {
    progress_ << n.name << ": the funder " << f.legal_name << " has a membership "
              << v1::MembershipState_Name(m.state()) << " as "
              << auth::v1::NetworkRole_Name(m.role()) << "; left as is\n";
  }
  return absl::OkStatus();
}

absl::Status ReportingLoader::Events(const DemoNetworkSummary& n, const DemoReportingPlan& plan,
                                     const auth::Principal& animator,
                                     const std::vector<const DemoMember*>& active,
                                     DemoReporting* out) {
  // The network's events from two years back, by title.
  std::map<std::string, rv1::AnimationEvent> existing;
  rv1::ListAnimationEventsRequest list;
  list.set_network_id(n.network_id);
  *list.mutable_from_time() = Stamp(now_ - absl::Hours(24 * 731));
  list.mutable_page()->set_page_size(500);
  while (true) {
    MAILLAGE_ASSIGN_OR_RETURN(rv1::ListAnimationEventsResponse page,
                              client_.CallOn(stub_, "ListAnimationEvents", animator,
                                             &ReportingStub::ListAnimationEvents, list));
    for (const rv1::AnimationEvent& e : page.events()) existing.emplace(e.title(), e);
    if (page.page().next_page_token().empty()) break;
    list.mutable_page()->set_page_token(page.page().next_page_token());
  }
  std::map<std::string, const DemoMember*> by_siren;
  for (const DemoMember* m : active) by_siren[m->siren] = m;

  int created = 0, attendance_lists = 0, registered = 0;
  for (size_t k = 0; k < plan.events.size(); ++k) {
    const DemoEventPlan& p = plan.events[k];
    auto host_it = by_siren.find(p.host_siren);
    const DemoMember* host = host_it == by_siren.end() ? nullptr : host_it->second;
    rv1::AnimationEvent event;
    if (auto it = existing.find(p.title); it != existing.end()) {
      event = it->second;
    } else {
      rv1::CreateAnimationEventRequest create;
      create.set_network_id(n.network_id);
      rv1::AnimationEvent* e = create.mutable_event();
      e->set_kind(p.kind);
      e->set_title(p.title);
      e->set_theme(p.theme);
      const absl::Time start = DemoEventStart(p, now_);
      *e->mutable_start_time() = Stamp(start);
      *e->mutable_end_time() = Stamp(start + absl::Hours(p.hours));
      e->set_place(p.place);
      e->set_link(p.link);
      if (host != nullptr) e->set_organiser_organisation_id(host->organisation_id);
      e->set_capacity(p.capacity);
      // Should the answer be lost, a retry returns the event made the first time.
      create.set_idempotency_key(absl::StrCat(kKeyPrefix, "event/", n.network_id, "/", k + 1, "/",
                                              DigestHex(e->SerializeAsString())));
      MAILLAGE_ASSIGN_OR_RETURN(event, CallWhenKnown("CreateAnimationEvent", animator,
                                                     &ReportingStub::CreateAnimationEvent, create));
      ++changes_;
      ++created;
    }
    if (TimeOf(event.start_time()) <= now_) {
      ++out->events_held;
      if (event.attended_organisation_ids_size() > 0) {
        out->attendances += event.attended_organisation_ids_size();
        continue;
      }
      // Held: the animator records who came. An event of the plan to come that has been held
      // since an earlier load: those who registered came.
      rv1::RecordAttendanceRequest record;
      record.set_event_id(event.event_id());
      if (p.day < 0) {
        for (const DemoMember* m : Pick(active, p.title, p.members, host)) {
          record.add_attended_organisation_ids(m->organisation_id);
        }
        record.set_outcomes(p.outcomes);
      } else {
        *record.mutable_attended_organisation_ids() = event.registered_organisation_ids();
      }
      if (record.attended_organisation_ids_size() == 0) continue;
      MAILLAGE_ASSIGN_OR_RETURN(event, CallWhenKnown("RecordAttendance", animator,
                                                     &ReportingStub::RecordAttendance, record));
      out->attendances += event.attended_organisation_ids_size();
      ++changes_;
      ++attendance_lists;
      continue;
    }
    // To come: a few members register, each through its own representative.
    ++out->events_coming;
    std::set<std::string> already(event.registered_organisation_ids().begin(),
                                  event.registered_organisation_ids().end());
    for (const DemoMember* m : Pick(active, p.title, p.members)) {
      if (already.contains(m->organisation_id)) continue;
      if (p.capacity > 0 && static_cast<int>(already.size()) >= p.capacity) break;
      rv1::RegisterForEventRequest reg;
      reg.set_event_id(event.event_id());
      reg.set_organisation_id(m->organisation_id);
      MAILLAGE_ASSIGN_OR_RETURN(
          event, CallWhenKnown("RegisterForEvent", Representative(m->organisation_id, m->person_id),
                               &ReportingStub::RegisterForEvent, reg));
      already.insert(m->organisation_id);
      ++changes_;
      ++registered;
    }
    out->registrations += static_cast<int>(already.size());
  }
  progress_ << n.name << ": " << out->events_held << " animation events held and "
            << out->events_coming << " to come (" << created << " announced, " << attendance_lists
            << " attendance lists and " << registered << " registrations recorded now)\n";
  return absl::OkStatus();
}

absl::Status ReportingLoader::Actions(const DemoNetworkSummary& n, const DemoReportingPlan& plan,
                                      const auth::Principal& animator,
                                      const std::vector<const DemoMember*>& active,
                                      const std::map<std::string, std::string>& decisions,
                                      DemoReporting* out) {
  std::set<std::string> existing;
  rv1::ListCollectiveActionsRequest list;
  list.set_network_id(n.network_id);
  list.mutable_page()->set_page_size(500);
  while (true) {
    MAILLAGE_ASSIGN_OR_RETURN(rv1::ListCollectiveActionsResponse page,
                              client_.CallOn(stub_, "ListCollectiveActions", animator,
                                             &ReportingStub::ListCollectiveActions, list));
    for (const rv1::CollectiveAction& a : page.actions()) existing.insert(a.title());
    if (page.page().next_page_token().empty()) break;
    list.mutable_page()->set_page_token(page.page().next_page_token());
  }
  int created = 0;
  for (size_t k = 0; k < plan.actions.size(); ++k) {
    const DemoActionPlan& p = plan.actions[k];
    ++out->actions;
    if (existing.contains(p.title)) continue;
    rv1::CreateCollectiveActionRequest create;
    create.set_network_id(n.network_id);
    rv1::CollectiveAction* a = create.mutable_action();
    a->set_kind(p.kind);
    a->set_title(p.title);
    a->set_description(p.description);
    a->set_status(p.status);
    a->set_year(DemoActionYear(p, now_));
    a->set_function_code(p.function_code);
    for (const DemoMember* m : Pick(active, p.title, p.participants)) {
      a->add_participant_organisation_ids(m->organisation_id);
    }
    for (const DemoBudgetLinePlan& l : p.budget) {
      rv1::BudgetLine* line = a->add_budget_lines();
      line->set_label(l.label);
      line->set_amount_cents(l.euros * 100);
    }
    for (const DemoFundingPlan& f : p.funding) {
      rv1::FundingSource* source = a->add_funding_sources();
      source->set_kind(f.kind);
      source->set_funder_name(f.funder);
      source->set_amount_cents(f.euros * 100);
    }
    if (auto it = decisions.find(p.decision_function_code);
        *p.decision_function_code != '\0' && it != decisions.end()) {
      a->add_decision_ids(it->second);
    }
    create.set_idempotency_key(absl::StrCat(kKeyPrefix, "action/", n.network_id, "/", k + 1, "/",
                                            DigestHex(a->SerializeAsString())));
    MAILLAGE_RETURN_IF_ERROR(CallWhenKnown("CreateCollectiveAction", animator,
                                           &ReportingStub::CreateCollectiveAction, create)
                                 .status());
    ++changes_;
    ++created;
  }
  rv1::GetFundingBalanceRequest balance_req;
  balance_req.set_network_id(n.network_id);
  MAILLAGE_ASSIGN_OR_RETURN(rv1::FundingBalance balance,
                            client_.CallOn(stub_, "GetFundingBalance", animator,
                                           &ReportingStub::GetFundingBalance, balance_req));
  out->warnings.assign(balance.warnings().begin(), balance.warnings().end());
  progress_ << n.name << ": " << out->actions << " collective actions (" << created
            << " recorded now), " << out->warnings.size() << " funding warnings\n";
  return absl::OkStatus();
}

absl::StatusOr<DemoReporting> ReportingLoader::Load(
    const DemoNetworkSummary& n, const DemoReportingPlan& plan,
    const std::map<std::string, std::string>& decisions) {
  const auth::Principal animator = Representative(n.animating_organisation_id, n.animator_person_id,
                                                  {Grant(n.network_id, NETWORK_ROLE_ANIMATOR)});
  DemoReporting out{.network_id = n.network_id, .network_name = n.name};
  std::vector<const DemoMember*> active;
  for (const DemoMember& m : n.members) {
    if (m.state == v1::MEMBERSHIP_STATE_ACTIVE) active.push_back(&m);
  }
  MAILLAGE_RETURN_IF_ERROR(WaitForMembers(n, animator, active));
  MAILLAGE_RETURN_IF_ERROR(Funder(n, plan.funder, animator, &out));
  MAILLAGE_RETURN_IF_ERROR(Events(n, plan, animator, active, &out));
  MAILLAGE_RETURN_IF_ERROR(Actions(n, plan, animator, active, decisions, &out));
  return out;
}

}  // namespace

const DemoReportingPlan& DemoReportingPlanFor(membership::v1::NetworkKind kind) {
  static const auto* cluster = new DemoReportingPlan(MakeClusterPlan());
  static const auto* allied = new DemoReportingPlan(MakeAlliedPlan());
  return kind == v1::NETWORK_KIND_CLUSTER ? *cluster : *allied;
}

absl::Time DemoEventStart(const DemoEventPlan& e, absl::Time now) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::Time today = absl::FromCivil(absl::ToCivilDay(now, utc), utc);
  return today + absl::Hours(24 * e.day + e.start_hour_utc);
}

int DemoActionYear(const DemoActionPlan& a, absl::Time now) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  return static_cast<int>(absl::ToCivilYear(now + absl::Hours(24 * a.day), utc).year());
}

absl::StatusOr<DemoReportingResult> LoadDemoReporting(const MembershipClient& client,
                                                      ReportingStub* reporting,
                                                      const DemoResult& networks,
                                                      const DemoAssessmentResult* assessments,
                                                      std::ostream& progress, absl::Time now) {
  ReportingLoader loader(client, reporting, progress, now);
  DemoReportingResult result;
  for (const DemoNetworkSummary& n : networks.networks) {
    std::map<std::string, std::string> decisions;
    if (assessments != nullptr) {
      for (const DemoCampaign& c : assessments->campaigns) {
        if (c.network_id == n.network_id) decisions = c.decision_ids;
      }
    }
    MAILLAGE_ASSIGN_OR_RETURN(DemoReporting r,
                              loader.Load(n, DemoReportingPlanFor(n.kind), decisions));
    result.networks.push_back(std::move(r));
  }
  result.changes = loader.changes();
  return result;
}

}  // namespace maillage::ctl
