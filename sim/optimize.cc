#include "sim/optimize.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string>

#include "models/calendar.h"
#include "models/check.h"
#include "models/compiled_model.h"
#include "models/settings.h"
#include "sim/budget_allocation.h"
#include "sim/comparison.h"
#include "sim/engine.h"
#include "sim/kpi.h"
#include "sim/mix_verification.h"
#include "sim/nlopt_run.h"
#include "sim/planning.h"
#include "sim/run_result.h"
#include "sim/schedule.h"

namespace cjsim {

namespace {

// Grid steps of the total in the surface's dynamic programme: the best
// split is global to within half a percent of the total.
constexpr int kSurfaceSteps = 200;

// The budgets nearest `x` (in the least-squares sense) within the bounds and
// summing to `sum`: x_i + lambda clamped to [lower_i, upper_i], lambda by
// bisection (the sum is monotone in lambda).
// REQUIRES: sum of lower <= sum <= sum of upper.
std::vector<double> project(const std::vector<double>& x, const std::vector<double>& lower,
                            const std::vector<double>& upper, double sum) {
  if (x.empty()) return x;  // every channel locked: nothing to move
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
  if (left == 0 || x.empty()) return;
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

// Where a search may start: a name for the result and the budgets of
// every planned channel (fitted to the bounds and the total before use).
struct Start {
  std::string name;
  std::vector<double> budgets;
};

// One search: the best mix of the free channels for a given total.
struct Search {
  std::vector<double> budgets;  // all planned channels
  double score = 0;
  double conversions = 0;  // mean, for the target modes
  double cost = 0;
  bool converged = true;
  std::vector<v1::SearchStart> starts;
};

// What a search maximises of a run: the objective's score, or (the target
// modes) the mean conversions.
double search_score(const MixRunner& runner, const MixRunner::Run& run, bool conversions) {
  if (!conversions) return runner.score(run.objective);
  return std::accumulate(run.conversions.begin(), run.conversions.end(), 0.0) /
         static_cast<double>(run.conversions.size());
}

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
  const MixRunner::Run run = c.runner->run(budgets, c.replications);
  const double conversions = search_score(*c.runner, run, true);
  const double score = search_score(*c.runner, run, c.maximise_conversions);
  c.last = {budgets, score, conversions, run.cost, true, {}};
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

// Every start fitted to the bounds (`lower`, `upper` of the free channels)
// and the total, and evaluated; `x` is set to the free budgets of the best
// (the first of equals), which is marked chosen.
std::vector<v1::SearchStart> try_starts(SearchContext& c, const std::vector<Start>& starts,
                                        const std::vector<double>& lower,
                                        const std::vector<double>& upper, std::vector<double>& x) {
  std::vector<v1::SearchStart> tried;
  double chosen_score = 0;
  size_t chosen = 0;
  for (const Start& start : starts) {
    std::vector<double> y;
    for (size_t k = 0; k < c.free.size(); ++k) {
      y.push_back(std::clamp(start.budgets[c.free[k]], lower[k], upper[k]));
    }
    const double sum = std::accumulate(y.begin(), y.end(), 0.0);
    if (c.spend_all || sum > c.free_sum) {
      y = project(y, lower, upper, c.free_sum);
      settle(y, lower, upper, c.free_sum);
    }
    const double score = evaluate(c, y);
    v1::SearchStart& record = tried.emplace_back();
    record.set_name(start.name);
    for (double b : c.last.budgets) record.add_weekly_budgets(b);
    record.set_score(score);
    if (tried.size() == 1 || score > chosen_score) {
      chosen_score = score;
      chosen = tried.size() - 1;
      x.clear();
      for (size_t i : c.free) x.push_back(c.last.budgets[i]);
    }
  }
  tried[chosen].set_chosen(true);
  return tried;
}

// COBYLA from `x` within the bounds, the total as an equality (spend all)
// or inequality constraint. Returns whether it converged before
// `max_evaluations`.
bool run_cobyla(SearchContext& c, const std::vector<double>& lower,
                const std::vector<double>& upper, std::vector<double>& x, int max_evaluations) {
  const unsigned n = static_cast<unsigned>(c.free.size());
  nlopt::opt optimizer(nlopt::LN_COBYLA, n);
  double value = 0;
  const nlopt::result status = run_nlopt(
      optimizer,
      [&](nlopt::opt& o) {
        o.set_lower_bounds(lower);
        o.set_upper_bounds(upper);
        o.set_max_objective(nlopt_score, &c);
        if (c.spend_all) {
          o.add_equality_constraint(budget_sum, &c, 1e-6 * (1 + c.free_sum));
        } else {
          o.add_inequality_constraint(budget_sum, &c, 1e-6 * (1 + c.free_sum));
        }
        // First steps of a quarter of the mean free budget per channel; stop
        // once the mix moves by less than 2% of it.
        o.set_initial_step(std::vector<double>(n, 0.25 * c.free_sum / n + c.grid));
        o.set_xtol_abs(0.02 * c.free_sum / n + c.grid);
        o.set_maxeval(max_evaluations);
      },
      x, &value);
  return status != nlopt::MAXEVAL_REACHED;
}

// The search stops within its tolerance of a bound it is pressing
// against: put such channels on the bound, and keep that mix (within the
// search's own tolerance of the best: taken even if its score is a shade
// lower, so that a channel at a bound shows as one).
void snap_to_bounds(SearchContext& c, const std::vector<double>& lower,
                    const std::vector<double>& upper) {
  const double n = static_cast<double>(c.free.size());
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
    evaluate(c, snapped);
    c.best = c.last;
  }
}

bool is_schedule(const std::vector<PlannedChannel>& channels) {
  return std::any_of(channels.begin(), channels.end(),
                     [](const PlannedChannel& p) { return p.week >= 0; });
}

// The greatest tilt of a schedule's profile: its last week gets up to
// e^12 (about 160,000) times what its first week gets at the same shape,
// so that a channel's whole budget can go to its last week (or first),
// the rest rounding to nothing.
constexpr double kMostTilt = 12;

// A schedule searched by its channels' profiles (docs/model.md "Planning
// the schedule"): the free cells of each channel form a group, and a
// candidate is, per group, a total T and a tilt t. A cell m of the group
// gets its lower bound plus a share of what the group has above its lower
// bounds, E = T - sum of lower:
//
//   x_m = lower_m + E w_m / sum w,   w_m = shape_m exp(t (week_m - mean week) / span)
//
// with shape_m the cell's share of the start's budget above the lower
// bounds (even when the start has nothing above them) and span the weeks
// between the group's first and last cell (at least 1). At t = 0 the
// start's own shape; t > 0 moves money to later weeks, t < 0 to earlier
// ones. So 2 variables a channel, not one a week: COBYLA needs W times
// fewer evaluations to settle the totals and the timing, and the
// verification then moves money between single cells.
class Profiles {
 public:
  // Groups the free cells (`free`: their planned channels; `lower`,
  // `upper`: their bounds) by channel, with the shape of `start` (their
  // budgets); `free_sum` is what they share.
  Profiles(const std::vector<PlannedChannel>& channels, const std::vector<size_t>& free,
           double free_sum, const std::vector<double>& lower, const std::vector<double>& upper,
           const std::vector<double>& start)
      : lower_(lower) {
    std::map<int, size_t> group_of;
    for (size_t k = 0; k < free.size(); ++k) {
      const PlannedChannel& p = channels[free[k]];
      // A free channel that is not a cell is a group of its own.
      const int key = p.week >= 0 ? p.channel : -1 - static_cast<int>(k);
      auto [it, added] = group_of.emplace(key, groups_.size());
      if (added) groups_.emplace_back();
      groups_[it->second].push_back(k);
    }
    for (const std::vector<size_t>& g : groups_) {
      double low = 0, high = 0, above = 0, first = 1e9, last = -1e9, mean = 0;
      for (size_t k : g) {
        low += lower[k];
        high += upper[k];
        above += std::max(0.0, start[k] - lower[k]);
        const double week = std::max(0, channels[free[k]].week);
        first = std::min(first, week);
        last = std::max(last, week);
        mean += week / static_cast<double>(g.size());
      }
      group_lower_.push_back(low);
      group_upper_.push_back(std::min(high, free_sum));
      std::vector<double>& shape = shape_.emplace_back();
      std::vector<double>& offset = offset_.emplace_back();
      const double span = std::max(1.0, last - first);
      for (size_t k : g) {
        shape.push_back(above > 0 ? std::max(0.0, start[k] - lower[k]) / above
                                  : 1.0 / static_cast<double>(g.size()));
        offset.push_back((std::max(0, channels[free[k]].week) - mean) / span);
      }
    }
  }

