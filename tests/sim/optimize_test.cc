// The optimizer (sim/optimize.h) against a brute-force grid of the same
// scenario, its verification (sim/mix_verification.h) and the global split
// of its response surface (sim/budget_allocation.h).

#include "sim/optimize.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "sim/budget_allocation.h"
#include "sim/mix_runner.h"
#include "sim/mix_verification.h"
#include "sim/planning.h"
#include "tests/care_trade.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::kCareTrade;
using testing::parse_text;

// A steady channel (concave, profitable up to a point), an S-shaped one
// (hill_shape 3: nothing below about 2,000 a week, very profitable past
// 3,000) that the current mix holds in its flat part, and a dud that costs
// money and reaches no touchpoint. Its profit optimum spends part of the
// total: steady about 5,000, wave about 8,000, dud 0.
const char* kSCurveDud = R"(
name: "s_curve_dud"
simulation { horizon_days: 28 population: 200000 agents: 4000 replications: 8 seed: 11 }
personas { id: "all" channel_affinity { key: "steady" value: 1 } channel_affinity { key: "wave" value: 1 } channel_affinity { key: "dud" value: 1 } }
channels { id: "steady" weekly_budget: 2000 cpm: 10 max_reach: 0.04 half_saturation: 300 }
channels { id: "wave" weekly_budget: 1000 cpm: 4 max_reach: 0.1 half_saturation: 500 hill_shape: 3 }
channels { id: "dud" weekly_budget: 2000 cpm: 10 max_reach: 0.1 half_saturation: 300 }
channels { id: "web" }
touchpoints { id: "ad_steady" stage: AWARENESS channel: "steady" entry_weight: 1 cta { act_probability: 0.1 } }
touchpoints { id: "ad_wave" stage: AWARENESS channel: "wave" entry_weight: 1 cta { act_probability: 0.1 } }
touchpoints { id: "buy" stage: DECISION channel: "web" goal { kind: "purchase" value: 5 } }
edges { from: "ad_steady" to: "buy" }
edges { from: "ad_wave" to: "buy" }
)";

constexpr double kTotal = 20000;

std::vector<PlannedChannel> planned_channels() {
  return {{0, 0, kTotal}, {1, 0, kTotal}, {2, 0, kTotal}};
}

std::vector<double> recommended(const v1::OptimizeResult& r) {
  std::vector<double> out;
  for (const v1::ChannelBudget& b : r.recommended().channels()) out.push_back(b.weekly_budget());
  return out;
}

TEST_CASE("optimize: profit with an S-shaped channel and a dud matches a brute-force grid") {
  const v1::Scenario scenario = parse_text(kSCurveDud);
  const std::vector<PlannedChannel> channels = planned_channels();
  OptimizeSettings settings;
  settings.objective = "profit";
  settings.total = kTotal;
  settings.spend_all = false;
  settings.confirm_replications = 32;
  const v1::OptimizeResult result = optimize_mix(scenario, channels, settings, nullptr);
  const std::vector<double> plan = recommended(result);
  REQUIRE(plan.size() == 3);

  // The grid: steady 0..8,000 by 1,000 and wave 0..12,000 by 1,500, the
  // dud at 0 (any budget on it is pure cost), on the search's seed.
  MixRunner grid(scenario, channels, "profit", "conversions", 0, nullptr);
  std::vector<double> best;
  double best_score = 0;
  for (double steady = 0; steady <= 8000; steady += 1000) {
    for (double wave = 0; wave <= 12000; wave += 1500) {
      const double score = grid.score(grid.run({steady, wave, 0}, 16).objective);
      if (best.empty() || score > best_score) {
        best = {steady, wave, 0};
        best_score = score;
      }
    }
  }
  CAPTURE(best[0]);
  CAPTURE(best[1]);
  CAPTURE(plan[0]);
  CAPTURE(plan[1]);
  CAPTURE(plan[2]);
  // The grid's best is past the S-curve's bend: a search that stayed near
  // the current mix (wave 1,000) would not find it. The bend is where the
  // S-curve turns from rising ever faster to rising ever slower, the
  // inflection of its Hill curve x^s / (x^s + K^s) (docs/model.md
  // "Exposure"): x = K ((s - 1) / (s + 1))^(1/s) in daily spend (no adstock
  // here), so 7 x 500 x (1/2)^(1/3), about 2,780 a week; a search stuck in
  // the flat part stays below it.
  const double bend = 7 * 500 * std::cbrt(0.5);
  REQUIRE(best[1] >= bend);

  // Both mixes on fresh replications (another seed), paired: the grid's
  // best is not detectably better than the recommendation.
  v1::Scenario fresh = scenario;
  fresh.mutable_simulation()->set_seed(4242);
  MixRunner check(fresh, channels, "profit", "conversions", 0, nullptr);
  const MixRunner::Run grid_run = check.run(best, 64);
  const MixRunner::Run plan_run = check.run(plan, 64);
  const KpiComparison gain = paired_gain(plan_run.objective, grid_run.objective, 0, 0.95, 1, 0);
  CAPTURE(gain.difference.mean);
  CAPTURE(gain.difference.ci_low);
  CHECK(gain.difference.ci_low <= 0);

  CHECK(plan[2] == 0);     // the dud is dropped
  CHECK(plan[1] >= bend);  // the S-shaped channel is past its bend
  CHECK(result.verification().outcome() == "none_helps");
  CHECK(result.mroas_check().outcome() != "failed");
  // Every channel strictly inside its bounds returns about 1 at the margin.
  for (const v1::MarginalReturn& m : result.marginal()) {
    if (m.channel() == "dud") continue;
    CAPTURE(m.channel());
    CHECK(m.mroas().ci_low() <= 1);
    CHECK(m.mroas().ci_high() >= 1);
  }
}

