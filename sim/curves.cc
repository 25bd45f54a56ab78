#include "sim/curves.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "models/check.h"
#include "models/compiled_model.h"
#include "sim/run_result.h"
#include "sim/sweep.h"

namespace cjsim {

namespace {

// The estimate of `kpi`, or an estimate of NaN where a point does not define
// it (ROAS at a budget of 0): a gap in the curve, as reports draw it.
v1::Estimate estimate_or_gap(const google::protobuf::Map<std::string, v1::Estimate>& kpis,
                             const std::string& kpi, int replications) {
  auto it = kpis.find(kpi);
  if (it != kpis.end()) return it->second;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  v1::Estimate gap;
  gap.set_mean(nan);
  gap.set_std_error(nan);
  gap.set_ci_low(nan);
  gap.set_ci_high(nan);
  gap.set_n(replications);
  return gap;
}

}  // namespace

double curve_top_budget(const v1::Scenario& scenario, const CurveSettings& settings, int channel) {
  if (settings.max_weekly_budget > 0) return settings.max_weekly_budget;
  const double current = scenario.channels(channel).weekly_budget();
  if (current > 0) return settings.max_budget_scale * current;
  double mean_budget = 0;
  for (int c : settings.channels) mean_budget += scenario.channels(c).weekly_budget();
  mean_budget /= static_cast<double>(std::max<size_t>(1, settings.channels.size()));
  return settings.max_budget_scale * mean_budget;
}

v1::CurvesResult response_curves(const v1::Scenario& scenario, const CurveSettings& settings,
                                 StudyProgress* progress) {
  const auto started = std::chrono::steady_clock::now();
  CJSIM_CHECK(settings.points >= 2, "a curve needs two budgets");
  const SimulationSettings sim = resolve_settings(scenario.simulation());

  v1::CurvesResult result;
  result.set_scenario(scenario.name());
  result.set_seed(sim.seed);
  result.set_agents(static_cast<int32_t>(sim.agents));
  result.set_replications(sim.replications);
  result.set_threads(settings.threads);
  result.set_engine_version(std::string(engine_version()));
  result.set_schema_version(std::string(kSchemaVersion));
  result.set_confidence(sim.confidence);
  result.set_kpi(settings.kpi);
  result.set_saturation_fraction(settings.saturation_fraction);

  for (int c : settings.channels) {
    if (progress != nullptr && progress->stopped()) break;
    const v1::Channel& channel = scenario.channels(c);
    const double current = channel.weekly_budget();
    const double top = curve_top_budget(scenario, settings, c);
    CJSIM_CHECK(std::isfinite(top) && top > 0, "a response curve without a budget range");
    SweepAxisValues axis{"channels[" + channel.id() + "].weekly_budget", {}};
    for (int k = 0; k < settings.points; ++k)
      axis.values.push_back(top * k / (settings.points - 1));
    auto point_at = [&](size_t k) {
      v1::Scenario s = scenario;
      s.mutable_channels(c)->set_weekly_budget(axis.values[k]);
      return s;
    };
    const v1::SweepResult sweep = run_sweep({axis}, point_at, "", settings.threads, progress);
    v1::ResponseCurve* curve = result.add_curves();
    curve->set_channel(channel.id());
    curve->set_current_weekly_budget(current);
    double first_marginal = 0;
    for (int k = 0; k < sweep.points_size(); ++k) {
      const v1::SweepPoint& p = sweep.points(k);
      curve->add_weekly_budgets(axis.values[static_cast<size_t>(k)]);
      *curve->add_kpi() = estimate_or_gap(p.kpis(), settings.kpi, sim.replications);
      curve->add_cost(p.kpis().at("cost").mean());
      if (k == 0) continue;
      // A KPI one of the two budgets does not define is a gap, as is a step
      // too small to tell from 0 (no marginal).
      const v1::Estimate marginal =
          p.marginal_size() > 0
              ? estimate_or_gap(p.marginal(0).kpis(), settings.kpi, sim.replications)
              : estimate_or_gap({}, settings.kpi, sim.replications);
      *curve->add_marginal() = marginal;
      if (k == 1) first_marginal = marginal.mean();
      if (curve->saturation_weekly_budget() == 0 && first_marginal > 0 &&
          marginal.mean() < settings.saturation_fraction * first_marginal) {
        curve->set_saturation_weekly_budget(axis.values[static_cast<size_t>(k)]);
      }
    }
    v1::Timing* timing = result.mutable_timing();
    timing->set_agent_days(timing->agent_days() + sweep.timing().agent_days());
    timing->set_walk_steps(timing->walk_steps() + sweep.timing().walk_steps());
    timing->set_sessions(timing->sessions() + sweep.timing().sessions());
  }
  result.mutable_timing()->set_wall_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return result;
}

}  // namespace cjsim
