#include "tools/maillagectl/cli.h"

#include <grpcpp/grpcpp.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/status/status.h"
#include "gateway/auth/jwt.h"
#include "tools/maillagectl/client.h"
#include "tools/maillagectl/demo.h"
#include "tools/maillagectl/demo_assessment.h"
#include "tools/maillagectl/demo_matching.h"
#include "tools/maillagectl/demo_reporting.h"

namespace maillage::ctl {
namespace {

using ::maillage::auth::Principal;

constexpr char kDefaultSubject[] = "maillagectl";
// Services refuse principals valid for longer than MAILLAGE_AUTH_MAX_PRINCIPAL_MINUTES
// (5 by default): a longer --ttl-minutes only works where the deployment allows it.
constexpr int kDefaultTtlMinutes = 5;
constexpr int kMaxTtlMinutes = 60;

// Settings read through common/config: their flags go to the ConfigReader, not the commands.
const std::set<std::string>& SettingFlags() {
  static const auto* flags =
      new std::set<std::string>{"membership-address", "assessment-address", "matching-address",
                                "reporting-address",  "auth-hmac-key",      "rpc-timeout-seconds"};
  return *flags;
}

const std::set<std::string>& IdentityFlags() {
  static const auto* flags = new std::set<std::string>{"org", "subject", "grant", "platform-admin"};
  return *flags;
}

struct CommandSpec {
  // "principal", "import", "export", "demo load".
  std::string name;
  size_t positional;
  std::set<std::string> flags;
  bool takes_identity;
};

const std::vector<CommandSpec>& Commands() {
  static const auto* commands = new std::vector<CommandSpec>{
      {"principal", 0, {"ttl-minutes"}, true},
      {"import", 1, {"network", "dry-run", "batch-size"}, true},
      {"export", 0, {"network", "out", "states"}, true},
      {"demo load", 0, {"data"}, false},
      {"oidc-keys", 0, {"out-dir"}, false},
      {"token", 0, {"person", "minutes", "signing-key-file", "issuer", "token-audience"}, false},
  };
  return *commands;
}

struct Settings {
  std::string address;
  std::string assessment_address;  // optional: the demo's assessment campaigns
  std::string matching_address;    // optional: the demo's offers and needs
  std::string reporting_address;   // optional: the demo's year of events and actions
  std::string hmac_key;
  std::string audience;
  absl::Duration rpc_timeout;
};

// A command line error: say it, point at help, exit 2.
int UsageError(std::ostream& err, absl::string_view message) {
  err << "maillagectl: " << message << "\nRun 'maillagectl help' for usage.\n";
  return kExitUsage;
}

// A failed call or file: say it with a hint for the usual causes, exit 1.
int Failure(std::ostream& err, const absl::Status& status, const Settings& settings) {
  err << "maillagectl: " << absl::StatusCodeToString(status.code()) << ": " << status.message()
      << "\n";
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      err << "  is the membership service listening on " << settings.address
          << "? (MAILLAGE_MEMBERSHIP_ADDRESS, --membership-address)\n";
      break;
    case absl::StatusCode::kUnauthenticated:
      err << "  is MAILLAGE_AUTH_HMAC_KEY the key the service was started with?\n";
      break;
    case absl::StatusCode::kPermissionDenied:
      err << "  the principal may not do this; see the identity flags in 'maillagectl help'\n";
      break;
    default:
      break;
  }
  return kExitFailure;
}

std::optional<std::string> Flag(const CommandLine& cl, const std::string& name) {
  auto it = cl.flags.find(name);
  if (it == cl.flags.end()) return std::nullopt;
  return it->second.back();
}

absl::StatusOr<bool> BoolFlag(const CommandLine& cl, const std::string& name, bool fallback) {
  std::optional<std::string> v = Flag(cl, name);
  if (!v.has_value()) return fallback;
  bool out = false;
  if (!absl::SimpleAtob(*v, &out)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, "=", *v, ": expected true or false"));
  }
  return out;
}

absl::StatusOr<int> IntFlag(const CommandLine& cl, const std::string& name, int fallback, int min,
                            int max) {
  std::optional<std::string> v = Flag(cl, name);
  if (!v.has_value()) return fallback;
  int out = 0;
  if (!absl::SimpleAtoi(*v, &out) || out < min || out > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, "=", *v, ": expected an integer in [", min, ", ", max, "]"));
  }
  return out;
}

