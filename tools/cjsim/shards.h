// Shards on the command line: `--shard I/N --out FILE` of run, compare and
// sweep, checked and written here, and the last step of those commands
// (the result's provenance, warnings and outputs), which `cjsim merge`
// shares with them so that a merged result is reported as one run's is.
// sim/shard.h has the file's content and the merge's checks.
//
// Main thread only, as the commands are.
#ifndef CJSIM_TOOLS_CJSIM_SHARDS_H_
#define CJSIM_TOOLS_CJSIM_SHARDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "cjsim/v1/result.pb.h"
#include "cjsim/v1/shard.pb.h"
#include "models/field_path.h"
#include "models/settings.h"
#include "sim/shard.h"
#include "tools/cjsim/commands.h"
#include "tools/cjsim/study_output.h"

namespace cjsim::cli {

// --shard I/N and --out FILE.
struct ShardOptions {
  std::string shard;  // "I/N" as given
  std::string out;

  void add_to(CLI::App& command);
};

// --shard and --out on a command that does not run in shards (curves,
// optimize): refused as a usage error saying `why`. (CLI11 leaves out the
// name of a hidden option from its message, so --help lists them.)
void refuse_shard_options(CLI::App& command, const std::string& why);

// Shard I of N (1-based); N == 0 when the command is not sharded. Under
// mpirun with N > 1 ranks, rank r runs shard r + 1 of N (`mpi`).
struct ShardSpec {
  int shard = 0;
  int shards = 0;
  bool mpi = false;
  bool sharded() const { return shards > 0; }
  // "with --shard" or "under mpirun", for messages.
  std::string by() const { return mpi ? "under mpirun" : "with --shard"; }
};

// Checks the shard options against each other and against `output` (the
// outputs that need the whole run are refused with --shard). Under mpirun
// (invocation.world with more than one rank) --shard and --out are
// refused, and rank 0 opens `output` (whose --csv holds `csv_files`; never
// onto `scenario`) to see that it can, on every rank's behalf (collective).
// Logs each problem naming the option and returns nullopt (exit status 2).
std::optional<ShardSpec> check_shard_options(const ShardOptions& options,
                                             const OutputOptions& output,
                                             const Invocation& invocation,
                                             const std::vector<std::string>& csv_files,
                                             const std::string& scenario);

// A shard file's header for shard `spec` of `command` ("run", "compare",
// "sweep") on `scenario` (the one run or swept, or the baseline of a
// comparison) run with `run`: format, versions, I/N and its replication
// range, the settings and the window, the command line without --shard and
// --out, `threads`.
v1::ShardResult shard_header(const std::string& command, ShardSpec spec,
                             const v1::Scenario& scenario, const RunSettings& run,
                             const Invocation& invocation, const std::string& scenario_file,
                             int threads);
// Adds a scenario simulated (overrides and variant applied) to `shard`.
void add_shard_scenario(const v1::Scenario& scenario, const std::string& variant,
                        const std::string& variant_description, v1::ShardResult& shard);
// Adds one arm's or point's replications (the header's range) to `shard`.
void add_shard_counts(const std::vector<ReplicationCounts>& counts, v1::ShardResult& shard);

// The end of shard `spec` of a command: `shard` written to --out (whole or
// not at all; never onto the scenario file `scenario`), or under mpirun
// gathered at rank 0, which merges the ranks' shards as `cjsim merge` does
// and writes `output` (collective). Logs what was written unless
// output.quiet. Returns the exit status, the same on every rank.
int finish_shard(const v1::ShardResult& shard, ShardSpec spec, const ShardOptions& options,
                 const OutputOptions& output, const std::string& scenario,
                 const Invocation& invocation);

// `cjsim merge` after reading the parts: checks them (merge_shards,
// check_shard_scenario), opens the outputs (never onto `inputs`, pairs of
// a name for messages and a path; the first stands for them in messages),
// summarizes and reports. `seconds`: time spent before, added to the wall
// time. Returns the exit status. REQUIRES: parts and inputs not empty.
int merge_parts(std::vector<ShardPart> parts,
                const std::vector<std::pair<std::string, std::string>>& inputs,
                const OutputOptions& output, double seconds);

// What the command line adds to a result made from simulated counts.
struct ResultOrigin {
  Invocation invocation;
  std::string scenario_file;
  std::string variant_description;
};

// The last step of run, compare and sweep on their result: the command's
// provenance, the warnings, then the table and the files of `files`.
// Returns the exit status. `counts`: the run's replications, whose
// sessions cut at the step limit run warns of (none for --exact);
// `descriptions`: each arm's variant
// description, in arm order.
int report_run(v1::RunResult& result, const std::vector<ReplicationCounts>& counts,
               const ResultOrigin& origin, StudyFiles& files);
int report_compare(v1::CompareResult& result, const std::vector<std::string>& descriptions,
                   const ResultOrigin& origin, StudyFiles& files);
int report_sweep(v1::SweepResult& result, const ResultOrigin& origin, StudyFiles& files);

// The scenario of point `i` of the grid of `fields` x `values` over `base`
// (the last axis varies fastest), and where it is for messages
// ("channels[tiktok].weekly_budget=5000") when `where` is given.
// REQUIRES: each value passed its field's check_value.
v1::Scenario sweep_point_of(const v1::Scenario& base, const std::vector<ScenarioField>& fields,
                            const std::vector<std::vector<double>>& values, size_t i,
                            std::string* where);

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_SHARDS_H_
