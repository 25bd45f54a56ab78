#include "sim/resources.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <span>

#include "models/formulas.h"
#include "models/limits.h"
#include "models/settings.h"
#include "sim/engine.h"
#include "sim/tally.h"

namespace cjsim {

namespace {

// What the process holds before any model: code, libraries, TBB's threads.
constexpr double kProcessBytes = 16.0 * (1 << 20);
constexpr double kPerThreadBytes = 1.0 * (1 << 20);

// The source map of a parsed text or JSON file, in copies of the message.
constexpr double kSourceMapCopies = 4;
// Per touchpoint, beyond the persona x touchpoint tables: the node, id,
// channel, value, entry probability, edge offsets, landing columns (at most
// two padded tables hold it) and the compiler's id index.
constexpr double kPerTouchpointBytes = 8 + 32 + 4 + 8 + 8 + 1 + 4 + 2 * 2 * 12 + 96;
// Per edge: its walk form, exact form, padded alias columns and the
// compiler's lists.
constexpr double kPerEdgeBytes = 16 + 24 + 2 * 12 + 4 + 8;
// The walk's tables per persona and touchpoint: PersonaNode (16), the exact
// act probability (8) and the compiler's thresholds (8).
constexpr double kPerPersonaTouchpointBytes = 16 + 8 + 8;

std::string count_text(double n) {
  char text[32];
  if (n >= 1e9) {
    std::snprintf(text, sizeof text, "%.3g", n);
    return text;
  }
  std::string digits = std::to_string(static_cast<int64_t>(std::llround(n)));
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

}  // namespace

std::string format_bytes(double bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int unit = 0;
  // From 1,000 of a unit on, the next one: no four-digit figures ("1023 KiB").
  while (bytes >= 1000 && unit < 5) {
    bytes /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text,
                unit == 0    ? "%.0f %s"
                : bytes < 10 ? "%.1f %s"
                             : "%.0f %s",
                bytes, units[unit]);
  return text;
}

// Bytes of one entry of a result's map of estimates (key, message, map
// node), measured on a ten-year run of ten channels.
constexpr double kResultEntryBytes = 600;

ModelFootprint model_footprint(const v1::Scenario& s) {
  ModelFootprint f;
  const SimulationSettings settings = resolve_settings(s.simulation());
  const double personas = s.personas_size(), touchpoints = s.touchpoints_size();
  const double horizon = settings.horizon_days;
  f.personas = s.personas_size();
  f.touchpoints = s.touchpoints_size();
  f.horizon_days = settings.horizon_days;
  f.agents = settings.agents;
  f.replications = resolve_run_settings(s.simulation()).replications;
  f.scenario = static_cast<double>(s.SpaceUsedLong());

  // Exposure sources as compile() finds them: a channel the persona uses
  // gives a paid source when it buys reach, an organic one when its posts
  // reach the persona at some hour.
  double largest_persona = 0;
  int enabled_channels = 0;
  for (const v1::Channel& c : s.channels()) enabled_channels += !c.has_enabled() || c.enabled();
  for (const v1::Persona& p : s.personas()) {
    int sources = 0;
    for (const v1::Channel& c : s.channels()) {
      if (c.has_enabled() && !c.enabled()) continue;
      auto it = p.channel_affinity().find(c.id());
      if (it == p.channel_affinity().end() || !(it->second > 0)) continue;
      sources += plans_spend(c) && c.max_reach() > 0;
      if (!c.posts().empty()) {
        // A publishing plan: a source per format posted.
        std::set<std::string> formats;
        for (const v1::Post& post : c.posts()) formats.insert(post.format());
        sources += static_cast<int>(formats.size());
        continue;
      }
      const double timing = formulas::posting_timing(
          std::span<const double>(c.posting_hours().data(), c.posting_hours().size()),
          std::span<const double>(p.active_hours().data(), p.active_hours().size()));
      sources += it->second * c.organic_reach() * timing > 0;
    }
    f.exposure_sources += sources;
    // Probability and first-source tables (16 bytes a source and day), the
    // cumulative hazard and its inverse grid; while a persona is compiled,
    // one more column of 8 bytes a source and day.
    const double tables = sources * horizon * 16 + (horizon + 1) * 8 + (2 * horizon + 1) * 4;
    f.exposure += tables;
    largest_persona = std::max(largest_persona, sources * horizon * 8);
  }
  f.exposure += largest_persona + enabled_channels * horizon * 8;  // paid reach per channel
  f.persona_touchpoint = personas * touchpoints * kPerPersonaTouchpointBytes;
  const double memory_table = personas * (std::min(horizon, 4096.0) + 1) * 8;
  f.compiled = f.persona_touchpoint + f.exposure + memory_table +
               touchpoints * kPerTouchpointBytes + s.edges_size() * kPerEdgeBytes +
               s.channels_size() * 4.0 * 16;

  // A running replication: the agent records, next-event days and AgentSide, customer
  // state and word of mouth where the loyalty block has them, and per block
  // its next day and end-of-day lists.
  const v1::Loyalty& l = s.loyalty();
  f.per_agent = static_cast<double>(limits::agent_state_bytes(
      s.channels_size(), s.has_loyalty(), l.has_referral() || l.has_care(),
      channel_memory_bytes(s)));
  f.counts = touchpoints * static_cast<double>(sizeof(TouchpointCounts) + sizeof(uint64_t)) +
             s.channels_size() * 24.0 + personas * 16 + horizon * (5 * 8 + 2 * 8) +
             static_cast<double>(sizeof(ReplicationCounts));
  const double counts = f.counts;
  const double blocks = std::ceil(static_cast<double>(settings.agents) / Engine::kBlockAgents);
  // The end-of-day copy of the walk's tables under a care backlog.
  // The end-of-day copy of the walk's tables under a care backlog or
  // events that change act probabilities.
  const bool act_events = std::any_of(s.events().begin(), s.events().end(), [](const v1::Event& e) {
    return e.has_act_multiplier() && e.act_multiplier() != 1;
  });
  const double backlog = l.has_care() || act_events
                             ? personas * touchpoints * static_cast<double>(sizeof(PersonaNode))
                             : 0;
  f.per_running = counts * 2 + blocks * 56 + backlog;
  // Quantities: touchpoint visits, acts and conversions, channels,
  // personas, the daily series and the retention curve.
  double goals = 0;
  std::set<std::string> kinds;
  for (const v1::Touchpoint& t : s.touchpoints()) {
    if (!t.has_goal()) continue;
    ++goals;
    kinds.insert(t.goal().kind());
  }
  const double channels = s.channels_size();
  // The running totals of goal events, repeats and exposures by day, and
  // their day-by-day quantities.
  const double daily_totals = horizon * (2 * goals + 2 * channels) * 8 +
                              horizon * (static_cast<double>(kinds.size()) + 2 * channels) * 8;
  const double quantities =
      touchpoints * 24 + channels * 72.0 + personas * 16 + horizon * 6 * 8 + 512;
  f.per_kept = counts + quantities + daily_totals;
  // The result's series: per day six estimates, and per channel its spend
  // and paid and organic exposures, per goal kind two (about 600 bytes an
  // entry of a protobuf map, measured).
  f.daily_result =
      horizon * (6 + 3 * channels + 2 * static_cast<double>(kinds.size())) * kResultEntryBytes;
  return f;
}

ResourceEstimate estimate_resources(const ModelFootprint& f, const WorkPlan& plan) {
  ResourceEstimate e;
  e.agent_days = plan.agent_days;
  const double models = plan.models_at_once;
  // Models run one after another: only the replications of one run at once.
  const double running = static_cast<double>(plan.running);
  // Each thread that works on a replication keeps partial counts for it.
  const double counts_per_running = f.per_running + plan.threads * f.counts;
  auto add = [&](std::string what, double bytes, std::string lower) {
    if (bytes > 0) e.parts.push_back({std::move(what), bytes, std::move(lower)});
  };
  const std::string of_models =
      models > 1 ? ", for each of " + count_text(models) + " models held at once" : "";
  add("agent state of " + count_text(running) + " replication" + (running == 1 ? "" : "s") +
          " running at once x " + count_text(static_cast<double>(f.agents)) + " agents",
      running * static_cast<double>(f.agents) * f.per_agent,
      "--agents, or --threads (replications run at once)");
  add("the walk's tables, " + count_text(static_cast<double>(f.personas)) + " personas x " +
          count_text(static_cast<double>(f.touchpoints)) + " touchpoints" + of_models,
      models * f.persona_touchpoint, "fewer personas or touchpoints");
  add("exposure tables, " + count_text(static_cast<double>(f.exposure_sources)) +
          " persona-channel sources x " + count_text(static_cast<double>(f.horizon_days)) +
          " days" + of_models,
      models * f.exposure, "--horizon-days, or fewer personas or channels");
  add("the rest of the compiled model" + of_models,
      models * (f.compiled - f.persona_touchpoint - f.exposure), "fewer touchpoints or edges");
  add("counts of " + count_text(static_cast<double>(plan.kept)) + " finished replications",
      static_cast<double>(plan.kept) * f.per_kept,
      plan.command == "compare" ? "--max-replications, --replications or fewer variants"
                                : "--replications");
  add("partial counts of the running replications", running * counts_per_running, "--threads");
  if (plan.command == "run") {
    add("the result's day-by-day series, " + count_text(static_cast<double>(f.horizon_days)) +
            " days",
        f.daily_result, "--horizon-days");
  }
  // Parsing a text or JSON file keeps where every field was written, for
  // messages: about 4 times the message itself (measured on large files).
  add("the scenario: " + count_text(plan.scenario_copies) +
          " copies and the parsed file's source map",
      (plan.scenario_copies + kSourceMapCopies) * f.scenario, "a smaller scenario");
  add("the program and its threads", kProcessBytes + plan.threads * kPerThreadBytes, "");
  std::sort(e.parts.begin(), e.parts.end(),
            [](const ResourcePart& a, const ResourcePart& b) { return a.bytes > b.bytes; });
  for (const ResourcePart& part : e.parts) e.bytes += part.bytes;
  return e;
}

std::vector<std::string> over_limits(const ResourceEstimate& e, const ResourceLimits& limits) {
  std::vector<std::string> reasons;
  if (e.bytes > limits.memory_bytes) {
    std::string parts;
    int shown = 0;
    for (const ResourcePart& part : e.parts) {
      if (shown == 4 || part.bytes < 0.05 * e.bytes) break;
      parts += std::string(shown++ == 0 ? "" : "; ") + part.what + ": " + format_bytes(part.bytes) +
               (part.lower.empty() ? "" : " (lower " + part.lower + ")");
    }
    reasons.push_back("needs about " + format_bytes(e.bytes) +
                      " of memory at its peak, more than the " + format_bytes(limits.memory_bytes) +
                      " allowed here (" + limits.memory_source + "): " + parts);
  }
  if (e.agent_days > limits.agent_days) {
    const double hours = e.agent_days / limits::kAgentDaysPerCoreSecond / 3600;
    char text[128];
    std::snprintf(text, sizeof text, "%.3g agent-days (about %s core-hours)", e.agent_days,
                  count_text(std::round(hours)).c_str());
    char budget[64];
    std::snprintf(budget, sizeof budget, "%.3g", limits.agent_days);
    reasons.push_back(std::string("would simulate ") + text + ", over the budget of " + budget +
                      " agent-days; use fewer agents, replications, days or points: intervals "
                      "shrink with the square root of agents x replications");
  }
  return reasons;
}

}  // namespace cjsim
