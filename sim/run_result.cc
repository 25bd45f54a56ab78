#include "sim/run_result.h"

#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include "models/check.h"
#include "models/stage.h"
#include "sim/kpi.h"
#include "sim/targets.h"

namespace cjsim {

void set_estimate(const Estimate& e, v1::Estimate* out) {
  out->set_mean(e.mean);
  out->set_std_error(e.std_error);
  out->set_ci_low(e.ci_low);
  out->set_ci_high(e.ci_high);
  out->set_n(static_cast<int32_t>(e.n));
  out->set_no_variation(e.no_variation);
  if (!std::isnan(e.one_sided_upper)) out->set_one_sided_upper(e.one_sided_upper);
  if (!std::isnan(e.one_sided_lower)) out->set_one_sided_lower(e.one_sided_lower);
  if (e.parameter_draws > 0) {
    out->set_from_parameters(e.from_parameters);
    out->set_from_simulation(e.from_simulation);
    out->set_parameter_draws(e.parameter_draws);
  }
}

void set_kpis(const std::vector<KpiSeries>& kpis, double confidence, bool exact,
              google::protobuf::Map<std::string, v1::Estimate>* out) {
  for (const KpiSeries& kpi : kpis) {
    set_estimate(estimate_kpi(kpi, confidence, exact), &(*out)[kpi.name]);
  }
}

void add_work(const CompiledModel& model, const std::vector<ReplicationCounts>& counts,
              v1::Timing* timing) {
  timing->set_agent_days(timing->agent_days() + static_cast<double>(model.settings.agents) *
                                                    model.settings.horizon_days *
                                                    static_cast<double>(counts.size()));
  for (const ReplicationCounts& c : counts) {
    timing->set_walk_steps(timing->walk_steps() + static_cast<double>(c.walk_steps));
    timing->set_sessions(timing->sessions() + static_cast<double>(c.sessions));
  }
}

void set_span(const Calendar& calendar, DaySpan days, v1::CalendarSpan* out) {
  out->set_from_day(days.from);
  out->set_to_day(days.to);
  out->set_from_date(calendar.date(days.from));
  out->set_to_date(calendar.date(days.to));
}

Estimate from_proto(const v1::Estimate& e) {
  Estimate out{e.mean(), e.std_error(), e.ci_low(), e.ci_high(), e.n()};
  out.no_variation = e.no_variation();
  if (e.has_one_sided_upper()) out.one_sided_upper = e.one_sided_upper();
  if (e.has_one_sided_lower()) out.one_sided_lower = e.one_sided_lower();
  if (e.has_parameter_draws()) {
    out.from_parameters = e.from_parameters();
    out.from_simulation = e.from_simulation();
    out.parameter_draws = e.parameter_draws();
  }
  return out;
}

namespace {

// Builds a RunResult from per-replication quantities (or the one exact
// solution): each part of the message in a step of its own.
struct RunResultBuilder {
  const CompiledModel& m;
  const std::vector<Quantities>& reps;
  const bool exact;
  const double confidence;
  const int64_t n;  // replications; 0 for an exact result
  const int draws;  // parameter draws; 0: parameters fixed
  v1::RunResult* r;

  void build() {
    set_kpis(with_parameter_draws(kpi_series(m, reps), draws), confidence, exact,
             r->mutable_kpis());
    funnel();
    touchpoints();
    edges();
    for (int c = 0; c < m.channel_count(); ++c) channel(c, r->add_channels());
    personas();
    calendar();
    if (!exact && !reps.front().series_converted_share.empty()) {
      series();
      retention();
    }
  }

  // The estimate of a figure of each replication: a count (scaled) or,
  // with kShareRange, a share.
  Estimate estimate(const std::function<double(const Quantities&)>& get,
                    ValueRange range = kNonNegative) const {
    if (exact) return exact_estimate(get(reps.front()));
    std::vector<double> values;
    values.reserve(reps.size());
    for (const Quantities& q : reps) values.push_back(get(q));
    return clip_to_range(estimate_mean(values, confidence, draws), range);
  }

  void funnel() {
    for (int s = 1; s <= kStageCount; ++s) {
      v1::FunnelStage* stage = r->add_funnel();
      stage->set_stage(std::string(stage_name(s)));
      set_estimate(estimate([s](const Quantities& q) { return q.reached[s]; }, kShareRange),
                   stage->mutable_reached());
    }
  }

