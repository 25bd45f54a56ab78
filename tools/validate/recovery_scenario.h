// The scenario of calibration's recovery experiment, shared by the
// validation program (validate_calibration.cc) and the tests of
// sim/calibration.h and `cjsim calibrate`: an organic channel (reach 0.1)
// and a paid one land people on ads that lead to a page (act probability
// 0.5) and a checkout two days later; a holdout switches the paid channel
// off.
#ifndef CJSIM_TOOLS_VALIDATE_RECOVERY_SCENARIO_H_
#define CJSIM_TOOLS_VALIDATE_RECOVERY_SCENARIO_H_

namespace cjsim::validate {

inline const char* kRecoveryScenario = R"scenario(
name: "recovery"
simulation { horizon_days: 28 agents: 4000 replications: 8 seed: 3 population: 100000 }
personas { id: "all" channel_affinity { key: "social" value: 0.8 } channel_affinity { key: "paid" value: 0.6 } }
channels { id: "social" organic_reach: 0.1 }
channels { id: "paid" weekly_budget: 7000 cpm: 10 max_reach: 0.05 half_saturation: 1000 }
channels { id: "web" }
touchpoints { id: "ad" stage: AWARENESS channel: "social" cta { act_probability: 0.3 } entry_weight: 1 }
touchpoints { id: "banner" stage: AWARENESS channel: "paid" cta { act_probability: 0.2 } entry_weight: 1 }
touchpoints { id: "page" stage: CONSIDERATION channel: "web" cta { act_probability: 0.5 } }
touchpoints { id: "checkout" stage: DECISION channel: "web" goal { kind: "purchase" value: 40 } }
edges { from: "ad" to: "page" }
edges { from: "banner" to: "page" }
edges { from: "page" to: "checkout" delay_days: 2 }
variants { name: "holdout" channel_changes { channel: "paid" enabled: false } }
)scenario";

// The truth of the two fitted fields.
inline constexpr double kTruePageAct = 0.5;
inline constexpr double kTrueOrganicReach = 0.1;

}  // namespace cjsim::validate

#endif  // CJSIM_TOOLS_VALIDATE_RECOVERY_SCENARIO_H_
