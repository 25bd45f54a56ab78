// Presentation helpers of the cjsim command.

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "tools/cjsim/progress.h"
#include "tools/report/tables.h"
#include "tools/report/text_table.h"
#include "tools/report/warnings.h"

namespace cjsim::report {
namespace {

TEST_CASE("table: numbers read the way people write them") {
  CHECK(format_count(1234567.8) == "1,234,568");
  CHECK(format_count(999) == "999");
  CHECK(format_count(-1500) == "-1,500");
  CHECK(format_count(0.25) == "0.25");
  CHECK(format_percent(0.02413) == "2.41%");
  CHECK(format_percent(0.0004) == "0.040%");
  CHECK(format_percent(0) == "0.00%");
  CHECK(format_percent(1e-7) == "0.00001%");
}

TEST_CASE("table: one number style, no printf defaults and no -0") {
  CHECK(format_real(6000) == "6,000");
  CHECK(format_real(1234.6) == "1,235");
  CHECK(format_real(0.012345) == "0.0123");
  CHECK(format_real(0.000123456, 3) == "0.000123");
  CHECK(format_real(-9582.43, 6) == "-9,582.43");
  CHECK(format_real(1e6, 4) == "1,000,000");
  CHECK(format_real(-0.0) == "0");
  CHECK(format_real(-1e-9, 2) == "-0.000000001");
  CHECK(format_real(999.96, 3) == "1,000");
  CHECK(format_real(std::nan("")) == "n/a");
  CHECK(format_value(-0.0001, Unit::kMoney) == "-0.0001");
  CHECK(format_value(6000, Unit::kMoney) == "6,000");
  CHECK(format_value(1234.6, Unit::kRatio) == "1,235");
  // The bug: "-0.000 pp" for a difference that rounds to nothing.
  CHECK(format_difference(-1e-8, Unit::kShare) == "-0.000001 pp");
  CHECK(format_difference(0, Unit::kShare) == "0.00 pp");
  CHECK(format_difference(0.0019, Unit::kShare) == "+0.19 pp");
  CHECK(format_relative(0) == "0.0%");
  CHECK(format_relative(-1e-7) == "-0.00001%");
  CHECK(format_relative(0.18) == "+18.0%");
  // The bug: "CRN gain 1854611x".
  CHECK(crn_gain(1854611) == "> 1,000x");
  CHECK(crn_gain(std::numeric_limits<double>::infinity()) == "> 1,000x");
  CHECK(crn_gain(14.2) == "14x");
  CHECK(crn_gain(2.46) == "2.5x");
}

TEST_CASE("text table: columns two spaces apart, numbers right, nothing empty") {
  TextTable t({text_column("KPI"), number_column("estimate"), text_column("note")});
  t.add({"conversions", "11.72", "a  b"});
  t.add({"cost", "0.008125", ""});
  CHECK(t.text() ==
        "  KPI          estimate  note\n"
        "  conversions     11.72  a b\n"
        "  cost         0.008125  -\n");
  TextTable flush({text_column("x")}, 0);
  flush.add({"1"});
  CHECK(flush.text() == "x\n1\n");
}

v1::RunResult three_replications_of_300_agents() {
  v1::RunResult r;
  r.set_method("monte_carlo");
  r.set_agents(300);
  r.set_replications(3);
  r.set_population(1e6);
  r.set_confidence(0.95);
  return r;
}

v1::Estimate steady(double value, int n) {
  v1::Estimate e;
  e.set_mean(value);
  e.set_ci_low(value);
  e.set_ci_high(value);
  e.set_n(n);
  return e;
}

TEST_CASE("table: a conversion count that did not vary is not exact") {
  // The bug: `run --agents 300 --replications 3` printed "conversions 3,333
  // (exact)" from one simulated conversion per replication.
  v1::RunResult r = three_replications_of_300_agents();
  (*r.mutable_kpis())["conversions"] = steady(3333.33, 3);
  (*r.mutable_kpis())["cost"] = steady(6000, 3);
  (*r.mutable_kpis())["reach_rate"] = steady(0, 3);
  const Sampling s = sampling_of(r);
  CHECK(format_kpi_interval("conversions", r.kpis().at("conversions"), s) ==
        "no variation in 3 replications");
  CHECK(format_kpi_interval("cost", r.kpis().at("cost"), s) == "(exact)");
  // No one reached in 3 x 300 simulated people: at most -ln(0.05) / 900.
  CHECK(format_kpi_interval("reach_rate", r.kpis().at("reach_rate"), s) ==
        "no variation; at most " + format_percent(-std::log(0.05) / 900) + " (95%, one-sided)");
  const std::string table = format_run_table(r);
  CHECK(table.find("(exact)") == table.rfind("(exact)"));  // the cost's only
  CHECK(table.find("no variation in 3 replications") != std::string::npos);
  Sampling exact = s;
  exact.exact = true;
  CHECK(format_kpi_interval("conversions", r.kpis().at("conversions"), exact) == "(exact)");

  const std::vector<std::string> warnings = few_events_warnings(r.kpis(), s);
  REQUIRE(warnings.size() == 2);
  CHECK(warnings[0] ==
        "conversions rests on 1 simulated conversions per replication (fewer than 10): too few "
        "for a trustworthy interval; raise --agents (300 now)");
  CHECK(few_events_warnings(r.kpis(), exact).empty());
}

TEST_CASE("table: paid exposures without any budget are fixed at 0, not few events") {
  v1::RunResult r = three_replications_of_300_agents();
  (*r.mutable_kpis())["cost"] = steady(0, 3);
  (*r.mutable_kpis())["paid_exposures"] = steady(0, 3);
  const Sampling s = sampling_of(r);
  CHECK_FALSE(s.buys_media);
  CHECK(format_kpi_interval("paid_exposures", r.kpis().at("paid_exposures"), s) == "(exact)");
  CHECK(few_events_warnings(r.kpis(), s).empty());
}

TEST_CASE("table: impressions bought far from paid exposures are flagged by channel") {
  v1::RunResult r = three_replications_of_300_agents();
  v1::ChannelResult* tv = r.add_channels();
  tv->set_id("tv");
  tv->mutable_impressions_bought()->set_mean(2000000);
  tv->mutable_paid_exposures()->set_mean(223519);
  v1::ChannelResult* radio = r.add_channels();
  radio->set_id("radio");
  radio->mutable_impressions_bought()->set_mean(100000);
  radio->mutable_paid_exposures()->set_mean(250000);  // within 3x
  v1::ChannelResult* web = r.add_channels();
  web->set_id("web");
  web->mutable_impressions_bought()->set_mean(1000);
  web->mutable_paid_exposures()->set_mean(5000);
  const std::vector<std::string> warnings = impressions_warnings(r);
  REQUIRE(warnings.size() == 2);
  CHECK(warnings[0].find("channel 'tv': its budget buys 2,000,000 impressions") == 0);
  CHECK(warnings[0].find("223,519 paid exposures (8.9x fewer)") != std::string::npos);
  CHECK(warnings[1].find("channel 'web'") == 0);
  CHECK(warnings[1].find("(5x more)") != std::string::npos);
}

TEST_CASE("progress: the bar shows the share done and the time left") {
  CHECK(cli::ProgressBar::render("simulating", 0, 10, 1.0).find("0%") != std::string::npos);
  const std::string half = cli::ProgressBar::render("simulating", 5, 10, 4.0);
  CHECK(half.find("50%") != std::string::npos);
  CHECK(half.find("4s left") != std::string::npos);
  CHECK(half.find("###############...............") != std::string::npos);
}

TEST_CASE("table: a count that did not vary prints the bound its estimate carries") {
  // Curves have no population in the sampling of old results; the estimate
  // says its bound itself.
  v1::Estimate e = steady(0, 3);
  e.set_no_variation(true);
  e.set_one_sided_upper(3329);
  const Sampling no_population{false, 300, 3, 0, 0.95};
  CHECK(format_kpi_interval("conversions", e, no_population) ==
        "no variation; at most 3,329 (95%, one-sided)");
}

TEST_CASE("warnings: curves warn about the KPI's events and the conversions, each once") {
  v1::CurvesResult r;
  r.set_agents(300);
  r.set_replications(3);
  r.set_population(1e6);
  r.set_confidence(0.95);
  r.set_kpi("reach_rate");
  r.set_kpi_events("reach_rate");
  auto add_curve = [&](const char* channel, std::vector<double> budgets,
                       std::vector<double> reached, std::vector<double> converted) {
    v1::ResponseCurve* c = r.add_curves();
    c->set_channel(channel);
    for (size_t k = 0; k < budgets.size(); ++k) {
      c->add_weekly_budgets(budgets[k]);
      c->add_cost(budgets[k] * 10);
      c->add_kpi_events(reached[k]);
      c->add_value_events(converted[k]);
    }
  };
  add_curve("tv", {0, 100, 200}, {0, 5, 50}, {1, 2, 20});
  add_curve("radio", {0, 100}, {0, 40}, {30, 30});
  const std::vector<std::string> warnings = curves_warnings(r);
  REQUIRE(warnings.size() == 2);
  CHECK(warnings[0] ==
        "at channel 'tv' weekly budget 0.00: value and marginal ROAS rest on 1 simulated "
        "conversions per replication (fewer than 10): too few for a trustworthy interval; raise "
        "--agents (300 now) (and at 1 other point)");
  CHECK(warnings[1] ==
        "at channel 'tv' weekly budget 0.00: share of people reached rests on 0 simulated people "
        "counted in the share of people reached per replication (fewer than 10): too few for a "
        "trustworthy interval; raise --agents (300 now) (and at 2 other points)");
  // A KPI the model fixes has no events behind it.
  r.set_kpi("cost");
  r.set_kpi_events("");
  for (v1::ResponseCurve& c : *r.mutable_curves()) c.clear_kpi_events();
  REQUIRE(curves_warnings(r).size() == 1);
  CHECK(curves_warnings(r)[0].find("value and marginal ROAS rest on") != std::string::npos);
}

TEST_CASE("warnings: optimize warns at the recommended mix, then what only the current lacks") {
  v1::OptimizeResult r;
  r.set_agents(300);
  r.set_confirm_replications(64);
  r.set_population(1e6);
  r.set_confidence(0.95);
  // 3,333 conversions of a million are 1 of 300 agents.
  (*r.mutable_recommended()->mutable_kpis())["conversions"] = steady(3333.33, 64);
  (*r.mutable_recommended()->mutable_kpis())["conversion_rate"] = steady(0.5, 64);
  (*r.mutable_current()->mutable_kpis())["conversions"] = steady(3333.33, 64);
  (*r.mutable_current()->mutable_kpis())["conversion_rate"] = steady(0.01, 64);
  const std::vector<std::string> warnings = optimize_warnings(r);
  REQUIRE(warnings.size() == 2);
  CHECK(warnings[0] ==
        "at the recommended mix: conversions rests on 1 simulated conversions per replication "
        "(fewer than 10): too few for a trustworthy interval; raise --agents (300 now) (and at "
        "the current mix)");
  CHECK(warnings[1] ==
        "at the current mix: conversion rate rests on 3 simulated people counted in the "
        "conversion rate per replication (fewer than 10): too few for a trustworthy interval; "
        "raise --agents (300 now)");
}

}  // namespace
}  // namespace cjsim::report
