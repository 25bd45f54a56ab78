// Channel-mix planning rules that the optimizer and the response curves
// share (docs/model.md "Channel-mix planning"): which channels a plan can
// move money between, the floor of a channel kept on, and the response
// curves drawn around a recommended mix for its report.
//
// is_plannable, plannable_channels and keep_on are pure functions, callable
// from any thread; curves_around simulates in the calling thread's task
// arena.
#ifndef CJSIM_SIM_PLANNING_H_
#define CJSIM_SIM_PLANNING_H_

#include <optional>
#include <string>
#include <vector>

#include "cjsim/v1/result.pb.h"
#include "cjsim/v1/scenario.pb.h"
#include "sim/compare.h"
#include "sim/mix_runner.h"
#include "sim/replication_runner.h"

namespace cjsim {

// Customer care's staffing as a planned entry (optimize --plan-care):
// PlannedChannel::channel == kCareStaffing. Its budget is the weekly money
// the staffing costs, daily_capacity x cost_per_capacity_unit x 7, so that
// a plan trades it against ad budget in the same money (docs/model.md
// "Planning care staffing").
inline constexpr int kCareStaffing = -1;
// Its name in results, options (--bounds care=LO:HI) and reports.
inline constexpr const char* kCareStaffingName = "care";

// Empty when `scenario` can plan its care staffing; else why not (no care
// block, or no cost per capacity unit to trade against, or a channel
// already called kCareStaffingName).
std::string care_staffing_refused(const v1::Scenario& scenario);

// A planned entry's id (a channel's, or kCareStaffingName), its average
// weekly budget (models/calendar.h average_weekly_spend, or the staffing's
// weekly cost), and setting it (set_average_weekly_spend, or the daily
// capacity that costs `weekly`).
// REQUIRES: `channel` a channel index of `scenario` or kCareStaffing with
// care_staffing_refused(scenario) empty.
std::string planned_id(const v1::Scenario& scenario, int channel);
double planned_weekly_budget(const v1::Scenario& scenario, int channel);
void set_planned_weekly_budget(v1::Scenario& scenario, int channel, double weekly);

// A channel is plannable when it is switched on (`enabled` unset or true)
// and has a weekly budget, a flight with a budget, or paid reach
// (max_reach > 0): money moved into or out of it changes what it reaches.
bool is_plannable(const v1::Channel& channel);

// The indices of the scenario's plannable channels, in the scenario's order.
std::vector<int> plannable_channels(const v1::Scenario& scenario);

// A channel kept on (optimize --keep-on) may not fall below this share of
// the total weekly budget.
inline constexpr double kKeepOnShare = 0.01;

// Raises `channel`'s lower bound to at least kKeepOnShare x `total`.
// Returns false when that leaves no room: the raised lower bound is above
// the upper one (the caller refuses the plan).
bool keep_on(PlannedChannel& channel, double total);

// The response curve of each of `planned` with every channel at its
// budget in `result`'s recommended mix, on `result`'s objective, with
// `points` budgets per curve: what the report of an optimization draws
// around its recommendation. Each curve runs from 0 to twice the channel's
// recommended budget (CurveSettings' scale; a channel recommended 0: twice
// the mean of the planned channels'); when the recommendation gives every
// planned channel nothing, every curve runs from 0 to the total searched
// (`result.weekly_budget()`). nullopt when even that gives no range (a
// total of 0).
// The curves' replications run by `runner`.
// REQUIRES: `scenario` validated (variant applied), `result` an
// optimization of it over `planned`; points >= 2; threads >= 1.
std::optional<v1::CurvesResult> curves_around(const v1::Scenario& scenario,
                                              const std::vector<PlannedChannel>& planned,
                                              const v1::OptimizeResult& result, int points,
                                              int threads, StudyProgress* progress,
                                              const ReplicationRunner& runner = run_locally);

}  // namespace cjsim

#endif  // CJSIM_SIM_PLANNING_H_
