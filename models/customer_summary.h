// Customer summaries: the recency and frequency figures that the
// repeat-purchase models need from each customer (their sufficient
// statistics), for a calibration period and the holdout after it.
//
// Continuous time (BG/NBD, Pareto/NBD; Fader, Hardie & Lee 2005): x repeat
// transactions, the last at t_x, in an observation window of length T, all
// measured from the customer's first purchase. Discrete time (BG/BB; Fader,
// Hardie & Shang 2010): x transactions in n periods, the last in period t_x.
// Customers with the same figures are grouped into one row with a count.
//
// Building a summary from a TransactionLog is a pure function; reading a
// recency/frequency table reports bad rows as Diagnostics. Call from any
// thread.
#ifndef CJSIM_MODELS_CUSTOMER_SUMMARY_H_
#define CJSIM_MODELS_CUSTOMER_SUMMARY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/diagnostics.h"
#include "models/transaction_log.h"

namespace cjsim {

struct RecencyFrequency {
  double x = 0;          // repeat transactions in the calibration period
  double t_x = 0;        // time of the last one after the first purchase; 0 when x = 0
  double t_cal = 0;      // T: calibration end minus the first purchase
  double customers = 0;  // customers with these figures
};

struct ContinuousSummary {
  std::vector<RecencyFrequency> rows;  // sorted by (x, t_x, t_cal)
  int64_t customers = 0;               // sum of rows[].customers
  // Customers whose first purchase is after the calibration end: not in
  // the cohort, left out of rows and of the holdout.
  int64_t late_customers = 0;
  double days_per_unit = 1;             // time is in units of this many days (7: weeks)
  int32_t calibration_end = 0;          // day; the calibration period includes it
  int32_t holdout_end = 0;              // last day of the log; == calibration_end without a holdout
  double calibration_transactions = 0;  // sum of x
  double holdout_transactions = 0;      // transactions after calibration_end
  bool has_holdout() const { return holdout_end > calibration_end; }
  // t*: the holdout's length in time units.
  double holdout_length() const { return (holdout_end - calibration_end) / days_per_unit; }
};

// REQUIRES: days_per_unit > 0.
ContinuousSummary summarize_continuous(const TransactionLog& log, int32_t calibration_end,
                                       double days_per_unit);

struct PeriodRecencyFrequency {
  int32_t x = 0;                // periods with a transaction among the first n
  int32_t t_x = 0;              // the last of them; 0 when x = 0
  int32_t n = 0;                // calibration periods
  int32_t holdout_periods = 0;  // n*: periods in the holdout
  double customers = 0;
};

struct PeriodSummary {
  std::vector<PeriodRecencyFrequency> rows;  // sorted by (x, t_x, n, holdout_periods)
  int64_t customers = 0;
  int64_t late_customers = 0;
  int32_t period_days = 0;      // 0 for a recency/frequency table
  int32_t calibration_end = 0;  // day; unused for a table
  int32_t holdout_end = 0;
  double calibration_transactions = 0;  // sum of x
  double holdout_transactions = 0;      // periods with a transaction in the holdout
  bool has_holdout() const { return holdout_end > calibration_end; }
};

// Periods of `period_days` days are counted from each customer's first
// purchase: period k holds days first + (k-1) D + 1 ... first + k D. A
// period is in the calibration when it ends on or before calibration_end,
// in the holdout when it ends after it and on or before the log's last day;
// a period the log does not cover to its end is left out. Several
// transactions in one period count once.
// REQUIRES: period_days >= 1.
PeriodSummary summarize_periods(const TransactionLog& log, int32_t calibration_end,
                                int32_t period_days);

// A recency/frequency table: a CSV file with the columns x, t_x, n_cal and
// customers (Fader, Hardie & Shang 2010; the donations data set). No
// holdout. Every bad row is reported; returns nullopt on any error.
std::optional<PeriodSummary> parse_rf_table(std::string_view content, const std::string& path,
                                            Diagnostics& diagnostics);
std::optional<PeriodSummary> read_rf_table(const std::string& path, Diagnostics& diagnostics);

}  // namespace cjsim

#endif  // CJSIM_MODELS_CUSTOMER_SUMMARY_H_
