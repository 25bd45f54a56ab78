// The forms of a path attribution (`cjsim attribute`): the table on stdout,
// the CSV tables of --csv and the HTML report of --report / --svg, with the
// methods side by side per channel and the observed flow between channels.
//
// Pure functions of the result message; call from any thread.
#ifndef CJSIM_TOOLS_REPORT_ATTRIBUTION_REPORT_H_
#define CJSIM_TOOLS_REPORT_ATTRIBUTION_REPORT_H_

#include <map>
#include <string>
#include <vector>

#include "cjsim/v1/attribution.pb.h"
#include "tools/report/csv.h"
#include "tools/report/html.h"

namespace cjsim::report {

// The totals, then per channel the removal effect and the conversions each
// method attributes (and the value, when the paths carry one).
std::string format_attribution_table(const v1::AttributionResult& result);

// channels.csv (one row per channel and method: conversions and value),
// removal_effects.csv, flow.csv and orders.csv.
std::map<std::string, CsvTable> attribution_csv(const v1::AttributionResult& result);
inline const std::vector<std::string> kAttributionCsvFiles = {"channels.csv", "removal_effects.csv",
                                                              "flow.csv", "orders.csv"};

// Headline totals, the methods side by side per channel (a grouped bar
// chart), the removal effects, the flow between channels and the chain.
Report attribution_report(const v1::AttributionResult& result);

}  // namespace cjsim::report

#endif  // CJSIM_TOOLS_REPORT_ATTRIBUTION_REPORT_H_
