// End-to-end checks of bad input: every problem the loader and validator know
// is reported by `cjsim validate` and `cjsim run` with exit status 2 and a
// message on stderr naming the entity and field (and, for text-format files,
// the line and column). Also warnings (exit 0), output paths that cannot be
// written and usage errors.

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

#include "tests/test_support.h"

namespace cjsim::testing {
namespace {


// `text` with its one occurrence of `from` replaced by `to`; an edit that
// does not apply exactly once is a mistake in the test.
std::string replaced(std::string text, std::string_view from, std::string_view to) {
  size_t at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, "edit not found: " << from);
  REQUIRE_MESSAGE(text.find(from, at + 1) == std::string::npos, "edit not unique: " << from);
  return text.replace(at, from.size(), to);
}

std::string small_with(std::string_view from, std::string_view to) {
  return replaced(kSmallJourney, from, to);
}

// kSmallJourney with more fields at the end (text format lets repeated
// fields continue anywhere).
std::string small_plus(std::string_view extra) {
  return std::string(kSmallJourney) + std::string(extra) + "\n";
}

// "LINE:COL" (1-based) where `part` first occurs in `text`.
std::string line_col(std::string_view text, std::string_view part) {
  size_t at = text.find(part);
  REQUIRE(at != std::string_view::npos);
  size_t line_start = text.rfind('\n', at);
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + at, '\n'));
  return std::to_string(line) + ":" + std::to_string(at - line_start + 1);
}

// "[v, v, ...]": `count` copies of `value`, with `other` at index `at`.
std::string hours(int count, double value, int at = -1, double other = 0) {
  std::string out = "[";
  for (int h = 0; h < count; ++h) {
    if (h > 0) out += ", ";
    out += std::to_string(h == at ? other : value);
  }
  return out + "]";
}

struct BadInput {
  std::string what;      // shown when the check fails
  std::string scenario;  // text-format scenario
  std::string message;   // must appear on stderr
};

// Both commands refuse each scenario with status 2 and the message.
void check_rejected(const std::vector<BadInput>& cases) {
  TempDir dir;
  for (const BadInput& bad : cases) {
    std::string path = dir.write("scenario.textproto", bad.scenario);
    for (const char* command : {"validate", "run"}) {
      CliResult r = run_cli(std::string(command) + " " + path + " --quiet");
      INFO(std::string(command) << ": " << bad.what << "\nstderr:\n" << r.err);
      CHECK(r.status == 2);
      CHECK(contains(r.err, bad.message));
      CHECK(contains(r.err, path + ":"));
    }
  }
}

TEST_CASE("cli validate: a valid scenario passes") {
  TempDir dir;
  std::string path = dir.write("small.textproto", kSmallJourney);
  CliResult r = run_cli("validate " + path);
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(contains(r.out, path + ": ok: 2 personas, 2 channels, 4 touchpoints, 3 edges, 1 variants"));
}

TEST_CASE("cli validate: an out-of-range probability names entity, field, file, line and column") {
  TempDir dir;
  std::string text = small_with("act_probability: 0.3", "act_probability: 1.7");
  std::string path = dir.write("bad.textproto", text);
  std::string expected = path + ":" + line_col(text, "act_probability: 1.7") +
                         ": error: touchpoint 'ad' cta.act_probability: 1.7 is not in [0, 1]";
  CHECK(line_col(text, "act_probability: 1.7") == "8:85");
  for (const char* command : {"validate", "run"}) {
    CliResult r = run_cli(std::string(command) + " " + path + " --quiet");
    INFO(std::string(command) << " stderr:\n" << r.err);
    CHECK(r.status == 2);
    CHECK(contains(r.err, expected + "\n"));
    CHECK(r.out.empty());
  }
  CliResult r = run_cli("validate " + path);
  CHECK(contains(r.err, path + ": 1 error\n"));
}

TEST_CASE("cli validate: duplicate ids") {
  check_rejected({
      {"persona", small_with(R"(personas { id: "old")", R"(personas { id: "young")"),
       "duplicate persona id 'young' (first defined as personas[0])"},
      {"channel", small_plus(R"(channels { id: "web" })"),
       "duplicate channel id 'web' (first defined as channels[1])"},
      {"touchpoint", small_plus(R"(touchpoints { id: "exit" stage: DECISION channel: "web" })"),
       "duplicate touchpoint id 'exit' (first defined as touchpoints[3])"},
  });
}

