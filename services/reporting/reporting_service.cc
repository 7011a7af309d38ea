#include "services/reporting/reporting_service.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/csv/csv.h"
#include "common/server/request_parsing.h"
#include "common/status/status.h"
#include "common/validation/timestamps.h"
#include "common/validation/validation.h"
#include "services/reporting/domain/network_graph.h"
#include "services/reporting/domain/sign_in_sheet.h"
#include "services/reporting/handler_support.h"
#include "services/reporting/reporting_store.h"

namespace maillage::reporting {
namespace {

using auth::Principal;
using auth::v1::NETWORK_ROLE_ANIMATOR;

}  // namespace

absl::StatusOr<TimeRange> RangeOf(bool has_period, const v1::Period& p, TimeRange fallback) {
  if (!has_period || (!p.has_start_time() && !p.has_end_time())) return fallback;
  std::vector<FieldViolation> problems;
  TimeRange range;
  if (p.has_start_time()) {
    if (IsValidTimestamp(p.start_time())) {
      range.start = TimeOf(p.start_time());
    } else {
      problems.push_back({"period.start_time", "not a valid time"});
    }
  }
  if (p.has_end_time()) {
    if (IsValidTimestamp(p.end_time())) {
      range.end = TimeOf(p.end_time());
    } else {
      problems.push_back({"period.end_time", "not a valid time"});
    }
  }
  if (problems.empty() && range.end <= range.start) {
    problems.push_back({"period.end_time", "after the start"});
  }
  MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
  return range;
}

authz::Table ReportingAuthzTable(NetworkOfId network_of_event, NetworkOfId network_of_action,
                                 NetworkOfId network_of_group) {
  const std::vector<authz::Grant> animators = {authz::RoleIn({NETWORK_ROLE_ANIMATOR})};
  const std::vector<authz::Grant> governance = {
      authz::RoleIn({NETWORK_ROLE_ANIMATOR, auth::v1::NETWORK_ROLE_BOARD})};
  const std::vector<authz::Grant> report_readers = {authz::RoleIn(
      {NETWORK_ROLE_ANIMATOR, auth::v1::NETWORK_ROLE_BOARD, auth::v1::NETWORK_ROLE_FUNDER})};
  // Group-keyed calls act on the group's network (and the organisation, when named).
  auto group_of = [network_of_group]<typename Req>() {
    return authz::Resolve<Req>(
        [network_of_group](const Req& r, const Principal&) -> absl::StatusOr<authz::Resource> {
          MAILLAGE_RETURN_IF_ERROR(ValidateId(r.group_id(), "group_id"));
          authz::Resource resource;
          if constexpr (requires { r.organisation_id(); }) {
            MAILLAGE_RETURN_IF_ERROR(ValidateId(r.organisation_id(), "organisation_id"));
            resource.organisation_id = r.organisation_id();
          }
          MAILLAGE_ASSIGN_OR_RETURN(resource.network_id, network_of_group(r.group_id()));
          return resource;
        });
  };
  const std::vector<authz::Grant> company_or_animators = {authz::Representative(),
                                                          authz::RoleIn({NETWORK_ROLE_ANIMATOR})};
  // Action-keyed calls act on the action's network.
  auto action_of = [network_of_action]<typename Req>(auto id_of) {
    return authz::Resolve<Req>(
        [network_of_action, id_of](const Req& r,
                                   const Principal&) -> absl::StatusOr<authz::Resource> {
          const std::string& id = id_of(r);
          MAILLAGE_RETURN_IF_ERROR(ValidateId(id, "action_id"));
          authz::Resource resource;
          MAILLAGE_ASSIGN_OR_RETURN(resource.network_id, network_of_action(id));
          return resource;
        });
  };
  const std::vector<authz::Grant> members = {authz::AnyRoleIn()};
  const std::vector<authz::Grant> company = {authz::Representative()};
  // Event-keyed calls act on the event's network (and the organisation, when named).
  auto event_of = [network_of_event]<typename Req>(bool with_organisation) {
    return authz::Resolve<Req>(
        [network_of_event, with_organisation](const Req& r,
                                              const Principal&) -> absl::StatusOr<authz::Resource> {
          MAILLAGE_RETURN_IF_ERROR(ValidateId(r.event_id(), "event_id"));
          authz::Resource resource;
          if constexpr (requires { r.organisation_id(); }) {
            if (with_organisation) {
              MAILLAGE_RETURN_IF_ERROR(ValidateId(r.organisation_id(), "organisation_id"));
              resource.organisation_id = r.organisation_id();
            }
          }
          MAILLAGE_ASSIGN_OR_RETURN(resource.network_id, network_of_event(r.event_id()));
          return resource;
        });
  };
  constexpr char kReports[] = "only the network's animators read its reports";
  return authz::Table(
      std::string(v1::ReportingService::service_full_name()),
      {
          {.rpc = "GetIntroductionFunnel",
           .grants = animators,
           .resource = authz::NetworkIdOf<v1::GetIntroductionFunnelRequest>(),
           .denial = kReports},
          {.rpc = "GetNetworkGraph",
           .grants = animators,
           .resource = authz::NetworkIdOf<v1::GetNetworkGraphRequest>(),
           .denial = kReports},
          {.rpc = "GetEngagement",
           .grants = animators,
           .resource = authz::NetworkIdOf<v1::GetEngagementRequest>(),
           .denial = kReports},
          {.rpc = "GetPoolingHeatmap",
           .grants = animators,
           .resource = authz::NetworkIdOf<v1::GetPoolingHeatmapRequest>(),
           .denial = kReports},
          {.rpc = "CreateAnimationEvent",
           .grants = animators,
           .resource = authz::NetworkIdOf<v1::CreateAnimationEventRequest>(),
           .denial = "only the network's animators announce its events"},
          {.rpc = "ListAnimationEvents",
           .grants = members,
           .resource = authz::NetworkIdOf<v1::ListAnimationEventsRequest>(),
           .denial = "only members of the network see its events"},
          {.rpc = "RegisterForEvent",
           .grants = company,
           .resource = event_of.operator()<v1::RegisterForEventRequest>(true),
           .denial = "event not found",
           .hide = true},
          {.rpc = "CancelRegistration",
           .grants = company,
           .resource = event_of.operator()<v1::CancelRegistrationRequest>(true),
           .denial = "event not found",
           .hide = true},
          {.rpc = "RecordAttendance",
           .grants = animators,
           .resource = event_of.operator()<v1::RecordAttendanceRequest>(false),
           .denial = "event not found",
           .hide = true},
          {.rpc = "GetPrintableFunderReport",
           .grants = report_readers,
           .resource = authz::NetworkIdOf<v1::GetPrintableFunderReportRequest>(),
           .denial = "only the network's animators, board and funders read its funder report"},
          {.rpc = "GetPrintableNetworkReport",
           .grants = animators,
           .resource = authz::NetworkIdOf<v1::GetPrintableNetworkReportRequest>(),
           .denial = kReports},
          {.rpc = "ImportAttendanceSheet",
           .grants = animators,
           .resource = event_of.operator()<v1::ImportAttendanceSheetRequest>(false),
           .denial = "event not found",
           .hide = true},
          {.rpc = "CreateWorkingGroup",
           .grants = animators,
           .resource = authz::NetworkIdOf<v1::CreateWorkingGroupRequest>(),
           .denial = "only the network's animators open its working groups"},
          {.rpc = "ListWorkingGroups",
           .grants = members,
           .resource = authz::NetworkIdOf<v1::ListWorkingGroupsRequest>(),
           .denial = "only members of the network see its working groups"},
          {.rpc = "GetWorkingGroup",
           .grants = members,
           .resource = group_of.operator()<v1::GetWorkingGroupRequest>(),
           .denial = "working group not found",
           .hide = true},
          {.rpc = "JoinWorkingGroup",
           .grants = company_or_animators,
           .resource = group_of.operator()<v1::JoinWorkingGroupRequest>(),
           .denial = "working group not found",
           .hide = true},
          {.rpc = "LeaveWorkingGroup",
           .grants = company_or_animators,
           .resource = group_of.operator()<v1::LeaveWorkingGroupRequest>(),
           .denial = "working group not found",
           .hide = true},
          {.rpc = "CreateCollectiveAction",
           .grants = animators,
           .resource = authz::NetworkIdOf<v1::CreateCollectiveActionRequest>(),
           .denial = "only the network's animators record its collective actions"},
          {.rpc = "UpdateCollectiveAction",
           .grants = animators,
           .resource = action_of.operator()<v1::UpdateCollectiveActionRequest>(
               [](const v1::UpdateCollectiveActionRequest& r) -> const std::string& {
                 return r.action().action_id();
               }),
           .denial = "action not found",
           .hide = true},
          {.rpc = "GetCollectiveAction",
           .grants = governance,
           .resource = action_of.operator()<v1::GetCollectiveActionRequest>(
               [](const v1::GetCollectiveActionRequest& r) -> const std::string& {
                 return r.action_id();
               }),
           .denial = "action not found",
           .hide = true},
          {.rpc = "ListCollectiveActions",
           .grants = governance,
           .resource = authz::NetworkIdOf<v1::ListCollectiveActionsRequest>(),
           .denial = "only the network's animators and board see its actions"},
          {.rpc = "GetFundingBalance",
           .grants = governance,
           .resource = authz::NetworkIdOf<v1::GetFundingBalanceRequest>(),
           .denial = "only the network's animators and board see its funding"},
          {.rpc = "GetReportingSettings",
           .grants = governance,
           .resource = authz::NetworkIdOf<v1::GetReportingSettingsRequest>(),
           .denial = "only the network's animators and board see its settings"},
          {.rpc = "UpdateReportingSettings",
           .grants = animators,
           .resource = authz::Resolve<v1::UpdateReportingSettingsRequest>(
               [](const v1::UpdateReportingSettingsRequest& r,
                  const Principal&) -> absl::StatusOr<authz::Resource> {
                 MAILLAGE_RETURN_IF_ERROR(
                     ValidateId(r.settings().network_id(), "settings.network_id"));
                 return authz::Resource{.network_id = r.settings().network_id()};
               }),
           .denial = "only the network's animators change its settings"},
          {.rpc = "GetFunderReport",
           .grants = report_readers,
           .resource = authz::NetworkIdOf<v1::GetFunderReportRequest>(),
           .denial = "only the network's animators, board and funders read its "
                     "funder report"},
      });
}

ReportingService::ReportingService(Dependencies deps)
    : deps_(std::move(deps)),
      authz_(std::make_unique<authz::Table>(ReportingAuthzTable(
          [this](const std::string& id) -> absl::StatusOr<std::string> {
            absl::StatusOr<v1::AnimationEvent> e = deps_.store->Event(id);
            if (!e.ok()) return e.status();
            return e->network_id();
          },
          [this](const std::string& id) -> absl::StatusOr<std::string> {
            absl::StatusOr<v1::CollectiveAction> a = deps_.store->Action(id);
            if (!a.ok()) return a.status();
            return a->network_id();
          },
          [this](const std::string& id) -> absl::StatusOr<std::string> {
            absl::StatusOr<v1::WorkingGroup> g = deps_.store->Group(id);
            if (!g.ok()) return g.status();
            return g->network_id();
          }))),
      gate_{.verifier = &deps_.verifier,
            .clock = deps_.clock,
            .workers = deps_.workers,
            .table = authz_.get()} {
  CheckRequestParsing(this, &ReportingService::GetIntroductionFunnel);
  CheckRequestParsing(this, &ReportingService::GetNetworkGraph);
  CheckRequestParsing(this, &ReportingService::GetEngagement);
  CheckRequestParsing(this, &ReportingService::GetPoolingHeatmap);
  CheckRequestParsing(this, &ReportingService::CreateAnimationEvent);
  CheckRequestParsing(this, &ReportingService::ListAnimationEvents);
  CheckRequestParsing(this, &ReportingService::RegisterForEvent);
  CheckRequestParsing(this, &ReportingService::CancelRegistration);
  CheckRequestParsing(this, &ReportingService::RecordAttendance);
  CheckRequestParsing(this, &ReportingService::GetPrintableFunderReport);
  CheckRequestParsing(this, &ReportingService::GetPrintableNetworkReport);
  CheckRequestParsing(this, &ReportingService::ImportAttendanceSheet);
  CheckRequestParsing(this, &ReportingService::CreateWorkingGroup);
  CheckRequestParsing(this, &ReportingService::ListWorkingGroups);
  CheckRequestParsing(this, &ReportingService::GetWorkingGroup);
  CheckRequestParsing(this, &ReportingService::JoinWorkingGroup);
  CheckRequestParsing(this, &ReportingService::LeaveWorkingGroup);
  CheckRequestParsing(this, &ReportingService::CreateCollectiveAction);
  CheckRequestParsing(this, &ReportingService::UpdateCollectiveAction);
  CheckRequestParsing(this, &ReportingService::GetCollectiveAction);
  CheckRequestParsing(this, &ReportingService::ListCollectiveActions);
  CheckRequestParsing(this, &ReportingService::GetFundingBalance);
  CheckRequestParsing(this, &ReportingService::GetReportingSettings);
  CheckRequestParsing(this, &ReportingService::UpdateReportingSettings);
  CheckRequestParsing(this, &ReportingService::GetFunderReport);
}

grpc::ServerUnaryReactor* ReportingService::GetIntroductionFunnel(
    grpc::CallbackServerContext* ctx, const v1::GetIntroductionFunnelRequest* req,
    v1::IntroductionFunnel* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    return ComposeIntroductionFunnel(req, resp);
  });
}

