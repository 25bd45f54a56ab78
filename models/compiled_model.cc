#include "models/compiled_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <span>
#include <unordered_map>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "models/formulas.h"
#include "models/frequency_cap.h"
#include "models/stage.h"

namespace cjsim {

namespace {

// Hazard of a certain exposure: exp(-50) is below any uniform we draw.
constexpr double kCertainHazard = 50.0;

// Stratified allocation of agents to personas: counts proportional to the
// shares, rounded by largest remainder so they sum to `agents` exactly.
std::vector<int64_t> allocate_agents(const std::vector<double>& shares, int64_t agents) {
  const size_t n = shares.size();
  std::vector<int64_t> count(n);
  std::vector<std::pair<double, size_t>> remainder(n);
  int64_t assigned = 0;
  for (size_t p = 0; p < n; ++p) {
    double exact = shares[p] * static_cast<double>(agents);
    count[p] = static_cast<int64_t>(std::floor(exact));
    remainder[p] = {exact - static_cast<double>(count[p]), p};
    assigned += count[p];
  }
  std::stable_sort(remainder.begin(), remainder.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 0; assigned < agents; ++i, ++assigned) ++count[remainder[i % n].second];
  std::vector<int64_t> first(n + 1, 0);
  for (size_t p = 0; p < n; ++p) first[p + 1] = first[p] + count[p];
  return first;
}

LandingTable add_landing(std::vector<AliasColumn>& columns,
                         const std::vector<uint32_t>& touchpoints,
                         const std::vector<double>& weights) {
  LandingTable table;
  if (touchpoints.empty()) return table;
  std::vector<AliasColumn> built = build_alias_table(weights);
  table.column_begin = static_cast<uint32_t>(columns.size());
  table.log2_columns = static_cast<int8_t>(alias_table_log2_size(weights.size()));
  for (AliasColumn c : built) {
    c.primary = touchpoints[c.primary];
    c.alias = touchpoints[c.alias];
    columns.push_back(c);
  }
  return table;
}

// The organic sources of channel c's publishing plan for persona p: one per
// format posted (plain posts first), each with the day's probability
// 1 - prod over that day's posts k of (1 - q_k), q_k = affinity x
// organic_reach x active(p, hour_k) / max active(p) x the format's reach
// multiplier (docs/model.md "Publishing plan").
template <typename WithEvents>
void add_post_sources(const v1::Scenario& scenario, CompiledModel& m, int p, int c, double affinity,
                      PersonaExposure& ex, std::vector<std::vector<double>>& columns,
                      const WithEvents& with_events) {
  const v1::Channel& ch = scenario.channels(c);
  const v1::Persona& persona = scenario.personas(p);
  const auto& active = persona.active_hours();
  const double peak = active.empty() ? 0 : *std::max_element(active.begin(), active.end());
  const int horizon = m.settings.horizon_days;
  // Format -1 (plain), then the formats in order.
  for (int f = -1; f < static_cast<int>(m.format_ids.size()); ++f) {
    const std::string& id = f < 0 ? std::string() : m.format_ids[static_cast<size_t>(f)];
    std::vector<double> none(static_cast<size_t>(horizon), 1.0);  // P(no post exposes)
    bool any = false;
    for (const v1::Post& post : ch.posts()) {
      if (post.format() != id) continue;
      const double timing = active.empty() ? 1.0 : (peak > 0 ? active[post.hour()] / peak : 0.0);
      const double reach = f < 0 ? 1.0
                           : scenario.formats(f).has_reach_multiplier()
                               ? scenario.formats(f).reach_multiplier()
                               : 1.0;
      const double q = std::min(1.0, affinity * ch.organic_reach() * timing * reach);
      if (!(q > 0)) continue;
      for (int t = 0; t < horizon; ++t) {
        const int weekday = m.calendar.weekday(t) + 1;  // cjsim.v1.Weekday
        const bool posted = post.weekdays().empty() ||
                            std::find(post.weekdays().begin(), post.weekdays().end(), weekday) !=
                                post.weekdays().end();
        if (posted) none[static_cast<size_t>(t)] *= 1 - q;
      }
      any = true;
    }
    if (!any) continue;
    ex.sources.push_back({c, false, static_cast<int16_t>(f)});
    std::vector<double>& column = columns.emplace_back(static_cast<size_t>(horizon), 0.0);
    for (int t = 0; t < horizon; ++t)
      column[t] = with_events(1 - none[static_cast<size_t>(t)], p, c, t);
  }
}

// The channels with a frequency cap or fatigue, their slots in the agents'
// channel memory, and each touchpoint's fatigue slot.
void compile_memory(const v1::Scenario& scenario, CompiledModel& m) {
  ChannelMemory& memory = m.memory;
  memory.fatigue_slot.assign(static_cast<size_t>(m.channel_count()), -1);
  memory.cap_slot.assign(static_cast<size_t>(m.channel_count()), -1);
  for (int c = 0; c < m.channel_count(); ++c) {
    const v1::Channel& ch = scenario.channels(c);
    if (!m.channel_enabled[static_cast<size_t>(c)]) continue;
    if (ch.has_fatigue()) {
      memory.fatigue_slot[static_cast<size_t>(c)] = static_cast<int16_t>(memory.fatigued());
      memory.per_exposure.push_back(ch.fatigue().per_exposure());
      memory.daily_retention.push_back(
          std::exp2(-1.0 / ch.fatigue().recovery_half_life_days()));
    }
    if (ch.has_frequency_cap()) {
      memory.cap_slot[static_cast<size_t>(c)] = static_cast<int16_t>(memory.capped());
      memory.cap_exposures.push_back(ch.frequency_cap().exposures());
      memory.cap_per_days.push_back(ch.frequency_cap().per_days());
    }
  }
  memory.retention_days = std::min(m.settings.horizon_days, 4096) + 1;
  for (double r : memory.daily_retention) {
    for (int d = 0; d < memory.retention_days; ++d) memory.retention_power.push_back(std::pow(r, d));
  }
  memory.touchpoint_fatigue_slot.resize(static_cast<size_t>(m.touchpoint_count()));
  for (int u = 0; u < m.touchpoint_count(); ++u) {
    memory.touchpoint_fatigue_slot[static_cast<size_t>(u)] =
        memory.fatigue_slot[static_cast<size_t>(m.touchpoint_channel[static_cast<size_t>(u)])];
  }
  // Audiences: who is in them; their reach is set with the exposure. The
  // channels' first, then the entries'.
  memory.audience_slot.assign(static_cast<size_t>(m.channel_count()), -1);
  memory.entry_slot.assign(static_cast<size_t>(m.touchpoint_count()), -1);
  memory.touchpoint_audiences.assign(static_cast<size_t>(m.touchpoint_count()), 0);
  auto add_audience = [&](const v1::Audience& audience, int channel) -> CompiledAudience& {
    const int slot = memory.audience_count();
    CompiledAudience& a = memory.audiences.emplace_back();
    a.channel = channel;
    a.within_days = audience.visited().empty() ? 0 : audience.within_days();
    a.not_converted = audience.not_converted();
    if (a.not_converted) memory.not_converted_audiences |= static_cast<uint8_t>(1u << slot);
    const auto& visited = audience.visited();
    for (int u = 0; u < m.touchpoint_count() && !visited.empty(); ++u) {
      if (std::find(visited.begin(), visited.end(), m.touchpoint_ids[static_cast<size_t>(u)]) !=
          visited.end()) {
        memory.touchpoint_audiences[static_cast<size_t>(u)] |= static_cast<uint8_t>(1u << slot);
      }
    }
    return a;
  };
  for (int c = 0; c < m.channel_count(); ++c) {
    const v1::Channel& ch = scenario.channels(c);
    if (!m.channel_enabled[static_cast<size_t>(c)] || !ch.has_audience()) continue;
    memory.audience_slot[static_cast<size_t>(c)] = static_cast<int16_t>(memory.audience_count());
    CompiledAudience& a = add_audience(ch.audience(), c);
    a.max_reach = ch.max_reach();
    a.half_saturation = ch.half_saturation();
    a.shape = ch.has_hill_shape() ? ch.hill_shape() : 1.0;
  }
  memory.ad_audiences = memory.audience_count();
  for (int u = 0; u < m.touchpoint_count(); ++u) {
    const v1::Touchpoint& tp = scenario.touchpoints(u);
    if (!m.nodes[static_cast<size_t>(u)].enabled || !tp.has_entry_audience()) continue;
    memory.entry_slot[static_cast<size_t>(u)] = static_cast<int16_t>(memory.audience_count());
    add_audience(tp.entry_audience(), m.touchpoint_channel[static_cast<size_t>(u)]).touchpoint = u;
  }
}

// Money a frequency cap leaves unspent: each window's spend of a capped
// channel is cut by the share of the exposures it bought that no one under
// the cap was left to take (docs/model.md "Frequency caps"); the cost and
// impressions follow.
void cut_undelivered_spend(const std::vector<std::vector<double>>& bought,
                           const std::vector<std::vector<double>>& delivered, CompiledModel& m) {
  for (int c = 0; c < m.channel_count(); ++c) {
    const int slot = m.memory.cap_slot[static_cast<size_t>(c)];
    if (slot < 0) continue;
    const int per_days = m.memory.cap_per_days[static_cast<size_t>(slot)];
    std::vector<double>& spend = m.channel_spend[static_cast<size_t>(c)];
    bool cut = false;
    for (size_t w = 0; w < bought[static_cast<size_t>(c)].size(); ++w) {
      const double b = bought[static_cast<size_t>(c)][w];
      const double d = delivered[static_cast<size_t>(c)][w];
      if (!(b > 0) || d >= b) continue;
      cut = true;
      const size_t from = w * static_cast<size_t>(per_days);
      const size_t to = std::min(spend.size(), from + static_cast<size_t>(per_days));
      for (size_t t = from; t < to; ++t) spend[t] *= d / b;
    }
    if (!cut) continue;
    const double cost = std::accumulate(spend.begin(), spend.end(), 0.0);
    std::vector<double>& through = m.channel_spend_through[static_cast<size_t>(c)];
    std::partial_sum(spend.begin(), spend.end(), through.begin());
    m.channel_unspent[static_cast<size_t>(c)] = m.channel_cost[static_cast<size_t>(c)] - cost;
    m.channel_impressions[static_cast<size_t>(c)] *=
        m.channel_cost[static_cast<size_t>(c)] > 0 ? cost / m.channel_cost[static_cast<size_t>(c)]
                                                   : 0.0;
    m.channel_cost[static_cast<size_t>(c)] = cost;
  }
}

void compile_exposure(const v1::Scenario& scenario, CompiledModel& m) {
  const int horizon = m.settings.horizon_days;
  const int channels = m.channel_count();

  // Paid reach per channel and day: Hill saturation of geometric adstock
  // of the day's spend, from the first day with spend (before day 0 when
  // a flight seeds the adstock).
  std::vector<std::vector<double>> paid_reach(channels, std::vector<double>(horizon, 0.0));
  for (int c = 0; c < channels; ++c) {
    const v1::Channel& ch = scenario.channels(c);
    if (!m.channel_enabled[c]) continue;
    const SpendPlan plan = spend_plan(ch, m.calendar, horizon);
    const double shape = ch.has_hill_shape() ? ch.hill_shape() : 1.0;
    double adstock = 0;
    const int audience = m.memory.audience_slot[static_cast<size_t>(c)];
    if (audience >= 0) m.memory.audiences[static_cast<size_t>(audience)].adstock.assign(horizon, 0.0);
    for (int32_t t = plan.first_day; t < horizon; ++t) {
      adstock = formulas::adstock(plan.on(t), ch.adstock_decay(), adstock);
      if (t >= 0) {
        paid_reach[c][static_cast<size_t>(t)] =
            formulas::hill_reach(adstock, ch.max_reach(), ch.half_saturation(), shape);
        if (audience >= 0) {
          m.memory.audiences[static_cast<size_t>(audience)].adstock[static_cast<size_t>(t)] =
              adstock;
        }
      }
    }
  }
  // [day]: the events in force with a reach multiplier.
  std::vector<std::vector<const CompiledEvent*>> reach_events(static_cast<size_t>(horizon));
  for (const CompiledEvent& e : m.events) {
    if (e.reach_multiplier == 1) continue;
    for (int32_t t = std::max(0, e.days.from); t <= std::min(horizon - 1, e.days.to); ++t) {
      reach_events[static_cast<size_t>(t)].push_back(&e);
    }
  }
  // The reach multiplier of the events in force on day t, and an exposure
  // probability under them.
  auto multiplier = [&](int p, int c, int t) {
    double product = 1.0;
    for (const CompiledEvent* e : reach_events[static_cast<size_t>(t)]) {
      if (e->personas[static_cast<size_t>(p)] && e->channels[static_cast<size_t>(c)]) {
        product *= e->reach_multiplier;
      }
    }
    return product;
  };
  auto with_events = [&](double probability, int p, int c, int t) {
    return std::min(probability * multiplier(p, c, t), 1.0);
  };
  for (CompiledAudience& a : m.memory.audiences) {
    if (a.gates_entry()) continue;  // no ads
    const size_t personas = static_cast<size_t>(m.persona_count());
    a.ceiling.assign(personas * static_cast<size_t>(horizon), 0.0);
    a.scale.assign(personas * static_cast<size_t>(horizon), 0.0);
    a.ceiling_hazard.assign(personas * static_cast<size_t>(horizon + 1), 0.0);
    const std::string& id = m.channel_ids[static_cast<size_t>(a.channel)];
    for (int p = 0; p < m.persona_count(); ++p) {
      const auto& affinities = scenario.personas(p).channel_affinity();
      const auto it = affinities.find(id);
      const double affinity = it == affinities.end() ? 0.0 : it->second;
      const size_t row = static_cast<size_t>(p) * static_cast<size_t>(horizon);
      double* hazard = &a.ceiling_hazard[static_cast<size_t>(p) * static_cast<size_t>(horizon + 1)];
      for (int t = 0; t < horizon; ++t) {
        a.scale[row + t] = affinity * multiplier(p, a.channel, t);
        const double ceiling = std::min(1.0, a.scale[row + t] * a.max_reach);
        a.ceiling[row + t] = ceiling;
        hazard[t + 1] = hazard[t] + (ceiling >= 1.0 ? kCertainHazard : -std::log1p(-ceiling));
      }
    }
  }

  // Per capped channel and window: the exposures the money bought and
  // those delivered, over personas weighted by their share.
  std::vector<std::vector<double>> bought(static_cast<size_t>(channels));
  std::vector<std::vector<double>> delivered(static_cast<size_t>(channels));
  for (int c = 0; c < channels; ++c) {
    const int slot = m.memory.cap_slot[static_cast<size_t>(c)];
    if (slot < 0) continue;
    const int per_days = m.memory.cap_per_days[static_cast<size_t>(slot)];
    const size_t windows = static_cast<size_t>((horizon + per_days - 1) / per_days);
    bought[static_cast<size_t>(c)].assign(windows, 0.0);
    delivered[static_cast<size_t>(c)].assign(windows, 0.0);
  }

  m.exposure.resize(m.persona_count());
  for (int p = 0; p < m.persona_count(); ++p) {
    const v1::Persona& persona = scenario.personas(p);
    PersonaExposure& ex = m.exposure[p];
    std::vector<std::vector<double>> columns;  // per source, per day
    for (int c = 0; c < channels; ++c) {
      if (!m.channel_enabled[c]) continue;
      const v1::Channel& ch = scenario.channels(c);
      auto it = persona.channel_affinity().find(ch.id());
      const double affinity = it == persona.channel_affinity().end() ? 0.0 : it->second;
      if (affinity <= 0) continue;
      std::vector<double> paid(horizon);
      // An audience's paid reach is the engine's (CompiledAudience).
      const bool audience = m.memory.audience_slot[static_cast<size_t>(c)] >= 0;
      for (int t = 0; t < horizon && !audience; ++t) {
        paid[t] = with_events(affinity * paid_reach[c][t], p, c, t);
      }
      if (const int slot = m.memory.cap_slot[static_cast<size_t>(c)]; slot >= 0) {
        // Each window's offers re-spread over the people under the cap.
        const int per_days = m.memory.cap_per_days[static_cast<size_t>(slot)];
        const int cap = m.memory.cap_exposures[static_cast<size_t>(slot)];
        std::vector<double> ceiling(static_cast<size_t>(horizon));
        for (int t = 0; t < horizon; ++t) ceiling[t] = with_events(affinity * ch.max_reach(), p, c, t);
        std::vector<double> offered(paid.size());
        const double share = m.persona_share[static_cast<size_t>(p)];
        for (int from = 0, w = 0; from < horizon; from += per_days, ++w) {
          const size_t n = static_cast<size_t>(std::min(per_days, horizon - from));
          const std::span<const double> window(paid.data() + from, n);
          const double taken =
              respread_capped(window, std::span<const double>(ceiling.data() + from, n), cap,
                              std::span<double>(offered.data() + from, n));
          bought[static_cast<size_t>(c)][static_cast<size_t>(w)] +=
              share * std::accumulate(window.begin(), window.end(), 0.0);
          delivered[static_cast<size_t>(c)][static_cast<size_t>(w)] += share * taken;
        }
        paid = std::move(offered);
      }
      if (std::any_of(paid.begin(), paid.end(), [](double x) { return x > 0; })) {
        ex.sources.push_back({c, true});
        columns.push_back(std::move(paid));
      }
      if (!ch.posts().empty()) {
        add_post_sources(scenario, m, p, c, affinity, ex, columns, with_events);
        continue;
      }
      const double timing = formulas::posting_timing(
          std::span<const double>(ch.posting_hours().data(), ch.posting_hours().size()),
          std::span<const double>(persona.active_hours().data(), persona.active_hours().size()));
      const double organic = affinity * ch.organic_reach() * timing;
      if (organic > 0) {
        ex.sources.push_back({c, false});
        std::vector<double>& column = columns.emplace_back(horizon, organic);
        for (int t = 0; t < horizon; ++t) column[t] = with_events(organic, p, c, t);
      }
    }
    const size_t n = ex.sources.size();
    ex.probability.assign(static_cast<size_t>(horizon) * n, 0.0);
    ex.first_source_cdf.assign(static_cast<size_t>(horizon) * n, 1.0);
    ex.cumulative_hazard.assign(horizon + 1, 0.0);
    for (int t = 0; t < horizon; ++t) {
      double none = 1.0;  // P(no source before j exposes)
      double hazard = 0.0;
      // data() + offset: a persona without sources has empty tables.
      double* cdf = ex.first_source_cdf.data() + static_cast<size_t>(t) * n;
      double* prob = ex.probability.data() + static_cast<size_t>(t) * n;
      for (size_t j = 0; j < n; ++j) {
        prob[j] = columns[j][t];
        cdf[j] = (j == 0 ? 0.0 : cdf[j - 1]) + none * prob[j];
        none *= 1.0 - prob[j];
        hazard += prob[j] >= 1.0 ? kCertainHazard : -std::log1p(-prob[j]);
      }
      const double any = 1.0 - none;
      for (size_t j = 0; j < n; ++j) cdf[j] = any > 0 ? cdf[j] / any : 1.0;
      if (n > 0) cdf[n - 1] = 1.0;
      ex.cumulative_hazard[t + 1] = ex.cumulative_hazard[t] + std::min(hazard, kCertainHazard);
    }
    // The inverse of the cumulative hazard on an even grid of 2 x horizon
    // steps: where to start looking for the day a hazard total is reached.
    const double total = ex.cumulative_hazard[horizon];
    if (n > 0 && total > 0) {
      const int steps = 2 * horizon;
      ex.hazard_step = total / steps;
      ex.inverse_hazard.resize(static_cast<size_t>(steps) + 1);
      int day = 0;
      for (int j = 0; j <= steps; ++j) {
        while (day < horizon && ex.cumulative_hazard[day] < j * ex.hazard_step) ++day;
        ex.inverse_hazard[j] = day;
      }
    }
  }
  cut_undelivered_spend(bought, delivered, m);
}

RepeatProcess compile_repeat(const v1::BgNbd* bg_nbd, const v1::BgBb* bg_bb, bool has_value,
                             double value) {
  RepeatProcess p;
  p.value = has_value ? value : std::numeric_limits<double>::quiet_NaN();
  if (bg_nbd != nullptr) {
    p.kind = RepeatProcess::Kind::kBgNbd;
    p.r = bg_nbd->r();
    p.alpha = bg_nbd->alpha();
    p.a = bg_nbd->a();
    p.b = bg_nbd->b();
  } else if (bg_bb != nullptr) {
    p.kind = RepeatProcess::Kind::kBgBb;
    p.a = bg_bb->alpha();
    p.b = bg_bb->beta();
    p.gamma = bg_bb->gamma();
    p.delta = bg_bb->delta();
    p.period_days = static_cast<int32_t>(bg_bb->period_days());
  }
  return p;
}

void compile_loyalty(const v1::Scenario& scenario,
                     const std::unordered_map<std::string, int>& channel_index, CompiledModel& m) {
  LoyaltyModel& out = m.loyalty;
  const v1::Loyalty& l = scenario.loyalty();
  out.processes.push_back(compile_repeat(l.has_bg_nbd() ? &l.bg_nbd() : nullptr,
                                         l.has_bg_bb() ? &l.bg_bb() : nullptr, l.has_repeat_value(),
                                         l.repeat_value()));
  // Goal kinds with their own process, in sorted order (map order is not fixed).
  std::map<std::string, uint8_t> kind_process;
  std::map<std::string, v1::RepeatModel> by_kind(l.by_goal_kind().begin(), l.by_goal_kind().end());
  for (const auto& [kind, model] : by_kind) {
    kind_process[kind] = static_cast<uint8_t>(out.processes.size());
    out.processes.push_back(compile_repeat(model.has_bg_nbd() ? &model.bg_nbd() : nullptr,
                                           model.has_bg_bb() ? &model.bg_bb() : nullptr,
                                           model.has_repeat_value(), model.repeat_value()));
  }
  out.goal_process.assign(scenario.touchpoints_size(), 0);
  for (int u = 0; u < scenario.touchpoints_size(); ++u) {
    const v1::Touchpoint& t = scenario.touchpoints(u);
    auto it = kind_process.find(t.goal().kind());
    if (t.has_goal() && it != kind_process.end()) out.goal_process[u] = it->second;
  }
  if (l.has_care()) {
    const v1::Care& c = l.care();
    CareModel& care = out.care;
    care.enabled = true;
    care.channel = channel_index.at(c.channel());
    care.complaint_rate = c.complaint_rate();
    care.capacity = c.daily_capacity();
    care.sla_days = c.sla_days();
    care.churn_if_unanswered = c.churn_if_unanswered();
    care.public_share = c.public_share();
    care.praise_rate = c.praise_rate();
    care.impact_per_open = c.sentiment_impact() * 1000.0 / m.settings.population;
    care.daily_cost = c.daily_capacity() * c.cost_per_capacity_unit();
  }
  if (l.has_referral()) {
    const v1::Referral& r = l.referral();
    out.referral.enabled = true;
    out.referral.rate = r.rate();
    out.referral.channel = channel_index.at(r.channel());
    out.referral.landing_stage = static_cast<uint8_t>(
        r.landing_stage() == v1::STAGE_UNSPECIFIED ? v1::AWARENESS : r.landing_stage());
  }
  out.present = scenario.has_loyalty();
  bool repeats = false;
  for (const RepeatProcess& p : out.processes) repeats |= p.kind != RepeatProcess::Kind::kNone;
  out.enabled = repeats || (out.care.enabled && out.care.complaint_rate > 0) ||
                (out.referral.enabled && out.referral.rate > 0);
}

}  // namespace

int CompiledModel::persona_of(int64_t agent) const {
  auto it = std::upper_bound(persona_first_agent.begin(), persona_first_agent.end(), agent);
  return static_cast<int>(it - persona_first_agent.begin()) - 1;
}

std::string scenario_hash(const v1::Scenario& scenario) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    scenario.SerializeToCodedStream(&coded);
  }
  uint64_t hash = 14695981039346656037ull;  // FNV-1a 64 offset basis
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;  // FNV prime
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

