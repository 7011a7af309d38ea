// The small client bench/run-grpc-bench needs around h2load: it creates the organisation the
// benchmark reads, through the public API, signed as a platform admin, and writes the raw
// gRPC request bodies that h2load sends.
//
//   MAILLAGE_AUTH_HMAC_KEY=... bench_client --target=127.0.0.1:50051 --out-dir=/tmp/b
//
// It creates one organisation (CreateOrganisation), reads it back once (GetOrganisation) to be
// sure the principal is accepted, and writes into --out-dir:
//   get_organisation.body   the length-prefixed GetOrganisationRequest for that organisation
//   echo.body               a length-prefixed EchoRequest of the same size (--echo-message)
// On stdout, for `eval` in a shell:
//   ORGANISATION_ID='<uuid>'
//   PRINCIPAL_BIN='<base64 of the serialised Principal>'   header x-maillage-principal-bin
//   PRINCIPAL_SIG='<hex HMAC-SHA256>'                      header x-maillage-principal-sig
//   PERSON_ID='<uuid>'      the organisation's representative (e-mail claire@bench...)
//   MEMBER_PRINCIPAL_BIN / MEMBER_PRINCIPAL_SIG            her principal, as the gateway signs it
// gRPC carries "-bin" metadata base64-encoded in HTTP/2, which is why PRINCIPAL_BIN is given
// in base64: a raw HTTP/2 client such as h2load sends it as it is. The principal expires in
// ten years, so a long run never sees it expire.
//
// Settings (environment MAILLAGE_<NAME> or flag --<name>): TARGET, AUTH_HMAC_KEY (required),
// OUT_DIR (required), ECHO_MESSAGE.
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/auth.h"
#include "common/config/config.h"
#include "common/status/status.h"
#include "maillage/membership/v1/membership.grpc.pb.h"
#include "maillage/testing/v1/echo.pb.h"

