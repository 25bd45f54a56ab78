#include "sim/provenance.h"

namespace cjsim {

std::string_view engine_version() { return CJSIM_VERSION; }

namespace {

v1::Provenance versions() {
  v1::Provenance p;
  p.set_engine_version(std::string(engine_version()));
  p.set_schema_version(std::string(kSchemaVersion));
  return p;
}

void set_run(const SimulationSettings& simulation, const RunSettings& run, int replications,
             int threads, v1::Provenance& p) {
  p.set_seed(run.seed);
  p.set_agents(simulation.agents);
  p.set_population(simulation.population);
  p.set_horizon_days(simulation.horizon_days);
  p.set_replications(replications);
  p.set_confidence(run.confidence);
  p.set_threads(threads);
}

}  // namespace

v1::Provenance make_provenance(const CompiledModel& model, const RunSettings& run, int replications,
                               int threads) {
  v1::Provenance p = versions();
  p.set_scenario(model.scenario_name);
  p.set_scenario_description(model.scenario_description);
  p.set_scenario_hash(model.scenario_hash);
  p.set_variant(model.variant_name);
  set_run(model.settings, run, replications, threads, p);
  return p;
}

v1::Provenance make_provenance(const v1::Scenario& scenario, const std::string& variant,
                               int replications, int threads) {
  v1::Provenance p = versions();
  p.set_scenario(scenario.name());
  p.set_scenario_description(scenario.description());
  p.set_scenario_hash(scenario_hash(scenario));
  p.set_variant(variant);
  set_run(resolve_settings(scenario.simulation()), resolve_run_settings(scenario.simulation()),
          replications, threads, p);
  return p;
}

v1::Provenance make_provenance(const std::string& input) {
  v1::Provenance p = versions();
  p.set_input(input);
  return p;
}

}  // namespace cjsim