TEST_CASE("cli validate: unknown ids") {
  check_rejected({
      {"edge from", small_plus(R"(edges { from: "pgae" to: "exit" })"),
       "edge 'pgae' -> 'exit' from: unknown touchpoint 'pgae' (did you mean 'page'?)"},
      {"edge to", small_with(R"(to: "checkout")", R"(to: "chekout")"),
       "edge 'page' -> 'chekout' to: unknown touchpoint 'chekout' (did you mean 'checkout'?)"},
      {"persona channel_affinity key",
       small_with("share: 0.4", R"(share: 0.4 channel_affinity { key: "socail" value: 0.5 })"),
       "persona 'old' channel_affinity['socail']: unknown channel 'socail' (did you mean "
       "'social'?)"},
      {"touchpoint channel", small_with(R"(channel: "social")", R"(channel: "tv")"),
       "touchpoint 'ad' channel: unknown channel 'tv'"},
      {"touchpoint channel missing", small_with(R"( channel: "social")", ""),
       "touchpoint 'ad' channel: missing"},
      {"variant cta_changes touchpoint",
       small_with(R"(cta_changes { touchpoint: "ad")", R"(cta_changes { touchpoint: "add")"),
       "variant 'bold' cta_changes[0] touchpoint: unknown touchpoint 'add' (did you mean 'ad'?)"},
      {"variant channel_changes channel",
       small_plus(R"(variants { name: "quiet" channel_changes { channel: "tv" enabled: false } })"),
       "variant 'quiet' channel_changes[0] channel: unknown channel 'tv'"},
  });
}

TEST_CASE("cli validate: probabilities outside [0, 1]") {
  check_rejected({
      {"max_reach",
       small_with(R"(channels { id: "social" })", R"(channels { id: "social" max_reach: 1.5 })"),
       "channel 'social' max_reach: 1.5 is not in [0, 1]"},
      {"organic_reach",
       small_with(R"(channels { id: "web" })", R"(channels { id: "web" organic_reach: -0.1 })"),
       "channel 'web' organic_reach: -0.1 is not in [0, 1]"},
      {"adstock_decay of 1 (half-open range)",
       small_with(R"(channels { id: "social" })", R"(channels { id: "social" adstock_decay: 1 })"),
       "channel 'social' adstock_decay: 1 is not in [0, 1)"},
      {"channel_affinity",
       small_with("share: 0.4", R"(share: 0.4 channel_affinity { key: "social" value: 1.5 })"),
       "persona 'old' channel_affinity['social']: 1.5 is not in [0, 1]"},
      {"variant act_probability", small_with("act_probability: 0.6", "act_probability: 2"),
       "variant 'bold' cta_changes[0] act_probability: 2 is not in [0, 1]"},
  });
}

TEST_CASE("cli validate: NaN and infinity") {
  check_rejected({
      {"nan act_probability", small_with("act_probability: 0.3", "act_probability: nan"),
       "touchpoint 'ad' cta.act_probability: nan is not in [0, 1]"},
      {"-inf act_probability", small_with("act_probability: 0.3", "act_probability: -inf"),
       "touchpoint 'ad' cta.act_probability: -inf is not in [0, 1]"},
      {"inf weekly_budget",
       small_with(R"(channels { id: "social" })",
                  R"(channels { id: "social" weekly_budget: inf })"),
       "channel 'social' weekly_budget: inf must be a finite number >= 0"},
      {"nan delay", small_with("delay_days: 2", "delay_days: nan"),
       "edge 'page' -> 'exit' delay_days: nan must be a finite number >= 0"},
      {"nan confidence", small_with("seed: 7", "seed: 7 confidence: nan"),
       "simulation.confidence: nan is not in (0, 1)"},
      {"inf population", small_with("seed: 7", "seed: 7 population: inf"),
       "simulation.population: inf must be a finite number > 0"},
      {"nan hill_shape",
       small_with(R"(channels { id: "social" })", R"(channels { id: "social" hill_shape: nan })"),
       "channel 'social' hill_shape: nan must be > 0"},
      {"inf share", small_with("share: 0.4", "share: inf"),
       "persona 'old' share: inf must be a finite number >= 0"},
  });
}

// Regression: a population or budget of 1e308 passed and gave infinite and
// NaN results (cost over the horizon, counts scaled to the population); an
// edge delay of 1e17 rounded its geometric parameter to 1 and the edge was
// taken in the same session.
TEST_CASE("cli validate: numbers over their documented ceilings (infinite and NaN results)") {
  check_rejected({
      {"population", small_with("seed: 7", "seed: 7 population: 1e308"),
       "simulation.population: 1e+308 is over 1e+10, more people than live on Earth"},
      {"weekly_budget",
       small_with(R"(channels { id: "social" })",
                  R"(channels { id: "social" weekly_budget: 1e308 cpm: 5 })"),
       "channel 'social' weekly_budget: 1e+308 is over 1e+15, the most accepted"},
      {"goal value", small_with("value: 40", "value: 1e300"),
       "touchpoint 'checkout' goal.value: 1e+300 is over 1e+15, the most accepted"},
      {"edge weight", small_with("weight: 3", "weight: 1e300"),
       "edge 'page' -> 'checkout' weight: 1e+300 is over 1e+09, the most accepted"},
      {"cpm",
       small_with(R"(channels { id: "social" })",
                  R"(channels { id: "social" weekly_budget: 100 cpm: 5e-324 })"),
       "channel 'social' cpm: 5e-324 is under 1e-06, the least accepted"},
      {"delay", small_with("delay_days: 2", "delay_days: 1e17"),
       "edge 'page' -> 'exit' delay_days: 1e+17 is over 36500, the most accepted"},
      {"share", small_with("share: 0.4", "share: 1e300"),
       "persona 'old' share: 1e+300 is over 1e+09, the most accepted"},
  });
}

