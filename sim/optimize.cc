#include "sim/optimize.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <type_traits>

#include <nlopt.h>

#include "models/check.h"
#include "models/compiled_model.h"
#include "sim/comparison.h"
#include "sim/engine.h"
#include "sim/kpi.h"
#include "sim/run_result.h"

namespace cjsim {

namespace {

using Objective = OptimizeSettings::Objective;

// The budgets nearest `x` (in the least-squares sense) within the bounds and
// summing to `sum`: x_i + lambda clamped to [lower_i, upper_i], lambda by
// bisection (the sum is monotone in lambda).
// REQUIRES: sum of lower <= sum <= sum of upper.
std::vector<double> project(const std::vector<double>& x, const std::vector<double>& lower,
                            const std::vector<double>& upper, double sum) {
  auto total = [&](double lambda) {
    double t = 0;
    for (size_t i = 0; i < x.size(); ++i) t += std::clamp(x[i] + lambda, lower[i], upper[i]);
    return t;
  };
  double low = -sum - *std::max_element(x.begin(), x.end()) - 1;
  double high = sum + *std::max_element(upper.begin(), upper.end()) + 1;
  for (int k = 0; k < 200 && high - low > 1e-12 * (1 + sum); ++k) {
    const double mid = (low + high) / 2;
    (total(mid) < sum ? low : high) = mid;
  }
  std::vector<double> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) out[i] = std::clamp(x[i] + high, lower[i], upper[i]);
  return out;
}

// `x` within its bounds, its sum made exactly `sum` by moving only the
// channel with the most room in the direction needed (so that channels on a
// bound stay there).
void settle(std::vector<double>& x, const std::vector<double>& lower,
            const std::vector<double>& upper, double sum) {
  const double left = sum - std::accumulate(x.begin(), x.end(), 0.0);
  if (left == 0) return;
  // A channel off its bounds first, so that those on a bound stay there.
  auto room_of = [&](size_t i) {
    const bool inside = x[i] > lower[i] && x[i] < upper[i];
    return (inside ? 1e300 : 0) + (left > 0 ? upper[i] - x[i] : x[i] - lower[i]);
  };
  size_t room = 0;
  for (size_t i = 1; i < x.size(); ++i) {
    if (room_of(i) > room_of(room)) room = i;
  }
  x[room] = std::clamp(x[room] + left, lower[room], upper[room]);
}

// Simulates mixes of one scenario: the weekly budgets of the planned
// channels set, everything else as in the scenario.
class MixRunner {
 public:
  MixRunner(const v1::Scenario& base, const std::vector<PlannedChannel>& channels,
            const OptimizeSettings& settings, StudyProgress* progress)
      : base_(base), channels_(channels), settings_(settings), progress_(progress) {}

  struct Run {
    std::vector<double> budgets;
    CompiledModel model;
    std::vector<Quantities> reps;
    double cost = 0;
    // The objective per replication.
    std::vector<double> objective;
  };

  Run run(const std::vector<double>& budgets, int replications) {
    Run r;
    r.budgets = budgets;
    if (progress_ != nullptr && progress_->stopped()) {
      // Stopped: a placeholder the caller discards, without compiling.
      r.reps.resize(static_cast<size_t>(replications));
      r.objective.assign(static_cast<size_t>(replications), 0.0);
      return r;
    }
    v1::Scenario s = base_;
    for (size_t i = 0; i < channels_.size(); ++i) {
      s.mutable_channels(channels_[i].channel)->set_weekly_budget(budgets[i]);
    }
    r.model = compile(s, "");
    r.cost = std::accumulate(r.model.channel_cost.begin(), r.model.channel_cost.end(), 0.0);
    if (progress_ != nullptr) {
      progress_->total.fetch_add(static_cast<uint64_t>(replications) *
                                 static_cast<uint64_t>(r.model.settings.horizon_days));
    }
    const double scale = r.model.settings.population / static_cast<double>(r.model.settings.agents);
    for (const ReplicationCounts& c :
         Engine(r.model).run(0, replications, done_counter(progress_), stop_flag_of(progress_))) {
      Quantities q = quantities_from_counts(r.model, c);
      double v = 0;
      switch (settings_.objective) {
        case Objective::kConversions:
          v = q.conversions;
          break;
        case Objective::kValue:
          v = q.value;
          break;
        case Objective::kProfit:
          v = q.value - r.cost;
          break;
        case Objective::kRetention:
          v = q.active_customers * scale;
          break;
      }
      r.objective.push_back(v);
      r.reps.push_back(std::move(q));
    }
    ++evaluations_;
    return r;
  }

