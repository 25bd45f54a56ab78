#include "sim/kpi.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <set>
#include <utility>

#include "models/check.h"
#include "sim/kpi_evidence.h"

namespace cjsim {

double population_scale(const CompiledModel& m) {
  return m.settings.population / static_cast<double>(m.settings.agents);
}

double ad_spend(const CompiledModel& m) {
  return std::accumulate(m.channel_cost.begin(), m.channel_cost.end(), 0.0);
}
double total_cost(const CompiledModel& m) { return ad_spend(m) + m.care_cost; }

namespace {

double total_impressions(const CompiledModel& m) {
  return std::accumulate(m.channel_impressions.begin(), m.channel_impressions.end(), 0.0);
}

// The spend of the whole horizon and the impressions it buys, by channel
// and in total: the model fixes them.
void set_spend(const CompiledModel& m, Quantities& q) {
  q.channel_cost = m.channel_cost;
  q.channel_impressions_bought = m.channel_impressions;
  q.cost = total_cost(m);
  q.care_cost = m.care_cost;
  q.impressions_bought = total_impressions(m);
}

// Totals derived from the breakdowns, the same way for both methods.
void complete(const CompiledModel& m, Quantities& q) {
  q.conversions =
      std::accumulate(q.touchpoint_conversions.begin(), q.touchpoint_conversions.end(), 0.0);
  q.value = 0;
  for (int u = 0; u < m.touchpoint_count(); ++u) {
    q.value += q.touchpoint_conversions[u] * m.touchpoint_value[u];
  }
  q.paid_exposures = std::accumulate(q.channel_paid.begin(), q.channel_paid.end(), 0.0);
  q.organic_exposures = std::accumulate(q.channel_organic.begin(), q.channel_organic.end(), 0.0);
  q.conversions_by_kind.assign(m.goal_kinds.size(), 0.0);
  q.value_by_kind.assign(m.goal_kinds.size(), 0.0);
  for (int u = 0; u < m.touchpoint_count(); ++u) {
    const int k = m.touchpoint_goal_kind[u];
    if (k < 0) continue;
    q.conversions_by_kind[k] += q.touchpoint_conversions[u];
    q.value_by_kind[k] += q.touchpoint_conversions[u] * m.touchpoint_value[u];
  }
}

}  // namespace

std::vector<double> retention_curve(int horizon, const LoyaltyCounts& l,
                                    const std::vector<uint64_t>& new_conversions) {
  // A customer converting on day c is observed for ages 0 .. horizon - 1 - c;
  // one still active at the end is censored at that age. At risk at age t:
  // churned at an age >= t, or censored at an age >= t.
  const size_t h = static_cast<size_t>(horizon);
  std::vector<double> churned_at(h + 1, 0.0), censored_at(h + 1, 0.0);
  for (size_t a = 0; a < l.churn_age.size() && a <= h; ++a) {
    churned_at[a] = static_cast<double>(l.churn_age[a]);
  }
  for (size_t c = 0; c < h && c < new_conversions.size(); ++c) {
    const double still = static_cast<double>(new_conversions[c]) -
                         static_cast<double>(l.churned_by_conversion_day[c]);
    censored_at[h - 1 - c] += still;
  }
  std::vector<double> at_risk(h + 2, 0.0);
  for (size_t a = h + 1; a-- > 0;) at_risk[a] = at_risk[a + 1] + churned_at[a] + censored_at[a];
  std::vector<double> out(h, 1.0);
  double retained = 1;
  for (size_t t = 0; t < h; ++t) {
    if (at_risk[t] > 0) retained *= 1 - churned_at[t] / at_risk[t];
    out[t] = retained;
  }
  return out;
}

namespace {

// The journey's figures of one replication: rates, touchpoints, channels
// and their credit, personas.
void journey_quantities(const CompiledModel& m, const ReplicationCounts& c, Quantities& q) {
  const double agents = static_cast<double>(m.settings.agents);
  const double scale = population_scale(m);
  q.conversion_rate = static_cast<double>(c.converted_agents) / agents;
  q.reach_rate = static_cast<double>(c.exposed_agents) / agents;
  for (int s = 1; s <= kStageCount; ++s) q.reached[s] = static_cast<double>(c.reached[s]) / agents;
  auto scaled = [&](const std::vector<uint64_t>& v) {
    std::vector<double> out(v.size());
    for (size_t i = 0; i < v.size(); ++i) out[i] = static_cast<double>(v[i]) * scale;
    return out;
  };
  for (const TouchpointCounts& t : c.touchpoints) {
    q.touchpoint_visits.push_back(static_cast<double>(t.visits) * scale);
    q.touchpoint_acts.push_back(static_cast<double>(t.acts) * scale);
    q.touchpoint_conversions.push_back(static_cast<double>(t.conversions) * scale);
  }
  q.channel_paid = scaled(c.channel_paid);
  q.channel_organic = scaled(c.channel_organic);
  q.channel_reach = scaled(c.channel_reach);
  q.channel_capped = scaled(c.channel_capped);
  q.channel_opt_outs = scaled(c.channel_opt_outs);
  q.retargeted = static_cast<double>(c.retargeted_agents) * scale;
  q.opt_outs = static_cast<double>(c.opted_out_agents) * scale;
  q.channel_audience.assign(static_cast<size_t>(m.channel_count()), 0.0);
  q.touchpoint_audience.assign(static_cast<size_t>(m.touchpoint_count()), 0.0);
  const std::vector<uint64_t>& members = c.series.audience_members;
  const size_t audiences = m.memory.audiences.size();
  if (audiences > 0 && !members.empty()) {
    const size_t days = members.size() / audiences;
    for (size_t a = 0; a < audiences; ++a) {
      const CompiledAudience& audience = m.memory.audiences[a];
      double sum = 0;
      for (size_t d = 0; d < days; ++d) sum += static_cast<double>(members[d * audiences + a]);
      (audience.gates_entry() ? q.touchpoint_audience[static_cast<size_t>(audience.touchpoint)]
                              : q.channel_audience[static_cast<size_t>(audience.channel)]) =
          sum / static_cast<double>(days) * scale;
    }
  }
  const size_t channels = static_cast<size_t>(m.channel_count());
  const uint64_t touchpoints = static_cast<uint64_t>(m.touchpoint_count());
  auto credited = [&](const std::map<uint64_t, uint64_t>& credit, std::vector<double>& conversions,
                      std::vector<double>& value) {
    conversions.assign(channels, 0.0);
    value.assign(channels, 0.0);
    for (const auto& [key, count] : credit) {
      const double scaled_count = static_cast<double>(count) * scale;
      conversions[key / touchpoints] += scaled_count;
      value[key / touchpoints] += scaled_count * m.touchpoint_value[key % touchpoints];
    }
  };
  credited(c.credit.first_touch, q.channel_first_conversions, q.channel_first_value);
  credited(c.credit.last_touch, q.channel_last_conversions, q.channel_last_value);
  credited(c.credit.assisted, q.channel_assisted_conversions, q.channel_assisted_value);
  q.persona_conversions = scaled(c.persona_conversions);
  for (int p = 0; p < m.persona_count(); ++p) {
    const int64_t n = m.persona_first_agent[p + 1] - m.persona_first_agent[p];
    q.persona_rate.push_back(
        n > 0 ? static_cast<double>(c.persona_converted[p]) / static_cast<double>(n) : 0.0);
  }
}

// Adds the repeats of the customers each goal touchpoint made (`repeats(u)`
// simulated ones) to the conversions and value: a repeat counts for the goal
// kind of the conversion that made the customer (a repeat donation is a
// donation), worth the process's repeat value. Returns the repeats' value
// in simulated units (unscaled).
template <typename Repeats>
double add_repeats(const CompiledModel& m, Repeats repeats_at, Quantities& q) {
  const double scale = population_scale(m);
  double repeat_value = 0, repeat_count = 0;
  for (int u : m.goal_touchpoints) {
    const double repeats = repeats_at(u);
    if (repeats == 0) continue;
    const double each = m.loyalty.processes[m.loyalty.goal_process[u]].value;
    const double worth = repeats * (std::isnan(each) ? m.touchpoint_value[u] : each);
    repeat_value += worth;
    repeat_count += repeats;
    const int k = m.touchpoint_goal_kind[u];
    q.conversions_by_kind[k] += repeats * scale;
    q.value_by_kind[k] += worth * scale;
  }
  q.repeat_conversions = repeat_count * scale;
  q.conversions += q.repeat_conversions;
  q.value += repeat_value * scale;
  return repeat_value;
}

// The customers' figures: repeats (counted for the goal kind of the
// conversion that made the customer), complaints, referrals, praise.
void loyalty_quantities(const CompiledModel& m, const ReplicationCounts& c, Quantities& q) {
  const double agents = static_cast<double>(m.settings.agents);
  const double scale = population_scale(m);
  // Repeats are conversions of kind "repeat", worth the repeat
  // value of the goal that made the customer.
  const LoyaltyCounts& l = c.loyalty;
  q.converted_agents = static_cast<double>(c.converted_agents);
  q.repeats = static_cast<double>(l.repeats);
  add_repeats(
      m, [&](int u) { return static_cast<double>(l.repeats_by_goal[static_cast<size_t>(u)]); }, q);
  const size_t kinds = m.goal_kinds.size();
  q.converted_share_by_kind.assign(kinds, q.conversion_rate);
  if (kinds > 1) {
    for (size_t k = 0; k < kinds; ++k) {
      q.converted_share_by_kind[k] = static_cast<double>(c.converted_by_kind[k]) / agents;
    }
  }
  q.value_unscaled = q.value / scale;
  q.repeated_customers = static_cast<double>(l.repeated_customers);
  q.active_customers = static_cast<double>(c.converted_agents - l.churned);
  q.complaints = static_cast<double>(l.complaints) * scale;
  q.complaints_resolved = l.answered_in_sla + l.sla_missed;
  q.answered_in_sla = l.answered_in_sla;
  q.answered = l.answered;
  q.response_days = l.response_days;
  q.referrals = static_cast<double>(l.referrals) * scale;
  q.referred_conversions = static_cast<double>(l.referred_conversions) * scale;
  q.praises = static_cast<double>(l.praises) * scale;
  q.comments = std::accumulate(c.channel_comments.begin(), c.channel_comments.end(), 0.0);
  q.negative_comments = std::accumulate(c.channel_negative_comments.begin(),
                                        c.channel_negative_comments.end(), 0.0);
  q.moderation_backlog = c.moderation_backlog;
}

// Each day's goal events by kind (repeats included) and exposures by
// channel, from the running totals.
void daily_totals_quantities(const CompiledModel& m, const ReplicationCounts& c, Quantities& q) {
  const DailySeries& d = c.series;
  const size_t days = d.converted.size();
  const double scale = population_scale(m);
  const size_t goals = m.goal_touchpoints.size();
  const size_t channels = static_cast<size_t>(m.channel_count());
  // Day t's part of the running total v ([day * stride + i]).
  auto on_day = [&](const std::vector<uint64_t>& v, size_t stride, size_t i, size_t t) {
    return static_cast<double>(v[t * stride + i] - (t > 0 ? v[(t - 1) * stride + i] : 0)) * scale;
  };
  q.series_conversions_by_kind.assign(m.goal_kinds.size(), std::vector<double>(days, 0.0));
  for (size_t g = 0; g < goals; ++g) {
    const size_t k = static_cast<size_t>(m.touchpoint_goal_kind[m.goal_touchpoints[g]]);
    for (size_t t = 0; t < days; ++t) {
      q.series_conversions_by_kind[k][t] +=
          on_day(d.goal_events_through, goals, g, t) + on_day(d.repeats_through, goals, g, t);
    }
  }
  q.series_paid.assign(channels, std::vector<double>(days, 0.0));
  q.series_organic.assign(channels, std::vector<double>(days, 0.0));
  for (size_t ch = 0; ch < channels; ++ch) {
    for (size_t t = 0; t < days; ++t) {
      q.series_paid[ch][t] = on_day(d.paid_through, channels, ch, t);
      q.series_organic[ch][t] = on_day(d.organic_through, channels, ch, t);
    }
  }
}

// The day-by-day series and the retention curve.
void series_quantities(const CompiledModel& m, const ReplicationCounts& c, Quantities& q) {
  const double agents = static_cast<double>(m.settings.agents);
  const double scale = population_scale(m);
  const size_t kinds = m.goal_kinds.size();
  const DailySeries& d = c.series;
  for (size_t t = 0; t < d.converted.size(); ++t) {
    q.series_new_conversions.push_back(static_cast<double>(d.new_conversions[t]) * scale);
    q.series_converted_share.push_back(static_cast<double>(d.converted[t]) / agents);
    q.series_active_customers.push_back(static_cast<double>(d.active_customers[t]) * scale);
    q.series_aware_share.push_back(static_cast<double>(d.aware[t]) / agents);
    q.series_open_complaints.push_back(d.open_complaints[t]);
  }
  q.series_open_comments = d.open_comments;
  q.series_new_conversions_by_kind.assign(kinds, {});
  for (size_t k = 0; k < kinds; ++k) {
    std::vector<double>& series = q.series_new_conversions_by_kind[k];
    if (kinds == 1) {
      series = q.series_new_conversions;
      continue;
    }
    for (size_t t = 0; t < d.converted.size(); ++t) {
      series.push_back(static_cast<double>(d.new_conversions_by_kind[t * kinds + k]) * scale);
    }
  }
  q.retention = retention_curve(m.settings.horizon_days, c.loyalty, d.new_conversions);
  daily_totals_quantities(m, c, q);
}

}  // namespace

Quantities quantities_from_counts(const CompiledModel& m, const ReplicationCounts& c) {
  Quantities q;
  set_spend(m, q);
  journey_quantities(m, c, q);
  complete(m, q);
  loyalty_quantities(m, c, q);
  series_quantities(m, c, q);
  return q;
}

Quantities window_quantities(const CompiledModel& m, const ReplicationCounts& c, DaySpan window) {
  const DailySeries& d = c.series;
  CJSIM_CHECK(!d.converted.empty(), "a window of a replication without its daily series");
  CJSIM_CHECK(window.from >= 0 && window.from <= window.to && window.to < m.settings.horizon_days,
              "a window outside the horizon");
  const double agents = static_cast<double>(m.settings.agents);
  const double scale = population_scale(m);
  const size_t goals = m.goal_touchpoints.size();
  const size_t channels = static_cast<size_t>(m.channel_count());
  // The running total `v` ([day * stride + i]) over the window.
  auto in_window = [&](const std::vector<uint64_t>& v, size_t stride, size_t i) {
    const uint64_t before =
        window.from > 0 ? v[static_cast<size_t>(window.from - 1) * stride + i] : 0;
    return static_cast<double>(v[static_cast<size_t>(window.to) * stride + i] - before);
  };
  Quantities q;
  q.touchpoint_conversions.assign(static_cast<size_t>(m.touchpoint_count()), 0.0);
  for (size_t g = 0; g < goals; ++g) {
    q.touchpoint_conversions[static_cast<size_t>(m.goal_touchpoints[g])] =
        in_window(d.goal_events_through, goals, g) * scale;
  }
  q.channel_paid.assign(channels, 0.0);
  q.channel_organic.assign(channels, 0.0);
  q.channel_cost.assign(channels, 0.0);
  q.channel_impressions_bought.assign(channels, 0.0);
  for (size_t ch = 0; ch < channels; ++ch) {
    q.channel_paid[ch] = in_window(d.paid_through, channels, ch) * scale;
    q.channel_organic[ch] = in_window(d.organic_through, channels, ch) * scale;
    const std::vector<double>& spent = m.channel_spend_through[ch];
    const double cost = spent[static_cast<size_t>(window.to)] -
                        (window.from > 0 ? spent[static_cast<size_t>(window.from - 1)] : 0.0);
    q.channel_cost[ch] = cost;
    q.cost += cost;
    if (m.channel_cost[ch] > 0) {
      q.channel_impressions_bought[ch] = cost * m.channel_impressions[ch] / m.channel_cost[ch];
      q.impressions_bought += q.channel_impressions_bought[ch];
    }
  }
  // Customer care is paid by the day.
  q.care_cost = m.loyalty.care.daily_cost * (window.to - window.from + 1);
  q.cost += q.care_cost;
  complete(m, q);
  std::vector<double> repeats(static_cast<size_t>(m.touchpoint_count()), 0.0);
  for (size_t g = 0; g < goals; ++g) {
    repeats[static_cast<size_t>(m.goal_touchpoints[g])] = in_window(d.repeats_through, goals, g);
  }
  add_repeats(
      m, [&](int u) { return repeats[static_cast<size_t>(u)]; }, q);
  // People converting, and made aware, for the first time in the window.
  q.conversion_rate = in_window(d.converted, 1, 0) / agents;
  q.reached[1] = in_window(d.aware, 1, 0) / agents;
  const size_t kinds = m.goal_kinds.size();
  q.converted_share_by_kind.assign(kinds, q.conversion_rate);
  if (kinds > 1) {
    for (size_t k = 0; k < kinds; ++k) {
      double first = 0;
      for (int32_t t = window.from; t <= window.to; ++t) {
        first += static_cast<double>(d.new_conversions_by_kind[static_cast<size_t>(t) * kinds + k]);
      }
      q.converted_share_by_kind[k] = first / agents;
    }
  }
  return q;
}

Quantities quantities_from_exact(const CompiledModel& m, const ExactSolution& s) {
  const double population = m.settings.population;
  Quantities q;
  set_spend(m, q);
  q.conversion_rate = s.conversion_rate;
  q.reached = s.reached;
  auto scaled = [&](const std::vector<double>& v) {
    std::vector<double> out(v.size());
    for (size_t i = 0; i < v.size(); ++i) out[i] = v[i] * population;
    return out;
  };
  q.touchpoint_visits = scaled(s.touchpoint_visits);
  q.touchpoint_acts = scaled(s.touchpoint_acts);
  q.touchpoint_conversions = scaled(s.touchpoint_conversions);
  q.channel_paid.assign(m.channel_count(), 0.0);
  q.channel_organic.assign(m.channel_count(), 0.0);
  q.channel_reach.assign(m.channel_count(), 0.0);
  q.channel_capped.assign(m.channel_count(), 0.0);
  q.channel_opt_outs.assign(m.channel_count(), 0.0);
  q.channel_audience.assign(m.channel_count(), 0.0);
  q.touchpoint_audience.assign(m.touchpoint_count(), 0.0);
  // The day-0 entry is an agent's one touch: first, last and every touch.
  q.channel_first_conversions = q.channel_last_conversions = q.channel_assisted_conversions =
      scaled(s.channel_conversions);
  q.channel_first_value = q.channel_last_value = q.channel_assisted_value = scaled(s.channel_value);
  q.persona_rate = s.persona_conversion_rate;
  for (int p = 0; p < m.persona_count(); ++p) {
    q.persona_conversions.push_back(s.persona_conversions[p] * m.persona_share[p] * population);
  }
  complete(m, q);
  q.converted_share_by_kind = s.kind_conversion_rate;
  // Without loyalty (the exact solver refuses it) customers stay active.
  q.converted_agents = q.active_customers = s.conversion_rate;
  q.value_unscaled = q.value / population;
  return q;
}

namespace {
double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}
}  // namespace

