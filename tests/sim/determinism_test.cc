// Determinism: the same scenario, seed and variant give bit-identical
// results for any thread count, and a replication's counts depend only on
// its index, not on which other replications run with it.

#include <doctest/doctest.h>
#include <google/protobuf/util/message_differencer.h>
#include <tbb/task_arena.h>

#include "models/compiled_model.h"
#include "models/scenario_loader.h"
#include "sim/engine.h"
#include "sim/run_result.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

v1::Scenario example(const char* name, int64_t agents) {
  Diagnostics diagnostics;
  auto loaded = load_scenario(testing::source_path(std::string("scenarios/") + name), diagnostics);
  REQUIRE_MESSAGE(loaded.has_value(), diagnostics.to_string());
  loaded->scenario.mutable_simulation()->set_agents(agents);
  loaded->scenario.mutable_simulation()->set_replications(4);
  loaded->scenario.clear_variants();
  return loaded->scenario;
}

// Replications [first, first + count) of `model` with `seed`.
std::vector<ReplicationCounts> run_with_threads(const CompiledModel& model, uint64_t seed,
                                                int threads, int first, int count) {
  std::vector<ReplicationCounts> counts;
  tbb::task_arena arena(threads);
  arena.execute([&] { counts = Engine(model, seed).run(first, count); });
  return counts;
}

void check_same(const ReplicationCounts& a, const ReplicationCounts& b) {
  CHECK(a.converted_agents == b.converted_agents);
  CHECK(a.exposed_agents == b.exposed_agents);
  CHECK(a.reached == b.reached);
  CHECK(a.touchpoints == b.touchpoints);
  CHECK(a.channel_paid == b.channel_paid);
  CHECK(a.channel_organic == b.channel_organic);
  CHECK(a.channel_reach == b.channel_reach);
  CHECK(a.credit == b.credit);
  CHECK(a.persona_converted == b.persona_converted);
  CHECK(a.walk_steps == b.walk_steps);
  CHECK(a.sessions == b.sessions);
}

TEST_CASE("determinism: 1 and 2 threads give bit-identical results on the examples") {
  for (const char* name : {"consumer_brand.textproto", "nonprofit.textproto"}) {
    CAPTURE(name);
    // Enough agents for several blocks, so two threads really share the work.
    const v1::Scenario scenario = example(name, 3 * Engine::kBlockAgents + 17);
    const CompiledModel model = compile(scenario, "");
    const RunSettings run = resolve_run_settings(scenario.simulation());
    auto one = run_with_threads(model, run.seed, 1, 0, 4);
    auto two = run_with_threads(model, run.seed, 2, 0, 4);
    for (int r = 0; r < 4; ++r) check_same(one[r], two[r]);
    // The summaries, timing aside, are then identical to the last bit.
    v1::RunResult a = summarize_monte_carlo(model, run, one, 1, 0);
    v1::RunResult b = summarize_monte_carlo(model, run, two, 1, 0);
    CHECK(testing::same_results(a, b));
  }
}

TEST_CASE("determinism: a replication does not depend on the others run with it") {
  const CompiledModel model = compile(example("consumer_brand.textproto", 5000), "");
  auto all = run_with_threads(model, 7, 2, 0, 4);
  auto tail = run_with_threads(model, 7, 1, 2, 2);
  check_same(all[2], tail[0]);
  check_same(all[3], tail[1]);
}

TEST_CASE("determinism: different seeds and replications give different draws") {
  const CompiledModel model = compile(example("consumer_brand.textproto", 5000), "");
  auto ra = run_with_threads(model, 1, 2, 0, 2);
  auto rb = run_with_threads(model, 2, 2, 0, 2);
  CHECK(ra[0].walk_steps != ra[1].walk_steps);
  CHECK(ra[0].walk_steps != rb[0].walk_steps);
}

}  // namespace
}  // namespace cjsim
