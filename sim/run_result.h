// Building the cjsim.v1.RunResult message: KPIs, funnel and breakdowns with
// their estimates, from Monte Carlo replication counts or from an exact
// solution. Both go through one builder, so the two methods report the same
// KPIs with the same meaning. Pure functions; call from any thread.
#ifndef CJSIM_SIM_RUN_RESULT_H_
#define CJSIM_SIM_RUN_RESULT_H_

#include <span>
#include <string_view>
#include <vector>

#include "cjsim/v1/result.pb.h"
#include "models/compiled_model.h"
#include "sim/estimate.h"
#include "sim/exact_solver.h"
#include "sim/kpi.h"
#include "sim/provenance.h"
#include "sim/tally.h"

namespace cjsim {

// The result of replications 0 .. counts.size() - 1 of `model`, run with
// `run`'s seed; intervals at `run.confidence`. `threads` is recorded.
// REQUIRES: counts.size() >= 2.
v1::RunResult summarize_monte_carlo(const CompiledModel& model, const RunSettings& run,
                                    const std::vector<ReplicationCounts>& counts, int threads,
                                    double wall_seconds);
// The same with parameter draws (sim/parameter_draws.h): replication r ran
// with models[r mod models.size()], and with run.parameter_draws > 0 every
// estimate is over the draws. REQUIRES: the models differ only in the
// values of the scenario's uncertain fields.
v1::RunResult summarize_monte_carlo(std::span<const CompiledModel> models, const RunSettings& run,
                                    const std::vector<ReplicationCounts>& counts, int threads,
                                    double wall_seconds);

// The exact result (replications 0, threads 1); `run` gives the seed and
// confidence recorded.
v1::RunResult summarize_exact(const CompiledModel& model, const RunSettings& run,
                              const ExactSolution& solution, double wall_seconds);

void set_estimate(const Estimate& estimate, v1::Estimate* out);
// Adds the work of replications `counts` of `model` (agent-days, walk steps,
// sessions) to `timing`.
void add_work(const CompiledModel& model, const std::vector<ReplicationCounts>& counts,
              v1::Timing* timing);
// out[kpi.name] = estimate_kpi(kpi, confidence, exact), for every KPI.
void set_kpis(const std::vector<KpiSeries>& kpis, double confidence, bool exact,
              google::protobuf::Map<std::string, v1::Estimate>* out);
Estimate from_proto(const v1::Estimate& estimate);
// The days `days` of `calendar` as a CalendarSpan (days and ISO dates).
void set_span(const Calendar& calendar, DaySpan days, v1::CalendarSpan* out);

}  // namespace cjsim

#endif  // CJSIM_SIM_RUN_RESULT_H_
