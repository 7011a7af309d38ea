// maillagectl against the membership service running in-process on real PostgreSQL and Redis
// (services/membership/membership_harness.h): the demo load checked the way an animator would
// look at the result, its idempotency, and the command line's outputs and exit codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gateway/auth/jwt.h"
#include "services/membership/membership_harness.h"
#include "tools/maillagectl/cli.h"
#include "tools/maillagectl/client.h"
#include "tools/maillagectl/csv_records.h"
#include "tools/maillagectl/demo.h"
#include "tools/maillagectl/demo_assessment.h"
#include "tools/maillagectl/demo_matching.h"
#include "tools/maillagectl/demo_reporting.h"

namespace maillage::ctl {
namespace {

using ::maillage::auth::v1::NETWORK_ROLE_ANIMATOR;
using ::maillage::auth::v1::NETWORK_ROLE_BOARD;
using ::maillage::auth::v1::NETWORK_ROLE_MEMBER;
using ::maillage::membership::kTestHmacKey;
using ::maillage::membership::MembershipHarness;
using ::testing::HasSubstr;

constexpr char kDemoDir[] = MAILLAGE_DEMO_DATA_DIR;

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The demo file's rows: SIREN -> (column -> value).
std::map<std::string, std::map<std::string, std::string>> DemoRows(const std::string& file) {
  absl::StatusOr<std::vector<CsvRecord>> records =
      SplitCsv(ReadText(absl::StrCat(kDemoDir, "/", file)));
  EXPECT_TRUE(records.ok()) << records.status();
  std::map<std::string, std::map<std::string, std::string>> out;
  if (!records.ok() || records->empty()) return out;
  const std::vector<std::string>& header = (*records)[0].fields;
  for (size_t r = 1; r < records->size(); ++r) {
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size() && i < (*records)[r].fields.size(); ++i) {
      row[header[i]] = (*records)[r].fields[i];
    }
    out[row["siren"]] = row;
  }
  return out;
}

auth::v1::NetworkRole RoleNamed(const std::string& name) {
  auth::v1::NetworkRole role = auth::v1::NETWORK_ROLE_UNSPECIFIED;
  EXPECT_TRUE(auth::v1::NetworkRole_Parse(
      absl::StrCat("NETWORK_ROLE_", absl::AsciiStrToUpper(name)), &role))
      << name;
  return role;
}

// The offers and needs `demo load` declares with a matching address: each row names a member
// of one of the two demo files, and every member offers something.
TEST(DemoDeclarationsFileTest, EveryRowIsADemoMemberAndEveryMemberOffers) {
  absl::StatusOr<std::vector<CsvRecord>> records =
      SplitCsv(ReadText(absl::StrCat(kDemoDir, "/", kDeclarationsFile)));
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_GT(records->size(), 1u);
  EXPECT_THAT((*records)[0].fields,
              ::testing::ElementsAre("siren", "side", "type", "tags", "title", "description",
                                     "reach_km", "confidential"));
  std::map<std::string, int> offers;
  for (const auto& [siren, row] : DemoRows(kClusterFile)) offers[siren] = 0;
  for (const auto& [siren, row] : DemoRows(kAlliedFile)) offers[siren] = 0;
  for (size_t r = 1; r < records->size(); ++r) {
    const std::vector<std::string>& f = (*records)[r].fields;
    ASSERT_EQ(f.size(), 8u) << "line " << (*records)[r].line;
    ASSERT_TRUE(offers.contains(f[0])) << "line " << (*records)[r].line;
    EXPECT_THAT(f[1], ::testing::AnyOf("offer", "need"));
    if (f[1] == "offer") ++offers[f[0]];
  }
  for (const auto& [siren, count] : offers) EXPECT_GE(count, 1) << siren;
}

// A valid SIREN: nine digits and the Luhn checksum.
bool IsLuhnSiren(const std::string& s) {
  if (s.size() != 9) return false;
  int sum = 0;
  for (int i = 0; i < 9; ++i) {
    if (!absl::ascii_isdigit(s[8 - i])) return false;
    int d = s[8 - i] - '0';
    if (i % 2 == 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 == 0;
}

struct PlannedNetwork {
  v1::NetworkKind kind;
  const char* file;
  // Its active members once loaded (demo.h): the rows but the late signers, the applicants,
  // the co-optations in progress.
  int active;
};
constexpr PlannedNetwork kPlannedNetworks[] = {
    {v1::NETWORK_KIND_CLUSTER, kClusterFile, 128 - kClusterLateSigners - kClusterApplicants},
    {v1::NETWORK_KIND_ALLIED_NETWORK, kAlliedFile, 30 - kAlliedPending},
};

// The year of animation `demo load` gives each network (demo_reporting.h): a dozen events
// held over the last eleven months, one or two a month, of every kind, each where the
// reporting service accepts it (from a year back), hosted by members of the file, with
// attendance that fits the room; a few to come with registrations.
TEST(DemoReportingPlanTest, AYearOfEventsOfEveryKindSpreadOverTheLastElevenMonths) {
  for (const PlannedNetwork& net : kPlannedNetworks) {
    SCOPED_TRACE(net.file);
    const DemoReportingPlan& plan = DemoReportingPlanFor(net.kind);
    auto rows = DemoRows(net.file);
    ASSERT_EQ(static_cast<int>(rows.size()) - (net.kind == v1::NETWORK_KIND_CLUSTER
                                                   ? kClusterLateSigners + kClusterApplicants
                                                   : kAlliedPending),
              net.active);
    std::set<std::string> titles;
    std::set<int> held_kinds;
    std::vector<int> held_days;
    int coming = 0;
    for (const DemoEventPlan& e : plan.events) {
      SCOPED_TRACE(e.title);
      EXPECT_TRUE(titles.insert(e.title).second) << "titles are the key of a second load";
      EXPECT_GT(std::string(e.title).size(), 0u);
      EXPECT_LE(std::string(e.title).size(), 200u);
      EXPECT_NE(e.kind, rv1::ANIMATION_EVENT_KIND_UNSPECIFIED);
      EXPECT_TRUE(*e.place != '\0' || absl::StartsWith(e.link, "https://"));
      EXPECT_GE(e.hours, 1);
      EXPECT_LE(e.start_hour_utc + e.hours, 24) << "over by the end of the day";
      if (e.capacity > 0) {
        EXPECT_LE(e.members, e.capacity);
      }
      EXPECT_GE(e.members, 1);
      EXPECT_LE(e.members, net.active);
      if (*e.host_siren != '\0') {
        ASSERT_TRUE(rows.contains(e.host_siren)) << e.host_siren;
        if (*e.place != '\0') {
          EXPECT_THAT(e.place, HasSubstr(rows[e.host_siren]["legal_name"]));
        }
      }
      if (e.day < 0) {
        held_kinds.insert(e.kind);
        held_days.push_back(e.day);
        EXPECT_FALSE(std::string(e.outcomes).empty()) << "held events have their outcomes";
      } else {
        ++coming;
        EXPECT_GT(e.day, 0);
        EXPECT_LE(e.day, 60);
        EXPECT_TRUE(std::string(e.outcomes).empty());
      }
    }
    EXPECT_EQ(held_days.size(), 12u);
    EXPECT_GE(coming, 2);
    EXPECT_LE(coming, 3);
    EXPECT_EQ(held_kinds.size(), 6u) << "forum, world café, workshop, visit, training, meeting";
    // Oldest first, from eleven months back to the last weeks, never a month without one.
    ASSERT_FALSE(held_days.empty());
    EXPECT_TRUE(std::is_sorted(held_days.begin(), held_days.end()));
    EXPECT_GE(held_days.front(), -335);
    EXPECT_LE(held_days.front(), -300);
    EXPECT_GE(held_days.back(), -31);
    for (size_t i = 1; i < held_days.size(); ++i) {
      EXPECT_LE(held_days[i] - held_days[i - 1], 31);
    }
    // Whatever the day of the load: held events started before it, within the year the
    // service accepts; the others start after it.
    for (absl::Time now :
         {absl::FromCivil(absl::CivilSecond(2026, 1, 1, 0, 0, 1), absl::UTCTimeZone()),
          absl::FromCivil(absl::CivilSecond(2026, 12, 31, 23, 59, 59), absl::UTCTimeZone()),
          absl::Now()}) {
      for (const DemoEventPlan& e : plan.events) {
        const absl::Time start = DemoEventStart(e, now);
        if (e.day < 0) {
          EXPECT_LT(start + absl::Hours(e.hours), now) << e.title;
          EXPECT_GT(start, now - absl::Hours(24 * 366)) << e.title;
        } else {
          EXPECT_GT(start, now) << e.title;
        }
      }
    }
  }
}

// The collective actions: three per network, each budget fully funded by a mix of public
// and private money, one above the default public share ceiling (0.8) so the funding balance
// warns, the others well below; the cluster's carry out the assessment's decisions.
TEST(DemoReportingPlanTest, ThreeActionsWithMixedFundingOneAboveTheCeiling) {
  std::set<rv1::FundingSourceKind> kinds;
  const std::set<std::string> functions(DemoFunctions().begin(), DemoFunctions().end());
  for (const PlannedNetwork& net : kPlannedNetworks) {
    SCOPED_TRACE(net.file);
    const DemoReportingPlan& plan = DemoReportingPlanFor(net.kind);
    ASSERT_EQ(plan.actions.size(), 3u);
    int above = 0, decisions = 0;
    std::set<std::string> titles;
    for (const DemoActionPlan& a : plan.actions) {
      SCOPED_TRACE(a.title);
      EXPECT_TRUE(titles.insert(a.title).second);
      int64_t budget = 0, public_euros = 0, private_euros = 0;
      for (const DemoBudgetLinePlan& l : a.budget) {
        EXPECT_GT(l.euros, 0) << l.label;
        budget += l.euros;
      }
      for (const DemoFundingPlan& f : a.funding) {
        EXPECT_GT(f.euros, 0) << f.funder;
        EXPECT_FALSE(std::string(f.funder).empty());
        kinds.insert(f.kind);
        (f.kind < 100 ? public_euros : private_euros) += f.euros;
      }
      EXPECT_EQ(public_euros + private_euros, budget) << "the budget is fully funded";
      EXPECT_GT(public_euros, 0);
      EXPECT_GT(private_euros, 0) << "members always pay their share";
      const double share = static_cast<double>(public_euros) / static_cast<double>(budget);
      if (share > 0.8) {
        ++above;
      } else {
        EXPECT_LT(share, 0.7) << "clearly below the ceiling";
      }
      EXPECT_TRUE(functions.contains(a.function_code)) << a.function_code;
      if (*a.decision_function_code != '\0') {
        EXPECT_TRUE(functions.contains(a.decision_function_code));
        ++decisions;
      }
      EXPECT_GE(a.participants, 5) << "enough for a funder to see them";
      EXPECT_LE(a.participants, net.active);
      EXPECT_LT(a.day, 0);
      EXPECT_GE(a.day, -335);
      // Accounted in this year or the one before.
      const int this_year =
          static_cast<int>(absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year());
      EXPECT_GE(DemoActionYear(a, absl::Now()), this_year - 1);
      EXPECT_LE(DemoActionYear(a, absl::Now()), this_year);
    }
    EXPECT_EQ(above, 1) << "one action shows the ceiling's warning";
    if (net.kind == v1::NETWORK_KIND_CLUSTER) {
      EXPECT_EQ(decisions, 2);
    }
  }
  for (rv1::FundingSourceKind k :
       {rv1::FUNDING_SOURCE_KIND_REGION, rv1::FUNDING_SOURCE_KIND_INTERCOMMUNALITY,
        rv1::FUNDING_SOURCE_KIND_EU_LEADER, rv1::FUNDING_SOURCE_KIND_CHAMBER,
        rv1::FUNDING_SOURCE_KIND_MEMBER_CONTRIBUTIONS, rv1::FUNDING_SOURCE_KIND_SPONSOR}) {
    EXPECT_TRUE(kinds.contains(k)) << rv1::FundingSourceKind_Name(k);
  }
}

// Each network's funder: a public body of its territory, with a SIREN the import takes and
// that no demo file uses, and a person of its own to sign in with.
TEST(DemoReportingPlanTest, FundersArePublicBodiesOfTheirTerritoryOutsideTheFiles) {
  std::set<std::string> sirens, emails;
  for (const PlannedNetwork& net : kPlannedNetworks) {
    const DemoFunderPlan& f = DemoReportingPlanFor(net.kind).funder;
    SCOPED_TRACE(f.legal_name);
    EXPECT_TRUE(IsLuhnSiren(f.siren)) << f.siren;
    EXPECT_EQ(f.siren[0], '2') << "public bodies' SIRENs start with 2";
    EXPECT_TRUE(absl::StartsWith(f.siret, f.siren));
    EXPECT_EQ(std::string(f.siret).size(), 14u);
    EXPECT_FALSE(DemoRows(kClusterFile).contains(f.siren));
    EXPECT_FALSE(DemoRows(kAlliedFile).contains(f.siren));
    EXPECT_TRUE(sirens.insert(f.siren).second);
    EXPECT_TRUE(emails.insert(f.contact_email).second);
    EXPECT_TRUE(absl::EndsWith(f.contact_email, ".example")) << "a reserved domain";
    EXPECT_EQ(std::string(f.naf_code), "84.11Z");
    // The territory of the network's file.
    auto rows = DemoRows(net.file);
    ASSERT_FALSE(rows.empty());
    EXPECT_EQ(rows.begin()->second["region_code"], f.region_code);
    EXPECT_EQ(rows.begin()->second["departement_code"], f.departement_code);
  }
}

class MaillagectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::Status s = h_.Start();
    ASSERT_TRUE(s.ok()) << s;
    client_ = std::make_unique<MembershipClient>(
        grpc::CreateChannel(h_.address(), grpc::InsecureChannelCredentials()), kTestHmacKey,
        absl::Seconds(10));
  }

  // Runs the tool as its main() would, pointed at the harness.
  int Tool(std::vector<std::string> args, std::string* out = nullptr, std::string* err = nullptr) {
    args.insert(args.begin(), {"maillagectl", "--membership-address=" + h_.address(),
                               std::string("--auth-hmac-key=") + kTestHmacKey});
    std::ostringstream o;
    std::ostringstream e;
    int rc = ctl::Run(args, o, e);
    if (out != nullptr) *out = o.str();
    if (err != nullptr) *err = e.str();
    return rc;
  }

  absl::StatusOr<DemoResult> Load(std::string* log = nullptr) {
    std::ostringstream progress;
    absl::StatusOr<DemoResult> r = LoadDemo(*client_, {.data_dir = kDemoDir}, progress);
    if (log != nullptr) *log = progress.str();
    return r;
  }

  v1::Network OnlyNetworkNamed(const std::string& name) {
    absl::StatusOr<std::vector<v1::Network>> found = client_->FindNetworksByName(admin_, name);
    EXPECT_TRUE(found.ok()) << found.status();
    EXPECT_EQ(found.ok() ? found->size() : 0u, 1u) << name;
    return found.ok() && !found->empty() ? (*found)[0] : v1::Network();
  }

  std::vector<v1::Membership> Memberships(const std::string& network_id) {
    v1::ListMembershipsRequest filter;
    filter.set_network_id(network_id);
    absl::StatusOr<std::vector<v1::Membership>> all = client_->ListAllMemberships(admin_, filter);
    EXPECT_TRUE(all.ok()) << all.status();
    return all.ok() ? *all : std::vector<v1::Membership>();
  }

  // organisation id -> SIREN of the network's members.
  // Every organisation's SIREN, by id (a network's listing would leave out its applicants,
  // which it does not see yet).
  std::map<std::string, std::string> SirenByOrganisation() {
    std::map<std::string, std::string> out;
    v1::ListOrganisationsRequest req;
    req.mutable_page()->set_page_size(500);
    for (;;) {
      absl::StatusOr<v1::ListOrganisationsResponse> page =
          client_->Call("ListOrganisations", admin_, &Stub::ListOrganisations, req);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) return out;
      for (const v1::Organisation& o : page->organisations()) out[o.organisation_id()] = o.siren();
      if (page->page().next_page_token().empty()) return out;
      req.mutable_page()->set_page_token(page->page().next_page_token());
    }
  }

