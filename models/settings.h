// The scenario's `simulation` block with the schema's defaults filled in,
// in two parts kept apart as OpenMC keeps model:: from settings:::
//
//  - SimulationSettings: what is simulated (the days, the agents and the
//    population they stand for). Part of the compiled model: the engine's
//    arrays and every scaled count depend on them.
//  - RunSettings: how it is run and summarised (the seed, the number of
//    replications, the confidence of the intervals). Not part of the model:
//    the same CompiledModel is run with other settings (a longer sequential
//    comparison, the optimizer's confirmation runs).
//
// Plain values, safe to copy between threads.
#ifndef CJSIM_MODELS_SETTINGS_H_
#define CJSIM_MODELS_SETTINGS_H_

#include <cstdint>
#include <optional>

#include "cjsim/v1/scenario.pb.h"
#include "models/calendar.h"

namespace cjsim {

struct SimulationSettings {
  int horizon_days = 90;
  int64_t agents = 100'000;
  double population = 100'000;  // = agents unless set
};

struct RunSettings {
  uint64_t seed = 1;
  int replications = 16;
  double confidence = 0.95;
  // Parameter sets drawn from the scenario's `uncertain` distributions;
  // replication r runs with set r mod parameter_draws (sim/parameter_draws.h).
  // 0: the parameters keep their values.
  int parameter_draws = 0;
  // --window: the KPIs are counted over these days only (those that can
  // be, KpiInfo::by_day); unset: over the horizon.
  std::optional<DaySpan> kpi_window;
};

inline SimulationSettings resolve_settings(const v1::Simulation& simulation) {
  SimulationSettings s;
  if (simulation.has_horizon_days()) s.horizon_days = simulation.horizon_days();
  if (simulation.has_agents()) s.agents = simulation.agents();
  s.population =
      simulation.has_population() ? simulation.population() : static_cast<double>(s.agents);
  return s;
}

inline RunSettings resolve_run_settings(const v1::Simulation& simulation) {
  RunSettings s;
  if (simulation.has_replications()) s.replications = simulation.replications();
  if (simulation.has_seed()) s.seed = simulation.seed();
  if (simulation.has_confidence()) s.confidence = simulation.confidence();
  if (simulation.has_parameter_draws()) s.parameter_draws = simulation.parameter_draws();
  return s;
}

}  // namespace cjsim

#endif  // CJSIM_MODELS_SETTINGS_H_
