#include "tools/cjsim/logging.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "models/diagnostics.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/output.h"

namespace cjsim::cli {

namespace {

// Standard error: the record's text alone, as cjsim always printed it.
constexpr char kStderrPattern[] = "%v";
// The file: local time with its offset (ISO 8601), the process (several
// runs may append to one file) and the level, then the same text.
constexpr char kFilePattern[] = "%Y-%m-%dT%H:%M:%S.%e%z [%P] [%l] %v";

spdlog::sink_ptr stderr_sink() {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  sink->set_pattern(kStderrPattern);
  return sink;
}

void install(const std::vector<spdlog::sink_ptr>& sinks, spdlog::level::level_enum level) {
  auto logger = std::make_shared<spdlog::logger>("cjsim", sinks.begin(), sinks.end());
  logger->set_level(level);
  // Records are few: each is flushed, so none is lost to an abort or to the
  // second signal's _exit.
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code error;
  return std::filesystem::equivalent(a, b, error) && !error;
}

}  // namespace

void LogOptions::add_to(CLI::App& command) {
  command
      .add_option("--log-level", level,
                  "Log records written: trace, debug, info (default; error with --quiet), "
                  "warning, error or off")
      ->check(CLI::IsMember(kLogLevels));
  command
      .add_option("--log-file", file,
                  "Also append the log to FILE, each record with its time, process and level")
      ->type_name("FILE")
      ->check(non_empty_path());
}

void start_default_logging() { install({stderr_sink()}, spdlog::level::info); }

bool start_logging(const LogOptions& options, bool quiet, const std::vector<NamedInput>& inputs) {
  const spdlog::level::level_enum level = !options.level.empty()
                                              ? spdlog::level::from_str(options.level)
                                          : quiet ? spdlog::level::err
                                                  : spdlog::level::info;
  std::vector<spdlog::sink_ptr> sinks = {stderr_sink()};
  install(sinks, level);
  if (options.file.empty()) return true;
  const std::string path = printable(options.file);
  for (const auto& [name, input] : inputs) {
    if (!input.empty() && same_file(options.file, input)) {
      spdlog::error("error: --log-file {}: the same file as {} {}", path, name, printable(input));
      return false;
    }
  }
  // Opened once here for its errno, and because spdlog's sink would make
  // the missing folders of a mistyped path.
  std::FILE* probe = std::fopen(options.file.c_str(), "a");
  if (probe == nullptr) {
    const int error = errno;
    spdlog::error("error: --log-file {}: cannot append to it: {}", path, std::strerror(error));
    return false;
  }
  std::fclose(probe);
  try {
    auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file, false);
    file->set_pattern(kFilePattern);
    sinks.push_back(std::move(file));
  } catch (const spdlog::spdlog_ex& e) {
    spdlog::error("error: --log-file {}: cannot append to it: {}", path, printable(e.what()));
    return false;
  }
  install(sinks, level);
  return true;
}

int usage_error(const std::string& message) {
  spdlog::error("error: {}", printable(message));
  return kExitBadInput;
}

}  // namespace cjsim::cli