  MembershipHarness h_;
  std::unique_ptr<MembershipClient> client_;
  const auth::Principal admin_ = PlatformAdmin("maillagectl-test");
};

TEST_F(MaillagectlTest, DemoLoadBuildsBothNetworksAsAnAnimatorExpectsThem) {
  std::string log;
  absl::StatusOr<DemoResult> first = Load(&log);
  ASSERT_TRUE(first.ok()) << first.status() << "\n" << log;
  EXPECT_GT(first->changes, 0);
  ASSERT_EQ(first->networks.size(), 2u);

  // The cluster: described as the brief says, animated by the file's animator row.
  v1::Network cluster = OnlyNetworkNamed(kClusterName);
  EXPECT_EQ(cluster.kind(), v1::NETWORK_KIND_CLUSTER);
  EXPECT_EQ(cluster.legal_form(), v1::LEGAL_FORM_ASSOCIATION);
  EXPECT_EQ(cluster.admission_policy(), v1::ADMISSION_POLICY_ANIMATOR_APPROVAL);
  EXPECT_EQ(cluster.theme(), "numérique");
  EXPECT_THAT(cluster.sector_focus(), ::testing::ElementsAre("J", "M"));
  EXPECT_EQ(cluster.territory().region_code(), "75");
  EXPECT_THAT(cluster.territory().departement_codes(), ::testing::ElementsAre("33"));
  EXPECT_EQ(cluster.charter().version(), 1);
  EXPECT_THAT(cluster.charter().text(), HasSubstr("Créer le lien"));
  EXPECT_THAT(cluster.charter().text(), HasSubstr("objectifs communs"));
  EXPECT_THAT(cluster.charter().text(), HasSubstr("transparents sur les règles"));
  EXPECT_THAT(cluster.charter().text(), HasSubstr("confidentialité des diagnostics individuels"));

  // Everyone in the file is a member with the file's role; most signed, a few did not yet,
  // a few applied by themselves and wait for approval.
  auto cluster_rows = DemoRows(kClusterFile);
  std::map<std::string, std::string> cluster_sirens = SirenByOrganisation();
  std::vector<v1::Membership> cluster_members = Memberships(cluster.network_id());
  EXPECT_EQ(cluster_members.size(), cluster_rows.size());
  std::map<v1::MembershipState, int> states;
  std::map<auth::v1::NetworkRole, int> roles;
  for (const v1::Membership& m : cluster_members) {
    ++states[m.state()];
    ++roles[m.role()];
    const std::string& siren = cluster_sirens[m.organisation_id()];
    ASSERT_TRUE(cluster_rows.contains(siren)) << m.organisation_name();
    EXPECT_EQ(m.role(), RoleNamed(cluster_rows[siren]["role"])) << m.organisation_name();
    if (m.role() == NETWORK_ROLE_ANIMATOR) {
      EXPECT_EQ(m.organisation_id(), cluster.animating_organisation_id());
    }
    if (m.role() == NETWORK_ROLE_ANIMATOR || m.role() == NETWORK_ROLE_BOARD) {
      EXPECT_EQ(m.state(), v1::MEMBERSHIP_STATE_ACTIVE) << m.organisation_name();
    }
    if (m.state() == v1::MEMBERSHIP_STATE_ACTIVE) {
      EXPECT_EQ(m.charter_signature().charter_version(), 1) << m.organisation_name();
      EXPECT_FALSE(m.charter_signature().person_id().empty()) << m.organisation_name();
    }
    if (m.state() == v1::MEMBERSHIP_STATE_APPLIED) {
      EXPECT_EQ(m.role(), NETWORK_ROLE_MEMBER);
      EXPECT_FALSE(m.motivation().empty());
    }
    EXPECT_TRUE(m.sponsorships().empty()) << "a cluster admits by approval, not sponsors";
  }
  EXPECT_GE(cluster_members.size(), 115u);
  EXPECT_EQ(roles[NETWORK_ROLE_ANIMATOR], 1);
  EXPECT_EQ(roles[NETWORK_ROLE_BOARD], 5);
  EXPECT_EQ(roles[auth::v1::NETWORK_ROLE_PARTNER], 4);
  EXPECT_EQ(roles[auth::v1::NETWORK_ROLE_OBSERVER], 2);
  EXPECT_EQ(states[v1::MEMBERSHIP_STATE_SPONSORED], kClusterLateSigners);
  EXPECT_EQ(states[v1::MEMBERSHIP_STATE_APPLIED], kClusterApplicants);
  EXPECT_EQ(states[v1::MEMBERSHIP_STATE_ACTIVE],
            static_cast<int>(cluster_rows.size()) - kClusterLateSigners - kClusterApplicants);
  // What the assessment and matching loaders act with: every row, its ids and its state.
  ASSERT_EQ(first->networks[0].members.size(), cluster_rows.size());
  int active_members = 0;
  for (const DemoMember& m : first->networks[0].members) {
    EXPECT_EQ(cluster_sirens[m.organisation_id], m.siren) << m.legal_name;
    EXPECT_FALSE(m.person_id.empty()) << m.legal_name;
    if (m.state == v1::MEMBERSHIP_STATE_ACTIVE) ++active_members;
  }
  EXPECT_EQ(active_members, states[v1::MEMBERSHIP_STATE_ACTIVE]);

  // The allied network: co-optation with two sponsors.
  v1::Network allied = OnlyNetworkNamed(kAlliedName);
  EXPECT_EQ(allied.kind(), v1::NETWORK_KIND_ALLIED_NETWORK);
  EXPECT_EQ(allied.legal_form(), v1::LEGAL_FORM_INFORMAL);
  EXPECT_EQ(allied.admission_policy(), v1::ADMISSION_POLICY_CO_OPTATION);
  EXPECT_EQ(allied.required_sponsors(), 2);
  EXPECT_EQ(allied.theme(), "rénovation énergétique");
  EXPECT_THAT(allied.sector_focus(), ::testing::ElementsAre("F"));
  EXPECT_EQ(allied.territory().region_code(), "53");
  EXPECT_THAT(allied.territory().departement_codes(), ::testing::ElementsAre("56"));

  std::vector<v1::Membership> allied_members = Memberships(allied.network_id());
  EXPECT_EQ(allied_members.size(), DemoRows(kAlliedFile).size());
  std::set<std::string> active;
  for (const v1::Membership& m : allied_members) {
    if (m.state() == v1::MEMBERSHIP_STATE_ACTIVE) active.insert(m.organisation_id());
  }
  std::set<std::string> admitted_without_sponsors;
  int pending = 0;
  for (const v1::Membership& m : allied_members) {
    std::set<std::string> sponsors;
    for (const v1::Sponsorship& s : m.sponsorships()) {
      sponsors.insert(s.sponsor_organisation_id());
      EXPECT_TRUE(active.contains(s.sponsor_organisation_id())) << "sponsors are active members";
      EXPECT_NE(s.sponsor_organisation_id(), m.organisation_id());
    }
    EXPECT_EQ(sponsors.size(), static_cast<size_t>(m.sponsorships_size())) << "distinct sponsors";
    if (m.state() == v1::MEMBERSHIP_STATE_ACTIVE) {
      EXPECT_EQ(m.charter_signature().charter_version(), 1);
      if (sponsors.size() < 2) admitted_without_sponsors.insert(m.organisation_id());
    } else {
      EXPECT_EQ(m.state(), v1::MEMBERSHIP_STATE_APPLIED) << m.organisation_name();
      EXPECT_EQ(sponsors.size(), 1u) << "co-optation in progress: " << m.organisation_name();
      ++pending;
    }
  }
  // Only the animating association and the founders it admitted came in without sponsors.
  EXPECT_EQ(admitted_without_sponsors.size(), 1u + kAlliedFounders);
  EXPECT_TRUE(admitted_without_sponsors.contains(allied.animating_organisation_id()));
  EXPECT_EQ(pending, kAlliedPending);

  // What the summary tells the operator.
  std::string summary = FormatDemoSummary(*first);
  EXPECT_THAT(summary, HasSubstr(cluster.network_id()));
  EXPECT_THAT(summary, HasSubstr(allied.network_id()));
  EXPECT_THAT(summary, HasSubstr("128: 118 active, 6 sponsored, 4 applied"));
  EXPECT_THAT(summary, HasSubstr("30: 27 active, 3 applied"));

  // A second load finds everything in place and touches nothing.
  std::map<std::string, int64_t> versions;
  for (const auto* list : {&cluster_members, &allied_members}) {
    for (const v1::Membership& m : *list) versions[m.membership_id()] = m.version();
  }
  absl::StatusOr<DemoResult> second = Load(&log);
  ASSERT_TRUE(second.ok()) << second.status() << "\n" << log;
  EXPECT_EQ(second->changes, 0) << log;
  EXPECT_THAT(FormatDemoSummary(*second), HasSubstr("Nothing to do"));
  EXPECT_EQ(OnlyNetworkNamed(kClusterName).network_id(), cluster.network_id());
  EXPECT_EQ(OnlyNetworkNamed(kAlliedName).network_id(), allied.network_id());
  std::map<std::string, int64_t> versions_after;
  for (const std::string& id : {cluster.network_id(), allied.network_id()}) {
    for (const v1::Membership& m : Memberships(id)) versions_after[m.membership_id()] = m.version();
  }
  EXPECT_EQ(versions_after, versions);

  // The animator exports the cluster through the command line.
  std::string path = absl::StrCat(::testing::TempDir(), "/cluster_export.csv");
  std::string out;
  std::string err;
  EXPECT_EQ(Tool({"export", "--network=" + cluster.network_id(), "--out=" + path}, &out, &err),
            kExitOk)
      << err;
  std::vector<std::string> lines = absl::StrSplit(ReadText(path), '\n', absl::SkipEmpty());
  ASSERT_FALSE(lines.empty());
  EXPECT_THAT(lines[0], ::testing::StartsWith("membership_id,siren,legal_name"));
  EXPECT_EQ(lines.size(), cluster_rows.size() + 1);
  EXPECT_FALSE(std::filesystem::exists(path + ".partial"));
}

