// Channel-mix planning: the best split of a weekly budget across channels,
// found by simulation and then checked (docs/model.md "Channel-mix
// planning").
//
// Every candidate mix is simulated with the same seed and replications, so
// candidates draw the same random streams and their comparisons are paired
// (common random numbers): the objective is then a deterministic function
// of the mix (a sample-average approximation). The search has a global and
// a local part: a response surface (each channel's curve from 0 to the most
// it may get, the others held) whose best split, found by dynamic
// programming, is global whatever the curves' shapes; then NLopt's COBYLA
// from the best of that split, the current mix and the even split. A
// verification on the confirmation's replications (sim/mix_verification.h)
// then tries moving each channel and shifting budget between every pair,
// taking any move that improves the objective at the scenario's
// confidence; a confirmation compares the result with the current mix, and
// paired finite differences give every channel's marginal return there.
// With a profit objective spending at most, a channel inside its bounds
// whose mROAS interval excludes 1 is moved along its curve and the
// verification runs again, so that the recommendation either passes the
// mROAS check or the result says which channel fails it.
// Runs in the calling thread's task arena.
#ifndef CJSIM_SIM_OPTIMIZE_H_
#define CJSIM_SIM_OPTIMIZE_H_

#include <string>
#include <vector>

#include "cjsim/v1/result.pb.h"
#include "cjsim/v1/scenario.pb.h"
#include "sim/compare.h"
#include "sim/mix_runner.h"
#include "sim/replication_runner.h"

namespace cjsim {

struct OptimizeSettings {
  enum class Mode { kAllocate, kTargetConversions, kTargetCpa };
  // The KPI maximised (is_mix_objective, counted by the scenario): with a
  // goal kind ("conversions:donation") the target modes count that kind's
  // conversions too. Or "target:NAME" (objective_target): the chance of
  // meeting the scenario's target NAME.
  std::string objective = "conversions";
  // 0: the mean over replications; else the mean of the worst `cvar` share
  // of them (conditional value at risk).
  double cvar = 0;
  Mode mode = Mode::kAllocate;
  double target = 0;  // conversions or CPA, in the target modes
  // The weekly budget to split (allocate), or the most a target may use;
  // when the planned channels are a schedule's cells (PlannedChannel::week),
  // the whole horizon's budget.
  double total = 0;
  // Spend the whole total, or at most it.
  bool spend_all = true;
  int confirm_replications = 64;
  int max_evaluations = 0;  // of the local search; 0: 30 + 15 x the free channels
  // Budgets per channel curve of the response surface (0: no surface).
  int surface_points = 4;
  // Rounds of the verification (>= 1).
  int verify_rounds = 4;
  int threads = 1;  // recorded in the result
  // The variant the scenario has applied ("" = none), for the provenance.
  std::string variant;
  // Runs every mix's replications (one process, or the ranks of an mpirun).
  ReplicationRunner runner = run_locally;
};

// The KPI the target modes count for an objective: conversions of the
// objective's goal kind ("conversions:K" for conversions:K and value:K),
// else all conversions.
// The target objective counts all conversions.
std::string counted_conversions(const std::string& objective);

// The cells of a schedule of the scenario's horizon (one per week per
// channel of `channels`, week by week) sharing the horizon's budget
// `total`: a channel's weekly bounds scaled to each week's days (an upper
// bound capped at `total`: an infinite one lets a week take all of it);
// the cells of the channels in `locked` (indices in the scenario) locked at
// their current spends (weekly_spend), so that they keep their own flights.
// REQUIRES: `scenario` validated; `channels` with week -1.
std::vector<PlannedChannel> schedule_cells(const v1::Scenario& scenario,
                                           const std::vector<PlannedChannel>& channels,
                                           const std::vector<int>& locked, double total);

// `channels` are either all channels (week -1) or all cells of a schedule
// (schedule_cells, optimize --by-week): then the result has its schedule[].
// REQUIRES: `scenario` validated (variant applied, variants cleared);
// `channels` distinct, lower <= upper, and feasible: the sum of the lower
// bounds <= total, and with spend_all the sum of the upper bounds >= total.
v1::OptimizeResult optimize_mix(const v1::Scenario& scenario,
                                const std::vector<PlannedChannel>& channels,
                                const OptimizeSettings& settings, StudyProgress* progress);

}  // namespace cjsim

#endif  // CJSIM_SIM_OPTIMIZE_H_
