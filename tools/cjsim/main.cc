// cjsim: the command line. Parses arguments and dispatches to a subcommand;
// all the work is in the libraries.

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "models/diagnostics.h"
#include "sim/run_result.h"
#include "tools/cjsim/commands.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/signals.h"

int main(int argc, char** argv) {
  using namespace cjsim::cli;
  install_signal_handlers();
  const Invocation invocation{command_line_of(argc, argv)};
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
      {"fit-retention", add_fit_retention_command(app)},
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int status = app.exit(e);
    // CLI11 gives 0 for --help/--version; every usage error is a bad input.
    return status == 0 ? kExitOk : kExitBadInput;
  }
  for (CLI::App* sub : app.get_subcommands()) {
    int status = kExitFailure;
    try {
      status = commands.at(sub->get_name())(invocation);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cjsim: error: %s\n", cjsim::printable(e.what()).c_str());
    }
    // A signal before the outputs were committed: whatever the command
    // ended with, nothing was written.
    return interrupted() ? interrupted_exit() : status;
  }
  return kExitBadInput;
}
