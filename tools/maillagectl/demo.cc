#include "tools/maillagectl/demo.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/status.h"
#include "tools/maillagectl/csv_records.h"

namespace maillage::ctl {
namespace {

using ::maillage::auth::v1::NETWORK_ROLE_ANIMATOR;
using ::maillage::auth::v1::NETWORK_ROLE_BOARD;
using ::maillage::auth::v1::NETWORK_ROLE_MEMBER;
using ::maillage::auth::v1::NETWORK_ROLE_OBSERVER;
using ::maillage::auth::v1::NETWORK_ROLE_PARTNER;

// The seeds make the "random" choices the same on every run and every machine: std::mt19937's
// output is fixed by the standard, and we draw from it without std's distributions, which
// are not.
constexpr uint32_t kClusterSeed = 33063;  // Bordeaux's INSEE code
constexpr uint32_t kAlliedSeed = 56165;   // Ploërmel's

constexpr char kOperatorSubject[] = "maillagectl";
constexpr char kKeyPrefix[] = "maillagectl-demo/";

constexpr char kClusterCharter[] =
    R"(Charte du Cluster numérique de Bordeaux Métropole

Les entreprises, associations et partenaires qui adhèrent au cluster partagent les principes suivants. Chaque membre signe la charte par l'intermédiaire de son représentant ; toute nouvelle version est signée à nouveau.

1. Créer le lien
Le cluster vit d'abord des relations entre ses membres. Chacun s'engage à participer à la vie du réseau (rencontres, ateliers, groupes de travail), à dire ce qu'il vient chercher et ce qu'il peut apporter, et à répondre aux demandes de mise en relation, qu'il les accepte ou qu'il les décline.

2. Définir des objectifs communs
Les membres fixent ensemble les objectifs du cluster et les actions collectives qui en découlent : mutualisation de fonctions support, achats groupés, projets de recherche et développement, réponses communes aux appels d'offres. Les entreprises membres décident de la stratégie ; l'équipe d'animation la met en œuvre et en rend compte.

3. Être transparents sur les règles
Les conditions d'adhésion, le fonctionnement des instances, le budget des actions collectives et la part des financements publics et privés sont connus de tous les membres. Les décisions d'admission sont motivées.

4. Garantir la confidentialité des diagnostics individuels
Les autodiagnostics d'un membre, qui montrent aussi ses fragilités, ne sont consultés que par lui-même et par l'équipe d'animation. Seuls des résultats agrégés et anonymisés sont partagés avec les autres membres et avec les financeurs, et aucun résultat n'est présenté pour un groupe trop petit pour préserver l'anonymat.

5. Coopérer loyalement
La complémentarité prime sur la concurrence. Les informations échangées au sein du cluster ne sont pas utilisées contre un autre membre, et nul ne débauche les salariés d'un autre membre rencontrés grâce au réseau.
)";

constexpr char kAlliedCharter[] =
    R"(Charte du Réseau des artisans de la rénovation du Pays de Ploërmel

Artisans du bâtiment, bureau d'études et architecte du Pays de Ploërmel, nous nous allions pour proposer aux particuliers une offre globale de rénovation énergétique, du diagnostic à la réception des travaux.

1. Créer le lien
Nous nous retrouvons régulièrement, sur les chantiers comme aux réunions du réseau ; nous partageons nos contacts, nos retours d'expérience et nos disponibilités, et nous répondons aux sollicitations des autres membres.

2. Des objectifs communs
Ensemble, nous visons des rénovations performantes et coordonnées : un interlocuteur unique pour le client, un planning partagé entre les corps de métier, des qualifications RGE tenues à jour et des achats groupés de matériaux quand ils sont utiles.

3. Des règles transparentes
Le réseau s'agrandit par cooptation : une entreprise candidate est parrainée par deux membres actifs, puis signe la présente charte. La répartition des chantiers communs et des frais partagés est connue de tous.

4. La confidentialité des diagnostics individuels
Le diagnostic de chaque entreprise (accès aux marchés, compétences, finances, technique, transition écologique) reste entre l'entreprise et l'animateur du réseau. Seuls des résultats d'ensemble, anonymes, sont présentés au groupe et à ses partenaires.

5. Qualité et loyauté
Chaque membre respecte les règles de l'art et les engagements pris envers les clients communs, et ne démarche pas pour son propre compte les clients apportés par un autre membre.
)";

// One row of a demo file, and what the service knows it as once imported.
struct Member {
  int64_t line = 0;
  std::string raw;
  std::string siren;
  std::string legal_name;
  std::string role;
  std::string email;
  std::string departement;
  std::string region;
  std::string commune;
  std::string organisation_id;
  // Its representative: the contact of the row.
  std::string person_id;
};

struct MemberFile {
  std::string path;
  std::string header;
  std::vector<Member> members;
};

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return absl::NotFoundError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", path));
  return text.str();
}

