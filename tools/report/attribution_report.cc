#include "tools/report/attribution_report.h"

#include <algorithm>
#include <map>
#include <utility>

#include "models/diagnostics.h"
#include "tools/report/flow_diagram.h"
#include "tools/report/format.h"
#include "tools/report/svg_chart.h"
#include "tools/report/text_table.h"

namespace cjsim::report {

namespace {

// Channels drawn in the charts, by the first method's credit; the rest are
// in the tables.
constexpr size_t kChartedChannels = 20;
// Channels drawn in the flow diagram; the others are merged into one box.
constexpr size_t kFlowChannels = 12;

double credit(const v1::ChannelAttribution& channel, const std::string& method, bool value) {
  const auto& map = value ? channel.value() : channel.conversions();
  auto it = map.find(method);
  return it == map.end() ? 0.0 : it->second;
}

std::string order_text(const v1::AttributionResult& r) {
  return "order " + std::to_string(r.order()) +
         (r.order_candidates_size() > 0 ? " (chosen by --order auto)" : "");
}

// Whether the result attributes a scenario's simulated journeys
// (`cjsim attribute SCENARIO`) rather than a path file's.
bool of_scenario(const v1::AttributionResult& r) { return !r.provenance().scenario().empty(); }

// Whether the channels have removal effects: the Markov method of a path
// file, or any scenario's attribution.
bool has_markov(const v1::AttributionResult& r) {
  return of_scenario(r) ||
         std::find(r.methods().begin(), r.methods().end(), "markov") != r.methods().end();
}

// A removal effect: with its interval for a scenario's.
std::string removal_text(const v1::AttributionResult& r, const v1::ChannelAttribution& c,
                         bool value) {
  const v1::Estimate& e = value ? c.value_removal() : c.removal();
  const double mean = value ? c.value_removal_effect() : c.removal_effect();
  if (!of_scenario(r)) return format_percent(mean);
  // The goal's channel: its removal removes the goal (the warning says so).
  if (c.holds_goal()) return format_percent(mean) + " (holds the goal)";
  return format_percent(mean) + " " + format_interval(e, Unit::kShare, r.exact());
}

// "scenario NAME (variant V), goal kind K": what a scenario's attribution
// is of.
std::string scenario_text(const v1::AttributionResult& r) {
  const v1::Provenance& p = r.provenance();
  std::string out = "scenario " + printable(p.scenario());
  if (!p.variant().empty()) out += " (variant " + printable(p.variant()) + ")";
  if (!r.goal_kind().empty()) out += ", goal " + printable(r.goal_kind());
  return out;
}

// Channel indices, the most credited first (by the first method).
std::vector<int> ranked_channels(const v1::AttributionResult& r) {
  std::vector<int> order(static_cast<size_t>(r.channels_size()));
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  if (r.methods_size() == 0) return order;
  const std::string& method = r.methods(0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return credit(r.channels(a), method, false) > credit(r.channels(b), method, false);
  });
  return order;
}

std::string methods_table(const v1::AttributionResult& r, bool value) {
  std::vector<TextTable::Column> columns = {text_column("channel")};
  if (has_markov(r) && !value) columns.push_back(number_column("removal effect"));
  if (has_markov(r) && value) columns.push_back(number_column("value removal effect"));
  for (const std::string& method : r.methods()) columns.push_back(number_column(method));
  TextTable table(columns);
  for (int i : ranked_channels(r)) {
    const v1::ChannelAttribution& c = r.channels(i);
    std::vector<std::string> row = {printable(c.channel())};
    if (has_markov(r)) row.push_back(removal_text(r, c, value));
    for (const std::string& method : r.methods()) {
      row.push_back(format_real(credit(c, method, value), 4));
    }
    table.add(std::move(row));
  }
  return table.text();
}

// The table's header line and the chain's summary.
std::string table_header(const v1::AttributionResult& r) {
  if (of_scenario(r)) {
    const v1::Provenance& p = r.provenance();
    std::string out = "cjsim attribute | " + scenario_text(r) + " | " +
                      (r.exact() ? std::string("exact")
                                 : std::to_string(p.replications()) + " replications x " +
                                       format_count(static_cast<double>(p.agents())) +
                                       " agents, seed " + std::to_string(p.seed())) +
                      " | " + format_count(r.journeys()) + " people, " +
                      format_count(r.conversions()) + " conversions";
    if (r.value() > 0) out += ", value " + format_real(r.value(), 6);
    out +=
        "\nRemoval effect: the share of the conversions lost when the channel is switched "
        "off, " +
        std::string(r.exact() ? "solved exactly" : "paired on common random numbers") +
        "; first and last: the channel credit of the scenario's run\n";
    return out;
  }
  std::string out = "cjsim attribute | " + printable(r.input()) + " | " +
                    format_count(static_cast<double>(r.paths())) + " paths, " +
                    std::to_string(r.channels_size()) + " channels | " +
                    format_count(r.journeys()) + " journeys, " + format_count(r.conversions()) +
                    " conversions (" + format_percent(r.conversion_probability()) + ")";
  if (r.value() > 0) out += ", value " + format_real(r.value(), 6);
  out += "\n";
  if (has_markov(r)) {
    out += "Markov chain: " + order_text(r) + ", " + format_count(static_cast<double>(r.states())) +
           " states, " + format_count(static_cast<double>(r.transitions())) +
           " transitions; removal effects solved exactly\n";
  }
  return out;
}

}  // namespace

