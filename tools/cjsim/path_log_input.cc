#include "tools/cjsim/path_log_input.h"

#include "models/diagnostics.h"
#include "tools/cjsim/logging.h"
#include "tools/cjsim/scenario_input.h"

namespace cjsim::cli {

namespace {

// --delimiter: ',', ';', 'tab' or a tab character; 0 when not given.
std::optional<char> parse_delimiter(const std::string& text) {
  if (text.empty()) return char{0};
  if (text == "," || text == ";") return text[0];
  if (text == "tab" || text == "\t" || text == "\\t") return '\t';
  return std::nullopt;
}

}  // namespace

void add_path_log_options(CLI::App& command, PathLogInput& input, bool paths_optional) {
  command
      .add_option("--paths", input.paths,
                  "Path log CSV: path, total_conversions, optional total_conversion_value and "
                  "total_null per row")
      ->required(!paths_optional);
  command.add_option("--delimiter", input.delimiter,
                     "Field delimiter: ',', ';' or tab (default: sniffed from the header)");
  command.add_option("--separator", input.columns.separator,
                     "Between the channels of a path (default '>'; spaces around it dropped)");
  command.add_option("--path-column", input.columns.path_column, "Path column (default: path)");
  command.add_option("--conversions-column", input.columns.conversions_column,
                     "Conversions column (default: total_conversions or conversions)");
  command.add_option("--value-column", input.columns.value_column,
                     "Conversion value column (default: total_conversion_value, "
                     "conversion_value or value, if present)");
  command.add_option("--null-column", input.columns.null_column,
                     "Column of journeys without a conversion (default: total_null, null or "
                     "nulls, if present)");
  command.add_flag("--keep-repeats", input.columns.keep_repeats,
                   "Keep consecutive repeats of a channel (default: they collapse into one)");
}

std::optional<PathLogOptions> path_log_options(const PathLogInput& input) {
  const std::optional<char> delimiter = parse_delimiter(input.delimiter);
  if (!delimiter) {
    usage_error("--delimiter '" + input.delimiter + "': give ',', ';' or tab");
    return std::nullopt;
  }
  PathLogOptions options = input.columns;
  options.delimiter = *delimiter;
  return options;
}

std::optional<PathLog> read_path_log_input(const PathLogInput& input,
                                           const PathLogOptions& options) {
  Diagnostics diagnostics(input.paths);
  std::optional<PathLog> log = read_path_log(input.paths, options, diagnostics);
  print_diagnostics(diagnostics);
  return log;
}

}  // namespace cjsim::cli
