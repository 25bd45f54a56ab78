// Goals counted apart: the per-goal-kind KPIs (conversions:K,
// conversion_rate:K, value:K, cost_per_conversion:K), the daily series per
// kind, and every option that names a KPI (--rank-by, --kpi) accepting them
// and refusing what the scenario does not report.

#include <cmath>
#include <string>

#include <doctest/doctest.h>

#include "cjsim/v1/result.pb.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_json;
using testing::run_cli;
using testing::source_path;

using testing::contains;

// Regression: volunteer sign-ups and donations were added into one
// conversions, cost per conversion and value, and nothing per goal reached
// any command.
TEST_CASE("cli goals: each goal kind is counted apart, and the parts add up to the totals") {
  testing::CliResult r = run_cli("run " + source_path("scenarios/nonprofit.textproto") +
                                 " --agents 20000 --replications 4 --quiet --json -");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto result = parse_json<v1::RunResult>(r.out);
  const auto& k = result.kpis();
  for (const std::string kind : {"donation", "volunteer"}) {
    for (const std::string base :
         {"conversions", "conversion_rate", "value", "cost_per_conversion"}) {
      CAPTURE(base + ":" + kind);
      CHECK(k.count(base + ":" + kind) == 1);
    }
  }
  CHECK(k.count("conversions:purchase") == 0);
  // Every goal event (and every repeat, by the kind that made the customer)
  // belongs to exactly one kind: the parts sum to the totals in every
  // replication, so their means do.
  auto mean = [&](const std::string& name) { return k.at(name).mean(); };
  CHECK(mean("conversions:donation") + mean("conversions:volunteer") ==
        doctest::Approx(mean("conversions")).epsilon(1e-12));
  CHECK(mean("value:donation") + mean("value:volunteer") ==
        doctest::Approx(mean("value")).epsilon(1e-12));
  // A person is counted once per kind: no kind's share exceeds the share of
  // people converted at all, and together they cover it (some did both).
  for (const std::string kind : {"donation", "volunteer"}) {
    CHECK(mean("conversion_rate:" + kind) <= mean("conversion_rate"));
    CHECK(mean("conversion_rate:" + kind) > 0);
    CHECK(mean("cost_per_conversion:" + kind) ==
          doctest::Approx(mean("cost") / mean("conversions:" + kind)).epsilon(1e-12));
  }
  CHECK(mean("conversion_rate:donation") + mean("conversion_rate:volunteer") >=
        mean("conversion_rate"));
  // The daily series per kind: people reaching the kind for the first time,
  // so over the horizon they are the people who reached it.
  double donors = 0;
  for (const v1::SeriesDay& day : result.series()) {
    REQUIRE(day.new_conversions_by_goal().count("donation") == 1);
    donors += day.new_conversions_by_goal().at("donation").mean();
  }
  CHECK(donors ==
        doctest::Approx(mean("conversion_rate:donation") * result.population()).epsilon(1e-9));
  // The table shows each kind apart.
  testing::CliResult table = run_cli("run " + source_path("scenarios/nonprofit.textproto") +
                                     " --agents 5000 --replications 3");
  CHECK(contains(table.out, "By goal kind, each counted apart"));
  CHECK(contains(table.out, "donation conversion rate"));
  CHECK(contains(table.out, "cost per volunteer conversion"));
}

TEST_CASE("cli goals: a single goal kind gives per-kind KPIs equal to the totals") {
  testing::CliResult r = run_cli("run " + source_path("scenarios/b2b_saas.textproto") +
                                 " --agents 5000 --replications 3 --quiet --json -");
  REQUIRE(r.status == 0);
  const auto result = parse_json<v1::RunResult>(r.out);
  std::string kind;
  for (const auto& [name, estimate] : result.kpis()) {
    if (name.rfind("conversions:", 0) == 0) kind = name.substr(12);
  }
  REQUIRE_FALSE(kind.empty());
  for (const std::string base : {"conversions", "conversion_rate", "value"}) {
    CHECK(result.kpis().at(base + ":" + kind).mean() ==
          doctest::Approx(result.kpis().at(base).mean()).epsilon(1e-12));
  }
}

TEST_CASE("cli goals: --rank-by and --kpi take a goal kind's KPI, and refuse unknown ones") {
  const std::string nonprofit = source_path("scenarios/nonprofit.textproto");
  testing::CliResult r = run_cli("compare " + nonprofit +
                                 " --rank-by conversions:volunteer --agents 5000 --replications 3 "
                                 "--quiet --json -");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto compare = parse_json<v1::CompareResult>(r.out);
  CHECK(compare.rank_by() == "conversions:volunteer");
  REQUIRE(compare.differences_size() > 0);
  CHECK(compare.differences(0).kpis().count("value:donation") == 1);
  CHECK(compare.differences(0).verdict().count("conversion_rate:donation") == 1);

  r = run_cli("compare " + nonprofit + " --rank-by conversions:vote --agents 5000");
  CHECK(r.status == 2);
  CHECK(contains(r.err,
                 "--rank-by conversions:vote: the scenario has no goal of kind 'vote'; "
                 "its goal kinds are 'donation', 'volunteer'"));
  r = run_cli("compare " + nonprofit + " --rank-by roas:donation --agents 5000");
  CHECK(r.status == 2);
  CHECK(contains(r.err, "roas is not counted per goal kind"));
  r = run_cli("compare " + nonprofit + " --rank-by donations --agents 5000");
  CHECK(r.status == 2);
  CHECK(contains(
      r.err, "unknown KPI 'donations'; this scenario reports active_customers, awareness_rate, "));
  CHECK(contains(r.err, "as NAME:KIND for its goal kinds 'donation', 'volunteer'"));

  r = run_cli("curves " + nonprofit +
              " --kpi value:donation --points 3 --agents 5000 --replications 3 --quiet --json -");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto curves = parse_json<v1::CurvesResult>(r.out);
  CHECK(curves.kpi() == "value:donation");
  REQUIRE(curves.curves_size() > 0);
  CHECK(std::isfinite(curves.curves(0).kpi(2).mean()));
}

