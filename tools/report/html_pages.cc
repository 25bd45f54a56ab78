#include "tools/report/html_pages.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "models/stage.h"
#include "sim/curves.h"
#include "sim/kpi_evidence.h"
#include "tools/report/flow_diagram.h"
#include "tools/report/format.h"
#include "tools/report/schedule_report.h"
#include "tools/report/svg_chart.h"
#include "tools/report/warnings.h"

namespace cjsim::report {

namespace {

using svg::BarChart;
using svg::IntervalChart;
using svg::LineChart;

// The KPIs a page leads with, in this order, where the result has them.
const std::vector<std::string> kKeyKpis = {
    "conversion_rate",     "conversions", "value",         "cost",
    "cost_per_conversion", "roas",        "retention_rate"};

const std::vector<std::pair<std::string, std::string>> kFunnelKpis = {
    {"awareness_rate", "awareness"},
    {"consideration_rate", "consideration"},
    {"decision_rate", "decision"},
    {"conversion_rate", "converted"},
    {"loyalty_rate", "loyalty"}};

std::string percent(double share) { return printf_string("%.0f%%", share * 100); }

bool is_exact(const v1::Estimate& e) { return e.n() == 0 || e.std_error() == 0; }

// "95% interval 2.38% to 2.44%", "exact", or "the same in every
// replication" (a cost fixed by the budgets).
std::string interval_words(const v1::Estimate& e, Unit unit, double confidence) {
  if (e.n() > 0 && e.std_error() == 0) return "the same in every replication";
  if (is_exact(e)) return "exact";
  return percent(confidence) + " interval " + format_value(e.ci_low(), unit) + " to " +
         format_value(e.ci_high(), unit);
}

std::string difference_words(const v1::Estimate& e, Unit unit, double confidence) {
  if (is_exact(e)) return "exact";
  return percent(confidence) + " interval " + format_difference(e.ci_low(), unit) + " to " +
         format_difference(e.ci_high(), unit);
}

// An interval for a table cell: "[low, high]", or why there is none.
std::string interval_cell(const v1::Estimate& e, Unit unit) {
  if (e.n() > 0 && e.std_error() == 0) return "(no variation)";
  return format_interval(e, unit);
}

// A field path short enough for a legend: "channels[tiktok].weekly_budget"
// -> "tiktok.weekly_budget".
std::string short_path(const std::string& path) {
  const size_t open = path.find('['), close = path.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return path;
  return path.substr(open + 1, close - open - 1) + path.substr(close + 1);
}

// A chart name from an id: lower case, anything but [a-z0-9_-] as '-'.
std::string stem(const std::string& text) {
  std::string out;
  for (char c : text) {
    const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out += (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_' || l == '-' ? l : '-';
  }
  return out.empty() ? "chart" : out;
}

const v1::Estimate* find(const google::protobuf::Map<std::string, v1::Estimate>& kpis,
                         const std::string& name) {
  auto it = kpis.find(name);
  return it == kpis.end() ? nullptr : &it->second;
}

// The KPI, or an estimate of NaNs (a gap in a line) where a point does not
// define it (ROAS where nothing is spent).
const v1::Estimate* find_or_missing(const google::protobuf::Map<std::string, v1::Estimate>& kpis,
                                    const std::string& name) {
  static const v1::Estimate missing = [] {
    v1::Estimate e;
    e.set_mean(std::nan(""));
    e.set_std_error(std::nan(""));
    e.set_ci_low(std::nan(""));
    e.set_ci_high(std::nan(""));
    return e;
  }();
  const v1::Estimate* e = find(kpis, name);
  return e != nullptr ? e : &missing;
}

// The headline of a KPI when the result has it.
// A random KPI that did not vary says so, with its one-sided bound where
// it has one (format_kpi_interval); one the model fixes is "exact".
void kpi_headline(Report& report, const google::protobuf::Map<std::string, v1::Estimate>& kpis,
                  const std::string& name, const Sampling& sampling) {
  const v1::Estimate* e = find(kpis, name);
  if (e == nullptr) return;
  const KpiDisplay d = kpi_display(name);
  const bool steady = e->n() > 0 && e->std_error() == 0;
  report.headline(std::string(d.label), format_value(e->mean(), d.unit),
                  steady && !kpi_fixed_by_model(name) ? format_kpi_interval(name, *e, sampling)
                  : steady                            ? "fixed by the budgets"
                           : interval_words(*e, d.unit, sampling.confidence));
}

// Every KPI as a row: label, name, estimate, interval.
// With `sampling`, the intervals say what format_kpi_interval says ("(exact)"
// only for what the model fixes, "no variation" with its bound).
void kpi_table(Report& report, const google::protobuf::Map<std::string, v1::Estimate>& kpis,
               const Sampling& sampling) {
  std::vector<std::vector<std::string>> rows;
  const std::map<std::string, v1::Estimate> sorted(kpis.begin(), kpis.end());
  for (const auto& [name, e] : sorted) {
    const KpiDisplay d = kpi_display(name);
    rows.push_back({std::string(d.label), name, format_value(e.mean(), d.unit),
                    format_kpi_interval(name, e, sampling), format_value(e.std_error(), d.unit)});
  }
  report.table({"KPI", "name", "estimate", "interval", "standard error"}, std::move(rows),
               {false, false, true, true, true});
}

// The lines every page's provenance has, from the result's Provenance;
// `replications` as the page words it.
void common_provenance(Report& report, const v1::Provenance& p, const std::string& replications,
                       const v1::Timing& timing) {
  report.provenance("scenario", p.scenario());
  report.provenance("file", p.scenario_file());
  report.provenance("scenario hash", p.scenario_hash());
  report.provenance("seed", std::to_string(p.seed()));
  report.provenance("replications", replications);
  report.provenance("agents per replication", format_count(static_cast<double>(p.agents())));
  report.provenance("confidence", percent(p.confidence()) + " intervals");
  report.provenance("threads", std::to_string(p.threads()));
  report.provenance("wall time", printf_string("%.2f s", timing.wall_seconds()));
  report.provenance("engine", "cjsim " + p.engine_version() + ", schema " + p.schema_version());
  if (!p.command_line().empty()) report.provenance("command", p.command_line());
}

std::string scenario_title(const v1::Provenance& p) {
  return p.scenario().empty() ? p.scenario_file() : p.scenario();
}

// The variants a page shows, with their descriptions: the one a run, sweep,
// plan or curves ran on (none for the baseline).
std::vector<std::pair<std::string, std::string>> variant_of(const v1::Provenance& p) {
  if (p.variant().empty()) return {};
  return {{p.variant(), p.variant_description()}};
}

// What the variants of the page change, in the scenario's words.
void describe_variants(Report& report,
                       const std::vector<std::pair<std::string, std::string>>& variants) {
  if (variants.empty()) return;
  if (variants.size() == 1) {
    const auto& [name, description] = variants.front();
    report.paragraph("Variant " + name + (description.empty() ? "." : ": " + description));
    report.provenance("variant", name);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, description] : variants) rows.push_back({name, description});
  report.table({"variant", "what it changes"}, std::move(rows));
}

// A series with its interval band from estimates. A Student-t band of a
// quantity that cannot be negative (a count, a share) is cut at 0 rather
// than drawn below it.
svg::Series estimate_series(std::string name, const std::vector<double>& x,
                            const std::vector<const v1::Estimate*>& y, bool nonnegative = true) {
  svg::Series s;
  s.name = std::move(name);
  s.x = x;
  for (const v1::Estimate* e : y) {
    s.y.push_back(e->mean());
    s.low.push_back(nonnegative && e->ci_low() < 0 ? 0.0 : e->ci_low());  // NaN stays NaN
    s.high.push_back(e->ci_high());
  }
  return s;
}

std::string band_label(double confidence) { return "shaded: " + percent(confidence) + " interval"; }

// ---------------------------------------------------------------- run

// The flow between touchpoints. The engine counts visits and acts per
// touchpoint, not each move, so a ribbon is the acts at its source split
// by the source's edge weights: the expected number of people choosing
// that edge (the choice depends on the weights alone). Edges into a
// switched-off channel end the walk and are left out.
svg::FlowDiagram flow_diagram(const v1::RunResult& r) {
  svg::FlowDiagram diagram;
  diagram.title = "How people move between touchpoints";
  std::map<std::string, size_t> index;
  std::vector<std::string> stages;
  for (v1::Stage stage : kStages) stages.emplace_back(stage_name(stage));
  std::vector<int> used(stages.size(), 0);
  for (const v1::TouchpointResult& t : r.touchpoints()) {
    auto s = std::find(stages.begin(), stages.end(), t.stage());
    if (s != stages.end()) used[static_cast<size_t>(s - stages.begin())] = 1;
  }
  std::vector<size_t> column(stages.size(), 0);
  for (size_t s = 0; s < stages.size(); ++s) {
    if (!used[s]) continue;
    column[s] = diagram.columns.size();
    diagram.columns.push_back(stages[s]);
  }
  std::map<std::string, size_t> colour;
  for (const v1::ChannelResult& c : r.channels()) {
    colour[c.id()] = diagram.colours.size();
    diagram.colours.push_back(c.id());
  }
  for (const v1::TouchpointResult& t : r.touchpoints()) {
    svg::FlowDiagram::Node node;
    node.label = t.id();
    auto s = std::find(stages.begin(), stages.end(), t.stage());
    node.column = s == stages.end() ? 0 : column[static_cast<size_t>(s - stages.begin())];
    node.colour = colour.count(t.channel()) ? colour[t.channel()] : 0;
    node.size = t.visits().mean();
    node.is_goal = !t.goal_kind().empty();
    index[t.id()] = diagram.nodes.size();
    diagram.nodes.push_back(node);
  }
  for (const v1::EdgeResult& e : r.edges()) {
    auto from = index.find(e.from()), to = index.find(e.to());
    if (from == index.end() || to == index.end()) continue;
    diagram.links.push_back({from->second, to->second, e.people().mean()});
  }
  return diagram;
}

// One line with its band against days, as a chart of the report.
struct DayChart {
  const char* name;
  const char* title;
  const char* x_label;
  const char* y_label;
  Unit unit;
  const char* caption;
};

// The flights (light) and events (darker) of a run, as shaded spans of a
// chart against days.
std::vector<svg::Span> calendar_spans(const v1::RunResult& r) {
  // Flights of several channels over the same days make one span.
  std::map<std::pair<int32_t, int32_t>, std::string> flights;
  for (const v1::CalendarSpan& f : r.flights()) {
    std::string& label = flights[{f.from_day(), f.to_day()}];
    label += (label.empty() ? "flight: " : ", ") + f.channel() + " " +
             format_value(f.weekly_budget(), Unit::kMoney) + "/wk";
  }
  std::vector<svg::Span> spans;
  for (const auto& [days, label] : flights) {
    spans.push_back(
        {static_cast<double>(days.first), static_cast<double>(days.second), label, false});
  }
  for (const v1::CalendarSpan& e : r.events()) {
    spans.push_back(
        {static_cast<double>(e.from_day()), static_cast<double>(e.to_day()), e.name(), true});
  }
  return spans;
}

// "day (0 = 2026-11-02)", or "day" when undated.
std::string day_axis(const v1::RunResult& r) {
  return r.start_date().empty() ? "day" : "day (0 = " + r.start_date() + ")";
}

void add_day_chart(Report& report, const DayChart& spec, const std::vector<double>& days,
                   const std::vector<const v1::Estimate*>& values, double confidence,
                   const v1::RunResult* dated = nullptr) {
  LineChart chart;
  chart.title = spec.title;
  // Against the run's days: dated, with its flights and events shaded.
  chart.x_label = dated != nullptr ? day_axis(*dated) : spec.x_label;
  if (dated != nullptr) chart.spans = calendar_spans(*dated);
  chart.y_label = spec.y_label;
  chart.y_unit = spec.unit;
  chart.series.push_back(estimate_series(spec.y_label, days, values));
  chart.band_label = band_label(confidence);
  report.chart(spec.name, svg::render(chart), spec.caption);
}

void run_series(Report& report, bool has_loyalty, const v1::RunResult& r) {
  if (r.series().empty()) return;
  std::vector<double> days;
  std::vector<const v1::Estimate*> fresh, converted, aware, active, complaints, comments;
  bool any_active = false, any_complaints = false, any_comments = false;
  for (const v1::SeriesDay& d : r.series()) {
    days.push_back(d.day());
    fresh.push_back(&d.new_conversions());
    converted.push_back(&d.converted_share());
    aware.push_back(&d.aware_share());
    active.push_back(&d.active_customers());
    complaints.push_back(&d.open_complaints());
    comments.push_back(&d.open_negative_comments());
    any_comments |= d.has_open_negative_comments() && d.open_negative_comments().mean() > 0;
    // Without a loyalty block nobody stops being a customer: the line would
    // be the converted count again.
    any_active |= has_loyalty && d.active_customers().mean() > 0;
    any_complaints |= d.open_complaints().mean() > 0;
  }
  report.section("Over time",
                 "Day by day over the horizon, across replications (day 0 is the first day).");
  struct Shown {
    DayChart spec;
    const std::vector<const v1::Estimate*>* values;
    bool drawn;
  };
  const Shown charts[] = {
      {{"new-conversions", "New conversions per day", "day", "people converting for the first time",
        Unit::kCount,
        "People converting for the first time each day, scaled to the population; the band is "
        "the interval of each day's mean."},
       &fresh,
       true},
      {{"aware", "Aware at least once", "day", "share of the population", Unit::kShare,
        "The share of the population reached at least once (by an exposure or a referral) by "
        "the end of each day: how fast the channels build awareness."},
       &aware,
       true},
      {{"converted", "Converted at least once", "day", "share of the population", Unit::kShare,
        "The share of the population converted at least once by the end of each day (the "
        "cumulative conversion rate; it ends at the conversion rate above)."},
       &converted,
       true},
      {{"active-customers", "Active customers", "day", "customers still active", Unit::kCount,
        "Customers who converted and have not dropped out or been lost to an unanswered "
        "complaint, at the end of each day (scaled)."},
       &active,
       any_active},
      {{"open-complaints", "Open complaints", "day", "complaints not yet answered", Unit::kCount,
        "The customer-care backlog: complaints waiting for an answer at the end of each day "
        "(scaled). A rising line means the care team's capacity is short of the complaints "
        "coming in."},
       &complaints,
       any_complaints},
      {{"open-comments", "Negative comments waiting for an answer", "day",
        "negative comments not yet answered", Unit::kCount,
        "The moderation backlog: negative comments the channels' reach brought, waiting for an "
        "answer from the care team at the end of each day (scaled; docs/model.md \"Comments "
        "and moderation\"). A shitstorm shows as a bump; a line that does not come back down "
        "means the team cannot catch up."},
       &comments,
       any_comments},
  };
  for (const Shown& chart : charts) {
    if (chart.drawn) add_day_chart(report, chart.spec, days, *chart.values, r.confidence(), &r);
  }
}

// Each target: the chance of meeting it, the KPI expected against the
// threshold, and the KPI by day with the threshold and the due day marked.
void run_targets(Report& report, const v1::RunResult& r) {
  if (r.targets().empty()) return;
  report.section("Targets",
                 "The chance of meeting each target is the share of replications that met it by "
                 "its day, with a " +
                     printf_string("%.0f", r.confidence() * 100) +
                     "% Wilson interval (docs/model.md \"Targets\").");
  for (const v1::TargetResult& t : r.targets()) {
    const KpiDisplay kpi = kpi_display(t.kpi());
    const std::string by = t.by_date().empty() ? "day " + std::to_string(t.by_day()) : t.by_date();
    const std::string goal = kpi.label +
                             (t.direction() == "at_least" ? " at least " : " at most ") +
                             format_value(t.threshold(), kpi.unit) + " by " + by;
    const v1::Estimate& p = t.probability();
    std::string text = t.name() + ": " + goal + ". Chance " + format_percent(p.mean()) + " " +
                       format_chance_interval(p) + "; expected " + format_value(t.expected().mean(), kpi.unit) + " " +
                       format_kpi_interval(t.kpi(), t.expected(), sampling_of(r)) + ".";
    if (t.has_earliest_day_p80()) {
      text += " 80% of the replications have met it by " +
              (t.earliest_date_p80().empty() ? "day " + std::to_string(t.earliest_day_p80())
                                             : t.earliest_date_p80()) +
              ".";
    }
    report.paragraph(text);
    if (t.trajectory().empty()) continue;
    LineChart chart;
    chart.title = t.name() + ": " + kpi.label + " by day";
    chart.x_label = day_axis(r);
    chart.y_label = kpi.label;
    chart.y_unit = kpi.unit;
    std::vector<double> x;
    std::vector<const v1::Estimate*> values;
    for (const v1::TargetPoint& point : t.trajectory()) {
      x.push_back(point.day());
      values.push_back(&point.value());
    }
    chart.series.push_back(estimate_series(kpi.label + " from day 0", x, values));
    chart.series.push_back(
        {"threshold", {x.front(), x.back()}, {t.threshold(), t.threshold()}, {}, {}});
    chart.markers.push_back({static_cast<double>(t.by_day()), "due " + by});
    chart.spans = calendar_spans(r);
    chart.band_label = band_label(r.confidence());
    report.chart("target-" + t.name(), svg::render(chart),
                 "The KPI counted from day 0 to each day (mean over replications, with its "
                 "interval), the threshold, and the day the target is due. Shaded: the "
                 "channels' flights (blue) and the events (orange); hover for their names.");
  }
}

void run_retention(Report& report, bool has_loyalty, const v1::RunResult& r) {
  if (!has_loyalty || r.retention_curve().empty()) return;
  std::vector<double> days;
  std::vector<const v1::Estimate*> retained;
  for (const v1::RetentionPoint& p : r.retention_curve()) {
    days.push_back(p.days());
    retained.push_back(&p.retained());
  }
  report.section("Loyalty and care",
                 "After the first conversion: repeats, dropout, customer care and word of "
                 "mouth (docs/model.md \"Loyalty\").");
  std::vector<std::vector<std::string>> rows;
  for (const char* k :
       {"repeat_conversions", "repeat_rate", "repeats_per_customer", "customer_value",
        "retention_rate", "complaints", "complaints_answered_in_sla", "mean_response_days",
        "praises", "referrals", "referred_conversions", "comments", "negative_comments",
        "moderation_backlog"}) {
    const v1::Estimate* e = find(r.kpis(), k);
    if (e == nullptr) continue;
    const KpiDisplay d = kpi_display(k);
    rows.push_back({std::string(d.label), format_value(e->mean(), d.unit),
                    format_kpi_interval(k, *e, sampling_of(r))});
  }
  report.table({"KPI", "estimate", "interval"}, std::move(rows), {false, true, true});
  add_day_chart(report,
                {"retention", "Customers still active after converting", "days since converting",
                 "share still active", Unit::kShare,
                 "Kaplan-Meier estimate over all conversion cohorts: of the people who "
                 "converted, the share still active the given number of days later. Customers "
                 "who converted late in the horizon are observed for fewer days, so the right "
                 "end rests on fewer people and its band is wider."},
                days, retained, r.confidence());
}

// ---------------------------------------------------------------- sweep, curves

// The unit of a field path's values for axis labels.
Unit path_unit(const std::string& path, const std::vector<double>& values) {
  if (path.find("budget") != std::string::npos || path.find("cpm") != std::string::npos ||
      path.find("value") != std::string::npos) {
    return Unit::kMoney;
  }
  const bool unit_interval =
      std::all_of(values.begin(), values.end(), [](double v) { return v >= 0 && v <= 1; });
  for (const char* share : {"probability", "share", "rate", "decay", "reach"}) {
    if (path.find(share) != std::string::npos && unit_interval) return Unit::kShare;
  }
  return Unit::kRatio;
}

// A response curve as a series with bands: the KPI against weekly budget.
svg::Series curve_series(const v1::ResponseCurve& c) {
  std::vector<double> x(c.weekly_budgets().begin(), c.weekly_budgets().end());
  std::vector<const v1::Estimate*> y;
  for (const v1::Estimate& e : c.kpi()) y.push_back(&e);
  return estimate_series(c.channel(), x, y);
}

// The marginal KPI per unit of budget of each curve, at the upper end of
// each step.
LineChart marginal_chart(const google::protobuf::RepeatedPtrField<v1::ResponseCurve>& curves,
                         const std::string& kpi, double confidence) {
  const KpiDisplay d = kpi_display(kpi);
  LineChart chart;
  chart.title = "Marginal " + std::string(d.label) + " per extra unit of weekly budget";
  chart.x_label = "weekly budget";
  chart.x_unit = Unit::kMoney;
  chart.y_label = "extra " + std::string(d.label) + " per unit";
  chart.y_unit = Unit::kRatio;
  chart.y_from_zero = false;
  chart.dots = true;
  chart.band_label = band_label(confidence);
  for (const v1::ResponseCurve& c : curves) {
    std::vector<double> x;
    std::vector<const v1::Estimate*> y;
    for (int k = 0; k < c.marginal_size() && k + 1 < c.weekly_budgets_size(); ++k) {
      x.push_back(c.weekly_budgets(k + 1));
      y.push_back(&c.marginal(k));
    }
    chart.series.push_back(estimate_series(c.channel(), x, y, false));
  }
  return chart;
}

// The headline figures and what they cannot be trusted for.
void run_headlines(Report& report, const v1::RunResult& r, bool has_loyalty) {
  for (const std::string& k : kKeyKpis) {
    if (k == "roas" || (k == "retention_rate" && !has_loyalty)) continue;
    if (k == "value" && find(r.kpis(), k) != nullptr && find(r.kpis(), k)->mean() == 0) continue;
    kpi_headline(report, r.kpis(), k, sampling_of(r));
  }
  const std::vector<std::string> warnings = run_warnings(r);
  if (!warnings.empty()) {
    report.section("Warnings",
                   "What this run's figures cannot be trusted for (docs/report.md "
                   "\"Labels and warnings\").");
    for (const std::string& w : warnings) report.paragraph(w);
  }
}

// The share of the population reaching each stage.
void run_funnel(Report& report, const v1::RunResult& r, bool exact) {
  report.section("Funnel", exact ? "Exact values from the absorbing Markov chain."
                                 : "The share of the population that reached each stage (or a "
                                   "later one) by the end of the horizon.");
  BarChart funnel;
  funnel.title = "Share of the population reaching each stage";
  funnel.value_label = "share of the population";
  funnel.unit = Unit::kShare;
  for (const v1::FunnelStage& s : r.funnel()) {
    funnel.rows.push_back(
        {s.stage(), {s.reached().mean()}, {s.reached().ci_low()}, {s.reached().ci_high()}});
  }
  report.chart("funnel", svg::render(funnel),
               exact
                   ? "Exact shares, so there are no error bars."
                   : "Error bars: the " + percent(r.confidence()) + " interval over replications.");
}

// The flow diagram and its largest ribbons in numbers.
void run_flow(Report& report, const v1::RunResult& r) {
  report.section("Flow between touchpoints");
  const svg::FlowDiagram flow = flow_diagram(r);
  report.chart("flow", svg::render(flow),
               "Columns are stages, colours channels. A box's height is the touchpoint's visits; "
               "the grey stub on its left is people arriving from outside the journey (an "
               "exposure, a delayed return, a referral). A ribbon is the expected number of "
               "people choosing that edge: the simulated acts at its source split by the "
               "source's edge weights (the engine counts visits and acts per touchpoint, not "
               "each move), so it includes moves whose delay runs past the horizon. Arcs above "
               "the boxes go back or stay within a stage.");
  // The largest ribbons in numbers: thin ones are hard to read off the chart.
  std::vector<svg::FlowDiagram::Link> links = flow.links;
  std::stable_sort(links.begin(), links.end(),
                   [](const auto& a, const auto& b) { return a.value > b.value; });
  std::vector<std::vector<std::string>> flow_rows;
  for (const svg::FlowDiagram::Link& link : links) {
    if (flow_rows.size() == 12 || !(link.value > 0)) break;
    const v1::TouchpointResult& from = r.touchpoints(static_cast<int>(link.from));
    flow_rows.push_back({from.id(), flow.nodes[link.to].label, format_count(link.value),
                         format_percent(link.value / from.acts().mean())});
  }
  report.table({"from", "to", "people (expected)", "share of the acts at 'from'"},
               std::move(flow_rows), {false, false, true, true});
}

// The channels' charts: visits, conversions, credit, exposures, spend.
void run_channel_charts(Report& report, const v1::RunResult& r) {
  report.section("Channels");
  BarChart visits;
  visits.title = "Visits to each channel's touchpoints";
  visits.value_label = "visits";
  BarChart conversions;
  conversions.title = "Conversions at each channel's touchpoints";
  conversions.value_label = "conversions";
  int converting_channels = 0;
  BarChart exposures;
  exposures.title = "Exposures by channel";
  exposures.value_label = "exposures";
  exposures.groups = {"paid", "organic"};
  BarChart spend;
  spend.title = "Spend by channel over the horizon";
  spend.value_label = "spend";
  spend.unit = Unit::kMoney;
  bool any_spend = false;
  // Channel credit: who touched the people who converted.
  BarChart credit;
  credit.title = "Conversions credited to each channel";
  credit.value_label = "conversions";
  credit.groups = {"first touch", "last touch", "touched"};
  for (const v1::ChannelResult& c : r.channels()) {
    visits.rows.push_back(
        {c.id(), {c.visits().mean()}, {c.visits().ci_low()}, {c.visits().ci_high()}});
    conversions.rows.push_back({c.id(),
                                {c.conversions().mean()},
                                {c.conversions().ci_low()},
                                {c.conversions().ci_high()}});
    converting_channels += c.conversions().mean() > 0;
    exposures.rows.push_back({c.id(),
                              {c.paid_exposures().mean(), c.organic_exposures().mean()},
                              {c.paid_exposures().ci_low(), c.organic_exposures().ci_low()},
                              {c.paid_exposures().ci_high(), c.organic_exposures().ci_high()}});
    spend.rows.push_back({c.id(), {c.cost().mean()}, {}, {}});
    credit.rows.push_back(
        {c.id(),
         {c.first_touch_conversions().mean(), c.last_touch_conversions().mean(),
          c.assisted_conversions().mean()},
         {c.first_touch_conversions().ci_low(), c.last_touch_conversions().ci_low(),
          c.assisted_conversions().ci_low()},
         {c.first_touch_conversions().ci_high(), c.last_touch_conversions().ci_high(),
          c.assisted_conversions().ci_high()}});
    any_spend |= c.cost().mean() > 0;
  }
  report.chart("channel-visits", svg::render(visits),
               "Visits to the touchpoints on each channel over the horizon, with their "
               "intervals: where people spend their steps of the journey.");
  // With every goal on one channel (a web shop) its bar would be the
  // conversions KPI again; the chart tells something only with two or more.
  if (converting_channels >= 2) {
    report.chart("channel-conversions", svg::render(conversions),
                 "Conversions (first and journey goals) at touchpoints on each channel, with "
                 "their intervals. A channel that only introduces people scores low here even "
                 "when it feeds the others: the flow above shows where people come from.");
  }
  report.chart("channel-credit", svg::render(credit),
               "Which channels touched the people who converted, with intervals: conversions "
               "whose first touch was on the channel, whose latest touch before converting was "
               "on it, and every conversion of a person it touched at all (these overlap, so "
               "they add up to more than the conversions). A touch is a session the channel "
               "started: an exposure that landed the person on one of its touchpoints, word of "
               "mouth, or a first visit. Repeats of the loyalty model are not credited.");
  report.chart("exposures", svg::render(exposures),
               "Exposures per channel over the horizon: ads and posts seen, paid (from the "
               "channel's budget through its reach curve) and organic (posts and unpaid "
               "reach). One person can be exposed many times, so exposures are not people: "
               "the table gives the people each channel reached and its exposures per person.");
  if (any_spend) {
    report.chart("spend", svg::render(spend),
                 "What each channel's weekly budget spends over the horizon (fixed by the "
                 "budget, so no interval).");
  }
}

// The channels' exposures, reach, spend and visits, and their credit, as
// tables.
void run_channel_tables(Report& report, const v1::RunResult& r) {
  std::vector<std::vector<std::string>> channel_rows, credit_rows;
  for (const v1::ChannelResult& c : r.channels()) {
    const double frequency = c.frequency().mean();
    channel_rows.push_back(
        {c.id(), format_count(c.paid_exposures().mean()),
         format_count(c.organic_exposures().mean()), format_count(c.reach().mean()),
         std::isfinite(frequency) ? format_value(frequency, Unit::kRatio) : "-",
         format_count(c.impressions_bought().mean()), format_value(c.cost().mean(), Unit::kMoney),
         format_count(c.visits().mean())});
    credit_rows.push_back({c.id(), format_count(c.first_touch_conversions().mean()),
                           format_count(c.last_touch_conversions().mean()),
                           format_count(c.assisted_conversions().mean()),
                           format_count(c.conversions().mean())});
  }
  report.table({"channel", "paid exposures", "organic exposures", "people reached",
                "exposures per person", "impressions bought", "spend", "visits"},
               std::move(channel_rows), {false, true, true, true, true, true, true, true});
  report.table({"channel", "first-touch conversions", "last-touch conversions",
                "conversions it touched", "conversions at its touchpoints"},
               std::move(credit_rows), {false, true, true, true, true});
  // Engagement and share of voice; what frequency caps stopped.
  const EngagementColumns optional = engagement_columns(r);
  std::vector<std::vector<std::string>> engagement_rows;
  for (const v1::ChannelResult& c : r.channels()) {
    engagement_rows.push_back(engagement_row(c, optional));
  }
  std::vector<std::string> headers = {"channel", "engagements (acts at awareness and consideration)",
                                      "engagements per exposure", "share of all exposures"};
  std::vector<bool> numeric = {false, true, true, true};
  if (optional.capped) {
    headers.insert(headers.end(), {"exposures stopped by the frequency cap",
                                   "money the cap left unspent"});
    numeric.insert(numeric.end(), {true, true});
  }
  if (optional.audience) {
    headers.push_back("retargeting audience (people on an average day)");
    numeric.push_back(true);
  }
  if (optional.opt_outs) {
    headers.push_back("people who opted out of its ads");
    numeric.push_back(true);
  }
  report.table(std::move(headers), std::move(engagement_rows), std::move(numeric));
}

// Each persona's conversion rate.
void run_personas(Report& report, const v1::RunResult& r) {
  report.section("Personas");
  BarChart personas;
  personas.title = "Conversion rate by persona";
  personas.value_label = "conversion rate";
  personas.unit = Unit::kShare;
  std::vector<std::vector<std::string>> persona_rows;
  for (const v1::PersonaResult& p : r.personas()) {
    personas.rows.push_back({p.id(),
                             {p.conversion_rate().mean()},
                             {p.conversion_rate().ci_low()},
                             {p.conversion_rate().ci_high()}});
    persona_rows.push_back({p.id(), format_count(p.agents()), format_count(p.population()),
                            format_value(p.conversion_rate().mean(), Unit::kShare),
                            interval_cell(p.conversion_rate(), Unit::kShare),
                            format_count(p.conversions().mean())});
  }
  report.chart("personas", svg::render(personas),
               "The share of each persona's people who converted at least once.");
  report.table({"persona", "agents", "people", "conversion rate", "interval", "conversions"},
               std::move(persona_rows), {false, true, true, true, true, true});
}

// Every touchpoint's visits, acts and conversions.
void run_touchpoints(Report& report, const v1::RunResult& r) {
  report.section("Touchpoints");
  const bool gated =
      std::any_of(r.touchpoints().begin(), r.touchpoints().end(),
                  [](const v1::TouchpointResult& t) { return t.has_audience_size(); });
  std::vector<std::vector<std::string>> rows;
  for (const v1::TouchpointResult& t : r.touchpoints()) {
    rows.push_back({t.id(), t.channel(), t.stage(), format_count(t.visits().mean()),
                    format_count(t.acts().mean()), format_count(t.conversions().mean())});
    if (gated) {
      rows.back().push_back(t.has_audience_size() ? format_count(t.audience_size().mean()) : "");
    }
  }
  std::vector<std::string> header = {"touchpoint", "channel", "stage",
                                     "visits",     "acts",    "conversions"};
  std::vector<bool> numeric = {false, false, false, true, true, true};
  if (gated) {
    header.push_back("entry audience (a day)");
    numeric.push_back(true);
  }
  report.table(std::move(header), std::move(rows), std::move(numeric));
}

}  // namespace

Report run_report(const v1::RunResult& r) {
  // The KPIs of customers are reported with a loyalty block only.
  const bool has_loyalty = r.kpis().contains("active_customers");
  const bool exact = r.method() == "exact";
  Report report(scenario_title(r.provenance()),
                r.variant().empty() ? "Run" : "Run of variant " + r.variant(),
                r.provenance().scenario_description());
  run_headlines(report, r, has_loyalty);
  describe_variants(report, variant_of(r.provenance()));
  run_targets(report, r);
  run_funnel(report, r, exact);
  run_flow(report, r);
  run_channel_charts(report, r);
  run_channel_tables(report, r);
  run_personas(report, r);
  run_series(report, has_loyalty, r);
  run_retention(report, has_loyalty, r);
  report.section("All KPIs", "docs/results-reference.md defines each one.");
  kpi_table(report, r.kpis(), sampling_of(r));
  run_touchpoints(report, r);

  report.provenance(
      "method", exact ? "exact (absorbing Markov chain)" : "Monte Carlo, " + r.mode() + " form");
  report.provenance("population", format_count(r.population()));
  report.provenance("horizon", std::to_string(r.horizon_days()) + " days");
  common_provenance(report, r.provenance(),
                    exact ? "none (exact)" : std::to_string(r.replications()), r.timing());
  return report;
}

namespace {

// The best arm, the baseline on the ranking KPI and each variant against it.
void compare_headlines(Report& report, const v1::CompareResult& r) {
  const KpiDisplay rank = kpi_display(r.rank_by());
  std::string ranking;
  for (const std::string& a : r.ranking()) ranking += (ranking.empty() ? "" : " > ") + arm_name(a);
  if (!r.ranking().empty()) {
    report.headline("best on " + std::string(rank.label), arm_name(r.ranking(0)),
                    "of " + std::to_string(r.arms_size()) + " arms");
  }
  if (!r.arms().empty()) {
    kpi_headline(
        report, r.arms(0).kpis(), r.rank_by(),
        {false, static_cast<double>(r.agents()), r.replications(), r.population(), r.confidence()});
  }
  for (const v1::CompareDifference& d : r.differences()) {
    const v1::Estimate* e = find(d.kpis(), r.rank_by());
    if (e == nullptr) continue;
    report.headline(d.variant() + " vs baseline", format_difference(e->mean(), rank.unit),
                    difference_words(*e, rank.unit, r.confidence()));
  }

  if (!ranking.empty()) {
    report.paragraph("Ranking on " + std::string(rank.label) + ": " + ranking +
                     ". The ranking follows the estimates; the verdicts below say which "
                     "differences the intervals can tell from noise.");
  }
}

// One chart per key KPI of every variant's paired difference, with its verdict.
void compare_difference_charts(Report& report, const v1::CompareResult& r) {
  std::vector<std::string> kpis = {r.rank_by()};
  for (const std::string& k : kKeyKpis) {
    if (std::find(kpis.begin(), kpis.end(), k) == kpis.end()) kpis.push_back(k);
  }
  std::string unchanged_kpis;
  for (const std::string& k : kpis) {
    // A ratio may be undefined for some variants (ROAS without spend).
    if (std::none_of(r.differences().begin(), r.differences().end(),
                     [&](const v1::CompareDifference& diff) { return diff.kpis().count(k) > 0; })) {
      continue;
    }
    const KpiDisplay d = kpi_display(k);
    // A KPI no variant moves at all (the cost under a CTA change) gets a
    // sentence, not an empty plot.
    const bool unchanged = std::all_of(
        r.differences().begin(), r.differences().end(), [&](const v1::CompareDifference& diff) {
          const v1::Estimate* e = find(diff.kpis(), k);
          return e != nullptr && e->mean() == 0 && e->std_error() == 0;
        });
    if (unchanged) {
      unchanged_kpis += (unchanged_kpis.empty() ? "" : ", ") + std::string(d.label);
      continue;
    }
    IntervalChart chart;
    chart.title = "Difference in " + std::string(d.label);
    chart.value_label = std::string(d.label) + ", variant minus baseline";
    chart.unit = d.unit;
    for (const v1::CompareDifference& diff : r.differences()) {
      IntervalChart::Row row;
      row.label = diff.variant();
      const v1::Estimate* found = find(diff.kpis(), k);
      if (found == nullptr) {
        row.estimate = row.low = row.high = std::nan("");
        row.note = "not defined for this variant";
        chart.rows.push_back(row);
        continue;
      }
      const v1::Estimate& e = *found;
      const std::string verdict = diff.verdict().count(k) ? diff.verdict().at(k) : "";
      row.estimate = e.mean();
      row.low = e.ci_low();
      row.high = e.ci_high();
      const v1::Estimate* rel = find(diff.relative(), k);
      row.note =
          (rel != nullptr ? format_relative(rel->mean()) + ", " : "") + verdict_words(verdict);
      row.tone = verdict == "better"  ? IntervalChart::Tone::kGood
                 : verdict == "worse" ? IntervalChart::Tone::kBad
                                      : IntervalChart::Tone::kNeutral;
      chart.rows.push_back(row);
    }
    report.chart("difference-" + stem(k), svg::render(chart),
                 "Dot: the estimated difference; line: its " + percent(r.confidence()) +
                     " interval; the vertical line is no difference. A verdict is 'better' or "
                     "'worse' only when the whole interval is on one side (for costs, lower is "
                     "better).");
  }

  if (!unchanged_kpis.empty()) {
    report.paragraph(
        "Exactly the same in every arm and replication, so not plotted: " + unchanged_kpis + ".");
  }
}

// Each arm's funnel.
void compare_funnel(Report& report, const v1::CompareResult& r) {
  report.section("Funnel by arm");
  BarChart funnel;
  funnel.title = "Share reaching each stage, by arm";
  funnel.value_label = "share of the population";
  funnel.unit = Unit::kShare;
  for (const v1::CompareArm& arm : r.arms()) funnel.groups.push_back(arm_name(arm.variant()));
  for (const auto& [kpi, label] : kFunnelKpis) {
    BarChart::Row row;
    row.label = label;
    for (const v1::CompareArm& arm : r.arms()) {
      const v1::Estimate* e = find(arm.kpis(), kpi);
      row.values.push_back(e ? e->mean() : std::nan(""));
      row.low.push_back(e ? e->ci_low() : std::nan(""));
      row.high.push_back(e ? e->ci_high() : std::nan(""));
    }
    funnel.rows.push_back(std::move(row));
  }
  report.chart("funnel", svg::render(funnel),
               "Each arm's funnel with the " + percent(r.confidence()) +
                   " interval of every share (error bars). The differences above are the "
                   "sharper test: these intervals do not use the pairing.");
}

// Every KPI of every arm with its interval.
void compare_kpi_table(Report& report, const v1::CompareResult& r) {
  report.section("KPIs by arm");
  std::vector<std::string> header = {"KPI"};
  for (const v1::CompareArm& arm : r.arms()) header.push_back(arm_name(arm.variant()));
  std::vector<std::vector<std::string>> rows;
  if (!r.arms().empty()) {
    const std::map<std::string, v1::Estimate> sorted(r.arms(0).kpis().begin(),
                                                     r.arms(0).kpis().end());
    for (const auto& [k, unused] : sorted) {
      const KpiDisplay d = kpi_display(k);
      std::vector<std::string> row = {std::string(d.label)};
      for (const v1::CompareArm& arm : r.arms()) {
        const v1::Estimate* e = find(arm.kpis(), k);
        row.push_back(e ? format_value(e->mean(), d.unit) + " " + interval_cell(*e, d.unit) : "");
      }
      rows.push_back(std::move(row));
    }
  }
  std::vector<bool> numeric(header.size(), true);
  numeric[0] = false;
  report.table(header, std::move(rows), numeric);
}

// Every paired difference with its verdict and CRN gain.
void compare_difference_table(Report& report, const v1::CompareResult& r) {
  report.section("Paired differences",
                 "CRN gain: how many times smaller the variance of the paired difference is "
                 "than with independent runs.");
  std::vector<std::vector<std::string>> diff_rows;
  for (const v1::CompareDifference& d : r.differences()) {
    const std::map<std::string, v1::Estimate> sorted(d.kpis().begin(), d.kpis().end());
    for (const auto& [k, e] : sorted) {
      const KpiDisplay display = kpi_display(k);
      const v1::Estimate* rel = find(d.relative(), k);
      const double gain = d.variance_reduction().count(k) ? d.variance_reduction().at(k) : 1;
      diff_rows.push_back(
          {d.variant(), std::string(display.label), format_difference(e.mean(), display.unit),
           format_difference_interval(e, display.unit), rel ? format_relative(rel->mean()) : "n/a",
           d.verdict().count(k) ? d.verdict().at(k) : "", crn_gain(gain)});
    }
  }
  report.table({"variant", "KPI", "difference", "interval", "relative", "verdict", "CRN gain"},
               std::move(diff_rows), {false, false, true, true, true, false, true});
}

}  // namespace

Report compare_report(const v1::CompareResult& r) {
  Report report(scenario_title(r.provenance()), "Comparison",
                r.provenance().scenario_description());
  compare_headlines(report, r);
  report.section("Differences from the baseline",
                 "Each variant minus the baseline on the same random numbers (replication r of "
                 "every arm draws the same streams), so the interval is that of the paired "
                 "difference, much narrower than two separate runs would give.");
  describe_variants(report, [&] {
    std::vector<std::pair<std::string, std::string>> variants;
    for (int i = 1; i < r.arms_size(); ++i) {
      variants.emplace_back(r.arms(i).variant(), r.arms(i).description());
    }
    return variants;
  }());
  compare_difference_charts(report, r);
  compare_funnel(report, r);
  compare_kpi_table(report, r);
  compare_difference_table(report, r);
  report.provenance("population", format_count(r.population()));
  report.provenance("ranked by", r.rank_by());
  report.provenance("stopping", r.stopped() == "fixed"
                                    ? "fixed replications"
                                    : r.stopped() + " (target half-width " +
                                          printf_string("%g", r.target_half_width()) + ", widest " +
                                          printf_string("%g", r.max_half_width()) + ")");
  common_provenance(report, r.provenance(), std::to_string(r.replications()) + " per arm",
                    r.timing());
  return report;
}

namespace {

// The sweep's points grouped by the settings of the axes after the first:
// one line each, in the order first seen.
struct SweepLines {
  std::map<std::string, std::vector<const v1::SweepPoint*>> lines;
  std::vector<std::string> order;
};

SweepLines sweep_lines(const v1::SweepResult& r) {
  SweepLines out;
  std::map<std::string, std::vector<const v1::SweepPoint*>>& lines = out.lines;
  std::vector<std::string>& order = out.order;
  for (const v1::SweepPoint& p : r.points()) {
    std::string key;
    for (int a = 1; a < r.axes_size(); ++a) {
      const std::string& path = r.axes(a).path();
      key += (key.empty() ? "" : ", ") + short_path(path) + " = " +
             printf_string("%g", p.settings().at(path));
    }
    if (!lines.count(key)) order.push_back(key);
    lines[key].push_back(&p);
  }
  return out;
}

// Each key KPI against the first axis, one line per setting of the others.
void sweep_kpi_charts(Report& report, const v1::SweepResult& r, const SweepLines& s, Unit x_unit) {
  const v1::SweepAxis& first = r.axes(0);
  const v1::SweepPoint& p0 = r.points(0);
  std::optional<double> current;
  if (first.has_current()) current = first.current();
  report.section("KPIs along " + first.path());
  for (const std::string& k : kKeyKpis) {
    if (find(p0.kpis(), k) == nullptr) continue;
    if (k == "value" && find(p0.kpis(), k)->mean() == 0) continue;
    const KpiDisplay d = kpi_display(k);
    LineChart chart;
    chart.title = std::string(d.label) + " against " + first.path();
    chart.x_label = first.path();
    chart.x_unit = x_unit;
    chart.y_label = std::string(d.label);
    chart.y_unit = d.unit;
    chart.dots = true;
    chart.band_label = band_label(r.confidence());
    for (const std::string& key : s.order) {
      std::vector<double> x;
      std::vector<const v1::Estimate*> y;
      for (const v1::SweepPoint* p : s.lines.at(key)) {
        x.push_back(p->settings().at(first.path()));
        y.push_back(find_or_missing(p->kpis(), k));
      }
      chart.series.push_back(estimate_series(key.empty() ? std::string(d.label) : key, x, y));
    }
    if (current) chart.markers.push_back({*current, "scenario's value"});
    report.chart(
        "sweep-" + stem(k), svg::render(chart),
        "Each dot a simulated setting with its " + percent(r.confidence()) + " interval (shaded)" +
            (current ? "; the vertical line is the value in the scenario file" : "") + ".");
  }
}

// The paired change of conversions and value per unit step of the first axis.
void sweep_marginal_charts(Report& report, const v1::SweepResult& r, const SweepLines& s,
                           Unit x_unit) {
  const v1::SweepAxis& first = r.axes(0);
  const v1::SweepPoint& p0 = r.points(0);
  for (const std::string& k : {std::string("conversions"), std::string("value")}) {
    if (find(p0.kpis(), k) == nullptr || (k == "value" && find(p0.kpis(), k)->mean() == 0)) {
      continue;
    }
    const KpiDisplay d = kpi_display(k);
    LineChart chart;
    chart.title = "Marginal " + std::string(d.label) + " per unit of " + first.path();
    chart.x_label = first.path();
    chart.x_unit = x_unit;
    chart.y_label = "change per unit step";
    chart.y_unit = Unit::kRatio;
    chart.y_from_zero = false;
    chart.dots = true;
    chart.band_label = band_label(r.confidence());
    for (const std::string& key : s.order) {
      std::vector<double> x;
      std::vector<const v1::Estimate*> y;
      for (const v1::SweepPoint* p : s.lines.at(key)) {
        for (const v1::SweepMarginal& m : p->marginal()) {
          if (m.path() != first.path() || !m.kpis().count(k)) continue;
          x.push_back(p->settings().at(first.path()));
          y.push_back(&m.kpis().at(k));
        }
      }
      if (!x.empty()) {
        chart.series.push_back(estimate_series(key.empty() ? "marginal" : key, x, y, false));
      }
    }
    if (chart.series.empty()) continue;
    report.chart("marginal-" + stem(k), svg::render(chart),
                 "The paired change of " + std::string(d.label) + " from the previous value of " +
                     first.path() +
                     ", per unit step, plotted at the step's upper end. Falling towards 0: "
                     "diminishing returns.");
  }
}

// Every point's settings and its main KPIs.
void sweep_points_table(Report& report, const v1::SweepResult& r) {
  report.section("Points");
  std::vector<std::string> header;
  for (const v1::SweepAxis& a : r.axes()) header.push_back(a.path());
  const std::vector<std::string> shown = {"conversions", "conversion_rate", "cost",
                                          "cost_per_conversion"};
  for (const std::string& k : shown) header.push_back(std::string(kpi_display(k).label));
  std::vector<std::vector<std::string>> rows;
  for (const v1::SweepPoint& p : r.points()) {
    std::vector<std::string> row;
    for (const v1::SweepAxis& a : r.axes())
      row.push_back(printf_string("%g", p.settings().at(a.path())));
    for (const std::string& k : shown) {
      const v1::Estimate* e = find(p.kpis(), k);
      const KpiDisplay d = kpi_display(k);
      row.push_back(e ? format_value(e->mean(), d.unit) + " " + interval_cell(*e, d.unit) : "");
    }
    rows.push_back(std::move(row));
  }
  report.table(header, std::move(rows), std::vector<bool>(header.size(), true));
}

}  // namespace

Report sweep_report(const v1::SweepResult& r) {
  Report report(scenario_title(r.provenance()),
                r.variant().empty() ? "Sweep" : "Sweep on variant " + r.variant(),
                r.provenance().scenario_description());
  describe_variants(report, variant_of(r.provenance()));
  if (r.axes().empty() || r.points().empty()) return report;
  const v1::SweepAxis& first = r.axes(0);
  const std::vector<double> values(first.values().begin(), first.values().end());
  const Unit x_unit = path_unit(first.path(), values);
  const SweepLines lines = sweep_lines(r);
  report.paragraph("Swept: " + [&] {
    std::string axes;
    for (const v1::SweepAxis& a : r.axes()) {
      axes += (axes.empty() ? "" : "; ") + a.path() + " over " + std::to_string(a.values_size()) +
              " values";
    }
    return axes;
  }() + ". Every point runs on the same random numbers, so the steps between points are paired.");

  sweep_kpi_charts(report, r, lines, x_unit);
  sweep_marginal_charts(report, r, lines, x_unit);
  sweep_points_table(report, r);
  report.provenance("population", format_count(r.population()));
  common_provenance(report, r.provenance(), std::to_string(r.replications()) + " per point",
                    r.timing());
  return report;
}

namespace {

// One chart per channel: its response curve with the band and `markers`.
void curve_charts(Report& report, const v1::CurvesResult& r,
                  const std::map<std::string, std::vector<svg::Marker>>& markers,
                  const std::string& prefix, const std::string& caption) {
  const KpiDisplay d = kpi_display(r.kpi());
  for (const v1::ResponseCurve& c : r.curves()) {
    LineChart chart;
    chart.title = c.channel() + ": " + std::string(d.label) + " against weekly budget";
    chart.x_label = c.channel() + " weekly budget (others held)";
    if (c.has_care_cost_per_capacity_unit()) {
      // Staffing: the money a week, and what it buys.
      chart.title = "care's staffing: " + std::string(d.label) + " against its weekly cost";
      chart.x_label = "care's staffing a week (1 answer a day = " +
                      format_value(7 * c.care_cost_per_capacity_unit(), Unit::kMoney) +
                      "; others held)";
    }
    chart.x_unit = Unit::kMoney;
    chart.y_label = std::string(d.label);
    chart.y_unit = d.unit;
    chart.dots = true;
    chart.band_label = band_label(r.confidence());
    chart.series.push_back(curve_series(c));
    if (markers.count(c.channel())) chart.markers = markers.at(c.channel());
    report.chart(prefix + stem(c.channel()), svg::render(chart), caption);
  }
}

}  // namespace

namespace {

// The budgets marked on a channel's curve: current, saturation, break-even.
std::vector<svg::Marker> curve_markers(const v1::ResponseCurve& c) {
  std::vector<svg::Marker> markers = {{c.current_weekly_budget(), "current"}};
  if (c.has_saturation_weekly_budget()) {
    markers.push_back({c.saturation_weekly_budget(), "saturates"});
  }
  if (c.break_even().has_weekly_budget()) {
    markers.push_back({c.break_even().weekly_budget(), "break-even"});
  }
  return markers;
}

// A channel's row of the curves table: the KPI and marginal nearest the
// current budget, and the saturation point.
std::vector<std::string> curve_row(const v1::ResponseCurve& c, const KpiDisplay& d) {
  const int n = nearest_budget(c);
  const bool has_kpi = n < c.kpi_size();
  return {c.channel(),
          format_value(c.current_weekly_budget(), Unit::kMoney) +
              care_capacity_words(c, c.current_weekly_budget()),
          has_kpi ? format_value(c.kpi(n).mean(), d.unit) : "",
          has_kpi ? interval_cell(c.kpi(n), d.unit) : "",
          n > 0 && n - 1 < c.marginal_size() ? format_value(c.marginal(n - 1).mean(), Unit::kRatio)
                                             : "",
          c.has_saturation_weekly_budget()
              ? format_value(c.saturation_weekly_budget(), Unit::kMoney)
              : "none: " + c.saturation_note()};
}

// A channel's row of the returns table: its contribution over a budget of
// 0, cost, ROI and break-even budget.
std::vector<std::string> return_row(const v1::ResponseCurve& c, const KpiDisplay& d) {
  const v1::BreakEven& even = c.break_even();
  const v1::ChannelContribution& x = c.contribution();
  std::string break_even = "none: " + even.note();
  if (even.has_weekly_budget()) {
    break_even =
        format_value(even.weekly_budget(), Unit::kMoney) + " [" +
        format_value(even.weekly_budget_low(), Unit::kMoney) + ", " +
        (even.has_weekly_budget_high() ? format_value(even.weekly_budget_high(), Unit::kMoney)
                                       : "beyond the curve") +
        "]";
  }
  return {
      c.channel(),
      format_difference(x.kpi().mean(), d.unit) + " " + format_difference_interval(x.kpi(), d.unit),
      format_difference(x.value().mean(), Unit::kMoney) + " " +
          format_difference_interval(x.value(), Unit::kMoney),
      format_value(x.cost(), Unit::kMoney),
      x.has_roi() ? format_relative(x.roi().mean()) + " " + format_relative_interval(x.roi())
                  : "none: " + x.note(),
      break_even};
}

}  // namespace

Report curves_report(const v1::CurvesResult& r) {
  Report report(scenario_title(r.provenance()), "Response curves",
                r.provenance().scenario_description());
  describe_variants(report, variant_of(r.provenance()));
  const KpiDisplay d = kpi_display(r.kpi());
  std::map<std::string, std::vector<svg::Marker>> markers;
  std::vector<std::vector<std::string>> rows, returns;
  for (const v1::ResponseCurve& c : r.curves()) {
    markers[c.channel()] = curve_markers(c);
    rows.push_back(curve_row(c, d));
    returns.push_back(return_row(c, d));
  }
  report.paragraph(
      "Each channel's weekly budget is varied from 0 to the largest budget shown "
      "while every other channel keeps its budget; all budgets run on the same "
      "random numbers, so a curve's steps are paired.");
  report.section("Response curves");
  curve_charts(report, r, markers, "curve-",
               "Dots: simulated budgets; shaded: the " + percent(r.confidence()) +
                   " interval. 'current' is the scenario's budget; 'saturates' the first budget "
                   "from which every further step brings less than " +
                   percent(r.saturation_fraction()) +
                   " of what the steepest step brought per unit, beyond its interval; "
                   "'break-even' the budget where one more unit spent brings back one unit "
                   "of value (marginal ROAS 1).");
  report.section("Marginal returns");
  report.chart("marginal", svg::render(marginal_chart(r.curves(), r.kpi(), r.confidence())),
               "What one more unit of weekly budget brings on each channel, from paired "
               "differences between neighbouring budgets. Money is best spent where this is "
               "highest; the optimiser equalises it across channels.");
  report.table({"channel", "current weekly budget", d.label + " at current", "interval",
                "marginal per unit", "saturates at"},
               std::move(rows), {false, true, true, true, true, false});
  report.section("What each channel returns",
                 "Each channel at its current budget against a budget of 0, the others held, "
                 "on common random numbers: what it adds, what it costs over the horizon, its "
                 "return on investment ((value - cost) / cost) and the break-even budget, "
                 "where the marginal ROAS falls to 1, with its interval.");
  IntervalChart roi;
  roi.title = "Return on investment at the current budget";
  roi.value_label = "ROI: (value - cost) / cost, against a budget of 0";
  roi.unit = Unit::kShare;
  for (const v1::ResponseCurve& c : r.curves()) {
    if (!c.contribution().has_roi()) continue;
    const v1::Estimate& e = c.contribution().roi();
    const bool gains = e.ci_low() > 0, loses = e.ci_high() < 0;
    roi.rows.push_back({c.channel(), e.mean(), e.ci_low(), e.ci_high(),
                        gains ? "pays back" : (loses ? "loses money" : "cannot tell"),
                        gains   ? IntervalChart::Tone::kGood
                        : loses ? IntervalChart::Tone::kBad
                                : IntervalChart::Tone::kNeutral});
  }
  if (!roi.rows.empty()) {
    report.chart("roi", svg::render(roi),
                 "Each channel's ROI with its " + percent(r.confidence()) +
                     " interval; right of 0 the channel returns more value than it costs. "
                     "Channels that spend nothing now have none.");
  }
  report.table(
      {"channel", d.label + " it adds", "value it adds", "cost", "ROI", "break-even weekly budget"},
      std::move(returns), {false, true, true, true, true, false});
  report.provenance("KPI", r.kpi());
  common_provenance(report, r.provenance(), std::to_string(r.replications()) + " per budget",
                    r.timing());
  return report;
}

namespace {

// The verification's moves taken and those of its last round, and the mROAS check.
void optimize_verification(Report& report, const v1::OptimizeResult& r) {
  const Unit objective_unit = kpi_display(r.objective()).unit;
  if (r.has_verification()) {
    const v1::Verification& v = r.verification();
    const std::string family =
        r.schedule().empty()
            ? "each channel cut by a step and to its lower bound, raised by a step, and a step "
              "shifted between every pair. Each move runs on the search's replications first, "
              "and a promising one on all of the confirmation's"
            : "each cell to its lower bound (with --spend at-most also cut and raised by a "
              "step), and a step shifted to another channel the same week or to the same "
              "channel's week before or after. Each move runs on half the search's "
              "replications first, a promising one then on the search's, and on all of the "
              "confirmation's";
    report.section("Verification",
                   "After the search, moves from the mix on common random numbers: " + family +
                       ", where alone it can be taken: the first move found to improve the "
                       "objective at the " +
                       percent(r.confidence()) +
                       " confidence is, and the next round starts from there. Each verdict "
                       "says on how many replications it was reached. Shown: the moves taken "
                       "and every move of the last round.");
    std::vector<std::vector<std::string>> moves;
    for (const v1::MixMove& m : v.moves()) {
      // The moves that were taken, and every move of the last round.
      if (!m.taken() && m.round() != v.rounds()) continue;
      std::string verdict = m.verdict();
      for (char& c : verdict) c = c == '_' ? ' ' : c;
      moves.push_back({std::to_string(m.round()), m.kind(),
                       m.channel() + (m.to_channel().empty() ? "" : " -> " + m.to_channel()),
                       format_value(m.amount(), Unit::kMoney),
                       format_difference(m.gain().mean(), objective_unit) + " " +
                           interval_cell(m.gain(), objective_unit),
                       verdict + " (" + std::to_string(m.gain().n()) + " replications)",
                       m.taken() ? "taken" : ""});
    }
    report.table({"round", "move", "channel", "weekly amount", "gain", "verdict", ""},
                 std::move(moves), {true, false, false, true, true, false, false});
    if (r.has_mroas_check()) {
      std::string outcome = r.mroas_check().outcome();
      for (char& c : outcome) c = c == '_' ? ' ' : c;
      report.paragraph("mROAS check (profit): " + outcome +
                       ". At a profit optimum a channel strictly inside its bounds returns 1 "
                       "per unit spent at the margin, unless the whole total is spent.");
    }
  }
}

// The current and recommended weekly budgets.
void optimize_mix_section(Report& report, const v1::OptimizeResult& r) {
  report.section("The mix");
  BarChart mix;
  mix.title = r.recommended().has_care_daily_capacity()
                  ? "Weekly budget by channel, and care's staffing"
                  : "Weekly budget by channel";
  mix.value_label = "weekly budget";
  mix.unit = Unit::kMoney;
  mix.groups = {"current", "recommended"};
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < r.recommended().channels_size(); ++i) {
    const v1::ChannelBudget& rec = r.recommended().channels(i);
    const double cur =
        i < r.current().channels_size() ? r.current().channels(i).weekly_budget() : 0;
    mix.rows.push_back({rec.channel(), {cur, rec.weekly_budget()}, {}, {}});
    const bool binding =
        std::find(r.binding().begin(), r.binding().end(), rec.channel()) != r.binding().end();
    const bool dropped =
        std::find(r.dropped().begin(), r.dropped().end(), rec.channel()) != r.dropped().end();
    std::string note = dropped ? "dropped" : binding ? "at a bound" : "";
    const std::string staffing = care_staffing_note(r, rec.channel());
    if (!staffing.empty()) note += (note.empty() ? "" : "; ") + staffing;
    rows.push_back({rec.channel(), format_value(cur, Unit::kMoney),
                    format_value(rec.weekly_budget(), Unit::kMoney),
                    cur > 0 ? format_relative(rec.weekly_budget() / cur - 1) : "", note});
  }
  report.chart("mix", svg::render(mix),
               "The current weekly budgets against the recommended split (" + r.mode() + " mode, " +
                   std::to_string(r.evaluations()) + " mixes simulated, stopped: " + r.stopped() +
                   ").");
  report.table({"channel", "current", "recommended", "change", ""}, std::move(rows),
               {false, true, true, true, false});
}

// What one more unit on each channel would bring at the recommendation.
void optimize_marginal(Report& report, const v1::OptimizeResult& r) {
  const Unit objective_unit = kpi_display(r.objective()).unit;
  if (!r.marginal().empty()) {
    const bool money = objective_unit == Unit::kMoney;
    IntervalChart chart;
    chart.title = money ? (r.recommended().has_care_daily_capacity()
                               ? "Marginal return on spend (ads and care's staffing) at the "
                                 "recommended mix"
                               : "Marginal return on ad spend at the recommended mix")
                        : "Extra conversions per extra unit of weekly budget, at the "
                          "recommended mix";
    chart.value_label = money ? "extra value per extra unit spent" : "conversions per unit";
    chart.unit = Unit::kRatio;
    for (const v1::MarginalReturn& m : r.marginal()) {
      const v1::Estimate& e = money ? m.mroas() : m.conversions_per_unit();
      chart.rows.push_back({m.channel(), e.mean(), e.ci_low(), e.ci_high(),
                            "step " + format_value(m.step(), Unit::kMoney),
                            IntervalChart::Tone::kNeutral});
    }
    report.section("Marginal returns");
    report.chart(
        "marginal", svg::render(chart),
        "What one more unit on each channel would bring at the recommended mix, from "
        "paired runs with that channel raised by the step (and, with the profit "
        "objective, lowered by it: the slope at the recommendation). At an interior optimum "
        "these are about equal; a channel clearly above the others is held back by a "
        "bound.");
  }
}

// Every KPI at the current and the recommended mix.
void optimize_kpi_table(Report& report, const v1::OptimizeResult& r) {
  report.section("KPIs, current and recommended");
  std::vector<std::vector<std::string>> kpi_rows;
  const std::map<std::string, v1::Estimate> sorted(r.current().kpis().begin(),
                                                   r.current().kpis().end());
  for (const auto& [k, e] : sorted) {
    const KpiDisplay d = kpi_display(k);
    const v1::Estimate* rec = find(r.recommended().kpis(), k);
    kpi_rows.push_back(
        {std::string(d.label), format_value(e.mean(), d.unit) + " " + interval_cell(e, d.unit),
         rec ? format_value(rec->mean(), d.unit) + " " + interval_cell(*rec, d.unit) : ""});
  }
  report.table({"KPI", "current", "recommended"}, std::move(kpi_rows), {false, true, true});
}

// The response curves around the recommendation, with the current and
// recommended budgets marked.
void optimize_curves(Report& report, const v1::OptimizeResult& r, const v1::CurvesResult* curves) {
  if (curves != nullptr && !curves->curves().empty()) {
    std::map<std::string, double> current_budget, recommended_budget;
    for (const v1::ChannelBudget& b : r.current().channels()) {
      current_budget[b.channel()] = b.weekly_budget();
    }
    for (const v1::ChannelBudget& b : r.recommended().channels()) {
      recommended_budget[b.channel()] = b.weekly_budget();
    }
    std::map<std::string, std::vector<svg::Marker>> markers;
    for (const v1::ResponseCurve& c : curves->curves()) {
      markers[c.channel()].push_back({recommended_budget[c.channel()], "recommended"});
      markers[c.channel()].push_back({current_budget[c.channel()], "current"});
    }
    report.section("Response curves around the recommendation",
                   "Each channel's budget varied while the others keep their recommended "
                   "budgets.");
    curve_charts(report, *curves, markers, "curve-",
                 "Dots: simulated budgets; shaded: the " + percent(curves->confidence()) +
                     " interval; the recommended and current budgets are marked.");
  }
}

}  // namespace