double KpiSeries::value() const {
  const double m = mean_of(samples);
  switch (form) {
    case Form::kMean:
      return m;
    case Form::kInverse:
      if (numerator == 0) return 0;
      return m > 0 ? numerator / m : std::numeric_limits<double>::infinity();
    case Form::kRatio: {
      const double d = mean_of(denominators);
      return d != 0 ? m / d : std::numeric_limits<double>::quiet_NaN();
    }
  }
  return 0;
}

std::vector<double> KpiSeries::influence() const {
  const double m = mean_of(samples);
  std::vector<double> out(samples.size());
  for (size_t r = 0; r < samples.size(); ++r) {
    switch (form) {
      case Form::kMean:
        out[r] = samples[r] - m;
        break;
      case Form::kInverse:
        // d(c / m) = -c / m^2 dm.
        out[r] = numerator == 0 ? 0
                 : m > 0        ? -numerator / (m * m) * (samples[r] - m)
                                : std::numeric_limits<double>::quiet_NaN();
        break;
      case Form::kRatio: {
        // d(N / D) = (dN - (N / D) dD) / D.
        const double d = mean_of(denominators);
        out[r] = d != 0 ? (samples[r] - value() * denominators[r]) / d
                        : std::numeric_limits<double>::quiet_NaN();
        break;
      }
    }
  }
  return out;
}

