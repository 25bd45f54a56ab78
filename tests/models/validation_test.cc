// validate_scenario at library level: one check per kind of problem, the
// source locations it reports, warnings, and messages for applied variants.

#include "models/validation.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

#include "models/variant.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::kSmallJourney;
using testing::parse_text;

using testing::contains;

std::string replaced(std::string text, std::string_view from, std::string_view to) {
  size_t at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, "edit not found: " << from);
  return text.replace(at, from.size(), to);
}

std::string small_with(std::string_view from, std::string_view to) {
  return replaced(kSmallJourney, from, to);
}

std::string small_plus(std::string_view extra) {
  return std::string(kSmallJourney) + std::string(extra) + "\n";
}

struct Checked {
  bool ok = false;
  Diagnostics diagnostics;
  std::string errors;    // every error message, one a line
  std::string warnings;  // every warning message, one a line
};

Checked check(const v1::Scenario& scenario, std::string_view variant_name = {}) {
  Checked c;
  c.ok = validate_scenario(scenario, nullptr, c.diagnostics, variant_name);
  for (const Diagnostic& d : c.diagnostics.items()) {
    (d.severity == Severity::kError ? c.errors : c.warnings) += d.message + "\n";
  }
  return c;
}

Checked check(const std::string& text) { return check(parse_text(text)); }

// Rejected with exactly one error, containing `message`.
void check_one_error(const std::string& text, const std::string& message) {
  Checked c = check(text);
  INFO("errors:\n" << c.errors);
  CHECK_FALSE(c.ok);
  CHECK(c.diagnostics.error_count() == 1);
  CHECK(contains(c.errors, message));
}

TEST_CASE("validation: the small journey and its variant are valid, without warnings") {
  Checked c = check(std::string(kSmallJourney));
  CHECK(c.ok);
  CHECK(c.diagnostics.items().empty());

  Diagnostics diagnostics;
  std::optional<v1::Scenario> bold = apply_variant(parse_text(kSmallJourney), "bold", diagnostics);
  REQUIRE(bold);
  Checked applied = check(*bold, "bold");
  CHECK(applied.ok);
  CHECK(applied.diagnostics.items().empty());
}

TEST_CASE("validation: ids") {
  check_one_error(small_with(R"(personas { id: "old")", R"(personas { id: "young")"),
                  "duplicate persona id 'young' (first defined as personas[0])");
  check_one_error(small_plus(R"(channels { id: "web" })"),
                  "duplicate channel id 'web' (first defined as channels[1])");
  check_one_error(small_plus(R"(touchpoints { id: "checkout" stage: LOYALTY channel: "web" })"),
                  "duplicate touchpoint id 'checkout' (first defined as touchpoints[2])");
  check_one_error(small_with(R"(id: "old")", R"(id: "old one")"),
                  "persona 'old one' id: 'old one' may use only letters, digits, '_', '-' and '.'");
  check_one_error(small_plus(R"(channels { id: "a->b" })"),
                  "channel 'a->b' id: 'a->b' may use only");
  check_one_error(small_plus(R"(channels { name: "TV" })"), "channels[2] id: missing");
  check_one_error(small_plus(R"(edges { from: "pgae" to: "exit" })"),
                  "edge 'pgae' -> 'exit' from: unknown touchpoint 'pgae' (did you mean 'page'?)");
  check_one_error(small_plus(R"(edges { from: "page" to: "nowhere" })"),
                  "edge 'page' -> 'nowhere' to: unknown touchpoint 'nowhere'");
  check_one_error(small_plus(R"(edges { to: "exit" })"), "edges[3] from: missing");
  check_one_error(small_with(R"(channel: "social")", R"(channel: "soical")"),
                  "touchpoint 'ad' channel: unknown channel 'soical' (did you mean 'social'?)");
  check_one_error(small_with("share: 0.4", R"(share: 0.4 channel_affinity { key: "tv" value: 1 })"),
                  "persona 'old' channel_affinity['tv']: unknown channel 'tv'");
}

