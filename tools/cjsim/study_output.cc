#include "tools/cjsim/study_output.h"

#include <cmath>
#include <cstdio>
#include <vector>

#include <spdlog/spdlog.h>

#include "models/check.h"
#include "models/diagnostics.h"
#include "sim/kpi_evidence.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/format.h"
#include "tools/cjsim/text_table.h"

namespace cjsim::cli {

namespace {

// The KPIs the tables show, in this order (all are in the JSON and CSV).
std::string header_line(const std::string& what, const std::string& scenario, int replications,
                        int agents, uint64_t seed, int threads, double confidence, double seconds) {
  return "cjsim " + what + " | scenario " + printable(scenario) + " | " +
         std::to_string(replications) + " replications x " + format_count(agents) +
         " agents | seed " + std::to_string(seed) + " | " + std::to_string(threads) +
         " threads | " + printf_string("%.0f", confidence * 100) + "% intervals | " +
         printf_string("%.2f", seconds) + " s\n";
}

std::vector<std::string> estimate_fields(const v1::Estimate& e) {
  return {csv_number(e.mean()), csv_number(e.std_error()), csv_number(e.ci_low()),
          csv_number(e.ci_high()), std::to_string(e.n())};
}

// estimate_fields, then no_variation_fields.
std::vector<std::string> estimate_with_variation(const v1::Estimate& e) {
  std::vector<std::string> out = estimate_fields(e);
  for (std::string& f : no_variation_fields(e)) out.push_back(std::move(f));
  return out;
}

const std::vector<std::string> kEstimateColumns = {
    "mean", "std_error",    "ci_low",          "ci_high",
    "n",    "no_variation", "one_sided_upper", "one_sided_lower"};

}  // namespace

std::vector<std::string> no_variation_fields(const v1::Estimate& e) {
  return {e.no_variation() ? "true" : "false",
          e.has_one_sided_upper() ? csv_number(e.one_sided_upper()) : "",
          e.has_one_sided_lower() ? csv_number(e.one_sided_lower()) : ""};
}

std::map<std::string, CsvTable> run_csv(const v1::RunResult& r) {
  auto header = [&](std::vector<std::string> keys) {
    keys.insert(keys.end(), kEstimateColumns.begin(), kEstimateColumns.end());
    return keys;
  };
  auto row = [&](std::vector<std::string> keys, const v1::Estimate& e) {
    for (std::string& f : estimate_with_variation(e)) keys.push_back(std::move(f));
    return keys;
  };
  CsvTable kpis(header({"kpi"}));
  std::map<std::string, v1::Estimate> sorted(r.kpis().begin(), r.kpis().end());
  for (const auto& [kpi, e] : sorted) kpis.add(row({kpi}, e));
  CsvTable funnel(header({"stage"}));
  for (const v1::FunnelStage& f : r.funnel()) funnel.add(row({f.stage()}, f.reached()));
  CsvTable touchpoints(header({"touchpoint", "channel", "stage", "measure"}));
  for (const v1::TouchpointResult& t : r.touchpoints()) {
    touchpoints.add(row({t.id(), t.channel(), t.stage(), "visits"}, t.visits()));
    touchpoints.add(row({t.id(), t.channel(), t.stage(), "acts"}, t.acts()));
    touchpoints.add(row({t.id(), t.channel(), t.stage(), "conversions"}, t.conversions()));
  }
  CsvTable channels(header({"channel", "measure"}));
  // Every Estimate of ChannelResult, in field order, named as in the JSON.
  const google::protobuf::Descriptor* channel_fields = v1::ChannelResult::descriptor();
  const google::protobuf::Reflection* channel_values = v1::ChannelResult::GetReflection();
  for (const v1::ChannelResult& c : r.channels()) {
    for (int f = 0; f < channel_fields->field_count(); ++f) {
      const google::protobuf::FieldDescriptor* field = channel_fields->field(f);
      if (field->message_type() != v1::Estimate::descriptor()) continue;
      channels.add(row({c.id(), field->name()},
                       static_cast<const v1::Estimate&>(channel_values->GetMessage(c, field))));
    }
  }
  CsvTable personas(header({"persona", "agents", "population", "measure"}));
  for (const v1::PersonaResult& p : r.personas()) {
    const std::string agents = std::to_string(p.agents()), people = csv_number(p.population());
    personas.add(row({p.id(), agents, people, "conversion_rate"}, p.conversion_rate()));
    personas.add(row({p.id(), agents, people, "conversions"}, p.conversions()));
  }
  CsvTable series(header({"day", "measure"}));
  for (const v1::SeriesDay& d : r.series()) {
    const std::string day = std::to_string(d.day());
    series.add(row({day, "new_conversions"}, d.new_conversions()));
    series.add(row({day, "converted_share"}, d.converted_share()));
    series.add(row({day, "active_customers"}, d.active_customers()));
    series.add(row({day, "aware_share"}, d.aware_share()));
    series.add(row({day, "open_complaints"}, d.open_complaints()));
    const std::map<std::string, v1::Estimate> by_goal(d.new_conversions_by_goal().begin(),
                                                      d.new_conversions_by_goal().end());
    for (const auto& [kind, e] : by_goal) series.add(row({day, "new_conversions:" + kind}, e));
  }
  CsvTable retention(header({"days"}));
  for (const v1::RetentionPoint& p : r.retention_curve()) {
    retention.add(row({std::to_string(p.days())}, p.retained()));
  }
  std::map<std::string, CsvTable> out;
  out.emplace("kpis.csv", std::move(kpis));
  out.emplace("funnel.csv", std::move(funnel));
  out.emplace("touchpoints.csv", std::move(touchpoints));
  out.emplace("channels.csv", std::move(channels));
  out.emplace("personas.csv", std::move(personas));
  out.emplace("series.csv", std::move(series));
  out.emplace("retention.csv", std::move(retention));
  return out;
}

std::string format_compare_table(const v1::CompareResult& r) {
  std::string out = header_line("compare", r.scenario(), r.replications(), r.agents(), r.seed(),
                                r.threads(), r.confidence(), r.timing().wall_seconds());
  if (r.target_half_width() > 0) {
    const KpiDisplay rank = kpi_display(r.rank_by());
    out += "target half-width " + format_value(r.target_half_width(), rank.unit) + " on " +
           std::string(rank.label) + ": " +
           (r.stopped() == "target_met"
                ? "met with " + std::to_string(r.replications()) + " replications"
                : "not met; stopped at --max-replications " + std::to_string(r.max_replications()) +
                      " (widest half-width " + format_value(r.max_half_width(), rank.unit) + ")") +
           "\n";
  }
  out += "ranked by " + std::string(kpi_display(r.rank_by()).label) + ":";
  for (int i = 0; i < r.ranking_size(); ++i) {
    out += (i == 0 ? " " : ", ") + std::to_string(i + 1) + ". " + arm_name(r.ranking(i));
  }
  out += "\n";

  const v1::CompareArm& base = r.arms(0);
  for (const v1::CompareDifference& d : r.differences()) {
    const v1::CompareArm* arm = nullptr;
    for (const v1::CompareArm& a : r.arms()) {
      if (a.variant() == d.variant()) arm = &a;
    }
    out += "\n" + d.variant() + " vs baseline\n";
    TextTable table({text_column("KPI"), number_column("baseline"), number_column(d.variant()),
                     number_column("difference"), text_column("interval"),
                     number_column("relative"), text_column("verdict"), number_column("CRN gain")});
    for (const std::string& kpi : table_kpis(base.kpis())) {
      auto diff = d.kpis().find(kpi);
      auto b = base.kpis().find(kpi);
      if (diff == d.kpis().end() || b == base.kpis().end() || arm == nullptr) continue;
      const KpiDisplay display = kpi_display(kpi);
      const v1::Estimate& rel = d.relative().at(kpi);
      const std::string verdict = d.verdict().at(kpi);
      const bool unchanged = verdict == "no_change";
      // A difference that did not vary is exact only for what the model
      // fixes (the cost of two budgets).
      const std::string interval = diff->second.std_error() == 0 && kpi_fixed_by_model(kpi)
                                       ? "(exact)"
                                       : format_difference_interval(diff->second, display.unit);
      table.add({display.label, format_value(b->second.mean(), display.unit),
                 format_value(arm->kpis().at(kpi).mean(), display.unit),
                 format_difference(diff->second.mean(), display.unit), unchanged ? "-" : interval,
                 unchanged ? "-" : format_relative(rel.mean()), verdict_words(verdict),
                 unchanged ? "-" : crn_gain(d.variance_reduction().at(kpi))});
    }
    out += table.text();
  }
  out +=
      "\nCRN gain: how many times smaller the variance of each difference is with common "
      "random numbers than with independent runs. no change: the same in every replication of "
      "both arms.\n";
  return out;
}

std::map<std::string, CsvTable> compare_csv(const v1::CompareResult& r) {
  std::vector<std::string> arm_header = {"variant", "kpi"};
  arm_header.insert(arm_header.end(), kEstimateColumns.begin(), kEstimateColumns.end());
  CsvTable arms(arm_header);
  for (const v1::CompareArm& a : r.arms()) {
    std::map<std::string, v1::Estimate> sorted(a.kpis().begin(), a.kpis().end());
    for (const auto& [kpi, e] : sorted) {
      std::vector<std::string> row = {a.variant(), kpi};
      for (std::string& f : estimate_with_variation(e)) row.push_back(std::move(f));
      arms.add(std::move(row));
    }
  }
  CsvTable differences({"variant", "kpi", "difference", "std_error", "ci_low", "ci_high", "n",
                        "relative", "relative_ci_low", "relative_ci_high", "verdict",
                        "variance_reduction"});
  for (const v1::CompareDifference& d : r.differences()) {
    std::map<std::string, v1::Estimate> sorted(d.kpis().begin(), d.kpis().end());
    for (const auto& [kpi, e] : sorted) {
      std::vector<std::string> row = {d.variant(), kpi};
      for (std::string& f : estimate_fields(e)) row.push_back(std::move(f));
      const v1::Estimate& rel = d.relative().at(kpi);
      row.push_back(csv_number(rel.mean()));
      row.push_back(csv_number(rel.ci_low()));
      row.push_back(csv_number(rel.ci_high()));
      row.push_back(d.verdict().at(kpi));
      row.push_back(csv_number(d.variance_reduction().at(kpi)));
      differences.add(std::move(row));
    }
  }
  std::map<std::string, CsvTable> out;
  out.emplace("arms.csv", std::move(arms));
  out.emplace("differences.csv", std::move(differences));
  return out;
}

std::string format_sweep_table(const v1::SweepResult& r) {
  std::string out = header_line("sweep", r.scenario(), r.replications(), r.agents(), r.seed(),
                                r.threads(), r.confidence(), r.timing().wall_seconds());
  if (!r.variant().empty()) out += "on variant " + r.variant() + "\n";
  out += "\n";
  std::vector<TextTable::Column> columns;
  for (const v1::SweepAxis& axis : r.axes()) columns.push_back(number_column(axis.path()));
  for (const char* header : {"conversions", "interval", "conv. rate", "cost", "cost/conv."}) {
    columns.push_back(std::string(header) == "interval" ? text_column(header)
                                                        : number_column(header));
  }
  for (const v1::SweepAxis& axis : r.axes()) {
    columns.push_back(text_column("marginal/" + axis.path().substr(axis.path().rfind('.') + 1)));
  }
  TextTable table(std::move(columns));
  const Sampling sampling{false, static_cast<double>(r.agents()), r.replications(), r.population(),
                          r.confidence()};
  for (const v1::SweepPoint& p : r.points()) {
    std::vector<std::string> row;
    for (const v1::SweepAxis& axis : r.axes()) {
      row.push_back(format_real(p.settings().at(axis.path()), 6));
    }
    const v1::Estimate& conversions = p.kpis().at("conversions");
    row.push_back(format_count(conversions.mean()));
    row.push_back(format_kpi_interval("conversions", conversions, sampling));
    row.push_back(format_percent(p.kpis().at("conversion_rate").mean()));
    row.push_back(format_value(p.kpis().at("cost").mean(), Unit::kMoney));
    row.push_back(format_value(p.kpis().at("cost_per_conversion").mean(), Unit::kMoney));
    for (const v1::SweepAxis& axis : r.axes()) {
      std::string cell = "-";
      for (const v1::SweepMarginal& m : p.marginal()) {
        if (m.path() != axis.path()) continue;
        const v1::Estimate& e = m.kpis().at("conversions");
        cell = format_real(e.mean(), 4) + " [" + format_real(e.ci_low(), 3) + ", " +
               format_real(e.ci_high(), 3) + "]";
      }
      row.push_back(cell);
    }
    table.add(std::move(row));
  }
  out += table.text();
  out +=
      "\nmarginal: extra conversions per unit step of the field, from the previous value "
      "(paired, common random numbers).\n";
  return out;
}

std::map<std::string, CsvTable> sweep_csv(const v1::SweepResult& r) {
  std::vector<std::string> axes;
  for (const v1::SweepAxis& axis : r.axes()) axes.push_back(axis.path());
  auto with_settings = [&](const v1::SweepPoint& p) {
    std::vector<std::string> row;
    for (const std::string& a : axes) row.push_back(csv_number(p.settings().at(a)));
    return row;
  };
  std::vector<std::string> header = axes;
  for (const char* f : {"kpi", "mean", "std_error", "ci_low", "ci_high", "n"}) header.push_back(f);
  std::vector<std::string> point_header = header;
  point_header.insert(point_header.end(), kNoVariationColumns.begin(), kNoVariationColumns.end());
  CsvTable points(point_header);
  header.insert(header.begin() + static_cast<long>(axes.size()), "along");
  CsvTable marginal(header);
  for (const v1::SweepPoint& p : r.points()) {
    std::map<std::string, v1::Estimate> sorted(p.kpis().begin(), p.kpis().end());
    for (const auto& [kpi, e] : sorted) {
      std::vector<std::string> row = with_settings(p);
      row.push_back(kpi);
      for (std::string& f : estimate_with_variation(e)) row.push_back(std::move(f));
      points.add(std::move(row));
    }
    for (const v1::SweepMarginal& m : p.marginal()) {
      std::map<std::string, v1::Estimate> by_kpi(m.kpis().begin(), m.kpis().end());
      for (const auto& [kpi, e] : by_kpi) {
        std::vector<std::string> row = with_settings(p);
        row.push_back(m.path());
        row.push_back(kpi);
        for (std::string& f : estimate_fields(e)) row.push_back(std::move(f));
        marginal.add(std::move(row));
      }
    }
  }
  std::map<std::string, CsvTable> out;
  out.emplace("points.csv", std::move(points));
  out.emplace("marginal.csv", std::move(marginal));
  return out;
}

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
                      const std::string& scenario) {
  quiet_ = options.quiet;
  set_.add_input("the scenario", scenario);
  std::string error;
  auto failed = [&] {
    print_output_error(error);
    return false;
  };
  if (!options.json.empty() && !(json_ = set_.open("--json", options.json, &error))) {
    return failed();
  }
  if (options.report == "-") {
    spdlog::error("error: --report -: give a file path (the report is a page, not a stream)");
    return false;
  }
  if (!options.report.empty() && !(report_ = set_.open("--report", options.report, &error))) {
    return failed();
  }
  if (!options.csv.empty()) {
    const std::vector<PendingOutput*> files =
        set_.open_folder_of("--csv", options.csv, csv_files, &error);
    if (files.empty()) return failed();
    for (size_t i = 0; i < csv_files.size(); ++i) csv_.emplace_back(csv_files[i], files[i]);
  }
  // The charts' files are known only at the end; the folder is checked now.
  if (!options.svg.empty() && !set_.open_folder("--svg", options.svg, &error)) return failed();
  svg_ = options.svg;
  return true;
}

int StudyFiles::abandon_interrupted() {
  set_.abandon();
  return interrupted_exit();
}

int StudyFiles::finish(const std::string& table, const google::protobuf::Message& result,
                       const std::map<std::string, CsvTable>& tables,
                       const std::function<Report()>& make_report) {
  if (interrupted()) return abandon_interrupted();
  std::string error;
  auto failed = [&] {
    if (error.empty()) return abandon_interrupted();
    print_output_error(error);
    set_.abandon();
    return kExitFailure;
  };
  if (json_ != nullptr && !set_.write(json_, to_json(result), &error)) return failed();
  for (const auto& [name, file] : csv_) {
    auto it = tables.find(name);
    CJSIM_CHECK(it != tables.end(), "a CSV table was opened but not produced");
    if (!set_.write(file, it->second.text(), &error)) return failed();
  }
  if (report_ != nullptr || !svg_.empty()) {
    const Report report = make_report();
    if (report_ != nullptr && !set_.write(report_, report.html(), &error)) return failed();
    if (!svg_.empty()) {
      for (const auto& [name, svg] : report.svg_files()) {
        PendingOutput* file = set_.open("--svg", svg_ + "/" + name, &error);
        if (file == nullptr || !set_.write(file, svg, &error)) return failed();
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
