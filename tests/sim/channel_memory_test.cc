// Frequency caps and ad fatigue (docs/model.md "Frequency caps", "Ad
// fatigue"): the re-spread against the binomial law of a window's offers,
// the engine's delivered and capped exposures against it, fatigue's act
// probability after k exposures against its closed form, determinism, and
// the bad input.

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <tbb/task_arena.h>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/tools/roots.hpp>

#include "models/compiled_model.h"
#include "models/frequency_cap.h"
#include "models/validation.h"
#include "models/variant.h"
#include "sim/engine.h"
#include "tests/sim/simulate.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_text;

// E[min(N, cap)] for N ~ Binomial(days, q): what a window delivers to a
// person offered an exposure each day with probability q.
double binomial_delivery(int days, double q, int cap) {
  const boost::math::binomial_distribution<double> n(days, q);
  double delivered = 0;
  for (int k = 0; k <= days; ++k) delivered += std::min(k, cap) * boost::math::pdf(n, k);
  return delivered;
}

// The daily offer q of a constant-p window: E[min(N, cap)] = days x p, or
// the ceiling when that cannot be met (Boost's bisection, not the model's
// solver).
double binomial_offer(int days, double p, double ceiling, int cap) {
  const double bought = days * p;
  if (binomial_delivery(days, ceiling, cap) <= bought) return ceiling;
  const auto root = boost::math::tools::bisect(
      [&](double q) { return binomial_delivery(days, q, cap) - bought; }, p, ceiling,
      boost::math::tools::eps_tolerance<double>(50));
  return (root.first + root.second) / 2;
}

TEST_CASE("frequency caps: a window's delivery equals the binomial law of its offers") {
  for (int cap : {1, 2, 5}) {
    for (double q : {0.05, 0.3, 0.9}) {
      const std::vector<double> offers(7, q);
      CHECK(capped_delivery(offers, cap) == doctest::Approx(binomial_delivery(7, q, cap)));
    }
  }
  // The re-spread meets what was bought when the ceiling allows.
  std::vector<double> p(7, 0.15), ceiling(7, 0.3), q(7);
  const double delivered = respread_capped(p, ceiling, 2, q);
  CHECK(delivered == doctest::Approx(7 * 0.15).epsilon(1e-9));
  CHECK(q[0] == doctest::Approx(binomial_offer(7, 0.15, 0.3, 2)).epsilon(1e-9));
  // And offers the ceiling, delivering less, when it does not.
  const double short_of = respread_capped(p, ceiling, 1, q);
  CHECK(q[3] == 0.3);
  CHECK(short_of == doctest::Approx(1 - std::pow(0.7, 7)).epsilon(1e-12));
  // A cap as long as the window never binds.
  CHECK(respread_capped(p, ceiling, 7, q) == doctest::Approx(7 * 0.15));
  CHECK(q[0] == 0.15);
}

// One persona, one paid channel whose daily reach is 0.15 (max_reach 0.3,
// half-saturation at the daily spend, no adstock), over four weeks.
std::string capped(const std::string& cap) {
  return R"(
name: "capped"
simulation { horizon_days: 28 agents: 20000 replications: 8 seed: 5 }
personas { id: "p" channel_affinity { key: "tv" value: 1 } }
channels { id: "tv" weekly_budget: 700 cpm: 10 max_reach: 0.3 half_saturation: 100 )" +
         cap + R"( }
touchpoints { id: "ad" stage: AWARENESS channel: "tv" entry_weight: 1 cta { act_probability: 0.1 } }
touchpoints { id: "buy" stage: DECISION channel: "tv" goal { kind: "purchase" value: 5 } }
edges { from: "ad" to: "buy" }
)";
}

// Per person and week: the paid exposures delivered and those capped, one
// value per replication.
struct PerWeek {
  std::vector<double> delivered, capped;
};
PerWeek per_week(const std::vector<ReplicationCounts>& counts, double agents) {
  PerWeek w;
  for (const ReplicationCounts& c : counts) {
    w.delivered.push_back(static_cast<double>(c.channel_paid[0]) / agents / 4);
    w.capped.push_back(static_cast<double>(c.channel_capped[0]) / agents / 4);
  }
  return w;
}