absl::StatusOr<MemberFile> ReadMemberFile(const std::string& path) {
  MAILLAGE_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  absl::StatusOr<std::vector<CsvRecord>> records = SplitCsv(text);
  if (!records.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", records.status().message()));
  }
  if (records->size() < 2) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": no rows under the header"));
  }
  std::map<std::string, size_t> columns;
  for (size_t i = 0; i < (*records)[0].fields.size(); ++i) {
    columns[absl::AsciiStrToLower(absl::StripAsciiWhitespace((*records)[0].fields[i]))] = i;
  }
  for (const char* required : {"siren", "legal_name", "role", "contact_email", "departement_code",
                               "region_code", "commune_code"}) {
    if (!columns.contains(required)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": no column '", required, "' (see data/demo/README.md)"));
    }
  }
  MemberFile file{.path = path, .header = (*records)[0].raw, .members = {}};
  for (size_t r = 1; r < records->size(); ++r) {
    const CsvRecord& record = (*records)[r];
    auto field = [&](const char* name) -> std::string {
      size_t i = columns.at(name);
      return i < record.fields.size() ? std::string(absl::StripAsciiWhitespace(record.fields[i]))
                                      : "";
    };
    file.members.push_back(Member{.line = record.line,
                                  .raw = record.raw,
                                  .siren = field("siren"),
                                  .legal_name = field("legal_name"),
                                  .role = absl::AsciiStrToLower(field("role")),
                                  .email = field("contact_email"),
                                  .departement = field("departement_code"),
                                  .region = field("region_code"),
                                  .commune = field("commune_code"),
                                  .organisation_id = "",
                                  .person_id = ""});
  }
  return file;
}

// The one row whose role is animator.
absl::StatusOr<size_t> AnimatorRow(const MemberFile& file) {
  std::vector<size_t> found;
  for (size_t i = 0; i < file.members.size(); ++i) {
    if (file.members[i].role == "animator") found.push_back(i);
  }
  if (found.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        file.path, ": expected exactly one row with role 'animator', found ", found.size()));
  }
  return found[0];
}

// `k` distinct elements of `pool`, drawn with `rng` (a partial Fisher-Yates shuffle).
std::vector<size_t> Draw(std::mt19937& rng, std::vector<size_t> pool, size_t k) {
  k = std::min(k, pool.size());
  for (size_t j = 0; j < k; ++j) {
    size_t r = j + rng() % (pool.size() - j);
    std::swap(pool[j], pool[r]);
  }
  pool.resize(k);
  return pool;
}

void Shuffle(std::mt19937& rng, std::vector<size_t>& v) { v = Draw(rng, v, v.size()); }

// The file's territory: its most common region, and every département (and, for a local
// network, every commune) that appears.
common::v1::Territory TerritoryOf(const MemberFile& file, bool with_communes) {
  std::map<std::string, int> regions;
  std::set<std::string> departements;
  std::set<std::string> communes;
  for (const Member& m : file.members) {
    if (!m.region.empty()) ++regions[m.region];
    if (!m.departement.empty()) departements.insert(m.departement);
    if (!m.commune.empty()) communes.insert(m.commune);
  }
  common::v1::Territory t;
  auto top = std::max_element(regions.begin(), regions.end(),
                              [](const auto& a, const auto& b) { return a.second < b.second; });
  if (top != regions.end()) t.set_region_code(top->first);
  for (const std::string& d : departements) t.add_departement_codes(d);
  if (with_communes) {
    for (const std::string& c : communes) t.add_commune_codes(c);
  }
  return t;
}

bool IsSettledElsewhere(v1::MembershipState s) {
  return s == v1::MEMBERSHIP_STATE_LEFT || s == v1::MEMBERSHIP_STATE_REJECTED ||
         s == v1::MEMBERSHIP_STATE_SUSPENDED;
}

bool HasSponsor(const v1::Membership& m, const std::string& organisation_id) {
  return std::any_of(
      m.sponsorships().begin(), m.sponsorships().end(),
      [&](const v1::Sponsorship& s) { return s.sponsor_organisation_id() == organisation_id; });
}

std::string StateWord(v1::MembershipState s) {
  switch (s) {
    case v1::MEMBERSHIP_STATE_APPLIED:
      return "applied";
    case v1::MEMBERSHIP_STATE_SPONSORED:
      return "sponsored";
    case v1::MEMBERSHIP_STATE_ACTIVE:
      return "active";
    case v1::MEMBERSHIP_STATE_SUSPENDED:
      return "suspended";
    case v1::MEMBERSHIP_STATE_LEFT:
      return "left";
    case v1::MEMBERSHIP_STATE_REJECTED:
      return "rejected";
    default:
      return "unspecified";
  }
}

std::string RoleWord(auth::v1::NetworkRole r) {
  switch (r) {
    case NETWORK_ROLE_MEMBER:
      return "member";
    case NETWORK_ROLE_ANIMATOR:
      return "animator";
    case NETWORK_ROLE_BOARD:
      return "board";
    case NETWORK_ROLE_PARTNER:
      return "partner";
    case NETWORK_ROLE_OBSERVER:
      return "observer";
    case auth::v1::NETWORK_ROLE_FUNDER:
      return "funder";
    default:
      return "unspecified";
  }
}

std::string Described(const v1::Membership& m) {
  return absl::StrCat(m.membership_id(), "  (", m.organisation_name(), ")");
}

