// Unit tests of sim/provenance.h: one Provenance, filled in one place, and
// the fields results kept from before it.

#include "sim/provenance.h"

#include <doctest/doctest.h>

#include "cjsim/v1/result.pb.h"
#include "cjsim/v1/retention.pb.h"
#include "models/compiled_model.h"
#include "tests/small_journey.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

TEST_CASE("provenance: from a compiled model and from its scenario alike") {
  v1::Scenario scenario = testing::parse_text(testing::kSmallJourney);
  scenario.mutable_simulation()->set_seed(42);
  scenario.mutable_simulation()->set_confidence(0.8);
  const CompiledModel model = compile(scenario, "");
  const RunSettings run = resolve_run_settings(scenario.simulation());
  const v1::Provenance from_model = make_provenance(model, run, 7, 3);
  const v1::Provenance from_scenario = make_provenance(scenario, "", 7, 3);
  CHECK(testing::same_results(from_model, from_scenario));
  CHECK(from_model.seed() == 42);
  CHECK(from_model.confidence() == 0.8);
  CHECK(from_model.replications() == 7);
  CHECK(from_model.threads() == 3);
  CHECK(from_model.scenario_hash() == scenario_hash(scenario));
  CHECK(from_model.agents() == model.settings.agents);
  CHECK(from_model.population() == model.settings.population);
  CHECK(from_model.schema_version() == kSchemaVersion);
  CHECK(from_model.engine_version() == engine_version());
  CHECK(from_model.command_line().empty());  // the command line adds it
}

TEST_CASE("provenance: the hash tells scenarios apart and the run settings are not in the model") {
  v1::Scenario scenario = testing::parse_text(testing::kSmallJourney);
  const std::string hash = scenario_hash(scenario);
  v1::Scenario other = scenario;
  other.mutable_touchpoints(0)->mutable_cta()->set_act_probability(0.123);
  CHECK(scenario_hash(other) != hash);
  // The same model runs with any seed: the provenance records the run's.
  const CompiledModel model = compile(scenario, "");
  RunSettings run;
  run.seed = 9;
  CHECK(make_provenance(model, run, 2, 1).seed() == 9);
  run.seed = 10;
  CHECK(make_provenance(model, run, 2, 1).seed() == 10);
}

TEST_CASE("provenance: set_provenance keeps the fields earlier results had") {
  v1::Scenario scenario = testing::parse_text(testing::kSmallJourney);
  const v1::Provenance p = make_provenance(scenario, "bold", 5, 2);
  v1::RunResult run;
  set_provenance(p, &run);
  CHECK(testing::same_results(run.provenance(), p));
  CHECK(run.scenario() == p.scenario());
  CHECK(run.variant() == "bold");
  CHECK(run.seed() == p.seed());
  CHECK(run.agents() == p.agents());
  CHECK(run.replications() == 5);
  CHECK(run.threads() == 2);
  CHECK(run.population() == p.population());
  CHECK(run.horizon_days() == p.horizon_days());
  CHECK(run.confidence() == p.confidence());
  CHECK(run.scenario_hash() == p.scenario_hash());
  CHECK(run.engine_version() == p.engine_version());
  CHECK(run.schema_version() == p.schema_version());

  v1::CompareResult compare;
  set_provenance(p, &compare);
  CHECK(compare.replications() == 5);
  CHECK(compare.seed() == p.seed());
  v1::OptimizeResult optimize;
  set_provenance(p, &optimize);
  CHECK(optimize.population() == p.population());

  v1::RetentionFit fit;
  set_provenance(make_provenance(std::string("orders.csv")), &fit);
  CHECK(fit.input() == "orders.csv");
  CHECK(fit.provenance().input() == "orders.csv");
  CHECK(fit.engine_version() == engine_version());
}

}  // namespace
}  // namespace cjsim