absl::Status ReportingService::ComposeIntroductionFunnel(
    const v1::GetIntroductionFunnelRequest* req, v1::IntroductionFunnel* resp) {
  MAILLAGE_ASSIGN_OR_RETURN(TimeRange range, RangeOf(req->has_period(), req->period(), {}));
  MAILLAGE_ASSIGN_OR_RETURN(FunnelCounts f, deps_.store->Funnel(req->network_id(), range));
  resp->set_network_id(req->network_id());
  int64_t previous = 0;
  bool first = true;
  for (const auto& [stage, count] :
       std::vector<std::pair<const char*, int64_t>>{{"requested", f.requested},
                                                    {"accepted", f.accepted},
                                                    {"met", f.met},
                                                    {"letter_of_intent", f.letter_of_intent},
                                                    {"contract", f.contract}}) {
    v1::FunnelStage* s = resp->add_stages();
    s->set_stage(stage);
    s->set_count(count);
    s->set_share_of_previous(first ? 1.0
                             : previous == 0
                                 ? 0.0
                                 : static_cast<double>(count) / static_cast<double>(previous));
    previous = count;
    first = false;
  }
  resp->set_declined(f.declined);
  resp->set_no_follow_up(f.no_follow_up);
  resp->set_pending(f.pending);
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* ReportingService::GetNetworkGraph(grpc::CallbackServerContext* ctx,
                                                            const v1::GetNetworkGraphRequest* req,
                                                            v1::NetworkGraph* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    return ComposeNetworkGraph(req, resp);
  });
}

