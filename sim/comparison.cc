#include "sim/comparison.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <vector>

#include "models/check.h"

namespace cjsim {

namespace {

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
    case Verdict::kNoChange:
      return "no_change";
  }
  return "undetermined";
}

KpiComparison compare_kpi(const KpiSeries& baseline, const KpiSeries& variant, double confidence) {
  CJSIM_CHECK(baseline.samples.size() == variant.samples.size() && baseline.samples.size() >= 2,
              "paired KPIs need equal sample counts >= 2");
  const size_t n = baseline.samples.size();
  const double fx = baseline.value(), fy = variant.value();
  // Delta method: f(variant) - f(baseline) varies as the mean of the
  // difference of the two influences.
  const std::vector<double> own_x = baseline.influence(), own_y = variant.influence();
  std::vector<double> paired(n), relative(n);
  for (size_t r = 0; r < n; ++r) paired[r] = own_y[r] - own_x[r];
  // A plain mean difference is computed from the paired differences
  // themselves, so that identical arms give exactly 0.
  double point = fy - fx;
  if (baseline.form == KpiSeries::Form::kMean && variant.form == KpiSeries::Form::kMean) {
    std::vector<double> d(n);
    for (size_t r = 0; r < n; ++r) d[r] = variant.samples[r] - baseline.samples[r];
    point = mean_of(d);
  }
  KpiComparison out;
  // Both arms ran the same parameter draws: the paired differences are
  // estimated over them too.
  const int draws = baseline.parameter_draws;
  out.difference = linearized_estimate(point, paired, confidence, draws);
  if (fx != 0 && std::isfinite(fx)) {
    // f(y) / f(x) - 1 varies as the mean of (own_y - (fy / fx) own_x) / fx.
    for (size_t r = 0; r < n; ++r) relative[r] = (own_y[r] - fy / fx * own_x[r]) / fx;
    out.relative = linearized_estimate(point / fx, relative, confidence, draws);
  } else {
    out.relative = {kNaN, kNaN, kNaN, kNaN, static_cast<int64_t>(n)};
  }
  // What the model fixes in both arms (cost) differs exactly, not merely
  // without variation.
  if (baseline.fixed_by_model && variant.fixed_by_model) {
    out.difference.no_variation = out.relative.no_variation = false;
  }

  const double independent = variance_of(own_x) + variance_of(own_y);
  const double together = variance_of(paired);
  out.variance_reduction = together > 0 ? independent / together : (independent > 0 ? kInf : 1);

  // Identical in every replication: the same samples (and, for a ratio, the
  // same denominators; for cost per conversion, the same cost).
  // What the model fixes (cost) is the same when it agrees to 1e-9 of its
  // size: the same budget split over other days (a flight moved) sums its
  // days in another order, and differs in the last bits only.
  const bool same_fixed = baseline.fixed_by_model && variant.fixed_by_model &&
                          std::abs(fy - fx) <= 1e-9 * std::max(std::abs(fx), std::abs(fy));
  const bool unchanged =
      same_fixed ||
      (baseline.form == variant.form && baseline.samples == variant.samples &&
       baseline.denominators == variant.denominators && baseline.numerator == variant.numerator);
  if (same_fixed) {
    out.difference = exact_estimate(0, static_cast<int64_t>(n));
    out.relative = exact_estimate(0, static_cast<int64_t>(n));
  }
  const Estimate& d = out.difference;
  if (unchanged) {
    out.verdict = Verdict::kNoChange;
  } else if (!std::isfinite(d.mean) || std::isnan(d.ci_low) || std::isnan(d.ci_high)) {
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
  // The parts over parameter draws scale as the whole (NaN stays NaN).
  out.from_parameters = e.from_parameters * std::abs(factor);
  out.from_simulation = e.from_simulation * std::abs(factor);
  return out;
}

}  // namespace cjsim
