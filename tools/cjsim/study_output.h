// Presentation of studies: the readable tables on stdout, the tidy CSV
// tables of `--csv DIR`, and the outputs every study command shares.
#ifndef CJSIM_TOOLS_CJSIM_STUDY_OUTPUT_H_
#define CJSIM_TOOLS_CJSIM_STUDY_OUTPUT_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <tbb/task_arena.h>
#include <CLI/CLI.hpp>

#include "cjsim/v1/result.pb.h"
#include "sim/compare.h"
#include "tools/cjsim/csv.h"
#include "tools/cjsim/output.h"
#include "tools/cjsim/progress.h"
#include "tools/cjsim/report.h"
#include "tools/cjsim/signals.h"

namespace cjsim::cli {

// kpis.csv, funnel.csv, touchpoints.csv, channels.csv, personas.csv,
// series.csv and retention.csv of a run.
std::map<std::string, CsvTable> run_csv(const v1::RunResult& result);
inline const std::vector<std::string> kRunCsvFiles = {
    "kpis.csv",     "funnel.csv", "touchpoints.csv", "channels.csv",
    "personas.csv", "series.csv", "retention.csv"};

// The CSV columns of an estimate's no-variation fields, after its mean,
// std_error, ci_low, ci_high and n in the tables of KPIs and run figures
// (not of differences): "true" or "false", and the one-sided bounds, empty
// when absent (docs/results-reference.md "Estimate").
inline const std::vector<std::string> kNoVariationColumns = {"no_variation", "one_sided_upper",
                                                             "one_sided_lower"};
std::vector<std::string> no_variation_fields(const v1::Estimate& estimate);

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

// The outputs every study command offers: --json, --csv, --report, --svg
// and --quiet.
struct OutputOptions {
  std::string json, csv, report, svg;
  bool quiet = false;
  bool estimate = false;  // print the memory and work, then stop

  // Adds the options to `command`; `message` names the result type
  // ("cjsim.v1.RunResult") and `csv_files` the tables --csv writes.
  void add_to(CLI::App& command, const std::string& message,
              const std::vector<std::string>& csv_files);
  bool wants_report() const { return !report.empty() || !svg.empty(); }
};

// Logs each of `warnings` about the result of `scenario` as a warning
// "SCENARIO: warning: ..." (logging.h: none under --quiet).
void print_warnings(const std::string& scenario, const std::vector<std::string>& warnings);

// The outputs of a study command, one OutputSet: opened before the work
// starts so that a bad path fails at once, and written only when the work is
// done, all together or not at all.
class StudyFiles {
 public:
  // Opens what was asked for, refusing an output that is the file
  // `scenario`; on a bad path prints the error and returns false (exit
  // status 2).
  bool open(const OutputOptions& options, const std::vector<std::string>& csv_files,
            const std::string& scenario);
  // Writes the JSON, the CSV tables and, when asked for, the report from
  // `make_report` (called only then) to their temporary files, then
  // commits them all, printing `table` first (unless quiet or the JSON goes
  // to stdout). Returns the exit status: 1 when a write failed (nothing is
  // renamed into place), 130 or 143 when a signal came first.
  int finish(const std::string& table, const google::protobuf::Message& result,
             const std::map<std::string, CsvTable>& tables,
             const std::function<Report()>& make_report);
  // The work was interrupted by a signal: abandons every output, says so,
  // and returns 130 or 143.
  int abandon_interrupted();

 private:
  bool quiet_ = false;
  OutputSet set_;
  PendingOutput* json_ = nullptr;
  PendingOutput* report_ = nullptr;
  std::vector<std::pair<std::string, PendingOutput*>> csv_;  // by file name
  std::string svg_;
};

// Runs `work(&progress)` in an arena of `threads` workers, with a progress
// bar labelled `label` on a terminal unless `quiet`, and the stop flag of
// SIGINT and SIGTERM (signals.h). Returns false when a signal stopped the
// work: its result is incomplete and must not be written.
template <typename Work>
bool run_with_progress(const char* label, int threads, bool quiet, Work&& work) {
  if (interrupted()) return false;
  StudyProgress progress;
  progress.stop = stop_flag();
  ProgressBar bar(label, &progress.done, &progress.total, !quiet && stderr_is_terminal());
  tbb::task_arena arena(threads);
  arena.execute([&] { work(&progress); });
  return !interrupted();
}

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_STUDY_OUTPUT_H_
