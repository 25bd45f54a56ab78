// End-to-end tests of `cjsim optimize` and `cjsim curves` on small
// scenarios whose best mix is known, and their bad input.

#include <cmath>
#include <numeric>
#include <string>

#include <doctest/doctest.h>

#include "cjsim/v1/result.pb.h"
#include "tests/care_trade.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::csv_number_at;
using testing::kCareTrade;
using testing::parse_json;
using testing::read_table;
using testing::run_cli;
using testing::same;
using testing::TempDir;

// Two identical paid channels whose ads land on a goal (concave, Hill
// response), a channel that costs money and reaches no one, and the web
// shop. All the budget starts on channel "a".
const char* kCliTwoChannels = R"(
name: "two_channels"
simulation { horizon_days: 20 agents: 8000 replications: 8 seed: 5 }
personas { id: "all" channel_affinity { key: "a" value: 1 } channel_affinity { key: "b" value: 1 } }
channels { id: "a" weekly_budget: 1400 cpm: 10 max_reach: 0.1 half_saturation: 50 }
channels { id: "b" weekly_budget: 0 cpm: 10 max_reach: 0.1 half_saturation: 50 }
channels { id: "dud" weekly_budget: 700 cpm: 10 }
channels { id: "web" }
touchpoints { id: "ad_a" stage: AWARENESS channel: "a" entry_weight: 1 cta { act_probability: 0.2 } }
touchpoints { id: "ad_b" stage: AWARENESS channel: "b" entry_weight: 1 cta { act_probability: 0.2 } }
touchpoints { id: "buy" stage: DECISION channel: "web" goal { kind: "purchase" value: 30 } }
edges { from: "ad_a" to: "buy" }
edges { from: "ad_b" to: "buy" }
)";

struct Plan {
  v1::OptimizeResult result;
  double budget(const std::string& channel) const {
    for (const v1::ChannelBudget& b : result.recommended().channels()) {
      if (b.channel() == channel) return b.weekly_budget();
    }
    FAIL("no channel " << channel);
    return 0;
  }
  double total() const {
    double t = 0;
    for (const v1::ChannelBudget& b : result.recommended().channels()) t += b.weekly_budget();
    return t;
  }
};

Plan plan(const std::string& path, const std::string& args) {
  testing::CliResult r = run_cli("optimize " + path + " " + args + " --quiet --json -");
  INFO(r.err);
  REQUIRE(r.status == 0);
  return {parse_json<v1::OptimizeResult>(r.out)};
}

TEST_CASE("cli optimize: two identical channels share the budget evenly, a dud gets nothing") {
  TempDir dir;
  const std::string path = dir.write("two.textproto", kCliTwoChannels);
  const Plan p = plan(path, "--weekly-budget 2100");
  CHECK(p.total() == doctest::Approx(2100).epsilon(1e-9));
  // Even within a tenth of the total (the objective is flat near the top).
  CHECK(std::abs(p.budget("a") - p.budget("b")) <= 0.1 * 2100);
  CHECK(p.budget("dud") == doctest::Approx(0).epsilon(1e-9));
  CHECK(std::find(p.result.binding().begin(), p.result.binding().end(), "dud") !=
        p.result.binding().end());
  // Better than everything on one channel and 700 wasted.
  CHECK(p.result.verdict() == "better");
  CHECK(p.result.gain().ci_low() > 0);
  CHECK(p.result.marginal_size() == 3);
  CHECK(p.result.evaluations() > 1);
}

TEST_CASE("cli optimize: locked and bounded channels are respected exactly") {
  TempDir dir;
  const std::string path = dir.write("two.textproto", kCliTwoChannels);
  const Plan p = plan(path, "--weekly-budget 2100 --lock dud --bounds a=0:500 --bounds b=0:1200");
  CHECK(p.budget("dud") == 700);
  CHECK(p.budget("a") <= 500);
  CHECK(p.budget("b") <= 1200);
  CHECK(p.total() == doctest::Approx(2100).epsilon(1e-9));
  // Multiples of the current budget: a may go from 0.5x to 0.8x of 1400.
  const Plan q = plan(path, "--weekly-budget 1400 --lock dud --bounds a=0.5x:0.8x --spend at-most");
  CHECK(q.budget("a") >= 700);
  CHECK(q.budget("a") <= 1120);
  CHECK(q.total() <= 1400 + 1e-9);
}