namespace {

namespace mv1 = ::maillage::membership::v1;
using ::maillage::auth::Principal;

constexpr auto kDeadline = std::chrono::seconds(10);

// One gRPC message as it travels in an HTTP/2 DATA frame: a compressed flag (0), the length
// in 4 big-endian bytes, then the serialised message.
std::string Frame(const google::protobuf::MessageLite& message) {
  std::string bytes = message.SerializeAsString();
  const uint32_t n = static_cast<uint32_t>(bytes.size());
  std::string out;
  out.reserve(5 + bytes.size());
  out.push_back('\0');
  out.push_back(static_cast<char>((n >> 24) & 0xff));
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
  out += bytes;
  return out;
}

absl::Status WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

// h2load sends one fixed header for a whole run, so the principal lives as long as the
// bench (PRINCIPAL_MINUTES); run-grpc-bench allows that much on its servers.
Principal BenchAdmin(int minutes) {
  Principal p;
  p.set_subject("bench-admin");
  p.set_platform_admin(true);
  return maillage::auth::Stamp(std::move(p), absl::Now(), absl::Minutes(minutes));
}

// A complete company profile, so that the cached value and the answer have a realistic size.
mv1::Organisation BenchOrganisation() {
  mv1::Organisation o;
  o.set_legal_name("Atelier Numérique de Gascogne");
  o.set_kind(mv1::ORGANISATION_KIND_COMPANY);
  o.set_siren("732829320");
  mv1::Establishment* e = o.add_establishments();
  e->set_siret("73282932000074");
  e->set_head_office(true);
  e->mutable_address()->set_street("12 rue Sainte-Catherine");
  e->mutable_address()->set_postal_code("33000");
  e->mutable_address()->set_city("Bordeaux");
  e->mutable_address()->set_commune_code("33063");
  e->mutable_location()->set_latitude(44.8378);
  e->mutable_location()->set_longitude(-0.5792);
  o.set_naf_code("62.01Z");
  o.set_headcount_band(mv1::HEADCOUNT_BAND_20_49);
  o.set_website("https://atelier-gascogne.example.fr");
  o.set_description(
      "Conception de logiciels sur mesure pour les PME industrielles du Sud-Ouest : "
      "traçabilité, maintenance prédictive et outils de planification.");
  o.add_labels("EPV");
  o.add_labels("Numérique Responsable");
  o.set_visibility(mv1::VISIBILITY_NETWORK);
  o.mutable_territory()->set_region_code("75");
  o.mutable_territory()->add_departement_codes("33");
  o.mutable_territory()->add_commune_codes("33063");
  return o;
}

int Run(int argc, char** argv) {
  maillage::ConfigReader r(argc, argv);
  std::string target = r.String("TARGET", "127.0.0.1:50051");
  std::string key = r.Required("AUTH_HMAC_KEY");
  std::string out_dir = r.Required("OUT_DIR");
  std::string echo_message = r.String("ECHO_MESSAGE", "");
  int principal_minutes = r.Int("PRINCIPAL_MINUTES", 120, 1, 24 * 60);
  if (!key.empty()) {
    if (absl::Status s = maillage::auth::ValidateKey(key); !s.ok())
      r.AddError(std::string(s.message()));
  }
  if (absl::Status s = r.Finish(); !s.ok()) {
    std::cerr << "bench_client: " << s.message() << "\n";
    return 2;
  }

  maillage::auth::PrincipalSigner signer(key);
  const Principal admin = BenchAdmin(principal_minutes);
  auto stub = mv1::MembershipService::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));

  mv1::CreateOrganisationRequest create;
  *create.mutable_organisation() = BenchOrganisation();
  create.set_idempotency_key("bench-organisation-1");
  mv1::Organisation created;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kDeadline);
    signer.Attach(admin, &ctx);
    grpc::Status s = stub->CreateOrganisation(&ctx, create, &created);
    if (!s.ok()) {
      std::cerr << "bench_client: CreateOrganisation: " << maillage::FromGrpcStatus(s) << "\n";
      return 1;
    }
  }

  mv1::GetOrganisationRequest get;
  get.set_organisation_id(created.organisation_id());
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kDeadline);
    signer.Attach(admin, &ctx);
    mv1::Organisation read;
    grpc::Status s = stub->GetOrganisation(&ctx, get, &read);
    if (!s.ok()) {
      std::cerr << "bench_client: GetOrganisation: " << maillage::FromGrpcStatus(s) << "\n";
      return 1;
    }
  }

  // Its representative, who signs in through the gateway (bench/run-gateway-bench), and
  // the principal the gateway would sign for her, for the direct calls to compare with.
  mv1::CreatePersonRequest person;
  person.mutable_person()->set_given_name("Claire");
  person.mutable_person()->set_family_name("Martin");
  person.mutable_person()->set_email("claire@bench.maillage.example");
  person.set_idempotency_key("bench-person-1");
  mv1::Person claire;
  mv1::AddRepresentationRequest represent;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kDeadline);
    signer.Attach(admin, &ctx);
    grpc::Status s = stub->CreatePerson(&ctx, person, &claire);
    if (!s.ok()) {
      std::cerr << "bench_client: CreatePerson: " << maillage::FromGrpcStatus(s) << "\n";
      return 1;
    }
    represent.set_organisation_id(created.organisation_id());
    represent.set_person_id(claire.person_id());
  }
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kDeadline);
    signer.Attach(admin, &ctx);
    mv1::Representation r;
    grpc::Status s = stub->AddRepresentation(&ctx, represent, &r);
    if (!s.ok() && s.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
      std::cerr << "bench_client: AddRepresentation: " << maillage::FromGrpcStatus(s) << "\n";
      return 1;
    }
  }
  Principal member;
  member.set_subject(claire.person_id());
  member.set_organisation_id(created.organisation_id());
  member = maillage::auth::Stamp(std::move(member), absl::Now(), absl::Minutes(principal_minutes));

  // The echo request defaults to the size of the GetOrganisation request, so both scenarios
  // send the same number of bytes and differ only in what the handler does.
  maillage::testing::v1::EchoRequest echo;
  echo.set_message(echo_message.empty() ? std::string(created.organisation_id().size(), 'e')
                                        : echo_message);
  for (const auto& [name, data] :
       {std::pair{"get_organisation.body", Frame(get)}, std::pair{"echo.body", Frame(echo)}}) {
    if (absl::Status s = WriteFile(absl::StrCat(out_dir, "/", name), data); !s.ok()) {
      std::cerr << "bench_client: " << s.message() << "\n";
      return 1;
    }
  }

  auto [principal_bytes, signature] = signer.Encode(admin);
  std::cout << "ORGANISATION_ID='" << created.organisation_id() << "'\n"
            << "PRINCIPAL_BIN='" << absl::Base64Escape(principal_bytes) << "'\n"
            << "PRINCIPAL_SIG='" << signature << "'\n";
  auto [member_bytes, member_signature] = signer.Encode(member);
  std::cout << "PERSON_ID='" << claire.person_id() << "'\n"
            << "MEMBER_PRINCIPAL_BIN='" << absl::Base64Escape(member_bytes) << "'\n"
            << "MEMBER_PRINCIPAL_SIG='" << member_signature << "'\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
