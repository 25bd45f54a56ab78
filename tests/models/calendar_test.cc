// The calendar: dates and weekdays, flights and their spend, adstock across
// a flight's edges, events on exposure, and their validation and variants.

#include "models/calendar.h"

#include <cmath>
#include <numeric>
#include <string>

#include <doctest/doctest.h>

#include "models/calendar_date.h"
#include "models/compiled_model.h"
#include "models/formulas.h"
#include "models/validation.h"
#include "models/variant.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_text;

// One persona, one paid channel and a web page: paid exposure is the only
// source, so its daily probability is affinity x the Hill reach of adstock.
const char* kOneChannel = R"(
name: "dated"
simulation { start_date: "2026-11-02" horizon_days: 42 agents: 1000 replications: 2 }
personas { id: "p" channel_affinity { key: "tv" value: 0.5 } }
channels { id: "tv" weekly_budget: 700 cpm: 10 max_reach: 0.2 half_saturation: 300
           adstock_decay: 0.6 }
channels { id: "web" }
touchpoints { id: "ad" stage: AWARENESS channel: "tv" entry_weight: 1 cta { act_probability: 0.1 } }
touchpoints { id: "buy" stage: DECISION channel: "web" goal { kind: "purchase" value: 10 } }
edges { from: "ad" to: "buy" }
)";

std::string errors_of(const v1::Scenario& s) {
  Diagnostics d("calendar.textproto");
  validate_scenario(s, nullptr, d);
  std::string text;
  for (const Diagnostic& item : d.items()) {
    if (item.severity == Severity::kError) text += item.message + "\n";
  }
  return text;
}

TEST_CASE("calendar: dates, weekdays and day numbers") {
  int32_t epoch = 0;
  REQUIRE(parse_date("2026-11-02", kIsoDateFormat, &epoch) == DateParse::kOk);
  const Calendar dated = Calendar::starting(epoch);
  CHECK(dated.weekday(0) == 0);   // 2 November 2026 is a Monday
  CHECK(dated.weekday(25) == 4);  // Black Friday, 27 November, a Friday
  CHECK(dated.date(25) == "2026-11-27");
  CHECK(dated.label(-1) == "2026-11-01");
  const Calendar undated;
  CHECK(undated.weekday(0) == 0);
  CHECK(undated.weekday(-1) == 6);
  CHECK(undated.date(3).empty());
  CHECK(undated.label(3) == "day 3");
  CHECK(**resolve_day(dated, "2026-11-30", std::nullopt, "x") == 28);
  CHECK(**resolve_day(undated, "", 12, "x") == 12);
  CHECK_FALSE(resolve_day(dated, "", std::nullopt, "x")->has_value());
  CHECK(resolve_day(undated, "2026-11-30", std::nullopt, "f").status().message() ==
        "f: the date '2026-11-30' needs simulation.start_date (the date of day 0); set it, or "
        "give a day number");
  CHECK(resolve_day(dated, "2026-11-30", 3, "f").status().message() ==
        "f: both a date ('2026-11-30') and a day number (3) are given; give one");
  CHECK(resolve_day(dated, "2026-02-30", std::nullopt, "f")
            .status()
            .message()
            .find("no day of the calendar") != std::string::npos);
}

TEST_CASE("calendar: a flight spends its budget to the cent, paced by weekday") {
  v1::Scenario s = parse_text(kOneChannel);
  v1::Channel& tv = *s.mutable_channels(0);
  // Tuesday 17 to Monday 30 November: 14 days at 20,000 a week.
  v1::Flight& f = *tv.add_flights();
  f.set_from("2026-11-17");
  f.set_to("2026-11-30");
  f.set_weekly_budget(20000);
  // Ten days at 3,500 a week, from Tuesday 3 November.
  v1::Flight& g = *tv.add_flights();
  g.set_from_day(1);
  g.set_to_day(10);
  g.set_weekly_budget(3500);
  for (double w : {1.0, 1.0, 1.0, 1.0, 2.0, 3.0, 0.5}) tv.add_weekday_weights(w);
  REQUIRE(errors_of(s).empty());
  const CompiledModel m = compile(s, "");
  const std::vector<double>& spend = m.channel_spend[0];
  auto sum = [&](int from, int to) {
    return std::accumulate(spend.begin() + from, spend.begin() + to + 1, 0.0);
  };
  CHECK(std::abs(sum(15, 28) - 40000.0) < 0.005);
  CHECK(std::abs(sum(1, 10) - 5000.0) < 0.005);
  // Day 0 alone, at the channel's 700 a week: one Monday of weight 1 gets
  // the whole stretch's 100.
  CHECK(spend[0] == doctest::Approx(100.0));
  // Between the flights (days 11-14) and after (29-41): 700 a week.
  CHECK(std::abs(sum(11, 14) - 400.0) < 0.005);
  CHECK(std::abs(sum(29, 41) - 1300.0) < 0.005);
  CHECK(std::abs(m.channel_cost[0] - (40000 + 5000 + 100 + 400 + 1300)) < 0.005);
  // Weekday pacing inside the flight: Saturday 21 November (weight 3)
  // spends six times Sunday 22 November (0.5).
  CHECK(spend[19] == doctest::Approx(6 * spend[20]));
  CHECK(m.calendar.weekday(19) == 5);
}

