// End-to-end tests of the cjsim command on the bundled examples: what a user
// types, what they see, what files they get.

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include "cjsim/v1/result.pb.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::run_cli;
using testing::source_path;
using testing::TempDir;

v1::RunResult parse_result(const std::string& json) {
  v1::RunResult result;
  auto status = google::protobuf::util::JsonStringToMessage(json, &result);
  REQUIRE_MESSAGE(status.ok(), std::string(status.message()));
  return result;
}

// Small runs of the examples: the point is the plumbing, not precision.
const std::string kSmall = " --agents 3000 --replications 3";

// Every scenario of the library (scenarios/*.textproto).
std::vector<std::string> library() {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(source_path("scenarios"))) {
    if (entry.path().extension() == ".textproto") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// Whether every line of `err` is a warning about file `path` (what a
// run says about its figures, docs/report.md "Labels and warnings").
bool only_warnings(const std::string& err, const std::string& path) {
  size_t start = 0;
  while (start < err.size()) {
    const size_t end = err.find('\n', start);
    if (end == std::string::npos) return false;
    if (err.compare(start, path.size() + 11, path + ": warning: ") != 0) return false;
    start = end + 1;
  }
  return true;
}

TEST_CASE("cli run: every example scenario and variant runs and prints the table") {
  const std::vector<std::string> paths = library();
  CHECK(paths.size() >= 5);
  for (const std::string& path : paths) {
    CAPTURE(path);
    testing::CliResult r = run_cli("run " + path + kSmall);
    CHECK(r.status == 0);
    CHECK(only_warnings(r.err, path));
    CHECK(r.out.find("conversion rate") != std::string::npos);
    CHECK(r.out.find("Funnel") != std::string::npos);
    CHECK(r.out.find("Top touchpoints") != std::string::npos);
    CHECK(r.out.find("Channels") != std::string::npos);

    testing::CliResult v = run_cli("validate " + path);
    CHECK(v.status == 0);
    CHECK(v.out.find(": ok:") != std::string::npos);

    // Each variant the file defines.
    v1::Scenario scenario;
    REQUIRE(google::protobuf::TextFormat::ParseFromString(testing::read_file(path), &scenario));
    CHECK(scenario.variants_size() >= 2);
    for (const v1::Variant& variant : scenario.variants()) {
      CAPTURE(variant.name());
      testing::CliResult rv =
          run_cli("run " + path + kSmall + " --quiet --variant " + variant.name() + " --json -");
      CHECK(rv.status == 0);
      CHECK(parse_result(rv.out).variant() == variant.name());
    }
  }
}

TEST_CASE("cli run: regression: the bundled examples printed warnings on their default run") {
  // The README's first command runs an example: a new user's first output
  // must not be warnings (CPM against reach, KPIs resting on too few
  // events). The warnings depend on the agents and on the means, not on the
  // number of replications, but the examples run fast enough at their
  // own settings to run them as a user would.
  for (const std::string& path : library()) {
    CAPTURE(path);
    testing::CliResult r = run_cli("run " + path);
    CHECK(r.status == 0);
    CHECK(r.err.find("warning:") == std::string::npos);
    CAPTURE(r.err);
    CHECK(r.err == "");
  }
}

TEST_CASE("cli run: --json writes the RunResult with every field the contract names") {
  TempDir dir;
  const std::string out = dir.file("result.json");
  testing::CliResult r = run_cli("run " + source_path("scenarios/consumer_brand.textproto") +
                                 kSmall + " --seed 5 --threads 2 --json " + out);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("conversion rate") != std::string::npos);  // table still printed
  const std::string json = testing::read_file(out);
  // Proto field names, all fields printed.
  CHECK(json.find("\"std_error\"") != std::string::npos);
  CHECK(json.find("\"horizon_days\"") != std::string::npos);
  const v1::RunResult result = parse_result(json);
  CHECK(result.scenario() == "consumer_brand");
  CHECK(result.seed() == 5);
  CHECK(result.agents() == 3000);
  CHECK(result.replications() == 3);
  CHECK(result.threads() == 2);
  CHECK(result.population() == 5000000);
  CHECK(result.horizon_days() == 90);
  CHECK(result.schema_version() == "cjsim.v1");
  CHECK_FALSE(result.engine_version().empty());
  CHECK(result.method() == "monte_carlo");
  CHECK(result.scenario_hash().size() == 16);
  for (const char* kpi :
       {"conversion_rate", "conversions", "awareness_rate", "consideration_rate", "decision_rate",
        "paid_exposures", "organic_exposures", "cost", "cost_per_conversion", "value"}) {
    CAPTURE(kpi);
    REQUIRE(result.kpis().count(kpi) == 1);
    const v1::Estimate& e = result.kpis().at(kpi);
    CHECK(e.ci_low() <= e.mean());
    CHECK(e.mean() <= e.ci_high());
    CHECK(e.n() == 3);
  }
  CHECK(result.funnel_size() == 4);
  CHECK(result.touchpoints_size() > 0);
  // One entry per channel and persona of the file.
  const v1::Scenario scenario =
      testing::parse_text(testing::read_file(source_path("scenarios/consumer_brand.textproto")));
  CHECK(result.channels_size() == scenario.channels_size());
  CHECK(result.personas_size() == scenario.personas_size());
  CHECK(result.timing().agent_days() == 3000.0 * 90 * 3);
  CHECK(result.timing().walk_steps() > 0);
  // Nothing but the result is left in the folder.
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path()))
    ++files;
  CHECK(files == 1);
}

