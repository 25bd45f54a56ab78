// Retention fits against the published figures on the two public data sets
// (shared/data/README.md): BG/NBD and Pareto/NBD on CDNOW (Fader, Hardie &
// Lee 2005; standard errors against two other implementations), BG/BB on
// the donations (Fader, Hardie & Shang 2010); on customers simulated from
// each model, that the fit recovers the truth within its standard errors
// and that those errors match the spread over many samples; and degenerate
// data, whose parameters the fit must flag as not pinned down. The data-set
// tests skip when shared/data is not beside the source tree.

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>
#include <boost/random/beta_distribution.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_01.hpp>

#include "models/calendar_date.h"
#include "models/customer_summary.h"
#include "models/transaction_log.h"
#include "sim/retention_fit.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

// Agreement to three significant digits, as the papers print them: the
// estimate rounds to the published figure's last digit or is within half a
// unit of its third significant digit.
void check_3_significant(double value, double published) {
  CAPTURE(value);
  CAPTURE(published);
  const double unit = std::pow(10.0, std::floor(std::log10(std::abs(published))) - 2);
  CHECK(std::abs(value - published) <= 0.5 * unit);
}

int32_t day(const char* iso) {
  int32_t d = 0;
  REQUIRE(parse_date(iso, kIsoDateFormat, &d) == DateParse::kOk);
  return d;
}

TransactionLog read_cdnow(const std::string& path) {
  Diagnostics diagnostics;
  std::optional<TransactionLog> log = read_transaction_log(path, {}, diagnostics);
  REQUIRE_MESSAGE(log.has_value(), diagnostics.to_string());
  return *log;
}

TEST_CASE("retention fit: CDNOW data read with the default columns, same-day purchases merged") {
  CJSIM_SKIP_WITHOUT_SHARED_DATA(path, "cdnow/cdnowElog.csv");
  const TransactionLog log = read_cdnow(path);
  CHECK(log.id_column == "masterid");
  CHECK(log.date_column == "date");
  CHECK(log.value_column == "sales");
  CHECK(log.date_format == "%Y%m%d");
  CHECK(log.date_format_detected);
  CHECK(log.customers.size() == 2357);
  CHECK(log.rows == 6919);
  CHECK(log.transactions == 6696);  // 223 same-day repeats merged
  CHECK(format_date(log.first_day) == "1997-01-01");
  CHECK(format_date(log.last_day) == "1998-06-30");

  const ContinuousSummary weeks = summarize_continuous(log, day("1997-09-30"), 7);
  CHECK(weeks.customers == 2357);
  CHECK(weeks.late_customers == 0);
  // FHL 2005: "2,457 repeat transactions" in the 39-week calibration.
  CHECK(weeks.calibration_transactions == 2457);
  CHECK(weeks.holdout_transactions == 1882);
  CHECK(weeks.holdout_length() == doctest::Approx(273.0 / 7));
}

