// The week x channel schedule (sim/schedule.h) and its cells
// (schedule_cells, sim/optimize.h): weeks of a horizon, a channel's spend
// per week, week flights that spend a schedule to the cent with a
// pre-period kept, and the cells' bounds.

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "models/calendar.h"
#include "sim/optimize.h"
#include "sim/schedule.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_text;

// A dated 17-day horizon (two weeks and three days) from a Wednesday; "tv"
// paced by weekday with a pre-period flight, one reaching into the
// horizon and one inside it; "radio" at a constant 700 a week.
const char* kPlan = R"(
simulation { horizon_days: 17 start_date: "2026-11-04" }
channels {
  id: "tv" weekly_budget: 1400 weekday_weights: [1, 1, 1, 1, 2, 3, 3]
  flights { from_day: -14 to_day: -8 weekly_budget: 700 }
  flights { from_day: -3 to_day: 2 weekly_budget: 2100 }
  flights { from: "2026-11-10" to: "2026-11-12" weekly_budget: 3500 }
}
channels { id: "radio" weekly_budget: 700 }
)";

TEST_CASE("schedule: the weeks of a horizon, the last cut by its end") {
  CHECK(schedule_weeks(14) == 2);
  CHECK(schedule_weeks(15) == 3);
  CHECK(schedule_weeks(1) == 1);
  CHECK(week_span(0, 15).from == 0);
  CHECK(week_span(0, 15).to == 6);
  CHECK(week_span(2, 15).from == 14);
  CHECK(week_span(2, 15).to == 14);
  CHECK(cell_name("tv", 2) == "tv@w3");
}

TEST_CASE("schedule: a channel's spend per week is its spend plan's, summed by week") {
  const v1::Scenario s = parse_text(kPlan);
  const SpendPlan plan =
      spend_plan(s.channels(0), *Calendar::of(s.simulation()), s.simulation().horizon_days());
  const std::vector<double> weeks = weekly_spend(s, 0);
  REQUIRE(weeks.size() == 3);
  for (int w = 0; w < 3; ++w) {
    double sum = 0;
    for (int t = 7 * w; t <= std::min(7 * w + 6, 16); ++t) sum += plan.on(t);
    CHECK(weeks[static_cast<size_t>(w)] == doctest::Approx(sum).epsilon(1e-12));
  }
  // The constant channel: 700 a full week, 300 in the three days left.
  CHECK(weekly_spend(s, 1) == std::vector<double>{700, 700, 300});
}

TEST_CASE("schedule: week flights spend the schedule to the cent and keep the pre-period") {
  v1::Scenario s = parse_text(kPlan);
  const Calendar calendar = *Calendar::of(s.simulation());
  const std::vector<double> spends = {1000, 0, 450.5};
  set_week_flights(*s.mutable_channels(0), spends, calendar, 17);
  const v1::Channel& tv = s.channels(0);
  // The pre-period flight as it was, the one reaching into the horizon cut
  // at day -1, then a flight a week.
  REQUIRE(tv.flights_size() == 5);
  CHECK(tv.flights(0).from_day() == -14);
  CHECK(tv.flights(0).to_day() == -8);
  CHECK(tv.flights(1).from_day() == -3);
  CHECK(tv.flights(1).to_day() == -1);
  CHECK(tv.flights(1).weekly_budget() == 2100);
  CHECK(tv.flights(4).from_day() == 14);
  CHECK(tv.flights(4).to_day() == 16);
  CHECK(tv.flights(4).weekly_budget() == doctest::Approx(450.5 * 7 / 3));
  CHECK(tv.weekly_budget() == 1400);
  const std::vector<double> weeks = weekly_spend(s, 0);
  for (size_t w = 0; w < 3; ++w) CHECK(weeks[w] == doctest::Approx(spends[w]).epsilon(1e-12));
  // The pre-period still seeds adstock: its days spend as before.
  const SpendPlan plan = spend_plan(tv, calendar, 17);
  CHECK(plan.first_day == -14);
  double before = 0;
  for (int t = -3; t <= -1; ++t) before += plan.on(t);
  CHECK(before > 0);
}

TEST_CASE("schedule: cells scale a channel's weekly bounds to each week, locked ones keep theirs") {
  const v1::Scenario s = parse_text(kPlan);
  // tv bounded at 70..1000 a week; radio unbounded, and then locked.
  const double total = 2000 * 17 / 7.0;
  const std::vector<PlannedChannel> channels = {{0, 70, 1000},
                                                {1, 0, std::numeric_limits<double>::infinity()}};
  const std::vector<PlannedChannel> cells = schedule_cells(s, channels, {}, total);
  REQUIRE(cells.size() == 6);
  CHECK(cells[0].week == 0);
  CHECK(cells[1].week == 0);
  CHECK(cells[4].channel == 0);
  CHECK(cells[4].week == 2);
  CHECK(cells[4].lower == doctest::Approx(30));
  CHECK(cells[4].upper == doctest::Approx(1000 * 3 / 7.0));
  // Free to take the whole horizon's budget in any week.
  CHECK(cells[5].upper == doctest::Approx(total));
  const std::vector<PlannedChannel> locked = schedule_cells(s, channels, {1}, total);
  CHECK(locked[1].lower == 700);
  CHECK(locked[1].upper == 700);
  CHECK(locked[5].lower == 300);
  CHECK(locked[5].upper == 300);
  CHECK(current_budgets(s, locked)[5] == 300);
}

}  // namespace
}  // namespace cjsim
