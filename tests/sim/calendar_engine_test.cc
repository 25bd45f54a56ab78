// The calendar in the engine: events that change act probabilities, goal
// windows, and targets against the replications' own counts.

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "models/compiled_model.h"
#include "models/validation.h"
#include "sim/engine.h"
#include "sim/targets.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_text;

// Everyone enters at "ad" on day 0 and acts with probability 0.2; acting
// leads to the goal, after `delay` days on average.
std::string journey(const std::string& delay, const std::string& more) {
  return R"(
name: "one_step"
simulation { horizon_days: 30 agents: 20000 replications: 4 seed: 11 }
personas { id: "p" }
channels { id: "web" }
touchpoints { id: "ad" stage: AWARENESS channel: "web" entry_weight: 1 cta { act_probability: 0.2 } }
touchpoints { id: "buy" stage: DECISION channel: "web" goal { kind: "purchase" value: 5 } }
edges { from: "ad" to: "buy" delay_days: )" +
         delay + " }\n" + more;
}

struct Run {
  CompiledModel model;
  std::vector<ReplicationCounts> counts;
  double converted_share() const {
    double converted = 0;
    for (const ReplicationCounts& c : counts) converted += static_cast<double>(c.converted_agents);
    return converted /
           (static_cast<double>(counts.size()) * static_cast<double>(model.settings.agents));
  }
};

Run run(const std::string& text) {
  const v1::Scenario s = parse_text(text);
  Diagnostics d("test");
  REQUIRE(validate_scenario(s, nullptr, d));
  Run r{compile(s, ""), {}};
  r.counts = Engine(r.model, 11).run(0, 4);
  return r;
}

// |share - expected| within 4 binomial standard errors of the agents run.
void check_share(double share, double expected, double agents) {
  const double se = std::sqrt(expected * (1 - expected) / agents);
  CHECK(std::abs(share - expected) <= 4 * se);
}

TEST_CASE("engine calendar: an event multiplies the act probability of its stages on its days") {
  const double agents = 4 * 20000;
  // Day 0 doubled: 0.4 instead of 0.2.
  check_share(
      run(journey("0", R"(events { name: "sale" from_day: 0 to_day: 0 act_multiplier: 2 })"))
          .converted_share(),
      0.4, agents);
  // Another stage, another day, or another channel: no change.
  check_share(run(journey("0", R"(events { name: "sale" from_day: 0 to_day: 0 act_multiplier: 2
                                     stages: [DECISION] })"))
                  .converted_share(),
              0.2, agents);
  check_share(
      run(journey("0", R"(events { name: "sale" from_day: 1 to_day: 9 act_multiplier: 2 })"))
          .converted_share(),
      0.2, agents);
  // Capped at 1: 0.2 x 10.
  CHECK(run(journey("0", R"(events { name: "sale" from_day: 0 to_day: 0 act_multiplier: 10 })"))
            .converted_share() == 1.0);
}

TEST_CASE("engine calendar: a goal window holds early arrivals to its opening and ends late ones") {
  const double agents = 4 * 20000;
  // Opening on day 10: every conversion happens on day 10, as many as ever.
  const Run opening = run(journey("0", "") + "");
  v1::Scenario s = parse_text(journey("0", ""));
  s.mutable_touchpoints(1)->mutable_goal()->set_open_from_day(10);
  Diagnostics d("test");
  REQUIRE(validate_scenario(s, nullptr, d));
  const CompiledModel windowed = compile(s, "");
  CHECK(windowed.has_goal_windows);
  const std::vector<ReplicationCounts> counts = Engine(windowed, 11).run(0, 4);
  for (size_t r = 0; r < counts.size(); ++r) {
    const std::vector<uint64_t>& daily = counts[r].series.new_conversions;
    for (size_t t = 0; t < daily.size(); ++t) {
      if (t != 10) CHECK(daily[t] == 0);
    }
    // The same people as without a window: they only wait.
    CHECK(daily[10] == opening.counts[r].converted_agents);
  }
  // Closing on day 0 with a mean delay of 3 days: only the arrivals of day
  // 0 convert, a share 1 / (1 + 3) of those who act (delays are geometric).
  check_share(run(journey("3", "")).converted_share(), 0.2, agents);
  v1::Scenario closing = parse_text(journey("3", ""));
  closing.mutable_touchpoints(1)->mutable_goal()->set_open_to_day(0);
  REQUIRE(validate_scenario(closing, nullptr, d));
  const CompiledModel closed = compile(closing, "");
  Run late{closed, Engine(closed, 11).run(0, 4)};
  check_share(late.converted_share(), 0.2 * 0.25, agents);
}

