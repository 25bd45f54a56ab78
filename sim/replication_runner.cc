#include "sim/replication_runner.h"

#include "sim/engine.h"

namespace cjsim {

std::vector<ReplicationCounts> run_locally(const CompiledModel& model, uint64_t seed, int first,
                                           int count, std::atomic<uint64_t>* progress,
                                           const std::atomic<bool>* stop) {
  return Engine(model, seed).run(first, count, progress, stop);
}

}  // namespace cjsim
