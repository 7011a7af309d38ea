#include "services/assessment/domain/pooling_analysis.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/assessment/domain/matrix.h"

namespace maillage::assessment {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

v1::SupportFunction Function(const std::string& code, v1::FunctionNature nature) {
  v1::SupportFunction f;
  f.set_code(code);
  f.set_nature(nature);
  return f;
}

// A member's answer, its disposition decided by the default matrix.
MemberAnswer Answer(const std::string& org, v1::Level efficiency, v1::Level importance,
                    int64_t cost = 0, int staff_days = 0, bool named = false) {
  MemberAnswer m;
  m.organisation_id = org;
  m.answer.set_efficiency(efficiency);
  m.answer.set_importance(importance);
  m.answer.set_yearly_cost_eur(cost);
  m.answer.set_staff_days_per_year(staff_days);
  m.answer.set_agrees_to_be_named(named);
  m.answer.set_disposition(Decide(DefaultMatrix(), efficiency, importance)->disposition);
  return m;
}

constexpr v1::Level kLow = v1::LEVEL_LOW, kMedium = v1::LEVEL_MEDIUM, kHigh = v1::LEVEL_HIGH;

TEST(PoolingAnalysisTest, DemandWithAProviderMeansAMemberServesTheOthers) {
  std::vector<MemberAnswer> answers = {
      Answer("a", kLow, kLow, 10000), Answer("b", kLow, kMedium, 20000),
      Answer("c", kMedium, kLow, 12000), Answer("p", kHigh, kLow, 0, 0, /*named=*/true)};
  v1::FunctionAnalysis a = AnalyseFunction(
      Function("it_infrastructure", v1::FUNCTION_NATURE_SERVICE), answers, {}, Audience::kMember);
  EXPECT_EQ(a.recommended(), v1::POOLING_MODALITY_MEMBER_SERVES_OTHERS);
  EXPECT_EQ(a.demand().exact(), 3);
  EXPECT_TRUE(a.providers().has_fewer_than());  // one provider: not told exactly
  EXPECT_THAT(a.rule(), HasSubstr("3 members want to pool it"));
  EXPECT_THAT(a.rule(), HasSubstr("fewer than 3 could provide it"));
  // 20 % of 42,000 €, said with its assumptions.
  EXPECT_EQ(a.saving().yearly_eur(), 8400);
  EXPECT_THAT(a.saving().assumptions(), HasSubstr("20 % of the yearly costs given by 3"));
  EXPECT_THAT(a.saving().assumptions(), HasSubstr("42 000 €"));
  EXPECT_THAT(a.named_providers(), ElementsAre("p"));
  EXPECT_THAT(a.named_participants(), IsEmpty());  // none agreed
}

TEST(PoolingAnalysisTest, StaffWorkWithEnoughDaysIsASharedResourceOtherwiseJointOutsourcing) {
  const v1::SupportFunction recruitment = Function("recruitment", v1::FUNCTION_NATURE_STAFF);
  std::vector<MemberAnswer> answers = {Answer("a", kLow, kLow, 30000, 40),
                                       Answer("b", kLow, kMedium, 0, 40),
                                       Answer("c", kMedium, kLow, 0, 30)};
  v1::FunctionAnalysis shared = AnalyseFunction(recruitment, answers, {}, Audience::kMember);
  EXPECT_EQ(shared.recommended(), v1::POOLING_MODALITY_SHARED_RESOURCE);
  EXPECT_THAT(shared.rule(), HasSubstr("100 days a year"));
  // One cost given: a total would be that member's cost.
  EXPECT_EQ(shared.saving().yearly_eur(), 0);
  EXPECT_THAT(shared.saving().assumptions(), HasSubstr("withheld"));
  // The animator sees it.
  v1::FunctionAnalysis animator = AnalyseFunction(recruitment, answers, {}, Audience::kAnimator);
  EXPECT_EQ(animator.saving().yearly_eur(), 7500);

  answers[2].answer.set_staff_days_per_year(10);  // 90 days in all
  EXPECT_EQ(AnalyseFunction(recruitment, answers, {}, Audience::kMember).recommended(),
            v1::POOLING_MODALITY_JOINT_OUTSOURCING);
  // A network that pools smaller posts says so.
  v1::PoolingThresholds t;
  t.set_shared_resource_min_staff_days(80);
  EXPECT_EQ(AnalyseFunction(recruitment, answers, t, Audience::kMember).recommended(),
            v1::POOLING_MODALITY_SHARED_RESOURCE);
}

TEST(PoolingAnalysisTest, BoughtThingsAreGroupPurchasing) {
  std::vector<MemberAnswer> answers = {
      Answer("a", kLow, kLow, 5000), Answer("b", kMedium, kLow, 7000),
      Answer("c", kLow, kMedium, 8000), Answer("d", kMedium, kLow, 10000)};
  v1::FunctionAnalysis a = AnalyseFunction(
      Function("energy_environment", v1::FUNCTION_NATURE_PURCHASE), answers, {}, Audience::kMember);
  EXPECT_EQ(a.recommended(), v1::POOLING_MODALITY_GROUP_PURCHASING);
  EXPECT_EQ(a.saving().yearly_eur(), 3000);  // 10 % of 30,000 €
}

TEST(PoolingAnalysisTest, WithoutDemandStrengtheningMembersExchangePracticeOrNothingYet) {
  const v1::SupportFunction legal = Function("legal", v1::FUNCTION_NATURE_SERVICE);
  std::vector<MemberAnswer> answers = {Answer("a", kLow, kHigh), Answer("b", kMedium, kHigh),
                                       Answer("c", kMedium, kMedium), Answer("d", kLow, kLow)};
  v1::FunctionAnalysis a = AnalyseFunction(legal, answers, {}, Audience::kMember);
  EXPECT_EQ(a.recommended(), v1::POOLING_MODALITY_GOOD_PRACTICE_EXCHANGE);
  EXPECT_EQ(a.strengthen().exact(), 3);
  EXPECT_THAT(a.rule(), HasSubstr("fewer than 3 members want to pool it"));

  answers.pop_back();
  answers.pop_back();
  v1::FunctionAnalysis none = AnalyseFunction(legal, answers, {}, Audience::kMember);
  EXPECT_EQ(none.recommended(), v1::POOLING_MODALITY_NOTHING_YET);
  EXPECT_FALSE(none.has_saving());
  EXPECT_EQ(none.demand().exact(), 0);  // nobody: zero says nothing about anyone
}

TEST(PoolingAnalysisTest, ANetworkWhereOneCountIsTwoNeverShowsTheTwo) {
  // Two members want to pool, five answered: "fewer than 3" everywhere the two would show,
  // in the counts, the spread and the rule.
  std::vector<MemberAnswer> answers = {Answer("a", kLow, kLow), Answer("b", kLow, kLow),
                                       Answer("c", kHigh, kHigh), Answer("d", kHigh, kHigh),
                                       Answer("e", kHigh, kHigh)};
  v1::FunctionAnalysis a = AnalyseFunction(Function("insurance", v1::FUNCTION_NATURE_PURCHASE),
                                           answers, {}, Audience::kMember);
  EXPECT_EQ(a.answered().exact(), 5);
  EXPECT_EQ(a.demand().fewer_than(), 3);
  EXPECT_FALSE(a.demand().has_exact());
  for (const v1::SpreadCell& cell : a.spread()) {
    if (cell.efficiency() == kLow && cell.importance() == kLow) {
      EXPECT_EQ(cell.members().fewer_than(), 3);
    }
    if (cell.efficiency() == kHigh && cell.importance() == kHigh) {
      // 3 is not small, but 5 answered minus 3 would give the 2 away.
      EXPECT_TRUE(cell.members().withheld());
    }
  }
  EXPECT_THAT(a.rule(), ::testing::Not(HasSubstr("2 members")));
  EXPECT_EQ(a.recommended(), v1::POOLING_MODALITY_NOTHING_YET);

  // A network with a higher minimum withholds more; an animator sees exact counts.
  v1::PoolingThresholds t;
  t.set_min_group_size(6);
  EXPECT_EQ(AnalyseFunction(Function("insurance", v1::FUNCTION_NATURE_PURCHASE), answers, t,
                            Audience::kMember)
                .answered()
                .fewer_than(),
            6);
  EXPECT_EQ(AnalyseFunction(Function("insurance", v1::FUNCTION_NATURE_PURCHASE), answers, t,
                            Audience::kAnimator)
                .demand()
                .exact(),
            2);
}

TEST(PoolingAnalysisTest, ThresholdsOutOfRangeAreRefusedByName) {
  EXPECT_TRUE(ValidateThresholds({}).ok());
  v1::PoolingThresholds t;
  t.set_min_group_size(1);
  EXPECT_THAT(ValidateThresholds(t).message(), HasSubstr("min_group_size"));
  t = {};
  t.set_saving_percent_group_purchasing(150);
  EXPECT_THAT(ValidateThresholds(t).message(), HasSubstr("saving_percent_group_purchasing"));
  t = {};
  t.set_min_demand(-2);
  EXPECT_THAT(ValidateThresholds(t).message(), HasSubstr("min_demand"));
  EXPECT_EQ(WithDefaults({}).min_group_size(), 3);
}

}  // namespace
}  // namespace maillage::assessment
