#include "sim/retention_fit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>

#include <Eigen/Dense>

#include "models/calendar_date.h"
#include "models/check.h"
#include "sim/nlopt_run.h"
#include "sim/provenance.h"
#include "sim/stop.h"

namespace cjsim {

std::string_view model_name(RetentionModel model, bool title) {
  switch (model) {
    case RetentionModel::kBgNbd:
      return title ? "BG/NBD" : "bg_nbd";
    case RetentionModel::kParetoNbd:
      return title ? "Pareto/NBD" : "pareto_nbd";
    case RetentionModel::kBgBb:
      return title ? "BG/BB" : "bg_bb";
  }
  return "";
}

double RetentionFit::value(std::string_view name) const {
  for (const ParameterFit& parameter : parameters) {
    if (parameter.name == name) return parameter.value;
  }
  CJSIM_CHECK(false, "no such parameter in the fit");
  return 0;
}

namespace {

// The sum over the rows of customers x per_customer(row), in the rows'
// fixed order, so that it is the same bit for bit every time.
template <typename Row, typename PerCustomer>
double sum_over_customers(const std::vector<Row>& rows, PerCustomer per_customer) {
  double total = 0;
  for (const Row& row : rows) total += row.customers * per_customer(row);
  return total;
}

}  // namespace

double bg_nbd_total_log_likelihood(const BgNbdParameters& p, const ContinuousSummary& data) {
  return sum_over_customers(data.rows, [&](const RecencyFrequency& row) {
    return bg_nbd_log_likelihood(p, row.x, row.t_x, row.t_cal);
  });
}

double pareto_nbd_total_log_likelihood(const ParetoNbdParameters& p,
                                       const ContinuousSummary& data) {
  return sum_over_customers(data.rows, [&](const RecencyFrequency& row) {
    return pareto_nbd_log_likelihood(p, row.x, row.t_x, row.t_cal);
  });
}

double bg_bb_likelihood_terms(const PeriodSummary& data) {
  double terms = 0;
  for (const PeriodRecencyFrequency& row : data.rows) terms += row.n - row.t_x + 1.0;
  return terms;
}

double bg_bb_total_log_likelihood(const BgBbParameters& p, const PeriodSummary& data) {
  return sum_over_customers(data.rows, [&](const PeriodRecencyFrequency& row) {
    return bg_bb_log_likelihood(p, row.x, row.t_x, row.n);
  });
}

namespace {

// The search range of every parameter: [1e-8, 1e8], as logarithms. An
// estimate at its edge means the data do not pin the parameter down.
const double kLogLower = std::log(1e-8);
const double kLogUpper = std::log(1e8);
// Step of the central differences for the Hessian, in log-parameter space:
// about the fourth root of the double precision, which balances truncation
// (h^2) against cancellation (eps / h^2) for a smooth function.
constexpr double kHessianStep = 1e-4;
constexpr int kMaxEvaluationsPerRun = 20000;

using LogLikelihood = std::function<double(const std::vector<double>&)>;

struct Objective {
  const LogLikelihood* log_likelihood;
  std::vector<double> parameters;  // scratch: exp of the point
  const std::atomic<bool>* stop = nullptr;
  nlopt::opt* optimizer = nullptr;  // the one running, to stop it
  int evaluations = 0;

  bool stopped() const { return stop_requested(stop); }

