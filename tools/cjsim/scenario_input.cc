#include "tools/cjsim/scenario_input.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>
#include <string_view>

#include <spdlog/spdlog.h>
#include <tbb/global_control.h>
#include <tbb/info.h>

#include "models/limits.h"
#include "models/settings.h"
#include "models/validation.h"
#include "sim/targets.h"
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
  command
      .add_option("--parameter-draws", parameter_draws,
                  "Parameter sets drawn from the scenario's `uncertain` distributions, the "
                  "replications spread over them (0: parameters fixed; default: "
                  "simulation.parameter_draws)")
      ->transform(integer_in(0, limits::kMaxReplications));
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
  // 0 clears the setting, so that a run without draws has today's scenario
  // (and its hash) byte for byte.
  if (parameter_draws && *parameter_draws == 0) sim->clear_parameter_draws();
  if (parameter_draws && *parameter_draws > 0) sim->set_parameter_draws(*parameter_draws);
}

int resolve_threads(int requested) {
  // TBB runs at most this many threads at once (the cores this process may
  // use, or a global_control limit); an arena asked for more would print
  // TBB's own notice and still run on fewer.
  const int most = std::max(
      1, static_cast<int>(std::min<size_t>(
             static_cast<size_t>(tbb::info::default_concurrency()),
             tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism))));
  if (requested > most) {
    spdlog::warn(
        "warning: --threads {}: using {}, the most this machine runs at once "
        "(results do not depend on it)",
        requested, most);
  }
  const int threads = requested <= 0 ? most : std::min(requested, most);
  spdlog::debug(
      "threads: {} ({}; this machine runs at most {} at once)", threads,
      requested <= 0 ? std::string("all cores") : "--threads " + std::to_string(requested), most);
  return threads;
}

void print_diagnostics(const Diagnostics& diagnostics) {
  const spdlog::level::level_enum level =
      diagnostics.has_errors() ? spdlog::level::err : spdlog::level::warn;
  if (!spdlog::should_log(level)) return;
  const std::string text = diagnostics.report(spdlog::should_log(spdlog::level::warn));
  std::string_view lines = text;
  while (!lines.empty()) {
    const size_t end = lines.find('\n');
    spdlog::log(level, lines.substr(0, end));
    lines.remove_prefix(end == std::string_view::npos ? lines.size() : end + 1);
  }
}

namespace {

// Names an unnamed scenario after its file, for reports.
void name_after_file(const std::string& path, v1::Scenario& scenario) {
  if (!scenario.name().empty()) return;
  std::string stem = path.substr(path.find_last_of('/') + 1);
  scenario.set_name(stem.substr(0, stem.find('.')));
}

}  // namespace

Result<DaySpan> kpi_window_of(const std::string& text, const v1::Scenario& scenario) {
  const std::string what = "--window " + printable(text);
  const size_t colon = text.find(':');
  if (colon == std::string::npos || text.find(':', colon + 1) != std::string::npos) {
    return Status::bad_input(what +
                             ": give FROM:TO, each a date (YYYY-MM-DD) or a day number, e.g. "
                             "2026-11-27:2026-11-30 or 25:28");
  }
  Result<Calendar> calendar = Calendar::of(scenario.simulation());
  if (!calendar) return calendar.status();
  // A day number ("25", "-3") or a date.
  auto day_of = [&](const std::string& part, const char* end) -> Result<int32_t> {
    const std::string who = what + " " + end;
    const size_t digits = !part.empty() && part[0] == '-' ? 1 : 0;
    const bool number =
        part.size() > digits && part.find_first_not_of("0123456789", digits) == std::string::npos;
    if (number) {
      int32_t value = 0;
      const auto [end_of, error] = std::from_chars(part.data(), part.data() + part.size(), value);
      if (error == std::errc() && end_of == part.data() + part.size()) return value;
      return Status::bad_input(who + ": '" + printable(part) + "' is no day number");
    }
    Result<std::optional<int32_t>> day = resolve_day(*calendar, part, std::nullopt, who);
    if (!day) return day.status();
    if (!day->has_value()) return Status::bad_input(who + ": missing");
    return **day;
  };
  Result<int32_t> from = day_of(text.substr(0, colon), "from");
  if (!from) return from.status();
  Result<int32_t> to = day_of(text.substr(colon + 1), "to");
  if (!to) return to.status();
  const int horizon = resolve_settings(scenario.simulation()).horizon_days;
  if (*from < 0 || *to >= horizon || *from > *to) {
    return Status::bad_input(what + ": the days " + calendar->label(*from) + " to " +
                             calendar->label(*to) + " are not a window of the horizon (" +
                             calendar->label(0) + " to " + calendar->label(horizon - 1) + ")");
  }
  return DaySpan{*from, *to};
}

