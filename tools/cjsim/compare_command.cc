// cjsim compare: the baseline against what-if variants, on common random
// numbers, with paired differences, verdicts and optional sequential
// precision.

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "models/compiled_model.h"
#include "models/diagnostics.h"
#include "models/limits.h"
#include "models/settings.h"
#include "sim/compare.h"
#include "sim/engine.h"
#include "sim/kpi.h"
#include "sim/parameter_draws.h"
#include "sim/resources.h"
#include "tools/cjsim/commands.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/option_values.h"
#include "tools/cjsim/output.h"
#include "tools/cjsim/resource_check.h"
#include "tools/cjsim/scenario_input.h"
#include "tools/cjsim/shards.h"
#include "tools/cjsim/study_output.h"

namespace cjsim::cli {

namespace {

struct CompareOptions {
  std::string scenario;
  std::vector<std::string> variants = {"all"};
  SimulationOverrides overrides;
  int threads = 0;
  std::string rank_by = "conversion_rate";
  double target_half_width = 0;
  int max_replications = 1000;
  std::string window;  // --window FROM:TO
  OutputOptions output;
  ShardOptions shard;
};

// Shard `spec` of the comparison of `arms`: every arm's replications of the
// shard's range, written to --out.
int run_compare_shard(const CompareOptions& options, const Invocation& invocation, ShardSpec spec,
                      const std::vector<PreparedArm>& prepared,
                      const std::vector<std::vector<CompiledModel>>& arms, const RunSettings& run,
                      int threads) {
  v1::ShardResult part = shard_header("compare", spec, prepared.front().scenario, run, invocation,
                                      options.scenario, threads);
  part.set_rank_by(options.rank_by);
  const auto start = std::chrono::steady_clock::now();
  const ReplicationRange range = shard_range(spec.shard, spec.shards, run.replications);
  for (const PreparedArm& arm : prepared) {
    add_shard_scenario(arm.scenario, arm.variant, arm.description, part);
  }
  if (!run_with_progress("comparing", threads, options.output.quiet, [&](StudyProgress* progress) {
        for (const std::vector<CompiledModel>& arm : arms) {
          progress->total += static_cast<uint64_t>(range.count()) *
                             static_cast<uint64_t>(arm.front().settings.horizon_days);
        }
        for (const std::vector<CompiledModel>& arm : arms) {
          add_shard_counts(
              run_draws(arm, run.seed, range.first, range.count(), &progress->done, progress->stop),
              part);
        }
      })) {
    return interrupted_exit();
  }
  part.set_wall_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return finish_shard(part, spec, options.shard, options.output, options.scenario, invocation);
}

int compare(const CompareOptions& options, const Invocation& invocation) {
  const std::optional<ShardSpec> shard = check_shard_options(
      options.shard, options.output, invocation, kCompareCsvFiles, options.scenario);
  if (!shard) return kExitBadInput;
  if (shard->sharded() && options.target_half_width > 0) {
    spdlog::error(
        "error: --target-half-width with --shard: a sequential comparison chooses its "
        "next replications from all the results so far, which no shard has; give "
        "--replications and drop one of the two");
    return kExitBadInput;
  }
  std::optional<std::vector<PreparedArm>> prepared =
      prepare_arms(options.scenario, options.overrides, options.variants);
  if (!prepared) return kExitBadInput;
  // The ranking KPI must be one the baseline reports.
  if (const std::string why = kpi_not_counted(prepared->front().scenario, options.rank_by);
      !why.empty()) {
    spdlog::error("{}: error: --rank-by {}: {}", printable(options.scenario),
                  printable(options.rank_by), printable(why));
    return kExitBadInput;
  }
  RunSettings run = resolve_run_settings(prepared->front().scenario.simulation());
  if (!options.window.empty()) {
    // Inside every arm's horizon (a variant may shorten it).
    for (const PreparedArm& arm : *prepared) {
      Result<DaySpan> window = kpi_window_of(options.window, arm.scenario);
      if (!window) {
        spdlog::error("{}: error: {}{}", printable(options.scenario),
                      arm.variant.empty() ? "" : "with variant '" + arm.variant + "': ",
                      window.status().message());
        return kExitBadInput;
      }
      run.kpi_window = *window;
    }
    const std::optional<KpiInfo> rank = kpi_info(options.rank_by);
    if (rank && !rank->by_day) {
      spdlog::error(
          "{}: error: --rank-by {}: with --window the KPIs are counted over the window, "
          "and {} is not counted day by day; rank by conversions, value, cost, profit, "
          "roas, cost_per_conversion, conversion_rate, awareness_rate or the exposures",
          printable(options.scenario), printable(options.rank_by), printable(options.rank_by));
      return kExitBadInput;
    }
  }
  if (options.target_half_width > 0 && options.max_replications < run.replications) {
    spdlog::error("error: --max-replications {} is below the scenario's {} replications",
                  options.max_replications, run.replications);
    return kExitBadInput;
  }
  // Every arm is compiled and kept, and every replication's counts too (up
  // to --max-replications with a target half-width); the footprint is the
  // largest arm's.
  WorkPlan plan;
  plan.command = "comparison";
  plan.threads = resolve_threads(options.threads);
  const int most = options.target_half_width > 0 ? options.max_replications : run.replications;
  plan.models_at_once = static_cast<int>(prepared->size());
  plan.scenario_copies = plan.models_at_once * std::max(1, run.parameter_draws) + 1;
  plan.running = std::min(plan.threads, most);
  plan.kept = static_cast<int64_t>(most) * plan.models_at_once;
  ModelFootprint largest;
  for (const PreparedArm& arm : *prepared) {
    const ModelFootprint f = model_footprint(arm.scenario);
    if (f.compiled + f.per_kept * most >= largest.compiled + largest.per_kept * most) largest = f;
    plan.agent_days += static_cast<double>(f.agents) * static_cast<double>(f.horizon_days) * most;
  }
  if (std::optional<int> status =
          check_resources(options.scenario, estimate_resources(largest, plan), plan.command,
                          options.output.estimate)) {
    return *status;
  }
  // Each arm's models, one per parameter draw (or its own): the same draws
  // for every arm, keyed by the seed (sim/parameter_draws.h).
  std::vector<std::vector<CompiledModel>> arms;
  for (const PreparedArm& arm : *prepared) {
    Result<std::vector<CompiledModel>> models =
        compile_draws(arm.scenario, arm.variant, run.seed, run.parameter_draws);
    if (!models) {
      spdlog::error("{}: error: {}{}", printable(options.scenario),
                    arm.variant.empty() ? "" : "with variant '" + arm.variant + "': ",
                    printable(models.status().message()));
      return kExitBadInput;
    }
    arms.push_back(std::move(*models));
    // The baseline's first model (the first arm) decides the form of every model.
    for (CompiledModel& model : arms.back()) {
      keep_form_of_reference(!arms.front().front().single_journey, model);
    }
  }

  if (shard->sharded()) {
    return run_compare_shard(options, invocation, *shard, *prepared, arms, run, plan.threads);
  }
  StudyFiles files;
  if (!files.open(options.output, kCompareCsvFiles, options.scenario)) return kExitBadInput;

  CompareSettings settings;
  settings.rank_by = options.rank_by;
  settings.target_half_width = options.target_half_width;
  settings.max_replications = options.max_replications;
  settings.threads = plan.threads;
  v1::CompareResult result;
  if (!run_with_progress("comparing", settings.threads, options.output.quiet,
                         [&](StudyProgress* progress) {
                           result = run_comparison(arms, run, settings, progress);
                         })) {
    return files.abandon_interrupted();
  }
  std::vector<std::string> descriptions;
  for (const PreparedArm& arm : *prepared) descriptions.push_back(arm.description);
  return report_compare(result, descriptions, {invocation, options.scenario, ""}, files);
}

}  // namespace

CommandRunner add_compare_command(CLI::App& app) {
  auto options = std::make_shared<CompareOptions>();
  CLI::App* command = app.add_subcommand(
      "compare",
      "Compare the baseline with what-if variants on common random numbers: paired "
      "differences, intervals and verdicts");
  command->add_option("scenario", options->scenario, "Scenario file (.textproto, .json or .binpb)")
      ->required();
  add_list_option(*command, "--variants", options->variants,
                  "Variants to compare, comma-separated, or 'all' (default)");
  options->overrides.add_to(*command);
  command->add_option("--threads", options->threads, "Worker threads (default: all cores)")
      ->transform(integer_in(1, 1024));
  command->add_option("--rank-by", options->rank_by,
                      "KPI to rank the arms by and to aim --target-half-width at "
                      "(default conversion_rate)");
  command
      ->add_option("--target-half-width", options->target_half_width,
                   "Add replications until every difference on the --rank-by KPI has an "
                   "interval half-width at most this (in the KPI's unit)")
      ->check(positive_number());
  command
      ->add_option("--max-replications", options->max_replications,
                   "Most replications per arm under --target-half-width (default 1000)")
      ->transform(integer_in(2, limits::kMaxReplications));
  command->add_option("--window", options->window,
                      "Count the KPIs over these days only: FROM:TO, each a date (YYYY-MM-DD) or "
                      "a day number, both included");
  options->output.add_to(*command, "cjsim.v1.CompareResult", kCompareCsvFiles);
  options->shard.add_to(*command);
  return [options](const Invocation& invocation) { return compare(*options, invocation); };
}

}  // namespace cjsim::cli
