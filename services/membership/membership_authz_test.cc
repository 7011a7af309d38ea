// Authorisation of the membership API as a matrix: every RPC × every kind of caller, on real
// PostgreSQL and Redis. Each cell runs on a world built afresh for it, so no cell depends on
// what another one changed; it asserts the status code that the rules in the banner of
// membership_service.h give, and that a refused call left the database untouched.
//
// The world: an animating company and its co-optation cluster (one sponsor required), an
// active member, a board member, the subject organisation (the one the RPC is about, in the
// membership state the RPC needs), an outsider without any grant, and another network with
// its own animator. Every organisation has a representative.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/pg/pg.h"
#include "common/status/status.h"
#include "services/membership/domain/identifiers.h"
#include "services/membership/membership_harness.h"
#include "services/membership/membership_test_data.h"
#include "tests/support/grpc_status.h"

namespace maillage::membership {
namespace {

using ::maillage::testing::CodeName;

using ::grpc::StatusCode;
using ::maillage::auth::v1::NETWORK_ROLE_ANIMATOR;
using ::maillage::auth::v1::NETWORK_ROLE_BOARD;
using ::maillage::auth::v1::NETWORK_ROLE_MEMBER;
using Stub = ::maillage::membership::v1::MembershipService::Stub;

// ---------------------------------------------------------------------------------------------
// Callers and codes

enum Caller : int {
  kAdmin,
  kAnimator,
  kBoard,
  kMember,
  kSubject,
  kOutsider,
  kOtherAnimator,
  kCallerCount,
};

constexpr const char* kCallerNames[kCallerCount] = {"admin",
                                                    "animator",
                                                    "board",
                                                    "member",
                                                    "subject's representative",
                                                    "outsider",
                                                    "animator of another network"};

// Short names so that each row of the matrix reads on one line.
constexpr StatusCode OK = StatusCode::OK;
constexpr StatusCode DENIED = StatusCode::PERMISSION_DENIED;
constexpr StatusCode NOTFOUND = StatusCode::NOT_FOUND;
constexpr StatusCode INVALID = StatusCode::INVALID_ARGUMENT;

// ---------------------------------------------------------------------------------------------
// Identifiers and drafts

// The `index`-th SIRET of a SIREN that passes the checksum (index 0: the head office).
std::string NthSiret(const std::string& siren, int index) {
  for (int nic = 1;; ++nic) {
    std::string siret = siren + absl::StrFormat("%05d", nic);
    if (IsValidSiret(siret) && index-- == 0) return siret;
  }
}

v1::Organisation CompanyDraft(const std::string& name, const std::string& siren,
                              v1::Visibility visibility = v1::VISIBILITY_NETWORK) {
  v1::Organisation o;
  o.set_legal_name(name);
  o.set_kind(v1::ORGANISATION_KIND_COMPANY);
  o.set_siren(siren);
  o.set_naf_code("62.01Z");
  o.set_headcount_band(v1::HEADCOUNT_BAND_3_5);
  o.set_website("https://www.exemple.fr");
  o.set_visibility(visibility);
  v1::Establishment* e = o.add_establishments();
  e->set_siret(NthSiret(siren, 0));
  e->set_head_office(true);
  e->mutable_address()->set_street("12 rue des Lilas");
  e->mutable_address()->set_postal_code("33000");
  e->mutable_address()->set_city("Bordeaux");
  e->mutable_address()->set_commune_code("33063");
  e->mutable_location()->set_latitude(44.8378);
  e->mutable_location()->set_longitude(-0.5792);
  return o;
}

absl::Status Check(const grpc::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      absl::StrCat(what, ": ", s.error_message()));
}

// ---------------------------------------------------------------------------------------------
// The world

// The membership state of the subject organisation in the network.
// kInvited: an animator enrolled it on its behalf and it has not accepted yet.
enum class Stage { kNone, kApplied, kInvited, kSponsored, kActive, kSuspended };

struct World {
  v1::Network network;        // co-optation, one sponsor; animated by `animating`
  v1::Network other_network;  // animator approval; animated by `other_animating`
  v1::Organisation animating, member, board, subject, outsider, other_animating;
  v1::Person animating_rep, member_rep, board_rep, subject_rep, outsider_rep, other_rep;
  v1::Person spare_person;            // represents nobody
  v1::Membership subject_membership;  // empty at Stage::kNone
  std::array<auth::Principal, kCallerCount> callers;
  // Unused yet, for the RPCs that create something.
  std::string fresh_siren;
  std::string fresh_email;
};

template <typename Req, typename Resp>
grpc::Status Unary(MembershipHarness& h, const auth::Principal& who,
                   grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                   const std::type_identity_t<Req>& req, Resp* out = nullptr) {
  Resp resp;
  auto ctx = h.Context(who);
  grpc::Status s = (h.stub()->*method)(ctx.get(), req, &resp);
  if (out != nullptr) *out = std::move(resp);
  return s;
}

grpc::Status Import(MembershipHarness& h, const auth::Principal& who, const std::string& network_id,
                    const std::string& csv, v1::ImportReport* report = nullptr) {
  auto ctx = h.Context(who);
  v1::ImportReport out;
  std::unique_ptr<grpc::ClientWriter<v1::ImportOrganisationsRequest>> writer =
      h.stub()->ImportOrganisations(ctx.get(), &out);
  v1::ImportOrganisationsRequest options;
  options.mutable_options()->set_network_id(network_id);
  v1::ImportOrganisationsRequest chunk;
  chunk.set_chunk(csv);
  // A refused stream ends after the options: the writes that follow fail, Finish tells why.
  if (writer->Write(options)) writer->Write(chunk);
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  if (report != nullptr) *report = out;
  return s;
}

grpc::Status Export(MembershipHarness& h, const auth::Principal& who, const std::string& network_id,
                    std::string* csv = nullptr) {
  auto ctx = h.Context(who);
  v1::ExportMembersRequest req;
  req.set_network_id(network_id);
  std::unique_ptr<grpc::ClientReader<v1::CsvChunk>> reader =
      h.stub()->ExportMembers(ctx.get(), req);
  v1::CsvChunk chunk;
  std::string all;
  while (reader->Read(&chunk)) all += chunk.data();
  if (csv != nullptr) *csv = all;
  return reader->Finish();
}

class AuthzTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(h_.Start().ok()); }

  std::string NextSiren() { return TestSiren("1", ++next_); }
  std::string NextEmail() { return absl::StrCat("personne", ++next_, "@exemple.fr"); }

  absl::StatusOr<v1::Organisation> NewCompany(const std::string& name,
                                              v1::Visibility visibility = v1::VISIBILITY_NETWORK) {
    v1::CreateOrganisationRequest req;
    *req.mutable_organisation() = CompanyDraft(name, NextSiren(), visibility);
    v1::Organisation org;
    MAILLAGE_RETURN_IF_ERROR(
        Check(Unary(h_, h_.Admin(), &Stub::CreateOrganisation, req, &org), "create " + name));
    return org;
  }

  // A person, representing `organisation_id` unless it is empty.
  absl::StatusOr<v1::Person> NewPerson(const std::string& organisation_id) {
    v1::CreatePersonRequest req;
    req.mutable_person()->set_given_name("Claire");
    req.mutable_person()->set_family_name("Martin");
    req.mutable_person()->set_email(NextEmail());
    v1::Person person;
    MAILLAGE_RETURN_IF_ERROR(
        Check(Unary(h_, h_.Admin(), &Stub::CreatePerson, req, &person), "create person"));
    if (!organisation_id.empty()) {
      v1::AddRepresentationRequest rep;
      rep.set_organisation_id(organisation_id);
      rep.set_person_id(person.person_id());
      rep.set_role_title("Gérante");
      MAILLAGE_RETURN_IF_ERROR(
          Check(Unary(h_, h_.Admin(), &Stub::AddRepresentation, rep), "add representation"));
    }
    return person;
  }

  // A network animated by `org`, whose founding membership is then signed by `rep`.
  absl::StatusOr<v1::Network> NewNetwork(const v1::Organisation& org, const v1::Person& rep,
                                         const std::string& name, v1::AdmissionPolicy policy,
                                         int sponsors) {
    v1::CreateNetworkRequest req;
    v1::Network* n = req.mutable_network();
    n->set_name(name);
    n->set_kind(v1::NETWORK_KIND_CLUSTER);
    n->set_theme("numérique");
    n->set_animating_organisation_id(org.organisation_id());
    n->set_admission_policy(policy);
    n->set_required_sponsors(sponsors);
    n->set_legal_form(v1::LEGAL_FORM_ASSOCIATION);
    n->mutable_charter()->set_text("Créer le lien, définir des objectifs communs, transparence.");
    n->mutable_territory()->add_departement_codes("33");
    v1::Network net;
    auth::Principal founder = h_.ActingFor(org.organisation_id(), {}, rep.person_id());
    MAILLAGE_RETURN_IF_ERROR(
        Check(Unary(h_, founder, &Stub::CreateNetwork, req, &net), "create " + name));
    v1::ListMembershipsRequest list;
    list.set_network_id(net.network_id());
    v1::ListMembershipsResponse founding;
    MAILLAGE_RETURN_IF_ERROR(Check(Unary(h_, h_.Admin(), &Stub::ListMemberships, list, &founding),
                                   "founding membership"));
    if (founding.memberships_size() != 1) return absl::InternalError("no founding membership");
    MAILLAGE_RETURN_IF_ERROR(Sign(founding.memberships(0), rep).status());
    return net;
  }

  absl::StatusOr<v1::Membership> Apply(const v1::Network& net, const v1::Organisation& org,
                                       const auth::Principal& who,
                                       auth::NetworkRole role = NETWORK_ROLE_MEMBER) {
    v1::ApplyForMembershipRequest req;
    req.set_network_id(net.network_id());
    req.set_organisation_id(org.organisation_id());
    req.set_role(role);
    req.set_motivation("Mutualiser le recrutement et les achats");
    v1::Membership m;
    MAILLAGE_RETURN_IF_ERROR(
        Check(Unary(h_, who, &Stub::ApplyForMembership, req, &m), "apply " + org.legal_name()));
    return m;
  }

  absl::StatusOr<v1::Membership> Sponsor(const v1::Membership& m, const auth::Principal& who) {
    v1::SponsorMembershipRequest req;
    req.set_membership_id(m.membership_id());
    v1::Membership out;
    MAILLAGE_RETURN_IF_ERROR(Check(Unary(h_, who, &Stub::SponsorMembership, req, &out), "sponsor"));
    return out;
  }

  absl::StatusOr<v1::Membership> Accept(const v1::Membership& m, const v1::Person& rep) {
    v1::AcceptInvitationRequest req;
    req.set_membership_id(m.membership_id());
    v1::Membership out;
    auth::Principal who = h_.ActingFor(m.organisation_id(), {}, rep.person_id());
    MAILLAGE_RETURN_IF_ERROR(Check(Unary(h_, who, &Stub::AcceptInvitation, req, &out), "accept"));
    return out;
  }

  absl::StatusOr<v1::Membership> Sign(const v1::Membership& m, const v1::Person& rep) {
    v1::SignCharterRequest req;
    req.set_membership_id(m.membership_id());
    req.set_person_id(rep.person_id());
    req.set_charter_version(1);
    v1::Membership out;
    auth::Principal who = h_.ActingFor(m.organisation_id(), {}, rep.person_id());
    MAILLAGE_RETURN_IF_ERROR(Check(Unary(h_, who, &Stub::SignCharter, req, &out), "sign"));
    return out;
  }

  absl::StatusOr<World> BuildWorld(Stage stage) {
    World w;
    MAILLAGE_ASSIGN_OR_RETURN(w.animating, NewCompany("Agence Animatrice"));
    MAILLAGE_ASSIGN_OR_RETURN(w.member, NewCompany("Menuiserie Membre"));
    MAILLAGE_ASSIGN_OR_RETURN(w.board, NewCompany("Bureau d'Études Administrateur"));
    MAILLAGE_ASSIGN_OR_RETURN(w.subject, NewCompany("Sujet Numérique"));
    MAILLAGE_ASSIGN_OR_RETURN(w.outsider, NewCompany("Extérieur Conseil"));
    MAILLAGE_ASSIGN_OR_RETURN(w.other_animating, NewCompany("Autre Animation"));
    MAILLAGE_ASSIGN_OR_RETURN(w.animating_rep, NewPerson(w.animating.organisation_id()));
    MAILLAGE_ASSIGN_OR_RETURN(w.member_rep, NewPerson(w.member.organisation_id()));
    MAILLAGE_ASSIGN_OR_RETURN(w.board_rep, NewPerson(w.board.organisation_id()));
    MAILLAGE_ASSIGN_OR_RETURN(w.subject_rep, NewPerson(w.subject.organisation_id()));
    MAILLAGE_ASSIGN_OR_RETURN(w.outsider_rep, NewPerson(w.outsider.organisation_id()));
    MAILLAGE_ASSIGN_OR_RETURN(w.other_rep, NewPerson(w.other_animating.organisation_id()));
    MAILLAGE_ASSIGN_OR_RETURN(w.spare_person, NewPerson(""));
    MAILLAGE_ASSIGN_OR_RETURN(w.network, NewNetwork(w.animating, w.animating_rep, "Grappe Gironde",
                                                    v1::ADMISSION_POLICY_CO_OPTATION, 1));
    MAILLAGE_ASSIGN_OR_RETURN(w.other_network,
                              NewNetwork(w.other_animating, w.other_rep, "Cluster Landes",
                                         v1::ADMISSION_POLICY_ANIMATOR_APPROVAL, 0));
    const std::string& net = w.network.network_id();

    w.callers[kAdmin] = h_.Admin();
    w.callers[kAnimator] = h_.ActingFor(
        w.animating.organisation_id(), {{net, NETWORK_ROLE_ANIMATOR}}, w.animating_rep.person_id());
    w.callers[kBoard] = h_.ActingFor(w.board.organisation_id(), {{net, NETWORK_ROLE_BOARD}},
                                     w.board_rep.person_id());
    w.callers[kMember] = h_.ActingFor(w.member.organisation_id(), {{net, NETWORK_ROLE_MEMBER}},
                                      w.member_rep.person_id());
    w.callers[kOutsider] =
        h_.ActingFor(w.outsider.organisation_id(), {}, w.outsider_rep.person_id());
    w.callers[kOtherAnimator] = h_.ActingFor(
        w.other_animating.organisation_id(),
        {{w.other_network.network_id(), NETWORK_ROLE_ANIMATOR}}, w.other_rep.person_id());
    // Admitted organisations hold the member grant; an applicant holds none yet.
    bool admitted =
        stage == Stage::kSponsored || stage == Stage::kActive || stage == Stage::kSuspended;
    w.callers[kSubject] = h_.ActingFor(
        w.subject.organisation_id(),
        admitted
            ? std::vector<std::pair<std::string, auth::NetworkRole>>{{net, NETWORK_ROLE_MEMBER}}
            : std::vector<std::pair<std::string, auth::NetworkRole>>{},
        w.subject_rep.person_id());

    // The active member: applies, is sponsored by the animating organisation, signs.
    MAILLAGE_ASSIGN_OR_RETURN(v1::Membership m, Apply(w.network, w.member,
                                                      h_.ActingFor(w.member.organisation_id(), {},
                                                                   w.member_rep.person_id())));
    MAILLAGE_ASSIGN_OR_RETURN(m, Sponsor(m, w.callers[kAnimator]));
    MAILLAGE_RETURN_IF_ERROR(Sign(m, w.member_rep).status());
    // The board member: invited by the animator in the board role, it accepts and signs.
    MAILLAGE_ASSIGN_OR_RETURN(v1::Membership b,
                              Apply(w.network, w.board, w.callers[kAnimator], NETWORK_ROLE_BOARD));
    if (b.state() != v1::MEMBERSHIP_STATE_INVITED) {
      return absl::InternalError("an animator's enrolment was not an invitation");
    }
    MAILLAGE_ASSIGN_OR_RETURN(b, Accept(b, w.board_rep));
    MAILLAGE_RETURN_IF_ERROR(Sign(b, w.board_rep).status());

    if (stage == Stage::kInvited) {
      MAILLAGE_ASSIGN_OR_RETURN(w.subject_membership,
                                Apply(w.network, w.subject, w.callers[kAnimator]));
    } else if (stage != Stage::kNone) {
      MAILLAGE_ASSIGN_OR_RETURN(
          w.subject_membership,
          Apply(w.network, w.subject,
                h_.ActingFor(w.subject.organisation_id(), {}, w.subject_rep.person_id())));
    }
    if (stage == Stage::kSponsored || stage == Stage::kActive || stage == Stage::kSuspended) {
      MAILLAGE_ASSIGN_OR_RETURN(w.subject_membership,
                                Sponsor(w.subject_membership, w.callers[kAnimator]));
    }
    if (stage == Stage::kActive || stage == Stage::kSuspended) {
      MAILLAGE_ASSIGN_OR_RETURN(w.subject_membership, Sign(w.subject_membership, w.subject_rep));
    }
    if (stage == Stage::kSuspended) {
      v1::SuspendMembershipRequest req;
      req.set_membership_id(w.subject_membership.membership_id());
      req.set_reason("Cotisation impayée");
      MAILLAGE_RETURN_IF_ERROR(Check(
          Unary(h_, w.callers[kAnimator], &Stub::SuspendMembership, req, &w.subject_membership),
          "suspend"));
    }

    // The current versions, as a client would have read them.
    v1::GetOrganisationRequest get_org;
    get_org.set_organisation_id(w.subject.organisation_id());
    MAILLAGE_RETURN_IF_ERROR(
        Check(Unary(h_, h_.Admin(), &Stub::GetOrganisation, get_org, &w.subject), "get subject"));
    v1::GetNetworkRequest get_net;
    get_net.set_network_id(net);
    MAILLAGE_RETURN_IF_ERROR(
        Check(Unary(h_, h_.Admin(), &Stub::GetNetwork, get_net, &w.network), "get network"));
    w.fresh_siren = NextSiren();
    w.fresh_email = NextEmail();
    return w;
  }

  // Everything a call could write, summed up: row counts and versions of every table, and the
  // number of events in the outbox (every committed change emits at least one).
  std::string DbFingerprint() {
    std::string out;
    absl::Status s = h_.pg()->Transact([&](pqxx::work& tx) -> absl::Status {
      out = tx.exec1(
                  "SELECT concat_ws(' ',"
                  " (SELECT 'organisations=' || count(*) || '/v' || coalesce(sum(version), 0)"
                  "  FROM organisations),"
                  " (SELECT 'people=' || count(*) FROM people),"
                  " (SELECT 'representations=' || count(*) || '/' ||"
                  "  coalesce(string_agg(role_title, ',' ORDER BY role_title), '')"
                  "  FROM representations),"
                  " (SELECT 'networks=' || count(*) || '/v' || coalesce(sum(version), 0) ||"
                  "  '/c' || coalesce(sum(charter_version), 0) FROM networks),"
                  " (SELECT 'charters=' || count(*) FROM charter_versions),"
                  " (SELECT 'memberships=' || count(*) || '/v' || coalesce(sum(version), 0)"
                  "  FROM memberships),"
                  " (SELECT 'sponsorships=' || count(*) FROM sponsorships),"
                  " (SELECT 'keys=' || count(*) FROM idempotency_keys),"
                  " (SELECT 'events=' || count(*) FROM outbox))")[0]
                .as<std::string>();
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  MembershipHarness h_;
  int next_ = 0;
};

// ---------------------------------------------------------------------------------------------
// The matrix

enum class Area { kOrganisations, kPeople, kNetworks, kMemberships, kStreams };

using Call = std::function<grpc::Status(MembershipHarness&, const World&, Caller)>;

struct Row {
  Area area;
  const char* rpc;
  // The subject organisation's membership when the call is made: the state in which the RPC
  // succeeds for the callers allowed to make it.
  Stage stage;
  Call call;
  // In the order of Caller: admin, animator, board, member, subject, outsider, other animator.
  std::array<StatusCode, kCallerCount> expected;
};

const std::vector<Row>& Matrix() {
  static const auto* rows = new std::vector<Row>{
      // ---------------------------------------------------------------- organisations
      {Area::kOrganisations,
       "CreateOrganisation",
       Stage::kNone,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::CreateOrganisationRequest req;
         *req.mutable_organisation() = CompanyDraft("Nouvelle Pousse", w.fresh_siren);
         return Unary(h, w.callers[c], &Stub::CreateOrganisation, req);
       },
       //  admin animator board member subject outsider other-animator
       {OK, OK, OK, OK, OK, OK, OK}},
      {Area::kOrganisations,
       "GetOrganisation",
       Stage::kSponsored,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::GetOrganisationRequest req;
         req.set_organisation_id(w.subject.organisation_id());
         return Unary(h, w.callers[c], &Stub::GetOrganisation, req);
       },
       {OK, OK, OK, OK, OK, NOTFOUND, NOTFOUND}},
      // Only an admitted membership opens an organisation to its network: neither its own
      // application nor an animator's invitation does.
      {Area::kOrganisations,
       "GetOrganisation of an applicant",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::GetOrganisationRequest req;
         req.set_organisation_id(w.subject.organisation_id());
         return Unary(h, w.callers[c], &Stub::GetOrganisation, req);
       },
       {OK, NOTFOUND, NOTFOUND, NOTFOUND, OK, NOTFOUND, NOTFOUND}},
      {Area::kOrganisations,
       "GetOrganisation of an invitee",
       Stage::kInvited,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::GetOrganisationRequest req;
         req.set_organisation_id(w.subject.organisation_id());
         return Unary(h, w.callers[c], &Stub::GetOrganisation, req);
       },
       {OK, NOTFOUND, NOTFOUND, NOTFOUND, OK, NOTFOUND, NOTFOUND}},
      {Area::kOrganisations,
       "UpdateOrganisation",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::UpdateOrganisationRequest req;
         *req.mutable_organisation() = w.subject;
         req.mutable_organisation()->set_description("Sites pour artisans d'art");
         return Unary(h, w.callers[c], &Stub::UpdateOrganisation, req);
       },
       {OK, DENIED, DENIED, DENIED, OK, DENIED, DENIED}},
      {Area::kOrganisations,
       "ListOrganisations(network)",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::ListOrganisationsRequest req;
         req.set_network_id(w.network.network_id());
         return Unary(h, w.callers[c], &Stub::ListOrganisations, req);
       },
       {OK, OK, OK, OK, DENIED, DENIED, DENIED}},
      // Only platform admins list every organisation; the others must name a network.
      {Area::kOrganisations,
       "ListOrganisations(unfiltered)",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         return Unary(h, w.callers[c], &Stub::ListOrganisations, v1::ListOrganisationsRequest());
       },
       {OK, INVALID, INVALID, INVALID, INVALID, INVALID, INVALID}},
      {Area::kOrganisations,
       "AddEstablishment",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::AddEstablishmentRequest req;
         req.set_organisation_id(w.subject.organisation_id());
         req.mutable_establishment()->set_siret(NthSiret(w.subject.siren(), 1));
         req.mutable_establishment()->mutable_address()->set_city("Mérignac");
         req.mutable_establishment()->mutable_address()->set_commune_code("33281");
         return Unary(h, w.callers[c], &Stub::AddEstablishment, req);
       },
       {OK, DENIED, DENIED, DENIED, OK, DENIED, DENIED}},
      // ---------------------------------------------------------------- people
      {Area::kPeople,
       "CreatePerson",
       Stage::kNone,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::CreatePersonRequest req;
         req.mutable_person()->set_given_name("Louis");
         req.mutable_person()->set_family_name("Bernard");
         req.mutable_person()->set_email(w.fresh_email);
         return Unary(h, w.callers[c], &Stub::CreatePerson, req);
       },
       {OK, OK, OK, OK, OK, OK, OK}},
      // A person is seen by itself, by the organisations it represents and by the animators
      // of their networks (who see it in ListRepresentations too).
      {Area::kPeople,
       "GetPerson",
       Stage::kSponsored,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::GetPersonRequest req;
         req.set_person_id(w.subject_rep.person_id());
         return Unary(h, w.callers[c], &Stub::GetPerson, req);
       },
       {OK, OK, NOTFOUND, NOTFOUND, OK, NOTFOUND, NOTFOUND}},
      {Area::kPeople,
       "GetPerson of an invitee's representative",
       Stage::kInvited,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::GetPersonRequest req;
         req.set_person_id(w.subject_rep.person_id());
         return Unary(h, w.callers[c], &Stub::GetPerson, req);
       },
       {OK, NOTFOUND, NOTFOUND, NOTFOUND, OK, NOTFOUND, NOTFOUND}},
      {Area::kPeople,
       "AddRepresentation",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::AddRepresentationRequest req;
         req.set_organisation_id(w.subject.organisation_id());
         req.set_person_id(w.spare_person.person_id());
         req.set_role_title("Directeur général");
         return Unary(h, w.callers[c], &Stub::AddRepresentation, req);
       },
       {OK, DENIED, DENIED, DENIED, OK, DENIED, DENIED}},
      {Area::kPeople,
       "ListRepresentations",
       Stage::kSponsored,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::ListRepresentationsRequest req;
         req.set_organisation_id(w.subject.organisation_id());
         return Unary(h, w.callers[c], &Stub::ListRepresentations, req);
       },
       {OK, OK, DENIED, DENIED, OK, DENIED, DENIED}},
      {Area::kPeople,
       "ListRepresentations of an applicant",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::ListRepresentationsRequest req;
         req.set_organisation_id(w.subject.organisation_id());
         return Unary(h, w.callers[c], &Stub::ListRepresentations, req);
       },
       {OK, DENIED, DENIED, DENIED, OK, DENIED, DENIED}},
      // ---------------------------------------------------------------- networks
      {Area::kNetworks,
       "CreateNetwork(animated by the subject)",
       Stage::kNone,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::CreateNetworkRequest req;
         v1::Network* n = req.mutable_network();
         n->set_name("Réseau d'alliés du climat");
         n->set_kind(v1::NETWORK_KIND_ALLIED_NETWORK);
         n->set_animating_organisation_id(w.subject.organisation_id());
         n->set_admission_policy(v1::ADMISSION_POLICY_CO_OPTATION);
         n->set_required_sponsors(2);
         n->mutable_charter()->set_text("Coopérer plutôt que concurrencer.");
         return Unary(h, w.callers[c], &Stub::CreateNetwork, req);
       },
       {OK, DENIED, DENIED, DENIED, OK, DENIED, DENIED}},
      {Area::kNetworks,
       "GetNetwork",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::GetNetworkRequest req;
         req.set_network_id(w.network.network_id());
         return Unary(h, w.callers[c], &Stub::GetNetwork, req);
       },
       {OK, OK, OK, OK, OK, OK, OK}},
      {Area::kNetworks,
       "ListNetworks",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         return Unary(h, w.callers[c], &Stub::ListNetworks, v1::ListNetworksRequest());
       },
       {OK, OK, OK, OK, OK, OK, OK}},
      {Area::kNetworks,
       "UpdateNetwork",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::UpdateNetworkRequest req;
         *req.mutable_network() = w.network;
         req.mutable_network()->set_description("Achats groupés et emploi partagé");
         return Unary(h, w.callers[c], &Stub::UpdateNetwork, req);
       },
       {OK, OK, DENIED, DENIED, DENIED, DENIED, DENIED}},
      {Area::kNetworks,
       "PublishCharter",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::PublishCharterRequest req;
         req.set_network_id(w.network.network_id());
         req.set_text("Version 2 : gouvernance partagée.");
         req.set_expected_current_version(w.network.charter().version());
         return Unary(h, w.callers[c], &Stub::PublishCharter, req);
       },
       {OK, OK, DENIED, DENIED, DENIED, DENIED, DENIED}},
      // ---------------------------------------------------------------- memberships
      {Area::kMemberships,
       "ApplyForMembership",
       Stage::kNone,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::ApplyForMembershipRequest req;
         req.set_network_id(w.network.network_id());
         req.set_organisation_id(w.subject.organisation_id());
         return Unary(h, w.callers[c], &Stub::ApplyForMembership, req);
       },
       {OK, OK, DENIED, DENIED, OK, DENIED, DENIED}},
      // The invited organisation accepts; the animator who invited it cannot do so for it.
      {Area::kMemberships,
       "AcceptInvitation",
       Stage::kInvited,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::AcceptInvitationRequest req;
         req.set_membership_id(w.subject_membership.membership_id());
         return Unary(h, w.callers[c], &Stub::AcceptInvitation, req);
       },
       {OK, DENIED, DENIED, DENIED, OK, NOTFOUND, NOTFOUND}},
      // Sponsors are the caller's own organisation (an admin names one). Nobody sponsors
      // itself; an organisation outside the network does not see the application at all.
      {Area::kMemberships,
       "SponsorMembership",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::SponsorMembershipRequest req;
         req.set_membership_id(w.subject_membership.membership_id());
         if (c == kAdmin) req.set_sponsor_organisation_id(w.member.organisation_id());
         return Unary(h, w.callers[c], &Stub::SponsorMembership, req);
       },
       {OK, OK, OK, OK, INVALID, NOTFOUND, NOTFOUND}},
      {Area::kMemberships,
       "ApproveMembership",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::ApproveMembershipRequest req;
         req.set_membership_id(w.subject_membership.membership_id());
         return Unary(h, w.callers[c], &Stub::ApproveMembership, req);
       },
       {OK, OK, DENIED, DENIED, DENIED, NOTFOUND, NOTFOUND}},
      {Area::kMemberships,
       "RejectMembership",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::RejectMembershipRequest req;
         req.set_membership_id(w.subject_membership.membership_id());
         req.set_reason("Hors du territoire");
         return Unary(h, w.callers[c], &Stub::RejectMembership, req);
       },
       {OK, OK, DENIED, DENIED, DENIED, NOTFOUND, NOTFOUND}},
      {Area::kMemberships,
       "SignCharter",
       Stage::kSponsored,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::SignCharterRequest req;
         req.set_membership_id(w.subject_membership.membership_id());
         req.set_person_id(w.subject_rep.person_id());
         req.set_charter_version(w.network.charter().version());
         return Unary(h, w.callers[c], &Stub::SignCharter, req);
       },
       {OK, DENIED, DENIED, DENIED, OK, NOTFOUND, NOTFOUND}},
      {Area::kMemberships,
       "SuspendMembership",
       Stage::kActive,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::SuspendMembershipRequest req;
         req.set_membership_id(w.subject_membership.membership_id());
         req.set_reason("Cotisation impayée");
         return Unary(h, w.callers[c], &Stub::SuspendMembership, req);
       },
       {OK, OK, DENIED, DENIED, DENIED, NOTFOUND, NOTFOUND}},
      {Area::kMemberships,
       "ReinstateMembership",
       Stage::kSuspended,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::ReinstateMembershipRequest req;
         req.set_membership_id(w.subject_membership.membership_id());
         return Unary(h, w.callers[c], &Stub::ReinstateMembership, req);
       },
       {OK, OK, DENIED, DENIED, DENIED, NOTFOUND, NOTFOUND}},
      {Area::kMemberships,
       "LeaveNetwork",
       Stage::kActive,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::LeaveNetworkRequest req;
         req.set_membership_id(w.subject_membership.membership_id());
         return Unary(h, w.callers[c], &Stub::LeaveNetwork, req);
       },
       {OK, OK, DENIED, DENIED, OK, NOTFOUND, NOTFOUND}},
      {Area::kMemberships,
       "ChangeMembershipRole",
       Stage::kActive,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::ChangeMembershipRoleRequest req;
         req.set_membership_id(w.subject_membership.membership_id());
         req.set_role(NETWORK_ROLE_BOARD);
         return Unary(h, w.callers[c], &Stub::ChangeMembershipRole, req);
       },
       {OK, OK, DENIED, DENIED, DENIED, NOTFOUND, NOTFOUND}},
      {Area::kMemberships,
       "GetMembership",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::GetMembershipRequest req;
         req.set_membership_id(w.subject_membership.membership_id());
         return Unary(h, w.callers[c], &Stub::GetMembership, req);
       },
       {OK, OK, OK, OK, OK, NOTFOUND, NOTFOUND}},
      {Area::kMemberships,
       "ListMemberships(network)",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::ListMembershipsRequest req;
         req.set_network_id(w.network.network_id());
         return Unary(h, w.callers[c], &Stub::ListMemberships, req);
       },
       {OK, OK, OK, OK, DENIED, DENIED, DENIED}},
      // By organisation: every network it belongs to, so only the organisation itself.
      {Area::kMemberships,
       "ListMemberships(organisation)",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         v1::ListMembershipsRequest req;
         req.set_organisation_id(w.subject.organisation_id());
         return Unary(h, w.callers[c], &Stub::ListMemberships, req);
       },
       {OK, DENIED, DENIED, DENIED, OK, DENIED, DENIED}},
      // ---------------------------------------------------------------- streams
      {Area::kStreams,
       "ImportOrganisations(network)",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         return Import(
             h, w.callers[c], w.network.network_id(),
             absl::StrCat("siren,legal_name,kind\n", w.fresh_siren, ",Importée SAS,company\n"));
       },
       {OK, OK, DENIED, DENIED, DENIED, DENIED, DENIED}},
      {Area::kStreams,
       "ImportOrganisations(no network)",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         return Import(
             h, w.callers[c], "",
             absl::StrCat("siren,legal_name,kind\n", w.fresh_siren, ",Importée SAS,company\n"));
       },
       {OK, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED}},
      {Area::kStreams,
       "ExportMembers",
       Stage::kApplied,
       [](MembershipHarness& h, const World& w, Caller c) {
         return Export(h, w.callers[c], w.network.network_id());
       },
       {OK, OK, OK, DENIED, DENIED, DENIED, DENIED}},
  };
  return *rows;
}