TEST_CASE("cli validate: negative budgets, costs, delays and weights") {
  check_rejected({
      {"weekly_budget",
       small_with(R"(channels { id: "social" })", R"(channels { id: "social" weekly_budget: -5 })"),
       "channel 'social' weekly_budget: -5 must be a finite number >= 0"},
      {"cpm", small_with(R"(channels { id: "social" })", R"(channels { id: "social" cpm: -1 })"),
       "channel 'social' cpm: -1 must be a finite number >= 0"},
      {"cpm missing with a budget",
       small_with(
           R"(channels { id: "social" })",
           R"(channels { id: "social" weekly_budget: 100 max_reach: 0.5 half_saturation: 10 })"),
       "channel 'social' cpm: must be > 0 when weekly_budget > 0"},
      {"half_saturation missing with bought reach",
       small_with(R"(channels { id: "social" })",
                  R"(channels { id: "social" weekly_budget: 100 cpm: 5 max_reach: 0.5 })"),
       "channel 'social' half_saturation: must be > 0 when the channel buys reach"},
      {"edge weight", small_with("weight: 3", "weight: -3"),
       "edge 'page' -> 'checkout' weight: -3 must be a finite number >= 0"},
      {"edge delay", small_with("delay_days: 2", "delay_days: -2"),
       "edge 'page' -> 'exit' delay_days: -2 must be a finite number >= 0"},
      {"edge weights summing to 0",
       small_with(R"(edges { from: "ad" to: "page" })",
                  R"(edges { from: "ad" to: "page" weight: 0 })"),
       "touchpoint 'ad': the weights of its outgoing edges sum to 0"},
      {"entry_weight", small_with("entry_weight: 1", "entry_weight: -1"),
       "touchpoint 'ad' entry_weight: -1 must be a finite number >= 0"},
      {"share", small_with("share: 0.4", "share: -0.4"),
       "persona 'old' share: -0.4 must be a finite number >= 0"},
      {"memory half-life", small_with("memory_half_life_days: 10", "memory_half_life_days: -10"),
       "persona 'old' memory_half_life_days: -10 must be a finite number >= 0"},
      {"responsiveness", small_with("value: 1.2", "value: -1.2"),
       "persona 'young' responsiveness['decision']: -1.2 must be a finite number >= 0"},
      {"goal value", small_with("value: 40", "value: -40"),
       "touchpoint 'checkout' goal.value: -40 must be a finite number >= 0"},
      {"variant weekly_budget",
       small_plus(
           R"(variants { name: "cut" channel_changes { channel: "web" weekly_budget: -1 } })"),
       "variant 'cut' channel_changes[0] weekly_budget: -1 must be a finite number >= 0"},
      {"variant budget_scale",
       small_plus(
           R"(variants { name: "cut" channel_changes { channel: "web" budget_scale: -2 } })"),
       "variant 'cut' channel_changes[0] budget_scale: -2 must be a finite number >= 0"},
      {"variant act_probability_scale",
       small_with("act_probability: 0.6", "act_probability_scale: -1"),
       "variant 'bold' cta_changes[0] act_probability_scale: -1 must be a finite number >= 0"},
  });
}

TEST_CASE("cli validate: active and posting hours") {
  check_rejected({
      {"3 active hours", small_with("share: 0.4", "share: 0.4 active_hours: " + hours(3, 1)),
       "persona 'old' active_hours: has 3 values; give none or one per hour (24)"},
      {"25 posting hours",
       small_with(R"(channels { id: "web" })",
                  R"(channels { id: "web" posting_hours: )" + hours(25, 1) + " }"),
       "channel 'web' posting_hours: has 25 values; give none or one per hour (24)"},
      {"all-zero active hours",
       small_with("share: 0.4", "share: 0.4 active_hours: " + hours(24, 0)),
       "persona 'old' active_hours: all 24 values are 0; give at least one positive weight"},
      {"all-zero posting hours",
       small_with(R"(channels { id: "web" })",
                  R"(channels { id: "web" posting_hours: )" + hours(24, 0) + " }"),
       "channel 'web' posting_hours: all 24 values are 0"},
      {"a negative hour",
       small_with("share: 0.4", "share: 0.4 active_hours: " + hours(24, 1, 5, -1)),
       "persona 'old' active_hours[5]: -1 must be a finite number >= 0"},
  });
}

