// The command line's log: every error, warning, info and debug message of
// `cjsim` is a record of spdlog's default logger. Standard error gets each
// record as its text alone, so users and scripts read the lines they always
// did ("scenario.textproto: warning: ..."); with --log-file the same
// records are also appended to a file, each with its time, process id and
// level. --log-level chooses the records written (docs/cli.md "Logging").
// The progress bar (progress.h) is no record: it draws on a terminal only.
// Errors are records at level error: whatever the level but `off`, the
// reason for exit status 1 or 2 is on standard error.
//
// start_logging runs once, on the main thread, before a command; records
// may then be written from any thread (the sinks lock).
#ifndef CJSIM_TOOLS_CJSIM_LOGGING_H_
#define CJSIM_TOOLS_CJSIM_LOGGING_H_

#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

namespace cjsim::cli {

// The values --log-level takes, from the most written to nothing.
inline const std::vector<std::string> kLogLevels = {"trace",   "debug", "info",
                                                    "warning", "error", "off"};

// --log-level and --log-file, accepted by every subcommand.
struct LogOptions {
  std::string level;  // one of kLogLevels; empty: info, or error under --quiet
  std::string file;   // appended to; empty: standard error only

  // Adds the options to `command`; one LogOptions may be added to several
  // commands (the main app and each subcommand).
  void add_to(CLI::App& command);
};

// Writes records to standard error alone, at level info: what main uses
// until the options are known.
void start_default_logging();

// Makes the default logger from `options`: the level given, else error
// under `quiet` (no info, no warnings, as --quiet always meant) and info
// otherwise; standard error, and `options.file` when given. `inputs` are
// the files the command reads, each with its name in messages ("the
// scenario"): the log may not be appended to one of them. Returns false,
// after logging why, when the file is refused or cannot be opened for
// appending (exit status 2).
using NamedInput = std::pair<std::string, std::string>;  // name, path
bool start_logging(const LogOptions& options, bool quiet, const std::vector<NamedInput>& inputs);

// Logs "error: MESSAGE" (made printable) and returns kExitBadInput: a
// command's answer to options it cannot use.
int usage_error(const std::string& message);

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_LOGGING_H_
