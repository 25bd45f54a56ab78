// Channel credit and reach (docs/model.md "Channel credit"): a closed form on
// a one-day scenario where who touches whom first is known, and the
// accounting identities on the bundled examples.

#include <algorithm>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <tbb/task_arena.h>

#include "models/compiled_model.h"
#include "models/scenario_loader.h"
#include "models/validation.h"
#include "sim/engine.h"
#include "sim/run_result.h"
#include "tests/sim/simulate.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_text;

// One day; channels A and B reach each person independently (organic, with
// probabilities pA and pB); a touch lands on the channel's post, whose CTA
// (aA, aB) leads to the donation page on the website. A converted person is
// at LOYALTY, where neither channel has a touchpoint, so B's exposure after
// a conversion through A starts no session. On a day both expose, A's
// session comes first (sources go in the scenario's channel order).
constexpr const char* kCreditTwoChannels = R"scenario(
simulation { horizon_days: 1 agents: 50000 replications: 16 seed: 11 confidence: 0.999 }
personas { id: "all" channel_affinity { key: "a" value: 1 } channel_affinity { key: "b" value: 1 } }
channels { id: "a" organic_reach: 0.4 }
channels { id: "b" organic_reach: 0.3 }
channels { id: "site" }
touchpoints { id: "a_post" stage: AWARENESS channel: "a" cta { act_probability: 0.5 } entry_weight: 1 }
touchpoints { id: "b_post" stage: AWARENESS channel: "b" cta { act_probability: 0.2 } entry_weight: 1 }
touchpoints { id: "give" stage: DECISION channel: "site" goal { kind: "donation" value: 30 } }
edges { from: "a_post" to: "give" }
edges { from: "b_post" to: "give" }
)scenario";

using testing::covers;

v1::RunResult simulate(const v1::Scenario& scenario, std::vector<ReplicationCounts>* out) {
  std::vector<ReplicationCounts> counts = testing::simulate_counts(scenario);
  v1::RunResult r = summarize_monte_carlo(
      compile(scenario, ""), resolve_run_settings(scenario.simulation()), counts, 2, 0);
  if (out != nullptr) *out = std::move(counts);
  return r;
}

TEST_CASE("channel credit: first, last and touched match the closed form of a one-day race") {
  const v1::RunResult r = simulate(parse_text(kCreditTwoChannels), nullptr);
  const double pa = 0.4, pb = 0.3, aa = 0.5, ab = 0.2, people = 50000;
  const double a_only = pa * (1 - pb), b_only = pb * (1 - pa), both = pa * pb;
  // Both: A's session converts with aA (A first and last); otherwise B's
  // session converts with aB (A first, B last, both touched).
  const double first_a = a_only * aa + both * (aa + (1 - aa) * ab);
  const double first_b = b_only * ab;
  const double last_a = (a_only + both) * aa;
  const double last_b = b_only * ab + both * (1 - aa) * ab;
  const v1::ChannelResult& a = r.channels(0);
  const v1::ChannelResult& b = r.channels(1);
  const v1::ChannelResult& site = r.channels(2);
  CHECK(covers(a.first_touch_conversions(), first_a * people));
  CHECK(covers(b.first_touch_conversions(), first_b * people));
  CHECK(covers(a.last_touch_conversions(), last_a * people));
  CHECK(covers(b.last_touch_conversions(), last_b * people));
  // A comes first whenever it touches: touched = first; B touches last.
  CHECK(a.assisted_conversions().mean() == a.first_touch_conversions().mean());
  CHECK(b.assisted_conversions().mean() == b.last_touch_conversions().mean());
  CHECK(covers(a.first_touch_value(), 30 * first_a * people));
  // Reach is people; on one day each is exposed at most once per channel.
  CHECK(covers(a.reach(), pa * people));
  CHECK(covers(b.reach(), pb * people));
  CHECK(a.frequency().mean() == doctest::Approx(1.0));
  // The website touches no one: its goal page converts, but it brought no one.
  CHECK(site.conversions().mean() > 0);
  CHECK(site.first_touch_conversions().mean() == 0);
  CHECK(site.reach().mean() == 0);
}

TEST_CASE("channel credit: every journey conversion has one first and one last touch") {
  // The examples have delays, word of mouth, customer care and repeats.
  for (const char* name : {"nonprofit", "consumer_brand", "b2b_saas"}) {
    CAPTURE(name);
    Diagnostics diagnostics;
    auto loaded = load_scenario(
        testing::source_path(std::string("scenarios/") + name + ".textproto"), diagnostics);
    REQUIRE_MESSAGE(loaded.has_value(), diagnostics.to_string());
    v1::Scenario scenario = loaded->scenario;
    scenario.clear_variants();
    scenario.mutable_simulation()->set_agents(4000);
    scenario.mutable_simulation()->set_replications(3);
    std::vector<ReplicationCounts> counts;
    const CompiledModel model = compile(scenario, "");
    simulate(scenario, &counts);
    const uint64_t n = static_cast<uint64_t>(model.touchpoint_count());
    for (const ReplicationCounts& c : counts) {
      uint64_t journey = 0;
      for (const TouchpointCounts& t : c.touchpoints) journey += t.conversions;
      auto total = [](const std::map<uint64_t, uint64_t>& m) {
        return std::accumulate(m.begin(), m.end(), uint64_t{0},
                               [](uint64_t sum, const auto& kv) { return sum + kv.second; });
      };
      CHECK(total(c.credit.first_touch) == journey);
      CHECK(total(c.credit.last_touch) == journey);
      // Per channel and goal, touched >= first and >= last.
      for (const auto& [key, count] : c.credit.first_touch) {
        CHECK(c.credit.assisted.at(key) >= count);
      }
      for (const auto& [key, count] : c.credit.last_touch) {
        CHECK(c.credit.assisted.at(key) >= count);
        CHECK(c.touchpoints[key % n].conversions >= count);
      }
      // Reach is people: at most the agents, at most the exposures.
      for (int ch = 0; ch < model.channel_count(); ++ch) {
        CHECK(c.channel_reach[ch] <= static_cast<uint64_t>(model.settings.agents));
        CHECK(c.channel_reach[ch] <= c.channel_paid[ch] + c.channel_organic[ch]);
      }
    }
  }
}

}  // namespace
}  // namespace cjsim