TEST_CASE("cli validate: touchpoint fields, ids and goal kinds") {
  check_rejected({
      {"missing stage", small_with(R"(id: "exit" stage: CONSIDERATION )", R"(id: "exit" )"),
       "touchpoint 'exit' stage: missing; use AWARENESS, CONSIDERATION, DECISION or LOYALTY"},
      {"missing act_probability with edges", small_with("cta { act_probability: 0.5 } ", ""),
       "touchpoint 'page' cta.act_probability: missing; a touchpoint with outgoing edges"},
      {"goal kind", small_with(R"(kind: "purchase")", R"(kind: "Big Purchase")"),
       "touchpoint 'checkout' goal.kind: 'Big Purchase' must be a lower-case word"},
      {"empty goal kind", small_with(R"(kind: "purchase" )", ""),
       "touchpoint 'checkout' goal.kind: '' must be a lower-case word"},
      {"persona id with a space", small_with(R"(id: "old")", R"(id: "old one")"),
       "persona 'old one' id: 'old one' may use only letters, digits, '_', '-' and '.'"},
      {"channel id with an arrow", small_plus(R"(channels { id: "tv->web" })"),
       "channel 'tv->web' id: 'tv->web' may use only letters"},
      {"channel without id", small_plus(R"(channels { name: "TV" })"), "channels[2] id: missing"},
      {"touchpoint without id", small_plus(R"(touchpoints { stage: AWARENESS channel: "web" })"),
       "touchpoints[4] id: missing"},
      {"variant name", small_with(R"(name: "bold")", R"(name: "very bold")"),
       "variant 'very bold' name: may use only letters"},
      {"variant without name",
       small_plus(R"(variants { cta_changes { touchpoint: "ad" label: "Go" } })"),
       "variants[1] name: missing"},
      {"shares on some personas only", small_with("share: 0.4 ", ""),
       "persona 'old' share: missing; set a share on every persona or on none"},
      {"shares summing to 0",
       replaced(small_with("share: 0.6", "share: 0"), "share: 0.4", "share: 0"),
       "personas: shares sum to 0; at least one must be positive"},
  });
}

TEST_CASE("cli validate: journeys without personas, touchpoints, entries or a reachable goal") {
  const std::string exit_with_cta =
      R"(touchpoints { id: "exit" stage: CONSIDERATION channel: "web" cta { act_probability: 0.1 } })";
  const std::string spinning = R"(
touchpoints { id: "spin_a" stage: CONSIDERATION channel: "web" cta { act_probability: 1 } }
touchpoints { id: "spin_b" stage: CONSIDERATION channel: "web" cta { act_probability: 1 } }
edges { from: "exit" to: "spin_a" }
edges { from: "spin_a" to: "spin_b" }
edges { from: "spin_b" to: "spin_a" })";
  v1::Scenario without_personas = parse_text(kSmallJourney);
  without_personas.clear_personas();
  check_rejected({
      {"no personas", to_text(without_personas), "no personas: define at least one"},
      {"no touchpoints", R"(personas { id: "all" } channels { id: "web" })",
       "no touchpoints: a journey needs at least one"},
      {"no entry weight", small_with("entry_weight: 1", "entry_weight: 0"),
       "no entry touchpoint: give at least one touchpoint"},
      {"entries only on a disabled channel",
       small_with(R"(channels { id: "social" })", R"(channels { id: "social" enabled: false })"),
       "no entry touchpoint"},
      {"no goal", small_with(R"(goal { kind: "purchase" value: 40 } )", ""),
       "no goal: mark at least one touchpoint with a goal"},
      {"no goal reachable", small_with(R"(edges { from: "page" to: "checkout" weight: 3 })", ""),
       "no goal touchpoint can be reached from any entry touchpoint along the edges"},
      {"goal only on a disabled channel",
       replaced(small_plus(R"(channels { id: "shop" enabled: false })"),
                R"(id: "checkout" stage: DECISION channel: "web")",
                R"(id: "checkout" stage: DECISION channel: "shop")"),
       "no goal touchpoint can be reached from any entry touchpoint"},
      {"a never-ending loop",
       small_with(R"(touchpoints { id: "exit" stage: CONSIDERATION channel: "web" })",
                  exit_with_cta + spinning),
       "a walk entering {'spin_a', 'spin_b'} never ends: the edges only lead around this loop, "
       "in the same session, and persona 'young' acts on every CTA in it with probability 1"},
  });
}