TEST_CASE("validation: numbers out of range, NaN and infinity") {
  check_one_error(small_with("act_probability: 0.3", "act_probability: 1.7"),
                  "touchpoint 'ad' cta.act_probability: 1.7 is not in [0, 1]");
  check_one_error(small_with("act_probability: 0.3", "act_probability: nan"),
                  "touchpoint 'ad' cta.act_probability: nan is not in [0, 1]");
  check_one_error(small_with("act_probability: 0.3", "act_probability: -0.01"),
                  "touchpoint 'ad' cta.act_probability: -0.01 is not in [0, 1]");
  check_one_error(small_with(R"(channels { id: "web" })", R"(channels { id: "web" cpm: inf })"),
                  "channel 'web' cpm: inf must be a finite number >= 0");
  check_one_error(small_with("delay_days: 2", "delay_days: -inf"),
                  "edge 'page' -> 'exit' delay_days: -inf must be a finite number >= 0");
  check_one_error(small_with("weight: 3", "weight: nan"),
                  "edge 'page' -> 'checkout' weight: nan must be a finite number >= 0");
  check_one_error(
      small_with(R"(channels { id: "web" })", R"(channels { id: "web" weekly_budget: -1 })"),
      "channel 'web' weekly_budget: -1 must be a finite number >= 0");
  check_one_error(
      small_with(R"(channels { id: "web" })", R"(channels { id: "web" hill_shape: 0 })"),
      "channel 'web' hill_shape: 0 must be > 0");
  check_one_error(small_with("seed: 7", "seed: 7 confidence: 1.5"),
                  "simulation.confidence: 1.5 is not in (0, 1)");
}

TEST_CASE("validation: hours") {
  v1::Scenario s = parse_text(kSmallJourney);
  v1::Persona* old = s.mutable_personas(1);
  for (int h = 0; h < 23; ++h) old->add_active_hours(1);
  Checked c = check(s);
  CHECK(contains(c.errors,
                 "persona 'old' active_hours: has 23 values; give none or one per hour (24)"));

  old->add_active_hours(1);
  CHECK(check(s).ok);
  old->set_active_hours(7, -2);
  c = check(s);
  CHECK(c.diagnostics.error_count() == 1);
  CHECK(contains(c.errors, "persona 'old' active_hours[7]: -2 must be a finite number >= 0"));

  for (int h = 0; h < 24; ++h) old->set_active_hours(h, 0);
  c = check(s);
  CHECK(contains(c.errors, "persona 'old' active_hours: all 24 values are 0"));

  old->clear_active_hours();
  v1::Channel* web = s.mutable_channels(1);
  for (int h = 0; h < 24; ++h) web->add_posting_hours(0);
  c = check(s);
  CHECK(c.diagnostics.error_count() == 1);
  CHECK(contains(c.errors, "channel 'web' posting_hours: all 24 values are 0"));
}

TEST_CASE("validation: touchpoints, goals and the journey's structure") {
  check_one_error(small_with(R"(id: "exit" stage: CONSIDERATION )", R"(id: "exit" )"),
                  "touchpoint 'exit' stage: missing");
  check_one_error(
      small_with("cta { act_probability: 0.5 } ", ""),
      "touchpoint 'page' cta.act_probability: missing; a touchpoint with outgoing edges");
  check_one_error(small_with(R"(kind: "purchase")", R"(kind: "purchase!")"),
                  "touchpoint 'checkout' goal.kind: 'purchase!' must be a lower-case word");
  check_one_error("personas { id: \"all\" }", "no touchpoints: a journey needs at least one");
  check_one_error(small_with("entry_weight: 1", "entry_weight: 0"),
                  "no entry touchpoint: give at least one touchpoint (on an enabled channel)");
  check_one_error(small_with(R"(goal { kind: "purchase" value: 40 } )", ""),
                  "no goal: mark at least one touchpoint with a goal");

  // The goal is cut off: an error, and a warning for the touchpoint itself.
  Checked c = check(small_with(R"(edges { from: "page" to: "checkout" weight: 3 })", ""));
  CHECK_FALSE(c.ok);
  CHECK(c.diagnostics.error_count() == 1);
  CHECK(contains(c.errors, "no goal touchpoint can be reached from any entry touchpoint"));
  CHECK(contains(c.warnings, "touchpoint 'checkout' cannot be reached from any entry touchpoint"));

  v1::Scenario none = parse_text(kSmallJourney);
  none.clear_personas();
  c = check(none);
  CHECK(contains(c.errors, "no personas: define at least one"));
}

TEST_CASE("validation: sizes") {
  auto with_simulation = [](const std::string& fields) {
    return small_with("simulation { horizon_days: 30 agents: 2000 replications: 4 seed: 7 }",
                      "simulation { " + fields + " }");
  };
  Checked c = check(with_simulation("horizon_days: 3650 agents: 150000000 replications: 200"));
  CHECK(c.diagnostics.error_count() == 1);
  CHECK(contains(c.errors,
                 "= 1.095e+14 agent-days, over the budget of 2e+13 (about 304 core-hours)"));
  check_one_error(with_simulation("agents: 400000000"),
                  "simulation.agents: 400000000 is not in [1, 204522252]; agent state takes 42 "
                  "bytes per agent, so 15.6 GiB would be needed (budget 8 GiB)");
  check_one_error(with_simulation("replications: 1"), "simulation.replications: 1 is not in [2, ");
  check_one_error(with_simulation("confidence: 0"), "simulation.confidence: 0 is not in (0, 1)");

  // Too few agents is not a memory problem.
  c = check(with_simulation("agents: 0"));
  CHECK(contains(c.errors, "simulation.agents: 0 is not in [1, 204522252]"));
  CHECK_FALSE(contains(c.errors, "GiB"));

  // Defaults fill in what the file leaves out.
  CHECK(check(with_simulation("")).ok);
}