  size_t groups() const { return groups_.size(); }
  const std::vector<size_t>& members(size_t g) const { return groups_[g]; }
  double group_lower(size_t g) const { return group_lower_[g]; }
  double group_upper(size_t g) const { return group_upper_[g]; }

  // The group totals of the free cells `x`.
  std::vector<double> totals(const std::vector<double>& x) const {
    std::vector<double> out;
    for (const std::vector<size_t>& g : groups_) {
      double sum = 0;
      for (size_t k : g) sum += x[k];
      out.push_back(sum);
    }
    return out;
  }

  // The free cells' budgets of the totals p[0, G) and tilts p[G, 2G).
  std::vector<double> cells(const double* p) const {
    std::vector<double> x(lower_.size(), 0.0);
    const size_t n = groups_.size();
    for (size_t g = 0; g < n; ++g) {
      const double extra = std::max(0.0, p[g] - group_lower_[g]);
      std::vector<double> w;
      double sum = 0;
      for (size_t m = 0; m < groups_[g].size(); ++m) {
        w.push_back(shape_[g][m] * std::exp(p[n + g] * offset_[g][m]));
        sum += w.back();
      }
      for (size_t m = 0; m < groups_[g].size(); ++m) {
        const size_t k = groups_[g][m];
        x[k] = lower_[k] + (sum > 0 ? extra * w[m] / sum : 0.0);
      }
    }
    return x;
  }