TEST_CASE("optimize --plan-care: care's staffing against ad budget matches a brute-force grid") {
  const v1::Scenario scenario = parse_text(kCareTrade);
  REQUIRE(care_staffing_refused(scenario).empty());
  constexpr double kWeeklyPerUnit = 0.2 * 7;  // a unit of daily capacity, a week
  const std::vector<PlannedChannel> channels = {{0, 0, 6000}, {kCareStaffing, 0, 6000}};
  OptimizeSettings settings;
  settings.objective = "profit";
  settings.total = 6000;
  settings.spend_all = false;
  settings.confirm_replications = 32;
  const v1::OptimizeResult result = optimize_mix(scenario, channels, settings, nullptr);
  const std::vector<double> plan = recommended(result);
  REQUIRE(plan.size() == 2);
  REQUIRE(result.recommended().channels(1).channel() == "care");
  // The current staffing is the scenario's: 5 a day, 7 a week.
  CHECK(result.current().channels(1).weekly_budget() == doctest::Approx(5 * kWeeklyPerUnit));
  CHECK(result.current().care_daily_capacity() == doctest::Approx(5));
  CHECK(result.recommended().care_daily_capacity() == doctest::Approx(plan[1] / kWeeklyPerUnit));

  // The grid: ads 1,000..6,000 by 500, capacity 0..500 by 25.
  MixRunner grid(scenario, channels, "profit", "conversions", 0, nullptr);
  std::vector<double> best;
  double best_score = 0;
  for (double ads = 1000; ads <= 6000; ads += 500) {
    for (double capacity = 0; capacity <= 500; capacity += 25) {
      const MixRunner::Run run = grid.run({ads, capacity * kWeeklyPerUnit}, 16);
      // The staffing is in the cost: the ads' spend plus capacity x unit x days.
      REQUIRE(run.cost == doctest::Approx(ads * 8 + capacity * 0.2 * 56));
      const double score = grid.score(run.objective);
      if (best.empty() || score > best_score) {
        best = {ads, capacity * kWeeklyPerUnit};
        best_score = score;
      }
    }
  }
  CAPTURE(best[0]);
  CAPTURE(best[1] / kWeeklyPerUnit);
  CAPTURE(plan[0]);
  CAPTURE(plan[1] / kWeeklyPerUnit);
  // The grid's best staffs care well above the current 5 a day, and above
  // the dip where a queue shorter of capacity than of arrivals answers
  // nothing in time.
  REQUIRE(best[1] / kWeeklyPerUnit >= 200);
  CHECK(plan[1] / kWeeklyPerUnit >= 200);

  // Both mixes on fresh replications (another seed), paired: the grid's
  // best is not detectably better than the recommendation.
  v1::Scenario fresh = scenario;
  fresh.mutable_simulation()->set_seed(4242);
  MixRunner check(fresh, channels, "profit", "conversions", 0, nullptr);
  const KpiComparison gain =
      paired_gain(check.run(plan, 64).objective, check.run(best, 64).objective, 0, 0.95, 1, 0);
  CAPTURE(gain.difference.mean);
  CAPTURE(gain.difference.ci_low);
  CHECK(gain.difference.ci_low <= 0);
  CHECK(result.verification().outcome() == "none_helps");
}

