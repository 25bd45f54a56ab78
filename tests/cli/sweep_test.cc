// End-to-end tests of `cjsim sweep`: response curves against closed forms,
// diminishing returns past Hill half-saturation, monotone CTA levers, output
// files and bad paths.

#include <cmath>
#include <string>

#include <doctest/doctest.h>

#include "cjsim/v1/result.pb.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_json;
using testing::run_cli;
using testing::source_path;
using testing::TempDir;

// One channel whose ads land on a goal: each day an unconverted person is
// exposed, and converts, with probability p = max_reach * A / (A + K), where
// A = weekly_budget / 7 (no adstock). After converting, exposures land on
// nothing (the channel has no loyalty touchpoint). Over H days:
//   conversion rate = 1 - (1 - p)^H,  paid exposures = agents * H * p.
constexpr double kMaxReach = 0.2, kHalf = 100, kDays = 10, kAgents = 20000;
const char* kHillScenario = R"(
simulation { horizon_days: 10 agents: 20000 replications: 16 seed: 3 }
personas { id: "everyone" channel_affinity { key: "ads" value: 1 } }
channels { id: "ads" weekly_budget: 700 cpm: 10 max_reach: 0.2 half_saturation: 100 }
touchpoints { id: "buy" stage: AWARENESS channel: "ads" entry_weight: 1 goal { kind: "purchase" value: 1 } }
)";

double daily_p(double weekly_budget) {
  const double a = weekly_budget / 7;
  return kMaxReach * a / (a + kHalf);
}
double conversion_rate(double weekly_budget) {
  return 1 - std::pow(1 - daily_p(weekly_budget), kDays);
}

TEST_CASE("cli sweep: a budget sweep follows the Hill curve, with diminishing marginal returns") {
  TempDir dir;
  const std::string path = dir.write("hill.textproto", kHillScenario);
  // From the half-saturation point (A = K, weekly 700) to A = 5K.
  testing::CliResult r =
      run_cli("sweep " + path + " --set channels[ads].weekly_budget=700:3500:5 --quiet --json -");
  REQUIRE(r.status == 0);
  const auto result = parse_json<v1::SweepResult>(r.out);
  REQUIRE(result.points_size() == 5);
  double previous_marginal = HUGE_VAL;
  for (int i = 0; i < 5; ++i) {
    const v1::SweepPoint& p = result.points(i);
    const double budget = p.settings().at("channels[ads].weekly_budget");
    CAPTURE(budget);
    CHECK(budget == 700 + 700 * i);
    // Within 4 standard errors of the closed forms.
    const v1::Estimate& rate = p.kpis().at("conversion_rate");
    CHECK(std::abs(rate.mean() - conversion_rate(budget)) <= 4 * rate.std_error());
    const v1::Estimate& exposures = p.kpis().at("paid_exposures");
    CHECK(std::abs(exposures.mean() - kAgents * kDays * daily_p(budget)) <=
          4 * exposures.std_error());
    if (i == 0) {
      CHECK(p.marginal_size() == 0);
      continue;
    }
    REQUIRE(p.marginal_size() == 1);
    // Marginal conversions per unit of weekly budget: the closed form's
    // slope over the step, and smaller at every step.
    const v1::Estimate& marginal = p.marginal(0).kpis().at("conversions");
    const double slope = kAgents * (conversion_rate(budget) - conversion_rate(budget - 700)) / 700;
    CHECK(std::abs(marginal.mean() - slope) <= 4 * marginal.std_error());
    CHECK(marginal.mean() < previous_marginal);
    previous_marginal = marginal.mean();
  }
  // The first step's marginal return is clearly above the last one's.
  CHECK(result.points(1).marginal(0).kpis().at("conversions").ci_low() >
        result.points(4).marginal(0).kpis().at("conversions").ci_high());
}

TEST_CASE("cli sweep: raising a CTA's act probability never lowers conversions") {
  testing::CliResult r = run_cli("sweep " + source_path("scenarios/consumer_brand.textproto") +
                                 " --set touchpoints[product_page].cta.act_probability=0.1:0.9:5"
                                 " --agents 20000 --quiet --json -");
  REQUIRE(r.status == 0);
  const auto result = parse_json<v1::SweepResult>(r.out);
  REQUIRE(result.points_size() == 5);
  for (int i = 1; i < 5; ++i) {
    // Each step's paired change is not significantly negative.
    CHECK(result.points(i).marginal(0).kpis().at("conversions").ci_high() >= 0);
  }
  CHECK(result.points(4).kpis().at("conversions").ci_low() >
        result.points(0).kpis().at("conversions").ci_high());
}