TEST_F(MaillagectlTest, ImportReportsRejectedRowsByLineAndExitsThree) {
  // Three rows of the demo file: one intact, one with a SIREN failing its checksum, one with
  // an unknown kind.
  absl::StatusOr<std::vector<CsvRecord>> records =
      SplitCsv(ReadText(absl::StrCat(kDemoDir, "/", kClusterFile)));
  ASSERT_TRUE(records.ok());
  std::vector<const CsvRecord*> companies;
  for (size_t r = 1; r < records->size() && companies.size() < 3; ++r) {
    if ((*records)[r].fields[3] == "company") companies.push_back(&(*records)[r]);
  }
  ASSERT_EQ(companies.size(), 3u);
  std::string bad_siren = "123456789" + companies[1]->raw.substr(9);
  std::string bad_kind = companies[2]->raw;
  bad_kind.replace(bad_kind.find(",company,"), 9, ",cooperative,");
  std::string path = absl::StrCat(::testing::TempDir(), "/broken.csv");
  std::ofstream(path, std::ios::binary)
      << (*records)[0].raw << companies[0]->raw << bad_siren << bad_kind;

  std::string out;
  std::string err;
  EXPECT_EQ(Tool({"import", path, "--dry-run"}, &out, &err), kExitRejectedRows) << err;
  EXPECT_THAT(out, HasSubstr("dry run"));
  EXPECT_EQ(Tool({"import", path}, &out, &err), kExitRejectedRows) << err;
  EXPECT_THAT(out, HasSubstr("rows read                3"));
  EXPECT_THAT(out, HasSubstr("organisations created    1"));
  EXPECT_THAT(out, HasSubstr("rows rejected            2"));
  EXPECT_THAT(out, HasSubstr("line 3, field siren: "));
  EXPECT_THAT(out, HasSubstr("line 4, field kind: "));
  EXPECT_THAT(err, HasSubstr("import: sent "));

  // SIREN-keyed: the valid row is not created twice.
  EXPECT_EQ(Tool({"import", path}, &out, &err), kExitRejectedRows);
  EXPECT_THAT(out, HasSubstr("organisations created    0"));
  EXPECT_THAT(out, HasSubstr("organisations unchanged  1"));

  // Only platform admins import without a network: a call failure is exit 1.
  EXPECT_EQ(Tool({"import", path, "--org=" + std::string(36, '0')}, &out, &err), kExitFailure);
  EXPECT_THAT(err, HasSubstr("PERMISSION_DENIED"));
  EXPECT_EQ(Tool({"import", path + ".missing"}, &out, &err), kExitFailure);
}

