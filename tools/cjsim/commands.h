// The cjsim subcommands. Each registers its options on the CLI11 app and
// returns a function that runs it and gives the exit status (exit_codes.h).
#ifndef CJSIM_TOOLS_CJSIM_COMMANDS_H_
#define CJSIM_TOOLS_CJSIM_COMMANDS_H_

#include <functional>

#include <CLI/CLI.hpp>

namespace cjsim::cli {

using CommandRunner = std::function<int()>;

CommandRunner add_compare_command(CLI::App& app);
CommandRunner add_curves_command(CLI::App& app);
CommandRunner add_fit_retention_command(CLI::App& app);
CommandRunner add_optimize_command(CLI::App& app);
CommandRunner add_run_command(CLI::App& app);
CommandRunner add_sweep_command(CLI::App& app);
CommandRunner add_validate_command(CLI::App& app);

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_COMMANDS_H_