 private:
  std::vector<double> lower_;  // of the free cells
  std::vector<std::vector<size_t>> groups_;
  std::vector<std::vector<double>> shape_, offset_;
  std::vector<double> group_lower_, group_upper_;
};

struct ProfileSearch {
  SearchContext* context;
  const Profiles* profiles;
};

double profile_score(unsigned n, const double* p, double* gradient, void* data) {
  (void)n;
  (void)gradient;  // COBYLA is derivative-free
  const auto* s = static_cast<const ProfileSearch*>(data);
  return evaluate(*s->context, s->profiles->cells(p));
}

double profile_total(unsigned n, const double* p, double* gradient, void* data) {
  (void)gradient;
  const auto* s = static_cast<const ProfileSearch*>(data);
  double sum = 0;
  for (unsigned g = 0; g < n / 2; ++g) sum += p[g];
  return sum - s->context->free_sum;
}

// COBYLA over the channels' totals and tilts from the free cells `x` (the
// shape is theirs), the total as an equality (spend all) or inequality
// constraint; `x` becomes the free cells of the best mix. Returns whether
// it converged before `max_evaluations`.
bool run_profile_cobyla(SearchContext& c, const std::vector<PlannedChannel>& channels,
                        const std::vector<double>& lower, const std::vector<double>& upper,
                        std::vector<double>& x, int max_evaluations) {
  const Profiles profiles(channels, c.free, c.free_sum, lower, upper, x);
  const size_t g = profiles.groups();
  std::vector<double> p = profiles.totals(x), low, high;
  p.resize(2 * g, 0.0);
  for (size_t k = 0; k < g; ++k) {
    low.push_back(profiles.group_lower(k));
    high.push_back(std::max(profiles.group_lower(k), profiles.group_upper(k)));
    p[k] = std::clamp(p[k], low.back(), high.back());
  }
  low.resize(2 * g, -kMostTilt);
  high.resize(2 * g, kMostTilt);
  std::vector<double> step(g, 0.25 * c.free_sum / static_cast<double>(g) + c.grid),
      tolerance(g, 0.02 * c.free_sum / static_cast<double>(g) + c.grid);
  // Tilts: first steps of 1, done within 0.2 (a week's share moved by
  // about a tenth of the span's difference).
  step.resize(2 * g, 1.0);
  tolerance.resize(2 * g, 0.2);
  ProfileSearch data{&c, &profiles};
  nlopt::opt optimizer(nlopt::LN_COBYLA, static_cast<unsigned>(2 * g));
  double value = 0;
  const nlopt::result status = run_nlopt(
      optimizer,
      [&](nlopt::opt& o) {
        o.set_lower_bounds(low);
        o.set_upper_bounds(high);
        o.set_max_objective(profile_score, &data);
        if (c.spend_all) {
          o.add_equality_constraint(profile_total, &data, 1e-6 * (1 + c.free_sum));
        } else {
          o.add_inequality_constraint(profile_total, &data, 1e-6 * (1 + c.free_sum));
        }
        o.set_initial_step(step);
        o.set_xtol_abs(tolerance);
        o.set_maxeval(max_evaluations);
      },
      p, &value);
  x.clear();
  for (size_t i : c.free) x.push_back(c.best.budgets[i]);
  return status != nlopt::MAXEVAL_REACHED;
}

// The best split of `total` among the planned channels: each start
// evaluated, then COBYLA from the best of them; for a schedule, over the
// channels' profiles (Profiles).
// REQUIRES: `starts` not empty, each a budget per planned channel.
Search search(MixRunner& runner, const std::vector<PlannedChannel>& channels,
              const std::vector<Start>& starts, double total, bool spend_all, int replications,
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
  std::vector<double> lower, upper;
  for (size_t i : c.free) {
    lower.push_back(channels[i].lower);
    upper.push_back(std::min(channels[i].upper, c.free_sum));
  }
  if (c.free.empty()) {
    evaluate(c, {});
    return c.best;
  }
  std::vector<double> x;
  const std::vector<v1::SearchStart> tried = try_starts(c, starts, lower, upper, x);
  bool converged = true;
  const bool schedule = is_schedule(channels);
  if (!(c.free.size() == 1 && spend_all)) {  // else nothing to choose
    converged = schedule ? run_profile_cobyla(c, channels, lower, upper, x, max_evaluations)
                         : run_cobyla(c, lower, upper, x, max_evaluations);
    snap_to_bounds(c, lower, upper);
  }
  c.best.converged = converged;
  c.best.starts = tried;
  return c.best;
}

// The free cells of a schedule grouped by channel, with the shape of
// `reference` (a budget per planned channel).
Profiles schedule_profiles(const std::vector<PlannedChannel>& channels,
                           const std::vector<double>& reference, double total) {
  const FreeChannels f = free_channels(channels);
  std::vector<double> lower, upper, start;
  for (size_t i : f.free) {
    lower.push_back(channels[i].lower);
    upper.push_back(channels[i].upper);
    start.push_back(reference[i]);
  }
  return Profiles(channels, f.free, std::max(0.0, total - f.locked), lower, upper, start);
}

// The budgets of every planned channel: `reference`, with the free cells
// those of the profile totals `totals` at no tilt (the reference's shape).
std::vector<double> profile_mix(const std::vector<PlannedChannel>& channels,
                                const Profiles& profiles, std::vector<double> totals,
                                std::vector<double> reference) {
  const FreeChannels f = free_channels(channels);
  totals.resize(2 * profiles.groups(), 0.0);
  const std::vector<double> cells = profiles.cells(totals.data());
  for (size_t k = 0; k < f.free.size(); ++k) {
    const PlannedChannel& c = channels[f.free[k]];
    reference[f.free[k]] = std::clamp(cells[k], c.lower, c.upper);
  }
  return reference;
}

// A surface curve's budgets, increasing: `low` + (`top` - `low`) t^2 for
// t = 0, 1/P, ... 1, and the reference's own `at`.
std::vector<double> surface_budgets(double low, double top, int points, double at) {
  std::vector<double> budgets = {at};
  for (int k = 0; k <= points; ++k) {
    const double t = static_cast<double>(k) / points;
    budgets.push_back(low + (top - low) * t * t);
  }
  std::sort(budgets.begin(), budgets.end());
  budgets.erase(std::unique(budgets.begin(), budgets.end()), budgets.end());
  return budgets;
}

// The response surface: for each free channel, the search score against
// its budget from its lower bound to the most it may get (the others at
// their lower bounds), the other channels held at `reference`; budgets
// spaced as the squares 0, 1/P^2, 4/P^2, ... 1 of that range, denser where
// S-shaped and concave curves bend, plus the reference's own. Returns a
// curve per free channel, in order.
std::vector<ResponsePoints> response_surface(MixRunner& runner,
                                             const std::vector<PlannedChannel>& channels,
                                             const std::vector<double>& reference, double total,
                                             int replications, int points, bool conversions) {
  const FreeChannels f = free_channels(channels);
  double free_lower = 0;
  for (size_t i : f.free) free_lower += channels[i].lower;
  const double free_sum = std::max(0.0, total - f.locked);
  std::map<std::vector<double>, double> scores;
  auto score_of = [&](const std::vector<double>& budgets) {
    auto hit = scores.find(budgets);
    if (hit != scores.end()) return hit->second;
    const double s = search_score(runner, runner.run(budgets, replications), conversions);
    scores.emplace(budgets, s);
    return s;
  };
  std::vector<ResponsePoints> curves;
  if (is_schedule(channels)) {
    // A curve per channel, not per cell: the channel's cells scaled
    // together in the reference's shape (Profiles at no tilt).
    const Profiles profiles = schedule_profiles(channels, reference, total);
    std::vector<double> at_reference;
    for (size_t i : f.free) at_reference.push_back(reference[i]);
    const std::vector<double> totals = profiles.totals(at_reference);
    for (size_t g = 0; g < profiles.groups(); ++g) {
      const double low = profiles.group_lower(g);
      const double top = std::min(profiles.group_upper(g), free_sum - (free_lower - low));
      ResponsePoints& curve = curves.emplace_back();
      for (double b : surface_budgets(low, top, points, totals[g])) {
        std::vector<double> group_totals = totals;
        group_totals[g] = b;
        curve.budgets.push_back(b);
        curve.values.push_back(score_of(profile_mix(channels, profiles, group_totals, reference)));
      }
    }
    return curves;
  }
  for (size_t i : f.free) {
    const PlannedChannel& c = channels[i];
    const double top = std::min(c.upper, free_sum - (free_lower - c.lower));
    ResponsePoints& curve = curves.emplace_back();
    for (double b : surface_budgets(c.lower, top, points, reference[i])) {
      std::vector<double> mix = reference;
      mix[i] = b;
      curve.budgets.push_back(b);
      curve.values.push_back(score_of(mix));
    }
  }
  return curves;
}

// The best split of `total` on the surface: a start for the search. For a
// schedule, of `total` among the channels, each spread in `reference`'s
// shape (the surface's).
Start surface_start(const std::vector<ResponsePoints>& surface,
                    const std::vector<PlannedChannel>& channels, double total, bool spend_all,
                    const std::vector<double>& reference) {
  const FreeChannels f = free_channels(channels);
  if (is_schedule(channels)) {
    const Profiles profiles = schedule_profiles(channels, reference, total);
    std::vector<double> lower, upper;
    for (size_t g = 0; g < profiles.groups(); ++g) {
      lower.push_back(profiles.group_lower(g));
      upper.push_back(profiles.group_upper(g));
    }
    const std::vector<double> split = best_separable_split(
        surface, lower, upper, std::max(0.0, total - f.locked), spend_all, kSurfaceSteps);
    return {"surface", profile_mix(channels, profiles, split, reference)};
  }
  std::vector<double> lower, upper, budgets;
  for (const PlannedChannel& c : channels) budgets.push_back(c.lower);
  for (size_t i : f.free) {
    lower.push_back(channels[i].lower);
    upper.push_back(channels[i].upper);
  }
  const std::vector<double> split = best_separable_split(
      surface, lower, upper, std::max(0.0, total - f.locked), spend_all, kSurfaceSteps);
  for (size_t k = 0; k < f.free.size(); ++k) budgets[f.free[k]] = split[k];
  return {"surface", budgets};
}

// The total split evenly among the free channels (fitted to the bounds by
// the search).
Start even_start(const std::vector<PlannedChannel>& channels, double total) {
  const FreeChannels f = free_channels(channels);
  std::vector<double> budgets;
  for (const PlannedChannel& c : channels) budgets.push_back(c.lower);
  for (size_t i : f.free) {
    budgets[i] = std::max(0.0, total - f.locked) / static_cast<double>(f.free.size());
  }
  return {"even", budgets};
}

void set_mix(const std::vector<PlannedChannel>& channels, const v1::Scenario& scenario,
             const MixRunner::Run& run, double estimate_confidence, const Estimate& objective,
             v1::MixEstimate* out) {
  // Schedule cells add up per channel, as the mean weekly spend.
  const double horizon = run.model().settings.horizon_days;
  std::map<int, v1::ChannelBudget*> of_channel;
  double total = 0;
  for (size_t i = 0; i < channels.size(); ++i) {
    const double weekly = run.budgets[i] *
                          spend_per_unit(channels[i], run.model().settings.horizon_days) * 7.0 /
                          horizon;
    v1::ChannelBudget*& b = of_channel[channels[i].channel];
    if (b == nullptr) {
      b = out->add_channels();
      b->set_channel(planned_id(scenario, channels[i].channel));
    }
    if (channels[i].channel == kCareStaffing) {
      out->set_care_daily_capacity(run.model().loyalty.care.capacity);
    }
    b->set_weekly_budget(b->weekly_budget() + weekly);
    total += weekly;
  }
  out->set_total_weekly_budget(total);
  set_estimate(objective, out->mutable_estimate());
  set_kpis(run.kpis(), estimate_confidence, false, out->mutable_kpis());
}

std::string signed_number(double v) { return (v > 0 ? "+" : "") + note_number(v); }

std::string interval_words(const v1::Estimate& e) {
  return signed_number(e.mean()) + " [" + signed_number(e.ci_low()) + ", " +
         signed_number(e.ci_high()) + "]";
}

// A move in words: "moving 1,000 a week from tiktok to search".
std::string move_words(const v1::MixMove& m) {
  const std::string amount = note_number(m.amount()) + " a week";
  if (m.kind() == "shift") {
    return "moving " + amount + " from " + m.channel() + " to " + m.to_channel();
  }
  if (m.kind() == "to_lower")
    return "cutting " + m.channel() + " by " + amount + " to its lower bound";
  if (m.kind() == "up" || m.kind() == "mroas_up") return "raising " + m.channel() + " by " + amount;
  return "cutting " + m.channel() + " by " + amount;
}

// The step of a marginal return of planned entry `channel` at budget
// `budget`: 5% of it or of the mean planned budget, at least 1; care's
// staffing on its own scale (as its verification moves, move_step), 5% of
// its budget but at least 0.5% of the mean.
double marginal_step(const PlannedChannel& channel, double budget, double total, size_t planned) {
  const double mean = total / static_cast<double>(planned);
  if (channel.channel == kCareStaffing) return std::max({0.005 * mean, 0.05 * budget, 1.0});
  return std::max({0.05 * mean, 0.05 * budget, 1.0});
}

// The marginal return of planned channel `i` at `at`: its budget raised by
// a step (5% of its budget or of the mean budget, at least 1), paired on
// the confirmation's replications: the forward difference (value(x + s) -
// value(x)) / s, what one more step brings. With a profit objective, whose
// check compares the slope with 1, also lowered when its bounds allow: the
// central difference (value(x + s) - value(x - s)) / 2s, the slope at the
// recommendation. Other channels keep their budgets.
v1::MarginalReturn marginal_return(MixRunner& runner, const v1::Scenario& scenario,
                                   const std::vector<PlannedChannel>& channels,
                                   const MixRunner::Run& at, size_t i,
                                   const OptimizeSettings& settings, int replications,
                                   const RunSettings& sim, const std::string& counted,
                                   const std::string& value_kpi) {
  const PlannedChannel& c = channels[i];
  const double step = marginal_step(c, at.budgets[i], settings.total, channels.size());
  std::vector<double> more = at.budgets;
  more[i] += step;
  const MixRunner::Run raised = runner.run(more, replications);
  std::optional<MixRunner::Run> lowered;
  if (settings.objective == "profit" && at.budgets[i] - step >= c.lower) {
    std::vector<double> less = at.budgets;
    less[i] -= step;
    lowered = runner.run(less, replications);
  }
  const MixRunner::Run& from = lowered ? *lowered : at;
  const double width = lowered ? 2 * step : step;
  const std::vector<KpiSeries> low_kpis = from.kpis();
  const std::vector<KpiSeries> high_kpis = raised.kpis();
  auto difference = [&](const std::string& name) {
    return compare_kpi(*find_kpi(low_kpis, name), *find_kpi(high_kpis, name), sim.confidence)
        .difference;
  };
  const Estimate d_conversions = difference(counted);
  const Estimate d_value = difference(value_kpi);
  const Estimate d_total_value = difference("value");
  const KpiComparison d_objective = paired_gain(from.objective, raised.objective, settings.cvar,
                                                sim.confidence, sim.seed, runner.draws());
  v1::MarginalReturn m;
  m.set_channel(planned_name(scenario, c));
  m.set_step(step);
  m.set_central(lowered.has_value());
  m.set_conversions_per_unit_kpi(counted);
  m.set_value_per_unit_kpi(value_kpi);
  set_estimate(scale_estimate(d_conversions, 1 / width), m.mutable_conversions_per_unit());
  set_estimate(scale_estimate(d_value, 1 / width), m.mutable_value_per_unit());
  const double extra_spend = width * spend_per_unit(c, from.model().settings.horizon_days);
  set_estimate(scale_estimate(d_total_value, 1 / extra_spend), m.mutable_mroas());
  set_estimate(scale_estimate(d_objective.difference, 1 / extra_spend),
               m.mutable_objective_per_spend());
  set_estimate(ratio_of_fixed(extra_spend, d_conversions), m.mutable_marginal_cpa());
  return m;
}

// A better budget for channel `i` from `at` (the others held, spending at
// most), in direction `up` (its mROAS interval lies above 1) or down
// (below 1): first the budget moved by 1, 2, 4, ... marginal steps to its
// bound or the total, the best of them if its profit is higher than that
// of `at`, paired on its replications; else the vertex of the parabola
// through the profits at x - s, x and x + s (a Newton step along the
// channel, where the marginal return is 1 if the curve is locally
// quadratic), the mROAS interval being the evidence that x is not the
// optimum. Recorded as a taken move of the verification ("mroas_up" or
// "mroas_down"); nullopt when no budget differs from x.
std::optional<MixRunner::Run> along_channel(
    MixRunner& runner, const std::vector<PlannedChannel>& channels, const MixRunner::Run& at,
    size_t i, bool up, const VerificationSettings& check, double cvar, double confidence,
    uint64_t seed, const v1::Scenario& scenario, v1::Verification* record) {
  const int replications = static_cast<int>(at.objective.size());
  const double x = at.budgets[i];
  const double spent = std::accumulate(at.budgets.begin(), at.budgets.end(), 0.0);
  const double room_up = std::min(channels[i].upper - x, check.total - spent);
  const double room_down = x - channels[i].lower;
  const double room = up ? room_up : room_down;
  const double tiny = 1e-9 * (1 + check.total);
  const double step = marginal_step(channels[i], x, check.total, channels.size());
  auto run_at = [&](double budget) {
    std::vector<double> budgets = at.budgets;
    budgets[i] = budget;
    return runner.run(budgets, replications);
  };
  std::optional<MixRunner::Run> best;
  KpiComparison best_gain;
  for (double amount = step; room > tiny; amount *= 2) {
    const double moved = std::min(amount, room);
    MixRunner::Run run = run_at(x + (up ? moved : -moved));
    const KpiComparison gain =
        paired_gain(at.objective, run.objective, cvar, confidence, seed, runner.draws());
    if (gain.difference.mean > (best ? best_gain.difference.mean : 0.0)) {
      best_gain = gain;
      best = std::move(run);
    }
    if (moved >= room) break;
  }
  if (!best) {
    // The parabola through x - s, x, x + s, within the bounds and the total.
    const double below = std::min(step, room_down), above = std::min(step, room_up);
    if (below <= tiny || above <= tiny) return std::nullopt;
    const double p0 = runner.score(at.objective);
    const double low = runner.score(run_at(x - below).objective);
    const double high = runner.score(run_at(x + above).objective);
    // Slopes on either side; the vertex where the interpolated slope is 0.
    const double left = (p0 - low) / below, right = (high - p0) / above;
    double target = x;
    if (left > right) {
      // The slopes belong to the midpoints x - below / 2 and x + above / 2.
      target = x - below / 2 + (below + above) / 2 * left / (left - right);
    } else {
      target = right > 0 ? x + above : x - below;  // no curvature: the better end
    }
    target = std::clamp(target, x - below, x + above);
    if (std::abs(target - x) <= tiny) return std::nullopt;
    MixRunner::Run run = run_at(target);
    best_gain = paired_gain(at.objective, run.objective, cvar, confidence, seed, runner.draws());
    best = std::move(run);
  }
  const double amount = best->budgets[i] - x;
  v1::MixMove* m = record->add_moves();
  m->set_round(record->rounds());
  m->set_kind(amount < 0 ? "mroas_down" : "mroas_up");
  m->set_channel(planned_name(scenario, channels[i]));
  m->set_amount(std::abs(amount));
  set_estimate(best_gain.difference, m->mutable_gain());
  m->set_verdict(std::string(verdict_name(best_gain.verdict)));
  m->set_taken(true);
  return best;
}

// The steps of optimize_mix (docs/model.md "Channel-mix planning"), in
// order: the response surface, the search for the mode, the confirmation
// against the current mix, the verification (with the profit passes along a
// channel), then the result and the notes that explain it. One object per
// call; not shared between threads.
class MixPlanning {
 public:
  MixPlanning(const v1::Scenario& scenario, const std::vector<PlannedChannel>& channels,
              const OptimizeSettings& settings, StudyProgress* progress, v1::OptimizeResult& result)
      : scenario_(scenario),
        channels_(channels),
        settings_(settings),
        progress_(progress),
        run_(resolve_run_settings(scenario.simulation())),
        runner_(scenario, channels, settings.objective, counted_conversions(settings.objective),
                settings.cvar, progress, settings.runner),
        allocate_(settings.mode == OptimizeSettings::Mode::kAllocate),
        confirm_(std::max(settings.confirm_replications, run_.replications)),
        counted_(counted_conversions(settings.objective)),
        value_kpi_(settings.objective.rfind("value:", 0) == 0 ? settings.objective : "value"),
        tolerance_(1e-6 * (1 + settings.total)),
        result_(result) {
    std::set<int> free_ids;
    for (const PlannedChannel& c : channels_) {
      free_ += c.lower != c.upper;
      schedule_ |= c.week >= 0;
      if (c.lower != c.upper) free_ids.insert(c.channel);
    }
    // A schedule is searched by its channels' profiles, a total and a tilt
    // each (Profiles): 10 evaluations a channel, 5 a variable.
    max_evaluations_ =
        settings_.max_evaluations > 0 ? settings_.max_evaluations
        : schedule_                   ? 30 + 10 * static_cast<int>(free_ids.size())
                                      : 30 + 15 * static_cast<int>(free_);
    current_ = current_budgets(scenario_, channels_);
  }