TEST_F(MaillagectlTest, PrincipalPrintsSignedHeadersForBufCurl) {
  std::string out;
  std::string err;
  ASSERT_EQ(Tool({"principal", "--org=org-1", "--subject=person-1", "--grant=net-1:animator",
                  "--grant=net-2:member", "--ttl-minutes=5"},
                 &out, &err),
            kExitOk)
      << err;
  std::vector<std::string> lines = absl::StrSplit(out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << out;
  const std::string bin_prefix = absl::StrCat("-H '", auth::kPrincipalKey, ": ");
  const std::string sig_prefix = absl::StrCat("-H '", auth::kSignatureKey, ": ");
  ASSERT_THAT(lines[0], ::testing::StartsWith(bin_prefix));
  ASSERT_THAT(lines[1], ::testing::StartsWith(sig_prefix));
  std::string encoded = lines[0].substr(bin_prefix.size(), lines[0].size() - bin_prefix.size() - 1);
  std::string signature =
      lines[1].substr(sig_prefix.size(), lines[1].size() - sig_prefix.size() - 1);
  std::string bytes;
  ASSERT_TRUE(absl::Base64Unescape(encoded, &bytes));

  absl::StatusOr<auth::Principal> who =
      auth::PrincipalVerifier(kTestHmacKey).VerifyEncoded(bytes, signature, absl::Now());
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->subject(), "person-1");
  EXPECT_EQ(who->organisation_id(), "org-1");
  EXPECT_FALSE(who->platform_admin());
  ASSERT_EQ(who->grants_size(), 2);
  EXPECT_EQ(who->grants(0).role(), NETWORK_ROLE_ANIMATOR);
  EXPECT_EQ(who->grants(1).network_id(), "net-2");
  EXPECT_LE(absl::FromUnixSeconds(who->expires_at().seconds()), absl::Now() + absl::Minutes(5));
  EXPECT_FALSE(auth::PrincipalVerifier(kTestHmacKey)
                   .VerifyEncoded(bytes, signature, absl::Now() + absl::Minutes(6))
                   .ok());

  // By default: a platform admin called maillagectl.
  ASSERT_EQ(Tool({"principal"}, &out, &err), kExitOk);
  lines = absl::StrSplit(out, '\n', absl::SkipEmpty());
  ASSERT_TRUE(absl::Base64Unescape(
      lines[0].substr(bin_prefix.size(), lines[0].size() - bin_prefix.size() - 1), &bytes));
  auth::Principal admin;
  ASSERT_TRUE(admin.ParseFromString(bytes));
  EXPECT_TRUE(admin.platform_admin());
  EXPECT_EQ(admin.subject(), "maillagectl");
  // Minutes-long and for the deployment's audience: the services' default verifier takes it.
  EXPECT_EQ(admin.audience(), auth::kDefaultAudience);
  EXPECT_LE(absl::FromUnixSeconds(admin.expires_at().seconds()) -
                absl::FromUnixSeconds(admin.issued_at().seconds()),
            absl::Minutes(5));
  signature = lines[1].substr(sig_prefix.size(), lines[1].size() - sig_prefix.size() - 1);
  EXPECT_TRUE(
      auth::PrincipalVerifier(kTestHmacKey).VerifyEncoded(bytes, signature, absl::Now()).ok());
}