// The verification of `budgets` on kSCurveDud, spending at most kTotal
// for profit, judged on `replications` after a screen on 8.
VerifiedMix verify_on_s_curve(const std::vector<double>& budgets, int replications, int rounds) {
  const v1::Scenario scenario = parse_text(kSCurveDud);
  const std::vector<PlannedChannel> channels = planned_channels();
  MixRunner runner(scenario, channels, "profit", "conversions", 0, nullptr);
  VerificationSettings settings;
  settings.total = kTotal;
  settings.spend_all = false;
  settings.screen_replications = 8;
  settings.replications = replications;
  settings.max_rounds = rounds;
  return verify_mix(runner, scenario, channels, runner.run(budgets, replications), settings,
                    nullptr);
}

TEST_CASE("optimize: the verification takes a move that helps and then finds none") {
  // A mix that wastes 6,000 a week on the dud.
  const VerifiedMix v = verify_on_s_curve({5000, 8000, 6000}, 32, 6);
  CHECK(v.record.outcome() == "none_helps");
  CHECK(v.run.budgets[2] == 0);
  bool cut_dud = false;
  for (const v1::MixMove& m : v.record.moves()) {
    if (m.taken() && m.channel() == "dud") cut_dud = true;
    CHECK(m.round() >= 1);
    CHECK(m.round() <= v.record.rounds());
  }
  CHECK(cut_dud);
  // The last round (none helps) tries, per channel with room, down, to the
  // lower bound and up, and a shift for every ordered pair with room.
  int last_round_shifts = 0;
  for (const v1::MixMove& m : v.record.moves()) {
    last_round_shifts += m.round() == v.record.rounds() && m.kind() == "shift";
  }
  CHECK(last_round_shifts == 4);  // none out of the dud at 0
}

TEST_CASE("optimize: a budget too small to matter is tidied to its lower bound (round 0)") {
  const VerifiedMix v = verify_on_s_curve({5000, 8000, 9.1}, 16, 1);
  REQUIRE(v.record.moves_size() > 0);
  CHECK(v.record.moves(0).round() == 0);
  CHECK(v.record.moves(0).channel() == "dud");
  CHECK(v.record.moves(0).taken());
  CHECK(v.run.budgets[2] == 0);
}

TEST_CASE("budget allocation: the split of S-shaped curves is global, corners included") {
  // Two S-shaped curves: each worth nothing below 6 and 10 above it; a
  // total of 10 split evenly (5 + 5) is worth 0, while 10 on one is worth
  // 10. A marginal (greedy) split would stay even.
  ResponsePoints s;
  s.budgets = {0, 5, 6, 10};
  s.values = {0, 0, 10, 10};
  const std::vector<double> split = best_separable_split({s, s}, {0, 0}, {10, 10}, 10, true, 20);
  CHECK(std::max(split[0], split[1]) >= 6);
  CHECK(split[0] + split[1] == doctest::Approx(10));
  // Spending at most: a falling curve gets nothing.
  ResponsePoints falling;
  falling.budgets = {0, 10};
  falling.values = {0, -5};
  const std::vector<double> at_most =
      best_separable_split({s, falling}, {0, 0}, {10, 10}, 10, false, 20);
  CHECK(at_most[1] == 0);
  CHECK(at_most[0] >= 6);
  // Lower bounds are kept.
  const std::vector<double> bounded =
      best_separable_split({s, falling}, {0, 2}, {10, 10}, 10, true, 20);
  CHECK(bounded[1] == doctest::Approx(2));
}

TEST_CASE(
    "optimize: objectives are registry KPIs, and per goal kind the target modes count that kind") {
  CHECK(is_mix_objective("conversions"));
  CHECK(is_mix_objective("conversions:donation"));
  CHECK(is_mix_objective("value:donation"));
  CHECK(is_mix_objective("profit"));
  CHECK(is_mix_objective("active_customers"));
  CHECK_FALSE(is_mix_objective("cost_per_conversion"));
  CHECK_FALSE(is_mix_objective("cost"));
  CHECK_FALSE(is_mix_objective("retention_rate"));
  CHECK_FALSE(is_mix_objective("profit:donation"));
  CHECK(counted_conversions("value:donation") == "conversions:donation");
  CHECK(counted_conversions("profit") == "conversions");
}

