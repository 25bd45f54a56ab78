// The readable tables printed on stdout, one per result type: the figures
// with their intervals in one number style (tools/report/format.h), laid
// out by TextTable (docs/report.md "Labels and warnings").
//
// Pure functions of the result messages; call from any thread.
#ifndef CJSIM_TOOLS_REPORT_TABLES_H_
#define CJSIM_TOOLS_REPORT_TABLES_H_

#include <string>

#include "cjsim/v1/result.pb.h"

namespace cjsim::report {

// KPIs with their intervals, the funnel, the top touchpoints, channels and
// personas.
std::string format_run_table(const v1::RunResult& result);

// Each variant's difference from the baseline on the key KPIs, with its
// verdict, and the ranking.
std::string format_compare_table(const v1::CompareResult& result);

// Per point: the settings, conversions, conversion rate, cost, cost per
// conversion and the marginal conversions per unit step of each axis.
std::string format_sweep_table(const v1::SweepResult& result);

// The current and recommended mix, the gain with its verdict, the marginal
// returns and the notes.
std::string format_optimize_table(const v1::OptimizeResult& result);

// Per channel: the curve's budgets and KPI, the contribution, saturation
// and break-even lines.
std::string format_curves_table(const v1::CurvesResult& result);

}  // namespace cjsim::report

#endif  // CJSIM_TOOLS_REPORT_TABLES_H_
