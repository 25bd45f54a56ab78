#include "sim/sweep.h"

#include <chrono>

#include "models/check.h"
#include "models/compiled_model.h"
#include "models/field_path.h"
#include "models/settings.h"
#include "sim/comparison.h"
#include "sim/kpi.h"
#include "sim/parameter_draws.h"
#include "sim/run_result.h"

namespace cjsim {

std::vector<KpiSeries> point_kpis(std::span<const CompiledModel> models,
                                  const std::vector<ReplicationCounts>& counts,
                                  v1::Timing* timing) {
  CJSIM_CHECK(!models.empty(), "a point without a model");
  std::vector<Quantities> reps;
  for (size_t r = 0; r < counts.size(); ++r) {
    reps.push_back(quantities_from_counts(models[r % models.size()], counts[r]));
  }
  add_work(models.front(), counts, timing);
  const int draws = models.size() > 1 ? static_cast<int>(models.size()) : 0;
  return with_parameter_draws(kpi_series(models.front(), reps), draws);
}

std::vector<KpiSeries> run_point(std::span<const CompiledModel> models, const RunSettings& run,
                                 StudyProgress* progress, v1::Timing* timing,
                                 std::vector<ReplicationCounts>& counts,
                                 const ReplicationRunner& runner) {
  const int replications = run.replications;
  if (progress != nullptr) {
    // The horizon may differ between points: each adds its own days.
    progress->total.fetch_add(static_cast<uint64_t>(replications) *
                              static_cast<uint64_t>(models.front().settings.horizon_days));
  }
  counts =
      runner(models, run.seed, 0, replications, done_counter(progress), stop_flag_of(progress));
  return point_kpis(models, counts, timing);
}

std::vector<KpiSeries> run_point(std::span<const CompiledModel> models, const RunSettings& run,
                                 StudyProgress* progress, v1::Timing* timing,
                                 const ReplicationRunner& runner) {
  std::vector<ReplicationCounts> counts;
  return run_point(models, run, progress, timing, counts, runner);
}

size_t grid_size(const std::vector<SweepAxisValues>& axes) {
  size_t grid = 1;
  for (const SweepAxisValues& axis : axes) grid *= axis.values.size();
  return grid;
}

namespace {

// The models of a point: its own, or one per parameter draw.
std::vector<CompiledModel> point_models(const v1::Scenario& point, const std::string& variant,
                                        uint64_t seed, int draws) {
  Result<std::vector<CompiledModel>> models = compile_draws(point, variant, seed, draws);
  CJSIM_CHECK(models.is_ok(), "a sweep point's parameter draw that check_draws should refuse");
  return std::move(models).value();
}

}  // namespace

bool for_each_point(size_t grid, const SweepPointScenario& point_at, const std::string& variant,
                    uint64_t seed, int draws, const StudyProgress* progress,
                    const std::function<void(size_t, std::span<const CompiledModel>)>& visit) {
  // The points are what-ifs of one scenario: when any of them reaches
  // people (under any parameter draw), a point that reaches no one stays
  // in exposure form.
  bool reaches = false;
  for (size_t i = 0; i < grid && !reaches; ++i) {
    reaches = !point_models(point_at(i), variant, seed, draws).front().single_journey;
  }
  for (size_t i = 0; i < grid; ++i) {
    if (progress != nullptr && progress->stopped()) return false;
    std::vector<CompiledModel> models = point_models(point_at(i), variant, seed, draws);
    for (CompiledModel& model : models) keep_form_of_reference(reaches, model);
    visit(i, models);
  }
  return true;
}

v1::SweepResult run_sweep(const v1::Scenario& base, const std::vector<SweepAxisValues>& axes,
                          const SweepPointScenario& point_at, const std::string& variant,
                          int threads, StudyProgress* progress) {
  const auto start = std::chrono::steady_clock::now();
  const size_t grid = grid_size(axes);
  CJSIM_CHECK(grid > 0, "a sweep without points");
  const RunSettings run = resolve_run_settings(base.simulation());
  std::vector<std::vector<KpiSeries>> kpis;
  v1::Timing timing;
  if (!for_each_point(grid, point_at, variant, run.seed, run.parameter_draws, progress,
                      [&](size_t, std::span<const CompiledModel> models) {
                        kpis.push_back(run_point(models, run, progress, &timing));
                      })) {
    return {};  // incomplete
  }
  v1::SweepResult result = sweep_result(base, axes, variant, threads, kpis, timing);
  result.mutable_timing()->set_wall_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return result;
}

v1::SweepResult sweep_result(const v1::Scenario& base, const std::vector<SweepAxisValues>& axes,
                             const std::string& variant, int threads,
                             const std::vector<std::vector<KpiSeries>>& kpis,
                             const v1::Timing& timing) {
  const size_t grid = grid_size(axes);
  CJSIM_CHECK(kpis.size() == grid, "a sweep's KPIs are not one per point");
  const RunSettings run = resolve_run_settings(base.simulation());
  v1::SweepResult result;
  *result.mutable_timing() = timing;
  set_provenance(make_provenance(base, variant, run.replications, threads), &result);
  for (const SweepAxisValues& axis : axes) {
    v1::SweepAxis* out = result.add_axes();
    out->set_path(axis.path);
    out->mutable_values()->Add(axis.values.begin(), axis.values.end());
    if (Result<ScenarioField> field = ScenarioField::parse(axis.path, base)) {
      if (std::optional<double> current = field->get(base)) out->set_current(*current);
    }
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
    set_kpis(kpis[i], run.confidence, false, point->mutable_kpis());
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
        const Estimate d = compare_kpi(*previous, kpi, run.confidence).difference;
        set_estimate(scale_estimate(d, 1 / step), &(*marginal->mutable_kpis())[kpi.name]);
      }
    }
  }

  return result;
}

}  // namespace cjsim
