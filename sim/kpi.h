// KPIs: what a run reports, as functions of per-replication samples.
//
// A replication (or an exact solution) is first turned into Quantities, the
// figures of one replication in the units of the report (rates per agent,
// counts scaled to the population). Each scalar KPI is then a KpiSeries: one
// sample per replication and the function of the samples' mean that gives the
// KPI (the mean itself, or a fixed amount over it for cost per conversion).
// Runs (sim/run_result.h), comparisons (sim/comparison.h) and sweeps build
// their estimates from the same series, so a KPI means the same everywhere.
// Pure functions; call from any thread.
#ifndef CJSIM_SIM_KPI_H_
#define CJSIM_SIM_KPI_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cjsim/v1/scenario.pb.h"

#include "models/compiled_model.h"
#include "models/stage.h"
#include "sim/estimate.h"
#include "sim/exact_solver.h"
#include "sim/tally.h"

namespace cjsim {

struct Quantities {
  double conversion_rate = 0, conversions = 0, value = 0, reach_rate = 0;
  // [goal kind] (CompiledModel::goal_kinds): goal events of that kind and
  // the repeats of customers it made (scaled), their value, and the share
  // of agents who reached a goal of that kind at least once.
  std::vector<double> conversions_by_kind, value_by_kind, converted_share_by_kind;
  // Loyalty (docs/model.md "Loyalty"): counts of simulated agents, so that
  // ratios per customer are plain ratios of counts.
  double converted_agents = 0, value_unscaled = 0;
  double repeats = 0, repeat_conversions = 0, repeated_customers = 0, active_customers = 0;
  double complaints = 0, complaints_resolved = 0, answered_in_sla = 0, answered = 0,
         response_days = 0;
  double referrals = 0, referred_conversions = 0, praises = 0;
  double paid_exposures = 0, organic_exposures = 0;
  // The spend and the impressions it buys (the model fixes both), in
  // total and [channel].
  double cost = 0, impressions_bought = 0;
  // Of the cost, customer care's staffing (loyalty.care.cost_per_capacity_unit).
  double care_cost = 0;
  // Comments reach brought, the negative ones, and the most negative ones
  // open at a day's end (docs/model.md "Comments and moderation").
  double comments = 0, negative_comments = 0, moderation_backlog = 0;
  std::vector<double> channel_cost, channel_impressions_bought;
  std::array<double, kStageSlots> reached{};  // [stage]: share with furthest stage >= stage
  std::vector<double> touchpoint_visits, touchpoint_acts, touchpoint_conversions;
  std::vector<double> channel_paid, channel_organic;
  // [channel]: people exposed by it at least once (scaled), and the
  // conversions and value credited to it (docs/model.md "Channel credit").
  std::vector<double> channel_reach;
  // [channel]: paid exposures a frequency cap stopped (scaled).
  std::vector<double> channel_capped;
  // [channel]: people who opted out of its ads, and the people in its
  // audience on an average day (0 without one), scaled.
  std::vector<double> channel_opt_outs, channel_audience;
  std::vector<double> touchpoint_audience;  // an entry audience's mean daily members
  // People who saw a retargeting ad, and those who opted out of at least
  // one channel's ads, scaled (docs/model.md "Privacy backlash").
  double retargeted = 0, opt_outs = 0;
  std::vector<double> channel_first_conversions, channel_last_conversions,
      channel_assisted_conversions, channel_first_value, channel_last_value, channel_assisted_value;
  std::vector<double> persona_rate, persona_conversions;
  // Daily series (Monte Carlo only): counts scaled, shares of agents.
  std::vector<double> series_new_conversions, series_converted_share, series_active_customers,
      series_aware_share, series_open_complaints;
  // With comments: negative comments unanswered at each day's end.
  std::vector<double> series_open_comments;
  // [goal kind][day]: people reaching a goal of that kind for the first time.
  std::vector<std::vector<double>> series_new_conversions_by_kind;
  // [goal kind][day]: goal events of that kind, repeats included; and
  // [channel][day]: paid and organic exposures (scaled).
  std::vector<std::vector<double>> series_conversions_by_kind, series_paid, series_organic;
  // [days since converting]: share of customers still active (Kaplan-Meier).
  std::vector<double> retention;

