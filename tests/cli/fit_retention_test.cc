// End-to-end tests of `cjsim fit-retention`: the JSON contract and the
// report on the shared data sets (skipped without them), small logs built
// here, and every bad input: exit status 2, a message naming the file and
// line, and no output file.

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>
#include <google/protobuf/util/json_util.h>

#include "cjsim/v1/retention.pb.h"
#include "tests/test_support.h"

namespace cjsim::testing {
namespace {


v1::RetentionFit parse_fit(const std::string& json) {
  v1::RetentionFit fit;
  auto status = google::protobuf::util::JsonStringToMessage(json, &fit);
  REQUIRE_MESSAGE(status.ok(), std::string(status.message()) << "\n" << json);
  return fit;
}

double parameter(const v1::RetentionFit& fit, const std::string& name) {
  REQUIRE_MESSAGE(fit.parameters().count(name) == 1, name);
  return fit.parameters().at(name).value();
}

// The number after "NAME: " in a loyalty block.
double block_value(const std::string& text, const std::string& name) {
  const size_t at = text.find(" " + name + ": ");
  REQUIRE_MESSAGE(at != std::string::npos, name << " not in:\n" << text);
  return std::strtod(text.c_str() + at + name.size() + 3, nullptr);
}

TEST_CASE("cli fit-retention: BG/NBD on CDNOW in weeks, as JSON") {
  CJSIM_SKIP_WITHOUT_SHARED_DATA(cdnow, "cdnow/cdnowElog.csv");
  CliResult r = run_cli("fit-retention --transactions " + cdnow +
                        " --calibration-end 1997-09-30 --time-unit week --json -");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(r.err == "");
  // Proto field names, every field printed, nothing but the JSON on stdout.
  CHECK(r.out.front() == '{');
  for (const char* field :
       {"\"model\"", "\"parameters\"", "\"std_error\"", "\"log_likelihood\"", "\"customers\"",
        "\"time_unit\"", "\"holdout\"", "\"actual_transactions\"", "\"predicted_transactions\"",
        "\"late_customers\"", "\"warnings\""}) {
    CAPTURE(field);
    CHECK(contains(r.out, field));
  }
  const v1::RetentionFit fit = parse_fit(r.out);
  CHECK(fit.model() == "bg_nbd");
  CHECK(fit.parameters().size() == 4);
  CHECK(parameter(fit, "r") == doctest::Approx(0.243).epsilon(0.002));
  CHECK(parameter(fit, "alpha") == doctest::Approx(4.414).epsilon(0.001));
  CHECK(parameter(fit, "a") == doctest::Approx(0.793).epsilon(0.001));
  CHECK(parameter(fit, "b") == doctest::Approx(2.426).epsilon(0.001));
  for (const auto& entry : fit.parameters()) {
    // Named, not a structured binding: clang 14 cannot capture one.
    const auto& name = entry.first;
    const auto& estimate = entry.second;
    CAPTURE(name);
    CHECK(estimate.std_error() > 0);
  }
  CHECK(fit.log_likelihood() == doctest::Approx(-9582.4).epsilon(1e-5));
  CHECK(fit.customers() == 2357);
  CHECK(fit.time_unit() == "week");
  CHECK(fit.calibration_end() == "1997-09-30");
  CHECK(fit.calibration_transactions() == 2457);
  CHECK(fit.schema_version() == "cjsim.v1");
  REQUIRE(fit.has_holdout());
  // Repeat transactions from 1997-10-01 to 1998-06-30, same-day ones merged,
  // counted from the file; the model predicts 12% fewer (tests/sim).
  CHECK(fit.holdout().actual_transactions() == 1882);
  CHECK(fit.holdout().predicted_transactions() == doctest::Approx(1653.4).epsilon(1e-3));
  CHECK(fit.holdout().start() == "1997-10-01");
  CHECK(fit.holdout().end() == "1998-06-30");
}

TEST_CASE("cli fit-retention: the report and its loyalty block, rates per day") {
  CJSIM_SKIP_WITHOUT_SHARED_DATA(cdnow, "cdnow/cdnowElog.csv");
  CliResult r = run_cli("fit-retention --transactions " + cdnow +
                        " --calibration-end 1997-09-30 --time-unit week");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(contains(r.out, "BG/NBD fit to " + cdnow + ": 2,357 customers"));
  CHECK(contains(r.out, "time in weeks"));
  CHECK(contains(r.out, "std. error"));
  CHECK(contains(r.out, "log-likelihood"));
  CHECK(contains(r.out,
                 "Holdout 1997-10-01 to 1998-06-30: predicted 1,653 repeat transactions, "
                 "actual 1,882"));
  const size_t block = r.out.find("loyalty {\n  bg_nbd { r: ");
  REQUIRE(block != std::string::npos);
  const std::string loyalty = r.out.substr(block);
  CHECK(contains(loyalty, "}  # rates per day\n}\n"));
  // alpha per day is 7 alpha per week; r, a, b are the same.
  CHECK(block_value(loyalty, "alpha") == doctest::Approx(7 * 4.4136).epsilon(1e-4));
  CHECK(block_value(loyalty, "r") == doctest::Approx(0.242595).epsilon(1e-5));
  CHECK(block_value(loyalty, "a") == doctest::Approx(0.792921).epsilon(1e-5));
  CHECK(block_value(loyalty, "b") == doctest::Approx(2.4259).epsilon(1e-4));

  // Fitting in days gives the same block.
  CliResult days = run_cli("fit-retention --transactions " + cdnow + " --calibration-end 19970930");
  REQUIRE(days.status == 0);
  CHECK(contains(days.out, "time in days"));
  const std::string daily = days.out.substr(days.out.find("loyalty {"));
  CHECK(block_value(daily, "alpha") ==
        doctest::Approx(block_value(loyalty, "alpha")).epsilon(1e-5));
}

TEST_CASE("cli fit-retention: Pareto/NBD on CDNOW has no loyalty block and says why") {
  CJSIM_SKIP_WITHOUT_SHARED_DATA(cdnow, "cdnow/cdnowElog.csv");
  CliResult r = run_cli("fit-retention --transactions " + cdnow +
                        " --calibration-end 1997-09-30 --time-unit week --model pareto-nbd");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(contains(r.out, "Pareto/NBD fit"));
  CHECK_FALSE(contains(r.out, "loyalty {"));
  CHECK(contains(r.out, "the engine simulates BG/NBD or BG/BB, not Pareto/NBD"));
  CHECK(contains(r.out, "--model bg-nbd"));
  const v1::RetentionFit fit =
      parse_fit(run_cli("fit-retention --transactions " + cdnow +
                        " --calibration-end 1997-09-30 --time-unit week --model pareto-nbd "
                        "--json -")
                    .out);
  CHECK(fit.model() == "pareto_nbd");
  CHECK(parameter(fit, "r") == doctest::Approx(0.553).epsilon(0.001));
  CHECK(parameter(fit, "alpha") == doctest::Approx(10.58).epsilon(0.005));
  CHECK(parameter(fit, "s") == doctest::Approx(0.606).epsilon(0.001));
  CHECK(parameter(fit, "beta") == doctest::Approx(11.66).epsilon(0.005));
}

TEST_CASE("cli fit-retention: BG/BB on the donations table, to a file") {
  CJSIM_SKIP_WITHOUT_SHARED_DATA(donations, "donations/donations_rf_calibration.csv");
  TempDir dir;
  const std::string out = dir.file("fit.json");
  CliResult r = run_cli("fit-retention --model bg-bb --rf-table " + donations +
                        " --period-days 365 --json " + out);
  REQUIRE_MESSAGE(r.status == 0, r.err);
  // The report is still printed when the JSON goes to a file.
  const size_t block = r.out.find("loyalty {\n  bg_bb { alpha: ");
  REQUIRE(block != std::string::npos);
  const std::string loyalty = r.out.substr(block);
  CHECK(block_value(loyalty, "alpha") == doctest::Approx(1.204).epsilon(0.001));
  CHECK(block_value(loyalty, "beta") == doctest::Approx(0.750).epsilon(0.001));
  CHECK(block_value(loyalty, "gamma") == doctest::Approx(0.657).epsilon(0.001));
  CHECK(block_value(loyalty, "delta") == doctest::Approx(2.783).epsilon(0.001));
  CHECK(contains(loyalty, " period_days: 365 }\n}\n"));
  const std::string json = read_file(out);
  CHECK_FALSE(contains(json, "\"holdout\""));  // a table has no holdout
  const v1::RetentionFit fit = parse_fit(json);
  CHECK(fit.model() == "bg_bb");
  CHECK(fit.time_unit() == "period");
  CHECK(fit.customers() == 11104);
  CHECK(fit.period_days() == 365);
  CHECK(fit.calibration_end() == "");
  CHECK(parameter(fit, "alpha") == doctest::Approx(1.204).epsilon(0.001));
  CHECK(parameter(fit, "beta") == doctest::Approx(0.750).epsilon(0.001));
  CHECK(parameter(fit, "gamma") == doctest::Approx(0.657).epsilon(0.001));
  CHECK(parameter(fit, "delta") == doctest::Approx(2.783).epsilon(0.001));
  CHECK(fit.log_likelihood() == doctest::Approx(-33225.6).epsilon(3e-6));
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path()))
    ++files;
  CHECK(files == 1);

