// The client side of bench/run-scale-bench: a network of tens of thousands of members.
//
//   scale_client generate --out-dir=D --organisations=100000 --members=20000
//       writes D/others.csv (organisations in no network) and D/members.csv (the network's
//       members, each with a contact person), valid SIRENs and SIRETs, varied names;
//   scale_client setup --target=HOST:PORT
//       creates the animating organisation and its network (co-optation, one sponsor) and
//       prints NETWORK_ID='...' for `eval`;
//   scale_client walk --target=HOST:PORT --network=ID [--reps=3] [--page-size=100]
//       pages through the network's memberships and organisations from first to last page,
//       --reps times, timing every page, and as many GetNetwork calls (a cached read: the
//       baseline of the same run); prints one line per listing: pages, p50, p99, max in ms,
//       and p99 as a multiple of GetNetwork's.
//
// Settings: AUTH_HMAC_KEY (required for setup and walk), as for bench_client.
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/auth.h"
#include "common/config/config.h"
#include "common/status/status.h"
#include "maillage/membership/v1/membership.grpc.pb.h"

namespace {

namespace mv1 = ::maillage::membership::v1;
using ::maillage::auth::Principal;
using Clock = std::chrono::steady_clock;

// The Luhn check digit that completes `digits`.
char LuhnDigit(const std::string& digits) {
  int sum = 0;
  // Doubling starts from the rightmost digit of the number once the check digit is added.
  for (size_t i = 0; i < digits.size(); ++i) {
    int d = digits[digits.size() - 1 - i] - '0';
    if (i % 2 == 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

std::string Siren(int n) {
  std::string base = absl::StrFormat("8%07d", n);
  return base + LuhnDigit(base);
}

std::string HeadOfficeSiret(const std::string& siren) {
  std::string base = siren + "0001";
  return base + LuhnDigit(base);
}

// Names that spread over the alphabet, as a real network's do.
std::string Name(int n) {
  static const char* const kFirst[] = {"Atelier",     "Bureau",  "Cabinet",     "Domaine",
                                       "Ébénisterie", "Forge",   "Garage",      "Hôtel",
                                       "Imprimerie",  "Jardins", "Laboratoire", "Menuiserie",
                                       "Numérique",   "Optique", "Pâtisserie",  "Quincaillerie",
                                       "Rénovation",  "Studio",  "Transports",  "Vignobles"};
  static const char* const kLast[] = {"Dupont",   "Garnier", "Lemoine", "Martin", "Nguyen",
                                      "Rousseau", "Petit",   "Laurent", "Moreau", "Fournier"};
  uint32_t h = static_cast<uint32_t>(n) * 2654435761u;
  return absl::StrCat(kFirst[h % 20], " ", kLast[(h >> 8) % 10], " ", n);
}

int Generate(maillage::ConfigReader& r) {
  std::string out_dir = r.Required("OUT_DIR");
  int organisations = r.Int("ORGANISATIONS", 100000, 1, 10000000);
  int members = r.Int("MEMBERS", 20000, 1, 10000000);
  if (members > organisations) r.AddError("members: at most the number of organisations");
  if (absl::Status s = r.Finish(); !s.ok()) {
    std::cerr << "scale_client: " << s.message() << "\n";
    return 2;
  }
  const char* header =
      "siren,siret,legal_name,kind,naf_code,city,commune_code,role,contact_first_name,"
      "contact_last_name,contact_email\n";
  std::ofstream others(out_dir + "/others.csv"), network(out_dir + "/members.csv");
  others << header;
  network << header;
  for (int n = 1; n <= organisations; ++n) {
    std::string siren = Siren(n);
    bool member = n <= members;
    std::string line = absl::StrCat(siren, ",", HeadOfficeSiret(siren), ",", Name(n),
                                    ",company,62.01Z,Bordeaux,33063,member,");
    if (member) {
      absl::StrAppend(&line, "Camille,Durand,contact", n, "@scale.example.fr\n");
      network << line;
    } else {
      absl::StrAppend(&line, ",,\n");
      others << line;
    }
  }
  others.close();
  network.close();
  if (!others || !network) {
    std::cerr << "scale_client: cannot write into " << out_dir << "\n";
    return 1;
  }
  return 0;
}

class Client {
 public:
  Client(const std::string& target, const std::string& key)
      : signer_(key),
        stub_(mv1::MembershipService::NewStub(
            grpc::CreateChannel(target, grpc::InsecureChannelCredentials()))) {}

  template <typename Req, typename Resp>
  grpc::Status Call(grpc::Status (mv1::MembershipService::Stub::*method)(grpc::ClientContext*,
                                                                         const Req&, Resp*),
                    const Req& req, Resp* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    Principal admin;
    admin.set_subject("scale-bench");
    admin.set_platform_admin(true);
    signer_.Attach(maillage::auth::Stamp(admin, absl::Now(), absl::Minutes(5)), &ctx);
    return (stub_.get()->*method)(&ctx, req, resp);
  }

 private:
  maillage::auth::PrincipalSigner signer_;
  std::unique_ptr<mv1::MembershipService::Stub> stub_;
};

int Setup(Client& client) {
  mv1::CreateOrganisationRequest org;
  org.mutable_organisation()->set_legal_name("Animation du Réseau à l'Échelle");
  org.mutable_organisation()->set_kind(mv1::ORGANISATION_KIND_ASSOCIATION);
  org.set_idempotency_key("scale-animator");
  mv1::Organisation animator;
  grpc::Status s = client.Call(&mv1::MembershipService::Stub::CreateOrganisation, org, &animator);
  if (!s.ok()) {
    std::cerr << "scale_client: CreateOrganisation: " << maillage::FromGrpcStatus(s) << "\n";
    return 1;
  }
  mv1::CreateNetworkRequest net;
  mv1::Network* n = net.mutable_network();
  n->set_name("Réseau à l'échelle");
  n->set_kind(mv1::NETWORK_KIND_CLUSTER);
  n->set_animating_organisation_id(animator.organisation_id());
  n->set_admission_policy(mv1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  n->mutable_charter()->set_text("Créer le lien, définir des objectifs communs.");
  net.set_idempotency_key("scale-network");
  mv1::Network network;
  s = client.Call(&mv1::MembershipService::Stub::CreateNetwork, net, &network);
  if (!s.ok()) {
    std::cerr << "scale_client: CreateNetwork: " << maillage::FromGrpcStatus(s) << "\n";
    return 1;
  }
  std::cout << "NETWORK_ID='" << network.network_id() << "'\n";
  return 0;
}

struct Timings {
  std::vector<double> ms;
  double Quantile(double q) {
    std::sort(ms.begin(), ms.end());
    if (ms.empty()) return 0;
    size_t i = static_cast<size_t>(q * static_cast<double>(ms.size() - 1) + 0.5);
    return ms[std::min(i, ms.size() - 1)];
  }
};

// Times one call.
absl::Status Timed(Timings& t, const std::function<grpc::Status()>& call) {
  Clock::time_point start = Clock::now();
  grpc::Status s = call();
  t.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  return maillage::FromGrpcStatus(s);
}

int Walk(Client& client, maillage::ConfigReader& r) {
  std::string network_id = r.Required("NETWORK");
  int reps = r.Int("REPS", 3, 1, 100);
  int page_size = r.Int("PAGE_SIZE", 100, 1, 500);
  if (absl::Status s = r.Finish(); !s.ok()) {
    std::cerr << "scale_client: " << s.message() << "\n";
    return 2;
  }
  Timings memberships, organisations, baseline;
  int64_t members_seen = 0;
  for (int rep = 0; rep < reps; ++rep) {
    mv1::ListMembershipsRequest list;
    list.set_network_id(network_id);
    list.mutable_page()->set_page_size(page_size);
    members_seen = 0;
    for (;;) {
      mv1::ListMembershipsResponse page;
      absl::Status s = Timed(memberships, [&] {
        return client.Call(&mv1::MembershipService::Stub::ListMemberships, list, &page);
      });
      if (!s.ok()) {
        std::cerr << "scale_client: ListMemberships: " << s << "\n";
        return 1;
      }
      members_seen += page.memberships_size();
      if (page.page().next_page_token().empty()) break;
      list.mutable_page()->set_page_token(page.page().next_page_token());
    }
    mv1::ListOrganisationsRequest orgs;
    orgs.set_network_id(network_id);
    orgs.mutable_page()->set_page_size(page_size);
    for (;;) {
      mv1::ListOrganisationsResponse page;
      absl::Status s = Timed(organisations, [&] {
        return client.Call(&mv1::MembershipService::Stub::ListOrganisations, orgs, &page);
      });
      if (!s.ok()) {
        std::cerr << "scale_client: ListOrganisations: " << s << "\n";
        return 1;
      }
      if (page.page().next_page_token().empty()) break;
      orgs.mutable_page()->set_page_token(page.page().next_page_token());
    }
  }
  mv1::GetNetworkRequest get;
  get.set_network_id(network_id);
  for (size_t i = 0; i < memberships.ms.size(); ++i) {
    mv1::Network n;
    absl::Status s = Timed(
        baseline, [&] { return client.Call(&mv1::MembershipService::Stub::GetNetwork, get, &n); });
    if (!s.ok()) {
      std::cerr << "scale_client: GetNetwork: " << s << "\n";
      return 1;
    }
  }
  double base_p99 = baseline.Quantile(0.99);
  std::cout << "members " << members_seen << ", page size " << page_size << ", " << reps
            << " walks\n";
  for (auto& [name, t] : {std::pair<const char*, Timings*>{"ListMemberships", &memberships},
                          {"ListOrganisations", &organisations},
                          {"GetNetwork (baseline)", &baseline}}) {
    std::cout << absl::StrFormat(
        "%-22s pages %6d  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  "
        "p99/baseline %5.2f\n",
        name, t->ms.size(), t->Quantile(0.5), t->Quantile(0.99), t->Quantile(1.0),
        t->Quantile(0.99) / base_p99);
  }
  return 0;
}

int Run(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: scale_client generate|setup|walk [--flags]\n";
    return 2;
  }
  std::string command = argv[1];
  maillage::ConfigReader r(argc - 1, argv + 1);
  if (command == "generate") return Generate(r);
  std::string target = r.String("TARGET", "127.0.0.1:50051");
  std::string key = r.Required("AUTH_HMAC_KEY");
  if (command == "setup") {
    if (absl::Status s = r.Finish(); !s.ok()) {
      std::cerr << "scale_client: " << s.message() << "\n";
      return 2;
    }
    Client client(target, key);
    return Setup(client);
  }
  if (command == "walk") {
    Client client(target, key);
    return Walk(client, r);
  }
  std::cerr << "scale_client: unknown command " << command << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
