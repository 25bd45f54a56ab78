#include "sim/calibration.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>

#include <Eigen/Dense>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>

#include "models/check.h"
#include "models/compiled_model.h"
#include "models/diagnostics.h"
#include "models/field_path.h"
#include "models/settings.h"
#include "models/validation.h"
#include "models/variant.h"
#include "sim/estimate.h"
#include "sim/kpi.h"
#include "sim/nlopt_run.h"
#include "sim/provenance.h"
#include "sim/rng.h"
#include "sim/run_result.h"

namespace cjsim {

namespace {

namespace bm = boost::math;

// The quantiles that bound an unbounded `uncertain` distribution: its
// central 99.8%. An infinite range cannot be scaled to [0, 1], and the
// tails beyond hold values the scenario's author did not mean.
constexpr double kTail = 0.001;

// A parameter nearer a bound than this share of its range is "at the bound".
constexpr double kAtBound = 0.001;

// Central-difference step of the Jacobian, as a share of each range.
// Large enough that many simulated people change their choices between
// the two points (on common random numbers the simulated KPI moves in
// small steps), small enough that the KPIs are close to linear over it.
constexpr double kStep = 0.05;

// An eigenvalue of J^T J below this share of the largest is a flat
// direction: the observations do not pin it.
constexpr double kFlat = 1e-8;

// A loading above this in a flat direction names the parameter.
constexpr double kFlatLoading = 0.3;

// Correlations above this in magnitude are reported as pairs the data can
// hardly tell apart.
constexpr double kHighCorrelation = 0.9;

// The objective of a parameter set that makes the scenario invalid or a
// KPI undefined: worse than any fit.
constexpr double kInvalid = 1e30;

Status refuse(const std::string& who, const std::string& why) {
  return Status::bad_input(who + ": " + why);
}

// Why `field` cannot be fitted, or "".
std::string unfittable(const ScenarioField& field) {
  const std::string& path = field.text();
  if (path.rfind("simulation", 0) == 0) {
    return "the simulation settings are fixed; name a field of a channel, touchpoint, persona, "
           "edge or the loyalty block";
  }
  if (field.is_integer()) return "a whole-number field cannot be fitted";
  if (path.rfind("channels[", 0) == 0 &&
      (path.ends_with("].weekly_budget") || path.ends_with("].cpm"))) {
    return "a channel's budget and CPM set the cost, which the KPIs take as known (fixed by "
           "the model); give the spend you had, and fit reach or act probabilities";
  }
  return "";
}

// The bounds of an `uncertain` entry (see free_parameters).
std::pair<double, double> bounds_of(const v1::Uncertain& u, const FieldRange& range) {
  double low = range.low, high = range.high;
  auto central = [&](const auto& distribution) {
    low = bm::quantile(distribution, kTail);
    high = bm::quantile(distribution, 1 - kTail);
  };
  switch (u.distribution_case()) {
    case v1::Uncertain::kBeta:
      central(bm::beta_distribution<>(u.beta().a(), u.beta().b()));
      break;
    case v1::Uncertain::kGamma:
      central(bm::gamma_distribution<>(u.gamma().shape(), u.gamma().scale()));
      break;
    case v1::Uncertain::kLognormal:
      central(bm::lognormal_distribution<>(u.lognormal().mu(), u.lognormal().sigma()));
      break;
    case v1::Uncertain::kNormal:
      central(bm::normal_distribution<>(u.normal().mean(), u.normal().sd()));
      break;
    case v1::Uncertain::kUniform:
      low = u.uniform().low();
      high = u.uniform().high();
      break;
    case v1::Uncertain::kDraws: {
      const auto& values = u.draws().values();
      low = *std::min_element(values.begin(), values.end());
      high = *std::max_element(values.begin(), values.end());
      break;
    }
    case v1::Uncertain::DISTRIBUTION_NOT_SET:
      break;
  }
  low = std::max(low, range.low);
  high = std::min(high, range.high);
  // A range open at its top ([0, 1) for adstock decay) keeps the bound inside.
  if (range.high_open && high >= range.high) high = std::nextafter(range.high, range.low);
  return {low, high};
}

// Estimates of every observation at one parameter set.
struct Evaluation {
  bool valid = false;
  std::vector<Estimate> simulated;  // simulation error only
  double chi_square = kInvalid;
  // Why not valid: the scenario's or a variant's diagnostics, or the
  // observation whose KPI has no value ("" when stopped).
  std::string problem;
};

// Runs the scenario at parameter sets and compares each with the
// observations. Not thread-safe: one per calibration.
class Evaluator {
 public:
  Evaluator(const v1::Scenario& scenario, const std::vector<Observation>& observations,
            const std::vector<FreeParameter>& parameters, const CalibrationSettings& settings,
            StudyProgress* progress)
      : scenario_(scenario),
        observations_(observations),
        parameters_(parameters),
        settings_(settings),
        progress_(progress) {
    const v1::Simulation& sim = scenario.simulation();
    const RunSettings run = resolve_run_settings(sim);
    seed_ = run.seed;
    replications_ = run.replications;
    confidence_ = run.confidence;
    reaches_ = !compile(scenario, "").single_journey;
    arms_.push_back("");
    for (const Observation& o : observations) {
      if (!o.variant.empty() && std::find(arms_.begin(), arms_.end(), o.variant) == arms_.end()) {
        arms_.push_back(o.variant);
      }
    }
    for (const FreeParameter& p : parameters) {
      Result<ScenarioField> field = ScenarioField::parse(p.path, scenario);
      CJSIM_CHECK(field.is_ok(), "a free parameter that free_parameters should refuse");
      fields_.push_back(*field);
    }
  }

