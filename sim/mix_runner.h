// Simulating channel mixes for the optimizer (docs/model.md "Channel-mix
// planning"): a scenario with the weekly budgets of its planned channels
// set, run for replications [first, first + count) of the scenario's seed,
// and the objective per replication.
//
// Replication r of every mix draws the same random streams (sim/rng.h), so
// any two runs pair up replication by replication (common random numbers),
// and a run can be extended to more replications without changing the ones
// it has. With parameter draws (simulation.parameter_draws D >= 2) every
// mix is compiled once per draw, the draws keyed by the seed so that every
// mix has the same ones, and replication r runs draw r mod D: runs pair up
// in draws too, a score (the mean over the replications) averages over the
// draws, and paired_gain's intervals include the parameters' uncertainty. A MixRunner belongs to
// one optimization in one thread; its replication runner (sim/replication_runner.h: the engine in
// the calling thread's task arena, or the ranks of an mpirun) runs every simulation.
#ifndef CJSIM_SIM_MIX_RUNNER_H_
#define CJSIM_SIM_MIX_RUNNER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cjsim/v1/scenario.pb.h"
#include "models/compiled_model.h"
#include "sim/compare.h"
#include "sim/comparison.h"
#include "sim/estimate.h"
#include "sim/kpi.h"
#include "sim/replication_runner.h"

namespace cjsim {

// A channel the plan may move money into or out of, by index in the
// scenario's channels, with its weekly budget bounds (lower == upper: locked).
// With `week` >= 0 it is one cell of a schedule (sim/schedule.h): the
// channel's spend in that week (0-based) of the horizon, its bounds in money
// spent that week.
struct PlannedChannel {
  int channel = 0;
  double lower = 0, upper = 0;
  int week = -1;  // -1: the channel's weekly budget over the whole horizon
};

// The money a unit of a planned budget spends over a horizon of
// `horizon_days`: horizon_days / 7 for a weekly budget, 1 for a week's
// spend.
double spend_per_unit(const PlannedChannel& channel, int horizon_days);

// The name of a planned channel or cell in results: the channel's id, or
// "id@wK" (sim/schedule.h cell_name).
std::string planned_name(const v1::Scenario& scenario, const PlannedChannel& channel);

// The planned channels that may move (lower < upper), by index, and the
// weekly budget the locked ones take.
struct FreeChannels {
  std::vector<size_t> free;
  double locked = 0;
};
FreeChannels free_channels(const std::vector<PlannedChannel>& channels);

// The KPIs (sim/kpi.h registry names) an optimization can maximise: those
// whose estimate is the mean of one figure per replication and for which
// more is better ("conversions", "value:donation", "profit",
// "active_customers", ...). Whether `name` is one of them.
bool is_mix_objective(const std::string& name);

// The budget each planned channel or cell has in `scenario` as it stands:
// its weekly budget, or its spend in the cell's week (weekly_spend).
// REQUIRES: `scenario` validated.
std::vector<double> current_budgets(const v1::Scenario& scenario,
                                    const std::vector<PlannedChannel>& channels);

// "target:NAME": the chance of meeting the scenario's target NAME
// (sim/targets.h), whose figure per replication is 1 when the target is met
// and 0 when not. The target's name, or "" for any other objective.
std::string objective_target(const std::string& objective);

class MixRunner {
 public:
  struct Run {
    std::vector<double> budgets;  // per planned channel
    // The mix's model, or one per parameter draw (sim/parameter_draws.h);
    // replication r ran models[r mod models.size()].
    std::vector<CompiledModel> models;
    std::vector<Quantities> reps;
    double cost = 0;  // over the horizon: every channel, and care's staffing
    // Per replication: the objective KPI, and the conversions the target
    // modes count (the `counted` KPI).
    std::vector<double> objective, conversions;