TEST_CASE("cli goals: KPIs of a block the scenario has not are not reported") {
  // The small journey has no loyalty block: no retention to report.
  testing::TempDir dir;
  const std::string path = dir.write("s.textproto", testing::kSmallJourney);
  testing::CliResult r = run_cli("run " + path + " --quiet --json -");
  REQUIRE(r.status == 0);
  const auto result = parse_json<v1::RunResult>(r.out);
  CHECK(result.kpis().count("retention_rate") == 0);
  CHECK(result.kpis().count("repeat_conversions") == 0);
  CHECK(result.kpis().count("profit") == 1);
  r = run_cli("run " + path);
  CHECK_FALSE(contains(r.out, "After the conversion"));
  r = run_cli("compare " + path + " --rank-by retention_rate");
  CHECK(r.status == 2);
  CHECK(contains(r.err,
                 "retention_rate is counted only for customers' loyalty (a loyalty "
                 "block), which this scenario has not"));
}

TEST_CASE(
    "cli goals: regression: repeat conversions and public praises were printed (and warned "
    "about as resting on 0 events) for a scenario that cannot produce them") {
  // A loyalty block with care but no repeat model and no praise rate: the
  // care KPIs are counted, the repeat and praise KPIs are not.
  testing::TempDir dir;
  const std::string path =
      dir.write("s.textproto", std::string(testing::kSmallJourney) +
                                   "loyalty { care { channel: \"web\" complaint_rate: 0.01 "
                                   "daily_capacity: 100 sla_days: 1 } }\n");
  testing::CliResult r = run_cli("run " + path + " --quiet --json -");
  REQUIRE(r.status == 0);
  auto result = parse_json<v1::RunResult>(r.out);
  CHECK(result.kpis().count("complaints") == 1);
  CHECK(result.kpis().count("retention_rate") == 1);
  for (const char* absent :
       {"repeat_conversions", "repeats_per_customer", "repeat_rate", "praises"}) {
    CAPTURE(absent);
    CHECK(result.kpis().count(absent) == 0);
  }
  r = run_cli("run " + path);
  CHECK_FALSE(contains(r.out, "repeat conversions"));
  CHECK_FALSE(contains(r.out, "public praises"));
  CHECK_FALSE(contains(r.err, "repeat conversions rest"));
  CHECK_FALSE(contains(r.err, "public praises rest"));
  r = run_cli("compare " + path + " --rank-by repeat_conversions");
  CHECK(r.status == 2);
  CHECK(contains(r.err, "repeat_conversions is counted only when customers repeat"));
  r = run_cli("compare " + path + " --rank-by praises");
  CHECK(r.status == 2);
  CHECK(contains(r.err, "praises is counted only when answered complaints turn into praise"));

  // A repeat model of one goal kind, or a praise rate, brings them back.
  const std::string with = dir.write(
      "with.textproto",
      std::string(testing::kSmallJourney) +
          "loyalty { by_goal_kind { key: \"purchase\" value { bg_nbd { r: 1 alpha: 30 a: 1 b: 3 "
          "} } } care { channel: \"web\" complaint_rate: 0.01 daily_capacity: 100 sla_days: 1 "
          "praise_rate: 0.5 } }\n");
  r = run_cli("run " + with + " --quiet --json -");
  REQUIRE(r.status == 0);
  result = parse_json<v1::RunResult>(r.out);
  for (const char* present :
       {"repeat_conversions", "repeats_per_customer", "repeat_rate", "praises"}) {
    CAPTURE(present);
    CHECK(result.kpis().count(present) == 1);
  }
}

TEST_CASE("cli validate: at most 16 goal kinds are counted apart") {
  std::string text = testing::kSmallJourney;
  for (int k = 0; k < 17; ++k) {
    text += "touchpoints { id: \"g" + std::to_string(k) +
            "\" stage: DECISION channel: \"web\" goal { kind: \"kind" + std::to_string(k) +
            "\" } }\nedges { from: \"page\" to: \"g" + std::to_string(k) + "\" }\n";
  }
  testing::TempDir dir;
  testing::CliResult r = run_cli("validate " + dir.write("s.textproto", text));
  CHECK(r.status == 2);
  CHECK(contains(r.err, "is goal kind number 17; at most 16 kinds are counted apart"));
}

}  // namespace
}  // namespace cjsim