namespace {

// The personas: shares, the agents of each, forgetting and its table.
void compile_personas(const v1::Scenario& scenario, CompiledModel& m) {
  const int personas = scenario.personas_size();
  bool shares_given = personas > 0 && scenario.personas(0).has_share();
  double share_total = 0;
  for (const v1::Persona& p : scenario.personas()) {
    m.persona_ids.push_back(p.id());
    m.persona_share.push_back(shares_given ? p.share() : 1.0);
    share_total += m.persona_share.back();
    const double f = formulas::daily_forgetting(p.memory_half_life_days());
    m.persona_forgetting.push_back(f);
    m.persona_privacy.push_back(p.privacy_sensitivity());
  }
  for (double& s : m.persona_share) s /= share_total;
  m.persona_first_agent = allocate_agents(m.persona_share, m.settings.agents);
  // Gaps between touches are within the horizon; a table of 4096 days
  // covers any gap of the usual horizons at 32 KiB per persona.
  m.memory_days = std::min(m.settings.horizon_days, 4096) + 1;
  for (double f : m.persona_forgetting) {
    double survive = 1;
    for (int d = 0; d < m.memory_days; ++d) {
      m.persona_memory.push_back(survive);
      survive *= 1 - f;
    }
  }
}

// The channels: ids, enabled, cost and impressions over the horizon.
// Returns each channel's index by id.
std::unordered_map<std::string, int> compile_channels(const v1::Scenario& scenario,
                                                      CompiledModel& m) {
  std::unordered_map<std::string, int> channel_index;
  for (int c = 0; c < scenario.channels_size(); ++c) {
    const v1::Channel& ch = scenario.channels(c);
    channel_index[ch.id()] = c;
    m.channel_ids.push_back(ch.id());
    const bool enabled = !ch.has_enabled() || ch.enabled();
    m.channel_enabled.push_back(enabled);
    std::vector<double>& spend = m.channel_spend.emplace_back(m.settings.horizon_days, 0.0);
    double pre_spend = 0;
    if (enabled) {
      const SpendPlan plan = spend_plan(ch, m.calendar, m.settings.horizon_days);
      for (int32_t t = plan.first_day; t < 0; ++t) pre_spend += plan.on(t);
      for (int t = 0; t < m.settings.horizon_days; ++t) spend[static_cast<size_t>(t)] = plan.on(t);
    }
    m.channel_pre_spend.push_back(pre_spend);
    for (const v1::Flight& f : ch.flights()) {
      if (enabled) m.flights.push_back({c, span_of(m.calendar, f), f.weekly_budget()});
    }
    std::vector<double>& through = m.channel_spend_through.emplace_back(spend.size());
    std::partial_sum(spend.begin(), spend.end(), through.begin());
    // Without flights or weekday weights every day spends weekly_budget / 7.
    const double cost = !enabled ? 0.0
                        : ch.flights().empty() && ch.weekday_weights().empty()
                            ? ch.weekly_budget() / 7.0 * m.settings.horizon_days
                            : std::accumulate(spend.begin(), spend.end(), 0.0);
    m.channel_cost.push_back(cost);
    m.channel_unspent.push_back(0.0);
    m.channel_impressions.push_back(ch.cpm() > 0 ? cost / ch.cpm() * 1000.0 : 0.0);
  }
  return channel_index;
}

// The touchpoints: channel, goal value and kind, the walk's nodes, and the
// act probability and threshold of each persona at each touchpoint.
// Returns each touchpoint's index by id.
std::unordered_map<std::string, int> compile_touchpoints(
    const v1::Scenario& scenario, const std::unordered_map<std::string, int>& channel_index,
    CompiledModel& m) {
  const int personas = scenario.personas_size();
  const int touchpoints = scenario.touchpoints_size();
  std::unordered_map<std::string, int> touchpoint_index;
  std::set<std::string> kinds;
  for (const v1::Touchpoint& tp : scenario.touchpoints()) {
    if (tp.has_goal()) kinds.insert(tp.goal().kind());
  }
  m.goal_kinds.assign(kinds.begin(), kinds.end());
  m.nodes.resize(touchpoints);
  for (int u = 0; u < touchpoints; ++u) {
    const v1::Touchpoint& tp = scenario.touchpoints(u);
    touchpoint_index[tp.id()] = u;
    m.touchpoint_ids.push_back(tp.id());
    const int channel = channel_index.at(tp.channel());
    m.touchpoint_channel.push_back(channel);
    m.touchpoint_value.push_back(tp.has_goal() ? tp.goal().value() : 0.0);
    const int kind = tp.has_goal()
                         ? static_cast<int>(std::lower_bound(m.goal_kinds.begin(),
                                                             m.goal_kinds.end(), tp.goal().kind()) -
                                            m.goal_kinds.begin())
                         : -1;
    m.touchpoint_goal_kind.push_back(kind);
    if (kind >= 0) m.goal_touchpoints.push_back(u);
    m.nodes[u] = {0, -1, static_cast<uint8_t>(tp.stage()), static_cast<uint8_t>(kind + 1),
                  static_cast<uint8_t>(m.channel_enabled[channel])};
  }
  std::vector<uint64_t> act_threshold(static_cast<size_t>(personas) * touchpoints);
  m.act_probability.resize(static_cast<size_t>(personas) * touchpoints);
  for (int p = 0; p < personas; ++p) {
    for (int u = 0; u < touchpoints; ++u) {
      const v1::Touchpoint& tp = scenario.touchpoints(u);
      double a = formulas::effective_act_probability(
          tp.cta().act_probability(), responsiveness_at(scenario.personas(p), tp.stage()));
      size_t at = static_cast<size_t>(p) * touchpoints + u;
      m.act_probability[at] = a;
      act_threshold[at] = static_cast<uint64_t>(std::llround(a * 4294967296.0));
    }
  }
  // The nodes are copied in once the edges are in them (compile_edges).
  m.persona_nodes.resize(act_threshold.size());
  for (size_t at = 0; at < act_threshold.size(); ++at) {
    m.persona_nodes[at].act_threshold = act_threshold[at];
  }
  return touchpoint_index;
}

// The edges in CSR order (stable: file order within a source), their alias
// columns holding the next touchpoint of a same-session step.
void compile_edges(const v1::Scenario& scenario,
                   const std::unordered_map<std::string, int>& touchpoint_index, CompiledModel& m) {
  const int touchpoints = scenario.touchpoints_size();
  std::vector<std::vector<int>> out(touchpoints);
  for (int e = 0; e < scenario.edges_size(); ++e) {
    out[touchpoint_index.at(scenario.edges(e).from())].push_back(e);
  }
  m.edge_begin.assign(touchpoints + 1, 0);
  for (int u = 0; u < touchpoints; ++u) {
    m.edge_begin[u + 1] = m.edge_begin[u] + static_cast<uint32_t>(out[u].size());
    if (out[u].empty()) continue;
    std::vector<double> weights;
    for (int e : out[u]) {
      const v1::Edge& edge = scenario.edges(e);
      weights.push_back(edge.has_weight() ? edge.weight() : 1.0);
    }
    const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
    const uint32_t first_edge = static_cast<uint32_t>(m.walk_edges.size());
    for (size_t k = 0; k < out[u].size(); ++k) {
      const v1::Edge& edge = scenario.edges(out[u][k]);
      int target = touchpoint_index.at(edge.to());
      if (!m.nodes[target].enabled) target = -1;
      const double q = formulas::delay_continue_probability(edge.delay_days());
      m.walk_edges.push_back({target, edge.delay_days() > 0 ? 1.0 / std::log(q) : 0.0});
      m.has_delayed_edges |= target >= 0 && edge.delay_days() > 0;
      m.edges.push_back({target, weights[k] / total, edge.delay_days()});
    }
    std::vector<AliasColumn> columns = build_alias_table(weights);
    m.nodes[u].column_begin = static_cast<uint32_t>(m.edge_columns.size());
    m.nodes[u].log2_columns = static_cast<int8_t>(alias_table_log2_size(weights.size()));
    auto step_code = [&](uint32_t k) {
      const WalkEdge& edge = m.walk_edges[first_edge + k];
      return edge.target >= 0 && edge.inv_log_q == 0 ? static_cast<uint32_t>(edge.target)
                                                     : kSlowEdge | (first_edge + k);
    };
    for (AliasColumn c : columns) {
      c.primary = step_code(c.primary);
      c.alias = step_code(c.alias);
      m.edge_columns.push_back(c);
    }
  }
}

// Landing tables per (channel, stage), and the single-journey entry.
void compile_landing(const v1::Scenario& scenario, CompiledModel& m) {
  const int touchpoints = scenario.touchpoints_size();
  m.landing.resize(static_cast<size_t>(m.channel_count()) * kStageCount);
  std::vector<uint32_t> entry_points;
  std::vector<double> entry_weights;
  for (int c = 0; c < m.channel_count(); ++c) {
    for (int stage = 1; stage <= kStageCount; ++stage) {
      // A landing (an exposure, word of mouth) is on an enabled touchpoint.
      std::vector<uint32_t> points;
      std::vector<double> weights;
      for (int u = 0; u < touchpoints; ++u) {
        const v1::Touchpoint& tp = scenario.touchpoints(u);
        if (m.touchpoint_channel[u] != c || tp.stage() != stage || !(tp.entry_weight() > 0)) {
          continue;
        }
        // The entry keeps the touchpoints of a switched-off channel: an
        // agent whose single-journey entry falls on one does not start
        // (docs/model.md section 5), as a Markov chain's removal sends the
        // start into a removed state to null, and the entry draws stay
        // paired with those of the scenario where the channel is on. On
        // day 0 no one has visited anything: an entry audience built on
        // visits holds no one, and one of the not converted everyone.
        if (!tp.has_entry_audience() || tp.entry_audience().visited().empty()) {
          entry_points.push_back(static_cast<uint32_t>(u));
          entry_weights.push_back(tp.entry_weight());
        }
        if (m.nodes[u].enabled) {
          points.push_back(static_cast<uint32_t>(u));
          weights.push_back(tp.entry_weight());
        }
      }
      LandingTable& table = m.landing[static_cast<size_t>(c) * kStageCount + (stage - 1)];
      table = add_landing(m.landing_columns, points, weights);
      LandingGates gates{points, weights, {}};
      bool gated = false;
      for (uint32_t u : points) {
        gates.slots.push_back(m.memory.entry_slot[u]);
        gated |= gates.slots.back() >= 0;
      }
      if (gated) {
        table.gates = static_cast<int16_t>(m.landing_gates.size());
        m.landing_gates.push_back(std::move(gates));
      }
    }
  }
  m.entry = add_landing(m.landing_columns, entry_points, entry_weights);
  m.entry_probability.assign(touchpoints, 0.0);
  const double entry_total = std::accumulate(entry_weights.begin(), entry_weights.end(), 0.0);
  for (size_t k = 0; k < entry_points.size(); ++k) {
    if (m.nodes[entry_points[k]].enabled) {
      m.entry_probability[entry_points[k]] = entry_weights[k] / entry_total;
    }
  }
}

void compile_goal_windows(const v1::Scenario& scenario, CompiledModel& m) {
  for (const v1::Touchpoint& tp : scenario.touchpoints()) {
    // A touchpoint without a goal has an empty Goal: open every day.
    const DaySpan window = window_of(m.calendar, tp.goal());
    m.goal_window.push_back(window);
    m.has_goal_windows |= window.from > 0 || window.to < m.settings.horizon_days - 1;
  }
}

// Comment rates and each day's negative share under the events.
void compile_comments(const v1::Scenario& scenario, CompiledModel& m) {
  CommentModel& out = m.comments;
  const size_t channels = static_cast<size_t>(m.channel_count());
  const int horizon = m.settings.horizon_days;
  out.rate.assign(channels, 0.0);
  std::vector<double> share(channels, 0.0);
  for (size_t c = 0; c < channels; ++c) {
    const v1::Channel& ch = scenario.channels(static_cast<int>(c));
    if (!m.channel_enabled[c] || !ch.has_comments()) continue;
    out.rate[c] = ch.comments().rate_per_exposure();
    share[c] = ch.comments().negative_share();
    out.enabled |= out.rate[c] > 0;
  }
  if (!out.enabled) return;
  out.negative_share.resize(static_cast<size_t>(horizon) * channels);
  for (int t = 0; t < horizon; ++t) {
    for (size_t c = 0; c < channels; ++c) {
      double x = share[c];
      for (const CompiledEvent& e : m.events) {
        if (e.covers(t) && e.channels[c]) x *= e.negative_share_multiplier;
      }
      out.negative_share[static_cast<size_t>(t) * channels + c] = std::min(x, 1.0);
    }
  }
}

void compile_targets(const v1::Scenario& scenario, CompiledModel& m) {
  for (const v1::Target& t : scenario.targets()) {
    m.targets.push_back({t.name(), t.kpi(), t.has_at_least() ? t.at_least() : t.at_most(),
                         t.has_at_least(), due_day_of(m.calendar, t, m.settings.horizon_days)});
  }
}

}  // namespace

