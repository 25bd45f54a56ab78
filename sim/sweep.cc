#include "sim/sweep.h"

#include <chrono>

#include "models/check.h"
#include "models/compiled_model.h"
#include "models/settings.h"
#include "sim/comparison.h"
#include "sim/engine.h"
#include "sim/kpi.h"
#include "sim/run_result.h"

namespace cjsim {

std::vector<KpiSeries> run_point(const CompiledModel& model, int replications,
                                 StudyProgress* progress, v1::Timing* timing) {
  if (progress != nullptr) {
    // The horizon may differ between points: each adds its own days.
    progress->total.fetch_add(static_cast<uint64_t>(replications) *
                              static_cast<uint64_t>(model.settings.horizon_days));
  }
  const std::vector<ReplicationCounts> counts =
      Engine(model).run(0, replications, done_counter(progress), stop_flag_of(progress));
  std::vector<Quantities> reps;
  for (const ReplicationCounts& c : counts) reps.push_back(quantities_from_counts(model, c));
  add_work(model, counts, timing);
  return kpi_series(model, reps);
}

v1::SweepResult run_sweep(const std::vector<SweepAxisValues>& axes,
                          const SweepPointScenario& point_at, const std::string& variant,
                          int threads, StudyProgress* progress) {
  const auto start = std::chrono::steady_clock::now();
  size_t grid = 1;
  for (const SweepAxisValues& axis : axes) grid *= axis.values.size();
  CJSIM_CHECK(grid > 0, "a sweep without points");
  std::string name;
  SimulationSettings sim;
  {
    const v1::Scenario first = point_at(0);
    name = first.name();
    sim = resolve_settings(first.simulation());
  }
  const int replications = sim.replications;

  std::vector<std::vector<KpiSeries>> kpis;
  v1::SweepResult result;
  for (size_t i = 0; i < grid; ++i) {
    if (progress != nullptr && progress->stopped()) return result;  // incomplete
    kpis.push_back(
        run_point(compile(point_at(i), variant), replications, progress, result.mutable_timing()));
  }

  result.set_scenario(name);
  result.set_variant(variant);
  result.set_seed(sim.seed);
  result.set_agents(static_cast<int32_t>(sim.agents));
  result.set_replications(replications);
  result.set_threads(threads);
  result.set_population(sim.population);
  result.set_engine_version(std::string(engine_version()));
  result.set_schema_version(std::string(kSchemaVersion));
  result.set_confidence(sim.confidence);
  for (const SweepAxisValues& axis : axes) {
    v1::SweepAxis* out = result.add_axes();
    out->set_path(axis.path);
    out->mutable_values()->Add(axis.values.begin(), axis.values.end());
  }

  // Strides of the grid: point i has index (i / stride[a]) % size[a] on axis a.
  std::vector<size_t> stride(axes.size(), 1);
  for (size_t a = axes.size(); a-- > 1;) stride[a - 1] = stride[a] * axes[a].values.size();
  for (size_t i = 0; i < grid; ++i) {
    v1::SweepPoint* point = result.add_points();
    for (size_t a = 0; a < axes.size(); ++a) {
      const size_t k = (i / stride[a]) % axes[a].values.size();
      (*point->mutable_settings())[axes[a].path] = axes[a].values[k];
    }
    set_kpis(kpis[i], sim.confidence, false, point->mutable_kpis());
    for (size_t a = 0; a < axes.size(); ++a) {
      const size_t k = (i / stride[a]) % axes[a].values.size();
      if (k == 0) continue;
      const double step = axes[a].values[k] - axes[a].values[k - 1];
      if (step == 0) continue;
      v1::SweepMarginal* marginal = point->add_marginal();
      marginal->set_path(axes[a].path);
      const std::vector<KpiSeries>& before = kpis[i - stride[a]];
      for (const KpiSeries& kpi : kpis[i]) {
        const KpiSeries* previous = find_kpi(before, kpi.name);
        if (previous == nullptr) continue;
        const Estimate d = compare_kpi(*previous, kpi, sim.confidence).difference;
        set_estimate(scale_estimate(d, 1 / step), &(*marginal->mutable_kpis())[kpi.name]);
      }
    }
  }

  result.mutable_timing()->set_wall_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return result;
}

}  // namespace cjsim
