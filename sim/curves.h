// Response curves: a KPI against one channel's weekly budget, the other
// channels held, with the paired marginal return between neighbouring
// budgets, the channel's incremental contribution over a budget of 0, its
// ROI, the saturation point and the break-even budget (docs/model.md
// "Response curves"). Every budget of every curve runs on common random
// numbers, and with parameter draws on the same draws (sim/parameter_draws.h),
// so every difference along a curve is paired, over the draws too.
// Runs in the calling thread's task arena; the rules below are pure
// functions, callable from any thread.
#ifndef CJSIM_SIM_CURVES_H_
#define CJSIM_SIM_CURVES_H_

#include <optional>
#include <string>
#include <vector>

#include "cjsim/v1/result.pb.h"
#include "cjsim/v1/scenario.pb.h"
#include "sim/compare.h"
#include "sim/estimate.h"
#include "sim/replication_runner.h"

namespace cjsim {

struct CurveSettings {
  // Indices into the scenario's channels, or kCareStaffing (sim/planning.h):
  // care's staffing, its weekly cost the budget.
  std::vector<int> channels;
  // Budgets 0 .. max_budget_scale x the current one (or x the mean budget
  // of the planned channels, for a channel at 0), `points` of them.
  int points = 9;
  double max_budget_scale = 2;
  // When > 0, every curve runs from 0 to this weekly budget instead.
  double max_weekly_budget = 0;
  std::string kpi = "conversions";
  // The saturation rule's share of the peak step's marginal.
  double saturation_fraction = 0.2;
  int threads = 1;
  // The variant the scenario has applied ("" = none), for the provenance.
  std::string variant;
  // Runs every budget's replications (one process, or the ranks of an
  // mpirun).
  ReplicationRunner runner = run_locally;
};

// The highest weekly budget of `channel`'s curve: settings.max_weekly_budget
// when set, else max_budget_scale x its budget, or x the mean budget of the
// traced channels when its own is 0. 0 when neither gives a range (every
// traced channel at 0 and no max_weekly_budget): callers refuse that.
double curve_top_budget(const v1::Scenario& scenario, const CurveSettings& settings, int channel);

// The budgets of `channel`'s curve: settings.points of them, evenly from 0
// to curve_top_budget.
std::vector<double> curve_budgets(const v1::Scenario& scenario, const CurveSettings& settings,
                                  int channel);

// The index of `current` among `budgets` (to within 10^-9 of the top), or
// nullopt: the current budget then runs on its own, for the contribution.
std::optional<size_t> current_on_curve(const std::vector<double>& budgets, double current);

// The budgets response_curves simulates, over all traced channels (for
// the resource estimate).
int curve_runs(const v1::Scenario& scenario, const CurveSettings& settings);

// REQUIRES: `scenario` validated, with at least 2 replications;
// settings.kpi is a KPI name (kpi_names); points >= 2; curve_top_budget > 0
// for every traced channel. A KPI a budget does not define (ROAS where
// nothing is spent) is a gap: an estimate of NaN there and in every
// difference that needs it.
v1::CurvesResult response_curves(const v1::Scenario& scenario, const CurveSettings& settings,
                                 StudyProgress* progress);

// The index of the curve's budget nearest its current budget (the row
// tables mark).
int nearest_budget(const v1::ResponseCurve& curve);

// The saturation rule. budgets[0] < ... < budgets[n]; marginal[k] is the
// paired marginal KPI per unit of budget of the step budgets[k] ..
// budgets[k+1]. The peak is the step with the largest mean marginal; the
// saturation point is budgets[k] for the first step k after the peak from
// which every step's marginal interval (ci_high) lies below fraction x the
// peak's mean. None when no step raises the KPI detectably (every step's
// interval reaches 0), when the steepest step is the last, or when the last
// step's interval still reaches the threshold; the note then says why. Gaps (NaN) are never below anything.
// REQUIRES: marginal.size() + 1 == budgets.size(), marginal not empty.
struct Saturation {
  std::optional<double> weekly_budget;
  Estimate peak;  // NaN when every step is a gap
  std::string note;
};
Saturation saturation_point(const std::vector<double>& budgets,
                            const std::vector<Estimate>& marginal, double fraction);

// The break-even budget: where the marginal ROAS crosses 1 for the last
// time, from above. The estimate interpolates the steps' mean marginal ROAS
// linearly between the midpoints of the last step with a mean >= 1 and the
// first of the steps from which every mean is < 1. The interval runs from
// the lower end of the last step whose interval lies wholly above 1 (0 when
// none does) to the upper end of the first step from which every interval
// lies wholly below 1 (absent when the last step's interval reaches 1).
// None when the mean is below 1 from the first step, still at least 1 at
// the last, or undefined at a step, or when the interval would be the whole
// curve and beyond (no step's interval lies wholly above or below 1); the
// note then says why.
// REQUIRES: marginal_roas.size() + 1 == budgets.size(), not empty.
struct BreakEven {
  std::optional<double> weekly_budget, low, high;
  std::string note;
};
BreakEven break_even_budget(const std::vector<double>& budgets,
                            const std::vector<Estimate>& marginal_roas);

}  // namespace cjsim

#endif  // CJSIM_SIM_CURVES_H_
