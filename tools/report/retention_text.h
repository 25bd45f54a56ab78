// The readable report of `cjsim fit-retention` on stdout: the set-up, the
// parameters with standard errors, the log-likelihood, the holdout check,
// and a `loyalty` block ready to paste into a scenario. Pure functions.
#ifndef CJSIM_TOOLS_REPORT_RETENTION_TEXT_H_
#define CJSIM_TOOLS_REPORT_RETENTION_TEXT_H_

#include <string>

#include "sim/retention_fit.h"

namespace cjsim::report {

// The whole report; `input` names the data file.
std::string format_retention_report(const RetentionFit& fit, const std::string& input);

// The scenario's `loyalty { bg_nbd { r: .. alpha: .. a: .. b: .. } }` block
// with alpha per day, or `loyalty { bg_bb { alpha: .. beta: .. gamma: ..
// delta: .. period_days: .. } }`. The engine has no Pareto/NBD model: for
// it, the text says so and gives the per-day parameters instead.
std::string format_loyalty_block(const RetentionFit& fit);

}  // namespace cjsim::report

#endif  // CJSIM_TOOLS_REPORT_RETENTION_TEXT_H_
