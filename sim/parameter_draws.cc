#include "sim/parameter_draws.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>

#include "models/check.h"
#include "models/diagnostics.h"
#include "models/field_path.h"
#include "models/validation.h"
#include "sim/engine.h"
#include "sim/parallel.h"
#include "sim/rng.h"

namespace cjsim {

namespace {

// The agent word of a field's key: FNV-1a of its path folded to 32 bits,
// so that a field draws the same values wherever it stands in the list and
// whatever other fields are uncertain.
uint64_t path_key(const std::string& path) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : path) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return (h ^ (h >> 32)) & 0xffffffffull;
}

// Events of the kParameterDraw stream: a field's uniform, and the position
// taken in every `draws` list (one for all, so that values sampled together
// stay together).
constexpr uint64_t kFieldUniform = 0;
constexpr uint64_t kListPosition = 1;

// Inverse CDF of `u` in (0, 1) under the distribution of `entry`, truncated
// to `range` for the normal.
double quantile_of(const v1::Uncertain& entry, double u, const FieldRange& range) {
  namespace bm = boost::math;
  switch (entry.distribution_case()) {
    case v1::Uncertain::kBeta:
      return bm::quantile(bm::beta_distribution<>(entry.beta().a(), entry.beta().b()), u);
    case v1::Uncertain::kGamma:
      return bm::quantile(bm::gamma_distribution<>(entry.gamma().shape(), entry.gamma().scale()),
                          u);
    case v1::Uncertain::kLognormal:
      return bm::quantile(
          bm::lognormal_distribution<>(entry.lognormal().mu(), entry.lognormal().sigma()), u);
    case v1::Uncertain::kNormal: {
      const bm::normal_distribution<> normal(entry.normal().mean(), entry.normal().sd());
      const double low = std::isinf(range.low) ? 0 : bm::cdf(normal, range.low);
      const double high = std::isinf(range.high) ? 1 : bm::cdf(normal, range.high);
      const double p = low + u * (high - low);
      // Clamped: rounding at a bound must not leave the range.
      return std::clamp(bm::quantile(normal, std::clamp(p, 1e-300, 1 - 1e-16)), range.low,
                        range.high);
    }
    case v1::Uncertain::kUniform:
      return entry.uniform().low() + u * (entry.uniform().high() - entry.uniform().low());
    default:
      CJSIM_CHECK(false, "a distribution that validation should refuse");
      return 0;
  }
}

}  // namespace

std::vector<double> drawn_values(const v1::Scenario& scenario, uint64_t seed, int draw) {
  const uint64_t d = static_cast<uint64_t>(draw);
  std::vector<double> values;
  for (const v1::Uncertain& entry : scenario.uncertain()) {
    if (entry.has_draws()) {
      const rng::Pair bits = rng::philox(seed, d, 0, rng::Stream::kParameterDraw, kListPosition, 0);
      const auto& list = entry.draws().values();
      values.push_back(
          list[static_cast<int>(rng::uniform_index(bits[0], static_cast<uint64_t>(list.size())))]);
      continue;
    }
    const rng::Pair bits =
        rng::philox(seed, d, path_key(entry.path()), rng::Stream::kParameterDraw, kFieldUniform, 0);
    Result<ScenarioField> field = ScenarioField::parse(entry.path(), scenario);
    CJSIM_CHECK(field.is_ok(), "an uncertain path that validation should refuse");
    values.push_back(
        quantile_of(entry, rng::open_unit(bits[0]), field->range().value_or(FieldRange{})));
  }
  return values;
}

namespace {

// `scenario` with the values of draw `d` set, or a bad-input Status naming
// the draw and its values when that is not a valid scenario.
Result<v1::Scenario> drawn_scenario(const v1::Scenario& scenario, uint64_t seed, int d) {
  v1::Scenario drawn = scenario;
  const std::vector<double> values = drawn_values(scenario, seed, d);
  std::string set;
  for (int k = 0; k < scenario.uncertain_size(); ++k) {
    Result<ScenarioField> field = ScenarioField::parse(scenario.uncertain(k).path(), drawn);
    CJSIM_CHECK(field.is_ok(), "an uncertain path that validation should refuse");
    field->set(drawn, values[static_cast<size_t>(k)]);
    set += (set.empty() ? "" : ", ") + field->text() + " = " + number_text(values[k]);
  }
  Diagnostics diagnostics("parameter draw " + std::to_string(d));
  if (!validate_scenario(drawn, nullptr, diagnostics)) {
    return Status::bad_input("parameter draw " + std::to_string(d) + " (" + set +
                             ") is not a valid scenario: " + diagnostics.to_string());
  }
  return drawn;
}

}  // namespace

Status check_draws(const v1::Scenario& scenario, uint64_t seed, int draws) {
  for (int d = 0; d < draws; ++d) {
    if (Result<v1::Scenario> drawn = drawn_scenario(scenario, seed, d); !drawn) {
      return drawn.status();
    }
  }
  return Status::ok();
}

Result<std::vector<CompiledModel>> compile_draws(const v1::Scenario& scenario,
                                                 const std::string& variant, uint64_t seed,
                                                 int draws) {
  std::vector<CompiledModel> models;
  if (draws == 0) {
    models.push_back(compile(scenario, variant));
    return models;
  }
  for (int d = 0; d < draws; ++d) {
    Result<v1::Scenario> drawn = drawn_scenario(scenario, seed, d);
    if (!drawn) return drawn.status();
    models.push_back(compile(*drawn, variant));
    // Results name the scenario as given, not one of its draws.
    models.back().scenario_hash = scenario_hash(scenario);
  }
  // One form for every draw: if any draw reaches people through channels,
  // all run in the exposure form (a draw of max_reach 0 must not switch
  // the engine to the single-journey walk for some replications only).
  const bool any_reaches = std::any_of(models.begin(), models.end(),
                                       [](const CompiledModel& m) { return !m.single_journey; });
  for (CompiledModel& m : models) keep_form_of_reference(any_reaches, m);
  return models;
}

std::vector<ReplicationCounts> run_draws(std::span<const CompiledModel> models, uint64_t seed,
                                         int first, int count, std::atomic<uint64_t>* progress,
                                         const std::atomic<bool>* stop) {
  CJSIM_CHECK(!models.empty() && count >= 0, "no model to run");
  if (models.size() == 1) return Engine(models.front(), seed).run(first, count, progress, stop);
  const int draws = static_cast<int>(models.size());
  std::vector<ReplicationCounts> results(static_cast<size_t>(count));
  PerThread<Engine::Workspace> workspaces;
  parallel_indices(0, count, [&](int r) {
    const int replication = first + r;
    results[static_cast<size_t>(r)] =
        Engine(models[static_cast<size_t>(draw_of_replication(replication, draws))], seed)
            .run_replication(replication, progress, &workspaces.local(), stop);
  });
  return results;
}

}  // namespace cjsim