// The development identity provider: keys made once, then a token for a person that the
// gateway's verifier accepts, carrying the person's e-mail as verified.
TEST_F(MaillagectlTest, OidcKeysThenATokenForAPersonTheGatewayAccepts) {
  const std::string dir = absl::StrCat(::testing::TempDir(), "/oidc-", getpid());
  std::filesystem::create_directories(dir);
  std::string out, err;
  ASSERT_EQ(Tool({"oidc-keys", "--out-dir=" + dir}, &out, &err), kExitOk) << err;
  std::ifstream jwks_in(dir + "/jwks.json");
  std::stringstream jwks;
  jwks << jwks_in.rdbuf();
  // A second run keeps the key: the JWKS does not change.
  ASSERT_EQ(Tool({"oidc-keys", "--out-dir=" + dir}), kExitOk);
  std::ifstream again_in(dir + "/jwks.json");
  std::stringstream again;
  again << again_in.rdbuf();
  EXPECT_EQ(jwks.str(), again.str());
  EXPECT_EQ(std::filesystem::status(dir + "/signing-key.pem").permissions() &
                std::filesystem::perms::others_read,
            std::filesystem::perms::none);

  v1::CreatePersonRequest create;
  create.mutable_person()->set_given_name("Claire");
  create.mutable_person()->set_family_name("Martin");
  create.mutable_person()->set_email("claire@atelier-proche.fr");
  absl::StatusOr<v1::Person> person =
      client_->Call("CreatePerson", admin_, &v1::MembershipService::Stub::CreatePerson, create);
  ASSERT_TRUE(person.ok()) << person.status();
  ASSERT_EQ(Tool({"token", "--person=" + person->person_id(),
                  "--signing-key-file=" + dir + "/signing-key.pem",
                  "--issuer=http://127.0.0.1/maillage-dev", "--minutes=5"},
                 &out, &err),
            kExitOk)
      << err;
  absl::StatusOr<gateway::JwkSet> keys = gateway::JwkSet::Parse(jwks.str());
  ASSERT_TRUE(keys.ok()) << keys.status();
  gateway::JwtVerifier verifier(
      std::make_shared<gateway::JwkSet>(*std::move(keys)),
      {.issuer = "http://127.0.0.1/maillage-dev", .audience = "maillage"});
  absl::StatusOr<gateway::TokenClaims> claims =
      verifier.Verify(absl::StripAsciiWhitespace(out), absl::Now());
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->subject, "maillagectl:" + person->person_id());
  EXPECT_EQ(claims->email, "claire@atelier-proche.fr");
  EXPECT_TRUE(claims->email_verified);
  // An unknown person gets no token.
  EXPECT_EQ(Tool({"token", "--person=6d1f6a8e-3f0b-4c8e-9a4e-2b7c1d0e5f01",
                  "--signing-key-file=" + dir + "/signing-key.pem",
                  "--issuer=http://127.0.0.1/maillage-dev"}),
            kExitFailure);
  std::filesystem::remove_all(dir);
}