TEST_CASE("validation: personas' shares and responsiveness") {
  check_one_error(small_with("share: 0.4 ", ""),
                  "persona 'old' share: missing; set a share on every persona or on none");
  check_one_error(replaced(small_with("share: 0.6", "share: 0"), "share: 0.4", "share: 0"),
                  "personas: shares sum to 0; at least one must be positive");
  check_one_error(small_with(R"(key: "decision")", R"(key: "purchase")"),
                  "persona 'young' responsiveness['purchase']: unknown stage");
  // Enum spellings name stages too.
  CHECK(check(small_with(R"(key: "decision")", R"(key: "DECISION")")).ok);

  // Shares that do not sum to 1 are normalised, with a warning.
  Checked c = check(small_with("share: 0.4", "share: 0.6"));
  CHECK(c.ok);
  CHECK(c.diagnostics.error_count() == 0);
  CHECK(contains(c.warnings, "persona shares sum to 1.2, not 1; they are normalised"));

  // No shares at all: equal shares, nothing to say.
  c = check(replaced(small_with("share: 0.6 ", ""), "share: 0.4 ", ""));
  CHECK(c.ok);
  CHECK(c.diagnostics.items().empty());

  v1::Scenario crowd = parse_text(kSmallJourney);
  crowd.clear_personas();
  for (int p = 0; p < 256; ++p) crowd.add_personas()->set_id("p" + std::to_string(p));
  CHECK(contains(check(crowd).errors, "personas: 256 defined; at most 255"));
}

TEST_CASE("validation: variant definitions") {
  check_one_error(
      small_plus(
          R"(variants { name: "hot" cta_changes { touchpoint: "page" act_probability_scale: 2.5 } })"),
      "variant 'hot' cta_changes[0]: act_probability 0.5 x 2.5 = 1.25 is not in [0, 1]");
  check_one_error(
      small_plus(R"(variants { name: "bold" cta_changes { touchpoint: "page" label: "Go" } })"),
      "duplicate variant name 'bold'");
  check_one_error(small_plus(R"(variants { name: "noop" cta_changes { touchpoint: "page" } })"),
                  "variant 'noop' cta_changes[0]: changes nothing");
  check_one_error(small_plus(R"(variants { name: "noop" channel_changes { channel: "web" } })"),
                  "variant 'noop' channel_changes[0]: changes nothing");
  check_one_error(
      small_plus(R"(variants { name: "x" channel_changes { channel: "tv" enabled: false } })"),
      "variant 'x' channel_changes[0] channel: unknown channel 'tv'");
  check_one_error(
      small_with(R"(touchpoint: "ad")", R"(touchpoint: "checkuot")"),
      "variant 'bold' cta_changes[0] touchpoint: unknown touchpoint 'checkuot' (did you "
      "mean 'checkout'?)");
  // A label alone, or enabled alone, is a change.
  CHECK(check(small_plus(
                  R"(variants { name: "relabel" cta_changes { touchpoint: "ad" label: "Go" } })"))
            .ok);
  CHECK(check(small_plus(
                  R"(variants { name: "off" channel_changes { channel: "web" enabled: false } })"))
            .ok);
}

