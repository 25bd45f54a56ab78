#include "sim/kpi.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include "models/check.h"

namespace cjsim {

namespace {

double population_scale(const CompiledModel& m) {
  return m.settings.population / static_cast<double>(m.settings.agents);
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

Quantities quantities_from_counts(const CompiledModel& m, const ReplicationCounts& c) {
  const double agents = static_cast<double>(m.settings.agents);
  const double scale = population_scale(m);
  Quantities q;
  q.conversion_rate = static_cast<double>(c.converted_agents) / agents;
  q.reach_rate = static_cast<double>(c.exposed_agents) / agents;
  for (int s = 1; s <= 4; ++s) q.reached[s] = static_cast<double>(c.reached[s]) / agents;
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
  q.persona_conversions = scaled(c.persona_conversions);
  for (int p = 0; p < m.persona_count(); ++p) {
    const int64_t n = m.persona_first_agent[p + 1] - m.persona_first_agent[p];
    q.persona_rate.push_back(
        n > 0 ? static_cast<double>(c.persona_converted[p]) / static_cast<double>(n) : 0.0);
  }
  complete(m, q);
  // Loyalty. Repeats are conversions of kind "repeat", worth the repeat
  // value of the goal that made the customer.
  const LoyaltyCounts& l = c.loyalty;
  q.converted_agents = static_cast<double>(c.converted_agents);
  q.repeats = static_cast<double>(l.repeats);
  q.repeat_conversions = q.repeats * scale;
  double repeat_value = 0;
  for (int u = 0; u < m.touchpoint_count(); ++u) {
    if (l.repeats_by_goal[u] == 0) continue;
    const double each = m.loyalty.processes[m.loyalty.goal_process[u]].value;
    repeat_value += static_cast<double>(l.repeats_by_goal[u]) *
                    (std::isnan(each) ? m.touchpoint_value[u] : each);
  }
  q.conversions += q.repeat_conversions;
  q.value += repeat_value * scale;
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
  const DailySeries& d = c.series;
  for (size_t t = 0; t < d.converted.size(); ++t) {
    q.series_new_conversions.push_back(static_cast<double>(d.new_conversions[t]) * scale);
    q.series_converted_share.push_back(static_cast<double>(d.converted[t]) / agents);
    q.series_active_customers.push_back(static_cast<double>(d.active_customers[t]) * scale);
    q.series_aware_share.push_back(static_cast<double>(d.aware[t]) / agents);
    q.series_open_complaints.push_back(d.open_complaints[t]);
  }
  q.retention = retention_curve(m.settings.horizon_days, l, d.new_conversions);
  return q;
}

Quantities quantities_from_exact(const CompiledModel& m, const ExactSolution& s) {
  const double population = m.settings.population;
  Quantities q;
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
  q.persona_rate = s.persona_conversion_rate;
  for (int p = 0; p < m.persona_count(); ++p) {
    q.persona_conversions.push_back(s.persona_conversions[p] * m.persona_share[p] * population);
  }
  complete(m, q);
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

std::vector<KpiSeries> kpi_series(const CompiledModel& m, const std::vector<Quantities>& reps) {
  const double cost = std::accumulate(m.channel_cost.begin(), m.channel_cost.end(), 0.0);
  const double impressions =
      std::accumulate(m.channel_impressions.begin(), m.channel_impressions.end(), 0.0);
  std::vector<KpiSeries> kpis;
  auto add = [&](const char* name, bool higher_is_better,
                 const std::function<double(const Quantities&)>& get) {
    KpiSeries& k = kpis.emplace_back();
    k.name = name;
    k.higher_is_better = higher_is_better;
    for (const Quantities& q : reps) k.samples.push_back(get(q));
    return &k;
  };
  add("awareness_rate", true, [](const Quantities& q) { return q.reached[1]; });
  add("consideration_rate", true, [](const Quantities& q) { return q.reached[2]; });
  add("conversion_rate", true, [](const Quantities& q) { return q.conversion_rate; });
  add("conversions", true, [](const Quantities& q) { return q.conversions; });
  add("cost", false, [cost](const Quantities&) { return cost; });
  KpiSeries* cpa =
      add("cost_per_conversion", false, [](const Quantities& q) { return q.conversions; });
  cpa->form = KpiSeries::Form::kInverse;
  cpa->numerator = cost;
  add("decision_rate", true, [](const Quantities& q) { return q.reached[3]; });
  add("impressions_bought", true, [impressions](const Quantities&) { return impressions; });
  add("loyalty_rate", true, [](const Quantities& q) { return q.reached[4]; });
  add("organic_exposures", true, [](const Quantities& q) { return q.organic_exposures; });
  add("paid_exposures", true, [](const Quantities& q) { return q.paid_exposures; });
  add("reach_rate", true, [](const Quantities& q) { return q.reach_rate; });
  if (cost > 0) add("roas", true, [cost](const Quantities& q) { return q.value / cost; });
  add("value", true, [](const Quantities& q) { return q.value; });

  // Loyalty: ratios per converted agent (a share of counts of simulated agents).
  auto ratio = [&](const char* name, bool higher_is_better,
                   const std::function<double(const Quantities&)>& numerator,
                   const std::function<double(const Quantities&)>& denominator) {
    KpiSeries* k = add(name, higher_is_better, numerator);
    k->form = KpiSeries::Form::kRatio;
    for (const Quantities& q : reps) k->denominators.push_back(denominator(q));
  };
  auto customers = [](const Quantities& q) { return q.converted_agents; };
  ratio(
      "retention_rate", true, [](const Quantities& q) { return q.active_customers; }, customers);
  add("repeat_conversions", true, [](const Quantities& q) { return q.repeat_conversions; });
  ratio(
      "repeats_per_customer", true, [](const Quantities& q) { return q.repeats; }, customers);
  ratio(
      "repeat_rate", true, [](const Quantities& q) { return q.repeated_customers; }, customers);
  ratio(
      "customer_value", true, [](const Quantities& q) { return q.value_unscaled; }, customers);
  if (m.loyalty.care.enabled) {
    add("complaints", false, [](const Quantities& q) { return q.complaints; });
    ratio(
        "complaints_answered_in_sla", true, [](const Quantities& q) { return q.answered_in_sla; },
        [](const Quantities& q) { return q.complaints_resolved; });
    ratio(
        "mean_response_days", false, [](const Quantities& q) { return q.response_days; },
        [](const Quantities& q) { return q.answered; });
    add("praises", true, [](const Quantities& q) { return q.praises; });
  }
  if (m.loyalty.referral.enabled) {
    add("referrals", true, [](const Quantities& q) { return q.referrals; });
    add("referred_conversions", true, [](const Quantities& q) { return q.referred_conversions; });
  }
  std::sort(kpis.begin(), kpis.end(),
            [](const KpiSeries& a, const KpiSeries& b) { return a.name < b.name; });
  return kpis;
}

Estimate estimate_kpi(const KpiSeries& kpi, double confidence, bool exact) {
  CJSIM_CHECK(!kpi.samples.empty(), "a KPI without samples");
  const int64_t n = exact ? 0 : static_cast<int64_t>(kpi.samples.size());
  if (kpi.form == KpiSeries::Form::kRatio) {
    const double value = kpi.value();
    if (exact || !std::isfinite(value)) return exact_estimate(value, n);
    return linearized_estimate(value, kpi.influence(), confidence);
  }
  const bool constant = std::all_of(kpi.samples.begin(), kpi.samples.end(),
                                    [&](double v) { return v == kpi.samples.front(); });
  // A quantity that does not vary (cost, exact results) has no error; the
  // mean of n equal values could otherwise differ from them in the last bit.
  const Estimate mean = exact || constant ? exact_estimate(kpi.samples.front(), n)
                                          : estimate_mean(kpi.samples, confidence);
  if (kpi.form == KpiSeries::Form::kMean) return mean;
  return ratio_of_fixed(kpi.numerator, mean);
}

const std::vector<std::string>& kpi_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all = {"awareness_rate",
                                    "complaints",
                                    "complaints_answered_in_sla",
                                    "consideration_rate",
                                    "conversion_rate",
                                    "conversions",
                                    "cost",
                                    "cost_per_conversion",
                                    "customer_value",
                                    "decision_rate",
                                    "impressions_bought",
                                    "loyalty_rate",
                                    "mean_response_days",
                                    "organic_exposures",
                                    "paid_exposures",
                                    "praises",
                                    "reach_rate",
                                    "referrals",
                                    "referred_conversions",
                                    "repeat_conversions",
                                    "repeat_rate",
                                    "repeats_per_customer",
                                    "retention_rate",
                                    "roas",
                                    "value"};
    std::sort(all.begin(), all.end());
    return all;
  }();
  return names;
}

std::string kpi_not_counted(const v1::Scenario& scenario, const std::string& name) {
  static const std::vector<std::string> care = {"complaints", "complaints_answered_in_sla",
                                                "mean_response_days", "praises"};
  static const std::vector<std::string> referral = {"referrals", "referred_conversions"};
  auto in = [&](const std::vector<std::string>& names) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  if (in(care) && !scenario.loyalty().has_care()) {
    return name +
           " is counted only with customer care (a loyalty.care block), which this "
           "scenario has not";
  }
  if (in(referral) && !scenario.loyalty().has_referral()) {
    return name +
           " is counted only with word of mouth (a loyalty.referral block), which this "
           "scenario has not";
  }
  return "";
}

const KpiSeries* find_kpi(const std::vector<KpiSeries>& kpis, const std::string& name) {
  for (const KpiSeries& k : kpis) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

}  // namespace cjsim
