#include "sim/compare.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "models/check.h"
#include "sim/comparison.h"
#include "sim/engine.h"
#include "sim/kpi.h"
#include "sim/parameter_draws.h"
#include "sim/run_result.h"
#include "sim/targets.h"

namespace cjsim {

namespace {

// The models of a comparison's arms: one per arm, or with parameter draws
// one per arm and draw (sim/parameter_draws.h), replication r of arm a
// running with draw r mod D.
class ArmModels {
 public:
  explicit ArmModels(const std::vector<CompiledModel>& arms) : arms_(&arms) {}
  explicit ArmModels(const std::vector<std::vector<CompiledModel>>& drawn) : drawn_(&drawn) {}

  size_t size() const { return drawn_ != nullptr ? drawn_->size() : arms_->size(); }
  // The arm's model for what all its draws share (names, horizon, hash).
  const CompiledModel& arm(size_t a) const {
    return drawn_ != nullptr ? (*drawn_)[a].front() : (*arms_)[a];
  }
  // The model replication `replication` of arm `a` runs with.
  const CompiledModel& of(size_t a, size_t replication) const {
    if (drawn_ == nullptr) return (*arms_)[a];
    const std::vector<CompiledModel>& draws = (*drawn_)[a];
    return draws[replication % draws.size()];
  }
  std::vector<ReplicationCounts> run(size_t a, uint64_t seed, int first, int count,
                                     StudyProgress* progress) const {
    if (drawn_ != nullptr) {
      return run_draws((*drawn_)[a], seed, first, count, done_counter(progress),
                       stop_flag_of(progress));
    }
    return Engine((*arms_)[a], seed)
        .run(first, count, done_counter(progress), stop_flag_of(progress));
  }

 private:
  const std::vector<CompiledModel>* arms_ = nullptr;
  const std::vector<std::vector<CompiledModel>>* drawn_ = nullptr;
};

// The next replication count: enough, by the square-root law of the
// half-width, to meet the target (with 10% to spare), at least one more
// batch of the initial size, and at most the cap.
int next_replications(int now, int initial, double half_width, double target, int cap) {
  const double ratio = half_width / target;
  const double needed = std::ceil(now * ratio * ratio * 1.1);
  const double next = std::max(needed, static_cast<double>(now + initial));
  return static_cast<int>(std::min(next, static_cast<double>(cap)));
}

// The widest half-width among the variants' differences from the baseline
// on `rank_by`.
double widest_half_width(const std::vector<std::vector<KpiSeries>>& kpis,
                         const std::string& rank_by, double confidence) {
  double widest = 0;
  const KpiSeries* base_rank = find_kpi(kpis.front(), rank_by);
  CJSIM_CHECK(base_rank != nullptr, "rank_by is not a KPI of the baseline");
  for (size_t a = 1; a < kpis.size(); ++a) {
    const KpiSeries* rank = find_kpi(kpis[a], rank_by);
    if (rank == nullptr) continue;
    const Estimate d = compare_kpi(*base_rank, *rank, confidence).difference;
    widest = std::max(widest, std::isfinite(d.half_width()) ? d.half_width() : HUGE_VAL);
  }
  return widest;
}

// Every arm's KPIs and work, and each variant's paired differences.
void set_arms(const ArmModels& arms, const std::vector<std::vector<ReplicationCounts>>& counts,
              const std::vector<std::vector<KpiSeries>>& kpis, double confidence,
              v1::CompareResult& result) {
  v1::Timing* timing = result.mutable_timing();
  for (size_t a = 0; a < arms.size(); ++a) {
    v1::CompareArm* arm = result.add_arms();
    arm->set_variant(arms.arm(a).variant_name);
    arm->set_horizon_days(arms.arm(a).settings.horizon_days);
    arm->set_scenario_hash(arms.arm(a).scenario_hash);
    set_kpis(kpis[a], confidence, false, arm->mutable_kpis());
    add_work(arms.arm(a), counts[a], timing);
    if (a == 0) continue;
    v1::CompareDifference* difference = result.add_differences();
    difference->set_variant(arms.arm(a).variant_name);
    for (const KpiSeries& kpi : kpis[a]) {
      const KpiSeries* base = find_kpi(kpis.front(), kpi.name);
      if (base == nullptr) continue;  // e.g. roas where the baseline spends nothing
      const KpiComparison c = compare_kpi(*base, kpi, confidence);
      set_estimate(c.difference, &(*difference->mutable_kpis())[kpi.name]);
      set_estimate(c.relative, &(*difference->mutable_relative())[kpi.name]);
      (*difference->mutable_variance_reduction())[kpi.name] = c.variance_reduction;
      (*difference->mutable_verdict())[kpi.name] = std::string(verdict_name(c.verdict));
    }
  }
}

// Each arm's targets, and each variant's paired difference of the chance
// of meeting them.
void set_targets_of_arms(const ArmModels& arms,
                         const std::vector<std::vector<TargetOutcome>>& targets, double confidence,
                         v1::CompareResult& result) {
  for (size_t a = 0; a < arms.size(); ++a) {
    set_targets(arms.arm(a), targets[a], confidence,
                result.mutable_arms(static_cast<int>(a))->mutable_targets());
    if (a == 0) continue;
    v1::CompareDifference* difference = result.mutable_differences(static_cast<int>(a - 1));
    for (const auto& [name, d] : target_differences(targets.front(), targets[a], confidence)) {
      set_estimate(d, &(*difference->mutable_target_probability())[name]);
    }
  }
}

// Ranking: best first on rank_by; arms without that KPI last; ties by order.
void set_ranking(const ArmModels& arms, const std::vector<std::vector<KpiSeries>>& kpis,
                 const std::string& rank_by, double confidence, v1::CompareResult& result) {
  std::vector<size_t> order(arms.size());
  for (size_t a = 0; a < arms.size(); ++a) order[a] = a;
  const bool higher_is_better = find_kpi(kpis.front(), rank_by)->higher_is_better;
  auto score = [&](size_t a) {
    const KpiSeries* k = find_kpi(kpis[a], rank_by);
    if (k == nullptr) return -HUGE_VAL;
    const double v = estimate_kpi(*k, confidence, false).mean;
    return higher_is_better ? v : -v;
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return score(x) > score(y); });
  for (size_t a : order) result.add_ranking(arms.arm(a).variant_name);
}

// What a comparison has counted so far: each arm's replications (their
// daily series dropped), KPI series, targets and, with --window, the
// window's quantities.
struct ArmTallies {
  explicit ArmTallies(size_t arms) : counts(arms), kpis(arms), targets(arms), window(arms) {}

