#include "tools/cjsim/mpi_study.h"

#include <span>
#include <stdexcept>
#include <string>

#include "cjsim/v1/shard.pb.h"
#include "models/check.h"
#include "sim/shard.h"
#include "sim/stop.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/mpi_world.h"

namespace cjsim::cli {

namespace {

// What every rank must be running in a call, ending in a newline: the
// model (its applied scenario's hash, its form and its number of
// parameter draws), the seed and the range. Ranks that disagree have taken different decisions (a
// different cjsim build or a different libm on some node): their counts must not be mixed.
std::string call_of(std::span<const CompiledModel> models, uint64_t seed, int first, int count) {
  const CompiledModel& model = models.front();
  return model.scenario_hash + (model.single_journey ? " single-journey " : " reaching ") +
         std::to_string(models.size()) + " " + std::to_string(seed) + " " + std::to_string(first) +
         " " + std::to_string(count) + "\n";
}

std::vector<ReplicationCounts> run_on_ranks(MpiWorld& world, std::span<const CompiledModel> models,
                                            uint64_t seed, int first, int count,
                                            std::atomic<uint64_t>* progress,
                                            const std::atomic<bool>* stop) {
  const int ranks = world.size();
  const ReplicationRange mine = shard_range(world.rank() + 1, ranks, count);
  v1::ShardCounts own;
  if (mine.count() > 0) {
    const std::vector<ReplicationCounts> counts =
        run_locally(models, seed, first + mine.first, mine.count(), progress, stop);
    for (size_t i = 0; i < counts.size(); ++i) {
      to_sample(counts[i], first + mine.first + static_cast<int>(i), own.add_replications());
    }
  }
  // Each rank's part: its call, then its counts.
  const std::string call = call_of(models, seed, first, count);
  const std::vector<std::string> parts = world.all_gather(call + own.SerializeAsString());
  // A rank stopped by a signal has incomplete counts: no rank may use them,
  // nor call the runner again (see the header).
  if (!world.all_ok(!stop_requested(stop))) {
    throw std::runtime_error(stop_requested(stop)
                                 ? "this rank was interrupted; the study stops on every rank"
                                 : "another rank was interrupted (SIGINT or SIGTERM); the study "
                                   "stops on every rank and nothing was written");
  }
  for (int r = 0; r < ranks; ++r) {
    if (parts[static_cast<size_t>(r)].compare(0, call.size(), call) == 0) continue;
    throw std::runtime_error("rank " + std::to_string(r) + " runs another model than rank " +
                             std::to_string(world.rank()) +
                             " at the same step: every rank must run the same cjsim build "
                             "on the same input (docs/scaling.md)");
  }
  std::vector<ReplicationCounts> counts;
  counts.reserve(static_cast<size_t>(count));
  for (int r = 0; r < ranks; ++r) {
    const ReplicationRange range = shard_range(r + 1, ranks, count);
    v1::ShardCounts part;
    const std::string& bytes = parts[static_cast<size_t>(r)];
    CJSIM_CHECK(part.ParseFromArray(bytes.data() + call.size(),
                                    static_cast<int>(bytes.size() - call.size())) &&
                    part.replications_size() == range.count(),
                "a rank's counts are its range's replications");
    for (int k = 0; k < part.replications_size(); ++k) {
      CJSIM_CHECK(part.replications(k).replication() == first + range.first + k,
                  "a rank's counts are in replication order");
      counts.push_back(from_sample(part.replications(k)));
    }
  }
  // The other ranks' simulated days, so that rank 0's progress bar counts
  // every replication.
  if (progress != nullptr) {
    progress->fetch_add(static_cast<uint64_t>(count - mine.count()) *
                        static_cast<uint64_t>(models.front().settings.horizon_days));
  }
  return counts;
}

}  // namespace

ReplicationRunner replications_on(MpiWorld* world) {
  if (world == nullptr || !world->is_parallel()) return run_locally;
  return [world](std::span<const CompiledModel> models, uint64_t seed, int first, int count,
                 std::atomic<uint64_t>* progress, const std::atomic<bool>* stop) {
    return run_on_ranks(*world, models, seed, first, count, progress, stop);
  };
}

bool speaks(const Invocation& invocation) {
  return invocation.world == nullptr || invocation.world->is_root();
}

bool open_study_files(StudyFiles& files, const OutputOptions& output,
                      const std::vector<std::string>& csv_files, const std::string& scenario,
                      const Invocation& invocation) {
  const bool opened = !speaks(invocation) || files.open(output, csv_files, scenario);
  return invocation.world == nullptr ? opened : invocation.world->all_ok(opened);
}

int finish_study(const Invocation& invocation, const std::function<int()>& finish) {
  const int status = speaks(invocation) ? finish() : kExitOk;
  return invocation.world == nullptr ? status : invocation.world->broadcast_status(status);
}

}  // namespace cjsim::cli
