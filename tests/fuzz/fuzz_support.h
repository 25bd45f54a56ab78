// What the fuzz targets check once an input has become a scenario: the
// property that whatever validation accepts, the compiler, the engine and
// the exact solver handle without memory errors or aborts, for the scenario
// and for every variant it defines.
//
// Sizes are lowered to fuzzing scale first (a few dozen agents, two
// replications, a month) by editing the simulation block before validation,
// so that what is validated is what runs. Runs on the calling thread only
// (a one-thread task arena), so a report points at the input, not at a
// worker; not for concurrent use (libFuzzer calls targets one at a time).
#ifndef CJSIM_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define CJSIM_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cjsim/v1/scenario.pb.h"
#include "models/scenario_loader.h"

namespace cjsim::fuzz {

inline constexpr int64_t kMaxAgents = 64;
inline constexpr int kReplications = 2;
inline constexpr int kMaxHorizonDays = 30;

// Lowers agents, replications and horizon (unset means the schema's larger
// default) and every variant's horizon to the figures above. Values that
// validation refuses (0, negative) are left as they are, to be refused.
void clamp_sizes(v1::Scenario& scenario);

// Compiles `scenario` (validated, with its variant applied and the variant
// list cleared) and runs it: two replications of the engine and, in
// single-journey form, the exact solver. Skips the engine when a short
// probe shows sessions that run for thousands of steps (the work cap that
// keeps one input well under libFuzzer's -timeout).
void compile_and_run(const v1::Scenario& scenario, const std::string& variant_name);

// What `cjsim run` and `cjsim compare` do with a parsed scenario, at
// fuzzing scale: clamp, validate, and for an accepted scenario run it and
// every variant that apply_and_validate_variant accepts.
void check_scenario(v1::Scenario scenario, const SourceMap* source_map);

// Parses `content` in `format` as `cjsim run` loads a file, then
// check_scenario.
void check_scenario_input(std::string_view content, ScenarioFormat format);

// A property of the result that must hold: prints `what` and aborts (a
// crash libFuzzer keeps) when it does not.
void require(bool holds, const char* what);

// The input as text. Kept as a string_view of the fuzzer's buffer: it may
// hold any bytes, NUL included.
inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// When `input` starts with '#', takes its first line off and returns the
// line's first `count` fields separated by '|' (missing ones empty), the
// options of a CSV target; otherwise `count` empty fields.
std::vector<std::string> take_options_line(std::string_view& input, size_t count);

}  // namespace cjsim::fuzz

#endif  // CJSIM_TESTS_FUZZ_FUZZ_SUPPORT_H_
