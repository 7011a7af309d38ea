// Membership tried as a hostile member of another network would: an animator of a network
// anyone can create, holding other organisations' public identifiers (SIREN, e-mail), and
// callers racing each other. Each test states what the victim or the network would check.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/membership/membership_harness.h"
#include "services/membership/membership_test_data.h"
#include "tests/support/grpc_status.h"

namespace maillage::membership {
namespace {

using ::grpc::StatusCode;
using ::maillage::auth::v1::NETWORK_ROLE_ANIMATOR;
using ::maillage::auth::v1::NETWORK_ROLE_MEMBER;
using ::maillage::testing::HasCode;
using ::testing::HasSubstr;
using ::testing::Not;
using Stub = ::maillage::membership::v1::MembershipService::Stub;

class ExposureTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(h_.Start().ok()); }

  // An organisation with one representative, both created by the platform.
  struct Org {
    v1::Organisation org;
    v1::Person rep;
  };

  // A representative of `o`, holding `grants`.
  auth::Principal RepOf(const Org& o,
                        std::vector<std::pair<std::string, auth::NetworkRole>> grants = {}) const {
    return h_.ActingFor(o.org.organisation_id(), std::move(grants), o.rep.person_id());
  }

  Org NewOrg(const std::string& name) {
    Org o;
    const std::string siren = TestSiren("3", ++next_);
    v1::CreateOrganisationRequest req;
    v1::Organisation* d = req.mutable_organisation();
    d->set_legal_name(name);
    d->set_kind(v1::ORGANISATION_KIND_COMPANY);
    d->set_siren(siren);
    d->set_naf_code("62.01Z");
    d->set_website("https://www.exemple.fr");
    v1::Establishment* e = d->add_establishments();
    e->set_siret(HeadOfficeSiret(siren));
    e->set_head_office(true);
    e->mutable_address()->set_street("3 allée des Chênes");
    e->mutable_address()->set_city("Bordeaux");
    e->mutable_address()->set_commune_code("33063");
    EXPECT_TRUE(h_.Call(&Stub::CreateOrganisation, h_.Admin(), req, &o.org).ok());
    v1::CreatePersonRequest person;
    person.mutable_person()->set_given_name("Inès");
    person.mutable_person()->set_family_name("Garnier");
    person.mutable_person()->set_email(absl::StrCat("contact", next_, "@exemple.fr"));
    EXPECT_TRUE(h_.Call(&Stub::CreatePerson, h_.Admin(), person, &o.rep).ok());
    v1::AddRepresentationRequest rep;
    rep.set_organisation_id(o.org.organisation_id());
    rep.set_person_id(o.rep.person_id());
    v1::Representation r;
    EXPECT_TRUE(h_.Call(&Stub::AddRepresentation, h_.Admin(), rep, &r).ok());
    return o;
  }

  // A network animated by `animating`, whose founding membership is signed (active).
  v1::Network NewNetwork(const Org& animating, v1::AdmissionPolicy policy, int sponsors = 0) {
    v1::CreateNetworkRequest req;
    v1::Network* n = req.mutable_network();
    n->set_name(absl::StrCat("Réseau ", ++next_));
    n->set_kind(v1::NETWORK_KIND_CLUSTER);
    n->set_animating_organisation_id(animating.org.organisation_id());
    n->set_admission_policy(policy);
    n->set_required_sponsors(sponsors);
    n->mutable_charter()->set_text("Créer le lien, définir des objectifs communs.");
    v1::Network net;
    EXPECT_TRUE(h_.Call(&Stub::CreateNetwork, RepOf(animating), req, &net).ok());
    v1::ListMembershipsRequest list;
    list.set_network_id(net.network_id());
    v1::ListMembershipsResponse founding;
    EXPECT_TRUE(h_.Call(&Stub::ListMemberships, h_.Admin(), list, &founding).ok());
    EXPECT_EQ(founding.memberships_size(), 1);
    if (founding.memberships_size() == 1) Sign(founding.memberships(0), animating);
    return net;
  }

