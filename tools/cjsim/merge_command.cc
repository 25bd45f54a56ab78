// cjsim merge: the shard files of one run, comparison or sweep
// (`--shard I/N --out FILE`) made into the result the command gives in one
// process: the parts are checked (sim/shard.h), their scenarios compiled as
// the command compiles them, and their counts summarized and reported by
// the command's own functions.

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "models/check.h"
#include "models/compiled_model.h"
#include "models/diagnostics.h"
#include "models/field_path.h"
#include "models/settings.h"
#include "models/validation.h"
#include "sim/compare.h"
#include "sim/parameter_draws.h"
#include "sim/run_result.h"
#include "sim/shard.h"
#include "sim/sweep.h"
#include "tools/cjsim/commands.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/shards.h"
#include "tools/cjsim/study_output.h"

namespace cjsim::cli {

namespace {

struct MergeOptions {
  std::vector<std::string> parts;
  OutputOptions output;
};

// Every counts set against its model's shape; logs the first that is not.
bool check_shapes(const std::string& name, const std::vector<ReplicationCounts>& counts,
                  const CompiledModel& model) {
  for (const ReplicationCounts& c : counts) {
    if (const Status status = check_shape(c, model); !status.is_ok()) {
      spdlog::error("{}: error: {}", printable(name), printable(status.message()));
      return false;
    }
  }
  return true;
}

RunSettings run_settings_of(const MergedShards& merged) {
  RunSettings run = resolve_run_settings(merged.header.scenarios(0).scenario().simulation());
  if (merged.header.has_window()) {
    run.kpi_window = DaySpan{merged.header.window_from_day(), merged.header.window_to_day()};
  }
  return run;
}

// The origin of the merged result: the whole study's command line and
// scenario file, as the shards recorded them.
ResultOrigin origin_of(const MergedShards& merged) {
  return {Invocation{merged.header.command_line(), {}}, merged.header.scenario_file(),
          merged.header.scenarios(0).variant_description()};
}

int merge_run(const std::string& name, MergedShards& merged, double seconds, StudyFiles& files) {
  const v1::ShardScenario& stored = merged.header.scenarios(0);
  const RunSettings run = run_settings_of(merged);
  // The shards ran the parameter draws of the scenario they stored
  // (sim/parameter_draws.h): drawn again here, from the same seed.
  Result<std::vector<CompiledModel>> models =
      compile_draws(stored.scenario(), stored.variant(), run.seed, run.parameter_draws);
  if (!models) {
    spdlog::error("{}: error: {}", printable(name), printable(models.status().message()));
    return kExitBadInput;
  }
  if (!check_shapes(name, merged.counts[0], models->front())) return kExitBadInput;
  v1::RunResult result = summarize_monte_carlo(*models, run, merged.counts[0], merged.threads,
                                               merged.wall_seconds + seconds);
  return report_run(result, merged.counts[0], origin_of(merged), files);
}

int merge_compare(const std::string& name, MergedShards& merged, double seconds,
                  StudyFiles& files) {
  const RunSettings run = run_settings_of(merged);
  std::vector<std::vector<CompiledModel>> arms;
  std::vector<std::string> descriptions;
  for (const v1::ShardScenario& stored : merged.header.scenarios()) {
    Result<std::vector<CompiledModel>> models =
        compile_draws(stored.scenario(), stored.variant(), run.seed, run.parameter_draws);
    if (!models) {
      spdlog::error("{}: error: {}", printable(name), printable(models.status().message()));
      return kExitBadInput;
    }
    arms.push_back(std::move(*models));
    // The baseline's first model (the first arm) decides the form of every model.
    for (CompiledModel& model : arms.back()) {
      keep_form_of_reference(!arms.front().front().single_journey, model);
    }
    if (!check_shapes(name, merged.counts[arms.size() - 1], arms.back().front())) {
      return kExitBadInput;
    }
    descriptions.push_back(stored.variant_description());
  }
  CompareSettings settings;
  settings.rank_by = merged.header.rank_by();
  settings.threads = merged.threads;
  const auto start = std::chrono::steady_clock::now();
  v1::CompareResult result = summarize_comparison(arms, run, settings, std::move(merged.counts));
  const double summarized =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.mutable_timing()->set_wall_seconds(merged.wall_seconds + seconds + summarized);
  ResultOrigin origin = origin_of(merged);
  origin.variant_description.clear();  // each arm has its own
  return report_compare(result, descriptions, origin, files);
}

int merge_sweep(const std::string& name, MergedShards& merged, double seconds, StudyFiles& files) {
  const v1::ShardScenario& stored = merged.header.scenarios(0);
  const v1::Scenario& base = stored.scenario();
  std::vector<ScenarioField> fields;
  std::vector<std::vector<double>> values;
  std::vector<SweepAxisValues> axes;
  for (const v1::ShardAxis& axis : merged.header.axes()) {
    Result<ScenarioField> field = ScenarioField::parse(axis.path(), base);
    if (!field) {
      spdlog::error("{}: error: sweep axis {}: {}", printable(name), printable(axis.path()),
                    printable(field.status().message()));
      return kExitBadInput;
    }
    for (double v : axis.values()) {
      if (const std::string why = field->check_value(v); !why.empty()) {
        spdlog::error("{}: error: sweep axis {}: {}", printable(name), printable(axis.path()),
                      printable(why));
        return kExitBadInput;
      }
    }
    fields.push_back(*field);
    values.emplace_back(axis.values().begin(), axis.values().end());
    axes.push_back({axis.path(), values.back()});
  }
  auto point_at = [&](size_t i) { return sweep_point_of(base, fields, values, i, nullptr); };
  const size_t grid = grid_size(axes);
  const RunSettings run = run_settings_of(merged);
  for (size_t i = 0; i < grid; ++i) {
    Diagnostics diagnostics(name);
    if (!validate_scenario(point_at(i), nullptr, diagnostics, stored.variant())) {
      spdlog::error("{}: error: sweep point {} is not a valid scenario", printable(name), i);
      return kExitBadInput;
    }
    // The shards ran the point's parameter draws: drawn again here.
    if (const Status drawn = check_draws(point_at(i), run.seed, run.parameter_draws);
        !drawn.is_ok()) {
      spdlog::error("{}: error: sweep point {}: {}", printable(name), i,
                    printable(drawn.message()));
      return kExitBadInput;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::vector<KpiSeries>> kpis;
  v1::Timing timing;
  bool shapes_ok = true;
  for_each_point(grid, point_at, stored.variant(), run.seed, run.parameter_draws, nullptr,
                 [&](size_t i, std::span<const CompiledModel> models) {
                   shapes_ok = shapes_ok && check_shapes(name, merged.counts[i], models.front());
                   if (shapes_ok) kpis.push_back(point_kpis(models, merged.counts[i], &timing));
                 });
  if (!shapes_ok) return kExitBadInput;
  v1::SweepResult result = sweep_result(base, axes, stored.variant(), merged.threads, kpis, timing);
  const double summarized =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.mutable_timing()->set_wall_seconds(merged.wall_seconds + seconds + summarized);
  return report_sweep(result, origin_of(merged), files);
}

int merge(const MergeOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<ShardPart> parts;
  bool ok = true;
  for (const std::string& path : options.parts) {
    Result<v1::ShardResult> shard = read_shard_file(path);
    if (!shard) {
      spdlog::error("error: {}", printable(shard.status().message()));
      ok = false;
      continue;
    }
    parts.push_back({path, std::move(shard).value()});
  }
  if (!ok) return kExitBadInput;
  std::vector<std::pair<std::string, std::string>> inputs;
  for (const std::string& path : options.parts) inputs.emplace_back("shard file " + path, path);
  return merge_parts(
      std::move(parts), inputs, options.output,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace

int merge_parts(std::vector<ShardPart> parts,
                const std::vector<std::pair<std::string, std::string>>& inputs,
                const OutputOptions& output, double seconds) {
  const auto start = std::chrono::steady_clock::now();
  CJSIM_CHECK(!parts.empty() && !inputs.empty(), "a merge without parts or inputs");
  const std::string name = parts.front().name;
  Result<MergedShards> merged = merge_shards(std::move(parts));
  if (!merged) {
    spdlog::error("error: {}", printable(merged.status().message()));
    return kExitBadInput;
  }
  for (const v1::ShardScenario& stored : merged->header.scenarios()) {
    if (const Status status = check_shard_scenario(stored, merged->header); !status.is_ok()) {
      spdlog::error("{}: error: {}", printable(name), printable(status.message()));
      return kExitBadInput;
    }
  }
  const std::string& command = merged->header.command();
  const std::vector<std::string>& csv_files = command == "run"       ? kRunCsvFiles
                                              : command == "compare" ? kCompareCsvFiles
                                                                     : kSweepCsvFiles;
  StudyFiles files;
  for (size_t i = 1; i < inputs.size(); ++i) files.add_input(inputs[i].first, inputs[i].second);
  if (!files.open(output, csv_files, inputs.front().second, inputs.front().first)) {
    return kExitBadInput;
  }
  seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (command == "run") return merge_run(name, merged.value(), seconds, files);
  if (command == "compare") return merge_compare(name, merged.value(), seconds, files);
  return merge_sweep(name, merged.value(), seconds, files);
}

CommandRunner add_merge_command(CLI::App& app) {
  auto options = std::make_shared<MergeOptions>();
  CLI::App* command = app.add_subcommand(
      "merge",
      "Merge the shard files of a run, compare or sweep (--shard I/N --out FILE) into the "
      "result one process gives");
  command->add_option("parts", options->parts, "Shard files, every shard 1..N once")->required();
  options->output.add_to(*command,
                         "merged result (cjsim.v1.RunResult, CompareResult or "
                         "SweepResult)",
                         {"the command's tables"});
  return [options](const Invocation&) { return merge(*options); };
}

}  // namespace cjsim::cli