TEST_CASE("validation: goal changes in variants") {
  check_one_error(
      small_plus(R"(variants { name: "g" goal_changes { touchpoint: "chekout" value: 5 } })"),
      "variant 'g' goal_changes[0] touchpoint: unknown touchpoint 'chekout' (did you mean "
      "'checkout'?)");
  check_one_error(
      small_plus(R"(variants { name: "g" goal_changes { touchpoint: "page" value: 5 } })"),
      "variant 'g' goal_changes[0]: touchpoint 'page' has no goal to change; a goal "
      "change sets the value or kind of an existing goal");
  check_one_error(small_plus(R"(variants { name: "g" goal_changes { touchpoint: "checkout" } })"),
                  "variant 'g' goal_changes[0]: changes nothing; set value, kind, open_from");
  check_one_error(
      small_plus(
          R"(variants { name: "g" goal_changes { touchpoint: "checkout" kind: "Big Sale" } })"),
      "variant 'g' goal_changes[0] kind: 'Big Sale' must be a lower-case word such as purchase");
  check_one_error(
      small_plus(R"(variants { name: "g" goal_changes { touchpoint: "checkout" kind: "" } })"),
      "variant 'g' goal_changes[0] kind: '' must be a lower-case word");
  check_one_error(
      small_plus(R"(variants { name: "g" goal_changes { touchpoint: "checkout" value: -1 } })"),
      "variant 'g' goal_changes[0] value: -1 must be a finite number >= 0");
  check_one_error(
      small_plus(R"(variants { name: "g" goal_changes { touchpoint: "checkout" value: 2e15 } })"),
      "variant 'g' goal_changes[0] value: 2e+15 is over 1e+15, the most accepted");
  v1::Scenario nan = parse_text(
      small_plus(R"(variants { name: "g" goal_changes { touchpoint: "checkout" value: 1 } })"));
  nan.mutable_variants(1)->mutable_goal_changes(0)->set_value(std::nan(""));
  CHECK(contains(check(nan).errors,
                 "variant 'g' goal_changes[0] value: nan must be a finite number"));
  // A touchpoint the variant removes, or adds without a goal.
  check_one_error(small_plus(R"(variants { name: "g" remove_touchpoints: "checkout"
                                 goal_changes { touchpoint: "checkout" value: 1 } })"),
                  "variant 'g' goal_changes[0] touchpoint: touchpoint 'checkout' is removed by "
                  "this variant");
  check_one_error(small_plus(R"(variants { name: "g"
      add_touchpoints { id: "x" stage: DECISION channel: "web" }
      goal_changes { touchpoint: "x" value: 1 } })"),
                  "variant 'g' goal_changes[0]: touchpoint 'x' has no goal to change");
  CHECK(
      check(
          small_plus(
              R"(variants { name: "g" goal_changes { touchpoint: "checkout" value: 0 kind: "order" } })"))
          .ok);
}

TEST_CASE("validation: a goal change that breaks a rule spanning fields is refused once applied") {
  // loyalty.by_goal_kind names a kind that no goal has any more.
  const v1::Scenario s = parse_text(small_plus(R"(
loyalty { by_goal_kind { key: "purchase" value { bg_nbd { r: 1 alpha: 10 a: 1 b: 2 } } } }
variants { name: "renamed" goal_changes { touchpoint: "checkout" kind: "order" } })"));
  Diagnostics diagnostics;
  REQUIRE(validate_scenario(s, nullptr, diagnostics));
  CHECK_FALSE(apply_and_validate_variant(s, "renamed", diagnostics));
  CHECK(contains(diagnostics.to_string(),
                 "with variant 'renamed': loyalty by_goal_kind['purchase']: no touchpoint has a "
                 "goal of kind 'purchase'"));
}

TEST_CASE("regression: a variant that changes nothing was accepted") {
  check_one_error(small_plus(R"(variants { name: "x" })"),
                  "variant 'x': changes nothing; give at least one edit (cta_changes, "
                  "channel_changes, add_touchpoints,");
  check_one_error(small_plus(R"(variants { name: "x" description: "only words" })"),
                  "variant 'x': changes nothing");
  // Any one edit is enough, a horizon or a loyalty block included.
  CHECK(check(small_plus(R"(variants { name: "long" horizon_days: 60 })")).ok);
  CHECK(check(small_plus(R"(variants { name: "off" remove_touchpoints: "exit" })")).ok);
}

TEST_CASE("validation: a closed same-session loop acted on with certainty is refused") {
  // exit -> spin_a <-> spin_b, both acted on with probability 1, no way out.
  const std::string spin_b =
      R"(touchpoints { id: "spin_b" stage: CONSIDERATION channel: "web" cta { act_probability: 1 } })";
  const std::string back = R"(edges { from: "spin_b" to: "spin_a" })";
  const std::string looping = small_with(
      R"(touchpoints { id: "exit" stage: CONSIDERATION channel: "web" })",
      R"(touchpoints { id: "exit" stage: CONSIDERATION channel: "web" cta { act_probability: 0.1 } }
touchpoints { id: "spin_a" stage: CONSIDERATION channel: "web" cta { act_probability: 1 } }
)" + spin_b +
          R"(
edges { from: "exit" to: "spin_a" }
edges { from: "spin_a" to: "spin_b" }
)" + back);

  Checked c = check(looping);
  INFO("errors:\n" << c.errors);
  CHECK_FALSE(c.ok);
  CHECK(c.diagnostics.error_count() == 1);
  CHECK(contains(c.errors,
                 "a walk entering {'spin_a', 'spin_b'} never ends: the edges only "
                 "lead around this loop, in the same session, and persona 'young' acts "
                 "on every CTA in it with probability 1"));

  // Any way for the walk to end makes it an ordinary loop.
  CHECK(check(looping + "\nedges { from: \"spin_b\" to: \"checkout\" }").ok);
  CHECK(check(replaced(looping, back, R"(edges { from: "spin_b" to: "spin_a" delay_days: 0.5 })"))
            .ok);
  CHECK(check(replaced(looping, spin_b,
                       replaced(spin_b, "act_probability: 1", "act_probability: 0.999")))
            .ok);
}