TEST_CASE("cli validate: simulation sizes and settings") {
  const std::string simulation =
      "simulation { horizon_days: 30 agents: 2000 replications: 4 seed: 7 }";
  auto with_simulation = [&](const std::string& fields) {
    return small_with(simulation, "simulation { " + fields + " }");
  };
  check_rejected({
      {"agent-days over the work budget",
       with_simulation("horizon_days: 36500 agents: 100000000 replications: 16"),
       "simulation: agents x horizon_days x replications = 1e+08 x 36500 x 16 = 5.84e+13 "
       "agent-days, over the budget of 2e+13"},
      {"agents over the memory budget", with_simulation("agents: 1000000000"),
       "simulation.agents: 1000000000 is not in [1, 204522252]; agent state takes 42 bytes per "
       "agent, so 39.1 GiB would be needed (budget 8 GiB)"},
      {"no agents", with_simulation("agents: 0"), "simulation.agents: 0 is not in [1, 204522252]"},
      {"one replication", with_simulation("replications: 1"),
       "simulation.replications: 1 is not in [2, 1000000]; an interval needs at least 2 "
       "replications"},
      {"no days", with_simulation("horizon_days: 0"),
       "simulation.horizon_days: 0 is not in [1, 36500]"},
      {"confidence 1", with_simulation("confidence: 1"),
       "simulation.confidence: 1 is not in (0, 1)"},
      {"confidence 0", with_simulation("confidence: 0"),
       "simulation.confidence: 0 is not in (0, 1)"},
      {"population 0", with_simulation("population: 0"),
       "simulation.population: 0 must be a finite number > 0"},
  });
}

TEST_CASE("cli run: size overrides on the command line are checked like the file") {
  TempDir dir;
  std::string path = dir.write("small.textproto", kSmallJourney);
  CliResult r = run_cli("run " + path +
                        " --quiet --agents 100000000 --horizon-days 36500 "
                        "--replications 16");
  INFO("stderr:\n" << r.err);
  CHECK(r.status == 2);
  CHECK(contains(r.err, "= 5.84e+13 agent-days"));
  // Refused as a usage error or by validation: either way exit 2, naming it.
  r = run_cli("run " + path + " --quiet --agents 1000000000");
  CHECK(r.status == 2);
  CHECK(contains(r.err, "agents"));
  CHECK(contains(r.err, "1000000000"));
}

TEST_CASE("cli validate: unknown responsiveness stage") {
  check_rejected({
      {"typo", small_with(R"(key: "decision")", R"(key: "decison")"),
       "persona 'young' responsiveness['decison']: unknown stage (did you mean 'decision'?); use "
       "awareness, consideration, decision or loyalty"},
  });
}

TEST_CASE("cli validate: variant definitions") {
  check_rejected({
      {"scale above 1",
       small_plus(
           R"(variants { name: "double" cta_changes { touchpoint: "page" act_probability_scale: 3 } })"),
       "variant 'double' cta_changes[0]: act_probability 0.5 x 3 = 1.5 is not in [0, 1]"},
      {"duplicate name",
       small_plus(
           R"(variants { name: "bold" cta_changes { touchpoint: "page" act_probability: 0.7 } })"),
       "duplicate variant name 'bold'"},
      {"empty CTA change",
       small_plus(R"(variants { name: "noop" cta_changes { touchpoint: "ad" } })"),
       "variant 'noop' cta_changes[0]: changes nothing; set act_probability, "
       "act_probability_scale or label"},
      {"empty channel change",
       small_plus(R"(variants { name: "noop" channel_changes { channel: "web" } })"),
       "variant 'noop' channel_changes[0]: changes nothing; set weekly_budget, budget_scale, "
       "enabled, posting_hours, organic_reach, flights, weekday_weights, posts, frequency_cap, "
       "fatigue, comments or audience"},
  });
}

TEST_CASE("cli validate: goal changes in variants, at their line") {
  struct Case {
    std::string variant, message;
  };
  for (const Case& c : std::vector<Case>{
           {R"(goal_changes { touchpoint: "chekout" value: 5 })",
            "error: variant 'g' goal_changes[0] touchpoint: unknown touchpoint 'chekout' (did you "
            "mean 'checkout'?)"},
           {R"(goal_changes { touchpoint: "page" value: 5 })",
            "error: variant 'g' goal_changes[0]: touchpoint 'page' has no goal to change"},
           {R"(goal_changes { touchpoint: "checkout" })",
            "error: variant 'g' goal_changes[0]: changes nothing; set value, kind, open_from"},
           {R"(goal_changes { touchpoint: "checkout" value: -5 })",
            "error: variant 'g' goal_changes[0] value: -5 must be a finite number >= 0"},
           {R"(goal_changes { touchpoint: "checkout" kind: "Sale!" })",
            "error: variant 'g' goal_changes[0] kind: 'Sale!' must be a lower-case word"},
           {R"(goal_changes { touchpoint: "checkout" valeu: 5 })",
            "error: GoalChange has no field 'valeu' (did you mean 'value'?)"}}) {
    TempDir dir;
    const std::string text = small_plus("variants { name: \"g\"\n  " + c.variant + " }");
    const std::string path = dir.write("goal.textproto", text);
    for (const char* command : {"validate", "run", "compare"}) {
      CliResult r = run_cli(std::string(command) + " " + path + " --quiet");
      INFO(command << " " << c.variant << "\nstderr:\n" << r.err);
      CHECK(r.status == 2);
      CHECK(contains(r.err, path + ":17:"));  // the line of the goal change
      CHECK(contains(r.err, c.message));
    }
  }
}