// Finds the command and checks its arguments and flags against its spec.
absl::StatusOr<const CommandSpec*> Resolve(const CommandLine& cl, std::vector<std::string>* args) {
  const CommandSpec* spec = nullptr;
  size_t used = 1;
  for (const CommandSpec& c : Commands()) {
    std::vector<std::string> words = absl::StrSplit(c.name, ' ');
    if (cl.words.size() >= words.size() &&
        std::equal(words.begin(), words.end(), cl.words.begin())) {
      spec = &c;
      used = words.size();
      break;
    }
  }
  if (spec == nullptr) {
    if (cl.words[0] == "demo") {
      return absl::InvalidArgumentError("'demo' takes a subcommand: demo load");
    }
    return absl::InvalidArgumentError(absl::StrCat("unknown command '", cl.words[0], "'"));
  }
  args->assign(cl.words.begin() + static_cast<std::ptrdiff_t>(used), cl.words.end());
  if (args->size() != spec->positional) {
    return absl::InvalidArgumentError(
        spec->positional == 0
            ? absl::StrCat("'", spec->name, "' takes no argument, got '", (*args)[0], "'")
            : absl::StrCat("'", spec->name, "' takes ", spec->positional, " argument(s), got ",
                           args->size()));
  }
  for (const auto& [name, values] : cl.flags) {
    bool identity = IdentityFlags().contains(name);
    if (identity && !spec->takes_identity) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, ": '", spec->name,
                       "' chooses its own identities (the platform admin and the organisations' "
                       "representatives)"));
    }
    if (!identity && !SettingFlags().contains(name) && !spec->flags.contains(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", name, " for '", spec->name, "'"));
    }
    if (values.size() > 1 && name != "grant") {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " given more than once"));
    }
  }
  return spec;
}

// The settings, from the environment and the setting flags, through common/config.
absl::StatusOr<Settings> LoadSettings(const CommandLine& cl) {
  std::vector<std::string> flags = {"maillagectl"};
  for (const std::string& name : SettingFlags()) {
    if (std::optional<std::string> v = Flag(cl, name))
      flags.push_back(absl::StrCat("--", name, "=", *v));
  }
  std::vector<const char*> argv;
  for (const std::string& f : flags) argv.push_back(f.c_str());
  ConfigReader reader(static_cast<int>(argv.size()), argv.data());
  Settings s;
  s.address = reader.String("MEMBERSHIP_ADDRESS", "127.0.0.1:50051");
  s.assessment_address = reader.String("ASSESSMENT_ADDRESS", "");
  s.matching_address = reader.String("MATCHING_ADDRESS", "");
  s.reporting_address = reader.String("REPORTING_ADDRESS", "");
  s.hmac_key = reader.Required("AUTH_HMAC_KEY");
  if (!s.hmac_key.empty()) {
    if (absl::Status k = auth::ValidateKey(s.hmac_key); !k.ok()) {
      reader.AddError(absl::StrCat("MAILLAGE_AUTH_HMAC_KEY: ", k.message()));
    }
  }
  s.audience = reader.String("AUTH_AUDIENCE", auth::kDefaultAudience);
  s.rpc_timeout = absl::Seconds(reader.Int("RPC_TIMEOUT_SECONDS", 10, 1, 3600));
  MAILLAGE_RETURN_IF_ERROR(reader.Finish());
  return s;
}

// The principal the identity flags describe, without expiry.
absl::StatusOr<Principal> IdentityFrom(const CommandLine& cl) {
  Principal p;
  p.set_subject(Flag(cl, "subject").value_or(kDefaultSubject));
  if (p.subject().empty()) return absl::InvalidArgumentError("--subject: must not be empty");
  std::optional<std::string> org = Flag(cl, "org");
  if (org.has_value()) {
    if (org->empty()) return absl::InvalidArgumentError("--org: must not be empty");
    p.set_organisation_id(*org);
  }
  if (auto it = cl.flags.find("grant"); it != cl.flags.end()) {
    for (const std::string& g : it->second) {
      MAILLAGE_ASSIGN_OR_RETURN(*p.add_grants(), ParseGrant(g));
    }
  }
  bool acting_as_someone = org.has_value() || p.grants_size() > 0;
  MAILLAGE_ASSIGN_OR_RETURN(bool admin, BoolFlag(cl, "platform-admin", !acting_as_someone));
  p.set_platform_admin(admin);
  return p;
}

