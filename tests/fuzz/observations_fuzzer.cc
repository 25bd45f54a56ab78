// Fuzz target: OBS.csv of `cjsim calibrate` (sim/observations.h), read
// against the recovery scenario (tools/validate/recovery_scenario.h, with a
// start date so that both dates and day numbers are read, and a holdout
// variant for lift rows) and each fixed base scenario. Besides surviving
// any bytes, the observations it accepts must be what calibrate relies on:
// a KPI the scenario counts, a known variant or none, a window inside the
// horizon with from <= to, a finite value and a standard error > 0, rows in
// line order.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/text_format.h>

#include "models/diagnostics.h"
#include "models/settings.h"
#include "sim/kpi.h"
#include "sim/observations.h"
#include "tests/fuzz/base_scenarios.h"
#include "tests/fuzz/fuzz_support.h"
#include "tools/validate/recovery_scenario.h"

namespace {

const std::vector<cjsim::v1::Scenario>& scenarios() {
  static const std::vector<cjsim::v1::Scenario> all = [] {
    std::vector<cjsim::v1::Scenario> list;
    cjsim::v1::Scenario recovery;
    google::protobuf::TextFormat::ParseFromString(cjsim::validate::kRecoveryScenario, &recovery);
    recovery.mutable_simulation()->set_start_date("2026-04-06");
    list.push_back(recovery);
    for (const cjsim::v1::Scenario& s : cjsim::fuzz::base_scenarios()) list.push_back(s);
    return list;
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using cjsim::fuzz::require;
  const std::string_view text = cjsim::fuzz::as_text(data, size);
  for (const cjsim::v1::Scenario& scenario : scenarios()) {
    cjsim::Diagnostics diagnostics("OBS.csv");
    const std::optional<std::vector<cjsim::Observation>> observations =
        cjsim::read_observations("OBS.csv", text, scenario, diagnostics);
    diagnostics.to_string();
    if (!observations) {
      require(diagnostics.has_errors(), "a refused file says why");
      continue;
    }
    require(!observations->empty(), "an accepted file has observations");
    const int horizon = cjsim::resolve_settings(scenario.simulation()).horizon_days;
    int previous_line = 1;
    for (const cjsim::Observation& o : *observations) {
      require(o.line > previous_line, "observations in line order, after the header");
      previous_line = o.line;
      require(o.window.from >= 0 && o.window.from <= o.window.to && o.window.to < horizon,
              "a window inside the horizon");
      require(std::isfinite(o.value), "a finite value");
      require(std::isfinite(o.std_error) && o.std_error > 0, "a standard error > 0");
      bool known = o.variant.empty();
      for (const cjsim::v1::Variant& v : scenario.variants())
        known = known || v.name() == o.variant;
      require(known, "a variant of the scenario");
      if (o.variant.empty()) {
        require(cjsim::kpi_not_counted(scenario, o.kpi, true).empty(), "a KPI the scenario counts");
      }
    }
  }
  return 0;
}
