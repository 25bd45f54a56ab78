// Response curves: a KPI against one channel's weekly budget, the other
// channels held, with the paired marginal return between neighbouring
// budgets and the saturation point, where the marginal return has fallen
// below a share of the first step's (docs/model.md "Channel-mix
// planning"). Every budget of every curve runs on common random numbers.
// Runs in the calling thread's task arena.
#ifndef CJSIM_SIM_CURVES_H_
#define CJSIM_SIM_CURVES_H_

#include <string>
#include <vector>

#include "cjsim/v1/result.pb.h"
#include "cjsim/v1/scenario.pb.h"
#include "sim/compare.h"

namespace cjsim {

struct CurveSettings {
  std::vector<int> channels;  // indices into the scenario's channels
  // Budgets 0 .. max_budget_scale x the current one (or x the mean budget
  // of the planned channels, for a channel at 0), `points` of them.
  int points = 9;
  double max_budget_scale = 2;
  // When > 0, every curve runs from 0 to this weekly budget instead.
  double max_weekly_budget = 0;
  std::string kpi = "conversions";
  double saturation_fraction = 0.2;
  int threads = 1;
};

// The highest weekly budget of `channel`'s curve: settings.max_weekly_budget
// when set, else max_budget_scale x its budget, or x the mean budget of the
// traced channels when its own is 0. 0 when neither gives a range (every
// traced channel at 0 and no max_weekly_budget): callers refuse that.
double curve_top_budget(const v1::Scenario& scenario, const CurveSettings& settings, int channel);

// REQUIRES: `scenario` validated; settings.kpi is a KPI name (kpi_names);
// points >= 2; curve_top_budget > 0 for every traced channel.
v1::CurvesResult response_curves(const v1::Scenario& scenario, const CurveSettings& settings,
                                 StudyProgress* progress);

}  // namespace cjsim

#endif  // CJSIM_SIM_CURVES_H_
