// kSmallJourney: the small scenario most tests start from, in a header of
// its own so that programs without doctest (the fuzz targets) can use it.
#ifndef CJSIM_TESTS_SMALL_JOURNEY_H_
#define CJSIM_TESTS_SMALL_JOURNEY_H_

namespace cjsim::testing {

// A small valid single-journey scenario: ad -> page -> checkout (goal),
// page -> exit, with two personas. Tests edit it to make invalid variants.
inline const char* kSmallJourney = R"scenario(
name: "small"
simulation { horizon_days: 30 agents: 2000 replications: 4 seed: 7 }
personas { id: "young" share: 0.6 responsiveness { key: "decision" value: 1.2 } }
personas { id: "old" share: 0.4 memory_half_life_days: 10 }
channels { id: "social" }
channels { id: "web" }
touchpoints { id: "ad" stage: AWARENESS channel: "social" cta { label: "Learn more" act_probability: 0.3 } entry_weight: 1 }
touchpoints { id: "page" stage: CONSIDERATION channel: "web" cta { act_probability: 0.5 } }
touchpoints { id: "checkout" stage: DECISION channel: "web" goal { kind: "purchase" value: 40 } }
touchpoints { id: "exit" stage: CONSIDERATION channel: "web" }
edges { from: "ad" to: "page" }
edges { from: "page" to: "checkout" weight: 3 }
edges { from: "page" to: "exit" weight: 1 delay_days: 2 }
variants { name: "bold" cta_changes { touchpoint: "ad" act_probability: 0.6 } }
)scenario";

}  // namespace cjsim::testing

#endif  // CJSIM_TESTS_SMALL_JOURNEY_H_
