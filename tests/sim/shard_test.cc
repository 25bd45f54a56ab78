// Tests of sim/shard.h: shard ranges, the round trip of a replication's
// counts through its message, reading shard files, and the checks of a set
// of parts before a merge.

#include "sim/shard.h"

#include <limits>
#include <set>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "models/scenario_loader.h"
#include "tests/sim/simulate.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::source_path;

// An example scenario, small.
v1::Scenario small_example(const std::string& name, int horizon_days) {
  Diagnostics diagnostics;
  std::optional<LoadedScenario> loaded =
      load_scenario(source_path("scenarios/" + name + ".textproto"), diagnostics);
  REQUIRE(loaded);
  v1::Scenario scenario = loaded->scenario;
  scenario.mutable_simulation()->set_agents(3000);
  scenario.mutable_simulation()->set_replications(3);
  scenario.mutable_simulation()->set_horizon_days(horizon_days);
  return scenario;
}

// The nonprofit example: two goal kinds, repeats and referrals, channel
// credit, targets.
v1::Scenario small_nonprofit() { return small_example("nonprofit", 365); }

// CHECKs every field of ReplicationCounts, the daily series and the
// current day included.
void check_every_field(const ReplicationCounts& a, const ReplicationCounts& b) {
  testing::check_same_counts(a, b);
  const DailySeries &x = a.series, &y = b.series;
  CHECK(x.new_conversions == y.new_conversions);
  CHECK(x.converted == y.converted);
  CHECK(x.aware == y.aware);
  CHECK(x.active_customers == y.active_customers);
  CHECK(x.open_complaints == y.open_complaints);
  CHECK(x.open_comments == y.open_comments);
  CHECK(x.new_conversions_by_kind == y.new_conversions_by_kind);
  CHECK(x.goal_events_through == y.goal_events_through);
  CHECK(x.repeats_through == y.repeats_through);
  CHECK(x.paid_through == y.paid_through);
  CHECK(x.organic_through == y.organic_through);
  CHECK(a.today.first_conversions == b.today.first_conversions);
  CHECK(a.today.first_aware == b.today.first_aware);
  CHECK(a.today.churned == b.today.churned);
  CHECK(a.today.first_by_kind == b.today.first_by_kind);
}

TEST_CASE("shard ranges: contiguous, in order, covering every replication once, for any N") {
  for (int replications : {0, 1, 2, 5, 16, 97}) {
    for (int shards : {1, 2, 3, 7, 16, 100}) {
      int next = 0;
      for (int i = 1; i <= shards; ++i) {
        const ReplicationRange r = shard_range(i, shards, replications);
        CHECK(r.first == next);
        CHECK(r.count() >= 0);
        CHECK(r.count() <= replications / shards + 1);
        next = r.end;
      }
      CHECK(next == replications);
    }
  }
  CHECK(shard_range(1, 3, 5).count() == 1);  // floor(5/3) = 1
  CHECK(shard_range(3, 3, 5).first == 3);
  CHECK(shard_range(4, 8, 2).count() == 1);  // [1, 2)
  CHECK(shard_range(1, 8, 2).count() == 0);  // N > R: some shards hold none
}

// Every field of `counts` of `scenario` through a message and its bytes.
void check_round_trip(const v1::Scenario& scenario, const std::vector<ReplicationCounts>& counts) {
  const CompiledModel model = compile(scenario, "");
  for (size_t r = 0; r < counts.size(); ++r) {
    v1::ReplicationSample sample;
    to_sample(counts[r], static_cast<int>(r), &sample);
    CHECK(sample.replication() == static_cast<int>(r));
    // Through the wire too.
    v1::ReplicationSample parsed;
    REQUIRE(parsed.ParseFromString(sample.SerializeAsString()));
    const ReplicationCounts back = from_sample(parsed);
    check_every_field(counts[r], back);
    CHECK(check_shape(back, model).is_ok());
  }
}

TEST_CASE("shard samples: every field of a replication's counts round-trips") {
  // The examples exercise what the message carries: goal kinds, repeats,
  // credit (nonprofit); customer care (consumer brand).
  const v1::Scenario nonprofit = small_nonprofit();
  const std::vector<ReplicationCounts> counts = testing::simulate_counts(nonprofit);
  CHECK(counts.front().loyalty.repeats > 0);
  CHECK_FALSE(counts.front().credit.assisted.empty());
  CHECK_FALSE(counts.front().series.new_conversions_by_kind.empty());
  check_round_trip(nonprofit, counts);
  const v1::Scenario consumer = small_example("consumer_brand", 90);
  const std::vector<ReplicationCounts> care = testing::simulate_counts(consumer);
  CHECK(care.front().loyalty.complaints > 0);
  CHECK(care.front().loyalty.answered > 0);
  check_round_trip(consumer, care);
  // The day in progress is carried too, though a finished replication has
  // none: set it to see it come back.
  ReplicationCounts odd = counts.front();
  odd.today.first_conversions = 3;
  odd.today.first_aware = 4;
  odd.today.churned = 5;
  odd.today.first_by_kind[limits::kMaxGoalKinds - 1] = 6;
  odd.furthest_moves[1] = 7;
  v1::ReplicationSample sample;
  to_sample(odd, 0, &sample);
  check_every_field(odd, from_sample(sample));
}

