// Shards: a run, comparison or sweep split by replication into N parts that
// run anywhere (a shell loop, a Slurm job array) and merge into the result
// one process gives.
//
// Replication r of a study draws only from the streams keyed by (seed, r)
// (sim/engine.h), so the counts of replications [first, end) are the same
// whichever process runs them. Shard I of N (1-based) holds the contiguous
// replications [floor((I-1) R / N), floor(I R / N)) of every arm or point;
// with N > R some shards hold none. A shard file (cjsim.v1.ShardResult,
// models/proto/cjsim/v1/shard.proto) carries each replication's counts and
// what the parts must share; this file converts counts to and from their
// messages, reads shard files, and checks and orders a set of parts
// before the studies summarize them with the functions the single-process
// commands call (summarize_monte_carlo, summarize_comparison,
// sweep_result).
//
// Pure functions of their arguments; call from any thread.
#ifndef CJSIM_SIM_SHARD_H_
#define CJSIM_SIM_SHARD_H_

#include <string>
#include <string_view>
#include <vector>

#include "cjsim/v1/shard.pb.h"
#include "models/compiled_model.h"
#include "models/status.h"
#include "sim/tally.h"

namespace cjsim {

inline constexpr std::string_view kShardFormat = "cjsim.v1.ShardResult";

// Replications [first, end).
struct ReplicationRange {
  int first = 0;
  int end = 0;
  int count() const { return end - first; }
};

// The replications of shard `shard` of `shards` among `replications`.
// REQUIRES: 1 <= shard <= shards; replications >= 0.
ReplicationRange shard_range(int shard, int shards, int replications);

// Replication `replication`'s counts as a message, and back: every field of
// ReplicationCounts round-trips.
void to_sample(const ReplicationCounts& counts, int replication, v1::ReplicationSample* out);
ReplicationCounts from_sample(const v1::ReplicationSample& sample);

// Whether `counts` has the shape the engine gives for `model` (a count per
// touchpoint, channel, persona, day ...), so that the summaries may index
// it; else why not, as a bad-input Status.
Status check_shape(const ReplicationCounts& counts, const CompiledModel& model);

// Parses a shard file's bytes and checks that it is whole and consistent
// in itself (the format, the command, I and N, the replication range of
// I/N, a counts set per arm or point, each with the range's replications in
// order). Errors are bad input, starting "NAME: ".
Result<v1::ShardResult> parse_shard(std::string_view bytes, const std::string& name);
// Reads and parses the file at `path` (named so in errors).
Result<v1::ShardResult> read_shard_file(const std::string& path);

// Whether `stored`, a scenario of a shard with header `header`, can be
// compiled for a merge: its hash is the one recorded, it validates (with
// its variant applied), its run settings are the header's (the horizon
// aside: a variant may change it) and the header's window is inside its
// horizon. Else why not, as bad input.
Status check_shard_scenario(const v1::ShardScenario& stored, const v1::ShardResult& header);

// A shard file read, and its name for messages.
struct ShardPart {
  std::string name;
  v1::ShardResult shard;
};

// Parts checked to make one study.
struct MergedShards {
  // The first part's header: command, settings, scenarios, axes (counts
  // cleared).
  v1::ShardResult header;
  // Per arm or point (as ShardResult::counts), replications 0 .. R-1.
  std::vector<std::vector<ReplicationCounts>> counts;
  int threads = 0;          // the most any part used
  double wall_seconds = 0;  // the parts' added up
};

// Checks that `parts` are the N shards of one study and puts their counts
// in replication order. Refused, as bad input naming the files: parts of
// different commands, engine or schema versions, scenarios (hash),
// variants, seeds, settings, axes or N; the same shard twice; a shard
// missing ("shards 3 and 5 of 8 are missing").
// REQUIRES: every part passed parse_shard.
Result<MergedShards> merge_shards(std::vector<ShardPart> parts);

}  // namespace cjsim

#endif  // CJSIM_SIM_SHARD_H_
