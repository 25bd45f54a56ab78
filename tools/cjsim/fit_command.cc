// cjsim fit --paths FILE -o SCENARIO: a scenario of the Markov chain fitted
// to a path log (sim/path_scenario.h, docs/attribution.md "A scenario from
// the paths"), written whole or not at all.

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "models/diagnostics.h"
#include "models/path_log.h"
#include "models/scenario_loader.h"
#include "models/stage.h"
#include "models/validation.h"
#include "sim/attribution.h"
#include "sim/path_scenario.h"
#include "tools/cjsim/commands.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/logging.h"
#include "tools/cjsim/output.h"
#include "tools/cjsim/path_log_input.h"
#include "tools/cjsim/scenario_input.h"
#include "tools/cjsim/signals.h"
#include "tools/report/format.h"

namespace cjsim::cli {

namespace {

struct FitOptions {
  PathLogInput input;
  std::string order = "1";
  std::vector<std::string> stages;  // CH=STAGE
  std::string output;
  bool quiet = false;
};

// "FILE: error: MESSAGE" for a problem of the input found after reading it.
int refuse_input(const std::string& path, const std::string& message) {
  spdlog::error("{}: error: {}", printable(path), printable(message));
  return kExitBadInput;
}

// The stage of each channel of `log` from --stage CH=STAGE (CH a channel's
// name as the paths write it); nullopt after a usage error.
std::optional<std::vector<v1::Stage>> channel_stages(const std::vector<std::string>& given,
                                                     const PathLog& log) {
  std::vector<v1::Stage> stages(log.channels.size(), kDefaultPathStage);
  for (const std::string& item : given) {
    // A channel's name may hold '=', a stage's never does.
    const size_t at = item.rfind('=');
    if (at == std::string::npos || at == 0) {
      usage_error("--stage '" + item + "': write CHANNEL=STAGE, e.g. search=decision");
      return std::nullopt;
    }
    const std::string channel = item.substr(0, at), stage_text = item.substr(at + 1);
    const auto found = std::lower_bound(log.channels.begin(), log.channels.end(), channel);
    if (found == log.channels.end() || *found != channel) {
      const std::string hint = closest_match(channel, log.channels);
      usage_error("--stage '" + item + "': no channel '" + channel + "' in the path log" +
                  (hint.empty() ? std::string() : " (did you mean '" + hint + "'?)"));
      return std::nullopt;
    }
    const std::optional<v1::Stage> stage = parse_stage_name(stage_text);
    if (!stage) {
      usage_error("--stage '" + item + "': '" + stage_text +
                  "' is not a stage; use awareness, consideration, decision or loyalty");
      return std::nullopt;
    }
    stages[static_cast<size_t>(found - log.channels.begin())] = *stage;
  }
  return stages;
}

// The written text must load and validate as any scenario does: a check of
// this command's work, and of the session-length rule, which depends on
// the data (a loop of the chain walked for ages).
bool validates(const std::string& text, const std::string& output) {
  Diagnostics diagnostics(output);
  std::optional<LoadedScenario> loaded =
      parse_scenario(text, ScenarioFormat::kText, output, diagnostics);
  if (loaded) validate_scenario(loaded->scenario, loaded->source_map.get(), diagnostics);
  if (diagnostics.error_count() == 0) return true;
  spdlog::error("{}: error: the fitted scenario does not validate; nothing was written",
                printable(output));
  print_diagnostics(diagnostics);
  return false;
}

int fit(const FitOptions& options, const Invocation& invocation) {
  const std::optional<PathLogOptions> columns = path_log_options(options.input);
  if (!columns) return kExitBadInput;
  const std::string& o = options.order;
  if (o.size() != 1 || o[0] < '1' || o[0] > '0' + kMaxMarkovOrder) {
    return usage_error("--order '" + o + "': give 1 to " + std::to_string(kMaxMarkovOrder));
  }
  const int order = o[0] - '0';
  OutputSet outputs;
  outputs.add_input("--paths", options.input.paths);
  Result<PendingOutput*> scenario_file = outputs.open("-o", options.output);
  if (!scenario_file) {
    print_output_error(scenario_file.status());
    return kExitBadInput;
  }
  if (format_for_path(options.output) != ScenarioFormat::kText) {
    return usage_error("-o '" + options.output +
                       "': the scenario is written in text format, with comments: name it "
                       ".textproto, .txtpb or .pbtxt");
  }

  const std::optional<PathLog> log = read_path_log_input(options.input, *columns);
  if (!log) return kExitBadInput;
  const std::optional<std::vector<v1::Stage>> stages = channel_stages(options.stages, *log);
  if (!stages) return kExitBadInput;
  const std::string& input = options.input.paths;
  // Before fitting: a chain the scenario limits refuse is not fitted.
  const OrderCandidate size = order_size(*log, order);
  if (Status fits = check_path_scenario_size(*log, size); !fits.is_ok()) {
    return refuse_input(input, fits.message());
  }
  if (interrupted()) return interrupted_exit();
  Result<MarkovChain> chain = fit_markov_chain(*log, order);
  if (!chain) return refuse_input(input, chain.status().message());
  PathScenarioOptions scenario_options;
  scenario_options.stages = *stages;
  scenario_options.command_line = invocation.command_line;
  Result<PathScenario> scenario = path_scenario(*log, *chain, scenario_options);
  if (!scenario) return refuse_input(input, scenario.status().message());
  if (interrupted()) return interrupted_exit();
  if (!validates(scenario->text, options.output)) return kExitBadInput;

  if (const Status written = outputs.write(*scenario_file, scenario->text); !written.is_ok()) {
    print_output_error(written);
    return kExitFailure;
  }
  return commit_outputs(outputs, [&] {
    if (options.quiet) return;
    const double journeys = log->total_conversions + log->total_nulls;
    std::printf("%s: Markov chain of order %d, %s states, %s transitions\n",
                printable(input).c_str(), order,
                format_count(static_cast<double>(chain->states)).c_str(),
                format_count(static_cast<double>(chain->transitions())).c_str());
    std::printf("wrote %s: %s touchpoints (%s entries and the conversion), %s edges, %s channels\n",
                printable(options.output).c_str(),
                format_count(static_cast<double>(scenario->touchpoints)).c_str(),
                format_count(static_cast<double>(scenario->entries)).c_str(),
                format_count(static_cast<double>(scenario->edges)).c_str(),
                format_count(static_cast<double>(scenario->channels)).c_str());
    std::printf("conversion probability %s / %s = %s; `cjsim run %s --exact` gives it\n",
                format_count(log->total_conversions).c_str(), format_count(journeys).c_str(),
                format_percent(log->total_conversions / journeys).c_str(),
                printable(options.output).c_str());
    std::fflush(stdout);
  });
}

}  // namespace

CommandRunner add_fit_command(CLI::App& app) {
  auto options = std::make_shared<FitOptions>();
  CLI::App* command = app.add_subcommand(
      "fit", "Write a scenario of the Markov chain fitted to a path log (--paths), for what-ifs");
  add_path_log_options(*command, options->input);
  command->add_option("--order", options->order,
                      "Markov order: 1 (default) to 6; a state is the last K channels");
  command->add_option("--stage", options->stages,
                      "CHANNEL=STAGE: the stage of a channel's touchpoints (awareness, "
                      "consideration, decision or loyalty; default consideration); repeatable");
  command->add_option("-o,--output", options->output, "The scenario to write (.textproto)")
      ->required()
      ->check(non_empty_path());
  command->add_flag("--quiet", options->quiet,
                    "No summary, no warnings (--log-level error, unless given)");
  return [options](const Invocation& invocation) { return fit(*options, invocation); };
}

}  // namespace cjsim::cli
