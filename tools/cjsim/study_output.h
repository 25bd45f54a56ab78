// Presentation of comparisons and sweeps: the readable tables on stdout and
// the tidy CSV tables of `--csv DIR`.
#ifndef CJSIM_TOOLS_CJSIM_STUDY_OUTPUT_H_
#define CJSIM_TOOLS_CJSIM_STUDY_OUTPUT_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cjsim/v1/result.pb.h"
#include "tools/cjsim/csv.h"
#include "tools/cjsim/output.h"

namespace cjsim::cli {

// kpis.csv, funnel.csv, touchpoints.csv, channels.csv, personas.csv,
// series.csv and retention.csv of a run.
std::map<std::string, CsvTable> run_csv(const v1::RunResult& result);
inline const std::vector<std::string> kRunCsvFiles = {
    "kpis.csv",     "funnel.csv", "touchpoints.csv", "channels.csv",
    "personas.csv", "series.csv", "retention.csv"};

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

// The --json and --csv outputs of a study command, opened before the work
// starts so that a bad path fails at once.
class StudyFiles {
 public:
  // Opens what was asked for; on a bad path prints the error and returns
  // false (exit status 2).
  bool open(const std::string& json, const std::string& csv,
            const std::vector<std::string>& csv_files);
  // Prints `table` (unless `quiet` or the JSON goes to stdout), then writes
  // the JSON and the CSV tables. Returns the exit status.
  int finish(bool quiet, const std::string& table, const google::protobuf::Message& result,
             const std::map<std::string, CsvTable>& tables);

 private:
  std::unique_ptr<PendingOutput> json_;
  std::unique_ptr<CsvFolder> csv_;
};

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_STUDY_OUTPUT_H_
