// Parameter draws: the parameter sets of a run whose scenario has
// `uncertain` fields (docs/model.md "Parameter uncertainty").
//
// Draw d (0 .. D - 1) is the scenario with each uncertain field set to a
// value drawn from its distribution, keyed by (seed, d, the field's path)
// on a stream of its own (rng::Stream::kParameterDraw): the same values on
// any thread count, shard split or number of processes, and for every arm
// of a comparison, which share the seed. Replication r runs with draw
// r mod D, so that any range of replications (a shard, an MPI rank, the
// next batch of a sequential comparison) knows its draws from its indices
// alone, and the first k D replications cover every draw k times.
// Pure functions; call from any thread.
#ifndef CJSIM_SIM_PARAMETER_DRAWS_H_
#define CJSIM_SIM_PARAMETER_DRAWS_H_

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "cjsim/v1/scenario.pb.h"
#include "models/compiled_model.h"
#include "models/status.h"
#include "sim/tally.h"

namespace cjsim {

// The draw replication `replication` runs with; 0 when parameters are
// fixed (draws == 0).
inline int draw_of_replication(int replication, int draws) {
  return draws > 0 ? replication % draws : 0;
}

// The value of each of `scenario`'s uncertain fields in draw `draw`, in
// the order of its `uncertain` list. REQUIRES: `scenario` validated.
std::vector<double> drawn_values(const v1::Scenario& scenario, uint64_t seed, int draw);

// Whether every parameter draw of `scenario` is a valid scenario, as
// compile_draws checks, without compiling any: for a study that checks
// each of its points before running one (a sweep). Ok when draws == 0.
// REQUIRES: `scenario` validated.
Status check_draws(const v1::Scenario& scenario, uint64_t seed, int draws);

// The models replications run with: with parameter draws, `scenario` with
// the values of draw d set, for d = 0 .. draws - 1, each validated and
// compiled; with none, the scenario's own model alone. A draw that makes
// the scenario invalid (a drawn weight that leaves a loop that is never
// left) is a bad-input Status naming the draw and its values.
// REQUIRES: `scenario` validated (the variant, if any, applied).
Result<std::vector<CompiledModel>> compile_draws(const v1::Scenario& scenario,
                                                 const std::string& variant, uint64_t seed,
                                                 int draws);

// Replications [first, first + count), replication r with
// models[r mod models.size()], in replication order; as Engine::run
// (one model: exactly Engine::run).
std::vector<ReplicationCounts> run_draws(std::span<const CompiledModel> models, uint64_t seed,
                                         int first, int count,
                                         std::atomic<uint64_t>* progress = nullptr,
                                         const std::atomic<bool>* stop = nullptr);

}  // namespace cjsim

#endif  // CJSIM_SIM_PARAMETER_DRAWS_H_