  // Fills the result; false when progress was stopped (it is incomplete).
  bool run() {
    build_surface();
    best_ = allocate_ ? search_from("current", current_, settings_.total, settings_.spend_all,
                                    max_evaluations_, false)
                      : search_target();
    for (const v1::SearchStart& s : best_.starts) *result_.add_starts() = s;
    if (stopped()) return false;
    confirm();
    if (!verify()) return false;
    set_result();
    std::set<std::string> inside = note_bounds();
    note_verification();
    if (settings_.objective == "profit") check_mroas(inside);
    result_.set_evaluations(runner_.evaluations());
    result_.set_stopped(best_.converged ? "converged" : "max_evaluations");
    return true;
  }

 private:
  bool stopped() const { return progress_ != nullptr && progress_->stopped(); }
  void note(const std::string& text) { result_.add_notes(text); }
  double spent() const { return std::accumulate(next_.budgets.begin(), next_.budgets.end(), 0.0); }

  // The response surface, around the current mix within the bounds: once,
  // for every total a target mode tries. Not when there is nothing to
  // choose (one free channel sharing all of the total, or none).
  void build_surface() {
    const bool at_most = allocate_ && !settings_.spend_all;
    if (settings_.surface_points <= 0 || !(free_ >= 2 || (free_ == 1 && at_most))) return;
    std::vector<double>& reference = surface_reference_;
    for (size_t i = 0; i < channels_.size(); ++i) {
      reference.push_back(std::clamp(current_[i], channels_[i].lower, channels_[i].upper));
    }
    surface_ = response_surface(runner_, channels_, reference, settings_.total, run_.replications,
                                settings_.surface_points, !allocate_);
    result_.set_surface_points(settings_.surface_points);
  }