bool check_target_kpis(const v1::Scenario& scenario, const SourceMap* source_map,
                       Diagnostics& diagnostics) {
  bool ok = true;
  for (int k = 0; k < scenario.targets_size(); ++k) {
    const std::string problem = target_kpi_problem(scenario, scenario.targets(k));
    if (problem.empty()) continue;
    const FieldPath at = {{"targets", k}, {"kpi"}};
    diagnostics.error(problem, source_map != nullptr ? source_map->locate(at) : SourceLocation{});
    ok = false;
  }
  return ok;
}

namespace {

// Loads `path`, applies `overrides` and validates; the variants stay in.
std::optional<v1::Scenario> load_and_validate(const std::string& path,
                                              const SimulationOverrides& overrides,
                                              Diagnostics& diagnostics) {
  std::optional<LoadedScenario> loaded = load_scenario(path, diagnostics);
  if (!loaded) return std::nullopt;
  overrides.apply(loaded->scenario);
  if (!validate_scenario(loaded->scenario, loaded->source_map.get(), diagnostics) ||
      !check_target_kpis(loaded->scenario, loaded->source_map.get(), diagnostics)) {
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

// At level debug: what was loaded, and the simulation settings in force.
void log_scenario(const std::string& path, const v1::Scenario& scenario) {
  const SimulationSettings sim = resolve_settings(scenario.simulation());
  const RunSettings run = resolve_run_settings(scenario.simulation());
  spdlog::debug(
      "{}: scenario '{}': {} personas, {} channels, {} touchpoints, {} edges; {} agents, {} "
      "replications, {} days, seed {}",
      printable(path), printable(scenario.name()), scenario.personas_size(),
      scenario.channels_size(), scenario.touchpoints_size(), scenario.edges_size(), sim.agents,
      run.replications, sim.horizon_days, run.seed);
}

}  // namespace

bool refuses_parameter_draws(const std::string& command, const std::string& why,
                             const std::string& path, const v1::Scenario& scenario) {
  const int draws = resolve_run_settings(scenario.simulation()).parameter_draws;
  if (draws == 0) return false;
  spdlog::error(
      "{}: error: {} does not draw parameters ({} parameter draws asked for, by "
      "--parameter-draws or simulation.parameter_draws): {}; run it with --parameter-draws 0, or "
      "use run, compare, sweep, curves or optimize, which do",
      printable(path), command, draws, why);
  return true;
}

std::optional<v1::Scenario> prepare_scenario(const std::string& path,
                                             const SimulationOverrides& overrides,
                                             const std::string& variant, std::string* description) {
  Diagnostics diagnostics(path);
  std::optional<v1::Scenario> result = load_and_validate(path, overrides, diagnostics);
  if (result && description != nullptr) *description = variant_description(*result, variant);
  if (result && !variant.empty()) {
    result = apply_and_validate_variant(*result, variant, diagnostics);
  } else if (result) {
    result->clear_variants();
  }
  print_diagnostics(diagnostics);
  if (result) log_scenario(path, *result);
  return result;
}

std::optional<v1::Scenario> prepare_scenario_with_variants(const std::string& path,
                                                           const SimulationOverrides& overrides) {
  Diagnostics diagnostics(path);
  std::optional<v1::Scenario> result = load_and_validate(path, overrides, diagnostics);
  print_diagnostics(diagnostics);
  if (result) log_scenario(path, *result);
  return result;
}

std::optional<std::vector<PreparedArm>> prepare_arms(const std::string& path,
                                                     const SimulationOverrides& overrides,
                                                     const std::vector<std::string>& variants) {
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
  print_diagnostics(diagnostics);
  if (arms) log_scenario(path, arms->front().scenario);
  return arms;
}

}  // namespace cjsim::cli
