#include "models/customer_summary.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <tuple>

#include "models/csv_table.h"

namespace cjsim {

ContinuousSummary summarize_continuous(const TransactionLog& log, int32_t calibration_end,
                                       double days_per_unit) {
  ContinuousSummary summary;
  summary.days_per_unit = days_per_unit;
  summary.calibration_end = calibration_end;
  summary.holdout_end = std::max(calibration_end, log.last_day);
  // Grouped in whole days, so equal customers fall together exactly.
  std::map<std::tuple<int64_t, int32_t, int32_t>, int64_t> groups;
  for (const CustomerHistory& customer : log.customers) {
    const int32_t first = customer.days.front();
    if (first > calibration_end) {
      ++summary.late_customers;
      continue;
    }
    int64_t x = 0;
    int32_t last = first;
    for (size_t i = 1; i < customer.days.size(); ++i) {
      if (customer.days[i] <= calibration_end) {
        ++x;
        last = customer.days[i];
      } else {
        summary.holdout_transactions += 1;
      }
    }
    ++groups[{x, last - first, calibration_end - first}];
    ++summary.customers;
    summary.calibration_transactions += static_cast<double>(x);
  }
  for (const auto& [key, count] : groups) {
    const auto& [x, recency_days, age_days] = key;
    summary.rows.push_back({static_cast<double>(x), recency_days / days_per_unit,
                            age_days / days_per_unit, static_cast<double>(count)});
  }
  return summary;
}

PeriodSummary summarize_periods(const TransactionLog& log, int32_t calibration_end,
                                int32_t period_days) {
  PeriodSummary summary;
  summary.period_days = period_days;
  summary.calibration_end = calibration_end;
  summary.holdout_end = std::max(calibration_end, log.last_day);
  std::map<std::array<int32_t, 4>, int64_t> groups;
  for (const CustomerHistory& customer : log.customers) {
    const int32_t first = customer.days.front();
    if (first > calibration_end) {
      ++summary.late_customers;
      continue;
    }
    const int32_t n = (calibration_end - first) / period_days;
    const int32_t covered = (summary.holdout_end - first) / period_days;
    int32_t x = 0, t_x = 0, previous = 0;
    for (size_t i = 1; i < customer.days.size(); ++i) {
      const int32_t period = (customer.days[i] - first + period_days - 1) / period_days;
      if (period == previous || period > covered) continue;
      previous = period;
      if (period <= n) {
        ++x;
        t_x = period;
      } else {
        summary.holdout_transactions += 1;
      }
    }
    ++groups[{x, t_x, n, covered - n}];
    ++summary.customers;
    summary.calibration_transactions += x;
  }
  for (const auto& [key, count] : groups) {
    summary.rows.push_back({key[0], key[1], key[2], key[3], static_cast<double>(count)});
  }
  return summary;
}

namespace {

std::optional<PeriodSummary> build_rf_table(const CsvTable& table, Diagnostics& diagnostics,
                                            RowErrors& row_errors) {
  constexpr std::array<std::string_view, 4> kColumns = {"x", "t_x", "n_cal", "customers"};
  std::array<int, 4> index{};
  bool ok = true;
  for (size_t c = 0; c < kColumns.size(); ++c) {
    index[c] = table.column_index(kColumns[c]);
    if (index[c] < 0) {
      diagnostics.error("no column '" + std::string(kColumns[c]) +
                            "': a recency/frequency table has the columns x, t_x, n_cal, "
                            "customers (the header has: " +
                            table.column_list() + ")",
                        {table.header_line, 1});
      ok = false;
    }
  }
  if (!ok) return std::nullopt;

  PeriodSummary summary;
  std::map<std::array<int32_t, 4>, int64_t> groups;
  for (const CsvRow& row : table.rows) {
    std::array<int64_t, 4> value{};
    bool row_ok = true;
    for (size_t c = 0; c < kColumns.size(); ++c) {
      const std::string& text = row.fields[index[c]];
      const char* end = text.data() + text.size();
      auto [stop, error] = std::from_chars(text.data(), end, value[c]);
      if (text.empty() || error != std::errc() || stop != end || value[c] < 0 ||
          value[c] > (int64_t{1} << 30)) {
        row_errors.error(std::string(kColumns[c]) + " '" + text + "' is not a whole number >= 0",
                         {row.line, row.columns[index[c]]});
        row_ok = false;
      }
    }
    if (!row_ok) continue;
    const auto [x, t_x, n, customers] = value;
    const SourceLocation where{row.line, row.columns[index[1]]};
    if (t_x > n) {
      row_errors.error("t_x " + std::to_string(t_x) +
                           " is after the last calibration period (n_cal " + std::to_string(n) +
                           ")",
                       where);
    } else if (x > t_x) {
      row_errors.error("x " + std::to_string(x) + " transactions cannot fit in the first t_x " +
                           std::to_string(t_x) + " periods (one transaction per period at most)",
                       where);
    } else if ((x == 0) != (t_x == 0)) {
      row_errors.error("t_x must be 0 exactly when x is 0 (x " + std::to_string(x) + ", t_x " +
                           std::to_string(t_x) + ")",
                       where);
    } else {
      groups[{static_cast<int32_t>(x), static_cast<int32_t>(t_x), static_cast<int32_t>(n), 0}] +=
          customers;
    }
  }
  if (row_errors.count() > 0) return std::nullopt;
  for (const auto& [key, count] : groups) {
    if (count == 0) continue;
    summary.rows.push_back({key[0], key[1], key[2], key[3], static_cast<double>(count)});
    summary.customers += count;
    summary.calibration_transactions += static_cast<double>(key[0]) * static_cast<double>(count);
  }
  if (summary.customers == 0) {
    diagnostics.error("no customers: the table has no row with customers > 0",
                      {table.header_line, 1});
    return std::nullopt;
  }
  return summary;
}

}  // namespace

std::optional<PeriodSummary> parse_rf_table(std::string_view content, const std::string& path,
                                            Diagnostics& diagnostics) {
  return build_from_csv(path, content, diagnostics, build_rf_table);
}

std::optional<PeriodSummary> read_rf_table(const std::string& path, Diagnostics& diagnostics) {
  return build_from_csv(path, std::nullopt, diagnostics, build_rf_table);
}

}  // namespace cjsim
