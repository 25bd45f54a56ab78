// Semantic validation of a scenario: everything the schema's types cannot
// say. Reports every problem at once, each naming the entity and field
// ("touchpoint 'ig_post' cta.act_probability: 1.7 is not in [0, 1]") and,
// for text-format files, its line and column. After a scenario passes, the
// compiler and engine may assume it is well formed and have no error paths.
// Pure function of its inputs; call from any thread.
#ifndef CJSIM_MODELS_VALIDATION_H_
#define CJSIM_MODELS_VALIDATION_H_

#include <optional>
#include <string_view>

#include "cjsim/v1/scenario.pb.h"
#include "models/diagnostics.h"
#include "models/scenario_loader.h"

namespace cjsim {

// Checks `scenario` and, when `variant_name` is empty, the definitions of all
// its variants. When `variant_name` is given, `scenario` is the result of
// applying that variant and every message says so. Returns true when no
// errors were found; warnings (unreachable touchpoints, shares that do not
// sum to 1) do not count.
bool validate_scenario(const v1::Scenario& scenario, const SourceMap* source_map,
                       Diagnostics& diagnostics, std::string_view variant_name = {});

// Whether `id` may name a persona, channel, touchpoint, variant, event or
// target: letters, digits, '_', '-' and '.', and no "->".
bool is_valid_id(std::string_view id);

// Applies variant `name` to `scenario` and validates the result. Reports
// errors, and only the warnings the variant adds (not those the scenario
// has without it). Returns the applied scenario, or nullopt on any error
// (an unknown name included).
// REQUIRES: `scenario` passed validate_scenario.
std::optional<v1::Scenario> apply_and_validate_variant(const v1::Scenario& scenario,
                                                       std::string_view name,
                                                       Diagnostics& diagnostics);

}  // namespace cjsim

#endif  // CJSIM_MODELS_VALIDATION_H_