TEST_CASE("frequency caps: delivered and capped exposures against the binomial count") {
  const double agents = 20000;
  SUBCASE("a cap of 2 a week: the money reaches people under the cap, all of it spent") {
    const v1::Scenario s = parse_text(capped("frequency_cap { exposures: 2 per_days: 7 }"));
    const CompiledModel model = compile(s, "");
    CHECK(model.channel_cost[0] == doctest::Approx(2800.0));  // 700 / 7 x 28, all delivered
    CHECK(model.channel_unspent[0] == 0);
    const PerWeek w = per_week(testing::simulate_counts(s), agents);
    const double q = binomial_offer(7, 0.15, 0.3, 2);
    const testing::Interval delivered = testing::t_interval(w.delivered, 0.999);
    const testing::Interval capped_out = testing::t_interval(w.capped, 0.999);
    INFO("q = " << q << ", delivered " << delivered.mean << ", capped " << capped_out.mean);
    CHECK(delivered.low <= 7 * 0.15);
    CHECK(7 * 0.15 <= delivered.high);
    // The offers past the cap: E[max(N - 2, 0)] = 7q - E[min(N, 2)].
    const double expected_capped = 7 * q - binomial_delivery(7, q, 2);
    CHECK(capped_out.low <= expected_capped);
    CHECK(expected_capped <= capped_out.high);
  }
  SUBCASE("a cap of 1 a week: the ceiling binds, part of the money is not spent") {
    const v1::Scenario s = parse_text(capped("frequency_cap { exposures: 1 per_days: 7 }"));
    const CompiledModel model = compile(s, "");
    const double delivered_share = (1 - std::pow(0.7, 7)) / (7 * 0.15);
    CHECK(model.channel_cost[0] == doctest::Approx(2800.0 * delivered_share).epsilon(1e-9));
    CHECK(model.channel_unspent[0] ==
          doctest::Approx(2800.0 * (1 - delivered_share)).epsilon(1e-9));
    CHECK(model.channel_impressions[0] == doctest::Approx(model.channel_cost[0] / 10 * 1000));
    const PerWeek w = per_week(testing::simulate_counts(s), agents);
    const testing::Interval delivered = testing::t_interval(w.delivered, 0.999);
    CHECK(delivered.low <= 1 - std::pow(0.7, 7));
    CHECK(1 - std::pow(0.7, 7) <= delivered.high);
  }
}

// Everyone is reached every day (max_reach 1, half-saturation far below
// the spend) and lands on "ad", which acts with probability 0.5 times the
// fatigue multiplier; acting leads to "more" (AWARENESS, where nobody acts:
// the goal behind it is never reached), so the person stays at AWARENESS
// and lands on "ad" again the next day.
std::string fatigued(double per_exposure, double half_life, int days) {
  return R"(
name: "fatigued"
simulation { horizon_days: )" +
         std::to_string(days) + R"( agents: 20000 replications: 8 seed: 9 }
personas { id: "p" channel_affinity { key: "tv" value: 1 } }
channels { id: "tv" weekly_budget: 7000 cpm: 10 max_reach: 1 half_saturation: 0.000001
  fatigue { per_exposure: )" +
         std::to_string(per_exposure) + " recovery_half_life_days: " + std::to_string(half_life) +
         R"( } }
channels { id: "web" }
touchpoints { id: "ad" stage: AWARENESS channel: "tv" entry_weight: 1 cta { act_probability: 0.5 } }
touchpoints { id: "more" stage: AWARENESS channel: "web" cta { act_probability: 0 } }
touchpoints { id: "buy" stage: DECISION channel: "web" goal { kind: "purchase" value: 1 } }
edges { from: "ad" to: "more" }
edges { from: "more" to: "buy" }
)";
}

TEST_CASE("ad fatigue: the act probability after k exposures is a exp(-beta r_k)") {
  const int days = 14;
  const double a = 0.5, beta = 0.3, half_life = 3;
  const std::vector<ReplicationCounts> counts =
      testing::simulate_counts(parse_text(fatigued(beta, half_life, days)));
  // On day k the person has k earlier exposures, of ages 1..k days:
  // recent r_k = sum_{i=1..k} rho^i, rho = 2^(-1/h).
  const double rho = std::exp2(-1 / half_life);
  double expected = 0;  // acts per person over the horizon
  double recent = 0;
  for (int k = 0; k < days; ++k) {
    expected += a * std::exp(-beta * recent);
    recent = (recent + 1) * rho;
  }
  // The engine keeps the stock to 1/256 of an exposure, rounded to nearest
  // at each day's decay: at most 1/512 x sum rho^i off, which moves each
  // day's act probability by at most a beta that much.
  const double quantum = a * beta * (1.0 / 512) / (1 - rho) * days;
  std::vector<double> acts;
  for (const ReplicationCounts& c : counts) {
    CHECK(c.channel_paid[0] == 20000u * days);  // reached every day
    acts.push_back(static_cast<double>(c.touchpoints[0].acts) / 20000);
  }
  const testing::Interval i = testing::t_interval(acts, 0.999);
  INFO("expected " << expected << ", simulated " << i.mean << " [" << i.low << ", " << i.high
                   << "], quantum " << quantum);
  CHECK(i.low - quantum <= expected);
  CHECK(expected <= i.high + quantum);
  // Without fatigue every day acts with a.
  CHECK(expected < a * days * 0.8);
}

