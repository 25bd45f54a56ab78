#include "tools/cjsim/scenario_input.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <set>

#include <tbb/global_control.h>
#include <tbb/info.h>

#include "models/limits.h"
#include "models/validation.h"
#include "tools/cjsim/option_values.h"

namespace cjsim::cli {

void SimulationOverrides::add_to(CLI::App& command) {
  command.add_option("--agents", agents, "Simulated people per replication")
      ->transform(integer_in(int64_t{1}, limits::kMaxAgents));
  command.add_option("--replications", replications, "Independent replications (>= 2)")
      ->transform(integer_in(2, limits::kMaxReplications));
  command.add_option("--seed", seed, "Root of every random stream")
      ->transform(integer_in(uint64_t{0}, std::numeric_limits<uint64_t>::max()));
  command.add_option("--horizon-days", horizon_days, "Days simulated")
      ->transform(integer_in(1, limits::kMaxHorizonDays));
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

int resolve_threads(int requested, bool quiet) {
  // TBB runs at most this many threads at once (the cores this process may
  // use, or a global_control limit); an arena asked for more would print
  // TBB's own notice and still run on fewer.
  const int most = std::max(
      1, static_cast<int>(std::min<size_t>(
             static_cast<size_t>(tbb::info::default_concurrency()),
             tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism))));
  if (requested <= 0) return most;
  if (requested > most && !quiet) {
    std::fprintf(stderr,
                 "warning: --threads %d: using %d, the most this machine runs at once "
                 "(results do not depend on it)\n",
                 requested, most);
  }
  return std::min(requested, most);
}

void print_diagnostics(const Diagnostics& diagnostics, bool quiet) {
  const std::string text = diagnostics.report(!quiet);
  std::fwrite(text.data(), 1, text.size(), stderr);
}

namespace {

// Names an unnamed scenario after its file, for reports.
void name_after_file(const std::string& path, v1::Scenario& scenario) {
  if (!scenario.name().empty()) return;
  std::string stem = path.substr(path.find_last_of('/') + 1);
  scenario.set_name(stem.substr(0, stem.find('.')));
}

// Loads `path`, applies `overrides` and validates; the variants stay in.
std::optional<v1::Scenario> load_and_validate(const std::string& path,
                                              const SimulationOverrides& overrides,
                                              Diagnostics& diagnostics) {
  std::optional<LoadedScenario> loaded = load_scenario(path, diagnostics);
  if (!loaded) return std::nullopt;
  overrides.apply(loaded->scenario);
  if (!validate_scenario(loaded->scenario, loaded->source_map.get(), diagnostics)) {
    return std::nullopt;
  }
  name_after_file(path, loaded->scenario);
  return std::move(loaded->scenario);
}

// The description of `variant` in `scenario` ("" when it has none or is not
// there).
std::string variant_description(const v1::Scenario& scenario, const std::string& variant) {
  for (const v1::Variant& v : scenario.variants()) {
    if (v.name() == variant) return v.description();
  }
  return "";
}

}  // namespace

std::optional<v1::Scenario> prepare_scenario(const std::string& path,
                                             const SimulationOverrides& overrides,
                                             const std::string& variant, bool quiet,
                                             std::string* description) {
  Diagnostics diagnostics(path);
  std::optional<v1::Scenario> result = load_and_validate(path, overrides, diagnostics);
  if (result && description != nullptr) *description = variant_description(*result, variant);
  if (result && !variant.empty()) {
    result = apply_and_validate_variant(*result, variant, diagnostics);
  } else if (result) {
    result->clear_variants();
  }
  print_diagnostics(diagnostics, quiet);
  return result;
}

std::optional<std::vector<PreparedArm>> prepare_arms(const std::string& path,
                                                     const SimulationOverrides& overrides,
                                                     const std::vector<std::string>& variants,
                                                     bool quiet) {
  Diagnostics diagnostics(path);
  std::optional<v1::Scenario> scenario = load_and_validate(path, overrides, diagnostics);
  std::optional<std::vector<PreparedArm>> arms;
  if (scenario) {
    std::vector<std::string> names = variants;
    if (names.size() == 1 && names.front() == "all") {
      names.clear();
      for (const v1::Variant& v : scenario->variants()) names.push_back(v.name());
    }
    if (names.empty()) {
      diagnostics.error("the scenario defines no variants to compare; add a `variants` block");
    }
    arms.emplace();
    v1::Scenario baseline = *scenario;
    baseline.clear_variants();
    arms->push_back({"", std::move(baseline), ""});
    std::set<std::string> seen;
    for (const std::string& name : names) {
      if (!seen.insert(name).second) {
        diagnostics.error("variant '" + name + "' is named twice");
        continue;
      }
      std::optional<v1::Scenario> applied =
          apply_and_validate_variant(*scenario, name, diagnostics);
      if (applied) {
        arms->push_back({name, std::move(*applied), variant_description(*scenario, name)});
      }
    }
    if (diagnostics.has_errors()) arms.reset();
  }
  print_diagnostics(diagnostics, quiet);
  return arms;
}

}  // namespace cjsim::cli