  // A local search from `from`, the even split and the surface's best.
  // A schedule's even split (every channel the same in every week) is
  // left out where there is a surface: that already weighs the channels,
  // and the profile search varies the timing.
  Search search_from(const std::string& name, const std::vector<double>& from, double total,
                     bool spend_all, int evaluations, bool on_conversions) {
    std::vector<Start> starts = {{name, from}};
    if (!schedule_ || surface_.empty()) starts.push_back(even_start(channels_, total));
    if (!surface_.empty()) {
      starts.push_back(surface_start(surface_, channels_, total, spend_all, surface_reference_));
    }
    return search(runner_, channels_, starts, total, spend_all, run_.replications, evaluations,
                  on_conversions);
  }

  // The target modes: the total by bisection. The best conversions grow
  // with the budget, and (with saturation) so does the cost per conversion.
  Search search_target() {
    const bool conversions_mode = settings_.mode == OptimizeSettings::Mode::kTargetConversions;
    auto meets = [&](const Search& s) {
      return conversions_mode ? s.conversions >= settings_.target
                              : s.conversions > 0 && s.cost / s.conversions <= settings_.target;
    };
    const int inner = std::max(10, max_evaluations_ / 3);
    double low = 0;
    for (const PlannedChannel& c : channels_) low += c.lower;
    const double high = settings_.total;
    auto search_at = [&](const std::string& name, const std::vector<double>& from, double total) {
      return search_from(name, from, total, true, inner, true);
    };
    Search at_high = search_at("current", current_, high);
    Search at_low = search_at("current", current_, low);
    // Between a total that meets the target and one that does not.
    auto bisect = [&](double meeting, double failing, Search at_meeting) {
      for (int k = 0; k < 8; ++k) {
        const double mid = (meeting + failing) / 2;
        Search s = search_at("previous", at_meeting.budgets, mid);
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
        note("the target of " + note_number(settings_.target) +
             " conversions is not reached within --weekly-budget; the best mix of it is shown");
        return at_high;
      }
      return meets(at_low) ? at_low : bisect(high, low, at_high);
    }
    // The largest total that keeps the cost per conversion.
    if (meets(at_high)) return at_high;
    if (!meets(at_low)) {
      note(
          "no budget within the bounds keeps the cost per conversion under the target; the "
          "lowest budget is shown");
      return at_low;
    }
    return bisect(low, high, at_low);
  }

