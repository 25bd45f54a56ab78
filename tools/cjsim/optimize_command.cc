// cjsim optimize: the best split of a weekly budget across channels, by
// simulation on common random numbers (docs/cli.md "cjsim optimize").

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "models/diagnostics.h"
#include "models/settings.h"
#include "sim/optimize.h"
#include "sim/parameter_draws.h"
#include "sim/planning.h"
#include "sim/resources.h"
#include "sim/schedule.h"
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

struct OptimizeOptions {
  std::string scenario;
  std::string variant;
  double weekly_budget = 0;
  // --by-week: plan every week of the horizon; the budget may be given for
  // the whole horizon instead.
  bool by_week = false;
  double total_budget = 0;
  std::string objective = "conversions";
  double target_conversions = 0;
  double target_cpa = 0;
  std::vector<std::string> bounds;
  std::vector<std::string> locks;
  std::vector<std::string> keep_on;
  // --plan-care: customer care's staffing shares the budget (sim/planning.h
  // kCareStaffing).
  bool plan_care = false;
  std::string spend = "all";
  std::string risk;
  int confirm_replications = 64;
  int max_evaluations = 0;
  int surface_points = -1;  // 4, or 2 with --by-week
  int verify_rounds = 4;
  SimulationOverrides overrides;
  int threads = 0;
  // Budgets per response curve around the recommendation, for the report.
  int curve_points = 7;
  OutputOptions output;
};

// A bound: an amount, or a multiple of the current budget ("1.3x").
std::optional<double> parse_bound(std::string_view text, double current) {
  if (!text.empty() && text.back() == 'x') {
    std::optional<double> times = parse_finite(text.substr(0, text.size() - 1));
    if (!times || *times < 0) return std::nullopt;
    return *times * current;
  }
  std::optional<double> amount = parse_finite(text);
  if (!amount || *amount < 0) return std::nullopt;
  return amount;
}

std::string money(double v) { return format_value(v, Unit::kMoney); }

// Empty when the scenario has a target `name`; else why not.
std::string target_refused(const v1::Scenario& scenario, const std::string& name) {
  if (scenario.targets().empty()) {
    return "the scenario has no targets (docs/scenario-reference.md \"targets\")";
  }
  std::vector<std::string> names;
  for (const v1::Target& t : scenario.targets()) {
    if (t.name() == name) return "";
    names.push_back(t.name());
  }
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  const std::string hint = closest_match(name, names);
  return "no target '" + name + "'" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
         "; the scenario's targets are " + list;
}

// Empty when `objective` can be maximised on `scenario`; else why not,
// listing the objectives it has.
std::string objective_refused(const v1::Scenario& scenario, const std::string& objective) {
  if (objective.rfind("target:", 0) == 0)
    return target_refused(scenario, objective_target(objective));
  std::string why = kpi_not_counted(scenario, objective);
  if (why.empty() && is_mix_objective(objective)) return "";
  std::string list;
  for (const std::string& name : kpi_names(scenario)) {
    if (is_mix_objective(name)) list += (list.empty() ? "" : ", ") + name;
  }
  if (scenario.has_loyalty()) list += " (retention: active_customers)";
  if (why.empty()) {
    why = objective + " is not something a budget buys more of (a ratio, a cost or a fixed figure)";
  } else if (why.find("unknown KPI") != std::string::npos) {
    why = "unknown objective '" + objective + "'";
  }
  return why + "; the objectives of this scenario are " + list;
}