absl::Status ReportingService::ComposeNetworkGraph(const v1::GetNetworkGraphRequest* req,
                                                   v1::NetworkGraph* resp) {
  if (!v1::GraphFormat_IsValid(req->format())) return InvalidField("format", "unknown");
  MAILLAGE_ASSIGN_OR_RETURN(TimeRange range, RangeOf(req->has_period(), req->period(), {}));
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<Member> members,
                            deps_.store->ActiveMembers(req->network_id()));
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<Link> links, deps_.store->Links(req->network_id(), range));
  absl::flat_hash_map<std::string, int> index;
  for (size_t i = 0; i < members.size(); ++i) {
    index[members[i].organisation_id] = static_cast<int>(i);
  }
  std::vector<std::pair<int, int>> edges;
  // A member may have left between the two reads: its links go with it.
  std::erase_if(links, [&](const Link& l) { return !index.contains(l.a) || !index.contains(l.b); });
  for (const Link& l : links) edges.emplace_back(index.at(l.a), index.at(l.b));
  const GraphMetrics m = MeasureGraph(static_cast<int>(members.size()), edges);
  auto kind = [](int outcome) {
    // IntroductionOutcome: 1 met, 2 letter of intent, 3 contract.
    return outcome >= 2   ? v1::LINK_KIND_COLLABORATION
           : outcome == 1 ? v1::LINK_KIND_MET
                          : v1::LINK_KIND_INTRODUCED;
  };
  resp->set_network_id(req->network_id());
  resp->set_components(m.components);
  resp->set_isolated(m.isolated);
  if (req->format() == v1::GRAPH_FORMAT_GRAPHML) {
    std::vector<GraphMlNode> nodes;
    for (size_t i = 0; i < members.size(); ++i) {
      nodes.push_back({.id = members[i].organisation_id,
                       .name = members[i].name,
                       .degree = m.degree[i],
                       .betweenness = m.betweenness[i],
                       .bridges = m.bridges[i]});
    }
    std::vector<GraphMlEdge> graph_edges;
    for (const Link& l : links) {
      graph_edges.push_back({.source = l.a,
                             .target = l.b,
                             .kind = l.outcome >= 2   ? "collaboration"
                                     : l.outcome == 1 ? "met"
                                                      : "introduced",
                             .weight = l.introductions});
    }
    resp->set_graphml(ToGraphMl(nodes, graph_edges));
    return absl::OkStatus();
  }
  for (size_t i = 0; i < members.size(); ++i) {
    v1::GraphNode* n = resp->add_nodes();
    n->set_organisation_id(members[i].organisation_id);
    n->set_name(members[i].name);
    n->set_degree(m.degree[i]);
    n->set_betweenness(m.betweenness[i]);
    n->set_isolated(m.degree[i] == 0);
    n->set_component(m.component[i]);
    n->set_bridges(m.bridges[i]);
  }
  for (const Link& l : links) {
    v1::GraphEdge* e = resp->add_edges();
    e->set_source_organisation_id(l.a);
    e->set_target_organisation_id(l.b);
    e->set_kind(kind(l.outcome));
    e->set_introductions(l.introductions);
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* ReportingService::GetEngagement(grpc::CallbackServerContext* ctx,
                                                          const v1::GetEngagementRequest* req,
                                                          v1::EngagementReport* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    return ComposeEngagement(req, resp);
  });
}

