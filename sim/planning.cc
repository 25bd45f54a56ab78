#include "sim/planning.h"

#include <algorithm>

#include "models/calendar.h"
#include "models/check.h"
#include "models/field_path.h"
#include "models/settings.h"
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

std::string care_staffing_refused(const v1::Scenario& scenario) {
  if (!scenario.has_loyalty() || !scenario.loyalty().has_care()) {
    return "the scenario has no customer care (loyalty.care) to staff";
  }
  if (!(scenario.loyalty().care().cost_per_capacity_unit() > 0)) {
    return "loyalty.care.cost_per_capacity_unit is 0, so staffing costs nothing to trade "
           "against ad budget; set what a unit of daily_capacity costs a day";
  }
  // A parameter draw sets every uncertain field: it would overwrite the
  // capacity a plan gives care, or price it differently from the plan.
  if (resolve_run_settings(scenario.simulation()).parameter_draws > 0) {
    for (const v1::Uncertain& entry : scenario.uncertain()) {
      Result<ScenarioField> field = ScenarioField::parse(entry.path(), scenario);
      if (!field) continue;
      for (const char* planned : {"loyalty.care.daily_capacity",
                                  "loyalty.care.cost_per_capacity_unit"}) {
        if (field->text() == planned) {
          return std::string(planned) +
                 " is uncertain, and each parameter draw sets it, so a plan cannot set the "
                 "staffing; plan with --parameter-draws 0, or remove its `uncertain` entry";
        }
      }
    }
  }
  for (const v1::Channel& c : scenario.channels()) {
    if (c.id() == kCareStaffingName) {
      return std::string("a channel is called '") + kCareStaffingName +
             "', the name the plan gives care's staffing; rename the channel";
    }
  }
  return "";
}

std::string planned_id(const v1::Scenario& scenario, int channel) {
  return channel == kCareStaffing ? kCareStaffingName : scenario.channels(channel).id();
}

double planned_weekly_budget(const v1::Scenario& scenario, int channel) {
  if (channel != kCareStaffing) return average_weekly_spend(scenario, scenario.channels(channel));
  const v1::Care& care = scenario.loyalty().care();
  return care.daily_capacity() * care.cost_per_capacity_unit() * 7;
}

void set_planned_weekly_budget(v1::Scenario& scenario, int channel, double weekly) {
  if (channel != kCareStaffing) {
    set_average_weekly_spend(scenario, channel, weekly);
    return;
  }
  v1::Care& care = *scenario.mutable_loyalty()->mutable_care();
  CJSIM_CHECK(care.cost_per_capacity_unit() > 0, "care staffing with a cost to plan");
  care.set_daily_capacity(weekly / (7 * care.cost_per_capacity_unit()));
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
    for (const PlannedChannel& p : planned) {
      if (planned_id(scenario, p.channel) == b.channel()) {
        set_planned_weekly_budget(recommended, p.channel, b.weekly_budget());
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