// The search's settings from the options; a bad-input Status names the
// option. (The objective, which needs the scenario, is set apart.)
Result<OptimizeSettings> settings_of(const OptimizeOptions& options) {
  auto fail = [](const std::string& message) { return Status::bad_input(message); };
  OptimizeSettings settings;
  if (options.target_conversions > 0 && options.target_cpa > 0) {
    return fail("--target-conversions and --target-cpa: give one of them");
  }
  if (options.target_conversions > 0) {
    settings.mode = OptimizeSettings::Mode::kTargetConversions;
    settings.target = options.target_conversions;
  } else if (options.target_cpa > 0) {
    settings.mode = OptimizeSettings::Mode::kTargetCpa;
    settings.target = options.target_cpa;
  }
  if (options.spend != "all" && options.spend != "at-most") {
    return fail("--spend: '" + options.spend + "'; use all or at-most");
  }
  settings.spend_all = options.spend == "all";
  if (!options.risk.empty()) {
    std::optional<double> share;
    if (options.risk.rfind("cvar:", 0) == 0) share = parse_finite(options.risk.substr(5));
    if (!share || *share <= 0 || *share > 1) {
      return fail("--risk: '" + options.risk +
                  "'; write cvar:F with F in (0, 1], the share of worst replications to average");
    }
    settings.cvar = *share;
  }
  if (options.curve_points == 1) return fail("--curve-points: 0 (no curves) or at least 2");
  if (options.weekly_budget > 0 && options.total_budget > 0) {
    return fail("--weekly-budget and --total-budget: give one of them");
  }
  if (options.total_budget > 0 && !options.by_week) {
    return fail("--total-budget: only with --by-week (a mix splits a weekly budget)");
  }
  if (!(options.weekly_budget > 0) && !(options.total_budget > 0)) {
    return fail(options.by_week ? "give --weekly-budget or --total-budget"
                                : "--weekly-budget is required");
  }
  if (options.by_week && options.plan_care) {
    return fail(
        "--plan-care with --by-week: care's staffing is one daily capacity for the whole "
        "horizon, not a week-by-week budget; plan it with a weekly mix (without --by-week), then "
        "lock it there");
  }
  if (options.by_week && settings.mode != OptimizeSettings::Mode::kAllocate) {
    return fail(
        "--by-week: plans a given budget; --target-conversions and --target-cpa search for the "
        "budget and do not plan by week");
  }
  settings.total = options.weekly_budget;
  settings.confirm_replications = options.confirm_replications;
  settings.max_evaluations = options.max_evaluations;
  // A schedule's surface is a curve per channel whose best split the
  // profile search refines (docs/model.md "Planning the schedule"): 2
  // points do, and each costs a mix per channel.
  settings.surface_points =
      options.surface_points >= 0 ? options.surface_points : (options.by_week ? 2 : 4);
  settings.verify_rounds = options.verify_rounds;
  settings.threads = resolve_threads(options.threads);
  settings.variant = options.variant;
  return settings;
}

// The bounds of --bounds CHANNEL=LO:HI (`eq` and `colon` where '=' and
// ':' are), LO and HI amounts or multiples of `current`; false after
// logging why they are not.
bool set_bounds(const std::string& bound, size_t eq, size_t colon, double current,
                PlannedChannel& c) {
  const std::string low_text = bound.substr(eq + 1, colon - eq - 1);
  const std::string high_text = bound.substr(colon + 1);
  if (!(current > 0) && (low_text.ends_with('x') || high_text.ends_with('x'))) {
    spdlog::error(
        "error: --bounds {}: a multiple of the current budget, which is 0, is 0; give amounts "
        "(LO:HI in money a week)",
        printable(bound));
    return false;
  }
  std::optional<double> lo = parse_bound(low_text, current);
  std::optional<double> hi = parse_bound(high_text, current);
  if (!lo || !hi || *lo > *hi) {
    spdlog::error(
        "error: --bounds {}: LO and HI must be amounts or multiples of the current budget (0.7x) "
        "with 0 <= LO <= HI",
        printable(bound));
    return false;
  }
  c.lower = *lo;
  c.upper = *hi;
  return true;
}

// Whether the total fits the channels' bounds: the lower bounds (and locked
// budgets) within it, and, spending all of it, the upper bounds reaching
// it. Logs why not.
bool bounds_fit(const std::vector<PlannedChannel>& planned, const OptimizeSettings& settings) {
  auto fail = [](const std::string& message) {
    spdlog::error("error: {}", printable(message));
    return false;
  };
  double lower_sum = 0, upper_sum = 0;
  for (const PlannedChannel& c : planned) {
    lower_sum += c.lower;
    upper_sum += c.upper;
  }
  if (lower_sum > settings.total) {
    return fail("the lower bounds and locked budgets sum to " + money(lower_sum) +
                " a week, more than --weekly-budget " + money(settings.total));
  }
  if (settings.spend_all && settings.mode == OptimizeSettings::Mode::kAllocate &&
      upper_sum < settings.total) {
    return fail("the upper bounds sum to " + money(upper_sum) +
                " a week, less than --weekly-budget " + money(settings.total) +
                "; raise them or use --spend at-most");
  }
  return true;
}

