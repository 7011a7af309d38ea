#include "services/assessment/domain/pooling_analysis.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/assessment/domain/matrix.h"

namespace maillage::assessment {
namespace {

int OrDefault(int value, int fallback) { return value == 0 ? fallback : value; }

absl::Status OutOfRange(absl::string_view field, int value, int low, int high) {
  if (value == 0 || (value >= low && value <= high)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": must be between ", low, " and ", high, " (0: the default)"));
}

// "42 000 €" (French grouping, thin space avoided for plain text).
std::string Euros(int64_t amount) {
  std::string digits = absl::StrCat(amount < 0 ? -amount : amount);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ' ';
    out += digits[i];
  }
  return absl::StrCat(amount < 0 ? "-" : "", out, " €");
}

bool IsProvider(const v1::FunctionAnswer& a) {
  return CanProvide(a.disposition()) ||
         (a.efficiency() == v1::LEVEL_HIGH && a.importance() == v1::LEVEL_LOW);
}

bool IsDemand(const v1::FunctionAnswer& a) {
  return WantsToPool(a.disposition()) || a.willing_to_pool();
}

int SavingPercent(const v1::PoolingThresholds& t, v1::PoolingModality m) {
  switch (m) {
    case v1::POOLING_MODALITY_SHARED_RESOURCE:
      return t.saving_percent_shared_resource();
    case v1::POOLING_MODALITY_GROUP_PURCHASING:
      return t.saving_percent_group_purchasing();
    case v1::POOLING_MODALITY_MEMBER_SERVES_OTHERS:
      return t.saving_percent_member_serves_others();
    case v1::POOLING_MODALITY_JOINT_OUTSOURCING:
      return t.saving_percent_joint_outsourcing();
    case v1::POOLING_MODALITY_GOOD_PRACTICE_EXCHANGE:
      return t.saving_percent_good_practice();
    default:
      return 0;
  }
}

}  // namespace

v1::PoolingThresholds WithDefaults(v1::PoolingThresholds t) {
  t.set_min_demand(OrDefault(t.min_demand(), 3));
  t.set_min_good_practice(OrDefault(t.min_good_practice(), 3));
  t.set_shared_resource_min_staff_days(OrDefault(t.shared_resource_min_staff_days(), 100));
  t.set_saving_percent_shared_resource(OrDefault(t.saving_percent_shared_resource(), 25));
  t.set_saving_percent_group_purchasing(OrDefault(t.saving_percent_group_purchasing(), 10));
  t.set_saving_percent_member_serves_others(OrDefault(t.saving_percent_member_serves_others(), 20));
  t.set_saving_percent_joint_outsourcing(OrDefault(t.saving_percent_joint_outsourcing(), 15));
  t.set_saving_percent_good_practice(OrDefault(t.saving_percent_good_practice(), 5));
  t.set_min_group_size(OrDefault(t.min_group_size(), 3));
  return t;
}

absl::Status ValidateThresholds(const v1::PoolingThresholds& t) {
  const std::pair<const char*, int> counts[] = {{"min_demand", t.min_demand()},
                                                {"min_good_practice", t.min_good_practice()}};
  for (const auto& [name, value] : counts) {
    if (absl::Status s = OutOfRange(name, value, 1, 1000); !s.ok()) return s;
  }
  if (absl::Status s = OutOfRange("shared_resource_min_staff_days",
                                  t.shared_resource_min_staff_days(), 1, 100000);
      !s.ok()) {
    return s;
  }
  const std::pair<const char*, int> percents[] = {
      {"saving_percent_shared_resource", t.saving_percent_shared_resource()},
      {"saving_percent_group_purchasing", t.saving_percent_group_purchasing()},
      {"saving_percent_member_serves_others", t.saving_percent_member_serves_others()},
      {"saving_percent_joint_outsourcing", t.saving_percent_joint_outsourcing()},
      {"saving_percent_good_practice", t.saving_percent_good_practice()}};
  for (const auto& [name, value] : percents) {
    if (absl::Status s = OutOfRange(name, value, 1, 100); !s.ok()) return s;
  }
  return OutOfRange("min_group_size", t.min_group_size(), 2, 100);
}