  // Agent-days one evaluation simulates, for the progress bar.
  uint64_t days_per_evaluation() const {
    return static_cast<uint64_t>(arms_.size()) * static_cast<uint64_t>(replications_) *
           static_cast<uint64_t>(resolve_settings(scenario_.simulation()).horizon_days);
  }

  double confidence() const { return confidence_; }
  int64_t simulations() const { return simulations_; }

  // The parameter values of scaled point `u` in [0, 1]^p.
  std::vector<double> values_of(const std::vector<double>& u) const {
    std::vector<double> x(u.size());
    for (size_t i = 0; i < u.size(); ++i) {
      const FreeParameter& p = parameters_[i];
      x[i] = std::clamp(p.low + std::clamp(u[i], 0.0, 1.0) * (p.high - p.low), p.low, p.high);
    }
    return x;
  }

  // The scenario at values `x`.
  v1::Scenario at_values(const v1::Scenario& base, const std::vector<double>& x) const {
    v1::Scenario s = base;
    for (size_t i = 0; i < x.size(); ++i) {
      Result<ScenarioField> field = ScenarioField::parse(parameters_[i].path, s);
      CJSIM_CHECK(field.is_ok(), "a free parameter missing from its scenario");
      field->set(s, x[i]);
    }
    return s;
  }

  // Holds the simulated variances of the weights at those of `at` (a
  // valid evaluation) until release_weights(): within one search the
  // weights stay put, as in iteratively reweighted least squares.
  void hold_weights(const Evaluation& at) {
    held_variance_.clear();
    for (const Estimate& sim : at.simulated) held_variance_.push_back(sim.std_error * sim.std_error);
  }
  void release_weights() { held_variance_.clear(); }

  Evaluation evaluate(const std::vector<double>& u) {
    Evaluation e;
    const v1::Scenario s = at_values(scenario_, values_of(u));
    Diagnostics diagnostics("calibration");
    if (!validate_scenario(s, nullptr, diagnostics)) {
      e.problem = "the scenario is not valid there: " + diagnostics.to_string();
      return e;
    }
    // Each arm's replications, in the order of arms_.
    std::vector<CompiledModel> models;
    for (const std::string& arm : arms_) {
      if (arm.empty()) {
        models.push_back(compile(s, ""));
      } else {
        std::optional<v1::Scenario> applied = apply_and_validate_variant(s, arm, diagnostics);
        if (!applied) {
          e.problem = "variant '" + arm + "' does not apply there: " + diagnostics.to_string();
          return e;
        }
        models.push_back(compile(*applied, arm));
      }
      keep_form_of_reference(reaches_, models.back());
    }
    std::vector<std::vector<ReplicationCounts>> counts;
    for (const CompiledModel& m : models) {
      counts.push_back(settings_.runner(std::span(&m, 1), seed_, 0, replications_,
                                        done_counter(progress_), stop_flag_of(progress_)));
      simulations_ += replications_;
      if (progress_ != nullptr && progress_->stopped()) return e;
    }
    e.chi_square = 0;
    for (const Observation& o : observations_) {
      const Estimate sim = simulated(o, models, counts);
      if (!std::isfinite(sim.mean) || !std::isfinite(sim.std_error)) {
        e.chi_square = kInvalid;
        e.problem = "the observation of line " + std::to_string(o.line) + " (" + o.kpi +
                    (o.variant.empty() ? "" : ", variant " + o.variant) +
                    ") has no simulated value over its window (a ratio over none: ROAS or "
                    "cost per conversion where nothing is spent or converted)";
        e.simulated.clear();
        return e;
      }
      const double z = sim.mean - o.value;
      const double sim_variance = held_variance_.empty()
                                      ? sim.std_error * sim.std_error
                                      : held_variance_[e.simulated.size()];
      e.chi_square += z * z / (o.std_error * o.std_error + sim_variance);
      e.simulated.push_back(sim);
    }
    e.valid = true;
    return e;
  }

