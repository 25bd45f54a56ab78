// cjsim validate: check a scenario and all its variants, and say so.

#include <cstdio>
#include <memory>
#include <string>

#include "models/diagnostics.h"
#include "models/validation.h"
#include "tools/cjsim/commands.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/scenario_input.h"

namespace cjsim::cli {

namespace {

struct ValidateOptions {
  std::string scenario;
  bool quiet = false;
};

int validate(const ValidateOptions& options, const Invocation& /*invocation*/) {
  Diagnostics diagnostics(options.scenario);
  std::optional<LoadedScenario> loaded = load_scenario(options.scenario, diagnostics);
  bool ok = loaded.has_value() &&
            validate_scenario(loaded->scenario, loaded->source_map.get(), diagnostics) &&
            check_target_kpis(loaded->scenario, loaded->source_map.get(), diagnostics);
  // Each variant must also give a valid scenario once applied.
  if (ok) {
    for (const v1::Variant& variant : loaded->scenario.variants()) {
      if (!apply_and_validate_variant(loaded->scenario, variant.name(), diagnostics)) {
        ok = false;
      }
    }
  }
  print_diagnostics(diagnostics);  // ends with "FILE: N errors"
  if (!ok) return kExitBadInput;
  if (!options.quiet) {
    const v1::Scenario& s = loaded->scenario;
    std::printf("%s: ok: %d personas, %d channels, %d touchpoints, %d edges, %d variants\n",
                printable(options.scenario).c_str(), s.personas_size(), s.channels_size(),
                s.touchpoints_size(), s.edges_size(), s.variants_size());
  }
  return kExitOk;
}

}  // namespace

CommandRunner add_validate_command(CLI::App& app) {
  auto options = std::make_shared<ValidateOptions>();
  CLI::App* command = app.add_subcommand(
      "validate", "Check a scenario and its variants; report every problem with its place");
  command->add_option("scenario", options->scenario, "Scenario file")->required();
  command->add_flag("--quiet", options->quiet,
                    "Print errors only (--log-level error, unless given)");
  return [options](const Invocation& invocation) { return validate(*options, invocation); };
}

}  // namespace cjsim::cli
