// Maximum-likelihood fits of the repeat-purchase models (BG/NBD, Pareto/NBD,
// BG/BB) to customer summaries, with standard errors and, when the data go
// on after the calibration end, the holdout prediction next to what
// happened. docs/model.md, "Retention models and fitting", gives the
// formulas.
//
// The likelihood is maximised over the logarithms of the (positive)
// parameters with NLopt: Nelder-Mead, restarted at its optimum, then BOBYQA
// to polish; every step is deterministic, so the same data give the same
// figures bit for bit. Standard errors come from the inverse of a
// central-difference Hessian of the negative log-likelihood at the optimum
// (Eigen's Cholesky). A parameter the data do not pin down (one that ran to
// the edge of the search range, or that can be multiplied or divided by 10,
// alone or with its mixing distribution's partner, for less than 1.92 of
// log-likelihood) gets a warning and no standard error (NaN), as a
// standard error from the curvature of a flat likelihood is noise; so does
// every parameter when the Hessian is not positive definite.
// The functions are pure; call from any thread.
#ifndef CJSIM_SIM_RETENTION_FIT_H_
#define CJSIM_SIM_RETENTION_FIT_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cjsim/v1/retention.pb.h"
#include "models/customer_summary.h"
#include "sim/bg_bb.h"
#include "sim/bg_nbd.h"
#include "sim/pareto_nbd.h"

namespace cjsim {

enum class RetentionModel { kBgNbd, kParetoNbd, kBgBb };

// "bg_nbd", "pareto_nbd", "bg_bb" (RetentionFit.model); with `title`, as
// the papers write them: "BG/NBD", "Pareto/NBD", "BG/BB".
std::string_view model_name(RetentionModel model, bool title = false);

struct ParameterFit {
  std::string name;
  double value = 0;
  // NaN when the data do not pin the estimate down or the Hessian is not
  // positive definite (a warning says which).
  double std_error = 0;
};

struct HoldoutComparison {
  double actual = 0;
  double predicted = 0;
};

struct RetentionFit {
  RetentionModel model = RetentionModel::kBgNbd;
  std::vector<ParameterFit> parameters;  // in the papers' order
  double log_likelihood = 0;
  int64_t customers = 0;
  double calibration_transactions = 0;
  int64_t late_customers = 0;
  // Continuous-time models: the time unit in days (1 or 7). BG/BB: 0.
  double days_per_unit = 0;
  // BG/BB: days per period (from the transaction log's summary, or as the
  // caller knows it for a recency/frequency table); 0 when unknown.
  int32_t period_days = 0;
  // Whether the data came with dates (a transaction log); when not (a
  // recency/frequency table) the two days below are 0.
  bool has_dates = true;
  int32_t calibration_end = 0;
  int32_t holdout_end = 0;
  std::optional<HoldoutComparison> holdout;
  std::vector<std::string> warnings;
  int evaluations = 0;  // likelihood evaluations used by the optimiser

  // The estimate called `name`. REQUIRES: it is one of the model's.
  double value(std::string_view name) const;
};

// Sums over customers of the log-likelihood at given parameters.
double bg_nbd_total_log_likelihood(const BgNbdParameters& p, const ContinuousSummary& data);
double pareto_nbd_total_log_likelihood(const ParetoNbdParameters& p, const ContinuousSummary& data);
double bg_bb_total_log_likelihood(const BgBbParameters& p, const PeriodSummary& data);

// The terms one evaluation of the BG/BB likelihood sums over `data`: per
// row, one per period after the last transaction, plus one. A fit evaluates
// the likelihood hundreds to thousands of times, at about a nanosecond a
// term; fit-retention refuses data above limits::kMaxBgBbLikelihoodTerms.
double bg_bb_likelihood_terms(const PeriodSummary& data);

// The fits. REQUIRES: data.customers > 0 and data.calibration_transactions
// > 0 (without repeat transactions there is no maximum to find).
// `stop` (sim/stop.h) is read before each likelihood evaluation; once it is
// set the optimiser is stopped and the fit returned is incomplete.
RetentionFit fit_bg_nbd(const ContinuousSummary& data, const std::atomic<bool>* stop = nullptr);
RetentionFit fit_pareto_nbd(const ContinuousSummary& data, const std::atomic<bool>* stop = nullptr);
RetentionFit fit_bg_bb(const PeriodSummary& data, const std::atomic<bool>* stop = nullptr);

// The fitted parameters as the model's struct.
// REQUIRES: fit.model is the model named.
BgNbdParameters bg_nbd_parameters(const RetentionFit& fit);
ParetoNbdParameters pareto_nbd_parameters(const RetentionFit& fit);
BgBbParameters bg_bb_parameters(const RetentionFit& fit);

// "day", "week", "period".
std::string time_unit_name(const RetentionFit& fit);

// The cjsim.v1.RetentionFit message; `input` names the data file.
v1::RetentionFit to_proto(const RetentionFit& fit, const std::string& input);

}  // namespace cjsim

#endif  // CJSIM_SIM_RETENTION_FIT_H_
