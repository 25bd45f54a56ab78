// The week x channel schedule of `cjsim optimize --by-week` (docs/model.md
// "Planning the schedule"): week k of the horizon is days [7k, 7k + 6]
// (the last week cut by the horizon's end), and a channel's schedule is
// the spend of each week, written into the scenario as one flight per
// week. The optimizer plans it as one decision cell per (week, channel)
// (PlannedChannel::week, sim/mix_runner.h); adstock carries spend across
// the weeks because the engine runs the flights day by day.
//
// Pure functions of their arguments; call from any thread.
#ifndef CJSIM_SIM_SCHEDULE_H_
#define CJSIM_SIM_SCHEDULE_H_

#include <string>
#include <vector>

#include "cjsim/v1/scenario.pb.h"
#include "models/calendar.h"

namespace cjsim {

// The weeks of a horizon: ceil(horizon_days / 7).
int schedule_weeks(int horizon_days);

// The days of week `week` (0-based) of the horizon, both included.
// REQUIRES: 0 <= week < schedule_weeks(horizon_days).
DaySpan week_span(int week, int horizon_days);

// A channel's spend in each week of the horizon under its own plan (its
// flights and weekly budget, paced by its weekday weights: spend_plan).
// REQUIRES: `scenario` validated; `channel` an index of its channels.
std::vector<double> weekly_spend(const v1::Scenario& scenario, int channel);

// Replaces the flights of `channel` inside the horizon with one flight per
// week spending `spends[week]` in it (weekly_budget = spend x 7 / the
// week's days). Flights wholly before day 0 (a pre-period, seeding
// adstock) are kept, one reaching into the horizon is cut at day -1, and
// flights after the horizon are dropped; the channel's own weekly budget
// (what days outside every flight spend) is left as it is.
// REQUIRES: spends.size() == schedule_weeks(horizon_days), each >= 0;
// `calendar` the scenario's.
void set_week_flights(v1::Channel& channel, const std::vector<double>& spends,
                      const Calendar& calendar, int horizon_days);

// A cell's name in results and notes: "facebook@w3" for week 3 (1-based).
std::string cell_name(const std::string& channel, int week);

}  // namespace cjsim

#endif  // CJSIM_SIM_SCHEDULE_H_
