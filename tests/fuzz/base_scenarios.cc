#include "tests/fuzz/base_scenarios.h"

#include <cstdio>
#include <cstdlib>

#include <google/protobuf/text_format.h>

#include "models/diagnostics.h"
#include "models/validation.h"
#include "tests/fuzz/consumer_brand_scenario.h"
#include "tests/small_journey.h"

namespace cjsim::fuzz {

namespace {

// kSmallJourney bought as a campaign, with customers who repeat, complain
// and refer.
constexpr const char* kCampaign = R"scenario(
name: "campaign"
simulation { horizon_days: 30 agents: 64 replications: 2 seed: 7 population: 10000 }
personas {
  id: "young" share: 0.6
  channel_affinity { key: "social" value: 0.8 }
  channel_affinity { key: "web" value: 0.3 }
  responsiveness { key: "decision" value: 1.2 }
}
personas { id: "old" share: 0.4 memory_half_life_days: 10 channel_affinity { key: "social" value: 0.4 } }
channels {
  id: "social" weekly_budget: 700 cpm: 8 max_reach: 0.3 half_saturation: 50 hill_shape: 1.5
  adstock_decay: 0.5 organic_reach: 0.02
}
channels { id: "web" organic_reach: 0.05 }
touchpoints { id: "ad" stage: AWARENESS channel: "social" cta { label: "Learn more" act_probability: 0.3 } entry_weight: 1 }
touchpoints { id: "page" stage: CONSIDERATION channel: "web" cta { act_probability: 0.5 } entry_weight: 0.5 }
touchpoints { id: "checkout" stage: DECISION channel: "web" goal { kind: "purchase" value: 40 } }
touchpoints { id: "exit" stage: CONSIDERATION channel: "web" }
edges { from: "ad" to: "page" }
edges { from: "page" to: "checkout" weight: 3 }
edges { from: "page" to: "exit" weight: 1 delay_days: 2 }
loyalty {
  bg_nbd { r: 0.5 alpha: 20 a: 0.8 b: 2.4 }
  by_goal_kind { key: "purchase" value { bg_bb { alpha: 1.2 beta: 0.75 gamma: 0.66 delta: 2.8 period_days: 7 } } }
  care {
    channel: "social" complaint_rate: 0.01 daily_capacity: 1 sla_days: 1 churn_if_unanswered: 0.3
    public_share: 0.5 sentiment_impact: 1 praise_rate: 0.1
  }
  referral { rate: 0.05 channel: "web" landing_stage: CONSIDERATION }
}
)scenario";

// A base that does not parse or validate would make the targets fuzz
// nothing: stop at once.
v1::Scenario parse(const char* text, const char* name) {
  v1::Scenario scenario;
  Diagnostics diagnostics(name);
  if (!google::protobuf::TextFormat::ParseFromString(text, &scenario) ||
      !validate_scenario(scenario, nullptr, diagnostics)) {
    std::fprintf(stderr, "fuzz base scenario '%s' is not valid\n%s", name,
                 diagnostics.to_string().c_str());
    std::abort();
  }
  scenario.clear_variants();
  return scenario;
}

}  // namespace

const std::vector<v1::Scenario>& base_scenarios() {
  static const std::vector<v1::Scenario> scenarios = {
      parse(testing::kSmallJourney, "small journey"), parse(kCampaign, "campaign"),
      parse(kConsumerBrandScenario, "consumer_brand")};
  return scenarios;
}

}  // namespace cjsim::fuzz
