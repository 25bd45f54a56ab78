// End-to-end tests of the provenance every result carries
// (cjsim.v1.Provenance, sim/provenance.h): the same scenario hash from every
// command, the command line as typed, the fields kept from earlier results.

#include <string>

#include <doctest/doctest.h>

#include "cjsim/v1/result.pb.h"
#include "cjsim/v1/retention.pb.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_json;
using testing::run_cli;
using testing::TempDir;

// One paid channel with a Hill curve landing on a goal, and a variant.
const char* kScenario = R"(
name: "provenance"
simulation { horizon_days: 14 agents: 3000 replications: 3 seed: 11 confidence: 0.9 }
personas { id: "all" channel_affinity { key: "ads" value: 1 } }
channels { id: "ads" weekly_budget: 1400 cpm: 10 max_reach: 0.2 half_saturation: 100 }
channels { id: "web" }
touchpoints { id: "ad" stage: AWARENESS channel: "ads" entry_weight: 1 cta { act_probability: 0.2 } }
touchpoints { id: "buy" stage: DECISION channel: "web" goal { kind: "purchase" value: 30 } }
edges { from: "ad" to: "buy" }
variants { name: "bold" cta_changes { touchpoint: "ad" act_probability_scale: 2 } }
)";

template <class Result>
Result result_of(const std::string& command) {
  testing::CliResult r = run_cli(command);
  INFO(command);
  INFO(r.err);
  REQUIRE(r.status == 0);
  return parse_json<Result>(r.out);
}

// The run settings of kScenario, in the provenance and in the fields each
// result kept from before it had one.
template <class Result>
void check_settings(const Result& r) {
  const v1::Provenance& p = r.provenance();
  CHECK(p.scenario() == "provenance");
  CHECK(p.seed() == 11);
  CHECK(p.agents() == 3000);
  CHECK(p.confidence() == doctest::Approx(0.9));
  CHECK(p.threads() >= 1);
  CHECK(p.schema_version() == "cjsim.v1");
  CHECK_FALSE(p.engine_version().empty());
  CHECK(r.scenario() == p.scenario());
  CHECK(r.seed() == p.seed());
  CHECK(r.agents() == p.agents());
  CHECK(r.replications() == p.replications());
  CHECK(r.threads() == p.threads());
  CHECK(r.confidence() == p.confidence());
  CHECK(r.engine_version() == p.engine_version());
  CHECK(r.schema_version() == p.schema_version());
}

TEST_CASE("cli provenance: every study names the scenario by the same hash, and the command") {
  TempDir dir;
  const std::string path = dir.write("p.textproto", kScenario);
  const std::string json = " --quiet --json -";

  const auto run = result_of<v1::RunResult>("run " + path + json);
  check_settings(run);
  const std::string hash = run.provenance().scenario_hash();
  CHECK(hash.size() == 16);
  CHECK(run.scenario_hash() == hash);
  CHECK(run.provenance().variant().empty());
  CHECK(run.provenance().replications() == 3);
  CHECK(run.provenance().horizon_days() == 14);
  CHECK(run.provenance().command_line() == "cjsim run " + path + json);

  const auto bold = result_of<v1::RunResult>("run " + path + " --variant bold" + json);
  CHECK(bold.provenance().variant() == "bold");
  CHECK(bold.provenance().scenario_hash() != hash);

  const auto compare = result_of<v1::CompareResult>("compare " + path + " --variants bold" + json);
  check_settings(compare);
  CHECK(compare.provenance().scenario_hash() == hash);
  REQUIRE(compare.arms_size() == 2);
  CHECK(compare.arms(0).scenario_hash() == hash);
  CHECK(compare.arms(1).scenario_hash() == bold.provenance().scenario_hash());
  CHECK(compare.provenance().command_line().rfind("cjsim compare ", 0) == 0);

  const auto sweep = result_of<v1::SweepResult>(
      "sweep " + path + " --set channels[ads].weekly_budget=700:1400:2" + json);
  check_settings(sweep);
  CHECK(sweep.provenance().scenario_hash() == hash);
  CHECK(sweep.provenance().command_line().find("'channels[ads].weekly_budget=700:1400:2'") !=
        std::string::npos);

  const auto sweep_bold = result_of<v1::SweepResult>(
      "sweep " + path + " --variant bold --set channels[ads].weekly_budget=700:1400:2" + json);
  CHECK(sweep_bold.provenance().variant() == "bold");
  CHECK(sweep_bold.variant() == "bold");
  CHECK(sweep_bold.provenance().scenario_hash() == bold.provenance().scenario_hash());

  const auto curves =
      result_of<v1::CurvesResult>("curves " + path + " --channels ads --points 3" + json);
  check_settings(curves);
  CHECK(curves.provenance().scenario_hash() == hash);

  const auto optimize = result_of<v1::OptimizeResult>(
      "optimize " + path + " --weekly-budget 1400 --max-evaluations 4 --verify-rounds 1" + json);
  check_settings(optimize);
  CHECK(optimize.provenance().scenario_hash() == hash);
  CHECK(optimize.provenance().command_line().rfind("cjsim optimize ", 0) == 0);
}

TEST_CASE("cli provenance: the report shows the result's hash and command line") {
  TempDir dir;
  const std::string path = dir.write("p.textproto", kScenario);
  const std::string report = dir.file("r.html");
  testing::CliResult r =
      run_cli("run " + path + " --quiet --report " + report + " --json " + dir.file("r.json"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto result = parse_json<v1::RunResult>(testing::read_file(dir.file("r.json")));
  const std::string html = testing::read_file(report);
  CHECK(html.find(result.provenance().scenario_hash()) != std::string::npos);
  CHECK(html.find("cjsim run " + path + " --quiet --report") != std::string::npos);
}

TEST_CASE("cli provenance: a retention fit records its input and command") {
  TempDir dir;
  const std::string table = dir.write("rf.csv",
                                      "x,t_x,n_cal,customers\n0,0,6,200\n1,1,6,60\n1,4,6,30\n"
                                      "2,4,6,40\n3,6,6,30\n4,5,6,20\n6,6,6,20\n");
  const auto fit = result_of<v1::RetentionFit>("fit-retention --model bg-bb --rf-table " + table +
                                               " --quiet --json -");
  CHECK(fit.provenance().input() == table);
  CHECK(fit.input() == table);
  CHECK(fit.provenance().engine_version() == fit.engine_version());
  CHECK(fit.provenance().command_line().rfind("cjsim fit-retention ", 0) == 0);
}

}  // namespace
}  // namespace cjsim