class AuthzMatrixTest : public AuthzTest {
 protected:
  // Every cell of the rows of `area`. Each cell starts from a pristine world: a fresh one, or
  // the previous cell's when that call left the database exactly as it found it (a refusal,
  // or a read), which the fingerprint of every table and of the outbox tells.
  void RunArea(
      Area area, World (*spell)(World) = [](World w) { return w; }) {
    int cells = 0, worlds = 0;
    for (const Row& row : Matrix()) {
      if (row.area != area) continue;
      std::optional<World> world;
      std::string pristine;  // the fingerprint of `world` as built
      for (int c = 0; c < kCallerCount; ++c) {
        Caller caller = static_cast<Caller>(c);
        std::string cell = absl::StrCat(row.rpc, " × ", kCallerNames[c], " → expected ",
                                        CodeName(row.expected[c]));
        SCOPED_TRACE(cell);
        if (!world.has_value() || DbFingerprint() != pristine) {
          absl::StatusOr<World> built = BuildWorld(row.stage);
          ASSERT_TRUE(built.ok()) << built.status();
          world = std::move(*built);
          pristine = DbFingerprint();
          ++worlds;
        }
        grpc::Status s = row.call(h_, spell(*world), caller);
        EXPECT_EQ(CodeName(s.error_code()), CodeName(row.expected[c]))
            << cell << ", got " << CodeName(s.error_code()) << ": " << s.error_message();
        if (!s.ok()) {
          EXPECT_EQ(DbFingerprint(), pristine) << cell << ": the refused call wrote something";
        }
        ++cells;
      }
    }
    EXPECT_GT(cells, 0);
    std::cout << cells << " cells on " << worlds << " worlds\n";
  }
};

