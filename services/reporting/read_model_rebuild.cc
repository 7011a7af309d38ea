#include "services/reporting/read_model_rebuild.h"

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/status/status.h"
#include "maillage/assessment/v1/assessment.grpc.pb.h"
#include "maillage/matching/v1/matching.grpc.pb.h"
#include "maillage/membership/v1/membership.grpc.pb.h"
#include "services/reporting/network_snapshot.h"
#include "services/reporting/reporting_store.h"

namespace maillage::reporting {
namespace {

namespace mv1 = ::maillage::membership::v1;
namespace xv1 = ::maillage::matching::v1;
namespace av1 = ::maillage::assessment::v1;

constexpr int kPageSize = 500;

auth::Principal Rebuilder() {
  auth::Principal p;
  p.set_subject("reporting-rebuild");
  p.set_platform_admin(true);
  return p;
}

// Every page of a list: `call(request, response)` for each, `take(response)` its items.
template <typename Req, typename Resp>
absl::Status EachPage(Req request, const std::function<absl::Status(const Req&, Resp*)>& call,
                      const std::function<void(Resp&)>& take) {
  request.mutable_page()->set_page_size(kPageSize);
  while (true) {
    Resp response;
    MAILLAGE_RETURN_IF_ERROR(call(request, &response));
    take(response);
    if (response.page().next_page_token().empty()) return absl::OkStatus();
    request.mutable_page()->set_page_token(response.page().next_page_token());
  }
}

}  // namespace

absl::StatusOr<RebuildCounts> ReadModelRebuild::Run(
    const std::function<void(const std::string&)>& progress) {
  const auth::Principal who = Rebuilder();
  auto membership = mv1::MembershipService::NewStub(deps_.membership->channel());
  auto matching = xv1::MatchingService::NewStub(deps_.matching->channel());
  auto assessment = av1::AssessmentService::NewStub(deps_.assessment->channel());

  std::vector<mv1::Network> networks;
  MAILLAGE_RETURN_IF_ERROR((EachPage<mv1::ListNetworksRequest, mv1::ListNetworksResponse>(
      {},
      [&](const mv1::ListNetworksRequest& r, mv1::ListNetworksResponse* out) {
        return deps_.membership->Call(membership.get(), &mv1::MembershipService::Stub::ListNetworks,
                                      who, r, out);
      },
      [&](mv1::ListNetworksResponse& r) {
        for (mv1::Network& n : *r.mutable_networks()) networks.push_back(std::move(n));
      })));

  RebuildCounts counts;
  for (const mv1::Network& network : networks) {
    NetworkSnapshot snapshot{.network_id = network.network_id(), .network = network};
    mv1::ListMembershipsRequest memberships;
    memberships.set_network_id(network.network_id());
    MAILLAGE_RETURN_IF_ERROR((EachPage<mv1::ListMembershipsRequest, mv1::ListMembershipsResponse>(
        memberships,
        [&](const mv1::ListMembershipsRequest& r, mv1::ListMembershipsResponse* out) {
          return deps_.membership->Call(
              membership.get(), &mv1::MembershipService::Stub::ListMemberships, who, r, out);
        },
        [&](mv1::ListMembershipsResponse& r) {
          for (mv1::Membership& m : *r.mutable_memberships()) {
            snapshot.memberships.push_back(std::move(m));
          }
        })));
    mv1::ListOrganisationsRequest organisations;
    organisations.set_network_id(network.network_id());
    MAILLAGE_RETURN_IF_ERROR(
        (EachPage<mv1::ListOrganisationsRequest, mv1::ListOrganisationsResponse>(
            organisations,
            [&](const mv1::ListOrganisationsRequest& r, mv1::ListOrganisationsResponse* out) {
              return deps_.membership->Call(
                  membership.get(), &mv1::MembershipService::Stub::ListOrganisations, who, r, out);
            },
            [&](mv1::ListOrganisationsResponse& r) {
              for (mv1::Organisation& o : *r.mutable_organisations()) {
                snapshot.organisations.push_back(std::move(o));
              }
            })));
    xv1::ListIntroductionsRequest introductions;
    introductions.set_network_id(network.network_id());
    MAILLAGE_RETURN_IF_ERROR(
        (EachPage<xv1::ListIntroductionsRequest, xv1::ListIntroductionsResponse>(
            introductions,
            [&](const xv1::ListIntroductionsRequest& r, xv1::ListIntroductionsResponse* out) {
              return deps_.matching->Call(
                  matching.get(), &xv1::MatchingService::Stub::ListIntroductions, who, r, out);
            },
            [&](xv1::ListIntroductionsResponse& r) {
              for (xv1::Introduction& i : *r.mutable_introductions()) {
                snapshot.introductions.push_back(std::move(i));
              }
            })));
    std::vector<std::string> campaigns;
    av1::ListCampaignsRequest list_campaigns;
    list_campaigns.set_network_id(network.network_id());
    MAILLAGE_RETURN_IF_ERROR((EachPage<av1::ListCampaignsRequest, av1::ListCampaignsResponse>(
        list_campaigns,
        [&](const av1::ListCampaignsRequest& r, av1::ListCampaignsResponse* out) {
          return deps_.assessment->Call(assessment.get(),
                                        &av1::AssessmentService::Stub::ListCampaigns, who, r, out);
        },
        [&](av1::ListCampaignsResponse& r) {
          for (const av1::Campaign& c : r.campaigns()) campaigns.push_back(c.campaign_id());
        })));
    for (const std::string& campaign : campaigns) {
      av1::GetCampaignProgressRequest progress_request;
      progress_request.set_campaign_id(campaign);
      av1::CampaignProgress campaign_progress;
      MAILLAGE_RETURN_IF_ERROR(deps_.assessment->Call(
          assessment.get(), &av1::AssessmentService::Stub::GetCampaignProgress, who,
          progress_request, &campaign_progress));
      for (const av1::ParticipantProgress& p : campaign_progress.members()) {
        if (p.state() != av1::ASSESSMENT_STATE_SUBMITTED) continue;
        // The progress gives the last change (a newer draft, perhaps); the assessment gives
        // when the latest submission was made.
        av1::GetAssessmentRequest get;
        get.set_campaign_id(campaign);
        get.set_organisation_id(p.organisation_id());
        get.set_revision(p.revision());  // the submission itself, not a newer draft
        av1::Assessment a;
        MAILLAGE_RETURN_IF_ERROR(deps_.assessment->Call(
            assessment.get(), &av1::AssessmentService::Stub::GetAssessment, who, get, &a));
        NetworkSnapshot::Submission submission{.campaign_id = campaign,
                                               .organisation_id = p.organisation_id(),
                                               .revision = a.revision(),
                                               .submit_time = a.submit_time()};
        for (const av1::FunctionAnswer& answer : a.answers()) {
          av1::FunctionDisposition* d = submission.dispositions.Add();
          d->set_function_code(answer.function_code());
          d->set_disposition(answer.disposition());
          d->set_willing_to_pool(answer.willing_to_pool());
        }
        snapshot.submissions.push_back(std::move(submission));
      }
      av1::ListDecisionsRequest decisions_request;
      decisions_request.set_campaign_id(campaign);
      av1::ListDecisionsResponse decisions;
      MAILLAGE_RETURN_IF_ERROR(deps_.assessment->Call(assessment.get(),
                                                      &av1::AssessmentService::Stub::ListDecisions,
                                                      who, decisions_request, &decisions));
      for (av1::PoolingDecision& d : *decisions.mutable_decisions()) {
        snapshot.decisions.push_back(std::move(d));
      }
    }
    MAILLAGE_RETURN_IF_ERROR(deps_.store->ApplySnapshot(snapshot));
    ++counts.networks;
    counts.memberships += static_cast<int64_t>(snapshot.memberships.size());
    counts.organisations += static_cast<int64_t>(snapshot.organisations.size());
    counts.introductions += static_cast<int64_t>(snapshot.introductions.size());
    counts.submissions += static_cast<int64_t>(snapshot.submissions.size());
    counts.decisions += static_cast<int64_t>(snapshot.decisions.size());
    progress(absl::StrCat("network ", counts.networks, "/", networks.size(), " (", network.name(),
                          "): ", snapshot.memberships.size(), " memberships, ",
                          snapshot.introductions.size(), " introductions, ", campaigns.size(),
                          " campaigns, ", snapshot.submissions.size(), " submissions"));
  }
  MAILLAGE_RETURN_IF_ERROR(deps_.store->RefreshStatistics());
  return counts;
}

}  // namespace maillage::reporting
