#include "sim/comparison.h"

#include <cmath>
#include <limits>
#include <span>
#include <vector>

#include "sim/check.h"

namespace cjsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

double mean_of(std::span<const double> v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

// Sample variance (n - 1), two passes in index order.
double variance_of(std::span<const double> v) {
  const double m = mean_of(v);
  double squares = 0;
  for (double x : v) squares += (x - m) * (x - m);
  return squares / static_cast<double>(v.size() - 1);
}

// An estimate `point` whose error is that of the mean of `influence` (the
// linearised, centred per-replication contributions).
Estimate linearized(double point, const std::vector<double>& influence, double confidence) {
  const double n = static_cast<double>(influence.size());
  if (!std::isfinite(point)) return {point, kNaN, kNaN, kNaN, static_cast<int64_t>(n)};
  const double std_error = std::sqrt(variance_of(influence) / n);
  const double half = std_error == 0 ? 0 : student_t_critical(confidence, n - 1) * std_error;
  return {point, std_error, point - half, point + half, static_cast<int64_t>(n)};
}

}  // namespace

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kBetter:
      return "better";
    case Verdict::kWorse:
      return "worse";
    case Verdict::kNoDetectableDifference:
      return "no_detectable_difference";
    case Verdict::kUndetermined:
      return "undetermined";
  }
  return "undetermined";
}

KpiComparison compare_kpi(const KpiSeries& baseline, const KpiSeries& variant, double confidence) {
  const std::vector<double>& x = baseline.samples;
  const std::vector<double>& y = variant.samples;
  CJSIM_CHECK(x.size() == y.size() && x.size() >= 2, "paired KPIs need equal sample counts >= 2");
  const size_t n = x.size();
  const double mx = mean_of(x), my = mean_of(y);
  const double fx = baseline.at(mx), fy = variant.at(my);
  const double gx = baseline.slope(mx), gy = variant.slope(my);

  KpiComparison out;
  // Delta method: f(mean y) - f(mean x) varies as the mean of
  // gy (y_r - my) - gx (x_r - mx).
  std::vector<double> paired(n), own_x(n), own_y(n), relative(n);
  for (size_t r = 0; r < n; ++r) {
    own_x[r] = gx * (x[r] - mx);
    own_y[r] = gy * (y[r] - my);
    paired[r] = own_y[r] - own_x[r];
  }
  // A plain mean difference is computed from the paired differences
  // themselves, so that identical arms give exactly 0.
  double point = fy - fx;
  if (baseline.form == KpiSeries::Form::kMean && variant.form == KpiSeries::Form::kMean) {
    std::vector<double> d(n);
    for (size_t r = 0; r < n; ++r) d[r] = y[r] - x[r];
    point = mean_of(d);
  }
  out.difference = linearized(point, paired, confidence);

  if (fx != 0 && std::isfinite(fx)) {
    // f(y)/f(x) - 1 varies as the mean of (own_y - (fy / fx) own_x) / fx.
    for (size_t r = 0; r < n; ++r) relative[r] = (own_y[r] - fy / fx * own_x[r]) / fx;
    out.relative = linearized(point / fx, relative, confidence);
  } else {
    out.relative = {kNaN, kNaN, kNaN, kNaN, static_cast<int64_t>(n)};
  }

  const double independent = variance_of(own_x) + variance_of(own_y);
  const double together = variance_of(paired);
  out.variance_reduction = together > 0 ? independent / together : (independent > 0 ? kInf : 1);

  const Estimate& d = out.difference;
  if (!std::isfinite(d.mean) || std::isnan(d.ci_low) || std::isnan(d.ci_high)) {
    out.verdict = Verdict::kUndetermined;
  } else if (d.ci_low > 0 || d.ci_high < 0) {
    const bool up = d.mean > 0;
    out.verdict = up == variant.higher_is_better ? Verdict::kBetter : Verdict::kWorse;
  } else {
    out.verdict = Verdict::kNoDetectableDifference;
  }
  return out;
}

Estimate scale_estimate(const Estimate& e, double factor) {
  CJSIM_CHECK(factor != 0, "scaling an estimate by 0");
  Estimate out = e;
  out.mean = e.mean * factor;
  out.std_error = e.std_error * std::abs(factor);
  out.ci_low = (factor > 0 ? e.ci_low : e.ci_high) * factor;
  out.ci_high = (factor > 0 ? e.ci_high : e.ci_low) * factor;
  return out;
}

}  // namespace cjsim
