// The reports of the study commands (docs/report.md): what each page shows
// and which charts it draws, from the result and the scenario it ran.
#ifndef CJSIM_TOOLS_CJSIM_STUDY_REPORT_H_
#define CJSIM_TOOLS_CJSIM_STUDY_REPORT_H_

#include <string>
#include <utility>
#include <vector>

#include "cjsim/v1/result.pb.h"
#include "cjsim/v1/scenario.pb.h"
#include "tools/cjsim/report.h"

namespace cjsim::cli {

// What the page is about: the scenario as it ran (overrides and variant
// applied) and the file it came from.
struct ReportSource {
  const v1::Scenario* scenario = nullptr;
  std::string path;
  // The variants the page shows, with their descriptions: the one a run,
  // sweep, plan or curves ran on, or a comparison's.
  std::vector<std::pair<std::string, std::string>> variants;
};

// `{{variant, description}}`, or nothing for the baseline ("").
inline std::vector<std::pair<std::string, std::string>> arm_list(const std::string& variant,
                                                                 const std::string& description) {
  if (variant.empty()) return {};
  return {{variant, description}};
}

// Headline figures, the funnel, the flow between touchpoints, channels,
// personas, the daily series, the retention curve (with loyalty), every
// KPI and every touchpoint.
Report run_report(const ReportSource& source, const v1::RunResult& result);
// Each variant's difference from the baseline with its interval and
// verdict, the funnel of every arm, and the arms' KPIs.
Report compare_report(const ReportSource& source, const v1::CompareResult& result);
// The KPIs along the first axis (one line per setting of the others) with
// intervals, the scenario's current value marked, and the marginal returns.
Report sweep_report(const ReportSource& source, const v1::SweepResult& result);
// Each channel's response curve with its interval band, the current budget
// and the saturation point marked, and the marginal returns.
Report curves_report(const ReportSource& source, const v1::CurvesResult& result);
// The current and recommended mixes, the gain, the marginal returns at the
// recommendation and, when `curves` is not null, each channel's response
// curve around the recommended mix with both budgets marked.
Report optimize_report(const ReportSource& source, const v1::OptimizeResult& result,
                       const v1::CurvesResult* curves);

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_STUDY_REPORT_H_
