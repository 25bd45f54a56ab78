// End-to-end tests of `--parameter-draws`: 0 gives the output of a scenario
// without the setting byte for byte (run, compare, sweep, curves,
// optimize); a run, comparison or sweep in shards merged equals one process
// with draws; the table shows the parameters' share; bad counts, a sweep
// over an uncertain field and attribute (which does not draw parameters)
// refuse, exit 2.

#include <sstream>
#include <string>
#include <vector>

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
  const testing::CliResult negative = run_cli("sweep " + drawn + " --parameter-draws -1 --set " +
                                              "'channels[social].organic_reach=0.1:0.2:2'");
  CHECK(negative.status == 2);
  CHECK(contains(negative.err, "--parameter-draws"));
  const testing::CliResult many =
      run_cli("sweep " + drawn +
              " --parameter-draws 5 --set 'touchpoints[page].cta.act_probability=0.5:0.7:2'");
  CHECK(many.status == 2);
  CHECK(contains(many.err, "simulation.parameter_draws: 5 draws need at least 10 replications"));
  // A draw sets every uncertain field: a sweep over one would be overwritten.
  const testing::CliResult swept =
      run_cli("sweep " + drawn + " --set 'touchpoints[ad].cta.act_probability=0.2:0.4:2'");
  CHECK(swept.status == 2);
  CHECK(contains(swept.err, "the field is uncertain"));
  const testing::CliResult attribute = run_cli("attribute " + drawn);
  CHECK(attribute.status == 2);
  CHECK(contains(attribute.err, "attribute does not draw parameters"));
}

// The consumer example with an uncertain act probability on its product
// page (Beta(40, 60): its value 0.4 on average), written to `dir`; with
// `draws` > 0 the scenario sets simulation.parameter_draws.
std::string consumer_file(const TempDir& dir, int draws) {
  std::string text = read_file(testing::kConsumer);
  if (draws > 0) {
    text.replace(text.find("replications: 16"), 16,
                 "replications: 16 parameter_draws: " + std::to_string(draws));
  }
  return dir.write("consumer.textproto",
                   text +
                       "\nuncertain { path: \"touchpoints[product_page].cta.act_probability\" "
                       "beta { a: 40 b: 60 } }\n");
}

const std::string kSmall = " --agents 800 --replications 4";
const std::string kSweepSet = " --set 'channels[tiktok].weekly_budget=0:4000:3'";

TEST_CASE("cli parameter draws: sweep, curves and optimize with 0 draws are those without") {
  TempDir dir;
  const std::vector<std::string> studies = {
      "sweep FILE" + kSmall + kSweepSet, "curves FILE" + kSmall + " --points 3 --channels tiktok",
      "optimize FILE" + kSmall + " --weekly-budget 40000 --confirm-replications 4"};
  for (const std::string& study : studies) {
    INFO(study);
    auto with_file = [&](const std::string& file) {
      std::string args = study;
      args.replace(args.find("FILE"), 4, file);
      return args;
    };
    const std::string plain = run_json(with_file(consumer_file(dir, 0)), dir, "plain.json");
    CHECK_FALSE(contains(plain, "from_parameters"));
    const std::string file = consumer_file(dir, 2);
    CHECK(run_json(with_file(file) + " --parameter-draws 0", dir, "zero.json") == plain);
  }
}

TEST_CASE("cli parameter draws: a sweep's points share the draws, and threads and shards agree") {
  TempDir dir;
  const std::string file = consumer_file(dir, 2);
  const std::string sweep = "sweep " + file + kSmall + kSweepSet;
  const std::string one = run_json(sweep + " --threads 1", dir, "one.json");
  CHECK(contains(one, "\"from_parameters\":"));
  CHECK(contains(one, "\"parameter_draws\": 2"));
  CHECK(run_json(sweep + " --threads 2", dir, "two.json") == one);
  std::string parts;
  for (int i = 1; i <= 2; ++i) {
    const std::string part = dir.file("part-" + std::to_string(i) + ".pb");
    const testing::CliResult r =
        run_cli(sweep + " --quiet --shard " + std::to_string(i) + "/2 --out " + part);
    REQUIRE(r.status == 0);
    parts += " " + part;
  }
  CHECK(run_json("merge" + parts, dir, "merged.json") == one);
}

TEST_CASE("cli parameter draws: curves with draws report the parameters' part, on any threads") {
  TempDir dir;
  const std::string file = consumer_file(dir, 2);
  const std::string curves = "curves " + file + kSmall + " --points 3 --channels tiktok";
  const std::string one = run_json(curves + " --threads 1", dir, "one.json");
  CHECK(contains(one, "\"from_parameters\":"));
  CHECK(contains(one, "\"parameter_draws\": 2"));
  CHECK(run_json(curves + " --threads 2", dir, "two.json") == one);
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

TEST_CASE("cli parameter draws: optimize compares mixes over the draws, on any threads") {
  TempDir dir;
  const std::string file = consumer_file(dir, 2);
  const std::string optimize =
      "optimize " + file + kSmall + " --weekly-budget 40000 --confirm-replications 4";
  const std::string one = run_json(optimize + " --threads 1", dir, "one.json");
  // The gain of the recommendation over the current mix, and each mix's
  // estimates, are over the draws.
  CHECK(contains(one, "\"from_parameters\":"));
  CHECK(contains(one, "\"parameter_draws\": 2"));
  CHECK(run_json(optimize + " --threads 2", dir, "two.json") == one);
  // Under CVaR the gain's bootstrap resamples whole draws.
  CHECK(contains(run_json(optimize + " --risk cvar:0.5", dir, "cvar.json"), "\"gain\""));

  const testing::CliResult few =
      run_cli("optimize " + file + kSmall + " --weekly-budget 40000 --confirm-replications 3");
  CHECK(few.status == 2);
  CHECK(contains(few.err, "need at least 4 (two replications per draw)"));
}

}  // namespace
}  // namespace cjsim