TEST_CASE("validation: a loop that only one persona's responsiveness makes certain") {
  // spin is a DECISION touchpoint acted on with 0.9; 'young' multiplies
  // decision CTAs by 1.2, so for them it is certain.
  std::string text = small_plus(R"(
touchpoints { id: "spin" stage: DECISION channel: "web" cta { act_probability: 0.9 } }
edges { from: "spin" to: "spin" })");
  Checked c = check(text);
  CHECK_FALSE(c.ok);
  CHECK(contains(c.errors, "a walk entering {'spin'} never ends"));
  CHECK(contains(c.errors, "persona 'young' acts on every CTA in it with probability 1"));
  CHECK(c.diagnostics.error_count() == 1);  // once, not once per persona

  CHECK(check(replaced(text, "value: 1.2", "value: 1.1")).ok);  // 0.99: it ends
}

TEST_CASE("validation: every never-ending loop is reported") {
  Checked c = check(small_plus(R"(
touchpoints { id: "spin_a" stage: AWARENESS channel: "web" cta { act_probability: 1 } }
touchpoints { id: "spin_b" stage: AWARENESS channel: "web" cta { act_probability: 1 } }
edges { from: "spin_a" to: "spin_a" }
edges { from: "spin_b" to: "spin_b" })"));
  INFO("errors:\n" << c.errors);
  CHECK(c.diagnostics.error_count() == 2);
  CHECK(contains(c.errors, "{'spin_a'} never ends"));
  CHECK(contains(c.errors, "{'spin_b'} never ends"));
}

TEST_CASE(
    "validation: an edge into a switched-off channel ends the walk, so a loop with one is not "
    "closed") {
  // spin loops on itself, but also leads to a touchpoint of the channel 'tv',
  // which the variant switches off: the walk ends there.
  std::string text = small_plus(R"(
channels { id: "tv" }
touchpoints { id: "spin" stage: CONSIDERATION channel: "web" cta { act_probability: 1 } }
touchpoints { id: "ad_tv" stage: CONSIDERATION channel: "tv" }
edges { from: "spin" to: "spin" }
edges { from: "spin" to: "ad_tv" }
variants { name: "no_tv" channel_changes { channel: "tv" enabled: false } })");
  CHECK(check(text).ok);
  Diagnostics diagnostics;
  std::optional<v1::Scenario> no_tv = apply_variant(parse_text(text), "no_tv", diagnostics);
  REQUIRE(no_tv);
  Checked c = check(*no_tv, "no_tv");
  INFO("errors:\n" << c.errors);
  CHECK(c.ok);
}

TEST_CASE("validation: with a source map, errors point at the line and column") {
  const std::string text = small_with("act_probability: 0.5", "act_probability: 1.5");
  Diagnostics diagnostics;
  std::optional<LoadedScenario> loaded =
      parse_scenario(text, ScenarioFormat::kText, "s.textproto", diagnostics);
  REQUIRE(loaded);
  CHECK_FALSE(validate_scenario(loaded->scenario, loaded->source_map.get(), diagnostics));
  REQUIRE(diagnostics.items().size() == 1);
  const Diagnostic& d = diagnostics.items()[0];
  CHECK(d.file == "s.textproto");
  CHECK(d.location.line == 9);
  CHECK(d.location.column ==
        1 + static_cast<int>(
                std::string_view(
                    R"(touchpoints { id: "page" stage: CONSIDERATION channel: "web" cta { )")
                    .size()));
  CHECK(format_diagnostic(d) ==
        "s.textproto:9:68: error: touchpoint 'page' cta.act_probability: 1.5 is not in [0, 1]");

  // A field that was not written points at its enclosing message.
  Diagnostics missing;
  loaded = parse_scenario(small_with(R"(id: "exit" stage: CONSIDERATION )", R"(id: "exit" )"),
                          ScenarioFormat::kText, "s.textproto", missing);
  REQUIRE(loaded);
  validate_scenario(loaded->scenario, loaded->source_map.get(), missing);
  REQUIRE(missing.items().size() == 1);
  CHECK(missing.items()[0].location.line == 11);
  CHECK(missing.items()[0].location.column == 1);

  // Without a map there is no location, only the entity and field.
  Diagnostics unmapped;
  validate_scenario(parse_text(text), nullptr, unmapped);
  REQUIRE(unmapped.items().size() == 1);
  CHECK_FALSE(unmapped.items()[0].location.known());
}

TEST_CASE("validation: with a variant name, messages say which variant") {
  const std::string text = small_with("act_probability: 0.3", "act_probability: 1.7");
  Diagnostics diagnostics;
  std::optional<LoadedScenario> loaded =
      parse_scenario(text, ScenarioFormat::kText, "s.textproto", diagnostics);
  REQUIRE(loaded);
  CHECK_FALSE(validate_scenario(loaded->scenario, loaded->source_map.get(), diagnostics, "x"));
  REQUIRE(diagnostics.items().size() == 1);
  const Diagnostic& d = diagnostics.items()[0];
  CHECK(d.message == "with variant 'x': touchpoint 'ad' cta.act_probability: 1.7 is not in [0, 1]");
  // The applied scenario is not the file: no line to point at.
  CHECK_FALSE(d.location.known());

  // Variant definitions are checked only for the scenario itself.
  Checked c = check(
      parse_text(small_plus(R"(variants { name: "noop" cta_changes { touchpoint: "page" } })")),
      "x");
  CHECK(c.ok);
}

}  // namespace
}  // namespace cjsim