TEST_F(AuthzMatrixTest, Organisations) { RunArea(Area::kOrganisations); }
TEST_F(AuthzMatrixTest, People) { RunArea(Area::kPeople); }
TEST_F(AuthzMatrixTest, Networks) { RunArea(Area::kNetworks); }
TEST_F(AuthzMatrixTest, Memberships) { RunArea(Area::kMemberships); }
TEST_F(AuthzMatrixTest, Streams) { RunArea(Area::kStreams); }

// The ids of the world in upper case, as a client may spell UUIDs: the service canonicalises
// them, so every cell answers as with the canonical spelling (neither a refusal turned into
// access nor the reverse, through a grant or a cache entry keyed on the other spelling).
World UpperCaseIds(World w) {
  auto upper = [](std::string* id) { absl::AsciiStrToUpper(id); };
  for (v1::Organisation* o :
       {&w.animating, &w.member, &w.board, &w.subject, &w.outsider, &w.other_animating}) {
    upper(o->mutable_organisation_id());
  }
  for (v1::Person* p : {&w.animating_rep, &w.member_rep, &w.board_rep, &w.subject_rep,
                        &w.outsider_rep, &w.other_rep, &w.spare_person}) {
    upper(p->mutable_person_id());
  }
  upper(w.network.mutable_network_id());
  upper(w.network.mutable_animating_organisation_id());
  upper(w.other_network.mutable_network_id());
  upper(w.subject_membership.mutable_membership_id());
  upper(w.subject_membership.mutable_organisation_id());
  upper(w.subject_membership.mutable_network_id());
  return w;
}

