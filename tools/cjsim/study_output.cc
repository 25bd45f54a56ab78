#include "tools/cjsim/study_output.h"

#include <cmath>
#include <cstdio>
#include <vector>

#include <spdlog/spdlog.h>

#include "models/check.h"
#include "models/diagnostics.h"
#include "sim/kpi_evidence.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/report/format.h"
#include "tools/report/text_table.h"

namespace cjsim::cli {

void OutputOptions::add_to(CLI::App& command, const std::string& message,
                           const std::vector<std::string>& csv_files) {
  std::string tables;
  for (size_t i = 0; i < csv_files.size(); ++i) {
    tables += (i == 0 ? "" : i + 1 == csv_files.size() ? " and " : ", ") + csv_files[i];
  }
  command.add_option("--json", json, "Write the " + message + " as JSON to PATH ('-': stdout)")
      ->check(non_empty_path());
  command.add_option("--csv", csv, "Write " + tables + " into folder DIR")->check(non_empty_path());
  command
      .add_option("--report", report,
                  "Write a self-contained HTML report with charts to PATH (docs/report.md)")
      ->check(non_empty_path());
  command.add_option("--svg", svg, "Write each chart of the report as an SVG file into folder DIR")
      ->check(non_empty_path());
  command.add_flag("--quiet", quiet,
                   "No table, no progress bar, no warnings (--log-level error, unless given)");
  command.add_flag("--estimate", estimate,
                   "Print the memory and work the command needs, and what this machine allows, "
                   "then stop");
}

void print_warnings(const std::string& scenario, const std::vector<std::string>& warnings) {
  for (const std::string& warning : warnings) {
    spdlog::warn("{}: warning: {}", printable(scenario), printable(warning));
  }
}

bool StudyFiles::open(const OutputOptions& options, const std::vector<std::string>& csv_files,
                      const std::string& scenario, const std::string& input_name) {
  quiet_ = options.quiet;
  set_.add_input(input_name, scenario);
  auto opened = [](const Result<PendingOutput*>& output, PendingOutput*& into) {
    if (!output) print_output_error(output.status());
    into = output ? *output : nullptr;
    return output.is_ok();
  };
  if (!options.json.empty() && !opened(set_.open("--json", options.json), json_)) return false;
  for (Extra& extra : extra_) {
    if (!opened(set_.open(extra.option, extra.path), extra.output)) return false;
  }
  if (options.report == "-") {
    spdlog::error("error: --report -: give a file path (the report is a page, not a stream)");
    return false;
  }
  if (!options.report.empty() && !opened(set_.open("--report", options.report), report_)) {
    return false;
  }
  if (!options.csv.empty()) {
    const Result<std::vector<PendingOutput*>> files =
        set_.open_folder_of("--csv", options.csv, csv_files);
    if (!files) {
      print_output_error(files.status());
      return false;
    }
    for (size_t i = 0; i < csv_files.size(); ++i) csv_.emplace_back(csv_files[i], (*files)[i]);
  }
  // The charts' files are known only at the end; the folder is checked now.
  if (!options.svg.empty()) {
    if (const Status status = set_.open_folder("--svg", options.svg); !status.is_ok()) {
      print_output_error(status);
      return false;
    }
  }
  svg_ = options.svg;
  return true;
}

Status StudyFiles::write_output(size_t k, std::string content) {
  CJSIM_CHECK(k < extra_.size() && extra_[k].output != nullptr, "an output that was not opened");
  return set_.write(extra_[k].output, std::move(content));
}

int StudyFiles::abandon_interrupted() {
  set_.abandon();
  return interrupted_exit();
}

int StudyFiles::finish(const std::string& table, const google::protobuf::Message& result,
                       const std::map<std::string, CsvTable>& tables,
                       const std::function<Report()>& make_report) {
  if (interrupted()) return abandon_interrupted();
  auto failed = [&](const Status& status) {
    if (status.code() == Status::Code::kInterrupted) return abandon_interrupted();
    print_output_error(status);
    set_.abandon();
    return kExitFailure;
  };
  if (json_ != nullptr) {
    if (Status s = set_.write(json_, to_json(result)); !s.is_ok()) return failed(s);
  }
  for (const auto& [name, file] : csv_) {
    auto it = tables.find(name);
    CJSIM_CHECK(it != tables.end(), "a CSV table was opened but not produced");
    if (Status s = set_.write(file, it->second.text()); !s.is_ok()) return failed(s);
  }
  if (report_ != nullptr || !svg_.empty()) {
    const Report report = make_report();
    if (report_ != nullptr) {
      if (Status s = set_.write(report_, report.html()); !s.is_ok()) return failed(s);
    }
    if (!svg_.empty()) {
      for (const auto& [name, svg] : report.svg_files()) {
        Result<PendingOutput*> file = set_.open("--svg", svg_ + "/" + name);
        if (!file) return failed(file.status());
        if (Status s = set_.write(*file, svg); !s.is_ok()) return failed(s);
      }
    }
  }
  return commit_outputs(set_, [&] {
    if (!quiet_ && !(json_ != nullptr && json_->is_stdout())) {
      std::fputs(table.c_str(), stdout);
      std::fflush(stdout);
    }
  });
}

}  // namespace cjsim::cli