  // Frees the day-by-day series and the retention curve, for studies that
  // report none but keep every replication's quantities (the optimizer's
  // mixes). The KPIs do not use them.
  void drop_daily_series() {
    series_new_conversions = series_converted_share = series_active_customers = series_aware_share =
        series_open_complaints = series_open_comments = retention = {};
    series_new_conversions_by_kind = series_conversions_by_kind = series_paid = series_organic = {};
  }
};

// The Kaplan-Meier estimate of the share of customers still active t days
// after converting, t = 0 .. horizon - 1, from one replication's churn
// ages and conversion days (docs/model.md "Retention curve"). Where no
// customer is observed for t days the curve keeps its last value.
std::vector<double> retention_curve(int horizon, const LoyaltyCounts& loyalty,
                                    const std::vector<uint64_t>& new_conversions);

// What one simulated agent stands for: the population over the agents.
double population_scale(const CompiledModel& model);

// The media spend over the horizon (every channel's cost), and with
// customer care's staffing the scenario's whole cost (the `cost` KPI).
double ad_spend(const CompiledModel& model);
double total_cost(const CompiledModel& model);

// Quantities of one Monte Carlo replication, or of an exact solution, with
// the totals (conversions, value, exposures) filled in the same way for both.
Quantities quantities_from_counts(const CompiledModel& model, const ReplicationCounts& counts);
Quantities quantities_from_exact(const CompiledModel& model, const ExactSolution& solution);

// The Quantities of the days [window.from, window.to] of one Monte Carlo
// replication, for the KPIs that can be counted over a window (KpiInfo::
// by_day): the goal events, repeats and exposures of those days, the people
// who converted or became aware for the first time in them, and their
// spend; the other fields stay 0. REQUIRES: the counts keep their daily
// series, and the window lies in the horizon.
Quantities window_quantities(const CompiledModel& model, const ReplicationCounts& counts,
                             DaySpan window);

// The KPI registry: every KPI cjsim reports, with the words and unit every
// table, CSV, report and check uses, and how it is computed (kpi_series).
// A KPI marked per goal kind also exists as NAME:KIND for every goal kind of
// the scenario ("conversions:donation"): the same figure over the goals of
// that kind alone. The spend, exposures and reach also exist per channel as
// NAME:CHANNEL ("cost:facebook"), for targets; a run reports them in its
// channels, not among its KPIs (docs/results-reference.md "KPIs").
enum class KpiUnit { kShare, kCount, kMoney, kRatio };

struct KpiInfo {
  std::string name;   // "conversions", "conversion_rate:donation"
  std::string label;  // "conversions", "donation conversion rate"
  KpiUnit unit = KpiUnit::kCount;
  // Whether a larger value is the better outcome (cost: no), for verdicts.
  bool higher_is_better = true;
  // The KPI counting the simulated events this one is estimated from, for
  // honest labels (sim/kpi_evidence.h): itself for a count of events or a
  // share of people, the conversions (of the same goal kind) for value,
  // profit, ROAS and cost per conversion, the converted people for the
  // per-customer KPIs, the complaints for the care KPIs; empty for what the
  // model fixes (cost, impressions).
  std::string events;
  // The values the KPI can take: [0, 1] for a share, [0, inf) for every
  // other KPI but profit (value - cost), which may be negative. Intervals
  // are clipped to it (estimate_kpi).
  ValueRange range = kNonNegative;
  // Whether the KPI can be counted over a window of days (a sum of each
  // day's events or spend, or a ratio of such sums): what --window and
  // targets accept (sim/window.h).
  bool by_day = false;
  // The channel of a KPI per channel ("facebook" for "cost:facebook"), or empty.
  std::string channel;
};

// The entry of a KPI name, with or without a goal kind (any kind: for
// labelling results); nullopt for a name the registry does not have.
std::optional<KpiInfo> kpi_info(std::string_view name);

// The KPIs a run of `scenario` reports, in name order: those of the blocks
// it has (the care KPIs need loyalty.care, ROAS a budget, ...), and the per
// goal kind ones for each of its goal kinds. REQUIRES: validated.
std::vector<std::string> kpi_names(const v1::Scenario& scenario);

// Empty when a run of `scenario` reports KPI `name`, or, with
// `per_channel`, when `name` is a KPI per channel of one of its channels;
// else why not, in the user's words, listing the KPIs it does report
// ("--kpi" etc. print it).
std::string kpi_not_counted(const v1::Scenario& scenario, const std::string& name,
                            bool per_channel = false);

// One scalar KPI over the replications of a run.
struct KpiSeries {
  enum class Form {
    kMean,     // KPI = mean of the samples
    kInverse,  // KPI = numerator / mean of the samples (cost per conversion)
    kRatio,    // KPI = mean of the samples / mean of the denominators
  };
  std::string name;
  // Whether a larger value is the better outcome (cost: no), for verdicts.
  bool higher_is_better = true;
  Form form = Form::kMean;
  double numerator = 0;  // kInverse only
  std::vector<double> samples;
  std::vector<double> denominators;  // kRatio only, one per sample
  // The values the KPI can take (KpiInfo::range): its interval is clipped
  // to them.
  ValueRange range = kAnyValue;
  // For a KPI that comes out the same in every replication: whether the
  // model fixes it (kpi_fixed_by_model, sim/kpi_evidence.h: then it is
  // exact, not without variation), and the simulated agents per
  // replication and the population they stand for, for its one-sided
  // rule-of-three bound (0: none).
  bool fixed_by_model = false;
  double agents = 0, population = 0;
  // With parameter draws (sim/parameter_draws.h): sample r came from draw
  // r mod parameter_draws, and the estimates are over the draws
  // (estimate_over_draws). 0: parameters fixed.
  int parameter_draws = 0;

