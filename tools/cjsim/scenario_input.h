// From a scenario path and command-line overrides to a CompiledModel: load,
// override, validate, apply the variant, validate again, compile. Shared by
// every subcommand that simulates, so they accept and refuse the same input.
#ifndef CJSIM_TOOLS_CJSIM_SCENARIO_INPUT_H_
#define CJSIM_TOOLS_CJSIM_SCENARIO_INPUT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "models/compiled_model.h"
#include "models/diagnostics.h"
#include "models/scenario_loader.h"
#include "models/status.h"

namespace cjsim::cli {

// Options that override the scenario's `simulation` block.
struct SimulationOverrides {
  std::optional<int64_t> agents;
  std::optional<int> replications;
  std::optional<uint64_t> seed;
  std::optional<int> horizon_days;
  std::optional<int> parameter_draws;

  // Adds --agents, --replications, --seed, --horizon-days,
  // --parameter-draws to `command`.
  void add_to(CLI::App& command);
  void apply(v1::Scenario& scenario) const;
};

// Reports, in `diagnostics`, each target whose KPI a run of `scenario`
// does not report or cannot count by a day (sim/targets.h); false if any.
// Part of validation, apart from validate_scenario because the KPI
// registry is in sim/.
bool check_target_kpis(const v1::Scenario& scenario, const SourceMap* source_map,
                       Diagnostics& diagnostics);

// True, after saying so, when `scenario` asks for parameter draws, which
// `command` (attribute) does not do, for the reason `why`.
bool refuses_parameter_draws(const std::string& command, const std::string& why,
                             const std::string& path, const v1::Scenario& scenario);

// Loads `path`, applies `overrides`, validates and, when `variant` is not
// empty, applies and validates the variant. Logs every diagnostic
// (print_diagnostics). Returns nullopt on any error. `description`, when
// given, receives the variant's description.
std::optional<v1::Scenario> prepare_scenario(const std::string& path,
                                             const SimulationOverrides& overrides,
                                             const std::string& variant,
                                             std::string* description = nullptr);

// Loads and validates the scenario as prepare_scenario does, keeping its
// variants (calibrate's lift observations name them).
std::optional<v1::Scenario> prepare_scenario_with_variants(const std::string& path,
                                                           const SimulationOverrides& overrides);

// A scenario with a variant applied ("" = the baseline).
struct PreparedArm {
  std::string variant;
  v1::Scenario scenario;
  std::string description;  // the variant's, for reports
};

// Loads and validates the scenario as prepare_scenario does, then applies
// and validates each of `variants` ({"all"}: every variant in the file).
// Returns the baseline (variants cleared) followed by the variants in the
// order given, or nullopt (after printing why) on any error.
std::optional<std::vector<PreparedArm>> prepare_arms(const std::string& path,
                                                     const SimulationOverrides& overrides,
                                                     const std::vector<std::string>& variants);

// The days of --window FROM:TO (each a date, which needs
// simulation.start_date, or a day number), both included and inside the
// horizon of `scenario`; or why not, naming the option.
Result<DaySpan> kpi_window_of(const std::string& text, const v1::Scenario& scenario);

// The worker threads to use, and to record in results: `requested`, or
// every core when it is 0, but never more than TBB will run at once (with a
// warning when `requested` is more).
int resolve_threads(int requested);

// Logs diagnostics as Diagnostics::report says, one record a line: the
// errors, the warnings when the log level writes warnings, a screenful at
// most, then the error count. The lines are records at level error when
// there are errors, else at level warning.
void print_diagnostics(const Diagnostics& diagnostics);

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_SCENARIO_INPUT_H_
