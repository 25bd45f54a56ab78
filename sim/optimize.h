// Channel-mix planning: the best split of a weekly budget across channels,
// found by simulation (docs/model.md "Channel-mix planning").
//
// Every candidate mix is simulated with the same seed and replications, so
// candidates draw the same random streams and their comparisons are paired
// (common random numbers): the objective is then a deterministic function
// of the mix (a sample-average approximation), which NLopt's COBYLA
// maximises over the bounded budget simplex. A confirmation run with more
// replications compares the recommendation with the current mix, and
// paired finite differences give every channel's marginal return there.
// Runs in the calling thread's task arena.
#ifndef CJSIM_SIM_OPTIMIZE_H_
#define CJSIM_SIM_OPTIMIZE_H_

#include <string>
#include <vector>

#include "cjsim/v1/result.pb.h"
#include "cjsim/v1/scenario.pb.h"
#include "sim/compare.h"

namespace cjsim {

// A channel the plan may move money into or out of, by index in the
// scenario's channels, with its weekly budget bounds (lower == upper: locked).
struct PlannedChannel {
  int channel = 0;
  double lower = 0, upper = 0;
};

struct OptimizeSettings {
  enum class Objective { kConversions, kValue, kProfit, kRetention };
  enum class Mode { kAllocate, kTargetConversions, kTargetCpa };
  Objective objective = Objective::kConversions;
  // 0: the mean over replications; else the mean of the worst `cvar` share
  // of them (conditional value at risk).
  double cvar = 0;
  Mode mode = Mode::kAllocate;
  double target = 0;  // conversions or CPA, in the target modes
  // The weekly budget to split (allocate), or the most a target may use.
  double total = 0;
  // Spend the whole total, or at most it.
  bool spend_all = true;
  int confirm_replications = 64;
  int max_evaluations = 0;  // 0: 30 + 15 x the free channels
  int threads = 1;          // recorded in the result
};

// The objective's name in results and on the command line.
std::string objective_name(OptimizeSettings::Objective objective);

// REQUIRES: `scenario` validated (variant applied, variants cleared);
// `channels` distinct, lower <= upper, and feasible: the sum of the lower
// bounds <= total, and with spend_all the sum of the upper bounds >= total.
v1::OptimizeResult optimize_mix(const v1::Scenario& scenario,
                                const std::vector<PlannedChannel>& channels,
                                const OptimizeSettings& settings, StudyProgress* progress);

}  // namespace cjsim

#endif  // CJSIM_SIM_OPTIMIZE_H_
