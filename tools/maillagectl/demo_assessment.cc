#include "tools/maillagectl/demo_assessment.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/status/status.h"

namespace maillage::ctl {
namespace {

namespace av1 = ::maillage::assessment::v1;

// How the members of a network answer for one function: 20 slots of (efficiency,
// importance), "L", "M" or "H" each; member i of the network takes slot (7 i + 13 f) mod 20
// for the f-th function, so every profile is spread over any network of 20 or more. Costs and
// staff time are given by the members who would pool the function.
struct Profile {
  const char* code;
  const char* slots;
  int64_t yearly_cost_eur;  // for a member who would pool it, before its own factor
  int staff_days;           // idem
};

constexpr Profile kProfiles[] = {
    // Twelve want to pool, two recruit well and would serve the others: a member serves.
    {"recruitment", "HL HL LL LL LL LL LL LL LL LL LM LM LM LM MH MH MH MH HH HH", 12000, 18},
    // Twelve want to pool, nobody provides, much staff time: a shared resource.
    {"hr_admin", "LL LL LL LL LL LL LL LL LM LM LM LM MM MM MM MM MH MH MH MH", 9000, 30},
    {"training", "MM MM MM MM MH MH MH MH HH HH HH HH LH LH LH LH HM HM MM MM", 4000, 6},
    // Things bought, by many, nobody provides: group purchasing.
    {"purchasing.supplies", "LL LL LL LL LL LL ML ML ML ML MM MM MM MM MH MH MH MH LM LM", 18000,
     4},
    {"insurance", "LL LL LL LL ML ML ML ML ML ML MM MM MM MM MM MH MH MH LM LM", 7500, 2},
    {"energy_environment.energy_supply",
     "LL LL LL LL LL LL LL LL ML ML ML ML LM LM LM LM MM MM MH MH", 22000, 2},
    {"it_infrastructure", "HH HH HH HH HM HM HM MH MH MH MH MM MM MM LM LM LL LL HL HL", 15000, 10},
    {"software", "HH HH HH HH MH MH MH MH MM MM MM MM HM HM HM HH HH MH MH MM", 9000, 3},
    // Strategic and weak for many: exchange of good practice.
    {"cybersecurity", "LH LH LH LH LH LH LH LH MH MH MH MH MH MH HH HH HH HH MM MM", 6000, 4},
    // A service, many would pool, nobody provides: joint outsourcing.
    {"legal", "LL LL LL LL LL LL ML ML ML ML LM LM LM LM MM MM MH MH MH MH", 5000, 3},
    {"accounting", "HH HH HH HH HH HH HH HH HM HM HM HM MH MH MH MH HH HH HH HH", 11000, 20},
    {"marketing", "MM MM MM MM MH MH MH LM LM LM LL LL HM HM HH HH MH MH MM MM", 8000, 12},
    {"quality.certification", "LM LM LM LM LL LL MM MM MM MM MH MH MH HH HH HH HM HM LL LL", 6500,
     8},
};

av1::Level LevelOf(char c) {
  return c == 'L' ? av1::LEVEL_LOW : c == 'M' ? av1::LEVEL_MEDIUM : av1::LEVEL_HIGH;
}

av1::FunctionAnswer AnswerOf(size_t member, size_t f) {
  const Profile& p = kProfiles[f];
  std::vector<std::string> slots = absl::StrSplit(p.slots, ' ');
  const std::string& slot = slots[(7 * member + 13 * f) % slots.size()];
  av1::FunctionAnswer a;
  a.set_function_code(p.code);
  a.set_efficiency(LevelOf(slot[0]));
  a.set_importance(LevelOf(slot[1]));
  const bool pools = slot == "LL" || slot == "LM" || slot == "ML";
  const bool provides = slot == "HL" || slot == "HM";
  if (pools) {
    // Each member's own size: 60 % to 150 % of the profile's figures.
    const int64_t factor = 60 + static_cast<int64_t>((member * 37 + f * 11) % 10) * 10;
    a.set_yearly_cost_eur(p.yearly_cost_eur * factor / 100 / 100 * 100);
    a.set_staff_days_per_year(static_cast<int>(p.staff_days * factor / 100));
    a.set_willing_to_pool(member % 3 != 0);
  }
  // Providers agree to be named; so do half of those who would pool.
  a.set_agrees_to_be_named(provides || (pools && member % 2 == 0));
  if (provides && f == 0) {
    a.set_comment("Nous recrutons régulièrement et pourrions accompagner d'autres membres.");
  }
  return a;
}

enum class Part { kSubmits, kDraft, kNotStarted };

// About nine in ten submit, one in twenty keeps a draft, one in twenty has not started.
Part PartOf(size_t member) {
  if (member % 20 == 9) return Part::kDraft;
  if (member % 20 == 19) return Part::kNotStarted;
  return Part::kSubmits;
}

class CampaignLoader {
 public:
  CampaignLoader(const MembershipClient& client, AssessmentStub* stub, std::ostream& progress)
      : client_(client), stub_(stub), progress_(progress) {}

