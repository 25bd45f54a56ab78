// Simulation settings with the schema's defaults filled in.
//
// A plain value, safe to copy between threads.
#ifndef CJSIM_MODELS_SETTINGS_H_
#define CJSIM_MODELS_SETTINGS_H_

#include <cstdint>

#include "cjsim/v1/scenario.pb.h"

namespace cjsim {

struct SimulationSettings {
  int horizon_days = 90;
  int64_t agents = 100'000;
  double population = 100'000;  // = agents unless set
  int replications = 16;
  uint64_t seed = 1;
  double confidence = 0.95;
};

inline SimulationSettings resolve_settings(const v1::Simulation& simulation) {
  SimulationSettings s;
  if (simulation.has_horizon_days()) s.horizon_days = simulation.horizon_days();
  if (simulation.has_agents()) s.agents = simulation.agents();
  s.population =
      simulation.has_population() ? simulation.population() : static_cast<double>(s.agents);
  if (simulation.has_replications()) s.replications = simulation.replications();
  if (simulation.has_seed()) s.seed = simulation.seed();
  if (simulation.has_confidence()) s.confidence = simulation.confidence();
  return s;
}

}  // namespace cjsim

#endif  // CJSIM_MODELS_SETTINGS_H_