 private:
  size_t arm_of(const std::string& variant) const {
    return static_cast<size_t>(std::find(arms_.begin(), arms_.end(), variant) - arms_.begin());
  }

  // The KPI of `o` over its window in arm `a`, one sample per replication;
  // nullopt when the arm does not count it (ROAS where nothing is spent).
  std::optional<KpiSeries> series(const Observation& o, size_t a,
                                  const std::vector<CompiledModel>& models,
                                  const std::vector<std::vector<ReplicationCounts>>& counts) const {
    std::vector<Quantities> reps;
    reps.reserve(counts[a].size());
    for (const ReplicationCounts& c : counts[a]) {
      reps.push_back(window_quantities(models[a], c, o.window));
    }
    return kpi_series_named(models[a], reps, o.kpi);
  }

  // The simulated counterpart of `o`: the KPI, or the paired difference
  // variant - baseline on common random numbers (its standard error that
  // of the replications' paired, linearised differences).
  Estimate simulated(const Observation& o, const std::vector<CompiledModel>& models,
                     const std::vector<std::vector<ReplicationCounts>>& counts) const {
    const std::optional<KpiSeries> base = series(o, 0, models, counts);
    if (!base) return exact_estimate(kNaN);
    if (o.variant.empty()) return estimate_kpi(*base, confidence_, false);
    const std::optional<KpiSeries> variant = series(o, arm_of(o.variant), models, counts);
    if (!variant) return exact_estimate(kNaN);
    const std::vector<double> b = base->influence(), v = variant->influence();
    std::vector<double> paired(b.size());
    for (size_t r = 0; r < b.size(); ++r) paired[r] = v[r] - b[r];
    return linearized_estimate(variant->value() - base->value(), paired, confidence_);
  }

