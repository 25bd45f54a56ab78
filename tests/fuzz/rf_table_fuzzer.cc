// Fuzz target: a recency/frequency table (models/customer_summary.h,
// `cjsim fit-retention --rf-table`). A table it accepts must be what the
// BG/BB fit assumes: rows with 0 <= x <= t_x <= n_cal, t_x = 0 exactly when
// x = 0, and a positive count of customers.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "models/customer_summary.h"
#include "models/diagnostics.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cjsim::Diagnostics diagnostics("fuzz.csv");
  std::optional<cjsim::PeriodSummary> table =
      cjsim::parse_rf_table(cjsim::fuzz::as_text(data, size), "fuzz.csv", diagnostics);
  diagnostics.to_string();
  if (!table) return 0;
  using cjsim::fuzz::require;
  require(table->customers > 0, "an accepted table has customers");
  double customers = 0;
  for (const cjsim::PeriodRecencyFrequency& row : table->rows) {
    require(row.x >= 0 && row.x <= row.t_x && row.t_x <= row.n, "0 <= x <= t_x <= n_cal");
    require((row.x == 0) == (row.t_x == 0), "t_x = 0 exactly when x = 0");
    require(row.customers > 0, "a row has customers");
    customers += row.customers;
  }
  require(customers == static_cast<double>(table->customers), "rows add up to the customers");
  return 0;
}
