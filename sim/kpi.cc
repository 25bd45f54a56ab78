#include "sim/kpi.h"

#include <algorithm>
#include <functional>
#include <numeric>

#include "sim/check.h"

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
  return q;
}

double KpiSeries::at(double m) const {
  if (form == Form::kMean) return m;
  if (numerator == 0) return 0;
  return m > 0 ? numerator / m : std::numeric_limits<double>::infinity();
}

double KpiSeries::slope(double m) const {
  if (form == Form::kMean) return 1;
  if (numerator == 0) return 0;
  return m > 0 ? -numerator / (m * m) : -std::numeric_limits<double>::infinity();
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
  return kpis;
}

Estimate estimate_kpi(const KpiSeries& kpi, double confidence, bool exact) {
  CJSIM_CHECK(!kpi.samples.empty(), "a KPI without samples");
  const int64_t n = exact ? 0 : static_cast<int64_t>(kpi.samples.size());
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
  static const std::vector<std::string> names = {"awareness_rate",
                                                 "consideration_rate",
                                                 "conversion_rate",
                                                 "conversions",
                                                 "cost",
                                                 "cost_per_conversion",
                                                 "decision_rate",
                                                 "impressions_bought",
                                                 "loyalty_rate",
                                                 "organic_exposures",
                                                 "paid_exposures",
                                                 "reach_rate",
                                                 "roas",
                                                 "value"};
  return names;
}

const KpiSeries* find_kpi(const std::vector<KpiSeries>& kpis, const std::string& name) {
  for (const KpiSeries& k : kpis) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

}  // namespace cjsim
