#include "tools/report/schedule_report.h"

#include <algorithm>
#include <map>
#include <vector>

#include "tools/report/format.h"
#include "tools/report/svg_chart.h"
#include "tools/report/text_table.h"

namespace cjsim::report {

namespace {

// The schedule as a grid: the weeks and channels in the result's order and
// the cell of each.
struct Grid {
  std::vector<const v1::ScheduleCell*> weeks;  // the first cell of each week
  std::vector<std::string> channels;
  std::map<std::pair<int, std::string>, const v1::ScheduleCell*> cells;
};

Grid grid_of(const v1::OptimizeResult& r) {
  Grid g;
  for (const v1::ScheduleCell& c : r.schedule()) {
    if (g.weeks.empty() || g.weeks.back()->week() != c.week()) g.weeks.push_back(&c);
    if (std::find(g.channels.begin(), g.channels.end(), c.channel()) == g.channels.end()) {
      g.channels.push_back(c.channel());
    }
    g.cells[{c.week(), c.channel()}] = &c;
  }
  return g;
}

std::string week_start(const v1::ScheduleCell& c) {
  return c.from_date().empty() ? "day " + std::to_string(c.from_day()) : c.from_date();
}

}  // namespace

std::string format_schedule_table(const v1::OptimizeResult& r) {
  if (r.schedule().empty()) return "";
  const Grid g = grid_of(r);
  std::vector<TextTable::Column> columns = {text_column("week"), text_column("from")};
  for (const std::string& c : g.channels) columns.push_back(number_column(c));
  columns.push_back(number_column("total"));
  TextTable table(std::move(columns));
  double all = 0, all_now = 0;
  for (const v1::ScheduleCell* first : g.weeks) {
    std::vector<std::string> row = {std::to_string(first->week()), week_start(*first)};
    double total = 0, now = 0;
    for (const std::string& channel : g.channels) {
      auto it = g.cells.find({first->week(), channel});
      if (it == g.cells.end()) {
        row.push_back("-");
        continue;
      }
      row.push_back(format_money(it->second->budget()) + " (" + format_money(it->second->current_budget()) + ")");
      total += it->second->budget();
      now += it->second->current_budget();
    }
    row.push_back(format_money(total) + " (" + format_money(now) + ")");
    all += total;
    all_now += now;
    table.add(std::move(row));
  }
  return "\nSchedule: recommended spend per week (current in brackets); horizon total " +
         format_money(all) + " (" + format_money(all_now) + ")\n" + table.text();
}

CsvTable schedule_csv(const v1::OptimizeResult& r) {
  CsvTable t({"week", "from_day", "to_day", "from_date", "channel", "current_budget", "budget",
              "current_weekly_budget", "weekly_budget", "marginal_return", "marginal_ci_low",
              "marginal_ci_high", "marginal_n"});
  for (const v1::ScheduleCell& c : r.schedule()) {
    const bool has = c.has_marginal_return();
    const v1::Estimate& m = c.marginal_return();
    t.add({std::to_string(c.week()), std::to_string(c.from_day()), std::to_string(c.to_day()),
           c.from_date(), c.channel(), csv_number(c.current_budget()), csv_number(c.budget()),
           csv_number(c.current_weekly_budget()), csv_number(c.weekly_budget()),
           has ? csv_number(m.mean()) : "", has ? csv_number(m.ci_low()) : "",
           has ? csv_number(m.ci_high()) : "", has ? std::to_string(m.n()) : ""});
  }
  return t;
}

std::string schedule_heat_map(const v1::OptimizeResult& r) {
  const Grid g = grid_of(r);
  constexpr double kLeft = 120, kTop = 48, kCellWidth = 84, kCellHeight = 40;
  // Wide enough for the title (about 7 px a character in bold 13 px) with few weeks.
  constexpr double kTitleWidth = 8 + 66 * 7.5;
  const double width =
      std::max(kLeft + kCellWidth * static_cast<double>(g.weeks.size()) + 16, kTitleWidth + 16);
  const double height = kTop + kCellHeight * static_cast<double>(g.channels.size()) + 24;
  double most = 0;
  for (const v1::ScheduleCell& c : r.schedule()) most = std::max(most, c.budget());
  using svg::coordinate;
  using svg::escape;
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + coordinate(width) +
                    "\" height=\"" + coordinate(height) + "\" viewBox=\"0 0 " + coordinate(width) +
                    " " + coordinate(height) +
                    "\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\">\n";
  out += "<text x=\"8\" y=\"16\" font-size=\"13\" font-weight=\"bold\">Recommended spend per week and "
         "channel (change from the current plan)</text>\n";
  for (size_t w = 0; w < g.weeks.size(); ++w) {
    const double x = kLeft + kCellWidth * static_cast<double>(w);
    out += "<text x=\"" + coordinate(x + kCellWidth / 2) + "\" y=\"" + coordinate(kTop - 8) +
           "\" text-anchor=\"middle\">" + escape("week " + std::to_string(g.weeks[w]->week())) +
           "</text>\n";
  }
  for (size_t k = 0; k < g.channels.size(); ++k) {
    const double y = kTop + kCellHeight * static_cast<double>(k);
    out += "<text x=\"" + coordinate(kLeft - 8) + "\" y=\"" + coordinate(y + kCellHeight / 2 + 4) +
           "\" text-anchor=\"end\">" + escape(g.channels[k]) + "</text>\n";
    for (size_t w = 0; w < g.weeks.size(); ++w) {
      auto it = g.cells.find({g.weeks[w]->week(), g.channels[k]});
      if (it == g.cells.end()) continue;
      const v1::ScheduleCell& c = *it->second;
      const double x = kLeft + kCellWidth * static_cast<double>(w);
      // Shade: white at 0 to the palette's first colour at the most.
      const double share = most > 0 ? c.budget() / most : 0;
      out += "<rect x=\"" + coordinate(x + 1) + "\" y=\"" + coordinate(y + 1) + "\" width=\"" +
             coordinate(kCellWidth - 2) + "\" height=\"" + coordinate(kCellHeight - 2) +
             "\" fill=\"" + std::string(svg::palette(0)) + "\" fill-opacity=\"" +
             printf_string("%.3f", 0.05 + 0.9 * share) + "\" stroke=\"#bbbbbb\"><title>" +
             escape(c.channel() + ", week " + std::to_string(c.week()) + " (" + week_start(c) +
                    "): " + format_money(c.budget()) + ", now " + format_money(c.current_budget())) +
             "</title></rect>\n";
      const std::string fill = share > 0.55 ? "#ffffff" : "#222222";
      out += "<text x=\"" + coordinate(x + kCellWidth / 2) + "\" y=\"" +
             coordinate(y + kCellHeight / 2 - 2) + "\" text-anchor=\"middle\" fill=\"" + fill +
             "\">" + escape(format_money(c.budget())) + "</text>\n";
      out += "<text x=\"" + coordinate(x + kCellWidth / 2) + "\" y=\"" +
             coordinate(y + kCellHeight / 2 + 12) +
             "\" text-anchor=\"middle\" font-size=\"9\" "
             "fill=\"" +
             fill + "\">" +
             escape(format_difference(c.budget() - c.current_budget(), Unit::kMoney)) + "</text>\n";
    }
  }
  out += "</svg>\n";
  return out;
}

void schedule_section(Report& report, const v1::OptimizeResult& r) {
  if (r.schedule().empty()) return;
  report.section("The schedule",
                 "The budget of every planned channel in every week of the horizon, planned "
                 "together (optimize --by-week): spend carries over between weeks through each "
                 "channel's adstock.");
  report.chart("schedule", schedule_heat_map(r),
               "Recommended spend per week (darker: more), with the change from the scenario's "
               "own flights; horizon budget " +
                   format_money(r.total_budget()) + ".");
  std::vector<std::vector<std::string>> rows;
  for (const v1::ScheduleCell& c : r.schedule()) {
    const v1::Estimate& m = c.marginal_return();
    rows.push_back({std::to_string(c.week()), week_start(c), c.channel(), format_money(c.current_budget()),
                    format_money(c.budget()),
                    c.has_marginal_return()
                        ? format_real(m.mean(), 3) + " [" + format_real(m.ci_low(), 3) + ", " +
                              format_real(m.ci_high(), 3) + "]"
                        : ""});
  }
  report.table(
      {"week", "from", "channel", "current", "recommended", "marginal return per unit spent"},
      std::move(rows), {true, false, false, true, true, true});
}

}  // namespace cjsim::report