TEST_CASE("shard samples: a count of the wrong shape for the scenario is refused") {
  const v1::Scenario scenario = small_nonprofit();
  const CompiledModel model = compile(scenario, "");
  ReplicationCounts counts = testing::simulate_counts(scenario).front();
  ReplicationCounts fewer = counts;
  fewer.channel_paid.pop_back();
  CHECK(testing::contains(check_shape(fewer, model).message(), "channel_paid"));
  ReplicationCounts shorter = counts;
  shorter.series.paid_through.pop_back();
  CHECK(testing::contains(check_shape(shorter, model).message(), "series.paid_through"));
  ReplicationCounts credit = counts;
  credit.credit.first_touch[1u << 30] = 1;
  CHECK_FALSE(check_shape(credit, model).is_ok());
  ReplicationCounts none = counts;
  none.series = {};  // a single-journey walk keeps no series
  CHECK(check_shape(none, model).is_ok());
}

// A shard of a two-replication run, made by hand.
v1::ShardResult run_shard(int shard, int shards, int replications) {
  const v1::Scenario scenario = small_nonprofit();
  v1::ShardResult out;
  out.set_format(std::string(kShardFormat));
  out.set_command("run");
  out.set_engine_version("test");
  out.set_shard(shard);
  out.set_shards(shards);
  out.set_replications(replications);
  out.set_seed(7);
  out.set_population(1000);
  out.set_confidence(0.95);
  const ReplicationRange range = shard_range(shard, shards, replications);
  out.set_first_replication(range.first);
  out.set_end_replication(range.end);
  v1::ShardScenario* s = out.add_scenarios();
  s->set_scenario_hash(scenario_hash(scenario));
  *s->mutable_scenario() = scenario;
  v1::ShardCounts* counts = out.add_counts();
  for (int r = range.first; r < range.end; ++r) {
    ReplicationCounts c;
    c.walk_steps = static_cast<uint64_t>(r);
    to_sample(c, r, counts->add_replications());
  }
  return out;
}

TEST_CASE("shard files: what is not a whole shard file is refused with its name") {
  const std::string bytes = run_shard(2, 3, 7).SerializeAsString();
  REQUIRE(parse_shard(bytes, "p.pb").is_ok());
  auto why = [](std::string_view text) {
    Result<v1::ShardResult> r = parse_shard(text, "p.pb");
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == Status::Code::kBadInput);
    CHECK(testing::contains(r.status().message(), "p.pb: "));
    return r.status().message();
  };
  CHECK(testing::contains(why(bytes.substr(0, bytes.size() / 2)), "cut short"));
  CHECK(testing::contains(why("not a protobuf \xff\xff"), "not a shard file"));
  CHECK(testing::contains(why(""), "not a shard file"));
  v1::ShardResult bad = run_shard(2, 3, 7);
  bad.set_first_replication(0);
  CHECK(testing::contains(why(bad.SerializeAsString()), "holds replications"));
  bad = run_shard(2, 3, 7);
  bad.set_shard(4);
  CHECK(testing::contains(why(bad.SerializeAsString()), "1 <= I <= N"));
  bad = run_shard(2, 3, 7);
  bad.set_shards(0);
  CHECK(testing::contains(why(bad.SerializeAsString()), "1 <= I <= N"));
  bad = run_shard(2, 3, 7);
  bad.mutable_counts(0)->mutable_replications(0)->set_replication(5);
  CHECK(testing::contains(why(bad.SerializeAsString()), "replication 5 where 2 belongs"));
  bad = run_shard(2, 3, 7);
  bad.mutable_counts(0)->mutable_replications(0)->add_touchpoint_visits(1);
  CHECK(testing::contains(why(bad.SerializeAsString()), "different lengths"));
  bad = run_shard(2, 3, 7);
  bad.set_command("optimize");
  CHECK(testing::contains(why(bad.SerializeAsString()), "unknown command"));
  bad = run_shard(2, 3, 7);
  bad.add_counts();
  CHECK(testing::contains(why(bad.SerializeAsString()), "sets of counts"));
  // Found by the shard_file fuzz target: a NaN population made a file
  // differ from itself.
  bad = run_shard(2, 3, 7);
  bad.set_population(std::numeric_limits<double>::quiet_NaN());
  CHECK(testing::contains(why(bad.SerializeAsString()), "population or confidence level"));
  bad = run_shard(2, 3, 7);
  bad.set_confidence(1);
  CHECK(testing::contains(why(bad.SerializeAsString()), "population or confidence level"));
}

