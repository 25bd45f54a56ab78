// cjsim run: simulate a scenario (or solve it exactly) and report.

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>
#include <tbb/task_arena.h>

#include "models/compiled_model.h"
#include "models/diagnostics.h"
#include "models/settings.h"
#include "sim/engine.h"
#include "sim/exact_solver.h"
#include "sim/resources.h"
#include "sim/run_result.h"
#include "tools/cjsim/commands.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/option_values.h"
#include "tools/cjsim/output.h"
#include "tools/cjsim/progress.h"
#include "tools/cjsim/resource_check.h"
#include "tools/cjsim/scenario_input.h"
#include "tools/cjsim/signals.h"
#include "tools/cjsim/study_output.h"
#include "tools/report/html_pages.h"
#include "tools/report/tables.h"
#include "tools/report/warnings.h"

namespace cjsim::cli {

namespace {

struct RunOptions {
  std::string scenario;
  std::string variant;
  SimulationOverrides overrides;
  int threads = 0;
  bool exact = false;
  std::string window;  // --window FROM:TO
  OutputOptions output;
};

int run(const RunOptions& options, const Invocation& invocation) {
  std::string description;
  std::optional<v1::Scenario> scenario =
      prepare_scenario(options.scenario, options.overrides, options.variant, &description);
  if (!scenario) return kExitBadInput;

  const SimulationSettings settings = resolve_settings(scenario->simulation());
  RunSettings run = resolve_run_settings(scenario->simulation());
  if (!options.window.empty()) {
    if (options.exact) {
      spdlog::error("{}: error: --window counts KPIs day by day, which --exact does not; drop one",
                    printable(options.scenario));
      return kExitBadInput;
    }
    Result<DaySpan> window = kpi_window_of(options.window, *scenario);
    if (!window) {
      spdlog::error("{}: error: {}", printable(options.scenario), window.status().message());
      return kExitBadInput;
    }
    run.kpi_window = *window;
  }
  WorkPlan plan;
  plan.command = "run";
  plan.threads = resolve_threads(options.threads);
  plan.scenario_copies = 2;
  if (!options.exact) {
    plan.running = std::min(plan.threads, run.replications);
    plan.kept = run.replications;
    plan.agent_days =
        static_cast<double>(settings.agents) * settings.horizon_days * run.replications;
  }
  if (std::optional<int> status =
          check_resources(options.scenario, estimate_resources(model_footprint(*scenario), plan),
                          plan.command, options.output.estimate)) {
    return *status;
  }

  StudyFiles files;
  if (!files.open(options.output, kRunCsvFiles, options.scenario)) return kExitBadInput;

  const CompiledModel model = compile(*scenario, options.variant);
  if (interrupted()) return files.abandon_interrupted();
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  v1::RunResult result;
  if (options.exact) {
    const Result<ExactSolution> solution = solve_exact(model);
    if (!solution) {
      spdlog::error("{}: error: {}", printable(options.scenario),
                    printable(solution.status().message()));
      return kExitBadInput;
    }
    result = summarize_exact(model, run, *solution, seconds());
  } else {
    const int threads = plan.threads;
    const int replications = run.replications;
    std::vector<ReplicationCounts> counts;
    {
      // The bar is cleared before anything more is logged.
      ProgressBar progress("simulating",
                           static_cast<uint64_t>(replications) * model.settings.horizon_days,
                           !options.output.quiet && stderr_is_terminal());
      tbb::task_arena arena(threads);
      arena.execute([&] {
        counts = Engine(model, run.seed).run(0, replications, progress.counter(), stop_flag());
      });
    }
    if (interrupted()) return files.abandon_interrupted();
    result = summarize_monte_carlo(model, run, counts, threads, seconds());
    uint64_t truncated = 0;
    for (const ReplicationCounts& c : counts) truncated += c.truncated_sessions;
    if (truncated > 0) {
      spdlog::warn(
          "{}: warning: {} sessions were cut after {} steps; some CTA loop is acted on almost "
          "surely",
          printable(options.scenario), truncated, Engine::kMaxSessionSteps);
    }
  }

  add_invocation(invocation, options.scenario, description, result.mutable_provenance());
  print_warnings(options.scenario, run_warnings(result));
  return files.finish(format_run_table(result), result, run_csv(result),
                      [&] { return run_report(result); });
}

}  // namespace

CommandRunner add_run_command(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* command = app.add_subcommand(
      "run", "Simulate a scenario and report conversion, funnel and cost with intervals");
  command->add_option("scenario", options->scenario, "Scenario file (.textproto, .json or .binpb)")
      ->required();
  command->add_option("--variant", options->variant, "Apply this what-if variant first");
  options->overrides.add_to(*command);
  command->add_option("--threads", options->threads, "Worker threads (default: all cores)")
      ->transform(integer_in(1, 1024));
  command->add_flag("--exact", options->exact,
                    "Solve a single-journey scenario exactly (absorbing Markov chain)");
  command->add_option("--window", options->window,
                      "Count the KPIs over these days only: FROM:TO, each a date (YYYY-MM-DD) or "
                      "a day number, both included");
  options->output.add_to(*command, "cjsim.v1.RunResult", kRunCsvFiles);
  return [options](const Invocation& invocation) { return run(*options, invocation); };
}

}  // namespace cjsim::cli