  std::vector<std::vector<ReplicationCounts>> counts;
  std::vector<std::vector<KpiSeries>> kpis;
  std::vector<std::vector<TargetOutcome>> targets;
  std::vector<std::vector<Quantities>> window;  // with --window

  // Adds the next replications `more` of arm `a` and computes its KPIs
  // again.
  void add(const ArmModels& arms, size_t a, const RunSettings& run,
           std::vector<ReplicationCounts> more) {
    const CompiledModel& arm = arms.arm(a);
    // Targets and KPIs over a window need each replication's series; a
    // comparison reports none.
    if (!arm.targets.empty() && !more.empty()) {
      append_replications(targets[a], evaluate_targets(arm, more, run.confidence, false));
    }
    for (ReplicationCounts& c : more) {
      if (run.kpi_window) {
        window[a].push_back(window_quantities(arms.of(a, counts[a].size()), c, *run.kpi_window));
      }
      c.drop_daily_series();
      counts[a].push_back(std::move(c));
    }
    if (run.kpi_window) {
      kpis[a] = with_parameter_draws(kpi_series(arm, window[a], true), run.parameter_draws);
    } else {
      std::vector<Quantities> reps;
      for (size_t r = 0; r < counts[a].size(); ++r) {
        reps.push_back(quantities_from_counts(arms.of(a, r), counts[a][r]));
      }
      kpis[a] = with_parameter_draws(kpi_series(arm, reps), run.parameter_draws);
    }
  }
};

// The result of the arms' tallies at `replications` replications.
v1::CompareResult comparison_result(const ArmModels& arms, const RunSettings& run,
                                    const CompareSettings& settings, const ArmTallies& tallies,
                                    int replications, double widest, const std::string& stopped) {
  const CompiledModel& baseline = arms.arm(0);
  v1::CompareResult result;
  set_provenance(make_provenance(baseline, run, replications, settings.threads), &result);
  result.set_rank_by(settings.rank_by);
  result.set_target_half_width(settings.target_half_width);
  result.set_max_replications(settings.target_half_width > 0 ? settings.max_replications
                                                             : replications);
  result.set_stopped(stopped);
  result.set_max_half_width(widest);

  set_arms(arms, tallies.counts, tallies.kpis, run.confidence, result);
  set_targets_of_arms(arms, tallies.targets, run.confidence, result);
  if (run.kpi_window) set_span(baseline.calendar, *run.kpi_window, result.mutable_kpi_window());
  set_ranking(arms, tallies.kpis, settings.rank_by, run.confidence, result);
  return result;
}

v1::CompareResult run_arms(const ArmModels& arms, const RunSettings& run,
                           const CompareSettings& settings, StudyProgress* progress) {
  CJSIM_CHECK(arms.size() >= 2, "a comparison needs a baseline and a variant");
  const auto start = std::chrono::steady_clock::now();
  const int initial = run.replications;
  CJSIM_CHECK(settings.max_replications >= initial, "max_replications below the replications");
  const bool sequential = settings.target_half_width > 0;

  ArmTallies tallies(arms.size());
  auto days_for = [&](int replications) {
    uint64_t days = 0;
    for (size_t a = 0; a < arms.size(); ++a) {
      days += static_cast<uint64_t>(replications) *
              static_cast<uint64_t>(arms.arm(a).settings.horizon_days);
    }
    return days;
  };

  int target_count = initial;
  double widest = 0;
  std::string stopped = sequential ? "max_replications" : "fixed";
  while (true) {
    const int have = static_cast<int>(tallies.counts.front().size());
    if (progress != nullptr) progress->total.store(days_for(target_count));
    for (size_t a = 0; a < arms.size(); ++a) {
      tallies.add(arms, a, run, arms.run(a, run.seed, have, target_count - have, progress));
    }
    widest = widest_half_width(tallies.kpis, settings.rank_by, run.confidence);
    if (!sequential || (progress != nullptr && progress->stopped())) break;
    if (widest <= settings.target_half_width) {
      stopped = "target_met";
      break;
    }
    if (target_count >= settings.max_replications) break;
    target_count = next_replications(target_count, initial, widest, settings.target_half_width,
                                     settings.max_replications);
  }

  v1::CompareResult result =
      comparison_result(arms, run, settings, tallies, target_count, widest, stopped);
  result.mutable_timing()->set_wall_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return result;
}

v1::CompareResult summarize_arms(const ArmModels& arms, const RunSettings& run,
                                 const CompareSettings& settings,
                                 std::vector<std::vector<ReplicationCounts>> counts) {
  CJSIM_CHECK(arms.size() >= 2 && counts.size() == arms.size(),
              "a comparison needs a baseline, a variant and the counts of each");
  CJSIM_CHECK(settings.target_half_width == 0, "a sequential comparison is not summarized");
  const auto start = std::chrono::steady_clock::now();
  ArmTallies tallies(arms.size());
  for (size_t a = 0; a < arms.size(); ++a) tallies.add(arms, a, run, std::move(counts[a]));
  const double widest = widest_half_width(tallies.kpis, settings.rank_by, run.confidence);
  v1::CompareResult result =
      comparison_result(arms, run, settings, tallies, run.replications, widest, "fixed");
  result.mutable_timing()->set_wall_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return result;
}

}  // namespace

v1::CompareResult run_comparison(const std::vector<CompiledModel>& arms, const RunSettings& run,
                                 const CompareSettings& settings, StudyProgress* progress) {
  return run_arms(ArmModels(arms), run, settings, progress);
}

v1::CompareResult run_comparison(const std::vector<std::vector<CompiledModel>>& drawn,
                                 const RunSettings& run, const CompareSettings& settings,
                                 StudyProgress* progress) {
  return run_arms(ArmModels(drawn), run, settings, progress);
}

v1::CompareResult summarize_comparison(const std::vector<CompiledModel>& arms,
                                       const RunSettings& run, const CompareSettings& settings,
                                       std::vector<std::vector<ReplicationCounts>> counts) {
  return summarize_arms(ArmModels(arms), run, settings, std::move(counts));
}

v1::CompareResult summarize_comparison(const std::vector<std::vector<CompiledModel>>& drawn,
                                       const RunSettings& run, const CompareSettings& settings,
                                       std::vector<std::vector<ReplicationCounts>> counts) {
  return summarize_arms(ArmModels(drawn), run, settings, std::move(counts));
}

}  // namespace cjsim
