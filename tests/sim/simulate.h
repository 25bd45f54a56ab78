// Runs a scenario's replications on the engine for the engine's tests:
// validated first (a test scenario that fails validation is a test bug),
// on two threads.
#ifndef CJSIM_TESTS_SIM_SIMULATE_H_
#define CJSIM_TESTS_SIM_SIMULATE_H_

#include <vector>

#include <doctest/doctest.h>
#include <tbb/task_arena.h>

#include "models/compiled_model.h"
#include "models/validation.h"
#include "sim/engine.h"

namespace cjsim::testing {

inline std::vector<ReplicationCounts> simulate_counts(const v1::Scenario& scenario) {
  Diagnostics diagnostics;
  REQUIRE_MESSAGE(validate_scenario(scenario, nullptr, diagnostics), diagnostics.to_string());
  const CompiledModel model = compile(scenario, "");
  std::vector<ReplicationCounts> counts;
  tbb::task_arena arena(2);
  const RunSettings run = resolve_run_settings(scenario.simulation());
  arena.execute([&] { counts = Engine(model, run.seed).run(0, run.replications); });
  return counts;
}

}  // namespace cjsim::testing

#endif  // CJSIM_TESTS_SIM_SIMULATE_H_