TEST_CASE("frequency caps and fatigue: the same counts on one thread and on two") {
  v1::Scenario s = parse_text(capped("frequency_cap { exposures: 2 per_days: 7 } "
                                     "fatigue { per_exposure: 0.2 recovery_half_life_days: 5 }"));
  Diagnostics d;
  REQUIRE(validate_scenario(s, nullptr, d));
  const CompiledModel model = compile(s, "");
  CHECK(model.memory.bytes() == 6);  // day, one stock, one count, rounded up
  std::vector<ReplicationCounts> one, two;
  tbb::task_arena(1).execute([&] { one = Engine(model, 3).run(0, 2); });
  tbb::task_arena(2).execute([&] { two = Engine(model, 3).run(0, 2); });
  for (size_t r = 0; r < one.size(); ++r) testing::check_same_counts(one[r], two[r]);
}

TEST_CASE("frequency caps and fatigue: variants set and remove them") {
  v1::Scenario s = parse_text(
      capped("frequency_cap { exposures: 2 per_days: 7 }") + R"(
variants { name: "uncapped" channel_changes { channel: "tv" frequency_cap { exposures: 0 } } }
variants { name: "tired" channel_changes { channel: "tv" fatigue { per_exposure: 0.1 recovery_half_life_days: 7 } } }
)");
  Diagnostics d;
  const std::optional<v1::Scenario> uncapped = apply_and_validate_variant(s, "uncapped", d);
  REQUIRE_MESSAGE(uncapped.has_value(), d.to_string());
  CHECK_FALSE(uncapped->channels(0).has_frequency_cap());
  const std::optional<v1::Scenario> tired = apply_and_validate_variant(s, "tired", d);
  REQUIRE_MESSAGE(tired.has_value(), d.to_string());
  CHECK(tired->channels(0).has_frequency_cap());
  CHECK(tired->channels(0).fatigue().per_exposure() == 0.1);
}

TEST_CASE("frequency caps and fatigue: bad input names the channel and field") {
  auto errors = [](const std::string& text) {
    Diagnostics d;
    CHECK_FALSE(validate_scenario(parse_text(text), nullptr, d));
    return d.to_string();
  };
  CHECK(testing::contains(errors(capped("frequency_cap { exposures: 0 per_days: 7 }")),
                          "channel 'tv' frequency_cap.exposures: 0 is not in [1, 255]"));
  CHECK(testing::contains(errors(capped("frequency_cap { exposures: 300 per_days: 7 }")),
                          "frequency_cap.exposures: 300 is not in [1, 255]"));
  CHECK(testing::contains(errors(capped("frequency_cap { exposures: 3 }")),
                          "channel 'tv' frequency_cap.per_days: 0 is not in [1, 36500]"));
  CHECK(testing::contains(
      errors(capped("fatigue { per_exposure: nan recovery_half_life_days: 7 }")),
      "channel 'tv' fatigue.per_exposure: nan must be > 0"));
  CHECK(testing::contains(errors(capped("fatigue { per_exposure: 0.1 }")),
                          "channel 'tv' fatigue.recovery_half_life_days: 0 must be > 0 days"));
  CHECK(testing::contains(
      errors(capped("fatigue { per_exposure: -1 recovery_half_life_days: 7 }")),
      "fatigue.per_exposure: -1 must be > 0"));
  CHECK(testing::contains(
      errors(capped("") + R"(variants { name: "v" channel_changes { channel: "tv" frequency_cap { exposures: -1 } } })"),
      "frequency_cap.exposures: -1 is not in [0, 255] (0 removes the cap)"));
}

}  // namespace
}  // namespace cjsim