  double negative_at(const double* log_parameters) {
    if (stopped()) {
      if (optimizer != nullptr) optimizer->force_stop();
      return HUGE_VAL;
    }
    ++evaluations;
    for (size_t i = 0; i < parameters.size(); ++i) parameters[i] = std::exp(log_parameters[i]);
    const double value = (*log_likelihood)(parameters);
    // The derivative-free algorithms only compare values: a point where the
    // likelihood cannot be evaluated is simply the worst.
    return std::isfinite(value) ? -value : HUGE_VAL;
  }
};

double nlopt_objective(unsigned, const double* x, double* gradient, void* data) {
  CJSIM_CHECK(gradient == nullptr, "retention fits use derivative-free algorithms");
  return static_cast<Objective*>(data)->negative_at(x);
}

nlopt::result minimize(nlopt::algorithm algorithm, double initial_step, Objective& objective,
                       std::vector<double>& x, double* minimum) {
  const unsigned n = static_cast<unsigned>(x.size());
  nlopt::opt optimizer(algorithm, n);
  objective.optimizer = &optimizer;
  const nlopt::result result = run_nlopt(
      optimizer,
      [&](nlopt::opt& o) {
        o.set_lower_bounds(std::vector<double>(n, kLogLower));
        o.set_upper_bounds(std::vector<double>(n, kLogUpper));
        o.set_min_objective(nlopt_objective, &objective);
        o.set_ftol_rel(1e-14);
        o.set_xtol_abs(1e-10);
        o.set_maxeval(kMaxEvaluationsPerRun);
        o.set_initial_step(initial_step);
      },
      x, minimum);
  objective.optimizer = nullptr;
  return result;
}

// One of a model's two mixing distributions: the heterogeneity of one
// behaviour across customers, a Gamma (shape, rate) or a Beta (a, b) over
// two of the parameters. Multiplying both parameters by k keeps its mean
// (shape/rate, a/(a+b)) and divides its variance by about k: as k grows,
// every customer behaves alike.
struct MixingDistribution {
  size_t first, second;
  bool is_beta;
  std::string behaviour;  // "purchase rate", "dropout probability", ...
};

struct ModelSpec {
  RetentionModel model;
  std::vector<std::string> names;
  std::vector<double> start;
  LogLikelihood log_likelihood;
  // Predicted holdout transactions at the given parameters.
  std::function<double(const std::vector<double>&)> predict_holdout;
  std::vector<MixingDistribution> mixing;
};

struct Optimum {
  std::vector<double> values;
  std::vector<double> std_errors;
  double log_likelihood = 0;
  std::vector<std::string> warnings;
  int evaluations = 0;
};

// What "pinned down" means: moving a parameter (or a mixing distribution's
// pair together) by a factor of 10 either way from the estimate, the others
// held, lowers the log-likelihood by at least half the 95% quantile of
// chi-squared with one degree of freedom (3.84 / 2). With the others held
// the fall is at least the profile likelihood's, so a move that falls less
// is inside the 95% likelihood-ratio interval: the data do not tell the
// estimate from ten times (or a tenth of) it.
constexpr double kPinnedDownFall = 1.92;
const double kLogTen = std::log(10.0);

std::string figure(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

// The fall of the log-likelihood from the optimum `x` (negative value
// `minimum`) when the parameters `moved` are multiplied by 10^`direction`;
// infinite when the move leaves the search range.
double fall_when_moved(Objective& objective, const std::vector<double>& x, double minimum,
                       const std::vector<size_t>& moved, int direction) {
  std::vector<double> point = x;
  for (size_t i : moved) {
    point[i] += direction * kLogTen;
    if (point[i] < kLogLower || point[i] > kLogUpper) return HUGE_VAL;
  }
  return objective.negative_at(point.data()) - minimum;
}

// Marks in `pinned` the parameters the data do not pin down (above), with a
// warning each that says what the data do tell.
void check_pinned_down(const ModelSpec& spec, Objective& objective, const std::vector<double>& x,
                       double minimum, std::vector<bool>& pinned,
                       std::vector<std::string>& warnings) {
  for (const MixingDistribution& mixing : spec.mixing) {
    if (!pinned[mixing.first] || !pinned[mixing.second]) continue;
    const std::string& a = spec.names[mixing.first];
    const std::string& b = spec.names[mixing.second];
    for (int direction : {1, -1}) {
      const double fall =
          fall_when_moved(objective, x, minimum, {mixing.first, mixing.second}, direction);
      if (fall >= kPinnedDownFall) continue;
      const double va = std::exp(x[mixing.first]), vb = std::exp(x[mixing.second]);
      const std::string mean = mixing.is_beta
                                   ? a + "/(" + a + "+" + b + ") = " + figure(va / (va + vb))
                                   : a + "/" + b + " = " + figure(va / vb);
      std::string warning =
          a + " and " + b + " are not pinned down (" + a + " = " + figure(va) + ", " + b + " = " +
          figure(vb) + "): " + (direction > 0 ? "multiplying" : "dividing") +
          " both by 10 (the same mean " + mixing.behaviour + ", " +
          (direction > 0 ? "less" : "more") +
          " spread across customers) lowers the log-likelihood by only " +
          figure(std::max(fall, 0.0)) + ", under the 1.92 of a 95% likelihood-ratio test. ";
      warning += direction > 0
                     ? "The data are as likely if every customer has the same " + mixing.behaviour +
                           "; only its mean, " + mean + ", is estimated"
                     : "The data do not bound how widely the " + mixing.behaviour +
                           " varies across customers; its mean is " + mean;
      warnings.push_back(warning + ". No standard errors for " + a + " and " + b);
      pinned[mixing.first] = pinned[mixing.second] = false;
      break;
    }
  }
  for (size_t i = 0; i < x.size(); ++i) {
    if (!pinned[i]) continue;
    for (int direction : {1, -1}) {
      const double fall = fall_when_moved(objective, x, minimum, {i}, direction);
      if (fall >= kPinnedDownFall) continue;
      warnings.push_back("parameter " + spec.names[i] + " is not pinned down (" + spec.names[i] +
                         " = " + figure(std::exp(x[i])) +
                         "): " + (direction > 0 ? "multiplying" : "dividing") +
                         " it by 10, the others held, lowers the log-likelihood by only " +
                         figure(std::max(fall, 0.0)) +
                         ", under the 1.92 of a 95% likelihood-ratio test. No standard error");
      pinned[i] = false;
      break;
    }
  }
}

// The standard errors of the parameters marked in `pinned` (NaN for the
// others) from the Hessian of the negative log-likelihood over them, the
// others held at their estimates; false when that Hessian is not positive
// definite.
bool standard_errors(Objective& objective, const std::vector<double>& x,
                     const std::vector<bool>& pinned, std::vector<double>& std_errors) {
  // Hessian in phi = ln(theta). At the optimum the gradient vanishes, so the
  // Hessian in theta is D^-1 H_phi D^-1 with D = diag(theta), and the
  // covariance of theta is D H_phi^-1 D: std_error_i = theta_i
  // sqrt((H_phi^-1)_ii).
  std::vector<size_t> kept;
  for (size_t i = 0; i < x.size(); ++i) {
    if (pinned[i]) kept.push_back(i);
  }
  std_errors.assign(x.size(), std::numeric_limits<double>::quiet_NaN());
  if (kept.empty()) return true;
  auto f = [&](std::vector<double> point) { return objective.negative_at(point.data()); };
  const double h = kHessianStep;
  const double f0 = f(x);
  const Eigen::Index n = static_cast<Eigen::Index>(kept.size());
  Eigen::MatrixXd hessian(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const size_t p = kept[static_cast<size_t>(i)];
    std::vector<double> plus = x, minus = x;
    plus[p] += h;
    minus[p] -= h;
    hessian(i, i) = (f(plus) - 2 * f0 + f(minus)) / (h * h);
    for (Eigen::Index j = 0; j < i; ++j) {
      const size_t q = kept[static_cast<size_t>(j)];
      std::vector<double> pp = x, pm = x, mp = x, mm = x;
      pp[p] += h, pp[q] += h;
      pm[p] += h, pm[q] -= h;
      mp[p] -= h, mp[q] += h;
      mm[p] -= h, mm[q] -= h;
      hessian(i, j) = hessian(j, i) = (f(pp) - f(pm) - f(mp) + f(mm)) / (4 * h * h);
    }
  }
  Eigen::LLT<Eigen::MatrixXd> cholesky(hessian);
  if (!hessian.allFinite() || cholesky.info() != Eigen::Success) return false;
  const Eigen::MatrixXd covariance = cholesky.solve(Eigen::MatrixXd::Identity(n, n));
  for (Eigen::Index i = 0; i < n; ++i) {
    const size_t p = kept[static_cast<size_t>(i)];
    std_errors[p] = std::exp(x[p]) * std::sqrt(covariance(i, i));
  }
  return true;
}

Optimum maximize(const ModelSpec& spec, const std::atomic<bool>* stop) {
  const size_t n = spec.start.size();
  Objective objective{&spec.log_likelihood, std::vector<double>(n), stop};
  std::vector<double> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = std::log(spec.start[i]);
  double minimum = 0;
  Optimum optimum;
  // Nelder-Mead finds the basin from a rough start; a restart at its optimum
  // rebuilds a collapsed simplex; BOBYQA's quadratic models then converge
  // tightly where the function is smooth.
  minimize(nlopt::LN_NELDERMEAD, 0.5, objective, x, &minimum);
  minimize(nlopt::LN_NELDERMEAD, 0.05, objective, x, &minimum);
  const nlopt::result polish = minimize(nlopt::LN_BOBYQA, 1e-3, objective, x, &minimum);
  if (objective.stopped()) {  // incomplete: the caller discards it
    optimum.values.assign(n, std::numeric_limits<double>::quiet_NaN());
    optimum.std_errors = optimum.values;
    return optimum;
  }
  if (polish == nlopt::MAXEVAL_REACHED) {
    optimum.warnings.push_back("the optimiser did not converge within " +
                               std::to_string(kMaxEvaluationsPerRun) + " evaluations");
  } else if (polish < 0 && polish != nlopt::ROUNDOFF_LIMITED) {
    optimum.warnings.push_back(std::string("the optimiser stopped with '") +
                               nlopt_result_to_string(static_cast<nlopt_result>(polish)) + "'");
  }
  minimum = objective.negative_at(x.data());
  optimum.log_likelihood = -minimum;
  optimum.values.resize(n);
  std::vector<bool> pinned(n, true);
  for (size_t i = 0; i < n; ++i) {
    optimum.values[i] = std::exp(x[i]);
    // Within a factor of 10 of an edge: the optimiser was heading there.
    if (x[i] < kLogLower + kLogTen || x[i] > kLogUpper - kLogTen) {
      optimum.warnings.push_back("parameter " + spec.names[i] +
                                 " ran to the edge of the search range [1e-08, 1e+08]: the data "
                                 "do not pin it down. No standard error");
      pinned[i] = false;
    }
  }
  check_pinned_down(spec, objective, x, minimum, pinned, optimum.warnings);
  if (!standard_errors(objective, x, pinned, optimum.std_errors)) {
    optimum.warnings.push_back(
        "the Hessian of the log-likelihood is not positive definite at the estimate: no "
        "standard errors (the optimum may be flat or on the edge of the range)");
  }
  for (size_t i = 0; i < n; ++i) {
    // On the log scale the 95% interval is then wider than exp(+-1.96 x 1):
    // more than a factor of 7 either way.
    if (optimum.std_errors[i] > optimum.values[i]) {
      optimum.warnings.push_back("parameter " + spec.names[i] + " is barely pinned down: its " +
                                 "standard error " + figure(optimum.std_errors[i]) +
                                 " is larger than the estimate " + figure(optimum.values[i]) +
                                 " (a 95% interval spans more than a factor of 7 either way)");
    }
  }
  optimum.evaluations = objective.evaluations;
  return optimum;
}

// Fits `spec` and fills in what the summary (continuous or per period)
// says about the data.
template <typename Summary>
RetentionFit run_fit(const ModelSpec& spec, const Summary& data, const std::atomic<bool>* stop) {
  CJSIM_CHECK(data.customers > 0 && data.calibration_transactions > 0,
              "a fit needs customers with repeat transactions");
  const Optimum optimum = maximize(spec, stop);
  RetentionFit fit;
  fit.model = spec.model;
  for (size_t i = 0; i < spec.names.size(); ++i) {
    fit.parameters.push_back({spec.names[i], optimum.values[i], optimum.std_errors[i]});
  }
  fit.log_likelihood = optimum.log_likelihood;
  fit.warnings = optimum.warnings;
  fit.evaluations = optimum.evaluations;
  if (data.has_holdout() && !stop_requested(stop)) {
    fit.holdout =
        HoldoutComparison{data.holdout_transactions, spec.predict_holdout(optimum.values)};
  }
  fit.customers = data.customers;
  fit.calibration_transactions = data.calibration_transactions;
  fit.late_customers = data.late_customers;
  fit.calibration_end = data.calibration_end;
  fit.holdout_end = data.holdout_end;
  return fit;
}

// Time per repeat transaction in the data: a start for alpha (r = 1 makes
// the mean rate r / alpha the observed rate).
double observed_time_per_transaction(const ContinuousSummary& data) {
  const double time =
      sum_over_customers(data.rows, [](const RecencyFrequency& row) { return row.t_cal; });
  return time / std::max(data.calibration_transactions, 1.0);
}

BgNbdParameters as_bg_nbd(const std::vector<double>& v) { return {v[0], v[1], v[2], v[3]}; }
ParetoNbdParameters as_pareto_nbd(const std::vector<double>& v) { return {v[0], v[1], v[2], v[3]}; }
BgBbParameters as_bg_bb(const std::vector<double>& v) { return {v[0], v[1], v[2], v[3]}; }

}  // namespace

RetentionFit fit_bg_nbd(const ContinuousSummary& data, const std::atomic<bool>* stop) {
  const double t_star = data.holdout_length();
  const ModelSpec spec{
      RetentionModel::kBgNbd,
      {"r", "alpha", "a", "b"},
      {1, observed_time_per_transaction(data), 1, 1},
      [&](const std::vector<double>& v) { return bg_nbd_total_log_likelihood(as_bg_nbd(v), data); },
      [&](const std::vector<double>& v) {
        return sum_over_customers(data.rows, [&](const RecencyFrequency& row) {
          return bg_nbd_conditional_expected_transactions(as_bg_nbd(v), t_star, row.x, row.t_x,
                                                          row.t_cal);
        });
      },
      {{0, 1, false, "purchase rate"}, {2, 3, true, "dropout probability after a purchase"}}};
  RetentionFit fit = run_fit(spec, data, stop);
  fit.days_per_unit = data.days_per_unit;
  return fit;
}

RetentionFit fit_pareto_nbd(const ContinuousSummary& data, const std::atomic<bool>* stop) {
  const double t_star = data.holdout_length();
  const double mean_age =
      sum_over_customers(data.rows, [](const RecencyFrequency& row) { return row.t_cal; }) /
      static_cast<double>(std::max<int64_t>(data.customers, 1));
  const ModelSpec spec{RetentionModel::kParetoNbd,
                       {"r", "alpha", "s", "beta"},
                       {1, observed_time_per_transaction(data), 1, std::max(mean_age, 1e-3)},
                       [&](const std::vector<double>& v) {
                         return pareto_nbd_total_log_likelihood(as_pareto_nbd(v), data);
                       },
                       [&](const std::vector<double>& v) {
                         return sum_over_customers(data.rows, [&](const RecencyFrequency& row) {
                           return pareto_nbd_conditional_expected_transactions(
                               as_pareto_nbd(v), t_star, row.x, row.t_x, row.t_cal);
                         });
                       },
                       {{0, 1, false, "purchase rate"}, {2, 3, false, "dropout rate"}}};
  RetentionFit fit = run_fit(spec, data, stop);
  fit.days_per_unit = data.days_per_unit;
  return fit;
}

RetentionFit fit_bg_bb(const PeriodSummary& data, const std::atomic<bool>* stop) {
  const ModelSpec spec{
      RetentionModel::kBgBb,
      {"alpha", "beta", "gamma", "delta"},
      {1, 1, 1, 1},
      [&](const std::vector<double>& v) { return bg_bb_total_log_likelihood(as_bg_bb(v), data); },
      [&](const std::vector<double>& v) {
        return sum_over_customers(data.rows, [&](const PeriodRecencyFrequency& row) {
          return bg_bb_conditional_expected_transactions(as_bg_bb(v), row.holdout_periods, row.x,
                                                         row.t_x, row.n);
        });
      },
      {{0, 1, true, "transaction probability per period"},
       {2, 3, true, "dropout probability per period"}}};
  RetentionFit fit = run_fit(spec, data, stop);
  fit.days_per_unit = 0;
  fit.period_days = data.period_days;
  fit.has_dates = data.period_days > 0;
  return fit;
}

BgNbdParameters bg_nbd_parameters(const RetentionFit& fit) {
  CJSIM_CHECK(fit.model == RetentionModel::kBgNbd, "not a BG/NBD fit");
  return {fit.value("r"), fit.value("alpha"), fit.value("a"), fit.value("b")};
}

ParetoNbdParameters pareto_nbd_parameters(const RetentionFit& fit) {
  CJSIM_CHECK(fit.model == RetentionModel::kParetoNbd, "not a Pareto/NBD fit");
  return {fit.value("r"), fit.value("alpha"), fit.value("s"), fit.value("beta")};
}

BgBbParameters bg_bb_parameters(const RetentionFit& fit) {
  CJSIM_CHECK(fit.model == RetentionModel::kBgBb, "not a BG/BB fit");
  return {fit.value("alpha"), fit.value("beta"), fit.value("gamma"), fit.value("delta")};
}

std::string time_unit_name(const RetentionFit& fit) {
  if (fit.model == RetentionModel::kBgBb) return "period";
  if (fit.days_per_unit == 7) return "week";
  if (fit.days_per_unit == 1) return "day";
  return std::to_string(fit.days_per_unit) + "_days";
}

v1::RetentionFit to_proto(const RetentionFit& fit, const std::string& input) {
  v1::RetentionFit out;
  out.set_model(std::string(model_name(fit.model)));
  for (const ParameterFit& parameter : fit.parameters) {
    v1::ParameterEstimate& estimate = (*out.mutable_parameters())[parameter.name];
    estimate.set_value(parameter.value);
    estimate.set_std_error(parameter.std_error);
  }
  out.set_log_likelihood(fit.log_likelihood);
  out.set_customers(static_cast<int32_t>(fit.customers));
  out.set_time_unit(time_unit_name(fit));
  if (fit.holdout) {
    v1::HoldoutComparison& holdout = *out.mutable_holdout();
    holdout.set_actual_transactions(fit.holdout->actual);
    holdout.set_predicted_transactions(fit.holdout->predicted);
    holdout.set_start(format_date(fit.calibration_end + 1));
    holdout.set_end(format_date(fit.holdout_end));
  }
  if (fit.has_dates) out.set_calibration_end(format_date(fit.calibration_end));
  out.set_period_days(fit.period_days);
  out.set_calibration_transactions(fit.calibration_transactions);
  out.set_late_customers(static_cast<int32_t>(fit.late_customers));
  for (const std::string& warning : fit.warnings) out.add_warnings(warning);
  set_provenance(make_provenance(input), &out);
  return out;
}

}  // namespace cjsim