namespace {

// What a KPI needs to be counted at all. A KPI the scenario cannot produce
// (repeats without a repeat model, praise at a praise rate of 0) is not
// reported: it would print a 0 that says nothing (and, before, a warning
// that it rests on 0 events).
enum class Needs {
  kNothing,
  kSpend,
  kLoyalty,
  kRepeats,
  kCare,
  kPraise,
  kReferral,
  kComments,
  kPrivacy
};

// A figure of one replication: the total (index -1), or that of one goal
// kind for a KPI per goal kind, of one channel for a KPI per channel.
using Figure = double (*)(const CompiledModel& m, const Quantities& q, int index);

// One entry of the registry. `goal_label` is the label of NAME:KIND with
// {} for the kind; empty when the KPI is not per goal kind.
struct Definition {
  const char* name;
  const char* label;
  const char* goal_label;
  KpiUnit unit;
  bool higher_is_better;
  KpiSeries::Form form;
  Needs needs;
  // The KPI counting the simulated events this one is estimated from: ""
  // for itself (a count of events or a share of people), nullptr for none
  // (what the model fixes: cost, impressions).
  const char* events;
  Figure sample;
  Figure denominator;  // kRatio only
  // Counted over a window of days: a sum of each day's events or spend
  // (KpiInfo::by_day); its figures read only what window_quantities fills.
  bool by_day = false;
};

// All conversions, or those of goal kind `kind` (-1: every kind).
double conversions_of(const CompiledModel&, const Quantities& q, int kind) {
  return kind < 0 ? q.conversions : q.conversions_by_kind[static_cast<size_t>(kind)];
}

// In name order. docs/results-reference.md "KPIs" defines each.
const Definition kRegistry[] = {
    // Customers (converted agents not churned) at the horizon, scaled to
    // the population: what --objective retention maximises.
    {"active_customers", "customers active at the horizon", "", KpiUnit::kCount, true,
     KpiSeries::Form::kMean, Needs::kLoyalty, "conversion_rate",
     [](const CompiledModel& m, const Quantities& q, int) {
       return q.active_customers * population_scale(m);
     },
     nullptr},
    {"awareness_rate", "awareness rate", "", KpiUnit::kShare, true, KpiSeries::Form::kMean,
     Needs::kNothing, "",
     [](const CompiledModel&, const Quantities& q, int) { return q.reached[1]; }, nullptr, true},
    // Comments are counted in expectation from the day's exposures (real
    // people, like the care queue), not as simulated events of their own:
    // the exposures are their events.
    {"comments", "comments", "", KpiUnit::kCount, false, KpiSeries::Form::kMean, Needs::kComments,
     "exposures", [](const CompiledModel&, const Quantities& q, int) { return q.comments; },
     nullptr},
    {"complaints", "complaints", "", KpiUnit::kCount, false, KpiSeries::Form::kMean, Needs::kCare,
     "", [](const CompiledModel&, const Quantities& q, int) { return q.complaints; }, nullptr},
    {"complaints_answered_in_sla", "complaints answered within the SLA", "", KpiUnit::kShare, true,
     KpiSeries::Form::kRatio, Needs::kCare, "complaints",
     [](const CompiledModel&, const Quantities& q, int) { return q.answered_in_sla; },
     [](const CompiledModel&, const Quantities& q, int) { return q.complaints_resolved; }},
    {"consideration_rate", "consideration rate", "", KpiUnit::kShare, true, KpiSeries::Form::kMean,
     Needs::kNothing, "",
     [](const CompiledModel&, const Quantities& q, int) { return q.reached[2]; }, nullptr},
    {"conversion_rate", "conversion rate", "{} conversion rate", KpiUnit::kShare, true,
     KpiSeries::Form::kMean, Needs::kNothing, "",
     [](const CompiledModel&, const Quantities& q, int k) {
       return k < 0 ? q.conversion_rate : q.converted_share_by_kind[k];
     },
     nullptr, true},
    {"conversions", "conversions", "{} conversions", KpiUnit::kCount, true, KpiSeries::Form::kMean,
     Needs::kNothing, "", conversions_of, nullptr, true},
    {"cost", "cost", "", KpiUnit::kMoney, false, KpiSeries::Form::kMean, Needs::kNothing, nullptr,
     [](const CompiledModel&, const Quantities& q, int ch) {
       return ch < 0 ? q.cost : q.channel_cost[static_cast<size_t>(ch)];
     },
     nullptr, true},
    // A fixed cost over the mean conversions (kInverse: the numerator is the cost).
    {"cost_per_conversion", "cost per conversion", "cost per {} conversion", KpiUnit::kMoney, false,
     KpiSeries::Form::kInverse, Needs::kNothing, "conversions", conversions_of, nullptr, true},
    {"customer_value", "value per customer", "", KpiUnit::kMoney, true, KpiSeries::Form::kRatio,
     Needs::kNothing, "conversion_rate",
     [](const CompiledModel&, const Quantities& q, int) { return q.value_unscaled; },
     [](const CompiledModel&, const Quantities& q, int) { return q.converted_agents; }},
    {"decision_rate", "decision rate", "", KpiUnit::kShare, true, KpiSeries::Form::kMean,
     Needs::kNothing, "",
     [](const CompiledModel&, const Quantities& q, int) { return q.reached[3]; }, nullptr},
    {"exposures", "exposures (paid and organic)", "", KpiUnit::kCount, true,
     KpiSeries::Form::kMean, Needs::kNothing, "",
     [](const CompiledModel&, const Quantities& q, int) {
       return q.paid_exposures + q.organic_exposures;
     },
     nullptr, true},
    {"impressions_bought", "impressions bought", "", KpiUnit::kCount, true, KpiSeries::Form::kMean,
     Needs::kNothing, nullptr,
     [](const CompiledModel&, const Quantities& q, int ch) {
       return ch < 0 ? q.impressions_bought : q.channel_impressions_bought[static_cast<size_t>(ch)];
     },
     nullptr, true},
    {"loyalty_rate", "loyalty rate", "", KpiUnit::kShare, true, KpiSeries::Form::kMean,
     Needs::kNothing, "",
     [](const CompiledModel&, const Quantities& q, int) { return q.reached[4]; }, nullptr},
    {"mean_response_days", "mean days to answer a complaint", "", KpiUnit::kRatio, false,
     KpiSeries::Form::kRatio, Needs::kCare, "complaints",
     [](const CompiledModel&, const Quantities& q, int) { return q.response_days; },
     [](const CompiledModel&, const Quantities& q, int) { return q.answered; }},
    // The peak of open negative comments at a day's end: what moderation
    // has to catch up with.
    {"moderation_backlog", "most negative comments waiting for an answer", "", KpiUnit::kCount,
     false, KpiSeries::Form::kMean, Needs::kComments, "exposures",
     [](const CompiledModel&, const Quantities& q, int) { return q.moderation_backlog; },
     nullptr},
    {"negative_comments", "negative comments", "", KpiUnit::kCount, false, KpiSeries::Form::kMean,
     Needs::kComments, "exposures",
     [](const CompiledModel&, const Quantities& q, int) { return q.negative_comments; }, nullptr},
    // Privacy backlash (docs/model.md "Privacy backlash"): people who opted
    // out of a channel's ads after a retargeting ad, and their share of the
    // people shown one.
    {"opt_out_rate", "share of people shown a retargeting ad who opted out", "", KpiUnit::kShare,
     false, KpiSeries::Form::kRatio, Needs::kPrivacy, "opt_outs",
     [](const CompiledModel&, const Quantities& q, int) { return q.opt_outs; },
     [](const CompiledModel&, const Quantities& q, int) { return q.retargeted; }},
    {"opt_outs", "people who opted out of a channel's ads", "", KpiUnit::kCount, false,
     KpiSeries::Form::kMean, Needs::kPrivacy, "",
     [](const CompiledModel&, const Quantities& q, int) { return q.opt_outs; }, nullptr},
    {"organic_exposures", "organic exposures", "", KpiUnit::kCount, true, KpiSeries::Form::kMean,
     Needs::kNothing, "",
     [](const CompiledModel&, const Quantities& q, int ch) {
       return ch < 0 ? q.organic_exposures : q.channel_organic[static_cast<size_t>(ch)];
     },
     nullptr, true},
    {"paid_exposures", "paid exposures", "", KpiUnit::kCount, true, KpiSeries::Form::kMean,
     Needs::kNothing, "",
     [](const CompiledModel&, const Quantities& q, int ch) {
       return ch < 0 ? q.paid_exposures : q.channel_paid[static_cast<size_t>(ch)];
     },
     nullptr, true},
    {"praises", "public praises", "", KpiUnit::kCount, true, KpiSeries::Form::kMean, Needs::kPraise,
     "", [](const CompiledModel&, const Quantities& q, int) { return q.praises; }, nullptr},
    {"profit", "profit (value - cost)", "", KpiUnit::kMoney, true, KpiSeries::Form::kMean,
     Needs::kNothing, "conversions",
     [](const CompiledModel&, const Quantities& q, int) { return q.value - q.cost; }, nullptr,
     true},
    {"reach_rate", "share of people reached", "", KpiUnit::kShare, true, KpiSeries::Form::kMean,
     Needs::kNothing, "",
     [](const CompiledModel& m, const Quantities& q, int ch) {
       // channel_reach counts people, scaled to the population.
       return ch < 0 ? q.reach_rate
                     : q.channel_reach[static_cast<size_t>(ch)] / m.settings.population;
     },
     nullptr},
    {"referrals", "referrals", "", KpiUnit::kCount, true, KpiSeries::Form::kMean, Needs::kReferral,
     "", [](const CompiledModel&, const Quantities& q, int) { return q.referrals; }, nullptr},
    {"referred_conversions", "conversions from referrals", "", KpiUnit::kCount, true,
     KpiSeries::Form::kMean, Needs::kReferral, "",
     [](const CompiledModel&, const Quantities& q, int) { return q.referred_conversions; },
     nullptr},
    {"repeat_conversions", "repeat conversions", "", KpiUnit::kCount, true, KpiSeries::Form::kMean,
     Needs::kRepeats, "",
     [](const CompiledModel&, const Quantities& q, int) { return q.repeat_conversions; }, nullptr,
     true},
    {"repeat_rate", "customers who came back", "", KpiUnit::kShare, true, KpiSeries::Form::kRatio,
     Needs::kRepeats, "conversion_rate",
     [](const CompiledModel&, const Quantities& q, int) { return q.repeated_customers; },
     [](const CompiledModel&, const Quantities& q, int) { return q.converted_agents; }},
    {"repeats_per_customer", "repeats per customer", "", KpiUnit::kRatio, true,
     KpiSeries::Form::kRatio, Needs::kRepeats, "conversion_rate",
     [](const CompiledModel&, const Quantities& q, int) { return q.repeats; },
     [](const CompiledModel&, const Quantities& q, int) { return q.converted_agents; }},
    {"retention_rate", "customers still active", "", KpiUnit::kShare, true, KpiSeries::Form::kRatio,
     Needs::kLoyalty, "conversion_rate",
     [](const CompiledModel&, const Quantities& q, int) { return q.active_customers; },
     [](const CompiledModel&, const Quantities& q, int) { return q.converted_agents; }},
    {"roas", "return on ad spend", "", KpiUnit::kRatio, true, KpiSeries::Form::kMean, Needs::kSpend,
     "conversions",
     [](const CompiledModel&, const Quantities& q, int) { return q.value / (q.cost - q.care_cost); },
     nullptr, true},
    {"value", "value", "{} value", KpiUnit::kMoney, true, KpiSeries::Form::kMean, Needs::kNothing,
     "conversions",
     [](const CompiledModel&, const Quantities& q,
        int k) { return k < 0 ? q.value : q.value_by_kind[k]; },
     nullptr, true},
};

// Shares lie in [0, 1]. Every other KPI counts, adds or divides amounts
// that validation keeps non-negative (events, people, goal values, budgets,
// days), except profit, value minus cost.
ValueRange possible_range(const Definition& d) {
  if (d.unit == KpiUnit::kShare) return kShareRange;
  return std::string_view(d.name) == "profit" ? kAnyValue : kNonNegative;
}

// The KPIs that also exist per channel, as NAME:CHANNEL ("cost:facebook"),
// with that KPI's label ({} for the channel). None is per goal kind too, so
// the KPI alone says whether what follows its colon is a goal kind or a
// channel. Conversions are not counted per channel: a journey crosses
// several (`cjsim attribute` shares them out).
struct PerChannel {
  const char* name;
  const char* label;
};
const PerChannel kPerChannel[] = {
    {"cost", "spend on {}"},
    {"impressions_bought", "impressions bought on {}"},
    {"organic_exposures", "organic exposures on {}"},
    {"paid_exposures", "paid exposures on {}"},
    {"reach_rate", "share of people reached by {}"},
};

// The label template of NAME:CHANNEL, or nullptr when `name` is not per channel.
const char* channel_label(std::string_view name) {
  for (const PerChannel& c : kPerChannel) {
    if (name == c.name) return c.label;
  }
  return nullptr;
}

std::string per_channel_list() {
  std::string out;
  for (const PerChannel& c : kPerChannel) out += (out.empty() ? "" : ", ") + std::string(c.name);
  return out;
}

const Definition* find_definition(std::string_view name) {
  for (const Definition& d : kRegistry) {
    if (name == d.name) return &d;
  }
  return nullptr;
}

// "conversion_rate:donation" -> {"conversion_rate", "donation"}.
std::pair<std::string_view, std::string_view> split_kind(std::string_view name) {
  const size_t colon = name.find(':');
  if (colon == std::string_view::npos) return {name, {}};
  return {name.substr(0, colon), name.substr(colon + 1)};
}

// `label_template` with its {} replaced by `what`.
std::string filled(std::string label_template, std::string_view what) {
  return label_template.replace(label_template.find("{}"), 2, std::string(what));
}

bool has_repeat_model(const v1::Loyalty& l) {
  return l.has_bg_nbd() || l.has_bg_bb() ||
         std::any_of(l.by_goal_kind().begin(), l.by_goal_kind().end(), [](const auto& entry) {
           return entry.second.has_bg_nbd() || entry.second.has_bg_bb();
         });
}

// Whether the scenario counts what a KPI needs, as the compiled model of
// any of its runs does (LoyaltyModel and channel_cost).
bool scenario_counts(const v1::Scenario& s, Needs needs) {
  switch (needs) {
    case Needs::kNothing:
      return true;
    case Needs::kSpend:
      return std::any_of(s.channels().begin(), s.channels().end(), [](const v1::Channel& c) {
        return (!c.has_enabled() || c.enabled()) && plans_spend(c);
      });
    case Needs::kLoyalty:
      return s.has_loyalty();
    case Needs::kRepeats:
      return has_repeat_model(s.loyalty());
    case Needs::kCare:
      // Complaints come only at a complaint rate above 0 (a care team may
      // be there for comments alone).
      return s.loyalty().has_care() && s.loyalty().care().complaint_rate() > 0;
    case Needs::kPraise:
      return s.loyalty().has_care() && s.loyalty().care().praise_rate() > 0 &&
             s.loyalty().care().daily_capacity() > 0;
    case Needs::kReferral:
      return s.loyalty().has_referral();
    case Needs::kComments:
      return std::any_of(s.channels().begin(), s.channels().end(), [](const v1::Channel& c) {
        return (!c.has_enabled() || c.enabled()) && c.comments().rate_per_exposure() > 0;
      });
    case Needs::kPrivacy:
      return std::any_of(s.channels().begin(), s.channels().end(),
                         [](const v1::Channel& c) {
                           return (!c.has_enabled() || c.enabled()) &&
                                  !c.audience().visited().empty() && plans_spend(c);
                         }) &&
             std::any_of(s.personas().begin(), s.personas().end(),
                         [](const v1::Persona& p) { return p.privacy_sensitivity() > 0; });
  }
  return false;
}

bool model_counts(const CompiledModel& m, Needs needs) {
  switch (needs) {
    case Needs::kNothing:
      return true;
    case Needs::kSpend:
      return ad_spend(m) > 0;
    case Needs::kLoyalty:
      return m.loyalty.present;
    case Needs::kRepeats:
      return std::any_of(
          m.loyalty.processes.begin(), m.loyalty.processes.end(),
          [](const RepeatProcess& p) { return p.kind != RepeatProcess::Kind::kNone; });
    case Needs::kCare:
      return m.loyalty.care.enabled && m.loyalty.care.complaint_rate > 0;
    case Needs::kPraise:
      // Praise is for answers: with nobody answering there is none.
      return m.loyalty.care.enabled && m.loyalty.care.praise_rate > 0 &&
             m.loyalty.care.capacity > 0;
    case Needs::kReferral:
      return m.loyalty.referral.enabled;
    case Needs::kComments:
      return m.comments.enabled;
    case Needs::kPrivacy:
      // A retargeting audience that spends: at a mix where its channel
      // gets nothing, no one can opt out (and more agents would not help).
      return std::any_of(m.memory.audiences.begin(), m.memory.audiences.end(),
                         [&m](const CompiledAudience& a) {
                           return a.retargeting() &&
                                  m.channel_cost[static_cast<size_t>(a.channel)] > 0;
                         }) &&
             std::any_of(m.persona_privacy.begin(), m.persona_privacy.end(),
                         [](double s) { return s > 0; });
  }
  return false;
}

std::vector<std::string> goal_kinds_of(const v1::Scenario& s) {
  std::set<std::string> kinds;
  for (const v1::Touchpoint& t : s.touchpoints()) {
    if (t.has_goal()) kinds.insert(t.goal().kind());
  }
  return {kinds.begin(), kinds.end()};
}

}  // namespace