class Loader {
 public:
  Loader(const MembershipClient& client, std::ostream& progress)
      : client_(client), progress_(progress) {}

  int64_t changes() const { return changes_; }

  absl::StatusOr<DemoNetworkSummary> LoadCluster(MemberFile& file);
  absl::StatusOr<DemoNetworkSummary> LoadAllied(MemberFile& file);

 private:
  static auth::Principal Admin() { return PlatformAdmin(kOperatorSubject); }
  static auth::Principal RepresentativeOf(const Member& m,
                                          std::vector<auth::v1::NetworkGrant> grants = {}) {
    return Representative(m.organisation_id, m.person_id, std::move(grants));
  }
  // A representative of a member of `network_id`, holding the member's role there, as the
  // gateway builds principals from memberships.
  static auth::Principal MemberOf(const std::string& network_id, const Member& m) {
    return RepresentativeOf(m, {Grant(network_id, RoleOf(m))});
  }
  static auth::v1::NetworkRole RoleOf(const Member& m) {
    auth::v1::NetworkRole role = NETWORK_ROLE_MEMBER;
    if (!auth::v1::NetworkRole_Parse(absl::StrCat("NETWORK_ROLE_", absl::AsciiStrToUpper(m.role)),
                                     &role)) {
      role = NETWORK_ROLE_MEMBER;
    }
    return role;
  }

  absl::Status Import(absl::string_view label, const MemberFile& file,
                      const std::vector<const Member*>& rows, const std::string& network_id,
                      const auth::Principal& who);
  // Fills organisation_id and person_id of every row from the service.
  absl::Status Resolve(MemberFile& file);
  absl::StatusOr<v1::Network> FindOrCreateNetwork(absl::string_view label, const v1::Network& draft,
                                                  const Member& animator);
  absl::StatusOr<std::map<std::string, v1::Membership>> MembershipsByOrganisation(
      const std::string& network_id);
  absl::Status Sign(v1::Membership& m, const Member& signer, int charter_version);
  // The animator invites `member` with its CSV role; its representative accepts.
  absl::Status InviteAndAccept(const v1::Network& network, const Member& member,
                               const auth::Principal& animator);
  absl::StatusOr<v1::Membership> Apply(const v1::Network& network, const Member& applicant,
                                       const std::string& motivation);
  absl::Status Summarise(const v1::Network& network, const Member& animator,
                         DemoNetworkSummary* summary, std::vector<v1::Membership>* memberships);

  const MembershipClient& client_;
  std::ostream& progress_;
  int64_t changes_ = 0;
};

absl::Status Loader::Import(absl::string_view label, const MemberFile& file,
                            const std::vector<const Member*>& rows, const std::string& network_id,
                            const auth::Principal& who) {
  // The chosen rows, byte for byte, under the file's header. line_of maps the lines of this
  // text back to the file's, so rejections point at the file the operator can open.
  std::string csv;
  std::map<int64_t, int64_t> line_of;
  int64_t line = 1;
  auto append = [&](const std::string& raw, int64_t file_line) {
    line_of[line] = file_line;
    csv += raw;
    bool unterminated = raw.empty() || raw.back() != '\n';
    if (unterminated) csv += "\r\n";
    line += std::count(raw.begin(), raw.end(), '\n') + (unterminated ? 1 : 0);
  };
  append(file.header, 1);
  for (const Member* m : rows) append(m->raw, m->line);

  std::istringstream in(csv);
  v1::ImportOrganisationsRequest::Options options;
  options.set_network_id(network_id);
  MAILLAGE_ASSIGN_OR_RETURN(
      v1::ImportReport report,
      client_.Import(who, in, static_cast<int64_t>(csv.size()), options, [](int64_t) {}));
  if (report.errors_size() > 0) {
    std::string errors;
    for (const v1::ImportRowError& e : report.errors()) {
      auto it = line_of.find(e.line());
      absl::StrAppend(&errors, "\n  line ", it == line_of.end() ? e.line() : it->second, ", field ",
                      e.field(), ": ", e.reason());
    }
    return absl::FailedPreconditionError(
        absl::StrCat(file.path, ": the service rejected rows of the demo file:", errors));
  }
  int64_t writes = report.organisations_created() + report.organisations_updated() +
                   report.people_created() + report.memberships_created();
  changes_ += writes;
  progress_ << label << ": " << report.rows_read() << " rows; organisations "
            << report.organisations_created() << " created, " << report.organisations_updated()
            << " updated, " << report.organisations_unchanged() << " unchanged; people "
            << report.people_created() << " created";
  if (!network_id.empty())
    progress_ << "; memberships " << report.memberships_created() << " created";
  progress_ << "\n";
  return absl::OkStatus();
}