  v1::Membership Sign(const v1::Membership& m, const Org& o) {
    v1::SignCharterRequest req;
    req.set_membership_id(m.membership_id());
    req.set_person_id(o.rep.person_id());
    req.set_charter_version(1);
    v1::Membership out;
    grpc::Status s = h_.Call(&Stub::SignCharter, RepOf(o), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // `o` joins `net` (animator approval) and signs: an active member.
  v1::Membership Join(const v1::Network& net, const Org& o, const auth::Principal& animator) {
    v1::ApplyForMembershipRequest apply;
    apply.set_network_id(net.network_id());
    apply.set_organisation_id(o.org.organisation_id());
    v1::Membership m;
    EXPECT_TRUE(h_.Call(&Stub::ApplyForMembership, RepOf(o), apply, &m).ok());
    v1::ApproveMembershipRequest approve;
    approve.set_membership_id(m.membership_id());
    EXPECT_TRUE(h_.Call(&Stub::ApproveMembership, animator, approve, &m).ok());
    return Sign(m, o);
  }

  grpc::Status Import(const auth::Principal& who, const std::string& network_id,
                      const std::string& csv, v1::ImportReport* report) {
    auto ctx = h_.Context(who);
    auto writer = h_.stub()->ImportOrganisations(ctx.get(), report);
    v1::ImportOrganisationsRequest options;
    options.mutable_options()->set_network_id(network_id);
    v1::ImportOrganisationsRequest chunk;
    chunk.set_chunk(csv);
    if (writer->Write(options)) writer->Write(chunk);
    writer->WritesDone();
    return writer->Finish();
  }

  MembershipHarness h_;
  int next_ = 0;
};

// An animator of a network of its own imports a file naming another organisation's SIREN
// and its representative's e-mail, with a new name and website. The organisation keeps its
// profile and its representatives, is only invited, and nothing of it opens to the importer
// until it accepts.
TEST_F(ExposureTest, ImportingAnotherOrganisationsSirenOnlyInvitesIt) {
  Org victim = NewOrg("Cible Logiciels");
  Org hostile = NewOrg("Réseau Hostile");
  v1::Network net = NewNetwork(hostile, v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  auth::Principal importer = RepOf(hostile, {{net.network_id(), NETWORK_ROLE_ANIMATOR}});
  const std::string header =
      "siren,legal_name,kind,website,role,contact_first_name,contact_last_name,contact_email\n";

  // Taking the network's animation or board through a file is refused by row.
  v1::ImportReport refused;
  ASSERT_TRUE(Import(importer, net.network_id(),
                     absl::StrCat(header, victim.org.siren(),
                                  ",Cible Reprise,company,https://pirate.example,animator,Eve,"
                                  "Pirate,",
                                  victim.rep.email(), "\n"),
                     &refused)
                  .ok());
  ASSERT_EQ(refused.errors_size(), 1);
  EXPECT_EQ(refused.errors(0).field(), "role");
  EXPECT_EQ(h_.Count("SELECT count(*) FROM memberships WHERE organisation_id = '" +
                     victim.org.organisation_id() + "'"),
            0);

  v1::ImportReport report;
  ASSERT_TRUE(Import(importer, net.network_id(),
                     absl::StrCat(header, victim.org.siren(),
                                  ",Cible Reprise,company,https://pirate.example,member,Eve,"
                                  "Pirate,",
                                  victim.rep.email(), "\n"),
                     &report)
                  .ok());
  EXPECT_EQ(report.errors_size(), 0);
  EXPECT_EQ(report.organisations_created(), 0);
  EXPECT_EQ(report.organisations_updated(), 0);
  EXPECT_EQ(report.organisations_unchanged(), 1);
  EXPECT_EQ(report.memberships_created(), 0);
  EXPECT_EQ(report.invitations_created(), 1);
  EXPECT_EQ(report.people_created(), 0);
  EXPECT_EQ(report.contacts_not_linked(), 1);

  // The victim's profile and representatives are as they were.
  v1::GetOrganisationRequest get;
  get.set_organisation_id(victim.org.organisation_id());
  v1::Organisation now;
  ASSERT_TRUE(h_.Call(&Stub::GetOrganisation, h_.Admin(), get, &now).ok());
  EXPECT_EQ(now.legal_name(), "Cible Logiciels");
  EXPECT_EQ(now.website(), "https://www.exemple.fr");
  EXPECT_EQ(now.version(), victim.org.version());
  EXPECT_EQ(h_.Count("SELECT count(*) FROM representations WHERE organisation_id = '" +
                     victim.org.organisation_id() + "'"),
            1);

  // The importer sees neither the organisation, nor its people, nor it among its members.
  v1::Organisation seen;
  EXPECT_TRUE(
      HasCode(h_.Call(&Stub::GetOrganisation, importer, get, &seen), StatusCode::NOT_FOUND));
  v1::GetPersonRequest person;
  person.set_person_id(victim.rep.person_id());
  v1::Person p;
  EXPECT_TRUE(HasCode(h_.Call(&Stub::GetPerson, importer, person, &p), StatusCode::NOT_FOUND));
  v1::ListRepresentationsRequest reps;
  reps.set_organisation_id(victim.org.organisation_id());
  v1::ListRepresentationsResponse rep_list;
  EXPECT_TRUE(HasCode(h_.Call(&Stub::ListRepresentations, importer, reps, &rep_list),
                      StatusCode::PERMISSION_DENIED));
  v1::ListOrganisationsRequest list;
  list.set_network_id(net.network_id());
  v1::ListOrganisationsResponse orgs;
  ASSERT_TRUE(h_.Call(&Stub::ListOrganisations, importer, list, &orgs).ok());
  for (const v1::Organisation& o : orgs.organisations()) {
    EXPECT_NE(o.organisation_id(), victim.org.organisation_id());
  }

  // The victim finds the invitation among its memberships and accepts it: only then is it
  // a member whose profile the network's animators read.
  v1::ListMembershipsRequest mine;
  mine.set_organisation_id(victim.org.organisation_id());
  v1::ListMembershipsResponse memberships;
  ASSERT_TRUE(h_.Call(&Stub::ListMemberships, RepOf(victim), mine, &memberships).ok());
  ASSERT_EQ(memberships.memberships_size(), 1);
  EXPECT_EQ(memberships.memberships(0).state(), v1::MEMBERSHIP_STATE_INVITED);
  EXPECT_EQ(memberships.memberships(0).role(), NETWORK_ROLE_MEMBER);
  v1::AcceptInvitationRequest accept;
  accept.set_membership_id(memberships.memberships(0).membership_id());
  v1::Membership accepted;
  // The animator who invited cannot accept in the organisation's name.
  EXPECT_TRUE(HasCode(h_.Call(&Stub::AcceptInvitation, importer, accept, &accepted),
                      StatusCode::PERMISSION_DENIED));
  ASSERT_TRUE(h_.Call(&Stub::AcceptInvitation, RepOf(victim), accept, &accepted).ok());
  EXPECT_EQ(accepted.state(), v1::MEMBERSHIP_STATE_SPONSORED);
  EXPECT_TRUE(h_.Call(&Stub::GetOrganisation, importer, get, &seen).ok());
  EXPECT_EQ(seen.legal_name(), "Cible Logiciels");
}

// The same through the API: an animator enrolling an organisation it does not represent
// makes an invitation, whatever the role asked, and sees nothing until it is accepted.
TEST_F(ExposureTest, EnrolmentOnSomeonesBehalfIsAnInvitation) {
  Org victim = NewOrg("Cible Conseil");
  Org hostile = NewOrg("Animation Hostile");
  v1::Network net = NewNetwork(hostile, v1::ADMISSION_POLICY_OPEN);
  auth::Principal animator = RepOf(hostile, {{net.network_id(), NETWORK_ROLE_ANIMATOR}});
  v1::ApplyForMembershipRequest apply;
  apply.set_network_id(net.network_id());
  apply.set_organisation_id(victim.org.organisation_id());
  apply.set_role(NETWORK_ROLE_ANIMATOR);
  v1::Membership m;
  ASSERT_TRUE(h_.Call(&Stub::ApplyForMembership, animator, apply, &m).ok());
  EXPECT_EQ(m.state(), v1::MEMBERSHIP_STATE_INVITED);

  v1::GetOrganisationRequest get;
  get.set_organisation_id(victim.org.organisation_id());
  v1::Organisation seen;
  EXPECT_TRUE(
      HasCode(h_.Call(&Stub::GetOrganisation, animator, get, &seen), StatusCode::NOT_FOUND));
  // An invitation keeps the role it was made with until it is accepted.
  v1::ChangeMembershipRoleRequest promote;
  promote.set_membership_id(m.membership_id());
  promote.set_role(auth::v1::NETWORK_ROLE_BOARD);
  v1::Membership out;
  EXPECT_TRUE(HasCode(h_.Call(&Stub::ChangeMembershipRole, animator, promote, &out),
                      StatusCode::FAILED_PRECONDITION));
  // The organisation declines by leaving: nothing ever opened.
  v1::LeaveNetworkRequest decline;
  decline.set_membership_id(m.membership_id());
  ASSERT_TRUE(h_.Call(&Stub::LeaveNetwork, RepOf(victim), decline, &out).ok());
  EXPECT_EQ(out.state(), v1::MEMBERSHIP_STATE_LEFT);
  EXPECT_TRUE(
      HasCode(h_.Call(&Stub::GetOrganisation, animator, get, &seen), StatusCode::NOT_FOUND));
}

// An organisation's own application does not open it either, and an applicant cannot be
// promoted before it is admitted.
TEST_F(ExposureTest, ApplicantsAreNotPromotedNorExposedBeforeAdmission) {
  Org animating = NewOrg("Animation");
  Org applicant = NewOrg("Candidat");
  v1::Network net = NewNetwork(animating, v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  auth::Principal animator = RepOf(animating, {{net.network_id(), NETWORK_ROLE_ANIMATOR}});
  v1::ApplyForMembershipRequest apply;
  apply.set_network_id(net.network_id());
  apply.set_organisation_id(applicant.org.organisation_id());
  v1::Membership m;
  ASSERT_TRUE(h_.Call(&Stub::ApplyForMembership, RepOf(applicant), apply, &m).ok());
  ASSERT_EQ(m.state(), v1::MEMBERSHIP_STATE_APPLIED);
  v1::ChangeMembershipRoleRequest promote;
  promote.set_membership_id(m.membership_id());
  promote.set_role(NETWORK_ROLE_ANIMATOR);
  v1::Membership out;
  grpc::Status s = h_.Call(&Stub::ChangeMembershipRole, animator, promote, &out);
  EXPECT_TRUE(HasCode(s, StatusCode::FAILED_PRECONDITION));
  EXPECT_THAT(s.error_message(), HasSubstr("APPLIED"));
  EXPECT_EQ(
      h_.Count(absl::StrCat("SELECT role FROM memberships WHERE id = '", m.membership_id(), "'")),
      NETWORK_ROLE_MEMBER);
}

// SIRENs are the import key and other services' key: a representative cannot change theirs.
TEST_F(ExposureTest, OnlyAPlatformAdministratorChangesASiren) {
  Org o = NewOrg("Atelier Stable");
  const std::string other = TestSiren("4", 1);
  v1::UpdateOrganisationRequest update;
  *update.mutable_organisation() = o.org;
  update.mutable_organisation()->set_siren(other);
  update.mutable_organisation()->clear_establishments();
  v1::Organisation out;
  grpc::Status s = h_.Call(&Stub::UpdateOrganisation, RepOf(o), update, &out);
  EXPECT_TRUE(HasCode(s, StatusCode::PERMISSION_DENIED));
  EXPECT_THAT(s.error_message(), HasSubstr("organisation.siren"));
  EXPECT_EQ(h_.Count("SELECT count(*) FROM organisations WHERE siren = '" + o.org.siren() + "'"),
            1);
  // Other fields still change as before.
  v1::UpdateOrganisationRequest rename;
  *rename.mutable_organisation() = o.org;
  rename.mutable_organisation()->set_legal_name("Atelier Stable et Durable");
  ASSERT_TRUE(h_.Call(&Stub::UpdateOrganisation, RepOf(o), rename, &out).ok());

  const int64_t events =
      h_.Count("SELECT count(*) FROM outbox WHERE event_type = 'membership.siren_changed'");
  *update.mutable_organisation() = out;
  update.mutable_organisation()->set_siren(other);
  update.mutable_organisation()->clear_establishments();
  ASSERT_TRUE(h_.Call(&Stub::UpdateOrganisation, h_.Admin(), update, &out).ok());
  EXPECT_EQ(out.siren(), other);
  EXPECT_EQ(h_.Count("SELECT count(*) FROM outbox WHERE event_type = 'membership.siren_changed'"),
            events + 1);
}

// Knowing an e-mail or a SIREN must not reveal which person or organisation holds it.
TEST_F(ExposureTest, DuplicatesNameNoOtherTenantsIds) {
  Org o = NewOrg("Déjà Là");
  v1::CreatePersonRequest person;
  person.mutable_person()->set_given_name("Marc");
  person.mutable_person()->set_family_name("Lemoine");
  person.mutable_person()->set_email(absl::AsciiStrToUpper(o.rep.email()));
  v1::Person p;
  Org caller = NewOrg("Curieux");
  grpc::Status s = h_.Call(&Stub::CreatePerson, RepOf(caller), person, &p);
  EXPECT_TRUE(HasCode(s, StatusCode::ALREADY_EXISTS));
  EXPECT_THAT(s.error_message(), HasSubstr("person.email"));
  EXPECT_THAT(s.error_message(), Not(HasSubstr(o.rep.person_id())));

  v1::CreateOrganisationRequest org;
  *org.mutable_organisation() = o.org;
  org.mutable_organisation()->clear_organisation_id();
  v1::Organisation created;
  s = h_.Call(&Stub::CreateOrganisation, RepOf(caller), org, &created);
  EXPECT_TRUE(HasCode(s, StatusCode::ALREADY_EXISTS));
  EXPECT_THAT(s.error_message(), HasSubstr("organisation.siren"));
  EXPECT_THAT(s.error_message(), Not(HasSubstr(o.org.organisation_id())));
}

// Limits are in characters: 150 accented letters are 300 bytes and a valid name.
TEST_F(ExposureTest, LengthLimitsCountCharactersNotBytes) {
  Org o = NewOrg("Court");
  std::string accented;
  for (int i = 0; i < 150; ++i) accented += "é";
  v1::UpdateOrganisationRequest update;
  *update.mutable_organisation() = o.org;
  update.mutable_organisation()->set_legal_name(accented);
  v1::Organisation out;
  grpc::Status s = h_.Call(&Stub::UpdateOrganisation, RepOf(o), update, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.legal_name(), accented);
  for (int i = 0; i < 51; ++i) accented += "é";  // 201 characters
  *update.mutable_organisation() = out;
  update.mutable_organisation()->set_legal_name(accented);
  s = h_.Call(&Stub::UpdateOrganisation, RepOf(o), update, &out);
  EXPECT_TRUE(HasCode(s, StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(s.error_message(), HasSubstr("201 > 200 characters"));
}

// Runs `calls` copies of `fn(i)` at once, released together.
std::vector<grpc::Status> Race(int calls, const std::function<grpc::Status(int)>& fn) {
  std::vector<grpc::Status> out(calls);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < calls; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      out[i] = fn(i);
    });
  }
  go = true;
  for (std::thread& t : threads) t.join();
  return out;
}

int CountOk(const std::vector<grpc::Status>& all) {
  int n = 0;
  for (const grpc::Status& s : all) n += s.ok();
  return n;
}

// Eight first applications of one organisation at once: one membership, one success, and
// every other caller hears what a late one would (ALREADY_EXISTS), never a raw SQL error.
TEST_F(ExposureTest, ConcurrentFirstApplicationsMakeOneMembership) {
  Org animating = NewOrg("Animation");
  Org applicant = NewOrg("Pressé");
  v1::Network net = NewNetwork(animating, v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  for (int round = 0; round < 3; ++round) {
    Org o = round == 0 ? applicant : NewOrg(absl::StrCat("Pressé ", round));
    std::vector<grpc::Status> all = Race(8, [&](int) {
      v1::ApplyForMembershipRequest apply;
      apply.set_network_id(net.network_id());
      apply.set_organisation_id(o.org.organisation_id());
      v1::Membership m;
      return h_.Call(&Stub::ApplyForMembership, RepOf(o), apply, &m);
    });
    EXPECT_EQ(CountOk(all), 1);
    for (const grpc::Status& s : all) {
      if (!s.ok()) {
        EXPECT_TRUE(HasCode(s, StatusCode::ALREADY_EXISTS));
        EXPECT_THAT(s.error_message(), HasSubstr("already has a membership"));
      }
    }
    EXPECT_EQ(h_.Count("SELECT count(*) FROM memberships WHERE organisation_id = '" +
                       o.org.organisation_id() + "'"),
              1);
  }
}

// Two active animators step out at once: one succeeds, the network keeps the other.
TEST_F(ExposureTest, ConcurrentDeparturesNeverLeaveANetworkWithoutAnimator) {
  Org first = NewOrg("Première Animation");
  Org second = NewOrg("Seconde Animation");
  v1::Network net = NewNetwork(first, v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  auth::Principal animator = RepOf(first, {{net.network_id(), NETWORK_ROLE_ANIMATOR}});
  v1::Membership m2 = Join(net, second, animator);
  v1::ChangeMembershipRoleRequest promote;
  promote.set_membership_id(m2.membership_id());
  promote.set_role(NETWORK_ROLE_ANIMATOR);
  ASSERT_TRUE(h_.Call(&Stub::ChangeMembershipRole, animator, promote, &m2).ok());
  v1::ListMembershipsRequest list;
  list.set_network_id(net.network_id());
  list.set_role(NETWORK_ROLE_ANIMATOR);
  v1::ListMembershipsResponse animators;
  ASSERT_TRUE(h_.Call(&Stub::ListMemberships, h_.Admin(), list, &animators).ok());
  ASSERT_EQ(animators.memberships_size(), 2);

  std::vector<grpc::Status> all = Race(2, [&](int i) {
    v1::LeaveNetworkRequest leave;
    leave.set_membership_id(animators.memberships(i).membership_id());
    v1::Membership out;
    return h_.Call(&Stub::LeaveNetwork, h_.Admin(), leave, &out);
  });
  EXPECT_EQ(CountOk(all), 1);
  for (const grpc::Status& s : all) {
    if (!s.ok()) {
      EXPECT_THAT(s.error_message(), HasSubstr("last active animator"));
    }
  }
  EXPECT_EQ(h_.Count(absl::StrCat("SELECT count(*) FROM memberships WHERE network_id = '",
                                  net.network_id(), "' AND role = ", NETWORK_ROLE_ANIMATOR,
                                  " AND state = ", v1::MEMBERSHIP_STATE_ACTIVE)),
            1);
}

// Three active members sponsor an applicant who needs two, all at once: exactly two
// sponsorships count, the applicant is admitted once, the third hears it is too late.
TEST_F(ExposureTest, ConcurrentSponsorsCountExactlyTheRequiredNumber) {
  Org animating = NewOrg("Animation");
  v1::Network net = NewNetwork(animating, v1::ADMISSION_POLICY_CO_OPTATION, 2);
  auth::Principal animator = RepOf(animating, {{net.network_id(), NETWORK_ROLE_ANIMATOR}});
  std::vector<Org> sponsors;
  for (int i = 0; i < 3; ++i) {
    sponsors.push_back(NewOrg(absl::StrCat("Parrain ", i)));
    v1::ApplyForMembershipRequest apply;
    apply.set_network_id(net.network_id());
    apply.set_organisation_id(sponsors.back().org.organisation_id());
    v1::Membership m;
    ASSERT_TRUE(h_.Call(&Stub::ApplyForMembership, RepOf(sponsors.back()), apply, &m).ok());
    v1::ApproveMembershipRequest approve;
    approve.set_membership_id(m.membership_id());
    ASSERT_TRUE(h_.Call(&Stub::ApproveMembership, animator, approve, &m).ok());
    Sign(m, sponsors.back());
  }
  Org applicant = NewOrg("Filleul");
  v1::ApplyForMembershipRequest apply;
  apply.set_network_id(net.network_id());
  apply.set_organisation_id(applicant.org.organisation_id());
  v1::Membership applied;
  ASSERT_TRUE(h_.Call(&Stub::ApplyForMembership, RepOf(applicant), apply, &applied).ok());

  std::vector<grpc::Status> all = Race(3, [&](int i) {
    v1::SponsorMembershipRequest sponsor;
    sponsor.set_membership_id(applied.membership_id());
    v1::Membership out;
    return h_.Call(&Stub::SponsorMembership,
                   RepOf(sponsors[i], {{net.network_id(), NETWORK_ROLE_MEMBER}}), sponsor, &out);
  });
  EXPECT_EQ(CountOk(all), 2);
  for (const grpc::Status& s : all) {
    if (!s.ok()) {
      EXPECT_TRUE(HasCode(s, StatusCode::FAILED_PRECONDITION)) << s.error_message();
    }
  }
  EXPECT_EQ(h_.Count("SELECT count(*) FROM sponsorships WHERE membership_id = '" +
                     applied.membership_id() + "'"),
            2);
  EXPECT_EQ(h_.Count("SELECT state FROM memberships WHERE id = '" + applied.membership_id() + "'"),
            v1::MEMBERSHIP_STATE_SPONSORED);
}

}  // namespace
}  // namespace maillage::membership