TEST_CASE("cli validate: a variant that breaks the scenario once applied") {
  TempDir dir;
  std::string path = dir.write(
      "dark.textproto",
      small_plus(
          R"(variants { name: "dark" channel_changes { channel: "social" enabled: false } })"));
  CliResult r = run_cli("validate " + path);
  INFO("stderr:\n" << r.err);
  CHECK(r.status == 2);
  CHECK(contains(r.err, path + ": error: with variant 'dark': no entry touchpoint"));
  CHECK(contains(r.err, path + ": 1 error\n"));

  // The baseline and the good variant still run; the broken one does not.
  r = run_cli("run " + path + " --quiet --agents 200 --replications 2 --threads 1");
  CHECK(r.status == 0);
  r = run_cli("run " + path + " --quiet --agents 200 --replications 2 --threads 1 --variant bold");
  CHECK(r.status == 0);
  r = run_cli("run " + path + " --quiet --variant dark");
  CHECK(r.status == 2);
  CHECK(contains(r.err, "with variant 'dark': no entry touchpoint"));
}

TEST_CASE("cli run: unknown variant") {
  TempDir dir;
  std::string path = dir.write("small.textproto", kSmallJourney);
  CliResult r = run_cli("run " + path + " --quiet --variant bolder");
  INFO("stderr:\n" << r.err);
  CHECK(r.status == 2);
  CHECK(contains(r.err, path + ": error: unknown variant 'bolder' (did you mean 'bold'?); the "
                               "scenario defines: bold"));
  CHECK(r.out.empty());
}

TEST_CASE("cli validate: files that cannot be read or parsed") {
  TempDir dir;
  auto check_file = [](const std::string& path, const std::string& message) {
    for (const char* command : {"validate", "run"}) {
      CliResult r = run_cli(std::string(command) + " " + path + " --quiet");
      INFO(std::string(command) << " " << path << "\nstderr:\n" << r.err);
      CHECK(r.status == 2);
      CHECK(contains(r.err, message));
    }
  };

  SUBCASE("unknown extension") {
    std::string path = dir.write("small.yaml", kSmallJourney);
    check_file(path, path + ": error: unknown scenario format: use .textproto");
  }
  SUBCASE("missing file") {
    std::string path = dir.file("missing.textproto");
    check_file(path, path + ": error: cannot open: No such file or directory");
  }
  SUBCASE("a folder") {
    std::filesystem::create_directory(dir.file("folder.textproto"));
    std::string path = dir.file("folder.textproto");
    check_file(path, path + ": error: cannot read: is a directory");
  }
  SUBCASE("text-format syntax error at its line and column") {
    std::string text = small_with("entry_weight: 1 }", "entry_weight: }");
    std::string path = dir.write("syntax.textproto", text);
    // The column of the '}' where a number was expected.
    std::string at = line_col(text, "entry_weight: }");
    std::string line = at.substr(0, at.find(':'));
    int column = std::stoi(at.substr(at.find(':') + 1)) +
                 static_cast<int>(std::string("entry_weight: ").size());
    check_file(path, path + ":" + line + ":" + std::to_string(column) +
                         ": error: Expected double, got: }");
  }
  SUBCASE("unknown field in text format, on its line") {
    std::string text = small_with("seed: 7", "seed: 7 colour: 3");
    std::string path = dir.write("field.textproto", text);
    check_file(path, path + ":3:");
    check_file(path, "Simulation has no field 'colour'");
  }
  SUBCASE("unknown enum value in text format, on its line") {
    std::string text = small_with("stage: DECISION", "stage: DECIDE");
    std::string path = dir.write("enum.textproto", text);
    check_file(path, path + ":10:");
    check_file(path,
               "stage: 'DECIDE' is not a Stage; use AWARENESS, CONSIDERATION, DECISION or "
               "LOYALTY");
  }
  SUBCASE("JSON syntax error") {
    std::string path = dir.write("broken.json", R"({"name": "x", "personas": [)");
    check_file(path, path + ":");
    check_file(path, "error: invalid JSON");
  }
  SUBCASE("JSON unknown field") {
    std::string path = dir.write("unknown.json", R"({"name": "x", "colour": 1})");
    check_file(path, path + ":");
    check_file(path,
               path + ":1:15: error: not a cjsim.v1.Scenario: Scenario has no field 'colour'");
  }
  SUBCASE("JSON unknown field and enum value, with the closest names, on their lines") {
    std::string path =
        dir.write("typo.json", "{\"channels\": [{\"id\": \"web\",\n \"weeklyBudgt\": 1}]}");
    check_file(path, path +
                         ":2:2: error: not a cjsim.v1.Scenario: Channel has no field 'weeklyBudgt' "
                         "(did you mean 'weeklyBudget'?)");
    path =
        dir.write("stage.json", "{\"touchpoints\": [{\"id\": \"a\",\n \"stage\": \"AWARENES\"}]}");
    check_file(path, path +
                         ":2:11: error: not a cjsim.v1.Scenario: stage: 'AWARENES' is not a Stage; "
                         "did you mean AWARENESS? use AWARENESS, CONSIDERATION, DECISION or "
                         "LOYALTY");
  }
  SUBCASE("binary that is not a scenario") {
    std::string path = dir.write("junk.binpb", std::string("\xff\xff\xff\xff garbage", 12));
    check_file(path, path + ": error: not a binary cjsim.v1.Scenario message");
  }
}