TEST_CASE(
    "regression: optimize with every planned channel locked crashed with SIGSEGV (exit 139)") {
  TempDir dir;
  const std::string path = dir.write("two.textproto", kCliTwoChannels);
  const Plan p = plan(path, "--weekly-budget 2100 --lock a --lock b --lock dud");
  CHECK(p.budget("a") == 1400);
  CHECK(p.budget("b") == 0);
  CHECK(p.budget("dud") == 700);
  CHECK(p.result.verdict() == "no_change");
}

TEST_CASE("cli optimize: the budget sums to the total and bounds hold") {
  TempDir dir;
  const std::string path = dir.write("two.textproto", kCliTwoChannels);
  const Plan p = plan(path, "--weekly-budget 3000 --bounds a=300:900 --lock dud");
  CHECK(p.total() == doctest::Approx(3000).epsilon(1e-9));
  CHECK(p.budget("a") >= 300 - 1e-9);
  CHECK(p.budget("a") <= 900 + 1e-9);
  CHECK(p.budget("dud") == 700);
  // a is held at its upper bound (it would take half of 2300 otherwise).
  CHECK(p.budget("a") == doctest::Approx(900));
  CHECK(std::find(p.result.binding().begin(), p.result.binding().end(), "a") !=
        p.result.binding().end());
}

TEST_CASE("cli optimize: the recommendation is never confirmed worse than the current mix") {
  TempDir dir;
  const std::string path = dir.write("two.textproto", kCliTwoChannels);
  for (const char* objective : {"conversions", "value", "profit"}) {
    CAPTURE(objective);
    const Plan p = plan(path, std::string("--weekly-budget 2100 --objective ") + objective);
    CHECK(p.result.verdict() != "worse");
    CHECK(p.result.objective() == objective);
  }
  // The most cautious mix: the mean of the worst quarter of replications.
  const Plan safe = plan(path, "--weekly-budget 2100 --risk cvar:0.25");
  CHECK(safe.result.risk() == "cvar:0.25");
  CHECK(safe.result.verdict() != "worse");
}

TEST_CASE("cli optimize: target CPA mode returns a budget whose CPA meets the target") {
  TempDir dir;
  const std::string path = dir.write("two.textproto", kCliTwoChannels);
  const Plan p = plan(path, "--weekly-budget 6000 --target-cpa 12 --lock dud");
  CHECK(p.result.mode() == "target_cpa");
  const v1::Estimate& cpa = p.result.recommended().kpis().at("cost_per_conversion");
  CHECK(cpa.mean() <= 12);
  CHECK(p.total() <= 6000 + 1e-6);
  // And a conversions target: the budget that reaches it.
  const Plan q = plan(path, "--weekly-budget 6000 --target-conversions 1000 --lock dud");
  CHECK(q.result.mode() == "target_conversions");
  CHECK(q.result.recommended().kpis().at("conversions").mean() >= 1000 * 0.97);
  CHECK(q.total() < 6000);
}

TEST_CASE("cli optimize: the same seed gives the same recommendation on 1 and 2 threads") {
  TempDir dir;
  const std::string path = dir.write("two.textproto", kCliTwoChannels);
  Plan one = plan(path, "--weekly-budget 2100 --threads 1");
  Plan two = plan(path, "--weekly-budget 2100 --threads 2");
  for (v1::OptimizeResult* r : {&one.result, &two.result}) {
    testing::clear_run_details(r);
  }
  CHECK(testing::same_results(one.result, two.result));
}

TEST_CASE("cli optimize: infeasible or unknown constraints are refused") {
  TempDir dir;
  const std::string path = dir.write("two.textproto", kCliTwoChannels);
  struct Bad {
    std::string args, message;
  };
  for (const Bad& bad : std::vector<Bad>{
           {"--weekly-budget 1000 --bounds a=600:900 --bounds b=600:900",
            "the lower bounds and locked budgets sum to 1,200 a week, more than --weekly-budget "
            "1,000"},
           {"--weekly-budget 5000 --bounds a=0:100 --bounds b=0:100 --bounds dud=0:100",
            "the upper bounds sum to 300.00 a week, less than --weekly-budget 5,000"},
           {"--weekly-budget 1000 --bounds tiktok=0:10", "--bounds tiktok: no channel 'tiktok'"},
           {"--weekly-budget 1000 --lock web",
            "--lock web: the channel has no budget or paid reach"},
           {"--weekly-budget 1000 --bounds a=5:1", "with 0 <= LO <= HI"},
           {"--weekly-budget 1000 --bounds a", "write CHANNEL=LO:HI"},
           {"--weekly-budget 1000 --objective reach",
            "--objective reach: unknown objective 'reach'"},
           {"--weekly-budget 1000 --risk var:0.1", "--risk: 'var:0.1'"},
           {"--weekly-budget 1000 --spend some", "--spend: 'some'"},
           {"--weekly-budget 1000 --target-cpa 5 --target-conversions 10", "give one of them"},
           {"--weekly-budget -5", "--weekly-budget"},
       }) {
    CAPTURE(bad.args);
    testing::CliResult r = run_cli("optimize " + path + " " + bad.args);
    CHECK(r.status == 2);
    CHECK(r.err.find(bad.message) != std::string::npos);
    CHECK(r.out == "");
  }
}

