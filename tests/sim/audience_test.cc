// Retargeting audiences and privacy backlash (docs/model.md "Retargeting
// audiences", "Privacy backlash"): an audience's reach against the Hill
// curve on the audience's size, opt-outs against their geometric law, the
// members of a not_converted audience against the conversions, determinism,
// variants and the bad input.

#include <cmath>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <tbb/task_arena.h>

#include "models/compiled_model.h"
#include "models/formulas.h"
#include "models/validation.h"
#include "models/variant.h"
#include "sim/engine.h"
#include "tests/sim/simulate.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_text;

// Two personas: 30% visit the shop's page every day (organic reach 1, an
// act probability of 0, so they never go further); the rest never do. A
// display channel retargets the page's visitors of the last 3 days with a
// constant 100 a day (no adstock), at max reach 0.5 and half-saturation
// 100 for the whole population.
std::string retargeting(const std::string& extra_persona_fields = "",
                        const std::string& audience =
                            R"(audience { visited: ["page"] within_days: 3 })") {
  return R"(
name: "retargeting"
simulation { horizon_days: 28 agents: 20000 replications: 8 seed: 7 }
personas { id: "visitor" share: 0.3 channel_affinity { key: "site" value: 1 }
           channel_affinity { key: "display" value: 0.8 } )" +
         extra_persona_fields + R"( }
personas { id: "other" share: 0.7 channel_affinity { key: "display" value: 0.8 } }
channels { id: "site" organic_reach: 1 }
channels { id: "display" weekly_budget: 700 cpm: 5 max_reach: 0.5 half_saturation: 100 )" +
         audience + R"( }
touchpoints { id: "page" stage: AWARENESS channel: "site" entry_weight: 1 cta { act_probability: 0 } }
touchpoints { id: "banner" stage: AWARENESS channel: "display" entry_weight: 1 cta { act_probability: 0 } }
touchpoints { id: "buy" stage: DECISION channel: "site" goal { kind: "purchase" value: 5 } }
edges { from: "banner" to: "buy" }
edges { from: "page" to: "buy" }
)";
}

// Per agent of the whole population, one value per replication.
std::vector<double> per_agent(const std::vector<ReplicationCounts>& counts,
                              uint64_t ReplicationCounts::*field, double agents) {
  std::vector<double> out;
  for (const ReplicationCounts& c : counts) out.push_back(static_cast<double>(c.*field) / agents);
  return out;
}

TEST_CASE("audiences: the reach among members is the Hill curve on the audience's size") {
  const v1::Scenario s = parse_text(retargeting());
  const CompiledModel model = compile(s, "");
  const int64_t visitors = model.persona_first_agent[1] - model.persona_first_agent[0];
  const double agents = 20000;
  const std::vector<ReplicationCounts> counts = testing::simulate_counts(s);
  // Everyone who visits is in from the next day on, so the audience is
  // exactly the visitors from day 1.
  for (const ReplicationCounts& c : counts) {
    REQUIRE(c.series.audience_members.size() == 28);
    CHECK(c.series.audience_members[0] == 0);
    for (int d = 1; d < 28; ++d) {
      CHECK(c.series.audience_members[static_cast<size_t>(d)] == static_cast<uint64_t>(visitors));
    }
  }
  // Half-saturation scaled by the audience's share: 100 x 0.3.
  const double share = static_cast<double>(visitors) / agents;
  const double reach = formulas::hill_reach(100, 0.5, 100 * share, 1);
  const double expected = 27 * share * 0.8 * reach;  // paid exposures per agent
  std::vector<double> paid;
  for (const ReplicationCounts& c : counts) paid.push_back(static_cast<double>(c.channel_paid[1]) / agents);
  const testing::Interval got = testing::t_interval(paid, 0.999);
  INFO("expected " << expected << ", got " << got.mean << " [" << got.low << ", " << got.high << "]");
  CHECK(got.low <= expected);
  CHECK(expected <= got.high);
  // Not the population's curve (0.25 at the same spend, against 0.385):
  // the audience is 30% of the people, so the money reaches more of it.
  const double whole = 27 * share * 0.8 * formulas::hill_reach(100, 0.5, 100, 1);
  CHECK(got.low > whole * 1.4);
  // The cost is the plan's, whatever the audience's size.
  CHECK(model.channel_cost[1] == doctest::Approx(2800.0));
}

