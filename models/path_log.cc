#include "models/path_log.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "models/csv_table.h"
#include "models/input_file.h"
#include "models/limits.h"

namespace cjsim {

void PathLog::add(std::span<const int32_t> path_touches, std::span<const int32_t> path_repeats,
                  double path_conversions, double path_value, double path_nulls, int32_t line) {
  touches.insert(touches.end(), path_touches.begin(), path_touches.end());
  if (path_repeats.empty()) {
    repeats.insert(repeats.end(), path_touches.size(), 1);
    raw_touches += static_cast<int64_t>(path_touches.size());
  } else {
    repeats.insert(repeats.end(), path_repeats.begin(), path_repeats.end());
    for (int32_t r : path_repeats) raw_touches += r;
  }
  offsets.push_back(static_cast<int64_t>(touches.size()));
  conversions.push_back(path_conversions);
  value.push_back(path_value);
  nulls.push_back(path_nulls);
  lines.push_back(line);
  total_conversions += path_conversions;
  total_value += path_value;
  total_nulls += path_nulls;
}

namespace {

std::string_view trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// The number in column `index` of `row`: finite and >= 0, or false with the
// row's error reported.
bool read_amount(const CsvRow& row, int index, const std::string& column, RowErrors& row_errors,
                 double* amount) {
  const std::string& text = row.fields[static_cast<size_t>(index)];
  const SourceLocation at{row.line, row.columns[static_cast<size_t>(index)]};
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, *amount);
  if (text.empty() || error != std::errc() || stop != end || !std::isfinite(*amount)) {
    row_errors.error("'" + text + "' (column '" + column + "') is not a number", at);
    return false;
  }
  if (*amount < 0) {
    row_errors.error(text + " (column '" + column + "') is negative", at);
    return false;
  }
  if (*amount > limits::kMaxPopulation) {
    row_errors.error(
        text + " (column '" + column + "') is larger than " + number_text(limits::kMaxPopulation),
        at);
    return false;
  }
  return true;
}

struct Columns {
  int path = -1, conversions = -1, value = -1, nulls = -1;
};

std::optional<Columns> find_columns(const CsvTable& table, const PathLogOptions& options,
                                    Diagnostics& diagnostics) {
  Columns c;
  c.path = find_csv_column(table, options.path_column, {"path"}, "path", "--path-column", true,
                           diagnostics);
  c.conversions =
      find_csv_column(table, options.conversions_column, {"total_conversions", "conversions"},
                      "conversions", "--conversions-column", true, diagnostics);
  c.value = find_csv_column(table, options.value_column,
                            {"total_conversion_value", "conversion_value", "value"}, "value",
                            "--value-column", false, diagnostics);
  c.nulls = find_csv_column(table, options.null_column, {"total_null", "null", "nulls"}, "null",
                            "--null-column", false, diagnostics);
  if (c.path < 0 || c.conversions < 0 || (!options.value_column.empty() && c.value < 0) ||
      (!options.null_column.empty() && c.nulls < 0)) {
    return std::nullopt;
  }
  // One column for two meanings would count it twice.
  const std::pair<int, const char*> named[] = {
      {c.path, "path"}, {c.conversions, "conversions"}, {c.value, "value"}, {c.nulls, "null"}};
  for (size_t i = 0; i < 4; ++i) {
    for (size_t j = i + 1; j < 4; ++j) {
      if (named[i].first >= 0 && named[i].first == named[j].first) {
        diagnostics.error("column '" + table.header[static_cast<size_t>(named[i].first)] +
                              "' is both the " + named[i].second + " and the " + named[j].second +
                              " column",
                          {table.header_line, 1});
        return std::nullopt;
      }
    }
  }
  return c;
}

class PathBuilder {
 public:
  PathBuilder(const PathLogOptions& options, PathLog& log) : options_(options), log_(log) {}

  // Splits the path of `row` into channel ids appended to `out`; false with
  // the row's error reported.
  bool split(const CsvRow& row, int index, RowErrors& row_errors, std::vector<int32_t>& out,
             std::vector<int32_t>& repeats) {
    const std::string& text = row.fields[static_cast<size_t>(index)];
    const int column = row.columns[static_cast<size_t>(index)];
    if (trim(text).empty()) {
      row_errors.error("the path (column '" + log_.path_column + "') is empty", {row.line, column});
      return false;
    }
    std::string_view rest = text;
    int position = 1;
    while (true) {
      const size_t at = rest.find(options_.separator);
      const std::string_view name = trim(rest.substr(0, at));
      if (name.empty()) {
        row_errors.error("touch " + std::to_string(position) + " of the path '" + text +
                             "' has no channel (two separators '" + options_.separator +
                             "' in a row, or one at an end)",
                         {row.line, column});
        return false;
      }
      auto [it, inserted] = ids_.try_emplace(std::string(name), static_cast<int32_t>(ids_.size()));
      if (inserted && ids_.size() > static_cast<size_t>(limits::kMaxChannels)) {
        row_errors.error("more than " + std::to_string(limits::kMaxChannels) +
                             " channels: the path log is limited to that many",
                         {row.line, column});
        ids_.erase(it);
        return false;
      }
      if (options_.keep_repeats || out.empty() || out.back() != it->second) {
        out.push_back(it->second);
        repeats.push_back(1);
      } else {
        ++repeats.back();
      }
      if (at == std::string_view::npos) return true;
      rest.remove_prefix(at + options_.separator.size());
      ++position;
    }
  }