TEST_F(AuthzMatrixTest, UpperCaseIdsAnswerAsCanonicalOnes) {
  for (Area area :
       {Area::kOrganisations, Area::kPeople, Area::kNetworks, Area::kMemberships, Area::kStreams}) {
    RunArea(area, &UpperCaseIds);
  }
}

// A caller outside the network cannot tell an existing organisation, person, network or
// membership from a missing one: with random ids, every refused cell of the outsider and of
// the other network's animator answers exactly as it did for the real ones.
TEST_F(AuthzMatrixTest, RefusalsDoNotRevealExistence) {
  absl::StatusOr<World> world = BuildWorld(Stage::kApplied);
  ASSERT_TRUE(world.ok()) << world.status();
  World ghost = *world;
  ghost.subject.set_organisation_id("6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01");
  ghost.subject_rep.set_person_id("6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f02");
  ghost.spare_person.set_person_id("6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f03");
  ghost.network.set_network_id("6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f04");
  ghost.subject_membership.set_membership_id("6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f05");
  std::string before = DbFingerprint();
  for (const Row& row : Matrix()) {
    for (Caller c : {kOutsider, kOtherAnimator}) {
      if (row.expected[c] == OK) continue;  // nothing hidden: e.g. networks are public
      std::string cell = absl::StrCat(row.rpc, " with missing ids × ", kCallerNames[c],
                                      " → expected ", CodeName(row.expected[c]));
      SCOPED_TRACE(cell);
      grpc::Status s = row.call(h_, ghost, c);
      EXPECT_EQ(CodeName(s.error_code()), CodeName(row.expected[c]))
          << cell << ", got " << CodeName(s.error_code()) << ": " << s.error_message();
    }
  }
  EXPECT_EQ(DbFingerprint(), before);
}