TEST_CASE("privacy backlash: opt-outs follow the geometric law of retargeting ads") {
  const double s = 0.2;
  const v1::Scenario scenario = parse_text(retargeting("privacy_sensitivity: 0.2"));
  const CompiledModel model = compile(scenario, "");
  const double visitors =
      static_cast<double>(model.persona_first_agent[1] - model.persona_first_agent[0]);
  const double agents = 20000;
  const std::vector<ReplicationCounts> counts = testing::simulate_counts(scenario);
  // Each member gets an ad a day with probability p on days 1..27 (the
  // audience keeps those who opted out, so p stays); each ad opts out with
  // probability s, after which there are no more.
  const double p = 0.8 * formulas::hill_reach(100, 0.5, 100 * visitors / agents, 1);
  const double kept = std::pow(1 - p * s, 27);
  const double share = visitors / agents;
  struct Expectation {
    const char* what;
    uint64_t ReplicationCounts::*field;
    double per_agent;
  };
  const Expectation expected[] = {
      {"opted out", &ReplicationCounts::opted_out_agents, share * (1 - kept)},
      {"shown a retargeting ad", &ReplicationCounts::retargeted_agents,
       share * (1 - std::pow(1 - p, 27))},
  };
  for (const Expectation& e : expected) {
    const testing::Interval got = testing::t_interval(per_agent(counts, e.field, agents), 0.999);
    INFO(e.what << ": expected " << e.per_agent << ", got " << got.mean);
    CHECK(got.low <= e.per_agent);
    CHECK(e.per_agent <= got.high);
  }
  std::vector<double> ads, opt_outs;
  for (const ReplicationCounts& c : counts) {
    ads.push_back(static_cast<double>(c.channel_paid[1]) / agents);
    opt_outs.push_back(static_cast<double>(c.channel_opt_outs[1]) / agents);
    CHECK(c.channel_opt_outs[1] == c.opted_out_agents);  // one retargeting channel
  }
  // Ads until the opt-out: sum over days of p (1 - p s)^(t - 1).
  const double expected_ads = share * (1 - kept) / s;
  const testing::Interval got = testing::t_interval(ads, 0.999);
  INFO("ads: expected " << expected_ads << ", got " << got.mean);
  CHECK(got.low <= expected_ads);
  CHECK(expected_ads <= got.high);
}

TEST_CASE("audiences: not_converted holds everyone until they reach a goal") {
  // The page converts 5% of its visitors a day; the audience of the not
  // converted starts with everyone and loses each converter the next day.
  std::string text = retargeting("", "audience { not_converted: true }");
  text.replace(text.find("cta { act_probability: 0 } }\ntouchpoints { id: \"banner\""),
               std::string("cta { act_probability: 0 } }").size(),
               "cta { act_probability: 0.05 } }");
  const v1::Scenario s = parse_text(text);
  for (const ReplicationCounts& c : testing::simulate_counts(s)) {
    CHECK(c.series.audience_members[0] == 20000);
    for (size_t d = 1; d < 28; ++d) {
      CHECK(c.series.audience_members[d] == 20000 - c.series.converted[d - 1]);
    }
    CHECK(c.converted_agents > 0);
  }
}

TEST_CASE("audiences: visited and not_converted together drop converters from the stay") {
  std::string text =
      retargeting("", R"(audience { visited: ["page"] within_days: 3 not_converted: true })");
  text.replace(text.find("cta { act_probability: 0 } }\ntouchpoints { id: \"banner\""),
               std::string("cta { act_probability: 0 } }").size(),
               "cta { act_probability: 0.05 } }");
  const v1::Scenario s = parse_text(text);
  const CompiledModel model = compile(s, "");
  const uint64_t visitors =
      static_cast<uint64_t>(model.persona_first_agent[1] - model.persona_first_agent[0]);
  for (const ReplicationCounts& c : testing::simulate_counts(s)) {
    // Every visitor visits daily and only visitors convert: the members
    // are the visitors not converted by the day before.
    CHECK(c.series.audience_members[0] == 0);
    for (size_t d = 1; d < 28; ++d) {
      CHECK(c.series.audience_members[d] == visitors - c.series.converted[d - 1]);
    }
  }
}