std::string Describe(const Principal& p) {
  std::vector<std::string> parts = {absl::StrCat("subject ", p.subject())};
  if (p.platform_admin()) parts.push_back("platform admin");
  if (!p.organisation_id().empty())
    parts.push_back(absl::StrCat("organisation ", p.organisation_id()));
  for (const auth::v1::NetworkGrant& g : p.grants()) {
    parts.push_back(absl::StrCat(
        absl::AsciiStrToLower(auth::v1::NetworkRole_Name(g.role()).substr(strlen("NETWORK_ROLE_"))),
        " of ", g.network_id()));
  }
  return absl::StrJoin(parts, ", ");
}

// ---------------------------------------------------------------------------------------------
// The commands.

int RunPrincipal(const CommandLine& cl, const Settings& settings, Principal who, std::ostream& out,
                 std::ostream& err) {
  absl::StatusOr<int> ttl = IntFlag(cl, "ttl-minutes", kDefaultTtlMinutes, 1, kMaxTtlMinutes);
  if (!ttl.ok()) return UsageError(err, ttl.status().message());
  absl::Time now = absl::Now();
  absl::Time expiry = now + absl::Minutes(*ttl);
  who = auth::Stamp(std::move(who), now, absl::Minutes(*ttl), settings.audience);
  auto [bytes, signature] = auth::PrincipalSigner(settings.hmac_key).Encode(who);
  // gRPC carries "-bin" metadata as base64 on the wire, which is also what buf curl takes.
  out << "-H '" << auth::kPrincipalKey << ": " << absl::Base64Escape(bytes) << "'\n";
  out << "-H '" << auth::kSignatureKey << ": " << signature << "'\n";
  err << "# " << Describe(who) << "; valid until "
      << absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", expiry, absl::UTCTimeZone()) << "\n";
  return kExitOk;
}

int RunImport(const CommandLine& cl, const std::string& path, const Settings& settings,
              const MembershipClient& client, const Principal& who, std::ostream& out,
              std::ostream& err) {
  membership::v1::ImportOrganisationsRequest::Options options;
  std::optional<std::string> network = Flag(cl, "network");
  if (network.has_value() && network->empty()) {
    return UsageError(err, "--network: empty (leave the flag out to import without a network)");
  }
  options.set_network_id(network.value_or(""));
  absl::StatusOr<bool> dry_run = BoolFlag(cl, "dry-run", false);
  if (!dry_run.ok()) return UsageError(err, dry_run.status().message());
  options.set_dry_run(*dry_run);
  // 0 lets the server choose (200 rows per transaction).
  absl::StatusOr<int> batch = IntFlag(cl, "batch-size", 0, 1, 1000);
  if (!batch.ok()) return UsageError(err, batch.status().message());
  options.set_batch_size(*batch);

  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Failure(err, absl::InvalidArgumentError(absl::StrCat(path, " is a folder")), settings);
  }
  uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) {
    return Failure(err, absl::NotFoundError(absl::StrCat("cannot read ", path, ": ", ec.message())),
                   settings);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Failure(err,
                   absl::FailedPreconditionError(
                       absl::StrCat("cannot open ", path, ": ", std::strerror(errno))),
                   settings);
  }
  const int64_t total = static_cast<int64_t>(size);
  int last_tenth = -1;
  // A line per tenth of the file: visible progress without flooding a log.
  auto progress = [&](int64_t sent) {
    int tenth = total == 0 ? 10 : static_cast<int>(sent * 10 / total);
    if (tenth == last_tenth) return;
    last_tenth = tenth;
    err << "import: sent " << sent << " of " << total << " bytes ("
        << (total == 0 ? 100 : sent * 100 / total) << "%)\n";
  };
  absl::StatusOr<membership::v1::ImportReport> report =
      client.Import(who, in, total, options, progress);
  if (!report.ok()) return Failure(err, report.status(), settings);
  out << FormatImportReport(*report);
  return report->errors_size() > 0 ? kExitRejectedRows : kExitOk;
}

absl::StatusOr<std::vector<membership::v1::MembershipState>> ParseStates(absl::string_view list) {
  std::vector<membership::v1::MembershipState> out;
  for (absl::string_view word : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    std::string name =
        absl::StrCat("MEMBERSHIP_STATE_", absl::AsciiStrToUpper(absl::StripAsciiWhitespace(word)));
    membership::v1::MembershipState state;
    if (!membership::v1::MembershipState_Parse(name, &state) ||
        state == membership::v1::MEMBERSHIP_STATE_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat("--states: unknown state '", word,
                       "' (applied, sponsored, active, suspended, left, rejected)"));
    }
    out.push_back(state);
  }
  return out;
}