TEST_CASE("retention fit: BG/NBD on CDNOW reproduces Fader, Hardie & Lee (2005)") {
  CJSIM_SKIP_WITHOUT_SHARED_DATA(path, "cdnow/cdnowElog.csv");
  const ContinuousSummary data = summarize_continuous(read_cdnow(path), day("1997-09-30"), 7);
  // The published estimates give the published log-likelihood.
  CHECK(bg_nbd_total_log_likelihood({0.243, 4.414, 0.793, 2.426}, data) ==
        doctest::Approx(-9582.4).epsilon(2e-5));

  const RetentionFit fit = fit_bg_nbd(data);
  CHECK(fit.warnings.empty());
  check_3_significant(fit.value("r"), 0.243);
  check_3_significant(fit.value("alpha"), 4.414);
  check_3_significant(fit.value("a"), 0.793);
  check_3_significant(fit.value("b"), 2.426);
  CHECK(fit.log_likelihood == doctest::Approx(-9582.4).epsilon(1e-5));
  for (const ParameterFit& p : fit.parameters) {
    CAPTURE(p.name);
    CHECK(p.std_error > 0);
    CHECK(p.std_error < p.value);  // every parameter is well determined here
  }
  // FHL 2005 print no standard errors; the Python package lifetimes
  // (BetaGeoFitter.summary on this data, in its documentation) prints
  // 0.012557, 0.378221, 0.185719, 0.705345 from its own Hessian. Within 1%.
  const double lifetimes[] = {0.012557, 0.378221, 0.185719, 0.705345};
  for (size_t i = 0; i < 4; ++i) {
    CAPTURE(fit.parameters[i].name);
    CHECK(fit.parameters[i].std_error == doctest::Approx(lifetimes[i]).epsilon(0.01));
  }
  // The holdout, weeks 40-78: 1,882 repeat transactions in the data. The
  // sum of the conditional expectations (eq. 10) is 1,653, 12% fewer; the
  // unconditional route, each customer's E[X(T + 39)] - E[X(T)] (eq. 9),
  // gives nearly the same (1,667), so the gap is the model's, not the sum's.
  REQUIRE(fit.holdout.has_value());
  CHECK(fit.holdout->actual == 1882);
  CHECK(fit.holdout->predicted == doctest::Approx(1653.4).epsilon(1e-3));
  const BgNbdParameters p = bg_nbd_parameters(fit);
  double unconditional = 0;
  for (const RecencyFrequency& row : data.rows) {
    unconditional += row.customers * (bg_nbd_expected_transactions(p, row.t_cal + 39) -
                                      bg_nbd_expected_transactions(p, row.t_cal));
  }
  CHECK(fit.holdout->predicted == doctest::Approx(unconditional).epsilon(0.02));
  CHECK(fit.holdout->predicted == doctest::Approx(fit.holdout->actual).epsilon(0.15));
}

TEST_CASE("retention fit: the time unit changes alpha's scale and nothing else") {
  CJSIM_SKIP_WITHOUT_SHARED_DATA(path, "cdnow/cdnowElog.csv");
  const TransactionLog log = read_cdnow(path);
  const RetentionFit weeks = fit_bg_nbd(summarize_continuous(log, day("1997-09-30"), 7));
  const RetentionFit days = fit_bg_nbd(summarize_continuous(log, day("1997-09-30"), 1));
  CHECK(days.value("alpha") == doctest::Approx(7 * weeks.value("alpha")).epsilon(1e-5));
  for (const char* name : {"r", "a", "b"}) {
    CAPTURE(name);
    CHECK(days.value(name) == doctest::Approx(weeks.value(name)).epsilon(1e-5));
  }
  // The densities of 2,457 transaction times, per day instead of per week.
  CHECK(days.log_likelihood ==
        doctest::Approx(weeks.log_likelihood - 2457 * std::log(7.0)).epsilon(1e-8));
  CHECK(days.holdout->predicted == doctest::Approx(weeks.holdout->predicted).epsilon(1e-5));
  // Deterministic: the same data give the same figures bit for bit.
  const RetentionFit again = fit_bg_nbd(summarize_continuous(log, day("1997-09-30"), 7));
  CHECK(again.value("alpha") == weeks.value("alpha"));
  CHECK(again.log_likelihood == weeks.log_likelihood);
}

TEST_CASE("retention fit: BG/NBD E[X(t)] at the CDNOW estimates matches the paper") {
  // FHL 2005 computes E[X(t)] at the unrounded estimates; these are ours to
  // six digits (they round to the published r, alpha, a, b above).
  const BgNbdParameters p{0.242595, 4.413605, 0.792921, 2.425905};
  CHECK(bg_nbd_expected_transactions(p, 1) == doctest::Approx(0.0532).epsilon(1e-3));
  CHECK(bg_nbd_expected_transactions(p, 3) == doctest::Approx(0.1506).epsilon(1e-3));
  CHECK(bg_nbd_expected_transactions(p, 32) == doctest::Approx(1.0437).epsilon(1e-3));
  CHECK(bg_nbd_expected_transactions(p, 78) == doctest::Approx(1.8576).epsilon(1e-3));
  // The same in days.
  const BgNbdParameters daily = bg_nbd_per_day(p, 7);
  CHECK(bg_nbd_expected_transactions(daily, 78 * 7) ==
        doctest::Approx(bg_nbd_expected_transactions(p, 78)).epsilon(1e-12));
}

