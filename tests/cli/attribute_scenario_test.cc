// End-to-end tests of `cjsim attribute SCENARIO`: the table on the
// nonprofit example, the JSON, CSV and report written together, --exact,
// and what it refuses (exit status 2, the reason, no output file).

#include <filesystem>
#include <string>

#include <doctest/doctest.h>

#include "cjsim/v1/attribution.pb.h"
#include "tests/test_support.h"

namespace cjsim::testing {
namespace {

const std::string kNonprofit = source_path("scenarios/nonprofit.textproto");

TEST_CASE("cli attribute scenario: one goal kind of the nonprofit, table then files") {
  CliResult table =
      run_cli("attribute " + kNonprofit + " --goal donation --replications 4 --agents 10000");
  REQUIRE_MESSAGE(table.status == 0, table.err);
  CHECK(contains(table.out, "scenario nonprofit, goal donation | 4 replications x 10,000 agents"));
  CHECK(contains(table.out, "removal effect"));
  CHECK(contains(table.out, "(holds the goal)"));
  // The website holds the goals, and repeats are not in the touch credit.
  CHECK(contains(table.err, "channel 'website' holds the goal touchpoint"));
  CHECK(contains(table.err, "repeats of the loyalty model"));

  TempDir dir;
  CliResult r =
      run_cli("attribute " + kNonprofit +
              " --goal donation --replications 4 --agents 10000 --json " + dir.file("a.json") +
              " --csv " + dir.file("tables") + " --report " + dir.file("a.html") + " --quiet");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(r.out == "");
  const auto result = parse_json<v1::AttributionResult>(read_file(dir.file("a.json")));
  CHECK(result.goal_kind() == "donation");
  CHECK(result.provenance().scenario() == "nonprofit");
  CHECK(result.provenance().replications() == 4);
  CHECK(result.methods_size() == 3);
  CHECK(result.conversions() > 0);
  CHECK(result.credited_conversions() < result.conversions());
  double removal = 0;
  for (const v1::ChannelAttribution& c : result.channels()) {
    CHECK(c.removal().ci_low() <= c.removal_effect());
    CHECK(c.removal_effect() <= c.removal().ci_high());
    removal += c.conversions().at("removal");
  }
  CHECK(removal == doctest::Approx(result.conversions()).epsilon(1e-9));
  const std::string effects = read_file(dir.file("tables/removal_effects.csv"));
  CHECK(contains(effects, "channel,removal_effect,removal_effect_low,removal_effect_high"));
  const std::string html = read_file(dir.file("a.html"));
  CHECK(contains(html, "Channel attribution"));
  CHECK(contains(html, "conversions lost"));
}

TEST_CASE("cli attribute scenario: --exact on a single-journey scenario") {
  TempDir dir;
  const std::string scenario = dir.write("two.textproto", kTwoEntryJourney);
  CliResult r = run_cli("attribute " + scenario + " --exact --json " + dir.file("a.json"));
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(contains(r.out, "exact"));
  const auto result = parse_json<v1::AttributionResult>(read_file(dir.file("a.json")));
  CHECK(result.exact());
  for (const v1::ChannelAttribution& c : result.channels()) {
    if (c.channel() == "social") {
      CHECK(c.removal_effect() == doctest::Approx(1 - 0.375 / 0.475).epsilon(1e-12));
    }
  }
}

TEST_CASE("cli attribute scenario: bad input exits 2 and writes nothing") {
  TempDir dir;
  const std::string scenario = dir.write("two.textproto", kTwoEntryJourney);
  const std::string json = " --json " + dir.file("a.json");
  struct Case {
    std::string args, message;
  };
  const Case cases[] = {
      {"attribute" + json, "give a scenario file"},
      {"attribute " + scenario + " --paths " + scenario + json, "not both"},
      {"attribute " + kNonprofit + json, "choose one with --goal KIND"},
      {"attribute " + kNonprofit + " --goal donations" + json, "no goal of that kind"},
      {"attribute " + kNonprofit + " --goal donation --exact" + json, "--exact:"},
      {"attribute " + scenario + " --order 2" + json, "--order goes with --paths"},
      {"attribute --paths " + scenario + " --goal purchase" + json,
       "--goal goes with a scenario file"},
      {"attribute " + scenario + " --variant nope" + json, "nope"},
      {"attribute " + dir.file("missing.textproto") + json, "missing.textproto"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    CliResult r = run_cli(c.args);
    CHECK(r.status == 2);
    CHECK(contains(r.err, c.message));
    CHECK_FALSE(std::filesystem::exists(dir.file("a.json")));
  }
}

}  // namespace
}  // namespace cjsim::testing
