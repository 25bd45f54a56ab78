// The schedule's forms (tools/report/schedule_report.h): the text table
// with weeks as rows and channels as columns, schedule.csv and the heat
// map, on a hand-made result.

#include <string>

#include <doctest/doctest.h>

#include "cjsim/v1/result.pb.h"
#include "tools/report/schedule_report.h"

namespace cjsim::report {
namespace {

v1::OptimizeResult two_by_two() {
  v1::OptimizeResult r;
  r.set_total_budget(5000);
  const char* channels[] = {"tv", "web"};
  const double budgets[2][2] = {{1000, 500}, {3000, 500}};
  for (int week = 1; week <= 2; ++week) {
    for (int c = 0; c < 2; ++c) {
      v1::ScheduleCell* cell = r.add_schedule();
      cell->set_week(week);
      cell->set_from_day(7 * (week - 1));
      cell->set_to_day(7 * week - 1);
      cell->set_from_date(week == 1 ? "2026-11-02" : "2026-11-09");
      cell->set_channel(channels[c]);
      cell->set_current_budget(c == 0 ? 2000 : 500);
      cell->set_budget(budgets[week - 1][c]);
      if (c == 0) cell->mutable_marginal_return()->set_mean(0.25);
    }
  }
  return r;
}

TEST_CASE("schedule report: weeks as rows, channels as columns, the current in brackets") {
  const std::string table = format_schedule_table(two_by_two());
  CHECK(table.find("horizon total 5,000 (5,000)") != std::string::npos);
  CHECK(table.find("week  from") != std::string::npos);
  CHECK(table.find("2026-11-09  3,000 (2,000)") != std::string::npos);
  CHECK(format_schedule_table(v1::OptimizeResult()).empty());
}

TEST_CASE("schedule report: schedule.csv has a row per cell, no marginal for a locked one") {
  const std::string csv = schedule_csv(two_by_two()).text();
  CHECK(csv.find("week,from_day,to_day,from_date,channel,current_budget,budget") == 0);
  CHECK(csv.find("2,7,13,2026-11-09,tv,2000,3000,0,0,0.25,") != std::string::npos);
  CHECK(csv.find("2,7,13,2026-11-09,web,500,500,0,0,,,,") != std::string::npos);
}

TEST_CASE("schedule report: the heat map draws a labelled square per cell") {
  const std::string svg = schedule_heat_map(two_by_two());
  CHECK(svg.rfind("<svg ", 0) == 0);
  size_t squares = 0;
  for (size_t at = svg.find("<rect"); at != std::string::npos; at = svg.find("<rect", at + 1)) {
    ++squares;
  }
  CHECK(squares == 4);
  CHECK(svg.find(">week 2<") != std::string::npos);
  CHECK(svg.find(">+1,000<") != std::string::npos);
  // The most spent is the darkest.
  CHECK(svg.find("fill-opacity=\"0.950\"") != std::string::npos);
}

}  // namespace
}  // namespace cjsim::report
