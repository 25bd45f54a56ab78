#include "sim/targets.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <set>

#include "models/check.h"
#include "sim/run_result.h"

namespace cjsim {

namespace {

// The KPIs whose value over [0, d] never falls as d grows (counts of
// events, spend, shares of people reached for the first time): whether a
// replication has met an at_least target is then monotone in d, and the
// earliest day is found by bisection. Profit, ROAS and cost per conversion
// may fall and rise again; their days are scanned one by one.
bool never_falls(const std::string& kpi) {
  static const std::set<std::string> kFalls = {"profit", "roas", "cost_per_conversion"};
  return !kFalls.count(kpi.substr(0, kpi.find(':')));
}

bool meets(const CompiledTarget& t, double value) {
  if (std::isnan(value)) return false;
  return t.at_least ? value >= t.threshold : value <= t.threshold;
}

// Whether each replication of `kpi` meets `t`, its value taken at the
// real population's spread (docs/model.md "Targets"): an agent stands for
// s = population / agents people, so a replication's deviation from the
// mean is sqrt(s) times the population's, and is divided by it.
std::vector<bool> meeting(const CompiledModel& m, const KpiSeries& kpi, const CompiledTarget& t) {
  const size_t n = kpi.samples.size();
  std::vector<double> values(n);
  double mean = 0;
  for (size_t r = 0; r < n; ++r) {
    values[r] = replication_value(kpi, r);
    mean += values[r];
  }
  mean /= static_cast<double>(n);
  const double shrink = std::sqrt(static_cast<double>(m.settings.agents) / m.settings.population);
  std::vector<bool> met(n);
  for (size_t r = 0; r < n; ++r) {
    // Infinite or NaN values (a cost per conversion of none) stay as they are.
    const double at = std::isfinite(values[r]) && std::isfinite(mean)
                          ? mean + (values[r] - mean) * shrink
                          : values[r];
    met[r] = meets(t, at);
  }
  return met;
}

// The target's KPI from day 0 to `day` in every replication.
KpiSeries kpi_through(const CompiledModel& m, const std::vector<ReplicationCounts>& counts,
                      const std::string& kpi, int32_t day) {
  std::vector<Quantities> reps;
  reps.reserve(counts.size());
  for (const ReplicationCounts& c : counts) reps.push_back(window_quantities(m, c, {0, day}));
  std::optional<KpiSeries> found = kpi_series_named(m, reps, kpi);
  CJSIM_CHECK(found.has_value(), "a target KPI that target_kpi_problem should refuse");
  return *std::move(found);
}

// The share of the replications of `kpi` meeting `t`, at the real
// population's spread.
double share_meeting(const CompiledModel& m, const KpiSeries& kpi, const CompiledTarget& t) {
  const std::vector<bool> met = meeting(m, kpi, t);
  return static_cast<double>(std::count(met.begin(), met.end(), true)) /
         static_cast<double>(met.size());
}

// The share of replications meeting `t` by `day`.
double share_met(const CompiledModel& m, const std::vector<ReplicationCounts>& counts,
                 const CompiledTarget& t, int32_t day) {
  return share_meeting(m, kpi_through(m, counts, t.kpi, day), t);
}

// The KPI by each of up to about 200 days, evenly spaced, and the due day.
std::vector<TargetOutcome::Point> trajectory_of(const CompiledModel& m,
                                                const std::vector<ReplicationCounts>& counts,
                                                const CompiledTarget& t, double confidence) {
  constexpr int32_t kMostPoints = 200;
  const int32_t horizon = m.settings.horizon_days;
  const int32_t step = (horizon + kMostPoints - 1) / kMostPoints;
  std::vector<int32_t> days;
  for (int32_t d = 0; d < horizon; d += step) days.push_back(d);
  if (days.back() != horizon - 1) days.push_back(horizon - 1);
  if (!std::binary_search(days.begin(), days.end(), t.due_day)) {
    days.insert(std::upper_bound(days.begin(), days.end(), t.due_day), t.due_day);
  }
  std::vector<TargetOutcome::Point> points;
  for (int32_t d : days) {
    const KpiSeries kpi = kpi_through(m, counts, t.kpi, d);
    points.push_back({d, estimate_kpi(kpi, confidence, false), share_meeting(m, kpi, t)});
  }
  return points;
}

constexpr double kEarliestShare = 0.8;

std::optional<int32_t> earliest_day_p80(const CompiledModel& m,
                                        const std::vector<ReplicationCounts>& counts,
                                        const CompiledTarget& t) {
  if (!t.at_least) return std::nullopt;
  const int32_t last = m.settings.horizon_days - 1;
  if (!never_falls(t.kpi)) {
    for (int32_t d = 0; d <= last; ++d) {
      if (share_met(m, counts, t, d) >= kEarliestShare) return d;
    }
    return std::nullopt;
  }
  if (share_met(m, counts, t, last) < kEarliestShare) return std::nullopt;
  int32_t low = 0, high = last;  // the answer lies in [low, high]
  while (low < high) {
    const int32_t mid = low + (high - low) / 2;
    if (share_met(m, counts, t, mid) >= kEarliestShare) {
      high = mid;
    } else {
      low = mid + 1;
    }
  }
  return low;
}

}  // namespace

std::string target_kpi_problem(const v1::Scenario& scenario, const v1::Target& t) {
  const std::string who = "target '" + t.name() + "' kpi";
  const std::string not_counted = kpi_not_counted(scenario, t.kpi(), true);
  if (!not_counted.empty()) return who + ": " + not_counted;
  const std::optional<KpiInfo> info = kpi_info(t.kpi());
  if (info && !info->by_day) {
    return who + ": " + t.kpi() +
           " is not counted day by day, so it has no value by a date; a target may use "
           "conversions, value, cost, profit, roas, cost_per_conversion, conversion_rate, "
           "awareness_rate, paid_exposures, organic_exposures, impressions_bought or "
           "repeat_conversions (per goal kind as NAME:KIND where the KPI has one; cost, "
           "impressions_bought, paid_exposures and organic_exposures per channel as "
           "NAME:CHANNEL)";
  }
  return "";
}

double replication_value(const KpiSeries& kpi, size_t r) {
  const double sample = kpi.samples[r];
  switch (kpi.form) {
    case KpiSeries::Form::kMean:
      return sample;
    case KpiSeries::Form::kInverse:
      if (kpi.numerator == 0) return 0;
      return sample > 0 ? kpi.numerator / sample : std::numeric_limits<double>::infinity();
    case KpiSeries::Form::kRatio:
      return kpi.denominators[r] != 0 ? sample / kpi.denominators[r]
                                      : std::numeric_limits<double>::quiet_NaN();
  }
  return sample;
}

std::vector<TargetOutcome> evaluate_targets(const CompiledModel& model,
                                            const std::vector<ReplicationCounts>& counts,
                                            double confidence, bool with_earliest_day) {
  CJSIM_CHECK(!counts.empty(), "targets of no replication");
  std::vector<TargetOutcome> outcomes;
  for (const CompiledTarget& t : model.targets) {
    TargetOutcome& out = outcomes.emplace_back();
    out.target = t;
    out.kpi = kpi_through(model, counts, t.kpi, t.due_day);
    out.met = meeting(model, out.kpi, t);
    if (with_earliest_day) {
      out.earliest_day_p80 = earliest_day_p80(model, counts, t);
      out.trajectory = trajectory_of(model, counts, t, confidence);
    }
  }
  return outcomes;
}

void append_replications(std::vector<TargetOutcome>& outcomes, std::vector<TargetOutcome> more) {
  if (outcomes.empty()) {
    outcomes = std::move(more);
    return;
  }
  CJSIM_CHECK(outcomes.size() == more.size(), "replications of other targets");
  for (size_t k = 0; k < outcomes.size(); ++k) {
    TargetOutcome& into = outcomes[k];
    const TargetOutcome& from = more[k];
    into.met.insert(into.met.end(), from.met.begin(), from.met.end());
    into.kpi.samples.insert(into.kpi.samples.end(), from.kpi.samples.begin(),
                            from.kpi.samples.end());
    into.kpi.denominators.insert(into.kpi.denominators.end(), from.kpi.denominators.begin(),
                                 from.kpi.denominators.end());
  }
}

std::vector<std::pair<std::string, Estimate>> target_differences(
    const std::vector<TargetOutcome>& baseline, const std::vector<TargetOutcome>& variant,
    double confidence) {
  std::vector<std::pair<std::string, Estimate>> out;
  for (const TargetOutcome& v : variant) {
    for (const TargetOutcome& b : baseline) {
      if (b.target.name != v.target.name || b.met.size() != v.met.size()) continue;
      std::vector<double> paired(v.met.size());
      for (size_t r = 0; r < paired.size(); ++r) {
        paired[r] = static_cast<double>(v.met[r]) - static_cast<double>(b.met[r]);
      }
      Estimate d = paired.size() >= 2 ? estimate_mean(paired, confidence)
                                      : exact_estimate(paired.empty() ? 0.0 : paired[0], 1);
      out.emplace_back(v.target.name, clip_to_range(d, {-1, 1}));
    }
  }
  return out;
}

void set_targets(const CompiledModel& model, const std::vector<TargetOutcome>& outcomes,
                 double confidence, google::protobuf::RepeatedPtrField<v1::TargetResult>* out) {
  for (const TargetOutcome& o : outcomes) {
    v1::TargetResult* t = out->Add();
    t->set_name(o.target.name);
    t->set_kpi(o.target.kpi);
    t->set_threshold(o.target.threshold);
    t->set_direction(o.target.at_least ? "at_least" : "at_most");
    t->set_by_day(o.target.due_day);
    t->set_by_date(model.calendar.date(o.target.due_day));
    const int64_t met = std::count(o.met.begin(), o.met.end(), true);
    // A KPI the plan fixes (the spend) meets the target in every
    // replication or in none: certain, not a chance with an interval.
    const int64_t n = static_cast<int64_t>(o.met.size());
    set_estimate(o.kpi.fixed_by_model
                     ? exact_estimate(static_cast<double>(met) / static_cast<double>(n), n)
                     : wilson_estimate(met, n, confidence),
                 t->mutable_probability());
    set_estimate(estimate_kpi(o.kpi, confidence, false), t->mutable_expected());
    if (o.earliest_day_p80) {
      t->set_earliest_day_p80(*o.earliest_day_p80);
      t->set_earliest_date_p80(model.calendar.date(*o.earliest_day_p80));
    }
    for (const TargetOutcome::Point& p : o.trajectory) {
      v1::TargetPoint* point = t->add_trajectory();
      point->set_day(p.day);
      point->set_date(model.calendar.date(p.day));
      set_estimate(p.value, point->mutable_value());
      point->set_share_met(p.share_met);
    }
  }
}

}  // namespace cjsim