std::string format_attribution_table(const v1::AttributionResult& r) {
  std::string out = table_header(r);
  for (const v1::OrderCandidate& c : r.order_candidates()) {
    out += "  order " + std::to_string(c.order()) + ": " +
           format_count(static_cast<double>(c.states())) + " states, held-out log-likelihood " +
           printf_string("%.2f", c.held_out_log_likelihood()) +
           (c.order() == r.order() ? "  <- chosen" : "") + "\n";
  }
  out += "\nConversions attributed\n" + methods_table(r, false);
  if (r.value() > 0) out += "\nValue attributed\n" + methods_table(r, true);
  return out;
}

std::map<std::string, CsvTable> attribution_csv(const v1::AttributionResult& r) {
  std::map<std::string, CsvTable> tables;
  CsvTable channels({"channel", "method", "conversions", "value"});
  for (const v1::ChannelAttribution& c : r.channels()) {
    for (const std::string& method : r.methods()) {
      channels.add({c.channel(), method, csv_number(credit(c, method, false)),
                    csv_number(credit(c, method, true))});
    }
  }
  tables.emplace("channels.csv", std::move(channels));
  if (of_scenario(r)) {
    // With the intervals and the losses.
    CsvTable effects({"channel", "removal_effect", "removal_effect_low", "removal_effect_high",
                      "value_removal_effect", "value_removal_effect_low",
                      "value_removal_effect_high", "conversions_lost", "conversions_lost_low",
                      "conversions_lost_high", "value_lost", "value_lost_low", "value_lost_high"});
    for (const v1::ChannelAttribution& c : r.channels()) {
      std::vector<std::string> row = {c.channel()};
      for (const v1::Estimate* e :
           {&c.removal(), &c.value_removal(), &c.conversions_lost(), &c.value_lost()}) {
        row.push_back(csv_number(e->mean()));
        row.push_back(csv_number(e->ci_low()));
        row.push_back(csv_number(e->ci_high()));
      }
      effects.add(std::move(row));
    }
    tables.emplace("removal_effects.csv", std::move(effects));
  } else {
    CsvTable effects({"channel", "removal_effect", "value_removal_effect"});
    for (const v1::ChannelAttribution& c : r.channels()) {
      effects.add(
          {c.channel(), csv_number(c.removal_effect()), csv_number(c.value_removal_effect())});
    }
    tables.emplace("removal_effects.csv", std::move(effects));
  }
  CsvTable flow({"from", "to", "journeys"});
  for (const v1::ChannelTransition& t : r.flow()) {
    flow.add({t.from(), t.to(), csv_number(t.journeys())});
  }
  tables.emplace("flow.csv", std::move(flow));
  CsvTable orders({"order", "states", "transitions", "memory_bytes", "held_out_log_likelihood"});
  for (const v1::OrderCandidate& c : r.order_candidates()) {
    orders.add({std::to_string(c.order()), std::to_string(c.states()),
                std::to_string(c.transitions()), csv_number(c.memory_bytes()),
                csv_number(c.held_out_log_likelihood())});
  }
  tables.emplace("orders.csv", std::move(orders));
  return tables;
}

