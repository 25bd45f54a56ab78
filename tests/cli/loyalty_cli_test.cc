// End-to-end tests of the loyalty block on the consumer example: what more
// or less customer care does, and the daily series and retention curve in
// the result file.

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

using testing::kConsumer;

const v1::CompareDifference& only_difference(const v1::CompareResult& r) {
  REQUIRE(r.differences_size() == 1);
  return r.differences(0);
}

TEST_CASE("cli loyalty: more care capacity never lowers retention") {
  testing::CliResult r = run_cli("sweep " + kConsumer +
                                 " --set loyalty.care.daily_capacity=0:40:5 --agents 20000"
                                 " --quiet --json -");
  REQUIRE(r.status == 0);
  const auto sweep = parse_json<v1::SweepResult>(r.out);
  REQUIRE(sweep.points_size() == 5);
  for (int i = 1; i < 5; ++i) {
    CAPTURE(i);
    // The paired change of retention per extra answer a day is never
    // significantly negative, nor that of the share answered in time.
    CHECK(sweep.points(i).marginal(0).kpis().at("retention_rate").ci_high() >= 0);
    CHECK(sweep.points(i).marginal(0).kpis().at("complaints_answered_in_sla").ci_high() >= 0);
  }
  CHECK(sweep.points(4).kpis().at("retention_rate").mean() >
        sweep.points(0).kpis().at("retention_rate").mean());
}

TEST_CASE("cli loyalty: no care capacity, with churn when unanswered, lowers retention") {
  testing::CliResult r =
      run_cli("compare " + kConsumer + " --variants no_care_team --quiet --json -");
  REQUIRE(r.status == 0);
  const auto result = parse_json<v1::CompareResult>(r.out);
  const v1::CompareDifference& d = only_difference(result);
  CHECK(d.verdict().at("retention_rate") == "worse");
  CHECK(d.kpis().at("complaints_answered_in_sla").mean() < 0);
}

TEST_CASE("cli loyalty: a public backlog costs new conversions") {
  TempDir dir;
  // The same scenario with the backlog's effect on act probabilities off.
  const std::string path = dir.write(
      "quiet.textproto",
      testing::read_file(kConsumer) +
          R"(variants { name: "no_backlog_effect" loyalty { care { sentiment_impact: 0 } } })");
  testing::CliResult r =
      run_cli("compare " + path + " --variants no_backlog_effect --agents 20000 --quiet --json -");
  REQUIRE(r.status == 0);
  const auto result = parse_json<v1::CompareResult>(r.out);
  const v1::CompareDifference& d = only_difference(result);
  // Without the backlog's effect more people convert: so with it, fewer.
  CHECK(d.verdict().at("conversion_rate") == "better");
  CHECK(d.kpis().at("conversions").ci_low() > 0);
}

TEST_CASE("cli loyalty: the result has the daily series and the retention curve") {
  testing::CliResult r = run_cli("run " + kConsumer + " --agents 5000 --quiet --json -");
  REQUIRE(r.status == 0);
  const auto result = parse_json<v1::RunResult>(r.out);
  REQUIRE(result.series_size() == result.horizon_days());
  REQUIRE(result.retention_curve_size() == result.horizon_days());
  double converted = 0;
  for (const v1::SeriesDay& day : result.series()) {
    CHECK(day.converted_share().mean() >= converted);  // cumulative
    converted = day.converted_share().mean();
  }
  CHECK(converted == doctest::Approx(result.kpis().at("conversion_rate").mean()));
  const v1::SeriesDay& last = result.series(result.horizon_days() - 1);
  // Active customers at the end: the converted who are still active.
  CHECK(last.active_customers().mean() ==
        doctest::Approx(result.kpis().at("retention_rate").mean() * converted * result.population())
            .epsilon(0.01));
  CHECK(result.retention_curve(0).retained().mean() == 1);
  CHECK(result.retention_curve(result.horizon_days() - 1).retained().mean() < 1);
  for (const char* kpi :
       {"retention_rate", "repeat_conversions", "repeats_per_customer", "repeat_rate",
        "customer_value", "complaints", "complaints_answered_in_sla", "mean_response_days"}) {
    CAPTURE(kpi);
    CHECK(result.kpis().count(kpi) == 1);
  }
  CHECK(r.err == "");
}

}  // namespace
}  // namespace cjsim
