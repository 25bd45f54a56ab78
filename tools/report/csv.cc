#include "tools/report/csv.h"

#include <charconv>
#include <cmath>

#include "models/check.h"

namespace cjsim::report {

namespace {

std::string quote_field(const std::string& field) {
  if (field.find_first_of(",\"\n\r") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void append_row(std::string& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += quote_field(fields[i]);
  }
  out += '\n';
}

}  // namespace

void CsvTable::add(std::vector<std::string> row) {
  CJSIM_CHECK(row.size() == header_.size(), "a CSV row does not match its header");
  rows_.push_back(std::move(row));
}

std::string CsvTable::text() const {
  std::string out;
  append_row(out, header_);
  for (const auto& row : rows_) append_row(out, row);
  return out;
}

std::string csv_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

}  // namespace cjsim::report
