// The calendar from the command line: a dated example's targets in the
// table, the JSON and targets.csv; a target's KPI refused at its line.

#include <string>

#include <doctest/doctest.h>

#include "cjsim/v1/result.pb.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_json;
using testing::run_cli;
using testing::source_path;
using testing::TempDir;

using testing::contains;

TEST_CASE("cli calendar: the Black-Friday example reports its dated targets everywhere") {
  TempDir dir;
  const testing::CliResult r = run_cli("run " + source_path("scenarios/black_friday.textproto") +
                                       " --agents 4000 --replications 4 --json " +
                                       dir.file("r.json") + " --csv " + dir.file("tables"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(contains(
      r.out, "Targets (chance: the share of replications meeting the target by its day, at the "));
  CHECK(contains(r.out, "orders_by_cyber_monday  purchase conversions >= 10,400  2026-11-30"));
  const auto result = parse_json<v1::RunResult>(testing::read_file(dir.file("r.json")));
  REQUIRE(result.targets_size() == 2);
  CHECK(result.targets(0).by_day() == 28);
  CHECK(result.targets(0).by_date() == "2026-11-30");
  CHECK(result.start_date() == "2026-11-02");
  CHECK(result.series(25).date() == "2026-11-27");
  // TikTok's burst: 14,000 a week over 8 days, paced evenly.
  CHECK(result.series(25).spend().at("tiktok") == doctest::Approx(2000));
  CHECK(result.series(0).spend().at("tiktok") == 0);
  CHECK(result.flights_size() == 4);  // TikTok 1, Instagram 2, search 1
  CHECK(result.events_size() == 2);
  const std::string csv = testing::read_file(dir.file("tables/targets.csv"));
  CHECK(csv.rfind("target,kpi,direction,threshold,by_day,by_date,probability,", 0) == 0);
  CHECK(contains(csv, "orders_by_cyber_monday,conversions:purchase,at_least,10400,28,2026-11-30,"));
  CHECK(contains(testing::read_file(dir.file("tables/series.csv")),
                 "25,2026-11-27,spend:tiktok,2000,"));
}

TEST_CASE("cli calendar: compare gives each arm's chance and the paired difference") {
  const testing::CliResult r =
      run_cli("compare " + source_path("scenarios/black_friday.textproto") +
              " --variants no_tiktok --agents 4000 --replications 4");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(
      contains(r.out, "Chance of meeting each target (share of replications; paired difference)"));
  CHECK(contains(r.out, "season_budget"));
}

TEST_CASE("cli calendar: a target's KPI that is not counted by day is refused at its line") {
  TempDir dir;
  const std::string path = dir.write(
      "t.textproto", std::string(testing::kSmallJourney) +
                         "targets { name: \"t\"\n  kpi: \"reach_rate\" at_least: 0.5 }\n");
  const testing::CliResult r = run_cli("validate " + path);
  CHECK(r.status == 2);
  CHECK(contains(r.err,
                 "t.textproto:17:3: error: target 't' kpi: reach_rate is not counted day "
                 "by day"));
  const testing::CliResult run = run_cli("run " + path);
  CHECK(run.status == 2);
  CHECK(contains(run.err, "target 't' kpi: reach_rate is not counted day by day"));
}

TEST_CASE("cli calendar: --window counts the KPIs over its days, as the daily series add up") {
  TempDir dir;
  const std::string bf = source_path("scenarios/black_friday.textproto");
  const testing::CliResult all =
      run_cli("run " + bf + " --agents 4000 --replications 4 --json " + dir.file("all.json"));
  const testing::CliResult part =
      run_cli("run " + bf + " --agents 4000 --replications 4 --window 2026-11-27:2026-11-30 " +
              "--json " + dir.file("part.json"));
  REQUIRE(all.status == 0);
  REQUIRE(part.status == 0);
  CHECK(contains(part.out, "KPIs from 2026-11-27 to 2026-11-30 (--window)"));
  const auto whole = parse_json<v1::RunResult>(testing::read_file(dir.file("all.json")));
  const auto window = parse_json<v1::RunResult>(testing::read_file(dir.file("part.json")));
  CHECK(window.kpi_window().from_day() == 25);
  CHECK(window.kpi_window().to_date() == "2026-11-30");
  double cost = 0, orders = 0;
  for (int d = 25; d <= 28; ++d) {
    for (const auto& [channel, spend] : whole.series(d).spend()) cost += spend;
    orders += whole.series(d).conversions_by_goal().at("purchase").mean();
  }
  CHECK(window.kpis().at("cost").mean() == doctest::Approx(cost));
  CHECK(window.kpis().at("conversions").mean() == doctest::Approx(orders));
  // Only KPIs that can be counted by day.
  CHECK(window.kpis().count("reach_rate") == 0);
  CHECK(whole.kpis().count("reach_rate") == 1);
  // Bad windows.
  for (const std::string& bad : {std::string("5"), std::string("2026-11-27:2027-01-01"),
                                 std::string("30:20"), std::string("1:x")}) {
    CAPTURE(bad);
    const testing::CliResult r = run_cli("run " + bf + " --window " + bad);
    CHECK(r.status == 2);
    CHECK(contains(r.err, "error: --window " + bad));
  }
  const testing::CliResult rank = run_cli("compare " + bf + " --window 1:2 --rank-by reach_rate");
  CHECK(rank.status == 2);
  CHECK(contains(rank.err, "reach_rate is not counted day by day"));
}

}  // namespace
}  // namespace cjsim