TEST_CASE("cli sweep: two --set give a grid, with a marginal along each axis") {
  TempDir dir;
  const std::string path = dir.write("hill.textproto", kHillScenario);
  testing::CliResult r = run_cli(
      "sweep " + path +
      " --set channels[ads].weekly_budget=700:1400:2 --set channels[ads].max_reach=0.1:0.3:3"
      " --agents 2000 --replications 4 --csv " +
      dir.file("out") + " --json " + dir.file("r.json"));
  REQUIRE(r.status == 0);
  CHECK(r.out.find("marginal") != std::string::npos);
  const auto result = parse_json<v1::SweepResult>(testing::read_file(dir.file("r.json")));
  REQUIRE(result.points_size() == 6);
  // Grid order: the last axis fastest.
  CHECK(result.points(1).settings().at("channels[ads].max_reach") == doctest::Approx(0.2));
  CHECK(result.points(3).settings().at("channels[ads].weekly_budget") == 1400);
  CHECK(result.points(4).marginal_size() == 2);
  CHECK(result.points(0).marginal_size() == 0);
  const std::string points = testing::read_file(dir.file("out/points.csv"));
  CHECK(
      points.rfind("channels[ads].weekly_budget,channels[ads].max_reach,kpi,mean,std_error,ci_low,"
                   "ci_high,n,no_variation,one_sided_upper,one_sided_lower\n",
                   0) == 0);
  const std::string marginal = testing::read_file(dir.file("out/marginal.csv"));
  CHECK(marginal.find(",along,kpi,") != std::string::npos);
  // Every estimate is a row with the JSON's numbers.
  const CsvTable table = testing::read_table(dir.file("out/points.csv"));
  size_t rows = 0;
  for (const CsvRow& row : table.rows) {
    const double budget = testing::csv_number_at(row, table, "channels[ads].weekly_budget");
    const double reach = testing::csv_number_at(row, table, "channels[ads].max_reach");
    const v1::SweepPoint* point = nullptr;
    for (const v1::SweepPoint& p : result.points()) {
      if (p.settings().at("channels[ads].weekly_budget") == budget &&
          p.settings().at("channels[ads].max_reach") == reach) {
        point = &p;
      }
    }
    REQUIRE(point != nullptr);
    const v1::Estimate& e =
        point->kpis().at(row.fields[static_cast<size_t>(table.column_index("kpi"))]);
    CHECK(testing::same(testing::csv_number_at(row, table, "mean"), e.mean()));
    CHECK(testing::same(testing::csv_number_at(row, table, "ci_high"), e.ci_high()));
    ++rows;
  }
  size_t estimates = 0;
  for (const v1::SweepPoint& p : result.points()) estimates += p.kpis().size();
  CHECK(rows == estimates);
}

TEST_CASE("cli sweep: bad paths and ranges are refused, naming the part that is wrong") {
  const std::string path = source_path("scenarios/consumer_brand.textproto");
  struct Bad {
    std::string set, message;
  };
  for (const Bad& bad : std::vector<Bad>{
           {"channels[nope].weekly_budget=0:1000:3", "'channels[nope]': no channel 'nope'"},
           {"touchpoints[product_page].cta.act_probability=0.5:2:3",
            "touchpoint 'product_page' cta.act_probability: 2 is not in [0, 1]"},
           {"touchpoints[product_page].cta.act_probability=0.5:2:3",
            "--set at touchpoints[product_page].cta.act_probability=2:"},
           {"channels[tiktok].weekly_budget", "write PATH=LO:HI:STEPS"},
           {"channels[tiktok].weekly_budget=0:100", "write LO:HI:STEPS"},
           {"channels[tiktok].weekly_budget=zero:100:3", "LO 'zero' is not a finite number"},
           {"channels[tiktok].weekly_budget=0:100:2.5", "STEPS '2.5' must be a whole number"},
           {"channels[tiktok].weekly_budget=0:100:1", "one step takes one value"},
           {"simulation.horizon_days=10:20:4", "takes whole numbers"},
           {"channels[tiktok].weekly_budget=-100:100:3",
            "channel 'tiktok' weekly_budget: -100 must be a finite number >= 0"},
       }) {
    CAPTURE(bad.set);
    testing::CliResult r = run_cli("sweep " + path + " --set '" + bad.set + "' --agents 1000");
    CHECK(r.status == 2);
    CHECK(r.err.find(bad.message) != std::string::npos);
    CHECK(r.out == "");
  }
  testing::CliResult twice = run_cli("sweep " + path +
                                     " --set channels[tiktok].weekly_budget=0:1:2"
                                     " --set channels[tiktok].weekly_budget=0:1:2");
  CHECK(twice.status == 2);
  CHECK(twice.err.find("the path is swept twice") != std::string::npos);
  testing::CliResult none = run_cli("sweep " + path);
  CHECK(none.status == 2);
  CHECK(none.err.find("--set") != std::string::npos);
  testing::CliResult variant =
      run_cli("sweep " + path + " --variant nope --set channels[tiktok].weekly_budget=0:1:2");
  CHECK(variant.status == 2);
  CHECK(variant.err.find("unknown variant 'nope'") != std::string::npos);
}

}  // namespace
}  // namespace cjsim

