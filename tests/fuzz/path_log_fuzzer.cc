// Fuzz target: a path log (models/path_log.h, `cjsim attribute --paths`) and
// its attribution (sim/attribution.h). An input whose first line starts
// with '#' gives the options there, separated by '|':
// DELIMITER|SEPARATOR|PATH_COLUMN|CONVERSIONS_COLUMN|VALUE_COLUMN|NULL_COLUMN|KEEP
// (DELIMITER one character or empty for sniffed, SEPARATOR empty for '>',
// KEEP "1" to keep repeats; empty fields for the defaults); the CSV follows.
// A log it accepts must hold what the attribution assumes (non-empty paths
// of known channels, repeats >= 1, finite non-negative figures that add up
// to the totals); on a small log every method runs at orders 1 and 2, each
// removal effect lies in [0, 1] and each method's credits add up to the
// conversions.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/diagnostics.h"
#include "models/path_log.h"
#include "sim/attribution.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

cjsim::PathLogOptions take_options(std::string_view& input) {
  const std::vector<std::string> fields = cjsim::fuzz::take_options_line(input, 7);
  cjsim::PathLogOptions options;
  if (fields[0].size() == 1) options.delimiter = fields[0][0];
  if (!fields[1].empty()) options.separator = fields[1];
  options.path_column = fields[2];
  options.conversions_column = fields[3];
  options.value_column = fields[4];
  options.null_column = fields[5];
  options.keep_repeats = fields[6] == "1";
  return options;
}

bool close(double a, double b) { return std::abs(a - b) <= 1e-6 * std::max(std::abs(b), 1.0); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using cjsim::fuzz::require;
  std::string_view input = cjsim::fuzz::as_text(data, size);
  const cjsim::PathLogOptions options = take_options(input);
  cjsim::Diagnostics diagnostics("fuzz.csv");
  std::optional<cjsim::PathLog> log =
      cjsim::parse_path_log(input, "fuzz.csv", options, diagnostics);
  diagnostics.to_string();
  if (!log) return 0;
  require(log->size() > 0, "an accepted log has paths");
  require(log->offsets.size() == log->size() + 1, "one slice per path");
  require(log->repeats.size() == log->touches.size(), "one repeat count per touch");
  double conversions = 0, value = 0, nulls = 0;
  for (size_t k = 0; k < log->size(); ++k) {
    require(log->offsets[k] < log->offsets[k + 1], "a path is not empty");
    for (int32_t c : log->touches_of(k)) {
      require(c >= 0 && static_cast<size_t>(c) < log->channels.size(), "touches name channels");
    }
    require(std::isfinite(log->conversions[k]) && log->conversions[k] >= 0, "conversions >= 0");
    require(std::isfinite(log->value[k]) && log->value[k] >= 0, "value >= 0");
    require(std::isfinite(log->nulls[k]) && log->nulls[k] >= 0, "nulls >= 0");
    conversions += log->conversions[k];
    value += log->value[k];
    nulls += log->nulls[k];
  }
  for (int32_t r : log->repeats) require(r >= 1, "a touch stands for one or more");
  require(conversions == log->total_conversions && value == log->total_value &&
              nulls == log->total_nulls,
          "the totals add up");
  require(conversions + nulls > 0, "an accepted log has journeys");
  if (log->touches.size() > 2000) return 0;
  for (int order : {1, 2}) {
    cjsim::AttributionOptions attribution;
    attribution.order = order;
    attribution.max_direct_block = order == 2 ? 3 : cjsim::kMaxDirectBlock;
    cjsim::Result<cjsim::Attribution> result = cjsim::attribute_paths(*log, attribution);
    require(result.is_ok(), "a log the reader accepts is attributed");
    for (const cjsim::ChannelCredit& c : result->channels) {
      require(c.removal_effect >= 0 && c.removal_effect <= 1, "removal effect in [0, 1]");
      require(c.value_removal_effect >= 0 && c.value_removal_effect <= 1,
              "value removal effect in [0, 1]");
    }
    for (const std::string& method : result->methods) {
      double sum = 0;
      bool any = false;
      for (const cjsim::ChannelCredit& c : result->channels) {
        sum += c.conversions.at(method);
        any = any || c.removal_effect > 0;
      }
      if (method != "markov" || any) require(close(sum, conversions), "credits add up");
    }
  }
  return 0;
}
