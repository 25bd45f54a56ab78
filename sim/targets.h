// Targets (docs/model.md "Targets"): the chance that a measurable,
// time-bound goal is met, from the replications of a run.
//
// A target's KPI is counted from day 0 to its due day in each replication
// (window_quantities, sim/kpi.h); the share of replications meeting the
// threshold is the probability, with a Wilson interval. Pure functions;
// call from any thread.
#ifndef CJSIM_SIM_TARGETS_H_
#define CJSIM_SIM_TARGETS_H_

#include <optional>
#include <string>
#include <vector>

#include "cjsim/v1/result.pb.h"
#include "cjsim/v1/scenario.pb.h"
#include "models/compiled_model.h"
#include "sim/estimate.h"
#include "sim/kpi.h"
#include "sim/tally.h"

namespace cjsim {

// Empty when `target` of `scenario` names a KPI that a run of the scenario
// reports and that can be counted by a day (KpiInfo::by_day); else why
// not, naming the target and its field. REQUIRES: validated.
std::string target_kpi_problem(const v1::Scenario& scenario, const v1::Target& target);

// One target over the replications of a run.
struct TargetOutcome {
  CompiledTarget target;
  // [replication]: whether the KPI from day 0 to the due day met the
  // threshold, its deviation from the mean scaled to the real population
  // (divided by sqrt(population / agents); docs/model.md "Targets").
  std::vector<bool> met;
  // The KPI from day 0 to the due day, one sample per replication.
  KpiSeries kpi;
  // The first day by which at least 80% of the replications have met the
  // target (at_least targets only; a cap is met from the start until it
  // is broken); nullopt when no day of the horizon is.
  std::optional<int32_t> earliest_day_p80;
  // The KPI from day 0 to each of up to about 200 days (and the due day),
  // with the share of replications meeting the target by then.
  struct Point {
    int32_t day = 0;
    Estimate value;
    double share_met = 0;
  };
  std::vector<Point> trajectory;
};

// REQUIRES: counts keep their daily series (Monte Carlo), at least one
// replication, and target_kpi_problem found nothing. Intervals at
// `confidence`. Without
// `with_earliest_day`, earliest_day_p80 and the trajectory are left out (a comparison adds its
// replications batch by batch and keeps no series).
std::vector<TargetOutcome> evaluate_targets(const CompiledModel& model,
                                            const std::vector<ReplicationCounts>& counts,
                                            double confidence, bool with_earliest_day = true);

// Appends the replications of `more` (of the same targets) to `outcomes`;
// sets `outcomes` to `more` when it is empty.
void append_replications(std::vector<TargetOutcome>& outcomes, std::vector<TargetOutcome> more);

// The paired difference of the chance of meeting each target, variant
// minus baseline: the mean over replications of met(variant) - met(base),
// with a Student-t interval (common random numbers pair replication r of
// both arms). Keyed by target name; targets of one arm only are left out.
std::vector<std::pair<std::string, Estimate>> target_differences(
    const std::vector<TargetOutcome>& baseline, const std::vector<TargetOutcome>& variant,
    double confidence);

// The KPI's value in replication r (a cost per conversion is the cost over
// that replication's conversions).
double replication_value(const KpiSeries& kpi, size_t r);

// RunResult.targets[] from the outcomes.
void set_targets(const CompiledModel& model, const std::vector<TargetOutcome>& outcomes,
                 double confidence, google::protobuf::RepeatedPtrField<v1::TargetResult>* out);

}  // namespace cjsim

#endif  // CJSIM_SIM_TARGETS_H_