TEST_CASE("cli run: results are identical on 1 and 2 threads") {
  const std::string base = "run " + source_path("scenarios/nonprofit.textproto") +
                           " --agents 9000 --replications 3 --quiet --json -";
  v1::RunResult one = parse_result(run_cli(base + " --threads 1").out);
  v1::RunResult two = parse_result(run_cli(base + " --threads 2").out);
  for (v1::RunResult* r : {&one, &two}) {
    testing::clear_run_details(r);
  }
  CHECK(testing::same_results(one, two));
}

TEST_CASE("cli run: --exact solves single-journey scenarios and refuses others") {
  TempDir dir;
  const std::string path = dir.write("journey.textproto", testing::kSmallJourney);
  testing::CliResult exact = run_cli("run " + path + " --exact --json -");
  REQUIRE(exact.status == 0);
  const v1::RunResult result = parse_result(exact.out);
  CHECK(result.method() == "exact");
  CHECK(result.kpis().at("conversion_rate").mean() == doctest::Approx(0.3 * 0.5 * 0.75));
  CHECK(result.kpis().at("conversion_rate").std_error() == 0);
  CHECK(result.kpis().at("conversion_rate").ci_low() == result.kpis().at("conversion_rate").mean());
  CHECK(run_cli("run " + path + " --exact").out.find("(exact)") != std::string::npos);

  testing::CliResult refused =
      run_cli("run " + source_path("scenarios/consumer_brand.textproto") + " --exact");
  CHECK(refused.status == 2);
  CHECK(refused.err.find("exact mode needs the single-journey form") != std::string::npos);
  CHECK(refused.err.find("channel '") != std::string::npos);
}

TEST_CASE("cli run: --quiet prints nothing, and nothing extra goes to a non-terminal stderr") {
  const std::string path = source_path("scenarios/consumer_brand.textproto");
  testing::CliResult quiet = run_cli("run " + path + kSmall + " --quiet");
  CHECK(quiet.status == 0);
  CHECK(quiet.out == "");
  CHECK(quiet.err == "");
  // A longer run with stderr redirected: no progress bar.
  testing::CliResult longer = run_cli("run " + path + " --agents 60000 --replications 4");
  CHECK(longer.status == 0);
  CHECK(only_warnings(longer.err, path));
}

TEST_CASE("cli run: a long run on a terminal shows a progress bar on stderr, then clears it") {
  // `script` (util-linux, in every Debian) gives the command a terminal.
  if (std::system("command -v script > /dev/null 2>&1") != 0) {
    MESSAGE("skipped: the `script` command is not installed");
    return;
  }
  TempDir dir;
  const std::string command = std::string(CJSIM_BINARY) + " run " +
                              source_path("scenarios/consumer_brand.textproto") +
                              " --agents 300000 --replications 16 --threads 1 --json " +
                              dir.file("r.json") + " > /dev/null";
  const std::string shell =
      "script -qec '" + command + "' /dev/null > " + dir.file("tty") + " 2>&1 < /dev/null";
  REQUIRE(std::system(shell.c_str()) == 0);
  const std::string tty = testing::read_file(dir.file("tty"));
  CHECK(tty.find("simulating [") != std::string::npos);
  CHECK(tty.find("s left") != std::string::npos);
  CHECK(tty.find("\r\033[K") != std::string::npos);  // erased at the end
}

TEST_CASE("cli: JSON and binary scenarios run like text ones") {
  TempDir dir;
  v1::Scenario scenario = testing::parse_text(testing::kSmallJourney);
  std::string json;
  REQUIRE(google::protobuf::util::MessageToJsonString(scenario, &json).ok());
  const std::string json_path = dir.write("journey.json", json);
  const std::string binary_path = dir.write("journey.binpb", scenario.SerializeAsString());
  const std::string text_path = dir.write("journey.textproto", testing::kSmallJourney);
  auto run = [](const std::string& p) {
    v1::RunResult r = parse_result(run_cli("run " + p + " --quiet --json -").out);
    testing::clear_run_details(&r);
    r.mutable_provenance()->clear_scenario_file();  // the one difference
    return r;
  };
  const v1::RunResult text = run(text_path);
  CHECK(testing::same_results(text, run(json_path)));
  CHECK(testing::same_results(text, run(binary_path)));
}

