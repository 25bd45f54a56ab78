// End-to-end tests of `cjsim curves`: every KPI a scenario reports, zero
// budgets, zero reach, KPIs a budget does not define, the contribution, ROI,
// saturation and break-even in the JSON, CSV, table and report, and bad
// input.

#include <cmath>
#include <regex>
#include <string>

#include <doctest/doctest.h>

#include "cjsim/v1/result.pb.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::csv_number_at;
using testing::parse_json;
using testing::read_table;
using testing::run_cli;
using testing::same;
using testing::source_path;
using testing::TempDir;

// An S-shaped paid channel (hill_shape 3) whose ads land on a goal worth 3,
// a channel that costs money and reaches no one, and one switched off.
const char* kCurves = R"(
name: "curves"
simulation { horizon_days: 10 agents: 4000 replications: 4 seed: 3 }
personas { id: "all" channel_affinity { key: "ads" value: 1 } channel_affinity { key: "dud" value: 1 } }
channels { id: "ads" weekly_budget: 1400 cpm: 10 max_reach: 0.2 half_saturation: 100 hill_shape: 3 }
channels { id: "dud" weekly_budget: 700 cpm: 10 }
channels { id: "off" weekly_budget: 700 cpm: 10 max_reach: 0.1 half_saturation: 100 enabled: false }
touchpoints { id: "buy" stage: AWARENESS channel: "ads" entry_weight: 1 goal { kind: "purchase" value: 3 } }
variants { name: "nothing" channel_changes { channel: "dud" weekly_budget: 0 }
                           channel_changes { channel: "ads" weekly_budget: 0 } }
)";

v1::CurvesResult curves_json(const std::string& args) {
  testing::CliResult r = run_cli("curves " + args + " --quiet --json -");
  INFO(args);
  INFO(r.err);
  REQUIRE(r.status == 0);
  return parse_json<v1::CurvesResult>(r.out);
}

using testing::contains;

TEST_CASE("cli curves: every KPI the scenario reports traces, gaps and all (never exit 1)") {
  // The nonprofit example has two goal kinds and a loyalty block: its KPIs
  // include conversions:donation, value:volunteer, profit and retention.
  const std::string nonprofit = source_path("scenarios/nonprofit.textproto");
  const std::string small = " --agents 1000 --replications 2";
  testing::CliResult r = run_cli("run " + nonprofit + small + " --quiet --json -");
  REQUIRE(r.status == 0);
  const auto run = parse_json<v1::RunResult>(r.out);
  REQUIRE(run.kpis().count("conversions:donation") == 1);
  REQUIRE(run.kpis().count("profit") == 1);
  for (const auto& entry : run.kpis()) {
    // Named, not a structured binding: clang 14 cannot capture one.
    const std::string& kpi = entry.first;
    CAPTURE(kpi);
    const v1::CurvesResult c = curves_json(nonprofit + small + " --points 3 --kpi " + kpi);
    CHECK(c.kpi() == kpi);
    REQUIRE(c.curves_size() > 0);
    for (const v1::ResponseCurve& curve : c.curves()) {
      CHECK(curve.kpi_size() == 3);
      CHECK(curve.marginal_size() == 2);
      CHECK(curve.incremental_size() == 3);
      CHECK(curve.marginal_roas_size() == 2);
    }
  }
}

// Regression: a budget of 0 on the only channel with reach put the point in
// single-journey form, where everyone enters on day 0: the curve's first
// point had every agent converted, and the "contribution" came out negative.
TEST_CASE("cli curves: a budget of 0 on the only channel reaches no one (single-journey form)") {
  TempDir dir;
  const std::string path = dir.write("s.textproto", kCurves);
  const v1::CurvesResult c = curves_json(path + " --variant nothing --channels ads --points 3" +
                                         " --max-weekly-budget 2800");
  const v1::ResponseCurve& ads = c.curves(0);
  CHECK(ads.kpi(0).mean() == 0);
  CHECK(ads.kpi(1).mean() > 0);
  CHECK(ads.incremental(1).mean() == ads.kpi(1).mean());
  // Nothing is spent at the current budget (0): no ROI, and a note.
  CHECK(ads.contribution().cost() == 0);
  CHECK_FALSE(ads.contribution().has_roi());
  CHECK(ads.contribution().note() == "the channel spends nothing at its current budget");
}

