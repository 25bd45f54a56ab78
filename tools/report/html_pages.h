// The reports of the study commands (docs/report.md): what each page shows
// and which charts it draws, from the result alone (its provenance names
// the scenario, its file, variant and descriptions; a run carries the
// journey's edges).
#ifndef CJSIM_TOOLS_REPORT_HTML_PAGES_H_
#define CJSIM_TOOLS_REPORT_HTML_PAGES_H_

#include <string>
#include <utility>
#include <vector>

#include "cjsim/v1/result.pb.h"
#include "tools/report/html.h"

namespace cjsim::report {

// Headline figures, the funnel, the flow between touchpoints, channels,
// personas, the daily series, the retention curve (with loyalty), every
// KPI and every touchpoint.
Report run_report(const v1::RunResult& result);
// Each variant's difference from the baseline with its interval and
// verdict, the funnel of every arm, and the arms' KPIs.
Report compare_report(const v1::CompareResult& result);
// The KPIs along the first axis (one line per setting of the others) with
// intervals, the scenario's current value marked, and the marginal returns.
Report sweep_report(const v1::SweepResult& result);
// Each channel's response curve with its interval band, the current budget
// and the saturation point marked, and the marginal returns.
Report curves_report(const v1::CurvesResult& result);
// The current and recommended mixes, the gain, the marginal returns at the
// recommendation and, when `curves` is not null, each channel's response
// curve around the recommended mix with both budgets marked.
Report optimize_report(const v1::OptimizeResult& result, const v1::CurvesResult* curves);

}  // namespace cjsim::report

#endif  // CJSIM_TOOLS_REPORT_HTML_PAGES_H_
