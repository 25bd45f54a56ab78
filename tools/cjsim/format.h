// Formatting numbers and KPIs for the readable tables on stdout: counts with
// thousands separators, shares as percentages, money with two decimals,
// intervals, and the label and unit of every KPI.
#ifndef CJSIM_TOOLS_CJSIM_FORMAT_H_
#define CJSIM_TOOLS_CJSIM_FORMAT_H_

#include <string>
#include <string_view>
#include <vector>

#include "cjsim/v1/result.pb.h"
#include "sim/kpi.h"

namespace cjsim::cli {

// The units of the KPI registry (sim/kpi.h).
using Unit = KpiUnit;

// 1234567.8 -> "1,234,568"; small numbers keep significant digits.
std::string format_count(double value);
// 0.02413 -> "2.41%".
std::string format_percent(double share);
std::string format_value(double value, Unit unit);
// A difference: "+0.19 pp" for shares, "+1,234" for counts.
std::string format_difference(double value, Unit unit);
// A relative change: 0.18 -> "+18.0%"; NaN -> "n/a".
std::string format_relative(double change);
// "[low, high]", or "(exact)" without error.
std::string format_interval(const v1::Estimate& e, Unit unit, bool exact = false);
std::string format_difference_interval(const v1::Estimate& e, Unit unit);
std::string printf_string(const char* format, double value);
// Pads to `width` columns (counting UTF-8 characters), on the left when `right`.
std::string pad(const std::string& text, size_t width, bool right = false);

// The name of a comparison's arm: its variant, or "baseline".
std::string arm_name(const std::string& variant);
// A CRN variance ratio: "14x", "2.5x", "inf", "n/a".
std::string crn_gain(double ratio);

struct KpiDisplay {
  std::string label;
  Unit unit;
};
// The KPIs the readable tables show, in this order, of those `kpis` has:
// the headline figures, then, with two goal kinds or more, each kind's
// conversions, conversion rate, value and cost per conversion.
std::vector<std::string> table_kpis(const google::protobuf::Map<std::string, v1::Estimate>& kpis);

// The label and unit of a KPI name, from the registry (sim/kpi.h); unknown
// names: the name itself, as a count.
KpiDisplay kpi_display(std::string_view name);

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_FORMAT_H_