TEST_CASE("cli curves: a channel that reaches no one: no saturation, no break-even, ROI -100%") {
  TempDir dir;
  const std::string path = dir.write("s.textproto", kCurves);
  testing::CliResult r = run_cli("curves " + path + " --channels dud --points 3 --quiet --json " +
                                 dir.file("c.json") + " --csv " + dir.file("out"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto c = parse_json<v1::CurvesResult>(testing::read_file(dir.file("c.json")));
  const v1::ResponseCurve& dud = c.curves(0);
  CHECK_FALSE(dud.has_saturation_weekly_budget());
  CHECK(contains(dud.saturation_note(), "no step raises the KPI detectably"));
  CHECK_FALSE(dud.break_even().has_weekly_budget());
  CHECK_FALSE(dud.break_even().has_weekly_budget_low());
  CHECK(dud.break_even().note() == "value does not change with the channel's budget");
  // Paired: exactly the same conversions at every budget.
  CHECK(dud.contribution().kpi().mean() == 0);
  CHECK(dud.contribution().cost() == doctest::Approx(1000));
  REQUIRE(dud.contribution().has_roi());
  CHECK(dud.contribution().roi().mean() == doctest::Approx(-1));
  // The JSON leaves out what does not exist; CSV fields are empty, not 0.
  const std::string json = testing::read_file(dir.file("c.json"));
  CHECK_FALSE(contains(json, "saturation_weekly_budget"));
  const CsvTable saturation = read_table(dir.file("out/saturation.csv"));
  REQUIRE(saturation.rows.size() == 1);
  CHECK(saturation.rows[0].fields[2].empty());
  const CsvTable contribution = read_table(dir.file("out/contribution.csv"));
  REQUIRE(contribution.rows.size() == 1);
  for (const char* column : {"break_even_weekly_budget", "break_even_low", "break_even_high"}) {
    CAPTURE(column);
    CHECK(contribution.rows[0]
              .fields[static_cast<size_t>(contribution.column_index(column))]
              .empty());
  }
  CHECK(csv_number_at(contribution.rows[0], contribution, "roi") == -1);
}

TEST_CASE("cli curves: contribution, ROI, saturation and break-even in JSON, CSV, table, report") {
  TempDir dir;
  const std::string path = dir.write("s.textproto", kCurves);
  testing::CliResult r =
      run_cli("curves " + path + " --channels ads,dud --json " + dir.file("c.json") + " --csv " +
              dir.file("out") + " --report " + dir.file("c.html"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto result = parse_json<v1::CurvesResult>(testing::read_file(dir.file("c.json")));
  REQUIRE(result.curves_size() == 2);
  const v1::ResponseCurve& ads = result.curves(0);
  // The S-shaped channel saturates after its steepest step and breaks even
  // in between (tests/sim/curves_test.cc checks both against closed forms).
  REQUIRE(ads.has_saturation_weekly_budget());
  CHECK(ads.saturation_weekly_budget() > 0);
  CHECK(ads.peak_marginal().mean() > ads.marginal(0).mean());
  REQUIRE(ads.break_even().has_weekly_budget());
  CHECK(ads.break_even().weekly_budget_low() <= ads.break_even().weekly_budget());
  CHECK(ads.break_even().weekly_budget() <= ads.break_even().weekly_budget_high());
  CHECK(ads.contribution().weekly_budget() == 1400);
  CHECK(ads.contribution().roi().ci_low() > 0);
  CHECK(ads.contribution().profit().mean() ==
        doctest::Approx(ads.contribution().value().mean() - ads.contribution().cost()));

  // The table: each channel's rows, then what it returns, with columns two
  // spaces apart at least.
  CHECK(contains(r.out, "At the current budget, over a budget of 0: conversions +"));
  CHECK(contains(r.out, "ROI +"));
  CHECK(contains(r.out, "Saturation: from about "));
  CHECK(contains(r.out, "Break-even (marginal ROAS = 1): about "));
  CHECK(contains(r.out, "Break-even (marginal ROAS = 1): none (value does not change"));
  CHECK(std::regex_search(r.out, std::regex(R"(\n +1,400 +3,\d{3} +\[[^\]]+\] +\+3,\d{3} )")));
  CHECK_FALSE(std::regex_search(r.out, std::regex(R"(\d\][^\s;]|\d[a-z])")));

  // CSV: the contribution and break-even parse back to the JSON's numbers.
  const CsvTable contribution = read_table(dir.file("out/contribution.csv"));
  REQUIRE(contribution.rows.size() == 2);
  const CsvRow& row = contribution.rows[0];
  CHECK(row.fields[0] == "ads");
  CHECK(csv_number_at(row, contribution, "incremental") == ads.contribution().kpi().mean());
  CHECK(csv_number_at(row, contribution, "roi") == ads.contribution().roi().mean());
  CHECK(csv_number_at(row, contribution, "roi_ci_low") == ads.contribution().roi().ci_low());
  CHECK(csv_number_at(row, contribution, "break_even_weekly_budget") ==
        ads.break_even().weekly_budget());
  CHECK(csv_number_at(row, contribution, "break_even_high") ==
        ads.break_even().weekly_budget_high());
  const CsvTable points = read_table(dir.file("out/curves.csv"));
  REQUIRE(points.rows.size() == 18);
  for (size_t k = 1; k < 9; ++k) {
    const int i = static_cast<int>(k);
    CHECK(same(csv_number_at(points.rows[k], points, "incremental"), ads.incremental(i).mean()));
    CHECK(same(csv_number_at(points.rows[k], points, "marginal_roas"),
               ads.marginal_roas(i - 1).mean()));
  }
  // The first budget has no step: empty fields.
  CHECK(points.rows[0].fields[static_cast<size_t>(points.column_index("marginal_roas"))].empty());

  const std::string html = testing::read_file(dir.file("c.html"));
  CHECK(contains(html, "What each channel returns"));
  CHECK(contains(html, "break-even"));
  CHECK(contains(html, "none: value does not change with the channel"));
}

// Regression: the saturation point followed noise. YouTube on the consumer
// example (then 20,000 agents, 8 replications; now 50,000 for as many
// people per agent) was "saturated from about 7,000",
// the first step whose mean fell below 20% of the first step's, though
// that step's interval was [-0.54, 0.29] and later steps rose again.
TEST_CASE("cli curves: a saturation point does not follow one noisy step (consumer YouTube)") {
  const v1::CurvesResult result =
      curves_json(source_path("scenarios/consumer_brand.textproto") +
                  " --channels youtube --agents 50000 --replications 8");
  const v1::ResponseCurve& c = result.curves(0);
  // The old rule would fire on a step whose interval reaches far above its
  // threshold.
  const double old_threshold = 0.2 * c.marginal(0).mean();
  int old_rule = -1;
  for (int k = 0; k < c.marginal_size() && old_rule < 0; ++k) {
    if (c.marginal(k).mean() < old_threshold) old_rule = k;
  }
  // Whether a step's mean falls below it depends on the example's noise
  // (its channels share the random numbers); where one does, its interval
  // reaches far above.
  if (old_rule >= 0) CHECK(c.marginal(old_rule).ci_high() > old_threshold);
  // On intervals: the last steps still reach 20% of the peak, so there is
  // no saturation point to tell, and the note says why (at 8 replications
  // the YouTube steps are barely detectable: which of the two reasons
  // applies moves with the example's other channels, which share the
  // random numbers).
  CHECK_FALSE(c.has_saturation_weekly_budget());
  CHECK((c.saturation_note() ==
             "no step raises the KPI detectably: every step's interval reaches 0" ||
         c.saturation_note() ==
             "not within the curve: the last step's marginal interval reaches the threshold"));
  CHECK(c.marginal(c.marginal_size() - 1).ci_high() >= 0.2 * c.peak_marginal().mean());
}

TEST_CASE("cli curves: bad --kpi and --channels exit 2 with a message") {
  TempDir dir;
  const std::string path = dir.write("s.textproto", kCurves);
  const std::string nonprofit = source_path("scenarios/nonprofit.textproto");
  struct Bad {
    std::string args, message;
  };
  for (const Bad& bad : {
           Bad{path + " --channels off", "--channels: channel 'off' is switched off"},
           Bad{path + " --kpi donations", "--kpi donations: unknown KPI 'donations'"},
           Bad{path + " --kpi conversions:donation", "the scenario has no goal of kind 'donation'"},
           Bad{nonprofit + " --kpi roas:donation", "roas is not counted per goal kind"},
           Bad{path + " --kpi complaints", "complaints is counted only when customers complain"},
       }) {
    CAPTURE(bad.args);
    testing::CliResult r = run_cli("curves " + bad.args + " --points 3 --agents 1000");
    CHECK(r.status == 2);
    CHECK(contains(r.err, bad.message));
    CHECK(r.out.empty());
  }
}

}  // namespace
}  // namespace cjsim