v1::GroupCount Shown(int count, int min_group_size, Audience audience) {
  v1::GroupCount c;
  if (audience == Audience::kMember && count > 0 && count < min_group_size) {
    c.set_fewer_than(min_group_size);
  } else {
    c.set_exact(count);
  }
  return c;
}

std::string CountText(const v1::GroupCount& count) {
  if (count.has_fewer_than()) return absl::StrCat("fewer than ", count.fewer_than());
  if (count.has_withheld()) return "withheld";
  return absl::StrCat(count.exact());
}

std::string ModalityName(v1::PoolingModality m) {
  switch (m) {
    case v1::POOLING_MODALITY_NOTHING_YET:
      return "nothing yet";
    case v1::POOLING_MODALITY_SHARED_RESOURCE:
      return "a shared resource";
    case v1::POOLING_MODALITY_GROUP_PURCHASING:
      return "group purchasing";
    case v1::POOLING_MODALITY_MEMBER_SERVES_OTHERS:
      return "a member serving the others";
    case v1::POOLING_MODALITY_JOINT_OUTSOURCING:
      return "joint outsourcing";
    case v1::POOLING_MODALITY_GOOD_PRACTICE_EXCHANGE:
      return "an exchange of good practice";
    default:
      return "unspecified";
  }
}