int RunExport(const CommandLine& cl, const Settings& settings, const MembershipClient& client,
              const Principal& who, std::ostream& out, std::ostream& err) {
  std::optional<std::string> network = Flag(cl, "network");
  if (!network.has_value() || network->empty()) {
    return UsageError(err, "export needs --network=ID");
  }
  membership::v1::ExportMembersRequest request;
  request.set_network_id(*network);
  if (std::optional<std::string> states = Flag(cl, "states")) {
    absl::StatusOr<std::vector<membership::v1::MembershipState>> parsed = ParseStates(*states);
    if (!parsed.ok()) return UsageError(err, parsed.status().message());
    for (membership::v1::MembershipState s : *parsed) request.add_states(s);
  }

  std::optional<std::string> path = Flag(cl, "out");
  // A file is written beside its final name and renamed at the end, so an interrupted export
  // never leaves a truncated CSV where a complete one is expected.
  std::string partial = path.has_value() ? absl::StrCat(*path, ".partial") : "";
  std::ofstream file;
  if (path.has_value()) {
    file.open(partial, std::ios::binary | std::ios::trunc);
    if (!file) {
      return Failure(err,
                     absl::FailedPreconditionError(
                         absl::StrCat("cannot write ", partial, ": ", std::strerror(errno))),
                     settings);
    }
  }
  std::ostream& sink_stream = path.has_value() ? static_cast<std::ostream&>(file) : out;
  int64_t bytes = 0;
  int64_t lines = 0;
  absl::Status s = client.Export(who, request, [&](absl::string_view chunk) -> absl::Status {
    sink_stream.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (!sink_stream) {
      return absl::DataLossError(absl::StrCat("writing the export failed after ", bytes, " bytes"));
    }
    bytes += static_cast<int64_t>(chunk.size());
    lines += std::count(chunk.begin(), chunk.end(), '\n');
    return absl::OkStatus();
  });
  if (path.has_value()) {
    file.close();
    if (s.ok() && !file) s = absl::DataLossError(absl::StrCat("closing ", partial, " failed"));
    if (s.ok() && std::rename(partial.c_str(), path->c_str()) != 0) {
      s = absl::DataLossError(absl::StrCat("cannot rename ", partial, " to ", *path));
    }
    if (!s.ok()) std::remove(partial.c_str());
  } else {
    out.flush();
  }
  if (!s.ok()) return Failure(err, s, settings);
  err << "export: " << std::max<int64_t>(lines - 1, 0) << " members (" << bytes << " bytes) to "
      << path.value_or("stdout") << "\n";
  return kExitOk;
}

