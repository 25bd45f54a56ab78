// Where a result comes from: the one cjsim.v1.Provenance every result
// carries (versions, scenario and its hash, variant, run settings, threads,
// command line), filled here and nowhere else. The studies call
// make_provenance once and set_provenance on their result; the command line
// adds the command that was typed (the library does not know it).
//
// Pure functions; call from any thread.
#ifndef CJSIM_SIM_PROVENANCE_H_
#define CJSIM_SIM_PROVENANCE_H_

#include <string>
#include <string_view>

#include "cjsim/v1/provenance.pb.h"
#include "cjsim/v1/scenario.pb.h"
#include "models/compiled_model.h"
#include "models/settings.h"

namespace cjsim {

inline constexpr std::string_view kSchemaVersion = "cjsim.v1";
std::string_view engine_version();

// The provenance of a result on `model` (its scenario, hash and variant)
// run with `run`'s seed and confidence at `replications` replications (0
// for an exact result) on `threads` threads.
v1::Provenance make_provenance(const CompiledModel& model, const RunSettings& run, int replications,
                               int threads);
// The same for a study that starts from a scenario (a sweep, curves, the
// optimizer): `scenario` as simulated before the study's own changes, its
// run settings from its `simulation` block.
v1::Provenance make_provenance(const v1::Scenario& scenario, const std::string& variant,
                               int replications, int threads);
// A result with no scenario (a retention fit): the versions and the input.
v1::Provenance make_provenance(const std::string& input);

// Stores `provenance` in `result` and fills the fields each result has
// repeated it in since schema cjsim.v1 began (seed, agents, ...), so that
// readers of earlier results read on.
template <class Result>
void set_provenance(const v1::Provenance& provenance, Result* result) {
  *result->mutable_provenance() = provenance;
  const v1::Provenance& p = provenance;
  result->set_engine_version(p.engine_version());
  result->set_schema_version(p.schema_version());
  if constexpr (requires { result->set_scenario(p.scenario()); }) {
    result->set_scenario(p.scenario());
    result->set_seed(p.seed());
    result->set_agents(static_cast<int32_t>(p.agents()));
    result->set_replications(p.replications());
    result->set_threads(p.threads());
    result->set_confidence(p.confidence());
    result->set_population(p.population());
  }
  if constexpr (requires { result->set_variant(p.variant()); }) result->set_variant(p.variant());
  if constexpr (requires { result->set_scenario_hash(p.scenario_hash()); }) {
    result->set_scenario_hash(p.scenario_hash());
  }
  if constexpr (requires { result->set_horizon_days(p.horizon_days()); }) {
    result->set_horizon_days(p.horizon_days());
  }
  if constexpr (requires { result->set_input(p.input()); }) result->set_input(p.input());
}

}  // namespace cjsim

#endif  // CJSIM_SIM_PROVENANCE_H_
