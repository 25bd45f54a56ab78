// How a study runs its replications: the one seam between the studies that
// simulate many models (response curves, the optimizer's mixes, and later
// calibration) and the engine that simulates them.
//
// A ReplicationRunner runs replications [first, first + count) of a model
// with a seed and gives their counts in replication order. With parameter
// draws (sim/parameter_draws.h) the model is the D compiled models of one
// point, one per draw, and replication r runs with models[r mod D]; one
// model is the case D = 1. The counts of a replication depend only on the
// models, the seed and its index (sim/engine.h), so any runner that gives every replication's
// counts in order gives the study the same numbers: the local one runs them all in the calling
// thread's task arena; the one of `mpirun -np N cjsim curves| optimize` (tools/cjsim/mpi_study.h)
// runs a share on each rank and gathers the rest. A study calls its runner where it would have run
// the engine and nowhere else.
//
// The contract of a study that takes a runner: which models it runs, and
// for which replications, must follow from its input and the counts its
// runner returned alone (never from the clock, the thread count or the
// order in which threads finish), so that the ranks of an mpirun, each
// running the study, make the same calls in the same order. curves and
// optimize keep it (their searches are deterministic functions of the
// counts); a calibration (issue #16) can take a runner and run under
// mpirun if it keeps it too.
//
// Who may call a runner from which threads is the runner's contract; the
// local one is reentrant (each call makes its own Engine).
#ifndef CJSIM_SIM_REPLICATION_RUNNER_H_
#define CJSIM_SIM_REPLICATION_RUNNER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "models/compiled_model.h"
#include "sim/tally.h"

namespace cjsim {

// Runs replications [first, first + count) with `seed`, replication r with
// models[r mod models.size()]; counts in replication order. `progress`, when given, grows by one
// per simulated day of each replication (sim/engine.h); `stop` (sim/stop.h), once set, ends the
// replications early with incomplete counts that the caller discards. REQUIRES: first >= 0, count
// >= 0, models not empty.
using ReplicationRunner = std::function<std::vector<ReplicationCounts>(
    std::span<const CompiledModel> models, uint64_t seed, int first, int count,
    std::atomic<uint64_t>* progress, const std::atomic<bool>* stop)>;

// The runner of one process: run_draws (sim/parameter_draws.h); with one
// model, Engine(model, seed).run(first, count, ...).
std::vector<ReplicationCounts> run_locally(std::span<const CompiledModel> models, uint64_t seed,
                                           int first, int count, std::atomic<uint64_t>* progress,
                                           const std::atomic<bool>* stop);

}  // namespace cjsim

#endif  // CJSIM_SIM_REPLICATION_RUNNER_H_
