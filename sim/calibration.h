// Calibration: fitting a scenario's numbers to observed results
// (docs/model.md "Calibration"), as `cjsim calibrate` does.
//
// The free parameters (scenario fields, from --free PATH=LO:HI or the
// scenario's `uncertain` entries) are fitted by minimising
//
//   chi2(theta) = sum_k (sim_k(theta) - obs_k)^2 / (se_obs_k^2 + se_sim_k^2)
//
// over the observations k (sim/observations.h), where sim_k is the KPI (or
// the paired lift, variant - baseline) over the observation's window in a
// run of the scenario at theta. Every evaluation runs the same seed and
// replications, so the objective is a deterministic function of theta
// (common random numbers) and differences between evaluations are paired.
// The search is NLopt's BOBYQA on the parameters scaled to [0, 1]; the
// uncertainty is the Gauss-Newton curvature of chi2 at the optimum,
// covariance (J^T J)^-1 with J the Jacobian of the weighted residuals by
// central differences on the same random numbers; the calibrated scenario
// carries the fitted values and joint draws from that normal
// approximation, truncated to the bounds.
//
// calibrate runs the replications through settings.runner, in the
// calling thread's task arena; which models it runs follows from its input
// and the counts alone (sim/replication_runner.h), so the result is the
// same on any thread count. The other functions are pure; call from any
// thread.
#ifndef CJSIM_SIM_CALIBRATION_H_
#define CJSIM_SIM_CALIBRATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "cjsim/v1/calibration.pb.h"
#include "cjsim/v1/scenario.pb.h"
#include "models/status.h"
#include "sim/compare.h"
#include "sim/observations.h"
#include "sim/replication_runner.h"

namespace cjsim {

// A fitted field and the range searched.
struct FreeParameter {
  std::string path;  // as ScenarioField parses it
  double low = 0, high = 0;
};

// The free parameters: those of `specs` ("PATH=LO:HI", from --free), or,
// when `specs` is empty, the scenario's `uncertain` entries, each over the
// central 99.8% of its distribution (0.1% and 99.9% quantiles; a uniform's
// own bounds, a draws list's smallest and largest values) intersected with
// the field's range. Refused as bad input, naming the spec or the entry: a
// path that does not parse, a simulation setting, a whole-number field, a
// channel's weekly_budget or cpm (the cost KPIs take the spend as fixed by
// the model, as `uncertain` does), a path given twice, LO >= HI, a bound
// outside the field's range, a field a variant of the scenario changes (the
// calibrated scenario makes it uncertain, which a variant may not change),
// and nothing to fit. REQUIRES: validated.
Result<std::vector<FreeParameter>> free_parameters(const v1::Scenario& scenario,
                                                   const std::vector<std::string>& specs);

// A field in a strategist's words: "act probability of ig_ad", "max reach
// of tiktok", "weight of edge site->checkout".
std::string parameter_label(const std::string& path);

struct CalibrationSettings {
  // Objective evaluations the optimizer may use; 0: 40 + 20 per parameter.
  int max_evaluations = 0;
  // Joint draws written into the calibrated scenario (more when its other
  // `draws` lists are longer: all lists have one length).
  int draws = 200;
  int threads = 1;  // recorded in the provenance
  std::string observed_file;
  // Runs every evaluation's replications (one process, or mpirun's ranks).
  ReplicationRunner runner = run_locally;
};

struct Calibration {
  v1::CalibrationResult result;
  // `written` with the fitted values set and an `uncertain { draws }`
  // entry per parameter (replacing any entry of that path).
  v1::Scenario calibrated;
};

// Fits `parameters` of `scenario` (as simulated: its seed, replications and
// agents) to `observations`, and writes the fit into a copy of `written`
// (the scenario as the user gave it, before command-line overrides).
// A stopped `progress` ends the work early with an incomplete result that
// the caller discards. REQUIRES: `scenario` and `written` validated and with
// the same entities; observations read against `scenario`; parameters from
// free_parameters; at least 2 replications.
// Bad input (a Status) when an observation has no simulated value at the
// scenario's own values (ROAS over a window where nothing is spent).
Result<Calibration> calibrate(const v1::Scenario& scenario, const v1::Scenario& written,
                              const std::vector<Observation>& observations,
                              const std::vector<FreeParameter>& parameters,
                              const CalibrationSettings& settings, StudyProgress* progress);

// `observations` with each value and standard error replaced by what a run
// of `scenario` with `seed` gives over its window (the KPI, or the paired
// lift): synthetic observations with the standard errors of a real
// measurement of that size, for recovery checks (tests,
// tools/validate). Bad input when a KPI has no value over its window.
// REQUIRES: as calibrate; runs locally.
Result<std::vector<Observation>> simulated_observations(const v1::Scenario& scenario,
                                                        std::vector<Observation> observations,
                                                        uint64_t seed);

}  // namespace cjsim

#endif  // CJSIM_SIM_CALIBRATION_H_