  void touchpoints() {
    for (int u = 0; u < m.touchpoint_count(); ++u) {
      v1::TouchpointResult* tp = r->add_touchpoints();
      tp->set_id(m.touchpoint_ids[u]);
      tp->set_channel(m.channel_ids[m.touchpoint_channel[u]]);
      tp->set_stage(std::string(stage_name(m.nodes[u].stage)));
      set_estimate(estimate([u](const Quantities& q) { return q.touchpoint_visits[u]; }),
                   tp->mutable_visits());
      set_estimate(estimate([u](const Quantities& q) { return q.touchpoint_acts[u]; }),
                   tp->mutable_acts());
      set_estimate(estimate([u](const Quantities& q) { return q.touchpoint_conversions[u]; }),
                   tp->mutable_conversions());
      if (m.touchpoint_goal_kind[u] >= 0)
        tp->set_goal_kind(m.goal_kinds[m.touchpoint_goal_kind[u]]);
      if (m.memory.entry_slot.size() > static_cast<size_t>(u) &&
          m.memory.entry_slot[static_cast<size_t>(u)] >= 0) {
        set_estimate(estimate([u](const Quantities& q) { return q.touchpoint_audience[u]; }),
                     tp->mutable_audience_size());
      }
    }
  }

  void edges() {
    for (int u = 0; u < m.touchpoint_count(); ++u) {
      for (uint32_t e = m.edge_begin[u]; e < m.edge_begin[u + 1]; ++e) {
        const EdgeInfo& edge = m.edges[e];
        if (edge.target < 0) continue;  // into a switched-off channel
        v1::EdgeResult* out = r->add_edges();
        out->set_from(m.touchpoint_ids[u]);
        out->set_to(m.touchpoint_ids[edge.target]);
        out->set_share(edge.probability);
        const double share = edge.probability;
        set_estimate(
            estimate([u, share](const Quantities& q) { return q.touchpoint_acts[u] * share; }),
            out->mutable_people());
      }
    }
  }

