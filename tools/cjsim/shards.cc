#include "tools/cjsim/shards.h"

#include <charconv>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "models/diagnostics.h"
#include "models/limits.h"
#include "sim/engine.h"
#include "sim/provenance.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/mpi_world.h"
#include "tools/cjsim/option_values.h"
#include "tools/report/html_pages.h"
#include "tools/report/tables.h"
#include "tools/report/warnings.h"

namespace cjsim::cli {

namespace {

// A whole number in 0 .. limits::kMaxReplications, or nullopt.
std::optional<int> whole_number(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0 ||
      value > limits::kMaxReplications) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

void ShardOptions::add_to(CLI::App& command) {
  command.add_option("--shard", shard,
                     "Run only shard I of N (I from 1 to N) of the replications and write their "
                     "counts to --out, for `cjsim merge` (docs/scaling.md)");
  command.add_option("--out", out, "The shard file to write with --shard (binary protobuf)")
      ->check(non_empty_path());
}

void refuse_shard_options(CLI::App& command, const std::string& why) {
  for (const char* name : {"--shard", "--out"}) {
    command.add_option(name, "Refused: this command does not write shards (docs/scaling.md)")
        ->check(CLI::Validator([why](const std::string&) { return why; }, ""));
  }
}

std::optional<ShardSpec> check_shard_options(const ShardOptions& options,
                                             const OutputOptions& output,
                                             const Invocation& invocation,
                                             const std::vector<std::string>& csv_files,
                                             const std::string& scenario) {
  MpiWorld* world = invocation.world;
  if (world != nullptr && world->is_parallel()) {
    bool ok = true;
    if (!options.shard.empty() || !options.out.empty()) {
      spdlog::error(
          "error: {} under mpirun: each of the {} ranks runs a shard already, and rank "
          "0 writes the whole result; drop it",
          options.shard.empty() ? "--out" : "--shard", world->size());
      ok = false;
    }
    if (ok && world->is_root()) {
      StudyFiles probe;  // abandoned when it goes: nothing is written yet
      ok = probe.open(output, csv_files, scenario);
    }
    if (!world->all_ok(ok)) return std::nullopt;
    return ShardSpec{world->rank() + 1, world->size(), true};
  }
  if (options.shard.empty()) {
    if (!options.out.empty()) {
      spdlog::error(
          "error: --out writes a shard: give --shard I/N with it, or write the whole "
          "result with --json");
      return std::nullopt;
    }
    return ShardSpec{};
  }
  const std::string& text = options.shard;
  const size_t slash = text.find('/');
  std::optional<int> i, n;
  if (slash != std::string::npos) {
    i = whole_number(std::string_view(text).substr(0, slash));
    n = whole_number(std::string_view(text).substr(slash + 1));
  }
  bool ok = true;
  if (!i || !n) {
    spdlog::error(
        "error: --shard {}: write I/N, two whole numbers, e.g. --shard 2/4 for the "
        "second of four shards",
        printable(text));
    ok = false;
  } else if (*n == 0) {
    spdlog::error("error: --shard {}: N, the number of shards, must be 1 or more", printable(text));
    ok = false;
  } else if (*i < 1 || *i > *n) {
    spdlog::error("error: --shard {}: I counts the shards from 1 to N ({})", printable(text), *n);
    ok = false;
  }
  if (options.out.empty()) {
    spdlog::error("error: --shard needs --out FILE, the shard file that `cjsim merge` reads");
    ok = false;
  }
  const std::pair<const char*, const std::string*> whole[] = {{"--json", &output.json},
                                                              {"--csv", &output.csv},
                                                              {"--report", &output.report},
                                                              {"--svg", &output.svg}};
  for (const auto& [option, value] : whole) {
    if (value->empty()) continue;
    spdlog::error(
        "error: {} with --shard: a shard holds only part of the replications; give "
        "{} to `cjsim merge`, which makes the whole result",
        option, option);
    ok = false;
  }
  if (!ok) return std::nullopt;
  return ShardSpec{*i, *n};
}

v1::ShardResult shard_header(const std::string& command, ShardSpec spec,
                             const v1::Scenario& scenario, const RunSettings& run,
                             const Invocation& invocation, const std::string& scenario_file,
                             int threads) {
  const SimulationSettings settings = resolve_settings(scenario.simulation());
  const ReplicationRange range = shard_range(spec.shard, spec.shards, run.replications);
  v1::ShardResult shard;
  shard.set_format(std::string(kShardFormat));
  shard.set_command(command);
  shard.set_engine_version(std::string(engine_version()));
  shard.set_schema_version(std::string(kSchemaVersion));
  shard.set_shard(spec.shard);
  shard.set_shards(spec.shards);
  shard.set_first_replication(range.first);
  shard.set_end_replication(range.end);
  shard.set_replications(run.replications);
  shard.set_seed(run.seed);
  shard.set_confidence(run.confidence);
  shard.set_agents(settings.agents);
  shard.set_population(settings.population);
  shard.set_horizon_days(settings.horizon_days);
  if (run.kpi_window) {
    shard.set_has_window(true);
    shard.set_window_from_day(run.kpi_window->from);
    shard.set_window_to_day(run.kpi_window->to);
  }
  shard.set_command_line(command_line_without(invocation, {"--shard", "--out"}));
  shard.set_scenario_file(scenario_file);
  shard.set_threads(threads);
  return shard;
}

void add_shard_scenario(const v1::Scenario& scenario, const std::string& variant,
                        const std::string& variant_description, v1::ShardResult& shard) {
  v1::ShardScenario* out = shard.add_scenarios();
  out->set_variant(variant);
  out->set_variant_description(variant_description);
  out->set_scenario_hash(scenario_hash(scenario));
  *out->mutable_scenario() = scenario;
}

void add_shard_counts(const std::vector<ReplicationCounts>& counts, v1::ShardResult& shard) {
  v1::ShardCounts* out = shard.add_counts();
  for (size_t i = 0; i < counts.size(); ++i) {
    to_sample(counts[i], shard.first_replication() + static_cast<int>(i), out->add_replications());
  }
}

namespace {

int write_shard(const v1::ShardResult& shard, const std::string& path, const std::string& scenario,
                bool quiet) {
  OutputSet set;
  set.add_input("the scenario", scenario);
  Result<PendingOutput*> file = set.open("--out", path);
  if (!file) {
    print_output_error(file.status());
    return kExitBadInput;
  }
  std::string bytes;
  if (!shard.SerializeToString(&bytes)) {
    spdlog::error(
        "error: --out {}: the shard is too large for one file ({} replications); use "
        "more shards",
        printable(path), shard.end_replication() - shard.first_replication());
    return kExitFailure;
  }
  if (Status s = set.write(*file, std::move(bytes)); !s.is_ok()) {
    print_output_error(s);
    return kExitFailure;
  }
  return commit_outputs(set, [&] {
    if (quiet) return;
    spdlog::info(
        "shard {}/{}: replications {} to {} of {} written to {}; `cjsim merge` the {} "
        "shard files",
        shard.shard(), shard.shards(), shard.first_replication(), shard.end_replication() - 1,
        shard.replications(), printable(path), shard.shards());
  });
}

// Rank 0 merges the ranks' shards, `bytes` in rank order.
int merge_ranks(const std::vector<std::string>& bytes, const OutputOptions& output,
                const std::string& scenario) {
  std::vector<ShardPart> parts;
  for (size_t r = 0; r < bytes.size(); ++r) {
    const std::string name = "rank " + std::to_string(r);
    Result<v1::ShardResult> shard = parse_shard(bytes[r], name);
    if (!shard) {
      spdlog::error("error: {}", printable(shard.status().message()));
      return kExitFailure;
    }
    parts.push_back({name, std::move(shard).value()});
  }
  return merge_parts(std::move(parts), {{"the scenario", scenario}}, output, 0);
}

}  // namespace

int finish_shard(const v1::ShardResult& shard, ShardSpec spec, const ShardOptions& options,
                 const OutputOptions& output, const std::string& scenario,
                 const Invocation& invocation) {
  if (!spec.mpi) return write_shard(shard, options.out, scenario, output.quiet);
  MpiWorld& world = *invocation.world;
  const std::vector<std::string> bytes = world.gather(shard.SerializeAsString());
  const int status = world.is_root() ? merge_ranks(bytes, output, scenario) : kExitOk;
  return world.broadcast_status(status);
}

int report_run(v1::RunResult& result, const std::vector<ReplicationCounts>& counts,
               const ResultOrigin& origin, StudyFiles& files) {
  uint64_t truncated_sessions = 0;
  for (const ReplicationCounts& c : counts) truncated_sessions += c.truncated_sessions;
  if (truncated_sessions > 0) {
    spdlog::warn(
        "{}: warning: {} sessions were cut after {} steps; some CTA loop is acted on almost "
        "surely",
        printable(origin.scenario_file), truncated_sessions, Engine::kMaxSessionSteps);
  }
  add_invocation(origin.invocation, origin.scenario_file, origin.variant_description,
                 result.mutable_provenance());
  print_warnings(origin.scenario_file, run_warnings(result));
  return files.finish(format_run_table(result), result, run_csv(result),
                      [&] { return run_report(result); });
}

int report_compare(v1::CompareResult& result, const std::vector<std::string>& descriptions,
                   const ResultOrigin& origin, StudyFiles& files) {
  add_invocation(origin.invocation, origin.scenario_file, origin.variant_description,
                 result.mutable_provenance());
  for (size_t i = 0; i < descriptions.size() && i < static_cast<size_t>(result.arms_size()); ++i) {
    result.mutable_arms(static_cast<int>(i))->set_description(descriptions[i]);
  }
  print_warnings(origin.scenario_file, compare_warnings(result));
  return files.finish(format_compare_table(result), result, compare_csv(result),
                      [&] { return compare_report(result); });
}

int report_sweep(v1::SweepResult& result, const ResultOrigin& origin, StudyFiles& files) {
  add_invocation(origin.invocation, origin.scenario_file, origin.variant_description,
                 result.mutable_provenance());
  print_warnings(origin.scenario_file, sweep_warnings(result));
  return files.finish(format_sweep_table(result), result, sweep_csv(result),
                      [&] { return sweep_report(result); });
}

v1::Scenario sweep_point_of(const v1::Scenario& base, const std::vector<ScenarioField>& fields,
                            const std::vector<std::vector<double>>& values, size_t i,
                            std::string* where) {
  v1::Scenario point = base;
  size_t rest = i;
  std::vector<size_t> index(fields.size());
  for (size_t a = fields.size(); a-- > 0;) {
    index[a] = rest % values[a].size();
    rest /= values[a].size();
  }
  for (size_t a = 0; a < fields.size(); ++a) {
    const double v = values[a][index[a]];
    fields[a].set(point, v);
    if (where == nullptr) continue;
    char value[32];
    std::snprintf(value, sizeof value, "%g", v);
    *where += (a == 0 ? "" : ", ") + fields[a].text() + "=" + value;
  }
  return point;
}

}  // namespace cjsim::cli
