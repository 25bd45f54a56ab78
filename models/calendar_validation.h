// Validation of a scenario's calendar (docs/scenario-reference.md
// "Calendar"): simulation.start_date, each channel's flights, weekday
// weights and publishing plan (posts) with the formats, the events, the
// goals' windows and the targets' form. Part of
// validate_scenario (models/validation.h), which reports through the two
// callbacks with the entity and field named and, for text files, the line.
// A target's KPI name is checked against the KPI registry apart, where the
// registry is (sim/targets.h).
#ifndef CJSIM_MODELS_CALENDAR_VALIDATION_H_
#define CJSIM_MODELS_CALENDAR_VALIDATION_H_

#include <functional>
#include <string>

#include "cjsim/v1/scenario.pb.h"
#include "models/scenario_loader.h"

namespace cjsim {

using Report = std::function<void(const FieldPath& path, const std::string& message)>;

// Returns true when the calendar has no error (warnings aside).
bool check_calendar(const v1::Scenario& scenario, const Report& error, const Report& warning);

}  // namespace cjsim

#endif  // CJSIM_MODELS_CALENDAR_VALIDATION_H_