namespace {

svg::BarChart methods_chart(const v1::AttributionResult& r, bool value) {
  svg::BarChart chart;
  chart.title = value ? "Value attributed to each channel, by method"
                      : "Conversions attributed to each channel, by method";
  chart.value_label = value ? "value" : "conversions";
  chart.unit = value ? Unit::kMoney : Unit::kCount;
  chart.groups.assign(r.methods().begin(), r.methods().end());
  const std::vector<int> ranked = ranked_channels(r);
  for (size_t k = 0; k < std::min(kChartedChannels, ranked.size()); ++k) {
    const v1::ChannelAttribution& c = r.channels(ranked[k]);
    svg::BarChart::Row row;
    row.label = c.channel();
    for (const std::string& method : r.methods()) row.values.push_back(credit(c, method, value));
    chart.rows.push_back(std::move(row));
  }
  return chart;
}

svg::BarChart removal_chart(const v1::AttributionResult& r) {
  svg::BarChart chart;
  chart.title = "Removal effect of each channel";
  chart.value_label = "share of conversions lost without the channel";
  chart.unit = Unit::kShare;
  std::vector<int> ranked = ranked_channels(r);
  std::stable_sort(ranked.begin(), ranked.end(), [&](int a, int b) {
    return r.channels(a).removal_effect() > r.channels(b).removal_effect();
  });
  const bool value = r.value() > 0;
  if (value) chart.groups = {"conversions", "value"};
  // The goal's own channel is left out: its removal removes the goal.
  std::erase_if(ranked, [&](int i) { return r.channels(i).holds_goal(); });
  for (size_t k = 0; k < std::min(kChartedChannels, ranked.size()); ++k) {
    const v1::ChannelAttribution& c = r.channels(ranked[k]);
    svg::BarChart::Row row;
    row.label = c.channel();
    row.values.push_back(c.removal_effect());
    if (value) row.values.push_back(c.value_removal_effect());
    chart.rows.push_back(std::move(row));
  }
  return chart;
}

// Start, the channels with the most journeys (the others as one box),
// conversion and null, with the observed journeys between them.
svg::FlowDiagram flow_diagram(const v1::AttributionResult& r) {
  std::map<std::string, double> through;
  for (const v1::ChannelTransition& t : r.flow()) {
    if (t.to().front() != '(') through[t.to()] += t.journeys();
  }
  std::vector<std::pair<double, std::string>> busiest;
  for (const auto& [channel, journeys] : through) busiest.emplace_back(-journeys, channel);
  std::sort(busiest.begin(), busiest.end());
  svg::FlowDiagram d;
  d.title = "Journeys between channels (observed)";
  d.columns = {"start", "channels", "outcome"};
  d.colours = {"start and outcome", "channel"};
  d.unit = "journeys";
  std::map<std::string, size_t> node;
  auto add = [&](const std::string& label, size_t column, size_t colour, bool goal) {
    node[label] = d.nodes.size();
    d.nodes.push_back({label, column, colour, 0, goal});
  };
  add("(start)", 0, 0, false);
  const bool others = busiest.size() > kFlowChannels;
  for (size_t k = 0; k < std::min(kFlowChannels, busiest.size()); ++k) {
    add(busiest[k].second, 1, 1, false);
  }
  if (others) add("(other channels)", 1, 1, false);
  add("(conversion)", 2, 0, true);
  add("(null)", 2, 0, false);
  auto index = [&](const std::string& label) {
    auto it = node.find(label);
    return it != node.end() ? it->second : node.at("(other channels)");
  };
  std::map<std::pair<size_t, size_t>, double> links;
  for (const v1::ChannelTransition& t : r.flow()) {
    const size_t from = index(t.from()), to = index(t.to());
    links[{from, to}] += t.journeys();
    d.nodes[to].size += t.journeys();
  }
  d.nodes[0].size = r.journeys();
  for (const auto& [ends, journeys] : links) d.links.push_back({ends.first, ends.second, journeys});
  return d;
}

// The table of the methods side by side, as the report shows it.
void methods_report_table(const v1::AttributionResult& r, Report& report) {
  std::vector<std::string> header = {"channel"};
  std::vector<bool> numeric = {false};
  if (has_markov(r)) {
    header.push_back("removal effect");
    numeric.push_back(true);
  }
  for (const std::string& method : r.methods()) {
    header.push_back(method);
    numeric.push_back(true);
  }
  std::vector<std::vector<std::string>> rows;
  for (int i : ranked_channels(r)) {
    const v1::ChannelAttribution& c = r.channels(i);
    std::vector<std::string> row = {c.channel()};
    if (has_markov(r)) row.push_back(removal_text(r, c, false));
    for (const std::string& method : r.methods()) {
      row.push_back(format_real(credit(c, method, false), 4));
    }
    rows.push_back(std::move(row));
  }
  report.table(header, std::move(rows), numeric);
}

// `cjsim attribute SCENARIO`: removal effects with intervals, the channel
// credit beside them, the conversions lost.
Report scenario_attribution_report(const v1::AttributionResult& r) {
  const v1::Provenance& p = r.provenance();
  Report report(p.scenario(), "Channel attribution",
                "Which channels the simulated conversions of " + scenario_text(r) +
                    " are owed to: what is lost when each is switched off, beside who touched "
                    "the converters first and last.");
  report.headline("people", format_count(r.journeys()));
  report.headline("conversions", format_count(r.conversions()),
                  r.goal_kind().empty() ? "every goal" : "goal " + r.goal_kind());
  if (r.value() > 0) report.headline("value", format_real(r.value(), 6));
  report.headline("channels", std::to_string(r.channels_size()));
  for (const std::string& warning : r.warnings()) report.paragraph("Warning: " + warning);
  report.section("Removal effects",
                 std::string("The share of the conversions (and of value) lost when the channel "
                             "is switched off: its exposures stop and an edge into its "
                             "touchpoints ends the walk. ") +
                     (r.exact() ? "Solved exactly."
                                : "The scenario and each channel switched off run on common "
                                  "random numbers, so each loss is a paired difference with "
                                  "its interval.") +
                     " The effects need not add up to 100%: channels that work together "
                     "each lose what needs them both.");
  report.chart("removal-effects", svg::render(removal_chart(r)),
               "Removal effect per channel, largest first; a channel holding the goal is left "
               "out (the table gives it).");
  std::vector<std::vector<std::string>> lost;
  for (int i : ranked_channels(r)) {
    const v1::ChannelAttribution& c = r.channels(i);
    lost.push_back({c.channel(), removal_text(r, c, false),
                    format_count(c.conversions_lost().mean()) + " " +
                        format_interval(c.conversions_lost(), Unit::kCount, r.exact()),
                    format_real(c.value_lost().mean(), 6) + " " +
                        format_interval(c.value_lost(), Unit::kMoney, r.exact())});
  }
  report.table({"channel", "removal effect", "conversions lost", "value lost"}, std::move(lost),
               {false, true, true, true});
  report.section("Methods side by side",
                 "removal shares the conversions out in proportion to the removal effects; "
                 "first and last are the channel credit of the run: the channel of each "
                 "converter's first and latest touch (docs/model.md \"Channel credit\"). They "
                 "describe who was there; the removal effect is what the channel causes.");
  report.chart("methods", svg::render(methods_chart(r, false)),
               "Conversions attributed to the most credited channels, one bar per method.");
  methods_report_table(r, report);
  report.provenance("scenario", p.scenario());
  if (!p.variant().empty()) report.provenance("variant", p.variant());
  report.provenance("goal", r.goal_kind().empty() ? "every goal" : r.goal_kind());
  report.provenance("method", r.exact() ? "exact"
                                        : std::to_string(p.replications()) +
                                              " replications, seed " + std::to_string(p.seed()));
  report.provenance("threads", std::to_string(p.threads()));
  report.provenance("wall time", printf_string("%.2f s", r.seconds()));
  report.provenance("engine", "cjsim " + p.engine_version() + ", schema " + p.schema_version());
  if (!p.command_line().empty()) report.provenance("command", p.command_line());
  return report;
}

}  // namespace