  // Names sorted, and every touch renumbered to its channel's sorted index
  // (collapsed repeats stay collapsed: the renumbering is one to one).
  void finish() {
    std::vector<std::pair<std::string, int32_t>> names(ids_.begin(), ids_.end());
    std::sort(names.begin(), names.end());
    std::vector<int32_t> new_id(names.size());
    for (size_t i = 0; i < names.size(); ++i) {
      new_id[static_cast<size_t>(names[i].second)] = static_cast<int32_t>(i);
      log_.channels.push_back(std::move(names[i].first));
    }
    for (int32_t& touch : log_.touches) touch = new_id[static_cast<size_t>(touch)];
  }

 private:
  const PathLogOptions& options_;
  PathLog& log_;
  std::unordered_map<std::string, int32_t> ids_;
};

std::optional<PathLog> build_log(const CsvTable& table, const PathLogOptions& options,
                                 char delimiter, Diagnostics& diagnostics, RowErrors& row_errors) {
  const std::optional<Columns> columns = find_columns(table, options, diagnostics);
  if (!columns) return std::nullopt;
  if (table.rows.empty() && row_errors.count() == 0) {
    diagnostics.error("no paths: the file has a header and no rows", {table.header_line, 1});
    return std::nullopt;
  }
  PathLog log;
  log.path = table.path;
  log.delimiter = delimiter;
  log.path_column = table.header[static_cast<size_t>(columns->path)];
  log.conversions_column = table.header[static_cast<size_t>(columns->conversions)];
  if (columns->value >= 0) log.value_column = table.header[static_cast<size_t>(columns->value)];
  if (columns->nulls >= 0) log.null_column = table.header[static_cast<size_t>(columns->nulls)];

  PathBuilder builder(options, log);
  std::vector<int32_t> channels, repeats;
  for (const CsvRow& row : table.rows) {
    channels.clear();
    repeats.clear();
    bool ok = builder.split(row, columns->path, row_errors, channels, repeats);
    double conversions = 0, value = 0, nulls = 0;
    ok &= read_amount(row, columns->conversions, log.conversions_column, row_errors, &conversions);
    if (columns->value >= 0) {
      ok &= read_amount(row, columns->value, log.value_column, row_errors, &value);
    }
    if (columns->nulls >= 0) {
      ok &= read_amount(row, columns->nulls, log.null_column, row_errors, &nulls);
    }
    if (ok && value > 0 && conversions == 0) {
      row_errors.error("a value of " + number_text(value) + " (column '" + log.value_column +
                           "') with no conversions",
                       {row.line, row.columns[static_cast<size_t>(columns->value)]});
      ok = false;
    }
    if (ok) log.add(channels, repeats, conversions, value, nulls, row.line);
  }
  if (row_errors.count() > 0) return std::nullopt;
  if (log.total_conversions + log.total_nulls <= 0) {
    diagnostics.error("no journeys: every row has 0 conversions and 0 nulls",
                      {table.header_line, 1});
    return std::nullopt;
  }
  builder.finish();
  return log;
}

std::optional<PathLog> load_log(const std::string& path, std::optional<std::string_view> content,
                                const PathLogOptions& options, Diagnostics& diagnostics) {
  diagnostics.set_file(path);
  std::optional<std::string> read;
  if (!content) {
    read = read_input_file(path, kMaxCsvBytes, "CSV files", diagnostics);
    if (!read) return std::nullopt;
    content = *read;
  }
  if (options.separator.empty()) {
    diagnostics.error("the path separator (--separator) is empty");
    return std::nullopt;
  }
  const char delimiter = options.delimiter != 0 ? options.delimiter : sniff_delimiter(*content);
  return build_from_csv(
      path, content, diagnostics,
      [&](const CsvTable& table, Diagnostics& d, RowErrors& r) {
        return build_log(table, options, delimiter, d, r);
      },
      delimiter);
}

}  // namespace

std::optional<PathLog> parse_path_log(std::string_view content, const std::string& path,
                                      const PathLogOptions& options, Diagnostics& diagnostics) {
  return load_log(path, content, options, diagnostics);
}

std::optional<PathLog> read_path_log(const std::string& path, const PathLogOptions& options,
                                     Diagnostics& diagnostics) {
  return load_log(path, std::nullopt, options, diagnostics);
}

}  // namespace cjsim
