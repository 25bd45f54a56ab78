#include "sim/curves.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

#include "models/check.h"
#include "models/compiled_model.h"
#include "sim/comparison.h"
#include "sim/kpi.h"
#include "sim/kpi_evidence.h"
#include "sim/parameter_draws.h"
#include "sim/planning.h"
#include "sim/run_result.h"
#include "sim/sweep.h"

namespace cjsim {

namespace {

// An estimate of NaN: a KPI a point does not define, a gap in the curve.
Estimate gap(int replications) { return {kNaN, kNaN, kNaN, kNaN, replications}; }

// The KPI series of every budget of one curve, budget by budget.
using CurvePoints = std::vector<std::vector<KpiSeries>>;

// The paired difference of KPI `name` between budgets `from` and `to`, per
// unit of `per` (1: the difference itself); a gap where either budget does
// not define the KPI or `per` is 0.
Estimate paired_change(const std::vector<KpiSeries>& from, const std::vector<KpiSeries>& to,
                       const std::string& name, double per, double confidence, int replications) {
  const KpiSeries* a = find_kpi(from, name);
  const KpiSeries* b = find_kpi(to, name);
  if (a == nullptr || b == nullptr || !(per != 0) || !std::isfinite(per)) return gap(replications);
  return scale_estimate(compare_kpi(*a, *b, confidence).difference, 1 / per);
}

// The mean of KPI `name` at a budget (cost: fixed by the budgets).
double mean_of(const std::vector<KpiSeries>& point, const std::string& name) {
  const KpiSeries* s = find_kpi(point, name);
  return s != nullptr ? s->value() : kNaN;
}

bool is_gap(const Estimate& e) {
  return std::isnan(e.mean) || std::isnan(e.ci_low) || std::isnan(e.ci_high);
}

// The channel at its current budget against 0: the incremental KPI, value
// and profit, and the ROI.
void set_contribution(const std::vector<KpiSeries>& at_zero, const std::vector<KpiSeries>& at,
                      double weekly_budget, const std::string& kpi, double confidence,
                      int replications, v1::ChannelContribution* out) {
  out->set_weekly_budget(weekly_budget);
  set_estimate(paired_change(at_zero, at, kpi, 1, confidence, replications), out->mutable_kpi());
  set_estimate(paired_change(at_zero, at, "value", 1, confidence, replications),
               out->mutable_value());
  set_estimate(paired_change(at_zero, at, "profit", 1, confidence, replications),
               out->mutable_profit());
  const double cost = mean_of(at, "cost") - mean_of(at_zero, "cost");
  out->set_cost(cost);
  if (!(cost > 0)) {
    out->set_note(weekly_budget > 0 ? "the channel's budget buys nothing"
                                    : "the channel spends nothing at its current budget");
    return;
  }
  set_estimate(paired_change(at_zero, at, "profit", cost, confidence, replications),
               out->mutable_roi());
}

}  // namespace

double curve_top_budget(const v1::Scenario& scenario, const CurveSettings& settings, int channel) {
  if (settings.max_weekly_budget > 0) return settings.max_weekly_budget;
  const double current = planned_weekly_budget(scenario, channel);
  if (current > 0) return settings.max_budget_scale * current;
  double mean_budget = 0;
  for (int c : settings.channels) {
    mean_budget += planned_weekly_budget(scenario, c);
  }
  mean_budget /= static_cast<double>(std::max<size_t>(1, settings.channels.size()));
  return settings.max_budget_scale * mean_budget;
}

std::vector<double> curve_budgets(const v1::Scenario& scenario, const CurveSettings& settings,
                                  int channel) {
  const double top = curve_top_budget(scenario, settings, channel);
  std::vector<double> budgets;
  for (int k = 0; k < settings.points; ++k) budgets.push_back(top * k / (settings.points - 1));
  return budgets;
}

std::optional<size_t> current_on_curve(const std::vector<double>& budgets, double current) {
  for (size_t k = 0; k < budgets.size(); ++k) {
    if (std::abs(budgets[k] - current) <= 1e-9 * budgets.back()) return k;
  }
  return std::nullopt;
}

int curve_runs(const v1::Scenario& scenario, const CurveSettings& settings) {
  int runs = 0;
  for (int c : settings.channels) {
    runs += settings.points;
    if (!current_on_curve(curve_budgets(scenario, settings, c),
                          planned_weekly_budget(scenario, c))) {
      ++runs;
    }
  }
  return runs;
}

int nearest_budget(const v1::ResponseCurve& c) {
  int nearest = 0;
  for (int k = 1; k < c.weekly_budgets_size(); ++k) {
    if (std::abs(c.weekly_budgets(k) - c.current_weekly_budget()) <
        std::abs(c.weekly_budgets(nearest) - c.current_weekly_budget())) {
      nearest = k;
    }
  }
  return nearest;
}

Saturation saturation_point(const std::vector<double>& budgets,
                            const std::vector<Estimate>& marginal, double fraction) {
  CJSIM_CHECK(!marginal.empty() && marginal.size() + 1 == budgets.size(),
              "a saturation rule needs one marginal per step");
  Saturation out;
  out.peak = gap(static_cast<int>(marginal[0].n));
  size_t peak = marginal.size();
  for (size_t k = 0; k < marginal.size(); ++k) {
    if (is_gap(marginal[k])) continue;
    if (peak == marginal.size() || marginal[k].mean > marginal[peak].mean) peak = k;
  }
  if (peak == marginal.size()) {
    out.note = "the marginal return is undefined at every step";
    return out;
  }
  out.peak = marginal[peak];
  if (std::none_of(marginal.begin(), marginal.end(),
                   [](const Estimate& e) { return e.ci_low > 0; })) {
    out.note = "no step raises the KPI detectably: every step's interval reaches 0";
    return out;
  }
  if (peak + 1 == marginal.size()) {
    out.note = "the steepest step is the last: the curve is still rising at its top";
    return out;
  }
  const double threshold = fraction * out.peak.mean;
  // The first step after the peak from which every step lies below.
  size_t first = marginal.size();
  for (size_t k = marginal.size(); k-- > peak + 1;) {
    if (!(marginal[k].ci_high < threshold)) break;
    first = k;
  }
  if (first == marginal.size()) {
    out.note = "not within the curve: the last step's marginal interval reaches the threshold";
    return out;
  }
  out.weekly_budget = budgets[first];
  return out;
}

BreakEven break_even_budget(const std::vector<double>& budgets,
                            const std::vector<Estimate>& marginal_roas) {
  CJSIM_CHECK(!marginal_roas.empty() && marginal_roas.size() + 1 == budgets.size(),
              "a break-even rule needs one marginal ROAS per step");
  const size_t n = marginal_roas.size();
  BreakEven out;
  if (std::any_of(marginal_roas.begin(), marginal_roas.end(), is_gap)) {
    out.note = "the marginal ROAS is undefined at a step (the budget changes no cost)";
    return out;
  }
  if (std::all_of(marginal_roas.begin(), marginal_roas.end(), [](const Estimate& e) {
        return e.mean == 0 && e.ci_low == 0 && e.ci_high == 0;
      })) {
    out.note = "value does not change with the channel's budget";
    return out;
  }
  // The first step from which every mean (every interval) is below 1.
  size_t first_mean = n, first_interval = n;
  for (size_t k = n; k-- > 0 && marginal_roas[k].mean < 1;) first_mean = k;
  for (size_t k = n; k-- > 0 && marginal_roas[k].ci_high < 1;) first_interval = k;
  if (first_mean == n) {
    out.note = "the marginal ROAS is still at least 1 at the top of the curve";
    return out;
  }
  if (first_mean == 0) {
    out.note = "the marginal ROAS is below 1 from the first step on";
    return out;
  }
  auto midpoint = [&](size_t k) { return (budgets[k] + budgets[k + 1]) / 2; };
  const Estimate& above = marginal_roas[first_mean - 1];
  const Estimate& below = marginal_roas[first_mean];
  const double t = (above.mean - 1) / (above.mean - below.mean);
  out.weekly_budget =
      midpoint(first_mean - 1) + t * (midpoint(first_mean) - midpoint(first_mean - 1));
  out.low = 0.0;
  for (size_t k = 0; k < first_mean; ++k) {
    if (marginal_roas[k].ci_low > 1) out.low = budgets[k];
  }
  if (first_interval < n) {
    out.high = budgets[first_interval + 1];
  } else if (*out.low == 0) {
    // No step tells the marginal ROAS from 1, above or below: where the
    // means cross it is noise.
    out = {};
    out.note = "no step's marginal ROAS interval lies wholly above or below 1";
  } else {
    out.note = "the upper end lies beyond the curve: the last step's interval reaches 1";
  }
  return out;
}

namespace {

// The curve's figures at each budget (KPI, cost, events, the increment over
// budget 0) and per step (the marginal KPI and marginal ROAS, returned).
void set_points(const CurvePoints& points, const std::vector<double>& budgets,
                const CurveSettings& settings, const RunSettings& run, v1::ResponseCurve* curve,
                std::vector<Estimate>& marginal, std::vector<Estimate>& marginal_roas) {
  const int replications = run.replications;
  for (size_t k = 0; k < budgets.size(); ++k) {
    curve->add_weekly_budgets(budgets[k]);
    const KpiSeries* kpi = find_kpi(points[k], settings.kpi);
    set_estimate(kpi != nullptr ? estimate_kpi(*kpi, run.confidence, false) : gap(replications),
                 curve->add_kpi());
    curve->add_cost(mean_of(points[k], "cost"));
    if (const std::optional<double> events = simulated_events_at(points[k], settings.kpi)) {
      curve->add_kpi_events(*events);
    }
    curve->add_value_events(simulated_events_at(points[k], "value").value_or(0));
    set_estimate(paired_change(points[0], points[k], settings.kpi, 1, run.confidence, replications),
                 curve->add_incremental());
    if (k == 0) continue;
    marginal.push_back(paired_change(points[k - 1], points[k], settings.kpi,
                                     budgets[k] - budgets[k - 1], run.confidence, replications));
    marginal_roas.push_back(paired_change(
        points[k - 1], points[k], "value",
        mean_of(points[k], "cost") - mean_of(points[k - 1], "cost"), run.confidence, replications));
    set_estimate(marginal.back(), curve->add_marginal());
    set_estimate(marginal_roas.back(), curve->add_marginal_roas());
  }
}

// The saturation point and the break-even budget of a traced curve.
void set_rules(const std::vector<double>& budgets, const std::vector<Estimate>& marginal,
               const std::vector<Estimate>& marginal_roas, double saturation_fraction,
               v1::ResponseCurve* curve) {
  const Saturation saturation = saturation_point(budgets, marginal, saturation_fraction);
  if (saturation.weekly_budget) curve->set_saturation_weekly_budget(*saturation.weekly_budget);
  curve->set_saturation_note(saturation.note);
  set_estimate(saturation.peak, curve->mutable_peak_marginal());

  const BreakEven even = break_even_budget(budgets, marginal_roas);
  v1::BreakEven* out = curve->mutable_break_even();
  if (even.weekly_budget) out->set_weekly_budget(*even.weekly_budget);
  if (even.low) out->set_weekly_budget_low(*even.low);
  if (even.high) out->set_weekly_budget_high(*even.high);
  out->set_note(even.note);
}

// Channel `c`'s curve, added to `result`. False once progress is stopped
// (the result is then incomplete).
bool trace_channel(const v1::Scenario& scenario, const CurveSettings& settings,
                   const RunSettings& run, int c, StudyProgress* progress,
                   v1::CurvesResult& result) {
  const double current = planned_weekly_budget(scenario, c);
  const double top = curve_top_budget(scenario, settings, c);
  CJSIM_CHECK(std::isfinite(top) && top > 0, "a response curve without a budget range");
  const std::vector<double> budgets = curve_budgets(scenario, settings, c);
  // The budget's models: its own, or one per parameter draw, the same
  // draws at every budget (keyed by the seed; sim/parameter_draws.h).
  auto at = [&](double budget) {
    v1::Scenario s = scenario;
    set_planned_weekly_budget(s, c, budget);
    Result<std::vector<CompiledModel>> models = compile_draws(s, "", run.seed, run.parameter_draws);
    CJSIM_CHECK(models.is_ok(), "a parameter draw that the caller should have refused");
    return std::move(models).value();
  };
  // A budget that leaves no channel reaching anyone would put the scenario
  // in single-journey form, where everyone enters on day 0: on a curve it
  // means that no one is reached. Every budget keeps the form of the top.
  const bool reaches = !at(top).front().single_journey;
  auto run_at = [&](double budget) {
    std::vector<CompiledModel> models = at(budget);
    for (CompiledModel& model : models) keep_form_of_reference(reaches, model);
    return run_point(models, run, progress, result.mutable_timing(), settings.runner);
  };
  CurvePoints points;
  for (double b : budgets) {
    if (progress != nullptr && progress->stopped()) return false;
    points.push_back(run_at(b));
  }

  v1::ResponseCurve* curve = result.add_curves();
  curve->set_channel(planned_id(scenario, c));
  if (c == kCareStaffing) {
    curve->set_care_cost_per_capacity_unit(scenario.loyalty().care().cost_per_capacity_unit());
  }
  curve->set_current_weekly_budget(current);
  std::vector<Estimate> marginal, marginal_roas;
  set_points(points, budgets, settings, run, curve, marginal, marginal_roas);
  set_rules(budgets, marginal, marginal_roas, settings.saturation_fraction, curve);

  // The current budget is a point of the curve, or runs on its own.
  if (const std::optional<size_t> k = current_on_curve(budgets, current)) {
    set_contribution(points[0], points[*k], current, settings.kpi, run.confidence, run.replications,
                     curve->mutable_contribution());
  } else {
    if (progress != nullptr && progress->stopped()) return false;
    set_contribution(points[0], run_at(current), current, settings.kpi, run.confidence,
                     run.replications, curve->mutable_contribution());
  }
  return true;
}

}  // namespace

v1::CurvesResult response_curves(const v1::Scenario& scenario, const CurveSettings& settings,
                                 StudyProgress* progress) {
  const auto started = std::chrono::steady_clock::now();
  CJSIM_CHECK(settings.points >= 2, "a curve needs two budgets");
  const RunSettings run = resolve_run_settings(scenario.simulation());

  v1::CurvesResult result;
  set_provenance(make_provenance(scenario, settings.variant, run.replications, settings.threads),
                 &result);
  result.set_kpi(settings.kpi);
  result.set_saturation_fraction(settings.saturation_fraction);
  result.set_kpi_events(kpi_event_source(settings.kpi));
  for (int c : settings.channels) {
    if (!trace_channel(scenario, settings, run, c, progress, result)) return result;  // incomplete
  }
  result.mutable_timing()->set_wall_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return result;
}

}  // namespace cjsim
