// For the programs under tools/ that measure a calibration (cjsim-bench's
// calibrate section, cjsim-validate-calibration): the free parameters of
// `free` (`PATH=LO:HI`) and the fit of `start` to `observed`, or the
// message on stderr and exit 1. A measurement has no user to answer.
#ifndef CJSIM_TOOLS_VALIDATE_CALIBRATE_OR_EXIT_H_
#define CJSIM_TOOLS_VALIDATE_CALIBRATE_OR_EXIT_H_

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sim/calibration.h"

namespace cjsim::validate {

inline Calibration calibrate_or_exit(const v1::Scenario& start,
                                     const std::vector<Observation>& observed,
                                     const std::vector<std::string>& free,
                                     const CalibrationSettings& settings) {
  const Result<std::vector<FreeParameter>> parameters = free_parameters(start, free);
  if (!parameters) {
    std::fprintf(stderr, "%s\n", parameters.status().message().c_str());
    std::exit(1);
  }
  Result<Calibration> fitted = calibrate(start, start, observed, *parameters, settings, nullptr);
  if (!fitted) {
    std::fprintf(stderr, "%s\n", fitted.status().message().c_str());
    std::exit(1);
  }
  return std::move(fitted).value();
}

}  // namespace cjsim::validate

#endif  // CJSIM_TOOLS_VALIDATE_CALIBRATE_OR_EXIT_H_
