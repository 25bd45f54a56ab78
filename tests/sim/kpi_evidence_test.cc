// What a KPI's estimate rests on: fixed KPIs, event sources, one-sided
// bounds for KPIs that did not vary.

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "models/diagnostics.h"
#include "models/scenario_loader.h"
#include "sim/estimate.h"
#include "sim/kpi.h"
#include "sim/kpi_evidence.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

TEST_CASE("kpi evidence: only the budgets' cost and impressions are fixed by the model") {
  CHECK(kpi_fixed_by_model("cost"));
  CHECK(kpi_fixed_by_model("impressions_bought"));
  for (const char* random :
       {"conversions", "profit", "roas", "value", "cost_per_conversion", "paid_exposures"}) {
    CAPTURE(random);
    CHECK_FALSE(kpi_fixed_by_model(random));
  }
  // Nothing bought: no paid reach, so no paid exposure, by design.
  CHECK(kpi_fixed_by_model("paid_exposures", false));
  CHECK_FALSE(kpi_fixed_by_model("organic_exposures", false));
}

TEST_CASE("kpi evidence: every KPI of every library scenario is fixed or names its events") {
  for (const auto& entry : std::filesystem::directory_iterator(testing::source_path("scenarios"))) {
    CAPTURE(entry.path().string());
    Diagnostics diagnostics(entry.path().string());
    std::optional<LoadedScenario> loaded = load_scenario(entry.path().string(), diagnostics);
    REQUIRE(loaded.has_value());
    const std::vector<std::string> names = kpi_names(loaded->scenario);
    for (const std::string& name : names) {
      CAPTURE(name);
      if (kpi_fixed_by_model(name)) continue;
      const std::string source = kpi_event_source(name);
      REQUIRE_FALSE(source.empty());
      CHECK(std::find(names.begin(), names.end(), source) != names.end());
      const KpiUnit unit = kpi_info(source)->unit;
      CHECK((unit == KpiUnit::kCount || unit == KpiUnit::kShare));
    }
  }
}

TEST_CASE("kpi evidence: events follow the goal kind and the unit") {
  CHECK(kpi_event_source("value:donation") == "conversions:donation");
  CHECK(kpi_event_source("cost_per_conversion") == "conversions");
  CHECK(kpi_event_source("conversion_rate:volunteer") == "conversion_rate:volunteer");
  CHECK(kpi_event_source("retention_rate") == "conversion_rate");
  CHECK(kpi_event_source("cost").empty());
  CHECK(kpi_event_source("no_such_kpi").empty());
  // 3,333 conversions among 1,000,000 people from 300 agents: 1 simulated.
  CHECK(simulated_events_per_replication("conversions", 3333.33, 300, 1e6) ==
        doctest::Approx(1.0).epsilon(1e-4));
  CHECK(simulated_events_per_replication("conversion_rate", 0.02, 300, 1e6) ==
        doctest::Approx(6.0));
}

TEST_CASE("kpi evidence: a KPI that did not vary gets the rule-of-three bound") {
  // No conversion in 3 replications of 300 agents: n = 900 simulated people.
  const double rate = no_event_upper_bound(900, 0.95);
  std::optional<OneSidedBound> b = no_variation_bound("conversions", 0, 300, 3, 1e6, 0.95);
  REQUIRE(b.has_value());
  CHECK(b->upper);
  CHECK(b->value == doctest::Approx(rate * 1e6));
  CHECK(b->value == doctest::Approx(3.0 / 900 * 1e6).epsilon(0.0015));
  b = no_variation_bound("conversion_rate:donation", 0, 300, 3, 1e6, 0.95);
  REQUIRE(b.has_value());
  CHECK(b->value == doctest::Approx(rate));
  // Everyone aware: a lower bound on the share.
  b = no_variation_bound("awareness_rate", 1, 300, 3, 1e6, 0.95);
  REQUIRE(b.has_value());
  CHECK_FALSE(b->upper);
  CHECK(b->value == doctest::Approx(1 - rate));
  // Neither none nor all, or a KPI not counting its own events: no bound.
  CHECK_FALSE(no_variation_bound("conversions", 3333, 300, 3, 1e6, 0.95));
  CHECK_FALSE(no_variation_bound("value", 0, 300, 3, 1e6, 0.95));
  CHECK_FALSE(no_variation_bound("cost", 0, 300, 3, 1e6, 0.95));
}

}  // namespace
}  // namespace cjsim
