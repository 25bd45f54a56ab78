// Compiling a scenario to the hot-loop form.

#include <cmath>
#include <numeric>

#include <doctest/doctest.h>

#include "models/compiled_model.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_text;

TEST_CASE("compiled model: agents are allotted to personas by share, exactly") {
  v1::Scenario s = parse_text(testing::kSmallJourney);
  s.mutable_simulation()->set_agents(1001);
  const CompiledModel m = compile(s, "");
  REQUIRE(m.persona_first_agent.size() == 3);
  CHECK(m.persona_first_agent[0] == 0);
  CHECK(m.persona_first_agent[1] == 601);  // 600.6 rounds up, 400.4 down
  CHECK(m.persona_first_agent[2] == 1001);
  CHECK(m.persona_of(0) == 0);
  CHECK(m.persona_of(600) == 0);
  CHECK(m.persona_of(601) == 1);
  CHECK(m.persona_share[0] == doctest::Approx(0.6));
}

TEST_CASE("compiled model: single-journey form, act thresholds and edges") {
  const CompiledModel m = compile(parse_text(testing::kSmallJourney), "bold");
  CHECK(m.single_journey);
  CHECK(m.variant_name == "bold");
  CHECK(m.scenario_hash.size() == 16);
  // Persona "young" has decision responsiveness 1.2; "page" is consideration.
  const size_t n = m.touchpoint_ids.size();
  CHECK(m.act_probability[0] == doctest::Approx(0.3));
  CHECK(m.persona_nodes[0].act_threshold ==
        static_cast<uint64_t>(std::llround(0.3 * 4294967296.0)));
  CHECK(m.persona_nodes[n + 2].node.is_goal == 1);
  CHECK(m.act_probability[n + 1] == doctest::Approx(0.5));
  // page -> checkout (weight 3), page -> exit (weight 1, delay 2).
  const uint32_t first = m.edge_begin[1];
  REQUIRE(m.edge_begin[2] - first == 2);
  CHECK(m.edges[first].probability == doctest::Approx(0.75));
  CHECK(m.edges[first + 1].mean_delay_days == 2);
  CHECK(m.walk_edges[first + 1].inv_log_q == doctest::Approx(1 / std::log(2.0 / 3.0)));
  CHECK(m.entry_probability[0] == 1);
  CHECK(m.nodes[2].is_goal == 1);
  CHECK(m.touchpoint_value[2] == 40);
}

TEST_CASE("compiled model: exposure sources, hazards and costs") {
  const CompiledModel m = compile(parse_text(R"scenario(
    simulation { horizon_days: 10 agents: 100 }
    personas { id: "a" channel_affinity { key: "fb" value: 0.5 } channel_affinity { key: "ig" value: 1 }
               active_hours: [0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0] }
    channels { id: "fb" weekly_budget: 70 cpm: 2 max_reach: 0.1 half_saturation: 10 organic_reach: 0.02 }
    channels { id: "ig" organic_reach: 0.04 posting_hours: [1,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0] }
    touchpoints { id: "t" stage: AWARENESS channel: "fb" cta { act_probability: 0.1 } entry_weight: 1 }
    touchpoints { id: "g" stage: DECISION channel: "fb" goal { kind: "purchase" } }
    edges { from: "t" to: "g" }
  )scenario"),
                                  "");
  CHECK_FALSE(m.single_journey);
  // fb paid and organic; ig organic is posted while the persona sleeps (timing 0).
  const PersonaExposure& e = m.exposure[0];
  REQUIRE(e.sources.size() == 2);
  CHECK(e.sources[0].paid);
  CHECK_FALSE(e.sources[1].paid);
  // Day 0: adstock 10 = K, so paid reach is half of max: 0.5 * 0.05.
  CHECK(e.probability[0] == doctest::Approx(0.5 * 0.05));
  CHECK(e.probability[1] == doctest::Approx(0.5 * 0.02));
  const double none = (1 - 0.025) * (1 - 0.01);
  CHECK(e.cumulative_hazard[1] == doctest::Approx(-std::log(none)));
  CHECK(e.first_source_cdf[0] == doctest::Approx(0.025 / (1 - none)));
  CHECK(e.first_source_cdf[1] == 1);
  CHECK(m.channel_cost[0] == doctest::Approx(100));
  CHECK(m.channel_impressions[0] == doctest::Approx(50000));
  CHECK(m.landing_for(0, 1).log2_columns == 0);
  CHECK(m.landing_for(0, 2).log2_columns == -1);
}

}  // namespace
}  // namespace cjsim
