#include "sim/planning.h"

#include <algorithm>

#include "sim/curves.h"

namespace cjsim {

bool is_plannable(const v1::Channel& channel) {
  const bool enabled = !channel.has_enabled() || channel.enabled();
  return enabled && (plans_spend(channel) || channel.max_reach() > 0);
}

std::vector<int> plannable_channels(const v1::Scenario& scenario) {
  std::vector<int> out;
  for (int c = 0; c < scenario.channels_size(); ++c) {
    if (is_plannable(scenario.channels(c))) out.push_back(c);
  }
  return out;
}

bool keep_on(PlannedChannel& channel, double total) {
  channel.lower = std::max(channel.lower, kKeepOnShare * total);
  return channel.lower <= channel.upper;
}

std::optional<v1::CurvesResult> curves_around(const v1::Scenario& scenario,
                                              const std::vector<PlannedChannel>& planned,
                                              const v1::OptimizeResult& result, int points,
                                              int threads, StudyProgress* progress,
                                              const ReplicationRunner& runner) {
  v1::Scenario recommended = scenario;
  for (const v1::ChannelBudget& b : result.recommended().channels()) {
    for (int c = 0; c < recommended.channels_size(); ++c) {
      if (recommended.channels(c).id() == b.channel()) {
        set_average_weekly_spend(recommended, c, b.weekly_budget());
      }
    }
  }
  CurveSettings settings;
  for (const PlannedChannel& p : planned) settings.channels.push_back(p.channel);
  settings.points = points;
  // The objective itself, so that the curves show what was maximised.
  settings.kpi = result.objective();
  settings.threads = threads;
  settings.runner = runner;
  // Nothing recommended on any planned channel leaves no budget to scale:
  // the curves then run up to the total searched within.
  for (int c : settings.channels) {
    if (curve_top_budget(recommended, settings, c) <= 0) {
      settings.max_weekly_budget = result.weekly_budget();
    }
  }
  for (int c : settings.channels) {
    if (!(curve_top_budget(recommended, settings, c) > 0)) return std::nullopt;
  }
  return response_curves(recommended, settings, progress);
}

}  // namespace cjsim
