// Fuzz target: a scenario file in text format (.textproto),
// loaded, validated and, when accepted, compiled and run with every variant
// (tests/fuzz/fuzz_support.h).
#include <cstddef>
#include <cstdint>

#include "models/scenario_loader.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cjsim::fuzz::check_scenario_input(cjsim::fuzz::as_text(data, size), cjsim::ScenarioFormat::kText);
  return 0;
}