TEST_CASE("calendar: adstock carries spend across a flight's edges, against the recursion") {
  v1::Scenario s = parse_text(kOneChannel);
  v1::Channel& tv = *s.mutable_channels(0);
  tv.set_weekly_budget(0);
  // A pre-period flight (days -7 to -1) seeds the adstock; a burst on
  // days 5 to 8; nothing otherwise.
  v1::Flight& pre = *tv.add_flights();
  pre.set_from("2026-10-26");
  pre.set_to("2026-11-01");
  pre.set_weekly_budget(1400);
  v1::Flight& burst = *tv.add_flights();
  burst.set_from_day(5);
  burst.set_to_day(8);
  burst.set_weekly_budget(7000);
  REQUIRE(errors_of(s).empty());
  const CompiledModel m = compile(s, "");
  // By hand: A(t) = spend(t) + 0.6 A(t - 1), from day -7.
  double adstock = 0;
  for (int t = -7; t < 0; ++t) adstock = 200 + 0.6 * adstock;
  for (int t = 0; t < 42; ++t) {
    adstock = (t >= 5 && t <= 8 ? 1000.0 : 0.0) + 0.6 * adstock;
    const double reach = 0.2 * adstock / (adstock + 300);
    CAPTURE(t);
    CHECK(m.exposure[0].probability[static_cast<size_t>(t)] == doctest::Approx(0.5 * reach));
  }
  // The pre-period's 1,400 seeds adstock but is spent before the horizon.
  CHECK(m.channel_pre_spend[0] == doctest::Approx(1400));
  CHECK(std::abs(m.channel_cost[0] - 4000) < 0.005);
}

TEST_CASE("calendar: without flights or weights a channel spends weekly_budget / 7 a day") {
  const CompiledModel m = compile(parse_text(kOneChannel), "");
  for (double day : m.channel_spend[0]) CHECK(day == 700.0 / 7.0);
  CHECK(m.channel_cost[0] == 700.0 / 7.0 * 42);
  CHECK(m.flights.empty());
}

TEST_CASE("calendar: an event multiplies the reach of the channels and personas it names") {
  v1::Scenario s = parse_text(kOneChannel);
  v1::Event& e = *s.add_events();
  e.set_name("spike");
  e.set_from_day(10);
  e.set_to_day(12);
  e.set_reach_multiplier(3);
  const CompiledModel plain = compile(parse_text(kOneChannel), "");
  REQUIRE(errors_of(s).empty());
  const CompiledModel m = compile(s, "");
  for (size_t t : {9u, 10u, 12u, 13u}) {
    const double expected = plain.exposure[0].probability[t] * (t >= 10 && t <= 12 ? 3 : 1);
    CHECK(m.exposure[0].probability[t] == doctest::Approx(expected));
  }
  CHECK(m.act_events.empty());  // reach only
  e.add_personas("nobody");
  CHECK(errors_of(s) == "event 'spike' personas[0]: unknown persona 'nobody'\n");
}