TEST_CASE("cli validate: every error in a file is reported at once") {
  TempDir dir;
  std::string text = small_with("act_probability: 0.3", "act_probability: 1.7");
  text = replaced(text, R"(channels { id: "social" })", R"(channels { id: "social" cpm: -1 })");
  text = replaced(text, R"(id: "exit" stage: CONSIDERATION channel: "web")",
                  R"(id: "exit" channel: "tv")");
  std::string path = dir.write("many.textproto", text);
  for (const char* command : {"validate", "run"}) {
    CliResult r = run_cli(std::string(command) + " " + path + " --quiet");
    INFO(std::string(command) << " stderr:\n" << r.err);
    CHECK(r.status == 2);
    CHECK(
        contains(r.err, path + ":" + line_col(text, "act_probability: 1.7") +
                            ": error: touchpoint 'ad' cta.act_probability: 1.7 is not in [0, 1]"));
    CHECK(contains(r.err, path + ":" + line_col(text, "cpm: -1") +
                              ": error: channel 'social' cpm: -1 must be a finite number >= 0"));
    CHECK(contains(r.err, "error: touchpoint 'exit' stage: missing"));
    CHECK(contains(r.err, path + ":" + line_col(text, R"(channel: "tv")") +
                              ": error: touchpoint 'exit' channel: unknown channel 'tv'"));
  }
  CliResult r = run_cli("validate " + path);
  CHECK(contains(r.err, path + ": 4 errors\n"));
}

TEST_CASE("cli validate: warnings go to stderr and do not fail") {
  TempDir dir;
  struct Warned {
    std::string what, scenario, message;
  };
  const std::vector<Warned> cases = {
      {"unreachable touchpoint",
       small_plus(R"(touchpoints { id: "orphan" stage: AWARENESS channel: "web" })"),
       "warning: touchpoint 'orphan' cannot be reached from any entry touchpoint"},
      {"shares not summing to 1", small_with("share: 0.4", "share: 0.6"),
       "warning: persona shares sum to 1.2, not 1; they are normalised"},
  };
  for (const Warned& w : cases) {
    INFO(w.what);
    std::string path = dir.write("warned.textproto", w.scenario);
    CliResult r = run_cli("validate " + path);
    CHECK(r.status == 0);
    CHECK(contains(r.err, path + ":"));
    CHECK(contains(r.err, w.message));
    CHECK(contains(r.out, path + ": ok:"));
    CHECK_FALSE(contains(r.out, "warning"));

    r = run_cli("run " + path + " --agents 200 --replications 2 --threads 1");
    CHECK(r.status == 0);
    CHECK(contains(r.err, w.message));
    CHECK_FALSE(contains(r.out, "warning"));

    // --quiet drops warnings, not the result.
    r = run_cli("validate " + path + " --quiet");
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    r = run_cli("run " + path + " --agents 200 --replications 2 --threads 1 --quiet");
    CHECK(r.status == 0);
    CHECK(r.err.empty());
  }
}

TEST_CASE("cli run: an output path that cannot be written fails before the run") {
  TempDir dir;
  std::string path = dir.write("small.textproto", kSmallJourney);
  const std::string missing_folder = dir.file("no-such-folder");
  for (const std::string& output :
       {std::string("/nonexistent/x.json"), missing_folder + "/x.json"}) {
    CliResult r =
        run_cli("run " + path + " --quiet --agents 200 --replications 2 --json " + output);
    INFO("stderr:\n" << r.err);
    CHECK(r.status == 2);
    CHECK(contains(r.err, "--json " + output + ": cannot write"));
    CHECK(r.out.empty());
    CHECK_FALSE(std::filesystem::exists(output));
  }
  CHECK_FALSE(std::filesystem::exists("/nonexistent"));
  CHECK_FALSE(std::filesystem::exists(missing_folder));
}

TEST_CASE("cli run: a rejected scenario writes no result file") {
  TempDir dir;
  std::string path =
      dir.write("bad.textproto", small_with("act_probability: 0.3", "act_probability: 1.7"));
  std::string output = dir.file("result.json");
  CliResult r = run_cli("run " + path + " --quiet --json " + output);
  CHECK(r.status == 2);
  // Only the scenario is left in the folder: no result, no temporary file.
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path()))
    ++entries;
  CHECK(entries == 1);
  CHECK_FALSE(std::filesystem::exists(output));
}