// CHECKs that two replications of `model` count the same on one thread and
// on two, the audiences' daily members too.
void check_same_on_one_and_two_threads(const CompiledModel& model) {
  std::vector<ReplicationCounts> one, two;
  tbb::task_arena(1).execute([&] { one = Engine(model, 3).run(0, 2); });
  tbb::task_arena(2).execute([&] { two = Engine(model, 3).run(0, 2); });
  for (size_t r = 0; r < one.size(); ++r) {
    testing::check_same_counts(one[r], two[r]);
    CHECK(one[r].series.audience_members == two[r].series.audience_members);
  }
}

TEST_CASE("audiences: the same counts on one thread and on two, and memory per agent") {
  const CompiledModel model = compile(parse_text(retargeting("privacy_sensitivity: 0.1")), "");
  CHECK(model.memory.bytes() == 6);  // the day, then the audience's two days
  check_same_on_one_and_two_threads(model);
}

TEST_CASE("audiences: variants set and remove them, and privacy sensitivity") {
  const v1::Scenario s = parse_text(retargeting() + R"(
variants { name: "everyone" channel_changes { channel: "display" audience { } } }
variants { name: "longer" channel_changes { channel: "display" audience { visited: ["page"] within_days: 30 } } }
variants { name: "wary" persona_changes { persona: "visitor" privacy_sensitivity: 0.5 } }
)");
  Diagnostics d;
  const std::optional<v1::Scenario> everyone = apply_and_validate_variant(s, "everyone", d);
  REQUIRE_MESSAGE(everyone.has_value(), d.to_string());
  CHECK_FALSE(everyone->channels(1).has_audience());
  const std::optional<v1::Scenario> longer = apply_and_validate_variant(s, "longer", d);
  REQUIRE_MESSAGE(longer.has_value(), d.to_string());
  CHECK(longer->channels(1).audience().within_days() == 30);
  const std::optional<v1::Scenario> wary = apply_and_validate_variant(s, "wary", d);
  REQUIRE_MESSAGE(wary.has_value(), d.to_string());
  CHECK(wary->personas(0).privacy_sensitivity() == 0.5);
}

TEST_CASE("audiences and privacy: bad input names the channel or persona and the field") {
  auto errors = [](const std::string& text) {
    Diagnostics d;
    CHECK_FALSE(validate_scenario(parse_text(text), nullptr, d));
    return d.to_string();
  };
  CHECK(testing::contains(errors(retargeting("", "audience { }")),
                          "channel 'display' audience: holds no one"));
  CHECK(testing::contains(errors(retargeting("", R"(audience { visited: ["pgae"] within_days: 3 })")),
                          "channel 'display' audience.visited[0]: unknown touchpoint 'pgae'"));
  CHECK(testing::contains(
      errors(retargeting("", R"(audience { visited: ["page", "page"] within_days: 3 })")),
      "audience.visited: touchpoint 'page' is listed twice"));
  CHECK(testing::contains(errors(retargeting("", R"(audience { visited: ["page"] })")),
                          "channel 'display' audience.within_days: 0 is not in [1, 36500]"));
  CHECK(testing::contains(
      errors(retargeting("", R"(audience { visited: ["page"] within_days: 40000 })")),
      "audience.within_days: 40000 is not in [1, 36500]"));
  CHECK(testing::contains(errors(retargeting("", "audience { not_converted: true within_days: 5 }")),
                          "audience.within_days: set without visited"));
  CHECK(testing::contains(
      errors(retargeting("", R"(audience { visited: ["page"] within_days: 3 } frequency_cap { exposures: 2 per_days: 7 })")),
      "channel 'display' frequency_cap: not available on a channel with an audience yet"));
  CHECK(testing::contains(errors(retargeting("privacy_sensitivity: 1.5")),
                          "persona 'visitor' privacy_sensitivity: 1.5"));
  CHECK(testing::contains(errors(retargeting("privacy_sensitivity: nan")),
                          "persona 'visitor' privacy_sensitivity: nan"));
  CHECK(testing::contains(
      errors(retargeting() + R"(variants { name: "v" persona_changes { persona: "visitor" } })"),
      "memory_half_life_days, active_hours or privacy_sensitivity"));
  // Nine audiences: at most eight.
  std::string many = retargeting();
  for (int i = 0; i < 8; ++i) {
    many += "channels { id: \"r" + std::to_string(i) +
            R"(" audience { visited: ["page"] within_days: 3 } })";
  }
  CHECK(testing::contains(errors(many), "at most 8 channels and entries may have one"));
}