  const v1::Scenario& scenario_;
  const std::vector<Observation>& observations_;
  const std::vector<FreeParameter>& parameters_;
  const CalibrationSettings& settings_;
  StudyProgress* progress_;
  std::vector<ScenarioField> fields_;
  std::vector<std::string> arms_;  // "" (the baseline), then each lift's variant
  uint64_t seed_ = 0;
  std::vector<double> held_variance_;  // [observation]; empty: each point's own
  int replications_ = 0;
  double confidence_ = 0.95;
  bool reaches_ = false;
  int64_t simulations_ = 0;
};

struct Search {
  Evaluator* evaluator;
  int evaluations = 0;
  const StudyProgress* progress;
  nlopt::opt* optimizer;
};

double objective(unsigned n, const double* u, double* gradient, void* data) {
  CJSIM_CHECK(gradient == nullptr, "BOBYQA asks for no gradient");
  Search& search = *static_cast<Search*>(data);
  ++search.evaluations;
  const Evaluation e = search.evaluator->evaluate(std::vector<double>(u, u + n));
  if (search.progress != nullptr && search.progress->stopped()) search.optimizer->force_stop();
  return e.chi_square;
}

std::string status_words(nlopt::result status) {
  switch (status) {
    case nlopt::SUCCESS:
      return "converged";
    case nlopt::STOPVAL_REACHED:
      return "objective reached its target";
    case nlopt::FTOL_REACHED:
      return "converged (objective tolerance)";
    case nlopt::XTOL_REACHED:
      return "converged (parameter tolerance)";
    case nlopt::MAXEVAL_REACHED:
      return "stopped at the evaluation limit";
    case nlopt::MAXTIME_REACHED:
      return "stopped at the time limit";
    case nlopt::ROUNDOFF_LIMITED:
      return "stopped: roundoff limited";
    case nlopt::FORCED_STOP:
      return "stopped by a signal";
    default:
      return "failed (NLopt result " + std::to_string(static_cast<int>(status)) + ")";
  }
}

// "2.1%" for a share, else three significant digits.
std::string value_words(double value, bool share) {
  if (share) return number_text(value * 100) + "%";
  return number_text(value);
}

}  // namespace

std::string parameter_label(const std::string& path) {
  // HEAD[ID].a.b or HEAD.a.b; the last segment, or the map key, names it.
  std::string id, rest = path;
  const size_t open = path.find('['), close = path.find(']');
  if (open != std::string::npos && close != std::string::npos && close > open &&
      path.find('.') > open) {
    id = path.substr(open + 1, close - open - 1);
    rest = path.substr(close + 1);
  }
  std::string key;
  if (!rest.empty() && rest.back() == ']') {
    const size_t k = rest.rfind('[');
    key = rest.substr(k + 1, rest.size() - k - 2);
    rest = rest.substr(0, k);
  }
  std::string name = rest.substr(rest.rfind('.') == std::string::npos ? 0 : rest.rfind('.') + 1);
  std::replace(name.begin(), name.end(), '_', ' ');
  std::string label = name;
  if (path.rfind("edges[", 0) == 0) {
    label += " of edge " + id;
  } else if (!id.empty()) {
    label += " of " + id;
  } else if (path.rfind("loyalty.", 0) == 0) {
    label = "loyalty " + path.substr(8);
    std::replace(label.begin(), label.end(), '_', ' ');
  }
  if (!key.empty()) label += " for " + key;
  return label;
}

Result<std::vector<FreeParameter>> free_parameters(const v1::Scenario& scenario,
                                                   const std::vector<std::string>& specs) {
  std::vector<FreeParameter> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& who, const std::string& path, double low,
                 double high) -> Status {
    Result<ScenarioField> field = ScenarioField::parse(path, scenario);
    if (!field) return refuse(who, field.status().message());
    if (const std::string why = unfittable(*field); !why.empty()) return refuse(who, why);
    if (!seen.insert(field->text()).second) {
      return refuse(who, "the field is given twice; fit each field once");
    }
    if (!std::isfinite(low) || !std::isfinite(high) || !(low < high)) {
      return refuse(who, "the range " + number_text(low) + ":" + number_text(high) +
                             " is empty; give LO < HI");
    }
    if (const std::optional<FieldRange> range = field->range();
        range && (!range->contains(low) || !range->contains(high))) {
      return refuse(who, "the range " + number_text(low) + ":" + number_text(high) +
                             " is not inside the field's range " + range->text());
    }
    out.push_back({field->text(), low, high});
    return Status::ok();
  };
  for (const std::string& spec : specs) {
    const std::string who = "--free '" + spec + "'";
    const size_t equals = spec.rfind('=');
    const size_t colon = spec.rfind(':');
    if (equals == std::string::npos || colon == std::string::npos || colon < equals) {
      return refuse(who,
                    "write PATH=LO:HI, e.g. touchpoints[ig_ad].cta.act_probability=0.005:0.05");
    }
    char* end = nullptr;
    const std::string low_text = spec.substr(equals + 1, colon - equals - 1);
    const std::string high_text = spec.substr(colon + 1);
    const double low = std::strtod(low_text.c_str(), &end);
    const bool low_ok = !low_text.empty() && end == low_text.c_str() + low_text.size();
    const double high = std::strtod(high_text.c_str(), &end);
    const bool high_ok = !high_text.empty() && end == high_text.c_str() + high_text.size();
    if (!low_ok || !high_ok) return refuse(who, "LO and HI must be numbers");
    if (Status s = add(who, spec.substr(0, equals), low, high); !s.is_ok()) return s;
  }
  if (specs.empty()) {
    for (const v1::Uncertain& u : scenario.uncertain()) {
      const std::string who = "uncertain '" + u.path() + "'";
      Result<ScenarioField> field = ScenarioField::parse(u.path(), scenario);
      if (!field) return refuse(who, field.status().message());
      const auto [low, high] = bounds_of(u, field->range().value_or(FieldRange{}));
      if (Status s = add(who, u.path(), low, high); !s.is_ok()) return s;
    }
  }
  if (out.empty()) {
    return Status::bad_input(
        "nothing to fit: give --free PATH=LO:HI (repeatable), or `uncertain` entries in the "
        "scenario");
  }
  // The calibrated scenario makes every fitted field uncertain, and a
  // variant may not change an uncertain field (a parameter draw would
  // replace the variant's value: docs/model.md "Parameter uncertainty").
  for (const v1::Variant& variant : scenario.variants()) {
    Diagnostics ignored("");
    const std::optional<v1::Scenario> applied = apply_variant(scenario, variant.name(), ignored);
    if (!applied) continue;
    for (const FreeParameter& fp : out) {
      Result<ScenarioField> field = ScenarioField::parse(fp.path, scenario);
      if (field->get(scenario) == field->get(*applied)) continue;
      return Status::bad_input(
          fp.path + ": variant '" + variant.name() +
          "' changes this field, which the calibrated scenario would make uncertain (its "
          "draws would replace the variant's value, and the scenario would not validate); fit "
          "other fields, or calibrate a copy of the scenario without that variant");
    }
  }
  return out;
}

Result<std::vector<Observation>> simulated_observations(const v1::Scenario& scenario,
                                                        std::vector<Observation> observations,
                                                        uint64_t seed) {
  v1::Scenario seeded = scenario;
  seeded.mutable_simulation()->set_seed(seed);
  const std::vector<FreeParameter> none;
  const CalibrationSettings settings;
  Evaluator evaluator(seeded, observations, none, settings, nullptr);
  const Evaluation e = evaluator.evaluate({});
  if (!e.valid) return Status::bad_input(e.problem);
  for (size_t k = 0; k < observations.size(); ++k) {
    observations[k].value = e.simulated[k].mean;
    observations[k].std_error = e.simulated[k].std_error;
  }
  return observations;
}

