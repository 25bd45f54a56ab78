// cjsim curves: each channel's response curve (a KPI against its weekly
// budget, the others held), marginal returns and the saturation point.

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/diagnostics.h"
#include "sim/curves.h"
#include "sim/kpi.h"
#include "sim/resources.h"
#include "tools/cjsim/commands.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/format.h"
#include "tools/cjsim/option_values.h"
#include "tools/cjsim/resource_check.h"
#include "tools/cjsim/scenario_input.h"
#include "tools/cjsim/study_output.h"
#include "tools/cjsim/study_report.h"

namespace cjsim::cli {

namespace {

const std::vector<std::string> kCurvesCsvFiles = {"curves.csv", "saturation.csv"};

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

std::string format_curves_table(const v1::CurvesResult& r) {
  const KpiDisplay kpi = kpi_display(r.kpi());
  std::string out = "cjsim curves | scenario " + printable(r.scenario()) + " | " +
                    std::string(kpi.label) +
                    " against each channel's weekly budget, the others held | " +
                    std::to_string(r.replications()) + " replications x " +
                    format_count(r.agents()) + " agents | seed " + std::to_string(r.seed()) +
                    " | " + printf_string("%.1f", r.timing().wall_seconds()) + " s\n";
  for (const v1::ResponseCurve& c : r.curves()) {
    out += "\n" + c.channel() + " (current " +
           format_value(c.current_weekly_budget(), Unit::kMoney) + " a week";
    out +=
        c.saturation_weekly_budget() > 0
            ? "; saturated from about " + format_value(c.saturation_weekly_budget(), Unit::kMoney) +
                  ", where the marginal return is below " +
                  printf_string("%.0f", r.saturation_fraction() * 100) + "% of the first step's)\n"
            : "; no saturation within the curve)\n";
    out += "  " + pad("weekly budget", 16, true) + pad(std::string(kpi.label), 16, true) + "  " +
           pad("interval", 24) + pad("marginal / unit", 17, true) + "\n";
    // The row nearest the current budget is marked.
    size_t nearest = 0;
    for (int k = 1; k < c.weekly_budgets_size(); ++k) {
      if (std::abs(c.weekly_budgets(k) - c.current_weekly_budget()) <
          std::abs(c.weekly_budgets(static_cast<int>(nearest)) - c.current_weekly_budget())) {
        nearest = static_cast<size_t>(k);
      }
    }
    for (int k = 0; k < c.weekly_budgets_size(); ++k) {
      const std::string marginal = k == 0 ? "-" : printf_string("%.4g", c.marginal(k - 1).mean());
      out += "  " + pad(format_value(c.weekly_budgets(k), Unit::kMoney), 16, true) +
             pad(format_value(c.kpi(k).mean(), kpi.unit), 16, true) + "  " +
             pad(format_interval(c.kpi(k), kpi.unit), 24) + pad(marginal, 17, true) +
             (static_cast<size_t>(k) == nearest ? "   <- current" : "") + "\n";
    }
  }
  return out;
}

std::map<std::string, CsvTable> curves_csv(const v1::CurvesResult& r) {
  CsvTable points({"channel", "weekly_budget", "current", "kpi", "mean", "std_error", "ci_low",
                   "ci_high", "n", "marginal", "marginal_ci_low", "marginal_ci_high", "cost"});
  for (const v1::ResponseCurve& c : r.curves()) {
    for (int k = 0; k < c.weekly_budgets_size(); ++k) {
      const v1::Estimate& e = c.kpi(k);
      const bool has_marginal = k > 0;
      points.add({c.channel(), csv_number(c.weekly_budgets(k)),
                  csv_number(c.current_weekly_budget()), r.kpi(), csv_number(e.mean()),
                  csv_number(e.std_error()), csv_number(e.ci_low()), csv_number(e.ci_high()),
                  std::to_string(e.n()), has_marginal ? csv_number(c.marginal(k - 1).mean()) : "",
                  has_marginal ? csv_number(c.marginal(k - 1).ci_low()) : "",
                  has_marginal ? csv_number(c.marginal(k - 1).ci_high()) : "",
                  csv_number(c.cost(k))});
    }
  }
  CsvTable saturation({"channel", "current_weekly_budget", "saturation_weekly_budget"});
  for (const v1::ResponseCurve& c : r.curves()) {
    saturation.add({c.channel(), csv_number(c.current_weekly_budget()),
                    csv_number(c.saturation_weekly_budget())});
  }
  std::map<std::string, CsvTable> out;
  out.emplace("curves.csv", std::move(points));
  out.emplace("saturation.csv", std::move(saturation));
  return out;
}

int curves(const CurvesOptions& options) {
  std::string description;
  std::optional<v1::Scenario> scenario = prepare_scenario(
      options.scenario, options.overrides, options.variant, options.output.quiet, &description);
  if (!scenario) return kExitBadInput;
  CurveSettings settings;
  settings.points = options.points;
  settings.max_budget_scale = options.max_budget_scale;
  settings.max_weekly_budget = options.max_weekly_budget;
  settings.kpi = options.kpi;
  settings.saturation_fraction = options.saturation;
  settings.threads = resolve_threads(options.threads, options.output.quiet);
  std::vector<std::string> ids;
  std::vector<int> paid;
  for (int c = 0; c < scenario->channels_size(); ++c) {
    const v1::Channel& ch = scenario->channels(c);
    ids.push_back(ch.id());
    if ((!ch.has_enabled() || ch.enabled()) && (ch.weekly_budget() > 0 || ch.max_reach() > 0)) {
      paid.push_back(c);
    }
  }
  if (options.channels.empty()) {
    settings.channels = paid;
  } else {
    std::set<std::string> seen;
    for (const std::string& id : options.channels) {
      auto it = std::find(ids.begin(), ids.end(), id);
      if (it == ids.end()) {
        const std::string hint = closest_match(id, ids);
        std::fprintf(stderr, "error: --channels: no channel '%s'%s\n", printable(id).c_str(),
                     hint.empty() ? "" : (" (did you mean '" + hint + "'?)").c_str());
        return kExitBadInput;
      }
      if (!seen.insert(id).second) continue;
      settings.channels.push_back(static_cast<int>(it - ids.begin()));
    }
  }
  if (settings.channels.empty()) {
    std::fprintf(stderr, "error: the scenario has no channel with a budget or paid reach\n");
    return kExitBadInput;
  }
  for (int c : settings.channels) {
    if (curve_top_budget(*scenario, settings, c) > 0) continue;
    std::fprintf(stderr,
                 "%s: error: channel '%s' has no weekly budget, nor has any other channel "
                 "traced, so its curve has no budget range; give --max-weekly-budget AMOUNT "
                 "(curves then run from 0 to AMOUNT a week)\n",
                 printable(options.scenario).c_str(), scenario->channels(c).id().c_str());
    return kExitBadInput;
  }
  // The KPI must be one the curves' points report: the scenario with each
  // traced channel at its top budget (ROAS, say, exists once one spends).
  v1::Scenario at_top = *scenario;
  for (int c : settings.channels) {
    at_top.mutable_channels(c)->set_weekly_budget(curve_top_budget(*scenario, settings, c));
  }
  if (const std::string why = kpi_not_counted(at_top, options.kpi); !why.empty()) {
    std::fprintf(stderr, "%s: error: --kpi %s: %s\n", printable(options.scenario).c_str(),
                 printable(options.kpi).c_str(), printable(why).c_str());
    return kExitBadInput;
  }
  // One budget of one channel runs at a time.
  const ModelFootprint footprint = model_footprint(*scenario);
  WorkPlan plan;
  plan.command = "curves run";
  plan.threads = settings.threads;
  plan.scenario_copies = 2;
  plan.running = std::min<int64_t>(plan.threads, footprint.replications);
  plan.kept = footprint.replications;
  plan.agent_days = static_cast<double>(settings.channels.size()) * settings.points *
                    static_cast<double>(footprint.agents) *
                    static_cast<double>(footprint.horizon_days) *
                    static_cast<double>(footprint.replications);
  if (std::optional<int> status =
          check_resources(options.scenario, estimate_resources(footprint, plan), plan.command,
                          options.output.estimate)) {
    return *status;
  }
  StudyFiles files;
  if (!files.open(options.output, kCurvesCsvFiles, options.scenario)) {
    return kExitBadInput;
  }
  v1::CurvesResult result;
  if (!run_with_progress("tracing curves", settings.threads, options.output.quiet,
                         [&](StudyProgress* progress) {
                           result = response_curves(*scenario, settings, progress);
                         })) {
    return files.abandon_interrupted();
  }
  return files.finish(format_curves_table(result), result, curves_csv(result), [&] {
    return curves_report({&*scenario, options.scenario, arm_list(options.variant, description)},
                         result);
  });
}

}  // namespace

CommandRunner add_curves_command(CLI::App& app) {
  auto options = std::make_shared<CurvesOptions>();
  CLI::App* command = app.add_subcommand(
      "curves",
      "Response curve per channel: a KPI against its weekly budget, marginal returns, saturation");
  command->add_option("scenario", options->scenario, "Scenario file (.textproto, .json or .binpb)")
      ->required();
  add_list_option(*command, "--channels", options->channels,
                  "Channels to trace, comma-separated (default: every channel with a budget or "
                  "paid reach)");
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
                   "Saturated where the marginal return falls below this share of the first "
                   "step's (default 0.2)")
      ->check(number_in(0, 1));
  command->add_option("--variant", options->variant, "Trace on top of this variant");
  options->overrides.add_to(*command);
  command->add_option("--threads", options->threads, "Worker threads (default: all cores)")
      ->transform(integer_in(1, 1024));
  options->output.add_to(*command, "cjsim.v1.CurvesResult", kCurvesCsvFiles);
  return [options] { return curves(*options); };
}

}  // namespace cjsim::cli
