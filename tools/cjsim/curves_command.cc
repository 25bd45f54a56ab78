// cjsim curves: each channel's response curve (a KPI against its weekly
// budget, the others held), marginal returns, its contribution and ROI at
// the current budget, the saturation point and the break-even budget (the
// rules are in sim/curves.h).

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "models/diagnostics.h"
#include "models/settings.h"
#include "sim/curves.h"
#include "sim/kpi.h"
#include "sim/parameter_draws.h"
#include "sim/planning.h"
#include "sim/resources.h"
#include "tools/cjsim/commands.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/mpi_study.h"
#include "tools/cjsim/option_values.h"
#include "tools/cjsim/resource_check.h"
#include "tools/cjsim/scenario_input.h"
#include "tools/cjsim/shards.h"
#include "tools/cjsim/study_output.h"
#include "tools/report/format.h"
#include "tools/report/html_pages.h"
#include "tools/report/tables.h"
#include "tools/report/text_table.h"
#include "tools/report/warnings.h"

namespace cjsim::cli {

namespace {

struct CurvesOptions {
  std::string scenario;
  std::string variant;
  std::vector<std::string> channels;
  int points = 9;
  double max_budget_scale = 2;
  double max_weekly_budget = 0;
  std::string kpi = "conversions";
  double saturation = 0.2;
  SimulationOverrides overrides;
  int threads = 0;
  OutputOptions output;
};

// The channels to trace: those of --channels (each once, in order), or
// every plannable one (sim/planning.h); a bad-input Status names the
// option's problem.
Result<std::vector<int>> traced_channels(const CurvesOptions& options,
                                         const v1::Scenario& scenario) {
  std::vector<std::string> ids;
  for (const v1::Channel& ch : scenario.channels()) ids.push_back(ch.id());
  std::vector<int> traced;
  if (options.channels.empty()) {
    traced = plannable_channels(scenario);
  } else {
    std::set<std::string> seen;
    for (const std::string& id : options.channels) {
      auto it = std::find(ids.begin(), ids.end(), id);
      if (it == ids.end() && id == kCareStaffingName) {
        // Care's staffing, its weekly cost the budget (sim/planning.h).
        if (std::string why = care_staffing_refused(scenario); !why.empty()) {
          return Status::bad_input("--channels care: " + why);
        }
        if (seen.insert(id).second) traced.push_back(kCareStaffing);
        continue;
      }
      if (it == ids.end()) {
        const std::string hint = closest_match(id, ids);
        return Status::bad_input("--channels: no channel '" + printable(id) + "'" +
                                 (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
      if (!seen.insert(id).second) continue;
      const v1::Channel& ch = scenario.channels(static_cast<int>(it - ids.begin()));
      if (ch.has_enabled() && !ch.enabled()) {
        return Status::bad_input("--channels: channel '" + printable(id) +
                                 "' is switched off (enabled: false): its budget buys nothing");
      }
      traced.push_back(static_cast<int>(it - ids.begin()));
    }
  }
  if (traced.empty()) {
    return Status::bad_input("the scenario has no channel with a budget or paid reach");
  }
  return traced;
}

int curves(const CurvesOptions& options, const Invocation& invocation) {
  std::string description;
  std::optional<v1::Scenario> scenario =
      prepare_scenario(options.scenario, options.overrides, options.variant, &description);
  if (!scenario) return kExitBadInput;
  CurveSettings settings;
  settings.points = options.points;
  settings.max_budget_scale = options.max_budget_scale;
  settings.max_weekly_budget = options.max_weekly_budget;
  settings.kpi = options.kpi;
  settings.saturation_fraction = options.saturation;
  settings.threads = resolve_threads(options.threads);
  settings.variant = options.variant;
  settings.runner = replications_on(invocation.world);
  Result<std::vector<int>> channels = traced_channels(options, *scenario);
  if (!channels) {
    spdlog::error("error: {}", channels.status().message());
    return kExitBadInput;
  }
  settings.channels = std::move(channels).value();
  for (int c : settings.channels) {
    if (curve_top_budget(*scenario, settings, c) > 0) continue;
    spdlog::error(
        "{}: error: {} nor has any other channel traced, so its curve has no budget range; give "
        "--max-weekly-budget AMOUNT (curves then run from 0 to AMOUNT a week)",
        printable(options.scenario),
        c == kCareStaffing ? std::string("care's staffing costs nothing now (daily_capacity 0),")
                           : "channel '" + planned_id(*scenario, c) + "' has no weekly budget,");
    return kExitBadInput;
  }
  // The KPI must be one the curves' points report: the scenario with each
  // traced channel at its top budget (ROAS, say, exists once one spends).
  v1::Scenario at_top = *scenario;
  for (int c : settings.channels) {
    set_planned_weekly_budget(at_top, c, curve_top_budget(*scenario, settings, c));
  }
  if (const std::string why = kpi_not_counted(at_top, options.kpi); !why.empty()) {
    spdlog::error("{}: error: --kpi {}: {}", printable(options.scenario), printable(options.kpi),
                  printable(why));
    return kExitBadInput;
  }
  // Every budget runs the same parameter draws (sim/parameter_draws.h); a
  // channel's budget cannot be uncertain, so a draw valid at the current
  // budgets and at the top ones is valid along the curves.
  const RunSettings run = resolve_run_settings(scenario->simulation());
  for (const v1::Scenario* at : {&*scenario, &at_top}) {
    if (const Status drawn = check_draws(*at, run.seed, run.parameter_draws); !drawn.is_ok()) {
      spdlog::error("{}: error: {}", printable(options.scenario), printable(drawn.message()));
      return kExitBadInput;
    }
  }
  // One budget of one channel runs at a time, with its D drawn models.
  const ModelFootprint footprint = model_footprint(*scenario);
  WorkPlan plan;
  plan.command = "curves run";
  plan.threads = settings.threads;
  plan.scenario_copies = 2 + run.parameter_draws;
  plan.models_at_once = std::max(1, run.parameter_draws);
  plan.running = std::min<int64_t>(plan.threads, footprint.replications);
  plan.kept = footprint.replications;
  plan.agent_days =
      static_cast<double>(curve_runs(*scenario, settings)) * static_cast<double>(footprint.agents) *
      static_cast<double>(footprint.horizon_days) * static_cast<double>(footprint.replications);
  if (std::optional<int> status =
          check_resources(options.scenario, estimate_resources(footprint, plan), plan.command,
                          options.output.estimate)) {
    return *status;
  }
  StudyFiles files;
  if (!open_study_files(files, options.output, kCurvesCsvFiles, options.scenario, invocation)) {
    return kExitBadInput;
  }
  v1::CurvesResult result;
  if (!run_with_progress("tracing curves", settings.threads,
                         options.output.quiet || !speaks(invocation), [&](StudyProgress* progress) {
                           result = response_curves(*scenario, settings, progress);
                         })) {
    return files.abandon_interrupted();
  }
  return finish_study(invocation, [&] {
    add_invocation(invocation, options.scenario, description, result.mutable_provenance());
    print_warnings(options.scenario, curves_warnings(result));
    return files.finish(format_curves_table(result), result, curves_csv(result),
                        [&] { return curves_report(result); });
  });
}

}  // namespace

CommandRunner add_curves_command(CLI::App& app) {
  auto options = std::make_shared<CurvesOptions>();
  CLI::App* command = app.add_subcommand(
      "curves",
      "Response curve per channel: a KPI against its weekly budget, marginal returns, "
      "contribution and ROI, saturation and break-even");
  command->add_option("scenario", options->scenario, "Scenario file (.textproto, .json or .binpb)")
      ->required();
  add_list_option(*command, "--channels", options->channels,
                  "Channels to trace, comma-separated (default: every channel with a budget or "
                  "paid reach); 'care' traces customer care's staffing, its weekly cost the "
                  "budget");
  command->add_option("--points", options->points, "Budgets per curve (default 9)")
      ->transform(integer_in(2, 1000));
  command
      ->add_option("--max-budget-scale", options->max_budget_scale,
                   "Curves run from 0 to this times the current budget (default 2)")
      ->check(positive_number());
  command
      ->add_option("--max-weekly-budget", options->max_weekly_budget,
                   "Curves run from 0 to this weekly budget, for every channel (instead of "
                   "--max-budget-scale)")
      ->check(positive_number());
  command->add_option("--kpi", options->kpi, "The KPI of the curves (default conversions)");
  command
      ->add_option("--saturation", options->saturation,
                   "Saturated from the budget where every later step's marginal return lies "
                   "below this share of the steepest step's (default 0.2)")
      ->check(number_in(0, 1));
  command->add_option("--variant", options->variant, "Trace on top of this variant");
  options->overrides.add_to(*command);
  command->add_option("--threads", options->threads, "Worker threads (default: all cores)")
      ->transform(integer_in(1, 1024));
  options->output.add_to(*command, "cjsim.v1.CurvesResult", kCurvesCsvFiles);
  refuse_shard_options(*command,
                       "curves does not write shards; under mpirun -np N it shares out its "
                       "replications (docs/scaling.md), and `sweep --set "
                       "'channels[ID].weekly_budget=0:MAX:POINTS' --shard I/N` traces one "
                       "channel's curve in shards");
  return [options](const Invocation& invocation) { return curves(*options, invocation); };
}

}  // namespace cjsim::cli