TEST_CASE("cli: --help and --version exit 0") {
  CHECK(run_cli("--help").status == 0);
  testing::CliResult version = run_cli("--version");
  CHECK(version.status == 0);
  CHECK(version.out.find("cjsim ") != std::string::npos);
  CHECK(run_cli("run --help").out.find("--variant") != std::string::npos);
}

}  // namespace
}  // namespace cjsim

namespace cjsim {
namespace {

// Fields of one CSV line (no quoted commas in these tables).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> f;
  std::stringstream in(line);
  for (std::string x; std::getline(in, x, ',');) f.push_back(x);
  if (!line.empty() && line.back() == ',') f.emplace_back();  // a last empty field
  return f;
}

TEST_CASE("cli run: --csv writes tidy tables whose numbers parse back to the JSON's") {
  TempDir dir;
  testing::CliResult r = run_cli("run " + source_path("scenarios/consumer_brand.textproto") +
                                 " --agents 3000 --replications 3 --quiet --json " +
                                 dir.file("r.json") + " --csv " + dir.file("tables"));
  REQUIRE(r.status == 0);
  const auto result = testing::parse_json<v1::RunResult>(testing::read_file(dir.file("r.json")));
  for (const char* file : {"kpis.csv", "funnel.csv", "touchpoints.csv", "channels.csv",
                           "personas.csv", "series.csv", "retention.csv"}) {
    CAPTURE(file);
    CHECK(std::filesystem::exists(dir.file(std::string("tables/") + file)));
  }
  std::istringstream kpis(testing::read_file(dir.file("tables/kpis.csv")));
  std::string line;
  std::getline(kpis, line);
  CHECK(line == "kpi,mean,std_error,ci_low,ci_high,n,no_variation,one_sided_upper,one_sided_lower");
  int rows = 0;
  while (std::getline(kpis, line)) {
    const std::vector<std::string> f = csv_fields(line);
    REQUIRE(f.size() == 9);
    const v1::Estimate& e = result.kpis().at(f[0]);
    CHECK(std::stod(f[1]) == e.mean());
    CHECK(std::stod(f[4]) == e.ci_high());
    CHECK(f[6] == (e.no_variation() ? "true" : "false"));
    CHECK(f[7].empty() == !e.has_one_sided_upper());
    ++rows;
  }
  CHECK(rows == static_cast<int>(result.kpis().size()));
  std::istringstream series(testing::read_file(dir.file("tables/series.csv")));
  std::getline(series, line);
  CHECK(line ==
        "day,date,measure,mean,std_error,ci_low,ci_high,n,no_variation,one_sided_upper,"
        "one_sided_lower");
  int days = 0;
  while (std::getline(series, line)) days += csv_fields(line)[2] == "converted_share";
  CHECK(days == result.horizon_days());
}

}  // namespace
}  // namespace cjsim

namespace cjsim {
namespace {

// Regression: `stage: 5` passed validate and made run corrupt memory
// (exit 139 or 134, or exit 0 with wrong counts).
TEST_CASE("cli: a Stage out of range exits 2 from validate and run (memory corruption)") {
  testing::TempDir dir;
  std::string text = testing::kSmallJourney;
  text.replace(text.find("stage: CONSIDERATION"), 20, "stage: 5");
  const std::string path = dir.write("s.textproto", text);
  for (const std::string command : {"validate ", "run --quiet "}) {
    testing::CliResult r = testing::run_cli(command + path);
    CHECK(r.status == 2);
    CHECK(r.err.find("touchpoint 'page' stage: 5 is not a Stage") != std::string::npos);
  }
}

// Regression: `run --exact` on a loop whose only exit has weight 1e-300
// aborted with "internal error at sim/exact_solver.cc:42" (exit 134).
TEST_CASE("cli run --exact: a loop left with probability 1e-300 exits 2 (abort)") {
  testing::TempDir dir;
  const std::string path = dir.write("loop.textproto", std::string(testing::kSmallJourney) + R"(
touchpoints { id: "spin" stage: CONSIDERATION channel: "web" cta { act_probability: 1 } entry_weight: 1 }
edges { from: "spin" to: "spin" }
edges { from: "spin" to: "checkout" weight: 1e-300 })");
  testing::CliResult r = testing::run_cli("run --exact --quiet " + path);
  CHECK(r.status == 2);
  CHECK(r.err.find("a walk entering {'spin'} practically never ends") != std::string::npos);
}

}  // namespace
}  // namespace cjsim
