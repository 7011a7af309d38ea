// The membership store through the gRPC API, on real PostgreSQL and Redis: keyset pages that
// stay correct while rows are added, list filters, idempotency keys, optimistic concurrency,
// uniqueness, the membership state machine, and the CSV import and export.
#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/membership/domain/identifiers.h"
#include "services/membership/membership_harness.h"
#include "services/membership/membership_test_data.h"
#include "tests/support/grpc_status.h"

namespace maillage::membership {
namespace {

using ::maillage::testing::HasCode;
using ::maillage::testing::Ok;

using ::maillage::auth::Principal;
using ::maillage::auth::v1::NETWORK_ROLE_ANIMATOR;
using ::maillage::auth::v1::NETWORK_ROLE_BOARD;
using ::maillage::auth::v1::NETWORK_ROLE_MEMBER;
using ::maillage::auth::v1::NETWORK_ROLE_PARTNER;
using ::maillage::auth::v1::NETWORK_ROLE_UNSPECIFIED;
using ::maillage::auth::v1::NetworkRole;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;
using Stub = v1::MembershipService::Stub;

// The same number with a wrong check digit: Luhn catches every single-digit change.
std::string WithBadCheckDigit(const std::string& siren) {
  std::string bad = siren;
  bad.back() = static_cast<char>('0' + (bad.back() - '0' + 1) % 10);
  return bad;
}

// RFC 4180, written independently of the service's reader.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  if (!field.empty() || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

struct OrgSpec {
  std::string name;
  std::string siren;  // empty: none (not for companies)
  v1::OrganisationKind kind = v1::ORGANISATION_KIND_COMPANY;
  std::string naf = "62.01Z";
  std::string commune = "33063";
  std::string city = "Bordeaux";
};

// An organisation with a representative.
struct Member {
  v1::Organisation org;
  v1::Person rep;
  v1::Membership membership;
};

// A network whose founding animator has signed the charter and is active.
struct Founded {
  v1::Network net;
  Member animator;
  Principal anim;  // the animator's representative, with the animator grant
};

class MembershipStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::Status s = h_.Start(options_);
    ASSERT_TRUE(s.ok()) << s;
  }

  template <typename Req, typename Resp>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    const Principal& who, const Req& req, Resp* resp,
                    absl::Duration deadline = absl::Seconds(10)) {
    return h_.Call(method, who, req, resp, deadline);
  }

  int64_t Count(const std::string& sql) { return h_.Count(sql); }

  std::string NextSiren() { return TestSiren("4", next_siren_++); }

  v1::CreateOrganisationRequest OrganisationRequest(const OrgSpec& spec) {
    v1::CreateOrganisationRequest req;
    v1::Organisation* o = req.mutable_organisation();
    o->set_legal_name(spec.name);
    o->set_kind(spec.kind);
    o->set_siren(spec.siren);
    o->set_naf_code(spec.naf);
    if (!spec.siren.empty()) {
      v1::Establishment* e = o->add_establishments();
      e->set_siret(HeadOfficeSiret(spec.siren));
      e->set_head_office(true);
      e->mutable_address()->set_street("12 rue des Lilas");
      e->mutable_address()->set_city(spec.city);
      e->mutable_address()->set_commune_code(spec.commune);
    } else if (!spec.commune.empty()) {
      o->mutable_territory()->add_commune_codes(spec.commune);
    }
    return req;
  }

  v1::Organisation CreateOrg(const OrgSpec& spec) {
    v1::Organisation out;
    EXPECT_TRUE(Ok(Call(&Stub::CreateOrganisation, h_.Admin(), OrganisationRequest(spec), &out)))
        << spec.name;
    return out;
  }

  v1::Organisation Company(const std::string& name) {
    return CreateOrg({.name = name, .siren = NextSiren()});
  }

  v1::Person AddRep(const std::string& organisation_id) {
    v1::CreatePersonRequest req;
    req.mutable_person()->set_given_name("Claire");
    req.mutable_person()->set_family_name(absl::StrCat("Martin ", next_person_));
    req.mutable_person()->set_email(absl::StrCat("claire", next_person_++, "@exemple.fr"));
    v1::Person person;
    EXPECT_TRUE(Ok(Call(&Stub::CreatePerson, h_.Admin(), req, &person)));
    v1::AddRepresentationRequest rep;
    rep.set_organisation_id(organisation_id);
    rep.set_person_id(person.person_id());
    rep.set_role_title("Gérante");
    v1::Representation r;
    EXPECT_TRUE(Ok(Call(&Stub::AddRepresentation, h_.Admin(), rep, &r)));
    return person;
  }

  Member NewMember(const std::string& name) {
    Member m;
    m.org = Company(name);
    m.rep = AddRep(m.org.organisation_id());
    return m;
  }

  Principal Rep(const Member& m) {
    return h_.ActingFor(m.org.organisation_id(), {}, m.rep.person_id());
  }

  // The representative of a member of `net`, holding its grant as the gateway would issue it.
  Principal RepIn(const Member& m, const v1::Network& net, NetworkRole role = NETWORK_ROLE_MEMBER) {
    return h_.ActingFor(m.org.organisation_id(), {{net.network_id(), role}}, m.rep.person_id());
  }

  v1::CreateNetworkRequest NetworkRequest(const std::string& animator_org,
                                          v1::AdmissionPolicy policy, int sponsors,
                                          const std::string& name) {
    v1::CreateNetworkRequest req;
    v1::Network* n = req.mutable_network();
    n->set_name(name);
    n->set_kind(v1::NETWORK_KIND_CLUSTER);
    n->set_animating_organisation_id(animator_org);
    n->set_admission_policy(policy);
    n->set_required_sponsors(sponsors);
    n->mutable_charter()->set_text("Créer le lien, définir des objectifs communs, transparence.");
    n->mutable_territory()->add_departement_codes("33");
    return req;
  }

  v1::Network CreateNetwork(const std::string& animator_org, v1::AdmissionPolicy policy,
                            int sponsors = 0, const std::string& name = "Grappe de Gironde") {
    v1::Network out;
    EXPECT_TRUE(Ok(Call(&Stub::CreateNetwork, h_.ActingFor(animator_org),
                        NetworkRequest(animator_org, policy, sponsors, name), &out)));
    return out;
  }

  // The organisation's membership of the network, as its representatives see it.
  v1::Membership MembershipOf(const std::string& organisation_id, const std::string& network_id) {
    v1::ListMembershipsRequest req;
    req.set_organisation_id(organisation_id);
    v1::ListMembershipsResponse resp;
    EXPECT_TRUE(Ok(Call(&Stub::ListMemberships, h_.ActingFor(organisation_id), req, &resp)));
    for (const v1::Membership& m : resp.memberships()) {
      if (m.network_id() == network_id) return m;
    }
    ADD_FAILURE() << "no membership of " << organisation_id << " in " << network_id;
    return {};
  }

  grpc::Status Apply(const Principal& who, const std::string& network_id,
                     const std::string& organisation_id, v1::Membership* out,
                     NetworkRole role = NETWORK_ROLE_UNSPECIFIED, const std::string& key = "") {
    v1::ApplyForMembershipRequest req;
    req.set_network_id(network_id);
    req.set_organisation_id(organisation_id);
    req.set_role(role);
    req.set_motivation("Mutualiser le recrutement");
    req.set_idempotency_key(key);
    return Call(&Stub::ApplyForMembership, who, req, out);
  }

  grpc::Status Sign(const Member& m, const std::string& membership_id, int version,
                    v1::Membership* out) {
    v1::SignCharterRequest req;
    req.set_membership_id(membership_id);
    req.set_person_id(m.rep.person_id());
    req.set_charter_version(version);
    return Call(&Stub::SignCharter, Rep(m), req, out);
  }

  grpc::Status Approve(const Principal& who, const std::string& membership_id,
                       v1::Membership* out) {
    v1::ApproveMembershipRequest req;
    req.set_membership_id(membership_id);
    return Call(&Stub::ApproveMembership, who, req, out);
  }

  grpc::Status Sponsor(const Principal& who, const std::string& membership_id,
                       v1::Membership* out) {
    v1::SponsorMembershipRequest req;
    req.set_membership_id(membership_id);
    return Call(&Stub::SponsorMembership, who, req, out);
  }

  grpc::Status Suspend(const Principal& who, const std::string& membership_id,
                       const std::string& reason, v1::Membership* out) {
    v1::SuspendMembershipRequest req;
    req.set_membership_id(membership_id);
    req.set_reason(reason);
    return Call(&Stub::SuspendMembership, who, req, out);
  }

  grpc::Status Leave(const Principal& who, const std::string& membership_id, v1::Membership* out) {
    v1::LeaveNetworkRequest req;
    req.set_membership_id(membership_id);
    return Call(&Stub::LeaveNetwork, who, req, out);
  }

  grpc::Status ChangeRole(const Principal& who, const std::string& membership_id, NetworkRole role,
                          v1::Membership* out) {
    v1::ChangeMembershipRoleRequest req;
    req.set_membership_id(membership_id);
    req.set_role(role);
    return Call(&Stub::ChangeMembershipRole, who, req, out);
  }

  Founded Found(v1::AdmissionPolicy policy, int sponsors = 0) {
    Founded f;
    f.animator = NewMember("Agence Animatrice");
    f.net = CreateNetwork(f.animator.org.organisation_id(), policy, sponsors);
    v1::Membership founding = MembershipOf(f.animator.org.organisation_id(), f.net.network_id());
    EXPECT_EQ(founding.role(), NETWORK_ROLE_ANIMATOR);
    EXPECT_EQ(founding.state(), v1::MEMBERSHIP_STATE_SPONSORED);
    EXPECT_TRUE(Ok(Sign(f.animator, founding.membership_id(), 1, &f.animator.membership)));
    EXPECT_EQ(f.animator.membership.state(), v1::MEMBERSHIP_STATE_ACTIVE);
    f.anim =
        h_.ActingFor(f.animator.org.organisation_id(),
                     {{f.net.network_id(), NETWORK_ROLE_ANIMATOR}}, f.animator.rep.person_id());
    return f;
  }

  // A member that applied, was admitted and signed: ACTIVE.
  Member ActiveMember(const Founded& f, const std::string& name) {
    Member m = NewMember(name);
    EXPECT_TRUE(Ok(Apply(Rep(m), f.net.network_id(), m.org.organisation_id(), &m.membership)));
    if (m.membership.state() == v1::MEMBERSHIP_STATE_APPLIED) {
      EXPECT_TRUE(Ok(Approve(f.anim, m.membership.membership_id(), &m.membership)));
    }
    EXPECT_TRUE(
        Ok(Sign(m, m.membership.membership_id(), f.net.charter().version(), &m.membership)));
    EXPECT_EQ(m.membership.state(), v1::MEMBERSHIP_STATE_ACTIVE);
    return m;
  }

  // Enrols an organisation through an admin (open networks admit at once).
  v1::Membership Enrol(const std::string& network_id, const std::string& organisation_id) {
    v1::Membership m;
    EXPECT_TRUE(Ok(Apply(h_.Admin(), network_id, organisation_id, &m)));
    return m;
  }

  // Every organisation matching `req` (all pages), by legal name.
  std::vector<std::string> OrganisationNames(const Principal& who,
                                             v1::ListOrganisationsRequest req) {
    std::vector<std::string> names;
    for (int page = 0; page < 20; ++page) {
      v1::ListOrganisationsResponse resp;
      grpc::Status s = Call(&Stub::ListOrganisations, who, req, &resp);
      EXPECT_TRUE(Ok(s));
      for (const v1::Organisation& o : resp.organisations()) names.push_back(o.legal_name());
      if (!s.ok() || resp.page().next_page_token().empty()) break;
      req.mutable_page()->set_page_token(resp.page().next_page_token());
    }
    return names;
  }

  std::vector<std::string> MembershipNames(const Principal& who, v1::ListMembershipsRequest req) {
    std::vector<std::string> names;
    for (int page = 0; page < 20; ++page) {
      v1::ListMembershipsResponse resp;
      grpc::Status s = Call(&Stub::ListMemberships, who, req, &resp);
      EXPECT_TRUE(Ok(s));
      for (const v1::Membership& m : resp.memberships()) names.push_back(m.organisation_name());
      if (!s.ok() || resp.page().next_page_token().empty()) break;
      req.mutable_page()->set_page_token(resp.page().next_page_token());
    }
    return names;
  }

  grpc::Status Import(const Principal& who, const v1::ImportOrganisationsRequest::Options& options,
                      const std::string& csv, size_t chunk_size, v1::ImportReport* report) {
    std::unique_ptr<grpc::ClientContext> ctx = h_.Context(who);
    std::unique_ptr<grpc::ClientWriter<v1::ImportOrganisationsRequest>> writer =
        h_.stub()->ImportOrganisations(ctx.get(), report);
    v1::ImportOrganisationsRequest first;
    *first.mutable_options() = options;
    bool ok = writer->Write(first);
    for (size_t at = 0; ok && at < csv.size(); at += chunk_size) {
      v1::ImportOrganisationsRequest part;
      part.set_chunk(csv.substr(at, chunk_size));
      ok = writer->Write(part);
    }
    writer->WritesDone();
    return writer->Finish();
  }

  grpc::Status Export(const Principal& who, const std::string& network_id, std::string* csv) {
    std::unique_ptr<grpc::ClientContext> ctx = h_.Context(who);
    v1::ExportMembersRequest req;
    req.set_network_id(network_id);
    std::unique_ptr<grpc::ClientReader<v1::CsvChunk>> reader =
        h_.stub()->ExportMembers(ctx.get(), req);
    v1::CsvChunk chunk;
    while (reader->Read(&chunk)) csv->append(chunk.data());
    return reader->Finish();
  }

  HarnessOptions options_;
  MembershipHarness h_;
  int next_siren_ = 1;
  int next_person_ = 1;
};