  // Without --period-days the block asks for it.
  CliResult bare = run_cli("fit-retention --model bg-bb --rf-table " + donations);
  REQUIRE(bare.status == 0);
  CHECK(contains(bare.out, "# add period_days"));
}

// A small log: three customers from 2020-01-01, a holdout after 2020-03-31.
constexpr const char* kSmallLog =
    "customer,when,amount\n"
    "a,01/01/2020,10\na,15/01/2020,5\na,15/01/2020,7\na,20/02/2020,3\na,10/04/2020,8\n"
    "b,03/01/2020,20\nb,25/03/2020,1\nb,02/05/2020,4\nb,03/05/2020,4\n"
    "c,05/01/2020,9\n"
    "d,12/04/2020,9\n";

TEST_CASE("cli fit-retention: named columns, a date format, the calibration cut") {
  TempDir dir;
  const std::string log = dir.write("tx.csv", kSmallLog);
  CliResult r = run_cli("fit-retention --transactions " + log +
                        " --id-column customer --date-column when --value-column amount "
                        "--date-format %d/%m/%Y --calibration-end 2020-03-31 --json -");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  // d starts after the calibration end: left out, with a warning.
  CHECK(contains(r.err, log + ": warning: 1 customer whose first purchase is after the "
                              "calibration end 2020-03-31 is left out"));
  const v1::RetentionFit fit = parse_fit(r.out);
  CHECK(fit.customers() == 3);
  CHECK(fit.late_customers() == 1);
  CHECK(fit.time_unit() == "day");
  // a: 15/01 (twice, merged) and 20/02; b: 25/03. After: a 10/04, b 02/05 and 03/05.
  CHECK(fit.calibration_transactions() == 3);
  REQUIRE(fit.has_holdout());
  CHECK(fit.holdout().actual_transactions() == 3);
  CHECK(fit.holdout().start() == "2020-04-01");
  CHECK(fit.holdout().end() == "2020-05-03");
  CHECK(fit.holdout().predicted_transactions() > 0);
  // Three customers do not pin four parameters down, and the fit says so.
  CHECK(contains(r.err, "warning: parameter "));
  CHECK(fit.warnings_size() > 0);

  // BG/BB on the same log in 30-day periods.
  CliResult periods = run_cli("fit-retention --transactions " + log +
                              " --id-column customer --date-column when --date-format %d/%m/%Y "
                              "--calibration-end 2020-03-31 --model bg-bb --period-days 30 "
                              "--json - --quiet");
  REQUIRE_MESSAGE(periods.status == 0, periods.err);
  CHECK(periods.err == "");  // --quiet: no warning
  const v1::RetentionFit bg_bb = parse_fit(periods.out);
  CHECK(bg_bb.period_days() == 30);
  CHECK(bg_bb.calibration_end() == "2020-03-31");

  // --quiet without --json prints nothing at all.
  CliResult quiet = run_cli("fit-retention --transactions " + log +
                            " --id-column customer --date-column when --date-format %d/%m/%Y "
                            "--quiet");
  CHECK(quiet.status == 0);
  CHECK(quiet.out == "");
  CHECK(quiet.err == "");
}

