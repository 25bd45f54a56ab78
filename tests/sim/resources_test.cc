// The memory and work estimate (sim/resources.h): what it counts, how the
// plan scales it, and the messages when a command does not fit.

#include "sim/resources.h"

#include <string>

#include <doctest/doctest.h>

#include "sim/engine.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::kSmallJourney;
using testing::parse_text;

using testing::contains;

TEST_CASE("resources: the footprint counts the walk's tables, exposure sources and agent state") {
  v1::Scenario s = parse_text(kSmallJourney);
  ModelFootprint f = model_footprint(s);
  CHECK(f.personas == 2);
  CHECK(f.touchpoints == 4);
  CHECK(f.exposure_sources == 0);  // no channel reaches anyone
  CHECK(f.persona_touchpoint == 2 * 4 * 32);
  // AgentRecord (with the channels that touched and exposed the agent, up
  // to 64 channels) and the next-event day.
  CHECK(f.per_agent == 42);
  CHECK(f.per_agent == static_cast<double>(sizeof(AgentRecord) + sizeof(uint16_t)));
  CHECK(f.agents == 2000);
  CHECK(f.replications == 4);

  // A paid and an organic source for each persona that uses the channel;
  // a switched-off channel has none.
  s.mutable_channels(0)->set_weekly_budget(700);
  s.mutable_channels(0)->set_cpm(5);
  s.mutable_channels(0)->set_max_reach(0.1);
  s.mutable_channels(0)->set_half_saturation(50);
  s.mutable_channels(0)->set_organic_reach(0.01);
  (*s.mutable_personas(0)->mutable_channel_affinity())["social"] = 0.5;
  (*s.mutable_personas(1)->mutable_channel_affinity())["social"] = 0.5;
  CHECK(model_footprint(s).exposure_sources == 4);
  // Tables of 16 bytes a source and day dominate the exposure part.
  CHECK(model_footprint(s).exposure >= 4 * 30 * 16);
  s.mutable_channels(0)->set_enabled(false);
  CHECK(model_footprint(s).exposure_sources == 0);

  // Customer state with a loyalty block, word of mouth with referrals.
  s = parse_text(
      std::string(kSmallJourney) +
      R"(loyalty { bg_nbd { r: 1 alpha: 10 a: 1 b: 2 } referral { rate: 0.01 channel: "social" } })");
  CHECK(model_footprint(s).per_agent == 42 + 20 + 2);

  // 65 channels take a second word per set.
  for (int c = 0; c < 64; ++c) s.add_channels()->set_id("extra" + std::to_string(c));
  CHECK(model_footprint(s).per_agent == 42 + 16 + 20 + 2);
}

TEST_CASE("resources: the estimate scales with replications at once, models held and kept counts") {
  const ModelFootprint f = model_footprint(parse_text(kSmallJourney));
  WorkPlan one;
  one.command = "run";
  one.threads = 1;
  WorkPlan four = one;
  four.threads = 4;
  four.running = 4;
  const ResourceEstimate a = estimate_resources(f, one), b = estimate_resources(f, four);
  CHECK(b.bytes > a.bytes);
  auto part = [](const ResourceEstimate& e, const std::string& start) {
    for (const ResourcePart& p : e.parts) {
      if (p.what.rfind(start, 0) == 0) return p.bytes;
    }
    return 0.0;
  };
  CHECK(part(b, "agent state") == doctest::Approx(4 * part(a, "agent state")));
  WorkPlan held = one;
  held.models_at_once = 3;
  CHECK(part(estimate_resources(f, held), "the walk's tables") ==
        doctest::Approx(3 * part(a, "the walk's tables")));
  WorkPlan kept = one;
  kept.kept = 100;
  CHECK(part(estimate_resources(f, kept), "counts of 100 finished replications") ==
        doctest::Approx(100 * f.per_kept));
  // Largest first.
  for (size_t i = 1; i < b.parts.size(); ++i) CHECK(b.parts[i - 1].bytes >= b.parts[i].bytes);
}

TEST_CASE("resources: over the limits, the message gives the estimate and what to lower") {
  v1::Scenario s = parse_text(kSmallJourney);
  s.mutable_simulation()->set_agents(100'000'000);
  const ModelFootprint f = model_footprint(s);
  WorkPlan plan;
  plan.command = "run";
  plan.threads = 8;
  plan.running = 8;
  plan.agent_days = 3e13;
  const ResourceEstimate e = estimate_resources(f, plan);
  ResourceLimits limits{1.0 * (1 << 30), "CJSIM_MEMORY_LIMIT", 2e13};
  const std::vector<std::string> reasons = over_limits(e, limits);
  REQUIRE(reasons.size() == 2);
  // 8 x 1e8 agents x 42 bytes (limits::agent_state_bytes) = 31.3 GiB, most
  // of the peak.
  CHECK(contains(reasons[0],
                 "needs about 31 GiB of memory at its peak, more than the 1.0 GiB "
                 "allowed here (CJSIM_MEMORY_LIMIT)"));
  CHECK(contains(reasons[0],
                 "agent state of 8 replications running at once x 100,000,000 "
                 "agents: 31 GiB (lower --agents, or --threads"));
  CHECK(contains(reasons[1],
                 "would simulate 3e+13 agent-days (about 83 core-hours), over the "
                 "budget of 2e+13 agent-days"));
  limits.memory_bytes = 1e12;
  limits.agent_days = 1e14;
  CHECK(over_limits(e, limits).empty());
}

TEST_CASE("resources: bytes are written the way people read them") {
  CHECK(format_bytes(512) == "512 bytes");
  CHECK(format_bytes(1536) == "1.5 KiB");
  CHECK(format_bytes(300.0 * (1 << 20)) == "300 MiB");
  CHECK(format_bytes(21.3 * (1 << 30)) == "21 GiB");
  CHECK(format_bytes(1023.0 * 1024) == "1.0 MiB");
}

}  // namespace
}  // namespace cjsim
