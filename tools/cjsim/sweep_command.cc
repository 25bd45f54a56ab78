// cjsim sweep: a scenario run over a grid of field values on common random
// numbers: response curves, marginal returns and cost per conversion.

#include <chrono>
#include <cmath>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "models/compiled_model.h"
#include "models/diagnostics.h"
#include "models/field_path.h"
#include "models/settings.h"
#include "models/validation.h"
#include "sim/parameter_draws.h"
#include "sim/resources.h"
#include "sim/sweep.h"
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

constexpr int kMaxSteps = 1000;
constexpr size_t kMaxPoints = 10000;

struct SweepOptions {
  std::string scenario;
  std::vector<std::string> sets;
  std::string variant;
  SimulationOverrides overrides;
  int threads = 0;
  OutputOptions output;
  ShardOptions shard;
};

struct Axis {
  ScenarioField field;
  std::vector<double> values;
};

// PATH=LO:HI:STEPS -> an axis, or an error naming the part that is wrong.
Result<Axis> parse_set(const std::string& set, const v1::Scenario& scenario) {
  const size_t equals = set.rfind('=');
  if (equals == std::string::npos) {
    return Status::bad_input(
        "write PATH=LO:HI:STEPS, e.g. channels[tiktok].weekly_budget=0:5000:11");
  }
  Result<ScenarioField> field = ScenarioField::parse(set.substr(0, equals), scenario);
  if (!field) return field.status();
  const std::string range = set.substr(equals + 1);
  const size_t first = range.find(':'), second = range.find(':', first + 1);
  if (first == std::string::npos || second == std::string::npos ||
      range.find(':', second + 1) != std::string::npos) {
    return Status::bad_input("range '" + range + "': write LO:HI:STEPS, e.g. 0:5000:11");
  }
  const std::string parts[3] = {range.substr(0, first), range.substr(first + 1, second - first - 1),
                                range.substr(second + 1)};
  std::optional<double> lo = parse_finite(parts[0]), hi = parse_finite(parts[1]);
  std::optional<double> steps = parse_finite(parts[2]);
  for (int i = 0; i < 2; ++i) {
    if (!(i == 0 ? lo : hi)) {
      return Status::bad_input(std::string(i == 0 ? "LO" : "HI") + " '" + parts[i] +
                               "' is not a finite number");
    }
  }
  if (!steps || *steps != std::floor(*steps) || *steps < 1 || *steps > kMaxSteps) {
    return Status::bad_input("STEPS '" + parts[2] + "' must be a whole number from 1 to " +
                             std::to_string(kMaxSteps));
  }
  for (double end : {*lo, *hi}) {
    if (std::string why = field->check_value(end); !why.empty()) {
      return Status::bad_input(why);
    }
  }
  const int n = static_cast<int>(*steps);
  if (n == 1 && *lo != *hi) {
    return Status::bad_input("one step takes one value: give LO = HI, or STEPS >= 2");
  }
  Axis axis{*field, {}};
  for (int k = 0; k < n; ++k) {
    // Endpoints exactly as written; interior points evenly between.
    const double t = n == 1 ? 0 : static_cast<double>(k) / (n - 1);
    const double v = k == n - 1 ? *hi : *lo + (*hi - *lo) * t;
    if (field->is_integer() && v != std::round(v)) {
      return Status::bad_input("'" + field->text() + "' takes whole numbers; " + std::to_string(v) +
                               " is not one (choose LO, HI and STEPS so that the steps are whole)");
    }
    axis.values.push_back(v);
  }
  return axis;
}

// The axes of every --set, the grid within its size limit; logs each bad
// --set and returns nullopt (exit 2) if there is one.
std::optional<std::vector<Axis>> parse_axes(const SweepOptions& options,
                                            const v1::Scenario& scenario) {
  std::vector<Axis> axes;
  std::set<std::string> paths;
  bool ok = true;
  for (const std::string& set : options.sets) {
    Result<Axis> axis = parse_set(set, scenario);
    if (!axis) {
      spdlog::error("error: --set {}: {}", printable(set), printable(axis.status().message()));
      ok = false;
    } else if (!paths.insert(axis->field.text()).second) {
      spdlog::error("error: --set {}: the path is swept twice", printable(set));
      ok = false;
    } else {
      axes.push_back(std::move(axis).value());
    }
  }
  // A parameter draw sets every uncertain field, which would overwrite the
  // value a sweep gives it.
  if (resolve_run_settings(scenario.simulation()).parameter_draws > 0) {
    for (const Axis& axis : axes) {
      for (const v1::Uncertain& entry : scenario.uncertain()) {
        Result<ScenarioField> field = ScenarioField::parse(entry.path(), scenario);
        if (!field || field->text() != axis.field.text()) continue;
        spdlog::error(
            "error: --set {}: the field is uncertain, and each parameter draw sets it; sweep it "
            "with --parameter-draws 0, or remove its `uncertain` entry",
            printable(axis.field.text()));
        ok = false;
      }
    }
  }
  if (!ok) return std::nullopt;
  size_t grid = 1;
  for (const Axis& axis : axes) grid *= axis.values.size();
  if (grid > kMaxPoints) {
    spdlog::error("error: --set: the grid has {} points; at most {}", grid, kMaxPoints);
    return std::nullopt;
  }

  return axes;
}