// One ad channel with two entries of equal weight: "prospect", open to
// all, and "reminder", only for people who landed on either before (an
// entry audience: within 1,000 days, the whole horizon). Both end the
// session (act probability 0), so every paid exposure is a landing.
std::string gated_entries(
    const std::string& gate =
        R"(entry_audience { visited: ["prospect", "reminder"] within_days: 1000 })",
    const std::string& more = "") {
  return R"(
name: "gated_entries"
simulation { horizon_days: 28 agents: 20000 replications: 8 seed: 3 }
personas { id: "all" channel_affinity { key: "ads" value: 1 } }
channels { id: "ads" weekly_budget: 700 cpm: 10 max_reach: 0.2 half_saturation: 50 }
channels { id: "web" }
touchpoints { id: "prospect" stage: AWARENESS channel: "ads" entry_weight: 1 cta { act_probability: 0 } }
touchpoints { id: "reminder" stage: AWARENESS channel: "ads" entry_weight: 1 cta { act_probability: 0 } )" +
         gate + R"( }
touchpoints { id: "buy" stage: DECISION channel: "web" goal { kind: "purchase" value: 1 } }
edges { from: "prospect" to: "buy" }
edges { from: "reminder" to: "buy" }
)" + more;
}

// Across replications, CHECKs that the landings on "reminder" are
// Binomial(n, 1/2) with n the landings of people `eligible` for it: |x -
// n/2| within 3.29 standard deviations sqrt(n/4) (99.9%).
void check_half_of(const std::vector<ReplicationCounts>& counts, bool first_landings_open) {
  double reminder = 0, n = 0;
  for (const ReplicationCounts& c : counts) {
    const double landings = static_cast<double>(c.touchpoints[0].visits + c.touchpoints[1].visits);
    reminder += static_cast<double>(c.touchpoints[1].visits);
    // A person's first landing is open to the gate only without one.
    n += landings - (first_landings_open ? 0.0 : static_cast<double>(c.channel_reach[0]));
  }
  INFO("reminder landings " << reminder << ", eligible " << n);
  REQUIRE(n > 10000);
  CHECK(std::abs(reminder - n / 2) <= 3.29 * std::sqrt(n / 4));
}

TEST_CASE("entry audiences: a gate takes its members by weight, the others land on open entries") {
  // A person's first landing cannot be on the reminder (no visit yet): it
  // is on the prospect. Every later one is a member's, half and half: the
  // reminder's landings are Binomial(landings - people, 1/2).
  const v1::Scenario s = parse_text(gated_entries());
  const CompiledModel model = compile(s, "");
  CHECK(model.memory.bytes() == 6);  // the day, then the audience's last visit (and no chance)
  const std::vector<ReplicationCounts> counts = testing::simulate_counts(s);
  check_half_of(counts, false);
  // Without the gate (a variant removes it), half of every landing.
  Diagnostics d;
  const std::optional<v1::Scenario> opened = apply_and_validate_variant(
      parse_text(gated_entries(
          R"(entry_audience { visited: ["prospect", "reminder"] within_days: 1000 })",
          R"(variants { name: "open" entry_changes { touchpoint: "reminder" entry_audience { } } })")),
      "open", d);
  REQUIRE_MESSAGE(opened.has_value(), d.to_string());
  CHECK_FALSE(opened->touchpoints(1).has_entry_audience());
  check_half_of(testing::simulate_counts(*opened), true);
  // The audience's daily members: everyone who landed before the day.
  for (const ReplicationCounts& c : counts) {
    REQUIRE(c.series.audience_members.size() == 28);
    CHECK(c.series.audience_members[0] == 0);
    CHECK(c.series.audience_members[27] <= c.channel_reach[0]);
    CHECK(c.series.audience_members[27] > 0);
  }
}

TEST_CASE("entry audiences: the same counts on one thread and on two") {
  check_same_on_one_and_two_threads(compile(parse_text(gated_entries()), ""));
}

