// The path-log input of the commands that read one (`attribute --paths`,
// `fit --paths`): the options that say where the file is and how it is
// written (--paths, --delimiter, --separator, the column options,
// --keep-repeats), registered alike on each command, and reading the file
// with its problems printed. Registration and reading run on the main
// thread.
#ifndef CJSIM_TOOLS_CJSIM_PATH_LOG_INPUT_H_
#define CJSIM_TOOLS_CJSIM_PATH_LOG_INPUT_H_

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "models/path_log.h"

namespace cjsim::cli {

struct PathLogInput {
  std::string paths;      // --paths
  std::string delimiter;  // --delimiter as typed; "" when not given
  PathLogOptions columns;
};

// Adds --paths (required unless `paths_optional`: a command that also
// reads something else) and the options of how the file is written to
// `command`, filling `input` when the command line is parsed.
void add_path_log_options(CLI::App& command, PathLogInput& input, bool paths_optional = false);

// The reading options of `input` with --delimiter resolved; nullopt after
// a usage error (exit 2) for a delimiter that is not ',', ';' or tab.
std::optional<PathLogOptions> path_log_options(const PathLogInput& input);

// Reads the path log at `input.paths` with `options`; nullopt after
// printing every problem (exit 2).
std::optional<PathLog> read_path_log_input(const PathLogInput& input,
                                           const PathLogOptions& options);

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_PATH_LOG_INPUT_H_
