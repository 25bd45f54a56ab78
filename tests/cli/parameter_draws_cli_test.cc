// End-to-end tests of `--parameter-draws`: 0 gives the output of a scenario
// without the setting byte for byte; a run in shards merged equals one
// process with draws; the table shows the parameters' share; the commands
// that do not draw parameters yet refuse, exit 2.

#include <sstream>
#include <string>

#include <doctest/doctest.h>

#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::contains;
using testing::read_file;
using testing::run_cli;
using testing::source_path;
using testing::TempDir;
using testing::without_timing;

// A journey with an uncertain act probability, an exposure channel and a
// delayed edge (exposure form, so the draws reach the daily loop).
const std::string kJourney = R"scenario(
name: "uncertain"
simulation { horizon_days: 20 agents: 600 replications: 8 seed: 3 }
personas { id: "all" channel_affinity { key: "social" value: 0.8 } }
channels { id: "social" organic_reach: 0.1 }
channels { id: "web" }
touchpoints { id: "ad" stage: AWARENESS channel: "social" cta { act_probability: 0.3 } entry_weight: 1 }
touchpoints { id: "page" stage: CONSIDERATION channel: "web" cta { act_probability: 0.5 } }
touchpoints { id: "checkout" stage: DECISION channel: "web" goal { kind: "purchase" value: 40 } }
edges { from: "ad" to: "page" }
edges { from: "page" to: "checkout" delay_days: 2 }
uncertain { path: "touchpoints[ad].cta.act_probability" beta { a: 3 b: 7 } }
uncertain { path: "channels[social].organic_reach" uniform { low: 0.05 high: 0.2 } }
variants { name: "eager" cta_changes { touchpoint: "page" act_probability: 0.7 } }
)scenario";

std::string with_draws(int draws) {
  std::string text = kJourney;
  text.replace(text.find("seed: 3"), 7, "seed: 3 parameter_draws: " + std::to_string(draws));
  return text;
}

std::string run_json(const std::string& args, const TempDir& dir, const std::string& name) {
  const testing::CliResult r = run_cli(args + " --quiet --json " + dir.file(name));
  INFO(args << "\n" << r.err);
  REQUIRE(r.status == 0);
  return without_timing(read_file(dir.file(name)));
}

TEST_CASE("cli parameter draws: --parameter-draws 0 is the scenario without draws, byte for byte") {
  // The same file (results record its path), without and with the setting.
  TempDir dir;
  const std::string file = dir.write("scenario.textproto", kJourney);
  const std::string plain = run_json("run " + file + " --threads 2", dir, "a.json");
  CHECK(run_json("run " + file + " --parameter-draws 0 --threads 2", dir, "c.json") == plain);
  dir.write("scenario.textproto", with_draws(4));
  CHECK(run_json("run " + file + " --parameter-draws 0 --threads 1", dir, "b.json") == plain);
  CHECK_FALSE(contains(plain, "from_parameters"));
  // And an example scenario without any uncertain field.
  const std::string consumer = "run " + testing::kConsumer + " --agents 500 --replications 3";
  CHECK(run_json(consumer, dir, "d.json") ==
        run_json(consumer + " --parameter-draws 0", dir, "e.json"));
}

TEST_CASE("cli parameter draws: 1 and 2 threads and shards merged give one process's result") {
  TempDir dir;
  const std::string drawn = dir.write("drawn.textproto", with_draws(4));
  const std::string one = run_json("run " + drawn + " --threads 1", dir, "one.json");
  CHECK(contains(one, "\"from_parameters\":"));
  CHECK(contains(one, "\"parameter_draws\": 4"));
  CHECK(run_json("run " + drawn + " --threads 2", dir, "two.json") == one);
  for (int shards : {2, 3}) {
    std::string parts;
    for (int i = 1; i <= shards; ++i) {
      const std::string part = dir.file("part-" + std::to_string(i) + ".pb");
      const testing::CliResult r =
          run_cli("run " + drawn + " --quiet --threads " + std::to_string(1 + i % 2) + " --shard " +
                  std::to_string(i) + "/" + std::to_string(shards) + " --out " + part);
      REQUIRE(r.status == 0);
      parts += " " + part;
    }
    INFO(shards << " shards");
    CHECK(run_json("merge" + parts, dir, "merged.json") == one);
  }
  // The option overrides the scenario's setting.
  const std::string other = run_json("run " + drawn + " --parameter-draws 2", dir, "other.json");
  CHECK(contains(other, "\"parameter_draws\": 2"));
}

TEST_CASE("cli parameter draws: the table shows the parameters' share, and refusals exit 2") {
  TempDir dir;
  const std::string drawn = dir.write("drawn.textproto", with_draws(4));
  const testing::CliResult table = run_cli("run " + drawn + " --threads 2");
  REQUIRE(table.status == 0);
  CHECK(contains(table.out, "from parameters)"));

  const testing::CliResult few = run_cli("run " + drawn + " --parameter-draws 5");
  CHECK(few.status == 2);
  CHECK(contains(few.err, "simulation.parameter_draws: 5 draws need at least 10 replications"));
  const testing::CliResult exact = run_cli("run " + drawn + " --exact");
  CHECK(exact.status == 2);
  CHECK(contains(exact.err, "--exact solves the scenario with its parameters fixed"));
  const testing::CliResult variant = run_cli("run " + drawn + " --quiet --json - --variant eager");
  CHECK(variant.status == 0);
  const testing::CliResult curves = run_cli("curves " + drawn);
  CHECK(curves.status == 2);
  CHECK(contains(curves.err, "curves does not draw parameters yet"));
}

TEST_CASE("cli parameter draws: a comparison pairs the arms in draws, and shards merged equal it") {
  TempDir dir;
  const std::string drawn = dir.write("scenario.textproto", with_draws(4));
  const std::string one = run_json("compare " + drawn + " --threads 1", dir, "one.json");
  CHECK(run_json("compare " + drawn + " --threads 2", dir, "two.json") == one);
  CHECK(contains(one, "\"from_parameters\":"));
  std::string parts;
  for (int i = 1; i <= 2; ++i) {
    const std::string part = dir.file("part-" + std::to_string(i) + ".pb");
    const testing::CliResult r =
        run_cli("compare " + drawn + " --quiet --shard " + std::to_string(i) + "/2 --out " + part);
    REQUIRE(r.status == 0);
    parts += " " + part;
  }
  CHECK(run_json("merge" + parts, dir, "merged.json") == one);
  // Without draws, the comparison of the scenario without the setting.
  const std::string without = run_json("compare " + drawn + " --parameter-draws 0", dir, "a.json");
  dir.write("scenario.textproto", kJourney);
  CHECK(run_json("compare " + drawn, dir, "b.json") == without);
}

}  // namespace
}  // namespace cjsim