int RunDemoLoad(const CommandLine& cl, const Settings& settings, const MembershipClient& client,
                std::ostream& out, std::ostream& err) {
  DemoOptions options;
  options.data_dir = Flag(cl, "data").value_or(options.data_dir);
  absl::StatusOr<DemoResult> result = LoadDemo(client, options, err);
  if (!result.ok()) return Failure(err, result.status(), settings);
  out << FormatDemoSummary(*result);
  std::optional<DemoAssessmentResult> assessed;
  if (!settings.assessment_address.empty()) {
    AssessmentStub assessment(
        grpc::CreateChannel(settings.assessment_address, grpc::InsecureChannelCredentials()));
    absl::StatusOr<DemoAssessmentResult> campaigns =
        LoadDemoAssessments(client, &assessment, *result, err);
    if (!campaigns.ok()) return Failure(err, campaigns.status(), settings);
    out << "\nAssessment campaigns (" << campaigns->changes << " changes):\n";
    for (const DemoCampaign& c : campaigns->campaigns) {
      out << "  network " << c.network_id << "  campaign " << c.campaign_id << "\n"
          << "      analysis: GET /v1/campaigns/" << c.campaign_id << "/analysis\n";
      if (!c.diagnostic_campaign_id.empty()) {
        out << "      360° diagnostic: GET /v1/diagnostic-campaigns/" << c.diagnostic_campaign_id
            << "/benchmark\n";
      }
    }
    assessed = *std::move(campaigns);
  }
  if (settings.matching_address.empty()) {
    err << "demo load: no matching address (MAILLAGE_MATCHING_ADDRESS, --matching-address): "
           "the members' offers and needs are not loaded\n";
  } else {
    MatchingStub matching(
        grpc::CreateChannel(settings.matching_address, grpc::InsecureChannelCredentials()));
    absl::StatusOr<DemoMatchingResult> declared =
        LoadDemoDeclarations(client, &matching, *result, options.data_dir, err);
    if (!declared.ok()) return Failure(err, declared.status(), settings);
    out << "\nOffers and needs (" << declared->changes << " declared now):\n";
    for (const DemoDeclarations& n : declared->networks) {
      out << "  network " << n.network_id << "  " << n.offers << " offers, " << n.needs
          << " needs\n";
      if (!n.example_organisation_id.empty()) {
        out << "      partners suggested to " << n.example_name << ": GET /v1/organisations/"
            << n.example_organisation_id << "/suggestions?networkId=" << n.network_id << "\n";
      }
    }
  }
  if (settings.reporting_address.empty()) {
    err << "demo load: no reporting address (MAILLAGE_REPORTING_ADDRESS, --reporting-address): "
           "the networks' events, collective actions and funders are not loaded\n";
    return kExitOk;
  }
  ReportingStub reporting(
      grpc::CreateChannel(settings.reporting_address, grpc::InsecureChannelCredentials()));
  absl::StatusOr<DemoReportingResult> year = LoadDemoReporting(
      client, &reporting, *result, assessed.has_value() ? &*assessed : nullptr, err);
  if (!year.ok()) return Failure(err, year.status(), settings);
  out << "\nA year of animation, collective actions and funding (" << year->changes
      << " changes):\n";
  for (const DemoReporting& n : year->networks) {
    out << "  network " << n.network_id << "  " << n.events_held << " events held ("
        << n.attendances << " attendances), " << n.events_coming << " to come (" << n.registrations
        << " registrations), " << n.actions << " collective actions\n"
        << "      funding balance: GET /v1/networks/" << n.network_id
        << "/reports/funding-balance\n";
    for (const std::string& w : n.warnings) out << "      warning: " << w << "\n";
    out << "      funder report: GET /v1/networks/" << n.network_id << "/reports/funder as person "
        << n.funder_person_id << " (" << n.funder_name << ", organisation "
        << n.funder_organisation_id << ")\n";
  }
  return kExitOk;
}

}  // namespace

// A development identity provider's key pair: DIR/signing-key.pem (kept when it exists) and
// DIR/jwks.json, the public half the gateway reads (MAILLAGE_OIDC_JWKS_FILE).
int RunOidcKeys(const CommandLine& cl, std::ostream& out, std::ostream& err) {
  std::string dir = Flag(cl, "out-dir").value_or("");
  if (dir.empty()) return UsageError(err, "oidc-keys needs --out-dir=DIR");
  const std::string key_file = absl::StrCat(dir, "/signing-key.pem");
  const std::string jwks_file = absl::StrCat(dir, "/jwks.json");
  absl::StatusOr<gateway::JwtSigner> signer = absl::UnknownError("no key");
  if (std::ifstream existing(key_file); existing) {
    std::stringstream pem;
    pem << existing.rdbuf();
    signer = gateway::JwtSigner::FromPem(pem.str(), "maillage-dev");
  } else {
    signer = gateway::JwtSigner::Generate("maillage-dev");
    if (signer.ok()) {
      // Owner-only: the private key signs anyone's tokens for this deployment.
      std::FILE* f = std::fopen(key_file.c_str(), "w");
      if (f == nullptr) {
        err << "maillagectl: cannot write " << key_file << "\n";
        return kExitFailure;
      }
      ::fchmod(fileno(f), 0600);
      std::string pem = signer->PrivatePem();
      std::fwrite(pem.data(), 1, pem.size(), f);
      std::fclose(f);
    }
  }
  if (!signer.ok()) {
    err << "maillagectl: " << key_file << ": " << signer.status().message() << "\n";
    return kExitFailure;
  }
  std::ofstream(jwks_file) << signer->JwksJson() << "\n";
  out << key_file << "\n" << jwks_file << "\n";
  return kExitOk;
}