TEST_CASE("calendar: validation names the entity and field of each bad value") {
  struct Case {
    std::string edit;
    std::string error;
  };
  const Case cases[] = {
      {R"(simulation { start_date: "2026-13-01" })",
       "simulation.start_date: '2026-13-01' is not an ISO date; write it as YYYY-MM-DD, e.g. "
       "\"2026-11-02\""},
      {R"(channels { id: "x" flights { from: "2026-11-05" to_day: 2 weekly_budget: 1 } })",
       "channel 'x' flights[0]: ends (2026-11-04) before it starts (2026-11-05)"},
      {R"(channels { id: "x" flights { from_day: 1 to_day: 5 weekly_budget: 1 }
                     flights { from_day: 5 to_day: 9 weekly_budget: 1 } })",
       "channel 'x' flights[1] (from 2026-11-07) overlaps flights[0] (to 2026-11-07); flights of "
       "a channel may not overlap"},
      {R"(channels { id: "x" flights { to_day: 5 weekly_budget: 1 } })",
       "channel 'x' flights[0] from: missing; give a date (YYYY-MM-DD) or a day number"},
      {R"(channels { id: "x" flights { from_day: 1 to_day: 5 weekly_budget: -1 } })",
       "channel 'x' flights[0] weekly_budget: -1 must be a finite number in [0, "},
      {R"(channels { id: "x" weekday_weights: [1, 2, 3] })",
       "channel 'x' weekday_weights: has 3 values; give none or one per weekday (7, Monday "
       "first)"},
      {R"(events { name: "e" from_day: 1 to_day: 2 })",
       "event 'e': changes nothing; set act_multiplier, reach_multiplier or "
       "negative_share_multiplier"},
      {R"(events { name: "e" from_day: 1 to_day: 2 act_multiplier: nan })",
       "event 'e' act_multiplier: nan must be a finite number in [0, 1000]"},
      {R"(events { name: "e" from_day: 1 to_day: 2 act_multiplier: 2 channels: "radio" })",
       "event 'e' channels[0]: unknown channel 'radio'"},
      {R"(targets { name: "t" kpi: "conversions" at_least: 1 at_most: 2 })",
       "target 't': give exactly one of at_least and at_most (the threshold)"},
      {R"(targets { name: "t" kpi: "conversions" at_least: 1 by: "2027-03-31" })",
       "target 't' by: 2027-03-31 is not in the horizon (2026-11-02 to 2026-12-13); move the "
       "date or change simulation.horizon_days"},
      {R"(targets { name: "t" at_least: 1 })", "target 't' kpi: missing"},
      {R"(channels { id: "x" posts { weekdays: [MONDAY] } })",
       "channel 'x' posts[0] hour: missing; give the hour it goes out, 0 to 23"},
      {R"(channels { id: "x" posts { hour: 24 } })",
       "channel 'x' posts[0] hour: 24 is not in [0, 23]"},
      {R"(channels { id: "x" posts { hour: 9 format: "reel" } })",
       "channel 'x' posts[0] format: unknown format 'reel'; define it in the scenario's formats"},
      {R"(channels { id: "x" posts { hour: 9 weekdays: [WEEKDAY_UNSPECIFIED] } })",
       "channel 'x' posts[0] weekdays[0]: use MONDAY to SUNDAY"},
      {R"(formats { id: "reel" act_multiplier: -1 })",
       "format 'reel' act_multiplier: -1 must be a finite number in [0, 1000]"},
      {R"(formats { id: "reel" } formats { id: "reel" })", "duplicate format id 'reel'"},
      {R"(channels { id: "x" posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } posts { hour: 1 } })",
       "channel 'x' posts: 101 defined; at most 100"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.edit);
    v1::Scenario s = parse_text(kOneChannel);
    s.MergeFrom(parse_text(c.edit));
    CHECK(errors_of(s).find(c.error) != std::string::npos);
  }
  // A date without a start date.
  v1::Scenario undated = parse_text(kOneChannel);
  undated.mutable_simulation()->clear_start_date();
  undated.mutable_touchpoints(1)->mutable_goal()->set_open_to("2026-11-03");
  CHECK(errors_of(undated) ==
        "touchpoint 'buy' goal open_to: the date '2026-11-03' needs simulation.start_date (the "
        "date of day 0); set it, or give a day number\n");
}

TEST_CASE("calendar: variants shift flights, set and remove events, and move goal windows") {
  v1::Scenario s = parse_text(std::string(kOneChannel) + R"(
events { name: "sale" from_day: 3 to_day: 4 act_multiplier: 2 }
events { name: "storm" from_day: 8 to_day: 9 reach_multiplier: 0.5 }
variants {
  name: "v"
  channel_changes { channel: "tv" flights { values { from_day: 2 to_day: 3 weekly_budget: 70 } }
                    weekday_weights { values: [1, 1, 1, 1, 1, 2, 2] } }
  goal_changes { touchpoint: "buy" open_from: "2026-11-10" }
  events { name: "sale" from_day: 10 to_day: 11 act_multiplier: 3 }
  events { name: "launch" from_day: 0 to_day: 0 reach_multiplier: 2 }
  remove_events: "storm"
}
variants { name: "bad" remove_events: "stom" })");
  Diagnostics d("v.textproto");
  std::optional<v1::Scenario> v = apply_variant(s, "v", d);
  REQUIRE(v.has_value());
  REQUIRE(v->channels(0).flights_size() == 1);
  CHECK(v->channels(0).flights(0).from_day() == 2);
  CHECK(v->channels(0).weekday_weights_size() == 7);
  CHECK(v->touchpoints(1).goal().open_from() == "2026-11-10");
  REQUIRE(v->events_size() == 2);
  CHECK(v->events(0).name() == "sale");
  CHECK(v->events(0).act_multiplier() == 3);
  CHECK(v->events(1).name() == "launch");
  CHECK(errors_of(s).find("variant 'bad' remove_events[0]: the scenario has no event 'stom' "
                          "(did you mean 'storm'?)") != std::string::npos);
}

}  // namespace
}  // namespace cjsim
