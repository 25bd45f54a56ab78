// Comparisons of a baseline with what-if variants on common random numbers.
//
// Every arm (the baseline and each variant, compiled separately) runs the
// same replication indices with the same seed, so replication r of every arm
// draws the same random streams (sim/rng.h) and the arms' results pair up.
// Each KPI of each variant is compared with the baseline's by
// sim/comparison.h. With a target half-width, replications are added in
// batches until the differences on the ranking KPI are that precise or a
// cap is reached; the batches are a function of the results so far, which
// are deterministic, so the same command always stops at the same count.
// Runs in the calling thread's task arena; not reentrant per call, but any
// number of calls may run at once.
#ifndef CJSIM_SIM_COMPARE_H_
#define CJSIM_SIM_COMPARE_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "cjsim/v1/result.pb.h"
#include "models/compiled_model.h"
#include "models/settings.h"
#include "sim/stop.h"
#include "sim/tally.h"

namespace cjsim {

struct CompareSettings {
  std::string rank_by = "conversion_rate";
  // 0: run the scenario's replications once. Otherwise add replications
  // until every variant's difference on rank_by has a half-width <= this.
  double target_half_width = 0;
  int max_replications = 1000;
  int threads = 1;  // recorded in the result; the caller's arena decides
};

// Progress in simulated days (one arm, one replication, one day each);
// `total` grows as batches are added. `stop` (sim/stop.h), when given, asks
// the study to end early: the engine reads it once per simulated day and the
// study between batches, points and candidates. The result of a study
// stopped that way is incomplete and must be discarded.
struct StudyProgress {
  std::atomic<uint64_t> done{0};
  std::atomic<uint64_t> total{0};
  const std::atomic<bool>* stop = nullptr;

  bool stopped() const { return stop_requested(stop); }
};

// The engine's progress counter and stop flag of `progress` (which may be
// null).
inline std::atomic<uint64_t>* done_counter(StudyProgress* progress) {
  return progress != nullptr ? &progress->done : nullptr;
}
inline const std::atomic<bool>* stop_flag_of(const StudyProgress* progress) {
  return progress != nullptr ? progress->stop : nullptr;
}

// Runs every arm at run.replications replications (more with a target
// half-width) with run.seed; intervals at run.confidence.
// REQUIRES: arms.size() >= 2, arms[0] is the baseline; all arms have the
// same agents; run.replications >= 2; settings.rank_by is a KPI of the
// baseline (kpi_series names) and max_replications >= run.replications.
v1::CompareResult run_comparison(const std::vector<CompiledModel>& arms, const RunSettings& run,
                                 const CompareSettings& settings, StudyProgress* progress);

// The comparison of `arms` from `counts`, each arm's replications 0 ..
// run.replications - 1 in order (sim/shard.h puts shards together so):
// what run_comparison gives without a target half-width, computed by the
// same steps. REQUIRES: as run_comparison, counts.size() == arms.size(),
// settings.target_half_width == 0.
v1::CompareResult summarize_comparison(const std::vector<CompiledModel>& arms,
                                       const RunSettings& run, const CompareSettings& settings,
                                       std::vector<std::vector<ReplicationCounts>> counts);

// The same with parameter draws (sim/parameter_draws.h): drawn[a][d] is arm
// a's model under draw d (compile_draws), replication r of every arm runs
// draw r mod D, so the arms' replications pair up in draws as in random
// numbers; every estimate and difference is over the draws
// (run.parameter_draws).
v1::CompareResult run_comparison(const std::vector<std::vector<CompiledModel>>& drawn,
                                 const RunSettings& run, const CompareSettings& settings,
                                 StudyProgress* progress);
v1::CompareResult summarize_comparison(const std::vector<std::vector<CompiledModel>>& drawn,
                                       const RunSettings& run, const CompareSettings& settings,
                                       std::vector<std::vector<ReplicationCounts>> counts);

}  // namespace cjsim

#endif  // CJSIM_SIM_COMPARE_H_