TEST_CASE("retention fit: Pareto/NBD on CDNOW reproduces the published estimates") {
  CJSIM_SKIP_WITHOUT_SHARED_DATA(path, "cdnow/cdnowElog.csv");
  const ContinuousSummary data = summarize_continuous(read_cdnow(path), day("1997-09-30"), 7);
  const RetentionFit fit = fit_pareto_nbd(data);
  CHECK(fit.warnings.empty());
  check_3_significant(fit.value("r"), 0.553);
  check_3_significant(fit.value("alpha"), 10.58);
  check_3_significant(fit.value("s"), 0.606);
  check_3_significant(fit.value("beta"), 11.66);
  // The R package CLVTools pins these standard errors in its tests
  // (tests/testthat/test_correctness_pnbd.R, same data and split, weeks):
  // 0.0476264, 0.8427222, 0.1872594, 6.2105448. Within 1%.
  const double clvtools[] = {0.0476264, 0.8427222, 0.1872594, 6.2105448};
  for (size_t i = 0; i < 4; ++i) {
    CAPTURE(fit.parameters[i].name);
    CHECK(fit.parameters[i].std_error == doctest::Approx(clvtools[i]).epsilon(0.01));
  }
  REQUIRE(fit.holdout.has_value());
  CHECK(fit.holdout->actual == 1882);
  CHECK(fit.holdout->predicted == doctest::Approx(1665.5).epsilon(1e-3));
  // The optimum is a maximum: the published values are no better.
  CHECK(fit.log_likelihood >= pareto_nbd_total_log_likelihood({0.553, 10.58, 0.606, 11.66}, data));
}

TEST_CASE("retention fit: BG/BB on the donations reproduces Fader, Hardie & Shang (2010)") {
  CJSIM_SKIP_WITHOUT_SHARED_DATA(path, "donations/donations_rf_calibration.csv");
  Diagnostics diagnostics;
  std::optional<PeriodSummary> data = read_rf_table(path, diagnostics);
  REQUIRE_MESSAGE(data.has_value(), diagnostics.to_string());
  CHECK(data->customers == 11104);
  CHECK_FALSE(data->has_holdout());
  CHECK(bg_bb_total_log_likelihood({1.204, 0.750, 0.657, 2.783}, *data) ==
        doctest::Approx(-33225.6).epsilon(1e-5));

  const RetentionFit fit = fit_bg_bb(*data);
  CHECK(fit.warnings.empty());
  check_3_significant(fit.value("alpha"), 1.204);
  check_3_significant(fit.value("beta"), 0.750);
  check_3_significant(fit.value("gamma"), 0.657);
  check_3_significant(fit.value("delta"), 2.783);
  CHECK(fit.log_likelihood == doctest::Approx(-33225.6).epsilon(3e-6));
  CHECK_FALSE(fit.holdout.has_value());
  for (const ParameterFit& p : fit.parameters) CHECK(p.std_error > 0);
}

// Each estimate within four of its standard errors of the truth: a
// tolerance from the fit's own interval, not tuned to the draw.
void check_recovered(const RetentionFit& fit, const std::vector<double>& truth) {
  CHECK(fit.warnings.empty());
  REQUIRE(fit.parameters.size() == truth.size());
  for (size_t i = 0; i < truth.size(); ++i) {
    const ParameterFit& p = fit.parameters[i];
    CAPTURE(p.name);
    CAPTURE(p.value);
    CAPTURE(p.std_error);
    CHECK(std::abs(p.value - truth[i]) <= 4 * p.std_error);
  }
}

constexpr int kSimulatedCustomers = 4000;

// kSimulatedCustomers BG/NBD customers, weeks: each draws a purchase rate
// from `draw_rate` (a callable taking the generator), a dropout probability
// p ~ Beta(a, b), and is acquired over half a year.
template <typename DrawRate>
ContinuousSummary simulate_bg_nbd(DrawRate draw_rate, double a, double b,
                                  boost::random::mt19937& random) {
  boost::random::beta_distribution<double> dropout(a, b);
  boost::random::uniform_01<double> uniform;
  ContinuousSummary data;
  for (int i = 0; i < kSimulatedCustomers; ++i) {
    const double lambda = draw_rate(random), p = dropout(random);
    const double t_cal = 26 + 26 * uniform(random);
    boost::random::exponential_distribution<double> wait(lambda);
    double t = 0, t_x = 0, x = 0;
    // Repeat purchases while active; after each, inactive with probability p.
    while (true) {
      t += wait(random);
      if (t > t_cal) break;
      ++x;
      t_x = t;
      if (uniform(random) < p) break;
    }
    data.rows.push_back({x, t_x, t_cal, 1});
    data.calibration_transactions += x;
  }
  data.customers = kSimulatedCustomers;
  data.days_per_unit = 7;
  return data;
}