  absl::StatusOr<DemoCampaign> Load(const DemoNetworkSummary& n);
  // The 360° diagnostic campaign of the network (the artisans'), left open.
  absl::StatusOr<std::string> LoadDiagnostic(const DemoNetworkSummary& n);
  int64_t changes() const { return changes_; }

 private:
  absl::StatusOr<av1::Campaign> FindOrOpen(const DemoNetworkSummary& n,
                                           const auth::Principal& animator);
  absl::Status WaitForMembers(const av1::Campaign& c, const auth::Principal& animator,
                              int expected);
  // Records the planned decisions still missing; `ids` gets every decision of the campaign
  // by function code.
  absl::Status Decide(const av1::Campaign& c, const auth::Principal& animator,
                      const std::vector<std::string>& members,
                      std::map<std::string, std::string>* ids);
  absl::StatusOr<av1::ListDecisionsResponse> Decisions(const av1::Campaign& c,
                                                       const auth::Principal& animator);

  const MembershipClient& client_;
  AssessmentStub* stub_;
  std::ostream& progress_;
  int64_t changes_ = 0;
  const auth::Principal operator_ = PlatformAdmin("maillagectl-demo");
};

absl::StatusOr<av1::Campaign> CampaignLoader::FindOrOpen(const DemoNetworkSummary& n,
                                                         const auth::Principal& animator) {
  av1::ListCampaignsRequest list;
  list.set_network_id(n.network_id);
  list.mutable_page()->set_page_size(500);
  MAILLAGE_ASSIGN_OR_RETURN(
      av1::ListCampaignsResponse found,
      client_.CallOn(stub_, "ListCampaigns", animator, &AssessmentStub::ListCampaigns, list));
  for (const av1::Campaign& c : found.campaigns()) {
    if (c.title() == kDemoCampaignTitle) return c;
  }
  av1::CreateCampaignRequest create;
  create.set_network_id(n.network_id);
  create.set_idempotency_key(absl::StrCat("demo-campaign-", n.network_id));
  create.mutable_campaign()->set_title(kDemoCampaignTitle);
  create.mutable_campaign()->mutable_end_time()->set_seconds(
      absl::ToUnixSeconds(absl::Now() + absl::Hours(24 * 30)));
  for (const std::string& code : DemoFunctions())
    create.mutable_campaign()->add_function_codes(code);
  MAILLAGE_ASSIGN_OR_RETURN(
      av1::Campaign c,
      client_.CallOn(stub_, "CreateCampaign", animator, &AssessmentStub::CreateCampaign, create));
  ++changes_;
  return c;
}

absl::Status CampaignLoader::WaitForMembers(const av1::Campaign& c, const auth::Principal& animator,
                                            int expected) {
  av1::GetCampaignProgressRequest req;
  req.set_campaign_id(c.campaign_id());
  const absl::Time deadline = absl::Now() + kDemoWaitForMembers;
  int seen = 0;
  while (true) {
    MAILLAGE_ASSIGN_OR_RETURN(av1::CampaignProgress p,
                              client_.CallOn(stub_, "GetCampaignProgress", animator,
                                             &AssessmentStub::GetCampaignProgress, req));
    seen = p.participants();
    if (seen == expected) return absl::OkStatus();
    if (absl::Now() > deadline) break;
    absl::SleepFor(absl::Milliseconds(250));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "the assessment service sees ", seen, " of the ", expected, " active members of network ",
      c.network_id(), " after ", absl::FormatDuration(kDemoWaitForMembers),
      ": is it reading membership's events (MAILLAGE_MEMBERSHIP_EVENTS_STREAM, the same Redis)?"));
}

absl::StatusOr<av1::ListDecisionsResponse> CampaignLoader::Decisions(
    const av1::Campaign& c, const auth::Principal& animator) {
  av1::ListDecisionsRequest list;
  list.set_campaign_id(c.campaign_id());
  return client_.CallOn(stub_, "ListDecisions", animator, &AssessmentStub::ListDecisions, list);
}

absl::Status CampaignLoader::Decide(const av1::Campaign& c, const auth::Principal& animator,
                                    const std::vector<std::string>& members,
                                    std::map<std::string, std::string>* ids) {
  MAILLAGE_ASSIGN_OR_RETURN(av1::ListDecisionsResponse existing, Decisions(c, animator));
  for (const av1::PoolingDecision& d : existing.decisions()) {
    ids->emplace(d.function_code(), d.decision_id());
  }
  struct Planned {
    size_t function;  // index in kProfiles
    av1::PoolingModality modality;
    const char* rationale;
  };
  const Planned planned[] = {
      {5, av1::POOLING_MODALITY_GROUP_PURCHASING,
       "Un appel d'offres commun pour la fourniture d'électricité des membres, porté par "
       "l'association, avec un accompagnement du syndicat d'énergie."},
      {1, av1::POOLING_MODALITY_SHARED_RESOURCE,
       "Un poste de gestionnaire RH et paie à temps partagé, employé par un groupement "
       "d'employeurs créé entre les membres volontaires."},
  };
  for (const Planned& p : planned) {
    const std::string code = kProfiles[p.function].code;
    bool done = false;
    for (const av1::PoolingDecision& d : existing.decisions()) done |= d.function_code() == code;
    if (done) continue;
    av1::RecordDecisionRequest req;
    req.set_campaign_id(c.campaign_id());
    av1::PoolingDecision* d = req.mutable_decision();
    d->set_function_code(code);
    d->set_modality(p.modality);
    d->set_rationale(p.rationale);
    d->mutable_start_time()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(24 * 60)));
    for (size_t i = 0; i < members.size(); ++i) {
      const av1::FunctionAnswer a = AnswerOf(i, p.function);
      if (PartOf(i) == Part::kSubmits && a.willing_to_pool()) {
        d->add_participant_organisation_ids(members[i]);
      }
    }
    MAILLAGE_ASSIGN_OR_RETURN(
        av1::PoolingDecision recorded,
        client_.CallOn(stub_, "RecordDecision", animator, &AssessmentStub::RecordDecision, req));
    ids->emplace(recorded.function_code(), recorded.decision_id());
    ++changes_;
  }
  return absl::OkStatus();
}

