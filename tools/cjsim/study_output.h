// Presentation of comparisons and sweeps: the readable tables on stdout and
// the tidy CSV tables of `--csv DIR`.
#ifndef CJSIM_TOOLS_CJSIM_STUDY_OUTPUT_H_
#define CJSIM_TOOLS_CJSIM_STUDY_OUTPUT_H_

#include <map>
#include <string>

#include "cjsim/v1/result.pb.h"
#include "tools/cjsim/csv.h"

namespace cjsim::cli {

std::string format_compare_table(const v1::CompareResult& result);
// arms.csv and differences.csv.
std::map<std::string, CsvTable> compare_csv(const v1::CompareResult& result);
inline const std::vector<std::string> kCompareCsvFiles = {"arms.csv", "differences.csv"};

// Per point: the settings, conversions, conversion rate, cost, cost per
// conversion and the marginal conversions per unit step of each axis.
std::string format_sweep_table(const v1::SweepResult& result);
// points.csv and marginal.csv.
std::map<std::string, CsvTable> sweep_csv(const v1::SweepResult& result);
inline const std::vector<std::string> kSweepCsvFiles = {"points.csv", "marginal.csv"};

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_STUDY_OUTPUT_H_
