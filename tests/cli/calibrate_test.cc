// End-to-end tests of `cjsim calibrate`: bad OBS.csv and --free exit 2 with
// the line or the option and write nothing; a calibration writes the
// scenario, JSON, CSV and report together; the calibrated scenario
// validates, runs, and its --parameter-draws interval is wider than the
// fixed one; 1 and 2 threads give the same JSON.

#include <filesystem>
#include <string>

#include <doctest/doctest.h>

#include "cjsim/v1/calibration.pb.h"
#include "cjsim/v1/result.pb.h"
#include "tests/test_support.h"
#include "tools/validate/recovery_scenario.h"

namespace cjsim {
namespace {

using testing::contains;
using testing::read_file;
using testing::run_cli;
using testing::TempDir;
using testing::without_timing;

// The recovery scenario, dated.
std::string dated_scenario() {
  std::string text = validate::kRecoveryScenario;
  text.replace(text.find("population: 100000"), 18,
               "population: 100000 start_date: \"2026-04-06\"");
  return text;
}

const std::string kFree = " --free 'touchpoints[page].cta.act_probability=0.1:0.9'";

// OBS.csv of weekly conversions from `cjsim run --window` of the scenario
// on another seed, with that run's standard errors.
std::string observations(const std::string& scenario) {
  std::string csv = "kpi,from,to,value,std_error\n";
  for (int w = 0; w < 4; ++w) {
    const std::string window = std::to_string(7 * w) + ":" + std::to_string(7 * w + 6);
    const testing::CliResult r =
        run_cli("run " + scenario + " --seed 99 --quiet --json - --window " + window);
    REQUIRE(r.status == 0);
    const auto result = testing::parse_json<v1::RunResult>(r.out);
    const v1::Estimate& e = result.kpis().at("conversions");
    csv += "conversions," + std::to_string(7 * w) + "," + std::to_string(7 * w + 6) + "," +
           std::to_string(e.mean()) + "," + std::to_string(e.std_error()) + "\n";
  }
  return csv;
}

TEST_CASE("cli calibrate: bad OBS.csv and --free exit 2 and write nothing") {
  TempDir dir;
  const std::string scenario = dir.write("s.textproto", dated_scenario());
  const std::string out = " -o " + dir.file("cal.textproto") + " --json " + dir.file("r.json");
  struct Case {
    std::string csv, message;
  };
  const Case cases[] = {
      {"kpi,from,to,value,std_error\nconversions,0,6,10,0\n", "obs.csv:2:20: error: std_error '0'"},
      {"kpi,from,to,value,std_error\nconversions,2026-04-13,2026-04-07,10,1\n",
       "obs.csv:2:13: error: from '2026-04-13' is after to '2026-04-07'"},
      {"kpi,from,to,value,std_error\nconversions,0,6,10,1\nconversions,0,60,10,1\n",
       "obs.csv:3:15: error: to '60' (day 60) is outside the horizon"},
      {"kpi,from,to,value,std_error,variant\nconversions,0,6,10,1,bold\n",
       "obs.csv:2:22: error: variant 'bold'"},
      {"kpi,from,value,std_error\nconversions,0,10,1\n", "obs.csv:1:1: error: missing column 'to'"},
  };
  for (const Case& c : cases) {
    const std::string obs = dir.write("obs.csv", c.csv);
    const testing::CliResult r =
        run_cli("calibrate " + scenario + " --observed " + obs + kFree + out);
    INFO(c.csv << r.err);
    CHECK(r.status == 2);
    CHECK(contains(r.err, c.message));
    CHECK_FALSE(std::filesystem::exists(dir.file("cal.textproto")));
    CHECK_FALSE(std::filesystem::exists(dir.file("r.json")));
  }
  const std::string obs =
      dir.write("obs.csv", "kpi,from,to,value,std_error\nconversions,0,6,10,1\n");
  const struct {
    std::string free, message;
  } frees[] = {
      {" --free 'touchpoints[page].cta.act_probability=0.9:0.1'", "give LO < HI"},
      {" --free 'touchpoints[page].cta.act_probability=0:2'", "not inside the field's range"},
      {kFree + kFree, "given twice"},
      {" --free 'channels[social].organic_reach=0:1'" + kFree,
       "2 free parameters but 1 observations"},
      {"", "nothing to fit"},
  };
  for (const auto& f : frees) {
    const testing::CliResult r =
        run_cli("calibrate " + scenario + " --observed " + obs + f.free + out);
    INFO(f.free << "\n" << r.err);
    CHECK(r.status == 2);
    CHECK(contains(r.err, f.message));
    CHECK_FALSE(std::filesystem::exists(dir.file("cal.textproto")));
  }
}

TEST_CASE("cli calibrate: writes the calibrated scenario and the result, which runs with draws") {
  TempDir dir;
  const std::string scenario = dir.write("s.textproto", dated_scenario());
  const std::string obs = dir.write("obs.csv", observations(scenario));
  const std::string calibrated = dir.file("cal.textproto");
  const std::string base =
      "calibrate " + scenario + " --observed " + obs + kFree + " -o " + calibrated;
  const testing::CliResult r =
      run_cli(base + " --threads 1 --json " + dir.file("one.json") + " --csv " + dir.file("csv") +
              " --report " + dir.file("report.html"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(contains(r.out, "act probability of page"));
  CHECK(contains(r.out, "2026-04-06 to 2026-04-12"));
  for (const char* f :
       {"csv/parameters.csv", "csv/observations.csv", "csv/correlation.csv", "report.html"}) {
    CHECK(std::filesystem::exists(dir.file(f)));
  }
  const std::string html = read_file(dir.file("report.html"));
  CHECK(contains(html, "<svg"));
  CHECK(contains(html, "act probability of page: "));
  const auto result = testing::parse_json<v1::CalibrationResult>(read_file(dir.file("one.json")));
  REQUIRE(result.parameters_size() == 1);
  CHECK(result.parameters(0).ci_low() <= 0.5);
  CHECK(0.5 <= result.parameters(0).ci_high());
  CHECK(result.draws_written() == 200);

  // The calibrated scenario validates and runs; with parameter draws its
  // interval includes the fit's uncertainty, and is wider.
  CHECK(run_cli("validate " + calibrated).status == 0);
  auto half_width = [&](const std::string& extra) {
    const testing::CliResult run =
        run_cli("run " + calibrated + " --replications 40 --quiet --json -" + extra);
    REQUIRE(run.status == 0);
    const v1::Estimate e = testing::parse_json<v1::RunResult>(run.out).kpis().at("conversions");
    return (e.ci_high() - e.ci_low()) / 2;
  };
  CHECK(half_width(" --parameter-draws 20") > half_width(""));

  // Two threads: the same result.
  REQUIRE(run_cli(base + " --threads 2 --json " + dir.file("two.json")).status == 0);
  CHECK(without_timing(read_file(dir.file("two.json"))) ==
        without_timing(read_file(dir.file("one.json"))));
}

}  // namespace
}  // namespace cjsim
