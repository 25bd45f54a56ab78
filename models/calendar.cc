#include "models/calendar.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "models/calendar_date.h"
#include "models/settings.h"

namespace cjsim {

namespace {

// 1970-01-01 was a Thursday: weekday 3 with Monday 0.
constexpr int kWeekdayOfEpoch = 3;

int floor_mod7(int64_t n) { return static_cast<int>(((n % 7) + 7) % 7); }

// A day the schema gives in one of two forms, already validated.
int32_t validated_day(const Calendar& calendar, const std::string& date, bool has_day,
                      int32_t day) {
  Result<std::optional<int32_t>> resolved =
      resolve_day(calendar, date, has_day ? std::optional<int32_t>(day) : std::nullopt, "day");
  CJSIM_CHECK(resolved.is_ok() && resolved->has_value(), "a day that validation should refuse");
  return **resolved;
}

// The stretch [from, to] of the plan at `weekly` per week: weekly x days / 7
// shared by the weekday weights (evenly without weights, as weekly / 7 a
// day, so that a plan without a calendar spends exactly what it did before).
void spend_stretch(const v1::Channel& channel, const Calendar& calendar, DaySpan stretch,
                   double weekly, SpendPlan& plan) {
  const auto& weights = channel.weekday_weights();
  const int64_t days = int64_t{stretch.to} - stretch.from + 1;
  const int64_t last = plan.first_day + static_cast<int64_t>(plan.daily.size()) - 1;
  auto put = [&](int32_t day, double spend) {
    if (day >= plan.first_day && day <= last) {
      plan.daily[static_cast<size_t>(day - plan.first_day)] = spend;
    }
  };
  if (weights.empty()) {
    for (int32_t t = stretch.from; t <= stretch.to; ++t) put(t, weekly / 7.0);
    return;
  }
  double weight_total = 0;
  for (int32_t t = stretch.from; t <= stretch.to; ++t) weight_total += weights[calendar.weekday(t)];
  const double total = weekly * static_cast<double>(days) / 7.0;
  for (int32_t t = stretch.from; t <= stretch.to; ++t) {
    put(t, weight_total > 0 ? total * weights[calendar.weekday(t)] / weight_total : 0.0);
  }
}

}  // namespace

Result<Calendar> Calendar::of(const v1::Simulation& simulation) {
  if (simulation.start_date().empty()) return Calendar();
  int32_t day = 0;
  const DateParse parsed = parse_date(simulation.start_date(), kIsoDateFormat, &day);
  if (parsed != DateParse::kOk) {
    return Status::bad_input(
        "simulation.start_date: '" + simulation.start_date() + "' is " +
        (parsed == DateParse::kNotCalendarDate ? "no day of the calendar" : "not an ISO date") +
        "; write it as YYYY-MM-DD, e.g. \"2026-11-02\"");
  }
  return Calendar::starting(day);
}

int Calendar::weekday(int32_t day) const {
  return floor_mod7(int64_t{day} + (dated_ ? int64_t{start_} + kWeekdayOfEpoch : 0));
}

std::string Calendar::date(int32_t day) const {
  return dated_ ? format_date(start_ + day) : std::string();
}

std::string Calendar::label(int32_t day) const {
  return dated_ ? format_date(start_ + day) : "day " + std::to_string(day);
}

Result<std::optional<int32_t>> resolve_day(const Calendar& calendar, std::string_view date,
                                           std::optional<int32_t> day, const std::string& what) {
  if (!date.empty() && day.has_value()) {
    return Status::bad_input(what + ": both a date ('" + std::string(date) +
                             "') and a day number (" + std::to_string(*day) +
                             ") are given; give one");
  }
  if (day.has_value()) return std::optional<int32_t>(*day);
  if (date.empty()) return std::optional<int32_t>();
  int32_t epoch_day = 0;
  const DateParse parsed = parse_date(date, kIsoDateFormat, &epoch_day);
  if (parsed != DateParse::kOk) {
    return Status::bad_input(
        what + ": '" + std::string(date) + "' is " +
        (parsed == DateParse::kNotCalendarDate ? "no day of the calendar" : "not an ISO date") +
        "; write it as YYYY-MM-DD, or give a day number");
  }
  if (!calendar.dated()) {
    return Status::bad_input(what + ": the date '" + std::string(date) +
                             "' needs simulation.start_date (the date of day 0); set it, or "
                             "give a day number");
  }
  return std::optional<int32_t>(calendar.day_of(epoch_day));
}

DaySpan span_of(const Calendar& calendar, const v1::Flight& flight) {
  return {validated_day(calendar, flight.from(), flight.has_from_day(), flight.from_day()),
          validated_day(calendar, flight.to(), flight.has_to_day(), flight.to_day())};
}

DaySpan span_of(const Calendar& calendar, const v1::Event& event) {
  return {validated_day(calendar, event.from(), event.has_from_day(), event.from_day()),
          validated_day(calendar, event.to(), event.has_to_day(), event.to_day())};
}

DaySpan window_of(const Calendar& calendar, const v1::Goal& goal) {
  DaySpan window{std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
  if (!goal.open_from().empty() || goal.has_open_from_day()) {
    window.from =
        validated_day(calendar, goal.open_from(), goal.has_open_from_day(), goal.open_from_day());
  }
  if (!goal.open_to().empty() || goal.has_open_to_day()) {
    window.to = validated_day(calendar, goal.open_to(), goal.has_open_to_day(), goal.open_to_day());
  }
  return window;
}

int32_t due_day_of(const Calendar& calendar, const v1::Target& target, int horizon_days) {
  if (target.by().empty() && !target.has_by_day()) return horizon_days - 1;
  return validated_day(calendar, target.by(), target.has_by_day(), target.by_day());
}

SpendPlan spend_plan(const v1::Channel& channel, const Calendar& calendar, int horizon_days) {
  std::vector<DaySpan> flights;
  for (const v1::Flight& f : channel.flights()) flights.push_back(span_of(calendar, f));
  std::vector<int> order(flights.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = static_cast<int>(k);
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return flights[static_cast<size_t>(a)].from < flights[static_cast<size_t>(b)].from;
  });
  SpendPlan plan;
  for (const DaySpan& f : flights) plan.first_day = std::min(plan.first_day, f.from);
  plan.daily.assign(static_cast<size_t>(horizon_days - plan.first_day), 0.0);
  // The horizon's stretches between flights at the channel's budget, then
  // the flights (which may start before day 0 or end after the horizon).
  int32_t next = 0;
  for (int k : order) {
    const DaySpan& f = flights[static_cast<size_t>(k)];
    if (f.from > next) {
      spend_stretch(channel, calendar, {next, std::min(f.from - 1, horizon_days - 1)},
                    channel.weekly_budget(), plan);
    }
    next = std::max(next, f.to + 1);
    if (next >= horizon_days) break;
  }
  if (next < horizon_days) {
    spend_stretch(channel, calendar, {next, horizon_days - 1}, channel.weekly_budget(), plan);
  }
  for (int k : order) {
    const DaySpan& f = flights[static_cast<size_t>(k)];
    spend_stretch(channel, calendar, f, channel.flights(k).weekly_budget(), plan);
  }
  return plan;
}

double average_weekly_spend(const v1::Scenario& scenario, const v1::Channel& channel) {
  if (channel.flights().empty() && channel.weekday_weights().empty()) {
    return channel.weekly_budget();
  }
  const int horizon = scenario.simulation().has_horizon_days()
                          ? scenario.simulation().horizon_days()
                          : SimulationSettings().horizon_days;
  Result<Calendar> calendar = Calendar::of(scenario.simulation());
  CJSIM_CHECK(calendar.is_ok(), "a start date that validation should refuse");
  const SpendPlan plan = spend_plan(channel, *calendar, horizon);
  double spend = 0;
  for (int t = 0; t < horizon; ++t) spend += plan.on(t);
  return spend * 7.0 / horizon;
}

bool plans_spend(const v1::Channel& channel) {
  return channel.weekly_budget() > 0 ||
         std::any_of(channel.flights().begin(), channel.flights().end(),
                     [](const v1::Flight& f) { return f.weekly_budget() > 0; });
}

void set_average_weekly_spend(v1::Scenario& scenario, int c, double weekly) {
  v1::Channel& channel = *scenario.mutable_channels(c);
  if (channel.flights().empty()) {
    channel.set_weekly_budget(weekly);
    return;
  }
  const double current = average_weekly_spend(scenario, channel);
  if (!(current > 0)) {
    channel.set_weekly_budget(weekly);
    return;
  }
  const double scale = weekly / current;
  channel.set_weekly_budget(channel.weekly_budget() * scale);
  for (v1::Flight& f : *channel.mutable_flights()) f.set_weekly_budget(f.weekly_budget() * scale);
}

std::vector<CompiledEvent> compile_events(const v1::Scenario& scenario, const Calendar& calendar) {
  std::unordered_map<std::string, int> channel_index, persona_index;
  for (int c = 0; c < scenario.channels_size(); ++c) channel_index[scenario.channels(c).id()] = c;
  for (int p = 0; p < scenario.personas_size(); ++p) persona_index[scenario.personas(p).id()] = p;
  std::vector<CompiledEvent> events;
  for (const v1::Event& e : scenario.events()) {
    CompiledEvent& out = events.emplace_back();
    out.name = e.name();
    out.days = span_of(calendar, e);
    out.act_multiplier = e.has_act_multiplier() ? e.act_multiplier() : 1.0;
    out.reach_multiplier = e.has_reach_multiplier() ? e.reach_multiplier() : 1.0;
    out.negative_share_multiplier =
        e.has_negative_share_multiplier() ? e.negative_share_multiplier() : 1.0;
    out.channels.assign(static_cast<size_t>(scenario.channels_size()), e.channels().empty());
    for (const std::string& id : e.channels()) {
      out.channels[static_cast<size_t>(channel_index.at(id))] = true;
    }
    out.personas.assign(static_cast<size_t>(scenario.personas_size()), e.personas().empty());
    for (const std::string& id : e.personas()) {
      out.personas[static_cast<size_t>(persona_index.at(id))] = true;
    }
    for (int s = 1; s < kStageSlots; ++s) out.stages[static_cast<size_t>(s)] = e.stages().empty();
    for (int s : e.stages()) out.stages[static_cast<size_t>(s)] = true;
  }
  return events;
}

}  // namespace cjsim