Report attribution_report(const v1::AttributionResult& r) {
  if (of_scenario(r)) return scenario_attribution_report(r);
  Report report(r.input(), "Path attribution",
                "Which channels the conversions of the paths in " + r.input() + " are owed to.");
  report.headline("journeys", format_count(r.journeys()),
                  format_count(static_cast<double>(r.paths())) + " distinct paths");
  report.headline("conversions", format_count(r.conversions()),
                  format_percent(r.conversion_probability()) + " of journeys");
  if (r.value() > 0) report.headline("value", format_real(r.value(), 6));
  report.headline("channels", std::to_string(r.channels_size()));
  if (has_markov(r)) {
    report.headline("Markov chain", order_text(r),
                    format_count(static_cast<double>(r.states())) + " states");
  }
  for (const std::string& warning : r.warnings()) report.paragraph("Warning: " + warning);

  report.section("Methods side by side",
                 "Each method shares out the same conversions: markov by the removal effects, "
                 "shapley equally over each path's distinct channels, first and last to one "
                 "touch, linear over every touch, position 40/20/40, time-decay by a half-life "
                 "in touches (docs/attribution.md).");
  report.chart("methods", svg::render(methods_chart(r, false)),
               "Conversions attributed to the most credited channels (by the first method), "
               "one bar per method.");
  if (r.value() > 0) {
    report.chart("methods-value", svg::render(methods_chart(r, true)),
                 "The same for the value of the conversions.");
  }
  methods_report_table(r, report);

  if (has_markov(r)) {
    report.section("Removal effects",
                   "The share of conversions (and of value) the Markov chain loses when the "
                   "channel is removed: every transition into a state that holds it goes to "
                   "null. Solved exactly on the chain, not simulated.");
    report.chart("removal-effects", svg::render(removal_chart(r)),
                 "Removal effect per channel, largest first.");
  }
  report.section("Flow between channels",
                 "Journeys from the start through the channels to a conversion or none, as "
                 "observed in the paths (first-order view: each touch to the next).");
  report.chart("flow", svg::render(flow_diagram(r)),
               "Box height: journeys arriving; ribbons: journeys moving from one channel to the "
               "next; arcs: moves between channels of one column.");
  if (r.order_candidates_size() > 0) {
    report.section("Choosing the order",
                   "--order auto: each order's chain size and the five-fold cross-validated "
                   "log-likelihood of the paths' outcomes; the highest wins.");
    std::vector<std::vector<std::string>> orders;
    for (const v1::OrderCandidate& c : r.order_candidates()) {
      orders.push_back({std::to_string(c.order()), format_count(static_cast<double>(c.states())),
                        format_count(static_cast<double>(c.transitions())),
                        format_real(c.memory_bytes() / (1024.0 * 1024.0), 3) + " MiB",
                        printf_string("%.2f", c.held_out_log_likelihood())});
    }
    report.table({"order", "states", "transitions", "memory", "held-out log-likelihood"},
                 std::move(orders), {true, true, true, true, true});
  }
  const v1::Provenance& p = r.provenance();
  report.provenance("paths file", r.input());
  report.provenance("order", std::to_string(r.order()));
  report.provenance("time-decay half-life", format_real(r.half_life(), 4) + " touches");
  report.provenance("repeats", r.keep_repeats() ? "kept" : "collapsed");
  report.provenance("threads", std::to_string(p.threads()));
  report.provenance("wall time", printf_string("%.2f s", r.seconds()));
  report.provenance("engine", "cjsim " + p.engine_version() + ", schema " + p.schema_version());
  if (!p.command_line().empty()) report.provenance("command", p.command_line());
  return report;
}

}  // namespace cjsim::report