// An RS256 token of the development identity provider for a person known to membership: its
// subject is "maillagectl:<person id>" and its verified e-mail the person's, by which the
// gateway links the identity on first use.
int RunToken(const CommandLine& cl, const Settings& settings, MembershipClient& client,
             std::ostream& out, std::ostream& err) {
  std::string person_id = Flag(cl, "person").value_or("");
  if (person_id.empty()) return UsageError(err, "token needs --person=ID");
  absl::StatusOr<int> minutes = IntFlag(cl, "minutes", 60, 1, 24 * 60);
  if (!minutes.ok()) return UsageError(err, minutes.status().message());
  auto setting = [&](const char* flag, const char* env, const char* fallback) {
    if (std::optional<std::string> v = Flag(cl, flag)) return *v;
    const char* e = std::getenv(env);
    return std::string(e != nullptr ? e : fallback);
  };
  const std::string key_file = setting("signing-key-file", "MAILLAGE_OIDC_SIGNING_KEY_FILE", "");
  const std::string issuer = setting("issuer", "MAILLAGE_OIDC_ISSUER", "");
  const std::string audience = setting("token-audience", "MAILLAGE_OIDC_AUDIENCE", "maillage");
  if (key_file.empty() || issuer.empty()) {
    return UsageError(err,
                      "token needs MAILLAGE_OIDC_SIGNING_KEY_FILE and MAILLAGE_OIDC_ISSUER "
                      "(or --signing-key-file, --issuer): run/env has them after scripts/run");
  }
  std::ifstream in(key_file);
  if (!in) {
    err << "maillagectl: cannot read " << key_file << "\n";
    return kExitFailure;
  }
  std::stringstream pem;
  pem << in.rdbuf();
  absl::StatusOr<gateway::JwtSigner> signer =
      gateway::JwtSigner::FromPem(pem.str(), "maillage-dev");
  if (!signer.ok()) {
    err << "maillagectl: " << key_file << ": " << signer.status().message() << "\n";
    return kExitFailure;
  }
  Principal admin;
  admin.set_subject(std::string(kDefaultSubject));
  admin.set_platform_admin(true);
  v1::GetPersonRequest get;
  get.set_person_id(person_id);
  absl::StatusOr<v1::Person> person =
      client.Call("GetPerson", admin, &v1::MembershipService::Stub::GetPerson, get);
  if (!person.ok()) return Failure(err, person.status(), settings);
  gateway::TokenClaims claims;
  claims.issuer = issuer;
  claims.subject = absl::StrCat("maillagectl:", person->person_id());
  claims.audiences = {audience};
  claims.issued_at = absl::Now();
  claims.expires = absl::Now() + absl::Minutes(*minutes);
  claims.email = person->email();
  claims.email_verified = true;
  absl::StatusOr<std::string> token = signer->Sign(claims);
  if (!token.ok()) return Failure(err, token.status(), settings);
  out << *token << "\n";
  return kExitOk;
}