v1::FunctionAnalysis AnalyseFunction(const v1::SupportFunction& function,
                                     const std::vector<MemberAnswer>& answers,
                                     const v1::PoolingThresholds& given, Audience audience) {
  const v1::PoolingThresholds t = WithDefaults(given);
  const int n = t.min_group_size();
  auto shown = [&](int count) { return Shown(count, n, audience); };

  std::vector<const MemberAnswer*> demand, providers, strengthen;
  std::map<std::pair<int, int>, int> spread;
  int64_t demand_staff_days = 0;
  for (const MemberAnswer& m : answers) {
    const v1::FunctionAnswer& a = m.answer;
    ++spread[{a.efficiency(), a.importance()}];
    if (IsDemand(a)) {
      demand.push_back(&m);
      demand_staff_days += a.staff_days_per_year();
    }
    if (IsProvider(a)) providers.push_back(&m);
    if (WantsToStrengthen(a.disposition())) strengthen.push_back(&m);
  }

  v1::FunctionAnalysis out;
  out.set_function_code(function.code());
  *out.mutable_answered() = shown(static_cast<int>(answers.size()));
  *out.mutable_demand() = shown(static_cast<int>(demand.size()));
  *out.mutable_providers() = shown(static_cast<int>(providers.size()));
  *out.mutable_strengthen() = shown(static_cast<int>(strengthen.size()));
  for (v1::Level e : {v1::LEVEL_LOW, v1::LEVEL_MEDIUM, v1::LEVEL_HIGH}) {
    for (v1::Level i : {v1::LEVEL_LOW, v1::LEVEL_MEDIUM, v1::LEVEL_HIGH}) {
      v1::SpreadCell* cell = out.add_spread();
      cell->set_efficiency(e);
      cell->set_importance(i);
      *cell->mutable_members() = shown(spread[{e, i}]);
    }
  }
  // One small cell withheld beside an exact total would be the total minus the rest: the
  // smallest other non-empty cell is withheld with it.
  int small = 0;
  v1::SpreadCell* smallest_shown = nullptr;
  for (v1::SpreadCell& cell : *out.mutable_spread()) {
    if (cell.members().has_fewer_than()) ++small;
    if (cell.members().has_exact() && cell.members().exact() > 0 &&
        (smallest_shown == nullptr || cell.members().exact() < smallest_shown->members().exact())) {
      smallest_shown = &cell;
    }
  }
  if (small == 1 && out.answered().has_exact() && smallest_shown != nullptr) {
    smallest_shown->mutable_members()->set_withheld(true);
  }

  const int d = static_cast<int>(demand.size());
  const std::string demand_text = absl::StrCat(
      CountText(out.demand()),
      out.demand().has_exact() && d == 1 ? " member wants" : " members want", " to pool it");
  const std::string m = absl::StrCat(t.min_demand());
  std::vector<const MemberAnswer*> concerned = demand;
  if (d >= t.min_demand() && !providers.empty()) {
    out.set_recommended(v1::POOLING_MODALITY_MEMBER_SERVES_OTHERS);
    out.set_rule(absl::StrCat(demand_text, " (at least ", m, ") and ", CountText(out.providers()),
                              " could provide it: one member serves the others"));
  } else if (d >= t.min_demand() && function.nature() == v1::FUNCTION_NATURE_STAFF &&
             demand_staff_days >= t.shared_resource_min_staff_days()) {
    out.set_recommended(v1::POOLING_MODALITY_SHARED_RESOURCE);
    out.set_rule(absl::StrCat(
        demand_text, " (at least ", m, "), no member could provide it, and it is staff work ",
        "those members spend at least ", t.shared_resource_min_staff_days(),
        " days a year on in all: a shared resource (e.g. a part-time post in an employers' "
        "group)"));
  } else if (d >= t.min_demand() && function.nature() == v1::FUNCTION_NATURE_PURCHASE) {
    out.set_recommended(v1::POOLING_MODALITY_GROUP_PURCHASING);
    out.set_rule(absl::StrCat(demand_text, " (at least ", m,
                              "), no member could provide it, and it is bought: group "
                              "purchasing"));
  } else if (d >= t.min_demand()) {
    out.set_recommended(v1::POOLING_MODALITY_JOINT_OUTSOURCING);
    out.set_rule(absl::StrCat(
        demand_text, " (at least ", m, "), no member could provide it",
        function.nature() == v1::FUNCTION_NATURE_STAFF
            ? absl::StrCat(", and they spend fewer than ", t.shared_resource_min_staff_days(),
                           " days a year on it in all")
            : "",
        ": joint outsourcing under one contract"));
  } else if (static_cast<int>(strengthen.size()) >= t.min_good_practice()) {
    out.set_recommended(v1::POOLING_MODALITY_GOOD_PRACTICE_EXCHANGE);
    concerned = strengthen;
    out.set_rule(absl::StrCat(CountText(out.strengthen()),
                              " members want to strengthen it (at least ", t.min_good_practice(),
                              "), ", demand_text, " (fewer than ", m,
                              "): an exchange of good practice"));
  } else {
    out.set_recommended(v1::POOLING_MODALITY_NOTHING_YET);
    out.set_rule(absl::StrCat(demand_text, " (a pooling needs ", m, "), ",
                              CountText(out.strengthen()), " want to strengthen it (a group needs ",
                              t.min_good_practice(), "): nothing yet"));
  }

  // The saving, from the costs the members concerned gave.
  if (out.recommended() != v1::POOLING_MODALITY_NOTHING_YET) {
    int64_t costs = 0;
    int with_cost = 0;
    for (const MemberAnswer* c : concerned) {
      if (c->answer.yearly_cost_eur() > 0) {
        costs += c->answer.yearly_cost_eur();
        ++with_cost;
      }
    }
    const int percent = SavingPercent(t, out.recommended());
    v1::Saving* saving = out.mutable_saving();
    if (with_cost == 0) {
      saving->set_assumptions("no member concerned gave a yearly cost");
    } else if (audience == Audience::kMember && with_cost < n) {
      // A total over one or two members would tell their costs.
      saving->set_assumptions(
          absl::StrCat("withheld: fewer than ", n, " of the members concerned gave a yearly cost"));
    } else {
      saving->set_yearly_eur(costs * percent / 100);
      saving->set_assumptions(
          absl::StrCat(percent, " % of the yearly costs given by ", with_cost, " of the ",
                       CountText(shown(static_cast<int>(concerned.size()))), " members concerned (",
                       Euros(costs), "), the usual effect of ", ModalityName(out.recommended())));
    }
  }

  for (const MemberAnswer* p : providers) {
    if (p->answer.agrees_to_be_named()) out.add_named_providers(p->organisation_id);
  }
  for (const MemberAnswer* c : concerned) {
    if (c->answer.agrees_to_be_named()) out.add_named_participants(c->organisation_id);
  }
  return out;
}

}  // namespace maillage::assessment