absl::Status ReportingService::ComposeEngagement(const v1::GetEngagementRequest* req,
                                                 v1::EngagementReport* resp) {
  if (!v1::ReportFormat_IsValid(req->format())) return InvalidField("format", "unknown");
  const absl::Time now = deps_.clock();
  MAILLAGE_ASSIGN_OR_RETURN(TimeRange range,
                            RangeOf(req->has_period(), req->period(),
                                    {.start = now - absl::Hours(24 * 182), .end = now}));
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<Member> members,
                            deps_.store->ActiveMembers(req->network_id()));
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<Activity> activities,
                            deps_.store->Activities(req->network_id(), range));
  // The trend: the period of the same length just before (none for an open period).
  std::vector<Activity> before;
  const bool closed = range.start != absl::InfinitePast() && range.end != absl::InfiniteFuture();
  if (closed) {
    MAILLAGE_ASSIGN_OR_RETURN(
        before, deps_.store->Activities(
                    req->network_id(),
                    {.start = range.start - (range.end - range.start), .end = range.start}));
  }
  absl::flat_hash_map<std::string, const Activity*> by_id, before_by_id;
  for (const Activity& a : activities) by_id[a.organisation_id] = &a;
  for (const Activity& a : before) before_by_id[a.organisation_id] = &a;
  // The score of reporting.proto's MemberEngagement.
  auto score = [](const Activity& a) {
    return 2 * a.requested + 2 * a.answered + 3 * a.accepted + 2 * a.outcomes + 3 * a.assessments +
           3 * a.attended + 2 * a.sponsored;
  };
  resp->set_network_id(req->network_id());
  if (range.start != absl::InfinitePast()) {
    SetTimestamp(resp->mutable_period()->mutable_start_time(), range.start);
  }
  if (range.end != absl::InfiniteFuture()) {
    SetTimestamp(resp->mutable_period()->mutable_end_time(), range.end);
  }
  std::vector<v1::MemberEngagement> rows;
  double total = 0, total_before = 0;
  for (const Member& m : members) {
    v1::MemberEngagement e;
    e.set_organisation_id(m.organisation_id);
    e.set_name(m.name);
    const Activity none{};
    auto it = by_id.find(m.organisation_id);
    const Activity& a = it == by_id.end() ? none : *it->second;
    e.set_introductions_requested(a.requested);
    e.set_introductions_received(a.received);
    e.set_introductions_answered(a.answered);
    e.set_introductions_accepted(a.accepted);
    e.set_outcomes_recorded(a.outcomes);
    e.set_assessments_submitted(a.assessments);
    e.set_events_attended(a.attended);
    e.set_working_groups(a.working_groups);
    e.set_co_optations_sponsored(a.sponsored);
    e.set_score(score(a));
    e.set_isolated(a.requested == 0 && a.received == 0 && a.answered == 0 && a.assessments == 0 &&
                   a.attended == 0 && a.sponsored == 0);
    auto was = before_by_id.find(m.organisation_id);
    e.set_previous_score(was == before_by_id.end() ? 0 : score(*was->second));
    total += e.score();
    total_before += e.previous_score();
    rows.push_back(std::move(e));
  }
  for (const v1::MemberEngagement& e : rows) {
    if (e.isolated()) resp->add_isolated_organisation_ids(e.organisation_id());
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const v1::MemberEngagement& a, const v1::MemberEngagement& b) {
                     return a.score() > b.score();
                   });
  const double n = members.empty() ? 1 : static_cast<double>(members.size());
  resp->set_mean_score(total / n);
  resp->set_previous_mean_score(total_before / n);
  if (req->format() != v1::REPORT_FORMAT_CSV) {
    for (v1::MemberEngagement& e : rows) *resp->add_members() = std::move(e);
    return absl::OkStatus();
  }
  std::string table =
      "organisation_id,name,introductions_requested,introductions_received,"
      "introductions_answered,introductions_accepted,outcomes_recorded,"
      "assessments_submitted,events_attended,working_groups,co_optations_sponsored,score,"
      "previous_score,isolated\r\n";
  for (const v1::MemberEngagement& e : rows) {
    absl::StrAppend(&table, e.organisation_id(), ",", csv::CsvSafeField(e.name()), ",",
                    e.introductions_requested(), ",", e.introductions_received(), ",",
                    e.introductions_answered(), ",", e.introductions_accepted(), ",",
                    e.outcomes_recorded(), ",", e.assessments_submitted(), ",", e.events_attended(),
                    ",", e.working_groups(), ",", e.co_optations_sponsored(), ",", e.score(), ",",
                    e.previous_score(), ",", e.isolated() ? "true" : "false", "\r\n");
  }
  resp->set_csv(std::move(table));
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* ReportingService::CreateAnimationEvent(
    grpc::CallbackServerContext* ctx, const v1::CreateAnimationEventRequest* req,
    v1::AnimationEvent* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    const v1::AnimationEvent& e = req->event();
    std::vector<FieldViolation> problems;
    if (e.kind() <= v1::ANIMATION_EVENT_KIND_UNSPECIFIED ||
        !v1::AnimationEventKind_IsValid(e.kind())) {
      problems.push_back({"event.kind", "one of the animation event kinds"});
    }
    if (auto p = TextProblem(e.title(), 200, true)) problems.push_back({"event.title", *p});
    if (auto p = TextProblem(e.theme(), 200, false)) problems.push_back({"event.theme", *p});
    if (auto p = TextProblem(e.place(), 300, false)) problems.push_back({"event.place", *p});
    if (auto p = TextProblem(e.link(), 500, false)) {
      problems.push_back({"event.link", *p});
    } else if (!e.link().empty() && !absl::StartsWith(e.link(), "https://")) {
      problems.push_back({"event.link", "an https:// link"});
    }
    if (e.place().empty() && e.link().empty()) {
      problems.push_back({"event.place", "a place or a link is required"});
    }
    const absl::Time now = deps_.clock();
    // An event already held may be recorded afterwards (within a year), with its attendance.
    if (!e.has_start_time() || !IsValidTimestamp(e.start_time()) ||
        TimeOf(e.start_time()) < now - absl::Hours(24 * 366) ||
        TimeOf(e.start_time()) > now + absl::Hours(24 * 731)) {
      problems.push_back({"event.start_time", "from a year ago to two years ahead"});
    } else if (!e.has_end_time() || !IsValidTimestamp(e.end_time()) ||
               TimeOf(e.end_time()) <= TimeOf(e.start_time()) ||
               TimeOf(e.end_time()) - TimeOf(e.start_time()) > absl::Hours(24 * 14)) {
      problems.push_back({"event.end_time", "after the start, at most 14 days later"});
    }
    if (!e.organiser_organisation_id().empty()) {
      if (absl::Status s =
              ValidateId(e.organiser_organisation_id(), "event.organiser_organisation_id");
          !s.ok()) {
        std::vector<FieldViolation> v = FieldViolationsOf(s);
        problems.insert(problems.end(), v.begin(), v.end());
      }
    }
    if (e.capacity() < 0 || e.capacity() > 10000) {
      problems.push_back({"event.capacity", "0 (no limit) to 10,000"});
    }
    if (!e.working_group_id().empty()) {
      if (absl::Status s = ValidateId(e.working_group_id(), "event.working_group_id"); !s.ok()) {
        std::vector<FieldViolation> v = FieldViolationsOf(s);
        problems.insert(problems.end(), v.begin(), v.end());
      }
    }
    if (req->idempotency_key().size() > 128) {
      problems.push_back({"idempotency_key", "at most 128 characters"});
    }
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    v1::AnimationEvent draft = e;
    if (draft.organiser_organisation_id().empty()) {
      draft.set_organiser_organisation_id(who.organisation_id());
    }
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp,
        deps_.store->CreateEvent(req->network_id(), draft, who.subject(), req->idempotency_key()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::ListAnimationEvents(
    grpc::CallbackServerContext* ctx, const v1::ListAnimationEventsRequest* req,
    v1::ListAnimationEventsResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    absl::Time from = deps_.clock();
    if (req->has_from_time()) {
      if (!IsValidTimestamp(req->from_time())) return InvalidField("from_time", "not a valid time");
      from = TimeOf(req->from_time());
    }
    if (!req->working_group_id().empty()) {
      MAILLAGE_RETURN_IF_ERROR(ValidateId(req->working_group_id(), "working_group_id"));
    }
    const uint64_t fp =
        Fingerprint({"animation-events", req->network_id(), absl::StrCat(absl::ToUnixSeconds(from)),
                     req->working_group_id()});
    MAILLAGE_ASSIGN_OR_RETURN(PageQuery page, deps_.page_tokens.Parse(req->page(), fp));
    MAILLAGE_ASSIGN_OR_RETURN(
        Listed<v1::AnimationEvent> listed,
        deps_.store->ListEvents(req->network_id(), req->working_group_id(), from, page));
    for (v1::AnimationEvent& e : listed.items) *resp->add_events() = std::move(e);
    if (!listed.next_after.empty()) {
      resp->mutable_page()->set_next_page_token(deps_.page_tokens.Encode(fp, listed.next_after));
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::RegisterForEvent(grpc::CallbackServerContext* ctx,
                                                             const v1::RegisterForEventRequest* req,
                                                             v1::AnimationEvent* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->Register(req->event_id(), req->organisation_id(), deps_.clock()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::CancelRegistration(
    grpc::CallbackServerContext* ctx, const v1::CancelRegistrationRequest* req,
    v1::AnimationEvent* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->CancelRegistration(req->event_id(), req->organisation_id()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::RecordAttendance(grpc::CallbackServerContext* ctx,
                                                             const v1::RecordAttendanceRequest* req,
                                                             v1::AnimationEvent* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    std::vector<FieldViolation> problems;
    if (req->attended_organisation_ids_size() > 10000) {
      problems.push_back({"attended_organisation_ids", "at most 10,000"});
    } else {
      absl::flat_hash_map<std::string, int> seen;
      for (int i = 0; i < req->attended_organisation_ids_size(); ++i) {
        const std::string at = absl::StrCat("attended_organisation_ids[", i, "]");
        absl::Status s = ValidateId(req->attended_organisation_ids(i), at);
        if (!s.ok()) {
          std::vector<FieldViolation> v = FieldViolationsOf(s);
          problems.insert(problems.end(), v.begin(), v.end());
        } else if (!seen.emplace(req->attended_organisation_ids(i), i).second) {
          problems.push_back({at, "given twice"});
        }
        if (problems.size() >= 20) break;  // enough to show what is wrong
      }
    }
    if (auto p = TextProblem(req->outcomes(), 2000, false)) problems.push_back({"outcomes", *p});
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->RecordAttendance(req->event_id(),
                                             {req->attended_organisation_ids().begin(),
                                              req->attended_organisation_ids().end()},
                                             req->outcomes(), deps_.clock()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::ImportAttendanceSheet(
    grpc::CallbackServerContext* ctx, const v1::ImportAttendanceSheetRequest* req,
    v1::AttendanceSheetImport* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    if (auto p = TextProblem(req->outcomes(), 2000, false)) return InvalidField("outcomes", *p);
    if (req->sheet().size() > kMaxSheetBytes) return InvalidField("sheet", "at most 1 MiB");
    MAILLAGE_ASSIGN_OR_RETURN(v1::AnimationEvent event, deps_.store->Event(req->event_id()));
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<SheetMember> members,
                              deps_.store->SheetMembers(event.network_id()));
    SheetReading reading = ReadSignInSheet(req->sheet(), members);
    MAILLAGE_RETURN_IF_ERROR(reading.status);
    if (!reading.problems.empty()) {
      std::vector<FieldViolation> problems;
      for (const SheetProblem& p : reading.problems) {
        problems.push_back(
            {p.line == 0 ? std::string("sheet") : absl::StrCat("sheet line ", p.line), p.reason});
      }
      return InvalidFields(problems);
    }
    std::vector<std::string> attended;
    for (const SheetMatch& m : reading.matches) {
      v1::SheetLine* line = resp->add_lines();
      line->set_line(m.line);
      line->set_organisation_id(m.organisation_id);
      line->set_name(m.name);
      attended.push_back(m.organisation_id);
    }
    if (req->dry_run()) return absl::OkStatus();
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp->mutable_event(),
        deps_.store->RecordAttendance(req->event_id(), attended, req->outcomes(), deps_.clock()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::GetPoolingHeatmap(
    grpc::CallbackServerContext* ctx, const v1::GetPoolingHeatmapRequest* req,
    v1::PoolingHeatmap* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    return ComposePoolingHeatmap(req, resp);
  });
}

absl::Status ReportingService::ComposePoolingHeatmap(const v1::GetPoolingHeatmapRequest* req,
                                                     v1::PoolingHeatmap* resp) {
  if (!req->campaign_id().empty()) {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->campaign_id(), "campaign_id"));
  }
  MAILLAGE_ASSIGN_OR_RETURN(HeatmapFacts facts,
                            deps_.store->Heatmap(req->network_id(), req->campaign_id()));
  resp->set_network_id(req->network_id());
  resp->set_campaign_id(facts.campaign_id);
  for (const HeatmapFacts::Cell& c : facts.cells) {
    if (resp->rows().empty() || resp->rows().rbegin()->function_code() != c.function_code) {
      resp->add_rows()->set_function_code(c.function_code);
    }
    v1::HeatmapRow* row = resp->mutable_rows(resp->rows_size() - 1);
    (*row->mutable_members_by_disposition())[c.disposition] = c.members;
    row->set_members(row->members() + c.members);
    row->set_willing_to_pool(row->willing_to_pool() + c.willing_to_pool);
  }
  return absl::OkStatus();
}

}  // namespace maillage::reporting
