// cjsim attribute --paths FILE: which channels a path log's conversions are
// owed to, by the Markov removal effect (solved exactly), the Shapley value
// and the usual heuristics (sim/attribution.h, docs/attribution.md).
// cjsim attribute SCENARIO: the same for a scenario's simulated journeys,
// each channel switched off in turn (sim/scenario_attribution.h).

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "models/diagnostics.h"
#include "models/path_log.h"
#include "sim/attribution.h"
#include "sim/resources.h"
#include "sim/scenario_attribution.h"
#include "tools/cjsim/commands.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/logging.h"
#include "tools/cjsim/option_values.h"
#include "tools/cjsim/path_log_input.h"
#include "tools/cjsim/resource_check.h"
#include "tools/cjsim/scenario_input.h"
#include "tools/cjsim/signals.h"
#include "tools/cjsim/study_output.h"
#include "tools/report/attribution_report.h"

namespace cjsim::cli {

namespace {

struct AttributeOptions {
  std::string scenario;  // or:
  PathLogInput input;
  // The scenario's.
  std::string variant;
  std::string goal;
  bool exact = false;
  SimulationOverrides overrides;
  // The options given that only the other form takes, by name.
  std::vector<std::string> foreign;
  std::string order = "1";
  std::vector<std::string> methods;
  double half_life = 1;
  int threads = 0;
  OutputOptions output;
};

std::string mebibytes(double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", bytes / (1024.0 * 1024.0));
  return text;
}

// --order auto: sizes each order (printed before anything is fitted), then
// scores them on held-out paths. Returns the candidates.
std::vector<OrderCandidate> choose_order(const PathLog& log, const std::string& input) {
  std::vector<OrderCandidate> candidates;
  for (int order = 1; order <= kMaxMarkovOrder; ++order) {
    candidates.push_back(order_size(log, order));
    const OrderCandidate& c = candidates.back();
    spdlog::info("{}: order {}: {} states, {} transitions, about {}", printable(input), order,
                 c.states, c.transitions, mebibytes(c.memory_bytes));
  }
  score_orders(log, candidates);
  for (const OrderCandidate& c : candidates) {
    spdlog::info("{}: order {}: held-out log-likelihood of the outcomes {:.2f}", printable(input),
                 c.order, c.held_out_log_likelihood);
  }
  return candidates;
}

// cjsim attribute SCENARIO.
int attribute_scenario_command(const AttributeOptions& options, const Invocation& invocation) {
  std::string description;
  std::optional<v1::Scenario> scenario =
      prepare_scenario(options.scenario, options.overrides, options.variant, &description);
  if (!scenario) return kExitBadInput;
  // Its shares (removal effects normalised to the conversions, and the
  // exact solution's) are ratios of one parameter set's figures; over
  // draws they would need an estimator of a ratio of draw means that it
  // does not have.
  if (refuses_parameter_draws("attribute",
                              "its channel shares and the exact solution are of one parameter "
                              "set, and it has no estimator of a share over draws",
                              options.scenario, *scenario)) {
    return kExitBadInput;
  }
  ScenarioAttributionSettings settings;
  settings.variant = options.variant;
  settings.goal_kind = options.goal;
  settings.exact = options.exact;
  settings.threads = resolve_threads(options.threads);
  if (const std::string why = scenario_attribution_problem(*scenario, settings); !why.empty()) {
    spdlog::error("{}: error: {}", printable(options.scenario), printable(why));
    return kExitBadInput;
  }
  // The baseline and one arm per channel, one after the other.
  const ModelFootprint footprint = model_footprint(*scenario);
  WorkPlan plan;
  plan.command = "attribute run";
  plan.threads = settings.threads;
  plan.scenario_copies = 2;
  plan.models_at_once = 2;
  plan.running = std::min<int64_t>(plan.threads, footprint.replications);
  plan.kept = footprint.replications;
  const double arms = static_cast<double>(attributed_channels(*scenario).size() + 1);
  plan.agent_days = options.exact ? 0
                                  : arms * static_cast<double>(footprint.agents) *
                                        static_cast<double>(footprint.horizon_days) *
                                        static_cast<double>(footprint.replications);
  if (std::optional<int> status =
          check_resources(options.scenario, estimate_resources(footprint, plan), plan.command,
                          options.output.estimate)) {
    return *status;
  }
  StudyFiles files;
  if (!files.open(options.output, kAttributionCsvFiles, options.scenario)) return kExitBadInput;
  v1::AttributionResult result;
  if (!run_with_progress("attributing", settings.threads, options.output.quiet,
                         [&](StudyProgress* progress) {
                           result = attribute_scenario(*scenario, settings, progress);
                         })) {
    return files.abandon_interrupted();
  }
  add_invocation(invocation, options.scenario, description, result.mutable_provenance());
  print_warnings(options.scenario,
                 std::vector<std::string>(result.warnings().begin(), result.warnings().end()));
  return files.finish(format_attribution_table(result), result, attribution_csv(result),
                      [&] { return attribution_report(result); });
}

int attribute(const AttributeOptions& options, const Invocation& invocation) {
  if (options.scenario.empty() == options.input.paths.empty()) {
    return usage_error(
        "give a scenario file (cjsim attribute SCENARIO) or a path log (cjsim attribute --paths "
        "FILE)" +
        std::string(options.scenario.empty() ? "" : ", not both"));
  }
  if (!options.foreign.empty()) {
    std::string names;
    for (const std::string& n : options.foreign) names += (names.empty() ? "" : ", ") + n;
    return usage_error(names + (options.foreign.size() == 1 ? " goes" : " go") + " with " +
                       (options.scenario.empty() ? "a scenario file, not --paths"
                                                 : "--paths, not a scenario file"));
  }
  if (!options.scenario.empty()) return attribute_scenario_command(options, invocation);
  const std::optional<PathLogOptions> columns = path_log_options(options.input);
  if (!columns) return kExitBadInput;
  AttributionOptions attribution;
  attribution.half_life = options.half_life;
  if (!options.methods.empty()) {
    attribution.methods.clear();
    for (const std::string& name : options.methods) {
      const std::optional<AttributionMethod> method = method_from_name(name);
      if (!method) {
        return usage_error("--method '" + name +
                           "': the methods are markov, shapley, first, last, linear, position "
                           "and time-decay");
      }
      if (std::find(attribution.methods.begin(), attribution.methods.end(), *method) ==
          attribution.methods.end()) {
        attribution.methods.push_back(*method);
      }
    }
  }
  const bool automatic = options.order == "auto";
  if (!automatic) {
    const std::string& o = options.order;
    if (o.size() != 1 || o[0] < '1' || o[0] > '0' + kMaxMarkovOrder) {
      return usage_error("--order '" + o + "': give 1 to " + std::to_string(kMaxMarkovOrder) +
                         " or auto");
    }
    attribution.order = o[0] - '0';
  }

  StudyFiles files;
  if (!options.output.estimate &&
      !files.open(options.output, kAttributionCsvFiles, options.input.paths, "--paths")) {
    return kExitBadInput;
  }
  const auto start = std::chrono::steady_clock::now();
  std::optional<PathLog> log = read_path_log_input(options.input, *columns);
  if (!log) return kExitBadInput;
  if (interrupted()) return files.abandon_interrupted();

  std::vector<OrderCandidate> candidates;
  if (options.output.estimate) {
    for (int order = automatic ? 1 : attribution.order;
         order <= (automatic ? kMaxMarkovOrder : attribution.order); ++order) {
      const OrderCandidate c = order_size(*log, order);
      std::printf("order %d: %lld states, %lld transitions, about %s\n", order,
                  static_cast<long long>(c.states), static_cast<long long>(c.transitions),
                  mebibytes(c.memory_bytes).c_str());
    }
    return kExitOk;
  }
  const int threads = resolve_threads(options.threads);
  std::optional<Result<Attribution>> outcome;
  const bool finished =
      run_with_progress("attributing", threads, options.output.quiet, [&](StudyProgress* progress) {
        if (automatic) {
          candidates = choose_order(*log, options.input.paths);
          attribution.order = best_order(candidates);
        }
        progress->total = log->channels.size() + 1;
        outcome = attribute_paths(*log, attribution, &progress->done, progress->stop);
      });
  if (!finished) return files.abandon_interrupted();
  if (!*outcome) {
    spdlog::error("{}: error: {}", printable(options.input.paths),
                  printable(outcome->status().message()));
    return outcome->status().code() == Status::Code::kBadInput ? kExitBadInput : kExitFailure;
  }
  Attribution& result = outcome->value();
  result.candidates = candidates;
  v1::AttributionResult message = to_proto(result, options.input.paths);
  message.set_half_life(options.half_life);
  message.set_keep_repeats(options.input.columns.keep_repeats);
  message.set_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  message.mutable_provenance()->set_threads(threads);
  message.mutable_provenance()->set_command_line(invocation.command_line);
  print_warnings(options.input.paths, result.warnings);
  return files.finish(format_attribution_table(message), message, attribution_csv(message),
                      [&] { return attribution_report(message); });
}

}  // namespace

CommandRunner add_attribute_command(CLI::App& app) {
  auto options = std::make_shared<AttributeOptions>();
  CLI::App* command = app.add_subcommand(
      "attribute",
      "Attribute conversions to channels: of a path log (Markov removal effects, Shapley, "
      "heuristics) or of a scenario's simulated journeys (each channel switched off)");
  command->add_option("scenario", options->scenario,
                      "Scenario file (.textproto, .json or .binpb): attribute its simulated "
                      "journeys (or give --paths)");
  add_path_log_options(*command, options->input, /*paths_optional=*/true);
  command->add_option("--goal", options->goal,
                      "Scenario: the goal kind attributed (required when the scenario has "
                      "several)");
  command->add_flag("--exact", options->exact,
                    "Scenario: solve each arm exactly (single-journey form only)");
  command->add_option("--variant", options->variant, "Scenario: attribute this variant");
  options->overrides.add_to(*command);
  command->add_option("--order", options->order,
                      "Markov order: 1 (default) to 6, or auto (chosen on held-out paths)");
  command
      ->add_option("--method", options->methods,
                   "Methods, comma-separated: markov, shapley, first, last, linear, position, "
                   "time-decay (default: all)")
      ->delimiter(',');
  command
      ->add_option("--half-life", options->half_life,
                   "Time decay: touches over which a touch's weight halves (default 1)")
      ->check(positive_number());
  command->add_option("--threads", options->threads, "Worker threads (default: all cores)")
      ->transform(integer_in(1, 1024));
  options->output.add_to(*command, "cjsim.v1.AttributionResult", kAttributionCsvFiles);
  return [options, command](const Invocation& invocation) {
    // The options of one form given with the other.
    const std::vector<std::string> scenario_only = {
        "--goal", "--exact", "--variant", "--agents", "--replications", "--seed", "--horizon-days"};
    const std::vector<std::string> paths_only = {
        "--order",       "--method",      "--half-life",          "--delimiter",
        "--separator",   "--path-column", "--conversions-column", "--value-column",
        "--null-column", "--keep-repeats"};
    options->foreign.clear();
    for (const std::string& name : options->scenario.empty() ? scenario_only : paths_only) {
      if (command->count(name) > 0) options->foreign.push_back(name);
    }
    return attribute(*options, invocation);
  };
}

}  // namespace cjsim::cli
