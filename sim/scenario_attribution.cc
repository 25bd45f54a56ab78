#include "sim/scenario_attribution.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <vector>

#include "models/check.h"
#include "models/compiled_model.h"
#include "models/settings.h"
#include "sim/comparison.h"
#include "sim/exact_solver.h"
#include "sim/kpi.h"
#include "sim/provenance.h"
#include "sim/run_result.h"
#include "sim/sweep.h"

namespace cjsim {

namespace {

constexpr const char* kRemoval = "removal";
constexpr const char* kFirst = "first";
constexpr const char* kLast = "last";

// The conversions and value KPIs attributed.
std::string conversions_kpi(const std::string& kind) {
  return kind.empty() ? "conversions" : "conversions:" + kind;
}
std::string value_kpi(const std::string& kind) { return kind.empty() ? "value" : "value:" + kind; }

bool switched_on(const v1::Channel& channel) { return !channel.has_enabled() || channel.enabled(); }

// One arm's figures: the KPI series of the conversions and value
// attributed, with `exact` one sample each.
struct Arm {
  KpiSeries conversions, value;
};

Arm arm_of(const std::vector<KpiSeries>& kpis, const std::string& kind) {
  const KpiSeries* conversions = find_kpi(kpis, conversions_kpi(kind));
  const KpiSeries* value = find_kpi(kpis, value_kpi(kind));
  CJSIM_CHECK(conversions != nullptr && value != nullptr, "the attributed KPIs are counted");
  return {*conversions, *value};
}

// First- and last-touch credit of one replication, per channel, for the
// goals of kind index `kind` (-1: every goal), scaled to the population.
struct Credit {
  std::vector<double> first_conversions, last_conversions, first_value, last_value;
};

Credit credit_of(const CompiledModel& m, const ReplicationCounts& counts, int kind) {
  const size_t channels = static_cast<size_t>(m.channel_count());
  const uint64_t touchpoints = static_cast<uint64_t>(m.touchpoint_count());
  const double scale = population_scale(m);
  Credit out{std::vector<double>(channels, 0.0), std::vector<double>(channels, 0.0),
             std::vector<double>(channels, 0.0), std::vector<double>(channels, 0.0)};
  auto add = [&](const std::map<uint64_t, uint64_t>& credit, std::vector<double>& conversions,
                 std::vector<double>& value) {
    for (const auto& [key, count] : credit) {
      const uint64_t u = key % touchpoints;
      if (kind >= 0 && m.touchpoint_goal_kind[u] != kind) continue;
      conversions[key / touchpoints] += static_cast<double>(count) * scale;
      value[key / touchpoints] += static_cast<double>(count) * scale * m.touchpoint_value[u];
    }
  };
  add(counts.credit.first_touch, out.first_conversions, out.first_value);
  add(counts.credit.last_touch, out.last_conversions, out.last_value);
  return out;
}

// The mean over the replications of `field[channel]`.
double mean_credit(const std::vector<Credit>& credits, std::vector<double> Credit::*field,
                   size_t channel) {
  double sum = 0;
  for (const Credit& c : credits) sum += (c.*field)[channel];
  return credits.empty() ? 0.0 : sum / static_cast<double>(credits.size());
}

// The removal effect and the loss, from the paired comparison of the
// baseline with the channel off: loss = baseline - off (the difference
// negated), removal effect = 1 - off / baseline (the relative difference
// negated). An exact pair gives exact figures.
void set_removal(const KpiSeries& baseline, const KpiSeries& off, double confidence, bool exact,
                 v1::Estimate* removal, v1::Estimate* lost) {
  if (exact) {
    const double base = baseline.value(), without = off.value();
    set_estimate(exact_estimate(base - without), lost);
    set_estimate(exact_estimate(base > 0 ? 1 - without / base : kNaN), removal);
    return;
  }
  const KpiComparison c = compare_kpi(baseline, off, confidence);
  set_estimate(scale_estimate(c.difference, -1.0), lost);
  set_estimate(scale_estimate(c.relative, -1.0), removal);
}

// Shares of `effects` (negative ones count as 0: a channel whose removal
// gains conversions is owed none), times `total`; all 0 when none is
// positive.
std::vector<double> normalised(const std::vector<double>& effects, double total) {
  double sum = 0;
  for (double e : effects) sum += std::isfinite(e) ? std::max(e, 0.0) : 0.0;
  std::vector<double> out(effects.size(), 0.0);
  if (!(sum > 0)) return out;
  for (size_t i = 0; i < effects.size(); ++i) {
    out[i] = std::isfinite(effects[i]) ? std::max(effects[i], 0.0) / sum * total : 0.0;
  }
  return out;
}

int kind_index(const CompiledModel& model, const std::string& kind) {
  if (kind.empty()) return -1;
  auto it = std::find(model.goal_kinds.begin(), model.goal_kinds.end(), kind);
  CJSIM_CHECK(it != model.goal_kinds.end(), "a goal kind of the scenario");
  return static_cast<int>(it - model.goal_kinds.begin());
}

// The KPI series of an exact solution (one sample each).
std::vector<KpiSeries> exact_kpis(const CompiledModel& model) {
  const Result<ExactSolution> solution = solve_exact(model);
  CJSIM_CHECK(solution.is_ok(), "an exactly solvable arm");
  return kpi_series(model, {quantities_from_exact(model, *solution)});
}

}  // namespace

std::vector<int> attributed_channels(const v1::Scenario& scenario) {
  std::vector<int> out;
  for (int c = 0; c < scenario.channels_size(); ++c) {
    if (switched_on(scenario.channels(c))) out.push_back(c);
  }
  return out;
}

std::string scenario_attribution_problem(const v1::Scenario& scenario,
                                         const ScenarioAttributionSettings& settings) {
  if (attributed_channels(scenario).empty()) return "every channel is switched off";
  const CompiledModel model = compile(scenario, settings.variant);
  const std::vector<std::string>& kinds = model.goal_kinds;
  auto listed = [&] {
    std::string out;
    for (const std::string& k : kinds) out += (out.empty() ? "" : ", ") + k;
    return out;
  };
  if (kinds.empty()) return "the scenario has no goal: there are no conversions to attribute";
  if (settings.goal_kind.empty() && kinds.size() > 1) {
    return "the scenario has goals of " + std::to_string(kinds.size()) + " kinds (" + listed() +
           "), whose conversions do not add up: choose one with --goal KIND";
  }
  if (!settings.goal_kind.empty() &&
      std::find(kinds.begin(), kinds.end(), settings.goal_kind) == kinds.end()) {
    return "--goal " + settings.goal_kind +
           ": the scenario has no goal of that kind (its kinds: " + listed() + ")";
  }
  if (settings.exact) {
    const Result<ExactSolution> solution = solve_exact(model);
    if (!solution.is_ok()) return "--exact: " + solution.status().message();
    if (kinds.size() > 1) {
      return "--exact: the exact solution credits channels with the conversions of every goal "
             "kind together; on a scenario of several goal kinds attribute one kind by "
             "simulation (without --exact)";
    }
  }
  return "";
}

v1::AttributionResult attribute_scenario(const v1::Scenario& scenario,
                                         const ScenarioAttributionSettings& settings,
                                         StudyProgress* progress) {
  const auto start = std::chrono::steady_clock::now();
  const RunSettings run = resolve_run_settings(scenario.simulation());
  const CompiledModel baseline = compile(scenario, settings.variant);
  const bool reaches = !baseline.single_journey;
  const int kind = kind_index(baseline, settings.goal_kind);
  const std::vector<int> channels = attributed_channels(scenario);
  CJSIM_CHECK(!channels.empty(), "a channel to attribute");

  v1::AttributionResult result;
  v1::Timing timing;  // the runs count their work here; the result reports seconds only
  std::vector<KpiSeries> base_kpis;
  std::vector<Credit> credits;
  if (settings.exact) {
    const Result<ExactSolution> solution = solve_exact(baseline);
    CJSIM_CHECK(solution.is_ok(), "an exactly solvable scenario");
    base_kpis = kpi_series(baseline, {quantities_from_exact(baseline, *solution)});
    const double scale = baseline.settings.population;
    Credit c;
    for (double v : solution->channel_conversions) c.first_conversions.push_back(v * scale);
    for (double v : solution->channel_value) c.first_value.push_back(v * scale);
    c.last_conversions = c.first_conversions;
    c.last_value = c.first_value;
    credits.push_back(std::move(c));
  } else {
    std::vector<ReplicationCounts> counts;
    base_kpis = run_point(std::span(&baseline, 1), run, progress, &timing, counts);
    for (const ReplicationCounts& c : counts) credits.push_back(credit_of(baseline, c, kind));
  }
  const Arm base = arm_of(base_kpis, settings.goal_kind);

  // Each channel off, on the baseline's random numbers.
  std::vector<double> effects, value_effects;
  for (int c : channels) {
    if (progress != nullptr && progress->stopped()) return result;  // incomplete
    v1::Scenario off = scenario;
    off.mutable_channels(c)->set_enabled(false);
    CompiledModel model = compile(off, settings.variant);
    keep_form_of_reference(reaches, model);
    const Arm arm = arm_of(settings.exact ? exact_kpis(model)
                                          : run_point(std::span(&model, 1), run, progress, &timing),
                           settings.goal_kind);
    v1::ChannelAttribution& out = *result.add_channels();
    out.set_channel(scenario.channels(c).id());
    set_removal(base.conversions, arm.conversions, run.confidence, settings.exact,
                out.mutable_removal(), out.mutable_conversions_lost());
    set_removal(base.value, arm.value, run.confidence, settings.exact, out.mutable_value_removal(),
                out.mutable_value_lost());
    out.set_removal_effect(out.removal().mean());
    out.set_value_removal_effect(out.value_removal().mean());
    // The goal's own channel: its removal removes the goal, not a route to it.
    std::string goals;
    for (int u : baseline.goal_touchpoints) {
      if (baseline.touchpoint_channel[u] != c ||
          (kind >= 0 && baseline.touchpoint_goal_kind[u] != kind)) {
        continue;
      }
      goals += (goals.empty() ? "" : ", ") + scenario.touchpoints(u).id();
    }
    out.set_holds_goal(!goals.empty());
    effects.push_back(goals.empty() ? out.removal_effect() : 0.0);
    value_effects.push_back(goals.empty() ? out.value_removal_effect() : 0.0);
    if (!goals.empty()) {
      result.add_warnings("channel '" + out.channel() + "' holds the goal touchpoint" +
                          (goals.find(',') != std::string::npos ? "s " : " ") + goals +
                          ": switching it off removes the goal itself, so its removal effect (" +
                          note_number(100 * out.removal_effect()) +
                          "%) says nothing of it as a route to the goal, and it gets no share of "
                          "the removal credit");
    }
  }

  const double conversions = base.conversions.value(), value = base.value.value();
  const std::vector<double> removal_conversions = normalised(effects, conversions);
  const std::vector<double> removal_value = normalised(value_effects, value);
  double credited = 0, credited_value = 0;
  for (size_t i = 0; i < channels.size(); ++i) {
    const size_t c = static_cast<size_t>(channels[i]);
    v1::ChannelAttribution& out = *result.mutable_channels(static_cast<int>(i));
    (*out.mutable_conversions())[kRemoval] = removal_conversions[i];
    (*out.mutable_value())[kRemoval] = removal_value[i];
    (*out.mutable_conversions())[kFirst] = mean_credit(credits, &Credit::first_conversions, c);
    (*out.mutable_conversions())[kLast] = mean_credit(credits, &Credit::last_conversions, c);
    (*out.mutable_value())[kFirst] = mean_credit(credits, &Credit::first_value, c);
    (*out.mutable_value())[kLast] = mean_credit(credits, &Credit::last_value, c);
  }
  // First and last touch share the journeys' conversions of every channel,
  // those switched off included (none: an off channel touches no one).
  for (size_t c = 0; c < static_cast<size_t>(baseline.channel_count()); ++c) {
    credited += mean_credit(credits, &Credit::first_conversions, c);
    credited_value += mean_credit(credits, &Credit::first_value, c);
  }
  std::sort(result.mutable_channels()->begin(), result.mutable_channels()->end(),
            [](const v1::ChannelAttribution& a, const v1::ChannelAttribution& b) {
              return a.channel() < b.channel();
            });

  result.add_methods(kRemoval);
  result.add_methods(kFirst);
  result.add_methods(kLast);
  result.set_journeys(baseline.settings.population);
  result.set_conversions(conversions);
  result.set_value(value);
  const std::string rate =
      settings.goal_kind.empty() ? "conversion_rate" : "conversion_rate:" + settings.goal_kind;
  const KpiSeries* share = find_kpi(base_kpis, rate);
  result.set_conversion_probability(share != nullptr ? share->value() : kNaN);
  result.set_goal_kind(settings.goal_kind);
  result.set_exact(settings.exact);
  result.set_credited_conversions(credited);
  result.set_credited_value(credited_value);
  if (baseline.single_journey) {
    result.add_warnings(
        "in single-journey form each person's one touch is the entry, so first and last touch "
        "are the same; the walk's later steps onto other channels' touchpoints are not touches "
        "(docs/model.md \"Channel credit\"): the removal effects are the answer here");
  }
  if (std::abs(credited - conversions) > 1e-9 * std::max(1.0, conversions)) {
    result.add_warnings("first and last touch credit the journeys' conversions (" +
                        note_number(credited) + "); the conversions attributed by removal (" +
                        note_number(conversions) +
                        ") also count the repeats of the loyalty model, which no touch brought");
  }
  *result.mutable_provenance() = make_provenance(
      scenario, settings.variant, settings.exact ? 0 : run.replications, settings.threads);
  result.set_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return result;
}

}  // namespace cjsim