TEST_CASE("engine calendar: a target's chance and earliest day, against the replication counts") {
  // Exposure form: daily paid reach brings people in over the horizon.
  const std::string text = R"(
name: "target"
simulation { horizon_days: 40 agents: 3000 replications: 10 seed: 5 population: 30000 }
personas { id: "p" channel_affinity { key: "ads" value: 0.5 } }
channels { id: "ads" weekly_budget: 700 cpm: 10 max_reach: 0.1 half_saturation: 50 }
channels { id: "web" }
touchpoints { id: "ad" stage: AWARENESS channel: "ads" entry_weight: 1 cta { act_probability: 0.05 } }
touchpoints { id: "buy" stage: DECISION channel: "web" goal { kind: "purchase" value: 5 } }
edges { from: "ad" to: "buy" }
targets { name: "sales" kpi: "conversions" at_least: 420 by_day: 30 }
targets { name: "cap" kpi: "cost" at_most: 2000 by_day: 19 }
)";
  const v1::Scenario s = parse_text(text);
  Diagnostics d("test");
  REQUIRE(validate_scenario(s, nullptr, d));
  for (const v1::Target& t : s.targets()) REQUIRE(target_kpi_problem(s, t).empty());
  CompiledModel m = compile(s, "");
  const std::vector<ReplicationCounts> counts = Engine(m, 5).run(0, 10);
  // By hand: the goal events by the end of day d, times 10 people an agent.
  auto sales_by = [&](const ReplicationCounts& c, int day) {
    return static_cast<double>(c.series.goal_events_through[static_cast<size_t>(day)]) * 10;
  };
  // The threshold: the median of the replications by day 30, so that it
  // splits them and the chance is informative.
  std::vector<double> by_30;
  for (const ReplicationCounts& c : counts) by_30.push_back(sales_by(c, 30));
  std::sort(by_30.begin(), by_30.end());
  const double threshold = by_30[5];
  m.targets[0].threshold = threshold;
  const std::vector<TargetOutcome> outcomes = evaluate_targets(m, counts, 0.95);
  REQUIRE(outcomes.size() == 2);
  // At the real population's spread: each agent stands for 10 people, so
  // a replication's deviation from the mean is divided by sqrt(10).
  auto at_population = [&](int day) {
    double mean = 0;
    for (const ReplicationCounts& c : counts) mean += sales_by(c, day);
    mean /= static_cast<double>(counts.size());
    std::vector<double> out;
    for (const ReplicationCounts& c : counts) {
      out.push_back(mean + (sales_by(c, day) - mean) / std::sqrt(10.0));
    }
    return out;
  };
  const std::vector<double> by_30_population = at_population(30);
  int met = 0;
  for (size_t r = 0; r < counts.size(); ++r) {
    const bool by_hand = by_30_population[r] >= threshold;
    CHECK(outcomes[0].met[r] == by_hand);
    CHECK(outcomes[0].kpi.samples[r] == doctest::Approx(sales_by(counts[r], 30)));
    met += by_hand;
  }
  CHECK(met > 0);
  CHECK(met < 10);
  std::optional<int> first_day;
  for (int t = 0; t < 40 && !first_day; ++t) {
    int by_day = 0;
    for (double v : at_population(t)) by_day += v >= threshold;
    if (by_day >= 8) first_day = t;
  }
  CHECK(outcomes[0].earliest_day_p80 == first_day);
  // The cost by day 19 is 20 days of 100: met in every replication.
  CHECK(std::count(outcomes[1].met.begin(), outcomes[1].met.end(), true) == 10);
  CHECK(outcomes[1].kpi.samples[0] == doctest::Approx(2000));
  CHECK_FALSE(outcomes[1].earliest_day_p80.has_value());

  v1::RunResult result;
  set_targets(m, outcomes, 0.95, result.mutable_targets());
  const v1::TargetResult& sales = result.targets(0);
  CHECK(sales.probability().mean() == doctest::Approx(met / 10.0));
  CHECK(sales.probability().n() == 10);
  CHECK(sales.probability().ci_low() < sales.probability().mean());
  CHECK(sales.probability().ci_high() > sales.probability().mean());
  CHECK(sales.by_date().empty());  // undated

  // A KPI not counted by day cannot be a target.
  v1::Scenario bad = s;
  bad.mutable_targets(0)->set_kpi("reach_rate");
  CHECK(target_kpi_problem(bad, bad.targets(0)).find("is not counted day by day") !=
        std::string::npos);
  bad.mutable_targets(0)->set_kpi("conversions:donation");
  CHECK(target_kpi_problem(bad, bad.targets(0)).find("target 'sales' kpi: ") == 0);
}