// ---------------------------------------------------------------------------------------------
// Visibility of an organisation's profile

void ExpectFullProfile(const v1::Organisation& org) {
  EXPECT_FALSE(org.public_view());
  EXPECT_EQ(org.headcount_band(), v1::HEADCOUNT_BAND_3_5);
  ASSERT_EQ(org.establishments_size(), 1);
  EXPECT_EQ(org.establishments(0).address().street(), "12 rue des Lilas");
  EXPECT_TRUE(org.establishments(0).has_location());
}

void ExpectPublicProfile(const v1::Organisation& org, const std::string& legal_name) {
  EXPECT_TRUE(org.public_view());
  EXPECT_EQ(org.legal_name(), legal_name);
  EXPECT_EQ(org.headcount_band(), v1::HEADCOUNT_BAND_UNSPECIFIED);
  ASSERT_EQ(org.establishments_size(), 1);
  EXPECT_EQ(org.establishments(0).address().street(), "");
  EXPECT_FALSE(org.establishments(0).has_location());
  // The city and the activity stay visible: that is what fellow members look for.
  EXPECT_EQ(org.establishments(0).address().city(), "Bordeaux");
  EXPECT_EQ(org.naf_code(), "62.01Z");
}

class VisibilityTest : public AuthzTest {
 protected:
  grpc::Status Get(const auth::Principal& who, const std::string& id, v1::Organisation* out) {
    v1::GetOrganisationRequest req;
    req.set_organisation_id(id);
    return Unary(h_, who, &Stub::GetOrganisation, req, out);
  }
};

