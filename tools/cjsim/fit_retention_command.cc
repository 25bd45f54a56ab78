// cjsim fit-retention: fit a repeat-purchase model (BG/NBD, Pareto/NBD,
// BG/BB) to a transaction log or a recency/frequency table by maximum
// likelihood, and print the loyalty block for a scenario.

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "models/calendar_date.h"
#include "models/customer_summary.h"
#include "models/diagnostics.h"
#include "models/limits.h"
#include "models/transaction_log.h"
#include "sim/retention_fit.h"
#include "tools/cjsim/commands.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/logging.h"
#include "tools/cjsim/option_values.h"
#include "tools/cjsim/output.h"
#include "tools/cjsim/scenario_input.h"
#include "tools/cjsim/signals.h"
#include "tools/report/retention_text.h"

namespace cjsim::cli {

namespace {

struct FitRetentionOptions {
  std::string transactions;
  std::string rf_table;
  std::string model = "bg-nbd";
  std::string calibration_end;
  int period_days = 0;
  std::string time_unit = "day";
  TransactionLogOptions columns;
  std::string json;
  bool quiet = false;
  // Options given on the command line (CLI11 counts), for the checks that
  // depend on the model and the input.
  std::vector<std::pair<std::string, const CLI::Option*>> given;

  bool was_given(const std::string& name) const {
    for (const auto& [option, handle] : given) {
      if (option == name) return handle->count() > 0;
    }
    return false;
  }
};

// The options that do not go with the model and input chosen; empty when
// they are consistent.
std::string check_combination(const FitRetentionOptions& o) {
  const bool bg_bb = o.model == "bg-bb";
  if (o.transactions.empty() && o.rf_table.empty()) {
    return "give --transactions FILE (or, for --model bg-bb, --rf-table FILE)";
  }
  if (!o.rf_table.empty()) {
    if (!bg_bb) {
      return "--rf-table is a recency/frequency table for --model bg-bb; --model " + o.model +
             " needs a transaction log (--transactions FILE)";
    }
    for (const char* option :
         {"--calibration-end", "--id-column", "--date-column", "--value-column", "--date-format"}) {
      if (o.was_given(option)) {
        return std::string(option) + " applies to --transactions, not to --rf-table";
      }
    }
  }
  if (bg_bb && o.was_given("--time-unit")) {
    return "--time-unit is for bg-nbd and pareto-nbd; bg-bb counts periods of --period-days";
  }
  if (!bg_bb && o.was_given("--period-days")) {
    return "--period-days is for --model bg-bb (periods of D days); --model " + o.model +
           " works in continuous time (--time-unit day|week)";
  }
  if (bg_bb && !o.transactions.empty() && o.period_days == 0) {
    return "--model bg-bb with --transactions needs --period-days D (the length of one "
           "period in days, e.g. 365 for yearly donations)";
  }
  return "";
}

std::optional<int32_t> parse_calibration_end(const std::string& text) {
  int32_t day = 0;
  const std::string_view format = is_compact_date(text) ? kCompactDateFormat : kIsoDateFormat;
  if (parse_date(text, format, &day) != DateParse::kOk) return std::nullopt;
  return day;
}

// An input error found after reading: prints "FILE: error: MESSAGE".
std::nullopt_t input_error(const std::string& path, const std::string& message) {
  spdlog::error("{}: error: {}", printable(path), printable(message));
  return std::nullopt;
}

// BG/BB data whose likelihood is too long to sum at every step of a fit.
// Bad input: printed, false.
bool bg_bb_work_fits(const std::string& path, const PeriodSummary& data, bool from_table) {
  const double terms = bg_bb_likelihood_terms(data);
  if (terms <= limits::kMaxBgBbLikelihoodTerms) return true;
  char text[160];
  std::snprintf(text, sizeof text,
                "the BG/BB likelihood sums %.3g terms (one per period after each customer's "
                "last transaction) at every step of the fit, over the budget of %.3g",
                terms, limits::kMaxBgBbLikelihoodTerms);
  input_error(path, std::string(text) + ": the fit would take hours; " +
                        (from_table ? "count in longer periods (fewer, larger n_cal)"
                                    : "use longer periods (a larger --period-days) or an earlier "
                                      "--calibration-end"));
  return false;
}

// BG/BB on a recency/frequency table. Bad input: printed, nullopt.
std::optional<RetentionFit> fit_table(const FitRetentionOptions& options) {
  const std::string& input = options.rf_table;
  Diagnostics diagnostics(input);
  std::optional<PeriodSummary> table = read_rf_table(input, diagnostics);
  print_diagnostics(diagnostics);
  if (!table) return std::nullopt;
  if (table->calibration_transactions <= 0) {
    return input_error(input, "no customer has a repeat transaction: there is nothing to fit");
  }
  if (!bg_bb_work_fits(input, *table, true)) return std::nullopt;
  RetentionFit fit = fit_bg_bb(*table, stop_flag());
  fit.period_days = options.period_days;
  return fit;
}

// Any model on a transaction log. Bad input: printed, nullopt.
std::optional<RetentionFit> fit_log(const FitRetentionOptions& options,
                                    std::optional<int32_t> calibration_end) {
  const std::string& input = options.transactions;
  Diagnostics diagnostics(input);
  std::optional<TransactionLog> log = read_transaction_log(input, options.columns, diagnostics);
  print_diagnostics(diagnostics);
  if (!log) return std::nullopt;
  const int32_t end = calibration_end.value_or(log->last_day);
  if (end < log->first_day) {
    return input_error(input, "no customer's first purchase is on or before --calibration-end " +
                                  format_date(end) + " (the first transaction is on " +
                                  format_date(log->first_day) + ")");
  }
  std::optional<ContinuousSummary> continuous;
  std::optional<PeriodSummary> periods;
  if (options.model == "bg-bb") {
    periods = summarize_periods(*log, end, options.period_days);
  } else {
    continuous = summarize_continuous(*log, end, options.time_unit == "week" ? 7 : 1);
  }
  const int64_t late = periods ? periods->late_customers : continuous->late_customers;
  if (late > 0) {
    spdlog::warn(
        "{}: warning: {} customer{} whose first purchase is after the calibration end {} {} left "
        "out",
        printable(input), static_cast<long long>(late), late == 1 ? "" : "s", format_date(end),
        late == 1 ? "is" : "are");
  }
  const double repeats =
      periods ? periods->calibration_transactions : continuous->calibration_transactions;
  if (repeats <= 0) {
    return input_error(input, "no customer bought again before the calibration end " +
                                  format_date(end) + ": there is nothing to fit");
  }
  if (interrupted()) return std::nullopt;
  if (options.model == "bg-nbd") return fit_bg_nbd(*continuous, stop_flag());
  if (options.model == "pareto-nbd") return fit_pareto_nbd(*continuous, stop_flag());
  if (!bg_bb_work_fits(input, *periods, false)) return std::nullopt;
  return fit_bg_bb(*periods, stop_flag());
}

int fit_retention(const FitRetentionOptions& options, const Invocation& invocation) {
  if (std::string problem = check_combination(options); !problem.empty()) {
    return usage_error(problem);
  }
  std::optional<int32_t> calibration_end;
  if (!options.calibration_end.empty()) {
    calibration_end = parse_calibration_end(options.calibration_end);
    if (!calibration_end) {
      return usage_error("--calibration-end '" + options.calibration_end +
                         "' is not a date: write YYYY-MM-DD (or YYYYMMDD)");
    }
  }
  const std::string& input = options.rf_table.empty() ? options.transactions : options.rf_table;
  OutputSet outputs;
  outputs.add_input(options.rf_table.empty() ? "--transactions" : "--rf-table", input);
  PendingOutput* json = nullptr;
  if (!options.json.empty()) {
    Result<PendingOutput*> opened = outputs.open("--json", options.json);
    if (!opened) {
      print_output_error(opened.status());
      return kExitBadInput;
    }
    json = *opened;
  }

  std::optional<RetentionFit> fit =
      options.rf_table.empty() ? fit_log(options, calibration_end) : fit_table(options);
  if (interrupted()) {
    outputs.abandon();
    return interrupted_exit();
  }
  if (!fit) return kExitBadInput;
  for (const std::string& warning : fit->warnings) {
    spdlog::warn("{}: warning: {}", printable(input), warning);
  }
  v1::RetentionFit result = to_proto(*fit, input);
  result.mutable_provenance()->set_command_line(invocation.command_line);
  if (json != nullptr) {
    if (const Status written = outputs.write(json, to_json(result)); !written.is_ok()) {
      print_output_error(written);
      return kExitFailure;
    }
  }
  return commit_outputs(outputs, [&] {
    if (!options.quiet && !(json != nullptr && json->is_stdout())) {
      std::fputs(format_retention_report(*fit, input).c_str(), stdout);
      std::fflush(stdout);
    }
  });
}

}  // namespace

CommandRunner add_fit_retention_command(CLI::App& app) {
  auto options = std::make_shared<FitRetentionOptions>();
  CLI::App* command = app.add_subcommand(
      "fit-retention",
      "Fit BG/NBD, Pareto/NBD or BG/BB to a transaction log; print the loyalty block");
  auto add = [&](const std::string& name, std::string& target, const std::string& help) {
    CLI::Option* option = command->add_option(name, target, help);
    options->given.emplace_back(name, option);
    return option;
  };
  CLI::Option* transactions = add("--transactions", options->transactions,
                                  "Transaction log CSV: customer id, date, optional value per row");
  CLI::Option* rf_table = add("--rf-table", options->rf_table,
                              "Recency/frequency table CSV (x,t_x,n_cal,customers), for bg-bb");
  transactions->excludes(rf_table);
  add("--model", options->model, "bg-nbd (default), pareto-nbd or bg-bb")
      ->check(CLI::IsMember({"bg-nbd", "pareto-nbd", "bg-bb"}));
  add("--calibration-end", options->calibration_end,
      "Last day of the calibration period, YYYY-MM-DD (default: the last date in the file)");
  CLI::Option* period_days =
      command->add_option("--period-days", options->period_days, "Days per period for bg-bb")
          ->transform(integer_in(1, 36500));
  options->given.emplace_back("--period-days", period_days);
  add("--time-unit", options->time_unit, "Unit of the reported parameters: day (default) or week")
      ->check(CLI::IsMember({"day", "week"}));
  add("--id-column", options->columns.id_column,
      "Customer id column (default: customer_id, customer, id or masterid)");
  add("--date-column", options->columns.date_column, "Date column (default: date)");
  add("--value-column", options->columns.value_column,
      "Value column (default: value, sales or amount, if present)");
  add("--date-format", options->columns.date_format,
      "strftime-style date format (default: %Y-%m-%d, or %Y%m%d for 8-digit dates)");
  add("--json", options->json, "Write the cjsim.v1.RetentionFit as JSON to PATH ('-': stdout)")
      ->check(non_empty_path());
  command->add_flag("--quiet", options->quiet,
                    "No report, no warnings (--log-level error, unless given)");
  return [options](const Invocation& invocation) { return fit_retention(*options, invocation); };
}

}  // namespace cjsim::cli
