// `cjsim attribute SCENARIO`: which channels a scenario's simulated
// conversions are owed to (docs/attribution.md "Attributing a scenario").
//
// The removal effect of channel c is the share of the conversions lost when
// c is switched off, 1 - C(without c) / C: the scenario and the scenario
// with the channel off run on common random numbers (the same seed and
// replication indices), so the loss is a paired difference with its
// interval (sim/comparison.h), or exact with the exact solver. The removal
// effects, normalised to the conversions, are the "removal" credit; the
// "first" and "last" credits are the channel credit of the baseline run
// (docs/model.md "Channel credit"). The study runs in the calling thread's
// task arena.
#ifndef CJSIM_SIM_SCENARIO_ATTRIBUTION_H_
#define CJSIM_SIM_SCENARIO_ATTRIBUTION_H_

#include <string>

#include "cjsim/v1/attribution.pb.h"
#include "cjsim/v1/scenario.pb.h"
#include "models/status.h"
#include "sim/compare.h"

namespace cjsim {

struct ScenarioAttributionSettings {
  std::string variant;    // the variant applied to the scenario, recorded
  std::string goal_kind;  // "" : every goal
  bool exact = false;     // solve each arm exactly instead of simulating
  int threads = 1;        // recorded; the caller's arena decides
};

// The channels attributed: every channel switched on, by index.
std::vector<int> attributed_channels(const v1::Scenario& scenario);

// Empty when `settings` can attribute `scenario`; else why not, in the
// user's words (an unknown goal kind, several kinds and none chosen, an
// exact solve the scenario does not allow). REQUIRES: validated.
std::string scenario_attribution_problem(const v1::Scenario& scenario,
                                         const ScenarioAttributionSettings& settings);

// REQUIRES: `scenario` validated (its variant applied), at least one
// channel switched on, and scenario_attribution_problem empty. A stop
// requested through `progress` leaves the result incomplete.
v1::AttributionResult attribute_scenario(const v1::Scenario& scenario,
                                         const ScenarioAttributionSettings& settings,
                                         StudyProgress* progress);

}  // namespace cjsim

#endif  // CJSIM_SIM_SCENARIO_ATTRIBUTION_H_
