// A transaction log: one CSV row per purchase (or donation, visit, ...) with
// a customer id, a date and optionally a value, read into each customer's
// sorted list of transaction days. Transactions of one customer on one day
// are merged into one, as the repeat-purchase models count days with a
// purchase (Fader, Hardie & Lee 2005); the first is the acquisition.
//
// Reading is input handling: every bad row is reported as a Diagnostic with
// file, line and column (the first 20, then a count), nothing is thrown.
// A pure function of the file; call from any thread.
#ifndef CJSIM_MODELS_TRANSACTION_LOG_H_
#define CJSIM_MODELS_TRANSACTION_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/diagnostics.h"

namespace cjsim {

// Which columns hold what, and how dates are written. Empty means the
// default, chosen from the header (docs/cli.md, `cjsim fit-retention`).
struct TransactionLogOptions {
  // Default: the first of customer_id, customer, id, masterid in the header.
  std::string id_column;
  // Default: date.
  std::string date_column;
  // Default: the first of value, sales, amount in the header, or no value.
  std::string value_column;
  // strftime-style. Default: %Y%m%d when the first row's date is eight
  // digits (19970101), else ISO 8601 %Y-%m-%d.
  std::string date_format;
};

struct CustomerHistory {
  std::string id;
  // Distinct days with a transaction, ascending (days since 1970-01-01);
  // days[0] is the first purchase. Never empty.
  std::vector<int32_t> days;
};

struct TransactionLog {
  std::string path;
  // In order of each customer's first row in the file.
  std::vector<CustomerHistory> customers;
  int32_t first_day = 0;     // earliest transaction in the file
  int32_t last_day = 0;      // latest transaction in the file
  int64_t rows = 0;          // transactions as read
  int64_t transactions = 0;  // after merging same-day transactions
  double total_value = 0;    // sum of the value column; 0 without one
  // The columns and date format used, defaults resolved; value_column is
  // empty when there is none.
  std::string id_column, date_column, value_column, date_format;
  bool date_format_detected = false;  // chosen from the first row, not given
};

// Parses `content` as if read from `path`. Returns nullopt when anything is
// wrong, with every problem in `diagnostics`.
std::optional<TransactionLog> parse_transaction_log(std::string_view content,
                                                    const std::string& path,
                                                    const TransactionLogOptions& options,
                                                    Diagnostics& diagnostics);

// Reads `path` and parses it as above.
std::optional<TransactionLog> read_transaction_log(const std::string& path,
                                                   const TransactionLogOptions& options,
                                                   Diagnostics& diagnostics);

}  // namespace cjsim

#endif  // CJSIM_MODELS_TRANSACTION_LOG_H_
