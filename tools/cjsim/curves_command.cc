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
#include "sim/curves.h"
#include "sim/kpi.h"
#include "sim/planning.h"
#include "sim/resources.h"
#include "tools/cjsim/commands.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/format.h"
#include "tools/cjsim/option_values.h"
#include "tools/cjsim/resource_check.h"
#include "tools/cjsim/result_warnings.h"
#include "tools/cjsim/scenario_input.h"
#include "tools/cjsim/study_output.h"
#include "tools/cjsim/study_report.h"
#include "tools/cjsim/text_table.h"

namespace cjsim::cli {

namespace {

const std::vector<std::string> kCurvesCsvFiles = {"curves.csv", "saturation.csv",
                                                  "contribution.csv"};

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

// "+1,234 [+1,100, +1,350]": an incremental estimate in the KPI's unit.
std::string difference_with_interval(const v1::Estimate& e, Unit unit) {
  if (std::isnan(e.mean())) return "n/a";
  return format_difference(e.mean(), unit) + " " + format_difference_interval(e, unit);
}

std::string contribution_line(const v1::ChannelContribution& c, const KpiDisplay& kpi) {
  std::string out = "At the current budget, over a budget of 0: " + kpi.label + " " +
                    difference_with_interval(c.kpi(), kpi.unit) + "; value " +
                    difference_with_interval(c.value(), Unit::kMoney) + "; cost " +
                    format_value(c.cost(), Unit::kMoney) + "; ROI ";
  out += c.has_roi() ? format_relative(c.roi().mean()) + " " + format_relative_interval(c.roi())
                     : "none (" + c.note() + ")";
  return out + "\n";
}

std::string saturation_line(const v1::ResponseCurve& c, double fraction) {
  if (!c.has_saturation_weekly_budget()) return "Saturation: none (" + c.saturation_note() + ")\n";
  return "Saturation: from about " + format_value(c.saturation_weekly_budget(), Unit::kMoney) +
         " a week (every later step's marginal interval is below " +
         printf_string("%.0f", fraction * 100) + "% of the peak step's " +
         format_value(c.peak_marginal().mean(), Unit::kRatio) + " per unit)\n";
}

std::string break_even_line(const v1::BreakEven& b) {
  std::string out = "Break-even (marginal ROAS = 1): ";
  if (!b.has_weekly_budget()) return out + "none (" + b.note() + ")\n";
  out += "about " + format_value(b.weekly_budget(), Unit::kMoney) + " a week [" +
         format_value(b.weekly_budget_low(), Unit::kMoney) + ", " +
         (b.has_weekly_budget_high() ? format_value(b.weekly_budget_high(), Unit::kMoney)
                                     : "beyond the curve") +
         "]";
  return out + "\n";
}

std::string format_curves_table(const v1::CurvesResult& r) {
  const KpiDisplay kpi = kpi_display(r.kpi());
  std::string out = "cjsim curves | scenario " + printable(r.scenario()) + " | " + kpi.label +
                    " against each channel's weekly budget, the others held | " +
                    std::to_string(r.replications()) + " replications x " +
                    format_count(r.agents()) + " agents | seed " + std::to_string(r.seed()) +
                    " | " + printf_string("%.1f", r.timing().wall_seconds()) + " s\n";
  const Sampling sampling{false, static_cast<double>(r.agents()), r.replications(), r.population(),
                          r.confidence()};
  for (const v1::ResponseCurve& c : r.curves()) {
    out += "\n" + c.channel() + " (current " +
           format_value(c.current_weekly_budget(), Unit::kMoney) + " a week)\n";
    TextTable table({number_column("weekly budget"), number_column(std::string(kpi.label)),
                     text_column("interval"), number_column("over 0"),
                     number_column("marginal / unit"), text_column("interval"),
                     number_column("mROAS"), text_column("note")});
    const int nearest = nearest_budget(c);
    for (int k = 0; k < c.weekly_budgets_size(); ++k) {
      const bool step = k > 0 && k - 1 < c.marginal_size();
      const bool roas = k > 0 && k - 1 < c.marginal_roas_size();
      table.add(
          {format_value(c.weekly_budgets(k), Unit::kMoney), format_value(c.kpi(k).mean(), kpi.unit),
           format_kpi_interval(r.kpi(), c.kpi(k), sampling),
           k < c.incremental_size() ? format_difference(c.incremental(k).mean(), kpi.unit) : "-",
           step ? format_real(c.marginal(k - 1).mean(), 4) : "-",
           step ? format_interval(c.marginal(k - 1), Unit::kRatio) : "-",
           roas ? format_real(c.marginal_roas(k - 1).mean(), 3) : "-",
           k == nearest ? "<- current" : "-"});
    }
    out += table.text();
    out += contribution_line(c.contribution(), kpi);
    out += saturation_line(c, r.saturation_fraction());
    out += break_even_line(c.break_even());
  }
  return out;
}

// A number, or an empty field for "none".
std::string csv_optional(bool present, double value) { return present ? csv_number(value) : ""; }

std::map<std::string, CsvTable> curves_csv(const v1::CurvesResult& r) {
  CsvTable points({"channel",
                   "weekly_budget",
                   "current",
                   "kpi",
                   "mean",
                   "std_error",
                   "ci_low",
                   "ci_high",
                   "n",
                   "marginal",
                   "marginal_ci_low",
                   "marginal_ci_high",
                   "cost",
                   "incremental",
                   "incremental_ci_low",
                   "incremental_ci_high",
                   "marginal_roas",
                   "marginal_roas_ci_low",
                   "marginal_roas_ci_high",
                   "no_variation",
                   "one_sided_upper",
                   "one_sided_lower"});
  for (const v1::ResponseCurve& c : r.curves()) {
    for (int k = 0; k < c.weekly_budgets_size(); ++k) {
      const v1::Estimate& e = c.kpi(k);
      const bool step = k > 0 && k - 1 < c.marginal_size();
      const bool roas = k > 0 && k - 1 < c.marginal_roas_size();
      const bool incremental = k < c.incremental_size();
      std::vector<std::string> row = {
          c.channel(),
          csv_number(c.weekly_budgets(k)),
          csv_number(c.current_weekly_budget()),
          r.kpi(),
          csv_number(e.mean()),
          csv_number(e.std_error()),
          csv_number(e.ci_low()),
          csv_number(e.ci_high()),
          std::to_string(e.n()),
          csv_optional(step, step ? c.marginal(k - 1).mean() : 0),
          csv_optional(step, step ? c.marginal(k - 1).ci_low() : 0),
          csv_optional(step, step ? c.marginal(k - 1).ci_high() : 0),
          csv_number(c.cost(k)),
          csv_optional(incremental, incremental ? c.incremental(k).mean() : 0),
          csv_optional(incremental, incremental ? c.incremental(k).ci_low() : 0),
          csv_optional(incremental, incremental ? c.incremental(k).ci_high() : 0),
          csv_optional(roas, roas ? c.marginal_roas(k - 1).mean() : 0),
          csv_optional(roas, roas ? c.marginal_roas(k - 1).ci_low() : 0),
          csv_optional(roas, roas ? c.marginal_roas(k - 1).ci_high() : 0)};
      for (std::string& f : no_variation_fields(e)) row.push_back(std::move(f));
      points.add(std::move(row));
    }
  }
  CsvTable saturation(
      {"channel", "current_weekly_budget", "saturation_weekly_budget", "peak_marginal", "note"});
  for (const v1::ResponseCurve& c : r.curves()) {
    saturation.add({c.channel(), csv_number(c.current_weekly_budget()),
                    csv_optional(c.has_saturation_weekly_budget(), c.saturation_weekly_budget()),
                    csv_number(c.peak_marginal().mean()), c.saturation_note()});
  }
  CsvTable contribution({"channel", "current_weekly_budget", "kpi", "incremental",
                         "incremental_ci_low", "incremental_ci_high", "incremental_value",
                         "incremental_value_ci_low", "incremental_value_ci_high", "cost", "roi",
                         "roi_ci_low", "roi_ci_high", "break_even_weekly_budget", "break_even_low",
                         "break_even_high", "note"});
  for (const v1::ResponseCurve& c : r.curves()) {
    const v1::ChannelContribution& x = c.contribution();
    const v1::BreakEven& b = c.break_even();
    std::string note = x.note();
    if (!b.note().empty()) note += (note.empty() ? "" : "; ") + ("break-even: " + b.note());
    contribution.add(
        {c.channel(), csv_number(c.current_weekly_budget()), r.kpi(), csv_number(x.kpi().mean()),
         csv_number(x.kpi().ci_low()), csv_number(x.kpi().ci_high()), csv_number(x.value().mean()),
         csv_number(x.value().ci_low()), csv_number(x.value().ci_high()), csv_number(x.cost()),
         csv_optional(x.has_roi(), x.roi().mean()), csv_optional(x.has_roi(), x.roi().ci_low()),
         csv_optional(x.has_roi(), x.roi().ci_high()),
         csv_optional(b.has_weekly_budget(), b.weekly_budget()),
         csv_optional(b.has_weekly_budget_low(), b.weekly_budget_low()),
         csv_optional(b.has_weekly_budget_high(), b.weekly_budget_high()), note});
  }
  std::map<std::string, CsvTable> out;
  out.emplace("curves.csv", std::move(points));
  out.emplace("saturation.csv", std::move(saturation));
  out.emplace("contribution.csv", std::move(contribution));
  return out;
}

int curves(const CurvesOptions& options) {
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
  std::vector<std::string> ids;
  for (const v1::Channel& ch : scenario->channels()) ids.push_back(ch.id());
  if (options.channels.empty()) {
    settings.channels = plannable_channels(*scenario);
  } else {
    std::set<std::string> seen;
    for (const std::string& id : options.channels) {
      auto it = std::find(ids.begin(), ids.end(), id);
      if (it == ids.end()) {
        const std::string hint = closest_match(id, ids);
        spdlog::error("error: --channels: no channel '{}'{}", printable(id),
                      hint.empty() ? "" : (" (did you mean '" + hint + "'?)"));
        return kExitBadInput;
      }
      if (!seen.insert(id).second) continue;
      const v1::Channel& ch = scenario->channels(static_cast<int>(it - ids.begin()));
      if (ch.has_enabled() && !ch.enabled()) {
        spdlog::error(
            "error: --channels: channel '{}' is switched off (enabled: false): its budget buys "
            "nothing",
            printable(id));
        return kExitBadInput;
      }
      settings.channels.push_back(static_cast<int>(it - ids.begin()));
    }
  }
  if (settings.channels.empty()) {
    spdlog::error("error: the scenario has no channel with a budget or paid reach");
    return kExitBadInput;
  }
  for (int c : settings.channels) {
    if (curve_top_budget(*scenario, settings, c) > 0) continue;
    spdlog::error(
        "{}: error: channel '{}' has no weekly budget, nor has any other channel traced, so its "
        "curve has no budget range; give --max-weekly-budget AMOUNT (curves then run from 0 to "
        "AMOUNT a week)",
        printable(options.scenario), scenario->channels(c).id());
    return kExitBadInput;
  }
  // The KPI must be one the curves' points report: the scenario with each
  // traced channel at its top budget (ROAS, say, exists once one spends).
  v1::Scenario at_top = *scenario;
  for (int c : settings.channels) {
    at_top.mutable_channels(c)->set_weekly_budget(curve_top_budget(*scenario, settings, c));
  }
  if (const std::string why = kpi_not_counted(at_top, options.kpi); !why.empty()) {
    spdlog::error("{}: error: --kpi {}: {}", printable(options.scenario), printable(options.kpi),
                  printable(why));
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
  plan.agent_days =
      static_cast<double>(curve_runs(*scenario, settings)) * static_cast<double>(footprint.agents) *
      static_cast<double>(footprint.horizon_days) * static_cast<double>(footprint.replications);
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
  print_warnings(options.scenario, curves_warnings(result));
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
      "Response curve per channel: a KPI against its weekly budget, marginal returns, "
      "contribution and ROI, saturation and break-even");
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
                   "Saturated from the budget where every later step's marginal return lies "
                   "below this share of the steepest step's (default 0.2)")
      ->check(number_in(0, 1));
  command->add_option("--variant", options->variant, "Trace on top of this variant");
  options->overrides.add_to(*command);
  command->add_option("--threads", options->threads, "Worker threads (default: all cores)")
      ->transform(integer_in(1, 1024));
  options->output.add_to(*command, "cjsim.v1.CurvesResult", kCurvesCsvFiles);
  return [options] { return curves(*options); };
}

}  // namespace cjsim::cli
