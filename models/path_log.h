// A path log: the paths people took through the channels before they
// converted or dropped, as path-attribution tools read them: one CSV row per
// distinct path ("facebook > search > email"), with its conversions,
// optionally the value of those conversions and the journeys that ended
// without one (nulls). Read into flat arrays of channel ids, one slice per
// path, for sim/attribution.h.
//
// Reading is input handling: every bad row is reported as a Diagnostic with
// file, line and column (the first 20, then a count), nothing is thrown.
// A pure function of the file; call from any thread.
#ifndef CJSIM_MODELS_PATH_LOG_H_
#define CJSIM_MODELS_PATH_LOG_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/diagnostics.h"

namespace cjsim {

// Which columns hold what and how a path is written. Empty means the
// default (docs/cli.md, `cjsim attribute`).
struct PathLogOptions {
  // ',', ';' or '\t'; 0: sniffed from the header (csv_table.h).
  char delimiter = 0;
  // Between two channels of a path; spaces around it are dropped.
  std::string separator = ">";
  // Default: path.
  std::string path_column;
  // Default: the first of total_conversions, conversions.
  std::string conversions_column;
  // Default: the first of total_conversion_value, conversion_value, value,
  // or no value.
  std::string value_column;
  // Default: the first of total_null, null, nulls, or none (every journey
  // converted).
  std::string null_column;
  // Keep consecutive repeats of a channel ("a > a > b"); by default they
  // collapse into one touch ("a > b"), the usual first-order treatment.
  bool keep_repeats = false;
};

struct PathLog {
  std::string path;  // the file, as given
  // Channel names, sorted; a channel's id is its index.
  std::vector<std::string> channels;
  // Path k is touches[offsets[k] .. offsets[k+1]), never empty.
  std::vector<int64_t> offsets{0};
  std::vector<int32_t> touches;
  // Per touch: the touches as written that it stands for (consecutive
  // repeats of its channel collapsed into it); all 1 with keep_repeats.
  std::vector<int32_t> repeats;
  // Per path: conversions, their value, journeys without a conversion, and
  // the line of its row. Non-negative and finite.
  std::vector<double> conversions, value, nulls;
  std::vector<int32_t> lines;
  double total_conversions = 0, total_value = 0, total_nulls = 0;
  // Touches as written, before repeats collapsed.
  int64_t raw_touches = 0;
  // The delimiter and columns used, defaults resolved; value_column and
  // null_column empty when the file has none.
  char delimiter = ',';
  std::string path_column, conversions_column, value_column, null_column;

  size_t size() const { return conversions.size(); }
  std::span<const int32_t> touches_of(size_t k) const {
    return {touches.data() + offsets[k], static_cast<size_t>(offsets[k + 1] - offsets[k])};
  }
  // Adds a path (channel ids, and the repeats of each touch or empty for
  // none) with its figures; for the reader, tests and generators.
  void add(std::span<const int32_t> path_touches, std::span<const int32_t> path_repeats,
           double conversions, double value, double nulls, int32_t line = 0);
};

// Parses `content` as if read from `path`. Returns nullopt when anything is
// wrong, with every problem in `diagnostics`.
std::optional<PathLog> parse_path_log(std::string_view content, const std::string& path,
                                      const PathLogOptions& options, Diagnostics& diagnostics);

// Reads `path` and parses it as above.
std::optional<PathLog> read_path_log(const std::string& path, const PathLogOptions& options,
                                     Diagnostics& diagnostics);

}  // namespace cjsim

#endif  // CJSIM_MODELS_PATH_LOG_H_