namespace cjsim {
namespace {

TEST_CASE("validation: a variant reports only the warnings it adds") {
  // Shares summing to 1.1 warn in the scenario itself; switching the web
  // channel off adds unreachable touchpoints, which only the variant reports.
  std::string text = testing::kSmallJourney;
  text.replace(text.find("share: 0.4"), 10, "share: 0.5");
  text +=
      R"scenario(variants { name: "quiet_web" channel_changes { channel: "social" weekly_budget: 0 } })scenario";
  v1::Scenario scenario = testing::parse_text(text);
  Diagnostics diagnostics;
  auto same = apply_and_validate_variant(scenario, "quiet_web", diagnostics);
  REQUIRE(same.has_value());
  CHECK(diagnostics.items().empty());  // the shares warning is the scenario's, not the variant's

  Diagnostics unknown;
  CHECK_FALSE(apply_and_validate_variant(scenario, "nope", unknown).has_value());
  CHECK(unknown.has_errors());
}

}  // namespace
}  // namespace cjsim

namespace cjsim {
namespace {

// Found while writing the fuzz targets: every unknown reference looked for a
// "did you mean" among all ids, so 20,000 misspelt edge targets in a 3.8 MB
// file took hours. Only the first errors get a hint now.
TEST_CASE("validation: regression: a hint for every unknown reference was quadratic") {
  v1::Scenario scenario = testing::parse_text(testing::kSmallJourney);
  for (int i = 0; i < 20000; ++i) {
    const std::string n = std::to_string(100000 + i);
    v1::Touchpoint* t = scenario.add_touchpoints();
    t->set_id("touchpoint_" + n);
    t->set_stage(v1::AWARENESS);
    t->set_channel("web");
    t->mutable_cta()->set_act_probability(0.5);
    v1::Edge* e = scenario.add_edges();
    e->set_from("touchpoint_" + n);
    e->set_to("tuochpoint_" + n);
  }
  Diagnostics diagnostics;
  CHECK_FALSE(validate_scenario(scenario, nullptr, diagnostics));
  const std::vector<Diagnostic>& items = diagnostics.items();
  REQUIRE(items.size() == 20000);
  // The first 50 errors carry a hint; the rest, which made it quadratic,
  // none (a count, not a timing: a timed test fails on a loaded host).
  int hinted = 0;
  for (const Diagnostic& d : items) hinted += d.message.find("did you mean") != std::string::npos;
  CHECK(hinted == 50);
  CHECK(items.front().message ==
        "edge 'touchpoint_100000' -> 'tuochpoint_100000' to: unknown touchpoint "
        "'tuochpoint_100000' (did you mean 'touchpoint_100000'?)");
  CHECK(items.back().message.find("did you mean") == std::string::npos);
}

TEST_CASE("validation: no hint for an id longer than 64 characters") {
  const std::string id(65, 'w');
  Diagnostics diagnostics;
  CHECK_FALSE(validate_scenario(
      testing::parse_text(std::string(testing::kSmallJourney) + "channels { id: \"" + id +
                          "\" }\ntouchpoints { id: \"t\" stage: AWARENESS channel: \"" + id +
                          "x\" }\n"),
      nullptr, diagnostics));
  CHECK(diagnostics.to_string().find("unknown channel") != std::string::npos);
  CHECK(diagnostics.to_string().find("did you mean") == std::string::npos);
}

}  // namespace
}  // namespace cjsim