absl::Status Loader::Resolve(MemberFile& file) {
  for (Member& m : file.members) {
    v1::ListOrganisationsRequest find;
    find.set_siren_prefix(m.siren);
    find.mutable_page()->set_page_size(10);
    MAILLAGE_ASSIGN_OR_RETURN(
        v1::ListOrganisationsResponse found,
        client_.Call("ListOrganisations", Admin(), &Stub::ListOrganisations, find));
    for (const v1::Organisation& o : found.organisations()) {
      if (o.siren() == m.siren) m.organisation_id = o.organisation_id();
    }
    if (m.organisation_id.empty()) {
      return absl::NotFoundError(absl::StrCat(file.path, " line ", m.line, ": SIREN ", m.siren,
                                              " is not known to the service after the import"));
    }
    v1::ListRepresentationsRequest reps;
    reps.set_organisation_id(m.organisation_id);
    MAILLAGE_ASSIGN_OR_RETURN(
        v1::ListRepresentationsResponse listed,
        client_.Call("ListRepresentations", Admin(), &Stub::ListRepresentations, reps));
    for (const v1::Representation& r : listed.representations()) {
      // The row's contact if it is there, else whoever represents the organisation.
      if (m.person_id.empty() || absl::EqualsIgnoreCase(r.person().email(), m.email)) {
        m.person_id = r.person_id();
      }
    }
    if (m.person_id.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat(file.path, " line ", m.line, ": ", m.legal_name,
                       " has no representative to act for it (give the row a contact)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Network> Loader::FindOrCreateNetwork(absl::string_view label,
                                                        const v1::Network& draft,
                                                        const Member& animator) {
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::Network> found,
                            client_.FindNetworksByName(Admin(), draft.name()));
  if (!found.empty()) {
    if (found.size() > 1) {
      progress_ << label << ": note: " << found.size() << " networks are named '" << draft.name()
                << "'; using the oldest\n";
    }
    progress_ << label << ": network " << found[0].network_id() << " exists\n";
    return found[0];
  }
  v1::CreateNetworkRequest create;
  *create.mutable_network() = draft;
  // Should the answer be lost, a retry returns the network created the first time.
  create.set_idempotency_key(absl::StrCat(kKeyPrefix, "network/", animator.siren));
  MAILLAGE_ASSIGN_OR_RETURN(
      v1::Network created,
      client_.Call("CreateNetwork", RepresentativeOf(animator), &Stub::CreateNetwork, create));
  ++changes_;
  progress_ << label << ": created network " << created.network_id() << " animated by "
            << animator.legal_name << "\n";
  return created;
}

absl::StatusOr<std::map<std::string, v1::Membership>> Loader::MembershipsByOrganisation(
    const std::string& network_id) {
  v1::ListMembershipsRequest filter;
  filter.set_network_id(network_id);
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::Membership> all,
                            client_.ListAllMemberships(Admin(), filter));
  std::map<std::string, v1::Membership> out;
  for (v1::Membership& m : all) out[m.organisation_id()] = std::move(m);
  return out;
}

absl::Status Loader::Sign(v1::Membership& m, const Member& signer, int charter_version) {
  v1::SignCharterRequest sign;
  sign.set_membership_id(m.membership_id());
  sign.set_person_id(signer.person_id);
  sign.set_charter_version(charter_version);
  // The representative signs in their own name, as the service requires of non-admins.
  MAILLAGE_ASSIGN_OR_RETURN(
      m, client_.Call("SignCharter", MemberOf(m.network_id(), signer), &Stub::SignCharter, sign));
  ++changes_;
  return absl::OkStatus();
}

absl::StatusOr<v1::Membership> Loader::Apply(const v1::Network& network, const Member& applicant,
                                             const std::string& motivation) {
  v1::ApplyForMembershipRequest apply;
  apply.set_network_id(network.network_id());
  apply.set_organisation_id(applicant.organisation_id);
  apply.set_role(NETWORK_ROLE_MEMBER);
  apply.set_motivation(motivation);
  apply.set_idempotency_key(
      absl::StrCat(kKeyPrefix, "apply/", network.network_id(), "/", applicant.siren));
  MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m,
                            client_.Call("ApplyForMembership", RepresentativeOf(applicant),
                                         &Stub::ApplyForMembership, apply));
  ++changes_;
  return m;
}

absl::Status Loader::InviteAndAccept(const v1::Network& network, const Member& member,
                                     const auth::Principal& animator) {
  v1::ApplyForMembershipRequest invite;
  invite.set_network_id(network.network_id());
  invite.set_organisation_id(member.organisation_id);
  invite.set_role(RoleOf(member));
  invite.set_motivation("Invitation de l'animation du réseau");
  invite.set_idempotency_key(
      absl::StrCat(kKeyPrefix, "invite/", network.network_id(), "/", member.siren));
  MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, client_.Call("ApplyForMembership", animator,
                                                           &Stub::ApplyForMembership, invite));
  ++changes_;
  if (m.state() != v1::MEMBERSHIP_STATE_INVITED) return absl::OkStatus();
  v1::AcceptInvitationRequest accept;
  accept.set_membership_id(m.membership_id());
  MAILLAGE_RETURN_IF_ERROR(
      client_.Call("AcceptInvitation", RepresentativeOf(member), &Stub::AcceptInvitation, accept)
          .status());
  ++changes_;
  return absl::OkStatus();
}