int64_t channel_memory_bytes(const v1::Scenario& scenario) {
  int64_t fatigued = 0, capped = 0, audiences = 0;
  for (const v1::Channel& ch : scenario.channels()) {
    if (ch.has_enabled() && !ch.enabled()) continue;
    fatigued += ch.has_fatigue();
    capped += ch.has_frequency_cap();
    audiences += ch.has_audience();
  }
  for (const v1::Touchpoint& tp : scenario.touchpoints()) audiences += tp.has_entry_audience();
  return limits::channel_memory_bytes(fatigued, capped, audiences);
}

CompiledModel compile(const v1::Scenario& scenario, const std::string& variant_name) {
  CompiledModel m;
  m.settings = resolve_settings(scenario.simulation());
  m.scenario_name = scenario.name();
  m.scenario_description = scenario.description();
  m.variant_name = variant_name;
  m.scenario_hash = scenario_hash(scenario);
  Result<Calendar> calendar = Calendar::of(scenario.simulation());
  CJSIM_CHECK(calendar.is_ok(), "a start date that validation should refuse");
  m.calendar = *calendar;
  m.events = compile_events(scenario, m.calendar);
  for (const v1::Format& f : scenario.formats()) {
    m.format_ids.push_back(f.id());
    m.format_act_multiplier.push_back(f.has_act_multiplier() ? f.act_multiplier() : 1.0);
  }
  for (const CompiledEvent& e : m.events) {
    if (e.act_multiplier != 1) m.act_events.push_back(e);
  }
  compile_personas(scenario, m);
  const std::unordered_map<std::string, int> channel_index = compile_channels(scenario, m);
  const std::unordered_map<std::string, int> touchpoint_index =
      compile_touchpoints(scenario, channel_index, m);
  compile_edges(scenario, touchpoint_index, m);
  for (size_t at = 0; at < m.persona_nodes.size(); ++at) {
    m.persona_nodes[at].node = m.nodes[at % m.nodes.size()];
  }
  compile_memory(scenario, m);
  compile_landing(scenario, m);
  compile_exposure(scenario, m);
  compile_loyalty(scenario, channel_index, m);
  compile_comments(scenario, m);
  m.care_cost = m.loyalty.care.daily_cost * m.settings.horizon_days;
  compile_goal_windows(scenario, m);
  compile_targets(scenario, m);
  // An audience that reaches someone is exposure too.
  m.single_journey =
      std::all_of(m.exposure.begin(), m.exposure.end(),
                  [](const PersonaExposure& e) { return e.sources.empty(); }) &&
      std::none_of(m.memory.audiences.begin(), m.memory.audiences.end(),
                   [](const CompiledAudience& a) {
                     return std::any_of(a.ceiling.begin(), a.ceiling.end(),
                                        [](double x) { return x > 0; });
                   });
  return m;
}

}  // namespace cjsim
