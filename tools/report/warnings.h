// Warnings about what a result can be trusted for, in the user's words
// (docs/report.md "Labels and warnings"): KPIs resting on too few simulated
// events, and channels whose CPM and paid reach disagree. The run command
// prints them on stderr and the run report shows them. Pure functions.
#ifndef CJSIM_TOOLS_REPORT_WARNINGS_H_
#define CJSIM_TOOLS_REPORT_WARNINGS_H_

#include <string>
#include <vector>

#include <google/protobuf/map.h>

#include "cjsim/v1/result.pb.h"
#include "tools/report/format.h"

namespace cjsim::report {

// Below this many simulated events per replication behind a KPI, its
// interval rests on too little to trust (the normal approximation of the
// Student-t interval needs several events per replication).
inline constexpr double kFewEvents = 10;

// One warning per kind of event (sim/kpi_evidence.h) that fewer than
// kFewEvents of, per replication on average, stand behind one or more of
// `kpis`, naming those KPIs and --agents. None for an exact result.
std::vector<std::string> few_events_warnings(
    const google::protobuf::Map<std::string, v1::Estimate>& kpis, const Sampling& sampling);

// The few-events warnings of every arm of a comparison: the baseline's, then
// those of each variant about events the baseline has enough of, each
// naming its arm.
std::vector<std::string> compare_warnings(const v1::CompareResult& result);

// The few-events warnings of a sweep's points: each kind of event once,
// naming the first point (in grid order) where it falls short and how many
// other points do.
std::vector<std::string> sweep_warnings(const v1::SweepResult& result);

// The few-events warnings of response curves, the same way over every
// channel's budgets in order ("at channel 'tv' weekly budget 0.00: ..."):
// about the curves' KPI, and about value and marginal ROAS (the
// conversions behind them).
std::vector<std::string> curves_warnings(const v1::CurvesResult& result);

// The few-events warnings of an optimization: about the KPIs of the
// recommended mix ("at the recommended mix: ... (and at the current mix)"),
// then those about events only the current mix is short of.
std::vector<std::string> optimize_warnings(const v1::OptimizeResult& result);

// Impressions bought by a channel's budget at its CPM (budget / CPM x 1,000)
// and the paid exposures its Hill reach curve delivers come from separate
// fields; one warning per channel where they differ more than kMismatch
// times either way.
inline constexpr double kMismatch = 3;
std::vector<std::string> impressions_warnings(const v1::RunResult& result);

// Both of the above, for a run.
std::vector<std::string> run_warnings(const v1::RunResult& result);

}  // namespace cjsim::report

#endif  // CJSIM_TOOLS_REPORT_WARNINGS_H_
