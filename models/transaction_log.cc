#include "models/transaction_log.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models/calendar_date.h"
#include "models/csv_table.h"

namespace cjsim {

namespace {

// "; every date in the file reads with --date-format F" (or "... F or G:
// ...") naming the common formats that read all the dates of the table;
// empty when none does.
std::string date_format_hint(const CsvTable& table, int date_index, std::string_view used) {
  std::vector<std::string_view> dates;
  dates.reserve(table.rows.size());
  for (const CsvRow& row : table.rows) dates.push_back(row.fields[date_index]);
  std::vector<std::string_view> formats = date_formats_reading_all(dates);
  std::erase(formats, used);
  if (formats.empty()) return "";
  std::string hint = "; every date in the file reads with --date-format " + std::string(formats[0]);
  for (size_t k = 1; k < formats.size(); ++k) {
    hint += (k + 1 == formats.size() ? " or " : ", ") + std::string(formats[k]);
  }
  if (formats.size() > 1)
    hint += " (these dates do not tell them apart: check which one the file means)";
  return hint;
}

// Sets the log's date format: the one given, else ISO or (from the first
// row) the compact form. Returns what to add to a date error: the compact
// form is a guess from the first row, so say so when it fails.
std::string choose_date_format(const CsvTable& table, int date_index,
                               const TransactionLogOptions& options, TransactionLog& log) {
  log.date_format = options.date_format;
  if (log.date_format.empty() && !table.rows.empty()) {
    log.date_format_detected = true;
    log.date_format = is_compact_date(table.rows.front().fields[date_index])
                          ? std::string(kCompactDateFormat)
                          : std::string(kIsoDateFormat);
  }
  if (!log.date_format_detected || log.date_format != kCompactDateFormat) return "";
  return " (detected from the 8-digit date on line " + std::to_string(table.rows.front().line) +
         "; give --date-format to choose)";
}

// The value of `row` in column `index` (named `column`): a finite number
// >= 0, or false with the row's error reported.
bool read_value(const CsvRow& row, int index, const std::string& column, RowErrors& row_errors,
                double* value) {
  const std::string& text = row.fields[index];
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, *value);
  if (text.empty() || error != std::errc() || stop != end || !std::isfinite(*value)) {
    row_errors.error("value '" + text + "' (column '" + column + "') is not a number",
                     {row.line, row.columns[index]});
    return false;
  }
  if (*value < 0) {
    row_errors.error("value " + text + " (column '" + column +
                         "') is negative; refunds and returns are not transactions",
                     {row.line, row.columns[index]});
    return false;
  }
  return true;
}

// Each customer's days sorted with repeats of a day merged (one
// transaction a day), and the log's first and last day and transactions.
// REQUIRES: at least one customer, each with a day.
void sort_histories(TransactionLog& log) {
  log.first_day = log.customers.front().days.front();
  log.last_day = log.first_day;
  for (CustomerHistory& customer : log.customers) {
    std::sort(customer.days.begin(), customer.days.end());
    customer.days.erase(std::unique(customer.days.begin(), customer.days.end()),
                        customer.days.end());
    log.first_day = std::min(log.first_day, customer.days.front());
    log.last_day = std::max(log.last_day, customer.days.back());
    log.transactions += static_cast<int64_t>(customer.days.size());
  }
}

std::optional<TransactionLog> build_log(const CsvTable& table, const TransactionLogOptions& options,
                                        Diagnostics& diagnostics, RowErrors& row_errors) {
  const int id_index =
      find_csv_column(table, options.id_column, {"customer_id", "customer", "id", "masterid"},
                      "customer id", "--id-column", true, diagnostics);
  const int date_index = find_csv_column(table, options.date_column, {"date"}, "date",
                                         "--date-column", true, diagnostics);
  const int value_index = find_csv_column(table, options.value_column, {"value", "sales", "amount"},
                                          "value", "--value-column", false, diagnostics);
  if (id_index < 0 || date_index < 0 || (!options.value_column.empty() && value_index < 0)) {
    return std::nullopt;
  }
  if (table.rows.empty() && row_errors.count() == 0) {
    diagnostics.error("no transactions: the file has a header and no rows", {table.header_line, 1});
    return std::nullopt;
  }

  TransactionLog log;
  log.path = table.path;
  log.id_column = table.header[id_index];
  log.date_column = table.header[date_index];
  if (value_index >= 0) log.value_column = table.header[value_index];
  const std::string format_note = choose_date_format(table, date_index, options, log);

  // Rows whose date the format does not read, reported after the loop: the
  // first with the formats that would read every date of the file.
  std::vector<const CsvRow*> unread_dates;
  std::unordered_map<std::string, size_t> index_of;
  for (const CsvRow& row : table.rows) {
    bool ok = true;
    const std::string& id = row.fields[id_index];
    if (id.empty()) {
      row_errors.error("customer id (column '" + log.id_column + "') is empty",
                       {row.line, row.columns[id_index]});
      ok = false;
    }
    const std::string& date_text = row.fields[date_index];
    int32_t day = 0;
    switch (parse_date(date_text, log.date_format, &day)) {
      case DateParse::kOk:
        break;
      case DateParse::kNoMatch:
        unread_dates.push_back(&row);
        ok = false;
        break;
      case DateParse::kNotCalendarDate:
        row_errors.error("date '" + date_text + "' is not a day of the calendar",
                         {row.line, row.columns[date_index]});
        ok = false;
        break;
    }
    double value = 0;
    if (value_index >= 0 && !read_value(row, value_index, log.value_column, row_errors, &value)) {
      ok = false;
    }
    if (!ok) continue;
    auto [it, inserted] = index_of.try_emplace(id, log.customers.size());
    if (inserted) log.customers.push_back({id, {}});
    log.customers[it->second].days.push_back(day);
    log.total_value += value;
    ++log.rows;
  }
  if (!unread_dates.empty()) {
    const std::string hint = date_format_hint(table, date_index, log.date_format);
    for (const CsvRow* row : unread_dates) {
      row_errors.error("date '" + row->fields[date_index] + "' does not match --date-format '" +
                           log.date_format + "'" + format_note +
                           (row == unread_dates.front() ? hint : ""),
                       {row->line, row->columns[date_index]});
    }
  }
  if (row_errors.count() > 0) return std::nullopt;

  sort_histories(log);
  return log;
}

std::optional<TransactionLog> load_log(const std::string& path,
                                       std::optional<std::string_view> content,
                                       const TransactionLogOptions& options,
                                       Diagnostics& diagnostics) {
  return build_from_csv(path, content, diagnostics,
                        [&](const CsvTable& table, Diagnostics& d, RowErrors& r) {
                          return build_log(table, options, d, r);
                        });
}

}  // namespace

std::optional<TransactionLog> parse_transaction_log(std::string_view content,
                                                    const std::string& path,
                                                    const TransactionLogOptions& options,
                                                    Diagnostics& diagnostics) {
  return load_log(path, content, options, diagnostics);
}

std::optional<TransactionLog> read_transaction_log(const std::string& path,
                                                   const TransactionLogOptions& options,
                                                   Diagnostics& diagnostics) {
  return load_log(path, std::nullopt, options, diagnostics);
}

}  // namespace cjsim
