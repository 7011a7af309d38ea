#include "services/reporting/reporting_service.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/csv/csv.h"
#include "common/server/request_parsing.h"
#include "common/status/status.h"
#include "common/validation/validation.h"
#include "services/reporting/domain/network_graph.h"
#include "services/reporting/reporting_store.h"

namespace maillage::reporting {
namespace {

using auth::Principal;
using auth::v1::NETWORK_ROLE_ANIMATOR;

template <typename Req>
authz::Resolver NetworkOf() {
  return authz::Resolve<Req>([](const Req& r, const Principal&) -> absl::StatusOr<authz::Resource> {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(r.network_id(), "network_id"));
    return authz::Resource{.network_id = r.network_id()};
  });
}

bool ValidTimestamp(const google::protobuf::Timestamp& t) {
  return t.seconds() >= -62135596800 && t.seconds() <= 253402300799 && t.nanos() >= 0 &&
         t.nanos() < 1000000000;
}

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

void SetTime(google::protobuf::Timestamp* t, absl::Time at) {
  t->set_seconds(absl::ToUnixSeconds(at));
  t->set_nanos(0);
}

// The request's period; `fallback` when it gives neither end.
absl::StatusOr<TimeRange> RangeOf(bool has_period, const v1::Period& p, TimeRange fallback) {
  if (!has_period || (!p.has_start_time() && !p.has_end_time())) return fallback;
  std::vector<FieldViolation> problems;
  TimeRange range;
  if (p.has_start_time()) {
    if (ValidTimestamp(p.start_time())) {
      range.start = TimeOf(p.start_time());
    } else {
      problems.push_back({"period.start_time", "not a valid time"});
    }
  }
  if (p.has_end_time()) {
    if (ValidTimestamp(p.end_time())) {
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

}  // namespace

authz::Table ReportingAuthzTable() {
  const std::vector<authz::Grant> animators = {authz::RoleIn({NETWORK_ROLE_ANIMATOR})};
  return authz::Table(std::string(v1::ReportingService::service_full_name()),
                      {
                          {.rpc = "GetIntroductionFunnel",
                           .grants = animators,
                           .resource = NetworkOf<v1::GetIntroductionFunnelRequest>(),
                           .denial = "only the network's animators read its reports"},
                          {.rpc = "GetNetworkGraph",
                           .grants = animators,
                           .resource = NetworkOf<v1::GetNetworkGraphRequest>(),
                           .denial = "only the network's animators read its reports"},
                          {.rpc = "GetEngagement",
                           .grants = animators,
                           .resource = NetworkOf<v1::GetEngagementRequest>(),
                           .denial = "only the network's animators read its reports"},
                      });
}

ReportingService::ReportingService(Dependencies deps)
    : deps_(std::move(deps)),
      authz_(std::make_unique<authz::Table>(ReportingAuthzTable())),
      gate_{.verifier = &deps_.verifier,
            .clock = deps_.clock,
            .workers = deps_.workers,
            .table = authz_.get()} {
  CheckRequestParsing(this, &ReportingService::GetIntroductionFunnel);
  CheckRequestParsing(this, &ReportingService::GetNetworkGraph);
  CheckRequestParsing(this, &ReportingService::GetEngagement);
}

grpc::ServerUnaryReactor* ReportingService::GetIntroductionFunnel(
    grpc::CallbackServerContext* ctx, const v1::GetIntroductionFunnelRequest* req,
    v1::IntroductionFunnel* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
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
  });
}

grpc::ServerUnaryReactor* ReportingService::GetNetworkGraph(grpc::CallbackServerContext* ctx,
                                                            const v1::GetNetworkGraphRequest* req,
                                                            v1::NetworkGraph* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    if (!v1::GraphFormat_IsValid(req->format())) return InvalidField("format", "unknown");
    MAILLAGE_ASSIGN_OR_RETURN(TimeRange range, RangeOf(req->has_period(), req->period(), {}));
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<Member> members,
                              deps_.store->ActiveMembers(req->network_id()));
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<Link> links,
                              deps_.store->Links(req->network_id(), range));
    absl::flat_hash_map<std::string, int> index;
    for (size_t i = 0; i < members.size(); ++i) {
      index[members[i].organisation_id] = static_cast<int>(i);
    }
    std::vector<std::pair<int, int>> edges;
    // A member may have left between the two reads: its links go with it.
    std::erase_if(links,
                  [&](const Link& l) { return !index.contains(l.a) || !index.contains(l.b); });
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
  });
}

grpc::ServerUnaryReactor* ReportingService::GetEngagement(grpc::CallbackServerContext* ctx,
                                                          const v1::GetEngagementRequest* req,
                                                          v1::EngagementReport* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
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
      return 2 * a.requested + 2 * a.answered + 3 * a.accepted + 2 * a.outcomes + 3 * a.assessments;
    };
    resp->set_network_id(req->network_id());
    if (range.start != absl::InfinitePast()) {
      SetTime(resp->mutable_period()->mutable_start_time(), range.start);
    }
    if (range.end != absl::InfiniteFuture()) {
      SetTime(resp->mutable_period()->mutable_end_time(), range.end);
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
      e.set_score(score(a));
      e.set_isolated(a.requested == 0 && a.received == 0 && a.answered == 0 && a.assessments == 0);
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
        "assessments_submitted,score,previous_score,isolated\r\n";
    for (const v1::MemberEngagement& e : rows) {
      absl::StrAppend(&table, e.organisation_id(), ",", csv::CsvSafeField(e.name()), ",",
                      e.introductions_requested(), ",", e.introductions_received(), ",",
                      e.introductions_answered(), ",", e.introductions_accepted(), ",",
                      e.outcomes_recorded(), ",", e.assessments_submitted(), ",", e.score(), ",",
                      e.previous_score(), ",", e.isolated() ? "true" : "false", "\r\n");
    }
    resp->set_csv(std::move(table));
    return absl::OkStatus();
  });
}

}  // namespace maillage::reporting