TEST_CASE("engine calendar: targets on one channel's spend and exposures") {
  // Two paid channels; "search" spends 1400 a week, and 7000 a week in a
  // flight on days 7-13. Every spend is fixed by the plan.
  const std::string text = R"(
name: "per channel"
simulation { horizon_days: 28 agents: 2000 replications: 6 seed: 3 population: 20000 }
personas { id: "p" channel_affinity { key: "social" value: 0.5 } channel_affinity { key: "search" value: 0.5 } }
channels { id: "social" weekly_budget: 700 cpm: 10 max_reach: 0.1 half_saturation: 50 }
channels { id: "search" weekly_budget: 1400 cpm: 20 max_reach: 0.1 half_saturation: 50
           flights { from_day: 7 to_day: 13 weekly_budget: 7000 } }
channels { id: "web" }
touchpoints { id: "ad" stage: AWARENESS channel: "social" entry_weight: 1 cta { act_probability: 0.05 } }
touchpoints { id: "query" stage: CONSIDERATION channel: "search" entry_weight: 1 cta { act_probability: 0.05 } }
touchpoints { id: "buy" stage: DECISION channel: "web" goal { kind: "purchase" value: 5 } }
edges { from: "ad" to: "buy" }
edges { from: "query" to: "buy" }
targets { name: "search_cap" kpi: "cost:search" at_most: 8500 by_day: 13 }
targets { name: "social_seen" kpi: "paid_exposures:social" at_least: 1 by_day: 20 }
)";
  const v1::Scenario s = parse_text(text);
  Diagnostics d("test");
  REQUIRE(validate_scenario(s, nullptr, d));
  for (const v1::Target& t : s.targets()) REQUIRE(target_kpi_problem(s, t).empty());
  const CompiledModel m = compile(s, "");
  const std::vector<ReplicationCounts> counts = Engine(m, 3).run(0, 6);
  const std::vector<TargetOutcome> outcomes = evaluate_targets(m, counts, 0.95);
  REQUIRE(outcomes.size() == 2);
  // Search by day 13: a week at 200 a day, then a week at 1000 a day.
  CHECK(outcomes[0].kpi.samples[0] == doctest::Approx(7 * 200 + 7 * 1000));
  CHECK(outcomes[0].kpi.fixed_by_model);
  CHECK(std::count(outcomes[0].met.begin(), outcomes[0].met.end(), true) == 6);
  // Social's paid exposures by day 20, by hand from the running totals
  // ([day * channels + channel], channels in scenario order), 10 people an
  // agent; search's are not in them.
  const size_t channels = 3;
  for (size_t r = 0; r < counts.size(); ++r) {
    const auto& paid = counts[r].series.paid_through;
    CHECK(outcomes[1].kpi.samples[r] ==
          doctest::Approx(static_cast<double>(paid[20 * channels]) * 10));
    CHECK(outcomes[1].kpi.samples[r] > 0);
  }
  CHECK_FALSE(outcomes[1].kpi.fixed_by_model);
  const std::optional<KpiInfo> info = kpi_info("cost:search");
  REQUIRE(info.has_value());
  CHECK(info->label == "spend on search");
  CHECK(info->channel == "search");
  CHECK(info->by_day);
  CHECK(kpi_info("conversions:purchase")->channel.empty());

  // What is refused, and why.
  auto problem = [&](const std::string& kpi) {
    v1::Scenario bad = s;
    bad.mutable_targets(0)->set_kpi(kpi);
    return target_kpi_problem(bad, bad.targets(0));
  };
  CHECK(testing::contains(problem("cost:tv"),
                 "the scenario has no channel 'tv'; its channels are 'social', 'search', 'web'"));
  CHECK(testing::contains(problem("conversions:search"),
                 "conversions is not counted per channel ('search' is a channel)"));
  CHECK(testing::contains(problem("conversions:search"), "cjsim attribute"));
  CHECK(testing::contains(problem("reach_rate:search"), "is not counted day by day"));
  CHECK(testing::contains(problem("profit:search"), "not counted per goal kind or per channel"));
  // Elsewhere (--rank-by, --objective, curves' --kpi) they are not KPIs of a run.
  CHECK(testing::contains(kpi_not_counted(s, "cost:search"), "KPIs per channel are for targets"));
  CHECK(kpi_not_counted(s, "cost:search", true).empty());
}

