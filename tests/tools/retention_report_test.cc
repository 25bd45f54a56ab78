// The loyalty block printed by `cjsim fit-retention`: the schema's names,
// alpha (and Pareto/NBD's beta) converted to days, the BG/BB period length.

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "tools/report/retention_text.h"

namespace cjsim::report {
namespace {

RetentionFit fit_of(RetentionModel model, std::vector<ParameterFit> parameters) {
  RetentionFit fit;
  fit.model = model;
  fit.parameters = std::move(parameters);
  return fit;
}

TEST_CASE("retention report: the BG/NBD block is per day whatever the fit's unit") {
  RetentionFit fit =
      fit_of(RetentionModel::kBgNbd,
             {{"r", 0.243, 0.01}, {"alpha", 4.414, 0.4}, {"a", 0.793, 0.2}, {"b", 2.426, 0.7}});
  fit.days_per_unit = 7;
  CHECK(format_loyalty_block(fit) ==
        "loyalty {\n  bg_nbd { r: 0.243 alpha: 30.898 a: 0.793 b: 2.426 }  # rates per day\n}\n");
  fit.days_per_unit = 1;
  CHECK(format_loyalty_block(fit) ==
        "loyalty {\n  bg_nbd { r: 0.243 alpha: 4.414 a: 0.793 b: 2.426 }  # rates per day\n}\n");
}

TEST_CASE("retention report: the BG/BB block carries period_days, or asks for it") {
  RetentionFit fit = fit_of(RetentionModel::kBgBb, {{"alpha", 1.204, 0.07},
                                                    {"beta", 0.75, 0.03},
                                                    {"gamma", 0.657, 0.05},
                                                    {"delta", 2.783, 0.3}});
  fit.period_days = 365;
  CHECK(format_loyalty_block(fit) ==
        "loyalty {\n  bg_bb { alpha: 1.204 beta: 0.75 gamma: 0.657 delta: 2.783 period_days: 365 "
        "}\n}\n");
  fit.period_days = 0;
  CHECK(format_loyalty_block(fit) ==
        "loyalty {\n  bg_bb { alpha: 1.204 beta: 0.75 gamma: 0.657 delta: 2.783 }\n"
        "  # add period_days: the length of one period in days (or fit with --period-days D)\n"
        "}\n");
}

TEST_CASE("retention report: Pareto/NBD gets per-day parameters and a pointer to bg-nbd") {
  RetentionFit fit =
      fit_of(RetentionModel::kParetoNbd,
             {{"r", 0.553, 0.05}, {"alpha", 10.58, 0.8}, {"s", 0.606, 0.2}, {"beta", 11.66, 6}});
  fit.days_per_unit = 7;
  CHECK(format_loyalty_block(fit) ==
        "No loyalty block: the engine simulates BG/NBD or BG/BB, not Pareto/NBD.\n"
        "Per day: r 0.553, alpha 74.06, s 0.606, beta 81.62.\n"
        "For a loyalty block, fit the same data with --model bg-nbd.\n");
}

TEST_CASE("retention report: parameters, standard errors and the holdout") {
  RetentionFit fit = fit_of(RetentionModel::kBgNbd, {{"r", 0.243, 0.0126},
                                                     {"alpha", 4.414, 0.378},
                                                     {"a", 0.793, std::nan("")},
                                                     {"b", 2.426, 0.705}});
  fit.days_per_unit = 7;
  fit.customers = 2357;
  fit.calibration_transactions = 2457;
  fit.log_likelihood = -9582.43;
  fit.calibration_end = 10134;  // 1997-09-30
  fit.holdout_end = 10407;      // 1998-06-30
  fit.holdout = HoldoutComparison{1882, 1653.4};
  const std::string report = format_retention_report(fit, "tx.csv");
  CHECK(report.find("BG/NBD fit to tx.csv: 2,357 customers, calibration to 1997-09-30, time in "
                    "weeks\n2,457 repeat transactions in the calibration period\n") == 0);
  CHECK(report.find("  alpha               4.414       0.378\n") != std::string::npos);
  CHECK(report.find("  a                   0.793         n/a\n") != std::string::npos);
  CHECK(report.find("  log-likelihood  -9,582.43           -\n") != std::string::npos);
  CHECK(report.find("Holdout 1997-10-01 to 1998-06-30: predicted 1,653 repeat transactions, "
                    "actual 1,882 (-12.1%)\n") != std::string::npos);
  CHECK(report.find("loyalty {") != std::string::npos);
}

}  // namespace
}  // namespace cjsim::report
