// Fuzz target: a transaction log (models/transaction_log.h, `cjsim
// fit-retention --transactions`) and the customer summaries built from it.
// An input whose first line starts with '#' gives the options there,
// separated by '|': ID_COLUMN|DATE_COLUMN|VALUE_COLUMN|DATE_FORMAT (empty
// for the default, as when the option is not given); the CSV follows.
// A log it accepts must hold what the summaries assume (every customer has
// sorted, distinct days within the log's first and last day), and the
// summaries are built for calibration ends from the first day on, with the
// time units and period lengths the command line allows.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/customer_summary.h"
#include "models/diagnostics.h"
#include "models/transaction_log.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

// Splits the options line off `input`.
cjsim::TransactionLogOptions take_options(std::string_view& input) {
  const std::vector<std::string> fields = cjsim::fuzz::take_options_line(input, 4);
  cjsim::TransactionLogOptions options;
  options.id_column = fields[0];
  options.date_column = fields[1];
  options.value_column = fields[2];
  options.date_format = fields[3];
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = cjsim::fuzz::as_text(data, size);
  const cjsim::TransactionLogOptions options = take_options(input);
  cjsim::Diagnostics diagnostics("fuzz.csv");
  std::optional<cjsim::TransactionLog> log =
      cjsim::parse_transaction_log(input, "fuzz.csv", options, diagnostics);
  diagnostics.to_string();
  if (!log) return 0;
  using cjsim::fuzz::require;
  require(!log->customers.empty(), "an accepted log has customers");
  require(log->first_day <= log->last_day, "first day <= last day");
  int64_t transactions = 0;
  for (const cjsim::CustomerHistory& customer : log->customers) {
    require(!customer.days.empty(), "a customer has a transaction");
    for (size_t i = 1; i < customer.days.size(); ++i) {
      require(customer.days[i - 1] < customer.days[i], "days are sorted and distinct");
    }
    require(customer.days.front() >= log->first_day && customer.days.back() <= log->last_day,
            "days are within the log");
    transactions += static_cast<int64_t>(customer.days.size());
  }
  require(transactions == log->transactions, "transactions are counted");
  // --calibration-end is a date from 0000 to 9999, on or after the first day.
  const int32_t middle = log->first_day + (log->last_day - log->first_day) / 2;
  for (int32_t end : {log->first_day, middle, log->last_day, log->last_day + 3000}) {
    for (double days_per_unit : {1.0, 7.0}) {
      const cjsim::ContinuousSummary summary =
          cjsim::summarize_continuous(*log, end, days_per_unit);
      require(
          summary.customers + summary.late_customers == static_cast<int64_t>(log->customers.size()),
          "every customer is in the cohort or late");
    }
    for (int32_t period_days : {1, 7, 365, 36500}) {
      const cjsim::PeriodSummary summary = cjsim::summarize_periods(*log, end, period_days);
      for (const cjsim::PeriodRecencyFrequency& row : summary.rows) {
        require(row.x <= row.t_x && row.t_x <= row.n && row.holdout_periods >= 0,
                "x <= t_x <= n, holdout periods >= 0");
      }
    }
  }
  return 0;
}
