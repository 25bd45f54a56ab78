#include "sim/schedule.h"

#include <algorithm>

#include "models/check.h"
#include "models/settings.h"

namespace cjsim {

int schedule_weeks(int horizon_days) { return (std::max(horizon_days, 0) + 6) / 7; }

DaySpan week_span(int week, int horizon_days) {
  CJSIM_CHECK(week >= 0 && week < schedule_weeks(horizon_days), "a week of the horizon");
  return {7 * week, std::min(7 * week + 6, horizon_days - 1)};
}

std::vector<double> weekly_spend(const v1::Scenario& scenario, int channel) {
  Result<Calendar> calendar = Calendar::of(scenario.simulation());
  CJSIM_CHECK(calendar.is_ok(), "a validated start date");
  const int horizon = resolve_settings(scenario.simulation()).horizon_days;
  const SpendPlan plan = spend_plan(scenario.channels(channel), *calendar, horizon);
  std::vector<double> out(static_cast<size_t>(schedule_weeks(horizon)), 0.0);
  for (int32_t t = 0; t < horizon; ++t) out[static_cast<size_t>(t / 7)] += plan.on(t);
  return out;
}

void set_week_flights(v1::Channel& channel, const std::vector<double>& spends,
                      const Calendar& calendar, int horizon_days) {
  CJSIM_CHECK(static_cast<int>(spends.size()) == schedule_weeks(horizon_days), "a spend per week");
  google::protobuf::RepeatedPtrField<v1::Flight> kept;
  for (const v1::Flight& flight : channel.flights()) {
    const DaySpan days = span_of(calendar, flight);
    if (days.from >= 0) continue;
    v1::Flight& pre = *kept.Add();
    pre = flight;
    if (days.to >= 0) {
      pre.clear_to();
      pre.set_to_day(-1);
    }
  }
  for (int week = 0; week < static_cast<int>(spends.size()); ++week) {
    const DaySpan days = week_span(week, horizon_days);
    v1::Flight& flight = *kept.Add();
    flight.set_from_day(days.from);
    flight.set_to_day(days.to);
    flight.set_weekly_budget(spends[static_cast<size_t>(week)] * 7.0 /
                             static_cast<double>(days.to - days.from + 1));
  }
  channel.mutable_flights()->Swap(&kept);
}

std::string cell_name(const std::string& channel, int week) {
  return channel + "@w" + std::to_string(week + 1);
}

}  // namespace cjsim