namespace cjsim {
namespace {

// A budget of 0 on the only channel with reach left the point in
// single-journey form, where everyone enters on day 0: the entry page is
// the goal here, so every agent converted at 0 and spending looked harmful.
TEST_CASE(
    "regression: a zero budget in a sweep or a compare reached everyone (single-journey form)") {
  TempDir dir;
  const std::string path = dir.write(
      "hill.textproto",
      std::string(kHillScenario) +
          R"(variants { name: "off" channel_changes { channel: "ads" weekly_budget: 0 } })");
  testing::CliResult r =
      run_cli("sweep " + path + " --set channels[ads].weekly_budget=0:700:2 --quiet --json -");
  REQUIRE(r.status == 0);
  const auto sweep = parse_json<v1::SweepResult>(r.out);
  REQUIRE(sweep.points_size() == 2);
  CHECK(sweep.points(0).kpis().at("conversion_rate").mean() == 0);
  CHECK(std::abs(sweep.points(1).kpis().at("conversion_rate").mean() - conversion_rate(700)) <=
        4 * sweep.points(1).kpis().at("conversion_rate").std_error());

  r = run_cli("compare " + path + " --quiet --json -");
  REQUIRE(r.status == 0);
  const auto compare = parse_json<v1::CompareResult>(r.out);
  REQUIRE(compare.arms_size() == 2);
  CHECK(compare.arms(1).variant() == "off");
  CHECK(compare.arms(1).kpis().at("conversion_rate").mean() == 0);

  // The optimizer's candidates too: at 0 everyone entered and converted, so
  // spending nothing looked the most profitable.
  r = run_cli("optimize " + path +
              " --objective profit --spend at-most --weekly-budget 1400 --quiet --json -");
  REQUIRE(r.status == 0);
  const auto optimized = parse_json<v1::OptimizeResult>(r.out);
  CHECK(optimized.recommended().channels(0).weekly_budget() > 0);
}

}  // namespace
}  // namespace cjsim

namespace cjsim {
namespace {

TEST_CASE("cli sweep: a point resting on few events is named once, with how many others do") {
  TempDir dir;
  // 300 agents: at a budget of 70 a week (A = 10, p = 0.018 a day), about 50
  // people convert over 10 days; at 7 (p = 0.002), about 6: too few.
  const std::string path =
      dir.write("few.textproto",
                std::string(kHillScenario)
                    .replace(std::string(kHillScenario).find("agents: 20000"), 13, "agents: 300"));
  const testing::CliResult r =
      run_cli("sweep " + path + " --set channels[ads].weekly_budget=7:70:2 --json -");
  REQUIRE(r.status == 0);
  CHECK(r.err.find("warning: at channels[ads].weekly_budget = 7: conversions") !=
        std::string::npos);
  CHECK(r.err.find("raise --agents (300 now)") != std::string::npos);
  const testing::CliResult quiet =
      run_cli("sweep " + path + " --set channels[ads].weekly_budget=7:70:2 --quiet --json -");
  CHECK(quiet.err.empty());
}

}  // namespace
}  // namespace cjsim