// The file's rows with their memberships, for the loaders that act after this one.
std::vector<DemoMember> DemoMembersOf(const MemberFile& file,
                                      const std::vector<v1::Membership>& memberships) {
  std::map<std::string, v1::MembershipState> state;
  for (const v1::Membership& m : memberships) state[m.organisation_id()] = m.state();
  std::vector<DemoMember> out;
  for (const Member& m : file.members) {
    auto it = state.find(m.organisation_id);
    out.push_back({.siren = m.siren,
                   .legal_name = m.legal_name,
                   .organisation_id = m.organisation_id,
                   .person_id = m.person_id,
                   .state = it == state.end() ? v1::MEMBERSHIP_STATE_UNSPECIFIED : it->second});
  }
  return out;
}

absl::Status Loader::Summarise(const v1::Network& network, const Member& animator,
                               DemoNetworkSummary* summary,
                               std::vector<v1::Membership>* memberships) {
  v1::ListMembershipsRequest filter;
  filter.set_network_id(network.network_id());
  MAILLAGE_ASSIGN_OR_RETURN(*memberships, client_.ListAllMemberships(Admin(), filter));
  summary->network_id = network.network_id();
  summary->name = network.name();
  summary->kind = network.kind();
  summary->admission_policy = network.admission_policy();
  summary->animating_organisation_id = animator.organisation_id;
  summary->animating_organisation_name = animator.legal_name;
  summary->animator_person_id = animator.person_id;
  for (const v1::Membership& m : *memberships) {
    if (m.state() == v1::MEMBERSHIP_STATE_LEFT || m.state() == v1::MEMBERSHIP_STATE_REJECTED) {
      continue;
    }
    // A funder (demo_reporting.h adds one) is not a member: the counts stay the files'.
    if (m.role() == auth::v1::NETWORK_ROLE_FUNDER) continue;
    ++summary->by_state[m.state()];
    ++summary->by_role[m.role()];
  }
  summary->examples.push_back(
      {"act as its animator", absl::StrCat("maillagectl principal --org=", animator.organisation_id,
                                           " --subject=", animator.person_id,
                                           " --grant=", network.network_id(), ":animator")});
  summary->examples.push_back(
      {"export its members", absl::StrCat("maillagectl export --network=", network.network_id())});
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// The digital cluster.

absl::StatusOr<DemoNetworkSummary> Loader::LoadCluster(MemberFile& file) {
  constexpr absl::string_view kLabel = "cluster";
  MAILLAGE_ASSIGN_OR_RETURN(size_t animator_row, AnimatorRow(file));

  // The plan, from the file and the seed alone: members who applied by themselves (not
  // imported into the network) and members who have not signed the charter yet. Board
  // members and the animator sign; partners and observers may be slow like anyone.
  std::mt19937 rng(kClusterSeed);
  std::vector<size_t> plain_members;
  for (size_t i = 0; i < file.members.size(); ++i) {
    if (file.members[i].role == "member") plain_members.push_back(i);
  }
  std::vector<size_t> applicants = Draw(rng, plain_members, kClusterApplicants);
  std::set<size_t> applicant_set(applicants.begin(), applicants.end());
  std::vector<size_t> may_sign_late;
  for (size_t i = 0; i < file.members.size(); ++i) {
    const std::string& role = file.members[i].role;
    if (!applicant_set.contains(i) &&
        (role == "member" || role == "partner" || role == "observer")) {
      may_sign_late.push_back(i);
    }
  }
  std::vector<size_t> late = Draw(rng, may_sign_late, kClusterLateSigners);
  std::set<size_t> late_set(late.begin(), late.end());

  // 1. Every organisation with its contact person and representation, in no network yet.
  std::vector<const Member*> everyone;
  for (const Member& m : file.members) everyone.push_back(&m);
  MAILLAGE_RETURN_IF_ERROR(
      Import(absl::StrCat(kLabel, ": import without network"), file, everyone, "", Admin()));
  MAILLAGE_RETURN_IF_ERROR(Resolve(file));
  const Member& animator = file.members[animator_row];

  // 2. The network, created by a representative of its animating organisation.
  v1::Network draft;
  draft.set_name(kClusterName);
  draft.set_kind(v1::NETWORK_KIND_CLUSTER);
  draft.set_theme("numérique");
  draft.set_description(absl::StrCat(
      "Le cluster des entreprises du numérique de Bordeaux Métropole et de la Gironde : agences "
      "web, éditeurs de logiciels, entreprises de services numériques, cybersécurité, données et "
      "IA, marketing digital, design, hébergement, organismes de formation, indépendants et "
      "associations. Animé par ",
      animator.legal_name,
      " avec le soutien des collectivités, il organise les rencontres entre membres, les "
      "diagnostics des fonctions support et les actions collectives de mutualisation."));
  draft.add_sector_focus("J");
  draft.add_sector_focus("M");
  *draft.mutable_territory() = TerritoryOf(file, /*with_communes=*/false);
  draft.set_legal_form(v1::LEGAL_FORM_ASSOCIATION);
  draft.set_animating_organisation_id(animator.organisation_id);
  draft.set_admission_policy(v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  draft.mutable_charter()->set_text(kClusterCharter);
  MAILLAGE_ASSIGN_OR_RETURN(v1::Network network, FindOrCreateNetwork(kLabel, draft, animator));
  const int charter = network.charter().version();
  auth::Principal as_animator =
      RepresentativeOf(animator, {Grant(network.network_id(), NETWORK_ROLE_ANIMATOR)});

  // 3. The animator invites everyone else with their CSV role, and each organisation accepts
  // (admitted, charter to sign): organisations that exist are never enrolled without them.
  {
    MAILLAGE_ASSIGN_OR_RETURN(auto before, MembershipsByOrganisation(network.network_id()));
    int invited_now = 0;
    for (size_t i = 0; i < file.members.size(); ++i) {
      const Member& member = file.members[i];
      if (applicant_set.contains(i) || before.contains(member.organisation_id)) continue;
      MAILLAGE_RETURN_IF_ERROR(InviteAndAccept(network, member, as_animator));
      ++invited_now;
    }
    progress_ << kLabel << ": " << invited_now << " organisations invited and accepted\n";
  }

  // 4. Most representatives sign the charter.
  MAILLAGE_ASSIGN_OR_RETURN(auto memberships, MembershipsByOrganisation(network.network_id()));
  int signed_now = 0;
  for (size_t i = 0; i < file.members.size(); ++i) {
    if (applicant_set.contains(i) || late_set.contains(i)) continue;
    const Member& member = file.members[i];
    auto it = memberships.find(member.organisation_id);
    if (it == memberships.end()) {
      return absl::InternalError(absl::StrCat(member.legal_name, " was imported into ",
                                              network.network_id(), " but has no membership"));
    }
    if (IsSettledElsewhere(it->second.state())) {
      progress_ << kLabel << ": " << member.legal_name << " is " << StateWord(it->second.state())
                << "; left as is\n";
    }
    if (it->second.state() != v1::MEMBERSHIP_STATE_SPONSORED) continue;
    MAILLAGE_RETURN_IF_ERROR(Sign(it->second, member, charter));
    ++signed_now;
  }
  progress_ << kLabel << ": " << signed_now << " charter signatures; " << late.size()
            << " members are left to sign later\n";

  // 5. A few companies applied by themselves and wait for the animator's approval.
  int applied_now = 0;
  for (size_t i : applicants) {
    const Member& member = file.members[i];
    auto it = memberships.find(member.organisation_id);
    if (it != memberships.end()) {
      if (IsSettledElsewhere(it->second.state())) {
        progress_ << kLabel << ": " << member.legal_name << " is " << StateWord(it->second.state())
                  << "; left as is\n";
      }
      continue;
    }
    MAILLAGE_RETURN_IF_ERROR(
        Apply(network, member,
              absl::StrCat(member.legal_name,
                           " souhaite rejoindre le cluster pour rencontrer les entreprises du "
                           "numérique de la métropole, participer aux ateliers de mutualisation "
                           "et trouver des partenaires complémentaires."))
            .status());
    ++applied_now;
  }
  progress_ << kLabel << ": " << applied_now << " applications made; " << applicants.size()
            << " await approval\n";

  DemoNetworkSummary summary;
  std::vector<v1::Membership> all;
  MAILLAGE_RETURN_IF_ERROR(Summarise(network, animator, &summary, &all));
  summary.members = DemoMembersOf(file, all);
  for (const v1::Membership& m : all) {
    if (m.state() == v1::MEMBERSHIP_STATE_APPLIED) {
      summary.examples.push_back({"an application awaiting approval", Described(m)});
      break;
    }
  }
  for (const v1::Membership& m : all) {
    if (m.state() == v1::MEMBERSHIP_STATE_SPONSORED && m.role() != auth::v1::NETWORK_ROLE_FUNDER) {
      summary.examples.push_back({"a member yet to sign the charter", Described(m)});
      break;
    }
  }
  return summary;
}

// ---------------------------------------------------------------------------------------------
// The allied network of renovation artisans.

absl::StatusOr<DemoNetworkSummary> Loader::LoadAllied(MemberFile& file) {
  constexpr absl::string_view kLabel = "allied network";
  MAILLAGE_ASSIGN_OR_RETURN(size_t animator_row, AnimatorRow(file));

  // The plan: the order in which artisans join, the two founders the animator admits, and
  // for each later applicant the active members who sponsor it. Sponsors are drawn among
  // the members active at that point of the story, so the plan is playable in order.
  enum class Kind { kFounder, kCoopted, kPending };
  struct Step {
    size_t row;
    Kind kind;
    std::vector<size_t> sponsors;
  };
  std::mt19937 rng(kAlliedSeed);
  std::vector<size_t> order;
  for (size_t i = 0; i < file.members.size(); ++i) {
    if (i != animator_row) order.push_back(i);
  }
  if (order.size() < static_cast<size_t>(kAlliedFounders + kAlliedPending + 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat(file.path, ": too few members for a co-optation story"));
  }
  Shuffle(rng, order);
  std::vector<Step> steps;
  std::vector<size_t> active = {animator_row};
  const size_t first_pending = order.size() - kAlliedPending;
  for (size_t k = 0; k < order.size(); ++k) {
    if (k < static_cast<size_t>(kAlliedFounders)) {
      steps.push_back({order[k], Kind::kFounder, {}});
      active.push_back(order[k]);
    } else if (k < first_pending) {
      steps.push_back({order[k], Kind::kCoopted, Draw(rng, active, kAlliedRequiredSponsors)});
      active.push_back(order[k]);
    } else {
      steps.push_back({order[k], Kind::kPending, Draw(rng, active, 1)});
    }
  }

  // 1. Every organisation with its contact, in no network yet.
  std::vector<const Member*> everyone;
  for (const Member& m : file.members) everyone.push_back(&m);
  MAILLAGE_RETURN_IF_ERROR(
      Import(absl::StrCat(kLabel, ": import without network"), file, everyone, "", Admin()));
  MAILLAGE_RETURN_IF_ERROR(Resolve(file));
  const Member& animator = file.members[animator_row];

  // 2. The network, created by the artisans' association that animates it.
  v1::Network draft;
  draft.set_name(kAlliedName);
  draft.set_kind(v1::NETWORK_KIND_ALLIED_NETWORK);
  draft.set_theme("rénovation énergétique");
  draft.set_description(absl::StrCat(
      "Des artisans du bâtiment du Pays de Ploërmel (plombiers chauffagistes, électriciens, "
      "menuisiers, charpentiers, couvreurs, maçons, plaquistes, peintres), un bureau d'études "
      "thermiques et un architecte s'allient pour proposer aux particuliers une rénovation "
      "énergétique globale, du diagnostic aux travaux. Réseau animé par ",
      animator.legal_name, "; on y entre parrainé par deux membres actifs."));
  draft.add_sector_focus("F");
  *draft.mutable_territory() = TerritoryOf(file, /*with_communes=*/true);
  draft.set_legal_form(v1::LEGAL_FORM_INFORMAL);
  draft.set_animating_organisation_id(animator.organisation_id);
  draft.set_admission_policy(v1::ADMISSION_POLICY_CO_OPTATION);
  draft.set_required_sponsors(kAlliedRequiredSponsors);
  draft.mutable_charter()->set_text(kAlliedCharter);
  MAILLAGE_ASSIGN_OR_RETURN(v1::Network network, FindOrCreateNetwork(kLabel, draft, animator));
  const int charter = network.charter().version();
  auth::Principal as_animator =
      RepresentativeOf(animator, {Grant(network.network_id(), NETWORK_ROLE_ANIMATOR)});

  MAILLAGE_ASSIGN_OR_RETURN(auto memberships, MembershipsByOrganisation(network.network_id()));
  int64_t before = changes_;

  // 3. The animating association signs first: the network then has one active member.
  auto founding = memberships.find(animator.organisation_id);
  if (founding == memberships.end()) {
    return absl::InternalError(
        absl::StrCat("network ", network.network_id(), " has no membership for its animator"));
  }
  if (founding->second.state() == v1::MEMBERSHIP_STATE_SPONSORED) {
    MAILLAGE_RETURN_IF_ERROR(Sign(founding->second, animator, charter));
  }

  // 4. The story, replayed: each step does what is still missing.
  for (const Step& step : steps) {
    const Member& member = file.members[step.row];
    auto it = memberships.find(member.organisation_id);
    v1::Membership m;
    if (it == memberships.end()) {
      MAILLAGE_ASSIGN_OR_RETURN(
          m, Apply(network, member,
                   absl::StrCat(member.legal_name,
                                " souhaite rejoindre le réseau pour répondre avec d'autres corps "
                                "de métier aux projets de rénovation énergétique globale du Pays "
                                "de Ploërmel.")));
    } else {
      m = it->second;
    }
    if (IsSettledElsewhere(m.state())) {
      progress_ << kLabel << ": " << member.legal_name << " is " << StateWord(m.state())
                << "; left as is\n";
      continue;
    }
    if (m.state() == v1::MEMBERSHIP_STATE_APPLIED) {
      if (step.kind == Kind::kFounder) {
        // Nobody can be sponsored before there are active members: the animator admits the
        // founders by override.
        v1::ApproveMembershipRequest approve;
        approve.set_membership_id(m.membership_id());
        MAILLAGE_ASSIGN_OR_RETURN(
            m, client_.Call("ApproveMembership", as_animator, &Stub::ApproveMembership, approve));
        ++changes_;
      } else {
        for (size_t s : step.sponsors) {
          const Member& sponsor = file.members[s];
          if (HasSponsor(m, sponsor.organisation_id)) continue;
          v1::SponsorMembershipRequest sponsorship;
          sponsorship.set_membership_id(m.membership_id());
          sponsorship.set_sponsor_organisation_id(sponsor.organisation_id);
          MAILLAGE_ASSIGN_OR_RETURN(
              m, client_.Call("SponsorMembership", MemberOf(network.network_id(), sponsor),
                              &Stub::SponsorMembership, sponsorship));
          ++changes_;
        }
      }
    }
    if (m.state() == v1::MEMBERSHIP_STATE_SPONSORED && step.kind != Kind::kPending) {
      MAILLAGE_RETURN_IF_ERROR(Sign(m, member, charter));
    }
  }
  progress_ << kLabel << ": co-optation replayed (" << kAlliedFounders << " founders, "
            << steps.size() - kAlliedFounders - kAlliedPending << " co-opted, " << kAlliedPending
            << " in progress); " << changes_ - before << " changes\n";

  DemoNetworkSummary summary;
  std::vector<v1::Membership> all;
  MAILLAGE_RETURN_IF_ERROR(Summarise(network, animator, &summary, &all));
  summary.members = DemoMembersOf(file, all);
  for (const v1::Membership& m : all) {
    if (m.state() == v1::MEMBERSHIP_STATE_APPLIED) {
      summary.examples.push_back({absl::StrCat("co-optation in progress (", m.sponsorships_size(),
                                               " of ", network.required_sponsors(), " sponsors)"),
                                  Described(m)});
      break;
    }
  }
  for (const v1::Membership& m : all) {
    if (m.state() == v1::MEMBERSHIP_STATE_ACTIVE && m.sponsorships_size() >= 2) {
      summary.examples.push_back({"a co-opted member", Described(m)});
      break;
    }
  }
  return summary;
}

}  // namespace

absl::StatusOr<DemoResult> LoadDemo(const MembershipClient& client, const DemoOptions& options,
                                    std::ostream& progress) {
  // Both files are read before the first call, so a wrong folder changes nothing.
  MAILLAGE_ASSIGN_OR_RETURN(MemberFile cluster,
                            ReadMemberFile(absl::StrCat(options.data_dir, "/", kClusterFile)));
  MAILLAGE_ASSIGN_OR_RETURN(MemberFile allied,
                            ReadMemberFile(absl::StrCat(options.data_dir, "/", kAlliedFile)));
  Loader loader(client, progress);
  DemoResult result;
  MAILLAGE_ASSIGN_OR_RETURN(DemoNetworkSummary c, loader.LoadCluster(cluster));
  result.networks.push_back(std::move(c));
  MAILLAGE_ASSIGN_OR_RETURN(DemoNetworkSummary a, loader.LoadAllied(allied));
  result.networks.push_back(std::move(a));
  result.changes = loader.changes();
  return result;
}

std::string FormatDemoSummary(const DemoResult& result) {
  std::string out;
  if (result.changes == 0) {
    absl::StrAppend(&out, "Nothing to do: the demo networks were already loaded (0 changes).\n");
  } else {
    absl::StrAppend(&out, "Demo networks loaded (", result.changes, " changes).\n");
  }
  for (const DemoNetworkSummary& n : result.networks) {
    int total = 0;
    for (const auto& [state, count] : n.by_state) total += count;
    std::vector<std::string> states;
    for (v1::MembershipState s : {v1::MEMBERSHIP_STATE_ACTIVE, v1::MEMBERSHIP_STATE_SPONSORED,
                                  v1::MEMBERSHIP_STATE_APPLIED, v1::MEMBERSHIP_STATE_SUSPENDED}) {
      auto it = n.by_state.find(s);
      if (it != n.by_state.end()) states.push_back(absl::StrCat(it->second, " ", StateWord(s)));
    }
    std::vector<std::string> roles;
    for (auth::v1::NetworkRole r : {NETWORK_ROLE_ANIMATOR, NETWORK_ROLE_BOARD, NETWORK_ROLE_PARTNER,
                                    NETWORK_ROLE_OBSERVER, NETWORK_ROLE_MEMBER}) {
      auto it = n.by_role.find(r);
      if (it != n.by_role.end()) roles.push_back(absl::StrCat(it->second, " ", RoleWord(r)));
    }
    std::string kind = n.kind == v1::NETWORK_KIND_CLUSTER ? "cluster" : "allied network";
    std::string admission = n.admission_policy == v1::ADMISSION_POLICY_CO_OPTATION ? "co-optation"
                            : n.admission_policy == v1::ADMISSION_POLICY_ANIMATOR_APPROVAL
                                ? "animator approval"
                                : "open";
    absl::StrAppend(&out, "\n", n.name, "\n");
    absl::StrAppend(&out, "  network_id    ", n.network_id, "  (", kind, ", admission by ",
                    admission, ")\n");
    absl::StrAppend(&out, "  animated by   ", n.animating_organisation_name, "  organisation ",
                    n.animating_organisation_id, ", representative ", n.animator_person_id, "\n");
    absl::StrAppend(&out, "  members       ", total, ": ", absl::StrJoin(states, ", "), "\n");
    absl::StrAppend(&out, "  roles         ", absl::StrJoin(roles, ", "), "\n");
    for (const auto& [what, ids] : n.examples) {
      absl::StrAppend(&out, "  ", what, ":\n      ", ids, "\n");
    }
  }
  absl::StrAppend(&out,
                  "\n(sponsored: admitted, the charter still to sign; applied: awaiting "
                  "admission)\n");
  return out;
}

}  // namespace maillage::ctl
