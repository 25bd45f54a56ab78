#include "sim/replication_runner.h"

#include "sim/parameter_draws.h"

namespace cjsim {

std::vector<ReplicationCounts> run_locally(std::span<const CompiledModel> models, uint64_t seed,
                                           int first, int count, std::atomic<uint64_t>* progress,
                                           const std::atomic<bool>* stop) {
  return run_draws(models, seed, first, count, progress, stop);
}

}  // namespace cjsim
