// Comments and moderation (docs/model.md "Comments and moderation") and
// the cost of customer care: the comments against the day's exposures,
// a shitstorm's negative share, the moderation backlog against the fluid
// queue's recursion, and care's cost in `cost` but not in `roas`.

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "models/compiled_model.h"
#include "sim/kpi.h"
#include "tests/sim/simulate.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_text;

// One persona reached organically on "page" (3% a day) and by a paid
// channel; comments on the page, a care team of `capacity` answers a day,
// and a shitstorm on days 10-14.
std::string commented(double capacity) {
  return R"(
name: "commented"
simulation { horizon_days: 30 agents: 20000 replications: 4 seed: 3 population: 100000 }
personas { id: "p" channel_affinity { key: "page" value: 1 } channel_affinity { key: "ads" value: 1 } }
channels { id: "page" organic_reach: 0.03 comments { rate_per_exposure: 0.01 negative_share: 0.2 } }
channels { id: "ads" weekly_budget: 700 cpm: 10 max_reach: 0.1 half_saturation: 100 }
touchpoints { id: "post" stage: AWARENESS channel: "page" entry_weight: 1 cta { act_probability: 0.1 } }
touchpoints { id: "ad" stage: AWARENESS channel: "ads" entry_weight: 1 cta { act_probability: 0.1 } }
touchpoints { id: "buy" stage: DECISION channel: "page" goal { kind: "purchase" value: 20 } }
edges { from: "post" to: "buy" }
edges { from: "ad" to: "buy" }
events { name: "storm" from_day: 10 to_day: 14 negative_share_multiplier: 3 channels: ["page"] }
loyalty { care { channel: "page" complaint_rate: 0 daily_capacity: )" +
         std::to_string(capacity) + R"( sla_days: 1 cost_per_capacity_unit: 5 } }
)";
}

TEST_CASE("comments: the day's exposures bring them, a shitstorm sours them, care answers them") {
  for (double capacity : {2.0, 40.0}) {
    CAPTURE(capacity);
    const v1::Scenario s = parse_text(commented(capacity));
    const CompiledModel m = compile(s, "");
    const double scale = 100000.0 / 20000.0;
    for (const ReplicationCounts& c : testing::simulate_counts(s)) {
      // By the day's exposures of the page, from the running totals.
      const std::vector<uint64_t>& paid = c.series.paid_through;
      const std::vector<uint64_t>& organic = c.series.organic_through;
      double comments = 0, negative = 0, open = 0, peak = 0, answered = 0;
      for (int t = 0; t < 30; ++t) {
        const size_t at = static_cast<size_t>(t) * 2;  // channel "page" is 0 of 2
        const size_t before = static_cast<size_t>(t - 1) * 2;
        const double exposures =
            static_cast<double>(paid[at] + organic[at]) -
            (t > 0 ? static_cast<double>(paid[before] + organic[before]) : 0.0);
        const double today = 0.01 * exposures * scale;
        const double sour = today * 0.2 * (t >= 10 && t <= 14 ? 3 : 1);
        comments += today;
        negative += sour;
        // The fluid queue: the day's arrivals, then the day's capacity.
        open += sour;
        const double take = std::min(open, capacity);
        open -= take;
        answered += take;
        peak = std::max(peak, open);
        CHECK(c.series.open_comments[static_cast<size_t>(t)] == doctest::Approx(open).epsilon(1e-9).scale(1.0));
      }
      CHECK(c.channel_comments[0] == doctest::Approx(comments).epsilon(1e-12));
      CHECK(c.channel_comments[1] == 0);
      CHECK(c.channel_negative_comments[0] == doctest::Approx(negative).epsilon(1e-12));
      CHECK(c.moderation_backlog == doctest::Approx(peak).epsilon(1e-9).scale(1.0));
      CHECK(c.comments_answered == doctest::Approx(answered).epsilon(1e-9));
      CHECK(c.loyalty.answered == 0);  // comments are not complaints
      const Quantities q = quantities_from_counts(m, c);
      CHECK(q.comments == doctest::Approx(comments).epsilon(1e-12));
      CHECK(q.moderation_backlog == doctest::Approx(peak).epsilon(1e-9).scale(1.0));
      // Care's staffing is in the cost, not in the ad spend.
      CHECK(q.care_cost == capacity * 5 * 30);
      CHECK(q.cost == doctest::Approx(700.0 / 7 * 30 + capacity * 5 * 30));
    }
    if (capacity == 2.0) {
      CHECK(compile(s, "").comments.negative_share[12 * 2] == doctest::Approx(0.6));
    }
  }
}

TEST_CASE("comments: KPIs, and refusals where the scenario has none") {
  const v1::RunResult r = testing::plain_run(parse_text(commented(2)));
  for (const char* name : {"comments", "negative_comments", "moderation_backlog"}) {
    CAPTURE(name);
    CHECK(r.kpis().count(name) == 1);
  }
  // roas is value over the channels' spend only.
  const double spend = 700.0 / 7 * 30;
  CHECK(r.kpis().at("roas").mean() == doctest::Approx(r.kpis().at("value").mean() / spend));
  const v1::RunResult plain = testing::plain_run(parse_text(testing::kSmallJourney));
  CHECK(plain.kpis().count("comments") == 0);
  CHECK(testing::contains(kpi_not_counted(parse_text(testing::kSmallJourney), "comments"),
                          "a channel's comments block"));
}

TEST_CASE("comments: bad input names the channel and field") {
  auto errors = [](const std::string& from, const std::string& to) {
    std::string text = commented(2);
    text.replace(text.find(from), from.size(), to);
    Diagnostics d;
    CHECK_FALSE(validate_scenario(parse_text(text), nullptr, d));
    return d.to_string();
  };
  CHECK(testing::contains(errors("rate_per_exposure: 0.01", "rate_per_exposure: 1.5"),
                          "channel 'page' comments.rate_per_exposure: 1.5 is not in [0, 1]"));
  CHECK(testing::contains(errors("negative_share: 0.2", "negative_share: nan"),
                          "channel 'page' comments.negative_share: nan is not in [0, 1]"));
  CHECK(testing::contains(errors("negative_share_multiplier: 3", "negative_share_multiplier: -1"),
                          "event 'storm' negative_share_multiplier: -1"));
  CHECK(testing::contains(errors("cost_per_capacity_unit: 5", "cost_per_capacity_unit: inf"),
                          "loyalty care cost_per_capacity_unit: inf must be a finite number >= 0"));
}

}  // namespace
}  // namespace cjsim