namespace cjsim {
namespace {

// Regression: proto3 enums are open, so `stage: 5` (or 99, 255, -1, in any
// format) parsed and passed validation, and the engine indexed its landing
// tables and stage counts with it: heap-buffer-overflow, exit 139 or 134, or
// silently wrong results.
TEST_CASE(
    "validation: a Stage outside 1-4 is refused in text, JSON and binary (memory corruption)") {
  for (int stage : {5, 99, 255, -1}) {
    CAPTURE(stage);
    v1::Scenario scenario = parse_text(kSmallJourney);
    scenario.mutable_touchpoints(1)->set_stage(static_cast<v1::Stage>(stage));
    const std::string expected = "touchpoint 'page' stage: " + std::to_string(stage) +
                                 " is not a Stage; use AWARENESS, CONSIDERATION, DECISION or "
                                 "LOYALTY";
    // Binary, and the text and JSON forms of the same message.
    std::string binary;
    REQUIRE(scenario.SerializeToString(&binary));
    std::string json;
    REQUIRE(google::protobuf::util::MessageToJsonString(scenario, &json).ok());
    const std::string text = small_with(R"(id: "page" stage: CONSIDERATION)",
                                        "id: \"page\" stage: " + std::to_string(stage));
    const std::vector<std::pair<ScenarioFormat, std::string>> forms = {
        {ScenarioFormat::kBinary, binary},
        {ScenarioFormat::kJson, json},
        {ScenarioFormat::kText, text}};
    for (const auto& [format, content] : forms) {
      Diagnostics diagnostics;
      std::optional<LoadedScenario> loaded = parse_scenario(content, format, "s", diagnostics);
      REQUIRE_MESSAGE(loaded, diagnostics.to_string());
      CHECK_FALSE(validate_scenario(loaded->scenario, loaded->source_map.get(), diagnostics));
      CHECK(diagnostics.error_count() == 1);
      CHECK(contains(diagnostics.to_string(), expected));
    }
  }
}

TEST_CASE("validation: every enum field is range-checked, in loyalty and variants too") {
  Checked referral = check(
      small_plus(R"(loyalty { referral { rate: 0.01 channel: "social" landing_stage: 77 } })"));
  CHECK_FALSE(referral.ok);
  CHECK(contains(referral.errors, "loyalty.referral.landing_stage: 77 is not a Stage"));

  Checked added = check(small_plus(R"(variants { name: "more" add_touchpoints {
      id: "new" stage: 9 channel: "web" } })"));
  CHECK_FALSE(added.ok);
  CHECK(contains(added.errors, "variant 'more' add_touchpoints[0].stage: 9 is not a Stage"));
}

// Regression: near-certain loops (an act probability of 0.9999999999, or an
// exit edge of weight 1e-300) passed validation and every session then ran
// to the engine's 2^20-step cut.
TEST_CASE("validation: a loop that is left only rarely is refused by its expected session length") {
  const std::string loop = small_plus(R"(
touchpoints { id: "spin_a" stage: CONSIDERATION channel: "web" cta { act_probability: 0.9999999999 } entry_weight: 1 }
touchpoints { id: "spin_b" stage: CONSIDERATION channel: "web" cta { act_probability: 1 } }
edges { from: "spin_a" to: "spin_b" }
edges { from: "spin_b" to: "spin_a" }
edges { from: "spin_b" to: "checkout" weight: 1e-300 })");
  // Left only by not acting at spin_a, 10^-10 a round: 2 x 10^10 steps.
  Checked almost = check(loop);
  INFO("errors:\n" << almost.errors);
  CHECK(almost.diagnostics.error_count() == 1);
  CHECK(contains(almost.errors,
                 "takes 2e+10 steps on average for persona 'young', going round "
                 "{'spin_a', 'spin_b'}"));
  CHECK(contains(almost.errors, "sessions over 10,000 expected steps are refused"));

  // Certain CTAs, left only by the edge of weight 1e-300: never, in double
  // precision.
  const std::string certain = replaced(loop, "act_probability: 0.9999999999", "act_probability: 1");
  Checked endless = check(certain);
  INFO("errors:\n" << endless.errors);
  CHECK(endless.diagnostics.error_count() == 1);
  CHECK(contains(endless.errors, "a walk entering {'spin_a', 'spin_b'} practically never ends"));

  // Left with probability 1e-6 a round: 2 x 10^6 steps, over the cap.
  Checked long_loop = check(replaced(certain, "weight: 1e-300", "weight: 1e-6"));
  INFO("errors:\n" << long_loop.errors);
  CHECK(long_loop.diagnostics.error_count() == 1);
  CHECK(contains(long_loop.errors, "takes 2e+06 steps on average"));

  // Left with probability 0.01 a round (about 200 steps): an ordinary loop.
  CHECK(check(replaced(certain, "weight: 1e-300", "weight: 0.0101")).ok);
}

}  // namespace
}  // namespace cjsim