TEST_CASE("retention fit: BG/NBD recovers the parameters of simulated customers") {
  const BgNbdParameters truth{0.5, 6, 0.7, 2.5};
  boost::random::mt19937 random(20240101);
  boost::random::gamma_distribution<double> rate(truth.r, 1 / truth.alpha);
  const ContinuousSummary data = simulate_bg_nbd(rate, truth.a, truth.b, random);
  check_recovered(fit_bg_nbd(data), {truth.r, truth.alpha, truth.a, truth.b});
}

TEST_CASE("retention fit: Pareto/NBD recovers the parameters of simulated customers") {
  const ParetoNbdParameters truth{0.7, 8, 0.9, 12};
  boost::random::mt19937 random(20240102);
  boost::random::gamma_distribution<double> rate(truth.r, 1 / truth.alpha);
  boost::random::gamma_distribution<double> death_rate(truth.s, 1 / truth.beta);
  boost::random::uniform_01<double> uniform;
  ContinuousSummary data;
  for (int i = 0; i < kSimulatedCustomers; ++i) {
    const double lambda = rate(random);
    const double lifetime =
        boost::random::exponential_distribution<double>(death_rate(random))(random);
    const double t_cal = 26 + 26 * uniform(random);
    boost::random::exponential_distribution<double> wait(lambda);
    double t = 0, t_x = 0, x = 0;
    while (true) {
      t += wait(random);
      if (t > std::min(t_cal, lifetime)) break;
      ++x;
      t_x = t;
    }
    data.rows.push_back({x, t_x, t_cal, 1});
    data.calibration_transactions += x;
  }
  data.customers = kSimulatedCustomers;
  data.days_per_unit = 7;
  check_recovered(fit_pareto_nbd(data), {truth.r, truth.alpha, truth.s, truth.beta});
}

// `customers` BG/BB customers of n = 8 periods drawn from `truth`.
PeriodSummary simulate_bg_bb(const BgBbParameters& truth, int customers,
                             boost::random::mt19937& random) {
  boost::random::beta_distribution<double> transact(truth.alpha, truth.beta);
  boost::random::beta_distribution<double> drop(truth.gamma, truth.delta);
  boost::random::uniform_01<double> uniform;
  const int n = 8;
  // Customers counted by pattern: (x, t_x) -> how many.
  std::map<std::pair<int, int>, double> patterns;
  for (int i = 0; i < customers; ++i) {
    const double p = transact(random), theta = drop(random);
    int x = 0, t_x = 0;
    // At the start of each period an active customer drops out with
    // probability theta; if still active, transacts with probability p.
    for (int period = 1; period <= n; ++period) {
      if (uniform(random) < theta) break;
      if (uniform(random) < p) {
        ++x;
        t_x = period;
      }
    }
    patterns[{x, t_x}] += 1;
  }
  PeriodSummary data;
  for (const auto& [pattern, count] : patterns) {
    data.rows.push_back({pattern.first, pattern.second, n, 0, count});
    data.calibration_transactions += pattern.first * count;
  }
  data.customers = customers;
  return data;
}

TEST_CASE("retention fit: BG/BB recovers the parameters of simulated customers") {
  const BgBbParameters truth{1.2, 0.8, 0.6, 2.8};
  boost::random::mt19937 random(20240103);
  const PeriodSummary data = simulate_bg_bb(truth, kSimulatedCustomers, random);
  check_recovered(fit_bg_bb(data), {truth.alpha, truth.beta, truth.gamma, truth.delta});
}

