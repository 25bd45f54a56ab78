// The outputs every study command shares: the --json, --csv, --report,
// --svg and --quiet options, the files written all or none, the warnings on
// stderr, and running the work with a progress bar. What the outputs
// contain is made by the report library (tools/report).
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
#include "tools/cjsim/output.h"
#include "tools/cjsim/progress.h"
#include "tools/cjsim/signals.h"
#include "tools/report/csv.h"
#include "tools/report/csv_tables.h"
#include "tools/report/html.h"

namespace cjsim::report {}

namespace cjsim::cli {

// The command line hands results to the report library (tools/report) and
// names its functions unqualified.
using namespace ::cjsim::report;

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
  // `scenario` (the input, named `input_name` in messages); on a bad path
  // prints the error and returns false (exit status 2).
  bool open(const OutputOptions& options, const std::vector<std::string>& csv_files,
            const std::string& scenario, const std::string& input_name = "the scenario");
  // Another input file that no output may be (before open).
  void add_input(const std::string& name, const std::string& path) { set_.add_input(name, path); }
  // Another output file of the command, given with `option` (calibrate's
  // -o), opened by open() with the others (before open).
  void add_output(const std::string& option, const std::string& path) {
    extra_.push_back({option, path, nullptr});
  }
  // Writes `content` to the k-th output of add_output (after open, before
  // finish); a failure Status, after which the caller abandons the set.
  Status write_output(size_t k, std::string content);
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
  struct Extra {
    std::string option, path;
    PendingOutput* output;
  };
  std::vector<Extra> extra_;
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