TEST_CASE("engine calendar: a publishing plan's organic exposures, against the closed form") {
  // One persona online from 18:00 (weight 1) and at 12:00 (weight 0.5);
  // posts on Monday, Wednesday and Friday at 12:00 (plain) and on Friday
  // and Saturday at 18:00 as reels (reach x 1.6). Day 0 is a Monday.
  const std::string text = R"(
name: "plan"
simulation { horizon_days: 28 agents: 20000 replications: 4 seed: 9 }
personas { id: "p" channel_affinity { key: "insta" value: 0.5 }
           active_hours: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0] }
channels { id: "insta" organic_reach: 0.1
           posts { weekdays: [MONDAY, WEDNESDAY, FRIDAY] hour: 12 }
           posts { weekdays: [FRIDAY, SATURDAY] hour: 18 format: "reel" } }
formats { id: "reel" reach_multiplier: 1.6 act_multiplier: 0.5 }
touchpoints { id: "post" stage: AWARENESS channel: "insta" entry_weight: 1 goal { kind: "view" } }
)";
  const v1::Scenario s = parse_text(text);
  Diagnostics d("test");
  REQUIRE(validate_scenario(s, nullptr, d));
  const CompiledModel m = compile(s, "");
  // By hand: a plain post reaches 0.5 x 0.1 x 0.5 = 0.025 of the persona,
  // a reel 0.5 x 0.1 x 1 x 1.6 = 0.08; each is its own source.
  REQUIRE(m.exposure[0].sources.size() == 2);
  const double plain = 0.025, reel = 0.08;
  double expected = 0;
  for (int t = 0; t < 28; ++t) {
    const int weekday = t % 7;  // 0 = Monday
    const double p_plain = (weekday == 0 || weekday == 2 || weekday == 4) ? plain : 0.0;
    const double p_reel = (weekday == 4 || weekday == 5) ? reel : 0.0;
    CHECK(m.exposure[0].probability[static_cast<size_t>(t) * 2] == doctest::Approx(p_plain));
    CHECK(m.exposure[0].probability[static_cast<size_t>(t) * 2 + 1] == doctest::Approx(p_reel));
    expected += p_plain + p_reel;
  }
  // Expected organic exposures per agent: the sum of the days'
  // probabilities; against the simulation, within 4 standard errors (a sum
  // of independent Bernoulli draws per agent).
  double variance = 0;
  for (int t = 0; t < 28; ++t) {
    const int weekday = t % 7;
    for (double q : {(weekday == 0 || weekday == 2 || weekday == 4) ? plain : 0.0,
                     (weekday == 4 || weekday == 5) ? reel : 0.0}) {
      variance += q * (1 - q);
    }
  }
  const std::vector<ReplicationCounts> counts = Engine(m, 9).run(0, 4);
  double exposures = 0;
  for (const ReplicationCounts& c : counts) exposures += static_cast<double>(c.channel_organic[0]);
  const double agents = 4.0 * 20000;
  CHECK(std::abs(exposures / agents - expected) <= 4 * std::sqrt(variance / agents));
}