  // Whether the current mix lies within the bounds and the total.
  bool current_is_feasible() const {
    double sum = 0;
    bool feasible = true;
    for (size_t i = 0; i < channels_.size(); ++i) {
      feasible &=
          current_[i] >= channels_[i].lower - 1e-9 && current_[i] <= channels_[i].upper + 1e-9;
      sum += current_[i];
    }
    return feasible &&
           (settings_.spend_all ? std::abs(sum - settings_.total) <= 1e-6 * settings_.total
                                : sum <= settings_.total * (1 + 1e-9));
  }

  // Confirmation: the search's mix against the current one, paired, with
  // more replications.
  void confirm() {
    now_ = runner_.run(current_, confirm_);
    next_ = runner_.run(best_.budgets, confirm_);
    const KpiComparison gain = paired_gain(now_.objective, next_.objective, settings_.cvar,
                                           run_.confidence, run_.seed, runner_.draws());
    current_feasible_ = current_is_feasible();
    if (allocate_ && gain.verdict == Verdict::kWorse && current_feasible_) {
      note(
          "the confirmation run found the search's mix worse than the current one (the search's "
          "replications misled it); the verification starts from the current mix");
      next_ = now_;
    }
  }

  // Verification: moves from the mix on the confirmation's replications.
  // Marginal returns at a mix; with a profit objective, a channel strictly
  // inside its bounds whose mROAS interval excludes 1 is then moved along
  // its own curve, and the verification runs again from there (at most
  // kProfitPasses times), so that the last verification and the marginal
  // returns are always those of the recommendation. False once stopped.
  bool verify() {
    check_.total = allocate_ ? settings_.total : spent();
    check_.spend_all = allocate_ ? settings_.spend_all : true;
    check_.on_conversions = !allocate_;
    // A schedule's moves are many (114 a round for 3 channels over 8
    // weeks): screened on half the replications, the promising ones then
    // run on all of the confirmation's.
    // (At least 4, or all of the search's when it has fewer.)
    check_.screen_replications = std::min(
        schedule_ ? std::max(std::min(4, run_.replications), run_.replications / 2)
                  : run_.replications,
        confirm_);
    // Over parameter draws a gain needs two replications of each draw.
    if (runner_.draws() >= 2) {
      check_.screen_replications =
          std::max(check_.screen_replications, std::min(2 * runner_.draws(), confirm_));
    }
    // and those that pass run on the search's replications before all.
    check_.middle_replications = schedule_ ? run_.replications : 0;
    check_.replications = confirm_;
    check_.confidence = run_.confidence;
    check_.max_rounds = settings_.verify_rounds;
    check_.seed = run_.seed;
    constexpr int kProfitPasses = 3;
    v1::Verification* record = result_.mutable_verification();
    for (int pass = 1;; ++pass) {
      VerifiedMix verified =
          verify_mix(runner_, scenario_, channels_, std::move(next_), check_, progress_);
      if (stopped()) return false;
      next_ = std::move(verified.run);
      append_rounds(verified.record, record);
      measure();
      if (settings_.objective != "profit" || check_.spend_all || pass == kProfitPasses) break;
      bool up = false;
      const int worst = furthest_from_one(&up);
      if (worst < 0) break;
      std::optional<MixRunner::Run> moved =
          along_channel(runner_, channels_, next_, static_cast<size_t>(worst), up, check_,
                        settings_.cvar, run_.confidence, run_.seed, scenario_, record);
      if (!moved) break;
      next_ = std::move(*moved);
    }
    return true;
  }

  // A pass's rounds, numbered on from the passes before.
  static void append_rounds(const v1::Verification& pass, v1::Verification* record) {
    const int offset = record->rounds();
    for (v1::MixMove m : pass.moves()) {
      if (m.round() > 0) m.set_round(m.round() + offset);
      *record->add_moves() = m;
    }
    record->set_rounds(offset + pass.rounds());
    record->set_max_rounds(pass.max_rounds());
    record->set_outcome(pass.outcome());
    if (pass.has_still_helps()) {
      *record->mutable_still_helps() = pass.still_helps();
      record->mutable_still_helps()->set_round(pass.still_helps().round() + offset);
    } else {
      record->clear_still_helps();
    }
  }

  // The marginal returns of every free channel at the recommendation.
  void measure() {
    result_.clear_marginal();
    // A schedule's cells are many and each moves little money: their
    // marginal returns are paired on the search's replications, the
    // recommendation's first ones (docs/model.md "Planning the schedule").
    const int replications = schedule_ ? std::min(run_.replications, confirm_) : confirm_;
    std::optional<MixRunner::Run> first;
    if (replications < static_cast<int>(next_.reps.size())) {
      first = next_;
      first->reps.resize(static_cast<size_t>(replications));
      first->objective.resize(static_cast<size_t>(replications));
      first->conversions.resize(static_cast<size_t>(replications));
    }
    const MixRunner::Run& at = first ? *first : next_;
    for (size_t i = 0; i < channels_.size(); ++i) {
      if (channels_[i].lower == channels_[i].upper) continue;
      *result_.add_marginal() = marginal_return(runner_, scenario_, channels_, at, i, settings_,
                                                replications, run_, counted_, value_kpi_);
    }
  }

  // The free channel strictly inside its bounds whose mROAS interval lies
  // furthest from 1 (above 1 only when budget is left), or -1; `up` is set
  // when its mROAS is above 1.
  int furthest_from_one(bool* up) const {
    const bool spent_all = check_.spend_all || spent() >= check_.total - tolerance_;
    int worst = -1, k = 0;
    double worst_gap = 0;
    for (size_t i = 0; i < channels_.size(); ++i) {
      if (channels_[i].lower == channels_[i].upper) continue;
      const v1::Estimate& e = result_.marginal(k++).mroas();
      if (next_.budgets[i] <= channels_[i].lower + tolerance_ ||
          next_.budgets[i] >= channels_[i].upper - tolerance_) {
        continue;
      }
      const double gap = e.ci_high() < 1                ? 1 - e.ci_high()
                         : e.ci_low() > 1 && !spent_all ? e.ci_low() - 1
                                                        : 0;
      if (gap > worst_gap) {
        worst_gap = gap;
        worst = static_cast<int>(i);
        *up = e.ci_low() > 1;
      }
    }
    return worst;
  }

