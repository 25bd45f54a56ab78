// Channel-mix planning rules (sim/planning.h): which channels are
// plannable, the keep-on floor, and the curves drawn around a
// recommendation, on a two-channel scenario whose cost is known exactly.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>
#include <google/protobuf/text_format.h>
#include <tbb/task_arena.h>

#include "models/diagnostics.h"
#include "models/validation.h"
#include "sim/planning.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_text;

v1::Channel channel(const std::string& text) {
  v1::Channel c;
  REQUIRE(google::protobuf::TextFormat::ParseFromString(text, &c));
  return c;
}

TEST_CASE("planning: a channel is plannable when switched on, with a budget or paid reach") {
  CHECK(is_plannable(channel(R"(id: "a" weekly_budget: 100)")));
  CHECK(is_plannable(channel(R"(id: "a" enabled: true weekly_budget: 100)")));
  CHECK(is_plannable(channel(R"(id: "a" max_reach: 0.3)")));
  // Spending only in its flights.
  CHECK(is_plannable(channel(R"(id: "a" flights { from_day: 0 to_day: 6 weekly_budget: 70 })")));
  CHECK_FALSE(
      is_plannable(channel(R"(id: "a" flights { from_day: 0 to_day: 6 weekly_budget: 0 })")));
  CHECK_FALSE(is_plannable(channel(R"(id: "a" enabled: false weekly_budget: 100)")));
  CHECK_FALSE(is_plannable(channel(R"(id: "a" enabled: false max_reach: 0.3)")));
  // Organic only: money moved into it buys nothing.
  CHECK_FALSE(is_plannable(channel(R"(id: "a" organic_reach: 0.1)")));
  CHECK_FALSE(is_plannable(channel(R"(id: "a" enabled: true)")));
}

TEST_CASE("planning: the plannable channels, in the scenario's order") {
  v1::Scenario scenario = parse_text(R"(
channels { id: "email" organic_reach: 0.2 }
channels { id: "tv" weekly_budget: 500 }
channels { id: "print" enabled: false weekly_budget: 300 }
channels { id: "search" max_reach: 0.1 }
)");
  CHECK(plannable_channels(scenario) == std::vector<int>{1, 3});
  CHECK(plannable_channels(v1::Scenario()).empty());
}

TEST_CASE("planning: keep-on raises the lower bound to 1% of the total, or refuses") {
  PlannedChannel c{2, 0, 1000};
  CHECK(keep_on(c, 10000));
  CHECK(c.lower == 100);
  CHECK(c.upper == 1000);
  CHECK(c.channel == 2);
  // A higher lower bound stays; so does the floor at a bound equal to it.
  PlannedChannel higher{0, 500, 1000};
  CHECK(keep_on(higher, 10000));
  CHECK(higher.lower == 500);
  PlannedChannel tight{0, 0, 100};
  CHECK(keep_on(tight, 10000));
  CHECK(tight.lower == 100);
  // No room for 1%: refused.
  PlannedChannel locked{0, 50, 50};
  CHECK_FALSE(keep_on(locked, 10000));
  CHECK(kKeepOnShare == 0.01);
}

// Two paid channels whose ads land on a goal; cost is spend: weekly budget
// x days / 7 over both channels, whatever the draws.
constexpr double kDays = 7;
const char* kPlanningTwoChannels = R"(
simulation { horizon_days: 7 agents: 400 replications: 2 seed: 3 }
personas { id: "everyone" channel_affinity { key: "ads" value: 1 } channel_affinity { key: "tv" value: 1 } }
channels { id: "ads" weekly_budget: 1400 cpm: 10 max_reach: 0.2 half_saturation: 100 }
channels { id: "news" organic_reach: 0.1 }
channels { id: "tv" weekly_budget: 700 cpm: 20 max_reach: 0.1 half_saturation: 200 }
touchpoints { id: "buy" stage: AWARENESS channel: "ads" entry_weight: 1 goal { kind: "purchase" value: 3 } }
touchpoints { id: "watch" stage: AWARENESS channel: "tv" entry_weight: 1 goal { kind: "purchase" value: 3 } }
)";

v1::OptimizeResult recommendation(double ads, double tv, double total) {
  v1::OptimizeResult result;
  result.set_objective("value");
  result.set_weekly_budget(total);
  for (const auto& [id, budget] : {std::pair<const char*, double>{"ads", ads}, {"tv", tv}}) {
    v1::ChannelBudget* b = result.mutable_recommended()->add_channels();
    b->set_channel(id);
    b->set_weekly_budget(budget);
  }
  return result;
}

std::optional<v1::CurvesResult> around(const v1::OptimizeResult& result) {
  const v1::Scenario scenario = parse_text(kPlanningTwoChannels);
  Diagnostics diagnostics;
  REQUIRE_MESSAGE(validate_scenario(scenario, nullptr, diagnostics), diagnostics.to_string());
  const std::vector<PlannedChannel> planned = {{0, 0, 3000}, {2, 0, 3000}};
  REQUIRE(plannable_channels(scenario) == std::vector<int>{0, 2});
  std::optional<v1::CurvesResult> curves;
  tbb::task_arena arena(1);
  arena.execute([&] { curves = curves_around(scenario, planned, result, 3, 1, nullptr); });
  return curves;
}

TEST_CASE("planning: the curves around a recommendation hold the others at theirs") {
  const std::optional<v1::CurvesResult> curves = around(recommendation(600, 400, 1000));
  REQUIRE(curves.has_value());
  CHECK(curves->kpi() == "value");  // the objective
  REQUIRE(curves->curves_size() == 2);
  const v1::ResponseCurve& ads = curves->curves(0);
  const v1::ResponseCurve& tv = curves->curves(1);
  CHECK(ads.channel() == "ads");
  CHECK(tv.channel() == "tv");
  // Each from 0 to twice its recommended budget, which is its current one.
  CHECK(ads.current_weekly_budget() == 600);
  CHECK(std::vector<double>(ads.weekly_budgets().begin(), ads.weekly_budgets().end()) ==
        std::vector<double>{0, 600, 1200});
  CHECK(tv.current_weekly_budget() == 400);
  CHECK(std::vector<double>(tv.weekly_budgets().begin(), tv.weekly_budgets().end()) ==
        std::vector<double>{0, 400, 800});
  // The other channel at its recommended budget, not the scenario's: the
  // cost of the ads curve at 0 is tv's 400 a week.
  REQUIRE(ads.cost_size() == 3);
  CHECK(ads.cost(0) == doctest::Approx(400 * kDays / 7));
  CHECK(ads.cost(2) == doctest::Approx((1200 + 400) * kDays / 7));
  CHECK(tv.cost(0) == doctest::Approx(600 * kDays / 7));
}

TEST_CASE("planning: nothing recommended runs the curves up to the total, or gives none") {
  const std::optional<v1::CurvesResult> curves = around(recommendation(0, 0, 1000));
  REQUIRE(curves.has_value());
  REQUIRE(curves->curves_size() == 2);
  for (const v1::ResponseCurve& c : curves->curves()) {
    CAPTURE(c.channel());
    CHECK(std::vector<double>(c.weekly_budgets().begin(), c.weekly_budgets().end()) ==
          std::vector<double>{0, 500, 1000});
  }
  CHECK_FALSE(around(recommendation(0, 0, 0)).has_value());
}

}  // namespace
}  // namespace cjsim
