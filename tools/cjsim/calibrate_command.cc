// cjsim calibrate SCENARIO --observed OBS.csv [--free PATH=LO:HI ...] -o
// CALIBRATED.textproto: the scenario's numbers fitted to observed KPIs and
// lifts (sim/calibration.h, docs/model.md "Calibration"); the calibrated
// scenario, with the fit's uncertainty as joint draws, and a
// CalibrationResult, all written together or not at all.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/text_format.h>
#include <spdlog/spdlog.h>

#include "models/diagnostics.h"
#include "models/scenario_loader.h"
#include "models/validation.h"
#include "sim/calibration.h"
#include "sim/observations.h"
#include "sim/resources.h"
#include "tools/cjsim/commands.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/logging.h"
#include "tools/cjsim/mpi_study.h"
#include "tools/cjsim/option_values.h"
#include "tools/cjsim/resource_check.h"
#include "tools/cjsim/scenario_input.h"
#include "tools/cjsim/shards.h"
#include "tools/cjsim/study_output.h"
#include "tools/report/calibration_report.h"
#include "tools/report/format.h"

namespace cjsim::cli {

namespace {

struct CalibrateOptions {
  std::string scenario;
  std::string observed;
  std::vector<std::string> free;
  std::string output;
  int max_evaluations = 0;
  int draws = 200;
  SimulationOverrides overrides;
  int threads = 0;
  OutputOptions outputs;
};

int refuse_calibration_input(const std::string& path, const std::string& message) {
  spdlog::error("{}: error: {}", printable(path), printable(message));
  return kExitBadInput;
}

// The calibrated scenario as text: a header saying where it comes from,
// then the message. Comments of the input are not kept (the scenario is
// printed from its message).
std::string scenario_text(const v1::Scenario& scenario, const v1::CalibrationResult& r,
                          const CalibrateOptions& options) {
  std::string text = "# Calibrated by `cjsim calibrate` from " + options.scenario + " to " +
                     options.observed + " (docs/model.md \"Calibration\"):\n";
  for (const v1::CalibrationParameter& p : r.parameters()) {
    text += "#   " + parameter_sentence(p, r.confidence()) + "\n";
  }
  text += "# chi-square " + format_real(r.chi_square(), 3) + " on " +
          std::to_string(r.degrees_of_freedom()) + " degrees of freedom" +
          (r.has_p_value() ? ", " + format_p_value(r.p_value()) : "") + ".\n";
  text += "# Each fitted field's value is the estimate; its `uncertain { draws }` entry holds " +
          std::to_string(r.draws_written()) +
          " joint draws (value k of every list belongs together), which `cjsim run "
          "--parameter-draws N` samples.\n\n";
  std::string body;
  google::protobuf::TextFormat::Printer printer;
  printer.PrintToString(scenario, &body);
  return text + body;
}

int calibrate_scenario(const CalibrateOptions& options, const Invocation& invocation) {
  if (options.overrides.parameter_draws && *options.overrides.parameter_draws > 0) {
    return usage_error(
        "--parameter-draws: calibrate fits the parameters at fixed values; the calibrated "
        "scenario carries their draws for later runs");
  }
  if (format_for_path(options.output) != ScenarioFormat::kText) {
    return usage_error("-o '" + options.output +
                       "': the calibrated scenario is written in text format: name it "
                       ".textproto, .txtpb or .pbtxt");
  }
  // The scenario as written, and as simulated (with the command line's
  // settings, and parameters fixed).
  std::optional<v1::Scenario> written = prepare_scenario_with_variants(options.scenario, {});
  if (!written) return kExitBadInput;
  v1::Scenario scenario = *written;
  options.overrides.apply(scenario);
  scenario.mutable_simulation()->clear_parameter_draws();
  {
    Diagnostics diagnostics(options.scenario);
    if (!validate_scenario(scenario, nullptr, diagnostics)) {
      print_diagnostics(diagnostics);
      return kExitBadInput;
    }
  }
  if (resolve_run_settings(scenario.simulation()).replications < 2) {
    return usage_error("--replications: calibration needs at least 2 (a simulated standard error)");
  }
  Diagnostics diagnostics(options.observed);
  const std::optional<std::vector<Observation>> observations =
      read_observations(options.observed, std::nullopt, scenario, diagnostics);
  if (!observations) {
    print_diagnostics(diagnostics);
    return kExitBadInput;
  }
  Result<std::vector<FreeParameter>> parameters = free_parameters(scenario, options.free);
  if (!parameters) return refuse_calibration_input(options.scenario, parameters.status().message());
  if (parameters->size() > observations->size()) {
    return refuse_calibration_input(
        options.observed, std::to_string(parameters->size()) + " free parameters but " +
                              std::to_string(observations->size()) +
                              " observations: give at least one observation per parameter");
  }

  CalibrationSettings settings;
  settings.max_evaluations = options.max_evaluations;
  settings.draws = options.draws;
  settings.threads = resolve_threads(options.threads);
  settings.observed_file = options.observed;
  settings.runner = replications_on(invocation.world);

  const ModelFootprint footprint = model_footprint(scenario);
  WorkPlan plan;
  plan.command = "calibrate";
  plan.threads = settings.threads;
  plan.models_at_once = 2;
  plan.scenario_copies = 3;
  plan.running = std::min<int64_t>(plan.threads, footprint.replications);
  plan.kept = 2 * footprint.replications;
  const int evaluations =
      (options.max_evaluations > 0 ? options.max_evaluations
                                   : 40 + 20 * static_cast<int>(parameters->size())) +
      1 + 2 * static_cast<int>(parameters->size());
  plan.agent_days = static_cast<double>(evaluations) * static_cast<double>(footprint.agents) *
                    static_cast<double>(footprint.horizon_days) *
                    static_cast<double>(footprint.replications);
  if (std::optional<int> status =
          check_resources(options.scenario, estimate_resources(footprint, plan), plan.command,
                          options.outputs.estimate)) {
    return *status;
  }

  StudyFiles files;
  files.add_input("--observed", options.observed);
  files.add_output("-o", options.output);
  if (!open_study_files(files, options.outputs, kCalibrationCsvFiles, options.scenario,
                        invocation)) {
    return kExitBadInput;
  }
  std::optional<Result<Calibration>> fitted;
  if (!run_with_progress(
          "calibrating", settings.threads, options.outputs.quiet || !speaks(invocation),
          [&](StudyProgress* progress) {
            fitted = calibrate(scenario, *written, *observations, *parameters, settings, progress);
          })) {
    return files.abandon_interrupted();
  }
  if (!fitted->is_ok()) {
    // `files` abandons its outputs when it goes.
    return refuse_calibration_input(options.observed, fitted->status().message());
  }
  Calibration calibration = std::move(*fitted).value();
  v1::CalibrationResult& result = calibration.result;
  result.set_calibrated_scenario(options.output);
  // The written scenario must validate as any scenario does: a check of
  // this command's work.
  {
    Diagnostics check(options.output);
    bool valid = validate_scenario(calibration.calibrated, nullptr, check);
    for (const v1::Variant& variant : calibration.calibrated.variants()) {
      valid = apply_and_validate_variant(calibration.calibrated, variant.name(), check) && valid;
    }
    if (!valid) {
      spdlog::error("{}: error: the calibrated scenario does not validate; nothing was written",
                    printable(options.output));
      print_diagnostics(check);
      return kExitFailure;
    }
  }
  return finish_study(invocation, [&] {
    add_invocation(invocation, options.scenario, "", result.mutable_provenance());
    print_warnings(options.scenario,
                   std::vector<std::string>(result.warnings().begin(), result.warnings().end()));
    if (Status s = files.write_output(0, scenario_text(calibration.calibrated, result, options));
        !s.is_ok()) {
      print_output_error(s);
      return kExitFailure;
    }
    return files.finish(format_calibration_table(result), result, calibration_csv(result),
                        [&] { return calibration_report(result); });
  });
}

}  // namespace

CommandRunner add_calibrate_command(CLI::App& app) {
  auto options = std::make_shared<CalibrateOptions>();
  CLI::App* command = app.add_subcommand(
      "calibrate",
      "Fit scenario fields to observed KPIs and lift tests (--observed OBS.csv); write the "
      "calibrated scenario with the fit's uncertainty (-o)");
  command->add_option("scenario", options->scenario, "Scenario file (.textproto, .json or .binpb)")
      ->required();
  command
      ->add_option("--observed", options->observed,
                   "OBS.csv: kpi,from,to,value,std_error[,variant] (docs/cli.md \"calibrate\")")
      ->required()
      ->check(non_empty_path());
  command->add_option("--free", options->free,
                      "PATH=LO:HI: a field to fit and its range, e.g. "
                      "touchpoints[ig_ad].cta.act_probability=0.005:0.05; repeatable (default: "
                      "the scenario's `uncertain` entries)");
  command
      ->add_option("-o,--output", options->output, "The calibrated scenario to write (.textproto)")
      ->required()
      ->check(non_empty_path());
  command
      ->add_option("--max-evaluations", options->max_evaluations,
                   "Objective evaluations the optimizer may use (default 40 + 20 per parameter)")
      ->transform(integer_in(2, 100000));
  command
      ->add_option("--draws", options->draws,
                   "Joint draws of the parameters written into the calibrated scenario "
                   "(default 200)")
      ->transform(integer_in(2, 100000));
  options->overrides.add_to(*command);
  command->add_option("--threads", options->threads, "Worker threads (default: all cores)")
      ->transform(integer_in(1, 1024));
  options->outputs.add_to(*command, "cjsim.v1.CalibrationResult", kCalibrationCsvFiles);
  refuse_shard_options(*command,
                       "calibrate does not write shards; each evaluation needs the last one's "
                       "counts");
  return
      [options](const Invocation& invocation) { return calibrate_scenario(*options, invocation); };
}

}  // namespace cjsim::cli
