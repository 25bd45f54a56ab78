// Fixed valid scenarios that the variant and field-path targets edit: the
// tests' single-journey funnel (kSmallJourney, tests/small_journey.h; the
// exact solver runs on it), the same funnel as a campaign with paid reach
// and a loyalty block, and the consumer-brand library scenario
// (scenarios/consumer_brand.textproto, embedded at build time), each without
// its variants. The first two share their ids, so that one variant applies
// to both. Parsed once; the returned list is immutable.
#ifndef CJSIM_TESTS_FUZZ_BASE_SCENARIOS_H_
#define CJSIM_TESTS_FUZZ_BASE_SCENARIOS_H_

#include <vector>

#include "cjsim/v1/scenario.pb.h"

namespace cjsim::fuzz {

// REQUIRES: called from one thread at a time (the first call parses).
const std::vector<v1::Scenario>& base_scenarios();

}  // namespace cjsim::fuzz

#endif  // CJSIM_TESTS_FUZZ_BASE_SCENARIOS_H_
