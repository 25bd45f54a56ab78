// cjsim: the command line. Parses arguments and dispatches to a subcommand;
// all the work is in the libraries.

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "models/diagnostics.h"
#include "sim/run_result.h"
#include "tools/cjsim/commands.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/logging.h"
#include "tools/cjsim/mpi_world.h"
#include "tools/cjsim/signals.h"

namespace {

// The files `command` reads, named as its messages name them: the log file
// may not be one of them.
std::vector<cjsim::cli::NamedInput> command_inputs(const CLI::App& command) {
  std::vector<cjsim::cli::NamedInput> inputs;
  for (const auto& [option, name] :
       {std::pair<std::string, std::string>{"scenario", "the scenario"},
        {"--transactions", "--transactions"},
        {"--rf-table", "--rf-table"},
        {"--paths", "--paths"}}) {
    const CLI::Option* given = command.get_option_no_throw(option);
    if (given != nullptr && given->count() > 0) inputs.emplace_back(name, given->as<std::string>());
  }
  return inputs;
}

bool is_quiet(const CLI::App& command) {
  const CLI::Option* quiet = command.get_option_no_throw("--quiet");
  return quiet != nullptr && quiet->count() > 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cjsim::cli;
  install_signal_handlers();
  start_default_logging();
  MpiWorld world(&argc, &argv);
  if (world.missing_mpi()) {
    spdlog::error(
        "cjsim: error: mpirun started {} processes, but this cjsim was built without "
        "MPI: install libopenmpi-dev and openmpi-bin (tools/setup-deps.sh does) and "
        "configure with -DCJSIM_WITH_MPI=ON, or run without mpirun (docs/scaling.md)",
        world.launched());
    return kExitBadInput;
  }
  const Invocation invocation{command_line_of(argc, argv),
                              std::vector<std::string>(argv + 1, argv + argc), &world};
  CLI::App app{"cjsim: customer-journey simulation. Docs: docs/cli.md, docs/model.md"};
  app.set_version_flag("--version", std::string("cjsim ") + std::string(cjsim::engine_version()));
  app.require_subcommand(1);
  // CLI11's messages quote what was typed: one line each, control
  // characters escaped.
  app.failure_message([](const CLI::App* failed, const CLI::Error& e) {
    const std::string message = CLI::FailureMessage::simple(failed, e);
    std::string out;
    std::string_view text = message;
    while (!text.empty()) {
      const size_t end = std::min(text.find('\n'), text.size());
      out += cjsim::printable(text.substr(0, end)) + "\n";
      text.remove_prefix(std::min(end + 1, text.size()));
    }
    return out;
  });
  std::map<std::string, CommandRunner> commands = {
      {"run", add_run_command(app)},
      {"compare", add_compare_command(app)},
      {"sweep", add_sweep_command(app)},
      {"optimize", add_optimize_command(app)},
      {"curves", add_curves_command(app)},
      {"validate", add_validate_command(app)},
      {"fit", add_fit_command(app)},
      {"calibrate", add_calibrate_command(app)},
      {"fit-retention", add_fit_retention_command(app)},
      {"attribute", add_attribute_command(app)},
      {"merge", add_merge_command(app)},
  };
  // Global options: before the subcommand or among its own.
  LogOptions log_options;
  log_options.add_to(app);
  for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) {
    log_options.add_to(*command);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int status = app.exit(e);
    // CLI11 gives 0 for --help/--version; every usage error is a bad input.
    return status == 0 ? kExitOk : kExitBadInput;
  }
  for (CLI::App* sub : app.get_subcommands()) {
    // Under mpirun rank 0 speaks for all; the others log their errors to
    // standard error only.
    if (!world.is_root()) log_options.file.clear();
    if (!start_logging(log_options, is_quiet(*sub) || !world.is_root(), command_inputs(*sub))) {
      return kExitBadInput;
    }
    spdlog::debug("cjsim {}: {}", cjsim::engine_version(),
                  cjsim::printable(invocation.command_line));
    const std::string& name = sub->get_name();
    if (world.is_parallel() && name != "run" && name != "compare" && name != "sweep" &&
        name != "curves" && name != "optimize" && name != "calibrate") {
      spdlog::error(
          "cjsim {}: error: runs in one process; under mpirun only run, compare, "
          "sweep, curves, optimize and calibrate share out their work "
          "(docs/scaling.md)",
          name);
      return kExitBadInput;
    }
    int status = kExitFailure;
    try {
      status = commands.at(sub->get_name())(invocation);
    } catch (const std::exception& e) {
      spdlog::error("cjsim: error: {}", cjsim::printable(e.what()));
    }
    // A signal before the outputs were committed: whatever the command
    // ended with, nothing was written.
    if (interrupted()) status = interrupted_exit();
    // A rank that fails alone would leave the others waiting for it.
    if (world.is_parallel() && status != kExitOk && !world.joined()) world.abort(status);
    return status;
  }
  return kExitBadInput;
}