std::string UsageText() {
  return absl::StrCat(R"(maillagectl: the operator's tool for the Maillage membership service.

Usage: maillagectl [flags] COMMAND [ARGUMENTS] [flags]

Commands
  principal [--ttl-minutes=N]
      Prints the two metadata headers that sign a call, one per line, as buf curl takes them:
        -H 'x-maillage-principal-bin: <serialised Principal, base64>'
        -H 'x-maillage-principal-sig: <HMAC-SHA256, hex>'
      valid for N minutes (default )",
                      kDefaultTtlMinutes, ", at most ", kMaxTtlMinutes, R"().
  import FILE.csv [--network=ID] [--dry-run] [--batch-size=N]
      Streams FILE.csv (format: services/membership/csv_import.h) to ImportOrganisations in
      64 KiB chunks; progress (bytes sent) goes to stderr, the report (counts, then each
      rejected row as "line N, field F: reason") to stdout. Without --network organisations,
      their contacts and representations are created or updated (platform admins only); with
      it they are also enrolled in the network with the row's role, admitted and waiting for
      their charter signature (the network's animators). --dry-run checks and writes nothing.
      --batch-size: rows per transaction, 1..1000 (default: the server's, 200).
  export --network=ID [--out=FILE] [--states=LIST]
      The network's members as CSV, to stdout or to FILE (written whole or not at all).
      LIST: comma-separated applied, sponsored, active, suspended, left, rejected
      (default: all but left and rejected). For the network's animators and board.
  demo load [--data=DIR]
      Loads the two demo networks of DIR (default data/demo) through the API: the digital
      cluster of Bordeaux Métropole and the allied network of renovation artisans of
      Ploërmel, with charters, signatures, applications and co-optation. Idempotent: a second
      run changes nothing and says so. Acts as the platform admin and as the organisations'
      own representatives, so it takes no identity flags. With an assessment address, also
      one completed campaign of the support-function mapping per network (answers, two
      decisions, closed). With a matching address, also the members' offers and needs of
      DIR/declarations.csv, each declared by its company's representative. With a reporting
      address, also a year of activity per network: animation events held (attendance and
      outcomes) and to come (registrations), three collective actions with their funding,
      and a public body in the role of funder whose person reads the funder report.
  oidc-keys --out-dir=DIR
      A development identity provider's keys for a local gateway: DIR/signing-key.pem (made
      once, owner-only) and DIR/jwks.json (MAILLAGE_OIDC_JWKS_FILE). Production tokens come
      from the agency's provider (Keycloak, Azure AD...).
  token --person=ID [--minutes=N]
      Prints an RS256 bearer token of that development provider for the person (subject
      "maillagectl:ID", the person's e-mail marked verified), valid N minutes (default 60):
        TOKEN=$(maillagectl token --person=ID); curl -H "Authorization: Bearer $TOKEN" ...
      Reads MAILLAGE_OIDC_SIGNING_KEY_FILE, MAILLAGE_OIDC_ISSUER and MAILLAGE_OIDC_AUDIENCE
      (--signing-key-file, --issuer, --token-audience).
  help
      This text.

Settings: environment variable, overridden by the flag
  MAILLAGE_MEMBERSHIP_ADDRESS   --membership-address=HOST:PORT   default 127.0.0.1:50051
      where the membership service listens (plaintext gRPC).
  MAILLAGE_ASSESSMENT_ADDRESS   --assessment-address=HOST:PORT   default none
      where the assessment service listens, for `demo load` (plaintext gRPC).
  MAILLAGE_MATCHING_ADDRESS     --matching-address=HOST:PORT     default none
      where the matching service listens, for `demo load` (plaintext gRPC).
  MAILLAGE_REPORTING_ADDRESS    --reporting-address=HOST:PORT    default none
      where the reporting service listens, for `demo load` (plaintext gRPC).
  MAILLAGE_AUTH_HMAC_KEY        --auth-hmac-key=KEY              required, >= 32 bytes
      the deployment's key, which signs the principal (the service checks it).
  MAILLAGE_AUTH_AUDIENCE        --auth-audience=NAME             default maillage
      the deployment's audience, written into each principal (the service checks it).
  MAILLAGE_RPC_TIMEOUT_SECONDS  --rpc-timeout-seconds=N          default 10
      deadline of each unary call; an import gets 30 s + 30 s per MiB, an export 5 min.

Identity (default: a platform admin with subject "maillagectl")
  --subject=ID               the calling person's (or API client's) id
  --org=ID                   act for this organisation
  --grant=NETWORK_ID:ROLE    hold ROLE in the network: member, animator, board, partner,
                             observer, funder (repeatable)
  --platform-admin=BOOL      with --org or --grant the caller is not a platform admin
                             unless this says true
  Calls are signed with short-lived principals (the call's deadline plus a minute).

Exit codes
  0  success
  1  a call failed, or a file could not be read or written
  2  bad command line or configuration (nothing was called)
  3  the import finished but rejected rows (the others were applied unless --dry-run)

Examples
  maillagectl demo load --data=data/demo
  maillagectl import members.csv --network=<network id> --dry-run
  maillagectl export --network=<network id> --out=members.csv
  maillagectl principal --org=<organisation id> --subject=<person id> --grant=<network id>:animator
  eval buf curl --protocol grpc --http2-prior-knowledge $(maillagectl principal) \
      http://127.0.0.1:50051/maillage.membership.v1.MembershipService/ListNetworks
)");
}

absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args) {
  CommandLine cl;
  bool flags_ended = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (flags_ended || a == "-" || a.empty() || a[0] != '-') {
      if (!flags_ended && cl.words.empty() && a == "help") cl.help = true;
      cl.words.push_back(a);
      continue;
    }
    if (a == "--") {
      flags_ended = true;
      continue;
    }
    if (a == "-h" || a == "--help") {
      cl.help = true;
      continue;
    }
    if (a.size() < 3 || a[1] != '-') {
      return absl::InvalidArgumentError(
          absl::StrCat("argument '", a, "': flags are written --name=value"));
    }
    size_t eq = a.find('=');
    std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    if (name.empty())
      return absl::InvalidArgumentError(absl::StrCat("argument '", a, "': no flag name"));
    cl.flags[name].push_back(eq == std::string::npos ? "true" : a.substr(eq + 1));
  }
  return cl;
}