struct BadInput {
  std::string what;
  std::string file_name;  // written into the folder, "" for none
  std::string content;
  std::string arguments;              // FILE stands for the written file's path
  std::vector<std::string> messages;  // each on stderr; FILE as above
};

std::string with_path(std::string text, const std::string& path) {
  for (size_t at = text.find("FILE"); at != std::string::npos; at = text.find("FILE", at)) {
    text.replace(at, 4, path);
    at += path.size();
  }
  return text;
}

TEST_CASE("regression: fit-retention printed gamma 887,799 of a degenerate BG/BB fit unflagged") {
  // Customers simulated with one dropout probability (0.2) for all: gamma
  // and delta run away together; only their ratio is estimated.
  TempDir dir;
  const std::string table = dir.write(
      "rf.csv",
      "x,t_x,n_cal,customers\n0,0,6,1783\n1,1,6,635\n1,2,6,191\n1,3,6,81\n1,4,6,51\n1,5,6,46\n"
      "1,6,6,27\n2,2,6,370\n2,3,6,162\n2,4,6,89\n2,5,6,60\n2,6,6,46\n3,3,6,245\n3,4,6,111\n"
      "3,5,6,71\n3,6,6,84\n4,4,6,153\n4,5,6,94\n4,6,6,136\n5,5,6,102\n5,6,6,163\n6,6,6,300\n");
  const std::string json = dir.file("fit.json");
  CliResult r = run_cli("fit-retention --model bg-bb --rf-table " + table + " --json " + json);
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.err, table + ": warning: gamma and delta are not pinned down (gamma = "));
  CHECK(contains(r.err, "only its mean, gamma/(gamma+delta) = 0.20"));
  // The report: no standard errors for gamma and delta, and why.
  CHECK(contains(r.out, "n/a: no standard error; the warnings say why"));
  for (const char* name : {"gamma", "delta"}) {
    const size_t line = r.out.find(std::string("  ") + name + " ");
    REQUIRE(line != std::string::npos);
    CHECK(contains(r.out.substr(line, r.out.find('\n', line) - line), "n/a"));
  }
  const v1::RetentionFit fit = parse_fit(read_file(json));
  CHECK(std::isnan(fit.parameters().at("gamma").std_error()));
  CHECK(std::isnan(fit.parameters().at("delta").std_error()));
  CHECK(std::isfinite(fit.parameters().at("alpha").std_error()));
  REQUIRE(fit.warnings_size() == 1);
  CHECK(contains(fit.warnings(0), "gamma and delta are not pinned down"));
}

