// The week x channel schedule of `cjsim optimize --by-week`
// (OptimizeResult.schedule) in each form a result is shown in: a text table
// with the weeks as rows and the channels as columns, schedule.csv, and an
// SVG heat map with a section of the HTML report. Pure functions of the
// result; call from any thread.
#ifndef CJSIM_TOOLS_REPORT_SCHEDULE_REPORT_H_
#define CJSIM_TOOLS_REPORT_SCHEDULE_REPORT_H_

#include <string>

#include "cjsim/v1/result.pb.h"
#include "tools/report/csv.h"
#include "tools/report/html.h"

namespace cjsim::report {

// The recommended spend of each week (rows) and channel (columns), the
// current one in brackets, and the weeks' totals; "" without a schedule.
std::string format_schedule_table(const v1::OptimizeResult& result);

// schedule.csv: a row per cell (header only without a schedule).
CsvTable schedule_csv(const v1::OptimizeResult& result);

// The heat map: a square per cell, its shade the recommended spend of the
// week, written in it with the change from the current one; weeks left to
// right, channels top to bottom. REQUIRES: result.schedule() not empty.
std::string schedule_heat_map(const v1::OptimizeResult& result);

// The report's "The schedule" section (nothing without a schedule).
void schedule_section(Report& report, const v1::OptimizeResult& result);

}  // namespace cjsim::report

#endif  // CJSIM_TOOLS_REPORT_SCHEDULE_REPORT_H_
