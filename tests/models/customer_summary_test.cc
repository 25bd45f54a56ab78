// Customer summaries: the calibration cut, the holdout, periods counted from
// each customer's first purchase, and the recency/frequency table.

#include <string>

#include <doctest/doctest.h>

#include "models/calendar_date.h"
#include "models/customer_summary.h"

namespace cjsim {
namespace {

// Days after 2020-01-01: a first purchase on day 0 and on day 5, one on 16.
TransactionLog small_log() {
  Diagnostics diagnostics;
  std::optional<TransactionLog> log = parse_transaction_log(
      "id,date\n"
      "a,2020-01-01\na,2020-01-04\na,2020-01-11\na,2020-01-13\na,2020-01-21\n"
      "b,2020-01-06\nb,2020-01-31\n"
      "c,2020-01-17\n",
      "tx.csv", {}, diagnostics);
  REQUIRE_MESSAGE(log.has_value(), diagnostics.to_string());
  return *log;
}

int32_t day_of(const char* iso) {
  int32_t day = 0;
  REQUIRE(parse_date(iso, kIsoDateFormat, &day) == DateParse::kOk);
  return day;
}

TEST_CASE("customer summary: continuous time cuts at the calibration end") {
  const int32_t end = day_of("2020-01-16");  // day 15
  const ContinuousSummary days = summarize_continuous(small_log(), end, 1);
  CHECK(days.customers == 2);
  CHECK(days.late_customers == 1);  // c starts after the calibration end
  REQUIRE(days.rows.size() == 2);
  // b: no repeat before the end, observed 10 days; a: 3 repeats, the last on day 12 of 15.
  CHECK(days.rows[0].x == 0);
  CHECK(days.rows[0].t_x == 0);
  CHECK(days.rows[0].t_cal == 10);
  CHECK(days.rows[1].x == 3);
  CHECK(days.rows[1].t_x == 12);
  CHECK(days.rows[1].t_cal == 15);
  CHECK(days.calibration_transactions == 3);
  CHECK(days.holdout_transactions == 2);  // a on day 20, b on day 30
  CHECK(days.has_holdout());
  CHECK(days.holdout_length() == 15);

  const ContinuousSummary weeks = summarize_continuous(small_log(), end, 7);
  CHECK(weeks.rows[1].t_x == doctest::Approx(12.0 / 7));
  CHECK(weeks.rows[1].t_cal == doctest::Approx(15.0 / 7));
  CHECK(weeks.holdout_length() == doctest::Approx(15.0 / 7));

  // The calibration end on the last day: no holdout; equal customers group.
  const ContinuousSummary all = summarize_continuous(small_log(), day_of("2020-01-31"), 1);
  CHECK_FALSE(all.has_holdout());
  CHECK(all.holdout_transactions == 0);
  CHECK(all.customers == 3);
}

TEST_CASE("customer summary: equal customers share one row") {
  Diagnostics diagnostics;
  std::optional<TransactionLog> log =
      parse_transaction_log("id,date\n1,2020-01-01\n2,2020-01-01\n3,2020-01-01\n3,2020-01-02\n",
                            "tx.csv", {}, diagnostics);
  REQUIRE(log.has_value());
  const ContinuousSummary summary = summarize_continuous(*log, day_of("2020-01-03"), 1);
  REQUIRE(summary.rows.size() == 2);
  CHECK(summary.rows[0].customers == 2);
  CHECK(summary.rows[1].customers == 1);
  CHECK(summary.customers == 3);
}

TEST_CASE("customer summary: periods count from the first purchase, once per period") {
  const PeriodSummary weeks = summarize_periods(small_log(), day_of("2020-01-16"), 7);
  CHECK(weeks.customers == 2);
  CHECK(weeks.late_customers == 1);
  REQUIRE(weeks.rows.size() == 2);
  // b: first on day 5; 1 calibration period (days 6-12), the log covers 3
  // periods to day 30, its purchase 25 days after the first is in period 4,
  // not covered to its end: left out.
  CHECK(weeks.rows[0].x == 0);
  CHECK(weeks.rows[0].t_x == 0);
  CHECK(weeks.rows[0].n == 1);
  CHECK(weeks.rows[0].holdout_periods == 2);
  // a: periods 1 (day 3) and 2 (days 10 and 12, once); period 3 (day 20)
  // is in the holdout.
  CHECK(weeks.rows[1].x == 2);
  CHECK(weeks.rows[1].t_x == 2);
  CHECK(weeks.rows[1].n == 2);
  CHECK(weeks.rows[1].holdout_periods == 2);
  CHECK(weeks.calibration_transactions == 2);
  CHECK(weeks.holdout_transactions == 1);
  CHECK(weeks.period_days == 7);
}

TEST_CASE("customer summary: a recency/frequency table") {
  Diagnostics diagnostics;
  std::optional<PeriodSummary> table = parse_rf_table(
      "x,t_x,n_cal,customers\n2,3,6,10\n0,0,6,30\n1,1,6,0\n2,3,6,5\n", "rf.csv", diagnostics);
  REQUIRE_MESSAGE(table.has_value(), diagnostics.to_string());
  CHECK(table->customers == 45);
  REQUIRE(table->rows.size() == 2);  // zero-count row dropped, equal rows merged
  CHECK(table->rows[1].customers == 15);
  CHECK(table->calibration_transactions == 30);
  CHECK_FALSE(table->has_holdout());
  CHECK(table->period_days == 0);
}

TEST_CASE("customer summary: bad recency/frequency rows are all reported") {
  Diagnostics diagnostics;
  CHECK_FALSE(parse_rf_table("x,t_x,n_cal,customers\n"
                             "2,7,6,10\n"
                             "3,2,6,1\n"
                             "0,2,6,1\n"
                             "1.5,2,6,1\n"
                             "1,1,6,-4\n",
                             "rf.csv", diagnostics)
                  .has_value());
  CHECK(diagnostics.to_string() ==
        "rf.csv:2:3: error: t_x 7 is after the last calibration period (n_cal 6)\n"
        "rf.csv:3:3: error: x 3 transactions cannot fit in the first t_x 2 periods (one "
        "transaction per period at most)\n"
        "rf.csv:4:3: error: t_x must be 0 exactly when x is 0 (x 0, t_x 2)\n"
        "rf.csv:5:1: error: x '1.5' is not a whole number >= 0\n"
        "rf.csv:6:7: error: customers '-4' is not a whole number >= 0\n");

  Diagnostics columns;
  CHECK_FALSE(parse_rf_table("x,t.x,n_cal,custs\n1,1,6,3\n", "rf.csv", columns).has_value());
  CHECK(columns.to_string().find("rf.csv:1:1: error: no column 't_x': a recency/frequency "
                                 "table has the columns x, t_x, n_cal, customers") !=
        std::string::npos);
  CHECK(columns.error_count() == 2);

  Diagnostics nobody;
  CHECK_FALSE(parse_rf_table("x,t_x,n_cal,customers\n1,1,6,0\n", "rf.csv", nobody).has_value());
  CHECK(nobody.to_string() ==
        "rf.csv:1:1: error: no customers: the table has no row with customers > 0\n");
}

}  // namespace
}  // namespace cjsim