// ---------------------------------------------------------------------------------------------
// Pagination while rows are added

TEST_F(MembershipStoreTest, OrganisationPagesStayCorrectWhileOrganisationsAreAdded) {
  Founded f = Found(v1::ADMISSION_POLICY_OPEN);
  std::set<std::string> initial = {f.animator.org.organisation_id()};
  for (int i = 0; i < 10; ++i) {
    v1::Organisation o = Company(absl::StrFormat("Entreprise %02d", i));
    Enrol(f.net.network_id(), o.organisation_id());
    initial.insert(o.organisation_id());
  }

  v1::ListOrganisationsRequest req;
  req.set_network_id(f.net.network_id());
  req.mutable_page()->set_page_size(3);
  std::vector<std::string> seen;
  std::set<std::string> added_before, added_after;
  std::string previous_key;
  for (int page = 0;; ++page) {
    ASSERT_LT(page, 40) << "the pages never end";
    v1::ListOrganisationsResponse resp;
    ASSERT_TRUE(Ok(Call(&Stub::ListOrganisations, f.anim, req, &resp)));
    ASSERT_LE(resp.organisations_size(), 3);
    for (const v1::Organisation& o : resp.organisations()) {
      std::string key = absl::AsciiStrToLower(o.legal_name());
      EXPECT_LE(previous_key, key) << "out of order at " << o.legal_name();
      previous_key = key;
      seen.push_back(o.organisation_id());
    }
    if (resp.page().next_page_token().empty()) break;
    ASSERT_EQ(resp.organisations_size(), 3) << "a page before the last one is full";
    // Between two calls, newcomers join: one sorting before the cursor, one after every row
    // (numbered so that each sorts after the previous ones), one with the cursor's own name.
    v1::Organisation before = Company(absl::StrFormat("Aaa avant %02d", page));
    v1::Organisation after = Company(absl::StrFormat("Zzz apres %02d", page));
    v1::Organisation twin = Company(resp.organisations(2).legal_name());
    for (const v1::Organisation* o : {&before, &after, &twin}) {
      Enrol(f.net.network_id(), o->organisation_id());
    }
    added_before.insert(before.organisation_id());
    added_after.insert(after.organisation_id());
    req.mutable_page()->set_page_token(resp.page().next_page_token());
  }

  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "an organisation was returned twice";
  for (const std::string& id : initial) EXPECT_TRUE(unique.contains(id)) << "missed " << id;
  for (const std::string& id : added_after) EXPECT_TRUE(unique.contains(id)) << "missed " << id;
  for (const std::string& id : added_before) {
    EXPECT_FALSE(unique.contains(id)) << "behind the cursor, yet returned: " << id;
  }
}

TEST_F(MembershipStoreTest, MembershipPagesStayCorrectWhileMembersJoin) {
  Founded f = Found(v1::ADMISSION_POLICY_OPEN);
  std::set<std::string> initial = {f.animator.membership.membership_id()};
  for (int i = 0; i < 8; ++i) {
    v1::Organisation o = Company(absl::StrFormat("Membre %02d", i));
    initial.insert(Enrol(f.net.network_id(), o.organisation_id()).membership_id());
  }

  v1::ListMembershipsRequest req;
  req.set_network_id(f.net.network_id());
  req.mutable_page()->set_page_size(3);
  std::vector<std::string> seen;
  std::set<std::string> added_before, added_after;
  std::string previous_key;
  for (int page = 0;; ++page) {
    ASSERT_LT(page, 40) << "the pages never end";
    v1::ListMembershipsResponse resp;
    ASSERT_TRUE(Ok(Call(&Stub::ListMemberships, f.anim, req, &resp)));
    ASSERT_LE(resp.memberships_size(), 3);
    for (const v1::Membership& m : resp.memberships()) {
      std::string key = absl::AsciiStrToLower(m.organisation_name());
      EXPECT_LE(previous_key, key) << "out of order at " << m.organisation_name();
      previous_key = key;
      seen.push_back(m.membership_id());
    }
    if (resp.page().next_page_token().empty()) break;
    ASSERT_EQ(resp.memberships_size(), 3);
    v1::Organisation before = Company(absl::StrFormat("Aaa avant %02d", page));
    v1::Organisation after = Company(absl::StrFormat("Zzz apres %02d", page));
    v1::Organisation twin = Company(resp.memberships(2).organisation_name());
    added_before.insert(Enrol(f.net.network_id(), before.organisation_id()).membership_id());
    added_after.insert(Enrol(f.net.network_id(), after.organisation_id()).membership_id());
    Enrol(f.net.network_id(), twin.organisation_id());
    req.mutable_page()->set_page_token(resp.page().next_page_token());
  }

  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "a membership was returned twice";
  for (const std::string& id : initial) EXPECT_TRUE(unique.contains(id)) << "missed " << id;
  for (const std::string& id : added_after) EXPECT_TRUE(unique.contains(id)) << "missed " << id;
  for (const std::string& id : added_before) EXPECT_FALSE(unique.contains(id)) << id;
}

TEST_F(MembershipStoreTest, NetworkPagesStayCorrectWhileNetworksAreCreated) {
  Member animator = NewMember("Agence Animatrice");
  const std::string org = animator.org.organisation_id();
  std::set<std::string> initial;
  for (int i = 0; i < 8; ++i) {
    initial.insert(
        CreateNetwork(org, v1::ADMISSION_POLICY_OPEN, 0, absl::StrFormat("Cluster %02d", i))
            .network_id());
  }

  v1::ListNetworksRequest req;
  req.mutable_page()->set_page_size(3);
  std::vector<std::string> seen;
  std::set<std::string> added_before, added_after;
  std::string previous_key;
  Principal anyone = h_.ActingFor(org);
  for (int page = 0;; ++page) {
    ASSERT_LT(page, 40) << "the pages never end";
    v1::ListNetworksResponse resp;
    ASSERT_TRUE(Ok(Call(&Stub::ListNetworks, anyone, req, &resp)));
    ASSERT_LE(resp.networks_size(), 3);
    for (const v1::Network& n : resp.networks()) {
      std::string key = absl::AsciiStrToLower(n.name());
      EXPECT_LE(previous_key, key) << "out of order at " << n.name();
      previous_key = key;
      seen.push_back(n.network_id());
    }
    if (resp.page().next_page_token().empty()) break;
    ASSERT_EQ(resp.networks_size(), 3);
    added_before.insert(
        CreateNetwork(org, v1::ADMISSION_POLICY_OPEN, 0, absl::StrFormat("Aaa avant %02d", page))
            .network_id());
    added_after.insert(
        CreateNetwork(org, v1::ADMISSION_POLICY_OPEN, 0, absl::StrFormat("Zzz apres %02d", page))
            .network_id());
    CreateNetwork(org, v1::ADMISSION_POLICY_OPEN, 0, resp.networks(2).name());
    req.mutable_page()->set_page_token(resp.page().next_page_token());
  }

  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "a network was returned twice";
  for (const std::string& id : initial) EXPECT_TRUE(unique.contains(id)) << "missed " << id;
  for (const std::string& id : added_after) EXPECT_TRUE(unique.contains(id)) << "missed " << id;
  for (const std::string& id : added_before) EXPECT_FALSE(unique.contains(id)) << id;
}

