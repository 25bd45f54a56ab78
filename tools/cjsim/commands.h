// The cjsim subcommands. Each registers its options on the CLI11 app and
// returns a function that runs it and gives the exit status (exit_codes.h).
#ifndef CJSIM_TOOLS_CJSIM_COMMANDS_H_
#define CJSIM_TOOLS_CJSIM_COMMANDS_H_

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cjsim/v1/provenance.pb.h"

namespace cjsim::report {}

namespace cjsim::cli {

// The command line hands results to the report library (tools/report) and
// names its functions unqualified.
using namespace ::cjsim::report;

class MpiWorld;

// What a subcommand is handed when it runs.
struct Invocation {
  // The command as typed (command_line_of), for the provenance of results.
  std::string command_line;
  // argv[1 ..], as given.
  std::vector<std::string> arguments;
  // The ranks of an mpirun (tools/cjsim/mpi_world.h); null: one process.
  MpiWorld* world = nullptr;
};

using CommandRunner = std::function<int(const Invocation&)>;

// "cjsim" and argv[1 .. argc), each argument quoted for a POSIX shell where
// it would be split or expanded: a line that runs the command again.
std::string command_line_of(int argc, char** argv);
// The command as command_line_of gives it, without the options `dropped`
// and their values ("--out F" and "--out=F" alike).
std::string command_line_without(const Invocation& invocation,
                                 const std::vector<std::string>& dropped);

// Adds to a result's provenance what only the command line knows: the
// command as typed, the scenario file and the description of the variant
// run ("" for none).
void add_invocation(const Invocation& invocation, const std::string& scenario_file,
                    const std::string& variant_description, v1::Provenance* provenance);

CommandRunner add_attribute_command(CLI::App& app);
CommandRunner add_calibrate_command(CLI::App& app);
CommandRunner add_compare_command(CLI::App& app);
CommandRunner add_curves_command(CLI::App& app);
CommandRunner add_fit_command(CLI::App& app);
CommandRunner add_fit_retention_command(CLI::App& app);
CommandRunner add_merge_command(CLI::App& app);
CommandRunner add_optimize_command(CLI::App& app);
CommandRunner add_run_command(CLI::App& app);
CommandRunner add_sweep_command(CLI::App& app);
CommandRunner add_validate_command(CLI::App& app);

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_COMMANDS_H_