TEST_CASE("retention fit: standard errors agree with the spread of estimates over many samples") {
  // Brute force: fit 40 samples of 2,000 customers each from one truth; the
  // spread of each estimate across the samples is what its standard error
  // estimates. Compared on the log scale (the fit's scale, where the
  // estimates are nearly normal): sd(ln estimate) against the mean of
  // std_error / estimate. With 40 samples the sample sd has a relative
  // standard error of 1/sqrt(78) = 11%; the bounds are three of those.
  const BgBbParameters truth{1.2, 0.8, 0.6, 2.8};
  boost::random::mt19937 random(20240105);
  constexpr int kSamples = 40;
  std::vector<std::vector<double>> logs(4), relative_errors(4);
  for (int k = 0; k < kSamples; ++k) {
    const RetentionFit fit = fit_bg_bb(simulate_bg_bb(truth, 2000, random));
    REQUIRE(fit.warnings.empty());
    for (size_t i = 0; i < 4; ++i) {
      logs[i].push_back(std::log(fit.parameters[i].value));
      relative_errors[i].push_back(fit.parameters[i].std_error / fit.parameters[i].value);
    }
  }
  for (size_t i = 0; i < 4; ++i) {
    double mean = 0, spread = 0, reported = 0;
    for (int k = 0; k < kSamples; ++k) mean += logs[i][k] / kSamples;
    for (int k = 0; k < kSamples; ++k) {
      spread += (logs[i][k] - mean) * (logs[i][k] - mean) / (kSamples - 1);
      reported += relative_errors[i][k] / kSamples;
    }
    const double ratio = std::sqrt(spread) / reported;
    CAPTURE(i);
    CAPTURE(std::sqrt(spread));
    CAPTURE(reported);
    CHECK(ratio > 1 - 3 * 0.113);
    CHECK(ratio < 1 + 3 * 0.113);
  }
}

// The parameters a fit's warnings say are not pinned down have no standard
// error; the others have a finite one.
bool has_warning(const RetentionFit& fit, const std::string& part) {
  for (const std::string& warning : fit.warnings) {
    if (warning.find(part) != std::string::npos) return true;
  }
  return false;
}

// BG/BB customers of n periods whose dropout probability is the same theta
// for all (no spread: gamma and delta infinite with gamma/(gamma+delta) =
// theta), p ~ Beta(alpha, beta): each pattern (x, t_x) with its expected
// count, computed here from the story, not from the likelihood code. A
// sequence with x transactions, the last in t_x, has C(t_x-1, x-1) orders;
// the customer is alive through period k >= t_x and drops at the start of
// k + 1 (or is alive through n).
PeriodSummary homogeneous_dropout(double alpha, double beta, double theta, int n,
                                  double customers) {
  auto log_beta = [](double a, double b) {
    return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  };
  PeriodSummary data;
  for (int t_x = 0; t_x <= n; ++t_x) {
    for (int x = t_x == 0 ? 0 : 1; x <= t_x; ++x) {
      const double orders =
          x == 0 ? 1 : std::exp(std::lgamma(t_x) - std::lgamma(x) - std::lgamma(t_x - x + 1));
      double probability = 0;
      for (int k = t_x; k <= n; ++k) {
        const double transactions =
            std::exp(log_beta(alpha + x, beta + k - x) - log_beta(alpha, beta));
        probability += transactions * std::pow(1 - theta, k) * (k < n ? theta : 1.0);
      }
      data.rows.push_back({x, t_x, n, 0, customers * orders * probability});
      data.calibration_transactions += x * customers * orders * probability;
    }
  }
  data.customers = static_cast<int64_t>(customers);
  return data;
}

