#include "tools/report/retention_text.h"

#include <cmath>

#include "models/calendar_date.h"
#include "tools/report/format.h"
#include "tools/report/text_table.h"

namespace cjsim::report {

namespace {

// Six significant digits: enough to reproduce the fit's figures.
std::string number(double value) { return printf_string("%.6g", value); }

}  // namespace

std::string format_loyalty_block(const RetentionFit& fit) {
  std::string out;
  switch (fit.model) {
    case RetentionModel::kBgNbd: {
      const BgNbdParameters p = bg_nbd_per_day(bg_nbd_parameters(fit), fit.days_per_unit);
      out += "loyalty {\n  bg_nbd { r: " + number(p.r) + " alpha: " + number(p.alpha) +
             " a: " + number(p.a) + " b: " + number(p.b) + " }  # rates per day\n}\n";
      break;
    }
    case RetentionModel::kBgBb: {
      const BgBbParameters p = bg_bb_parameters(fit);
      out += "loyalty {\n  bg_bb { alpha: " + number(p.alpha) + " beta: " + number(p.beta) +
             " gamma: " + number(p.gamma) + " delta: " + number(p.delta);
      if (fit.period_days > 0) {
        out += " period_days: " + std::to_string(fit.period_days) + " }\n}\n";
      } else {
        out +=
            " }\n  # add period_days: the length of one period in days (or fit with "
            "--period-days D)\n}\n";
      }
      break;
    }
    case RetentionModel::kParetoNbd: {
      const ParetoNbdParameters p =
          pareto_nbd_per_day(pareto_nbd_parameters(fit), fit.days_per_unit);
      out += "No loyalty block: the engine simulates BG/NBD or BG/BB, not Pareto/NBD.\n";
      out += "Per day: r " + number(p.r) + ", alpha " + number(p.alpha) + ", s " + number(p.s) +
             ", beta " + number(p.beta) + ".\n";
      out += "For a loyalty block, fit the same data with --model bg-nbd.\n";
      break;
    }
  }
  return out;
}

std::string format_retention_report(const RetentionFit& fit, const std::string& input) {
  std::string out = std::string(model_name(fit.model, true)) + " fit to " + input + ": " +
                    format_count(static_cast<double>(fit.customers)) + " customers";
  if (fit.has_dates) out += ", calibration to " + format_date(fit.calibration_end);
  if (fit.model == RetentionModel::kBgBb) {
    out += fit.period_days > 0 ? ", periods of " + std::to_string(fit.period_days) + " days"
                               : ", time in periods";
  } else {
    out += ", time in " + time_unit_name(fit) + "s";
  }
  out += "\n" + format_count(fit.calibration_transactions) +
         (fit.model == RetentionModel::kBgBb ? " periods with a repeat transaction"
                                             : " repeat transactions") +
         " in the calibration period\n\n";

  TextTable parameters(
      {text_column("parameter"), number_column("estimate"), number_column("std. error")});
  for (const ParameterFit& p : fit.parameters) {
    parameters.add({p.name, format_real(p.value, 4),
                    std::isnan(p.std_error) ? "n/a" : format_real(p.std_error, 4)});
  }
  parameters.add({"log-likelihood", format_real(fit.log_likelihood, 6), "-"});
  out += parameters.text();
  bool without_error = false;
  for (const ParameterFit& p : fit.parameters) without_error |= std::isnan(p.std_error);
  if (without_error) out += "n/a: no standard error; the warnings say why\n";

  if (fit.holdout) {
    const double actual = fit.holdout->actual, predicted = fit.holdout->predicted;
    out += "\nHoldout " + format_date(fit.calibration_end + 1) + " to " +
           format_date(fit.holdout_end) + ": predicted " + format_count(predicted) +
           " repeat transactions, actual " + format_count(actual);
    if (actual > 0)
      out += " (" + printf_string("%+.1f%%", (predicted - actual) / actual * 100) + ")";
    out += "\n";
  }
  out += "\n" + format_loyalty_block(fit);
  return out;
}

}  // namespace cjsim::report