absl::StatusOr<DemoCampaign> CampaignLoader::Load(const DemoNetworkSummary& n) {
  const auth::Principal animator =
      Representative(n.animating_organisation_id, n.animator_person_id,
                     {Grant(n.network_id, auth::v1::NETWORK_ROLE_ANIMATOR)});
  MAILLAGE_ASSIGN_OR_RETURN(av1::Campaign campaign, FindOrOpen(n, animator));
  DemoCampaign out{.network_id = n.network_id, .campaign_id = campaign.campaign_id()};
  if (campaign.state() == av1::CAMPAIGN_STATE_CLOSED) {
    MAILLAGE_ASSIGN_OR_RETURN(av1::ListDecisionsResponse decided, Decisions(campaign, animator));
    for (const av1::PoolingDecision& d : decided.decisions()) {
      out.decision_ids.emplace(d.function_code(), d.decision_id());
    }
    progress_ << n.name << ": the assessment campaign is complete; left as is\n";
    return out;
  }
  v1::ListMembershipsRequest filter;
  filter.set_network_id(n.network_id);
  filter.set_state(v1::MEMBERSHIP_STATE_ACTIVE);
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::Membership> active,
                            client_.ListAllMemberships(operator_, filter));
  std::vector<std::string> members;
  for (const v1::Membership& m : active) members.push_back(m.organisation_id());
  std::sort(members.begin(), members.end());  // the same order on every run
  MAILLAGE_RETURN_IF_ERROR(WaitForMembers(campaign, animator, static_cast<int>(members.size())));

  for (size_t i = 0; i < members.size(); ++i) {
    const Part part = PartOf(i);
    if (part == Part::kNotStarted) continue;
    av1::GetAssessmentRequest get;
    get.set_campaign_id(campaign.campaign_id());
    get.set_organisation_id(members[i]);
    MAILLAGE_ASSIGN_OR_RETURN(
        av1::Assessment current,
        client_.CallOn(stub_, "GetAssessment", operator_, &AssessmentStub::GetAssessment, get));
    if (current.state() == av1::ASSESSMENT_STATE_SUBMITTED ||
        (part == Part::kDraft && current.state() == av1::ASSESSMENT_STATE_DRAFT)) {
      continue;
    }
    if (part == Part::kDraft) {  // the first few functions, then they stopped
      av1::SaveAssessmentDraftRequest save;
      save.set_campaign_id(campaign.campaign_id());
      save.set_organisation_id(members[i]);
      save.set_expected_version(current.version());
      for (size_t f = 0; f < 4; ++f) *save.add_answers() = AnswerOf(i, f);
      MAILLAGE_RETURN_IF_ERROR(client_
                                   .CallOn(stub_, "SaveAssessmentDraft", operator_,
                                           &AssessmentStub::SaveAssessmentDraft, save)
                                   .status());
    } else {
      av1::SubmitAssessmentRequest submit;
      submit.set_campaign_id(campaign.campaign_id());
      submit.set_organisation_id(members[i]);
      submit.set_expected_version(current.version());
      for (size_t f = 0; f < std::size(kProfiles); ++f) *submit.add_answers() = AnswerOf(i, f);
      MAILLAGE_RETURN_IF_ERROR(client_
                                   .CallOn(stub_, "SubmitAssessment", operator_,
                                           &AssessmentStub::SubmitAssessment, submit)
                                   .status());
      ++out.submitted;
    }
    ++changes_;
  }
  MAILLAGE_RETURN_IF_ERROR(Decide(campaign, animator, members, &out.decision_ids));
  av1::CloseCampaignRequest close;
  close.set_campaign_id(campaign.campaign_id());
  MAILLAGE_RETURN_IF_ERROR(
      client_.CallOn(stub_, "CloseCampaign", animator, &AssessmentStub::CloseCampaign, close)
          .status());
  ++changes_;
  out.participants = static_cast<int>(members.size());
  progress_ << n.name << ": assessment campaign completed (" << out.submitted << " of "
            << members.size() << " submitted now, two decisions, closed)\n";
  return out;
}

