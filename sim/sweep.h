// Sweeps: a scenario run at every point of a grid of field values, on
// common random numbers (every point runs replications 0..R-1 with the same
// seed), giving each KPI's response curve with intervals and, between
// neighbouring points, the marginal change of each KPI per unit step as a
// paired difference (sim/comparison.h): e.g. marginal conversions per extra
// unit of weekly budget. Runs in the calling thread's task arena.
#ifndef CJSIM_SIM_SWEEP_H_
#define CJSIM_SIM_SWEEP_H_

#include <string>
#include <vector>

#include "cjsim/v1/result.pb.h"
#include "models/compiled_model.h"
#include "sim/compare.h"

namespace cjsim {

struct SweepAxisValues {
  std::string path;            // as the user wrote it (models/field_path.h)
  std::vector<double> values;  // at least one
};

// REQUIRES: points.size() is the product of the axes' value counts, in grid
// order (the last axis varies fastest); all points have the same seed,
// agents, replications (>= 2) and confidence.
v1::SweepResult run_sweep(const std::vector<SweepAxisValues>& axes,
                          const std::vector<CompiledModel>& points, int threads,
                          StudyProgress* progress);

}  // namespace cjsim

#endif  // CJSIM_SIM_SWEEP_H_