// Two channels reaching a goal, small enough to optimize in a second or
// two: the cases below test the contract of any recommendation (the total
// and the bounds), not how good it is.
const char* kOptimizeTwoChannels = R"(
name: "two_channels"
simulation { horizon_days: 14 population: 100000 agents: 1000 replications: 4 seed: 5 }
personas { id: "all" channel_affinity { key: "search" value: 1 } channel_affinity { key: "video" value: 1 } }
channels { id: "search" weekly_budget: 1000 cpm: 8 max_reach: 0.05 half_saturation: 200 }
channels { id: "video" weekly_budget: 500 cpm: 4 max_reach: 0.08 half_saturation: 400 hill_shape: 2 }
channels { id: "web" }
touchpoints { id: "ad_search" stage: AWARENESS channel: "search" entry_weight: 1 cta { act_probability: 0.2 } }
touchpoints { id: "ad_video" stage: AWARENESS channel: "video" entry_weight: 1 cta { act_probability: 0.1 } }
touchpoints { id: "buy" stage: DECISION channel: "web" goal { kind: "purchase" value: 8 } }
edges { from: "ad_search" to: "buy" }
edges { from: "ad_video" to: "buy" }
)";

OptimizeSettings small_search(const std::string& objective, double total, bool spend_all) {
  OptimizeSettings settings;
  settings.objective = objective;
  settings.total = total;
  settings.spend_all = spend_all;
  settings.confirm_replications = 8;
  settings.surface_points = 3;
  settings.verify_rounds = 1;
  settings.max_evaluations = 12;
  return settings;
}

// The recommendation of `settings` for kOptimizeTwoChannels, checked against the
// contract: each channel within its bounds, the total spent (spend_all) or
// not exceeded, and the current mix the scenario's.
void check_recommendation_contract(const std::vector<PlannedChannel>& channels,
                                   const OptimizeSettings& settings) {
  const v1::Scenario scenario = parse_text(kOptimizeTwoChannels);
  const v1::OptimizeResult result = optimize_mix(scenario, channels, settings, nullptr);
  const std::vector<double> plan = recommended(result);
  REQUIRE(plan.size() == channels.size());
  // Budgets are compared to within a billionth of the total: the search
  // works in floating point, the contract is on the money.
  const double slack = 1e-9 * settings.total;
  double spent = 0;
  for (size_t i = 0; i < plan.size(); ++i) {
    CAPTURE(i);
    CAPTURE(plan[i]);
    CHECK(result.recommended().channels(static_cast<int>(i)).channel() ==
          scenario.channels(channels[i].channel).id());
    CHECK(plan[i] >= channels[i].lower - slack);
    CHECK(plan[i] <= channels[i].upper + slack);
    CHECK(result.current().channels(static_cast<int>(i)).weekly_budget() ==
          scenario.channels(channels[i].channel).weekly_budget());
    spent += plan[i];
  }
  CAPTURE(spent);
  CHECK(spent <= settings.total + slack);
  if (settings.spend_all) CHECK(spent >= settings.total - slack);
  CHECK(result.weekly_budget() == settings.total);
  CHECK(result.recommended().total_weekly_budget() == doctest::Approx(spent));
}

TEST_CASE("optimize: a recommendation spending the whole total spends it, within the bounds") {
  check_recommendation_contract({{0, 500, 2500}, {1, 0, 2000}},
                                small_search("conversions", 3000, true));
}

TEST_CASE("optimize: a recommendation spending at most the total stays within it and the bounds") {
  // Profit may well leave money unspent; a lower bound keeps video on.
  check_recommendation_contract({{0, 0, 4000}, {1, 300, 1500}},
                                small_search("profit", 4000, false));
}

TEST_CASE("optimize: the target modes and a risk objective keep to the total and the bounds too") {
  // In the target modes the total is the most the search may spend.
  const std::vector<PlannedChannel> free = {{0, 0, 5000}, {1, 0, 5000}};
  OptimizeSettings conversions = small_search("conversions", 5000, false);
  conversions.mode = OptimizeSettings::Mode::kTargetConversions;
  conversions.target = 50;
  check_recommendation_contract(free, conversions);
  OptimizeSettings cpa = small_search("conversions", 5000, false);
  cpa.mode = OptimizeSettings::Mode::kTargetCpa;
  cpa.target = 200;
  check_recommendation_contract(free, cpa);
  OptimizeSettings worst_quarter = small_search("profit", 3000, true);
  worst_quarter.cvar = 0.25;
  check_recommendation_contract({{0, 0, 3000}, {1, 0, 3000}}, worst_quarter);
}

TEST_CASE("regression: optimize with every planned channel locked crashed (SIGSEGV in project)") {
  // No channel may move: the search evaluated the one mix there is through
  // the projection onto the bounds, which read the largest of no budgets.
  check_recommendation_contract({{0, 1000, 1000}, {1, 500, 500}},
                                small_search("conversions", 1500, true));
}

}  // namespace
}  // namespace cjsim
