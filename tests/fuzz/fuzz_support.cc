#include "tests/fuzz/fuzz_support.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include <tbb/task_arena.h>

#include "models/compiled_model.h"
#include "models/diagnostics.h"
#include "models/validation.h"
#include "sim/engine.h"
#include "sim/exact_solver.h"

namespace cjsim::fuzz {

namespace {

// Variants run per input; the rest are still validated.
constexpr int kMaxVariantsRun = 8;

// The probe: a few agents over the first days. Sessions averaging more
// steps than this (a near-certain loop: act probability 0.9999999999, an
// exit of weight 1e-300) would make the full run take seconds.
constexpr int64_t kProbeAgents = 4;
constexpr int kProbeHorizonDays = 2;
constexpr uint64_t kMaxStepsPerSession = 1000;

tbb::task_arena& one_thread() {
  static tbb::task_arena arena(1);
  return arena;
}

bool sessions_are_short(const v1::Scenario& scenario) {
  v1::Scenario probe = scenario;
  v1::Simulation* simulation = probe.mutable_simulation();
  simulation->set_agents(std::min(simulation->agents(), kProbeAgents));
  simulation->set_horizon_days(std::min(simulation->horizon_days(), kProbeHorizonDays));
  const CompiledModel model = compile(probe, "probe");
  ReplicationCounts counts;
  one_thread().execute([&] {
    counts = Engine(model, resolve_run_settings(probe.simulation()).seed).run_replication(0);
  });
  return counts.truncated_sessions == 0 &&
         counts.walk_steps <= std::max<uint64_t>(counts.sessions, 1) * kMaxStepsPerSession;
}

}  // namespace

void clamp_sizes(v1::Scenario& scenario) {
  v1::Simulation* simulation = scenario.mutable_simulation();
  if (!simulation->has_agents() || simulation->agents() > kMaxAgents) {
    simulation->set_agents(kMaxAgents);
  }
  if (!simulation->has_replications() || simulation->replications() > kReplications) {
    simulation->set_replications(kReplications);
  }
  if (!simulation->has_horizon_days() || simulation->horizon_days() > kMaxHorizonDays) {
    simulation->set_horizon_days(kMaxHorizonDays);
  }
  for (v1::Variant& variant : *scenario.mutable_variants()) {
    if (variant.has_horizon_days() && variant.horizon_days() > kMaxHorizonDays) {
      variant.set_horizon_days(kMaxHorizonDays);
    }
  }
}

void compile_and_run(const v1::Scenario& scenario, const std::string& variant_name) {
  if (!sessions_are_short(scenario)) return;
  const CompiledModel model = compile(scenario, variant_name);
  const uint64_t seed = resolve_run_settings(scenario.simulation()).seed;
  one_thread().execute([&] { Engine(model, seed).run(0, kReplications); });
  solve_exact(model);
}

void check_scenario(v1::Scenario scenario, const SourceMap* source_map) {
  clamp_sizes(scenario);
  Diagnostics diagnostics("fuzz.input");
  const bool valid = validate_scenario(scenario, source_map, diagnostics);
  // Messages are formatted as the command line prints them.
  diagnostics.to_string();
  if (!valid) return;
  v1::Scenario baseline = scenario;
  baseline.clear_variants();
  compile_and_run(baseline, "");
  const int variants = std::min(scenario.variants_size(), kMaxVariantsRun);
  for (int v = 0; v < variants; ++v) {
    const std::string& name = scenario.variants(v).name();
    Diagnostics variant_diagnostics("fuzz.input");
    std::optional<v1::Scenario> applied =
        apply_and_validate_variant(scenario, name, variant_diagnostics);
    variant_diagnostics.to_string();
    if (applied) compile_and_run(*applied, name);
  }
}

std::vector<std::string> take_options_line(std::string_view& input, size_t count) {
  std::vector<std::string> fields(count);
  if (input.empty() || input.front() != '#') return fields;
  const size_t end = input.find('\n');
  std::string_view line = input.substr(1, end == std::string_view::npos ? end : end - 1);
  input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
  for (std::string& field : fields) {
    const size_t bar = line.find('|');
    field = std::string(line.substr(0, bar));
    if (bar == std::string_view::npos) break;
    line.remove_prefix(bar + 1);
  }
  return fields;
}

void require(bool holds, const char* what) {
  if (holds) return;
  std::fprintf(stderr, "fuzz: property does not hold: %s\n", what);
  std::abort();
}

void check_scenario_input(std::string_view content, ScenarioFormat format) {
  Diagnostics diagnostics;
  std::optional<LoadedScenario> loaded = parse_scenario(content, format, "fuzz.input", diagnostics);
  diagnostics.to_string();
  if (loaded) check_scenario(std::move(loaded->scenario), loaded->source_map.get());
}

}  // namespace cjsim::fuzz
