// Property test: on random journey graphs in single-journey form, the Monte
// Carlo engine agrees with the exact absorbing-chain solution within its
// confidence interval, for the conversion rate, every funnel stage and the
// expected visits of every touchpoint.
//
// The tolerance is the engine's own interval. Its confidence is set so that
// the whole family of checks fails by chance with probability about 1%
// (Bonferroni: 1 - 0.01 / checks per graph / graphs), and the seeds are
// fixed, so the test is deterministic.

#include <cstdint>
#include <random>
#include <string>

#include <doctest/doctest.h>
#include <tbb/task_arena.h>

#include "models/compiled_model.h"
#include "models/validation.h"
#include "sim/engine.h"
#include "sim/exact_solver.h"
#include "sim/run_result.h"

namespace cjsim {
namespace {

// Portable draws from mt19937_64's exactly specified output (the standard
// distributions differ between standard libraries).
class Draw {
 public:
  explicit Draw(uint64_t seed) : engine_(seed) {}
  double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double between(double low, double high) { return low + (high - low) * unit(); }
  int below(int n) { return static_cast<int>(unit() * n); }

 private:
  std::mt19937_64 engine_;
};

v1::Scenario random_journey(uint64_t seed, int replications, double confidence) {
  Draw draw(seed);
  v1::Scenario s;
  s.set_name("random_" + std::to_string(seed));
  v1::Simulation* sim = s.mutable_simulation();
  sim->set_horizon_days(12);
  sim->set_agents(20000);
  sim->set_replications(replications);
  sim->set_seed(seed);
  sim->set_confidence(confidence);

  const int personas = 1 + draw.below(3);
  for (int p = 0; p < personas; ++p) {
    v1::Persona* persona = s.add_personas();
    persona->set_id("p" + std::to_string(p));
    persona->set_share(draw.between(0.2, 1.0));
    (*persona->mutable_responsiveness())["decision"] = draw.between(0.5, 1.5);
    (*persona->mutable_responsiveness())["consideration"] = draw.between(0.7, 1.3);
  }
  s.add_channels()->set_id("c0");
  s.add_channels()->set_id("c1");

  const int n = 5 + draw.below(20);
  for (int u = 0; u < n; ++u) {
    v1::Touchpoint* tp = s.add_touchpoints();
    tp->set_id("t" + std::to_string(u));
    // Later touchpoints tend to later stages, as in a funnel.
    tp->set_stage(static_cast<v1::Stage>(1 + std::min(3, u * 4 / n + draw.below(2))));
    tp->set_channel(draw.below(2) == 0 ? "c0" : "c1");
    tp->mutable_cta()->set_act_probability(draw.between(0.2, 0.95));
    if (u < 3) tp->set_entry_weight(draw.between(0.5, 2.0));
    if (u >= n - 2 || draw.unit() < 0.1) {
      // Two goal kinds, so that the per-kind KPIs (people reaching a kind,
      // counted once each) are checked too.
      tp->mutable_goal()->set_kind(u == n - 1 || draw.unit() < 0.5 ? "purchase" : "signup");
      tp->mutable_goal()->set_value(10);
    }
  }
  for (int u = 0; u < n; ++u) {
    const int out = 1 + draw.below(4);
    for (int k = 0; k < out; ++k) {
      v1::Edge* e = s.add_edges();
      e->set_from("t" + std::to_string(u));
      // Mostly forward, sometimes back: cycles are allowed.
      int to = draw.unit() < 0.8 ? std::min(n - 1, u + 1 + draw.below(4)) : draw.below(n);
      e->set_to("t" + std::to_string(to));
      e->set_weight(draw.between(0.1, 3.0));
      if (draw.unit() < 0.3) e->set_delay_days(draw.between(0.5, 4.0));
    }
  }
  return s;
}

TEST_CASE("exact agreement: Monte Carlo matches the absorbing chain on random graphs") {
  constexpr int kGraphs = 12;
  constexpr int kReplications = 16;
  int graphs = 0;
  for (uint64_t seed = 1; graphs < kGraphs; ++seed) {
    // Checks per graph: conversion rate, 4 stages, conversions, per goal
    // kind (at most 2) its conversion rate and conversions, visits per
    // touchpoint (at most 24), per channel (2) the conversions and value
    // credited to it.
    const double checks = kGraphs * (6 + 4 + 24 + 4);
    v1::Scenario scenario = random_journey(seed, kReplications, 1 - 0.01 / checks);
    Diagnostics diagnostics;
    if (!validate_scenario(scenario, nullptr, diagnostics)) continue;  // e.g. no goal reachable
    ++graphs;
    CAPTURE(seed);
    const CompiledModel model = compile(scenario, "");
    const RunSettings run = resolve_run_settings(scenario.simulation());
    REQUIRE(model.single_journey);
    const Result<ExactSolution> solution = solve_exact(model);
    REQUIRE(solution.is_ok());
    const v1::RunResult exact = summarize_exact(model, run, *solution, 0);

    std::vector<ReplicationCounts> counts;
    tbb::task_arena arena(2);
    arena.execute([&] { counts = Engine(model, run.seed).run(0, kReplications); });
    const v1::RunResult mc = summarize_monte_carlo(model, run, counts, 2, 0);

    auto within = [](const v1::Estimate& estimate, double truth) {
      return estimate.ci_low() <= truth + 1e-12 && truth - 1e-12 <= estimate.ci_high();
    };
    for (const char* kpi : {"conversion_rate", "conversions", "awareness_rate",
                            "consideration_rate", "decision_rate", "loyalty_rate"}) {
      CAPTURE(kpi);
      const double truth = exact.kpis().at(kpi).mean();
      CAPTURE(truth);
      CAPTURE(mc.kpis().at(kpi).DebugString());
      CHECK(within(mc.kpis().at(kpi), truth));
    }
    for (const std::string& kind : model.goal_kinds) {
      for (const std::string& kpi : {"conversion_rate:" + kind, "conversions:" + kind}) {
        CAPTURE(kpi);
        const double truth = exact.kpis().at(kpi).mean();
        CAPTURE(mc.kpis().at(kpi).DebugString());
        CHECK(within(mc.kpis().at(kpi), truth));
      }
    }
    // Channel credit: the day-0 entry is the one touch, so first touch, last
    // touch and touched are the same count in every replication.
    for (int c = 0; c < model.channel_count(); ++c) {
      CAPTURE(c);
      const v1::ChannelResult& m = mc.channels(c);
      const v1::ChannelResult& e = exact.channels(c);
      CHECK(within(m.first_touch_conversions(), e.first_touch_conversions().mean()));
      CHECK(within(m.first_touch_value(), e.first_touch_value().mean()));
      CHECK(m.last_touch_conversions().mean() == m.first_touch_conversions().mean());
      CHECK(m.assisted_value().mean() == m.first_touch_value().mean());
      CHECK(e.assisted_conversions().mean() == e.first_touch_conversions().mean());
    }
    for (int u = 0; u < model.touchpoint_count(); ++u) {
      CAPTURE(u);
      const double truth = exact.touchpoints(u).visits().mean();
      if (truth == 0) {
        CHECK(mc.touchpoints(u).visits().mean() == 0);
      } else {
        CHECK(within(mc.touchpoints(u).visits(), truth));
      }
    }
  }
}

}  // namespace
}  // namespace cjsim
