#include "tools/report/calibration_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tools/report/format.h"
#include "tools/report/svg_chart.h"
#include "tools/report/text_table.h"

namespace cjsim::report {

namespace {

std::string percent_of(double confidence) { return format_real(confidence * 100, 3) + "%"; }

// The unit of observation `o`'s figures, and its words: "conversions",
// "lift of conversions (bold - baseline)".
Unit unit_of(const v1::CalibrationObservation& o) { return kpi_display(o.kpi()).unit; }

std::string observation_label(const v1::CalibrationObservation& o) {
  const std::string label = kpi_display(o.kpi()).label;
  return o.variant().empty() ? label : "lift of " + label + " (" + o.variant() + " - baseline)";
}

std::string window_text(const v1::CalibrationObservation& o) {
  if (!o.from_date().empty()) {
    return o.from_day() == o.to_day() ? o.from_date() : o.from_date() + " to " + o.to_date();
  }
  return o.from_day() == o.to_day()
             ? "day " + std::to_string(o.from_day())
             : "days " + std::to_string(o.from_day()) + " to " + std::to_string(o.to_day());
}

std::string figure(const v1::CalibrationObservation& o, double value) {
  return o.variant().empty() ? format_value(value, unit_of(o))
                             : format_difference(value, unit_of(o));
}

}  // namespace

std::string parameter_value(const v1::CalibrationParameter& p, double value) {
  if (!std::isfinite(value)) return "n/a";
  return p.is_share() ? format_real(value * 100, 2) + "%" : format_real(value, 3);
}

std::string parameter_sentence(const v1::CalibrationParameter& p, double confidence) {
  std::string s = p.label() + ": " + parameter_value(p, p.estimate());
  if (!p.identified()) {
    return s + " (not pinned by the observations: anywhere from " + parameter_value(p, p.low()) +
           " to " + parameter_value(p, p.high()) + " fits as well)";
  }
  return s + " (" + percent_of(confidence) + " interval " + parameter_value(p, p.ci_low()) +
         " to " + parameter_value(p, p.ci_high()) + ")";
}

std::string format_calibration_table(const v1::CalibrationResult& r) {
  std::string out = "Calibrated parameters\n";
  TextTable parameters({text_column("parameter"), number_column("fitted"),
                        number_column(percent_of(r.confidence()) + " interval"),
                        number_column("before"), number_column("range searched")});
  for (const v1::CalibrationParameter& p : r.parameters()) {
    parameters.add({p.label(), parameter_value(p, p.estimate()),
                    p.identified()
                        ? parameter_value(p, p.ci_low()) + " to " + parameter_value(p, p.ci_high())
                        : "not pinned",
                    parameter_value(p, p.start()),
                    parameter_value(p, p.low()) + " to " + parameter_value(p, p.high())});
  }
  out += parameters.text();
  out += "\nObservations against the calibrated simulation\n";
  TextTable observations({text_column("line"), text_column("observed KPI"), text_column("window"),
                          number_column("observed"), number_column("simulated"),
                          number_column(percent_of(r.confidence()) + " interval"),
                          number_column("residual")});
  for (const v1::CalibrationObservation& o : r.observations()) {
    observations.add(
        {std::to_string(o.line()), observation_label(o), window_text(o),
         figure(o, o.observed()) + " ± " + format_value(o.observed_std_error(), unit_of(o)),
         figure(o, o.simulated().mean()),
         figure(o, o.simulated().ci_low()) + " to " + figure(o, o.simulated().ci_high()),
         format_real(o.standardized_residual(), 2)});
  }
  out += observations.text();
  out += "\nFit: chi-square " + format_real(r.chi_square(), 3) + " on " +
         std::to_string(r.degrees_of_freedom()) + " degrees of freedom";
  if (r.has_p_value()) out += ", " + format_p_value(r.p_value());
  out += "\n" + std::to_string(r.evaluations()) + " evaluations by " + r.optimizer() + " (" +
         r.optimizer_status() + ") and " + std::to_string(r.curvature_evaluations()) +
         " for the curvature; " + format_count(static_cast<double>(r.simulations())) +
         " replications simulated in " + format_real(r.wall_seconds(), 3) + " s\n";
  if (r.draws_written() > 0) {
    out += "wrote " + r.calibrated_scenario() + ": the fitted values, and " +
           std::to_string(r.draws_written()) +
           " joint draws per parameter for `run --parameter-draws N`\n";
  }
  return out;
}

std::map<std::string, CsvTable> calibration_csv(const v1::CalibrationResult& r) {
  std::map<std::string, CsvTable> tables;
  CsvTable parameters({"path", "label", "estimate", "std_error", "ci_low", "ci_high", "start",
                       "low", "high", "identified", "at_bound"});
  for (const v1::CalibrationParameter& p : r.parameters()) {
    parameters.add({p.path(), p.label(), csv_number(p.estimate()), csv_number(p.std_error()),
                    csv_number(p.ci_low()), csv_number(p.ci_high()), csv_number(p.start()),
                    csv_number(p.low()), csv_number(p.high()), p.identified() ? "true" : "false",
                    p.at_bound() ? "true" : "false"});
  }
  tables.emplace("parameters.csv", std::move(parameters));
  CsvTable observations({"line", "kpi", "variant", "from_day", "to_day", "from_date", "to_date",
                         "observed", "observed_std_error", "simulated", "simulated_std_error",
                         "simulated_ci_low", "simulated_ci_high", "from_parameters",
                         "from_simulation", "standardized_residual"});
  for (const v1::CalibrationObservation& o : r.observations()) {
    const v1::Estimate& s = o.simulated();
    observations.add({std::to_string(o.line()), o.kpi(), o.variant(), std::to_string(o.from_day()),
                      std::to_string(o.to_day()), o.from_date(), o.to_date(),
                      csv_number(o.observed()), csv_number(o.observed_std_error()),
                      csv_number(s.mean()), csv_number(s.std_error()), csv_number(s.ci_low()),
                      csv_number(s.ci_high()), csv_number(s.from_parameters()),
                      csv_number(s.from_simulation()), csv_number(o.standardized_residual())});
  }
  tables.emplace("observations.csv", std::move(observations));
  CsvTable correlation({"path", "other", "correlation"});
  for (const v1::CorrelationRow& row : r.correlation()) {
    for (int j = 0; j < row.values_size(); ++j) {
      correlation.add({row.path(), r.correlation(j).path(), csv_number(row.values(j))});
    }
  }
  tables.emplace("correlation.csv", std::move(correlation));
  return tables;
}

Report calibration_report(const v1::CalibrationResult& r) {
  const v1::Provenance& p = r.provenance();
  Report report(p.scenario().empty() ? p.scenario_file() : p.scenario(), "Calibration",
                p.scenario_description());
  report.headline("fit", "chi-square " + format_real(r.chi_square(), 3),
                  std::to_string(r.degrees_of_freedom()) + " degrees of freedom" +
                      (r.has_p_value() ? ", " + format_p_value(r.p_value()) : ""));
  report.headline("observations", std::to_string(r.observations_size()),
                  std::to_string(r.parameters_size()) + " parameters fitted");
  report.section("What the observations say about the scenario's numbers",
                 "Each parameter at the value that brings the simulation closest to the "
                 "observations (weighted by their standard errors and the simulation's), with "
                 "its " +
                     percent_of(r.confidence()) +
                     " interval from the curvature of the fit. The calibrated scenario carries "
                     "these values, and joint draws that keep their correlation, so that "
                     "`cjsim run --parameter-draws N` includes this uncertainty in every "
                     "interval.");
  for (const v1::CalibrationParameter& param : r.parameters()) {
    report.paragraph(parameter_sentence(param, r.confidence()));
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::CalibrationParameter& param : r.parameters()) {
    rows.push_back(
        {param.label(), param.path(), parameter_value(param, param.estimate()),
         param.identified() ? parameter_value(param, param.ci_low()) + " to " +
                                  parameter_value(param, param.ci_high())
                            : "not pinned",
         parameter_value(param, param.start()),
         parameter_value(param, param.low()) + " to " + parameter_value(param, param.high())});
  }
  report.table({"parameter", "field", "fitted", "interval", "before", "range searched"},
               std::move(rows), {false, false, true, true, true, true});
  for (const std::string& w : r.warnings()) report.paragraph("Warning: " + w);

  // One chart per KPI (and per lift's variant): observed and simulated at
  // the middle of each window, with their intervals.
  report.section("Observed and simulated",
                 "Dots at the middle of each observation's window. The observed band is the "
                 "observation ± its standard error times the interval's critical value; the "
                 "simulated band includes the fitted parameters' uncertainty and the "
                 "simulation's.");
  std::map<std::pair<std::string, std::string>, std::vector<const v1::CalibrationObservation*>>
      groups;
  for (const v1::CalibrationObservation& o : r.observations()) {
    groups[{o.kpi(), o.variant()}].push_back(&o);
  }
  const double z =
      r.observations_size() > 0 && r.observations(0).simulated().std_error() > 0
          ? (r.observations(0).simulated().ci_high() - r.observations(0).simulated().mean()) /
                r.observations(0).simulated().std_error()
          : 1.96;
  int chart = 0;
  for (const auto& [key, list] : groups) {
    svg::LineChart c;
    c.title = observation_label(*list.front());
    c.x_label = "day (middle of the window)";
    c.y_label = kpi_display(key.first).label;
    c.y_unit = unit_of(*list.front());
    c.dots = true;
    c.y_from_zero = key.second.empty();
    c.band_label = "shaded: " + percent_of(r.confidence()) + " interval";
    svg::Series observed{"observed", {}, {}, {}, {}}, simulated{"simulated", {}, {}, {}, {}};
    std::vector<const v1::CalibrationObservation*> sorted = list;
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) {
      return a->from_day() + a->to_day() < b->from_day() + b->to_day();
    });
    for (const v1::CalibrationObservation* o : sorted) {
      const double x = (o->from_day() + o->to_day()) / 2.0;
      observed.x.push_back(x);
      observed.y.push_back(o->observed());
      observed.low.push_back(o->observed() - z * o->observed_std_error());
      observed.high.push_back(o->observed() + z * o->observed_std_error());
      simulated.x.push_back(x);
      simulated.y.push_back(o->simulated().mean());
      simulated.low.push_back(o->simulated().ci_low());
      simulated.high.push_back(o->simulated().ci_high());
    }
    c.series = {std::move(observed), std::move(simulated)};
    report.chart("observed-" + std::to_string(chart++), svg::render(c),
                 "Observed (" + std::to_string(list.size()) +
                     (list.size() == 1 ? " window" : " windows") +
                     ") against the simulation at the fitted values.");
  }
  std::vector<std::vector<std::string>> observation_rows;
  for (const v1::CalibrationObservation& o : r.observations()) {
    observation_rows.push_back(
        {std::to_string(o.line()), observation_label(o), window_text(o),
         figure(o, o.observed()) + " ± " + format_value(o.observed_std_error(), unit_of(o)),
         figure(o, o.simulated().mean()),
         figure(o, o.simulated().ci_low()) + " to " + figure(o, o.simulated().ci_high()),
         format_real(o.standardized_residual(), 2)});
  }
  report.table({"line", "observed KPI", "window", "observed", "simulated", "interval", "residual"},
               std::move(observation_rows), {true, false, false, true, true, true, true});
  report.paragraph(
      "Residual: (simulated - observed) / the combined standard error; the fit "
      "statistic is the sum of their squares. Residuals beyond ±2 mark observations "
      "the calibrated scenario does not reproduce.");

  report.provenance("scenario", p.scenario());
  report.provenance("file", p.scenario_file());
  report.provenance("observations", r.observed_file());
  report.provenance("calibrated scenario", r.calibrated_scenario());
  report.provenance("scenario hash", p.scenario_hash());
  report.provenance("seed", std::to_string(p.seed()));
  report.provenance("replications per evaluation", std::to_string(p.replications()));
  report.provenance("agents per replication", format_count(static_cast<double>(p.agents())));
  report.provenance("optimizer", r.optimizer() + ", " + r.optimizer_status());
  report.provenance("evaluations", std::to_string(r.evaluations()) + " + " +
                                       std::to_string(r.curvature_evaluations()) +
                                       " for the curvature");
  report.provenance("threads", std::to_string(p.threads()));
  report.provenance("wall time", printf_string("%.2f s", r.wall_seconds()));
  report.provenance("engine", p.engine_version());
  report.provenance("command", p.command_line());
  return report;
}

}  // namespace cjsim::report