  void channel(int c, v1::ChannelResult* ch) {
    ch->set_id(m.channel_ids[c]);
    set_estimate(estimate([c](const Quantities& q) { return q.channel_paid[c]; }),
                 ch->mutable_paid_exposures());
    set_estimate(estimate([c](const Quantities& q) { return q.channel_organic[c]; }),
                 ch->mutable_organic_exposures());
    set_estimate(exact_estimate(m.channel_cost[c], n), ch->mutable_cost());
    set_estimate(exact_estimate(m.channel_impressions[c], n), ch->mutable_impressions_bought());
    auto on_channel = [this, c](const std::vector<double>& per_touchpoint) {
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
    set_estimate(estimate([c](const Quantities& q) { return q.channel_reach[c]; }),
                 ch->mutable_reach());
    // Exposures per person reached: a ratio of means over the replications.
    KpiSeries frequency;
    frequency.form = KpiSeries::Form::kRatio;
    frequency.parameter_draws = draws;
    frequency.range = {1, std::numeric_limits<double>::infinity()};  // each reached once or more
    for (const Quantities& q : reps) {
      frequency.samples.push_back(q.channel_paid[c] + q.channel_organic[c]);
      frequency.denominators.push_back(q.channel_reach[c]);
    }
    set_estimate(estimate_kpi(frequency, confidence, exact), ch->mutable_frequency());
    set_estimate(estimate([c](const Quantities& q) { return q.channel_capped[c]; }),
                 ch->mutable_capped_exposures());
    set_estimate(exact_estimate(m.channel_unspent[c], n), ch->mutable_unspent());
    auto engagements = [this, c](const Quantities& q) {
      double total = 0;
      for (int u = 0; u < m.touchpoint_count(); ++u) {
        const int stage = m.nodes[static_cast<size_t>(u)].stage;
        if (m.touchpoint_channel[u] == c && (stage == v1::AWARENESS || stage == v1::CONSIDERATION))
          total += q.touchpoint_acts[u];
      }
      return total;
    };
    set_estimate(estimate(engagements), ch->mutable_engagements());
    // Ratios of means over the replications, as frequency.
    KpiSeries rate, share;
    rate.form = share.form = KpiSeries::Form::kRatio;
    rate.range = kNonNegative;  // sessions not started by the channel act on it too
    share.range = kShareRange;
    for (const Quantities& q : reps) {
      const double exposures = q.channel_paid[c] + q.channel_organic[c];
      rate.samples.push_back(engagements(q));
      rate.denominators.push_back(exposures);
      share.samples.push_back(exposures);
      share.denominators.push_back(q.paid_exposures + q.organic_exposures);
    }
    set_estimate(estimate_kpi(rate, confidence, exact), ch->mutable_engagement_rate());
    set_estimate(estimate_kpi(share, confidence, exact), ch->mutable_exposure_share());
    if (m.memory.audience_slot[static_cast<size_t>(c)] >= 0) {
      set_estimate(estimate([c](const Quantities& q) { return q.channel_audience[c]; }),
                   ch->mutable_audience_size());
      if (m.memory.audiences[static_cast<size_t>(m.memory.audience_slot[static_cast<size_t>(c)])]
              .retargeting() &&
          std::any_of(m.persona_privacy.begin(), m.persona_privacy.end(),
                      [](double s) { return s > 0; })) {
        set_estimate(estimate([c](const Quantities& q) { return q.channel_opt_outs[c]; }),
                     ch->mutable_opt_outs());
      }
    }
    const std::pair<std::vector<double> Quantities::*, v1::Estimate*> credit[] = {
        {&Quantities::channel_first_conversions, ch->mutable_first_touch_conversions()},
        {&Quantities::channel_last_conversions, ch->mutable_last_touch_conversions()},
        {&Quantities::channel_assisted_conversions, ch->mutable_assisted_conversions()},
        {&Quantities::channel_first_value, ch->mutable_first_touch_value()},
        {&Quantities::channel_last_value, ch->mutable_last_touch_value()},
        {&Quantities::channel_assisted_value, ch->mutable_assisted_value()}};
    for (const auto& entry : credit) {
      // Not a structured binding: clang before 16 cannot capture one.
      const auto field = entry.first;
      set_estimate(estimate([c, field](const Quantities& q) { return (q.*field)[c]; }),
                   entry.second);
    }
  }

  void personas() {
    const double scale = m.settings.population / static_cast<double>(m.settings.agents);
    for (int p = 0; p < m.persona_count(); ++p) {
      v1::PersonaResult* persona = r->add_personas();
      const int64_t agents = m.persona_first_agent[p + 1] - m.persona_first_agent[p];
      persona->set_id(m.persona_ids[p]);
      persona->set_agents(static_cast<int32_t>(agents));
      persona->set_population(static_cast<double>(agents) * scale);
      set_estimate(estimate([p](const Quantities& q) { return q.persona_rate[p]; }, kShareRange),
                   persona->mutable_conversion_rate());
      set_estimate(estimate([p](const Quantities& q) { return q.persona_conversions[p]; }),
                   persona->mutable_conversions());
    }
  }

  void series() {
    for (int d = 0; d < m.settings.horizon_days; ++d) {
      v1::SeriesDay* day = r->add_series();
      day->set_day(d);
      auto at = [d](const std::vector<double>& v) { return v[static_cast<size_t>(d)]; };
      set_estimate(estimate([&](const Quantities& q) { return at(q.series_new_conversions); }),
                   day->mutable_new_conversions());
      set_estimate(
          estimate([&](const Quantities& q) { return at(q.series_converted_share); }, kShareRange),
          day->mutable_converted_share());
      set_estimate(estimate([&](const Quantities& q) { return at(q.series_active_customers); }),
                   day->mutable_active_customers());
      set_estimate(
          estimate([&](const Quantities& q) { return at(q.series_aware_share); }, kShareRange),
          day->mutable_aware_share());
      set_estimate(estimate([&](const Quantities& q) { return at(q.series_open_complaints); }),
                   day->mutable_open_complaints());
      if (m.comments.enabled) {
        set_estimate(estimate([&](const Quantities& q) { return at(q.series_open_comments); }),
                     day->mutable_open_negative_comments());
      }
      for (size_t k = 0; k < m.goal_kinds.size(); ++k) {
        set_estimate(
            estimate([&](const Quantities& q) { return at(q.series_new_conversions_by_kind[k]); }),
            &(*day->mutable_new_conversions_by_goal())[m.goal_kinds[k]]);
        set_estimate(
            estimate([&](const Quantities& q) { return at(q.series_conversions_by_kind[k]); }),
            &(*day->mutable_conversions_by_goal())[m.goal_kinds[k]]);
      }
      day->set_date(m.calendar.date(d));
      for (int c = 0; c < m.channel_count(); ++c) {
        const std::string& id = m.channel_ids[static_cast<size_t>(c)];
        (*day->mutable_spend())[id] =
            m.channel_spend[static_cast<size_t>(c)][static_cast<size_t>(d)];
        set_estimate(estimate([&](const Quantities& q) { return at(q.series_paid[c]); }),
                     &(*day->mutable_paid_exposures())[id]);
        set_estimate(estimate([&](const Quantities& q) { return at(q.series_organic[c]); }),
                     &(*day->mutable_organic_exposures())[id]);
      }
    }
  }

  // The calendar the run used: day 0's date, the flights, the events.
  void calendar() {
    r->set_start_date(m.calendar.date(0));
    auto span = [&](v1::CalendarSpan* out, DaySpan days) { set_span(m.calendar, days, out); };
    for (const CompiledFlight& f : m.flights) {
      v1::CalendarSpan* out = r->add_flights();
      out->set_channel(m.channel_ids[static_cast<size_t>(f.channel)]);
      span(out, f.days);
      out->set_weekly_budget(f.weekly_budget);
    }
    for (const CompiledEvent& e : m.events) {
      v1::CalendarSpan* out = r->add_events();
      out->set_name(e.name);
      span(out, e.days);
      out->set_act_multiplier(e.act_multiplier);
      out->set_reach_multiplier(e.reach_multiplier);
    }
  }

  void retention() {
    for (int t = 0; t < m.settings.horizon_days; ++t) {
      v1::RetentionPoint* point = r->add_retention_curve();
      point->set_days(t);
      set_estimate(
          estimate([t](const Quantities& q) { return q.retention[static_cast<size_t>(t)]; },
                   kShareRange),
          point->mutable_retained());
    }
  }
};

v1::RunResult build(const CompiledModel& m, const RunSettings& run,
                    const std::vector<Quantities>& reps, bool exact, int threads,
                    double wall_seconds) {
  v1::RunResult r;
  set_provenance(make_provenance(m, run, exact ? 0 : static_cast<int>(reps.size()), threads), &r);
  r.set_method(exact ? "exact" : "monte_carlo");
  r.set_mode(m.single_journey ? "single_journey" : "exposure");
  RunResultBuilder{m,
                   reps,
                   exact,
                   run.confidence,
                   exact ? 0 : static_cast<int64_t>(reps.size()),
                   exact ? 0 : run.parameter_draws,
                   &r}
      .build();
  r.mutable_timing()->set_wall_seconds(wall_seconds);
  return r;
}

}  // namespace

v1::RunResult summarize_monte_carlo(const CompiledModel& model, const RunSettings& run,
                                    const std::vector<ReplicationCounts>& counts, int threads,
                                    double wall_seconds) {
  return summarize_monte_carlo(std::span<const CompiledModel>(&model, 1), run, counts, threads,
                               wall_seconds);
}

v1::RunResult summarize_monte_carlo(std::span<const CompiledModel> models, const RunSettings& run,
                                    const std::vector<ReplicationCounts>& counts, int threads,
                                    double wall_seconds) {
  CJSIM_CHECK(!models.empty(), "no model to summarize");
  // Replication r ran with models[r mod models.size()] (sim/parameter_draws.h).
  auto model_of = [&](size_t r) -> const CompiledModel& { return models[r % models.size()]; };
  const CompiledModel& model = models.front();
  std::vector<Quantities> reps;
  for (size_t r = 0; r < counts.size(); ++r) {
    reps.push_back(quantities_from_counts(model_of(r), counts[r]));
  }
  v1::RunResult result = build(model, run, reps, false, threads, wall_seconds);
  add_work(model, counts, result.mutable_timing());
  if (run.kpi_window) {
    // The KPIs over the window only: those that can be counted by day.
    std::vector<Quantities> window;
    for (size_t r = 0; r < counts.size(); ++r) {
      window.push_back(window_quantities(model_of(r), counts[r], *run.kpi_window));
    }
    result.clear_kpis();
    set_kpis(with_parameter_draws(kpi_series(model, window, true), run.parameter_draws),
             run.confidence, false, result.mutable_kpis());
    set_span(model.calendar, *run.kpi_window, result.mutable_kpi_window());
  }
  if (!model.targets.empty() && !counts.front().series.converted.empty()) {
    set_targets(model, evaluate_targets(model, counts, run.confidence), run.confidence,
                result.mutable_targets());
  }
  return result;
}

v1::RunResult summarize_exact(const CompiledModel& model, const RunSettings& run,
                              const ExactSolution& solution, double wall_seconds) {
  return build(model, run, {quantities_from_exact(model, solution)}, true, 1, wall_seconds);
}

}  // namespace cjsim
