// Sweeps: a scenario run at every point of a grid of field values, on
// common random numbers (every point runs replications 0..R-1 with the same
// seed), giving each KPI's response curve with intervals and, between
// neighbouring points, the marginal change of each KPI per unit step as a
// paired difference (sim/comparison.h): e.g. marginal conversions per extra
// unit of weekly budget. With parameter draws every point runs the same
// draws (sim/parameter_draws.h), so the points pair up in draws too and
// every estimate and marginal is over them. Runs in the calling thread's
// task arena.
#ifndef CJSIM_SIM_SWEEP_H_
#define CJSIM_SIM_SWEEP_H_

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "cjsim/v1/result.pb.h"
#include "cjsim/v1/scenario.pb.h"
#include "models/compiled_model.h"
#include "sim/compare.h"
#include "sim/kpi.h"
#include "sim/replication_runner.h"

namespace cjsim {

struct SweepAxisValues {
  std::string path;            // as the user wrote it (models/field_path.h)
  std::vector<double> values;  // at least one
};

// The scenario of the sweep's i-th point, in grid order (the last axis
// varies fastest).
using SweepPointScenario = std::function<v1::Scenario(size_t i)>;

// Runs replications 0 .. run.replications - 1 of a point by `runner` with
// run.seed and gives its KPI series (kpi_series), adding the work to
// `timing` and the simulated days to `progress` (which may be null).
// `models` are the point's models: its one model, or with parameter draws
// one per draw (compile_draws), replication r running models[r mod D] and
// every estimate over the draws (sim/parameter_draws.h). Points of a study
// run this way share their random numbers, and their parameter draws.
// REQUIRES: run.replications >= 1; models not empty.
std::vector<KpiSeries> run_point(std::span<const CompiledModel> models, const RunSettings& run,
                                 StudyProgress* progress, v1::Timing* timing,
                                 const ReplicationRunner& runner = run_locally);
// The same run, giving each replication's counts in `counts` as well.
std::vector<KpiSeries> run_point(std::span<const CompiledModel> models, const RunSettings& run,
                                 StudyProgress* progress, v1::Timing* timing,
                                 std::vector<ReplicationCounts>& counts,
                                 const ReplicationRunner& runner = run_locally);

// The KPI series of a point from its replications' counts (0 .. R-1 in
// order; replication r ran models[r mod models.size()]), adding their work
// to `timing`: run_point's second half.
std::vector<KpiSeries> point_kpis(std::span<const CompiledModel> models,
                                  const std::vector<ReplicationCounts>& counts, v1::Timing* timing);

// The number of points of the grid `axes`.
size_t grid_size(const std::vector<SweepAxisValues>& axes);

// Makes and compiles the points 0 .. grid - 1 one at a time, in grid order,
// each in the form a sweep runs it (a point that reaches no one stays in
// exposure form when another does), and calls visit(i, models): the
// point's one model, or with `draws` >= 2 its parameter draws keyed by
// `seed` (compile_draws; the same draws at every point). Returns false,
// having visited only some, when `progress` (which may be null) asks to
// stop. REQUIRES: every point's draws valid (check_draws).
bool for_each_point(size_t grid, const SweepPointScenario& point_at, const std::string& variant,
                    uint64_t seed, int draws, const StudyProgress* progress,
                    const std::function<void(size_t, std::span<const CompiledModel>)>& visit);

// Each point's scenario is made, compiled and run when its turn comes and
// dropped after it ran, so a sweep holds one scenario copy and one compiled
// model at a time, not one per point.
// `base` is the scenario swept (variant applied, before any axis value):
// its run settings run every point and its hash is the result's provenance.
// REQUIRES: `point_at` gives, for every i below the product of the axes'
// value counts, a validated scenario with the seed, agents, replications
// (>= 2) and confidence of `base`, and whose parameter draws (with
// run.parameter_draws >= 2) are valid (check_draws). `variant` is recorded
// as the points' variant name.
v1::SweepResult run_sweep(const v1::Scenario& base, const std::vector<SweepAxisValues>& axes,
                          const SweepPointScenario& point_at, const std::string& variant,
                          int threads, StudyProgress* progress);

// The sweep's result from every point's KPI series (point_kpis, in grid
// order) and the work in `timing`: run_sweep's last step, which a merge of
// shards (sim/shard.h) calls too. The wall time is the caller's to set.
v1::SweepResult sweep_result(const v1::Scenario& base, const std::vector<SweepAxisValues>& axes,
                             const std::string& variant, int threads,
                             const std::vector<std::vector<KpiSeries>>& kpis,
                             const v1::Timing& timing);

}  // namespace cjsim

#endif  // CJSIM_SIM_SWEEP_H_