TEST_CASE("engine calendar: a post's format scales the act probability of the step it starts") {
  // Everyone is reached by a post on day 0 only (reach 1); the landing
  // touchpoint's act probability 0.4, x 0.5 for a reel.
  auto share_acting = [](const std::string& format) {
    const std::string text = std::string(R"(
name: "format"
simulation { horizon_days: 2 agents: 20000 replications: 4 seed: 4 }
personas { id: "p" channel_affinity { key: "insta" value: 1 } }
channels { id: "insta" organic_reach: 1 posts { weekdays: [MONDAY] hour: 12 )") +
                             (format.empty() ? "" : "format: \"" + format + "\"") + R"( } }
channels { id: "web" }
formats { id: "reel" act_multiplier: 0.5 }
touchpoints { id: "post" stage: AWARENESS channel: "insta" entry_weight: 1 cta { act_probability: 0.4 } }
touchpoints { id: "shop" stage: DECISION channel: "web" goal { kind: "purchase" value: 1 } }
edges { from: "post" to: "shop" }
)";
    const v1::Scenario s = parse_text(text);
    Diagnostics d("test");
    REQUIRE(validate_scenario(s, nullptr, d));
    const CompiledModel m = compile(s, "");
    const std::vector<ReplicationCounts> counts = Engine(m, 4).run(0, 4);
    double converted = 0;
    for (const ReplicationCounts& c : counts) converted += static_cast<double>(c.converted_agents);
    return converted / (4.0 * 20000);
  };
  const double agents = 4.0 * 20000;
  check_share(share_acting(""), 0.4, agents);
  check_share(share_acting("reel"), 0.2, agents);
}

TEST_CASE("engine calendar: the Wilson interval, against its formula") {
  // 8 of 10 at 95%: centre (0.8 + 1.92/10) / 1.384, half-width 1.96 / 1.384
  // x sqrt(0.016 + 0.0096) (Wilson 1927).
  const Estimate e = wilson_estimate(8, 10, 0.95);
  const double z = 1.959963984540054;
  const double centre = (0.8 + z * z / 20) / (1 + z * z / 10);
  const double half = z / (1 + z * z / 10) * std::sqrt(0.8 * 0.2 / 10 + z * z / 400);
  CHECK(e.mean == 0.8);
  CHECK(e.ci_low == doctest::Approx(centre - half));
  CHECK(e.ci_high == doctest::Approx(centre + half));
  CHECK(e.ci_low == doctest::Approx(0.4902).epsilon(1e-3));  // the published 0.490 to 0.943
  CHECK(e.ci_high == doctest::Approx(0.9433).epsilon(1e-3));
  const Estimate none = wilson_estimate(0, 16, 0.95);
  CHECK(none.ci_low == 0);
  CHECK(none.ci_high > 0.1);
}

}  // namespace
}  // namespace cjsim
