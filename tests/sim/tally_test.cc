// Replication counts (sim/tally.h): adding per-thread partial counts gives
// the same counts in any order and grouping, equal to the sums taken
// directly; finish() turns the furthest-stage moves into the funnel counts
// a direct count of the agents gives, and acts into visits less declines.

#include "sim/tally.h"

#include <array>
#include <cstdint>
#include <vector>

#include <doctest/doctest.h>

#include "models/compiled_model.h"
#include "sim/rng.h"
#include "tests/sim/simulate.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

CompiledModel small_model() { return compile(testing::parse_text(testing::kSmallJourney), ""); }

uint64_t small(rng::SplitMix64& g) { return g() % 100; }

void fill(rng::SplitMix64& g, std::vector<uint64_t>& v) {
  for (uint64_t& x : v) x = small(g);
}

// Partial counts with every field set. The loyalty fields that are doubles
// are multiples of 1/4, whose sums are exact in any order (the engine adds
// its real-valued care counts in a fixed order: sim/tally.h).
ReplicationCounts random_partial(const CompiledModel& model, rng::SplitMix64& g) {
  ReplicationCounts c(model);
  c.converted_agents = small(g);
  for (uint64_t& k : c.converted_by_kind) k = small(g);
  c.exposed_agents = small(g);
  for (uint64_t& r : c.reached) r = small(g);
  for (uint64_t& m : c.furthest_moves) m = small(g);
  for (TouchpointCounts& t : c.touchpoints) {
    t.visits = small(g) + 100;
    t.declines = small(g);
    t.acts = small(g);
    t.conversions = small(g);
  }
  fill(g, c.channel_paid);
  fill(g, c.channel_organic);
  fill(g, c.channel_reach);
  for (int i = 0; i < 5; ++i) {
    c.credit.first_touch[g() % 8] += small(g);
    c.credit.last_touch[g() % 8] += small(g);
    c.credit.assisted[g() % 8] += small(g);
  }
  fill(g, c.persona_converted);
  fill(g, c.persona_conversions);
  LoyaltyCounts& l = c.loyalty;
  l.repeats = small(g);
  fill(g, l.repeats_by_goal);
  l.repeated_customers = small(g);
  l.churned = small(g);
  l.complaints = small(g);
  l.answered = static_cast<double>(small(g)) / 4;
  l.answered_in_sla = static_cast<double>(small(g)) / 4;
  l.sla_missed = static_cast<double>(small(g)) / 4;
  l.response_days = static_cast<double>(small(g)) / 4;
  l.referrals = small(g);
  l.praises = small(g);
  l.referred_conversions = small(g);
  fill(g, l.churn_age);
  fill(g, l.churned_by_conversion_day);
  c.walk_steps = small(g);
  c.sessions = small(g);
  c.truncated_sessions = small(g);
  return c;
}

TEST_CASE("tally: partial counts add up the same in any order and grouping, to the direct sums") {
  const CompiledModel model = small_model();
  rng::SplitMix64 g(20261207);
  std::vector<ReplicationCounts> parts;
  for (int i = 0; i < 5; ++i) parts.push_back(random_partial(model, g));

  ReplicationCounts forward(model), backward(model), grouped(model), right(model);
  for (const ReplicationCounts& p : parts) forward.add(p);
  for (size_t i = parts.size(); i-- > 0;) backward.add(parts[i]);
  // ((0 + 1) + (2 + (3 + 4))), as threads finishing in another order would.
  ReplicationCounts left = parts[0];
  left.add(parts[1]);
  right = parts[3];
  right.add(parts[4]);
  ReplicationCounts middle = parts[2];
  middle.add(right);
  left.add(middle);
  grouped.add(left);
  testing::check_same_counts(forward, backward);
  testing::check_same_counts(forward, grouped);
  // Empty counts are the identity: added to them, a partial keeps every field.
  ReplicationCounts alone(model);
  alone.add(parts[0]);
  testing::check_same_counts(alone, parts[0]);

  // The merged counts are the sums taken directly.
  uint64_t converted = 0, visits = 0, credited = 0, paid = 0;
  double answered = 0;
  for (const ReplicationCounts& p : parts) {
    converted += p.converted_agents;
    visits += p.touchpoints[2].visits;
    credited += p.credit.last_touch.count(3) ? p.credit.last_touch.at(3) : 0;
    paid += p.channel_paid[1];
    answered += p.loyalty.answered;
  }
  CHECK(forward.converted_agents == converted);
  CHECK(forward.touchpoints[2].visits == visits);
  CHECK((forward.credit.last_touch.count(3) ? forward.credit.last_touch.at(3) : 0) == credited);
  CHECK(forward.channel_paid[1] == paid);
  CHECK(forward.loyalty.answered == answered);
  uint64_t conversions = 0;
  for (const TouchpointCounts& t : forward.touchpoints) conversions += t.conversions;
  CHECK(forward.conversions() == conversions);
}

TEST_CASE("tally: finish gives the funnel a direct count of the agents gives, split any way") {
  const CompiledModel model = small_model();
  // Agents whose furthest stage rises from 0 through a few stages, counted
  // as the engine does: a move from s to t is +1 at t and -1 (wrapping) at
  // s, into the partial counts of the thread that simulated the agent.
  rng::SplitMix64 g(7);
  constexpr int kAgents = 1000;
  std::array<uint64_t, kStageSlots> direct{};  // agents whose furthest stage >= s
  for (const int threads : {1, 3, 7}) {
    CAPTURE(threads);
    std::vector<ReplicationCounts> partial(static_cast<size_t>(threads), ReplicationCounts(model));
    direct = {};
    for (int agent = 0; agent < kAgents; ++agent) {
      ReplicationCounts& c = partial[static_cast<size_t>(agent % threads)];
      int furthest = 0;
      while (furthest < kStageCount && g() % 3 != 0) {
        const int next =
            furthest + 1 + static_cast<int>(g() % static_cast<uint64_t>(kStageCount - furthest));
        c.furthest_moves[static_cast<size_t>(next)] += 1;
        c.furthest_moves[static_cast<size_t>(furthest)] -= 1;
        furthest = next;
      }
      for (int s = 1; s <= furthest; ++s) ++direct[static_cast<size_t>(s)];
    }
    ReplicationCounts total(model);
    for (const ReplicationCounts& c : partial) total.add(c);
    total.finish();
    for (int s = 1; s <= kStageCount; ++s) {
      CAPTURE(s);
      CHECK(total.reached[static_cast<size_t>(s)] == direct[static_cast<size_t>(s)]);
    }
  }
}

TEST_CASE("tally: finish sets acts to visits less declines, and a second finish changes nothing") {
  const CompiledModel model = small_model();
  rng::SplitMix64 g(11);
  ReplicationCounts c = random_partial(model, g);
  std::vector<uint64_t> visits, declines;
  for (const TouchpointCounts& t : c.touchpoints) {
    visits.push_back(t.visits);
    declines.push_back(t.declines);
  }
  c.finish();
  for (size_t u = 0; u < c.touchpoints.size(); ++u) {
    CAPTURE(u);
    CHECK(c.touchpoints[u].acts == visits[u] - declines[u]);
  }
  CHECK(c.furthest_moves == std::array<uint64_t, kStageSlots>{});
  ReplicationCounts again = c;
  again.finish();
  testing::check_same_counts(c, again);
}

}  // namespace
}  // namespace cjsim