  // The figure the search maximises: the mean, or the mean of the worst
  // share `cvar` of the replications.
  double score(const std::vector<double>& samples) const {
    if (settings_.cvar <= 0)
      return std::accumulate(samples.begin(), samples.end(), 0.0) /
             static_cast<double>(samples.size());
    std::vector<double> sorted = samples;
    std::sort(sorted.begin(), sorted.end());
    const size_t k = std::max<size_t>(
        1, static_cast<size_t>(std::ceil(settings_.cvar * static_cast<double>(sorted.size()))));
    return std::accumulate(sorted.begin(), sorted.begin() + static_cast<long>(k), 0.0) /
           static_cast<double>(k);
  }

  int evaluations() const { return evaluations_; }

 private:
  const v1::Scenario& base_;
  const std::vector<PlannedChannel>& channels_;
  const OptimizeSettings& settings_;
  StudyProgress* progress_;
  int evaluations_ = 0;
};

// One search: the best mix of the free channels for a given total.
struct Search {
  std::vector<double> budgets;  // all planned channels
  double score = 0;
  double conversions = 0;  // mean, for the target modes
  double cost = 0;
  bool converged = true;
};

struct SearchContext {
  MixRunner* runner;
  std::vector<size_t> free;                         // planned channels that are not locked
  std::vector<double> lower, upper, fixed_budgets;  // per planned channel
  double free_sum = 0;                              // what the free channels share
  bool spend_all = true;
  int replications = 0;
  double grid = 0;  // budgets are rounded to multiples of this
  std::map<std::vector<double>, Search> cache;
  Search best, last;
  bool any = false;
  bool maximise_conversions = false;  // the target modes search for conversions
};

std::vector<double> full_budgets(const SearchContext& c, const double* x) {
  std::vector<double> budgets = c.fixed_budgets;
  for (size_t k = 0; k < c.free.size(); ++k) budgets[c.free[k]] = x[k];
  return budgets;
}

double evaluate(SearchContext& c, std::vector<double> free_x) {
  std::vector<double> lower(c.free.size()), upper(c.free.size());
  for (size_t k = 0; k < c.free.size(); ++k) {
    lower[k] = c.lower[c.free[k]];
    upper[k] = c.upper[c.free[k]];
  }
  // Candidates are feasible mixes: projected onto the bounds and the sum
  // (COBYLA may step outside), on a grid so that near-equal mixes share a
  // simulation.
  double sum = c.free_sum;
  if (!c.spend_all) {
    double have = 0;
    for (size_t k = 0; k < free_x.size(); ++k) have += std::clamp(free_x[k], lower[k], upper[k]);
    sum = std::min(have, c.free_sum);
  }
  free_x = project(free_x, lower, upper, sum);
  for (size_t k = 0; k < free_x.size(); ++k) {
    free_x[k] = std::clamp(std::round(free_x[k] / c.grid) * c.grid, lower[k], upper[k]);
  }
  settle(free_x, lower, upper, sum);
  auto hit = c.cache.find(free_x);
  if (hit != c.cache.end()) {
    c.last = hit->second;
    return c.last.score;
  }
  const std::vector<double> budgets = full_budgets(c, free_x.data());
  MixRunner::Run run = c.runner->run(budgets, c.replications);
  double conversions = 0;
  for (const Quantities& q : run.reps) {
    conversions += q.conversions / static_cast<double>(run.reps.size());
  }
  const double score = c.maximise_conversions ? conversions : c.runner->score(run.objective);
  c.last = {budgets, score, conversions, run.cost, true};
  c.cache[free_x] = c.last;
  if (!c.any || score > c.best.score) {
    c.best = c.last;
    c.any = true;
  }
  return score;
}

double nlopt_score(unsigned n, const double* x, double* gradient, void* data) {
  (void)gradient;  // COBYLA is derivative-free
  auto* c = static_cast<SearchContext*>(data);
  return evaluate(*c, std::vector<double>(x, x + n));
}

double budget_sum(unsigned n, const double* x, double* gradient, void* data) {
  (void)gradient;
  const auto* c = static_cast<const SearchContext*>(data);
  double sum = 0;
  for (unsigned k = 0; k < n; ++k) sum += x[k];
  return sum - c->free_sum;
}

// The best split of `total` among the planned channels, from `start`.
Search search(MixRunner& runner, const std::vector<PlannedChannel>& channels,
              const std::vector<double>& start, double total, bool spend_all, int replications,
              int max_evaluations, bool maximise_conversions) {
  SearchContext c;
  c.runner = &runner;
  c.spend_all = spend_all;
  c.replications = replications;
  c.maximise_conversions = maximise_conversions;
  c.grid = std::max(total * 1e-4, 0.01);
  double locked = 0;
  for (size_t i = 0; i < channels.size(); ++i) {
    c.lower.push_back(channels[i].lower);
    c.upper.push_back(channels[i].upper);
    c.fixed_budgets.push_back(channels[i].lower);
    if (channels[i].lower == channels[i].upper) {
      locked += channels[i].lower;
    } else {
      c.free.push_back(i);
    }
  }
  c.free_sum = std::max(0.0, total - locked);
  std::vector<double> x, lower, upper;
  for (size_t i : c.free) {
    x.push_back(start[i]);
    lower.push_back(channels[i].lower);
    upper.push_back(std::min(channels[i].upper, c.free_sum));
  }
  if (c.free.empty()) {
    evaluate(c, {});
    return c.best;
  }
  if (spend_all) {
    x = project(x, lower, upper, c.free_sum);
    settle(x, lower, upper, c.free_sum);
  }
  const double first = evaluate(c, x);
  (void)first;
  if (c.free.size() == 1 && spend_all) return c.best;  // nothing to choose

  const unsigned n = static_cast<unsigned>(c.free.size());
  std::unique_ptr<std::remove_pointer_t<nlopt_opt>, void (*)(nlopt_opt)> optimizer(
      nlopt_create(NLOPT_LN_COBYLA, n), nlopt_destroy);
  nlopt_opt o = optimizer.get();
  nlopt_set_lower_bounds(o, lower.data());
  nlopt_set_upper_bounds(o, upper.data());
  nlopt_set_max_objective(o, nlopt_score, &c);
  if (spend_all) {
    nlopt_add_equality_constraint(o, budget_sum, &c, 1e-6 * (1 + c.free_sum));
  } else {
    nlopt_add_inequality_constraint(o, budget_sum, &c, 1e-6 * (1 + c.free_sum));
  }
  // First steps of a tenth of the budget per channel; stop once the mix
  // moves by less than half a percent of it.
  std::vector<double> step(n, 0.25 * c.free_sum / n + c.grid);
  nlopt_set_initial_step(o, step.data());
  nlopt_set_xtol_abs1(o, 0.02 * c.free_sum / n + c.grid);
  nlopt_set_maxeval(o, max_evaluations);
  double value = 0;
  const nlopt_result status = nlopt_optimize(o, x.data(), &value);
  const bool converged = status != NLOPT_MAXEVAL_REACHED;
  // The search stops within its tolerance of a bound it is pressing
  // against: put such channels on the bound, and keep that mix if it does
  // at least as well.
  const double tolerance = 2 * (0.005 * c.free_sum / n + c.grid);
  std::vector<double> snapped;
  bool moved = false;
  for (size_t k = 0; k < c.free.size(); ++k) {
    double v = c.best.budgets[c.free[k]];
    if (std::abs(v - lower[k]) <= tolerance && v != lower[k]) {
      v = lower[k];
      moved = true;
    } else if (std::abs(v - upper[k]) <= tolerance && v != upper[k]) {
      v = upper[k];
      moved = true;
    }
    snapped.push_back(v);
  }
  if (moved) {
    // Within the search's own tolerance of the best: taken even if its
    // score is a shade lower, so that a channel at a bound shows as one.
    evaluate(c, snapped);
    c.best = c.last;
  }
  c.best.converged = converged;
  return c.best;
}

void set_mix(const std::vector<PlannedChannel>& channels, const v1::Scenario& scenario,
             const MixRunner::Run& run, double estimate_confidence, const Estimate& objective,
             v1::MixEstimate* out) {
  double total = 0;
  for (size_t i = 0; i < channels.size(); ++i) {
    v1::ChannelBudget* b = out->add_channels();
    b->set_channel(scenario.channels(channels[i].channel).id());
    b->set_weekly_budget(run.budgets[i]);
    total += run.budgets[i];
  }
  out->set_total_weekly_budget(total);
  set_estimate(objective, out->mutable_estimate());
  set_kpis(kpi_series(run.model, run.reps), estimate_confidence, false, out->mutable_kpis());
}

KpiSeries objective_series(const MixRunner::Run& run, bool higher_is_better) {
  KpiSeries k;
  k.name = "objective";
  k.higher_is_better = higher_is_better;
  k.samples = run.objective;
  return k;
}

}  // namespace

