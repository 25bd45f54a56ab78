// The scenario's calendar (docs/model.md "Calendar"): the date and weekday
// of each simulated day, the days that flights, events, goal windows and
// targets name (a date or a day number), and what they become day by day:
// each channel's spend, and the events in force.
//
// Reading a day (resolve_day) reports bad input as a Status; the rest
// REQUIRES a scenario that passed validation. Pure functions; call from any
// thread.
#ifndef CJSIM_MODELS_CALENDAR_H_
#define CJSIM_MODELS_CALENDAR_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cjsim/v1/scenario.pb.h"
#include "models/stage.h"
#include "models/status.h"

namespace cjsim {

class Calendar {
 public:
  // Undated: day 0 is a Monday, days are shown as numbers.
  Calendar() = default;
  // Day 0 is `start`, in days since 1970-01-01.
  static Calendar starting(int32_t start) { return Calendar(true, start); }

  // The calendar of simulation.start_date, or why that is no date.
  static Result<Calendar> of(const v1::Simulation& simulation);

  bool dated() const { return dated_; }
  // 0 = Monday ... 6 = Sunday.
  int weekday(int32_t day) const;
  // "2026-11-17", or "" when undated.
  std::string date(int32_t day) const;
  // "2026-11-17", or "day 15" when undated.
  std::string label(int32_t day) const;
  // The day number of a date given in days since 1970-01-01.
  int32_t day_of(int32_t epoch_day) const { return epoch_day - start_; }

 private:
  Calendar(bool dated, int32_t start) : dated_(dated), start_(start) {}
  bool dated_ = false;
  int32_t start_ = 0;
};

// A day a field gives as a date (`date`, ISO 8601) or as a day number
// (`day`, when set): nullopt when neither is given. Bad input when both
// are, when the date is no ISO date, or when the calendar is undated and a
// date is given; `what` names the field for the message ("channel 'tv'
// flights[0] from").
Result<std::optional<int32_t>> resolve_day(const Calendar& calendar, std::string_view date,
                                           std::optional<int32_t> day, const std::string& what);

// The days of a flight or an event, both included. REQUIRES: validated.
struct DaySpan {
  int32_t from = 0;
  int32_t to = 0;
};
DaySpan span_of(const Calendar& calendar, const v1::Flight& flight);
DaySpan span_of(const Calendar& calendar, const v1::Event& event);

// A goal's open days; an end not given is open (INT32_MIN, INT32_MAX).
// REQUIRES: validated.
DaySpan window_of(const Calendar& calendar, const v1::Goal& goal);

// The day a target is due: its `by`, else the horizon's last day.
// REQUIRES: validated.
int32_t due_day_of(const Calendar& calendar, const v1::Target& target, int horizon_days);

// A channel's paid spend day by day (docs/model.md "Calendar"): from
// `first_day` (0, or the first day of a flight before the horizon) to the
// horizon's last day. Each flight, and each stretch of the horizon between
// flights (at the channel's weekly_budget), spends weekly_budget x days / 7,
// shared among its days by their weekday weights. REQUIRES: validated.
struct SpendPlan {
  int32_t first_day = 0;
  std::vector<double> daily;  // [day - first_day]
  // The spend on day `day` (0 outside the plan).
  double on(int32_t day) const {
    const int64_t at = int64_t{day} - first_day;
    return at >= 0 && at < static_cast<int64_t>(daily.size()) ? daily[static_cast<size_t>(at)]
                                                              : 0.0;
  }
};
SpendPlan spend_plan(const v1::Channel& channel, const Calendar& calendar, int horizon_days);

// A channel's budget as planning sees it (docs/model.md "Calendar"): its
// average weekly spend over the horizon, `spend over days 0..H-1 x 7 / H`
// (its weekly_budget when it has no flights and no weekday weights).
// REQUIRES: validated (`channel` one of `scenario`'s).
double average_weekly_spend(const v1::Scenario& scenario, const v1::Channel& channel);

// Whether the channel's plan spends on some day (its weekly_budget or a
// flight's is above 0), as a run of it would.
bool plans_spend(const v1::Channel& channel);

// Sets channel `c`'s plan to spend `weekly` a week on average over the
// horizon: without flights, its weekly_budget; with flights, the channel's
// weekly_budget and every flight's scaled alike, so that the plan keeps its
// shape (a plan that spends nothing in the horizon gets weekly_budget =
// `weekly` between its flights). What optimize, curves and sweeps of a
// budget change. REQUIRES: validated, weekly finite >= 0.
void set_average_weekly_spend(v1::Scenario& scenario, int c, double weekly);

// An event as the model uses it: its days, multipliers and whom it
// concerns (by index). REQUIRES: validated.
struct CompiledEvent {
  std::string name;
  DaySpan days;
  double act_multiplier = 1;
  double reach_multiplier = 1;
  double negative_share_multiplier = 1;  // of comments (a shitstorm)
  std::vector<bool> channels;  // [channel]
  std::vector<bool> personas;  // [persona]
  std::array<bool, kStageSlots> stages{};
  bool covers(int32_t day) const { return day >= days.from && day <= days.to; }
};
std::vector<CompiledEvent> compile_events(const v1::Scenario& scenario, const Calendar& calendar);

}  // namespace cjsim

#endif  // CJSIM_MODELS_CALENDAR_H_