Report optimize_report(const v1::OptimizeResult& r, const v1::CurvesResult* curves) {
  Report report(scenario_title(r.provenance()), "Budget optimisation",
                r.provenance().scenario_description());
  describe_variants(report, variant_of(r.provenance()));
  // The objective is a KPI of the registry: its label and unit here, in
  // the table and in the curves below alike.
  const KpiDisplay objective_kpi = kpi_display(r.objective());
  const Unit objective_unit = objective_kpi.unit;
  const std::string objective =
      std::string(objective_kpi.label) + (r.risk().empty() ? "" : " (" + r.risk() + ")");
  report.headline("current " + objective,
                  format_value(r.current().estimate().mean(), objective_unit),
                  interval_words(r.current().estimate(), objective_unit, r.confidence()));
  report.headline("recommended " + objective,
                  format_value(r.recommended().estimate().mean(), objective_unit),
                  interval_words(r.recommended().estimate(), objective_unit, r.confidence()));
  report.headline("gain", format_difference(r.gain().mean(), objective_unit),
                  verdict_words(r.verdict()) + "; " +
                      difference_words(r.gain(), objective_unit, r.confidence()));
  report.headline("weekly budget",
                  format_value(r.recommended().total_weekly_budget(), Unit::kMoney),
                  "current " + format_value(r.current().total_weekly_budget(), Unit::kMoney));
  for (const std::string& note : r.notes()) report.paragraph(note);

  optimize_verification(report, r);
  optimize_mix_section(report, r);
  schedule_section(report, r);
  optimize_marginal(report, r);
  optimize_curves(report, r, curves);
  optimize_kpi_table(report, r);
  report.provenance("objective", objective + ", " + r.mode() + " mode");
  report.provenance("confirmation", std::to_string(r.confirm_replications()) + " replications");
  common_provenance(report, r.provenance(), std::to_string(r.replications()) + " per candidate mix",
                    r.timing());
  return report;
}

}  // namespace cjsim::report