// The scenario of point i (the last axis varies fastest), and where it
// is, for messages ("channels[tiktok].weekly_budget=5000").
v1::Scenario point_of(const v1::Scenario& base, const std::vector<Axis>& axes, size_t i,
                      std::string* where) {
  std::vector<ScenarioField> fields;
  std::vector<std::vector<double>> values;
  for (const Axis& axis : axes) {
    fields.push_back(axis.field);
    values.push_back(axis.values);
  }
  return sweep_point_of(base, fields, values, i, where);
}

// Validates every point before anything runs (errors name the point; points
// are made again when they run, so none is kept) and adds their work to
// `plan`; the largest point's footprint decides the peak. Logs the errors
// and returns nullopt (exit 2) if a point is invalid.
std::optional<ModelFootprint> check_points(const std::string& path, const v1::Scenario& base,
                                           const std::vector<Axis>& axes, size_t grid,
                                           WorkPlan& plan) {
  bool ok = true;
  std::set<std::string> reported;
  Diagnostics point_errors(path);
  ModelFootprint largest;
  for (size_t i = 0; i < grid; ++i) {
    std::string where;
    const v1::Scenario point = point_of(base, axes, i, &where);
    Diagnostics diagnostics(path);
    if (!validate_scenario(point, nullptr, diagnostics)) {
      ok = false;
      for (const Diagnostic& d : diagnostics.items()) {
        if (d.severity != Severity::kError) continue;
        if (reported.insert(d.message).second) {
          point_errors.error("--set at " + where + ": " + d.message);
        }
      }
    }
    if (!ok) continue;
    // Every point runs the same parameter draws; each must be a valid
    // scenario at every point (sim/parameter_draws.h).
    const RunSettings run = resolve_run_settings(point.simulation());
    if (const Status drawn = check_draws(point, run.seed, run.parameter_draws); !drawn.is_ok()) {
      ok = false;
      if (reported.insert(drawn.message()).second) {
        point_errors.error("--set at " + where + ": " + drawn.message());
      }
      continue;
    }
    // Points run one at a time; the largest decides the peak.
    const ModelFootprint f = model_footprint(point);
    plan.agent_days += static_cast<double>(f.agents) * static_cast<double>(f.horizon_days) *
                       static_cast<double>(f.replications);
    if (f.compiled + f.per_kept * static_cast<double>(f.replications) +
            f.per_agent * static_cast<double>(f.agents) >=
        largest.compiled + largest.per_kept * static_cast<double>(largest.replications) +
            largest.per_agent * static_cast<double>(largest.agents)) {
      largest = f;
    }
  }
  if (!ok) {
    print_diagnostics(point_errors);
    return std::nullopt;
  }
  return largest;
}

// Shard `spec` of the sweep: every point's replications of the shard's
// range, written to --out.
int run_sweep_shard(const SweepOptions& options, const Invocation& invocation, ShardSpec spec,
                    const v1::Scenario& scenario, const std::string& description,
                    const std::vector<Axis>& axes, int threads) {
  const RunSettings run = resolve_run_settings(scenario.simulation());
  v1::ShardResult part =
      shard_header("sweep", spec, scenario, run, invocation, options.scenario, threads);
  add_shard_scenario(scenario, options.variant, description, part);
  for (const Axis& axis : axes) {
    v1::ShardAxis* out = part.add_axes();
    out->set_path(axis.field.text());
    out->mutable_values()->Add(axis.values.begin(), axis.values.end());
  }
  const auto start = std::chrono::steady_clock::now();
  const ReplicationRange range = shard_range(spec.shard, spec.shards, run.replications);
  size_t grid = 1;
  for (const Axis& axis : axes) grid *= axis.values.size();
  bool complete = false;
  if (!run_with_progress(
          "sweeping", threads, options.output.quiet,
          [&](StudyProgress* progress) {
            complete = for_each_point(
                grid, [&](size_t i) { return point_of(scenario, axes, i, nullptr); },
                options.variant, run.seed, run.parameter_draws, progress,
                [&](size_t, std::span<const CompiledModel> models) {
                  progress->total += static_cast<uint64_t>(range.count()) *
                                     static_cast<uint64_t>(models.front().settings.horizon_days);
                  add_shard_counts(run_draws(models, run.seed, range.first, range.count(),
                                             &progress->done, progress->stop),
                                   part);
                });
          }) ||
      !complete) {
    return interrupted_exit();
  }
  part.set_wall_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return finish_shard(part, spec, options.shard, options.output, options.scenario, invocation);
}