absl::StatusOr<auth::v1::NetworkGrant> ParseGrant(absl::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return absl::InvalidArgumentError(absl::StrCat("--grant=", text, ": expected NETWORK_ID:ROLE"));
  }
  std::string role_name = absl::AsciiStrToUpper(text.substr(colon + 1));
  if (!absl::StartsWith(role_name, "NETWORK_ROLE_")) role_name = "NETWORK_ROLE_" + role_name;
  auth::v1::NetworkRole role;
  if (!auth::v1::NetworkRole_Parse(role_name, &role) ||
      role == auth::v1::NETWORK_ROLE_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--grant=", text, ": unknown role (member, animator, board, partner, observer, funder)"));
  }
  auth::v1::NetworkGrant g;
  g.set_network_id(std::string(text.substr(0, colon)));
  g.set_role(role);
  return g;
}

std::string FormatImportReport(const membership::v1::ImportReport& report) {
  std::vector<membership::v1::ImportRowError> errors(report.errors().begin(),
                                                     report.errors().end());
  std::stable_sort(errors.begin(), errors.end(),
                   [](const auto& a, const auto& b) { return a.line() < b.line(); });
  std::set<int64_t> rejected_lines;
  for (const auto& e : errors) rejected_lines.insert(e.line());
  std::string out;
  if (report.dry_run())
    absl::StrAppend(&out, "dry run: every row was checked, nothing was written\n");
  absl::StrAppend(&out, "rows read                ", report.rows_read(), "\n");
  if (!report.dry_run()) {
    absl::StrAppend(&out, "organisations created    ", report.organisations_created(), "\n",
                    "organisations unchanged  ", report.organisations_unchanged(), "\n",
                    "memberships created      ", report.memberships_created(), "\n",
                    "invitations created      ", report.invitations_created(), "\n",
                    "people created           ", report.people_created(), "\n",
                    "contacts not linked      ", report.contacts_not_linked(), "\n");
  }
  // The service lists the first errors and counts them all: the counts say how many there
  // were, the list only what it carries.
  const int64_t rejected =
      std::max<int64_t>(report.rows_with_errors(), static_cast<int64_t>(rejected_lines.size()));
  absl::StrAppend(&out, "rows rejected            ", rejected, "\n");
  for (const auto& e : errors) {
    absl::StrAppend(&out, "line ", e.line(), ", field ", e.field(), ": ", e.reason(), "\n");
  }
  if (report.error_count() > static_cast<int64_t>(errors.size())) {
    absl::StrAppend(&out, report.error_count() - static_cast<int64_t>(errors.size()),
                    " more errors not listed\n");
  }
  return out;
}

int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  absl::StatusOr<CommandLine> cl = ParseCommandLine(args);
  if (!cl.ok()) return UsageError(err, cl.status().message());
  if (cl->help || cl->words.empty()) {
    if (cl->words.empty() && !cl->help) {
      err << UsageText();
      return kExitUsage;
    }
    out << UsageText();
    return kExitOk;
  }
  std::vector<std::string> positional;
  absl::StatusOr<const CommandSpec*> spec = Resolve(*cl, &positional);
  if (!spec.ok()) return UsageError(err, spec.status().message());
  if ((*spec)->name == "oidc-keys") return RunOidcKeys(*cl, out, err);
  absl::StatusOr<Principal> who = IdentityFrom(*cl);
  if (!who.ok()) return UsageError(err, who.status().message());
  absl::StatusOr<Settings> settings = LoadSettings(*cl);
  if (!settings.ok()) {
    err << "maillagectl: " << settings.status().message() << "\n";
    return kExitUsage;
  }

  const std::string& command = (*spec)->name;
  if (command == "principal") return RunPrincipal(*cl, *settings, *who, out, err);

  MembershipClient client(
      grpc::CreateChannel(settings->address, grpc::InsecureChannelCredentials()),
      settings->hmac_key, settings->rpc_timeout, settings->audience);
  if (command == "import") {
    return RunImport(*cl, positional[0], *settings, client, *who, out, err);
  }
  if (command == "export") return RunExport(*cl, *settings, client, *who, out, err);
  if (command == "token") return RunToken(*cl, *settings, client, out, err);
  return RunDemoLoad(*cl, *settings, client, out, err);
}

}  // namespace maillage::ctl
