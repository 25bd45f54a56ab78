// Transaction logs: default and named columns, date formats, same-day
// merging, and every kind of bad row with its file, line and column.

#include <string>

#include <doctest/doctest.h>

#include "models/calendar_date.h"
#include "models/transaction_log.h"

namespace cjsim {
namespace {

std::optional<TransactionLog> parse_log(const std::string& text, Diagnostics& diagnostics,
                                    const TransactionLogOptions& options = {}) {
  return parse_transaction_log(text, "tx.csv", options, diagnostics);
}

TEST_CASE("transaction log: CDNOW's layout works with the defaults, same-day rows merge") {
  Diagnostics diagnostics;
  std::optional<TransactionLog> log = parse_log(
      "masterid,sampleid,date,cds,sales\n"
      "4,1,19970101,2,29.33\n"
      "4,1,19970118,2,29.73\n"
      "18,2,19970101,1,11.77\n"
      "4,1,19970118,1,10\n"  // the same day as line 3: merged
      "4,1,19970802,1,14.96\n",
      diagnostics);
  REQUIRE_MESSAGE(log.has_value(), diagnostics.to_string());
  CHECK(log->id_column == "masterid");
  CHECK(log->date_column == "date");
  CHECK(log->value_column == "sales");
  CHECK(log->date_format == "%Y%m%d");
  CHECK(log->date_format_detected);
  CHECK(log->rows == 5);
  CHECK(log->transactions == 4);
  CHECK(log->total_value == doctest::Approx(29.33 + 29.73 + 11.77 + 10 + 14.96));
  REQUIRE(log->customers.size() == 2);
  CHECK(log->customers[0].id == "4");  // first seen first
  REQUIRE(log->customers[0].days.size() == 3);
  CHECK(format_date(log->customers[0].days[0]) == "1997-01-01");
  CHECK(format_date(log->customers[0].days[1]) == "1997-01-18");
  CHECK(format_date(log->customers[0].days[2]) == "1997-08-02");
  CHECK(log->customers[1].id == "18");
  CHECK(format_date(log->first_day) == "1997-01-01");
  CHECK(format_date(log->last_day) == "1997-08-02");
}

TEST_CASE("transaction log: rows in any order, ISO dates, no value column") {
  Diagnostics diagnostics;
  std::optional<TransactionLog> log = parse_log(
      "customer_id,date\nb,2020-03-05\na,2020-01-02\nb,2020-01-09\nb,2020-03-05\n", diagnostics);
  REQUIRE_MESSAGE(log.has_value(), diagnostics.to_string());
  CHECK(log->date_format == "%Y-%m-%d");
  CHECK(log->value_column.empty());
  REQUIRE(log->customers.size() == 2);
  CHECK(log->customers[0].id == "b");
  REQUIRE(log->customers[0].days.size() == 2);  // sorted, merged
  CHECK(format_date(log->customers[0].days[0]) == "2020-01-09");
  CHECK(format_date(log->customers[0].days[1]) == "2020-03-05");
  CHECK(format_date(log->first_day) == "2020-01-02");
}

TEST_CASE("transaction log: named columns and an explicit date format") {
  Diagnostics diagnostics;
  TransactionLogOptions options;
  options.id_column = "who";
  options.date_column = "when";
  options.value_column = "paid";
  options.date_format = "%d.%m.%Y";
  std::optional<TransactionLog> log =
      parse_log("when,who,paid,id\n05.03.2020,x,3.5,9\n06.03.2020,x,0,9\n", diagnostics, options);
  REQUIRE_MESSAGE(log.has_value(), diagnostics.to_string());
  CHECK(log->id_column == "who");
  CHECK_FALSE(log->date_format_detected);
  REQUIRE(log->customers.size() == 1);
  CHECK(log->customers[0].days.size() == 2);
  CHECK(log->total_value == 3.5);
}

TEST_CASE("transaction log: bad rows are all reported with line and column") {
  Diagnostics diagnostics;
  CHECK_FALSE(parse_log("id,date,value\n"
                    "1,1997-01-01,3\n"
                    "1,1997-13-01,3\n"
                    "2,1997-02-30,4\n"
                    ",1997-01-05,1\n"
                    "3,1997-01-05,-2\n"
                    "3,1997-01-05,abc\n"
                    "3,1997-01-05\n",
                    diagnostics)
                  .has_value());
  CHECK(diagnostics.to_string() ==
        "tx.csv:3:3: error: date '1997-13-01' does not match --date-format '%Y-%m-%d'\n"
        "tx.csv:4:3: error: date '1997-02-30' is not a day of the calendar\n"
        "tx.csv:5:1: error: customer id (column 'id') is empty\n"
        "tx.csv:6:14: error: value -2 (column 'value') is negative; refunds and returns are not "
        "transactions\n"
        "tx.csv:7:14: error: value 'abc' (column 'value') is not a number\n"
        "tx.csv:8:1: error: 2 fields, but the header has 3 (id, date, value)\n");
}

TEST_CASE("transaction log: a compact date format guessed from the first row says so") {
  Diagnostics diagnostics;
  CHECK_FALSE(parse_log("id,date\n1,19970101\n1,1997-02-01\n", diagnostics).has_value());
  CHECK(diagnostics.to_string() ==
        "tx.csv:3:3: error: date '1997-02-01' does not match --date-format '%Y%m%d' (detected "
        "from the 8-digit date on line 2; give --date-format to choose)\n");
}

TEST_CASE("transaction log: dates in another format: the first says which format reads them") {
  Diagnostics diagnostics;
  CHECK_FALSE(parse_log("id,date,value\n1,03/15/2024,3\n1,04/22/2024,-1\n", diagnostics).has_value());
  CHECK(diagnostics.to_string() ==
        "tx.csv:2:3: error: date '03/15/2024' does not match --date-format '%Y-%m-%d'; every date "
        "in the file reads with --date-format %m/%d/%Y\n"
        "tx.csv:3:3: error: date '04/22/2024' does not match --date-format '%Y-%m-%d'\n"
        "tx.csv:3:14: error: value -1 (column 'value') is negative; refunds and returns are not "
        "transactions\n");
  // With the format it names, the file reads.
  Diagnostics again;
  TransactionLogOptions options;
  options.date_format = "%m/%d/%Y";
  std::optional<TransactionLog> log =
      parse_log("id,date\n1,03/15/2024\n1,04/22/2024\n", again, options);
  REQUIRE_MESSAGE(log.has_value(), again.to_string());
  CHECK(format_date(log->first_day) == "2024-03-15");
}

TEST_CASE("transaction log: more than 20 bad rows: 20 shown, the rest counted") {
  std::string text = "id,date\n";
  for (int i = 0; i < 25; ++i) text += "1,not-a-date\n";
  Diagnostics diagnostics;
  CHECK_FALSE(parse_log(text, diagnostics).has_value());
  CHECK(diagnostics.error_count() == 25);
  REQUIRE(diagnostics.items().size() == 20);
  CHECK(diagnostics.items().front().location.line == 2);
  CHECK(diagnostics.items().back().location.line == 21);
  CHECK(diagnostics.report(true).find("tx.csv: ... and 5 more errors\ntx.csv: 25 errors\n") !=
        std::string::npos);
}

TEST_CASE("transaction log: missing columns and empty files") {
  Diagnostics named;
  TransactionLogOptions options;
  options.date_column = "day";
  options.value_column = "amount";
  CHECK_FALSE(parse_log("id,date,amt\n1,1997-01-01,1\n", named, options).has_value());
  CHECK(named.to_string() ==
        "tx.csv:1:1: error: no column 'day' for --date-column (the header has: id, date, amt); "
        "did you mean 'date'?\n"
        "tx.csv:1:1: error: no column 'amount' for --value-column (the header has: id, date, "
        "amt)\n");

  Diagnostics typo;
  options = {};
  options.id_column = "ide";
  CHECK_FALSE(parse_log("id,date\n1,1997-01-01\n", typo, options).has_value());
  CHECK(typo.to_string().find("did you mean 'id'?") != std::string::npos);

  Diagnostics defaults;
  CHECK_FALSE(parse_log("who,when\n1,1997-01-01\n", defaults).has_value());
  CHECK(defaults.to_string() ==
        "tx.csv:1:1: error: no customer id column: name it with --id-column (looked for "
        "customer_id, customer, id, masterid; the header has: who, when)\n"
        "tx.csv:1:1: error: no date column: name it with --date-column (looked for date; the "
        "header has: who, when)\n");

  Diagnostics empty;
  CHECK_FALSE(parse_log("", empty).has_value());
  CHECK(empty.to_string() ==
        "tx.csv: error: the file is empty: expected a header line naming the columns\n");

  Diagnostics header_only;
  CHECK_FALSE(parse_log("id,date\n", header_only).has_value());
  CHECK(header_only.to_string() ==
        "tx.csv:1:1: error: no transactions: the file has a header and no rows\n");

  Diagnostics missing;
  CHECK_FALSE(read_transaction_log("/nonexistent/tx.csv", {}, missing).has_value());
  CHECK(missing.to_string() ==
        "/nonexistent/tx.csv: error: cannot open: No such file or directory\n");
}

}  // namespace
}  // namespace cjsim