TEST_CASE(
    "regression: a degenerate BG/BB fit (gamma 887,799) was reported as if it were estimated") {
  // Every customer drops out with probability 0.2 a period: the likelihood
  // rises without end as gamma and delta grow together. The optimiser
  // stopped somewhere out there and the report printed gamma, delta and
  // standard errors from the noise of a flat likelihood.
  const PeriodSummary data = homogeneous_dropout(1.2, 0.8, 0.2, 6, 10000);
  double total = 0;
  for (const PeriodRecencyFrequency& row : data.rows) total += row.customers;
  REQUIRE(total == doctest::Approx(10000).epsilon(1e-12));
  const RetentionFit fit = fit_bg_bb(data);
  CAPTURE(fit.warnings.size() > 0 ? fit.warnings.front() : "");
  CHECK(has_warning(fit, "gamma and delta are not pinned down"));
  CHECK(has_warning(fit, "the same dropout probability per period"));
  CHECK(has_warning(fit, "No standard errors for gamma and delta"));
  const double gamma = fit.value("gamma"), delta = fit.value("delta");
  CHECK(gamma > 1000);  // ran away
  // What the data do tell: the mean dropout probability and p's Beta.
  CHECK(gamma / (gamma + delta) == doctest::Approx(0.2).epsilon(1e-3));
  CHECK(fit.value("alpha") == doctest::Approx(1.2).epsilon(1e-3));
  CHECK(fit.value("beta") == doctest::Approx(0.8).epsilon(1e-3));
  CHECK(std::isnan(fit.parameters[2].std_error));
  CHECK(std::isnan(fit.parameters[3].std_error));
  CHECK(std::isfinite(fit.parameters[0].std_error));
  CHECK(std::isfinite(fit.parameters[1].std_error));
  CHECK(fit.parameters[0].std_error > 0);
  // The same customers with spread in theta (Beta(2, 8), mean 0.2) are fine:
  // the fit of simulated customers above has no warning either.
}

TEST_CASE("retention fit: BG/NBD on customers who all buy at one rate flags r and alpha") {
  // lambda = 0.5 a week for everyone (r and alpha infinite, r/alpha = 0.5);
  // p ~ Beta(0.7, 2.5).
  boost::random::mt19937 random(20240104);
  const ContinuousSummary data =
      simulate_bg_nbd([](boost::random::mt19937&) { return 0.5; }, 0.7, 2.5, random);
  const RetentionFit fit = fit_bg_nbd(data);
  CAPTURE(fit.warnings.size() > 0 ? fit.warnings.front() : "");
  CHECK(has_warning(fit, "r and alpha are not pinned down"));
  CHECK(std::isnan(fit.parameters[0].std_error));
  CHECK(std::isnan(fit.parameters[1].std_error));
  CHECK(fit.value("r") / fit.value("alpha") == doctest::Approx(0.5).epsilon(0.05));
}

TEST_CASE("retention fit: a handful of customers pin nothing down") {
  ContinuousSummary data;
  data.rows = {{1, 10, 30, 1}, {0, 0, 25, 1}, {2, 20, 28, 1}};
  data.customers = 3;
  data.calibration_transactions = 3;
  data.days_per_unit = 1;
  const RetentionFit fit = fit_bg_nbd(data);
  CHECK_FALSE(fit.warnings.empty());
  // A parameter without a standard error is named in a warning.
  int without = 0;
  for (const ParameterFit& p : fit.parameters) {
    if (!std::isnan(p.std_error)) continue;
    ++without;
    CAPTURE(p.name);
    CHECK((has_warning(fit, "parameter " + p.name + " ") ||
           has_warning(fit, " and " + p.name + " are not pinned down") ||
           has_warning(fit, p.name + " and ")));
  }
  CHECK(without >= 2);
}

TEST_CASE("retention fit: a clear stop flag changes nothing, a set one stops the optimiser") {
  ContinuousSummary data;
  for (int i = 0; i < 200; ++i) {
    const double x = i % 5, t_cal = 30 + i % 20;
    data.rows.push_back({x, x > 0 ? t_cal * x / 6 : 0, t_cal, 1});
    data.calibration_transactions += x;
  }
  data.customers = 200;
  data.days_per_unit = 1;
  std::atomic<bool> no{false}, yes{true};
  const RetentionFit plain = fit_bg_nbd(data);
  const RetentionFit clear = fit_bg_nbd(data, &no);
  CHECK(clear.evaluations == plain.evaluations);
  for (size_t k = 0; k < plain.parameters.size(); ++k) {
    CHECK(clear.parameters[k].value == plain.parameters[k].value);
  }
  CHECK(plain.evaluations > 0);
  CHECK(fit_bg_nbd(data, &yes).evaluations == 0);
  CHECK(fit_pareto_nbd(data, &yes).evaluations == 0);
}

}  // namespace
}  // namespace cjsim