  // The KPI at the samples' means (NaN for a ratio over a zero mean).
  double value() const;
  // Per replication, the linearised deviation of the KPI (the delta
  // method): its mean is 0 and its standard error is the KPI's. For a plain
  // mean, sample - mean.
  std::vector<double> influence() const;
};

// Every scalar KPI of a run (the keys of RunResult.kpis), sorted by name:
// the registry's KPIs that `model` reports (as kpi_names says for its
// scenario; ROAS only where the cost is positive). `replications` holds
// one Quantities per replication, or exactly one for an exact solution.
// With `by_day_only`, only the KPIs that can be counted over a window of
// days (KpiInfo::by_day), from window quantities (sim/window.h).
std::vector<KpiSeries> kpi_series(const CompiledModel& model,
                                  const std::vector<Quantities>& replications,
                                  bool by_day_only = false);

// `kpis` with parameter_draws set to `draws`.
std::vector<KpiSeries> with_parameter_draws(std::vector<KpiSeries> kpis, int draws);

// The one KPI named `name` (with a goal kind or a channel, as kpi_info
// reads it), or nullopt when `model` does not count it. With window
// quantities, `name` must be counted by day (KpiInfo::by_day).
std::optional<KpiSeries> kpi_series_named(const CompiledModel& model,
                                          const std::vector<Quantities>& replications,
                                          std::string_view name);

// The estimate of a KPI: mean, standard error (delta method for kInverse)
// and Student-t interval clipped to the KPI's range; with `exact`, the value
// with no error. A random KPI with the same value in every replication has
// no_variation and, where the rule of three gives one, its one-sided bound
// (docs/results-reference.md "Estimate").
// REQUIRES: samples.size() >= 2 unless exact.
Estimate estimate_kpi(const KpiSeries& kpi, double confidence, bool exact);

// The series named `name`, or nullptr.
const KpiSeries* find_kpi(const std::vector<KpiSeries>& kpis, const std::string& name);

}  // namespace cjsim

#endif  // CJSIM_SIM_KPI_H_