TEST_F(MaillagectlTest, UsageAndConfigurationErrorsExitTwo) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(ctl::Run({"maillagectl", "help"}, out, err), kExitOk);
  EXPECT_THAT(out.str(), HasSubstr("Exit codes"));
  EXPECT_EQ(ctl::Run({"maillagectl"}, out, err), kExitUsage);
  EXPECT_EQ(ctl::Run({"maillagectl", "frobnicate"}, out, err), kExitUsage);
  EXPECT_EQ(ctl::Run({"maillagectl", "import"}, out, err), kExitUsage);
  EXPECT_EQ(ctl::Run({"maillagectl", "export", "--netwrok=x"}, out, err), kExitUsage);
  EXPECT_EQ(ctl::Run({"maillagectl", "demo", "load", "--org=x"}, out, err), kExitUsage);
  EXPECT_EQ(ctl::Run({"maillagectl", "principal", "--grant=net-1:king"}, out, err), kExitUsage);
  EXPECT_EQ(ctl::Run({"maillagectl", "principal", "--auth-hmac-key=short"}, out, err), kExitUsage);
  EXPECT_EQ(Tool({"principal", "--ttl-minutes=0"}), kExitUsage);
  EXPECT_EQ(Tool({"export"}), kExitUsage);
  EXPECT_EQ(Tool({"import", "x.csv", "--batch-size=5000"}), kExitUsage);
}

}  // namespace
}  // namespace maillage::ctl

namespace maillage::ctl {
namespace {

// Past the errors the service lists, the report still says how many rows and errors there were.
TEST(FormatImportReportTest, CountsWhatTheListLeavesOut) {
  membership::v1::ImportReport report;
  report.set_rows_read(10);
  for (int line : {3, 2}) {
    membership::v1::ImportRowError* e = report.add_errors();
    e->set_line(line);
    e->set_field("siren");
    e->set_reason("must be 9 digits");
  }
  report.set_error_count(5);
  report.set_rows_with_errors(4);
  std::string out = FormatImportReport(report);
  EXPECT_THAT(out, HasSubstr("rows rejected            4\n"));
  EXPECT_THAT(out, HasSubstr("line 2, field siren: must be 9 digits\nline 3,"));
  EXPECT_THAT(out, HasSubstr("3 more errors not listed\n"));
}

}  // namespace
}  // namespace maillage::ctl