TEST_F(VisibilityTest, NetworkVisibleProfileIsFullForItsOwnAndAnimatorsPublicForFellows) {
  absl::StatusOr<World> world = BuildWorld(Stage::kActive);
  ASSERT_TRUE(world.ok()) << world.status();
  const World& w = *world;
  const std::string& id = w.subject.organisation_id();
  ASSERT_EQ(w.subject.visibility(), v1::VISIBILITY_NETWORK);

  for (Caller c : {kSubject, kAnimator, kAdmin}) {
    SCOPED_TRACE(kCallerNames[c]);
    v1::Organisation org;
    grpc::Status s = Get(w.callers[c], id, &org);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ExpectFullProfile(org);
  }
  for (Caller c : {kMember, kBoard}) {
    SCOPED_TRACE(kCallerNames[c]);
    v1::Organisation org;
    grpc::Status s = Get(w.callers[c], id, &org);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ExpectPublicProfile(org, w.subject.legal_name());
  }
  for (Caller c : {kOutsider, kOtherAnimator}) {
    SCOPED_TRACE(kCallerNames[c]);
    v1::Organisation org;
    grpc::Status s = Get(w.callers[c], id, &org);
    EXPECT_EQ(s.error_code(), NOTFOUND) << CodeName(s.error_code());
    EXPECT_EQ(s.error_message(), absl::StrCat("organisation ", id, " not found"))
        << "the refusal must read like a missing organisation";
  }

  // In listings too: the member sees itself in full and its fellows' public profiles; the
  // animator sees everyone in full.
  v1::ListOrganisationsRequest list;
  list.set_network_id(w.network.network_id());
  v1::ListOrganisationsResponse as_member;
  ASSERT_TRUE(Unary(h_, w.callers[kMember], &Stub::ListOrganisations, list, &as_member).ok());
  ASSERT_EQ(as_member.organisations_size(), 4);  // animating, member, board, subject
  for (const v1::Organisation& org : as_member.organisations()) {
    SCOPED_TRACE(org.legal_name());
    if (org.organisation_id() == w.member.organisation_id()) {
      ExpectFullProfile(org);
    } else {
      ExpectPublicProfile(org, org.legal_name());
    }
  }
  v1::ListOrganisationsResponse as_animator;
  ASSERT_TRUE(Unary(h_, w.callers[kAnimator], &Stub::ListOrganisations, list, &as_animator).ok());
  ASSERT_EQ(as_animator.organisations_size(), 4);
  for (const v1::Organisation& org : as_animator.organisations()) {
    SCOPED_TRACE(org.legal_name());
    ExpectFullProfile(org);
  }

  // Once it has left the network, its former fellows no longer see it (nor its animators).
  v1::LeaveNetworkRequest leave;
  leave.set_membership_id(w.subject_membership.membership_id());
  ASSERT_TRUE(Unary(h_, w.callers[kSubject], &Stub::LeaveNetwork, leave).ok());
  for (Caller c : {kMember, kAnimator}) {
    SCOPED_TRACE(absl::StrCat(kCallerNames[c], " after the subject left"));
    v1::Organisation org;
    EXPECT_EQ(Get(w.callers[c], id, &org).error_code(), NOTFOUND);
  }
  v1::Organisation own;
  ASSERT_TRUE(Get(w.callers[kSubject], id, &own).ok());
  ExpectFullProfile(own);
}

