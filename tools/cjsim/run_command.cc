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
#include "sim/parameter_draws.h"
#include "sim/resources.h"
#include "sim/run_result.h"
#include "tools/cjsim/commands.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/option_values.h"
#include "tools/cjsim/output.h"
#include "tools/cjsim/progress.h"
#include "tools/cjsim/resource_check.h"
#include "tools/cjsim/scenario_input.h"
#include "tools/cjsim/shards.h"
#include "tools/cjsim/signals.h"
#include "tools/cjsim/study_output.h"

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
  ShardOptions shard;
};

int run(const RunOptions& options, const Invocation& invocation) {
  const std::optional<ShardSpec> shard = check_shard_options(
      options.shard, options.output, invocation, kRunCsvFiles, options.scenario);
  if (!shard) return kExitBadInput;
  if (shard->sharded() && options.exact) {
    spdlog::error(
        "error: --exact with --shard: the exact solution is one computation, not "
        "replications to share out; drop --shard");
    return kExitBadInput;
  }
  std::string description;
  std::optional<v1::Scenario> scenario =
      prepare_scenario(options.scenario, options.overrides, options.variant, &description);
  if (!scenario) return kExitBadInput;

  const SimulationSettings settings = resolve_settings(scenario->simulation());
  RunSettings run = resolve_run_settings(scenario->simulation());
  if (options.exact && run.parameter_draws > 0) {
    spdlog::error(
        "{}: error: --exact solves the scenario with its parameters fixed; give "
        "--parameter-draws 0",
        printable(options.scenario));
    return kExitBadInput;
  }
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
  plan.scenario_copies = 2 + run.parameter_draws;
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
  if (!shard->sharded() && !files.open(options.output, kRunCsvFiles, options.scenario)) {
    return kExitBadInput;
  }

  // One model per parameter draw, or the scenario's own (sim/parameter_draws.h).
  Result<std::vector<CompiledModel>> models =
      compile_draws(*scenario, options.variant, run.seed, run.parameter_draws);
  if (!models) {
    spdlog::error("{}: error: {}", printable(options.scenario),
                  printable(models.status().message()));
    return kExitBadInput;
  }
  const CompiledModel& model = models->front();
  if (interrupted()) return files.abandon_interrupted();
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const ResultOrigin origin{invocation, options.scenario, description};
  if (options.exact) {
    const Result<ExactSolution> solution = solve_exact(model);
    if (!solution) {
      spdlog::error("{}: error: {}", printable(options.scenario),
                    printable(solution.status().message()));
      return kExitBadInput;
    }
    v1::RunResult result = summarize_exact(model, run, *solution, seconds());
    return report_run(result, {}, origin, files);
  }
  const int threads = plan.threads;
  const ReplicationRange range = shard->sharded()
                                     ? shard_range(shard->shard, shard->shards, run.replications)
                                     : ReplicationRange{0, run.replications};
  std::vector<ReplicationCounts> counts;
  {
    // The bar is cleared before anything more is logged.
    ProgressBar progress("simulating",
                         static_cast<uint64_t>(range.count()) * model.settings.horizon_days,
                         !options.output.quiet && stderr_is_terminal());
    tbb::task_arena arena(threads);
    arena.execute([&] {
      counts =
          run_draws(*models, run.seed, range.first, range.count(), progress.counter(), stop_flag());
    });
  }
  if (interrupted()) return files.abandon_interrupted();
  if (shard->sharded()) {
    v1::ShardResult part =
        shard_header("run", *shard, *scenario, run, invocation, options.scenario, threads);
    add_shard_scenario(*scenario, options.variant, description, part);
    add_shard_counts(counts, part);
    part.set_wall_seconds(seconds());
    return finish_shard(part, *shard, options.shard, options.output, options.scenario, invocation);
  }
  v1::RunResult result = summarize_monte_carlo(*models, run, counts, threads, seconds());
  return report_run(result, counts, origin, files);
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
  options->shard.add_to(*command);
  return [options](const Invocation& invocation) { return run(*options, invocation); };
}

}  // namespace cjsim::cli