int sweep(const SweepOptions& options, const Invocation& invocation) {
  const std::optional<ShardSpec> shard = check_shard_options(
      options.shard, options.output, invocation, kSweepCsvFiles, options.scenario);
  if (!shard) return kExitBadInput;
  std::string description;
  std::optional<v1::Scenario> scenario =
      prepare_scenario(options.scenario, options.overrides, options.variant, &description);
  if (!scenario) return kExitBadInput;

  std::optional<std::vector<Axis>> parsed = parse_axes(options, *scenario);
  if (!parsed) return kExitBadInput;
  const std::vector<Axis>& axes = *parsed;
  size_t grid = 1;
  for (const Axis& axis : axes) grid *= axis.values.size();
  WorkPlan plan;
  plan.command = "sweep";
  plan.threads = resolve_threads(options.threads);
  // The base and the point running, and with parameter draws each of the
  // point's D drawn scenarios, compiled and kept while the point runs.
  const int draws = resolve_run_settings(scenario->simulation()).parameter_draws;
  plan.scenario_copies = 2 + draws;
  plan.models_at_once = std::max(1, draws);
  std::optional<ModelFootprint> checked =
      check_points(options.scenario, *scenario, axes, grid, plan);
  if (!checked) return kExitBadInput;
  const ModelFootprint& largest = *checked;
  plan.running = std::min<int64_t>(plan.threads, largest.replications);
  plan.kept = largest.replications;
  if (std::optional<int> status =
          check_resources(options.scenario, estimate_resources(largest, plan), plan.command,
                          options.output.estimate)) {
    return *status;
  }

  if (shard->sharded()) {
    return run_sweep_shard(options, invocation, *shard, *scenario, description, axes, plan.threads);
  }
  StudyFiles files;
  if (!files.open(options.output, kSweepCsvFiles, options.scenario)) return kExitBadInput;

  std::vector<SweepAxisValues> values;
  for (const Axis& axis : axes) values.push_back({axis.field.text(), axis.values});
  const int threads = plan.threads;
  v1::SweepResult result;
  if (!run_with_progress("sweeping", threads, options.output.quiet, [&](StudyProgress* progress) {
        result = run_sweep(
            *scenario, values, [&](size_t i) { return point_of(*scenario, axes, i, nullptr); },
            options.variant, threads, progress);
      })) {
    return files.abandon_interrupted();
  }
  return report_sweep(result, {invocation, options.scenario, description}, files);
}

}  // namespace

CommandRunner add_sweep_command(CLI::App& app) {
  auto options = std::make_shared<SweepOptions>();
  CLI::App* command = app.add_subcommand(
      "sweep",
      "Run a scenario over a grid of field values on common random numbers: response curves "
      "and marginal returns");
  command->add_option("scenario", options->scenario, "Scenario file (.textproto, .json or .binpb)")
      ->required();
  command
      ->add_option("--set", options->sets,
                   "PATH=LO:HI:STEPS, e.g. channels[tiktok].weekly_budget=0:5000:11; give two "
                   "for a grid (docs/cli.md lists the paths)")
      ->required()
      ->allow_extra_args(false);
  command->add_option("--variant", options->variant, "Sweep on top of this variant");
  options->overrides.add_to(*command);
  command->add_option("--threads", options->threads, "Worker threads (default: all cores)")
      ->transform(integer_in(1, 1024));
  options->output.add_to(*command, "cjsim.v1.SweepResult", kSweepCsvFiles);
  options->shard.add_to(*command);
  return [options](const Invocation& invocation) { return sweep(*options, invocation); };
}

}  // namespace cjsim::cli