  Estimate objective_estimate(const MixRunner::Run& run) const {
    if (settings_.cvar > 0) return exact_estimate(runner_.score(run.objective), confirm_);
    KpiSeries k;
    k.name = "objective";
    k.samples = run.objective;
    k.parameter_draws = runner_.draws();
    if (const std::optional<KpiInfo> info = kpi_info(settings_.objective)) k.range = info->range;
    return estimate_kpi(k, run_.confidence, false);
  }

  // The provenance, the settings, both mixes and the gain, paired.
  void set_result() {
    const KpiComparison gain = paired_gain(now_.objective, next_.objective, settings_.cvar,
                                           run_.confidence, run_.seed, runner_.draws());
    if (gain.verdict == Verdict::kWorse) {
      note(current_feasible_
               ? "the current mix does better than the recommendation"
               : "the current mix does better, but it lies outside the bounds or the total given");
    }
    set_provenance(
        make_provenance(scenario_, settings_.variant, run_.replications, settings_.threads),
        &result_);
    result_.set_confirm_replications(confirm_);
    result_.set_objective(settings_.objective);
    if (settings_.cvar > 0) {
      char text[32];
      std::snprintf(text, sizeof text, "cvar:%g", settings_.cvar);
      result_.set_risk(text);
    }
    result_.set_mode(allocate_ ? "allocate"
                     : settings_.mode == OptimizeSettings::Mode::kTargetConversions
                         ? "target_conversions"
                         : "target_cpa");
    result_.set_weekly_budget(settings_.total);
    if (schedule_) {
      const double horizon = now_.model().settings.horizon_days;
      result_.set_total_budget(settings_.total);
      result_.set_weekly_budget(settings_.total * 7.0 / horizon);
      set_schedule();
    }
    set_mix(channels_, scenario_, now_, run_.confidence, objective_estimate(now_),
            result_.mutable_current());
    set_mix(channels_, scenario_, next_, run_.confidence, objective_estimate(next_),
            result_.mutable_recommended());
    set_estimate(gain.difference, result_.mutable_gain());
    result_.set_verdict(std::string(verdict_name(gain.verdict)));
    if (!allocate_) {
      const Estimate conversions =
          estimate_kpi(*find_kpi(next_.kpis(), "conversions"), run_.confidence, false);
      const bool met =
          settings_.mode == OptimizeSettings::Mode::kTargetConversions
              ? conversions.mean >= settings_.target
              : conversions.mean > 0 && next_.cost / conversions.mean <= settings_.target;
      if (!met) note("at the confirmation's replications the recommended mix misses the target");
    }
  }

  // The schedule's cells, week by week (the channels in their planned
  // order), with the marginal return of each free one.
  void set_schedule() {
    const int horizon = now_.model().settings.horizon_days;
    const Result<Calendar> calendar = Calendar::of(scenario_.simulation());
    CJSIM_CHECK(calendar.is_ok(), "a validated start date");
    std::map<std::string, const v1::MarginalReturn*> marginal;
    for (const v1::MarginalReturn& m : result_.marginal()) marginal[m.channel()] = &m;
    std::vector<size_t> order(channels_.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return channels_[a].week < channels_[b].week; });
    for (size_t i : order) {
      const PlannedChannel& c = channels_[i];
      if (c.week < 0) continue;
      const DaySpan days = week_span(c.week, horizon);
      const double per_week = 7.0 / (days.to - days.from + 1);
      v1::ScheduleCell* cell = result_.add_schedule();
      cell->set_week(c.week + 1);
      cell->set_from_day(days.from);
      cell->set_to_day(days.to);
      cell->set_from_date(calendar->date(days.from));
      cell->set_channel(scenario_.channels(c.channel).id());
      cell->set_current_budget(current_[i]);
      cell->set_budget(next_.budgets[i]);
      cell->set_current_weekly_budget(current_[i] * per_week);
      cell->set_weekly_budget(next_.budgets[i] * per_week);
      auto m = marginal.find(planned_name(scenario_, c));
      if (m != marginal.end()) *cell->mutable_marginal_return() = m->second->objective_per_spend();
    }
  }

  // Bounds and dropped channels, in words; returns the free channels
  // strictly inside their bounds.
  std::set<std::string> note_bounds() {
    std::set<std::string> inside;
    for (size_t i = 0; i < channels_.size(); ++i) {
      const PlannedChannel& c = channels_[i];
      const std::string id = planned_name(scenario_, c);
      if (c.lower == c.upper) continue;
      const double budget = next_.budgets[i];
      const bool at_lower = std::abs(budget - c.lower) <= tolerance_;
      const bool at_upper = std::abs(budget - c.upper) <= tolerance_;
      if (at_lower || at_upper) result_.add_binding(id);
      if (budget <= tolerance_ && current_[i] > tolerance_) {
        result_.add_dropped(id);
        note(id + " is dropped: 0 a week recommended, " + note_number(current_[i]) + " now");
      } else if (at_lower && c.lower > 0) {
        note(id + " is held at its lower bound of " + note_number(c.lower) +
             " a week: the bound, not its returns, sets its budget");
      } else if (at_upper && !(check_.spend_all && c.upper >= check_.total - tolerance_)) {
        note(id + " is held at its upper bound of " + note_number(c.upper) +
             " a week: it would take more if the bound allowed");
      } else if (!at_lower && !at_upper) {
        inside.insert(id);
      }
    }
    return inside;
  }

