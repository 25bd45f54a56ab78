// Fuzz target: a shard file (`cjsim ... --shard I/N --out FILE`), read as
// `cjsim merge` reads it (sim/shard.h): parse_shard; when it accepts, every
// replication converts to counts and back to the same counts, the file
// merges alone exactly when it is shard 1 of 1, and a run whose scenario
// passes check_shard_scenario and whose counts pass check_shape is
// summarized as merge summarizes it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "models/check.h"
#include "models/compiled_model.h"
#include "sim/run_result.h"
#include "sim/shard.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

// Summarizing costs replications x model size, compiling a little per
// agent; more than these is skipped.
constexpr size_t kMaxSummarized = 8;
constexpr int64_t kMaxCompiledAgents = 100000;

void summarize_run(const cjsim::MergedShards& merged) {
  const cjsim::v1::ShardResult& header = merged.header;
  if (header.command() != "run" || merged.counts[0].size() < 2 ||
      merged.counts[0].size() > kMaxSummarized || header.agents() > kMaxCompiledAgents) {
    return;
  }
  const cjsim::v1::ShardScenario& stored = header.scenarios(0);
  if (!cjsim::check_shard_scenario(stored, header).is_ok()) return;
  cjsim::v1::Scenario scenario = stored.scenario();
  const cjsim::CompiledModel model = cjsim::compile(scenario, stored.variant());
  for (const cjsim::ReplicationCounts& c : merged.counts[0]) {
    if (!cjsim::check_shape(c, model).is_ok()) return;
  }
  cjsim::RunSettings run = cjsim::resolve_run_settings(scenario.simulation());
  if (header.has_window()) {
    run.kpi_window = cjsim::DaySpan{header.window_from_day(), header.window_to_day()};
  }
  cjsim::summarize_monte_carlo(model, run, merged.counts[0], 1, 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cjsim::Result<cjsim::v1::ShardResult> shard =
      cjsim::parse_shard(cjsim::fuzz::as_text(data, size), "fuzz.pb");
  if (!shard) return 0;
  // Counts from an accepted sample are a fixed point of the round trip.
  for (const cjsim::v1::ShardCounts& counts : shard->counts()) {
    for (const cjsim::v1::ReplicationSample& sample : counts.replications()) {
      cjsim::v1::ReplicationSample once, twice;
      cjsim::to_sample(cjsim::from_sample(sample), sample.replication(), &once);
      cjsim::to_sample(cjsim::from_sample(once), once.replication(), &twice);
      CJSIM_CHECK(once.SerializeAsString() == twice.SerializeAsString(),
                  "a sample's counts changed on a second round trip");
    }
  }
  const bool whole = shard->shards() == 1;
  cjsim::Result<cjsim::MergedShards> merged = cjsim::merge_shards({{"fuzz.pb", *shard}});
  CJSIM_CHECK(merged.is_ok() == whole, "a lone shard merges exactly when it is 1 of 1");
  if (merged) summarize_run(*merged);
  return 0;
}