TEST_CASE(
    "cli optimize --plan-care: staffing shares the budget, in the cost and in answers a day") {
  TempDir dir;
  const std::string path = dir.write("care.textproto", kCareTrade);
  const std::string quick =
      " --objective profit --spend at-most --weekly-budget 5000 --verify-rounds 1 "
      "--max-evaluations 12 --confirm-replications 8 --agents 2000 --replications 8";
  const Plan p = plan(path, "--plan-care" + quick);
  REQUIRE(p.result.recommended().channels_size() == 2);
  CHECK(p.result.recommended().channels(1).channel() == "care");
  // 5 answers a day at 0.2 a day each: 7 a week.
  CHECK(p.result.current().channels(1).weekly_budget() == doctest::Approx(7));
  CHECK(p.result.current().care_daily_capacity() == doctest::Approx(5));
  const double care = p.budget("care"), ads = p.budget("ads");
  CHECK(p.result.recommended().care_daily_capacity() == doctest::Approx(care / 1.4));
  // 80% of the unanswered stop buying: a desk of 5 is far too small.
  CHECK(p.result.recommended().care_daily_capacity() > 50);
  // The cost KPI is the ads' and the staffing's, over the 8 weeks.
  CHECK(p.result.recommended().kpis().at("cost").mean() == doctest::Approx(8 * (ads + care)));
  CHECK(p.total() <= 5000 + 1e-9);

  // Locked, the staffing stays; bounded, it keeps to the bounds.
  const Plan locked = plan(path, "--plan-care --lock care" + quick);
  CHECK(locked.budget("care") == doctest::Approx(7));
  const Plan bounded = plan(path, "--plan-care --bounds care=100:200" + quick);
  CHECK(bounded.budget("care") >= 100 - 1e-9);
  CHECK(bounded.budget("care") <= 200 + 1e-9);

  // The table says what the staffing buys.
  testing::CliResult table = run_cli("optimize " + path + " --plan-care" + quick);
  REQUIRE(table.status == 0);
  CHECK(table.out.find("staffing: 5 -> ") != std::string::npos);
  CHECK(table.out.find("answers a day") != std::string::npos);

  // Care's response curve, each budget in answers a day too.
  testing::CliResult curve =
      run_cli("curves " + path + " --channels care --points 3 --agents 2000 --replications 4");
  REQUIRE(curve.status == 0);
  CHECK(curve.out.find("care (current 7.00 a week = 5 answers a day)") != std::string::npos);
  CHECK(curve.out.find("14.00 = 10 answers a day") != std::string::npos);
}

TEST_CASE("cli optimize --plan-care: refused where there is no staffing to plan") {
  TempDir dir;
  const std::string care = dir.write("care.textproto", kCareTrade);
  std::string free = kCareTrade;
  free.replace(free.find(" cost_per_capacity_unit: 0.2"), 28, "");
  const std::string unpriced = dir.write("unpriced.textproto", free);
  std::string clash = kCareTrade;
  clash.replace(clash.find("channels { id: \"web\" }"), 22,
                "channels { id: \"web\" } channels { id: \"care\" weekly_budget: 10 cpm: 5 }");
  const std::string named = dir.write("named.textproto", clash);
  const std::string none = dir.write("two.textproto", kCliTwoChannels);
  const std::string uncertain = dir.write(
      "uncertain.textproto",
      std::string(kCareTrade) +
          R"(uncertain { path: "loyalty.care.daily_capacity" uniform { low: 3 high: 7 } })");
  struct Bad {
    std::string path, args, message;
  };
  for (const Bad& bad : std::vector<Bad>{
           {none, "--plan-care", "--plan-care: the scenario has no customer care (loyalty.care)"},
           {unpriced, "--plan-care", "loyalty.care.cost_per_capacity_unit is 0"},
           {named, "--plan-care", "a channel is called 'care'"},
           {care, "--bounds care=0:10",
            "--bounds care: care's staffing is planned only with "
            "--plan-care"},
           {care, "--plan-care --by-week", "--plan-care with --by-week"},
           {uncertain, "--plan-care --parameter-draws 4",
            "loyalty.care.daily_capacity is uncertain, and each parameter draw sets it"},
           {care, "--plan-care --bounds care=5:1", "with 0 <= LO <= HI"},
           {none, "--bounds b=0.5x:2x", "a multiple of the current budget, which is 0, is 0"},
       }) {
    CAPTURE(bad.args);
    testing::CliResult r = run_cli("optimize " + bad.path + " --weekly-budget 3000 " + bad.args);
    CHECK(r.status == 2);
    CHECK(r.err.find(bad.message) != std::string::npos);
    CHECK(r.out == "");
  }
}