std::vector<ShardPart> parts_of(int shards, int replications, std::set<int> left_out = {}) {
  std::vector<ShardPart> parts;
  for (int i = shards; i >= 1; --i) {  // any order
    if (left_out.count(i) == 0) {
      parts.push_back({"part-" + std::to_string(i) + ".pb", run_shard(i, shards, replications)});
    }
  }
  return parts;
}

TEST_CASE("shard merge: the parts' replications in order, for N below, at and above R") {
  for (int shards : {1, 2, 3, 7, 12}) {
    Result<MergedShards> merged = merge_shards(parts_of(shards, 7));
    REQUIRE(merged.is_ok());
    REQUIRE(merged->counts.size() == 1);
    REQUIRE(merged->counts[0].size() == 7);
    for (int r = 0; r < 7; ++r) CHECK(merged->counts[0][r].walk_steps == static_cast<uint64_t>(r));
  }
}

TEST_CASE("shard merge: regression: a file with a NaN in its scenario did not equal itself") {
  // Found by the shard_file fuzz target: the header comparison took the NaN
  // for a difference, so a lone 1-of-1 shard was "not a part of one study"
  // with itself. The scenario check refuses the NaN instead, naming it.
  v1::ShardResult shard = run_shard(1, 1, 3);
  shard.mutable_scenarios(0)->mutable_scenario()->mutable_personas(0)->set_share(
      std::numeric_limits<double>::quiet_NaN());
  REQUIRE(merge_shards({{"nan.pb", shard}}).is_ok());
  std::vector<ShardPart> two = parts_of(2, 3);
  for (ShardPart& p : two) {
    p.shard.mutable_scenarios(0)->mutable_scenario()->mutable_personas(0)->set_share(
        std::numeric_limits<double>::quiet_NaN());
  }
  CHECK(merge_shards(two).is_ok());
  CHECK_FALSE(check_shard_scenario(shard.scenarios(0), shard).is_ok());
}

TEST_CASE("shard merge: missing and duplicated shards and parts of other studies are refused") {
  auto why = [](std::vector<ShardPart> parts) {
    Result<MergedShards> merged = merge_shards(std::move(parts));
    REQUIRE_FALSE(merged.is_ok());
    CHECK(merged.status().code() == Status::Code::kBadInput);
    return merged.status().message();
  };
  CHECK(why(parts_of(8, 20, {3, 5})) == "shards 3 and 5 of 8 are missing; merge needs every shard");
  CHECK(testing::contains(why(parts_of(8, 20, {2})), "shard 2 of 8 is missing"));
  CHECK(testing::contains(why(parts_of(8, 20, {1, 2, 4})), "shards 1, 2 and 4 of 8 are missing"));

  std::vector<ShardPart> twice = parts_of(3, 7);
  twice.push_back({"again.pb", run_shard(2, 3, 7)});
  CHECK(why(twice) == "part-2.pb and again.pb are both shard 2 of 3");

  auto changed = [&](auto change) {
    std::vector<ShardPart> parts = parts_of(3, 7);
    change(parts.back().shard);
    return why(parts);
  };
  CHECK(
      testing::contains(changed([](v1::ShardResult& s) { s.set_seed(8); }),
                        "part-3.pb and part-1.pb are not parts of one study: their seeds (7, 8)"));
  CHECK(
      testing::contains(changed([](v1::ShardResult& s) { s.set_command("compare"); }), "commands"));
  CHECK(testing::contains(changed([](v1::ShardResult& s) { s.set_engine_version("other"); }),
                          "engine versions"));
  CHECK(testing::contains(
      changed([](v1::ShardResult& s) { s.mutable_scenarios(0)->set_scenario_hash("0"); }),
      "scenarios (hash"));
  CHECK(testing::contains(
      changed([](v1::ShardResult& s) { s.mutable_scenarios(0)->set_variant("bold"); }),
      "variants"));
  CHECK(testing::contains(changed([](v1::ShardResult& s) { s.set_agents(9); }), "agents (0, 9)"));
  CHECK(testing::contains(changed([](v1::ShardResult& s) { s.set_has_window(true); }),
                          "--window from days (-1, 0)"));
  CHECK(
      testing::contains(changed([](v1::ShardResult& s) { s.set_rank_by("value"); }), "--rank-by"));
  CHECK(testing::contains(changed([](v1::ShardResult& s) {
                            s.mutable_scenarios(0)->mutable_scenario()->set_name("x");
                          }),
                          "scenario files"));
  // A different N.
  std::vector<ShardPart> mixed = parts_of(3, 7);
  mixed.push_back({"four.pb", run_shard(4, 4, 7)});
  CHECK(testing::contains(why(mixed), "shard counts N (3, 4)"));
  // Timing may differ.
  std::vector<ShardPart> timed = parts_of(3, 7);
  timed[0].shard.set_threads(4);
  timed[1].shard.set_wall_seconds(2.5);
  REQUIRE(merge_shards(timed).is_ok());
  CHECK(merge_shards(timed)->threads == 4);
}

}  // namespace
}  // namespace cjsim
