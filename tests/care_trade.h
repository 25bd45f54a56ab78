// kCareTrade: one ad channel and a care desk whose staffing has a cost, the
// scenario on which optimize --plan-care is checked (tests/sim/optimize_test.cc
// against a brute-force grid, tests/cli/optimize_test.cc end to end).
#ifndef CJSIM_TESTS_CARE_TRADE_H_
#define CJSIM_TESTS_CARE_TRADE_H_

namespace cjsim::testing {

// One ad channel and customer care (optimize --plan-care): customers buy
// again (BG/NBD, each repeat worth 1), complain at 2% a day, and 80% of
// those not answered within the day stop. Care is a threshold good: a fluid
// first-come first-served queue with less capacity than its arrivals
// answers almost nothing in time (its backlog makes every answer late), so
// staffing pays only from about the arrival rate on, which the ads' customers
// raise. Capacity costs 0.2 a day a unit (1.4 a week). The profit optimum,
// found by a grid (tests/sim/optimize_test.cc), is interior in both: about
// 3,000 a week on ads and a capacity near 350 (490 a week).
inline const char* kCareTrade = R"scenario(
name: "care_trade"
simulation { horizon_days: 56 population: 100000 agents: 4000 replications: 16 seed: 7 }
personas { id: "all" channel_affinity { key: "ads" value: 1 } }
channels { id: "ads" weekly_budget: 2000 cpm: 20 max_reach: 0.05 half_saturation: 300 }
channels { id: "web" }
touchpoints { id: "ad" stage: AWARENESS channel: "ads" entry_weight: 1 cta { act_probability: 0.2 } }
touchpoints { id: "buy" stage: DECISION channel: "web" goal { kind: "purchase" value: 0.3 } }
edges { from: "ad" to: "buy" }
loyalty {
  bg_nbd { r: 2 alpha: 20 a: 1 b: 9 }
  repeat_value: 1
  care { channel: "web" complaint_rate: 0.02 daily_capacity: 5 sla_days: 1 churn_if_unanswered: 0.8 public_share: 0 cost_per_capacity_unit: 0.2 }
}
)scenario";

}  // namespace cjsim::testing

#endif  // CJSIM_TESTS_CARE_TRADE_H_