namespace cjsim {
namespace {

// One `uncertain` entry on the small journey.
std::string with_uncertain(std::string_view entry) {
  return std::string(kSmallJourney) + "uncertain { " + std::string(entry) + " }\n";
}

TEST_CASE("validation: uncertain parameters name the entry and the field of each problem") {
  const std::string ad = R"(path: "touchpoints[ad].cta.act_probability" )";
  CHECK(check(with_uncertain(ad + "beta { a: 2 b: 98 }")).ok);
  CHECK(check(with_uncertain(ad + "normal { mean: 0.3 sd: 0.5 }")).ok);
  CHECK(check(with_uncertain(
                  R"(path: "personas[old].memory_half_life_days" gamma { shape: 2 scale: 5 })"))
            .ok);
  check_one_error(
      with_uncertain(R"(path: "touchpoints[adz].cta.act_probability" beta { a: 1 b: 1 })"),
      "uncertain[0] path: 'touchpoints[adz]': no touchpoint 'adz'");
  check_one_error(with_uncertain(R"(path: "touchpoints[ad].cta.label" beta { a: 1 b: 1 })"),
                  "'label' is not a number");
  CHECK(check(with_uncertain(R"(path: "edges[page->exit].delay_days" uniform { low: 1 high: 3 })"))
            .ok);
  check_one_error(with_uncertain(R"(path: "simulation.population" uniform { low: 1 high: 3 })"),
                  "the simulation settings are fixed");
  check_one_error(
      with_uncertain(R"(path: "channels[web].weekly_budget" uniform { low: 1 high: 3 })"),
      "budget and CPM set the cost");
  check_one_error(with_uncertain(ad + "beta { a: 0 b: 98 }"),
                  "uncertain 'touchpoints[ad].cta.act_probability' beta.a: 0 must be a finite "
                  "number > 0");
  check_one_error(with_uncertain(ad + "beta { a: 2 b: nan }"), "beta.b: nan must be a finite");
  check_one_error(with_uncertain(ad + "normal { mean: nan sd: 1 }"),
                  "normal.mean: nan is not a finite number");
  check_one_error(with_uncertain(ad + "normal { mean: 40 sd: 1 }"),
                  "has almost no mass in the field's range [0, 1]");
  check_one_error(with_uncertain(ad + "uniform { low: 0.5 high: 0.2 }"),
                  "uniform low 0.5 must be below high 0.2");
  check_one_error(with_uncertain(ad + "uniform { low: 0.5 high: 1.2 }"),
                  "uniform [0.5, 1.2] is not inside the field's range [0, 1]");
  check_one_error(with_uncertain(ad + "gamma { shape: 2 scale: 0.1 }"),
                  "gamma draws values in [0, inf], outside the field's range [0, 1]");
  check_one_error(with_uncertain(ad + "lognormal { mu: -2 sigma: 0 }"),
                  "lognormal.sigma: 0 must be a finite number > 0");
  check_one_error(with_uncertain(ad + "draws {}"), "draws: empty");
  check_one_error(with_uncertain(ad + "draws { values: 0.5 values: 1.5 }"),
                  "draws.values[1]: 1.5 is not in the field's range [0, 1]");
  check_one_error(with_uncertain(ad), "no distribution; give one of beta");
  check_one_error(
      with_uncertain(ad + "beta { a: 2 b: 98 } } uncertain { " + ad + "uniform { low: 0 high: 1 }"),
      "uncertain 'touchpoints[ad].cta.act_probability': given twice");
  check_one_error(
      with_uncertain(ad + "draws { values: 0.5 values: 0.6 } } uncertain { " +
                     R"(path: "touchpoints[page].cta.act_probability" draws { values: 0.5 })"),
      "1 values, but an earlier `draws` list has 2");
}

TEST_CASE("validation: simulation.parameter_draws") {
  const std::string uncertain =
      R"(uncertain { path: "touchpoints[ad].cta.act_probability" beta { a: 2 b: 8 } })";
  auto with_draws = [&](const std::string& draws, bool with_uncertain) {
    return small_with("replications: 4", "replications: 4 parameter_draws: " + draws) +
           (with_uncertain ? uncertain + "\n" : "");
  };
  CHECK(check(with_draws("2", true)).ok);
  CHECK(check(with_draws("0", false)).ok);
  check_one_error(with_draws("1", true), "simulation.parameter_draws: 1 must be 0");
  check_one_error(with_draws("2", false), "the scenario has no `uncertain` parameters");
  check_one_error(with_draws("3", true), "3 draws need at least 6 replications");
}

TEST_CASE("validation: a variant may not change an uncertain field") {
  const v1::Scenario scenario = parse_text(small_plus(
      R"(uncertain { path: "touchpoints[ad].cta.act_probability" beta { a: 2 b: 8 } })"));
  Diagnostics diagnostics;
  CHECK_FALSE(apply_and_validate_variant(scenario, "bold", diagnostics));
  CHECK(contains(diagnostics.to_string(),
                 "with variant 'bold': changes 'touchpoints[ad].cta.act_probability', which is "
                 "uncertain"));
}

}  // namespace
}  // namespace cjsim