    // What every draw's model shares (horizon, channels, costs).
    const CompiledModel& model() const { return models.front(); }
    // The parameter draws, 0 without.
    int draws() const { return models.size() > 1 ? static_cast<int>(models.size()) : 0; }
    // The KPI series of `reps`, estimated over the draws.
    std::vector<KpiSeries> kpis() const;
  };

  // `objective` and `counted`: KPI names that a run of `base` reports,
  // is_mix_objective (or, for `objective`, a target of `base`:
  // objective_target). `cvar` 0: the score is the mean; else the mean of the
  // worst `cvar` share of the replications (conditional value at risk).
  // Every mix's replications run by `replications` (the one place the
  // optimizer simulates).
  // REQUIRES: `base` validated, and it and `channels` outlive the runner.
  MixRunner(const v1::Scenario& base, const std::vector<PlannedChannel>& channels,
            std::string objective, std::string counted, double cvar, StudyProgress* progress,
            ReplicationRunner replications = run_locally);

  // The mix with these budgets (per planned channel), replications
  // [0, replications). Schedule cells become week flights; a channel whose
  // cells all equal its current weekly spends keeps its own flights, so
  // that the current plan runs exactly as the scenario writes it. Once progress is stopped: a
  // placeholder of zeros, not simulated, that callers discard.
  Run run(const std::vector<double>& budgets, int replications);
  // `run` with replications [run.reps.size(), replications) added.
  void extend(Run& run, int replications);

  // The score of a sample: its mean, or the mean of its worst cvar share.
  double score(const std::vector<double>& samples) const;
  double cvar() const { return cvar_; }
  // The parameter draws every mix runs (0: parameters fixed); a run's
  // estimates need at least 2 x draws replications.
  int draws() const { return draws_; }

  // Mixes compiled and simulated so far (extensions not counted).
  int evaluations() const { return evaluations_; }

 private:
  void simulate(Run& run, int first, int count);
  // The models of the mix with `budgets`: one, or one per parameter draw.
  std::vector<CompiledModel> compiled(const std::vector<double>& budgets) const;
  // `base_` with `budgets` set.
  v1::Scenario with_budgets(const std::vector<double>& budgets) const;

  const v1::Scenario& base_;
  const uint64_t seed_;      // the base's: every mix on common random numbers
  const double confidence_;  // the base's, for a target objective
  const int draws_;          // the base's parameter draws
  const std::vector<PlannedChannel>& channels_;
  std::string objective_, counted_;
  double cvar_;
  StudyProgress* progress_;
  ReplicationRunner replications_;
  int evaluations_ = 0;
  std::string target_;  // objective_target(objective_)
  // The current spend per week of each channel with schedule cells.
  std::map<int, std::vector<double>> current_weeks_;
  // Whether the scenario reaches people when the planned channels spend:
  // then a mix that reaches no one stays in exposure form (no one reached).
  bool reaches_ = false;
};

// The first `n` samples of `samples`.
std::vector<double> first_samples(const std::vector<double>& samples, size_t n);

// `other` minus `base` on a score, paired by replication: for the mean, the
// paired-t estimate (sim/comparison.h); for CVaR (cvar > 0), the difference
// of the two CVaRs with a paired percentile bootstrap interval (Efron and
// Tibshirani 1993, ch. 13: the replications resampled with their pairs,
// 2,000 times, from a generator seeded by `seed`), so that it is the same
// on every run. The verdict reads the interval: better above 0, worse below.
// With `draws` >= 2, replication r ran parameter draw r mod draws: the mean's
// interval is over the draws (sim/estimate.h estimate_over_draws), and the
// bootstrap resamples whole draws, each with its replications (a cluster
// bootstrap), so that a gain under some draws only is not a sure one.
// REQUIRES: base.size() == other.size() >= 2, and >= 2 x draws with draws.
KpiComparison paired_gain(const std::vector<double>& base, const std::vector<double>& other,
                          double cvar, double confidence, uint64_t seed, int draws);

}  // namespace cjsim

#endif  // CJSIM_SIM_MIX_RUNNER_H_
