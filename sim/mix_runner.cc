#include "sim/mix_runner.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "models/check.h"
#include "models/settings.h"
#include "sim/parameter_draws.h"
#include "sim/planning.h"
#include "sim/rng.h"
#include "sim/schedule.h"
#include "sim/targets.h"

namespace cjsim {

FreeChannels free_channels(const std::vector<PlannedChannel>& channels) {
  FreeChannels out;
  for (size_t i = 0; i < channels.size(); ++i) {
    if (channels[i].lower == channels[i].upper) {
      out.locked += channels[i].lower;
    } else {
      out.free.push_back(i);
    }
  }
  return out;
}

double spend_per_unit(const PlannedChannel& channel, int horizon_days) {
  return channel.week < 0 ? horizon_days / 7.0 : 1.0;
}

std::string planned_name(const v1::Scenario& scenario, const PlannedChannel& channel) {
  const std::string id = planned_id(scenario, channel.channel);
  return channel.week < 0 ? id : cell_name(id, channel.week);
}

std::vector<double> current_budgets(const v1::Scenario& scenario,
                                    const std::vector<PlannedChannel>& channels) {
  std::map<int, std::vector<double>> weeks;
  std::vector<double> out;
  for (const PlannedChannel& c : channels) {
    if (c.week < 0) {
      out.push_back(planned_weekly_budget(scenario, c.channel));
      continue;
    }
    auto it = weeks.find(c.channel);
    if (it == weeks.end()) it = weeks.emplace(c.channel, weekly_spend(scenario, c.channel)).first;
    out.push_back(it->second.at(static_cast<size_t>(c.week)));
  }
  return out;
}

std::string objective_target(const std::string& objective) {
  constexpr std::string_view kPrefix = "target:";
  return objective.rfind(kPrefix, 0) == 0 ? objective.substr(kPrefix.size()) : std::string();
}

bool is_mix_objective(const std::string& name) {
  const size_t colon = name.find(':');
  const std::string base = name.substr(0, colon);
  // Plain means of a figure per replication, more being better; ratios
  // (rates per customer, cost per conversion) are not sums a budget buys.
  static const char* const kObjectives[] = {"active_customers",
                                            "awareness_rate",
                                            "consideration_rate",
                                            "conversions",
                                            "decision_rate",
                                            "loyalty_rate",
                                            "praises",
                                            "profit",
                                            "reach_rate",
                                            "referrals",
                                            "referred_conversions",
                                            "repeat_conversions",
                                            "value"};
  for (const char* o : kObjectives) {
    if (base == o) return colon == std::string::npos || base == "conversions" || base == "value";
  }
  return false;
}

MixRunner::MixRunner(const v1::Scenario& base, const std::vector<PlannedChannel>& channels,
                     std::string objective, std::string counted, double cvar,
                     StudyProgress* progress, ReplicationRunner replications)
    : base_(base),
      seed_(resolve_run_settings(base.simulation()).seed),
      confidence_(resolve_run_settings(base.simulation()).confidence),
      draws_(resolve_run_settings(base.simulation()).parameter_draws),
      channels_(channels),
      objective_(std::move(objective)),
      counted_(std::move(counted)),
      cvar_(cvar),
      progress_(progress),
      replications_(std::move(replications)),
      target_(objective_target(objective_)) {
  CJSIM_CHECK((is_mix_objective(objective_) || !target_.empty()) && is_mix_objective(counted_),
              "a mix objective");
  const std::vector<double> current = current_budgets(base_, channels_);
  for (size_t i = 0; i < channels_.size(); ++i) {
    if (channels_[i].week < 0) continue;
    std::vector<double>& weeks = current_weeks_[channels_[i].channel];
    if (weeks.empty()) weeks = weekly_spend(base_, channels_[i].channel);
  }
  // The reference of the candidate mixes: every planned channel spending.
  std::vector<double> spending = current;
  for (double& b : spending) b = std::max(b, 1.0);
  reaches_ = !compiled(spending).front().single_journey;
}

std::vector<CompiledModel> MixRunner::compiled(const std::vector<double>& budgets) const {
  Result<std::vector<CompiledModel>> models =
      compile_draws(with_budgets(budgets), "", seed_, draws_);
  CJSIM_CHECK(models.is_ok(), "a mix's parameter draw that the caller should have refused");
  return std::move(models).value();
}

std::vector<KpiSeries> MixRunner::Run::kpis() const {
  return with_parameter_draws(kpi_series(model(), reps), draws());
}

v1::Scenario MixRunner::with_budgets(const std::vector<double>& budgets) const {
  v1::Scenario s = base_;
  std::map<int, std::vector<double>> weeks = current_weeks_;
  for (size_t i = 0; i < channels_.size(); ++i) {
    const PlannedChannel& c = channels_[i];
    if (c.week < 0) {
      set_planned_weekly_budget(s, c.channel, budgets[i]);
    } else {
      weeks[c.channel][static_cast<size_t>(c.week)] = budgets[i];
    }
  }
  if (weeks.empty()) return s;
  const Result<Calendar> calendar = Calendar::of(base_.simulation());
  CJSIM_CHECK(calendar.is_ok(), "a validated start date");
  const int horizon = resolve_settings(base_.simulation()).horizon_days;
  for (const auto& [channel, spends] : weeks) {
    const std::vector<double>& now = current_weeks_.at(channel);
    bool same = true;
    for (size_t k = 0; k < spends.size(); ++k) {
      same &= std::abs(spends[k] - now[k]) <= 1e-9 * (1 + std::abs(now[k]));
    }
    if (!same) set_week_flights(*s.mutable_channels(channel), spends, *calendar, horizon);
  }
  return s;
}

MixRunner::Run MixRunner::run(const std::vector<double>& budgets, int replications) {
  CJSIM_CHECK(budgets.size() == channels_.size(), "a budget per planned channel");
  Run r;
  r.budgets = budgets;
  if (progress_ != nullptr && progress_->stopped()) {
    // Stopped: a placeholder the caller discards, without compiling.
    r.models.resize(1);
    r.reps.resize(static_cast<size_t>(replications));
    r.objective.assign(static_cast<size_t>(replications), 0.0);
    r.conversions.assign(static_cast<size_t>(replications), 0.0);
    return r;
  }
  r.models = compiled(budgets);
  for (CompiledModel& model : r.models) keep_form_of_reference(reaches_, model);
  r.cost = total_cost(r.model());
  simulate(r, 0, replications);
  ++evaluations_;
  return r;
}

void MixRunner::extend(Run& run, int replications) {
  const int have = static_cast<int>(run.reps.size());
  if (replications <= have) return;
  if (progress_ != nullptr && progress_->stopped()) {
    run.reps.resize(static_cast<size_t>(replications));
    run.objective.resize(static_cast<size_t>(replications), 0.0);
    run.conversions.resize(static_cast<size_t>(replications), 0.0);
    return;
  }
  simulate(run, have, replications - have);
}

void MixRunner::simulate(Run& r, int first, int count) {
  if (progress_ != nullptr) {
    progress_->total.fetch_add(static_cast<uint64_t>(count) *
                               static_cast<uint64_t>(r.model().settings.horizon_days));
  }
  const std::vector<ReplicationCounts> counts = replications_(
      r.models, seed_, first, count, done_counter(progress_), stop_flag_of(progress_));
  std::vector<Quantities> added;
  for (size_t k = 0; k < counts.size(); ++k) {
    const size_t replication = static_cast<size_t>(first) + k;
    added.push_back(quantities_from_counts(r.models[replication % r.models.size()], counts[k]));
  }
  // Per-replication figures: the same whichever draw each ran.
  const std::vector<KpiSeries> kpis = kpi_series(r.model(), added);
  const KpiSeries* counted = find_kpi(kpis, counted_);
  CJSIM_CHECK(counted != nullptr, "the counted conversions are a KPI");
  if (target_.empty()) {
    const KpiSeries* objective = find_kpi(kpis, objective_);
    CJSIM_CHECK(objective != nullptr, "the objective is counted");
    r.objective.insert(r.objective.end(), objective->samples.begin(), objective->samples.end());
  } else {
    bool found = false;
    for (const TargetOutcome& t : evaluate_targets(r.model(), counts, confidence_, false)) {
      if (t.target.name != target_) continue;
      for (bool met : t.met) r.objective.push_back(met ? 1.0 : 0.0);
      found = true;
    }
    CJSIM_CHECK(found, "the objective's target is the scenario's");
  }
  r.conversions.insert(r.conversions.end(), counted->samples.begin(), counted->samples.end());
  for (Quantities& q : added) {
    q.drop_daily_series();  // the optimizer reports no series
    r.reps.push_back(std::move(q));
  }
}

double MixRunner::score(const std::vector<double>& samples) const {
  if (cvar_ <= 0)
    return std::accumulate(samples.begin(), samples.end(), 0.0) /
           static_cast<double>(samples.size());
  std::vector<double> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  const size_t k = std::max<size_t>(
      1, static_cast<size_t>(std::ceil(cvar_ * static_cast<double>(sorted.size()))));
  return std::accumulate(sorted.begin(), sorted.begin() + static_cast<long>(k), 0.0) /
         static_cast<double>(k);
}

std::vector<double> first_samples(const std::vector<double>& samples, size_t n) {
  return {samples.begin(), samples.begin() + static_cast<long>(std::min(n, samples.size()))};
}

namespace {

// The mean of the worst ceil(share x n) values.
double cvar_of(std::vector<double> values, double share) {
  std::sort(values.begin(), values.end());
  const size_t k = std::max<size_t>(
      1, static_cast<size_t>(std::ceil(share * static_cast<double>(values.size()))));
  return std::accumulate(values.begin(), values.begin() + static_cast<long>(k), 0.0) /
         static_cast<double>(k);
}

Verdict verdict_of(const Estimate& d) {
  if (!std::isfinite(d.mean) || std::isnan(d.ci_low) || std::isnan(d.ci_high))
    return Verdict::kUndetermined;
  if (d.ci_low > 0) return Verdict::kBetter;
  if (d.ci_high < 0) return Verdict::kWorse;
  return Verdict::kNoDetectableDifference;
}

}  // namespace

KpiComparison paired_gain(const std::vector<double>& base, const std::vector<double>& other,
                          double cvar, double confidence, uint64_t seed, int draws) {
  CJSIM_CHECK(base.size() == other.size() && base.size() >= 2,
              "paired samples need equal counts >= 2");
  CJSIM_CHECK(draws < 2 || base.size() >= 2 * static_cast<size_t>(draws),
              "a gain over parameter draws needs two replications per draw");
  if (cvar <= 0) {
    KpiSeries x, y;
    x.name = y.name = "objective";
    x.samples = base;
    y.samples = other;
    x.parameter_draws = y.parameter_draws = draws;
    return compare_kpi(x, y, confidence);
  }
  const size_t n = base.size();
  // What the bootstrap resamples: single replications, or with parameter
  // draws each draw's replications together.
  std::vector<std::vector<size_t>> groups(draws >= 2 ? static_cast<size_t>(draws) : n);
  for (size_t r = 0; r < n; ++r) groups[r % groups.size()].push_back(r);
  KpiComparison out;
  const double point = cvar_of(other, cvar) - cvar_of(base, cvar);
  constexpr int kResamples = 2000;
  std::vector<double> differences;
  differences.reserve(kResamples);
  rng::SplitMix64 draw(seed ^ 0x6376617262737470ull);  // "cvarbstp"
  std::vector<double> x, y;
  for (int b = 0; b < kResamples; ++b) {
    x.clear();
    y.clear();
    for (size_t g = 0; g < groups.size(); ++g) {
      for (size_t r : groups[static_cast<size_t>(draw() % groups.size())]) {
        x.push_back(base[r]);
        y.push_back(other[r]);
      }
    }
    differences.push_back(cvar_of(y, cvar) - cvar_of(x, cvar));
  }
  std::sort(differences.begin(), differences.end());
  const double tail = (1 - confidence) / 2;
  auto quantile = [&](double p) {
    const double at = p * static_cast<double>(kResamples - 1);
    const size_t below = static_cast<size_t>(std::floor(at));
    const size_t above = std::min(below + 1, differences.size() - 1);
    return differences[below] +
           (at - static_cast<double>(below)) * (differences[above] - differences[below]);
  };
  const double mean = std::accumulate(differences.begin(), differences.end(), 0.0) / kResamples;
  double squares = 0;
  for (double d : differences) squares += (d - mean) * (d - mean);
  out.difference = {point, std::sqrt(squares / (kResamples - 1)), quantile(tail),
                    quantile(1 - tail), static_cast<int64_t>(n)};
  out.relative = {std::nan(""), std::nan(""), std::nan(""), std::nan(""), static_cast<int64_t>(n)};
  out.verdict = verdict_of(out.difference);
  return out;
}

}  // namespace cjsim