TEST_CASE("cli curves: a channel's curve rises, saturates, and marks the current budget") {
  TempDir dir;
  const std::string path = dir.write("two.textproto", kCliTwoChannels);
  testing::CliResult r =
      run_cli("curves " + path + " --channels a --points 7 --max-budget-scale 4 --json " +
              dir.file("c.json") + " --csv " + dir.file("out"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("<- current") != std::string::npos);
  const auto result = parse_json<v1::CurvesResult>(testing::read_file(dir.file("c.json")));
  REQUIRE(result.curves_size() == 1);
  const v1::ResponseCurve& c = result.curves(0);
  CHECK(c.channel() == "a");
  CHECK(c.current_weekly_budget() == 1400);
  REQUIRE(c.weekly_budgets_size() == 7);
  CHECK(c.weekly_budgets(6) == 5600);
  REQUIRE(c.marginal_size() == 6);
  // Concave: the last step returns clearly less than the first.
  CHECK(c.marginal(0).ci_low() > c.marginal(5).ci_high());
  REQUIRE(c.has_saturation_weekly_budget());
  CHECK(c.saturation_weekly_budget() > 0);
  CHECK(testing::read_file(dir.file("out/curves.csv"))
            .rfind("channel,weekly_budget,current,kpi,", 0) == 0);
  testing::CliResult bad = run_cli("curves " + path + " --channels tiktok");
  CHECK(bad.status == 2);
  CHECK(bad.err.find("no channel 'tiktok'") != std::string::npos);
}

// Regression: with every traced channel at a budget of 0 the curve had no
// range and curves read the marginal of a point that had none (exit 139);
// a KPI a point does not define (ROAS at cost 0) or the scenario never
// counts (complaints without care) was a protobuf FATAL (exit 1).
TEST_CASE("cli curves: zero budgets and KPIs a point does not define (segfault, FATAL)") {
  TempDir dir;
  const std::string path = dir.write("two.textproto", kCliTwoChannels);
  testing::CliResult r = run_cli("curves " + path + " --channels b --points 3");
  CHECK(r.status == 2);
  CHECK(r.err.find("channel 'b' has no weekly budget, nor has any other channel traced") !=
        std::string::npos);
  CHECK(r.err.find("--max-weekly-budget") != std::string::npos);

  r = run_cli("curves " + path +
              " --channels b --points 3 --max-weekly-budget 2000 --kpi roas "
              "--quiet --json " +
              dir.file("c.json") + " --report " + dir.file("c.html"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto result = parse_json<v1::CurvesResult>(testing::read_file(dir.file("c.json")));
  REQUIRE(result.curves_size() == 1);
  const v1::ResponseCurve& c = result.curves(0);
  CHECK(c.weekly_budgets(2) == 2000);
  REQUIRE(c.kpi_size() == 3);
  // ROAS is defined at every budget here (channel a keeps spending); the
  // budgets rise from 0 to 2,000.
  CHECK(std::isfinite(c.kpi(0).mean()));

  // Without any spend at budget 0, ROAS there is a gap, not a crash.
  const std::string alone =
      dir.write("alone.textproto",
                std::string(kCliTwoChannels) +
                    R"(variants { name: "only_b" channel_changes { channel: "a" weekly_budget: 0 }
                                channel_changes { channel: "dud" weekly_budget: 0 } })");
  r = run_cli("curves " + alone +
              " --variant only_b --channels b --points 3 "
              "--max-weekly-budget 2000 --kpi roas --quiet --json " +
              dir.file("gap.json") + " --report " + dir.file("gap.html"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto gap = parse_json<v1::CurvesResult>(testing::read_file(dir.file("gap.json")));
  CHECK(std::isnan(gap.curves(0).kpi(0).mean()));
  CHECK(std::isfinite(gap.curves(0).kpi(2).mean()));
  CHECK(std::isnan(gap.curves(0).marginal(0).mean()));

  r = run_cli("curves " + path + " --channels a --points 3 --kpi complaints");
  CHECK(r.status == 2);
  CHECK(r.err.find("--kpi complaints: complaints is counted only when customers complain") !=
        std::string::npos);
}

TEST_CASE("cli optimize and curves: --csv tables parse back to the JSON's numbers") {
  TempDir dir;
  const std::string path = dir.write("two.textproto", kCliTwoChannels);
  testing::CliResult r =
      run_cli("optimize " + path +
              " --weekly-budget 1400 --max-evaluations 6 --confirm-replications 4"
              " --quiet --json " +
              dir.file("o.json") + " --csv " + dir.file("o"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto plan = parse_json<v1::OptimizeResult>(testing::read_file(dir.file("o.json")));
  const CsvTable mix = read_table(dir.file("o/mix.csv"));
  REQUIRE(mix.rows.size() == static_cast<size_t>(plan.recommended().channels_size()));
  for (size_t i = 0; i < mix.rows.size(); ++i) {
    const int k = static_cast<int>(i);
    CHECK(mix.rows[i].fields[0] == plan.recommended().channels(k).channel());
    CHECK(csv_number_at(mix.rows[i], mix, "current_weekly_budget") ==
          plan.current().channels(k).weekly_budget());
    CHECK(csv_number_at(mix.rows[i], mix, "recommended_weekly_budget") ==
          plan.recommended().channels(k).weekly_budget());
  }
  const CsvTable marginal = read_table(dir.file("o/marginal.csv"));
  size_t rows = 0;
  for (const CsvRow& row : marginal.rows) {
    const v1::MarginalReturn* m = nullptr;
    for (const v1::MarginalReturn& x : plan.marginal()) {
      if (x.channel() == row.fields[0]) m = &x;
    }
    REQUIRE(m != nullptr);
    const std::string& measure = row.fields[static_cast<size_t>(marginal.column_index("measure"))];
    const v1::Estimate& e = measure == "conversions_per_unit" ? m->conversions_per_unit()
                            : measure == "value_per_unit"     ? m->value_per_unit()
                            : measure == "mroas"              ? m->mroas()
                                                              : m->marginal_cpa();
    CHECK(csv_number_at(row, marginal, "step") == m->step());
    CHECK(same(csv_number_at(row, marginal, "mean"), e.mean()));
    CHECK(same(csv_number_at(row, marginal, "ci_low"), e.ci_low()));
    ++rows;
  }
  CHECK(rows == 4 * static_cast<size_t>(plan.marginal_size()));

  r = run_cli("curves " + path + " --channels a,b --points 3 --quiet --json " + dir.file("c.json") +
              " --csv " + dir.file("c"));
  REQUIRE(r.status == 0);
  const auto curves = parse_json<v1::CurvesResult>(testing::read_file(dir.file("c.json")));
  const CsvTable points = read_table(dir.file("c/curves.csv"));
  REQUIRE(points.rows.size() == 6);
  for (size_t i = 0; i < points.rows.size(); ++i) {
    const v1::ResponseCurve& c = curves.curves(static_cast<int>(i / 3));
    const int k = static_cast<int>(i % 3);
    CHECK(points.rows[i].fields[0] == c.channel());
    CHECK(csv_number_at(points.rows[i], points, "weekly_budget") == c.weekly_budgets(k));
    CHECK(csv_number_at(points.rows[i], points, "mean") == c.kpi(k).mean());
    CHECK(csv_number_at(points.rows[i], points, "ci_high") == c.kpi(k).ci_high());
    CHECK(csv_number_at(points.rows[i], points, "cost") == c.cost(k));
    if (k > 0)
      CHECK(same(csv_number_at(points.rows[i], points, "marginal"), c.marginal(k - 1).mean()));
  }
  const CsvTable saturation = read_table(dir.file("c/saturation.csv"));
  REQUIRE(saturation.rows.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    // An empty field where there is no saturation point.
    const v1::ResponseCurve& c = curves.curves(static_cast<int>(i));
    const size_t column = static_cast<size_t>(saturation.column_index("saturation_weekly_budget"));
    if (c.has_saturation_weekly_budget()) {
      CHECK(csv_number_at(saturation.rows[i], saturation, "saturation_weekly_budget") ==
            c.saturation_weekly_budget());
    } else {
      CHECK(saturation.rows[i].fields[column].empty());
    }
  }
}

}  // namespace
}  // namespace cjsim