TEST_F(MembershipStoreTest, PageTokenOfAnotherQueryIsRefused) {
  Founded f = Found(v1::ADMISSION_POLICY_OPEN);
  for (int i = 0; i < 3; ++i)
    Enrol(f.net.network_id(), Company(absl::StrCat("Membre ", i)).organisation_id());
  v1::ListOrganisationsRequest req;
  req.set_network_id(f.net.network_id());
  req.mutable_page()->set_page_size(2);
  v1::ListOrganisationsResponse resp;
  ASSERT_TRUE(Ok(Call(&Stub::ListOrganisations, f.anim, req, &resp)));
  ASSERT_FALSE(resp.page().next_page_token().empty());

  req.set_name_prefix("Membre");  // other filters, same token
  req.mutable_page()->set_page_token(resp.page().next_page_token());
  grpc::Status s = Call(&Stub::ListOrganisations, f.anim, req, &resp);
  EXPECT_TRUE(HasCode(s, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(s.error_message(), HasSubstr("page"));
}

// ---------------------------------------------------------------------------------------------
// Filters

TEST_F(MembershipStoreTest, OrganisationFiltersSelectByNameSirenActivityAndPlace) {
  Founded f = Found(v1::ADMISSION_POLICY_OPEN);
  const std::vector<OrgSpec> specs = {
      {.name = "Boulangerie Dupont",
       .siren = TestSiren("81234", 1),
       .naf = "10.71C",
       .commune = "33063"},
      {.name = "boulangerie du Port",
       .siren = TestSiren("81234", 2),
       .naf = "10.71D",
       .commune = "64445",
       .city = "Pau"},
      {.name = "Atelier Pixel",
       .siren = TestSiren("7", 3),
       .naf = "62.01Z",
       .commune = "33281",
       .city = "Mérignac"},
      {.name = "Electricite Martin",
       .siren = TestSiren("7", 4),
       .naf = "43.21A",
       .commune = "33063"},
      {.name = "50% Bio",
       .siren = TestSiren("7", 5),
       .naf = "47.29Z",
       .commune = "2A004",
       .city = "Ajaccio"},
      {.name = "500 Pieds", .siren = TestSiren("7", 6), .naf = "01.21Z", .commune = "33063"},
      {.name = "Association Tiers-Lieu",
       .siren = "",
       .kind = v1::ORGANISATION_KIND_ASSOCIATION,
       .naf = "",
       .commune = "64445"},
  };
  for (const OrgSpec& spec : specs) Enrol(f.net.network_id(), CreateOrg(spec).organisation_id());
  // Not a member: never listed under this network.
  CreateOrg({.name = "Boulangerie Voisine", .siren = TestSiren("81234", 9), .naf = "10.71C"});

  auto names = [&](auto set_filter) {
    v1::ListOrganisationsRequest req;
    req.set_network_id(f.net.network_id());
    req.mutable_page()->set_page_size(2);  // filters hold across pages too
    set_filter(req);
    return OrganisationNames(f.anim, req);
  };
  using Req = v1::ListOrganisationsRequest;
  EXPECT_THAT(names([](Req& r) { r.set_name_prefix("BOULANGERIE"); }),
              ElementsAre("boulangerie du Port", "Boulangerie Dupont"));
  EXPECT_THAT(names([](Req& r) { r.set_name_prefix("boulangerie du p"); }),
              ElementsAre("boulangerie du Port"));
  // LIKE wildcards in a prefix match themselves.
  EXPECT_THAT(names([](Req& r) { r.set_name_prefix("50%"); }), ElementsAre("50% Bio"));
  EXPECT_THAT(names([](Req& r) { r.set_name_prefix("50_"); }), IsEmpty());
  EXPECT_THAT(names([](Req& r) { r.set_name_prefix("5"); }), ElementsAre("50% Bio", "500 Pieds"));

  EXPECT_THAT(names([](Req& r) { r.set_siren_prefix("81234"); }),
              ElementsAre("boulangerie du Port", "Boulangerie Dupont"));
  EXPECT_THAT(names([&](Req& r) { r.set_siren_prefix(specs[2].siren); }),
              ElementsAre("Atelier Pixel"));
  EXPECT_THAT(names([](Req& r) { r.set_siren_prefix("7"); }),
              ElementsAre("50% Bio", "500 Pieds", "Atelier Pixel", "Electricite Martin"));

  EXPECT_THAT(names([](Req& r) { r.set_naf_prefix("10.71"); }),
              ElementsAre("boulangerie du Port", "Boulangerie Dupont"));
  EXPECT_THAT(names([](Req& r) { r.set_naf_prefix("10.71C"); }), ElementsAre("Boulangerie Dupont"));
  EXPECT_THAT(names([](Req& r) { r.set_naf_prefix("62"); }),
              ElementsAre("Agence Animatrice", "Atelier Pixel"));
  EXPECT_THAT(names([](Req& r) { r.set_naf_prefix("C"); }),
              ElementsAre("boulangerie du Port", "Boulangerie Dupont"));
  EXPECT_THAT(names([](Req& r) { r.set_naf_prefix("J"); }),
              ElementsAre("Agence Animatrice", "Atelier Pixel"));
  EXPECT_THAT(names([](Req& r) { r.set_naf_prefix("F"); }), ElementsAre("Electricite Martin"));
  EXPECT_THAT(names([](Req& r) { r.set_naf_prefix("A"); }), ElementsAre("500 Pieds"));

  EXPECT_THAT(names([](Req& r) { r.set_departement_code("64"); }),
              ElementsAre("Association Tiers-Lieu", "boulangerie du Port"));
  EXPECT_THAT(names([](Req& r) { r.set_departement_code("2A"); }), ElementsAre("50% Bio"));
  EXPECT_THAT(
      names([](Req& r) { r.set_commune_code("33063"); }),
      ElementsAre("500 Pieds", "Agence Animatrice", "Boulangerie Dupont", "Electricite Martin"));
  EXPECT_THAT(names([](Req& r) { r.set_commune_code("33281"); }), ElementsAre("Atelier Pixel"));

  // Filters combine.
  EXPECT_THAT(names([](Req& r) {
                r.set_naf_prefix("C");
                r.set_departement_code("33");
              }),
              ElementsAre("Boulangerie Dupont"));
  EXPECT_THAT(names([](Req& r) {
                r.set_name_prefix("b");
                r.set_commune_code("64445");
              }),
              ElementsAre("boulangerie du Port"));
}

// The listings page on a copy of the member's name kept beside its membership (migration
// 003): a member renamed moves to its new place at once, in both listings of the network.
TEST_F(MembershipStoreTest, RenamedMemberMovesToItsNewPlaceInTheListings) {
  Founded f = Found(v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  Member zinc = ActiveMember(f, "Zinc et Toitures");
  ActiveMember(f, "Menuiserie Martin");
  auto names = [&] {
    std::vector<std::string> memberships, organisations;
    v1::ListMembershipsRequest list;
    list.set_network_id(f.net.network_id());
    list.mutable_page()->set_page_size(1);  // every step goes through a page token
    for (;;) {
      v1::ListMembershipsResponse page;
      EXPECT_TRUE(Ok(Call(&Stub::ListMemberships, f.anim, list, &page)));
      for (const v1::Membership& m : page.memberships()) {
        memberships.push_back(m.organisation_name());
      }
      if (page.page().next_page_token().empty()) break;
      list.mutable_page()->set_page_token(page.page().next_page_token());
    }
    v1::ListOrganisationsRequest orgs;
    orgs.set_network_id(f.net.network_id());
    orgs.mutable_page()->set_page_size(1);
    for (;;) {
      v1::ListOrganisationsResponse page;
      EXPECT_TRUE(Ok(Call(&Stub::ListOrganisations, f.anim, orgs, &page)));
      for (const v1::Organisation& o : page.organisations()) {
        organisations.push_back(o.legal_name());
      }
      if (page.page().next_page_token().empty()) break;
      orgs.mutable_page()->set_page_token(page.page().next_page_token());
    }
    EXPECT_EQ(memberships, organisations);
    return memberships;
  };
  EXPECT_THAT(names(), ElementsAre("Agence Animatrice", "Menuiserie Martin", "Zinc et Toitures"));
  v1::UpdateOrganisationRequest rename;
  *rename.mutable_organisation() = zinc.org;
  rename.mutable_organisation()->set_legal_name("atelier du zinc");
  v1::Organisation out;
  ASSERT_TRUE(Ok(Call(&Stub::UpdateOrganisation, Rep(zinc), rename, &out)));
  EXPECT_THAT(names(), ElementsAre("Agence Animatrice", "atelier du zinc", "Menuiserie Martin"));
}

TEST_F(MembershipStoreTest, MembershipFiltersSelectByStateRoleAndPendingSignature) {
  Founded f = Found(v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  Member active = ActiveMember(f, "Active SARL");
  Member suspended = ActiveMember(f, "Suspendue SAS");
  v1::Membership m;
  ASSERT_TRUE(Ok(Suspend(f.anim, suspended.membership.membership_id(), "Cotisation", &m)));
  Member board = NewMember("Bureau SA");
  ASSERT_TRUE(Ok(Apply(f.anim, f.net.network_id(), board.org.organisation_id(), &board.membership,
                       NETWORK_ROLE_BOARD)));
  ASSERT_EQ(board.membership.state(), v1::MEMBERSHIP_STATE_INVITED);
  v1::AcceptInvitationRequest accept;
  accept.set_membership_id(board.membership.membership_id());
  ASSERT_TRUE(Ok(Call(&Stub::AcceptInvitation, Rep(board), accept, &board.membership)));
  Member applied = NewMember("Candidate EURL");
  ASSERT_TRUE(Ok(Apply(Rep(applied), f.net.network_id(), applied.org.organisation_id(), &m)));
  Member rejected = NewMember("Refusee SCOP");
  ASSERT_TRUE(Ok(Apply(Rep(rejected), f.net.network_id(), rejected.org.organisation_id(), &m)));
  v1::RejectMembershipRequest reject;
  reject.set_membership_id(m.membership_id());
  ASSERT_TRUE(Ok(Call(&Stub::RejectMembership, f.anim, reject, &m)));

  // A second charter version: the admitted members must sign again.
  v1::PublishCharterRequest publish;
  publish.set_network_id(f.net.network_id());
  publish.set_text("Version 2 : gouvernance partagée.");
  publish.set_expected_current_version(1);
  v1::Network v2;
  ASSERT_TRUE(Ok(Call(&Stub::PublishCharter, f.anim, publish, &v2)));

  auto names = [&](auto set_filter) {
    v1::ListMembershipsRequest req;
    req.set_network_id(f.net.network_id());
    req.mutable_page()->set_page_size(2);
    set_filter(req);
    return MembershipNames(f.anim, req);
  };
  using Req = v1::ListMembershipsRequest;
  EXPECT_THAT(names([](Req&) {}), ElementsAre("Active SARL", "Agence Animatrice", "Bureau SA",
                                              "Candidate EURL", "Refusee SCOP", "Suspendue SAS"));
  EXPECT_THAT(names([](Req& r) { r.set_state(v1::MEMBERSHIP_STATE_APPLIED); }),
              ElementsAre("Candidate EURL"));
  EXPECT_THAT(names([](Req& r) { r.set_state(v1::MEMBERSHIP_STATE_SPONSORED); }),
              ElementsAre("Bureau SA"));
  EXPECT_THAT(names([](Req& r) { r.set_state(v1::MEMBERSHIP_STATE_ACTIVE); }),
              ElementsAre("Active SARL", "Agence Animatrice"));
  EXPECT_THAT(names([](Req& r) { r.set_state(v1::MEMBERSHIP_STATE_SUSPENDED); }),
              ElementsAre("Suspendue SAS"));
  EXPECT_THAT(names([](Req& r) { r.set_state(v1::MEMBERSHIP_STATE_REJECTED); }),
              ElementsAre("Refusee SCOP"));
  EXPECT_THAT(names([](Req& r) { r.set_role(NETWORK_ROLE_BOARD); }), ElementsAre("Bureau SA"));
  EXPECT_THAT(names([](Req& r) { r.set_role(NETWORK_ROLE_ANIMATOR); }),
              ElementsAre("Agence Animatrice"));
  EXPECT_THAT(names([](Req& r) { r.set_charter_signature_required(true); }),
              ElementsAre("Active SARL", "Agence Animatrice", "Suspendue SAS"));
  EXPECT_THAT(names([](Req& r) {
                r.set_state(v1::MEMBERSHIP_STATE_ACTIVE);
                r.set_charter_signature_required(true);
                r.set_role(NETWORK_ROLE_MEMBER);
              }),
              ElementsAre("Active SARL"));

  // Signing version 2 clears the flag.
  ASSERT_TRUE(Ok(Sign(active, active.membership.membership_id(), 2, &m)));
  EXPECT_FALSE(m.charter_signature_required());
  EXPECT_THAT(names([](Req& r) { r.set_charter_signature_required(true); }),
              ElementsAre("Agence Animatrice", "Suspendue SAS"));

  // An organisation lists its own memberships.
  v1::ListMembershipsRequest own;
  own.set_organisation_id(board.org.organisation_id());
  v1::ListMembershipsResponse resp;
  ASSERT_TRUE(Ok(Call(&Stub::ListMemberships, Rep(board), own, &resp)));
  ASSERT_EQ(resp.memberships_size(), 1);
  EXPECT_EQ(resp.memberships(0).role(), NETWORK_ROLE_BOARD);
  EXPECT_EQ(resp.memberships(0).organisation_name(), "Bureau SA");
}

TEST_F(MembershipStoreTest, NetworkFiltersSelectByKindNameAndDepartement) {
  Member animator = NewMember("Agence Animatrice");
  const std::string org = animator.org.organisation_id();
  CreateNetwork(org, v1::ADMISSION_POLICY_OPEN, 0, "Grappe Numérique");
  v1::CreateNetworkRequest allied =
      NetworkRequest(org, v1::ADMISSION_POLICY_CO_OPTATION, 2, "grappe des Alliés");
  allied.mutable_network()->set_kind(v1::NETWORK_KIND_ALLIED_NETWORK);
  allied.mutable_network()->mutable_territory()->add_departement_codes("64");
  v1::Network out;
  ASSERT_TRUE(Ok(Call(&Stub::CreateNetwork, h_.ActingFor(org), allied, &out)));
  v1::CreateNetworkRequest basque =
      NetworkRequest(org, v1::ADMISSION_POLICY_OPEN, 0, "Pôle Pays Basque");
  basque.mutable_network()->mutable_territory()->set_departement_codes(0, "64");
  ASSERT_TRUE(Ok(Call(&Stub::CreateNetwork, h_.ActingFor(org), basque, &out)));

  auto names = [&](auto set_filter) {
    v1::ListNetworksRequest req;
    set_filter(req);
    v1::ListNetworksResponse resp;
    EXPECT_TRUE(Ok(Call(&Stub::ListNetworks, h_.ActingFor(org), req, &resp)));
    std::vector<std::string> out;
    for (const v1::Network& n : resp.networks()) out.push_back(n.name());
    return out;
  };
  using Req = v1::ListNetworksRequest;
  EXPECT_THAT(names([](Req& r) { r.set_kind(v1::NETWORK_KIND_ALLIED_NETWORK); }),
              ElementsAre("grappe des Alliés"));
  EXPECT_THAT(names([](Req& r) { r.set_name_prefix("GRAPPE"); }),
              ElementsAre("grappe des Alliés", "Grappe Numérique"));
  EXPECT_THAT(names([](Req& r) { r.set_departement_code("64"); }),
              ElementsAre("grappe des Alliés", "Pôle Pays Basque"));
  EXPECT_THAT(names([](Req& r) { r.set_departement_code("33"); }),
              ElementsAre("grappe des Alliés", "Grappe Numérique"));
}

// ---------------------------------------------------------------------------------------------
// Idempotency keys

TEST_F(MembershipStoreTest, CreateOrganisationRetriedWithItsKeyCreatesOneRow) {
  Principal x = h_.ActingFor("", {}, "caller-x");
  Principal y = h_.ActingFor("", {}, "caller-y");
  v1::CreateOrganisationRequest req =
      OrganisationRequest({.name = "Atelier Web", .siren = NextSiren()});
  req.set_idempotency_key("import-2024-001");
  v1::Organisation first, retry;
  ASSERT_TRUE(Ok(Call(&Stub::CreateOrganisation, x, req, &first)));
  ASSERT_TRUE(Ok(Call(&Stub::CreateOrganisation, x, req, &retry)));
  EXPECT_EQ(retry.organisation_id(), first.organisation_id());
  EXPECT_EQ(retry.version(), first.version());
  EXPECT_EQ(Count("SELECT count(*) FROM organisations"), 1);

  // The key belongs to its first request: another request with it is refused, not answered
  // with the first organisation.
  v1::CreateOrganisationRequest changed =
      OrganisationRequest({.name = "Autre Atelier", .siren = NextSiren()});
  changed.set_idempotency_key("import-2024-001");
  grpc::Status reused = Call(&Stub::CreateOrganisation, x, changed, &retry);
  EXPECT_TRUE(HasCode(reused, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(reused.error_message(), ::testing::StartsWith("idempotency_key:"));
  EXPECT_EQ(Count("SELECT count(*) FROM organisations"), 1);

  // Another caller's identical key is its own.
  v1::Organisation other;
  ASSERT_TRUE(Ok(Call(&Stub::CreateOrganisation, y, changed, &other)));
  EXPECT_NE(other.organisation_id(), first.organisation_id());
  EXPECT_EQ(other.legal_name(), "Autre Atelier");
  EXPECT_EQ(Count("SELECT count(*) FROM organisations"), 2);

  // Without a key, the same request twice is a duplicate SIREN.
  v1::CreateOrganisationRequest unkeyed = req;
  unkeyed.clear_idempotency_key();
  EXPECT_TRUE(HasCode(Call(&Stub::CreateOrganisation, x, unkeyed, &retry),
                      grpc::StatusCode::ALREADY_EXISTS));
}

TEST_F(MembershipStoreTest, ConcurrentRetriesWithOneKeyCreateOneOrganisation) {
  v1::CreateOrganisationRequest req =
      OrganisationRequest({.name = "Atelier Concurrent", .siren = NextSiren()});
  req.set_idempotency_key("retry-storm");
  Principal caller = h_.ActingFor("", {}, "caller-x");
  constexpr int kThreads = 8;
  std::vector<grpc::Status> statuses(kThreads);
  std::vector<std::string> ids(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      v1::Organisation out;
      start.arrive_and_wait();
      statuses[i] = Call(&Stub::CreateOrganisation, caller, req, &out);
      ids[i] = out.organisation_id();
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_TRUE(Ok(statuses[i])) << "call " << i;
    EXPECT_EQ(ids[i], ids[0]);
  }
  EXPECT_EQ(Count("SELECT count(*) FROM organisations"), 1);
}

TEST_F(MembershipStoreTest, CreatePersonRetriedWithItsKeyCreatesOnePerson) {
  Principal x = h_.ActingFor("", {}, "caller-x");
  Principal y = h_.ActingFor("", {}, "caller-y");
  v1::CreatePersonRequest req;
  req.mutable_person()->set_given_name("Jeanne");
  req.mutable_person()->set_family_name("Dupont");
  req.mutable_person()->set_email("jeanne@dupont.fr");
  req.set_idempotency_key("person-1");
  v1::Person first, retry;
  ASSERT_TRUE(Ok(Call(&Stub::CreatePerson, x, req, &first)));
  ASSERT_TRUE(Ok(Call(&Stub::CreatePerson, x, req, &retry)));
  EXPECT_EQ(retry.person_id(), first.person_id());
  EXPECT_EQ(Count("SELECT count(*) FROM people"), 1);

  v1::CreatePersonRequest other = req;
  other.mutable_person()->set_email("paul@dupont.fr");
  v1::Person paul;
  ASSERT_TRUE(Ok(Call(&Stub::CreatePerson, y, other, &paul)));
  EXPECT_NE(paul.person_id(), first.person_id());
  EXPECT_EQ(paul.email(), "paul@dupont.fr");
  EXPECT_EQ(Count("SELECT count(*) FROM people"), 2);
}

TEST_F(MembershipStoreTest, CreateNetworkRetriedWithItsKeyCreatesOneNetwork) {
  Member a = NewMember("Agence A");
  Member b = NewMember("Agence B");
  v1::CreateNetworkRequest req =
      NetworkRequest(a.org.organisation_id(), v1::ADMISSION_POLICY_OPEN, 0, "Grappe A");
  req.set_idempotency_key("network-1");
  v1::Network first, retry;
  ASSERT_TRUE(Ok(Call(&Stub::CreateNetwork, Rep(a), req, &first)));
  ASSERT_TRUE(Ok(Call(&Stub::CreateNetwork, Rep(a), req, &retry)));
  EXPECT_EQ(retry.network_id(), first.network_id());
  EXPECT_EQ(Count("SELECT count(*) FROM networks"), 1);
  // The founding animator is enrolled once.
  EXPECT_EQ(Count("SELECT count(*) FROM memberships"), 1);

  v1::CreateNetworkRequest other =
      NetworkRequest(b.org.organisation_id(), v1::ADMISSION_POLICY_OPEN, 0, "Grappe B");
  other.set_idempotency_key("network-1");
  v1::Network second;
  ASSERT_TRUE(Ok(Call(&Stub::CreateNetwork, Rep(b), other, &second)));
  EXPECT_NE(second.network_id(), first.network_id());
  EXPECT_EQ(second.name(), "Grappe B");
  EXPECT_EQ(Count("SELECT count(*) FROM networks"), 2);
}

TEST_F(MembershipStoreTest, ApplyRetriedWithItsKeyCreatesOneMembership) {
  Founded f = Found(v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  Member b = NewMember("Boulangerie Dupont");
  Member c = NewMember("Charpente Martin");
  v1::Membership first, retry;
  ASSERT_TRUE(Ok(Apply(Rep(b), f.net.network_id(), b.org.organisation_id(), &first,
                       NETWORK_ROLE_UNSPECIFIED, "apply-1")));
  ASSERT_TRUE(Ok(Apply(Rep(b), f.net.network_id(), b.org.organisation_id(), &retry,
                       NETWORK_ROLE_UNSPECIFIED, "apply-1")));
  EXPECT_EQ(retry.membership_id(), first.membership_id());
  EXPECT_EQ(retry.version(), first.version());
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM memberships WHERE organisation_id = '",
                               b.org.organisation_id(), "'")),
            1);
  // Without the key, a second application is refused: the first one stands.
  EXPECT_TRUE(HasCode(Apply(Rep(b), f.net.network_id(), b.org.organisation_id(), &retry),
                      grpc::StatusCode::ALREADY_EXISTS));

  v1::Membership other;
  ASSERT_TRUE(Ok(Apply(Rep(c), f.net.network_id(), c.org.organisation_id(), &other,
                       NETWORK_ROLE_UNSPECIFIED, "apply-1")));
  EXPECT_NE(other.membership_id(), first.membership_id());
  EXPECT_EQ(other.organisation_id(), c.org.organisation_id());
  EXPECT_EQ(Count("SELECT count(*) FROM memberships"), 3);
}

// ---------------------------------------------------------------------------------------------
// Concurrency and uniqueness

TEST_F(MembershipStoreTest, ConcurrentUpdatesOfOneVersionLetExactlyOneWin) {
  v1::Organisation org = Company("Atelier Web");
  Principal rep = h_.ActingFor(org.organisation_id());
  constexpr int kThreads = 8;
  for (int round = 0; round < 3; ++round) {
    v1::Organisation read;
    v1::GetOrganisationRequest get;
    get.set_organisation_id(org.organisation_id());
    ASSERT_TRUE(Ok(Call(&Stub::GetOrganisation, rep, get, &read)));

    std::vector<grpc::Status> statuses(kThreads);
    std::vector<v1::Organisation> results(kThreads);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        v1::UpdateOrganisationRequest req;
        *req.mutable_organisation() = read;
        req.mutable_organisation()->set_description(absl::StrCat("round ", round, " writer ", i));
        start.arrive_and_wait();
        statuses[i] = Call(&Stub::UpdateOrganisation, rep, req, &results[i]);
      });
    }
    for (std::thread& t : threads) t.join();

    int winner = -1;
    for (int i = 0; i < kThreads; ++i) {
      if (statuses[i].ok()) {
        EXPECT_EQ(winner, -1) << "two writers won with the same read version";
        winner = i;
      } else {
        EXPECT_TRUE(HasCode(statuses[i], grpc::StatusCode::ABORTED)) << "writer " << i;
        EXPECT_THAT(statuses[i].error_message(), HasSubstr("organisation.version"));
      }
    }
    ASSERT_NE(winner, -1) << "no writer won";
    v1::Organisation after;
    ASSERT_TRUE(Ok(Call(&Stub::GetOrganisation, rep, get, &after)));
    EXPECT_EQ(after.version(), read.version() + 1);
    EXPECT_EQ(after.description(), absl::StrCat("round ", round, " writer ", winner));
    EXPECT_EQ(results[winner].version(), read.version() + 1);
  }
}

TEST_F(MembershipStoreTest, DuplicateSirenIsAlreadyExistsNamingTheField) {
  const std::string siren = NextSiren();
  v1::Organisation first = CreateOrg({.name = "Atelier Web", .siren = siren});
  v1::Organisation out;
  grpc::Status s = Call(&Stub::CreateOrganisation, h_.Admin(),
                        OrganisationRequest({.name = "Atelier Bis", .siren = siren}), &out);
  EXPECT_TRUE(HasCode(s, grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_THAT(s.error_message(), HasSubstr("organisation.siren"));
  EXPECT_EQ(Count("SELECT count(*) FROM organisations"), 1);

  // Taking another organisation's SIREN in an update is refused the same way.
  v1::Organisation second = Company("Autre Atelier");
  v1::UpdateOrganisationRequest update;
  *update.mutable_organisation() = second;
  update.mutable_organisation()->set_siren(siren);
  update.mutable_organisation()->clear_establishments();
  // (Only a platform administrator changes a SIREN at all.)
  s = Call(&Stub::UpdateOrganisation, h_.Admin(), update, &out);
  EXPECT_TRUE(HasCode(s, grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_THAT(s.error_message(), HasSubstr("organisation.siren"));
  // Neither answer names the organisation that holds the SIREN.
  EXPECT_THAT(s.error_message(), Not(HasSubstr(first.organisation_id())));
}

TEST_F(MembershipStoreTest, ConcurrentCreatesOfOneSirenLetExactlyOneWin) {
  const std::string siren = NextSiren();
  constexpr int kThreads = 8;
  std::vector<grpc::Status> statuses(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      v1::CreateOrganisationRequest req =
          OrganisationRequest({.name = absl::StrCat("Atelier ", i), .siren = siren});
      v1::Organisation out;
      start.arrive_and_wait();
      statuses[i] = Call(&Stub::CreateOrganisation, h_.Admin(), req, &out);
    });
  }
  for (std::thread& t : threads) t.join();
  int created = 0;
  for (const grpc::Status& s : statuses) {
    if (s.ok()) {
      ++created;
    } else {
      EXPECT_TRUE(HasCode(s, grpc::StatusCode::ALREADY_EXISTS));
      EXPECT_THAT(s.error_message(), HasSubstr("organisation.siren"));
    }
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM organisations"), 1);
}

TEST_F(MembershipStoreTest, DuplicateEmailIsAlreadyExists) {
  v1::CreatePersonRequest req;
  req.mutable_person()->set_given_name("Jeanne");
  req.mutable_person()->set_family_name("Dupont");
  req.mutable_person()->set_email("jeanne@dupont.fr");
  v1::Person first, out;
  ASSERT_TRUE(Ok(Call(&Stub::CreatePerson, h_.Admin(), req, &first)));
  // E-mail addresses compare without case.
  req.mutable_person()->set_email("Jeanne@Dupont.FR");
  req.mutable_person()->set_given_name("Jeannette");
  grpc::Status s = Call(&Stub::CreatePerson, h_.Admin(), req, &out);
  EXPECT_TRUE(HasCode(s, grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_THAT(s.error_message(), HasSubstr("person.email"));
  EXPECT_EQ(Count("SELECT count(*) FROM people"), 1);
}

TEST_F(MembershipStoreTest, ConcurrentCreatesOfOneEmailLetExactlyOneWin) {
  constexpr int kThreads = 8;
  std::vector<grpc::Status> statuses(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      v1::CreatePersonRequest req;
      req.mutable_person()->set_given_name("Jeanne");
      req.mutable_person()->set_family_name(absl::StrCat("Dupont ", i));
      req.mutable_person()->set_email(i % 2 == 0 ? "jeanne@dupont.fr" : "JEANNE@dupont.fr");
      v1::Person out;
      start.arrive_and_wait();
      statuses[i] = Call(&Stub::CreatePerson, h_.Admin(), req, &out);
    });
  }
  for (std::thread& t : threads) t.join();
  int created = 0;
  for (const grpc::Status& s : statuses) {
    if (s.ok()) {
      ++created;
    } else {
      EXPECT_TRUE(HasCode(s, grpc::StatusCode::ALREADY_EXISTS));
      EXPECT_THAT(s.error_message(), HasSubstr("person.email"));
    }
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM people"), 1);
}

// ---------------------------------------------------------------------------------------------
// The membership state machine

TEST_F(MembershipStoreTest, AnimatorApprovalJourneyFromApplicationToLeavingAndBack) {
  Founded f = Found(v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  Member b = NewMember("Boulangerie Dupont");
  v1::Membership m, out;
  ASSERT_TRUE(Ok(Apply(Rep(b), f.net.network_id(), b.org.organisation_id(), &m)));
  EXPECT_EQ(m.state(), v1::MEMBERSHIP_STATE_APPLIED);
  EXPECT_EQ(m.role(), NETWORK_ROLE_MEMBER);
  EXPECT_EQ(m.motivation(), "Mutualiser le recrutement");
  const std::string id = m.membership_id();
  int64_t version = m.version();
  auto advanced = [&](const v1::Membership& next) {
    EXPECT_EQ(next.membership_id(), id);
    EXPECT_GT(next.version(), version);
    version = next.version();
  };

  // Steps out of order are refused and name the current state.
  grpc::Status s = Sign(b, id, 1, &out);
  EXPECT_TRUE(HasCode(s, grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_THAT(s.error_message(), HasSubstr("APPLIED"));
  EXPECT_TRUE(HasCode(Sponsor(f.anim, id, &out), grpc::StatusCode::FAILED_PRECONDITION));
  v1::ReinstateMembershipRequest reinstate;
  reinstate.set_membership_id(id);
  EXPECT_TRUE(HasCode(Call(&Stub::ReinstateMembership, f.anim, reinstate, &out),
                      grpc::StatusCode::FAILED_PRECONDITION));

  ASSERT_TRUE(Ok(Approve(f.anim, id, &m)));
  EXPECT_EQ(m.state(), v1::MEMBERSHIP_STATE_SPONSORED);
  advanced(m);
  EXPECT_TRUE(HasCode(Approve(f.anim, id, &out), grpc::StatusCode::FAILED_PRECONDITION));
  // Signing a version that is not the current one is refused.
  EXPECT_TRUE(HasCode(Sign(b, id, 2, &out), grpc::StatusCode::FAILED_PRECONDITION));

  ASSERT_TRUE(Ok(Sign(b, id, 1, &m)));
  EXPECT_EQ(m.state(), v1::MEMBERSHIP_STATE_ACTIVE);
  EXPECT_EQ(m.charter_signature().person_id(), b.rep.person_id());
  EXPECT_EQ(m.charter_signature().charter_version(), 1);
  advanced(m);

  ASSERT_TRUE(Ok(Suspend(f.anim, id, "Cotisation impayée", &m)));
  EXPECT_EQ(m.state(), v1::MEMBERSHIP_STATE_SUSPENDED);
  EXPECT_EQ(m.state_reason(), "Cotisation impayée");
  advanced(m);
  EXPECT_TRUE(HasCode(Suspend(f.anim, id, "encore", &out), grpc::StatusCode::FAILED_PRECONDITION));

  ASSERT_TRUE(Ok(Call(&Stub::ReinstateMembership, f.anim, reinstate, &m)));
  EXPECT_EQ(m.state(), v1::MEMBERSHIP_STATE_ACTIVE);
  EXPECT_EQ(m.state_reason(), "");
  advanced(m);

  ASSERT_TRUE(Ok(Leave(RepIn(b, f.net), id, &m)));
  EXPECT_EQ(m.state(), v1::MEMBERSHIP_STATE_LEFT);
  advanced(m);
  EXPECT_TRUE(HasCode(Leave(RepIn(b, f.net), id, &out), grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_TRUE(HasCode(Sign(b, id, 1, &out), grpc::StatusCode::FAILED_PRECONDITION));

  // Applying again renews the same membership from scratch.
  ASSERT_TRUE(Ok(Apply(Rep(b), f.net.network_id(), b.org.organisation_id(), &m)));
  EXPECT_EQ(m.state(), v1::MEMBERSHIP_STATE_APPLIED);
  EXPECT_FALSE(m.has_charter_signature());
  advanced(m);

  v1::GetMembershipRequest get;
  get.set_membership_id(id);
  ASSERT_TRUE(Ok(Call(&Stub::GetMembership, Rep(b), get, &out)));
  EXPECT_EQ(out.state(), v1::MEMBERSHIP_STATE_APPLIED);
  EXPECT_EQ(out.version(), version);
}

TEST_F(MembershipStoreTest, OpenNetworkAdmitsAtOnce) {
  Founded f = Found(v1::ADMISSION_POLICY_OPEN);
  Member b = NewMember("Boulangerie Dupont");
  v1::Membership m, out;
  ASSERT_TRUE(Ok(Apply(Rep(b), f.net.network_id(), b.org.organisation_id(), &m)));
  EXPECT_EQ(m.state(), v1::MEMBERSHIP_STATE_SPONSORED);
  grpc::Status s = Approve(f.anim, m.membership_id(), &out);
  EXPECT_TRUE(HasCode(s, grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_THAT(s.error_message(), HasSubstr("open"));
  EXPECT_TRUE(
      HasCode(Sponsor(f.anim, m.membership_id(), &out), grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_TRUE(HasCode(Apply(Rep(b), f.net.network_id(), b.org.organisation_id(), &out),
                      grpc::StatusCode::ALREADY_EXISTS));
  ASSERT_TRUE(Ok(Sign(b, m.membership_id(), 1, &m)));
  EXPECT_EQ(m.state(), v1::MEMBERSHIP_STATE_ACTIVE);
}

TEST_F(MembershipStoreTest, CoOptationNeedsTwoDistinctActiveSponsors) {
  Founded f = Found(v1::ADMISSION_POLICY_CO_OPTATION, 2);
  // A second active member, admitted by the animator's override.
  Member b = ActiveMember(f, "Boulangerie Dupont");
  Member s = ActiveMember(f, "Suspendue SAS");
  v1::Membership out;
  ASSERT_TRUE(Ok(Suspend(f.anim, s.membership.membership_id(), "Absente", &out)));
  Member outsider = NewMember("Hors Réseau SARL");

  Member c = NewMember("Charpente Martin");
  v1::Membership m;
  ASSERT_TRUE(Ok(Apply(Rep(c), f.net.network_id(), c.org.organisation_id(), &m)));
  ASSERT_EQ(m.state(), v1::MEMBERSHIP_STATE_APPLIED);
  const std::string id = m.membership_id();

  // One sponsor of the two required: still applied.
  ASSERT_TRUE(Ok(Sponsor(f.anim, id, &m)));
  EXPECT_EQ(m.state(), v1::MEMBERSHIP_STATE_APPLIED);
  ASSERT_EQ(m.sponsorships_size(), 1);
  EXPECT_EQ(m.sponsorships(0).sponsor_organisation_id(), f.animator.org.organisation_id());

  grpc::Status st = Sponsor(f.anim, id, &out);
  EXPECT_TRUE(HasCode(st, grpc::StatusCode::ALREADY_EXISTS)) << "same sponsor twice";
  st = Sponsor(Rep(c), id, &out);
  EXPECT_TRUE(HasCode(st, grpc::StatusCode::INVALID_ARGUMENT)) << "self-sponsoring";
  EXPECT_THAT(st.error_message(), HasSubstr("sponsor_organisation_id"));
  st = Sponsor(RepIn(s, f.net), id, &out);
  EXPECT_TRUE(HasCode(st, grpc::StatusCode::FAILED_PRECONDITION)) << "suspended sponsor";
  EXPECT_THAT(st.error_message(), HasSubstr("SUSPENDED"));
  // An organisation outside the network cannot sponsor (the API hides the application from
  // it; the store refuses it whoever asks).
  absl::StatusOr<v1::Membership> by_outsider =
      h_.store()->Sponsor(id, outsider.org.organisation_id(), {.actor = "test"});
  EXPECT_TRUE(absl::IsFailedPrecondition(by_outsider.status())) << by_outsider.status();

  // The refused attempts left nothing behind.
  v1::GetMembershipRequest get;
  get.set_membership_id(id);
  ASSERT_TRUE(Ok(Call(&Stub::GetMembership, Rep(c), get, &out)));
  EXPECT_EQ(out.state(), v1::MEMBERSHIP_STATE_APPLIED);
  EXPECT_EQ(out.sponsorships_size(), 1);

  // A second, distinct active sponsor admits the applicant.
  ASSERT_TRUE(Ok(Sponsor(RepIn(b, f.net), id, &m)));
  EXPECT_EQ(m.state(), v1::MEMBERSHIP_STATE_SPONSORED);
  std::vector<std::string> sponsors;
  for (const v1::Sponsorship& sp : m.sponsorships()) {
    sponsors.push_back(sp.sponsor_organisation_id());
  }
  EXPECT_THAT(sponsors,
              UnorderedElementsAre(f.animator.org.organisation_id(), b.org.organisation_id()));
  EXPECT_TRUE(HasCode(Sponsor(RepIn(b, f.net), id, &out), grpc::StatusCode::FAILED_PRECONDITION))
      << "sponsoring an admitted member";

  ASSERT_TRUE(Ok(Sign(c, id, 1, &m)));
  EXPECT_EQ(m.state(), v1::MEMBERSHIP_STATE_ACTIVE);
}

TEST_F(MembershipStoreTest, RejectedApplicantMayApplyAgain) {
  Founded f = Found(v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  Member b = NewMember("Boulangerie Dupont");
  v1::Membership m, out;
  ASSERT_TRUE(Ok(Apply(Rep(b), f.net.network_id(), b.org.organisation_id(), &m)));
  v1::RejectMembershipRequest reject;
  reject.set_membership_id(m.membership_id());
  reject.set_reason("Hors du territoire");
  ASSERT_TRUE(Ok(Call(&Stub::RejectMembership, f.anim, reject, &m)));
  EXPECT_EQ(m.state(), v1::MEMBERSHIP_STATE_REJECTED);
  EXPECT_EQ(m.state_reason(), "Hors du territoire");
  EXPECT_TRUE(HasCode(Call(&Stub::RejectMembership, f.anim, reject, &out),
                      grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_TRUE(
      HasCode(Approve(f.anim, m.membership_id(), &out), grpc::StatusCode::FAILED_PRECONDITION));

  // A rejected organisation is not listed as a member of the network.
  v1::ListOrganisationsRequest list;
  list.set_network_id(f.net.network_id());
  EXPECT_THAT(OrganisationNames(f.anim, list), ElementsAre("Agence Animatrice"));

  ASSERT_TRUE(Ok(Apply(Rep(b), f.net.network_id(), b.org.organisation_id(), &m)));
  EXPECT_EQ(m.state(), v1::MEMBERSHIP_STATE_APPLIED);
  EXPECT_EQ(m.state_reason(), "");
  // An admitted applicant may still be rejected before signing.
  ASSERT_TRUE(Ok(Approve(f.anim, m.membership_id(), &m)));
  ASSERT_TRUE(Ok(Call(&Stub::RejectMembership, f.anim, reject, &m)));
  EXPECT_EQ(m.state(), v1::MEMBERSHIP_STATE_REJECTED);
}

TEST_F(MembershipStoreTest, LastActiveAnimatorStaysUntilAnotherIsActive) {
  Founded f = Found(v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  const std::string founder = f.animator.membership.membership_id();
  v1::Membership out;
  grpc::Status s = Leave(RepIn(f.animator, f.net, NETWORK_ROLE_ANIMATOR), founder, &out);
  EXPECT_TRUE(HasCode(s, grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_THAT(s.error_message(), HasSubstr("last active animator"));
  s = ChangeRole(f.anim, founder, NETWORK_ROLE_MEMBER, &out);
  EXPECT_TRUE(HasCode(s, grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_THAT(s.error_message(), HasSubstr("last active animator"));

  // An appointed animator counts only once it is active (charter signed).
  Member b = NewMember("Boulangerie Dupont");
  ASSERT_TRUE(Ok(Apply(Rep(b), f.net.network_id(), b.org.organisation_id(), &b.membership)));
  ASSERT_TRUE(Ok(Approve(f.anim, b.membership.membership_id(), &b.membership)));
  ASSERT_TRUE(
      Ok(ChangeRole(f.anim, b.membership.membership_id(), NETWORK_ROLE_ANIMATOR, &b.membership)));
  EXPECT_EQ(b.membership.role(), NETWORK_ROLE_ANIMATOR);
  EXPECT_EQ(b.membership.state(), v1::MEMBERSHIP_STATE_SPONSORED);
  EXPECT_TRUE(HasCode(Leave(RepIn(f.animator, f.net, NETWORK_ROLE_ANIMATOR), founder, &out),
                      grpc::StatusCode::FAILED_PRECONDITION));
  ASSERT_TRUE(Ok(Sign(b, b.membership.membership_id(), 1, &b.membership)));
  EXPECT_EQ(b.membership.state(), v1::MEMBERSHIP_STATE_ACTIVE);

  // Now the founder may step down; the newcomer is then the last one.
  ASSERT_TRUE(Ok(ChangeRole(f.anim, founder, NETWORK_ROLE_MEMBER, &out)));
  EXPECT_EQ(out.role(), NETWORK_ROLE_MEMBER);
  EXPECT_EQ(out.state(), v1::MEMBERSHIP_STATE_ACTIVE);
  EXPECT_TRUE(HasCode(Leave(RepIn(b, f.net), b.membership.membership_id(), &out),
                      grpc::StatusCode::FAILED_PRECONDITION));
  ASSERT_TRUE(Ok(Leave(RepIn(f.animator, f.net, NETWORK_ROLE_ANIMATOR), founder, &out)));
  EXPECT_EQ(out.state(), v1::MEMBERSHIP_STATE_LEFT);

  v1::ListMembershipsRequest animators;
  animators.set_network_id(f.net.network_id());
  animators.set_role(NETWORK_ROLE_ANIMATOR);
  animators.set_state(v1::MEMBERSHIP_STATE_ACTIVE);
  EXPECT_THAT(MembershipNames(f.anim, animators), ElementsAre("Boulangerie Dupont"));
}

// ---------------------------------------------------------------------------------------------
// Import and export

// A member file with three valid rows (2, 3-4, 10) and four invalid ones, CRLF on line 2, a
// quoted field with an escaped quote and a comma, another spanning two lines, a blank line.
struct MemberFile {
  std::string s1, s2, s5;
  std::string csv;
};

// One CSV line: the fields joined by commas (quote them yourself), then `end`.
std::string Line(const std::vector<std::string>& fields, const std::string& end = "\n") {
  return absl::StrCat(absl::StrJoin(fields, ","), end);
}

MemberFile MakeMemberFile(const std::string& website1 = "https://dupont.example.fr") {
  MemberFile f;
  f.s1 = TestSiren("52", 1);
  f.s2 = TestSiren("52", 2);
  f.s5 = TestSiren("52", 5);
  const std::string s3 = TestSiren("52", 3);
  const std::string s4 = TestSiren("52", 4);
  f.csv = absl::StrCat(
      // line 1
      Line({"siren", "legal_name", "kind", "naf_code", "siret", "street", "postal_code", "city",
            "commune_code", "website", "role", "contact_first_name", "contact_last_name",
            "contact_email"}),
      // line 2, ending in CRLF
      Line({f.s1, "Boulangerie Dupont", "company", "10.71C", HeadOfficeSiret(f.s1), "3 rue du Four",
            "33000", "Bordeaux", "33063", website1, "member", "Jeanne", "Dupont",
            "jeanne@dupont.example.fr"},
           "\r\n"),
      // lines 3-4: an escaped quote and a comma, a street on two lines
      Line({f.s2, "\"Atelier \"\"Le Pixel\"\", SARL\"", "company", "62.01Z", HeadOfficeSiret(f.s2),
            "\"12 rue des Lilas\nBâtiment B\"", "33700", "Mérignac", "33281",
            "https://pixel.example.fr", "observer", "", "", ""}),
      // line 5: a SIREN failing its checksum
      Line({WithBadCheckDigit(s3), "Siren Faux SA", "company", "", "", "", "", "", "", "", "member",
            "", "", ""}),
      // line 6: an unknown kind
      Line({s3, "Coopérative Inconnue", "cooperative", "", "", "", "", "", "", "", "member", "", "",
            ""}),
      // line 7: the SIREN of line 2 again
      Line({f.s1, "Boulangerie Dupont Bis", "company", "10.71C", "", "", "", "", "", "", "member",
            "", "", ""}),
      // line 8: three fields instead of fourteen
      Line({s4, "Trop Court", "company"}),
      // line 9: blank
      "\n",
      // line 10
      Line({f.s5, "Tiers-Lieu du Port", "association", "", HeadOfficeSiret(f.s5), "", "64000",
            "Pau", "64445", "", "partner", "", "", ""}));
  return f;
}

std::vector<std::string> ErrorList(const v1::ImportReport& report) {
  std::vector<std::string> out;
  for (const v1::ImportRowError& e : report.errors()) {
    out.push_back(absl::StrCat(e.line(), ":", e.field()));
  }
  return out;
}

TEST_F(MembershipStoreTest, ImportReportsEveryBadRowWhateverTheChunkingAndDryRunWritesNothing) {
  Founded f = Found(v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  MemberFile file = MakeMemberFile();
  v1::ImportOrganisationsRequest::Options options;
  options.set_network_id(f.net.network_id());
  options.set_dry_run(true);

  v1::ImportReport reference;
  ASSERT_TRUE(Ok(Import(f.anim, options, file.csv, file.csv.size(), &reference)));
  EXPECT_TRUE(reference.dry_run());
  EXPECT_EQ(reference.rows_read(), 7);
  EXPECT_EQ(reference.organisations_created(), 0);
  EXPECT_EQ(reference.memberships_created(), 0);
  EXPECT_THAT(ErrorList(reference), UnorderedElementsAre("5:siren", "6:kind", "7:siren", "8:"));
  for (const v1::ImportRowError& e : reference.errors()) {
    if (e.line() == 5) {
      EXPECT_THAT(e.reason(), HasSubstr("checksum"));
    } else if (e.line() == 7) {
      EXPECT_THAT(e.reason(), HasSubstr("earlier in the file"));
    } else if (e.line() == 8) {
      EXPECT_THAT(e.reason(), HasSubstr("expected 14 fields, found 3"));
    }
  }

  // Chunks ending anywhere (mid-line, mid-quoted-field, between the two quotes of an escaped
  // quote, between CR and LF) give the same report; so does a file without a final newline.
  const std::string unterminated = file.csv.substr(0, file.csv.size() - 1);
  const std::vector<const std::string*> files = {&file.csv, &unterminated};
  for (size_t chunk : {1, 2, 3, 5, 7, 16, 64}) {
    for (const std::string* csv : files) {
      v1::ImportReport report;
      ASSERT_TRUE(Ok(Import(f.anim, options, *csv, chunk, &report))) << "chunk " << chunk;
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(report, reference))
          << "chunk " << chunk << ":\n"
          << report.DebugString() << "\nvs\n"
          << reference.DebugString();
    }
  }
  EXPECT_EQ(Count("SELECT count(*) FROM organisations"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM memberships"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM people"), 1);
}

TEST_F(MembershipStoreTest, ImportEnrolsMembersAndRerunningItChangesNothing) {
  Founded f = Found(v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  MemberFile file = MakeMemberFile();
  v1::ImportOrganisationsRequest::Options options;
  options.set_network_id(f.net.network_id());
  options.set_batch_size(2);

  v1::ImportReport report;
  ASSERT_TRUE(Ok(Import(f.anim, options, file.csv, 7, &report)));
  EXPECT_FALSE(report.dry_run());
  EXPECT_EQ(report.rows_read(), 7);
  EXPECT_EQ(report.organisations_created(), 3);
  EXPECT_EQ(report.organisations_updated(), 0);
  EXPECT_EQ(report.organisations_unchanged(), 0);
  EXPECT_EQ(report.memberships_created(), 3);
  EXPECT_EQ(report.people_created(), 1);
  EXPECT_THAT(ErrorList(report), UnorderedElementsAre("5:siren", "6:kind", "7:siren", "8:"));

  // The members are admitted with their CSV role and wait for their charter signature.
  v1::ListMembershipsRequest list;
  list.set_network_id(f.net.network_id());
  v1::ListMembershipsResponse members;
  ASSERT_TRUE(Ok(Call(&Stub::ListMemberships, f.anim, list, &members)));
  std::map<std::string, v1::Membership> by_name;
  for (const v1::Membership& m : members.memberships()) by_name[m.organisation_name()] = m;
  ASSERT_EQ(by_name.size(), 4u);
  const v1::Membership& dupont = by_name["Boulangerie Dupont"];
  const v1::Membership& pixel = by_name["Atelier \"Le Pixel\", SARL"];
  const v1::Membership& port = by_name["Tiers-Lieu du Port"];
  EXPECT_EQ(dupont.state(), v1::MEMBERSHIP_STATE_SPONSORED);
  EXPECT_EQ(dupont.role(), NETWORK_ROLE_MEMBER);
  EXPECT_EQ(pixel.state(), v1::MEMBERSHIP_STATE_SPONSORED);
  EXPECT_EQ(pixel.role(), auth::v1::NETWORK_ROLE_OBSERVER);
  EXPECT_EQ(port.state(), v1::MEMBERSHIP_STATE_SPONSORED);
  EXPECT_EQ(port.role(), NETWORK_ROLE_PARTNER);

  // The quoted fields arrived whole.
  v1::GetOrganisationRequest get;
  get.set_organisation_id(pixel.organisation_id());
  v1::Organisation org;
  ASSERT_TRUE(Ok(Call(&Stub::GetOrganisation, f.anim, get, &org)));
  EXPECT_EQ(org.siren(), file.s2);
  ASSERT_EQ(org.establishments_size(), 1);
  EXPECT_EQ(org.establishments(0).address().street(), "12 rue des Lilas\nBâtiment B");
  EXPECT_EQ(org.establishments(0).address().city(), "Mérignac");
  EXPECT_EQ(org.nace_section(), "J");
  EXPECT_THAT(org.territory().departement_codes(), ElementsAre("33"));
  v1::ListRepresentationsRequest reps;
  reps.set_organisation_id(dupont.organisation_id());
  v1::ListRepresentationsResponse contacts;
  ASSERT_TRUE(Ok(Call(&Stub::ListRepresentations, f.anim, reps, &contacts)));
  ASSERT_EQ(contacts.representations_size(), 1);
  EXPECT_EQ(contacts.representations(0).person().email(), "jeanne@dupont.example.fr");

  // The same file again: nothing new, whatever the chunking.
  v1::ImportReport again;
  ASSERT_TRUE(Ok(Import(f.anim, options, file.csv, 3, &again)));
  EXPECT_EQ(again.rows_read(), 7);
  EXPECT_EQ(again.organisations_created(), 0);
  EXPECT_EQ(again.organisations_updated(), 0);
  EXPECT_EQ(again.organisations_unchanged(), 3);
  EXPECT_EQ(again.memberships_created(), 0);
  EXPECT_EQ(again.people_created(), 0);
  EXPECT_EQ(again.errors_size(), 4);
  EXPECT_EQ(Count("SELECT count(*) FROM organisations"), 4);
  EXPECT_EQ(Count("SELECT count(*) FROM memberships"), 4);
  EXPECT_EQ(Count("SELECT count(*) FROM people"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM representations"), 2);

  // A row that differs from a known organisation changes nothing: the organisation keeps
  // its profile (its representatives edit it, not whoever holds a file with its SIREN).
  get.set_organisation_id(dupont.organisation_id());
  ASSERT_TRUE(Ok(Call(&Stub::GetOrganisation, f.anim, get, &org)));
  EXPECT_EQ(org.website(), "https://dupont.example.fr");
  const int64_t version = org.version();
  MemberFile changed = MakeMemberFile("https://boulangerie-dupont.example.fr");
  ASSERT_TRUE(Ok(Import(f.anim, options, changed.csv, changed.csv.size(), &again)));
  EXPECT_EQ(again.organisations_created(), 0);
  EXPECT_EQ(again.organisations_updated(), 0);
  EXPECT_EQ(again.organisations_unchanged(), 3);
  EXPECT_EQ(again.memberships_created(), 0);
  ASSERT_TRUE(Ok(Call(&Stub::GetOrganisation, f.anim, get, &org)));
  EXPECT_EQ(org.website(), "https://dupont.example.fr");
  EXPECT_EQ(org.version(), version);
  EXPECT_EQ(Count("SELECT count(*) FROM organisations"), 4);
}

TEST_F(MembershipStoreTest, ExportListsTheImportedMembersAsCsv) {
  Founded f = Found(v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  MemberFile file = MakeMemberFile();
  v1::ImportOrganisationsRequest::Options options;
  options.set_network_id(f.net.network_id());
  v1::ImportReport report;
  ASSERT_TRUE(Ok(Import(f.anim, options, file.csv, 16, &report)));
  ASSERT_EQ(report.memberships_created(), 3);

  std::string csv;
  ASSERT_TRUE(Ok(Export(f.anim, f.net.network_id(), &csv)));
  std::vector<std::vector<std::string>> rows = ParseCsv(csv);
  ASSERT_EQ(rows.size(), 5u) << csv;
  EXPECT_THAT(rows[0], ElementsAre("membership_id", "siren", "legal_name", "kind", "naf_code",
                                   "city", "commune_code", "website", "role", "state",
                                   "charter_version_signed", "member_since"));

  v1::ListMembershipsRequest list;
  list.set_network_id(f.net.network_id());
  v1::ListMembershipsResponse members;
  ASSERT_TRUE(Ok(Call(&Stub::ListMemberships, f.anim, list, &members)));
  auto since = [](const v1::Membership& m) {
    return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(m.create_time().seconds()),
                            absl::UTCTimeZone());
  };
  std::map<std::string, std::vector<std::string>> expected;
  for (const v1::Membership& m : members.memberships()) {
    const std::string& name = m.organisation_name();
    std::vector<std::string> row = {m.membership_id()};
    if (name == "Boulangerie Dupont") {
      row.insert(row.end(), {file.s1, name, "company", "10.71C", "Bordeaux", "33063",
                             "https://dupont.example.fr", "member", "sponsored", "0"});
    } else if (name == "Atelier \"Le Pixel\", SARL") {
      row.insert(row.end(), {file.s2, name, "company", "62.01Z", "Mérignac", "33281",
                             "https://pixel.example.fr", "observer", "sponsored", "0"});
    } else if (name == "Tiers-Lieu du Port") {
      row.insert(row.end(), {file.s5, name, "association", "", "Pau", "64445", "", "partner",
                             "sponsored", "0"});
    } else {
      ASSERT_EQ(name, "Agence Animatrice");
      row.insert(row.end(), {f.animator.org.siren(), name, "company", "62.01Z", "Bordeaux", "33063",
                             "", "animator", "active", "1"});
    }
    row.push_back(since(m));
    expected[m.membership_id()] = row;
  }
  ASSERT_EQ(expected.size(), 4u);
  std::vector<std::vector<std::string>> data(rows.begin() + 1, rows.end());
  std::vector<std::vector<std::string>> want;
  for (const auto& entry : expected) want.push_back(entry.second);
  EXPECT_THAT(data, UnorderedElementsAreArray(want));

  // Rows come in the members' name order.
  std::vector<std::string> names;
  for (const auto& row : data) names.push_back(row[2]);
  EXPECT_THAT(names, ElementsAre("Agence Animatrice", "Atelier \"Le Pixel\", SARL",
                                 "Boulangerie Dupont", "Tiers-Lieu du Port"));
}

}  // namespace
}  // namespace maillage::membership

namespace maillage::membership {
namespace {

TEST_F(MembershipStoreTest, LastActiveAnimatorCannotBeSuspended) {
  Founded f = Found(v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  v1::Membership out;
  grpc::Status s = Suspend(f.anim, f.animator.membership.membership_id(), "test", &out);
  EXPECT_TRUE(HasCode(s, grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_THAT(s.error_message(), HasSubstr("last active animator"));
  EXPECT_EQ(Count("SELECT count(*) FROM memberships WHERE state = 4"), 0);  // none suspended
}

TEST_F(MembershipStoreTest, ReimportKeepsWhatTheFileDoesNotCarry) {
  Founded f = Found(v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  MemberFile file = MakeMemberFile();
  v1::ImportOrganisationsRequest::Options options;
  options.set_network_id(f.net.network_id());
  v1::ImportReport report;
  ASSERT_TRUE(Ok(Import(f.anim, options, file.csv, file.csv.size(), &report)));
  v1::ListMembershipsRequest list;
  list.set_network_id(f.net.network_id());
  v1::ListMembershipsResponse members;
  ASSERT_TRUE(Ok(Call(&Stub::ListMemberships, f.anim, list, &members)));
  std::string dupont_id;
  for (const v1::Membership& m : members.memberships()) {
    if (m.organisation_name() == "Boulangerie Dupont") dupont_id = m.organisation_id();
  }
  ASSERT_FALSE(dupont_id.empty());

  // The baker adds a second shop and a description the file does not have.
  v1::AddEstablishmentRequest add;
  add.set_organisation_id(dupont_id);
  std::string second;
  for (int nic = 20;; ++nic) {
    second = file.s1 + absl::StrFormat("%05d", nic);
    if (IsValidSiret(second)) break;
  }
  add.mutable_establishment()->set_siret(second);
  add.mutable_establishment()->mutable_address()->set_city("Talence");
  v1::Organisation org;
  ASSERT_TRUE(Ok(Call(&Stub::AddEstablishment, h_.Admin(), add, &org)));
  v1::UpdateOrganisationRequest update;
  *update.mutable_organisation() = org;
  update.mutable_organisation()->set_description("Pain au levain depuis 1952");
  ASSERT_TRUE(Ok(Call(&Stub::UpdateOrganisation, h_.Admin(), update, &org)));

  // Re-importing the file keeps both: blank cells and other establishments are not erased.
  v1::ImportReport again;
  ASSERT_TRUE(Ok(Import(f.anim, options, file.csv, 5, &again)));
  EXPECT_EQ(again.organisations_updated(), 0);
  EXPECT_EQ(again.organisations_unchanged(), 3);
  v1::GetOrganisationRequest get;
  get.set_organisation_id(dupont_id);
  ASSERT_TRUE(Ok(Call(&Stub::GetOrganisation, h_.Admin(), get, &org)));
  EXPECT_EQ(org.description(), "Pain au levain depuis 1952");
  ASSERT_EQ(org.establishments_size(), 2);
  EXPECT_TRUE(org.establishments(0).head_office());
  EXPECT_EQ(org.establishments(1).siret(), second);
}

TEST_F(MembershipStoreTest, CancelledImportCommitsNothingOfItsPendingBatch) {
  Founded f = Found(v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  const int64_t before = Count("SELECT count(*) FROM organisations");
  MemberFile file = MakeMemberFile();
  // Every line but half of the last one, as a client would have sent when it died: the valid
  // rows wait in the pending batch (batch size 100), the cut line parses as a short row.
  size_t cut = file.csv.find("du Port");
  ASSERT_NE(cut, std::string::npos);

  std::unique_ptr<grpc::ClientContext> ctx = h_.Context(f.anim);
  v1::ImportReport report;
  auto writer = h_.stub()->ImportOrganisations(ctx.get(), &report);
  v1::ImportOrganisationsRequest msg;
  msg.mutable_options()->set_network_id(f.net.network_id());
  msg.mutable_options()->set_batch_size(100);
  ASSERT_TRUE(writer->Write(msg));
  msg.set_chunk(file.csv.substr(0, cut));
  ASSERT_TRUE(writer->Write(msg));
  absl::SleepFor(absl::Milliseconds(300));  // let the chunk reach the server
  ctx->TryCancel();
  grpc::Status s = writer->Finish();
  EXPECT_TRUE(HasCode(s, grpc::StatusCode::CANCELLED));
  absl::SleepFor(absl::Milliseconds(300));  // and the server finish its side
  EXPECT_EQ(Count("SELECT count(*) FROM organisations"), before);
}

}  // namespace
}  // namespace maillage::membership

namespace maillage::membership {
namespace {

// A file of valid rows "siren,legal_name,kind", SIRENs TestSiren(prefix, first...).
std::string ValidRows(const std::string& prefix, int first, int count) {
  std::string csv;
  for (int i = first; i < first + count; ++i) {
    absl::StrAppend(&csv, Line({TestSiren(prefix, i), absl::StrCat("Atelier ", i), "company"}));
  }
  return csv;
}

// A bad file's report stays under a client's receive limit: it lists the first 1000 errors and
// counts them all.
TEST_F(MembershipStoreTest, ImportReportListsTheFirstThousandErrorsAndCountsThemAll) {
  Founded f = Found(v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  std::string csv = "siren,legal_name,kind\n";
  for (int i = 1; i <= 1500; ++i) {  // a bad SIREN and an unknown kind on each row
    absl::StrAppend(&csv, Line({WithBadCheckDigit(TestSiren("53", i)), "X", "guild"}));
  }
  absl::StrAppend(&csv, ValidRows("54", 1, 2));
  v1::ImportOrganisationsRequest::Options options;
  options.set_network_id(f.net.network_id());
  options.set_dry_run(true);
  v1::ImportReport report;
  ASSERT_TRUE(Ok(Import(f.anim, options, csv, 4096, &report)));
  EXPECT_EQ(report.rows_read(), 1502);
  EXPECT_EQ(report.errors_size(), 1000);
  EXPECT_EQ(report.error_count(), 3000);
  EXPECT_EQ(report.rows_with_errors(), 1500);
  // The listed ones are the file's first: lines 2 to 501, two each.
  EXPECT_EQ(report.errors(0).line(), 2);
  EXPECT_EQ(report.errors(0).field(), "siren");
  EXPECT_EQ(report.errors(1).field(), "kind");
  EXPECT_EQ(report.errors(999).line(), 501);
}

// A cell that a spreadsheet would run as a formula is exported as text.
TEST_F(MembershipStoreTest, ExportedCellsCannotRunAsFormulas) {
  Founded f = Found(v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  const std::string name = "=HYPERLINK(\"http://x\",\"y\")";
  const std::string siren = TestSiren("55", 1);
  std::string csv = absl::StrCat("siren,legal_name,kind,city,siret\n", siren,
                                 ",\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",company,@SUM(A1),",
                                 HeadOfficeSiret(siren), "\n");
  v1::ImportOrganisationsRequest::Options options;
  options.set_network_id(f.net.network_id());
  v1::ImportReport report;
  ASSERT_TRUE(Ok(Import(f.anim, options, csv, csv.size(), &report)));
  ASSERT_EQ(report.memberships_created(), 1) << report.DebugString();

  std::string exported;
  ASSERT_TRUE(Ok(Export(f.anim, f.net.network_id(), &exported)));
  EXPECT_THAT(exported, HasSubstr("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""));
  std::vector<std::vector<std::string>> rows = ParseCsv(exported);
  ASSERT_EQ(rows.size(), 3u);
  const std::vector<std::string>& row = rows[1][1] == siren ? rows[1] : rows[2];
  EXPECT_EQ(row[2], "'" + name);
  EXPECT_EQ(row[5], "'@SUM(A1)");
}

// The service with one worker and a queue of one, which a test keeps full.
class MembershipBusyTest : public MembershipStoreTest {
 protected:
  MembershipBusyTest() {
    options_.workers = 1;
    options_.queue_capacity = 1;
  }

  // Occupies the worker until `release` counts down, and fills the queue.
  void FillWorkers(std::latch* release) {
    std::latch started(1);
    ASSERT_TRUE(h_.workers()->TrySubmit([&started, release] {
      started.count_down();
      release->wait();
    }));
    started.wait();
    ASSERT_TRUE(h_.workers()->TrySubmit([] {}));
    ASSERT_FALSE(h_.workers()->TrySubmit([] {}));  // full
  }
};

TEST_F(MembershipBusyTest, MomentarilyFullQueueDelaysAnImportInsteadOfFailingIt) {
  std::latch release(1);
  FillWorkers(&release);
  std::thread releaser([&release] {
    absl::SleepFor(absl::Milliseconds(300));
    release.count_down();
  });
  v1::ImportReport report;
  grpc::Status s =
      Import(h_.Admin(), {}, "siren,legal_name,kind\n" + ValidRows("56", 1, 3), 16, &report);
  releaser.join();
  ASSERT_TRUE(Ok(s));
  EXPECT_EQ(report.organisations_created(), 3);
  EXPECT_EQ(Count("SELECT count(*) FROM organisations"), 3);
}

TEST_F(MembershipBusyTest, QueueStayingFullStopsAnImportSayingWhatWasCommitted) {
  std::unique_ptr<grpc::ClientContext> ctx = h_.Context(h_.Admin());
  v1::ImportReport report;
  auto writer = h_.stub()->ImportOrganisations(ctx.get(), &report);
  v1::ImportOrganisationsRequest msg;
  msg.mutable_options()->set_batch_size(2);
  ASSERT_TRUE(writer->Write(msg));
  // Lines 2 and 3 make a batch, committed; line 4 waits in the next batch.
  msg.set_chunk("siren,legal_name,kind\n" + ValidRows("57", 1, 3));
  ASSERT_TRUE(writer->Write(msg));
  for (int i = 0; i < 1000 && Count("SELECT count(*) FROM organisations") < 2; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_EQ(Count("SELECT count(*) FROM organisations"), 2);

  std::latch release(1);
  FillWorkers(&release);
  msg.set_chunk(ValidRows("57", 4, 2));
  writer->Write(msg);
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  release.count_down();
  EXPECT_TRUE(HasCode(s, grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_THAT(s.error_message(), HasSubstr("after reading 3 rows"));
  EXPECT_THAT(s.error_message(),
              HasSubstr("the rows up to row 2 (line 3) are committed, the rows after it are not"));
  EXPECT_EQ(Count("SELECT count(*) FROM organisations"), 2);
}

}  // namespace
}  // namespace maillage::membership
