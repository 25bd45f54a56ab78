// The tidy CSV tables of `--csv DIR`, one set per result type
// (docs/results-reference.md "CSV tables"): every estimate with its mean,
// standard error, interval and n, one row per figure.
//
// Pure functions of the result messages; call from any thread.
#ifndef CJSIM_TOOLS_REPORT_CSV_TABLES_H_
#define CJSIM_TOOLS_REPORT_CSV_TABLES_H_

#include <map>
#include <string>
#include <vector>

#include "cjsim/v1/result.pb.h"
#include "tools/report/csv.h"

namespace cjsim::report {

// kpis.csv, funnel.csv, touchpoints.csv, channels.csv, personas.csv,
// series.csv, retention.csv and targets.csv of a run.
std::map<std::string, CsvTable> run_csv(const v1::RunResult& result);
inline const std::vector<std::string> kRunCsvFiles = {
    "kpis.csv",   "funnel.csv",    "touchpoints.csv", "channels.csv",
    "personas.csv", "series.csv", "retention.csv",   "targets.csv"};

// The CSV columns of an estimate's no-variation fields, after its mean,
// std_error, ci_low, ci_high and n in the tables of KPIs and run figures
// (not of differences): "true" or "false", and the one-sided bounds, empty
// when absent (docs/results-reference.md "Estimate").
inline const std::vector<std::string> kNoVariationColumns = {"no_variation", "one_sided_upper",
                                                             "one_sided_lower"};
std::vector<std::string> no_variation_fields(const v1::Estimate& estimate);

// arms.csv and differences.csv.
std::map<std::string, CsvTable> compare_csv(const v1::CompareResult& result);
inline const std::vector<std::string> kCompareCsvFiles = {"arms.csv", "differences.csv"};

// points.csv and marginal.csv.
std::map<std::string, CsvTable> sweep_csv(const v1::SweepResult& result);
inline const std::vector<std::string> kSweepCsvFiles = {"points.csv", "marginal.csv"};

// mix.csv, marginal.csv and moves.csv.
std::map<std::string, CsvTable> optimize_csv(const v1::OptimizeResult& result);
inline const std::vector<std::string> kOptimizeCsvFiles = {"mix.csv", "marginal.csv", "moves.csv"};
// optimize --by-week adds the schedule.
inline const std::vector<std::string> kScheduleCsvFiles = {"mix.csv", "marginal.csv", "moves.csv",
                                                           "schedule.csv"};

// curves.csv, saturation.csv and contribution.csv.
std::map<std::string, CsvTable> curves_csv(const v1::CurvesResult& result);
inline const std::vector<std::string> kCurvesCsvFiles = {"curves.csv", "saturation.csv",
                                                         "contribution.csv"};

}  // namespace cjsim::report

#endif  // CJSIM_TOOLS_REPORT_CSV_TABLES_H_