TEST_CASE("cli: usage errors exit 2") {
  TempDir dir;
  std::string path = dir.write("small.textproto", kSmallJourney);
  const std::vector<std::string> usages = {
      "",                                   // no subcommand
      "simulate " + path,                   // unknown subcommand
      "run",                                // missing scenario
      "validate",                           // missing scenario
      "run " + path + " --bogus",           // unknown option
      "validate " + path + " --bogus",      // unknown option
      "run " + path + " --threads 0",       // out of range
      "run " + path + " --agents 0",        // out of range
      "run " + path + " --agents many",     // not a number
      "run " + path + " --replications 1",  // an interval needs 2
      "run " + path + " --horizon-days 0",  // out of range
      "run " + path + " " + path,           // two scenarios
  };
  for (const std::string& args : usages) {
    CliResult r = run_cli(args);
    INFO("cjsim " << args << "\nstderr:\n" << r.err);
    CHECK(r.status == 2);
    CHECK_FALSE(r.err.empty());
  }
}

TEST_CASE("cli validate: the loyalty block") {
  check_rejected({
      {"both repeat models",
       small_plus(
           R"(loyalty { bg_nbd { r: 1 alpha: 10 a: 1 b: 2 } bg_bb { alpha: 1 beta: 1 gamma: 1 delta: 1 period_days: 30 } })"),
       "loyalty: give bg_nbd or bg_bb, not both"},
      {"missing parameter", small_plus(R"(loyalty { bg_nbd { r: 1 alpha: 10 a: 1 } })"),
       "loyalty bg_nbd.b: missing"},
      {"zero parameter", small_plus(R"(loyalty { bg_nbd { r: 0 alpha: 10 a: 1 b: 2 } })"),
       "loyalty bg_nbd.r: 0 must be a finite number > 0"},
      {"weekly alpha taken for daily",
       small_plus(R"(loyalty { bg_nbd { r: 2 alpha: 0.1 a: 1 b: 2 } })"),
       "loyalty bg_nbd: the mean repeat rate r / alpha = 20 per day is above 10"},
      {"fractional period",
       small_plus(R"(loyalty { bg_bb { alpha: 1 beta: 1 gamma: 1 delta: 1 period_days: 2.5 } })"),
       "loyalty bg_bb.period_days: 2.5 must be a whole number of days in [1, 36500]"},
      {"unknown goal kind",
       small_plus(
           R"(loyalty { by_goal_kind { key: "purchse" value { bg_nbd { r: 1 alpha: 10 a: 1 b: 2 } } } })"),
       "loyalty by_goal_kind['purchse']: no touchpoint has a goal of kind 'purchse' (did you mean "
       "'purchase'?)"},
      {"care channel",
       small_plus(
           R"(loyalty { care { channel: "fb" complaint_rate: 0.01 daily_capacity: 5 sla_days: 1 } })"),
       "loyalty care channel: unknown channel 'fb'"},
      {"care capacity missing",
       small_plus(R"(loyalty { care { channel: "web" complaint_rate: 0.01 sla_days: 1 } })"),
       "loyalty care daily_capacity: missing"},
      {"care probability",
       small_plus(
           R"(loyalty { care { channel: "web" complaint_rate: 0.01 daily_capacity: 5 sla_days: 1 churn_if_unanswered: 1.7 } })"),
       "loyalty care churn_if_unanswered: 1.7 is not in [0, 1]"},
      {"referral at loyalty",
       small_plus(
           R"(loyalty { referral { rate: 0.01 channel: "social" landing_stage: LOYALTY } })"),
       "loyalty referral landing_stage: a referred person cannot land at LOYALTY"},
      {"agents over the memory budget with loyalty",
       std::string(kSmallJourney)
               .replace(std::string(kSmallJourney).find("agents: 2000"), 12, "agents: 200000000") +
           R"(loyalty { bg_nbd { r: 1 alpha: 10 a: 1 b: 2 } })",
       "simulation.agents: 200000000 is not in [1, 138547332]; agent state takes 62 bytes per "
       "agent with the loyalty block"},
      {"referral rate negative",
       small_plus(R"(loyalty { referral { rate: -1 channel: "social" } })"),
       "loyalty referral rate: -1 must be a finite number >= 0"},
  });
}

TEST_CASE("cli run: --exact refuses a scenario with a loyalty block") {
  TempDir dir;
  const std::string path = dir.write(
      "loyal.textproto", small_plus(R"(loyalty { bg_nbd { r: 1 alpha: 10 a: 1 b: 2 } })"));
  CliResult r = run_cli("run " + path + " --exact");
  CHECK(r.status == 2);
  CHECK(contains(r.err, "the scenario's loyalty block gives customers repeats"));
}

}  // namespace
}  // namespace cjsim::testing