TEST_CASE("cli fit-retention: bad input exits 2, names the file and line, writes nothing") {
  const std::string good = "id,date\n1,2020-01-01\n1,2020-02-01\n2,2020-01-05\n";
  std::string many_bad = "id,date\n";
  for (int i = 0; i < 25; ++i) many_bad += "1,2020-02-3" + std::to_string(i) + "\n";
  const std::vector<BadInput> cases = {
      {"a row with too few fields",
       "tx.csv",
       "id,date,value\n1,2020-01-01,3\n2,2020-01-02\n",
       "--transactions FILE",
       {"FILE:3:1: error: 2 fields, but the header has 3"}},
      {"a missing column",
       "tx.csv",
       good,
       "--transactions FILE --id-column customer",
       {"FILE:1:1: error: no column 'customer' for --id-column (the header has: id, date)"}},
      {"no customer column at all",
       "tx.csv",
       "who,date\n1,2020-01-01\n",
       "--transactions FILE",
       {"FILE:1:1: error: no customer id column: name it with --id-column"}},
      {"an unparseable date",
       "tx.csv",
       "id,date\n1,2020-01-01\n1,1997-13-01\n",
       "--transactions FILE",
       {"FILE:3:3: error: date '1997-13-01' does not match --date-format '%Y-%m-%d'"}},
      {"a date that is not a day",
       "tx.csv",
       "id,date\n1,2020-01-01\n1,2019-02-29\n",
       "--transactions FILE",
       {"FILE:3:3: error: date '2019-02-29' is not a day of the calendar"}},
      {"a date against an explicit format",
       "tx.csv",
       good,
       "--transactions FILE --date-format %Y%m%d",
       {"FILE:2:3: error: date '2020-01-01' does not match --date-format '%Y%m%d'; every date in "
        "the file reads with --date-format %Y-%m-%d\n",
        "FILE:3:3: error: date '2020-02-01' does not match --date-format '%Y%m%d'\n"}},
      // regression: a date-format mismatch did not say which format would read the file
      {"US dates against the ISO format",
       "tx.csv",
       "id,date\n1,03/15/2024\n1,04/22/2024\n2,12/31/2023\n",
       "--transactions FILE --date-format %Y-%m-%d",
       {"FILE:2:3: error: date '03/15/2024' does not match --date-format '%Y-%m-%d'; every date "
        "in the file reads with --date-format %m/%d/%Y\n",
        "FILE:3:3: error: date '04/22/2024' does not match --date-format '%Y-%m-%d'\n",
        "FILE: 3 errors\n"}},
      {"day-first dates against month-first",
       "tx.csv",
       "id,date\n1,15/03/2024\n1,22/04/2024\n",
       "--transactions FILE --date-format %m/%d/%Y",
       {"FILE:2:3: error: date '15/03/2024' does not match --date-format '%m/%d/%Y'; every date "
        "in the file reads with --date-format %d/%m/%Y\n"}},
      {"dates that read both ways",
       "tx.csv",
       "id,date\n1,03/04/2024\n1,05/06/2024\n",
       "--transactions FILE",
       {"FILE:2:3: error: date '03/04/2024' does not match --date-format '%Y-%m-%d'; every date in "
        "the file reads with --date-format %m/%d/%Y or %d/%m/%Y (these dates do not tell them "
        "apart: check which one the file means)\n"}},
      {"two-digit years",
       "tx.csv",
       "id,date\n1,03/15/24\n1,04/22/24\n",
       "--transactions FILE",
       {"reads with --date-format %m/%d/%y\n"}},
      {"timestamps",
       "tx.csv",
       "id,date\n1,2024-03-15T10:22:01\n1,2024-04-22T08:00:00\n",
       "--transactions FILE",
       {"reads with --date-format %Y-%m-%dT%H:%M:%S\n"}},
      {"a file of two date formats gets no suggestion",
       "tx.csv",
       "id,date\n1,2024-03-15\n1,04/22/2024\n",
       "--transactions FILE",
       {"FILE:3:3: error: date '04/22/2024' does not match --date-format '%Y-%m-%d'\n"}},
      {"a negative value",
       "tx.csv",
       "id,date,value\n1,2020-01-01,3\n1,2020-01-09,-3.5\n",
       "--transactions FILE",
       {"FILE:3:14: error: value -3.5 (column 'value') is negative"}},
      {"a value that is not a number",
       "tx.csv",
       "id,date,sales\n1,2020-01-01,$3\n",
       "--transactions FILE",
       {"FILE:2:14: error: value '$3' (column 'sales') is not a number"}},
      {"an empty file", "tx.csv", "", "--transactions FILE", {"FILE: error: the file is empty"}},
      {"a header without rows",
       "tx.csv",
       "id,date\n",
       "--transactions FILE",
       {"FILE:1:1: error: no transactions"}},
      {"a missing file",
       "",
       "",
       "--transactions /nonexistent/tx.csv",
       {"/nonexistent/tx.csv: error: cannot open: No such file or directory"}},
      {"every bad row, up to 20",
       "tx.csv",
       many_bad,
       "--transactions FILE",
       {"FILE:2:3: error: date '2020-02-30' is not a day of the calendar",
        "FILE:21:3: error: date '2020-02-319' does not match",
        "FILE: ... and 5 more errors\nFILE: 25 errors\n"}},
      {"no repeat transactions",
       "tx.csv",
       "id,date\n1,2020-01-01\n2,2020-01-05\n",
       "--transactions FILE",
       {"FILE: error: no customer bought again before the calibration end 2020-01-05"}},
      {"a calibration end before every first purchase",
       "tx.csv",
       good,
       "--transactions FILE --calibration-end 2019-12-31",
       {"FILE: error: no customer's first purchase is on or before --calibration-end "
        "2019-12-31"}},
      {"a calibration end that is not a date",
       "tx.csv",
       good,
       "--transactions FILE --calibration-end 2020-02-30",
       {"error: --calibration-end '2020-02-30' is not a date"}},
      {"an unknown model",
       "tx.csv",
       good,
       "--transactions FILE --model gamma-gamma",
       {"--model: gamma-gamma not in {bg-nbd,pareto-nbd,bg-bb}"}},
      {"an unknown time unit",
       "tx.csv",
       good,
       "--transactions FILE --time-unit month",
       {"--time-unit: month not in {day,week}"}},
      {"--rf-table with a model other than bg-bb",
       "rf.csv",
       "x,t_x,n_cal,customers\n1,1,6,3\n",
       "--rf-table FILE --model bg-nbd",
       {"error: --rf-table is a recency/frequency table for --model bg-bb; --model bg-nbd needs a "
        "transaction log"}},
      {"a bad row of the table",
       "rf.csv",
       "x,t_x,n_cal,customers\n1,1,6,3\n4,2,6,1\n",
       "--rf-table FILE --model bg-bb",
       {"FILE:3:3: error: x 4 transactions cannot fit"}},
      {"a table without its columns",
       "rf.csv",
       "x,tx,n,customers\n1,1,6,3\n",
       "--rf-table FILE --model bg-bb",
       {"FILE:1:1: error: no column 't_x'"}},
      {"a table with transaction-log options",
       "rf.csv",
       "x,t_x,n_cal,customers\n1,1,6,3\n",
       "--rf-table FILE --model bg-bb --calibration-end 2020-01-01",
       {"error: --calibration-end applies to --transactions, not to --rf-table"}},
      {"bg-bb on a log without --period-days",
       "tx.csv",
       good,
       "--transactions FILE --model bg-bb",
       {"error: --model bg-bb with --transactions needs --period-days D"}},
      {"--period-days for a continuous-time model",
       "tx.csv",
       good,
       "--transactions FILE --period-days 7",
       {"error: --period-days is for --model bg-bb"}},
      {"--time-unit for bg-bb",
       "tx.csv",
       good,
       "--transactions FILE --model bg-bb --period-days 7 --time-unit week",
       {"error: --time-unit is for bg-nbd and pareto-nbd"}},
      {"both inputs",
       "tx.csv",
       good,
       "--transactions FILE --rf-table FILE --model bg-bb",
       {"--transactions excludes --rf-table"}},
      {"no input", "", "", "", {"error: give --transactions FILE"}},
      {"a zero period",
       "tx.csv",
       good,
       "--transactions FILE --model bg-bb --period-days 0",
       {"--period-days: 0 is not an integer in [1, 36500]"}},
  };
  for (const BadInput& bad : cases) {
    TempDir dir;
    const std::string path = bad.file_name.empty() ? "" : dir.write(bad.file_name, bad.content);
    const std::string out = dir.file("out.json");
    CliResult r = run_cli("fit-retention " + with_path(bad.arguments, path) + " --json " + out);
    INFO(bad.what << "\nstderr:\n" << r.err);
    CHECK(r.status == 2);
    for (const std::string& message : bad.messages)
      CHECK(contains(r.err, with_path(message, path)));
    CHECK(r.out == "");
    CHECK_FALSE(std::filesystem::exists(out));
    int files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path()))
      ++files;
    CHECK(files == (bad.file_name.empty() ? 0 : 1));  // no temporary left behind
  }
}

TEST_CASE("cli fit-retention: an output path that cannot be written fails at once") {
  TempDir dir;
  const std::string log = dir.write("tx.csv", "id,date\n1,2020-01-01\n1,2020-02-01\n");
  CliResult r = run_cli("fit-retention --transactions " + log + " --json /nonexistent/fit.json");
  CHECK(r.status == 2);
  CHECK(contains(r.err, "error: --json /nonexistent/fit.json: cannot write"));
  CHECK(r.out == "");
  CHECK(contains(run_cli("fit-retention --help").out, "--calibration-end"));
}

}  // namespace
}  // namespace cjsim::testing