TEST_CASE("entry audiences: on day 0 of the single-journey form a gate of visitors holds no one") {
  // No paid reach: everyone enters once on day 0, when no one has visited
  // anything; a gate of the not converted holds everyone.
  std::string text = gated_entries();
  text.replace(text.find(" weekly_budget: 700 cpm: 10 max_reach: 0.2 half_saturation: 50"), 63, "");
  const CompiledModel visitors = compile(parse_text(text), "");
  REQUIRE(visitors.single_journey);
  CHECK(visitors.entry_probability[0] == 1);
  CHECK(visitors.entry_probability[1] == 0);
  std::string unconverted = text;
  const std::string gate =
      R"(entry_audience { visited: ["prospect", "reminder"] within_days: 1000 })";
  unconverted.replace(unconverted.find(gate), gate.size(),
                      "entry_audience { not_converted: true }");
  const CompiledModel everyone = compile(parse_text(unconverted), "");
  CHECK(everyone.entry_probability[0] == 0.5);
  CHECK(everyone.entry_probability[1] == 0.5);
}

TEST_CASE("entry audiences: bad input names the touchpoint and the field") {
  auto errors = [](const std::string& text) {
    Diagnostics d;
    CHECK_FALSE(validate_scenario(parse_text(text), nullptr, d));
    return d.to_string();
  };
  CHECK(testing::contains(errors(gated_entries("entry_audience { }")),
                          "touchpoint 'reminder' entry_audience: holds no one"));
  CHECK(testing::contains(
      errors(gated_entries(R"(entry_audience { visited: ["promo"] within_days: 3 })")),
      "touchpoint 'reminder' entry_audience.visited[0]: unknown touchpoint 'promo'"));
  CHECK(testing::contains(errors(gated_entries(R"(entry_audience { visited: ["prospect"] })")),
                          "entry_audience.within_days: 0 is not in [1, 36500]"));
  std::string no_entry = gated_entries();
  no_entry.replace(no_entry.find("entry_weight: 1 cta { act_probability: 0 } entry_audience"), 15,
                   "entry_weight: 0");
  CHECK(testing::contains(errors(no_entry),
                          "touchpoint 'reminder' entry_audience: the touchpoint is no entry"));
  std::string all_gated = gated_entries();
  all_gated.replace(all_gated.find("touchpoints { id: \"prospect\""), 28,
                    "touchpoints { id: \"prospect\" entry_audience { visited: [\"buy\"] "
                    "within_days: 5 } ");
  CHECK(testing::contains(errors(all_gated), "no one could ever enter"));
  CHECK(testing::contains(
      errors(gated_entries(
          "", R"(variants { name: "v" entry_changes { touchpoint: "remider" entry_weight: 2 } })")),
      "entry_changes[0] touchpoint: unknown touchpoint 'remider'"));
  CHECK(testing::contains(
      errors(
          gated_entries("", R"(variants { name: "v" entry_changes { touchpoint: "reminder" } })")),
      "entry_changes[0]: changes nothing; set entry_weight or entry_audience"));
  CHECK(testing::contains(
      errors(gated_entries(
          "",
          R"(variants { name: "v" entry_changes { touchpoint: "reminder" entry_weight: -1 } })")),
      "entry_changes[0] entry_weight: -1"));
  // Only an empty audience removes the gate: one with within_days alone
  // holds no one (it did remove the gate, silently).
  Diagnostics d;
  CHECK_FALSE(
      apply_and_validate_variant(
          parse_text(gated_entries(
              "",
              R"(variants { name: "v" entry_changes { touchpoint: "reminder" entry_audience { within_days: 30 } } })")),
          "v", d)
          .has_value());
  CHECK(testing::contains(d.to_string(), "touchpoint 'reminder' entry_audience: holds no one"));
  // A gate no visit can ever open is a warning.
  Diagnostics closed;
  CHECK(validate_scenario(
      parse_text(gated_entries(R"(entry_audience { visited: ["reminder"] within_days: 30 })")),
      nullptr, closed));
  CHECK(testing::contains(closed.to_string(),
                          "touchpoint 'reminder' entry_audience: none of its visited touchpoints "
                          "can be reached"));
}

}  // namespace
}  // namespace cjsim
