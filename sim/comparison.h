// Paired comparison of one KPI between two arms run with common random
// numbers: replication r of both arms drew the same random streams, so the
// replications pair up and the difference's variance excludes what the arms
// share (Law 2015, "Simulation Modeling and Analysis", 5th ed., section 11.2).
//
// Every KPI is a smooth function f of the mean of a per-replication sample
// (sim/kpi.h); differences and relative differences of f are estimated by
// the delta method on the paired samples, which for a plain mean is exactly
// the paired-t interval. Pure functions; call from any thread.
#ifndef CJSIM_SIM_COMPARISON_H_
#define CJSIM_SIM_COMPARISON_H_

#include <string_view>

#include "sim/estimate.h"
#include "sim/kpi.h"

namespace cjsim {

// kNoChange: the arms gave the same KPI in every replication (the variant
// does not touch what it depends on), as opposed to kNoDetectableDifference,
// a difference whose interval contains 0.
enum class Verdict { kBetter, kWorse, kNoDetectableDifference, kUndetermined, kNoChange };
std::string_view verdict_name(Verdict verdict);

struct KpiComparison {
  Estimate difference;  // variant - baseline
  Estimate relative;    // variant / baseline - 1 (NaN where the baseline is 0)
  // Var(difference) with independent streams / Var(paired difference): 1
  // when neither varies, +infinity when only the paired one does not.
  double variance_reduction = 1;
  Verdict verdict = Verdict::kNoDetectableDifference;
};

// REQUIRES: baseline and variant are the same KPI with the same number (>= 2)
// of samples, sample r of each from replication r.
KpiComparison compare_kpi(const KpiSeries& baseline, const KpiSeries& variant, double confidence);

// An estimate divided by a nonzero constant (its interval flipped when the
// constant is negative): a difference per unit step. Its parts over
// parameter draws (from_parameters, from_simulation) scale with it.
Estimate scale_estimate(const Estimate& estimate, double factor);

}  // namespace cjsim

#endif  // CJSIM_SIM_COMPARISON_H_
