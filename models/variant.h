// Applying a named what-if variant to a scenario.
//
// A variant is an edit of the scenario: the result is an ordinary scenario
// that is validated and compiled like any other, so `run --variant` and
// comparisons share one code path. Pure function; call from any thread.
#ifndef CJSIM_MODELS_VARIANT_H_
#define CJSIM_MODELS_VARIANT_H_

#include <optional>
#include <string_view>

#include "cjsim/v1/scenario.pb.h"
#include "models/diagnostics.h"

namespace cjsim {

// REQUIRES: `scenario` passed validate_scenario (variant targets exist).
// Returns the scenario with variant `name` applied and its variant list
// cleared, or nullopt (and an error naming the known variants) when the
// scenario has no variant of that name.
std::optional<v1::Scenario> apply_variant(const v1::Scenario& scenario, std::string_view name,
                                          Diagnostics& diagnostics);

}  // namespace cjsim

#endif  // CJSIM_MODELS_VARIANT_H_
