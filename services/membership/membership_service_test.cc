// The membership service end to end on real PostgreSQL and Redis: the main journeys of an
// animator and of member companies.
#include <gmock/gmock.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "common/auth/api_key.h"
#include "common/status/status.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/membership/domain/identifiers.h"
#include "services/membership/membership_harness.h"
#include "services/membership/membership_test_data.h"

namespace maillage::membership {
namespace {

using ::maillage::auth::v1::NETWORK_ROLE_ANIMATOR;
using ::maillage::auth::v1::NETWORK_ROLE_MEMBER;

class MembershipServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(h_.Start().ok()); }

  v1::Organisation CreateCompany(const std::string& name, const std::string& siren) {
    v1::CreateOrganisationRequest req;
    req.mutable_organisation()->set_legal_name(name);
    req.mutable_organisation()->set_kind(v1::ORGANISATION_KIND_COMPANY);
    req.mutable_organisation()->set_siren(siren);
    req.mutable_organisation()->set_naf_code("62.01Z");
    v1::Establishment* e = req.mutable_organisation()->add_establishments();
    e->set_siret(HeadOfficeSiret(siren));
    e->set_head_office(true);
    e->mutable_address()->set_street("12 rue des Lilas");
    e->mutable_address()->set_city("Bordeaux");
    e->mutable_address()->set_commune_code("33063");
    v1::Organisation org;
    grpc::Status s = h_.stub()->CreateOrganisation(h_.Context(h_.Admin()).get(), req, &org);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return org;
  }

  v1::Person CreatePerson(const std::string& email, const std::string& organisation_id) {
    v1::CreatePersonRequest req;
    req.mutable_person()->set_given_name("Claire");
    req.mutable_person()->set_family_name("Martin");
    req.mutable_person()->set_email(email);
    v1::Person person;
    EXPECT_TRUE(h_.stub()->CreatePerson(h_.Context(h_.Admin()).get(), req, &person).ok());
    v1::AddRepresentationRequest rep;
    rep.set_organisation_id(organisation_id);
    rep.set_person_id(person.person_id());
    rep.set_role_title("Gérante");
    v1::Representation r;
    EXPECT_TRUE(h_.stub()->AddRepresentation(h_.Context(h_.Admin()).get(), rep, &r).ok());
    return person;
  }

