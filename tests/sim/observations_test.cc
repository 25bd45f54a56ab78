// Tests of sim/observations.h: OBS.csv read against a scenario; each kind
// of bad row reported at its line, and nothing returned.

#include "sim/observations.h"

#include <string>

#include <doctest/doctest.h>

#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::contains;
using testing::parse_text;

const std::string kDated = R"scenario(
name: "dated"
simulation { horizon_days: 28 agents: 500 replications: 2 seed: 3 start_date: "2026-04-06" }
personas { id: "all" channel_affinity { key: "social" value: 0.8 } channel_affinity { key: "search" value: 0.5 } }
channels { id: "social" organic_reach: 0.1 }
channels { id: "search" organic_reach: 0.1 }
channels { id: "web" }
touchpoints { id: "ad" stage: AWARENESS channel: "social" cta { act_probability: 0.3 } entry_weight: 1 }
touchpoints { id: "checkout" stage: DECISION channel: "web" goal { kind: "purchase" value: 40 } }
touchpoints { id: "query" stage: AWARENESS channel: "search" cta { act_probability: 0.3 } entry_weight: 1 }
edges { from: "ad" to: "checkout" }
edges { from: "query" to: "checkout" }
variants { name: "holdout" channel_changes { channel: "social" enabled: false } }
)scenario";

std::string read_error(const std::string& csv) {
  Diagnostics d("OBS.csv");
  const auto observations = read_observations("OBS.csv", csv, parse_text(kDated), d);
  CHECK_FALSE(observations.has_value());
  return d.report(false);
}

TEST_CASE("observations: good rows, with dates, day numbers and a lift") {
  Diagnostics d("OBS.csv");
  const auto observations = read_observations("OBS.csv",
                                              "kpi,from,to,value,std_error,variant\n"
                                              "conversions,2026-04-06,2026-04-12,120,10,\n"
                                              "conversions:purchase,7,13,130,11,\n"
                                              "organic_exposures:social,0,27,5000,100,\n"
                                              "conversions,0,27,-40,8,holdout\n",
                                              parse_text(kDated), d);
  INFO(d.report(true));
  REQUIRE(observations.has_value());
  REQUIRE(observations->size() == 4);
  CHECK(observations->at(0).line == 2);
  CHECK(observations->at(0).window.from == 0);
  CHECK(observations->at(0).window.to == 6);
  CHECK(observations->at(1).kpi == "conversions:purchase");
  CHECK(observations->at(3).variant == "holdout");
  CHECK(observations->at(3).value == -40);
}

TEST_CASE("observations: each bad row is reported at its line") {
  const std::string header = "kpi,from,to,value,std_error,variant\n";
  struct Case {
    std::string row, message;
  };
  const Case cases[] = {
      {"nope,0,6,1,1,", "OBS.csv:2:1: error: kpi 'nope': unknown KPI"},
      {"reach_rate,0,6,1,1,", "OBS.csv:2:1: error: kpi 'reach_rate' is not counted day by day"},
      {"conversions,0,6,1,1,bold", "OBS.csv:2:21: error: variant 'bold': the scenario has no such"},
      {"conversions,9,3,1,1,", "OBS.csv:2:13: error: from '9' is after to '3'"},
      {"conversions,0,28,1,1,", "OBS.csv:2:15: error: to '28' (day 28) is outside the horizon"},
      {"conversions,2026-04-01,3,1,1,", "is outside the horizon, days 0 to 27 (2026-04-06"},
      {"conversions,0,6,1,0,", "OBS.csv:2:19: error: std_error '0' must be a finite number > 0"},
      {"conversions,0,6,1,-2,", "std_error '-2' must be"},
      {"conversions,0,6,nan,1,", "OBS.csv:2:17: error: value 'nan' is not a finite number"},
      {"conversions,0,6,,1,", "value '' is not a finite number"},
      {"conversions,first,6,1,1,", "OBS.csv:2:13: error: from: 'first' is not an ISO date"},
  };
  for (const Case& c : cases) {
    const std::string report = read_error(header + c.row + "\n");
    INFO(c.row << "\n" << report);
    CHECK(contains(report, c.message));
  }
  // The header: a missing column, an unknown one; and no rows at all.
  CHECK(contains(read_error("kpi,from,to,value\nconversions,0,6,1\n"),
                 "OBS.csv:1:1: error: missing column 'std_error'"));
  CHECK(contains(read_error("kpi,from,to,value,std_error,weight\nconversions,0,6,1,1,2\n"),
                 "OBS.csv:1:29: error: unknown column 'weight'"));
  CHECK(contains(read_error("kpi,from,to,value,std_error\n"), "no observations"));
  CHECK(contains(read_error(""), "OBS.csv"));
  // A later row is reported at its own line.
  CHECK(contains(read_error(header + "conversions,0,6,1,1,\nconversions,0,6,1,0,\n"),
                 "OBS.csv:3:19"));
}

}  // namespace
}  // namespace cjsim
