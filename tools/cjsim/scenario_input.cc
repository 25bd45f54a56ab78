#include "tools/cjsim/scenario_input.h"

#include <cstdio>

#include "models/limits.h"
#include "models/validation.h"

namespace cjsim::cli {

void SimulationOverrides::add_to(CLI::App& command) {
  command.add_option("--agents", agents, "Simulated people per replication")
      ->check(CLI::Range(int64_t{1}, limits::kMaxAgents));
  command.add_option("--replications", replications, "Independent replications (>= 2)")
      ->check(CLI::Range(2, limits::kMaxReplications));
  command.add_option("--seed", seed, "Root of every random stream");
  command.add_option("--horizon-days", horizon_days, "Days simulated")
      ->check(CLI::Range(1, limits::kMaxHorizonDays));
}

void SimulationOverrides::apply(v1::Scenario& scenario) const {
  v1::Simulation* sim = scenario.mutable_simulation();
  if (agents) {
    // Population stays what the file says, or follows the agents if unset.
    if (!sim->has_population()) sim->set_population(static_cast<double>(*agents));
    sim->set_agents(*agents);
  }
  if (replications) sim->set_replications(*replications);
  if (seed) sim->set_seed(*seed);
  if (horizon_days) sim->set_horizon_days(*horizon_days);
}

void print_diagnostics(const Diagnostics& diagnostics, bool quiet) {
  for (const Diagnostic& d : diagnostics.items()) {
    if (quiet && d.severity == Severity::kWarning) continue;
    std::fprintf(stderr, "%s\n", format_diagnostic(d).c_str());
  }
}

std::optional<v1::Scenario> prepare_scenario(const std::string& path,
                                             const SimulationOverrides& overrides,
                                             const std::string& variant, bool quiet) {
  Diagnostics diagnostics(path);
  std::optional<LoadedScenario> loaded = load_scenario(path, diagnostics);
  if (!loaded) {
    print_diagnostics(diagnostics, quiet);
    return std::nullopt;
  }
  overrides.apply(loaded->scenario);
  bool ok = validate_scenario(loaded->scenario, loaded->source_map.get(), diagnostics);
  std::optional<v1::Scenario> result;
  if (ok && !variant.empty()) {
    result = apply_and_validate_variant(loaded->scenario, variant, diagnostics);
    ok = result.has_value();
  } else if (ok) {
    result = std::move(loaded->scenario);
    result->clear_variants();
  }
  print_diagnostics(diagnostics, quiet);
  if (!ok) return std::nullopt;
  if (result->name().empty()) {
    // Name an unnamed scenario after its file, for reports.
    std::string stem = path.substr(path.find_last_of('/') + 1);
    result->set_name(stem.substr(0, stem.find('.')));
  }
  return result;
}

}  // namespace cjsim::cli