std::optional<KpiInfo> kpi_info(std::string_view name) {
  const auto [base, kind] = split_kind(name);
  const Definition* d = find_definition(base);
  if (d == nullptr) return std::nullopt;
  std::string label = d->label;
  if (!kind.empty()) {
    // The part after the colon: a goal kind, or a channel.
    const char* per_channel = channel_label(base);
    if (*d->goal_label == '\0' && per_channel == nullptr) return std::nullopt;
    label = filled(per_channel != nullptr ? per_channel : d->goal_label, kind);
  }
  std::string events;
  if (d->events != nullptr) {
    // Per goal kind, the events of that kind; the per-customer KPIs have none.
    events = *d->events == '\0'
                 ? std::string(name)
                 : std::string(d->events) + (kind.empty() ? "" : ":") + std::string(kind);
  }
  return KpiInfo{
      std::string(name), std::move(label),
      d->unit,           d->higher_is_better,
      std::move(events), possible_range(*d),
      d->by_day,         channel_label(base) != nullptr ? std::string(kind) : std::string()};
}

std::vector<std::string> kpi_names(const v1::Scenario& scenario) {
  const std::vector<std::string> kinds = goal_kinds_of(scenario);
  std::vector<std::string> names;
  for (const Definition& d : kRegistry) {
    if (!scenario_counts(scenario, d.needs)) continue;
    names.push_back(d.name);
    if (*d.goal_label == '\0') continue;
    for (const std::string& k : kinds) names.push_back(std::string(d.name) + ":" + k);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string kpi_not_counted(const v1::Scenario& scenario, const std::string& name,
                            bool per_channel) {
  const std::vector<std::string> names = kpi_names(scenario);
  if (std::find(names.begin(), names.end(), name) != names.end()) return "";
  const auto [base, kind] = split_kind(name);
  const Definition* d = find_definition(base);
  const std::vector<std::string> kinds = goal_kinds_of(scenario);
  std::string kinds_text;
  for (const std::string& k : kinds) kinds_text += (kinds_text.empty() ? "'" : ", '") + k + "'";
  std::string channels_text;
  bool is_channel = false;
  for (const v1::Channel& c : scenario.channels()) {
    channels_text += (channels_text.empty() ? "'" : ", '") + c.id() + "'";
    is_channel = is_channel || c.id() == kind;
  }
  if (d != nullptr && !kind.empty() && channel_label(base) != nullptr) {
    if (!per_channel) {
      return name +
             ": KPIs per channel are for targets (and a run's channels table shows the "
             "same figures); here use " +
             std::string(base) + " over every channel";
    }
    if (is_channel) return "";
    return "the scenario has no channel '" + std::string(kind) + "'; its channels are " +
           channels_text;
  }
  if (d != nullptr && !kind.empty()) {
    if (*d->goal_label == '\0') {
      return std::string(base) +
             " is not counted per goal kind or per channel; per goal kind are conversions, "
             "conversion_rate, value and cost_per_conversion" +
             (per_channel ? ", per channel " + per_channel_list() : std::string());
    }
    if (is_channel && kinds.end() == std::find(kinds.begin(), kinds.end(), kind)) {
      return std::string(base) + " is not counted per channel ('" + std::string(kind) +
             "' is a channel): a journey crosses several channels, and `cjsim attribute` "
             "shares its conversions out among them" +
             (per_channel ? "; per channel are " + per_channel_list() : std::string());
    }
    return "the scenario has no goal of kind '" + std::string(kind) + "'; its goal kinds are " +
           kinds_text;
  }
  if (d != nullptr) {
    switch (d->needs) {
      case Needs::kSpend:
        return name + " needs spend: no channel of this scenario has a weekly budget";
      case Needs::kLoyalty:
        return name +
               " is counted only for customers' loyalty (a loyalty block), which this "
               "scenario has not";
      case Needs::kRepeats:
        return name +
               " is counted only when customers repeat (loyalty.bg_nbd, loyalty.bg_bb or one in "
               "loyalty.by_goal_kind), which this scenario has not";
      case Needs::kCare:
        return name +
               " is counted only when customers complain (a loyalty.care block with "
               "complaint_rate > 0), which this scenario has not";
      case Needs::kPraise:
        return name +
               " is counted only when answered complaints turn into praise "
               "(loyalty.care.praise_rate > 0 and daily_capacity > 0), which this scenario "
               "has not";
      case Needs::kReferral:
        return name +
               " is counted only with word of mouth (a loyalty.referral block), which "
               "this scenario has not";
      case Needs::kComments:
        return name +
               " is counted only when reach brings comments (a channel's comments block), "
               "which this scenario has not";
      case Needs::kPrivacy:
        return name +
               " is counted only when a retargeting audience (a channel's audience with "
               "visited touchpoints) reaches people with privacy_sensitivity > 0, which this "
               "scenario has not";
      case Needs::kNothing:
        break;
    }
  }
  std::string known;
  for (const std::string& n : names) {
    if (n.find(':') == std::string::npos) known += (known.empty() ? "" : ", ") + n;
  }
  return "unknown KPI '" + name + "'; this scenario reports " + known +
         ", and conversions, conversion_rate, value and cost_per_conversion per goal kind as "
         "NAME:KIND for its goal kinds " +
         kinds_text +
         (per_channel ? ", and " + per_channel_list() + " per channel as NAME:CHANNEL" : "");
}

namespace {

// The series of KPI `d` named `name` over `reps`: the total (index -1), or
// that of goal kind or channel `index`.
KpiSeries series_of(const CompiledModel& m, const std::vector<Quantities>& reps,
                    const Definition& d, std::string name, int index) {
  // The model fixes the spend: the same in every replication.
  const double cost = reps.empty() ? total_cost(m) : reps.front().cost;
  KpiSeries k;
  k.name = std::move(name);
  k.higher_is_better = d.higher_is_better;
  k.form = d.form;
  k.range = possible_range(d);
  const bool per_channel = index >= 0 && channel_label(d.name) != nullptr;
  k.fixed_by_model = kpi_fixed_by_model(
      k.name, per_channel ? m.channel_cost[static_cast<size_t>(index)] > 0 : cost > 0);
  k.agents = static_cast<double>(m.settings.agents);
  k.population = m.settings.population;
  if (d.form == KpiSeries::Form::kInverse) k.numerator = cost;
  for (const Quantities& q : reps) {
    k.samples.push_back(d.sample(m, q, index));
    if (d.form == KpiSeries::Form::kRatio) k.denominators.push_back(d.denominator(m, q, index));
  }
  return k;
}

}  // namespace

std::vector<KpiSeries> kpi_series(const CompiledModel& m, const std::vector<Quantities>& reps,
                                  bool by_day_only) {
  std::vector<KpiSeries> kpis;
  for (const Definition& d : kRegistry) {
    if (!model_counts(m, d.needs) || (by_day_only && !d.by_day)) continue;
    kpis.push_back(series_of(m, reps, d, d.name, -1));
    if (*d.goal_label == '\0') continue;
    for (size_t k = 0; k < m.goal_kinds.size(); ++k) {
      kpis.push_back(
          series_of(m, reps, d, std::string(d.name) + ":" + m.goal_kinds[k], static_cast<int>(k)));
    }
  }
  std::sort(kpis.begin(), kpis.end(),
            [](const KpiSeries& a, const KpiSeries& b) { return a.name < b.name; });
  return kpis;
}

std::optional<KpiSeries> kpi_series_named(const CompiledModel& m,
                                          const std::vector<Quantities>& reps,
                                          std::string_view name) {
  const auto [base, suffix] = split_kind(name);
  const Definition* d = find_definition(base);
  if (d == nullptr || !model_counts(m, d->needs)) return std::nullopt;
  int index = -1;
  if (!suffix.empty()) {
    const std::vector<std::string>& among = channel_label(base) != nullptr ? m.channel_ids
                                            : *d->goal_label != '\0'       ? m.goal_kinds
                                                                     : std::vector<std::string>{};
    const auto found = std::find(among.begin(), among.end(), suffix);
    if (found == among.end()) return std::nullopt;
    index = static_cast<int>(found - among.begin());
  }
  return series_of(m, reps, *d, std::string(name), index);
}

namespace {

// The estimate of `kpi` before clipping and the no-variation bound.
Estimate raw_estimate(const KpiSeries& kpi, double confidence, bool exact) {
  const int64_t n = exact ? 0 : static_cast<int64_t>(kpi.samples.size());
  if (kpi.form == KpiSeries::Form::kRatio) {
    const double value = kpi.value();
    if (exact || !std::isfinite(value)) return exact_estimate(value, n);
    return linearized_estimate(value, kpi.influence(), confidence, kpi.parameter_draws);
  }
  const bool constant = std::all_of(kpi.samples.begin(), kpi.samples.end(),
                                    [&](double v) { return v == kpi.samples.front(); });
  // A quantity that does not vary (cost, exact results) has no error; the
  // mean of n equal values could otherwise differ from them in the last bit.
  Estimate mean = exact || constant ? exact_estimate(kpi.samples.front(), n)
                                    : estimate_mean(kpi.samples, confidence, kpi.parameter_draws);
  mean.no_variation = !exact && constant;
  if (kpi.form == KpiSeries::Form::kMean) return mean;
  // Nothing spent: cost per conversion is 0 by design.
  Estimate inverse = ratio_of_fixed(kpi.numerator, mean);
  inverse.no_variation = mean.no_variation && kpi.numerator != 0;
  return inverse;
}

}  // namespace

Estimate estimate_kpi(const KpiSeries& kpi, double confidence, bool exact) {
  CJSIM_CHECK(!kpi.samples.empty(), "a KPI without samples");
  Estimate e = clip_to_range(raw_estimate(kpi, confidence, exact), kpi.range);
  e.no_variation = e.no_variation && !kpi.fixed_by_model && std::isfinite(e.mean);
  if (!e.no_variation) return e;
  const std::optional<OneSidedBound> bound = no_variation_bound(
      kpi.name, e.mean, kpi.agents, static_cast<int>(e.n), kpi.population, confidence);
  if (bound) (bound->upper ? e.one_sided_upper : e.one_sided_lower) = bound->value;
  return e;
}

std::vector<KpiSeries> with_parameter_draws(std::vector<KpiSeries> kpis, int draws) {
  for (KpiSeries& k : kpis) k.parameter_draws = draws;
  return kpis;
}

const KpiSeries* find_kpi(const std::vector<KpiSeries>& kpis, const std::string& name) {
  for (const KpiSeries& k : kpis) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

}  // namespace cjsim
