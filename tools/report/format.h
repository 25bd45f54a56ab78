// Formatting numbers and KPIs for the readable tables on stdout: counts with
// thousands separators, shares as percentages, money with two decimals,
// intervals, and the label and unit of every KPI.
#ifndef CJSIM_TOOLS_REPORT_FORMAT_H_
#define CJSIM_TOOLS_REPORT_FORMAT_H_

#include <string>
#include <string_view>
#include <vector>

#include "cjsim/v1/result.pb.h"
#include "sim/kpi.h"

namespace cjsim::report {

// The units of the KPI registry (sim/kpi.h).
using Unit = KpiUnit;

// Any number in the tables' one style: `significant` digits, never an
// exponent, thousands separated, trailing zeros dropped, no "-0":
// (1234.5, 3) -> "1,235", (0.012345, 3) -> "0.0123", (-9582.43, 6) -> "-9,582.43".
std::string format_real(double value, int significant = 3);
// 1234567.8 -> "1,234,568"; small numbers keep significant digits.
std::string format_count(double value);
// 0.02413 -> "2.41%".
std::string format_percent(double share);
// A target's chance's interval, "[63.98%, 96.50%]", or, for a target on
// what the plan fixes (the spend: an exact 0 or 1), "fixed by the plan".
std::string format_chance_interval(const v1::Estimate& chance);
std::string format_value(double value, Unit unit);
// format_value(value, Unit::kMoney).
inline std::string format_money(double value) { return format_value(value, Unit::kMoney); }
// A difference: "+0.19 pp" for shares, "+1,234" for counts.
std::string format_difference(double value, Unit unit);
// A relative change: 0.18 -> "+18.0%"; NaN -> "n/a".
std::string format_relative(double change);
// "[-12.0%, +3.5%]" for an estimate of a relative change (or a ROI).
std::string format_relative_interval(const v1::Estimate& e);
// "[low, high]"; "(exact)" when `exact` or for an exact value (n 0);
// "no variation" for an estimate with no error from replications (that a
// figure did not vary does not make it exact: format_kpi_interval says more).
std::string format_interval(const v1::Estimate& e, Unit unit, bool exact = false);
std::string format_difference_interval(const v1::Estimate& e, Unit unit);
std::string printf_string(const char* format, double value);
// Pads to `width` columns (counting UTF-8 characters), on the left when `right`.
std::string pad(const std::string& text, size_t width, bool right = false);

// The name of a comparison's arm: its variant, or "baseline".
std::string arm_name(const std::string& variant);
// A CRN variance ratio: "14x", "2.5x", "> 1,000x" (from 1,000 on, and
// infinity), "n/a".
std::string crn_gain(double ratio);

// How a result was estimated, for the labels of its intervals.
struct Sampling {
  bool exact = false;  // an exact solution (--exact): every figure is exact
  double agents = 0;   // simulated agents per replication
  int replications = 0;
  double population = 0;
  double confidence = 0.95;
  bool buys_media = true;  // some budget is spent (else paid exposures are 0 by design)
};
Sampling sampling_of(const v1::RunResult& result);

// The interval of KPI `name` for a table or report (docs/report.md "Labels
// and warnings"): "(exact)" in an exact run or for a KPI the model fixes
// (sim/kpi_evidence.h); for a random KPI with the same value in every
// replication, "no variation" with the rule-of-three bound where there is one
// (the estimate's one_sided_upper or one_sided_lower, else from `sampling`:
// "no variation; at most 3,329 (95%, one-sided)"), never a zero-width
// interval; else "[low, high]".
std::string format_kpi_interval(std::string_view name, const v1::Estimate& e,
                                const Sampling& sampling);

// A verdict in words: "no_detectable_difference" -> "no detectable difference".
std::string verdict_words(std::string verdict);

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

// A p-value as a reader takes it: "p < 0.001", or "p = 0.042".
std::string format_p_value(double p);

// The note on an optimization's planned entry `channel`: for care's
// staffing (optimize --plan-care, entry "care"), the daily capacity it buys
// at the current and the recommended mix, "staffing: 12 -> 18 answers a
// day"; else "".
std::string care_staffing_note(const v1::OptimizeResult& r, const std::string& channel);

// On the curve of care's staffing, the daily capacity a weekly budget
// buys: " = 12 answers a day"; "" on a channel's curve.
std::string care_capacity_words(const v1::ResponseCurve& curve, double weekly_budget);

// The optional columns of the channels' engagement table: what frequency
// caps stopped (when a cap stopped exposures or left money unspent on some
// channel), and the audiences' sizes and opt-outs (when some channel has an
// audience, or a privacy backlash); and a channel's engagement row for the
// text table and the report: id, engagements, per exposure, share of
// exposures, then the optional columns ("-" where a channel has none).
struct EngagementColumns {
  bool capped = false, audience = false, opt_outs = false;
};
EngagementColumns engagement_columns(const v1::RunResult& r);
std::vector<std::string> engagement_row(const v1::ChannelResult& channel,
                                        const EngagementColumns& columns);

}  // namespace cjsim::report

#endif  // CJSIM_TOOLS_REPORT_FORMAT_H_
