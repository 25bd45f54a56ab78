#include "models/csv_table.h"

#include <algorithm>
#include <initializer_list>
#include <set>
#include <utility>

#include "models/input_file.h"

namespace cjsim {

int CsvTable::column_index(std::string_view name) const {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string CsvTable::column_list() const {
  std::string out;
  for (const std::string& name : header) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

int find_csv_column(const CsvTable& table, const std::string& wanted,
                    std::initializer_list<std::string_view> defaults, std::string_view what,
                    std::string_view option, bool required, Diagnostics& diagnostics) {
  const SourceLocation header{table.header_line, 1};
  if (!wanted.empty()) {
    const int index = table.column_index(wanted);
    if (index < 0) {
      std::string message = "no column '" + wanted + "' for " + std::string(option) +
                            " (the header has: " + table.column_list() + ")";
      const std::string close = closest_match(wanted, table.header);
      if (!close.empty()) message += "; did you mean '" + close + "'?";
      diagnostics.error(message, header);
    }
    return index;
  }
  for (std::string_view name : defaults) {
    const int index = table.column_index(name);
    if (index >= 0) return index;
  }
  if (required) {
    std::string looked;
    for (std::string_view name : defaults) {
      if (!looked.empty()) looked += ", ";
      looked += name;
    }
    diagnostics.error("no " + std::string(what) + " column: name it with " + std::string(option) +
                          " (looked for " + looked + "; the header has: " + table.column_list() +
                          ")",
                      header);
  }
  return -1;
}

void RowErrors::error(std::string message, SourceLocation location) {
  errors_.push_back({location, count_, std::move(message)});
  ++count_;
  // Trimming at twice the cap keeps the work per error constant on average.
  if (errors_.size() > 2 * static_cast<size_t>(std::max(cap_, 1))) trim();
}

void RowErrors::trim() {
  std::sort(errors_.begin(), errors_.end(), [](const Entry& a, const Entry& b) {
    if (a.location.line != b.location.line) return a.location.line < b.location.line;
    if (a.location.column != b.location.column) return a.location.column < b.location.column;
    return a.order < b.order;
  });
  if (errors_.size() > static_cast<size_t>(cap_)) errors_.resize(static_cast<size_t>(cap_));
}

void RowErrors::finish() {
  trim();
  for (const Entry& e : errors_) diagnostics_.error(e.message, e.location);
  diagnostics_.add_unlisted_errors(count_ - static_cast<int>(errors_.size()));
  errors_.clear();
  count_ = 0;
}

namespace {

// Spaces, and tabs unless they separate the fields, around a field are dropped.
bool is_blank_for(char c, char delimiter) { return c == ' ' || (c == '\t' && delimiter != '\t'); }

// Splits one line (without its line end) into fields separated by
// `delimiter`. Returns false, with a message and the 1-based column, for a
// quote that is not closed or text after a closing quote.
bool split_line(std::string_view line, char delimiter, CsvRow& row, std::string* error,
                int* error_column) {
  auto is_blank = [delimiter](char c) { return is_blank_for(c, delimiter); };
  size_t i = 0;
  while (true) {
    while (i < line.size() && is_blank(line[i])) ++i;
    const int column = static_cast<int>(i) + 1;
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        field += line[i++];
      }
      if (!closed) {
        *error = "the quoted field does not end on its line";
        *error_column = column;
        return false;
      }
      while (i < line.size() && is_blank(line[i])) ++i;
      if (i < line.size() && line[i] != delimiter) {
        *error = "text after the closing quote of a field";
        *error_column = static_cast<int>(i) + 1;
        return false;
      }
    } else {
      const size_t start = i;
      while (i < line.size() && line[i] != delimiter) ++i;
      size_t end = i;
      while (end > start && is_blank(line[end - 1])) --end;
      field.assign(line.substr(start, end - start));
    }
    row.fields.push_back(std::move(field));
    row.columns.push_back(column);
    if (i >= line.size()) return true;
    ++i;  // the delimiter
  }
}

}  // namespace

char sniff_delimiter(std::string_view content) {
  if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
  std::string_view line;
  while (!content.empty()) {
    const size_t end = std::min(content.find('\n'), content.size());
    line = content.substr(0, end);
    content.remove_prefix(std::min(end + 1, content.size()));
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) break;
  }
  size_t commas = 0, semicolons = 0, tabs = 0;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    commas += c == ',';
    semicolons += c == ';';
    tabs += c == '\t';
  }
  if (semicolons > commas && semicolons >= tabs) return ';';
  if (tabs > commas && tabs > semicolons) return '\t';
  return ',';
}

std::optional<CsvTable> parse_csv(std::string_view content, const std::string& path,
                                  Diagnostics& diagnostics, RowErrors& row_errors, char delimiter) {
  CsvTable table;
  table.path = path;
  if (content.find('\0') != std::string_view::npos) {
    diagnostics.error("not a CSV file (it contains NUL bytes)");
    return std::nullopt;
  }
  if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
  bool have_header = false;
  std::string header_note;  // for rows with the wrong number of fields
  int line_number = 0;
  size_t position = 0;
  while (position < content.size()) {
    size_t end = content.find('\n', position);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(position, end - position);
    position = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;

    CsvRow row;
    row.line = line_number;
    std::string error;
    int error_column = 0;
    if (!split_line(line, delimiter, row, &error, &error_column)) {
      if (!have_header) {
        diagnostics.error("header: " + error, {line_number, error_column});
        return std::nullopt;
      }
      row_errors.error(error, {line_number, error_column});
      continue;
    }
    if (!have_header) {
      std::set<std::string> seen;
      bool ok = true;
      for (size_t i = 0; i < row.fields.size(); ++i) {
        if (row.fields[i].empty()) {
          diagnostics.error("header: column " + std::to_string(i + 1) + " has no name",
                            {line_number, row.columns[i]});
          ok = false;
        } else if (!seen.insert(row.fields[i]).second) {
          diagnostics.error("header: column '" + row.fields[i] + "' appears twice",
                            {line_number, row.columns[i]});
          ok = false;
        }
      }
      if (!ok) return std::nullopt;
      table.header_line = line_number;
      table.header = std::move(row.fields);
      table.header_columns = std::move(row.columns);
      header_note = ", but the header has " + std::to_string(table.header.size()) + " (" +
                    table.column_list() + ")";
      have_header = true;
      continue;
    }
    if (row.fields.size() != table.header.size()) {
      row_errors.error(std::to_string(row.fields.size()) + " field" +
                           (row.fields.size() == 1 ? "" : "s") + header_note,
                       {line_number, 1});
      continue;
    }
    table.rows.push_back(std::move(row));
  }
  if (!have_header) {
    diagnostics.error("the file is empty: expected a header line naming the columns");
    return std::nullopt;
  }
  return table;
}

std::optional<CsvTable> read_csv(const std::string& path, Diagnostics& diagnostics,
                                 RowErrors& row_errors, char delimiter) {
  diagnostics.set_file(path);
  std::optional<std::string> content =
      read_input_file(path, kMaxCsvBytes, "CSV files", diagnostics);
  if (!content) return std::nullopt;
  return parse_csv(*content, path, diagnostics, row_errors, delimiter);
}

}  // namespace cjsim