TEST_F(VisibilityTest, PublicProfileIsSeenByAnyoneButStreetAndHeadcountStayPrivate) {
  absl::StatusOr<World> world = BuildWorld(Stage::kNone);
  ASSERT_TRUE(world.ok()) << world.status();
  const World& w = *world;
  absl::StatusOr<v1::Organisation> open = NewCompany("Vitrine Publique", v1::VISIBILITY_PUBLIC);
  ASSERT_TRUE(open.ok()) << open.status();
  auth::Principal own = h_.ActingFor(open->organisation_id());

  // It belongs to no network, yet every authenticated caller sees its public profile.
  for (Caller c : {kOutsider, kOtherAnimator, kMember, kAnimator}) {
    SCOPED_TRACE(kCallerNames[c]);
    v1::Organisation org;
    grpc::Status s = Get(w.callers[c], open->organisation_id(), &org);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ExpectPublicProfile(org, "Vitrine Publique");
  }
  v1::Organisation full;
  ASSERT_TRUE(Get(own, open->organisation_id(), &full).ok());
  ExpectFullProfile(full);
  ASSERT_TRUE(Get(h_.Admin(), open->organisation_id(), &full).ok());
  ExpectFullProfile(full);

  // The subject (network visibility, in no network yet) stays hidden from the outsider.
  v1::Organisation hidden;
  EXPECT_EQ(Get(w.callers[kOutsider], w.subject.organisation_id(), &hidden).error_code(), NOTFOUND);
}

}  // namespace
}  // namespace maillage::membership
