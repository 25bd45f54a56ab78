#include "sim/run_result.h"

#include <array>
#include <functional>
#include <numeric>

#include "models/stage.h"

#ifndef CJSIM_VERSION
#define CJSIM_VERSION "unknown"
#endif

namespace cjsim {

std::string_view engine_version() { return CJSIM_VERSION; }

void set_estimate(const Estimate& e, v1::Estimate* out) {
  out->set_mean(e.mean);
  out->set_std_error(e.std_error);
  out->set_ci_low(e.ci_low);
  out->set_ci_high(e.ci_high);
  out->set_n(static_cast<int32_t>(e.n));
}

Estimate from_proto(const v1::Estimate& e) {
  return {e.mean(), e.std_error(), e.ci_low(), e.ci_high(), e.n()};
}

namespace {

// What one replication (or the exact solution) amounts to, in the units of
// the report: rates per agent, counts scaled to the population.
struct Quantities {
  double conversion_rate = 0, conversions = 0, value = 0, reach_rate = 0;
  double paid_exposures = 0, organic_exposures = 0;
  std::array<double, 5> reached{};
  std::vector<double> touchpoint_visits, touchpoint_acts, touchpoint_conversions;
  std::vector<double> channel_paid, channel_organic;
  std::vector<double> persona_rate, persona_conversions;
};

double population_scale(const CompiledModel& m) {
  return m.settings.population / static_cast<double>(m.settings.agents);
}

Quantities from_counts(const CompiledModel& m, const ReplicationCounts& c) {
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
  return q;
}

Quantities from_exact(const CompiledModel& m, const ExactSolution& s) {
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
  return q;
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

v1::RunResult build(const CompiledModel& m, const std::vector<Quantities>& reps, bool exact,
                    int threads, double wall_seconds) {
  const double confidence = m.settings.confidence;
  const int64_t n = exact ? 0 : static_cast<int64_t>(reps.size());
  auto estimate = [&](const std::function<double(const Quantities&)>& get) {
    if (exact) return exact_estimate(get(reps.front()));
    std::vector<double> values;
    values.reserve(reps.size());
    for (const Quantities& q : reps) values.push_back(get(q));
    return estimate_mean(values, confidence);
  };
  auto put = [&](google::protobuf::Map<std::string, v1::Estimate>* map, const char* name,
                 const Estimate& e) { set_estimate(e, &(*map)[name]); };

  v1::RunResult r;
  r.set_scenario(m.scenario_name);
  r.set_variant(m.variant_name);
  r.set_seed(m.settings.seed);
  r.set_agents(static_cast<int32_t>(m.settings.agents));
  r.set_replications(exact ? 0 : static_cast<int32_t>(reps.size()));
  r.set_threads(threads);
  r.set_population(m.settings.population);
  r.set_horizon_days(m.settings.horizon_days);
  r.set_engine_version(std::string(engine_version()));
  r.set_schema_version(std::string(kSchemaVersion));
  r.set_method(exact ? "exact" : "monte_carlo");
  r.set_confidence(confidence);
  r.set_scenario_hash(m.scenario_hash);
  r.set_mode(m.single_journey ? "single_journey" : "exposure");

  auto* kpis = r.mutable_kpis();
  const Estimate conversions = estimate([](const Quantities& q) { return q.conversions; });
  const Estimate value = estimate([](const Quantities& q) { return q.value; });
  const double cost = std::accumulate(m.channel_cost.begin(), m.channel_cost.end(), 0.0);
  const double impressions =
      std::accumulate(m.channel_impressions.begin(), m.channel_impressions.end(), 0.0);
  put(kpis, "conversion_rate", estimate([](const Quantities& q) { return q.conversion_rate; }));
  put(kpis, "conversions", conversions);
  put(kpis, "value", value);
  put(kpis, "awareness_rate", estimate([](const Quantities& q) { return q.reached[1]; }));
  put(kpis, "consideration_rate", estimate([](const Quantities& q) { return q.reached[2]; }));
  put(kpis, "decision_rate", estimate([](const Quantities& q) { return q.reached[3]; }));
  put(kpis, "loyalty_rate", estimate([](const Quantities& q) { return q.reached[4]; }));
  put(kpis, "reach_rate", estimate([](const Quantities& q) { return q.reach_rate; }));
  put(kpis, "paid_exposures", estimate([](const Quantities& q) { return q.paid_exposures; }));
  put(kpis, "organic_exposures", estimate([](const Quantities& q) { return q.organic_exposures; }));
  put(kpis, "cost", exact_estimate(cost, n));
  put(kpis, "impressions_bought", exact_estimate(impressions, n));
  put(kpis, "cost_per_conversion", ratio_of_fixed(cost, conversions));
  if (cost > 0) {
    Estimate roas = value;
    roas.mean /= cost;
    roas.std_error /= cost;
    roas.ci_low /= cost;
    roas.ci_high /= cost;
    put(kpis, "roas", roas);
  }

  for (int s = 1; s <= 4; ++s) {
    v1::FunnelStage* stage = r.add_funnel();
    stage->set_stage(std::string(stage_name(s)));
    set_estimate(estimate([s](const Quantities& q) { return q.reached[s]; }),
                 stage->mutable_reached());
  }
  for (int u = 0; u < m.touchpoint_count(); ++u) {
    v1::TouchpointResult* tp = r.add_touchpoints();
    tp->set_id(m.touchpoint_ids[u]);
    tp->set_channel(m.channel_ids[m.touchpoint_channel[u]]);
    tp->set_stage(std::string(stage_name(m.nodes[u].stage)));
    set_estimate(estimate([u](const Quantities& q) { return q.touchpoint_visits[u]; }),
                 tp->mutable_visits());
    set_estimate(estimate([u](const Quantities& q) { return q.touchpoint_acts[u]; }),
                 tp->mutable_acts());
    set_estimate(estimate([u](const Quantities& q) { return q.touchpoint_conversions[u]; }),
                 tp->mutable_conversions());
  }
  for (int c = 0; c < m.channel_count(); ++c) {
    v1::ChannelResult* ch = r.add_channels();
    ch->set_id(m.channel_ids[c]);
    set_estimate(estimate([c](const Quantities& q) { return q.channel_paid[c]; }),
                 ch->mutable_paid_exposures());
    set_estimate(estimate([c](const Quantities& q) { return q.channel_organic[c]; }),
                 ch->mutable_organic_exposures());
    set_estimate(exact_estimate(m.channel_cost[c], n), ch->mutable_cost());
    set_estimate(exact_estimate(m.channel_impressions[c], n), ch->mutable_impressions_bought());
    auto on_channel = [&m, c](const std::vector<double>& per_touchpoint) {
      double total = 0;
      for (int u = 0; u < m.touchpoint_count(); ++u) {
        if (m.touchpoint_channel[u] == c) total += per_touchpoint[u];
      }
      return total;
    };
    set_estimate(estimate([&](const Quantities& q) { return on_channel(q.touchpoint_visits); }),
                 ch->mutable_visits());
    set_estimate(
        estimate([&](const Quantities& q) { return on_channel(q.touchpoint_conversions); }),
        ch->mutable_conversions());
  }
  const double scale = population_scale(m);
  for (int p = 0; p < m.persona_count(); ++p) {
    v1::PersonaResult* persona = r.add_personas();
    const int64_t agents = m.persona_first_agent[p + 1] - m.persona_first_agent[p];
    persona->set_id(m.persona_ids[p]);
    persona->set_agents(static_cast<int32_t>(agents));
    persona->set_population(static_cast<double>(agents) * scale);
    set_estimate(estimate([p](const Quantities& q) { return q.persona_rate[p]; }),
                 persona->mutable_conversion_rate());
    set_estimate(estimate([p](const Quantities& q) { return q.persona_conversions[p]; }),
                 persona->mutable_conversions());
  }

  v1::Timing* timing = r.mutable_timing();
  timing->set_wall_seconds(wall_seconds);
  if (!exact) {
    timing->set_agent_days(static_cast<double>(m.settings.agents) * m.settings.horizon_days *
                           static_cast<double>(reps.size()));
  }
  return r;
}

}  // namespace

v1::RunResult summarize_monte_carlo(const CompiledModel& model,
                                    const std::vector<ReplicationCounts>& counts, int threads,
                                    double wall_seconds) {
  std::vector<Quantities> reps;
  double steps = 0, sessions = 0;
  for (const ReplicationCounts& c : counts) {
    reps.push_back(from_counts(model, c));
    complete(model, reps.back());
    steps += static_cast<double>(c.walk_steps);
    sessions += static_cast<double>(c.sessions);
  }
  v1::RunResult result = build(model, reps, false, threads, wall_seconds);
  result.mutable_timing()->set_walk_steps(steps);
  result.mutable_timing()->set_sessions(sessions);
  return result;
}

v1::RunResult summarize_exact(const CompiledModel& model, const ExactSolution& solution,
                              double wall_seconds) {
  std::vector<Quantities> reps = {from_exact(model, solution)};
  complete(model, reps.back());
  return build(model, reps, true, 1, wall_seconds);
}

}  // namespace cjsim