  // The verification, in words: budgets tidied away, moves taken, the
  // profit passes, and whether any move still helps.
  void note_verification() {
    const v1::Verification& v = result_.verification();
    const std::string what = allocate_ ? result_.objective() : "conversions (at this total)";
    int tried = 0, last_round = 0;
    std::vector<std::string> taken, along;
    std::string crumbs;
    const v1::MixMove* tidied = nullptr;
    for (const v1::MixMove& m : v.moves()) {
      const bool by_mroas = m.kind().rfind("mroas_", 0) == 0;
      if (m.round() > 0 && !by_mroas) {
        ++tried;
        last_round += m.round() == v.rounds();
      }
      if (!m.taken()) continue;
      const std::string words = move_words(m) + " (" + interval_words(m.gain()) + ")";
      if (m.round() == 0) {
        crumbs += (crumbs.empty() ? "" : ", ") + m.channel() + " (-" + note_number(m.amount()) +
                  " a week)";
        tidied = &m;
      } else {
        (by_mroas ? along : taken).push_back(words);
      }
    }
    auto joined = [](const std::vector<std::string>& items) {
      std::string list;
      for (const std::string& t : items) list += (list.empty() ? "" : "; ") + t;
      return list;
    };
    if (tidied != nullptr) {
      note(
          "budgets less than 1% of the total above their lower bounds were cut to them: " + crumbs +
          "; together they changed the " + what + " by " + interval_words(tidied->gain()));
    }
    if (!taken.empty()) {
      note("the verification improved on the search with " + std::to_string(taken.size()) +
           (taken.size() == 1 ? " move: " : " moves: ") + joined(taken));
    }
    if (!along.empty()) {
      note("to bring a channel's mROAS to 1 (its interval excluded 1), " + joined(along) +
           "; the verification then ran again from there");
    }
    if (v.outcome() == "none_helps") {
      const std::string family =
          !schedule_ ? "each channel cut by a step and to its lower bound, raised by a step, and a "
                       "step shifted between every pair"
          : settings_.spend_all
              ? "each cell to its lower bound, and a step shifted to another channel the same "
                "week or to the same channel's week before or after"
              : "each cell cut by a step and to its lower bound, raised by a step, and a step "
                "shifted to another channel the same week or to the same channel's week before "
                "or after";
      note("verified: from the recommendation, none of the " + std::to_string(last_round) +
           " moves of the last round (" + family + ") improves the " +
           what + " at " + note_number(100 * run_.confidence) + "% (" + std::to_string(confirm_) +
           " paired replications; " + std::to_string(tried) + " moves in " +
           std::to_string(v.rounds()) + (v.rounds() == 1 ? " round" : " rounds") + " in all)");
    } else if (v.outcome() == "rounds_exhausted") {
      // With several passes (profit, spending at most) the rounds are
      // numbered on: the limit is per pass.
      const std::string limit =
          v.rounds() > v.max_rounds()
              ? "its " + std::to_string(v.max_rounds()) +
                    (v.max_rounds() == 1 ? " round" : " rounds") + " a pass (" +
                    std::to_string(v.rounds()) + " rounds in all; raise --verify-rounds)"
              : std::to_string(v.rounds()) + (v.rounds() == 1 ? " round" : " rounds") +
                    " (raise --verify-rounds)";
      note(move_words(v.still_helps()) + " would still improve the " + what + " by " +
           interval_words(v.still_helps().gain()) + ": the verification stopped after " + limit);
    }
  }

  // With a profit objective, mROAS = 1 at the optimum of a channel strictly
  // inside its bounds (`inside`), unless the total binds.
  void check_mroas(const std::set<std::string>& inside) {
    const bool total_bound = check_.spend_all || spent() >= check_.total - tolerance_;
    v1::MroasCheck* mc = result_.mutable_mroas_check();
    for (const v1::MarginalReturn& m : result_.marginal()) {
      if (!inside.count(m.channel())) continue;
      if (m.mroas().ci_high() < 1) mc->add_below_one(m.channel());
      if (m.mroas().ci_low() > 1) mc->add_above_one(m.channel());
    }
    // Spending at most with all of it spent, only a channel returning less
    // than it costs is out of place.
    const bool fails = check_.spend_all ? false
                       : total_bound    ? mc->below_one_size() > 0
                                        : mc->below_one_size() + mc->above_one_size() > 0;
    mc->set_outcome(fails ? "failed" : total_bound ? "total_bound" : "passed");
    auto list = [](const google::protobuf::RepeatedPtrField<std::string>& ids) {
      std::string out;
      for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
      return out;
    };
    if (mc->outcome() == "passed") {
      note(
          "every channel inside its bounds has an mROAS interval that contains 1, as at a "
          "profit optimum");
    } else if (mc->outcome() == "total_bound") {
      note(std::string("the whole budget is spent, so the channels' mROAS need not be 1: ") +
           (mc->above_one_size() > 0
                ? "more budget would add profit on " + list(mc->above_one())
                : "no channel clearly returns more than it costs at the margin"));
    } else {
      if (mc->below_one_size() > 0) {
        note("mROAS below 1 on " + list(mc->below_one()) +
             " though inside the bounds: spending less there would likely add profit, but "
             "neither the verification nor a search along the channel found a budget that "
             "does");
      }
      if (mc->above_one_size() > 0 && !total_bound) {
        note("mROAS above 1 on " + list(mc->above_one()) +
             " though inside the bounds with budget left: spending more there would likely "
             "add profit, but neither the verification nor a search along the channel found a "
             "budget that does");
      }
    }
  }

  const v1::Scenario& scenario_;
  const std::vector<PlannedChannel>& channels_;
  const OptimizeSettings& settings_;
  StudyProgress* const progress_;
  const RunSettings run_;
  MixRunner runner_;
  const bool allocate_;
  const int confirm_;  // replications of the confirmation and verification
  const std::string counted_, value_kpi_;
  const double tolerance_;  // of budgets at a bound or at the total
  v1::OptimizeResult& result_;
  size_t free_ = 0;  // channels with a budget to choose
  int max_evaluations_ = 0;
  std::vector<double> current_;
  std::vector<ResponsePoints> surface_;
  std::vector<double> surface_reference_;  // the mix the surface is drawn around
  Search best_;
  MixRunner::Run now_, next_;  // the current mix and the recommendation
  bool current_feasible_ = true;
  bool schedule_ = false;  // the planned channels are a schedule's cells
  VerificationSettings check_;
};

}  // namespace

std::string counted_conversions(const std::string& objective) {
  if (!objective_target(objective).empty()) return "conversions";
  const size_t colon = objective.find(':');
  if (colon == std::string::npos) return "conversions";
  return "conversions" + objective.substr(colon);
}

std::vector<PlannedChannel> schedule_cells(const v1::Scenario& scenario,
                                           const std::vector<PlannedChannel>& channels,
                                           const std::vector<int>& locked, double total) {
  const int horizon = resolve_settings(scenario.simulation()).horizon_days;
  std::map<int, std::vector<double>> spends;
  for (int c : locked) spends[c] = weekly_spend(scenario, c);
  std::vector<PlannedChannel> cells;
  for (int week = 0; week < schedule_weeks(horizon); ++week) {
    const DaySpan days = week_span(week, horizon);
    const double share = (days.to - days.from + 1) / 7.0;
    for (const PlannedChannel& c : channels) {
      CJSIM_CHECK(c.week < 0, "channels, not cells");
      PlannedChannel cell{c.channel, c.lower * share, std::min(c.upper * share, total), week};
      if (auto it = spends.find(c.channel); it != spends.end()) {
        cell.lower = cell.upper = it->second[static_cast<size_t>(week)];
      }
      cells.push_back(cell);
    }
  }
  return cells;
}

v1::OptimizeResult optimize_mix(const v1::Scenario& scenario,
                                const std::vector<PlannedChannel>& channels,
                                const OptimizeSettings& settings, StudyProgress* progress) {
  const auto started = std::chrono::steady_clock::now();
  CJSIM_CHECK(!channels.empty(), "no channels to plan");
  CJSIM_CHECK(settings.verify_rounds >= 1, "at least one verification round");
  v1::OptimizeResult result;
  MixPlanning planning(scenario, channels, settings, progress, result);
  if (!planning.run()) return result;  // incomplete
  result.mutable_timing()->set_wall_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return result;
}

}  // namespace cjsim
