// Observations: what `cjsim calibrate --observed OBS.csv` fits a scenario
// to (docs/cli.md "calibrate"). Each row of the file is a KPI of the
// registry (sim/kpi.h: per goal kind and per channel too) observed over a
// window of days with its standard error; a row with a `variant` is an
// observed lift, the paired difference variant - baseline of the KPI over
// the window (a holdout or geo test).
//
// Reading checks every row against the scenario and reports bad input as
// Diagnostics at "OBS.csv:LINE:COL", never thrown. Pure functions of their
// input; call from any thread.
#ifndef CJSIM_SIM_OBSERVATIONS_H_
#define CJSIM_SIM_OBSERVATIONS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cjsim/v1/scenario.pb.h"
#include "models/calendar.h"
#include "models/diagnostics.h"

namespace cjsim {

struct Observation {
  int line = 0;         // in OBS.csv
  std::string kpi;      // "conversions:purchase", "cost:facebook"
  std::string variant;  // empty: the KPI itself; else the lift of this variant
  DaySpan window;       // both days included, inside the horizon
  double value = 0;
  double std_error = 0;  // > 0
};

// The columns of OBS.csv, in the order the documentation lists them.
inline constexpr const char* kObservationColumns[] = {"kpi",   "from",      "to",
                                                      "value", "std_error", "variant"};

// Reads OBS.csv from `content` (or the file `path` when `content` is
// nullopt) against `scenario`. Refused, each at its line: a missing or
// unknown column; a KPI the scenario does not report, or one that cannot
// be counted over a window (the reason kpi_not_counted gives); an unknown
// variant; a day that is no date or day number, or lies outside the
// horizon; from > to; a value that is not a finite number; a standard
// error that is not > 0. Returns nullopt, with every problem in
// `diagnostics`, when anything is wrong (an empty file too).
// REQUIRES: `scenario` validated.
std::optional<std::vector<Observation>> read_observations(const std::string& path,
                                                          std::optional<std::string_view> content,
                                                          const v1::Scenario& scenario,
                                                          Diagnostics& diagnostics);

}  // namespace cjsim

#endif  // CJSIM_SIM_OBSERVATIONS_H_