// The channels a plan can move money between (sim/planning.h), each
// within [0, total] until --bounds, --lock and --keep-on say otherwise.
// Logs every bad option and returns nullopt (exit 2) if there is one.
std::optional<std::vector<PlannedChannel>> planned_channels(const OptimizeOptions& options,
                                                            const v1::Scenario& scenario,
                                                            const OptimizeSettings& settings) {
  auto fail = [](const std::string& message) {
    spdlog::error("error: {}", printable(message));
    return std::nullopt;
  };
  std::vector<std::string> ids;
  for (const v1::Channel& ch : scenario.channels()) ids.push_back(ch.id());
  std::map<std::string, int> planned_index;
  std::vector<PlannedChannel> planned;
  for (int c : plannable_channels(scenario)) {
    planned_index[scenario.channels(c).id()] = static_cast<int>(planned.size());
    planned.push_back({c, 0, settings.total});
  }
  if (planned.empty())
    return fail("the scenario has no channel with a budget or paid reach to plan");
  if (options.plan_care) {
    if (std::string why = care_staffing_refused(scenario); !why.empty()) {
      return fail("--plan-care: " + why);
    }
    planned_index[kCareStaffingName] = static_cast<int>(planned.size());
    planned.push_back({kCareStaffing, 0, settings.total});
  }
  auto channel_of = [&](const std::string& id, const std::string& option) -> PlannedChannel* {
    auto it = planned_index.find(id);
    if (it != planned_index.end()) return &planned[static_cast<size_t>(it->second)];
    std::string known;
    for (const auto& [name, i] : planned_index) known += (known.empty() ? "" : ", ") + name;
    const bool exists = std::find(ids.begin(), ids.end(), id) != ids.end();
    const std::string hint = closest_match(id, ids);
    std::string why = exists ? "the channel has no budget or paid reach (or is switched off)"
                             : "no channel '" + printable(id) + "'" +
                                   (hint.empty() ? "" : " (did you mean '" + hint + "'?)");
    if (!exists && id == kCareStaffingName) {
      why = "care's staffing is planned only with --plan-care";
    }
    spdlog::error("error: {} {}: {}; the channels to plan are {}", option, printable(id), why,
                  known);
    return nullptr;
  };
  bool ok = true;
  for (const std::string& bound : options.bounds) {
    const size_t eq = bound.find('='), colon = bound.find(':', eq);
    if (eq == std::string::npos || colon == std::string::npos) {
      spdlog::error(
          "error: --bounds {}: write CHANNEL=LO:HI, e.g. tiktok=0:5000 or facebook=0.7x:1.3x",
          printable(bound));
      ok = false;
      continue;
    }
    PlannedChannel* c = channel_of(bound.substr(0, eq), "--bounds");
    if (c == nullptr) {
      ok = false;
      continue;
    }
    if (!set_bounds(bound, eq, colon, planned_weekly_budget(scenario, c->channel), *c)) {
      ok = false;
    }
  }
  for (const std::string& id : options.locks) {
    PlannedChannel* c = channel_of(id, "--lock");
    if (c == nullptr) {
      ok = false;
      continue;
    }
    c->lower = c->upper = planned_weekly_budget(scenario, c->channel);
  }
  for (const std::string& id : options.keep_on) {
    PlannedChannel* c = channel_of(id, "--keep-on");
    if (c == nullptr) {
      ok = false;
      continue;
    }
    if (!keep_on(*c, settings.total)) {
      spdlog::error("error: --keep-on {}: its bounds leave no room for 1% of the total",
                    printable(id));
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  if (!bounds_fit(planned, settings)) return std::nullopt;
  return planned;
}

// --by-week: the week x channel cells of `planned` (schedule_cells), and
// `settings.total` made the whole horizon's budget; nullopt (after logging
// why) when the locked channels' own spends leave the total out of reach.
std::optional<std::vector<PlannedChannel>> schedule_of(const OptimizeOptions& options,
                                                       const v1::Scenario& scenario,
                                                       const std::vector<PlannedChannel>& planned,
                                                       OptimizeSettings& settings) {
  std::vector<int> locked;
  for (const std::string& id : options.locks) {
    for (int c = 0; c < scenario.channels_size(); ++c) {
      if (scenario.channels(c).id() == id) locked.push_back(c);
    }
  }
  // A channel without --bounds may take the whole horizon's budget in a
  // week, not only a week's share of it.
  std::vector<PlannedChannel> weekly = planned;
  for (PlannedChannel& c : weekly) {
    const std::string& id = scenario.channels(c.channel).id();
    const bool bounded =
        std::any_of(options.bounds.begin(), options.bounds.end(),
                    [&](const std::string& b) { return b.substr(0, b.find('=')) == id; });
    if (!bounded) c.upper = std::numeric_limits<double>::infinity();
  }
  const int horizon = resolve_settings(scenario.simulation()).horizon_days;
  settings.total = options.total_budget > 0 ? options.total_budget : settings.total * horizon / 7.0;
  std::vector<PlannedChannel> cells = schedule_cells(scenario, weekly, locked, settings.total);
  double lower_sum = 0, upper_sum = 0;
  for (const PlannedChannel& c : cells) {
    lower_sum += c.lower;
    upper_sum += c.upper;
  }
  const std::string budget = options.total_budget > 0 ? "--total-budget" : "--weekly-budget";
  if (lower_sum > settings.total * (1 + 1e-9)) {
    spdlog::error(
        "error: the lower bounds and locked channels' spends sum to {} over the horizon, more "
        "than the {} {} the schedule shares",
        money(lower_sum), budget, money(settings.total));
    return std::nullopt;
  }
  if (settings.spend_all && upper_sum < settings.total * (1 - 1e-9)) {
    spdlog::error(
        "error: the upper bounds and locked channels' spends sum to {} over the horizon, less "
        "than the {} {} the schedule shares; raise them or use --spend at-most",
        money(upper_sum), budget, money(settings.total));
    return std::nullopt;
  }
  return cells;
}

// The memory and work of the optimization, for the resource check.
WorkPlan optimize_work(const OptimizeOptions& options, const OptimizeSettings& settings, int draws,
                       const std::vector<PlannedChannel>& planned,
                       const ModelFootprint& footprint) {
  // Mixes run one at a time; at most five are kept with the
  // confirmation's replications (the current mix, the recommendation, the
  // best move of a verification round and the one being tried, or a
  // marginal step up and down).
  size_t free = 0;
  for (const PlannedChannel& c : planned) free += c.lower != c.upper;
  const double f = static_cast<double>(free);
  // A schedule (docs/model.md "Planning the schedule"): a surface curve
  // and 10 evaluations a channel, not a cell; shifts within a week or to a
  // neighbouring week (sim/mix_verification.h), screened on half the
  // search's replications; the cells' marginal returns at the search's.
  double pairs = f * (f - 1);
  double per_free = 15, curves = f, move_share = 1, marginal_replications = 0;
  if (options.by_week) {
    const double weeks = schedule_weeks(static_cast<int>(footprint.horizon_days));
    const double channels = std::max(1.0, f / weeks);
    pairs = channels * (weeks * (channels - 1) + 2 * (weeks - 1));
    per_free = 10 * channels / std::max(1.0, f);
    curves = channels;
    move_share = 0.5;
    marginal_replications = 2 * f * static_cast<double>(footprint.replications);
  }
  const double evaluations =
      settings.max_evaluations > 0 ? settings.max_evaluations : 30.0 + per_free * f;
  // The target modes bisect the total: ten searches of a third of the
  // evaluations (at least 10), then the final one. Before them the
  // response surface: each free channel at surface_points + 1 budgets.
  const double searched = curves * (settings.surface_points + 1) +
                          (settings.mode == OptimizeSettings::Mode::kAllocate
                               ? evaluations
                               : evaluations + 10 * std::max(10.0, std::floor(evaluations / 3)));
  // The verification: per round 3 moves a channel and a shift per ordered
  // pair (of a schedule's cells: in one week or to a neighbouring week), screened at
  // the search's replications, and one taken at the confirmation's; with
  // profit spending at most, up to three passes.
  const double passes = settings.objective == "profit" && !settings.spend_all ? 3.0 : 1.0;
  const double moves = move_share * passes * settings.verify_rounds * (3 * f + pairs);
  const double curve_runs = options.output.wants_report() && options.curve_points >= 2
                                ? static_cast<double>(planned.size()) * options.curve_points
                                : 0;
  const double agent_day =
      static_cast<double>(footprint.agents) * static_cast<double>(footprint.horizon_days);
  WorkPlan plan;
  plan.command = "optimization";
  plan.threads = settings.threads;
  // Each of the five runs kept at once holds a model per parameter draw.
  plan.models_at_once = 5 * std::max(1, draws);
  plan.scenario_copies = 5 + draws;
  const int64_t most = std::max<int64_t>(footprint.replications, settings.confirm_replications);
  plan.running = std::min<int64_t>(plan.threads, most);
  plan.kept = 5 * static_cast<int64_t>(settings.confirm_replications);
  plan.agent_days =
      agent_day * ((searched + curve_runs + moves) * static_cast<double>(footprint.replications) +
                   marginal_replications +
                   (2.0 + passes * (settings.verify_rounds + (options.by_week ? 0.0 : 2.0 * f))) *
                       settings.confirm_replications);
  return plan;
}

int optimize(const OptimizeOptions& options, const Invocation& invocation) {
  auto fail = [](const std::string& message) {
    spdlog::error("error: {}", printable(message));
    return kExitBadInput;
  };
  Result<OptimizeSettings> parsed = settings_of(options);
  if (!parsed) return fail(parsed.status().message());
  OptimizeSettings settings = std::move(parsed).value();
  std::string description;
  std::optional<v1::Scenario> scenario =
      prepare_scenario(options.scenario, options.overrides, options.variant, &description);
  if (!scenario) return kExitBadInput;
  // Every mix runs the same parameter draws (sim/mix_runner.h); a budget
  // cannot be uncertain, so draws valid at the current mix are valid at
  // every mix. The gains over the draws need two confirmation
  // replications per draw.
  const RunSettings run = resolve_run_settings(scenario->simulation());
  if (const Status drawn = check_draws(*scenario, run.seed, run.parameter_draws); !drawn.is_ok()) {
    return fail(drawn.message());
  }
  if (run.parameter_draws > 0 && settings.confirm_replications < 2 * run.parameter_draws) {
    return fail("--confirm-replications " + std::to_string(settings.confirm_replications) +
                ": the gains over " + std::to_string(run.parameter_draws) +
                " parameter draws need at least " + std::to_string(2 * run.parameter_draws) +
                " (two replications per draw)");
  }
  // The objective: a KPI of the registry that a budget can buy more of
  // ("retention": the customers active at the horizon).
  settings.objective = options.objective == "retention" ? "active_customers" : options.objective;
  if (std::string why = objective_refused(*scenario, settings.objective); !why.empty()) {
    return fail("--objective " + options.objective + ": " + why);
  }

  const int horizon = resolve_settings(scenario->simulation()).horizon_days;
  if (options.by_week) {
    if (horizon < 14) {
      return fail("--by-week: the horizon is " + std::to_string(horizon) +
                  " days; a schedule needs at least two weeks (14 days)");
    }
    if (options.total_budget > 0) settings.total = options.total_budget * 7.0 / horizon;
  }
  std::optional<std::vector<PlannedChannel>> chosen =
      planned_channels(options, *scenario, settings);
  if (!chosen) return kExitBadInput;
  if (options.by_week) {
    chosen = schedule_of(options, *scenario, *chosen, settings);
    if (!chosen) return kExitBadInput;
  }
  const std::vector<PlannedChannel>& planned = *chosen;
  const ModelFootprint footprint = model_footprint(*scenario);
  const WorkPlan plan = optimize_work(options, settings, run.parameter_draws, planned, footprint);
  if (std::optional<int> status =
          check_resources(options.scenario, estimate_resources(footprint, plan), plan.command,
                          options.output.estimate)) {
    return *status;
  }

  StudyFiles files;
  if (!open_study_files(files, options.output,
                        options.by_week ? kScheduleCsvFiles : kOptimizeCsvFiles, options.scenario,
                        invocation)) {
    return kExitBadInput;
  }
  settings.runner = replications_on(invocation.world);
  v1::OptimizeResult result;
  std::optional<v1::CurvesResult> curves;
  if (!run_with_progress("optimizing", settings.threads,
                         options.output.quiet || !speaks(invocation), [&](StudyProgress* progress) {
                           result = optimize_mix(*scenario, planned, settings, progress);
                           // A schedule has no weekly curves: its cells are weeks.
                           if (options.output.wants_report() && options.curve_points >= 2 &&
                               !options.by_week && !progress->stopped()) {
                             curves =
                                 curves_around(*scenario, planned, result, options.curve_points,
                                               settings.threads, progress, settings.runner);
                           }
                         })) {
    return files.abandon_interrupted();
  }
  return finish_study(invocation, [&] {
    add_invocation(invocation, options.scenario, description, result.mutable_provenance());
    print_warnings(options.scenario, optimize_warnings(result));
    return files.finish(format_optimize_table(result), result, optimize_csv(result),
                        [&] { return optimize_report(result, curves ? &*curves : nullptr); });
  });
}

}  // namespace

CommandRunner add_optimize_command(CLI::App& app) {
  auto options = std::make_shared<OptimizeOptions>();
  CLI::App* command = app.add_subcommand(
      "optimize",
      "The best split of a weekly budget across channels, by simulation: recommendation, paired "
      "gain, marginal returns");
  command->add_option("scenario", options->scenario, "Scenario file (.textproto, .json or .binpb)")
      ->required();
  command
      ->add_option("--weekly-budget", options->weekly_budget,
                   "The weekly budget to split (the most a target may use); with --by-week, "
                   "this times the weeks of the horizon is split")
      ->check(positive_number());
  command->add_flag("--by-week", options->by_week,
                    "Plan the schedule: the budget of every planned channel in every week of "
                    "the horizon, as week flights (adstock carried across them)");
  command
      ->add_option("--total-budget", options->total_budget,
                   "With --by-week: the budget of the whole horizon to split (instead of "
                   "--weekly-budget)")
      ->check(positive_number());
  command->add_option("--objective", options->objective,
                      "The KPI to maximise: conversions (default), value, profit, retention "
                      "(customers active at the horizon), conversions:KIND or value:KIND for one "
                      "goal kind, or another count the scenario has; target:NAME maximises the "
                      "chance of meeting the scenario's target NAME");
  command
      ->add_option("--target-conversions", options->target_conversions,
                   "Instead: the smallest budget whose best mix reaches N conversions")
      ->check(positive_number());
  command
      ->add_option("--target-cpa", options->target_cpa,
                   "Instead: the largest budget whose best mix keeps cost per conversion <= X")
      ->check(positive_number());
  add_list_option(*command, "--bounds", options->bounds,
                  "CHANNEL=LO:HI weekly bounds, amounts or multiples of the current budget "
                  "(facebook=0.7x:1.3x); repeat or separate with commas for several");
  add_list_option(*command, "--lock", options->locks,
                  "Keep CHANNEL at its current budget (repeat, or comma-separated)");
  add_list_option(*command, "--keep-on", options->keep_on,
                  "CHANNEL may not be switched off: at least 1% of the total (repeat, or "
                  "comma-separated)");
  command->add_flag("--plan-care", options->plan_care,
                    "Plan customer care's staffing too: its daily capacity, at "
                    "loyalty.care.cost_per_capacity_unit a unit a day, shares the weekly budget "
                    "with the channels as the entry 'care' (in --bounds, --lock and --keep-on)");
  command->add_option("--spend", options->spend,
                      "all (default) or at-most: spend the whole total?");
  command->add_option("--risk", options->risk,
                      "cvar:F: maximise the mean of the worst F of the replications");
  command->add_option("--variant", options->variant, "Plan on top of this variant");
  command
      ->add_option("--confirm-replications", options->confirm_replications,
                   "Replications of the confirmation and marginal runs (default 64)")
      ->transform(integer_in(2, 100000));
  command
      ->add_option("--max-evaluations", options->max_evaluations,
                   "Most candidate mixes in the search (default 30 + 15 per channel; with "
                   "--by-week 30 + 10 per channel)")
      ->transform(integer_in(1, 100000));
  command
      ->add_option("--surface-points", options->surface_points,
                   "Budgets per channel of the response surface whose best split starts the "
                   "search (default 4, 2 with --by-week; 0: no surface, start from the current "
                   "and even mixes)")
      ->transform(integer_in(0, 100));
  command
      ->add_option("--verify-rounds", options->verify_rounds,
                   "Most rounds of the verification after the search (default 4)")
      ->transform(integer_in(1, 100));
  options->overrides.add_to(*command);
  command->add_option("--threads", options->threads, "Worker threads (default: all cores)")
      ->transform(integer_in(1, 1024));
  command
      ->add_option("--curve-points", options->curve_points,
                   "Budgets per response curve around the recommendation in --report and --svg "
                   "(default 7; 0: no curves)")
      ->transform(integer_in(0, 1000));
  options->output.add_to(*command, "cjsim.v1.OptimizeResult", kOptimizeCsvFiles);
  refuse_shard_options(*command,
                       "optimize does not write shards: it chooses each mix to simulate from "
                       "the results of the mixes before, so its replications cannot run apart "
                       "and merge afterwards; under mpirun -np N it shares out each mix's "
                       "replications (docs/scaling.md)");
  return [options](const Invocation& invocation) { return optimize(*options, invocation); };
}

}  // namespace cjsim::cli