Result<Calibration> calibrate(const v1::Scenario& scenario, const v1::Scenario& written,
                              const std::vector<Observation>& observations,
                              const std::vector<FreeParameter>& parameters,
                              const CalibrationSettings& settings, StudyProgress* progress) {
  const auto started = std::chrono::steady_clock::now();
  const size_t p = parameters.size(), m = observations.size();
  CJSIM_CHECK(p > 0 && m > 0, "a calibration of nothing");
  Evaluator evaluator(scenario, observations, parameters, settings, progress);
  const int max_evaluations =
      settings.max_evaluations > 0 ? settings.max_evaluations : 40 + 20 * static_cast<int>(p);
  if (progress != nullptr) {
    progress->total = evaluator.days_per_evaluation() *
                      static_cast<uint64_t>(max_evaluations + 2 + 2 * static_cast<int>(p));
  }

  // The start: the scenario's values, inside the bounds.
  std::vector<double> u(p);
  for (size_t i = 0; i < p; ++i) {
    const FreeParameter& fp = parameters[i];
    Result<ScenarioField> field = ScenarioField::parse(fp.path, scenario);
    const double value = field->get(scenario).value_or((fp.low + fp.high) / 2);
    u[i] = std::clamp((value - fp.low) / (fp.high - fp.low), 0.0, 1.0);
  }
  const std::vector<double> start = evaluator.values_of(u);
  // Every observation must have a value at the start, or the search has
  // nothing to compare (a KPI undefined over its window).
  if (const Evaluation first = evaluator.evaluate(u); !first.valid) {
    if (progress != nullptr && progress->stopped()) return Calibration{};
    return Status::bad_input("at the scenario's values, " + first.problem);
  }

  // BOBYQA (Powell 2009, "The BOBYQA algorithm for bound constrained
  // optimization without derivatives", Cambridge NA2009/06): a quadratic
  // model of the objective from 2p + 1 points, refined in a trust region
  // inside the bounds. A chi-square is close to quadratic near its
  // minimum, which BOBYQA exploits with far fewer evaluations than a
  // simplex (Nelder-Mead, Subplex) or COBYLA's linear models; its points
  // are never closer than the final trust radius (xtol_abs), so the small
  // steps of the objective on common random numbers do not mislead it.
  // It needs two dimensions; one parameter uses COBYLA.
  //
  // On common random numbers the objective moves in small steps, and in a
  // narrow valley (an observation with a small standard error) BOBYQA's
  // trust region can shrink to the tolerance before it reaches the bottom.
  // The search is therefore restarted from its best point with a fresh
  // trust region until a restart improves chi2 by less than kRestartGain
  // (a tenth of the one unit of chi2 that separates the interval's edge
  // from the fit), or the evaluations run out.
  //
  // Within one search the weights 1 / (se_obs^2 + se_sim^2) are held at
  // the simulated standard errors of its starting point, and set afresh at
  // each restart (iteratively reweighted least squares). Taken at every
  // point instead, the simulated errors (from a handful of replications)
  // make the objective jump by tens of percent between neighbours and can
  // reward a point for being noisier: a two-parameter search on the
  // nonprofit example stopped at 33% where the data asked for 1%.
  constexpr double kRestartGain = 0.1;
  constexpr int kMostRestarts = 10;
  const nlopt::algorithm algorithm = p >= 2 ? nlopt::LN_BOBYQA : nlopt::LN_COBYLA;
  Search search{&evaluator, 0, progress, nullptr};
  double best = kInvalid;
  nlopt::result status = nlopt::FAILURE;
  for (int restart = 0; restart < kMostRestarts; ++restart) {
    const int left = max_evaluations - search.evaluations - 1;
    if (left < 2 * static_cast<int>(p) + 2) break;
    evaluator.release_weights();
    const Evaluation from = evaluator.evaluate(u);
    ++search.evaluations;
    if (progress != nullptr && progress->stopped()) break;
    CJSIM_CHECK(from.valid, "the best point of the search is not a valid scenario");
    evaluator.hold_weights(from);
    best = from.chi_square;
    nlopt::opt optimizer(algorithm, static_cast<unsigned>(p));
    search.optimizer = &optimizer;
    std::vector<double> x = u;
    double value = kInvalid;
    status = run_nlopt(
        optimizer,
        [&](nlopt::opt& o) {
          o.set_lower_bounds(std::vector<double>(p, 0.0));
          o.set_upper_bounds(std::vector<double>(p, 1.0));
          o.set_min_objective(objective, &search);
          o.set_initial_step(std::vector<double>(p, 0.1));
          o.set_xtol_abs(std::vector<double>(p, 1e-3));
          o.set_maxeval(left);
        },
        x, &value);
    const double gain = best - value;
    if (value < best) {
      best = value;
      u = x;
    }
    if (status == nlopt::FORCED_STOP || status == nlopt::MAXEVAL_REACHED || gain < kRestartGain) {
      break;
    }
  }

  evaluator.release_weights();
  Calibration out;
  v1::CalibrationResult& r = out.result;
  r.set_optimizer(p >= 2 ? "NLopt BOBYQA" : "NLopt COBYLA");
  r.set_optimizer_status(status_words(status));
  r.set_evaluations(search.evaluations + 1);  // and the check at the start
  if (progress != nullptr && progress->stopped()) return out;

  // The fit, and the Jacobian of the weighted residuals (sim_k - obs_k) /
  // sigma_k there, sigma_k^2 = se_obs^2 + se_sim^2 held at the fit.
  const Evaluation fit = evaluator.evaluate(u);
  int curvature_evaluations = 1;
  CJSIM_CHECK(fit.valid || (progress != nullptr && progress->stopped()),
              "the best point of the search is not a valid scenario");
  if (!fit.valid) return out;
  std::vector<double> sigma(m);
  for (size_t k = 0; k < m; ++k) {
    const double se = fit.simulated[k].std_error, obs_se = observations[k].std_error;
    sigma[k] = std::sqrt(obs_se * obs_se + se * se);
  }
  Eigen::MatrixXd jacobian(m, p);  // d sim_k / d u_i, before weighting
  for (size_t i = 0; i < p; ++i) {
    std::vector<double> up = u, down = u;
    up[i] = std::min(1.0, u[i] + kStep);
    down[i] = std::max(0.0, u[i] - kStep);
    const Evaluation above = evaluator.evaluate(up), below = evaluator.evaluate(down);
    curvature_evaluations += 2;
    for (size_t k = 0; k < m; ++k) {
      const double hi = above.valid ? above.simulated[k].mean : fit.simulated[k].mean;
      const double lo = below.valid ? below.simulated[k].mean : fit.simulated[k].mean;
      const double width = (above.valid ? up[i] : u[i]) - (below.valid ? down[i] : u[i]);
      jacobian(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(i)) =
          width > 0 ? (hi - lo) / width : 0.0;
    }
    if (progress != nullptr && progress->stopped()) return out;
  }
  Eigen::MatrixXd weighted = jacobian;
  for (size_t k = 0; k < m; ++k) weighted.row(static_cast<Eigen::Index>(k)) /= sigma[k];

  // chi2 ~ chi2_min + (u - u*)^T (J^T J) (u - u*): the Gauss-Newton
  // curvature H = 2 J^T J, covariance 2 H^-1 = (J^T J)^-1 (docs/model.md
  // "Calibration"). Flat directions (eigenvalues near 0) are left out of
  // the inverse, and the parameters loading on them are unidentified.
  const Eigen::MatrixXd information = weighted.transpose() * weighted;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(information);
  const Eigen::VectorXd lambda = eigen.eigenvalues();
  const double largest = lambda.size() > 0 ? lambda.maxCoeff() : 0.0;
  std::vector<bool> identified(p, true);
  Eigen::MatrixXd covariance =
      Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(p), static_cast<Eigen::Index>(p));
  std::vector<std::string> warnings;
  for (Eigen::Index j = 0; j < lambda.size(); ++j) {
    const Eigen::VectorXd v = eigen.eigenvectors().col(j);
    if (largest > 0 && lambda(j) > kFlat * largest) {
      covariance += v * v.transpose() / lambda(j);
      continue;
    }
    std::vector<std::string> names;
    for (size_t i = 0; i < p; ++i) {
      if (std::abs(v(static_cast<Eigen::Index>(i))) > kFlatLoading) {
        identified[i] = false;
        names.push_back(parameter_label(parameters[i].path));
      }
    }
    std::string list;
    for (size_t n = 0; n < names.size(); ++n) {
      list += (n == 0 ? "" : n + 1 == names.size() ? " and " : ", ") + names[n];
    }
    warnings.push_back(
        names.size() == 1
            ? "the observations do not pin " + list +
                  ": the fit does not change when it does; its interval is the whole range "
                  "searched. Add an observation that it moves"
            : "the observations cannot tell " + list +
                  " apart (the curvature is flat along a mix of them); their intervals are the "
                  "whole ranges searched. Add an observation that moves one and not the others");
  }
  for (size_t i = 0; i < p; ++i) {
    if (identified[i]) continue;
    covariance.row(static_cast<Eigen::Index>(i)).setZero();
    covariance.col(static_cast<Eigen::Index>(i)).setZero();
  }

  const double z = bm::quantile(bm::normal_distribution<>(), 0.5 + evaluator.confidence() / 2);
  const std::vector<double> fitted = evaluator.values_of(u);
  for (size_t i = 0; i < p; ++i) {
    const FreeParameter& fp = parameters[i];
    const double width = fp.high - fp.low;
    Result<ScenarioField> field = ScenarioField::parse(fp.path, scenario);
    const std::optional<FieldRange> range = field->range();
    v1::CalibrationParameter* out_p = r.add_parameters();
    out_p->set_path(fp.path);
    out_p->set_label(parameter_label(fp.path));
    out_p->set_is_share(range && range->low == 0 && range->high == 1);
    out_p->set_low(fp.low);
    out_p->set_high(fp.high);
    out_p->set_start(start[i]);
    out_p->set_estimate(fitted[i]);
    out_p->set_identified(identified[i]);
    out_p->set_at_bound(u[i] < kAtBound || u[i] > 1 - kAtBound);
    const Eigen::Index ii = static_cast<Eigen::Index>(i);
    if (identified[i]) {
      const double se = std::sqrt(std::max(0.0, covariance(ii, ii))) * width;
      out_p->set_std_error(se);
      out_p->set_ci_low(std::max(fp.low, fitted[i] - z * se));
      out_p->set_ci_high(std::min(fp.high, fitted[i] + z * se));
    } else {
      out_p->set_std_error(kNaN);
      out_p->set_ci_low(fp.low);
      out_p->set_ci_high(fp.high);
    }
    if (out_p->at_bound()) {
      warnings.push_back(out_p->label() + " ended at " + (u[i] < 0.5 ? "the lower" : "the upper") +
                         " bound of its range (" +
                         value_words(u[i] < 0.5 ? fp.low : fp.high, out_p->is_share()) +
                         "): the best value may lie beyond it; widen --free if the field allows");
    }
  }
  // Correlations, and the pairs the data can hardly tell apart.
  for (size_t i = 0; i < p; ++i) {
    v1::CorrelationRow* row = r.add_correlation();
    row->set_path(parameters[i].path);
    for (size_t j = 0; j < p; ++j) {
      const Eigen::Index a = static_cast<Eigen::Index>(i), b = static_cast<Eigen::Index>(j);
      const double denom = std::sqrt(covariance(a, a) * covariance(b, b));
      row->add_values(i == j ? 1.0 : denom > 0 ? covariance(a, b) / denom : kNaN);
    }
  }
  for (size_t i = 0; i < p; ++i) {
    for (size_t j = i + 1; j < p; ++j) {
      const double rho = r.correlation(static_cast<int>(i)).values(static_cast<int>(j));
      if (std::isfinite(rho) && std::abs(rho) > kHighCorrelation) {
        warnings.push_back("the observations hardly tell " + parameter_label(parameters[i].path) +
                           " and " + parameter_label(parameters[j].path) + " apart (correlation " +
                           number_text(std::round(rho * 100) / 100) +
                           "): a higher one with a lower other fits about as well");
      }
    }
  }

  // Each observation at the fit, its interval including the parameters'
  // uncertainty by the delta method: var = g^T C g + se_sim^2.
  for (size_t k = 0; k < m; ++k) {
    const Observation& o = observations[k];
    const Estimate& sim = fit.simulated[k];
    const Eigen::VectorXd g = jacobian.row(static_cast<Eigen::Index>(k)).transpose();
    const double from_parameters = std::sqrt(std::max(0.0, g.dot(covariance * g)));
    const double total = std::hypot(from_parameters, sim.std_error);
    Estimate e = sim;
    e.std_error = total;
    e.from_parameters = from_parameters;
    e.from_simulation = sim.std_error;
    e.ci_low = sim.mean - z * total;
    e.ci_high = sim.mean + z * total;
    if (o.variant.empty()) {
      if (const std::optional<KpiInfo> info = kpi_info(o.kpi)) e = clip_to_range(e, info->range);
    }
    v1::CalibrationObservation* out_o = r.add_observations();
    out_o->set_line(o.line);
    out_o->set_kpi(o.kpi);
    out_o->set_variant(o.variant);
    out_o->set_from_day(o.window.from);
    out_o->set_to_day(o.window.to);
    const Result<Calendar> calendar = Calendar::of(scenario.simulation());
    out_o->set_from_date(calendar->date(o.window.from));
    out_o->set_to_date(calendar->date(o.window.to));
    out_o->set_observed(o.value);
    out_o->set_observed_std_error(o.std_error);
    set_estimate(e, out_o->mutable_simulated());
    out_o->set_standardized_residual((sim.mean - o.value) / sigma[k]);
  }
  r.set_chi_square(fit.chi_square);
  const int dof = static_cast<int>(m) - static_cast<int>(p);
  r.set_degrees_of_freedom(dof);
  if (dof > 0) {
    const double pv = bm::cdf(bm::complement(bm::chi_squared_distribution<>(dof), fit.chi_square));
    r.set_p_value(pv);
    if (pv < 0.01) {
      // Three significant digits, and the observation the fit misses most:
      // where a strategist looks first.
      auto three = [](double x) {
        char text[32];
        std::snprintf(text, sizeof text, "%.3g", x);
        return std::string(text);
      };
      const v1::CalibrationObservation* worst = nullptr;
      for (const v1::CalibrationObservation& o : r.observations()) {
        if (worst == nullptr ||
            std::abs(o.standardized_residual()) > std::abs(worst->standardized_residual())) {
          worst = &o;
        }
      }
      std::string missed;
      if (worst != nullptr) {
        missed = "; the largest residual is line " + std::to_string(worst->line()) + " (" +
                 worst->kpi() + (worst->variant().empty() ? "" : " lift of " + worst->variant()) +
                 ", " + three(worst->standardized_residual()) +
                 " standard errors): a parameter that moves it may be missing from --free";
      }
      warnings.push_back("the scenario does not fit the observations well (chi-square " +
                         three(fit.chi_square) + " on " + std::to_string(dof) +
                         " degrees of freedom, p " + (pv < 0.001 ? "< 0.001" : "= " + three(pv)) +
                         ")" + missed + "; the intervals assume a model that fits");
    }
  }

  // The calibrated scenario: fitted values in place, and joint draws from
  // N(u*, C) truncated to [0, 1]^p (an unidentified parameter uniform over
  // its range), keyed by (seed, draw, attempt) on their own stream.
  out.calibrated = evaluator.at_values(written, fitted);
  v1::Scenario& c = out.calibrated;
  {
    google::protobuf::RepeatedPtrField<v1::Uncertain> kept;
    for (const v1::Uncertain& entry : c.uncertain()) {
      const bool fitted_path =
          std::any_of(parameters.begin(), parameters.end(),
                      [&](const FreeParameter& fp) { return fp.path == entry.path(); });
      if (!fitted_path) *kept.Add() = entry;
    }
    c.mutable_uncertain()->Swap(&kept);
  }
  int draws = settings.draws;
  for (const v1::Uncertain& entry : c.uncertain()) {
    if (entry.has_draws()) draws = entry.draws().values_size();
  }
  const Eigen::MatrixXd root = eigen.eigenvectors();  // C = V diag(1 / lambda) V^T
  std::vector<v1::ValueDraws*> lists;
  for (size_t i = 0; i < p; ++i) {
    v1::Uncertain* entry = c.add_uncertain();
    entry->set_path(parameters[i].path);
    lists.push_back(entry->mutable_draws());
  }
  const uint64_t seed = resolve_run_settings(scenario.simulation()).seed;
  constexpr int kAttempts = 1000;
  for (int d = 0; d < draws; ++d) {
    std::vector<double> drawn(p);
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      // Standard normals by Box-Muller, two per Philox block.
      Eigen::VectorXd normal(static_cast<Eigen::Index>(p));
      std::vector<double> uniform(p);
      for (size_t j = 0; j < p; ++j) {
        const rng::Pair bits =
            rng::philox(seed, static_cast<uint64_t>(d), static_cast<uint64_t>(attempt),
                        rng::Stream::kCalibrationDraw, j, 0);
        const double a = rng::open_unit(bits[0]), b = rng::open_unit(bits[1]);
        normal(static_cast<Eigen::Index>(j)) = std::sqrt(-2 * std::log(a)) * std::cos(2 * M_PI * b);
        uniform[j] = b;
      }
      Eigen::VectorXd step = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(p));
      for (Eigen::Index j = 0; j < lambda.size(); ++j) {
        if (largest > 0 && lambda(j) > kFlat * largest) {
          step += root.col(j) * (normal(j) / std::sqrt(lambda(j)));
        }
      }
      bool inside = true;
      for (size_t i = 0; i < p; ++i) {
        drawn[i] = identified[i] ? u[i] + step(static_cast<Eigen::Index>(i)) : uniform[i];
        inside = inside && drawn[i] >= 0 && drawn[i] <= 1;
      }
      if (inside) break;
      // After kAttempts rejections (a fit at a bound with a wide
      // interval), the last draw is clamped into the range.
    }
    const std::vector<double> values = evaluator.values_of(drawn);
    for (size_t i = 0; i < p; ++i) lists[i]->add_values(values[i]);
  }
  r.set_draws_written(draws);

  for (const std::string& w : warnings) r.add_warnings(w);
  r.set_curvature_evaluations(curvature_evaluations);
  r.set_simulations(evaluator.simulations());
  r.set_confidence(evaluator.confidence());
  r.set_observed_file(settings.observed_file);
  set_provenance(
      make_provenance(scenario, "", resolve_run_settings(scenario.simulation()).replications,
                      settings.threads),
      &r);
  r.set_wall_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return out;
}

}  // namespace cjsim