std::string objective_name(OptimizeSettings::Objective objective) {
  switch (objective) {
    case Objective::kConversions:
      return "conversions";
    case Objective::kValue:
      return "value";
    case Objective::kProfit:
      return "profit";
    case Objective::kRetention:
      return "retention";
  }
  return "";
}

v1::OptimizeResult optimize_mix(const v1::Scenario& scenario,
                                const std::vector<PlannedChannel>& channels,
                                const OptimizeSettings& settings, StudyProgress* progress) {
  const auto started = std::chrono::steady_clock::now();
  CJSIM_CHECK(!channels.empty(), "no channels to plan");
  const SimulationSettings sim = resolve_settings(scenario.simulation());
  MixRunner runner(scenario, channels, settings, progress);
  size_t free = 0;
  for (const PlannedChannel& c : channels) free += c.lower != c.upper;
  const int max_evaluations =
      settings.max_evaluations > 0 ? settings.max_evaluations : 30 + 15 * static_cast<int>(free);

  std::vector<double> current;
  for (const PlannedChannel& c : channels) {
    current.push_back(scenario.channels(c.channel).weekly_budget());
  }
  v1::OptimizeResult result;
  auto note = [&](const std::string& text) { result.add_notes(text); };

  Search best;
  switch (settings.mode) {
    case OptimizeSettings::Mode::kAllocate:
      best = search(runner, channels, current, settings.total, settings.spend_all, sim.replications,
                    max_evaluations, false);
      break;
    case OptimizeSettings::Mode::kTargetConversions:
    case OptimizeSettings::Mode::kTargetCpa: {
      // The total by bisection: the best conversions grow with the budget,
      // and (with saturation) so does the cost per conversion.
      const bool conversions_mode = settings.mode == OptimizeSettings::Mode::kTargetConversions;
      auto meets = [&](const Search& s) {
        return conversions_mode ? s.conversions >= settings.target
                                : s.conversions > 0 && s.cost / s.conversions <= settings.target;
      };
      const int inner = std::max(10, max_evaluations / 3);
      double low = 0;
      for (const PlannedChannel& c : channels) low += c.lower;
      double high = settings.total;
      Search at_high = search(runner, channels, current, high, true, sim.replications, inner, true);
      Search at_low = search(runner, channels, current, low, true, sim.replications, inner, true);
      // Between a total that meets the target and one that does not.
      auto bisect = [&](double meeting, double failing, Search at_meeting) {
        for (int k = 0; k < 8; ++k) {
          const double mid = (meeting + failing) / 2;
          Search s = search(runner, channels, at_meeting.budgets, mid, true, sim.replications,
                            inner, true);
          if (meets(s)) {
            at_meeting = s;
            meeting = mid;
          } else {
            failing = mid;
          }
        }
        return at_meeting;
      };
      if (conversions_mode) {
        // The smallest total that reaches the conversions.
        if (!meets(at_high)) {
          note("the target of " + std::to_string(settings.target) +
               " conversions is not reached within --weekly-budget; the best mix of it is shown");
          best = at_high;
        } else {
          best = meets(at_low) ? at_low : bisect(high, low, at_high);
        }
      } else {
        // The largest total that keeps the cost per conversion.
        if (meets(at_high)) {
          best = at_high;
        } else if (!meets(at_low)) {
          note(
              "no budget within the bounds keeps the cost per conversion under the target; the "
              "lowest budget is shown");
          best = at_low;
        } else {
          best = bisect(low, high, at_low);
        }
      }
      break;
    }
  }

  if (progress != nullptr && progress->stopped()) return result;  // incomplete

  // Confirmation: the recommendation against the current mix, paired, with
  // more replications.
  const int confirm = std::max(settings.confirm_replications, sim.replications);
  const bool higher_is_better = true;
  MixRunner::Run now = runner.run(current, confirm);
  MixRunner::Run next = runner.run(best.budgets, confirm);
  KpiComparison gain = compare_kpi(objective_series(now, higher_is_better),
                                   objective_series(next, higher_is_better), sim.confidence);
  bool current_feasible = true;
  {
    double sum = 0;
    for (size_t i = 0; i < channels.size(); ++i) {
      current_feasible &=
          current[i] >= channels[i].lower - 1e-9 && current[i] <= channels[i].upper + 1e-9;
      sum += current[i];
    }
    current_feasible &= settings.spend_all ? std::abs(sum - settings.total) <= 1e-6 * settings.total
                                           : sum <= settings.total * (1 + 1e-9);
  }
  if (settings.mode == OptimizeSettings::Mode::kAllocate && gain.verdict == Verdict::kWorse &&
      current_feasible) {
    note(
        "the confirmation run found the recommended mix worse than the current one (the search's "
        "replications misled it); the current mix is kept");
    next = runner.run(current, confirm);
    gain = compare_kpi(objective_series(now, higher_is_better),
                       objective_series(next, higher_is_better), sim.confidence);
  } else if (gain.verdict == Verdict::kWorse) {
    note("the current mix does better, but it lies outside the bounds or the total given");
  }
  auto objective_estimate = [&](const MixRunner::Run& run) {
    if (settings.cvar > 0) return exact_estimate(runner.score(run.objective), confirm);
    KpiSeries k = objective_series(run, true);
    return estimate_kpi(k, sim.confidence, false);
  };

  result.set_scenario(scenario.name());
  result.set_seed(sim.seed);
  result.set_agents(static_cast<int32_t>(sim.agents));
  result.set_replications(sim.replications);
  result.set_confirm_replications(confirm);
  result.set_threads(settings.threads);
  result.set_engine_version(std::string(engine_version()));
  result.set_schema_version(std::string(kSchemaVersion));
  result.set_confidence(sim.confidence);
  result.set_objective(objective_name(settings.objective));
  if (settings.cvar > 0) {
    char text[32];
    std::snprintf(text, sizeof text, "cvar:%g", settings.cvar);
    result.set_risk(text);
  }
  result.set_mode(settings.mode == OptimizeSettings::Mode::kAllocate ? "allocate"
                  : settings.mode == OptimizeSettings::Mode::kTargetConversions
                      ? "target_conversions"
                      : "target_cpa");
  result.set_weekly_budget(settings.total);
  set_mix(channels, scenario, now, sim.confidence, objective_estimate(now),
          result.mutable_current());
  set_mix(channels, scenario, next, sim.confidence, objective_estimate(next),
          result.mutable_recommended());
  set_estimate(gain.difference, result.mutable_gain());
  result.set_verdict(std::string(verdict_name(gain.verdict)));
  if (settings.mode != OptimizeSettings::Mode::kAllocate) {
    const Estimate conversions = estimate_kpi(
        *find_kpi(kpi_series(next.model, next.reps), "conversions"), sim.confidence, false);
    const bool met = settings.mode == OptimizeSettings::Mode::kTargetConversions
                         ? conversions.mean >= settings.target
                         : conversions.mean > 0 && next.cost / conversions.mean <= settings.target;
    if (!met) note("at the confirmation's replications the recommended mix misses the target");
  }

  // Marginal returns at the recommendation: each free channel's budget
  // raised by a step, paired with the recommendation.
  const double horizon_weeks = sim.horizon_days / 7.0;
  const std::vector<KpiSeries> base_kpis = kpi_series(next.model, next.reps);
  for (size_t i = 0; i < channels.size(); ++i) {
    const PlannedChannel& c = channels[i];
    if (c.lower == c.upper) continue;
    const double step = std::max({0.05 * settings.total / static_cast<double>(channels.size()),
                                  0.05 * next.budgets[i], 1.0});
    std::vector<double> more = next.budgets;
    more[i] += step;
    const MixRunner::Run raised = runner.run(more, confirm);
    const std::vector<KpiSeries> raised_kpis = kpi_series(raised.model, raised.reps);
    const Estimate d_conversions =
        compare_kpi(*find_kpi(base_kpis, "conversions"), *find_kpi(raised_kpis, "conversions"),
                    sim.confidence)
            .difference;
    const Estimate d_value =
        compare_kpi(*find_kpi(base_kpis, "value"), *find_kpi(raised_kpis, "value"), sim.confidence)
            .difference;
    v1::MarginalReturn* m = result.add_marginal();
    m->set_channel(scenario.channels(c.channel).id());
    m->set_step(step);
    set_estimate(scale_estimate(d_conversions, 1 / step), m->mutable_conversions_per_unit());
    set_estimate(scale_estimate(d_value, 1 / step), m->mutable_value_per_unit());
    const double extra_spend = step * horizon_weeks;
    set_estimate(scale_estimate(d_value, 1 / extra_spend), m->mutable_mroas());
    set_estimate(ratio_of_fixed(extra_spend, d_conversions), m->mutable_marginal_cpa());
  }
  // At an optimum the free channels off their bounds return the same at
  // the margin; say so when the intervals still tell them apart.
  {
    const v1::MarginalReturn* high = nullptr;
    const v1::MarginalReturn* low = nullptr;
    for (const v1::MarginalReturn& m : result.marginal()) {
      if (high == nullptr ||
          m.conversions_per_unit().ci_low() > high->conversions_per_unit().ci_low()) {
        high = &m;
      }
      if (low == nullptr ||
          m.conversions_per_unit().ci_high() < low->conversions_per_unit().ci_high()) {
        low = &m;
      }
    }
    if (settings.objective == Objective::kConversions && high != nullptr && low != nullptr &&
        high != low &&
        high->conversions_per_unit().ci_low() > low->conversions_per_unit().ci_high()) {
      note("the marginal conversions of " + high->channel() + " are still clearly above those of " +
           low->channel() +
           ": moving budget between them may help (a bound may hold one of them, "
           "or try --max-evaluations)");
    }
  }
  const double tolerance = 1e-6 * (1 + settings.total);
  for (size_t i = 0; i < channels.size(); ++i) {
    const PlannedChannel& c = channels[i];
    if (c.lower == c.upper) continue;
    if (std::abs(next.budgets[i] - c.lower) <= tolerance ||
        std::abs(next.budgets[i] - c.upper) <= tolerance) {
      result.add_binding(scenario.channels(c.channel).id());
    }
  }
  result.set_evaluations(runner.evaluations());
  result.set_stopped(best.converged ? "converged" : "max_evaluations");
  v1::Timing* timing = result.mutable_timing();
  timing->set_wall_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return result;
}

}  // namespace cjsim
