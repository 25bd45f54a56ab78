// The memory and work of a command, estimated before it starts, so that a
// run the machine cannot hold or finish in reasonable time is refused up
// front (exit status 2), with the estimate and what to lower, instead of
// being killed by the kernel half-way or running for days.
//
// The estimate counts what the code allocates (docs/reliability.md
// "Memory and work"): per compiled model, the persona x touchpoint tables,
// the exposure tables (persona x source x day), edges and landing tables
// and the compiler's temporaries; per replication running at once, the
// agent state; per replication kept, its counts and quantities; and the
// copies of the scenario message. tests/sim/resources_test.cc holds it
// against the peak resident memory measured on scenarios that stress each
// part. Pure functions; call from any thread.
#ifndef CJSIM_SIM_RESOURCES_H_
#define CJSIM_SIM_RESOURCES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "cjsim/v1/scenario.pb.h"

namespace cjsim {

// What one compiled model of a scenario takes, in bytes.
struct ModelFootprint {
  double scenario = 0;     // the scenario message itself
  double compiled = 0;     // the CompiledModel, at its peak while compiling
  double per_agent = 0;    // agent state of one running replication, per agent
  double per_running = 0;  // the rest of one running replication (block lists, ...)
  double counts = 0;       // one replication's counts (ReplicationCounts)
  double per_kept = 0;     // one finished replication's counts and quantities
  double daily_result = 0;  // a run's result: its day-by-day series
  // For the breakdown of `compiled`.
  double persona_touchpoint = 0;  // the walk's tables: personas x touchpoints
  double exposure = 0;            // persona x source x day
  int64_t personas = 0, touchpoints = 0, exposure_sources = 0, horizon_days = 0;
  int64_t agents = 0, replications = 0;
};

// REQUIRES: `scenario` validated (a variant, if any, applied).
ModelFootprint model_footprint(const v1::Scenario& scenario);

// How a command uses its models. Counts are the most at any one moment.
struct WorkPlan {
  std::string command;  // "run", "compare", ... for messages
  int threads = 1;
  // Compiled models alive at once (compare: every arm) and the scenario
  // copies held (compare: one per arm; sweep and curves: the base and one
  // point).
  int models_at_once = 1;
  int scenario_copies = 1;
  // Replications of one model running at once: min(threads, replications).
  int64_t running = 1;
  // Finished replications whose counts are kept at once (compare: every
  // arm's, up to --max-replications).
  int64_t kept = 1;
  // agents x days simulated over the whole command.
  double agent_days = 0;
};

// One line of the breakdown: what, how much, and which option lowers it.
struct ResourcePart {
  std::string what;
  double bytes = 0;
  std::string lower;  // "--agents or --threads"
};

struct ResourceEstimate {
  double bytes = 0;  // peak
  double agent_days = 0;
  std::vector<ResourcePart> parts;  // largest first
};

// REQUIRES: `footprint` is of the largest model the plan runs.
ResourceEstimate estimate_resources(const ModelFootprint& footprint, const WorkPlan& plan);

// What the machine allows: the memory a command may use and the most work.
struct ResourceLimits {
  double memory_bytes = 0;
  std::string memory_source;  // "80% of 23.4 GiB of physical memory", ...
  double agent_days = 0;
};

// The reasons `estimate` exceeds `limits`, one sentence each with the
// breakdown and what to lower; empty when it fits.
std::vector<std::string> over_limits(const ResourceEstimate& estimate,
                                     const ResourceLimits& limits);

// "1.5 GiB", "312 MiB", "40 KiB".
std::string format_bytes(double bytes);

}  // namespace cjsim

#endif  // CJSIM_SIM_RESOURCES_H_