absl::StatusOr<std::string> CampaignLoader::LoadDiagnostic(const DemoNetworkSummary& n) {
  const auth::Principal animator =
      Representative(n.animating_organisation_id, n.animator_person_id,
                     {Grant(n.network_id, auth::v1::NETWORK_ROLE_ANIMATOR)});
  av1::ListDiagnosticCampaignsRequest list;
  list.set_network_id(n.network_id);
  list.mutable_page()->set_page_size(500);
  MAILLAGE_ASSIGN_OR_RETURN(av1::ListDiagnosticCampaignsResponse found,
                            client_.CallOn(stub_, "ListDiagnosticCampaigns", animator,
                                           &AssessmentStub::ListDiagnosticCampaigns, list));
  av1::DiagnosticCampaign campaign;
  for (const av1::DiagnosticCampaign& c : found.campaigns()) {
    if (c.title() == kDemoDiagnosticTitle) campaign = c;
  }
  if (campaign.campaign_id().empty()) {
    av1::CreateDiagnosticCampaignRequest create;
    create.set_network_id(n.network_id);
    create.set_idempotency_key(absl::StrCat("demo-diagnostic-", n.network_id));
    create.mutable_campaign()->set_title(kDemoDiagnosticTitle);
    create.mutable_campaign()->mutable_end_time()->set_seconds(
        absl::ToUnixSeconds(absl::Now() + absl::Hours(24 * 90)));
    MAILLAGE_ASSIGN_OR_RETURN(campaign,
                              client_.CallOn(stub_, "CreateDiagnosticCampaign", animator,
                                             &AssessmentStub::CreateDiagnosticCampaign, create));
    ++changes_;
  }
  av1::GetDiagnosticTemplateRequest get_template;
  get_template.set_network_id(n.network_id);
  get_template.set_template_id(campaign.template_id());
  get_template.set_version(campaign.template_version());
  MAILLAGE_ASSIGN_OR_RETURN(av1::DiagnosticTemplate t,
                            client_.CallOn(stub_, "GetDiagnosticTemplate", animator,
                                           &AssessmentStub::GetDiagnosticTemplate, get_template));
  v1::ListMembershipsRequest filter;
  filter.set_network_id(n.network_id);
  filter.set_state(v1::MEMBERSHIP_STATE_ACTIVE);
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::Membership> active,
                            client_.ListAllMemberships(operator_, filter));
  std::vector<std::string> members;
  for (const v1::Membership& m : active) members.push_back(m.organisation_id());
  std::sort(members.begin(), members.end());
  int submitted = 0;
  // Four in five have had their interview; every third of them has an action plan.
  for (size_t i = 0; i < members.size(); ++i) {
    if (i % 5 == 4) continue;
    av1::GetDiagnosticRequest get;
    get.set_campaign_id(campaign.campaign_id());
    get.set_organisation_id(members[i]);
    MAILLAGE_ASSIGN_OR_RETURN(
        av1::CompanyDiagnostic current,
        client_.CallOn(stub_, "GetDiagnostic", animator, &AssessmentStub::GetDiagnostic, get));
    if (current.submitted()) continue;
    av1::SubmitDiagnosticRequest submit;
    submit.set_campaign_id(campaign.campaign_id());
    submit.set_organisation_id(members[i]);
    for (int q = 0; q < t.questions_size(); ++q) {
      const av1::Question& question = t.questions(q);
      av1::QuestionAnswer* a = submit.add_answers();
      a->set_question_code(question.code());
      const size_t pick = (7 * i + 3 * static_cast<size_t>(q)) % 5;
      if (question.kind() == av1::QUESTION_KIND_SCALE) {
        const int lo =
            question.scale_min() == 0 && question.scale_max() == 0 ? 1 : question.scale_min();
        const int hi =
            question.scale_min() == 0 && question.scale_max() == 0 ? 5 : question.scale_max();
        a->set_scale(lo + static_cast<int>(pick) % (hi - lo + 1));
      } else if (question.kind() == av1::QUESTION_KIND_CHOICE) {
        a->set_choice(question.choices(static_cast<int>(pick) % question.choices_size()).code());
      } else {
        a->set_yes(pick >= 2);
      }
    }
    // The artisans' usual obstacles: skills and administrative burden, financing.
    submit.add_obstacles(i % 2 == 0 ? av1::OBSTACLE_SKILLS : av1::OBSTACLE_ADMINISTRATIVE);
    if (i % 3 == 0) submit.add_obstacles(av1::OBSTACLE_FINANCIAL);
    submit.set_expected_version(current.version());
    MAILLAGE_ASSIGN_OR_RETURN(av1::CompanyDiagnostic done,
                              client_.CallOn(stub_, "SubmitDiagnostic", animator,
                                             &AssessmentStub::SubmitDiagnostic, submit));
    ++changes_;
    ++submitted;
    if (i % 3 != 0) continue;
    av1::SaveActionPlanRequest plan;
    plan.set_campaign_id(campaign.campaign_id());
    plan.set_organisation_id(members[i]);
    plan.set_expected_version(done.version());
    av1::PlannedAction* first = plan.add_actions();
    first->set_title("Suivre la formation RGE « rénovation performante » avec la CAPEB");
    first->set_dimension_code("environmental_transition");
    first->set_owner("Le gérant");
    first->mutable_due_time()->set_seconds(
        absl::ToUnixSeconds(absl::Now() + absl::Hours(24 * 120)));
    av1::PlannedAction* second = plan.add_actions();
    second->set_title("Répondre en groupement à un appel d'offres de rénovation globale");
    second->set_dimension_code("market_access");
    second->set_owner("Réseau des artisans");
    second->set_status(av1::ACTION_STATUS_IN_PROGRESS);
    MAILLAGE_RETURN_IF_ERROR(
        client_.CallOn(stub_, "SaveActionPlan", animator, &AssessmentStub::SaveActionPlan, plan)
            .status());
    ++changes_;
  }
  progress_ << n.name << ": 360° diagnostic campaign (" << submitted
            << " interviews recorded now, open)\n";
  return campaign.campaign_id();
}

}  // namespace

const std::vector<std::string>& DemoFunctions() {
  static const auto* codes = [] {
    auto* v = new std::vector<std::string>;
    for (const Profile& p : kProfiles) v->push_back(p.code);
    return v;
  }();
  return *codes;
}

absl::StatusOr<DemoAssessmentResult> LoadDemoAssessments(const MembershipClient& client,
                                                         AssessmentStub* assessment,
                                                         const DemoResult& networks,
                                                         std::ostream& progress) {
  CampaignLoader loader(client, assessment, progress);
  DemoAssessmentResult result;
  for (const DemoNetworkSummary& n : networks.networks) {
    MAILLAGE_ASSIGN_OR_RETURN(DemoCampaign c, loader.Load(n));
    if (n.kind == v1::NETWORK_KIND_ALLIED_NETWORK) {
      MAILLAGE_ASSIGN_OR_RETURN(c.diagnostic_campaign_id, loader.LoadDiagnostic(n));
    }
    result.campaigns.push_back(std::move(c));
  }
  result.changes = loader.changes();
  return result;
}

}  // namespace maillage::ctl