  v1::Network CreateNetwork(const std::string& animator_org, v1::AdmissionPolicy policy,
                            int sponsors) {
    v1::CreateNetworkRequest req;
    v1::Network* n = req.mutable_network();
    n->set_name("Grappe numérique de Gironde");
    n->set_kind(v1::NETWORK_KIND_CLUSTER);
    n->set_animating_organisation_id(animator_org);
    n->set_admission_policy(policy);
    n->set_required_sponsors(sponsors);
    n->mutable_charter()->set_text("Créer le lien, définir des objectifs communs, transparence.");
    n->mutable_territory()->add_departement_codes("33");
    v1::Network out;
    grpc::Status s =
        h_.stub()->CreateNetwork(h_.Context(h_.ActingFor(animator_org)).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // Signs the current charter for `m` as `person`.
  v1::Membership Sign(const v1::Membership& m, const v1::Person& person, int version) {
    v1::SignCharterRequest req;
    req.set_membership_id(m.membership_id());
    req.set_person_id(person.person_id());
    req.set_charter_version(version);
    v1::Membership out;
    grpc::Status s = h_.stub()->SignCharter(
        h_.Context(h_.ActingFor(m.organisation_id(), {}, person.person_id())).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  MembershipHarness h_;
};

TEST_F(MembershipServiceTest, CoOptationJourneyFromApplicationToActiveMember) {
  v1::Organisation animator = CreateCompany("Agence Animatrice", "732829320");
  v1::Person animator_rep = CreatePerson("anim@agence.fr", animator.organisation_id());
  v1::Network net = CreateNetwork(animator.organisation_id(), v1::ADMISSION_POLICY_CO_OPTATION, 1);
  EXPECT_EQ(net.charter().version(), 1);

  // The founding animator signs the charter and becomes active.
  v1::ListMembershipsRequest list;
  list.set_network_id(net.network_id());
  v1::ListMembershipsResponse members;
  auth::Principal anim =
      h_.ActingFor(animator.organisation_id(), {{net.network_id(), NETWORK_ROLE_ANIMATOR}},
                   animator_rep.person_id());
  ASSERT_TRUE(h_.stub()->ListMemberships(h_.Context(anim).get(), list, &members).ok());
  ASSERT_EQ(members.memberships_size(), 1);
  EXPECT_EQ(members.memberships(0).state(), v1::MEMBERSHIP_STATE_SPONSORED);
  EXPECT_EQ(Sign(members.memberships(0), animator_rep, 1).state(), v1::MEMBERSHIP_STATE_ACTIVE);

  // A newcomer applies; the active animator organisation sponsors it.
  v1::Organisation newcomer = CreateCompany("Nouvelle Pousse", "552100554");
  v1::Person newcomer_rep = CreatePerson("np@pousse.fr", newcomer.organisation_id());
  v1::ApplyForMembershipRequest apply;
  apply.set_network_id(net.network_id());
  apply.set_organisation_id(newcomer.organisation_id());
  apply.set_motivation("Mutualiser le recrutement");
  v1::Membership applied;
  ASSERT_TRUE(h_.stub()
                  ->ApplyForMembership(h_.Context(h_.ActingFor(newcomer.organisation_id())).get(),
                                       apply, &applied)
                  .ok());
  EXPECT_EQ(applied.state(), v1::MEMBERSHIP_STATE_APPLIED);

  // Signing before admission is a step out of order, naming the state.
  v1::SignCharterRequest early;
  early.set_membership_id(applied.membership_id());
  early.set_person_id(newcomer_rep.person_id());
  early.set_charter_version(1);
  v1::Membership ignored;
  grpc::Status s = h_.stub()->SignCharter(
      h_.Context(h_.ActingFor(newcomer.organisation_id(), {}, newcomer_rep.person_id())).get(),
      early, &ignored);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("membership is APPLIED"));

  v1::SponsorMembershipRequest sponsor;
  sponsor.set_membership_id(applied.membership_id());
  v1::Membership sponsored;
  ASSERT_TRUE(h_.stub()->SponsorMembership(h_.Context(anim).get(), sponsor, &sponsored).ok());
  EXPECT_EQ(sponsored.state(), v1::MEMBERSHIP_STATE_SPONSORED);
  ASSERT_EQ(sponsored.sponsorships_size(), 1);
  EXPECT_EQ(sponsored.sponsorships(0).sponsor_organisation_id(), animator.organisation_id());

  v1::Membership active = Sign(sponsored, newcomer_rep, 1);
  EXPECT_EQ(active.state(), v1::MEMBERSHIP_STATE_ACTIVE);
  EXPECT_EQ(active.charter_signature().person_id(), newcomer_rep.person_id());
  EXPECT_FALSE(active.charter_signature_required());

  // A new charter version asks every member to sign again.
  v1::PublishCharterRequest publish;
  publish.set_network_id(net.network_id());
  publish.set_text("Version 2 : ajout de la gouvernance partagée.");
  publish.set_expected_current_version(1);
  v1::Network v2;
  ASSERT_TRUE(h_.stub()->PublishCharter(h_.Context(anim).get(), publish, &v2).ok());
  EXPECT_EQ(v2.charter().version(), 2);
  v1::GetMembershipRequest get;
  get.set_membership_id(active.membership_id());
  v1::Membership after;
  ASSERT_TRUE(h_.stub()->GetMembership(h_.Context(anim).get(), get, &after).ok());
  EXPECT_TRUE(after.charter_signature_required());
  EXPECT_FALSE(Sign(after, newcomer_rep, 2).charter_signature_required());
}

TEST_F(MembershipServiceTest, StaleUpdateIsAbortedAndChangesNothing) {
  v1::Organisation org = CreateCompany("Atelier Web", "732829320");
  auth::Principal rep = h_.ActingFor(org.organisation_id());
  v1::UpdateOrganisationRequest first;
  *first.mutable_organisation() = org;
  first.mutable_organisation()->set_description("Sites pour artisans d'art");
  v1::Organisation updated;
  ASSERT_TRUE(h_.stub()->UpdateOrganisation(h_.Context(rep).get(), first, &updated).ok());
  EXPECT_EQ(updated.version(), org.version() + 1);

  v1::UpdateOrganisationRequest stale;
  *stale.mutable_organisation() = org;  // still the old version
  stale.mutable_organisation()->set_description("Écrasé ?");
  v1::Organisation out;
  grpc::Status s = h_.stub()->UpdateOrganisation(h_.Context(rep).get(), stale, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);

  v1::GetOrganisationRequest get;
  get.set_organisation_id(org.organisation_id());
  ASSERT_TRUE(h_.stub()->GetOrganisation(h_.Context(rep).get(), get, &out).ok());
  EXPECT_EQ(out.description(), "Sites pour artisans d'art");
}

TEST_F(MembershipServiceTest, NobodyAttachesSomeoneElsesRepresentativeToReadTheirContact) {
  v1::Organisation mine = CreateCompany("Atelier Web", "732829320");
  v1::Organisation theirs = CreateCompany("Nouvelle Pousse", "552100554");
  v1::Person their_rep = CreatePerson("np@pousse.fr", theirs.organisation_id());
  v1::AddRepresentationRequest req;
  req.set_organisation_id(mine.organisation_id());
  req.set_person_id(their_rep.person_id());
  v1::Representation out;
  grpc::Status s = h_.stub()->AddRepresentation(
      h_.Context(h_.ActingFor(mine.organisation_id())).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::GetPersonRequest get;
  get.set_person_id(their_rep.person_id());
  v1::Person person;
  EXPECT_EQ(h_.stub()
                ->GetPerson(h_.Context(h_.ActingFor(mine.organisation_id())).get(), get, &person)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  // The person may add themselves.
  EXPECT_TRUE(
      h_.stub()
          ->AddRepresentation(
              h_.Context(h_.ActingFor(mine.organisation_id(), {}, their_rep.person_id())).get(),
              req, &out)
          .ok());
}

TEST_F(MembershipServiceTest, AnIdempotencyKeyAnswersOnlyTheRequestItCameWith) {
  v1::CreatePersonRequest req;
  req.mutable_person()->set_given_name("Claire");
  req.mutable_person()->set_family_name("Martin");
  req.mutable_person()->set_email("claire@atelier.fr");
  req.set_idempotency_key("form-42");
  v1::Person first, retry, other;
  ASSERT_TRUE(h_.stub()->CreatePerson(h_.Context(h_.Admin()).get(), req, &first).ok());
  ASSERT_TRUE(h_.stub()->CreatePerson(h_.Context(h_.Admin()).get(), req, &retry).ok());
  EXPECT_EQ(retry.person_id(), first.person_id());
  req.mutable_person()->set_email("paul@atelier.fr");
  grpc::Status s = h_.stub()->CreatePerson(h_.Context(h_.Admin()).get(), req, &other);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::StartsWith("idempotency_key:"));
}

// A client (or the gateway) reads every refused field at once from the standard
// google.rpc.BadRequest in the status details; the message names the first.
TEST_F(MembershipServiceTest, EveryBadFieldComesBackInTheBadRequestDetails) {
  v1::CreateOrganisationRequest req;
  req.mutable_organisation()->set_legal_name("Atelier");
  req.mutable_organisation()->set_kind(v1::ORGANISATION_KIND_COMPANY);
  req.mutable_organisation()->set_siren("123456789");
  req.mutable_organisation()->set_website("ftp://atelier.fr");
  v1::Organisation org;
  grpc::Status s = h_.stub()->CreateOrganisation(h_.Context(h_.Admin()).get(), req, &org);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "organisation.siren: must be 9 digits with a valid checksum");
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(s.error_details()));
  EXPECT_EQ(details.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad_request));
  std::vector<std::pair<std::string, std::string>> violations;
  for (const auto& v : bad_request.field_violations()) {
    violations.emplace_back(v.field(), v.description());
  }
  EXPECT_THAT(violations, ::testing::ElementsAre(
                              std::pair<std::string, std::string>(
                                  "organisation.siren", "must be 9 digits with a valid checksum"),
                              std::pair<std::string, std::string>("organisation.website",
                                                                  "must be an http(s) URL")));
}

// The principal of a stream is canonicalised as a unary call's is (subject included): the
// events an import writes name its actor in the one spelling every other change uses.
TEST_F(MembershipServiceTest, AnImportRecordsItsActorInCanonicalForm) {
  auth::Principal admin = h_.Admin();
  admin.set_subject("6D1F6A8E-3F0B-4C8E-9A4E-2B7C1D0E5F01");
  auto ctx = h_.Context(admin);
  v1::ImportReport report;
  auto writer = h_.stub()->ImportOrganisations(ctx.get(), &report);
  v1::ImportOrganisationsRequest options, chunk;
  options.mutable_options();
  chunk.set_chunk(absl::StrCat("siren,legal_name,kind\n", TestSiren("91", 4242),
                               ",Atelier Majuscule,company\n"));
  ASSERT_TRUE(writer->Write(options));
  ASSERT_TRUE(writer->Write(chunk));
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(report.organisations_created(), 1);

  std::vector<std::string> actors;
  ASSERT_TRUE(h_.pg()
                  ->Transact([&](pqxx::work& tx) {
                    for (const auto& row : tx.exec("SELECT payload FROM outbox ORDER BY id")) {
                      v1::MembershipEvent e;
                      if (e.ParseFromString(pqxx::binarystring(row[0]).str()) &&
                          e.has_organisation_created() &&
                          e.organisation_created().organisation().legal_name() ==
                              "Atelier Majuscule") {
                        actors.push_back(e.actor());
                      }
                    }
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_THAT(actors, ::testing::ElementsAre("6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01"));
}

TEST_F(MembershipServiceTest, UnsignedOrForgedCallsAreUnauthenticated) {
  grpc::ClientContext bare;
  v1::GetNetworkRequest req;
  req.set_network_id("0b7c3a52-6f7e-4c1e-9a53-2f4b8d1e9c10");
  v1::Network out;
  EXPECT_EQ(h_.stub()->GetNetwork(&bare, req, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  grpc::ClientContext forged;
  auth::PrincipalSigner("another-key-another-key-another-key!").Attach(h_.Admin(), &forged);
  EXPECT_EQ(h_.stub()->GetNetwork(&forged, req, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// One ServerReflectionInfo exchange through a raw stream (the reflection stubs are not
// installed): `request` and the answer are serialised ServerReflectionRequest/Response.
std::string ReflectionExchange(const std::string& address, const std::string& request) {
  grpc::GenericStub stub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto call =
      stub.PrepareCall(&ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag = nullptr;
  bool ok = false;
  auto step = [&](intptr_t n) {
    EXPECT_TRUE(cq.Next(&tag, &ok));
    EXPECT_EQ(reinterpret_cast<intptr_t>(tag), n);
  };
  call->StartCall(reinterpret_cast<void*>(1));
  step(1);
  grpc::Slice slice(request);
  grpc::ByteBuffer out(&slice, 1);
  call->Write(out, reinterpret_cast<void*>(2));
  step(2);
  grpc::ByteBuffer in;
  call->Read(&in, reinterpret_cast<void*>(3));
  step(3);
  call->WritesDone(reinterpret_cast<void*>(4));
  step(4);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  EXPECT_TRUE(status.ok()) << status.error_message();
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  std::vector<grpc::Slice> slices;
  std::string answer;
  if (in.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices)
      answer.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return answer;
}

// Every service the port lists can be described: a standard client (buf curl, grpcurl)
// resolves each name to its file descriptor through reflection.
TEST_F(MembershipServiceTest, ReflectionDescribesEveryListedService) {
  google::protobuf::UnknownFieldSet list;
  list.AddLengthDelimited(7, "");  // list_services
  std::string raw;
  ASSERT_TRUE(list.SerializeToString(&raw));
  google::protobuf::UnknownFieldSet listed;
  ASSERT_TRUE(listed.ParseFromString(ReflectionExchange(h_.address(), raw)));
  std::vector<std::string> names;
  for (int i = 0; i < listed.field_count(); ++i) {
    if (listed.field(i).number() != 6) continue;  // list_services_response
    google::protobuf::UnknownFieldSet services;
    ASSERT_TRUE(services.ParseFromString(listed.field(i).length_delimited()));
    for (int j = 0; j < services.field_count(); ++j) {
      google::protobuf::UnknownFieldSet service;
      ASSERT_TRUE(service.ParseFromString(services.field(j).length_delimited()));
      names.push_back(service.field(0).length_delimited());
    }
  }
  EXPECT_THAT(names, ::testing::IsSupersetOf(
                         {"maillage.membership.v1.MembershipService", "grpc.health.v1.Health"}));
  for (const std::string& name : names) {
    google::protobuf::UnknownFieldSet find;
    find.AddLengthDelimited(4, name);  // file_containing_symbol
    ASSERT_TRUE(find.SerializeToString(&raw));
    google::protobuf::UnknownFieldSet answer;
    ASSERT_TRUE(answer.ParseFromString(ReflectionExchange(h_.address(), raw)));
    bool described = false;
    for (int i = 0; i < answer.field_count(); ++i) {
      described |= answer.field(i).number() == 4;  // file_descriptor_response
    }
    EXPECT_TRUE(described) << name << " cannot be described";
  }
}

// The principal is checked before the call takes a queue slot: with every worker busy and the
// queue full, an unsigned call is still told UNAUTHENTICATED, and takes no slot.
TEST(MembershipServiceSaturationTest, UnsignedCallsAreRefusedBeforeTheyQueue) {
  absl::Notification started, release;  // outlive the harness, which joins the worker
  MembershipHarness h;
  ASSERT_TRUE(h.Start({.workers = 1, .queue_capacity = 1}).ok());
  ASSERT_TRUE(h.workers()->TrySubmit([&] {
    started.Notify();
    release.WaitForNotification();
  }));
  started.WaitForNotification();
  ASSERT_TRUE(h.workers()->TrySubmit([] {}));  // the one queue slot
  ASSERT_EQ(h.workers()->QueueDepth(), 1u);

  v1::GetNetworkRequest req;
  req.set_network_id("0b7c3a52-6f7e-4c1e-9a53-2f4b8d1e9c10");
  v1::Network out;
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext bare;
    EXPECT_EQ(h.stub()->GetNetwork(&bare, req, &out).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_EQ(h.workers()->QueueDepth(), 1u);
  // A signed call meets the full queue.
  EXPECT_EQ(h.Call(&v1::MembershipService::Stub::GetNetwork, h.Admin(), req, &out).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  release.Notify();
}

// The streams authenticate as unary calls do, before any work is queued: an unsigned import
// or export is told UNAUTHENTICATED at once, not "server busy" after waiting for a worker, and
// an unsigned import learns nothing of what it sent (not even that the stream was empty).
TEST(MembershipServiceSaturationTest, UnsignedStreamsAreRefusedBeforeTheyQueue) {
  absl::Notification started, release;  // outlive the harness, which joins the worker
  MembershipHarness h;
  ASSERT_TRUE(h.Start({.workers = 1, .queue_capacity = 1}).ok());
  ASSERT_TRUE(h.workers()->TrySubmit([&] {
    started.Notify();
    release.WaitForNotification();
  }));
  started.WaitForNotification();
  ASSERT_TRUE(h.workers()->TrySubmit([] {}));  // the one queue slot

  {
    grpc::ClientContext bare;
    v1::ImportReport report;
    auto writer = h.stub()->ImportOrganisations(&bare, &report);
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
  }
  {
    grpc::ClientContext bare;
    v1::ExportMembersRequest req;
    req.set_network_id("0b7c3a52-6f7e-4c1e-9a53-2f4b8d1e9c10");
    auto reader = h.stub()->ExportMembers(&bare, req);
    v1::CsvChunk chunk;
    while (reader->Read(&chunk)) {
    }
    grpc::Status s = reader->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
  }
  EXPECT_EQ(h.workers()->QueueDepth(), 1u);
  release.Notify();
}

}  // namespace
}  // namespace maillage::membership

namespace maillage::membership {
namespace {

// Reads served from the process (near cache) stay true: the writer reads its own write at
// once, and a change committed by another replica reaches this one through its event.
TEST(NearCacheJourneyTest, ChangesReachTheNearCacheOfEveryReplica) {
  MembershipHarness h;
  ASSERT_TRUE(h.Start({.with_cache = true, .with_relay = true, .with_near_cache = true}).ok());
  ASSERT_TRUE(h.follower() != nullptr);
  v1::CreateOrganisationRequest create;
  create.mutable_organisation()->set_legal_name("Atelier Proche");
  create.mutable_organisation()->set_kind(v1::ORGANISATION_KIND_ASSOCIATION);
  v1::Organisation org;
  ASSERT_TRUE(
      h.Call(&v1::MembershipService::Stub::CreateOrganisation, h.Admin(), create, &org).ok());
  // Once the creation's own event has come back through the stream, nothing else is due.
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (h.follower()->entries() < 1 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_GE(h.follower()->entries(), 1);
  v1::GetOrganisationRequest get;
  get.set_organisation_id(org.organisation_id());
  auto name = [&] {
    v1::Organisation read;
    EXPECT_TRUE(h.Call(&v1::MembershipService::Stub::GetOrganisation, h.Admin(), get, &read).ok());
    return read.legal_name();
  };
  EXPECT_EQ(name(), "Atelier Proche");
  EXPECT_EQ(name(), "Atelier Proche");
  EXPECT_GE(h.near_cache()->stats().hits, 1);

  // This replica writes: its next read sees the write, without waiting for anything.
  v1::UpdateOrganisationRequest update;
  *update.mutable_organisation() = org;
  update.mutable_organisation()->set_legal_name("Atelier Tout Proche");
  ASSERT_TRUE(
      h.Call(&v1::MembershipService::Stub::UpdateOrganisation, h.Admin(), update, &org).ok());
  EXPECT_EQ(name(), "Atelier Tout Proche");

  // Another replica writes: it commits (with its event) and invalidates the shared Redis
  // cache, but nothing of this replica's memory. The event, relayed to the stream, drops this
  // replica's copy.
  org.set_legal_name("Atelier Lointain");
  ASSERT_TRUE(h.store()->UpdateOrganisation(org, {.actor = "other-replica"}, false).ok());
  h.cache()->Invalidate("organisation", org.organisation_id());
  h.relay()->Wake();
  deadline = absl::Now() + absl::Seconds(30);
  while (name() != "Atelier Lointain" && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(name(), "Atelier Lointain");
  EXPECT_GE(h.near_cache()->stats().invalidations, 2);
}

}  // namespace
}  // namespace maillage::membership

namespace maillage::membership {
namespace {

// Sign-in through the gateway: an identity is linked once by its verified e-mail, then
// found by itself; the principal holds the acting organisation's roles and nothing else.
TEST_F(MembershipServiceTest, ResolvePrincipalLinksAnIdentityOnceAndGivesTheActingRoles) {
  v1::Organisation atelier = CreateCompany("Atelier Lumière", TestSiren("8", 1));
  v1::Person claire = CreatePerson("claire@atelier-lumiere.fr", atelier.organisation_id());
  v1::Network network = CreateNetwork(atelier.organisation_id(), v1::ADMISSION_POLICY_OPEN, 0);

  auto resolve = [&](const std::string& subject, const std::string& email,
                     const std::string& acting, const auth::Principal& who,
                     v1::ResolvePrincipalResponse* out) {
    v1::ResolvePrincipalRequest req;
    req.set_issuer("https://sso.example.fr/realms/maillage");
    req.set_subject(subject);
    req.set_verified_email(email);
    req.set_link_by_email(!email.empty());
    req.set_acting_organisation_id(acting);
    return h_.Call(&v1::MembershipService::Stub::ResolvePrincipal, who, req, out);
  };
  v1::ResolvePrincipalResponse first;
  // The address in another case is the same person.
  ASSERT_TRUE(resolve("kc-41", "Claire@Atelier-Lumiere.fr", "", h_.Admin(), &first).ok());
  EXPECT_EQ(first.person_id(), claire.person_id());
  EXPECT_EQ(first.organisation_id(), atelier.organisation_id());
  ASSERT_EQ(first.grants_size(), 1);
  EXPECT_EQ(first.grants(0).network_id(), network.network_id());
  EXPECT_EQ(first.grants(0).role(), NETWORK_ROLE_ANIMATOR);
  EXPECT_EQ(h_.Count("SELECT count(*) FROM external_identities"), 1);

  // Later sign-ins find the link without an e-mail; an unknown identity finds nobody.
  v1::ResolvePrincipalResponse again;
  ASSERT_TRUE(resolve("kc-41", "", "", h_.Admin(), &again).ok());
  EXPECT_EQ(again.person_id(), claire.person_id());
  v1::ResolvePrincipalResponse nobody;
  EXPECT_EQ(resolve("kc-99", "", "", h_.Admin(), &nobody).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(resolve("kc-98", "unknown@nowhere.fr", "", h_.Admin(), &nobody).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Representing a second organisation, she must say which one she acts for.
  v1::Organisation forge = CreateCompany("Forge du Port", TestSiren("8", 2));
  v1::AddRepresentationRequest rep;
  rep.set_organisation_id(forge.organisation_id());
  rep.set_person_id(claire.person_id());
  v1::Representation r;
  ASSERT_TRUE(h_.Call(&v1::MembershipService::Stub::AddRepresentation, h_.Admin(), rep, &r).ok());
  EXPECT_EQ(resolve("kc-41", "", "", h_.Admin(), &again).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ResolvePrincipalResponse as_forge;
  ASSERT_TRUE(resolve("kc-41", "", forge.organisation_id(), h_.Admin(), &as_forge).ok());
  EXPECT_EQ(as_forge.organisation_id(), forge.organisation_id());
  EXPECT_EQ(as_forge.grants_size(), 0);  // the forge is in no network
  EXPECT_EQ(as_forge.organisation_ids_size(), 2);
  v1::Organisation other = CreateCompany("Autre", TestSiren("8", 3));
  EXPECT_EQ(resolve("kc-41", "", other.organisation_id(), h_.Admin(), &again).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Only the gateway (a platform admin) may ask.
  EXPECT_EQ(resolve("kc-41", "", "", h_.ActingFor(atelier.organisation_id()), &again).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(MembershipServiceTest, ApiKeysAreShownOnceScopedToTheNetworksAndRevocable) {
  v1::Organisation agency = CreateCompany("Agence Animatrice", "732829320");
  v1::Network net = CreateNetwork(agency.organisation_id(), v1::ADMISSION_POLICY_OPEN, 0);
  v1::Network elsewhere = CreateNetwork(agency.organisation_id(), v1::ADMISSION_POLICY_OPEN, 0);
  v1::Organisation company = CreateCompany("Menuiserie Dupont", "552100554");
  v1::Person rep = CreatePerson("gerante@dupont.fr", company.organisation_id());
  v1::ApplyForMembershipRequest apply;
  apply.set_network_id(net.network_id());
  apply.set_organisation_id(company.organisation_id());
  v1::Membership applied;
  ASSERT_TRUE(h_.stub()
                  ->ApplyForMembership(h_.Context(h_.ActingFor(company.organisation_id())).get(),
                                       apply, &applied)
                  .ok());
  Sign(applied, rep, 1);
  const auth::Principal gerante = h_.ActingFor(company.organisation_id(), {}, rep.person_id());

  v1::CreateApiKeyRequest create;
  create.set_organisation_id(company.organisation_id());
  create.mutable_api_key()->set_name("ERP - synchronisation des adhérents");
  create.mutable_api_key()->add_network_ids(net.network_id());
  create.mutable_api_key()->set_access(v1::API_KEY_ACCESS_READ);
  create.mutable_api_key()->mutable_expire_time()->set_seconds(
      absl::ToUnixSeconds(absl::Now() + absl::Hours(24 * 30)));
  v1::CreatedApiKey created;
  grpc::Status s = h_.Call(&v1::MembershipService::Stub::CreateApiKey, gerante, create, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(auth::LooksLikeApiKey(created.secret()));
  EXPECT_EQ(created.api_key().secret_prefix(), created.secret().substr(0, 12));
  EXPECT_EQ(created.api_key().created_by(), rep.person_id());
  // Only the keyed hash is stored.
  EXPECT_EQ(h_.Count(absl::StrCat("SELECT count(*) FROM api_keys WHERE key_hash = '",
                                  created.secret(), "'")),
            0);

  // Listed without the secret, to the organisation only.
  v1::ListApiKeysRequest list;
  list.set_organisation_id(company.organisation_id());
  v1::ListApiKeysResponse listed;
  ASSERT_TRUE(h_.Call(&v1::MembershipService::Stub::ListApiKeys, gerante, list, &listed).ok());
  ASSERT_EQ(listed.api_keys_size(), 1);
  EXPECT_EQ(listed.api_keys(0).api_key_id(), created.api_key().api_key_id());
  EXPECT_EQ(listed.api_keys(0).DebugString().find(created.secret()), std::string::npos);
  EXPECT_EQ(h_.Call(&v1::MembershipService::Stub::ListApiKeys,
                    h_.ActingFor(agency.organisation_id()), list, &listed)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // The gateway resolves it by its keyed hash: the company's role in the scoped network.
  v1::ResolveApiKeyRequest resolve;
  resolve.set_key_hash(
      auth::ApiKeyHash(auth::ApiKeyHashKey(testing::kTestHmacKey), created.secret()));
  v1::ResolveApiKeyResponse resolved;
  ASSERT_TRUE(
      h_.Call(&v1::MembershipService::Stub::ResolveApiKey, h_.Admin(), resolve, &resolved).ok());
  EXPECT_EQ(resolved.organisation_id(), company.organisation_id());
  EXPECT_EQ(resolved.access(), v1::API_KEY_ACCESS_READ);
  ASSERT_EQ(resolved.grants_size(), 1);
  EXPECT_EQ(resolved.grants(0).network_id(), net.network_id());
  EXPECT_EQ(resolved.grants(0).role(), NETWORK_ROLE_MEMBER);
  EXPECT_EQ(h_.Call(&v1::MembershipService::Stub::ResolveApiKey, gerante, resolve, &resolved)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ResolveApiKeyRequest unknown;
  unknown.set_key_hash(std::string(64, 'a'));
  EXPECT_EQ(h_.Call(&v1::MembershipService::Stub::ResolveApiKey, h_.Admin(), unknown, &resolved)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  unknown.set_key_hash(created.secret());  // not a hash
  EXPECT_EQ(h_.Call(&v1::MembershipService::Stub::ResolveApiKey, h_.Admin(), unknown, &resolved)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // A key cannot mint keys, even for its own organisation.
  auth::Principal partner_system =
      h_.ActingFor(company.organisation_id(), {{net.network_id(), NETWORK_ROLE_MEMBER}},
                   created.api_key().api_key_id());
  partner_system.set_api_key_id(created.api_key().api_key_id());
  EXPECT_EQ(h_.Call(&v1::MembershipService::Stub::CreateApiKey, partner_system, create, &created)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Every bad field at once; a network the company is not in.
  v1::CreateApiKeyRequest bad;
  bad.set_organisation_id(company.organisation_id());
  bad.mutable_api_key()->mutable_expire_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 60);
  v1::CreatedApiKey ignored;
  s = h_.Call(&v1::MembershipService::Stub::CreateApiKey, gerante, bad, &ignored);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<std::string> fields;
  for (const maillage::FieldViolation& v :
       maillage::FieldViolationsOf(maillage::FromGrpcStatus(s))) {
    fields.push_back(v.field);
  }
  EXPECT_THAT(fields, ::testing::ElementsAre("api_key.name", "api_key.network_ids",
                                             "api_key.access", "api_key.expire_time"));
  v1::CreateApiKeyRequest outside = create;
  outside.mutable_api_key()->set_network_ids(0, elsewhere.network_id());
  EXPECT_EQ(
      h_.Call(&v1::MembershipService::Stub::CreateApiKey, gerante, outside, &ignored).error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);

  // Revoked: no longer resolved; revoking again answers the same; another organisation's
  // representative cannot, nor learn the key exists.
  v1::RevokeApiKeyRequest revoke;
  revoke.set_organisation_id(company.organisation_id());
  revoke.set_api_key_id(created.api_key().api_key_id());
  v1::ApiKey revoked;
  EXPECT_EQ(h_.Call(&v1::MembershipService::Stub::RevokeApiKey,
                    h_.ActingFor(agency.organisation_id()), revoke, &revoked)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::RevokeApiKeyRequest foreign = revoke;
  foreign.set_organisation_id(agency.organisation_id());
  EXPECT_EQ(h_.Call(&v1::MembershipService::Stub::RevokeApiKey,
                    h_.ActingFor(agency.organisation_id()), foreign, &revoked)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(h_.Call(&v1::MembershipService::Stub::RevokeApiKey, gerante, revoke, &revoked).ok());
  EXPECT_TRUE(revoked.has_revoke_time());
  v1::ApiKey again;
  ASSERT_TRUE(h_.Call(&v1::MembershipService::Stub::RevokeApiKey, gerante, revoke, &again).ok());
  EXPECT_EQ(again.revoke_time().seconds(), revoked.revoke_time().seconds());
  EXPECT_EQ(h_.Call(&v1::MembershipService::Stub::ResolveApiKey, h_.Admin(), resolve, &resolved)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(h_.Count("SELECT count(*) FROM outbox WHERE event_type = 'membership.api_key_revoked'"),
            1);
}

}  // namespace
}  // namespace maillage::membership
